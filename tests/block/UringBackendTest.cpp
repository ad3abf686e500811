// The host board's block device end to end in one process: the restricted io_uring the monitor
// creates for a disk image (system/runtime/DiskBackend.h), driven by DriverCore through
// UringBackend, and what the restrictions refuse.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <liburing.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "executor/host/PdHarness.h"
#include "pds/block/DriverCore.h"
#include "pds/block/UringBackend.h"
#include "system/runtime/DiskBackend.h"
#include "system/runtime/SeccompPolicy.h"
#include "tests/block/BlockSystem.h"
#include "tests/block/DiskImages.h"
#include "tests/block/QueueMemory.h"

namespace corokit::testing {
namespace {

using exec::PdHarness;

constexpr exec::ChannelId kVirt = 1;
constexpr exec::ChannelId kIrq = 0;
constexpr uint64_t kIo = 0x4000'0000;

std::string make_image(const std::string& name, uint64_t mib) {
  const std::string path = temp_dir() + "/" + name;
  EXPECT_EQ(sh("dd if=/dev/zero of=" + path + " bs=1M count=" + std::to_string(mib) + " status=none"), 0);
  return path;
}

#define SKIP_WITHOUT_IO_URING()                                                \
  do {                                                                         \
    const std::string why = runtime::io_uring_unavailable_reason();            \
    if (!why.empty()) GTEST_SKIP() << why;                                     \
  } while (0)

struct UringDriver {
  explicit UringDriver(const runtime::DiskOption& option, uint32_t capacity = 64) : queues(capacity, 512 * 4096) {
    auto d = runtime::attach_disk(option, 0);
    if (!d) {
      ADD_FAILURE() << d.error();
      return;
    }
    disk = std::make_unique<runtime::Disk>(std::move(*d));
    EXPECT_EQ(io.attach(disk->ring.get(), disk->params, 0), nullptr);
    dma.add(kIo, queues.data.size(), queues.data.data());
    block::DriverConfig config;
    config.capacity = disk->size_bytes / 4096;
    config.read_only = option.read_only;
    config.virt_channel = kVirt;
    config.irq_channel = kIrq;
    virt = queues.client(capacity);
    core = std::make_unique<block::DriverCore>(h.pd(), io, dma, queues.server(capacity), capacity, config);
    core->start();
    h.start();
  }

  // Sends requests, then plays the monitor: an IRQ whenever completions wait, until `n` responses.
  std::vector<blk_resp> exchange(std::initializer_list<blk_req> requests, size_t n) {
    for (const blk_req& r : requests) EXPECT_TRUE(virt.requests.push(r));
    virt.requests.publish();
    h.deliver(kVirt);
    std::vector<blk_resp> out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
      for (blk_resp r; virt.responses.pop(r);) out.push_back(r);
      virt.responses.commit();
      if (out.size() >= n) break;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      h.deliver(kIrq);
    }
    return out;
  }

