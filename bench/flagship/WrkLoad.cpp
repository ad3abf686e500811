#include "bench/flagship/WrkLoad.h"

#include <fstream>
#include <map>
#include <sstream>

#include "bench/flagship/ChildProcess.h"

namespace corokit::bench {
namespace {

constexpr const char* kReportScript = R"(done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("wrk-result requests %d\n", summary.requests))
  io.write(string.format("wrk-result bytes %d\n", summary.bytes))
  io.write(string.format("wrk-result errors %d\n", e.connect + e.read + e.write + e.status + e.timeout))
  io.write(string.format("wrk-result duration_us %d\n", summary.duration))
  io.write(string.format("wrk-result p50_us %f\n", latency:percentile(50)))
  io.write(string.format("wrk-result p99_us %f\n", latency:percentile(99)))
  io.write(string.format("wrk-result mean_us %f\n", latency.mean))
end
)";

}  // namespace

Result<WrkResult> run_wrk(const ScratchDirectory& scratch, const std::string& url, const WrkOptions& o) {
  const std::string script = scratch / "report.lua", output = scratch / "wrk.out";
  std::ofstream(script) << kReportScript;
  Result<ChildProcess> wrk = ChildProcess::start(
      {"wrk", "-t", std::to_string(o.threads), "-c", std::to_string(o.connections), "-d",
       std::to_string(o.seconds) + "s", "--timeout", "10s", "-s", script, url},
      output);
  if (!wrk) return Error{wrk.error()};
  const int status = wrk->wait();
  std::ifstream in(output);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (status != 0) return Error{"wrk exited with " + std::to_string(status) + ": " + text};
  std::map<std::string, double> values;
  std::istringstream lines(text);
  std::string tag, key;
  double value;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    if (fields >> tag >> key >> value && tag == "wrk-result") values[key] = value;
  }
  if (values.size() != 7) return Error{"no summary in wrk's output: " + text};
  WrkResult r;
  r.requests = static_cast<uint64_t>(values["requests"]);
  r.bytes = static_cast<uint64_t>(values["bytes"]);
  r.errors = static_cast<uint64_t>(values["errors"]);
  r.seconds = values["duration_us"] / 1e6;
  r.p50_us = values["p50_us"];
  r.p99_us = values["p99_us"];
  r.mean_us = values["mean_us"];
  return r;
}

}  // namespace corokit::bench
