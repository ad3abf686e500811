// Two lwIP stacks, each in its own process, talking over in-memory net queues (ClientMemory and
// Wire): TCP echo with random payloads large and small over many connections, UDP echo, graceful
// close without data loss, retransmission over a lossy wire.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "executor/WhenAll.h"
#include "executor/WhenAny.h"
#include "executor/Yield.h"
#include "executor/net/Tcp.h"
#include "executor/net/Udp.h"
#include "tests/net/StackPair.h"

using namespace corokit;
using namespace corokit::net;
using corokit::exec::Task;
using namespace corokit::testing;

namespace {

constexpr std::uint32_t kServerIp = kPairServerIp;
constexpr std::uint16_t kEchoPort = 7;
constexpr std::uint16_t kSinkPort = 9;           // sends kSinkBytes, then closes at once
constexpr std::size_t kSinkBytes = 3 * 1024 * 1024 + 77;

std::uint8_t pattern(std::size_t i) { return static_cast<std::uint8_t>(i * 131 + (i >> 9)); }

Task<void> echo_connection(TcpStream stream) {
  std::vector<std::uint8_t> buffer(16384);
  for (;;) {
    NetResult<std::size_t> n = co_await stream.read(buffer);
    if (!n || n.value == 0) break;
    if (co_await stream.write(std::span(buffer.data(), n.value)) != NetError::None) break;
  }
  co_await stream.close();
}

Task<void> sink_connection(TcpStream stream) {
  std::vector<std::uint8_t> data(kSinkBytes);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = pattern(i);
  co_await stream.write(data);
  // Dropped without awaiting close(): lwIP must still deliver every byte, then FIN.
}

Task<void> serve_tcp(NetStack& stack, std::uint16_t port, bool sink) {
  TcpListener listener(stack);
  if (listener.listen(port) != NetError::None) co_return;
  for (;;) {
    NetResult<TcpStream> s = co_await listener.accept();
    if (!s) co_return;
    stack.pd().spawn_detached(sink ? sink_connection(std::move(s.value)) : echo_connection(std::move(s.value)));
  }
}

Task<void> serve_udp(NetStack& stack) {
  UdpSocket socket(stack);
  if (socket.bind(kEchoPort) != NetError::None) co_return;
  std::vector<std::uint8_t> buffer(65536);
  for (;;) {
    NetResult<Datagram> d = co_await socket.receive(buffer);
    if (!d) co_return;
    socket.send_to(std::span(buffer.data(), d.value.len), d.value.from_ipv4, d.value.from_port);
  }
}

Task<int> server(NetStack& stack) {
  stack.pd().spawn_detached(serve_tcp(stack, kEchoPort, false));
  stack.pd().spawn_detached(serve_tcp(stack, kSinkPort, true));
  stack.pd().spawn_detached(serve_udp(stack));
  co_await exec::Event{};  // forever: the test stops the process
  co_return 0;
}

// One connection: `rounds` random payloads, each written whole and read back whole.
Task<int> echo_client(NetStack& stack, unsigned seed, unsigned rounds, std::size_t max_size) {
  NetResult<TcpStream> s = co_await TcpStream::connect(stack, kServerIp, kEchoPort);
  if (!s) {
    std::fprintf(stderr, "connect: %s\n", to_string(s.error));
    co_return 10;
  }
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> in(max_size);
  for (unsigned r = 0; r < rounds; ++r) {
    std::size_t size = 1 + rng() % max_size;
    if (r == 0) size = 1;
    std::vector<std::uint8_t> out(size);
    for (auto& b : out) b = static_cast<std::uint8_t>(rng());
    if (NetError e = co_await s.value.write(out); e != NetError::None) {
      std::fprintf(stderr, "write: %s\n", to_string(e));
      co_return 11;
    }
    std::size_t got = 0;
    while (got < size) {
      NetResult<std::size_t> n = co_await s.value.read(std::span(in.data() + got, size - got));
      if (!n || n.value == 0) {
        std::fprintf(stderr, "read: %s after %zu of %zu\n", to_string(n.error), got, size);
        co_return 12;
      }
      got += n.value;
    }
    if (std::memcmp(in.data(), out.data(), size) != 0) co_return 13;
  }
  if (co_await s.value.close() != NetError::None) co_return 14;
  co_return 0;
}

Task<int> many_clients(NetStack& stack, unsigned connections, unsigned rounds, std::size_t max_size) {
  std::vector<Task<int>> tasks;
  for (unsigned i = 0; i < connections; ++i) tasks.push_back(echo_client(stack, 1000 + i, rounds, max_size));
  co_await exec::when_all(tasks);
  for (Task<int>& t : tasks) {
    int r = co_await t;
    if (r != 0) co_return r;
  }
  co_return 0;
}

Task<int> sink_client(NetStack& stack) {
  NetResult<TcpStream> s = co_await TcpStream::connect(stack, kServerIp, kSinkPort);
  if (!s) co_return 20;
  std::vector<std::uint8_t> in(65536);
  std::size_t total = 0;
  for (;;) {
    NetResult<std::size_t> n = co_await s.value.read(in);
    if (!n) {
      std::fprintf(stderr, "sink read: %s after %zu\n", to_string(n.error), total);
      co_return 21;
    }
    if (n.value == 0) break;
    for (std::size_t i = 0; i < n.value; ++i)
      if (in[i] != pattern(total + i)) co_return 22;
    total += n.value;
  }
  if (total != kSinkBytes) {
    std::fprintf(stderr, "sink: %zu of %zu bytes before EOF\n", total, kSinkBytes);
    co_return 23;
  }
  co_return 0;
}

Task<int> udp_client(NetStack& stack) {
  UdpSocket socket(stack);
  if (socket.bind(5555) != NetError::None) co_return 30;
  std::mt19937 rng(7);
  std::vector<std::uint8_t> in(65536);
  for (std::size_t size : {1u, 18u, 512u, 1472u, 1473u, 4000u, 8000u}) {
    std::vector<std::uint8_t> out(size);
    for (auto& b : out) b = static_cast<std::uint8_t>(rng());
    if (socket.send_to(out, kServerIp, kEchoPort) != NetError::None) co_return 31;
    NetResult<Datagram> d = co_await socket.receive(in);
    if (!d || d.value.len != size || d.value.from_ipv4 != kServerIp || d.value.from_port != kEchoPort) co_return 32;
    if (std::memcmp(in.data(), out.data(), size) != 0) co_return 33;
  }
  co_return 0;
}

// Stands in for the timer service's deadline (not on this branch): completes after `turns` yields.
template <class T>
Task<T> expire(unsigned turns, T value) {
  for (unsigned i = 0; i < turns; ++i) co_await exec::yield_now();
  co_return value;
}

// Operations cancelled the way a timeout cancels them (when_any) leave the stream usable: a read
// that timed out, then an echo; a write blocked by back-pressure, then the rest of the stream,
// which must be an exact prefix of what was written (nothing lost in the middle, nothing doubled).
Task<int> cancelled_operations(NetStack& stack) {
  NetResult<TcpStream> s = co_await TcpStream::connect(stack, kServerIp, kEchoPort);
  if (!s) co_return 40;
  std::vector<std::uint8_t> in(1 << 16);
  auto timed_read = co_await exec::when_any(s.value.read(in), expire(50, NetResult<std::size_t>(NetError::Closed)));
  if (timed_read.index != 1) co_return 41;  // nothing was sent: the read cannot have completed
  const std::uint8_t hello[] = {'h', 'e', 'l', 'l', 'o'};
  if (co_await s.value.write(hello) != NetError::None) co_return 42;
  std::size_t got = 0;
  while (got < sizeof hello) {
    NetResult<std::size_t> n = co_await s.value.read(std::span(in.data() + got, sizeof hello - got));
    if (!n || n.value == 0) co_return 43;
    got += n.value;
  }
  if (std::memcmp(in.data(), hello, sizeof hello) != 0) co_return 44;

  // 16 MiB without reading the echo: the server's and our buffers fill and the write blocks.
  std::vector<std::uint8_t> big(16 * 1024 * 1024);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = pattern(i);
  auto timed_write = co_await exec::when_any(s.value.write(big), expire(2000, NetError::Closed));
  if (timed_write.index != 1) co_return 45;
  if (s.value.shutdown() != NetError::None) co_return 46;
  std::size_t total = 0;
  for (;;) {
    NetResult<std::size_t> n = co_await s.value.read(in);
    if (!n) co_return 47;
    if (n.value == 0) break;
    if (total + n.value > big.size() || std::memcmp(in.data(), big.data() + total, n.value) != 0) co_return 48;
    total += n.value;
  }
  if (total == 0) co_return 49;
  co_return 0;
}

// Runs `client` against the server, each in its own process; returns the client's status.
int run_pair(const StackBody& client, unsigned drop_every = 0) {
  return run_stack_pair(server, client, PairOptions{drop_every, 120});
}

}  // namespace

TEST(NetStack, TcpEchoOneConnectionLargeAndSmallPayloads) {
  EXPECT_EQ(run_pair([](NetStack& s) { return many_clients(s, 1, 12, 256 * 1024); }), 0);
}

TEST(NetStack, TcpEchoManyConnectionsAtOnce) {
  EXPECT_EQ(run_pair([](NetStack& s) { return many_clients(s, 24, 6, 20000); }), 0);
}

TEST(NetStack, CloseWithoutWaitingLosesNoData) {
  EXPECT_EQ(run_pair([](NetStack& s) { return sink_client(s); }), 0);
}

TEST(NetStack, UdpEchoIncludingFragmentedDatagrams) {
  EXPECT_EQ(run_pair([](NetStack& s) { return udp_client(s); }), 0);
}

TEST(NetStack, TcpRecoversFromALossyWire) {
  EXPECT_EQ(run_pair([](NetStack& s) { return many_clients(s, 2, 6, 64 * 1024); }, 23), 0);
}

TEST(NetStack, CancelledOperationsLeaveTheStreamConsistent) {
  EXPECT_EQ(run_pair([](NetStack& s) { return cancelled_operations(s); }), 0);
}