  std::unique_ptr<block::DriverCore> core;  // outlives the harness (its tasks wait on it)
  std::unique_ptr<runtime::Disk> disk;
  block::UringBackend io;
  QueuePair queues;
  block::DmaView dma;
  PdHarness h;
  protocol::BlockClientEnd virt;
};

TEST(UringBackend, ReadWriteFlushOnARestrictedRing) {
  SKIP_WITHOUT_IO_URING();
  const std::string path = make_image("rw.img", 8);
  UringDriver d(disk_option(path));
  ASSERT_NE(d.core, nullptr);
  for (int i = 0; i < 16; ++i) std::memset(d.queues.data.data() + i * 4096, 0x30 + i, 4096);
  auto r = d.exchange({blk_req{BLK_REQ_WRITE, kIo, 100, 16, 1}, blk_req{BLK_REQ_FLUSH, 0, 0, 0, 2}}, 2);
  ASSERT_EQ(r.size(), 2u);
  for (const blk_resp& x : r) EXPECT_EQ(x.status, BLK_RESP_OK) << x.id;
  // On the file, through the host's page cache.
  auto bytes = read_file(path);
  EXPECT_EQ(bytes[100 * 4096], 0x30);
  EXPECT_EQ(bytes[115 * 4096 + 4095], 0x30 + 15);
  // Many reads at once, completed in whatever order the kernel likes.
  auto more = d.exchange({blk_req{BLK_REQ_READ, kIo + 100 * 4096, 100, 1, 10}, blk_req{BLK_REQ_READ, kIo + 101 * 4096, 115, 1, 11},
                          blk_req{BLK_REQ_READ, kIo + 200 * 4096, 100, 16, 12}},
                         3);
  ASSERT_EQ(more.size(), 3u);
  EXPECT_EQ(d.queues.data.data()[100 * 4096], 0x30);
  EXPECT_EQ(d.queues.data.data()[101 * 4096], 0x30 + 15);
  EXPECT_EQ(d.queues.data.data()[215 * 4096 + 17], 0x30 + 15);
  EXPECT_EQ(d.io.stats().stale, 0u);
}

// The page-cache state of a file's range (cachestat(2), Linux 6.5): dirty pages are not yet on
// stable storage, pages under writeback are on their way.
struct CacheState {
  bool known = false;
  uint64_t dirty = 0, writeback = 0;
};
CacheState cache_state(const std::string& path, uint64_t offset, uint64_t length) {
  struct {
    uint64_t off, len;
  } range{offset, length};
  struct {
    uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
  } stat{};
  CacheState out;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  constexpr long kCachestat = 451;  // the same number on every architecture
  if (syscall(kCachestat, fd, &range, &stat, 0) == 0) {
    out.known = true;
    out.dirty = stat.nr_dirty;
    out.writeback = stat.nr_writeback;
  }
  close(fd);
  return out;
}

// FLUSH is durable: its response comes only after fdatasync of the image, so the writes before it
// are no longer dirty in the host's page cache (nor under writeback) when it is answered.
TEST(UringBackend, AFlushIsAnsweredOnlyOnceEarlierWritesAreOnStableStorage) {
  SKIP_WITHOUT_IO_URING();
  const std::string path = make_image("durable.img", 8);
  {
    const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(fsync(fd), 0);
    close(fd);
  }
  if (!cache_state(path, 0, 0).known) GTEST_SKIP() << "cachestat(2) is not available on this kernel";
  struct statfs fs{};
  ASSERT_EQ(statfs(path.c_str(), &fs), 0);
  if (fs.f_type == TMPFS_MAGIC) GTEST_SKIP() << temp_dir() << " is tmpfs: its pages stay dirty whatever fdatasync does";
  UringDriver d(disk_option(path));
  ASSERT_NE(d.core, nullptr);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 64; ++i) std::memset(d.queues.data.data() + i * 4096, 0x40 + round + i, 4096);
    const uint64_t first = 256 + 64 * static_cast<uint64_t>(round);
    auto w = d.exchange({blk_req{BLK_REQ_WRITE, kIo, first, 64, 1}}, 1);
    ASSERT_EQ(w.size(), 1u);
    ASSERT_EQ(w[0].status, BLK_RESP_OK);
    const CacheState before = cache_state(path, first * 4096, 64 * 4096);
    if (before.dirty == 0 && before.writeback == 0) {
      // A filesystem writing through has nothing to flush: the test cannot tell a FLUSH from a NOP.
      GTEST_SKIP() << "written pages of " << path << " are never dirty on this filesystem";
    }
    auto f = d.exchange({blk_req{BLK_REQ_FLUSH, 0, 0, 0, 2}}, 1);
    const CacheState after = cache_state(path, first * 4096, 64 * 4096);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].status, BLK_RESP_OK);
    EXPECT_EQ(after.dirty, 0u) << "round " << round << ": pages still dirty after the FLUSH was answered (" << before.dirty
                               << " before)";
    EXPECT_EQ(after.writeback, 0u) << "round " << round << ": pages still under writeback after the FLUSH was answered";
  }
}

TEST(UringBackend, ARestartedDriverDropsCompletionsOfItsPredecessor) {
  SKIP_WITHOUT_IO_URING();
  const std::string path = make_image("restart.img", 4);
  UringDriver d(disk_option(path));
  ASSERT_NE(d.core, nullptr);
  auto r = d.exchange({blk_req{BLK_REQ_READ, kIo, 0, 1, 1}}, 1);
  ASSERT_EQ(r.size(), 1u);
  // A second backend on the same ring (a restarted driver) continues after the first one's work.
  block::UringBackend again;
  ASSERT_EQ(again.attach(d.disk->ring.get(), d.disk->params, 0), nullptr);
  EXPECT_EQ(again.in_flight(), 0u);
  EXPECT_EQ(again.reap(), 0u);
}

