// A network client PD: TCP and UDP echo on port 7, TCP discard on port 9 (reads everything, for
// throughput measurements), and on port 19 a source that reads an 8-byte little-endian count and
// sends that many bytes, then closes (no byte lost to the close). Prints "<name>: ready <address>"
// once it has an IPv4 address. Every connection is a task; many run at once.
#include <cstring>

#include "executor/net/Tcp.h"
#include "executor/net/Udp.h"
#include "pds/net/NetClient.h"
#include "sdk/AsyncPd.h"
#include "sdk/include/microkit.h"

namespace {

using namespace corokit;
using namespace corokit::net;
using exec::Task;

std::uint8_t g_pattern[16384];

Task<void> echo_connection(TcpStream s) {
  std::uint8_t buffer[8192];
  for (;;) {
    NetResult<std::size_t> n = co_await s.read(buffer);
    if (!n || n.value == 0) break;
    if (co_await s.write(std::span<const std::uint8_t>(buffer, n.value)) != NetError::None) break;
  }
  co_await s.close();
}

Task<void> discard_connection(TcpStream s) {
  std::uint8_t buffer[8192];
  for (;;) {
    NetResult<std::size_t> n = co_await s.read(buffer);
    if (!n || n.value == 0) break;
  }
  co_await s.close();
}

Task<void> source_connection(TcpStream s) {
  std::uint8_t header[8];
  std::size_t got = 0;
  while (got < sizeof header) {
    NetResult<std::size_t> n = co_await s.read(std::span<std::uint8_t>(header + got, sizeof header - got));
    if (!n || n.value == 0) co_return;
    got += n.value;
  }
  std::uint64_t count = 0;
  for (int i = 7; i >= 0; --i) count = count << 8 | header[i];
  while (count != 0) {
    const std::size_t n = count < sizeof g_pattern ? static_cast<std::size_t>(count) : sizeof g_pattern;
    if (co_await s.write(std::span<const std::uint8_t>(g_pattern, n)) != NetError::None) co_return;
    count -= n;
  }
  co_await s.close();
}

Task<void> listen(NetStack& stack, std::uint16_t port, Task<void> (*handler)(TcpStream)) {
  TcpListener listener(stack);
  if (NetError e = listener.listen(port, 32); e != NetError::None) {
    log::error(microkit_name, ": listen on ", port, ": ", to_string(e));
    co_return;
  }
  for (;;) {
    NetResult<TcpStream> s = co_await listener.accept();
    if (!s) continue;
    stack.pd().spawn_detached(handler(std::move(s.value)));
  }
}

Task<void> udp_echo(NetStack& stack) {
  UdpSocket socket(stack);
  if (socket.bind(7) != NetError::None) co_return;
  static std::uint8_t buffer[65536];
  for (;;) {
    NetResult<Datagram> d = co_await socket.receive(buffer);
    if (!d) continue;
    socket.send_to(std::span<const std::uint8_t>(buffer, d.value.len), d.value.from_ipv4, d.value.from_port);
  }
}

Task<void> announce(NetStack& stack) {
  co_await stack.address_ready();
  const std::uint32_t a = stack.ipv4_address();
  log::info(microkit_name, ": ready ", a >> 24, ".", (a >> 16) & 0xff, ".", (a >> 8) & 0xff, ".", a & 0xff);
}

struct Echo {
  NetClient net;

  void start(exec::AsyncPd& pd) {
    for (std::size_t i = 0; i < sizeof g_pattern; ++i) g_pattern[i] = static_cast<std::uint8_t>(i * 7 + 3);
    if (!net.start(pd)) return;
    NetStack& stack = net.stack();
    pd.spawn_detached(listen(stack, 7, echo_connection));
    pd.spawn_detached(listen(stack, 9, discard_connection));
    pd.spawn_detached(listen(stack, 19, source_connection));
    pd.spawn_detached(udp_echo(stack));
    pd.spawn_detached(announce(stack));
  }
};

}  // namespace

COROKIT_ASYNC_PD(Echo, 2 * 1024 * 1024);
