// Block storage benchmarks (BENCHMARKS.md), each against its floor in the same run:
//   * 4 KiB random reads, client → driver → io_uring → disk image (page cache warm; bench.system),
//     at queue depth 1 and 32, against pread(2) of the same file at the same offsets from one
//     thread of this process; the same through the virtualiser (bench-virt.system) as extra rows;
//   * sequential 1 MiB reads and writes, client → driver (and through the virtualiser as extra
//     rows), against pread/pwrite of the file;
//   * the buffer cache's hit path against a hash-map lookup plus a 4 KiB copy.
// The PD numbers come from one boot of a system per workload (the client PD times itself with
// CLOCK_MONOTONIC and prints them); they are reported as manual time per operation.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <liburing.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <new>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/support/RatioSummary.h"
#include "executor/block/BufferCache.h"
#include "executor/host/PdHarness.h"
#include "system/image/ImagePacker.h"
#include "system/runtime/DiskBackend.h"
#include "system/runtime/Monitor.h"
#include "system/runtime/Scheduling.h"
#include "system/sdf/Target.h"
#include "tests/block/FakeDevice.h"

namespace {

using namespace corokit;

constexpr uint64_t kImageBytes = 64ull << 20;

// A char array, not a std::string: the exit handler runs after the destructors of statics made
// after it was registered, and must still see the name.
char g_image_path[64];

std::string image_path() {
  static const bool made = [] {
    std::snprintf(g_image_path, sizeof g_image_path, "/tmp/corokit-block-bench-%d.img", static_cast<int>(getpid()));
    std::vector<uint8_t> chunk(1 << 20);
    std::mt19937_64 rng(1);
    for (auto& b : chunk) b = static_cast<uint8_t>(rng());
    int fd = open(g_image_path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    for (uint64_t at = 0; at < kImageBytes; at += chunk.size()) (void)!pwrite(fd, chunk.data(), chunk.size(), static_cast<off_t>(at));
    fsync(fd);
    close(fd);
    std::atexit([] {
      char path[96];
      unlink(g_image_path);
      std::snprintf(path, sizeof path, "%s.d/bench.conf", g_image_path);
      unlink(path);
      std::snprintf(path, sizeof path, "%s.d", g_image_path);
      rmdir(path);
    });
    return true;
  }();
  (void)made;
  return g_image_path;
}

// Reads the whole image so every run starts with the page cache warm, and writes back what earlier
// runs left dirty, so every run starts clean too: a buffered write's cost depends on how much is
// dirty and under writeback (1 MiB pwrite measured 65-240 us on this VM by that alone), and the PD
// runs and their floors must start from the same state.
void warm(const std::string& path) {
  std::vector<uint8_t> buf(1 << 20);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  for (off_t at = 0; pread(fd, buf.data(), buf.size(), at) > 0; at += static_cast<off_t>(buf.size())) {
  }
  fdatasync(fd);
  close(fd);
}

struct PdResult {
  uint64_t ops = 0;
  uint64_t ns = 0;       // wall time, measured in the client PD
  double cpu_ns = 0;     // CPU time of every PD and the monitor
  bool ok = false;
};

double cpu_ns(int who) {
  rusage u{};
  getrusage(who, &u);
  return (static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e9 +
          static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e3);
}

// The client adapter polls for up to this long after its last progress (BlockClientConfig::poll_ns),
// for the same reason and with the same measurements as the driver's poll-us (driver.conf).
constexpr unsigned kClientPollUs = 200;

// The driver's options: bench/block/driver.conf as it is (the judged configuration), or without its
// read-mapped line, so the default read path (preadv2 RWF_NOWAIT) is measured in the same run. The
// variant goes to <image>.d/driver.conf, which the packer finds before the source directory's.
enum class DriverReads { AsConfigured, Preadv2 };

bool write_driver_options(const std::string& dir, DriverReads reads) {
  const std::string shadow = dir + "/driver.conf";
  if (reads == DriverReads::AsConfigured) return unlink(shadow.c_str()) == 0 || errno == ENOENT;
  std::ifstream in(std::string(COROKIT_SOURCE_DIR) + "/bench/block/driver.conf");
  std::ofstream out(shadow, std::ios::trunc);
  for (std::string line; std::getline(in, line);) {
    if (line != "read-mapped") out << line << '\n';
  }
  return in.eof() && static_cast<bool>(out);
}

// One boot of bench/block/<system> running one workload.
PdResult boot(const std::string& system, const std::string& name, unsigned depth, uint64_t ops,
              DriverReads reads = DriverReads::AsConfigured) {
  PdResult out;
  if (std::string why = runtime::io_uring_unavailable_reason(); !why.empty()) {
    std::fprintf(stderr, "block bench: %s\n", why.c_str());
    return out;
  }
  const std::string dir = image_path() + ".d";
  mkdir(dir.c_str(), 0755);
  {
    std::FILE* conf = std::fopen((dir + "/bench.conf").c_str(), "w");
    std::fprintf(conf, "%s %u %llu %u\n", name.c_str(), depth, static_cast<unsigned long long>(ops), kClientPollUs);
    std::fclose(conf);
  }
  if (!write_driver_options(dir, reads)) {
    std::fprintf(stderr, "block bench: cannot write the driver's options to %s\n", dir.c_str());
    return out;
  }
  sdf::CheckOptions options;
  if (Result<sdf::TargetProfile> host = sdf::builtin_profile("host")) options.target = *host;  // its CPUs, for cpu=
  options.search_paths = {dir, std::string(COROKIT_SOURCE_DIR) + "/bench/block", COROKIT_BLOCK_PDS, COROKIT_BLOCK_BENCH_PDS};
  image::PackOutcome packed = image::pack_sdf_file(std::string(COROKIT_SOURCE_DIR) + "/bench/block/" + system, options);
  if (!packed.image) {
    std::fprintf(stderr, "block bench: cannot pack %s\n", system.c_str());
    return out;
  }
  warm(image_path());
  runtime::RunOptions o;
  o.prefix = false;
  o.colour = runtime::RunOptions::Colour::Never;
  o.timeout_s = 300;
  o.until = "bench done";
  runtime::DiskOption disk;
  disk.path = image_path();
  o.disks.push_back(disk);
  int fd = memfd_create("block-bench-output", MFD_CLOEXEC);
  const double cpu0 = cpu_ns(RUSAGE_CHILDREN) + cpu_ns(RUSAGE_SELF);
  runtime::run_system(*packed.image, o, fd);
  out.cpu_ns = cpu_ns(RUSAGE_CHILDREN) + cpu_ns(RUSAGE_SELF) - cpu0;
  std::string text(static_cast<size_t>(lseek(fd, 0, SEEK_END)), '\0');
  (void)!pread(fd, text.data(), text.size(), 0);
  close(fd);
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const size_t at = line.find("bench " + name + " ops ");
    if (at == std::string::npos) {
      if (line.find("ERROR") != std::string::npos) std::fprintf(stderr, "%s\n", line.c_str());
      continue;
    }
    std::istringstream words(line.substr(at));
    std::string bench, workload, ops_word, ns_word, depth_word, errors_word;
    unsigned d = 0;
    uint64_t errors = 1;
    words >> bench >> workload >> ops_word >> out.ops >> ns_word >> out.ns >> depth_word >> d >> errors_word >> errors;
    out.ok = errors == 0 && out.ops != 0;
    if (errors != 0) std::fprintf(stderr, "block bench: %s: %llu errors\n", name.c_str(), static_cast<unsigned long long>(errors));
  }
  return out;
}

// A workload, and the CPU it costs per operation beyond a boot that does almost nothing of it
// (boot, warm-up and shutdown cost the same in both).
struct Measured {
  PdResult full;
  double cpu_per_op = 0;
};
const Measured& measure(const std::string& system, const std::string& name, unsigned depth, uint64_t ops,
                        DriverReads reads = DriverReads::AsConfigured) {
  static std::map<std::string, Measured> cache;
  const std::string key = system + "/" + name + "/" + std::to_string(depth) + (reads == DriverReads::Preadv2 ? "/preadv2" : "");
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  Measured m;
  const PdResult base = boot(system, name, depth, depth, reads);
  m.full = boot(system, name, depth, ops, reads);
  if (base.ok && m.full.ok && m.full.ops > base.ops) {
    m.cpu_per_op = (m.full.cpu_ns - base.cpu_ns) / static_cast<double>(m.full.ops - base.ops);
  }
  return cache.emplace(key, m).first->second;
}

void report(benchmark::State& state, const Measured& m, double bytes_per_op, bool cpu) {
  if (!m.full.ok || (cpu && m.cpu_per_op <= 0)) {
    state.SkipWithError("the block system did not run this workload");
    for (auto _ : state) {
    }
    return;
  }
  const double seconds = cpu ? m.cpu_per_op * static_cast<double>(m.full.ops) * 1e-9 : static_cast<double>(m.full.ns) * 1e-9;
  for (auto _ : state) state.SetIterationTime(seconds);
  state.counters["ops"] = static_cast<double>(m.full.ops);
  state.counters["real_time"] = 1;
  state.counters["MB/s"] = static_cast<double>(m.full.ops) * bytes_per_op / seconds / 1e6;
}

// Depth 1 runs 100k reads (~0.12 s): with 20k (~25 ms) one boot's start-up noise moved the result by
// ~0.1 us between runs.
constexpr uint64_t kRandomOps[2] = {100000, 100000};
constexpr uint64_t kSeqOps = 256;

const char* const kDirect = "bench.system";     // client → driver
const char* const kVirt = "bench-virt.system";  // client → virtualiser → driver

void BM_PdRandomRead4K_Qd1(benchmark::State& s) { report(s, measure(kDirect, "random4k", 1, kRandomOps[0]), 4096, false); }
void BM_PdRandomRead4K_Qd1_Preadv2(benchmark::State& s) {
  report(s, measure(kDirect, "random4k", 1, kRandomOps[0], DriverReads::Preadv2), 4096, false);
}
void BM_PdRandomRead4K_Qd32(benchmark::State& s) { report(s, measure(kDirect, "random4k", 32, kRandomOps[1]), 4096, false); }
void BM_PdVirtRandomRead4K_Qd1(benchmark::State& s) { report(s, measure(kVirt, "random4k", 1, kRandomOps[0]), 4096, false); }
void BM_PdVirtRandomRead4K_Qd32(benchmark::State& s) { report(s, measure(kVirt, "random4k", 32, kRandomOps[1]), 4096, false); }
void BM_PdSeqRead1M(benchmark::State& s) { report(s, measure(kDirect, "seqread1m", 1, kSeqOps), 1 << 20, false); }
void BM_PdSeqWrite1M(benchmark::State& s) { report(s, measure(kDirect, "seqwrite1m", 1, kSeqOps), 1 << 20, false); }
void BM_PdSeqRead1M_Qd2(benchmark::State& s) { report(s, measure(kDirect, "seqread1m", 2, kSeqOps), 1 << 20, false); }
void BM_PdSeqWrite1M_Qd2(benchmark::State& s) { report(s, measure(kDirect, "seqwrite1m", 2, kSeqOps), 1 << 20, false); }
void BM_PdVirtSeqRead1M(benchmark::State& s) { report(s, measure(kVirt, "seqread1m", 1, kSeqOps), 1 << 20, false); }
void BM_PdVirtSeqWrite1M(benchmark::State& s) { report(s, measure(kVirt, "seqwrite1m", 1, kSeqOps), 1 << 20, false); }
void BM_PdRandomRead4K_Qd1_Cpu(benchmark::State& s) { report(s, measure(kDirect, "random4k", 1, kRandomOps[0]), 4096, true); }
void BM_PdRandomRead4K_Qd32_Cpu(benchmark::State& s) { report(s, measure(kDirect, "random4k", 32, kRandomOps[1]), 4096, true); }
BENCHMARK(BM_PdRandomRead4K_Qd1)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdRandomRead4K_Qd1_Preadv2)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdRandomRead4K_Qd32)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdVirtRandomRead4K_Qd1)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdVirtRandomRead4K_Qd32)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdSeqRead1M)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdSeqWrite1M)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdSeqRead1M_Qd2)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdSeqWrite1M_Qd2)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdVirtSeqRead1M)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdVirtSeqWrite1M)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdRandomRead4K_Qd1_Cpu)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdRandomRead4K_Qd32_Cpu)->Iterations(1)->UseManualTime();

