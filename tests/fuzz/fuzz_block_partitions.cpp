// libFuzzer target: the partition-table scan (pds/block/PartitionScan.h) over arbitrary disk
// contents. The first byte picks the sector size and the read buffer; the rest is the disk. Every
// partition the scan serves must lie on the device.
#include <cstdint>
#include <cstring>
#include <vector>

#include "pds/block/PartitionScan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint32_t sector = data[0] & 1 ? 4096 : 512;
  const uint32_t buffer = data[0] & 2 ? 8192 : 65536;
  std::vector<uint8_t> disk(data + 1, data + size);
  disk.resize((disk.size() + 4095) / 4096 * 4096 + 8192, 0);
  const uint64_t blocks = disk.size() / 4096;
  corokit::block::PartitionScan scan(sector, blocks, buffer);
  std::vector<uint8_t> read;
  for (corokit::block::ReadRange r; scan.next(r);) {
    const uint64_t bytes = static_cast<uint64_t>(r.count) * 4096;
    const bool ok = r.count <= buffer / 4096 && r.block <= blocks && r.count <= blocks - r.block;
    read.assign(bytes > (1u << 20) ? 0 : bytes, 0);
    if (ok) std::memcpy(read.data(), disk.data() + r.block * 4096, bytes);
    scan.feed(read.data(), read.size(), ok);
  }
  const corokit::block::PartitionTable& t = scan.table();
  if (t.count > corokit::block::kMaxPartitions) __builtin_trap();
  for (uint32_t i = 0; i < t.count; ++i) {
    if (t.slots[i].served() && t.first_block(i) + t.blocks(i) > blocks) __builtin_trap();
  }
  return 0;
}
