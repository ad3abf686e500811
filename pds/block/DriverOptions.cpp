#include "pds/block/DriverOptions.h"

#include "pds/block/ConfigLines.h"

namespace corokit::block {

ConfigError parse_driver_options(const char* text, std::size_t size, DriverOptions& out) {
  ConfigLines lines(text, size);
  ConfigLine<3> l;
  while (lines.next(l)) {
    if (l.too_many) return {l.number, "too many words"};
    if (l.count == 0) continue;
    if (l.is(0, "read-mapped")) {
      if (l.count != 1) return {l.number, "read-mapped takes no value"};
      out.read_mapped = true;
      continue;
    }
    if (!l.is(0, "poll-us")) return {l.number, "unknown option (expected poll-us <n> or read-mapped)"};
    if (l.count != 2) return {l.number, "expected: poll-us <n>"};
    uint32_t v = 0;
    for (std::size_t i = 0; i < l.lengths[1]; ++i) {
      const char c = l.words[1][i];
      if (c < '0' || c > '9' || v > 100'000) return {l.number, "poll-us: a number of microseconds, at most 100000"};
      v = v * 10 + static_cast<uint32_t>(c - '0');
    }
    if (v > 100'000) return {l.number, "poll-us: a number of microseconds, at most 100000"};
    out.poll_us = v;
  }
  return {};
}

}  // namespace corokit::block
