#include "executor/net/NetConfig.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using namespace corokit::net;

namespace {

NetConfigError parse(const std::string& text, NetConfig& out) { return parse_net_config(text.data(), text.size(), out); }

}  // namespace

TEST(NetConfig, ParsesClientsInOrder) {
  NetConfig c;
  NetConfigError e = parse(
      "# comment\n"
      "system net_echo\n"
      "client echo ip=10.0.0.2/24 gw=10.0.0.1\n"
      "\n"
      "client second mac=02:00:00:00:00:02 ip=dhcp multicast=all group=01:00:5e:00:00:fb  # trailing\n",
      c);
  ASSERT_FALSE(e) << e.line << ": " << e.message;
  EXPECT_STREQ(c.system, "net_echo");
  ASSERT_EQ(c.client_count, 2u);
  EXPECT_STREQ(c.clients[0].name, "echo");
  EXPECT_FALSE(c.clients[0].ipv4.dhcp);
  EXPECT_EQ(c.clients[0].ipv4.address, 0x0a000002u);
  EXPECT_EQ(c.clients[0].ipv4.prefix, 24);
  EXPECT_EQ(c.clients[0].ipv4.gateway, 0x0a000001u);
  EXPECT_TRUE(c.clients[1].ipv4.dhcp);
  EXPECT_TRUE(c.clients[1].all_multicast);
  ASSERT_EQ(c.clients[1].group_count, 1u);
  EXPECT_EQ(c.clients[1].groups[0], (MacAddress{{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}}));
  EXPECT_EQ(c.clients[1].mac, (MacAddress{{2, 0, 0, 0, 0, 2}}));
  EXPECT_EQ(c.find("second"), 1);
  EXPECT_EQ(c.find("third"), -1);
}

TEST(NetConfig, DerivedMacsAreDeterministicLocalUnicastAndDistinct) {
  MacAddress a = derive_mac("sys", "web");
  EXPECT_EQ(a, derive_mac("sys", "web"));
  EXPECT_NE(a, derive_mac("sys", "logger"));
  EXPECT_NE(a, derive_mac("other", "web"));
  EXPECT_EQ(a.bytes[0] & 0x03, 0x02);  // locally administered, unicast
  NetConfig c;
  ASSERT_FALSE(parse("system sys\nclient web\n", c));
  EXPECT_EQ(c.clients[0].mac, a);
}

TEST(NetConfig, StopsAtTheRegionsZeroPadding) {
  std::string text = "system s\nclient a\n";
  text.append(64, '\0');
  text += "garbage";
  NetConfig c;
  ASSERT_FALSE(parse(text, c));
  EXPECT_EQ(c.client_count, 1u);
}

TEST(NetConfig, RejectsBadInputWithTheLine) {
  struct Case {
    const char* text;
    unsigned line;
    const char* message;
  } cases[] = {
      {"client a\n", 1, "no 'system' line"},
      {"system s\nclient a\nclient a\n", 3, "duplicate client name"},
      {"system s\nclient a mac=01:00:00:00:00:01\n", 2, "a client MAC must be unicast"},
      {"system s\nclient a mac=02:00:00:00:00\n", 2, "bad mac="},
      {"system s\nclient a ip=10.0.0.300/24\n", 2, "bad ip="},
      {"system s\nclient a ip=10.0.0.3\n", 2, "bad ip="},
      {"system s\nclient a color=red\n", 2, "unknown client attribute"},
      {"system s\nserver a\n", 2, "unknown line"},
      {"system s\nclient a mac=02:00:00:00:00:01\nclient b mac=02:00:00:00:00:01\n", 0, "two clients have the same MAC"},
      {"system s\nclient a group=02:00:00:00:00:01\n", 2, "bad group="},
      {"system s t\n", 1, "unexpected text"},
      {"system\n", 1, "'system' needs a name"},
  };
  for (const Case& k : cases) {
    NetConfig c;
    NetConfigError e = parse(k.text, c);
    ASSERT_TRUE(e) << k.text;
    EXPECT_EQ(e.line, k.line) << k.text;
    EXPECT_NE(std::strstr(e.message, k.message), nullptr) << k.text << " -> " << e.message;
  }
  std::string many = "system s\n";
  for (int i = 0; i < 17; ++i) many += "client c" + std::to_string(i) + "\n";
  NetConfig c;
  EXPECT_TRUE(parse(many, c));
}
