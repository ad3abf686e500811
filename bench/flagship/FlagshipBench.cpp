// The flagship benchmark (BENCHMARKS.md, issue 9): `wrk` against the flagship system
// (examples/http-server booted as scripts/demo boots it, reached over --nic user: libslirp's
// hostfwd on 127.0.0.1) and, in the same run, against nginx serving the same files (copied out of
// the same disk image) on loopback. Keep-alive GETs of a small file (/style.css) and the 4 MiB
// /large.bin over a few connections. Reported: requests/s, p50/p99 latency, the ratio corokit /
// nginx (target >= 0.3 x for the small file), CPU time and sleeps (voluntary context switches: each
// one is a later wake-up) per request of the whole process tree from /proc, the runtime's own
// counters per request (notifications, FUTEX_WAKEs, futex waits, copies and bytes copied, per PD
// and in total, from `corokit run --stats` snapshots around each run), and the memory the system
// uses (PSS of the PD processes and of the monitor, and the image's memory regions).
//
// Extra flags (before Google Benchmark's): --wrk_seconds=N (default 3; 1 for a smoke run with
// --benchmark_min_time below 0.5), --wrk_connections=N (8), --wrk_threads=N (2).
// COROKIT_WRK_SECONDS sets the duration too; COROKIT_FLAGSHIP_RUN_OPTIONS adds `corokit run`
// options (split at spaces, e.g. "--spin-us 0").
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bench/flagship/CounterSnapshot.h"
#include "bench/flagship/ProcessTree.h"
#include "bench/flagship/ServedSystem.h"
#include "bench/flagship/WrkLoad.h"
#include "bench/support/RatioSummary.h"

