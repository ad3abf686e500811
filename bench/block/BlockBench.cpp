// Block storage benchmarks (BENCHMARKS.md), each against its floor in the same run:
//   * 4 KiB random reads, client → virtualiser → driver → io_uring → disk image (page cache warm),
//     at queue depth 1 and 32, against pread(2) of the same file from this process;
//   * sequential 1 MiB reads and writes against pread/pwrite of the same file;
//   * the buffer cache's hit path against a hash-map lookup plus a 4 KiB copy.
// The PD numbers come from one boot of bench/block/bench.system (the client PD times itself with
// CLOCK_MONOTONIC and prints them); they are reported as manual time per operation.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <map>
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
#include "tests/block/FakeDevice.h"

namespace {

using namespace corokit;

constexpr uint64_t kImageBytes = 64ull << 20;

const std::string& image_path() {
  static const std::string path = [] {
    std::string p = "/tmp/corokit-block-bench-" + std::to_string(getpid()) + ".img";
    std::vector<uint8_t> chunk(1 << 20);
    std::mt19937_64 rng(1);
    for (auto& b : chunk) b = static_cast<uint8_t>(rng());
    int fd = open(p.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    for (uint64_t at = 0; at < kImageBytes; at += chunk.size()) (void)!pwrite(fd, chunk.data(), chunk.size(), static_cast<off_t>(at));
    fsync(fd);
    close(fd);
    std::atexit([] { unlink(image_path().c_str()); });
    return p;
  }();
  return path;
}

// Reads the whole image so every run starts with the page cache warm.
void warm(const std::string& path) {
  std::vector<uint8_t> buf(1 << 20);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  for (off_t at = 0; pread(fd, buf.data(), buf.size(), at) > 0; at += static_cast<off_t>(buf.size())) {
  }
  close(fd);
}

struct PdResult {
  uint64_t ops = 0;
  uint64_t ns = 0;
};

// name/depth → result, from one boot of the system.
const std::map<std::string, PdResult>& pd_results() {
  static const std::map<std::string, PdResult> results = [] {
    std::map<std::string, PdResult> out;
    if (std::string why = runtime::io_uring_unavailable_reason(); !why.empty()) {
      std::fprintf(stderr, "block bench: %s\n", why.c_str());
      return out;
    }
    sdf::CheckOptions options;
    options.search_paths = {COROKIT_BLOCK_PDS, COROKIT_BLOCK_BENCH_PDS};
    image::PackOutcome packed = image::pack_sdf_file(std::string(COROKIT_SOURCE_DIR) + "/bench/block/bench.system", options);
    if (!packed.image) {
      std::fprintf(stderr, "block bench: cannot pack bench.system\n");
      return out;
    }
    warm(image_path());
    runtime::RunOptions o;
    o.prefix = false;
    o.colour = runtime::RunOptions::Colour::Never;
    o.timeout_s = 300;
    o.until = "bench done";
    o.sched = runtime::RunOptions::Sched::Other;
    runtime::DiskOption disk;
    disk.path = image_path();
    o.disks.push_back(disk);
    int fd = memfd_create("block-bench-output", MFD_CLOEXEC);
    runtime::run_system(*packed.image, o, fd);
    std::string text(static_cast<size_t>(lseek(fd, 0, SEEK_END)), '\0');
    (void)!pread(fd, text.data(), text.size(), 0);
    close(fd);
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      const size_t at = line.find("bench ");
      if (at == std::string::npos || line.find(" ops ") == std::string::npos) {
        if (line.find("ERROR") != std::string::npos || line.find("errors ") != std::string::npos) std::fprintf(stderr, "%s\n", line.c_str());
        continue;
      }
      std::istringstream words(line.substr(at));
      std::string bench, name, ops_word, ns_word, depth_word;
      PdResult r;
      unsigned depth = 0;
      words >> bench >> name >> ops_word >> r.ops >> ns_word >> r.ns >> depth_word >> depth;
      out[name + "/" + std::to_string(depth)] = r;
    }
    return out;
  }();
  return results;
}

void report_pd(benchmark::State& state, const std::string& key, double bytes_per_op) {
  auto it = pd_results().find(key);
  if (it == pd_results().end() || it->second.ops == 0) {
    state.SkipWithError("the block system did not report this workload");
    for (auto _ : state) {
    }
    return;
  }
  const PdResult& r = it->second;
  for (auto _ : state) state.SetIterationTime(static_cast<double>(r.ns) * 1e-9);
  state.counters["ops"] = static_cast<double>(r.ops);
  state.counters["real_time"] = 1;
  state.counters["MB/s"] = static_cast<double>(r.ops) * bytes_per_op / (static_cast<double>(r.ns) * 1e-9) / 1e6;
}

void BM_PdRandomRead4K_Qd1(benchmark::State& state) { report_pd(state, "random4k/1", 4096); }
void BM_PdRandomRead4K_Qd32(benchmark::State& state) { report_pd(state, "random4k/32", 4096); }
void BM_PdSeqRead1M(benchmark::State& state) { report_pd(state, "seqread1m/1", 1 << 20); }
void BM_PdSeqWrite1M(benchmark::State& state) { report_pd(state, "seqwrite1m/1", 1 << 20); }
BENCHMARK(BM_PdRandomRead4K_Qd1)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdRandomRead4K_Qd32)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdSeqRead1M)->Iterations(1)->UseManualTime();
BENCHMARK(BM_PdSeqWrite1M)->Iterations(1)->UseManualTime();

// --- floors: the same file from this process -----------------------------------------------------

void BM_PreadRandom4K(benchmark::State& state) {
  warm(image_path());
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

void sequential(benchmark::State& state, bool write) {
  warm(image_path());
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
      std::memcpy(out, index.find(i % 64)->second, 4096);
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
    // Throughput ratios: ours ≥ 0.5 × pread means our time per operation ≤ 2 × pread's.
    t.lower_is_better("4 KiB random read, depth 1 (time/op vs pread)", r.ns("BM_PdRandomRead4K_Qd1"), pread4k, 2.0, "pread");
    t.lower_is_better("4 KiB random read, depth 32 (time/op vs pread)", r.ns("BM_PdRandomRead4K_Qd32"), pread4k, 2.0, "pread");
    if (r.ns("BM_PdRandomRead4K_Qd1") > 0) {
      t.info("IOPS at depth 1 / depth 32", std::to_string(static_cast<long>(1e9 / r.ns("BM_PdRandomRead4K_Qd1"))),
             std::to_string(static_cast<long>(1e9 / r.ns("BM_PdRandomRead4K_Qd32"))),
             r.ns("BM_PdRandomRead4K_Qd1") / r.ns("BM_PdRandomRead4K_Qd32"));
    }
    // ≥ 0.7 × throughput: time per MiB ≤ 1/0.7 × the floor's.
    t.lower_is_better("1 MiB sequential read (time/op vs pread)", r.ns("BM_PdSeqRead1M"), r.ns("BM_PreadSeq1M"), 1 / 0.7, "pread");
    t.lower_is_better("1 MiB sequential write (time/op vs pwrite)", r.ns("BM_PdSeqWrite1M"), r.ns("BM_PwriteSeq1M"), 1 / 0.7, "pwrite");
    if (r.ns("BM_CacheHit") > 0 && r.ns("BM_HashCopyFloor") > 0) {
      t.info("buffer cache hit (4 KiB) vs hash lookup + copy", bench::format_ns(r.ns("BM_CacheHit")),
             bench::format_ns(r.ns("BM_HashCopyFloor")), r.ns("BM_CacheHit") / r.ns("BM_HashCopyFloor"));
    }
  });
}
