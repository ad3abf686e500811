// A file system over the block stack's client side: the FAT reader (executor/fs/FatVolume.h) on a
// buffer cache, on an image made by mkfs.fat and mtools. A device error reaches the file system's
// caller as FsError::Io (rust-sel4's FAT wrapper drops it, PEERS.md #18).
#include <gtest/gtest.h>

#include <random>

#include "executor/block/BufferCache.h"
#include "executor/fs/FatVolume.h"
#include "executor/host/PdHarness.h"
#include "tests/block/DiskImages.h"
#include "tests/block/FakeDevice.h"

namespace corokit::testing {
namespace {

using exec::BufferCacheReader;
using exec::Task;

constexpr exec::ChannelId kCh = 1;
constexpr uint64_t kVolumeBlocks = 2048;  // 8 MiB

struct Volume {
  Volume() : q(16, 72 * 4096), device(q, 16, kVolumeBlocks),
             client(h.pd(), exec::BlockClientConfig{&q.storage_info(), q.requests.data(), q.requests.size(),
                                                    q.responses.data(), q.responses.size(), q.data.data(),
                                                    q.data.size(), kCh}),
             cache(client, q.data.data()), reader(cache), fat(reader) {}
  exec::PdHarness h;
  QueuePair q;
  FakeDevice device;
  exec::BlockClient client;
  exec::StaticBufferCache<64> cache;
  BufferCacheReader reader;
  fs::FatVolume<BufferCacheReader> fat;
};

TEST(FatOverCache, FilesReadThroughTheCacheAndErrorsReachTheCaller) {
  if (!have_tool("mkfs.fat") || !have_tool("mcopy")) GTEST_SKIP() << "mkfs.fat/mcopy missing (scripts/setup installs dosfstools, mtools)";
  const std::string dir = temp_dir();
  const std::string image = dir + "/fat.img";
  const std::string file = dir + "/data.bin";
  std::vector<uint8_t> content(300 * 1024 + 123);
  std::mt19937 rng(4);
  for (auto& b : content) b = static_cast<uint8_t>(rng());
  {
    std::FILE* f = std::fopen(file.c_str(), "wb");
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
  }
  ASSERT_EQ(sh("dd if=/dev/zero of=" + image + " bs=1M count=8 status=none && mkfs.fat " + image +
               " >/dev/null && mmd -i " + image + " ::/site && mcopy -i " + image + " " + file + " ::/site/data.bin"),
            0);
  Volume v;
  const std::vector<uint8_t> bytes = read_file(image);
  ASSERT_EQ(bytes.size(), kVolumeBlocks * 4096);
  std::copy(bytes.begin(), bytes.end(), v.device.disk().begin());
  v.device.publish();

  fs::FsError mounted = fs::FsError::Io, found = fs::FsError::Io, read = fs::FsError::Io;
  std::vector<uint8_t> got(content.size());
  size_t total = 0;
  v.h.pd().spawn_detached([](Volume& v, fs::FsError& m, fs::FsError& f, fs::FsError& r, std::vector<uint8_t>& got,
                             size_t& total) -> Task<void> {
    m = co_await v.fat.mount(kVolumeBlocks * 4096);
    if (m != fs::FsError::None) co_return;
    fs::FatNode node;
    f = co_await v.fat.lookup("/SITE/data.bin", node);
    if (f != fs::FsError::None) co_return;
    while (total < got.size()) {
      size_t n = 0;
      r = co_await v.fat.read(node, total, std::span<uint8_t>(got.data() + total, std::min<size_t>(20000, got.size() - total)), n);
      if (r != fs::FsError::None || n == 0) break;
      total += n;
    }
  }(v, mounted, found, read, got, total));
  pump(v.h, v.device, kCh);
  ASSERT_EQ(mounted, fs::FsError::None);
  ASSERT_EQ(found, fs::FsError::None);
  EXPECT_EQ(read, fs::FsError::None);
  ASSERT_EQ(total, content.size());
  EXPECT_EQ(got, content);
  EXPECT_GT(v.cache.stats().readahead_blocks, 0u) << "a sequential file read reads ahead";

  // Another system on the same image: once the file is found, the device fails the block its data
  // starts in; the file system's read reports FsError::Io, and the device status is kept.
  Volume w;
  std::copy(bytes.begin(), bytes.end(), w.device.disk().begin());
  w.device.publish();
  fs::FatNode node;
  fs::Extent extent;
  fs::FsError lookup = fs::FsError::Io, failed = fs::FsError::None;
  w.h.pd().spawn_detached([](Volume& w, fs::FatNode& node, fs::Extent& extent, fs::FsError& l) -> Task<void> {
    if (co_await w.fat.mount(kVolumeBlocks * 4096) != fs::FsError::None) co_return;
    l = co_await w.fat.lookup("/site/DATA.BIN", node);
    if (l == fs::FsError::None) l = co_await w.fat.map(node, 0, 4096, extent);
  }(w, node, extent, lookup));
  pump(w.h, w.device, kCh);
  ASSERT_EQ(lookup, fs::FsError::None);
  w.device.fail_block(extent.volume_offset / 4096);
  w.h.pd().spawn_detached([](Volume& w, fs::FatNode& node, fs::FsError& e) -> Task<void> {
    static uint8_t buf[8192];
    size_t n = 0;
    e = co_await w.fat.read(node, 0, buf, n);
  }(w, node, failed));
  pump(w.h, w.device, kCh);
  EXPECT_EQ(failed, fs::FsError::Io);
  EXPECT_EQ(w.reader.last().status, BLK_RESP_ERR_IO);
}

}  // namespace
}  // namespace corokit::testing
