// Coroutine PDs on the real runtime (sdk/AsyncPd.h): notifications wake exactly the awaiting task,
// notifications raised by tasks leave once per turn, and a turn that ends with work left polls.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/runtime/RunHarness.h"

namespace corokit::testing {
namespace {

using ::testing::Contains;

TEST(AsyncPd, PingPongAndBusyTasksInParallelMode) {
  runtime::RunOptions o = test_options();
  o.until = "pinger|INFO: done";
  Captured c = run_test_system("async.system", o);
  ASSERT_EQ(c.error, "");
  EXPECT_EQ(c.result.exit_code, 0);
  EXPECT_THAT(c.lines, Contains("pinger|INFO: round trips: 2000"));
  EXPECT_THAT(c.lines, Contains("pinger|INFO: yields: 20000"));
  EXPECT_THAT(c.lines, Contains("pinger|INFO: done"));
}

TEST(AsyncPd, PingPongInSingleRunnerMode) {
  runtime::RunOptions o = test_options();
  o.single_runner = true;
  o.until = "pinger|INFO: done";
  Captured c = run_test_system("async.system", o);
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(c.lines, Contains("pinger|INFO: done"));
}

}  // namespace
}  // namespace corokit::testing

