// R4: protected calls that time out or whose callee fails (opt-in), through the C++ SDK's call(),
// which reports why. Default: Microkit's behaviour, the caller waits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/runtime/RunHarness.h"

namespace corokit::testing {
namespace {

using ::testing::HasSubstr;

bool has_line(const Captured& c, const std::string& text) {
  return std::any_of(c.lines.begin(), c.lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

std::vector<std::string> caller_lines(const Captured& c) {
  std::vector<std::string> out;
  for (const std::string& l : c.lines) {
    if (l.rfind("caller:", 0) == 0) out.push_back(l);
  }
  return out;
}

runtime::RunOptions options(bool single_runner) {
  runtime::RunOptions o = test_options();
  o.until_idle = true;
  o.single_runner = single_runner;
  return o;
}

class PpcFailure : public ::testing::TestWithParam<bool> {};  // parameter: single-runner mode

TEST_P(PpcFailure, WithoutTimeoutTheCallerWaitsForTheLateReply) {
  Captured c = run_test_system("ppc_timeout.system", options(GetParam()));
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(caller_lines(c), ::testing::ElementsAre("caller: call 1 replied label 101", "caller: call 2 replied label 102"))
      << c.output;
  EXPECT_EQ(c.result.exit_code, 0);
}

TEST_P(PpcFailure, SystemTimeoutGivesTheDistinguishedReplyAndDiscardsTheLateOne) {
  runtime::RunOptions o = options(GetParam());
  o.ppc_timeouts.push_back({"", 0, 50'000});
  Captured c = run_test_system("ppc_timeout.system", o);
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(caller_lines(c), ::testing::ElementsAre("caller: call 1 failed: timed out (distinguished reply)",
                                                      "caller: call 2 replied label 102"))
      << c.output;
  EXPECT_TRUE(has_line(c, "MON|WARN: protected call of PD 'timeout_caller' on channel 0 to 'server' timed out after 50 ms"))
      << c.output;
  EXPECT_EQ(c.result.exit_code, 0);
}

TEST_P(PpcFailure, ChannelTimeoutOverridesTheSystemDefault) {
  runtime::RunOptions o = options(GetParam());
  o.ppc_timeouts.push_back({"", 0, 50'000});
  o.ppc_timeouts.push_back({"timeout_caller", 0, 0});
  Captured c = run_test_system("ppc_timeout.system", o);
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(caller_lines(c), ::testing::ElementsAre("caller: call 1 replied label 101", "caller: call 2 replied label 102"))
      << c.output;

  runtime::RunOptions only = options(GetParam());
  only.ppc_timeouts.push_back({"timeout_caller", 0, 40'000});
  Captured d = run_test_system("ppc_timeout.system", only);
  EXPECT_THAT(caller_lines(d), ::testing::ElementsAre("caller: call 1 failed: timed out (distinguished reply)",
                                                      "caller: call 2 replied label 102"))
      << d.output;
}

TEST_P(PpcFailure, FailFastWhenTheCalleeFaults) {
  runtime::RunOptions o = options(GetParam());
  o.ppc_fail_fast = true;
  Captured c = run_test_system("ppc_crash.system", o);
  ASSERT_EQ(c.error, "");
  // The second call goes to a root PD that stays dead: it fails at once too.
  EXPECT_THAT(caller_lines(c), ::testing::ElementsAre("caller: call 1 failed: the callee faulted (distinguished reply)",
                                                      "caller: call 2 failed: the callee faulted (distinguished reply)"))
      << c.output;
  EXPECT_TRUE(has_line(c, "MON|WARN: protected call of PD 'crash_caller' on channel 0 to 'server' failed: the callee faulted"))
      << c.output;
  EXPECT_TRUE(has_line(c, "MON|ERROR: faulting PD: server"));
  EXPECT_EQ(c.result.exit_code, 1);
}

TEST_P(PpcFailure, FailFastThenTheRestartedCalleeServes) {
  runtime::RunOptions o = options(GetParam());
  o.ppc_fail_fast = true;
  o.root_restarts = 1;
  Captured c = run_test_system("ppc_crash.system", o);
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(caller_lines(c), ::testing::ElementsAre("caller: call 1 failed: the callee faulted (distinguished reply)",
                                                      "caller: call 2 replied label 102"))
      << c.output;
}

TEST_P(PpcFailure, FailFastWhenTheCalleeIsStopped) {
  runtime::RunOptions o = options(GetParam());
  o.ppc_fail_fast = true;
  Captured c = run_test_system("ppc_stop.system", o);
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(caller_lines(c), ::testing::ElementsAre("caller: call 1 failed: the callee was stopped (distinguished reply)",
                                                      "caller: call 2 failed: the callee was stopped (distinguished reply)"))
      << c.output;
  EXPECT_TRUE(has_line(c, "stopper: stopped the server")) << c.output;
  EXPECT_EQ(c.result.exit_code, 0);
}

TEST_P(PpcFailure, WithoutFailFastTheCallerStaysBlocked) {
  Captured c = run_test_system("ppc_crash.system", options(GetParam()));
  ASSERT_EQ(c.error, "");
  EXPECT_TRUE(caller_lines(c).empty()) << c.output;
  EXPECT_TRUE(has_line(c, "MON|ERROR: faulting PD: server"));
}

INSTANTIATE_TEST_SUITE_P(Modes, PpcFailure, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "SingleRunner" : "Parallel"; });

TEST(PpcFailureOptions, UnknownPdOrChannelDoesNotBoot) {
  runtime::RunOptions o = options(false);
  o.ppc_timeouts.push_back({"nobody", 0, 5000});
  Captured c = run_test_system("ppc_timeout.system", o);
  EXPECT_EQ(c.result.exit_code, 2);
  EXPECT_THAT(c.output, HasSubstr("--ppc-timeout: no PD named 'nobody'"));

  runtime::RunOptions p = options(false);
  p.ppc_timeouts.push_back({"server", 1, 5000});
  Captured d = run_test_system("ppc_timeout.system", p);
  EXPECT_EQ(d.result.exit_code, 2);
  EXPECT_THAT(d.output, HasSubstr("channel 1 of PD 'server' is not a pp channel end"));
}

}  // namespace
}  // namespace corokit::testing
