// Single-runner preemption and the emulated domain schedule (SDF.md §5.12).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "tests/runtime/RunHarness.h"

namespace corokit::testing {
namespace {

using ::testing::ElementsAre;

// The low-priority spinner never enters the kernel during its 600 ms; the ticker's interrupts
// (every 20 ms, three acknowledged) still run at once, as on a uniprocessor seL4.
TEST(SingleRunner, HigherPriorityPreemptsAPdThatComputes) {
  runtime::RunOptions o = test_options();
  o.single_runner = true;
  o.until = "spinner: done";
  Captured c = run_test_system("preempt.system", o);
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(without_warnings(c),
              ElementsAre("ticker: armed", "spinner: computing", "ticker: tick on channel 3", "ticker: tick on channel 3",
                          "ticker: tick on channel 3", "spinner: done"))
      << c.output;
  EXPECT_EQ(c.result.exit_code, 0);
}

// Step times (ms) per PD from "<name>: step <i> at <ms>" lines.
std::map<std::string, std::vector<long>> step_times(const Captured& c) {
  std::map<std::string, std::vector<long>> out;
  for (const std::string& l : c.lines) {
    size_t colon = l.find(": step ");
    size_t at = l.find(" at ");
    if (colon == std::string::npos || at == std::string::npos) continue;
    out[l.substr(0, colon)].push_back(std::atol(l.c_str() + at + 4));
  }
  return out;
}

long largest_gap(const std::vector<long>& t) {
  long gap = 0;
  for (size_t i = 1; i < t.size(); ++i) gap = std::max(gap, t[i] - t[i - 1]);
  return gap;
}

// Loose bounds: each PD computes 8 × 40 ms; a domain's slice is 150 ms. With the schedule emulated,
// beta (second domain) starts only once the first slice is over (alpha, slowed by its own start-up,
// has made at least one step by then), and each PD's steps pause for about the other domain's slice
// (steps are 40 ms apart otherwise). Without it, both start together and never pause.
void expect_domain_schedule(const Captured& c) {
  std::map<std::string, std::vector<long>> t = step_times(c);
  ASSERT_EQ(t["alpha"].size(), 8u) << c.output;
  ASSERT_EQ(t["beta"].size(), 8u) << c.output;
  EXPECT_GE(t["beta"][0] - t["alpha"][0], 40) << c.output;
  EXPECT_GE(largest_gap(t["alpha"]), 100) << c.output;
  EXPECT_GE(largest_gap(t["beta"]), 100) << c.output;
}

TEST(Domains, ScheduleFreezesInactiveDomainsInParallelMode) {
  runtime::RunOptions o = test_options();
  o.until_idle = true;
  Captured c = run_test_system("domains.system", o);
  ASSERT_EQ(c.error, "");
  expect_domain_schedule(c);
  EXPECT_EQ(c.result.exit_code, 0);
}

TEST(Domains, SingleRunnerRunsOnlyTheActiveDomain) {
  runtime::RunOptions o = test_options();
  o.single_runner = true;
  o.until_idle = true;
  Captured c = run_test_system("domains.system", o);
  ASSERT_EQ(c.error, "");
  expect_domain_schedule(c);
  EXPECT_EQ(c.result.exit_code, 0);
}

}  // namespace
}  // namespace corokit::testing
