// Whole-system network tests: examples/net_echo booted by `corokit run` (driver, virtualisers,
// copiers, two echo clients) and talked to from the host side.
//
// TAP tests create their own network namespace with a TAP device inside it (unique names, deleted
// afterwards, never touching the machine's interfaces) and need root (CI runs as root; otherwise
// they are skipped). The --nic user test needs no privilege: slirp forwards loopback ports.
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "executor/net/NetConfig.h"
#include "tests/support/LoopbackPort.h"
#include "tests/support/RunningSystem.h"
#include "tests/support/TapNamespace.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;


using corokit::testing::can_use_tap;
using corokit::testing::run_command;

// tap0 on the host side is 10.11.0.1/24.
class Netns : public corokit::testing::TapNamespace {
 public:
  Netns() : TapNamespace("cknet", "10.11.0.1") {}
};

// `corokit run IMAGE ...` (inside `netns` when given), output to a file; stopped on destruction.
// `unprivileged`: when the test runs as root, corokit runs as nobody, without any capability.
class System : public corokit::testing::RunningSystem {
 public:
  System(const std::string& image, const std::vector<std::string>& options, const std::string& netns = "",
         bool unprivileged = false)
      : RunningSystem(COROKIT_BIN, image, options, netns, unprivileged) {}
};