// The DMA view registered as fixed buffers: reads inside it are READ_FIXED (writes stay WRITE), and
// a restarted driver replaces its predecessor's registration.
TEST(UringBackend, RegisteredDmaRegionsCarryTheTransfers) {
  SKIP_WITHOUT_IO_URING();
  const std::string path = make_image("fixed.img", 4);
  UringDriver d(disk_option(path));
  ASSERT_NE(d.core, nullptr);
  ASSERT_EQ(d.io.register_buffers(d.dma), nullptr);
  for (int i = 0; i < 4; ++i) std::memset(d.queues.data.data() + i * 4096, 0x61 + i, 4096);
  auto r = d.exchange({blk_req{BLK_REQ_WRITE, kIo, 40, 4, 1}}, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, BLK_RESP_OK);
  r = d.exchange({blk_req{BLK_REQ_READ, kIo + 8 * 4096, 41, 2, 2}}, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, BLK_RESP_OK);
  EXPECT_EQ(d.queues.data.data()[8 * 4096], 0x62);
  EXPECT_EQ(d.queues.data.data()[10 * 4096 - 1], 0x63);
  EXPECT_EQ(d.io.stats().fixed, 1u) << "the read";
  auto bytes = read_file(path);
  EXPECT_EQ(bytes[43 * 4096 + 4095], 0x64);
  block::UringBackend again;
  ASSERT_EQ(again.attach(d.disk->ring.get(), d.disk->params, 0), nullptr);
  EXPECT_EQ(again.register_buffers(d.dma), nullptr) << "the predecessor's buffers are replaced";
}

// With the image's descriptor (the monitor hands it over unless the image is O_DIRECT), reads at
// hand in the page cache and a write alone bypass the ring; writes in company, and a read that
// would wait for the disk, still go through it.
TEST(UringBackend, TheImageDescriptorCarriesReadsAtHandAndLoneWrites) {
  SKIP_WITHOUT_IO_URING();
  const std::string path = make_image("now.img", 4);
  UringDriver d(disk_option(path));
  ASSERT_NE(d.core, nullptr);
  d.io.attach_image(d.disk->image.get());
  std::memset(d.queues.data.data(), 0x71, 4096);
  auto r = d.exchange({blk_req{BLK_REQ_WRITE, kIo, 20, 1, 1}}, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, BLK_RESP_OK);
  EXPECT_EQ(d.io.stats().writes_now, 1u);
  EXPECT_EQ(d.io.stats().submitted, 0u);
  EXPECT_EQ(read_file(path)[20 * 4096 + 4095], 0x71);
  r = d.exchange({blk_req{BLK_REQ_READ, kIo + 4 * 4096, 20, 1, 2}}, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, BLK_RESP_OK);
  EXPECT_EQ(d.queues.data.data()[4 * 4096 + 17], 0x71);
  EXPECT_EQ(d.io.stats().reads_now, 1u);
  EXPECT_EQ(d.io.stats().submitted, 0u);
  r = d.exchange({blk_req{BLK_REQ_WRITE, kIo, 21, 1, 3}, blk_req{BLK_REQ_WRITE, kIo, 22, 1, 4}}, 2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(d.io.stats().writes_now, 1u) << "two writes at once go through the ring";
  EXPECT_EQ(d.io.stats().submitted, 2u);
  EXPECT_EQ(read_file(path)[22 * 4096], 0x71);

  // Evicted from the page cache, a read would wait for the disk: the ring does it.
  struct statfs fs{};
  ASSERT_EQ(statfs(path.c_str(), &fs), 0);
  if (fs.f_type == TMPFS_MAGIC) GTEST_SKIP() << temp_dir() << " is tmpfs: its pages cannot be evicted";
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fdatasync(d.disk->image.get()), 0);
  EXPECT_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  close(fd);
  r = d.exchange({blk_req{BLK_REQ_READ, kIo + 8 * 4096, 21, 1, 5}}, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, BLK_RESP_OK);
  EXPECT_EQ(d.queues.data.data()[8 * 4096 + 4095], 0x71);
  EXPECT_EQ(d.io.stats().read_misses, 1u);
  EXPECT_EQ(d.io.stats().submitted, 3u);
}