// --- floors: the same file from this process -----------------------------------------------------

// The PDs run SCHED_FIFO when the host permits it (corokit run's default, --sched=auto), so no
// other process on the machine takes their CPU. The floor gets the same footing: its thread runs
// SCHED_FIFO at the client PD's priority when permitted, and plain SCHED_OTHER (like the PDs then)
// when not. Without this the floor measures how much CPU the rest of the machine leaves it.
class LikeThePds {
 public:
  LikeThePds() {
    sched_param sp{};
    sp.sched_priority = runtime::fifo_priority(kClientPriority);
    fifo_ = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
  }
  ~LikeThePds() {
    sched_param sp{};
    if (fifo_) sched_setscheduler(0, SCHED_OTHER, &sp);
  }
  LikeThePds(const LikeThePds&) = delete;
  LikeThePds& operator=(const LikeThePds&) = delete;

 private:
  static constexpr uint64_t kClientPriority = 100;  // the bench PD's priority in bench.system
  bool fifo_ = false;
};

void BM_PreadRandom4K(benchmark::State& state) {
  warm(image_path());
  LikeThePds scheduling;
  int fd = open(image_path().c_str(), O_RDONLY | O_CLOEXEC);
  alignas(4096) static uint8_t buf[4096];
  uint64_t seed = 88172645463325252ull;
  for (auto _ : state) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    benchmark::DoNotOptimize(pread(fd, buf, 4096, static_cast<off_t>(seed % (kImageBytes / 4096) * 4096)));
  }
  close(fd);
  state.counters["real_time"] = 1;
}
BENCHMARK(BM_PreadRandom4K)->UseRealTime();

