// The SDF `cpu` attribute on the host: an explicit cpu (0 included) pins the PD, an absent one
// leaves it to the host, and PDs that share a pinned CPU do not spin while idle.
#include <gtest/gtest.h>

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "system/runtime/Scheduling.h"
#include "tests/runtime/HostSystem.h"

namespace corokit::runtime {
namespace {

sdf::System load(const std::string& xml) { return testing::load_host_system(xml); }

// A child process that waits to be killed, standing in for a PD process.
struct Sleeper {
  pid_t pid = fork();
  Sleeper() {
    if (pid == 0) {
      pause();
      _exit(0);
    }
  }
  ~Sleeper() {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  int allowed_cpus() const {
    cpu_set_t set;
    return sched_getaffinity(pid, sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1;
  }
  bool allowed(int cpu) const {
    cpu_set_t set;
    return sched_getaffinity(pid, sizeof set, &set) == 0 && CPU_ISSET(cpu, &set);
  }
};

TEST(Placement, ExplicitCpuZeroIsKeptAndAbsentCpuIsNone) {
  sdf::System sys = load(R"(<system>
    <protection_domain name="a" cpu="0"><program_image path="a.elf"/></protection_domain>
    <protection_domain name="b"><program_image path="b.elf"/></protection_domain>
  </system>)");
  ASSERT_EQ(sys.pds.size(), 2u);
  EXPECT_EQ(sys.pds[0].cpu, std::optional<uint64_t>{0});
  EXPECT_FALSE(sys.pds[1].cpu.has_value());
}

TEST(Placement, ExplicitCpuZeroPinsAndAbsentCpuDoesNot) {
  cpu_set_t mine;
  ASSERT_EQ(sched_getaffinity(0, sizeof mine, &mine), 0);
  if (!CPU_ISSET(0, &mine)) GTEST_SKIP() << "this process may not run on CPU 0";
  sdf::System sys = load(R"(<system>
    <protection_domain name="a" cpu="0"><program_image path="a.elf"/></protection_domain>
    <protection_domain name="b"><program_image path="b.elf"/></protection_domain>
  </system>)");
  Sleeper pinned, free;
  EXPECT_EQ(apply_affinity(pinned.pid, sys.pds[0]), "");
  EXPECT_EQ(apply_affinity(free.pid, sys.pds[1]), "");
  EXPECT_EQ(pinned.allowed_cpus(), 1);
  EXPECT_TRUE(pinned.allowed(0));
  EXPECT_EQ(free.allowed_cpus(), CPU_COUNT(&mine));
}

// An image checked for a bigger machine than the one it runs on.
TEST(Placement, AMissingCpuIsReportedNotApplied) {
  sdf::ProtectionDomain pd;
  pd.cpu = static_cast<uint64_t>(sysconf(_SC_NPROCESSORS_ONLN));
  Sleeper p;
  const int before = p.allowed_cpus();
  EXPECT_NE(apply_affinity(p.pid, pd).find("the host has"), std::string::npos);
  EXPECT_EQ(p.allowed_cpus(), before);
}

TEST(Placement, OnlyPdsSharingAPinnedCpuGiveUpIdleSpinning) {
  sdf::System sys = load(R"(<system>
    <protection_domain name="a" cpu="0"><program_image path="a.elf"/></protection_domain>
    <protection_domain name="b" cpu="0"><program_image path="b.elf"/></protection_domain>
    <protection_domain name="c" cpu="1"><program_image path="c.elf"/></protection_domain>
    <protection_domain name="d"><program_image path="d.elf"/></protection_domain>
    <protection_domain name="e"><program_image path="e.elf"/></protection_domain>
  </system>)");
  EXPECT_TRUE(shares_pinned_cpu(sys, 0));
  EXPECT_TRUE(shares_pinned_cpu(sys, 1));
  EXPECT_FALSE(shares_pinned_cpu(sys, 2));
  EXPECT_FALSE(shares_pinned_cpu(sys, 3));  // two unpinned PDs share nothing
  EXPECT_FALSE(shares_pinned_cpu(sys, 4));
}

}  // namespace
}  // namespace corokit::runtime