// Option read-mapped: small reads copy from a read-only mapping of the image (no system call);
// writes through the descriptor or the ring show in it (one page cache); a read the mapping does
// not cover is left to preadv2.
TEST(UringBackend, AMappedImageCarriesSmallReadsAndSeesWrites) {
  SKIP_WITHOUT_IO_URING();
  const std::string path = make_image("mapped.img", 4);
  UringDriver d(disk_option(path));
  ASSERT_NE(d.core, nullptr);
  d.io.attach_image(d.disk->image.get());
  ASSERT_EQ(d.io.map_image(2ull << 20), nullptr);  // the first 2 MiB (512 blocks) only
  const std::vector<uint8_t> before = read_file(path);
  auto r = d.exchange({blk_req{BLK_REQ_READ, kIo, 30, 2, 1}}, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, BLK_RESP_OK);
  EXPECT_EQ(std::memcmp(d.queues.data.data(), before.data() + 30 * 4096, 2 * 4096), 0);
  EXPECT_EQ(d.io.stats().reads_now, 1u);
  EXPECT_EQ(d.io.stats().read_misses, 0u);
  EXPECT_EQ(d.io.stats().submitted, 0u);

  std::memset(d.queues.data.data() + 4 * 4096, 0x5a, 4096);
  r = d.exchange({blk_req{BLK_REQ_WRITE, kIo + 4 * 4096, 31, 1, 2}}, 1);  // alone: pwrite
  ASSERT_EQ(r.size(), 1u);
  r = d.exchange({blk_req{BLK_REQ_WRITE, kIo + 4 * 4096, 40, 1, 3}, blk_req{BLK_REQ_WRITE, kIo + 4 * 4096, 41, 1, 4}}, 2);
  ASSERT_EQ(r.size(), 2u);  // together: the ring
  EXPECT_GE(d.io.stats().submitted, 2u);
  r = d.exchange({blk_req{BLK_REQ_READ, kIo + 8 * 4096, 31, 1, 5}, blk_req{BLK_REQ_READ, kIo + 9 * 4096, 41, 1, 6}}, 2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(d.queues.data.data()[8 * 4096 + 100], 0x5a);
  EXPECT_EQ(d.queues.data.data()[9 * 4096 + 4095], 0x5a);
  EXPECT_EQ(d.io.stats().reads_now, 3u);

  // Beyond the mapping: preadv2 as without the option.
  r = d.exchange({blk_req{BLK_REQ_READ, kIo + 12 * 4096, 600, 1, 7}}, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, BLK_RESP_OK);
  EXPECT_EQ(std::memcmp(d.queues.data.data() + 12 * 4096, before.data() + 600 * 4096, 4096), 0);
  EXPECT_EQ(d.io.stats().reads_now, 4u);

  block::UringBackend none;
  EXPECT_NE(none.map_image(4096), nullptr) << "no image descriptor, nothing to map";
}

// Runs `call` in a child under the seccomp filter of a block driver PD (ring at 9, image at 10;
// system/runtime/SeccompPolicy.cpp) with `image` at descriptor 10 and `other` at 11. True when the
// filter let the call through (whatever it returned), false when it stopped the child (SIGSYS).
template <typename Call>
bool allowed_for_driver(bool read_only, int image, int other, Call call) {
  auto filter = runtime::build_pd_filter({{runtime::DeviceGrant::Kind::BlockRing, 9},
                                          {read_only ? runtime::DeviceGrant::Kind::BlockImageReadOnly
                                                     : runtime::DeviceGrant::Kind::BlockImage,
                                           10}});
  EXPECT_TRUE(filter) << filter.error();
  if (!filter) return false;
  sock_fprog prog{static_cast<unsigned short>(filter->size()), filter->data()};
  const pid_t child = fork();
  if (child == 0) {
    dup2(image, 10);
    dup2(other, 11);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
      syscall(SYS_exit_group, 3);
    }
    call();
    syscall(SYS_exit_group, 0);
  }
  int status = 0;
  EXPECT_EQ(waitpid(child, &status, 0), child);
  if (WIFEXITED(status)) {
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the filter could not be installed";
    return WEXITSTATUS(status) == 0;
  }
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);
  return false;
}

