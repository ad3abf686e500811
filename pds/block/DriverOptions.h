// The host block driver's options: text in a memory region prefilled from a file (SDF
// `prefill_path`, mapped read-only into the driver), one option per line:
//
//   # poll-us <n>: poll instead of sleeping for up to n µs after the last request or completion
//   poll-us 200
//   # read-mapped: small reads copy from a read-only mapping of the image instead of preadv2
//   read-mapped
//
// Polling trades a CPU for latency (docs/block.md, Performance): use it only when the driver has a
// CPU its peers do not need. read-mapped trades cold reads for hot ones: a page the host evicted
// blocks the driver while the kernel reads it (docs/block.md). Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pds/block/ConfigError.h"

namespace corokit::block {

struct DriverOptions {
  uint32_t poll_us = 0;
  bool read_mapped = false;
};

// Parses `size` bytes of `text` (a NUL ends it early). On an error the lines before it apply.
ConfigError parse_driver_options(const char* text, std::size_t size, DriverOptions& out);

}  // namespace corokit::block
