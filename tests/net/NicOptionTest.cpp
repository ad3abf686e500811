// `corokit run --nic` values (system/runtime/NicBackend.h).
#include <gtest/gtest.h>

#include "system/runtime/NicBackend.h"
#include "system/runtime/RunOptions.h"

using namespace corokit::runtime;

TEST(NicOption, TapAndUserWithForwards) {
  auto tap = parse_nic_option("tap=tap0");
  ASSERT_TRUE(tap);
  EXPECT_EQ(tap->kind, NicSpec::Kind::Tap);
  EXPECT_EQ(tap->tap_name, "tap0");
  auto user = parse_nic_option("user,hostfwd=tcp::8080-:80,hostfwd=udp:127.0.0.1:5555-10.0.2.16:7");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->kind, NicSpec::Kind::User);
  ASSERT_EQ(user->forwards.size(), 2u);
  EXPECT_FALSE(user->forwards[0].udp);
  EXPECT_EQ(user->forwards[0].host_addr, "");
  EXPECT_EQ(user->forwards[0].host_port, 8080);
  EXPECT_EQ(user->forwards[0].guest_port, 80);
  EXPECT_TRUE(user->forwards[1].udp);
  EXPECT_EQ(user->forwards[1].host_addr, "127.0.0.1");
  EXPECT_EQ(user->forwards[1].guest_addr, "10.0.2.16");
  EXPECT_EQ(user->forwards[1].guest_port, 7);
  EXPECT_TRUE(parse_nic_option("user"));
}

TEST(NicOption, BadValuesAreClearErrors) {
  for (const char* bad : {"tap=", "tap=averyveryverylongname0", "tap=x,y", "bridge", "user,foo=1",
                          "user,hostfwd=tcp::0-:80", "user,hostfwd=tcp::70000-:80", "user,hostfwd=sctp::1-:2",
                          "user,hostfwd=tcp:1.2.3:8080-:80", "user,hostfwd=tcp::8080:80"}) {
    auto r = parse_nic_option(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_NE(r.error().find("--nic"), std::string::npos) << r.error();
    }
  }
}

TEST(NicOption, RunOptionsCollectNicsInOrder) {
  auto o = parse_run_options({"--nic", "tap=tap0", "--nic=user"}, nullptr);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->nics, (std::vector<std::string>{"tap=tap0", "user"}));
  EXPECT_FALSE(parse_run_options({"--nic", "bogus"}, nullptr));
}