// The same, as CPU time (the floor of the CPU-per-operation rows).
void BM_PreadRandom4K_Cpu(benchmark::State& state) {
  warm(image_path());
  LikeThePds scheduling;
  int fd = open(image_path().c_str(), O_RDONLY | O_CLOEXEC);
  alignas(4096) static uint8_t buf[4096];
  uint64_t seed = 88172645463325252ull;
  for (auto _ : state) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    benchmark::DoNotOptimize(pread(fd, buf, 4096, static_cast<off_t>(seed % (kImageBytes / 4096) * 4096)));
  }
  close(fd);
}
BENCHMARK(BM_PreadRandom4K_Cpu);

// The path's physical floor, for orientation: no runtime, no queues, no executor. Two processes
// (this one and a child, scheduled like the PDs) share a request word and a response word on cache
// lines of their own and busy-poll them; the child reads 4 KiB the way the driver does: with
// preadv2(RWF_NOWAIT) into the shared buffer, falling back to io_uring READ_FIXED when the data is
// not cached (state.range(0) == 1; BM_TwoProcessFloor/1), or with io_uring READ_FIXED only (/0,
// the driver's path before it had the synchronous read). What a depth-1 read through two processes
// cannot beat here.
void BM_TwoProcessFloor(benchmark::State& state) {
  const bool nowait = state.range(0) == 1;
  struct alignas(64) Word {
    std::atomic<uint64_t> v;
  };
  struct Shared {
    Word request;  // sequence number; ~0 ends the child
    Word offset;
    Word response;  // sequence number answered; before the first: kReady or kFailed
  };
  constexpr uint64_t kReady = ~uint64_t{1}, kFailed = ~uint64_t{2};
  warm(image_path());
  LikeThePds scheduling;  // the child inherits it
  void* mem = mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    state.SkipWithError("mmap");
    return;
  }
  auto* sh = new (mem) Shared{};
  uint8_t* buffer = static_cast<uint8_t*>(mem) + 4096;
  const int fd = open(image_path().c_str(), O_RDONLY | O_CLOEXEC);
  const pid_t child = fork();
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    io_uring ring;
    iovec vec{buffer, 4096};
    if (io_uring_queue_init(8, &ring, 0) != 0 || io_uring_register_files(&ring, &fd, 1) != 0 ||
        io_uring_register_buffers(&ring, &vec, 1) != 0) {
      sh->response.v.store(kFailed, std::memory_order_release);
      _exit(1);
    }
    sh->response.v.store(kReady, std::memory_order_release);
    for (uint64_t seen = 0;;) {
      uint64_t r;
      while ((r = sh->request.v.load(std::memory_order_acquire)) == seen) {
      }
      if (r == ~uint64_t{0}) _exit(0);
      seen = r;
      iovec dest{buffer, 4096};
      if (nowait && preadv2(fd, &dest, 1, static_cast<off_t>(sh->offset.v.load(std::memory_order_relaxed)), RWF_NOWAIT) == 4096) {
        sh->response.v.store(r, std::memory_order_release);
        continue;
      }
      io_uring_sqe* sqe = io_uring_get_sqe(&ring);
      io_uring_prep_read_fixed(sqe, 0, buffer, 4096, sh->offset.v.load(std::memory_order_relaxed), 0);
      sqe->flags |= IOSQE_FIXED_FILE;
      io_uring_submit(&ring);
      io_uring_cqe* cqe;
      if (io_uring_peek_cqe(&ring, &cqe) != 0) io_uring_wait_cqe(&ring, &cqe);
      io_uring_cqe_seen(&ring, cqe);
      sh->response.v.store(r, std::memory_order_release);
    }
  }
  uint64_t r = 0;
  while (child > 0 && (r = sh->response.v.load(std::memory_order_acquire)) != kReady && r != kFailed) {
    if (waitpid(child, nullptr, WNOHANG) == child) break;
  }
  if (r != kReady) {
    state.SkipWithError("the io_uring child could not set up");
    for (auto _ : state) {
    }
  } else {
    uint64_t seed = 88172645463325252ull;
    uint64_t seq = 0;
    for (auto _ : state) {
      seed ^= seed << 13;
      seed ^= seed >> 7;
      seed ^= seed << 17;
      sh->offset.v.store(seed % (kImageBytes / 4096) * 4096, std::memory_order_relaxed);
      sh->request.v.store(++seq, std::memory_order_release);
      while (sh->response.v.load(std::memory_order_acquire) != seq) {
      }
    }
    state.counters["real_time"] = 1;
  }
  if (child > 0) {
    sh->request.v.store(~uint64_t{0}, std::memory_order_release);
    waitpid(child, nullptr, 0);
  }
  close(fd);
  munmap(mem, 1 << 20);
}
BENCHMARK(BM_TwoProcessFloor)->Arg(0)->Arg(1)->UseRealTime();

