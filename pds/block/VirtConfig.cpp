#include "pds/block/VirtConfig.h"

#include "pds/block/ConfigLines.h"

namespace corokit::block {
namespace {

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
  ConfigLines lines(text, size);
  ConfigLine<6> l;
  while (lines.next(l)) {
    if (l.too_many) return {l.number, "too many words"};
    if (l.count == 0) continue;
    uint32_t client = 0;
    if (!l.is(0, "client") || l.count < 3) {
      return {l.number, "expected: client <n> partition <index>|whole [readonly]"};
    }
    if (!number(l.words[1], l.lengths[1], client) || client >= kMaxClients) return {l.number, "client number out of range"};
    ClientChoice choice;
    choice.configured = true;
    unsigned next = 3;
    if (l.is(2, "whole")) {
      choice.whole = true;
    } else if (l.is(2, "partition") && l.count >= 4) {
      if (l.is(3, "whole")) {
        choice.whole = true;
      } else if (!number(l.words[3], l.lengths[3], choice.partition) || choice.partition >= kMaxPartitions) {
        return {l.number, "partition index out of range (0..127, or whole)"};
      }
      next = 4;
    } else {
      return {l.number, "expected: client <n> partition <index>|whole [readonly]"};
    }
    for (; next < l.count; ++next) {
      if (!l.is(next, "readonly")) return {l.number, "unknown option (expected readonly)"};
      choice.read_only = true;
    }
    if (out.clients[client].configured) return {l.number, "client configured twice"};
    out.clients[client] = choice;
  }
  return {};
}

}  // namespace corokit::block
