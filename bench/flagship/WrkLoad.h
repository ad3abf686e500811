// One `wrk` run (keep-alive HTTP/1.1 GETs of one URL over a fixed set of connections) and what it
// measured, read from a Lua `done` hook that prints the summary and latency percentiles exactly.
#pragma once

#include <cstdint>
#include <string>

#include "bench/flagship/ScratchDirectory.h"
#include "system/support/Result.h"

namespace corokit::bench {

struct WrkOptions {
  unsigned threads = 2;
  unsigned connections = 8;
  unsigned seconds = 3;
};

struct WrkResult {
  uint64_t requests = 0;
  uint64_t bytes = 0;     // responses, headers included
  uint64_t errors = 0;    // connect, read, write, timeout and non-2xx/3xx responses
  double seconds = 0;
  double p50_us = 0, p99_us = 0, mean_us = 0;

  double requests_per_s() const { return seconds > 0 ? double(requests) / seconds : 0; }
};

// Runs wrk against `url`; its script and output live in `scratch`.
Result<WrkResult> run_wrk(const ScratchDirectory& scratch, const std::string& url, const WrkOptions& options);

}  // namespace corokit::bench