void sequential(benchmark::State& state, bool write) {
  warm(image_path());
  LikeThePds scheduling;
  int fd = open(image_path().c_str(), (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
  static std::vector<uint8_t> buf(1 << 20, 0x5a);
  off_t at = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(write ? pwrite(fd, buf.data(), buf.size(), at) : pread(fd, buf.data(), buf.size(), at));
    at = (at + static_cast<off_t>(buf.size())) % static_cast<off_t>(kImageBytes);
  }
  close(fd);
  state.counters["real_time"] = 1;
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * (1 << 20) / 1e6, benchmark::Counter::kIsRate);
}
void BM_PreadSeq1M(benchmark::State& state) { sequential(state, false); }
void BM_PwriteSeq1M(benchmark::State& state) { sequential(state, true); }
BENCHMARK(BM_PreadSeq1M)->UseRealTime();
BENCHMARK(BM_PwriteSeq1M)->UseRealTime();

// For orientation: the same writes through io_uring from one process, waiting for each. A buffered
// write to ext4 is not done during submission but by an io_uring worker thread, so even this costs
// more than pwrite; no io_uring driver can beat it.
void BM_UringWriteSeq1M(benchmark::State& state) {
  warm(image_path());
  LikeThePds scheduling;
  int fd = open(image_path().c_str(), O_WRONLY | O_CLOEXEC);
  static std::vector<uint8_t> buf(1 << 20, 0x5a);
  io_uring ring;
  if (fd < 0 || io_uring_queue_init(8, &ring, 0) != 0) {
    state.SkipWithError("io_uring");
    for (auto _ : state) {
    }
    if (fd >= 0) close(fd);
    return;
  }
  off_t at = 0;
  for (auto _ : state) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_write(sqe, fd, buf.data(), static_cast<unsigned>(buf.size()), static_cast<uint64_t>(at));
    io_uring_submit(&ring);
    io_uring_cqe* cqe;
    if (io_uring_wait_cqe(&ring, &cqe) == 0) io_uring_cqe_seen(&ring, cqe);
    at = (at + static_cast<off_t>(buf.size())) % static_cast<off_t>(kImageBytes);
  }
  io_uring_queue_exit(&ring);
  close(fd);
  state.counters["real_time"] = 1;
}
BENCHMARK(BM_UringWriteSeq1M)->UseRealTime();

