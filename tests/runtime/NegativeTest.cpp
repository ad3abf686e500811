// What the host enforces: faults are reported and contained, the sandbox refuses system calls,
// invalid channels do nothing, forged shared memory raises no notification, devices honour irq_ack.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "tests/runtime/RunHarness.h"

namespace corokit::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

runtime::RunOptions single() {
  runtime::RunOptions o = test_options();
  o.single_runner = true;
  o.until_idle = true;
  return o;
}

TEST(Negative, WriteToReadOnlyMapIsAReportedFault) {
  Captured c = run_test_system("ro_write.system", single());
  ASSERT_EQ(c.error, "");
  EXPECT_EQ(c.result.exit_code, 1);
  EXPECT_THAT(c.lines, Contains("ro_writer: writing"));
  EXPECT_THAT(c.lines, Not(Contains("ro_writer: the write went through")));
  EXPECT_THAT(c.lines, Contains(StartsWith("MON|ERROR: received message 0x00000006  badge: 0x0000000000000001  pid: ")));
  EXPECT_THAT(c.lines, Contains("MON|ERROR: faulting PD: ro_writer"));
  EXPECT_THAT(c.lines, Contains(AllOf(StartsWith("MON|ERROR: VMFault: ip=0x"), HasSubstr("fault_addr=0x0000000003000000"),
                                      HasSubstr("(data fault)"))));
  EXPECT_THAT(c.lines, Contains("MON|ERROR: signal: SIGSEGV (SEGV_ACCERR)"));
  EXPECT_THAT(c.lines, Contains(HasSubstr("belongs to: memory region 'ro' (r)")));
  EXPECT_THAT(c.lines, Contains(StartsWith("rip : 0x")));
}

TEST(Negative, OpeningAFileIsAReportedFault) {
  Captured c = run_test_system("opener.system", single());
  ASSERT_EQ(c.error, "");
  EXPECT_EQ(c.result.exit_code, 1);
  EXPECT_THAT(c.lines, Contains("opener: opening"));
  EXPECT_THAT(c.lines, Not(Contains("opener: opened")));
  EXPECT_THAT(c.lines, Contains(StartsWith("MON|ERROR: received message 0x00000002")));
  EXPECT_THAT(c.lines, Contains("MON|ERROR: signal: SIGSYS (SYS_SECCOMP)"));
  EXPECT_THAT(c.lines, Contains(AllOf(HasSubstr("(open"), HasSubstr("is not allowed in a PD"))));
  EXPECT_THAT(c.lines, Contains("receiver: ready")) << "the other PD is not affected";
}

TEST(Negative, InvalidChannelsPrintMicrokitsMessageAndDoNothing) {
  Captured c = run_test_system("misuse.system", single());
  ASSERT_EQ(c.error, "");
  EXPECT_EQ(c.result.exit_code, 0) << c.output;
  EXPECT_THAT(without_warnings(c),
              ElementsAre("receiver: ready", "misuser microkit_notify: invalid channel given '5'",
                          "misuser microkit_irq_ack: invalid channel given '6'",
                          "misuser microkit_ppcall: invalid channel given '7'",
                          "misuser microkit_deferred_notify: invalid channel given '62'",
                          "misuser microkit_mr_set: invalid message register index given '120'",
                          "misuser: ppcall returned label 0", "misuser: done"))
      << c.output;
}

TEST(Negative, CheckedModeFaultsOnMisuse) {
  runtime::RunOptions o = single();
  o.checked = true;
  Captured c = run_test_system("misuse.system", o);
  EXPECT_EQ(c.result.exit_code, 1);
  EXPECT_THAT(c.lines, Contains("misuser microkit_notify: invalid channel given '5'"));
  EXPECT_THAT(c.lines, Not(Contains("misuser: done")));
  EXPECT_THAT(c.lines, Contains("MON|ERROR: faulting PD: misuser"));
}

TEST(Negative, ForgedSharedMemoryRaisesNoNotification) {
  Captured c = run_test_system("forgery.system", single());
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(without_warnings(c),
              ElementsAre("receiver: ready", "forger: scribbled", "third: notifying", "receiver: notified 2"))
      << c.output;
  EXPECT_EQ(c.result.exit_code, 0);
}

