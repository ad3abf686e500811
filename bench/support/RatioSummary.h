// The shared shape of every corokit benchmark suite (BENCHMARKS.md): Google Benchmark measures
// ours and its floor or peer in the same run; a summary table then prints each metric as a ratio
// against its target.
//
//   int main(int argc, char** argv) {
//     return corokit::bench::run_suite(argc, argv, "sdf", [](const Results& r, RatioTable& t) {
//       t.lower_is_better("check vs XML parse", r.ns("BM_Check"), r.ns("BM_Parse"), 3.0);
//     });
//   }
//
// `bench/run` sets COROKIT_BENCH_TSV to collect every suite's rows into one table.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace corokit::bench {

// Per-benchmark measurements: CPU ns per operation (divided by an "ops" counter when the
// benchmark sets one: the machines are shared, so CPU time is steadier than wall time; a benchmark
// whose work runs in other processes sets the counter "real_time" to be measured in wall time) and
// the benchmark's user counters.
class Results {
 public:
  bool has(const std::string& name) const { return runs_.count(name) != 0; }
  double ns(const std::string& name) const;
  double counter(const std::string& name, const std::string& counter) const;

  struct Run {
    double ns_per_op = 0;
    std::map<std::string, double> counters;
  };
  std::map<std::string, Run> runs_;
  // Benchmarks that reported an error (SkipWithError): their name and message.
  std::map<std::string, std::string> errors_;
};

class RatioTable {
 public:
  explicit RatioTable(std::string suite) : suite_(std::move(suite)) {}

  // ours / floor must be <= target.
  void lower_is_better(const std::string& metric, double ours_ns, double floor_ns, double target,
                       const std::string& floor_name = "floor");
  // peer / ours must be >= target ("N x faster than the peer").
  void faster_than(const std::string& metric, double ours_ns, double peer_ns, double target,
                   const std::string& peer_name = "peer");
  // An absolute bound: ours must be <= limit (in the given unit).
  void at_most(const std::string& metric, double ours, double limit, const std::string& unit);
  // A judged row that failed because its workload did not run.
  void did_not_run(const std::string& benchmark, const std::string& why);
  // Reported, not judged (curves, context).
  void info(const std::string& metric, const std::string& ours, const std::string& other, double ratio);

  // Prints the table; returns true when every judged row passed.
  bool print() const;

 private:
  struct Row {
    std::string metric, ours, other, target;
    double ratio;
    bool judged, pass;
  };
  std::string suite_;
  std::vector<Row> rows_;
};

// "12.3 ns", "4.56 us", "7.89 ms".
std::string format_ns(double ns);

// Runs the registered benchmarks, then builds and prints the summary. Returns the exit code.
int run_suite(int argc, char** argv, const std::string& suite,
              const std::function<void(const Results&, RatioTable&)>& summarise);

}  // namespace corokit::bench