// --- the buffer cache's hit path ------------------------------------------------------------------

constexpr unsigned kHitBatch = 1000;

void BM_CacheHit(benchmark::State& state) {
  exec::PdHarness h;
  testing::QueuePair q(16, 80 * 4096);
  testing::FakeDevice device(q, 16, 1024);
  device.publish();
  exec::BlockClient client(h.pd(), exec::BlockClientConfig{&q.storage_info(), q.requests.data(), q.requests.size(),
                                                           q.responses.data(), q.responses.size(), q.data.data(),
                                                           q.data.size(), 1});
  exec::StaticBufferCache<64> cache(client, q.data.data());
  cache.set_readahead(0);
  static uint8_t out[4096];
  auto reads = [](exec::StaticBufferCache<64>& c, unsigned n) -> exec::Task<void> {
    for (unsigned i = 0; i < n; ++i) (void)co_await c.read(i % 64, 1, out);
  };
  h.pd().spawn_detached(reads(cache, 64));  // load the blocks
  testing::pump(h, device, 1);
  for (auto _ : state) {
    h.pd().spawn_detached(reads(cache, kHitBatch));
    h.run_until_idle();
  }
  if (cache.stats().misses != 64) state.SkipWithError("the hit path missed");
  state.counters["ops"] = kHitBatch;
}
BENCHMARK(BM_CacheHit);

