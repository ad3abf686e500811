#include "pds/block/VirtConfig.h"

namespace corokit::block {
namespace {

bool same(const char* token, std::size_t length, const char* word) {
  std::size_t i = 0;
  for (; i < length; ++i) {
    if (word[i] == '\0' || word[i] != token[i]) return false;
  }
  return word[i] == '\0';
}

bool number(const char* token, std::size_t length, uint32_t& out) {
  if (length == 0 || length > 9) return false;
  uint32_t v = 0;
  for (std::size_t i = 0; i < length; ++i) {
    if (token[i] < '0' || token[i] > '9') return false;
    v = v * 10 + static_cast<uint32_t>(token[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

ConfigError parse_virt_config(const char* text, std::size_t size, VirtConfig& out) {
  uint32_t line = 0;
  std::size_t pos = 0;
  while (pos < size && text[pos] != '\0') {
    ++line;
    std::size_t end = pos;
    while (end < size && text[end] != '\0' && text[end] != '\n') ++end;
    // Tokens of this line, up to a comment.
    const char* tokens[6];
    std::size_t lengths[6];
    unsigned count = 0;
    for (std::size_t i = pos; i < end && text[i] != '#';) {
      if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < end && text[j] != ' ' && text[j] != '\t' && text[j] != '\r' && text[j] != '#') ++j;
      if (count == 6) return {line, "too many words"};
      tokens[count] = text + i;
      lengths[count++] = j - i;
      i = j;
    }
    pos = end < size && text[end] == '\n' ? end + 1 : end;
    if (count == 0) continue;
    uint32_t client = 0;
    if (!same(tokens[0], lengths[0], "client") || count < 3) {
      return {line, "expected: client <n> partition <index>|whole [readonly]"};
    }
    if (!number(tokens[1], lengths[1], client) || client >= kMaxClients) return {line, "client number out of range"};
    ClientChoice choice;
    choice.configured = true;
    unsigned next = 3;
    if (same(tokens[2], lengths[2], "whole")) {
      choice.whole = true;
    } else if (same(tokens[2], lengths[2], "partition") && count >= 4) {
      if (same(tokens[3], lengths[3], "whole")) {
        choice.whole = true;
      } else if (!number(tokens[3], lengths[3], choice.partition) || choice.partition >= kMaxPartitions) {
        return {line, "partition index out of range (0..127, or whole)"};
      }
      next = 4;
    } else {
      return {line, "expected: client <n> partition <index>|whole [readonly]"};
    }
    for (; next < count; ++next) {
      if (!same(tokens[next], lengths[next], "readonly")) return {line, "unknown option (expected readonly)"};
      choice.read_only = true;
    }
    if (out.clients[client].configured) return {line, "client configured twice"};
    out.clients[client] = choice;
  }
  return {};
}

}  // namespace corokit::block
