// corokit_net_free_queue OUT CAPACITY COUNT BASE: writes the initial contents of a free queue region
// (PROTOCOLS.md §1.2, §4.4: initial population is done by the system, not by PDs) for a memory
// region's prefill_path: a net_queue header with tail = COUNT, then COUNT descriptors for the
// buffers at BASE, BASE + 2048, ... (offsets into a client region, or I/O addresses of the Rx DMA
// region for the driver's Rx free queue). Used by corokit_net_free_queue() in CMake.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "sdk/protocol/Net.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: corokit_net_free_queue OUT CAPACITY COUNT BASE\n");
    return 2;
  }
  const unsigned long capacity = std::strtoul(argv[2], nullptr, 0);
  const unsigned long count = std::strtoul(argv[3], nullptr, 0);
  const unsigned long long base = std::strtoull(argv[4], nullptr, 0);
  if (capacity == 0 || capacity > 32768 || (capacity & (capacity - 1)) != 0 || count > capacity || base % NET_BUFFER_SIZE != 0) {
    std::fprintf(stderr, "corokit_net_free_queue: CAPACITY must be a power of two <= 32768, COUNT <= CAPACITY, BASE 2048-aligned\n");
    return 2;
  }
  std::vector<unsigned char> bytes(NET_QUEUE_BYTES(count == 0 ? 1 : count), 0);
  auto* q = reinterpret_cast<net_queue*>(bytes.data());
  q->tail = static_cast<uint16_t>(count);
  for (unsigned long i = 0; i < count; ++i) q->slots[i] = net_buff_desc{base + i * NET_BUFFER_SIZE, 0, 0};
  std::FILE* f = std::fopen(argv[1], "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    std::perror(argv[1]);
    return 1;
  }
  return 0;
}