void BM_HashCopyFloor(benchmark::State& state) {
  std::unordered_map<uint64_t, uint8_t*> index;
  static std::vector<uint8_t> buffers(64 * 4096);
  for (uint64_t b = 0; b < 64; ++b) index[b] = buffers.data() + b * 4096;
  static uint8_t out[4096];
  for (auto _ : state) {
    for (unsigned i = 0; i < kHitBatch; ++i) {
      uint8_t* src = index.find(i % 64)->second;
      benchmark::DoNotOptimize(src);
      std::memcpy(out, src, 4096);
      benchmark::DoNotOptimize(out);
      benchmark::ClobberMemory();
    }
  }
  state.counters["ops"] = kHitBatch;
}
BENCHMARK(BM_HashCopyFloor);

}  // namespace

int main(int argc, char** argv) {
  return bench::run_suite(argc, argv, "block", [](const bench::Results& r, bench::RatioTable& t) {
    const double pread4k = r.ns("BM_PreadRandom4K");
    // Throughput ratios: ours >= 0.5 x pread means our time per operation <= 2 x pread's.
    t.lower_is_better("4 KiB random read, depth 1 (time/op vs pread)", r.ns("BM_PdRandomRead4K_Qd1"), pread4k, 2.0, "pread");
    if (const double plain = r.ns("BM_PdRandomRead4K_Qd1_Preadv2"); plain > 0) {
      t.info("4 KiB random read, depth 1, driver without read-mapped (vs pread)", bench::format_ns(plain),
             bench::format_ns(pread4k) + " pread", plain / pread4k);
    }
    t.lower_is_better("4 KiB random read, depth 32 (time/op vs pread)", r.ns("BM_PdRandomRead4K_Qd32"), pread4k, 2.0, "pread");
    if (r.ns("BM_PdVirtRandomRead4K_Qd1") > 0 && r.ns("BM_PdVirtRandomRead4K_Qd32") > 0) {
      t.info("4 KiB random read via virtualiser, depth 1 (vs pread)", bench::format_ns(r.ns("BM_PdVirtRandomRead4K_Qd1")),
             bench::format_ns(pread4k) + " pread", r.ns("BM_PdVirtRandomRead4K_Qd1") / pread4k);
      t.info("4 KiB random read via virtualiser, depth 32 (vs pread)", bench::format_ns(r.ns("BM_PdVirtRandomRead4K_Qd32")),
             bench::format_ns(pread4k) + " pread", r.ns("BM_PdVirtRandomRead4K_Qd32") / pread4k);
    }
    if (r.ns("BM_PdRandomRead4K_Qd1") > 0 && r.ns("BM_PdRandomRead4K_Qd32") > 0) {
      t.info("IOPS at depth 1 / depth 32", std::to_string(static_cast<long>(1e9 / r.ns("BM_PdRandomRead4K_Qd1"))),
             std::to_string(static_cast<long>(1e9 / r.ns("BM_PdRandomRead4K_Qd32"))),
             r.ns("BM_PdRandomRead4K_Qd1") / r.ns("BM_PdRandomRead4K_Qd32"));
    }
    if (const double uring = r.ns("BM_TwoProcessFloor/0"); uring > 0) {
      t.info("depth 1: two bare processes, busy-poll + io_uring (vs pread)", bench::format_ns(uring),
             bench::format_ns(pread4k) + " pread", uring / pread4k);
    }
    if (const double floor = r.ns("BM_TwoProcessFloor/1"); floor > 0) {
      t.info("depth 1: two bare processes, busy-poll + preadv2 NOWAIT (vs pread)", bench::format_ns(floor),
             bench::format_ns(pread4k) + " pread", floor / pread4k);
      if (r.ns("BM_PdRandomRead4K_Qd1") > 0) {
        t.info("depth 1: ours vs the two bare processes", bench::format_ns(r.ns("BM_PdRandomRead4K_Qd1")),
               bench::format_ns(floor), r.ns("BM_PdRandomRead4K_Qd1") / floor);
      }
    }
    const double cpu = r.ns("BM_PreadRandom4K_Cpu");
    if (cpu > 0) {
      t.info("CPU per 4 KiB read, all PDs, depth 1 (vs pread)", bench::format_ns(r.ns("BM_PdRandomRead4K_Qd1_Cpu")),
             bench::format_ns(cpu) + " pread", r.ns("BM_PdRandomRead4K_Qd1_Cpu") / cpu);
      t.info("CPU per 4 KiB read, all PDs, depth 32 (vs pread)", bench::format_ns(r.ns("BM_PdRandomRead4K_Qd32_Cpu")),
             bench::format_ns(cpu) + " pread", r.ns("BM_PdRandomRead4K_Qd32_Cpu") / cpu);
    }
    // >= 0.7 x throughput: time per MiB <= 1/0.7 x the floor's.
    t.lower_is_better("1 MiB sequential read (time/op vs pread)", r.ns("BM_PdSeqRead1M"), r.ns("BM_PreadSeq1M"), 1 / 0.7, "pread");
    t.lower_is_better("1 MiB sequential write (time/op vs pwrite)", r.ns("BM_PdSeqWrite1M"), r.ns("BM_PwriteSeq1M"), 1 / 0.7, "pwrite");
    if (r.ns("BM_UringWriteSeq1M") > 0) {
      t.info("1 MiB sequential write, io_uring in one process (vs pwrite)", bench::format_ns(r.ns("BM_UringWriteSeq1M")),
             bench::format_ns(r.ns("BM_PwriteSeq1M")) + " pwrite", r.ns("BM_UringWriteSeq1M") / r.ns("BM_PwriteSeq1M"));
    }
    if (r.ns("BM_PdSeqRead1M_Qd2") > 0) {
      t.info("1 MiB sequential read, 2 in flight (vs pread)", bench::format_ns(r.ns("BM_PdSeqRead1M_Qd2")),
             bench::format_ns(r.ns("BM_PreadSeq1M")) + " pread", r.ns("BM_PdSeqRead1M_Qd2") / r.ns("BM_PreadSeq1M"));
      t.info("1 MiB sequential write, 2 in flight (vs pwrite)", bench::format_ns(r.ns("BM_PdSeqWrite1M_Qd2")),
             bench::format_ns(r.ns("BM_PwriteSeq1M")) + " pwrite", r.ns("BM_PdSeqWrite1M_Qd2") / r.ns("BM_PwriteSeq1M"));
    }
    if (r.ns("BM_PdVirtSeqRead1M") > 0 && r.ns("BM_PdVirtSeqWrite1M") > 0) {
      t.info("1 MiB sequential read via virtualiser (vs pread)", bench::format_ns(r.ns("BM_PdVirtSeqRead1M")),
             bench::format_ns(r.ns("BM_PreadSeq1M")) + " pread", r.ns("BM_PdVirtSeqRead1M") / r.ns("BM_PreadSeq1M"));
      t.info("1 MiB sequential write via virtualiser (vs pwrite)", bench::format_ns(r.ns("BM_PdVirtSeqWrite1M")),
             bench::format_ns(r.ns("BM_PwriteSeq1M")) + " pwrite", r.ns("BM_PdVirtSeqWrite1M") / r.ns("BM_PwriteSeq1M"));
    }
    if (r.ns("BM_CacheHit") > 0 && r.ns("BM_HashCopyFloor") > 0) {
      t.info("buffer cache hit (4 KiB) vs hash lookup + copy", bench::format_ns(r.ns("BM_CacheHit")),
             bench::format_ns(r.ns("BM_HashCopyFloor")), r.ns("BM_CacheHit") / r.ns("BM_HashCopyFloor"));
    }
  });
}
