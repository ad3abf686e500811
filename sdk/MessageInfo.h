// Message info and message registers for C++ PDs (LIBMICROKIT.md §4.6). Freestanding.
#pragma once

#include <cstdint>

#include "sdk/include/microkit.h"

namespace corokit {

using Word = seL4_Word;
inline constexpr unsigned kMaxMessageRegisters = seL4_MsgMaxLength;

// Label (52 bits) and count of a message; no capabilities on the host.
class MessageInfo {
 public:
  constexpr MessageInfo() = default;
  constexpr MessageInfo(Word label, unsigned count)
      : word_(((label & 0xfffffffffffffull) << 12) | (count > kMaxMessageRegisters ? kMaxMessageRegisters : count)) {}
  constexpr explicit MessageInfo(microkit_msginfo raw) : word_(raw.words[0]) {}

  constexpr Word label() const { return word_ >> 12; }
  constexpr unsigned count() const { return static_cast<unsigned>(word_ & 0x7f); }
  constexpr microkit_msginfo raw() const { return microkit_msginfo{{word_}}; }
  constexpr Word word() const { return word_; }
  friend constexpr bool operator==(MessageInfo, MessageInfo) = default;

 private:
  Word word_ = 0;
};

// This PD's message registers (words 0..119).
struct mr {
  static Word get(unsigned i) { return microkit_mr_get(static_cast<seL4_Uint8>(i < 256 ? i : 255)); }
  static void set(unsigned i, Word v) { microkit_mr_set(static_cast<seL4_Uint8>(i < 256 ? i : 255), v); }
};

}  // namespace corokit
