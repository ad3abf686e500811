// The monitor's plan: who shares which object, which bits each PD may receive from which peer.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "system/runtime/SystemPlan.h"
#include "tests/runtime/HostSystem.h"

namespace corokit::runtime {
namespace {

sdf::System load(const std::string& xml) { return testing::load_host_system(xml); }

TEST(SystemPlan, PairsMasksAndSlots) {
  sdf::System sys = load(R"(<system>
    <protection_domain name="a" priority="1"><program_image path="a.elf"/></protection_domain>
    <protection_domain name="b" priority="2"><program_image path="b.elf"/></protection_domain>
    <protection_domain name="c" priority="3"><program_image path="c.elf"/></protection_domain>
    <channel><end pd="a" id="0" pp="true"/><end pd="b" id="5"/></channel>
    <channel><end pd="a" id="1" notify="false"/><end pd="b" id="6"/></channel>
    <channel><end pd="c" id="2"/><end pd="b" id="7" notify="false"/></channel>
  </system>)");
  Result<SystemPlan> plan = plan_system(sys);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->pairs.size(), 2u);
  EXPECT_EQ(plan->pairs[0].slots, 1u);
  const PdPlan& b = plan->pds[1];
  ASSERT_EQ(b.pairs.size(), 2u);
  // b may receive on 5 (a's end 0 notifies) but not on 6 (a's end 1 does not); 7 from c.
  EXPECT_EQ(b.pairs[0].receive_mask, uint64_t{1} << 5);
  EXPECT_EQ(b.pairs[1].receive_mask, uint64_t{1} << 7);
  EXPECT_EQ(b.channels[5].callee, 1);
  EXPECT_EQ(plan->pds[0].channels[0].can_call, 1);
  EXPECT_EQ(plan->pds[0].channels[0].peer_id, 5);
  // c may not receive anything from b.
  EXPECT_EQ(plan->pds[2].pairs[0].receive_mask, 0u);
}

// Calls carry an arrival tick only where another PD of the caller's priority calls the same callee.
TEST(SystemPlan, StampsCallsOnlyWhereCallersShareAPriority) {
  sdf::System sys = load(R"(<system>
    <protection_domain name="server" priority="100"><program_image path="s.elf"/></protection_domain>
    <protection_domain name="a" priority="50"><program_image path="a.elf"/></protection_domain>
    <protection_domain name="b" priority="50"><program_image path="b.elf"/></protection_domain>
    <protection_domain name="c" priority="60"><program_image path="c.elf"/></protection_domain>
    <protection_domain name="other" priority="110"><program_image path="o.elf"/></protection_domain>
    <channel><end pd="a" id="0" pp="true"/><end pd="server" id="0"/></channel>
    <channel><end pd="a" id="1" pp="true"/><end pd="server" id="1"/></channel>
    <channel><end pd="b" id="0" pp="true"/><end pd="server" id="2"/></channel>
    <channel><end pd="c" id="0" pp="true"/><end pd="server" id="3"/></channel>
    <channel><end pd="c" id="1" pp="true"/><end pd="other" id="0"/></channel>
    <channel><end pd="c" id="2" pp="true"/><end pd="other" id="1"/></channel>
  </system>)");
  Result<SystemPlan> plan = plan_system(sys);
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan->pds[1].channels[0].stamp_calls, 1);  // a and b share priority 50 at the server
  EXPECT_EQ(plan->pds[1].channels[1].stamp_calls, 1);
  EXPECT_EQ(plan->pds[2].channels[0].stamp_calls, 1);
  EXPECT_EQ(plan->pds[3].channels[0].stamp_calls, 0);  // c is alone at priority 60
  EXPECT_EQ(plan->pds[3].channels[1].stamp_calls, 0);  // two channels of one caller never queue together
  EXPECT_EQ(plan->pds[3].channels[2].stamp_calls, 0);
  EXPECT_EQ(plan->pds[0].channels[0].stamp_calls, 0);  // the callee's ends
}

TEST(SystemPlan, RefusesDevicesTheBoardDoesNotHave) {
  sdf::System sys = load(R"(<system>
    <protection_domain name="a"><program_image path="a.elf"/><irq irq="34" id="1"/></protection_domain>
  </system>)");
  sys.pds[0].irqs[0].irq = 99;
  Result<SystemPlan> plan = plan_system(sys);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.error().find("IRQ 99 is not a host-board device interrupt"), std::string::npos);
}

}  // namespace
}  // namespace corokit::runtime
