// The block virtualiser's per-client configuration: which partition each client is confined to and
// whether it may write. It is text in a memory region prefilled from a file (SDF `prefill_path`,
// mapped read-only into the virtualiser only), one line per client:
//
//   # client <n> partition <index>|whole [readonly]
//   client 0 partition 0
//   client 1 partition 1 readonly
//
// Partition indices are table slots, 0-based (MBR: 0..3; GPT: entry 0..127), as Linux numbers
// them from 1. A client without a line gets partition <n> when the device has a partition table,
// and the whole device when it has none. Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pds/block/ConfigError.h"
#include "pds/block/PartitionScan.h"
#include "pds/block/VirtCore.h"

namespace corokit::block {

struct ClientChoice {
  bool configured = false;
  bool whole = false;
  uint32_t partition = 0;
  bool read_only = false;
};

struct VirtConfig {
  ClientChoice clients[kMaxClients];
};

// Parses `size` bytes of `text` (a NUL ends it early). On an error the lines before it apply.
ConfigError parse_virt_config(const char* text, std::size_t size, VirtConfig& out);

}  // namespace corokit::block
