#include "bench/support/RatioSummary.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <set>

namespace corokit::bench {
namespace {

class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  explicit CollectingReporter(Results& out) : out_(out) {}
  // With --benchmark_repetitions=N the median of the N repetitions is kept (the machines are shared
  // and noisy); otherwise the single run.
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) {
        out_.errors_[base_name(run.run_name.str())] = run.error_message;
        continue;
      }
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type != Run::RT_Iteration && !median) continue;
      const std::string name = base_name(run.run_name.str());
      if (!median && medians_.count(name) != 0) continue;
      Results::Run r;
      double ops = run.counters.count("ops") ? run.counters.at("ops").value : 1.0;
      // Benchmarks whose work happens in other processes or threads set the counter "real_time".
      bool real = run.counters.count("real_time") != 0;
      double t = real ? run.GetAdjustedRealTime() : run.GetAdjustedCPUTime();
      r.ns_per_op = t * multiplier(run.time_unit) / ops;
      for (const auto& [counter, c] : run.counters) r.counters[counter] = c.value;
      out_.runs_[name] = r;
      if (median) medians_.insert(name);
    }
  }

 private:
  static double multiplier(benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kSecond: return 1e9;
      case benchmark::kMillisecond: return 1e6;
      case benchmark::kMicrosecond: return 1e3;
      default: return 1.0;
    }
  }
  // "BM_X/64/iterations:3/manual_time" -> "BM_X/64": summaries name benchmarks by their arguments.
  static std::string base_name(std::string name) {
    for (const char* option : {"/iterations:", "/min_time:", "/repeats:", "/manual_time", "/real_time"}) {
      if (size_t at = name.find(option); at != std::string::npos) name.erase(at);
    }
    return name;
  }
  Results& out_;
  std::set<std::string> medians_;
};

std::string fixed(double v, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f%s", v, suffix);
  return buf;
}

}  // namespace

double Results::ns(const std::string& name) const {
  auto it = runs_.find(name);
  return it == runs_.end() ? 0.0 : it->second.ns_per_op;
}

double Results::counter(const std::string& name, const std::string& counter) const {
  auto it = runs_.find(name);
  if (it == runs_.end()) return 0.0;
  auto c = it->second.counters.find(counter);
  return c == it->second.counters.end() ? 0.0 : c->second;
}

std::string format_ns(double ns) {
  if (ns >= 1e6) return fixed(ns / 1e6, " ms");
  if (ns >= 1e3) return fixed(ns / 1e3, " us");
  return fixed(ns, " ns");
}

void RatioTable::lower_is_better(const std::string& metric, double ours, double floor,
                                 double target, const std::string& floor_name) {
  if (ours <= 0 || floor <= 0) return;
  double ratio = ours / floor;
  rows_.push_back({metric, format_ns(ours), format_ns(floor) + " " + floor_name,
                   "<= " + fixed(target, "x"), ratio, true, ratio <= target});
}

void RatioTable::faster_than(const std::string& metric, double ours, double peer, double target,
                             const std::string& peer_name) {
  if (ours <= 0 || peer <= 0) return;
  double ratio = peer / ours;
  rows_.push_back({metric, format_ns(ours), format_ns(peer) + " " + peer_name,
                   ">= " + fixed(target, "x faster"), ratio, true, ratio >= target});
}

void RatioTable::at_most(const std::string& metric, double ours, double limit,
                         const std::string& unit) {
  // A limit of 0 ("zero allocations") has no meaningful ratio: report 0 when met, else 1.
  double ratio = limit > 0 ? ours / limit : (ours <= limit ? 0.0 : 1.0);
  rows_.push_back({metric, fixed(ours, (" " + unit).c_str()), "-",
                   "<= " + fixed(limit, (" " + unit).c_str()), ratio, true, ours <= limit});
}

void RatioTable::info(const std::string& metric, const std::string& ours, const std::string& other,
                      double ratio) {
  rows_.push_back({metric, ours, other, "(info)", ratio, false, true});
}

void RatioTable::did_not_run(const std::string& benchmark, const std::string& why) {
  std::string line = why;
  while (!line.empty() && line.back() == '\n') line.pop_back();
  for (char& c : line) c = c == '\n' ? ' ' : c;
  rows_.push_back({benchmark + " did not run: " + line, "-", "-", "ran", 0.0, true, false});
}

bool RatioTable::print() const {
  std::printf("\n%-48s %14s %24s %8s %18s %s\n", "metric", "ours", "floor/peer", "ratio", "target",
              "result");
  bool all = true;
  FILE* tsv = nullptr;
  if (const char* path = std::getenv("COROKIT_BENCH_TSV")) tsv = std::fopen(path, "a");
  for (const Row& r : rows_) {
    const char* result = r.judged ? (r.pass ? "PASS" : "FAIL") : "-";
    std::printf("%-48s %14s %24s %7.2fx %18s %s\n", r.metric.c_str(), r.ours.c_str(),
                r.other.c_str(), r.ratio, r.target.c_str(), result);
    if (tsv) {
      std::fprintf(tsv, "%s\t%s\t%s\t%s\t%.2fx\t%s\t%s\n", suite_.c_str(), r.metric.c_str(),
                   r.ours.c_str(), r.other.c_str(), r.ratio, r.target.c_str(), result);
    }
    all = all && r.pass;
  }
  if (tsv) std::fclose(tsv);
  std::printf("%s benchmarks: %s\n", suite_.c_str(), all ? "all targets met" : "some targets missed");
  return all;
}

int run_suite(int argc, char** argv, const std::string& suite,
              const std::function<void(const Results&, RatioTable&)>& summarise) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Results results;
  CollectingReporter reporter(results);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  RatioTable table(suite);
  summarise(results, table);
  // A benchmark whose workload failed leaves no measurement, so the summary may have no row for
  // it: it must not read "all targets met".
  for (const auto& [name, why] : results.errors_) table.did_not_run(name, why);
  table.print();
  return 0;
}

}  // namespace corokit::bench