// The image descriptor a driver holds serves non-blocking reads and, unless read-only, pwrite:
// a read that may wait for the disk, another descriptor, or a write to a read-only image stop it.
TEST(UringBackend, TheDriverFilterAllowsTheImageOnlyForItsTransfers) {
  const std::string path = make_image("filter.img", 1);
  const int image = open(path.c_str(), O_RDWR | O_CLOEXEC);
  const int other = open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(image, 0);
  ASSERT_GE(other, 0);
  alignas(4096) static uint8_t buf[4096];
  auto preadv2_on = [](int fd, long flags) {
    return [fd, flags] {
      iovec v{buf, sizeof buf};
      syscall(SYS_preadv2, fd, &v, 1, 0, 0, flags);
    };
  };
  auto pwrite_on = [](int fd) { return [fd] { syscall(SYS_pwrite64, fd, buf, sizeof buf, 0); }; };
  EXPECT_TRUE(allowed_for_driver(false, image, other, preadv2_on(10, RWF_NOWAIT)));
  EXPECT_FALSE(allowed_for_driver(false, image, other, preadv2_on(10, 0))) << "a read that may wait";
  EXPECT_FALSE(allowed_for_driver(false, image, other, preadv2_on(11, RWF_NOWAIT))) << "another descriptor";
  EXPECT_TRUE(allowed_for_driver(false, image, other, pwrite_on(10)));
  EXPECT_FALSE(allowed_for_driver(false, image, other, pwrite_on(11)));
  EXPECT_FALSE(allowed_for_driver(true, image, other, pwrite_on(10))) << "a read-only image";
  EXPECT_TRUE(allowed_for_driver(true, image, other, preadv2_on(10, RWF_NOWAIT)));
  EXPECT_FALSE(allowed_for_driver(false, image, other, [] { syscall(SYS_fdatasync, 10); }))
      << "flushes go through the ring";
  close(image);
  close(other);
}

TEST(UringBackend, TheRingRefusesEverythingButTheImage) {
  SKIP_WITHOUT_IO_URING();
  const std::string path = make_image("restricted.img", 1);
  auto d = runtime::attach_disk(disk_option(path, true), 0);
  ASSERT_TRUE(d) << d.error();
  io_uring ring{};
  io_uring_params p = d->params;
  ASSERT_EQ(io_uring_queue_mmap(d->ring.get(), &p, &ring), 0);
  for (unsigned i = 0; i < ring.sq.ring_entries; ++i) ring.sq.array[i] = i;  // as io_uring_queue_init does
  static char buffer[4096];
  const int other = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
  auto submit = [&](auto prep) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    prep(sqe);
    io_uring_submit(&ring);
    io_uring_cqe* cqe = nullptr;
    int res = -9999;
    if (io_uring_wait_cqe(&ring, &cqe) == 0) {
      res = cqe->res;
      io_uring_cqe_seen(&ring, cqe);
    }
    return res;
  };
  EXPECT_EQ(submit([&](io_uring_sqe* s) { io_uring_prep_read(s, other, buffer, 16, 0); }), -EACCES)
      << "a descriptor that is not the registered image";
  EXPECT_EQ(submit([&](io_uring_sqe* s) {
              io_uring_prep_openat(s, AT_FDCWD, "/etc/passwd", O_RDONLY, 0);
            }),
            -EACCES)
      << "an operation outside READ/WRITE/FSYNC/NOP";
  EXPECT_EQ(submit([&](io_uring_sqe* s) {
              io_uring_prep_write(s, 0, buffer, 4096, 0);
              s->flags |= IOSQE_FIXED_FILE;
            }),
            -EACCES)
      << "WRITE on a read-only disk";
  EXPECT_EQ(submit([&](io_uring_sqe* s) {
              io_uring_prep_read(s, 0, buffer, 4096, 0);
              s->flags |= IOSQE_FIXED_FILE;
            }),
            4096)
      << "READ of the image";
  close(other);
  EXPECT_LT(io_uring_register_files(&ring, &other, 1), 0) << "no new files can be registered";
  munmap(ring.sq.sqes, ring.sq.ring_entries * sizeof(io_uring_sqe));
  munmap(ring.sq.ring_ptr, ring.sq.ring_sz);
}

TEST(UringBackend, AnImageIsAttachedOnceAtATime) {
  SKIP_WITHOUT_IO_URING();
  const std::string path = make_image("locked.img", 1);
  auto first = runtime::attach_disk(disk_option(path), 0);
  ASSERT_TRUE(first) << first.error();
  auto second = runtime::attach_disk(disk_option(path), 1);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("block1: disk image"), std::string::npos) << second.error();
  EXPECT_NE(second.error().find("in use"), std::string::npos) << second.error();
  auto missing = runtime::attach_disk(disk_option(temp_dir() + "/none.img"), 2);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("cannot open disk image"), std::string::npos);
}

}  // namespace
}  // namespace corokit::testing