int connect_to(const char* ip, uint16_t port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{20, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return s;
    if (errno != ECONNREFUSED) break;
    std::this_thread::sleep_for(100ms);  // slirp forwards before the guest listens
    close(s);
    s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  close(s);
  return -1;
}

bool send_all(int s, const uint8_t* p, size_t n) {
  while (n != 0) {
    ssize_t w = send(s, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// One connection: random payloads written whole (by a second thread, so large ones cannot
// deadlock against the echo) and read back whole. Returns an empty string or what went wrong.
std::string echo_session(const char* ip, uint16_t port, unsigned seed, unsigned rounds, size_t max_size) {
  int s = connect_to(ip, port);
  if (s < 0) return "connect failed";
  std::mt19937 rng(seed);
  std::string error;
  for (unsigned r = 0; r < rounds && error.empty(); ++r) {
    size_t size = r == 0 ? 1 : 1 + rng() % max_size;
    std::vector<uint8_t> out(size), in(size);
    for (auto& b : out) b = static_cast<uint8_t>(rng());
    std::thread writer([&] {
      if (!send_all(s, out.data(), size)) error = "send failed";
    });
    size_t got = 0;
    while (got < size) {
      ssize_t n = recv(s, in.data() + got, size - got, 0);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    writer.join();
    if (got != size) error = "short echo: " + std::to_string(got) + " of " + std::to_string(size);
    else if (in != out) error = "echo differs";
  }
  close(s);
  return error;
}

std::string udp_echo(const char* ip, uint16_t port, unsigned count) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  timeval tv{1, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  std::mt19937 rng(3);
  unsigned answered = 0;
  for (unsigned i = 0; i < count; ++i) {
    size_t size = i % 4 == 3 ? 4000 + rng() % 4000 : 1 + rng() % 1472;  // some fragmented
    std::vector<uint8_t> out(size), in(65536);
    for (auto& b : out) b = static_cast<uint8_t>(rng());
    for (int attempt = 0; attempt < 3; ++attempt) {  // UDP: a lost datagram is retried
      sendto(s, out.data(), size, 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
      ssize_t n = recv(s, in.data(), in.size(), 0);
      if (n == static_cast<ssize_t>(size) && std::memcmp(in.data(), out.data(), size) == 0) {
        ++answered;
        break;
      }
    }
  }
  close(s);
  return answered == count ? "" : std::to_string(answered) + " of " + std::to_string(count) + " datagrams echoed";
}

// Many connections at once, each its own thread.
std::string concurrent_echo(const char* ip, unsigned connections, unsigned rounds, size_t max_size, uint16_t port = 7) {
  std::vector<std::string> errors(connections);
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < connections; ++i) {
    threads.emplace_back([&, i] { errors[i] = echo_session(ip, port, 100 + i, rounds, max_size); });
  }
  for (auto& t : threads) t.join();
  for (const std::string& e : errors)
    if (!e.empty()) return e;
  return "";
}

// Port 19: ask for `count` bytes; every byte must arrive before the PD's close.
std::string source(const char* ip, uint16_t port, uint64_t count) {
  int s = connect_to(ip, port);
  if (s < 0) return "connect failed";
  uint8_t header[8];
  for (int i = 0; i < 8; ++i) header[i] = static_cast<uint8_t>(count >> (8 * i));
  send_all(s, header, 8);
  std::vector<uint8_t> buf(1 << 16);
  uint64_t got = 0;
  bool pattern_ok = true;
  for (;;) {
    ssize_t n = recv(s, buf.data(), buf.size(), 0);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n && pattern_ok; ++i) {
      const uint64_t at = (got + static_cast<uint64_t>(i)) % 16384;
      pattern_ok = buf[static_cast<size_t>(i)] == static_cast<uint8_t>(at * 7 + 3);
    }
    got += static_cast<uint64_t>(n);
  }
  close(s);
  if (!pattern_ok) return "source data corrupted";
  return got == count ? "" : "source: " + std::to_string(got) + " of " + std::to_string(count) + " bytes before EOF";
}

std::string mac_text(const corokit::net::MacAddress& m) {
  char s[18];
  std::snprintf(s, sizeof s, "%02x:%02x:%02x:%02x:%02x:%02x", m.bytes[0], m.bytes[1], m.bytes[2], m.bytes[3],
                m.bytes[4], m.bytes[5]);
  return s;
}

#define REQUIRE_TAP()                                                                   \
  if (!can_use_tap()) GTEST_SKIP() << "needs root and /dev/net/tun (CI runs as root)"; \
  Netns ns;                                                                             \
  ASSERT_TRUE(ns.ok()) << "could not create a network namespace with a TAP device"

const char* const kEcho = "10.11.0.2";
const char* const kSecond = "10.11.0.3";

}  // namespace

TEST(NetSystem, PingTcpAndUdpEchoOverTap) {
  REQUIRE_TAP();
  System sys(NET_ECHO_TAP_IMG, {"--nic", "tap=tap0"}, ns.name());
  ASSERT_TRUE(sys.wait_for({"echo: ready 10.11.0.2", "second: ready 10.11.0.3"})) << sys.output();
  std::string out;
  EXPECT_EQ(run_command({"ip", "netns", "exec", ns.name(), "ping", "-c", "3", "-i", "0.2", "-W", "2", kEcho}, &out), 0) << out;
  EXPECT_EQ(run_command({"ip", "netns", "exec", ns.name(), "ping", "-c", "3", "-i", "0.2", "-W", "2", "-s", "1400", kSecond}, &out), 0) << out;
  ns.run([&] {
    EXPECT_EQ(echo_session(kEcho, 7, 1, 16, 300000), "");
    EXPECT_EQ(concurrent_echo(kEcho, 16, 6, 40000), "");
    EXPECT_EQ(concurrent_echo(kSecond, 8, 4, 100000), "");
    EXPECT_EQ(udp_echo(kEcho, 7, 40), "");
    EXPECT_EQ(udp_echo(kSecond, 7, 20), "");
    EXPECT_EQ(source(kEcho, 19, 8 * 1024 * 1024 + 5), "");  // graceful close loses nothing
  });
  EXPECT_EQ(sys.output().find("MON|ERROR"), std::string::npos) << sys.output();
}

TEST(NetSystem, TwoClientsOnOneNicHaveTheirOwnAddresses) {
  REQUIRE_TAP();
  System sys(NET_ECHO_TAP_IMG, {"--nic", "tap=tap0"}, ns.name());
  ASSERT_TRUE(sys.wait_for({"echo: ready", "second: ready"})) << sys.output();
  ns.run([&] {
    // Traffic to both at once: each answers for itself.
    std::string e1, e2;
    std::thread a([&] { e1 = concurrent_echo(kEcho, 4, 4, 50000); });
    std::thread b([&] { e2 = concurrent_echo(kSecond, 4, 4, 50000); });
    a.join();
    b.join();
    EXPECT_EQ(e1, "");
    EXPECT_EQ(e2, "");
  });
  // Each IP resolved to its own client's deterministic MAC (PROTOCOLS.md §4.9).
  std::string neigh;
  run_command({"ip", "-n", ns.name(), "neigh", "show", "dev", "tap0"}, &neigh);
  EXPECT_NE(neigh.find(std::string(kEcho) + " lladdr " + mac_text(corokit::net::derive_mac("net_echo", "echo"))), std::string::npos) << neigh;
  EXPECT_NE(neigh.find(std::string(kSecond) + " lladdr " + mac_text(corokit::net::derive_mac("net_echo", "second"))), std::string::npos) << neigh;
}

TEST(NetSystem, AMisbehavingClientCannotDisturbTheOther) {
  REQUIRE_TAP();
  System sys(NET_ECHO_HOSTILE_IMG, {"--nic", "tap=tap0"}, ns.name());
  ASSERT_TRUE(sys.wait_for({"echo: ready 10.11.0.2", "hostile: attacking"})) << sys.output();
  ns.run([&] {
    EXPECT_EQ(concurrent_echo(kEcho, 8, 6, 60000), "");
    EXPECT_EQ(udp_echo(kEcho, 7, 20), "");
    EXPECT_EQ(source(kEcho, 19, 2 * 1024 * 1024), "");
  });
  EXPECT_TRUE(sys.wait_for({"peer misbehaviour"}, 10s)) << sys.output();
  // Nobody crashed: no fault report.
  EXPECT_EQ(sys.output().find("MON|ERROR"), std::string::npos) << sys.output();
}

TEST(NetSystem, EchoThroughUserModeNetworkingWithoutRoot) {
  const uint16_t echo_port = corokit::testing::free_loopback_port(),
                 source_port = corokit::testing::free_loopback_port();
  const std::string fwd = "user,hostfwd=tcp:127.0.0.1:" + std::to_string(echo_port) + "-:7,hostfwd=udp:127.0.0.1:" +
                          std::to_string(echo_port) + "-:7,hostfwd=tcp:127.0.0.1:" + std::to_string(source_port) + "-:19";
  System sys(NET_ECHO_USER_IMG, {"--nic", fwd}, "", /*unprivileged=*/true);
  ASSERT_TRUE(sys.wait_for({"echo: ready 10.0.2.15", "second: ready 10.0.2.20"})) << sys.output();
  EXPECT_EQ(echo_session("127.0.0.1", echo_port, 5, 8, 200000), "");
  EXPECT_EQ(concurrent_echo("127.0.0.1", 6, 4, 30000, echo_port), "");
  EXPECT_EQ(udp_echo("127.0.0.1", echo_port, 20), "");
  EXPECT_EQ(source("127.0.0.1", source_port, 4 * 1024 * 1024), "");
  EXPECT_EQ(sys.output().find("MON|ERROR"), std::string::npos) << sys.output();
  if (geteuid() == 0) {
    EXPECT_EQ(sys.effective_uid(), 65534);  // really without privilege
  }
}

TEST(NetSystem, DrivingANicWithoutABackendIsAnError) {
  System sys(NET_ECHO_TAP_IMG, {});
  EXPECT_TRUE(sys.wait_for({"nic0", "no backend attached"}, 20s)) << sys.output();
}
