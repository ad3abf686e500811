// Number syntax of SDF attributes (SDF.md §3).
#pragma once

#include <cstdint>
#include <string_view>

namespace corokit::sdf {

enum class NumberError : uint8_t { None, Empty, InvalidDigit, TooLarge };

struct NumberParse {
  uint64_t value = 0;
  bool negative = false;  // decimal-only attributes: a leading '-' was present
  NumberError error = NumberError::None;

  bool ok() const { return error == NumberError::None; }
  // Rust's wording, as Microkit prints it: "invalid digit found in string", ...
  std::string_view why() const;
};

// The general syntax: '_' removed anywhere, optional '+', lowercase "0x" for hex, unsigned 64-bit.
NumberParse parse_number(std::string_view text);

// Microkit's plain decimal parse for decimal-only attributes: optional sign ('-' only when
// `allow_negative`), digits only. `negative` tells a negative value apart; its magnitude is in
// `value`.
NumberParse parse_decimal(std::string_view text, bool allow_negative);

}  // namespace corokit::sdf