namespace {

using namespace corokit::bench;

FlagshipPaths kPaths{COROKIT_BIN, FLAGSHIP_IMG, COROKIT_SOURCE_DIR, {}};
WrkOptions g_wrk;

// Each server is started once, at its first benchmark, and stopped at the end of main.
struct Server {
  std::unique_ptr<ServedSystem> system;
  std::string error;
  bool tried = false;
};

enum class Which { Corokit, Nginx, NginxSlirp };
Server g_servers[3];

const char* label(Which which) {
  return which == Which::Corokit ? "corokit" : which == Which::Nginx ? "nginx on loopback" : "nginx behind slirp4netns";
}

ServedSystem* server(Which which, std::string& error) {
  Server& server = g_servers[int(which)];
  if (!server.tried) {
    server.tried = true;
    corokit::Result<ServedSystem> s = which == Which::Corokit ? boot_flagship(kPaths)
                                      : which == Which::Nginx ? start_nginx(kPaths, NginxPath::Loopback)
                                                              : start_nginx(kPaths, NginxPath::Slirp);
    if (s) {
      server.system = std::make_unique<ServedSystem>(std::move(*s));
    } else {
      server.error = s.error();
    }
  }
  error = server.error;
  return server.system.get();
}

bool is_pd(const std::string& name) { return name.rfind("corokit:", 0) == 0; }

std::string display_name(const std::string& name) {
  return name == kPaths.corokit ? "corokit run (monitor, slirp)" : name;
}

void BM_Http(benchmark::State& state, Which which, const char* path) {
  std::string error;
  ServedSystem* s = server(which, error);
  if (s == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  for (auto _ : state) {
    // The runtime's counters around the load (corokit only): a snapshot before and after.
    std::optional<CounterSnapshot> counted_before, counted_after;
    auto snapshot = [&](std::optional<CounterSnapshot>& into) {
      if (s->stats_path.empty()) return true;
      corokit::Result<CounterSnapshot> snap = CounterSnapshot::take(s->pids()[0], s->stats_path, s->stats_taken);
      if (!snap) {
        state.SkipWithError(snap.error().c_str());
        return false;
      }
      s->stats_taken = snap->sequence;
      into = std::move(*snap);
      return true;
    };
    if (!snapshot(counted_before)) break;
    const ProcessTree before = ProcessTree::sample(s->pids());
    corokit::Result<WrkResult> r = run_wrk(s->scratch, s->url(path), g_wrk);
    const ProcessTree after = ProcessTree::sample(s->pids());
    if (!snapshot(counted_after)) break;
    if (!r) {
      state.SkipWithError(r.error().c_str());
      break;
    }
    if (r->requests == 0 || r->errors != 0) {
      state.SkipWithError(("wrk: " + std::to_string(r->requests) + " requests, " + std::to_string(r->errors) +
                           " errors (connect, read, write, timeout or status)").c_str());
      break;
    }
    state.SetIterationTime(r->seconds);
    const double n = static_cast<double>(r->requests);
    double cpu_ns = 0, pd_cpu_ns = 0, wakeups = 0, pd_wakeups = 0;
    std::string breakdown;
    for (const auto& [name, d] : before.delta_to(after)) {
      cpu_ns += double(d.cpu_ns);
      wakeups += double(d.voluntary_switches);
      if (is_pd(name)) {
        pd_cpu_ns += double(d.cpu_ns);
        pd_wakeups += double(d.voluntary_switches);
      }
      char line[320];
      int used = std::snprintf(line, sizeof line, "    %-28s %8.2f us CPU %6.2f wake-ups %6.2f preemptions",
                               display_name(name).c_str(), double(d.cpu_ns) / n / 1e3, double(d.voluntary_switches) / n,
                               double(d.involuntary_switches) / n);
      const std::string pd = is_pd(name) ? name.substr(8) : "";
      if (counted_after && counted_after->pds.count(pd) != 0 && counted_before->pds.count(pd) != 0) {
        const PdCounts c = counted_after->pds.at(pd) - counted_before->pds.at(pd);
        std::snprintf(line + used, sizeof line - size_t(used),
                      " | %6.2f notify %6.2f notified %6.2f FUTEX_WAKE %6.2f futex waits %6.2f copies (%.0f B)",
                      c.notifications / n, c.notified / n, c.futex_wakes / n, c.futex_waits / n, c.copies / n,
                      c.copied_bytes / n);
      }
      breakdown += std::string(line) + " per request\n";
    }
    std::printf("  %s %s: %llu requests in %.2f s, per process:\n%s", label(which), path,
                static_cast<unsigned long long>(r->requests), r->seconds, breakdown.c_str());
    state.counters["ops"] = n;  // per iteration: time per request
    state.counters["real_time"] = 1;
    state.counters["requests_per_s"] = r->requests_per_s();
    state.counters["p50_us"] = r->p50_us;
    state.counters["p99_us"] = r->p99_us;
    // A sanity check (headers included; responses cut off at the end of the run count too).
    state.counters["bytes_read_per_request"] = double(r->bytes) / n;
    state.counters["cpu_us_per_request"] = cpu_ns / n / 1e3;
    state.counters["wakeups_per_request"] = wakeups / n;
    if (which == Which::Corokit) {
      state.counters["pd_cpu_us_per_request"] = pd_cpu_ns / n / 1e3;
      state.counters["pd_wakeups_per_request"] = pd_wakeups / n;
    }
    if (counted_after) {
      // From the runtime's counters: every PD, plus the monitor's wake-ups of PDs.
      const PdCounts c = counted_after->total() - counted_before->total();
      const double monitor_wakes = counted_after->monitor_futex_wakes - counted_before->monitor_futex_wakes;
      state.counters["notifications_per_request"] = c.notifications / n;
      state.counters["notified_per_request"] = c.notified / n;
      state.counters["irqs_per_request"] = c.irqs / n;
      state.counters["futex_wakes_per_request"] = (c.futex_wakes + monitor_wakes) / n;
      state.counters["monitor_futex_wakes_per_request"] = monitor_wakes / n;
      state.counters["futex_waits_per_request"] = c.futex_waits / n;
      state.counters["ppcalls_per_request"] = c.calls / n;
      state.counters["copies_per_request"] = c.copies / n;
      state.counters["copied_bytes_per_request"] = c.copied_bytes / n;
      std::printf("    %-28s %6.2f notify %6.2f notified (%.2f IRQs) %6.2f FUTEX_WAKE (%.2f by the monitor) %6.2f futex "
                  "waits %6.2f ppcalls %6.2f copies (%.0f B) per request\n",
                  "all PDs (counters)", c.notifications / n, c.notified / n, c.irqs / n, (c.futex_wakes + monitor_wakes) / n,
                  monitor_wakes / n, c.futex_waits / n, c.calls / n, c.copies / n, c.copied_bytes / n);
    }
  }
}
// One wrk run per benchmark, timed by wrk.
void one_run(benchmark::internal::Benchmark* b) { b->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond); }
BENCHMARK_CAPTURE(BM_Http, corokit_small, Which::Corokit, "/style.css")->Apply(one_run);
BENCHMARK_CAPTURE(BM_Http, corokit_large, Which::Corokit, "/large.bin")->Apply(one_run);
BENCHMARK_CAPTURE(BM_Http, nginx_small, Which::Nginx, "/style.css")->Apply(one_run);
BENCHMARK_CAPTURE(BM_Http, nginx_large, Which::Nginx, "/large.bin")->Apply(one_run);
BENCHMARK_CAPTURE(BM_Http, nginx_slirp_small, Which::NginxSlirp, "/style.css")->Apply(one_run);
BENCHMARK_CAPTURE(BM_Http, nginx_slirp_large, Which::NginxSlirp, "/large.bin")->Apply(one_run);

// The total size of the memory regions `corokit inspect` lists ("MR 'name': size 0x...").
corokit::Result<double> image_region_bytes(const ServedSystem& s) {
  const std::string out = s.scratch / "inspect.txt";
  corokit::Result<ChildProcess> inspect = ChildProcess::start({kPaths.corokit, "inspect", kPaths.image}, out);
  if (!inspect) return corokit::Error{inspect.error()};
  if (inspect->wait() != 0) return corokit::Error{"corokit inspect failed"};
  std::ifstream in(out);
  double total = 0;
  for (std::string line; std::getline(in, line);) {
    size_t at = line.find("': size 0x");
    if (line.rfind("MR '", 0) == 0 && at != std::string::npos) total += double(std::strtoull(line.c_str() + at + 10, nullptr, 16));
  }
  return total;
}

// After the load runs: the steady state (the buffer cache filled).
void BM_Memory(benchmark::State& state) {
  std::string error;
  ServedSystem* s = server(Which::Corokit, error);
  if (s == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  for (auto _ : state) {
    double pd_pss = 0, pd_rss = 0, pds = 0, monitor_pss = 0;
    const ProcessTree tree = ProcessTree::sample(s->pids());
    for (const auto& [pid, p] : tree.processes()) {
      if (pid == s->pids()[0]) monitor_pss = double(p.pss_kib);
      if (!is_pd(p.name)) continue;
      pd_pss += double(p.pss_kib);
      pd_rss += double(p.rss_kib);
      ++pds;
    }
    corokit::Result<double> regions = image_region_bytes(*s);
    if (!regions) {
      state.SkipWithError(regions.error().c_str());
      break;
    }
    state.SetIterationTime(1);
    state.counters["pds"] = pds;
    state.counters["pd_pss_kib"] = pd_pss;
    state.counters["pd_rss_kib"] = pd_rss;
    state.counters["monitor_pss_kib"] = monitor_pss;
    state.counters["image_regions_kib"] = *regions / 1024;
    std::string nginx_error;
    if (ServedSystem* nginx = server(Which::Nginx, nginx_error)) {
      const ProcessTree nginx_tree = ProcessTree::sample(nginx->pids());
      for (const auto& [pid, p] : nginx_tree.processes()) {
        state.counters["nginx_pss_kib"] = state.counters["nginx_pss_kib"] + double(p.pss_kib);
      }
    }
  }
}
BENCHMARK(BM_Memory)->Iterations(1)->UseManualTime();

std::string fixed(double v, const char* unit) {
  char buf[48];
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f %s" : "%.2f %s", v, unit);
  return buf;
}

void summarise(const Results& r, RatioTable& t) {
  for (const std::string size : {"small", "large"}) {
    const std::string ours = "BM_Http/corokit_" + size, what = size == "small" ? "small file" : "4 MiB file";
    // The peers: the same files from nginx on loopback, and behind the same libslirp path.
    for (const auto& [peer_suffix, where] : {std::pair<std::string, std::string>{"nginx_", "loopback"}, {"nginx_slirp_", "slirp"}}) {
      const std::string peer = "BM_Http/" + peer_suffix + size, nginx = where == "slirp" ? " nginx/slirp" : " nginx";
      if (!r.has(ours) || !r.has(peer)) continue;
      const std::string metric = what + " req/s vs nginx " + where;
      // BENCHMARKS.md: >= 0.3 x a Linux-native server, small file, keep-alive.
      if (size == "small") t.faster_than(metric + " (time/req)", r.ns(ours), r.ns(peer), 0.3, nginx.substr(1));
      t.info(metric, fixed(r.counter(ours, "requests_per_s"), "req/s"),
             fixed(r.counter(peer, "requests_per_s"), ("req/s" + nginx).c_str()), r.ns(peer) / r.ns(ours));
      for (const char* p : {"p50_us", "p99_us"}) {
        t.info(what + " " + std::string(p, 3) + " latency vs nginx " + where, fixed(r.counter(ours, p), "us"),
               fixed(r.counter(peer, p), ("us" + nginx).c_str()), r.counter(ours, p) / r.counter(peer, p));
      }
      t.info(what + " CPU/request vs nginx " + where, fixed(r.counter(ours, "cpu_us_per_request"), "us"),
             fixed(r.counter(peer, "cpu_us_per_request"), ("us" + nginx).c_str()),
             r.counter(ours, "cpu_us_per_request") / r.counter(peer, "cpu_us_per_request"));
      t.info(what + " wake-ups/request vs nginx " + where, fixed(r.counter(ours, "wakeups_per_request"), ""),
             fixed(r.counter(peer, "wakeups_per_request"), nginx.substr(1).c_str()),
             r.counter(ours, "wakeups_per_request") / r.counter(peer, "wakeups_per_request"));
    }
    if (r.has(ours) && r.counter(ours, "copies_per_request") > 0) {
      // The runtime's counters: notifications raised against those delivered (the rest coalesced),
      // FUTEX_WAKEs (PDs and monitor) against futex waits, copies against the bytes served.
      const double delivered = r.counter(ours, "notified_per_request") - r.counter(ours, "irqs_per_request");
      t.info(what + " notifications/request: raised, delivered (IRQs apart)",
             fixed(r.counter(ours, "notifications_per_request"), ""), fixed(delivered, "delivered"),
             delivered / r.counter(ours, "notifications_per_request"));
      t.info(what + " FUTEX_WAKEs/request vs futex waits", fixed(r.counter(ours, "futex_wakes_per_request"), ""),
             fixed(r.counter(ours, "futex_waits_per_request"), "waits"),
             r.counter(ours, "futex_wakes_per_request") / r.counter(ours, "futex_waits_per_request"));
      t.info(what + " copies/request (bytes copied per byte served)", fixed(r.counter(ours, "copies_per_request"), ""),
             fixed(r.counter(ours, "copied_bytes_per_request"), "B"),
             r.counter(ours, "copied_bytes_per_request") / r.counter(ours, "bytes_read_per_request"));
    }
    if (r.has(ours)) {
      // The PDs' part of the tree (the rest is the monitor: slirp and its event loop).
      t.info(what + " PDs: CPU, wake-ups/request (CPU share)", fixed(r.counter(ours, "pd_cpu_us_per_request"), "us"),
             fixed(r.counter(ours, "pd_wakeups_per_request"), "wake-ups"),
             r.counter(ours, "pd_cpu_us_per_request") / r.counter(ours, "cpu_us_per_request"));
    }
  }
  if (r.has("BM_Memory")) {
    const double pss = r.counter("BM_Memory", "pd_pss_kib") / 1024, nginx = r.counter("BM_Memory", "nginx_pss_kib") / 1024;
    t.info("memory: PSS of the " + std::to_string(int(r.counter("BM_Memory", "pds"))) + " PD processes",
           fixed(pss, "MiB"), fixed(nginx, "MiB nginx"), nginx > 0 ? pss / nginx : 0);
    const double monitor = r.counter("BM_Memory", "monitor_pss_kib") / 1024;
    t.info("memory: PSS of the monitor (corokit run, slirp)", fixed(monitor, "MiB"), fixed(nginx, "MiB nginx"),
           nginx > 0 ? monitor / nginx : 0);
    // Ratio: the declared regions against what the PDs actually touched (PSS).
    const double regions = r.counter("BM_Memory", "image_regions_kib") / 1024;
    t.info("memory: the image's memory regions (inspect)", fixed(regions, "MiB"),
           fixed(r.counter("BM_Memory", "pd_rss_kib") / 1024, "MiB PD RSS"), pss > 0 ? regions / pss : 0);
  }
}

// Takes the --wrk_* flags out of argv (Google Benchmark rejects flags it does not know).
void parse_wrk_flags(int& argc, char** argv) {
  bool seconds_given = false;
  if (const char* env = std::getenv("COROKIT_WRK_SECONDS")) {
    g_wrk.seconds = unsigned(std::atoi(env));
    seconds_given = true;
  }
  int out = 1;
  double min_time = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* flag) { return a.rfind(flag, 0) == 0 ? std::atoi(a.c_str() + std::strlen(flag)) : -1; };
    if (int v = value("--wrk_seconds="); v >= 0) {
      g_wrk.seconds = unsigned(v);
      seconds_given = true;
    } else if (int c = value("--wrk_connections="); c >= 0) {
      g_wrk.connections = unsigned(c);
    } else if (int t = value("--wrk_threads="); t >= 0) {
      g_wrk.threads = unsigned(t);
    } else {
      if (a.rfind("--benchmark_min_time=", 0) == 0) min_time = std::atof(a.c_str() + 21);
      argv[out++] = argv[i];
    }
  }
  argc = out;
  if (!seconds_given && min_time < 0.5) g_wrk.seconds = 1;
  if (g_wrk.seconds == 0) g_wrk.seconds = 1;
  if (g_wrk.threads == 0) g_wrk.threads = 1;
  if (g_wrk.connections < g_wrk.threads) g_wrk.connections = g_wrk.threads;
}

}  // namespace

int main(int argc, char** argv) {
  parse_wrk_flags(argc, argv);
  if (const char* options = std::getenv("COROKIT_FLAGSHIP_RUN_OPTIONS")) {
    std::istringstream words(options);
    for (std::string w; words >> w;) kPaths.run_options.push_back(w);
  }
  std::printf("wrk: %u threads, %u connections, %u s per run\n", g_wrk.threads, g_wrk.connections, g_wrk.seconds);
  const int status = run_suite(argc, argv, "flagship", summarise);
  for (Server& s : g_servers) s.system.reset();
  return status;
}
