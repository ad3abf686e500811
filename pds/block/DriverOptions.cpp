#include "pds/block/DriverOptions.h"

namespace corokit::block {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool same(const char* token, std::size_t length, const char* word) {
  std::size_t i = 0;
  for (; i < length; ++i) {
    if (word[i] == '\0' || word[i] != token[i]) return false;
  }
  return word[i] == '\0';
}

}  // namespace

ConfigError parse_driver_options(const char* text, std::size_t size, DriverOptions& out) {
  uint32_t line = 0;
  std::size_t pos = 0;
  while (pos < size && text[pos] != '\0') {
    ++line;
    std::size_t end = pos;
    while (end < size && text[end] != '\0' && text[end] != '\n') ++end;
    const char* tokens[3];
    std::size_t lengths[3];
    unsigned count = 0;
    for (std::size_t i = pos; i < end && text[i] != '#';) {
      if (is_space(text[i])) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < end && !is_space(text[j]) && text[j] != '#') ++j;
      if (count == 3) return {line, "too many words"};
      tokens[count] = text + i;
      lengths[count++] = j - i;
      i = j;
    }
    pos = end < size && text[end] == '\n' ? end + 1 : end;
    if (count == 0) continue;
    if (!same(tokens[0], lengths[0], "poll-us")) return {line, "unknown option (expected poll-us <n>)"};
    if (count != 2) return {line, "expected: poll-us <n>"};
    uint32_t v = 0;
    for (std::size_t i = 0; i < lengths[1]; ++i) {
      const char c = tokens[1][i];
      if (c < '0' || c > '9' || v > 100'000) return {line, "poll-us: a number of microseconds, at most 100000"};
      v = v * 10 + static_cast<uint32_t>(c - '0');
    }
    if (v > 100'000) return {line, "poll-us: a number of microseconds, at most 100000"};
    out.poll_us = v;
  }
  return {};
}

}  // namespace corokit::block
