// The FAT reader over an arbitrary volume image: mount, look up, list and read must fail cleanly on
// any corruption (chains that loop or leave the volume, impossible geometry, broken long names).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "executor/Executor.h"
#include "executor/fs/FatVolume.h"
#include "executor/host/HeapFramePool.h"

namespace {

struct Reader {
  std::span<const uint8_t> bytes;
  corokit::exec::Task<bool> read(uint64_t offset, std::span<uint8_t> out) {
    if (offset > bytes.size() || out.size() > bytes.size() - offset) co_return false;
    std::memcpy(out.data(), bytes.data() + offset, out.size());
    co_return true;
  }
};

corokit::exec::Task<int> exercise(Reader& r) {
  corokit::fs::FatVolume<Reader> v(r);
  if (co_await v.mount(r.bytes.size()) != corokit::fs::FsError::None) co_return 0;
  int entries = 0;
  co_await v.list(v.root(), [&](const corokit::fs::DirEntry&) { return ++entries < 1000; });
  static uint8_t buf[65536];
  for (const char* path : {"/index.html", "/docs/a.txt", "/DOCS", "/a/b/c/d"}) {
    corokit::fs::FatNode node;
    if (co_await v.lookup(path, node) != corokit::fs::FsError::None) continue;
    size_t got = 0;
    co_await v.read(node, 0, buf, got);
    if (got > sizeof buf) __builtin_trap();
  }
  co_return entries;
}

corokit::exec::HeapFramePool frames;
corokit::exec::Executor executor(frames);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r{std::span<const uint8_t>(data, size)};
  executor.block_on(exercise(r));
  return 0;
}
