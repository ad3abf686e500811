// corokit run's options and stop conditions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "system/runtime/RunOptions.h"
#include "tests/runtime/RunHarness.h"

namespace corokit::runtime {
namespace {

TEST(RunOptions, ParsesEveryOption) {
  std::string image;
  Result<RunOptions> o = parse_run_options({"sys.img", "--single-runner", "--timeout", "2.5", "--until=ready",
                                            "--until-idle", "--on-fault=stop", "--restart-root", "3", "--no-prefix",
                                            "--colour=never", "--no-dbg", "--checked", "--spin-us=0", "--sched", "other",
                                            "--console", "file=/tmp/x", "--log", "run.log", "--events=ev.json",
                                            "--boot-report"},
                                           &image);
  ASSERT_TRUE(o.ok()) << o.error();
  EXPECT_EQ(image, "sys.img");
  EXPECT_TRUE(o->single_runner);
  EXPECT_DOUBLE_EQ(*o->timeout_s, 2.5);
  EXPECT_EQ(o->until, "ready");
  EXPECT_TRUE(o->until_idle && o->stop_on_fault && o->drop_pd_output && o->checked && o->boot_report);
  EXPECT_FALSE(o->prefix);
  EXPECT_EQ(o->root_restarts, 3u);
  EXPECT_EQ(o->colour, RunOptions::Colour::Never);
  EXPECT_EQ(o->spin_ns, 0u);
  EXPECT_EQ(o->sched, RunOptions::Sched::Other);
  EXPECT_EQ(o->console, "file=/tmp/x");
  EXPECT_EQ(o->log_path, "run.log");
  EXPECT_EQ(o->json_path, "ev.json");
}

TEST(RunOptions, PpcTimeoutsAndFailFast) {
  std::string image;
  Result<RunOptions> o = parse_run_options({"sys.img", "--ppc-timeout", "20", "--ppc-timeout=client:3=0.5",
                                            "--ppc-timeout", "client:4=0", "--ppc-fail-fast"},
                                           &image);
  ASSERT_TRUE(o.ok()) << o.error();
  ASSERT_EQ(o->ppc_timeouts.size(), 3u);
  EXPECT_EQ(o->ppc_timeouts[0].pd, "");
  EXPECT_EQ(o->ppc_timeouts[0].us, 20000u);
  EXPECT_EQ(o->ppc_timeouts[1].pd, "client");
  EXPECT_EQ(o->ppc_timeouts[1].channel, 3u);
  EXPECT_EQ(o->ppc_timeouts[1].us, 500u);
  EXPECT_EQ(o->ppc_timeouts[2].us, 0u);
  EXPECT_TRUE(o->ppc_fail_fast);
  for (const char* bad : {"soon", "-1", "client=5", "client:62=5", "client:x=5", ":1=5", "client:1=", "4000000"}) {
    EXPECT_FALSE(parse_run_options({"--ppc-timeout", bad}, &image).ok()) << bad;
  }
}

TEST(RunOptions, RejectsBadInput) {
  std::string image;
  EXPECT_FALSE(parse_run_options({"--timeout", "soon"}, &image).ok());
  EXPECT_FALSE(parse_run_options({"--timeout"}, &image).ok());
  EXPECT_FALSE(parse_run_options({"--on-fault=ignore"}, &image).ok());
  EXPECT_FALSE(parse_run_options({"--frobnicate"}, &image).ok());
  EXPECT_FALSE(parse_run_options({"a.img", "b.img"}, &image).ok());
  EXPECT_FALSE(parse_run_options({"--console", "tcp"}, &image).ok());
}

TEST(RunControl, StopsWhenTheOutputPatternAppears) {
  RunOptions o = testing::test_options();
  o.until = "hello, world";
  testing::Captured c = testing::run_example("hello/hello.system", o);
  EXPECT_THAT(testing::without_warnings(c), ::testing::ElementsAre("hello, world"));
  EXPECT_EQ(c.result.exit_code, 0);
}

TEST(RunControl, PrefixesPdLinesWithTheName) {
  RunOptions o = testing::test_options();
  o.prefix = true;
  o.until = "hello, world";
  testing::Captured c = testing::run_example("hello/hello.system", o);
  EXPECT_THAT(c.lines, ::testing::Contains("[hello] hello, world"));
}

TEST(RunControl, DroppingDebugOutputMimicsARelease) {
  RunOptions o = testing::test_options();
  o.drop_pd_output = true;
  o.until_idle = true;
  testing::Captured c = testing::run_example("hello/hello.system", o);
  EXPECT_TRUE(testing::without_warnings(c).empty()) << c.output;
}

TEST(RunControl, RealTimeSchedulingIsAppliedOrWarnedAboutOnce) {
  RunOptions o = testing::test_options();
  o.sched = RunOptions::Sched::Auto;
  o.until_idle = true;
  testing::Captured c = testing::run_example("passive_server/passive_server.system", o);
  long warnings = std::count_if(c.lines.begin(), c.lines.end(), [](const std::string& l) { return l.rfind("MON|WARN: H05", 0) == 0; });
  EXPECT_LE(warnings, 1);
  EXPECT_THAT(c.lines, ::testing::Contains("SERVER|INFO: running on clients scheduling context")) << c.output;
}

TEST(RunControl, RestartsAFaultedRootPdWhenAsked) {
  RunOptions o = testing::test_options();
  o.single_runner = true;
  o.until_idle = true;
  o.root_restarts = 2;
  testing::Captured c = testing::run_test_system("ro_write.system", o);
  EXPECT_EQ(std::count(c.lines.begin(), c.lines.end(), "ro_writer: writing"), 3) << c.output;
  EXPECT_EQ(c.result.exit_code, 1);
}

}  // namespace
}  // namespace corokit::runtime
