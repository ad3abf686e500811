#include "system/sdf/Number.h"

#include <string>

namespace corokit::sdf {
namespace {

int digit_value(char c, unsigned base) {
  int v = -1;
  if (c >= '0' && c <= '9') v = c - '0';
  else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
  else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
  return v >= 0 && static_cast<unsigned>(v) < base ? v : -1;
}

// Rust's u64::from_str_radix: an optional leading '+', then at least one digit.
NumberParse from_str_radix(std::string_view s, unsigned base) {
  NumberParse r;
  if (s.empty()) {
    r.error = NumberError::Empty;
    return r;
  }
  if (s.front() == '+') {
    s.remove_prefix(1);
    if (s.empty()) {
      r.error = NumberError::InvalidDigit;
      return r;
    }
  }
  uint64_t v = 0;
  bool overflow = false;
  for (char c : s) {
    int d = digit_value(c, base);
    if (d < 0) {
      r.error = NumberError::InvalidDigit;
      return r;
    }
    if (v > (UINT64_MAX - static_cast<unsigned>(d)) / base) overflow = true;
    v = v * base + static_cast<unsigned>(d);
  }
  if (overflow) {
    r.error = NumberError::TooLarge;
    return r;
  }
  r.value = v;
  return r;
}

}  // namespace

std::string_view NumberParse::why() const {
  switch (error) {
    case NumberError::None: return "";
    case NumberError::Empty: return "cannot parse integer from empty string";
    case NumberError::InvalidDigit: return "invalid digit found in string";
    case NumberError::TooLarge: return "number too large to fit in target type";
  }
  return "";
}

NumberParse parse_number(std::string_view text) {
  std::string cleaned;
  cleaned.reserve(text.size());
  for (char c : text) {
    if (c != '_') cleaned.push_back(c);
  }
  std::string_view s = cleaned;
  if (s.starts_with("0x")) return from_str_radix(s.substr(2), 16);
  return from_str_radix(s, 10);
}

NumberParse parse_decimal(std::string_view text, bool allow_negative) {
  if (allow_negative && text.starts_with('-')) {
    NumberParse r = from_str_radix(text.substr(1), 10);
    if (text.size() == 1) r.error = NumberError::InvalidDigit;
    if (text.size() > 1 && text[1] == '+') r.error = NumberError::InvalidDigit;
    r.negative = r.ok() && r.value != 0;
    // i64 range: magnitudes beyond 2^63 do not fit.
    if (r.ok() && r.value > (uint64_t{1} << 63)) r.error = NumberError::TooLarge;
    return r;
  }
  NumberParse r = from_str_radix(text, 10);
  if (allow_negative && r.ok() && r.value > static_cast<uint64_t>(INT64_MAX)) {
    r.error = NumberError::TooLarge;
  }
  return r;
}

}  // namespace corokit::sdf