TEST(Negative, ForgedSharedMemoryRaisesNoNotificationInParallel) {
  runtime::RunOptions o = test_options();
  o.until_idle = true;
  Captured c = run_test_system("forgery.system", o);
  ASSERT_EQ(c.error, "");
  std::vector<std::string> lines = without_warnings(c);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "receiver: notified 2"), 1) << c.output;
  EXPECT_EQ(std::count_if(lines.begin(), lines.end(), [](const std::string& l) { return l.rfind("receiver: notified", 0) == 0; }), 1)
      << c.output;
}

TEST(Notifications, CoalescedAndDeliveredInAscendingOrder) {
  Captured c = run_test_system("burst.system", single());
  ASSERT_EQ(c.error, "");
  // Immediate notifies to the lower-priority receiver coalesce; the deferred ones (a duplicate
  // included) are all performed, once each, at the sender's wait: one wake-up, ascending ids.
  EXPECT_THAT(without_warnings(c), ElementsAre("burst: sent", "receiver: ready", "receiver: notified 0",
                                               "receiver: notified 2", "receiver: notified 12",
                                               "receiver: notified 30", "receiver: notified 40"))
      << c.output;
}

TEST(Faults, StackOverflowIsReportedAsSuch) {
  Captured c = run_test_system("overflow.system", single());
  ASSERT_EQ(c.error, "");
  EXPECT_EQ(c.result.exit_code, 1);
  EXPECT_THAT(c.lines, Contains("MON|ERROR: potential stack overflow, fault address within one page outside of stack region"))
      << c.output;
  EXPECT_THAT(c.lines, Contains(HasSubstr("belongs to: the guard page below the stack")));
}

TEST(Faults, ParentResumesThenStopsAChild) {
  Captured c = run_test_system("resume.system", single());
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(without_warnings(c), ElementsAre("parent: starting", "trapper: before", "parent: fault label 3",
                                               "trapper: resumed", "parent: fault label 2"))
      << c.output;
  EXPECT_EQ(c.result.exit_code, 0);
}

TEST(Devices, TimerIrqStopsWhenNotAcknowledged) {
  runtime::RunOptions o = test_options();
  o.timeout_s = 0.5;
  Captured c = run_test_system("ticker.system", o);
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(without_warnings(c), ElementsAre("ticker: armed", "ticker: tick on channel 3", "ticker: tick on channel 3",
                                               "ticker: tick on channel 3"))
      << c.output;
}

// Finds the process of PD `name` among the children of this test.
pid_t find_pd(const std::string& name) {
  DIR* d = opendir("/proc");
  pid_t found = -1;
  while (dirent* e = readdir(d)) {
    pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    std::ifstream cmd("/proc/" + std::string(e->d_name) + "/cmdline");
    std::string argv0;
    std::getline(cmd, argv0, '\0');
    if (argv0 != "corokit:" + name) continue;
    std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
    std::string pid_s, comm, state;
    pid_t ppid = 0;
    stat >> pid_s >> comm >> state >> ppid;
    if (ppid == getpid()) found = pid;
  }
  closedir(d);
  return found;
}

TEST(Faults, KillingAPdExternallyIsReportedAndContained) {
  runtime::RunOptions o = test_options();
  o.timeout_s = 1.5;
  std::atomic<bool> killed{false};
  std::thread killer([&] {
    for (int i = 0; i < 100 && !killed; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      pid_t pid = find_pd("victim");
      if (pid > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        kill(pid, SIGKILL);
        killed = true;
      }
    }
  });
  auto start = std::chrono::steady_clock::now();
  Captured c = run_test_system("kill.system", o);
  killer.join();
  ASSERT_TRUE(killed);
  EXPECT_EQ(c.result.exit_code, 1);
  EXPECT_THAT(c.lines, Contains("MON|ERROR: PD 'victim' killed by signal 9 (SIGKILL)")) << c.output;
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1400)) << "the run went on";
  EXPECT_EQ(find_pd("survivor"), -1) << "no process is left behind";
}

}  // namespace
}  // namespace corokit::testing
