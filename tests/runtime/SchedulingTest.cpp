// Single-runner preemption and the emulated domain schedule (SDF.md §5.12).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace corokit::testing
