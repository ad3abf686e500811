// Boot time of `corokit run` until every init() returned, for 1…63 PDs (the boot curve), against a
// floor measured in the same run, interleaved with it: starting the same number of minimal
// static-glibc processes (posix_spawn + exec + exit, all started, then all reaped), which is what
// the kernel needs at least to run that many programs. Medians of both, so a loaded machine moves
// both alike. Target (BENCHMARKS.md): < 100 ms for 63 PDs.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "bench/support/RatioSummary.h"
#include "system/runtime/Monitor.h"
#include "tests/runtime/TestImage.h"

namespace {

constexpr int kSizes[] = {1, 2, 4, 8, 16, 32, 48, 63};

std::string write_system(int n) {
  std::string path = "/tmp/corokit-boot-bench-" + std::to_string(getpid()) + "-" + std::to_string(n) + ".system";
  std::ofstream f(path);
  f << "<system>\n";
  for (int i = 0; i < n; ++i) {
    f << "  <protection_domain name=\"pd" << i << "\" priority=\"" << (i % 254) << "\">"
      << "<program_image path=\"receiver.elf\"/></protection_domain>\n";
  }
  f << "</system>\n";
  return path;
}

double spawn_floor_ms(int n) {
  char* argv[] = {const_cast<char*>("floor"), nullptr};
  char* envp[] = {nullptr};
  auto start = std::chrono::steady_clock::now();
  int started = 0;
  for (int i = 0; i < n; ++i) {
    pid_t pid;
    if (posix_spawn(&pid, COROKIT_FLOOR_PROCESS, nullptr, nullptr, argv, envp) == 0) ++started;
  }
  for (int i = 0; i < started; ++i) wait(nullptr);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void BM_Boot(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  std::string path = write_system(n);
  corokit::Result<corokit::image::SystemImage> img = corokit::testing::make_test_image(path, {COROKIT_TEST_PDS});
  std::remove(path.c_str());
  if (!img) {
    state.SkipWithError(img.error().c_str());
    return;
  }
  corokit::runtime::RunOptions o;
  o.until_idle = true;
  o.timeout_s = 10;
  o.sched = corokit::runtime::RunOptions::Sched::Other;
  int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  std::vector<double> boots, floors, started;
  for (auto _ : state) {
    corokit::runtime::RunResult r = corokit::runtime::run_system(*img, o, null);
    if (r.boot_ms < 0) {
      state.SkipWithError("not every init() returned");
      break;
    }
    state.SetIterationTime(r.boot_ms / 1000);
    boots.push_back(r.boot_ms);
    started.push_back(r.started_ms);
    floors.push_back(spawn_floor_ms(n));
  }
  close(null);
  double boot = median(boots), floor = median(floors);
  state.counters["boot_ms"] = boot;
  state.counters["started_ms"] = median(started);
  state.counters["floor_ms"] = floor;
  state.counters["ratio"] = floor > 0 ? boot / floor : 0;
}
BENCHMARK(BM_Boot)
    ->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Arg(32)->Arg(48)->Arg(63)
    ->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  using corokit::bench::Results;
  using corokit::bench::RatioTable;
  return corokit::bench::run_suite(argc, argv, "boot", [](const Results& r, RatioTable& t) {
    for (int n : kSizes) {
      std::string bm = "BM_Boot/" + std::to_string(n);
      if (!r.has(bm)) continue;
      double ms = r.counter(bm, "boot_ms");
      t.info("boot to every init() returned, " + std::to_string(n) + " PDs", corokit::bench::format_ns(ms * 1e6),
             corokit::bench::format_ns(r.counter(bm, "floor_ms") * 1e6) + " spawn floor", r.counter(bm, "ratio"));
      if (n == 63) t.at_most("boot of 63 PDs", ms, 100, "ms");
    }
  });
}
