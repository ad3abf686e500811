// Network benchmarks (BENCHMARKS.md), each against its peer or floor in the same run:
//
// * The device path in-process (tests/net/NetFixture.h): frames read by the driver's logic
//   (pds/net/NicDriver.h) from a backend that hands out a batch of frames (a memcpy standing in
//   for the kernel's read()) go through the Rx virtualiser and a copier to a client, which gives
//   the buffers back; packets per second and notifications requested per packet (by the driver,
//   virtualisers, copier and client), over batch sizes 1..256. Floor: the two copies of the frame
//   the path makes (backend into the Rx buffer, copier into the client's), so the ratio is the
//   framework's overhead per packet.
// * TCP bulk throughput between a host client and the PD system over TAP (examples/net_echo in a
//   network namespace the benchmark creates; needs root), host -> PD (discard, port 9) and PD ->
//   host (source, port 19), against the same transfer to a Linux-native socket server in the same
//   setup: the client's frames also cross a TAP device, read and written by one user-space process
//   (a frame forwarder between two TAP devices, one system call per frame as the driver makes)
//   into a second namespace where the server runs. Target: >= 0.5 x the native throughput. The
//   same server reached through a veth pair (kernel only, no TAP) is reported as well.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench/support/RatioSummary.h"
#include "tests/net/NetFixture.h"
#include "tests/support/StaleNetns.h"

namespace {

using corokit::net::ClientQueues;
using corokit::net::MacAddress;
using corokit::testing::NetFixture;

// ---- the device path, in-process -------------------------------------------------------------

constexpr std::uint16_t kFrameLen = 1514;

// The host side of the NIC: `pending` copies of one frame, then "nothing now".
struct BatchBackend final : corokit::net::FrameIo {
  const std::uint8_t* frame = nullptr;
  unsigned pending = 0;
  long read_frame(std::uint8_t* buffer, std::size_t capacity) noexcept override {
    if (pending == 0 || capacity < kFrameLen) return -1;
    --pending;
    std::memcpy(buffer, frame, kFrameLen);
    return kFrameLen;
  }
  long write_frame(const std::uint8_t*, std::size_t len) noexcept override { return static_cast<long>(len); }
};

void BM_DevicePath(benchmark::State& state) {
  const auto batch = static_cast<unsigned>(state.range(0));
  NetFixture::Options o;
  o.buffers = 512;
  NetFixture f(o);
  corokit::net::NicDriver driver(f.driver_config());
  const MacAddress outside{{0x02, 0x55, 0, 0, 0, 1}};
  auto frame = NetFixture::frame(f.client(0).mac, outside, kFrameLen, 1);
  BatchBackend backend;
  backend.frame = frame.data();
  std::uint64_t packets = 0;
  const std::uint64_t notifications_before = f.notifications();
  std::uint64_t client_signals = 0, driver_signals = 0;
  for (auto _ : state) {
    backend.pending = batch;
    driver_signals += static_cast<unsigned>(__builtin_popcount(driver.pass(backend).notify));
    f.run();
    ClientQueues& q = *f.client(0).queues;
    ClientQueues::Frame fr;
    while (q.receive(fr)) {
      benchmark::DoNotOptimize(fr.data[fr.len - 1]);
      q.release_rx(fr.offset);
      ++packets;
    }
    client_signals += q.flush().rx ? 1 : 0;
    q.prepare_wait(false);
  }
  state.counters["ops"] = batch;  // per iteration
  state.counters["notifications_per_packet"] =
      static_cast<double>(f.notifications() - notifications_before + client_signals + driver_signals) /
      static_cast<double>(packets);
  state.counters["packets_per_s"] = benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DevicePath)->Arg(1)->Arg(8)->Arg(64)->Arg(256);

void BM_FrameCopyFloor(benchmark::State& state) {
  std::vector<std::uint8_t> src(2048, 7), dma(512 * 2048), dst(512 * 2048);
  std::uint64_t n = 0;
  for (auto _ : state) {
    const std::size_t at = (n % 512) * 2048;
    std::memcpy(dma.data() + at, src.data(), kFrameLen);
    std::memcpy(dst.data() + at, dma.data() + at, kFrameLen);
    benchmark::ClobberMemory();
    ++n;
  }
}
BENCHMARK(BM_FrameCopyFloor);

// ---- TCP bulk over TAP vs a Linux-native server ------------------------------------------------

int sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

int setns_to(const std::string& ns) {
  int fd = open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int r = setns(fd, CLONE_NEWNET);
  close(fd);
  return r;
}

bool send_all(int s, const std::uint8_t* p, std::size_t n) {
  while (n != 0) {
    ssize_t w = send(s, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// The native peer: discard on 9, source on 19 (same protocol as the echo PD), one thread each.
void native_server(const std::string& ns, std::atomic<bool>& ready, std::atomic<bool>& stop) {
  if (setns_to(ns) != 0) return;
  auto listener = [](uint16_t port) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(s, 16);
    return s;
  };
  int discard = listener(9), source = listener(19);
  ready = true;
  std::thread d([&] {
    std::vector<std::uint8_t> buf(1 << 16);
    while (!stop) {
      int c = accept(discard, nullptr, nullptr);
      if (c < 0) break;
      while (recv(c, buf.data(), buf.size(), 0) > 0) {}
      close(c);
    }
  });
  std::vector<std::uint8_t> pattern(16384);
  for (std::size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<std::uint8_t>(i * 7 + 3);
  while (!stop) {
    int c = accept(source, nullptr, nullptr);
    if (c < 0) break;
    std::uint8_t h[8];
    if (recv(c, h, 8, MSG_WAITALL) == 8) {
      std::uint64_t count = 0;
      for (int i = 7; i >= 0; --i) count = count << 8 | h[i];
      while (count != 0) {
        std::size_t n = count < pattern.size() ? count : pattern.size();
        if (!send_all(c, pattern.data(), n)) break;
        count -= n;
      }
    }
    close(c);
  }
  shutdown(discard, SHUT_RDWR);
  close(discard);
  close(source);
  d.join();
}

int open_tap(const std::string& ns, const char* name) {
  int result = -1;
  std::thread t([&] {
    if (setns_to(ns) != 0) return;
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    ifreq ifr{};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    std::strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (fd >= 0 && ioctl(fd, TUNSETIFF, &ifr) == 0) result = fd;
    else if (fd >= 0) close(fd);
  });
  t.join();
  return result;
}

// Moves frames between two TAP devices, one read() and one write() per frame.
void forward_frames(int a, int b, std::atomic<bool>& stop) {
  std::vector<std::uint8_t> frame(65536);
  pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
  while (!stop) {
    if (poll(fds, 2, 100) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if ((fds[i].revents & POLLIN) == 0) continue;
      for (int k = 0; k < 64; ++k) {
        ssize_t n = read(fds[i].fd, frame.data(), frame.size());
        if (n <= 0) break;
        (void)!write(fds[1 - i].fd, frame.data(), static_cast<std::size_t>(n));
      }
    }
  }
}

// The setup: namespace "client" with tap0 (10.11.0.1/24) to the PD system; tap1 (10.13.0.1/24),
// whose frames the forwarder carries to tap2 (10.13.0.2/24) in namespace "native", where the native
// server runs; and veth0 (10.12.0.1/24) to the same namespace (10.12.0.2/24). Created once, removed
// at exit.
struct TapSetup {
  std::string client_ns, native_ns;
  pid_t system = -1;
  std::thread server, forwarder;
  int tap_a = -1, tap_b = -1;
  std::atomic<bool> ready{false}, stop{false};
  bool ok = false;
  std::string error;

  TapSetup() {
    if (geteuid() != 0) {
      error = "needs root (network namespaces and a TAP device)";
      return;
    }
    corokit::testing::remove_stale_netns("cknb");
    client_ns = "cknb" + std::to_string(getpid()) + "c";
    native_ns = "cknb" + std::to_string(getpid()) + "n";
    const std::string c = "ip -n " + client_ns + " ", n = "ip -n " + native_ns + " ";
    ok = sh("ip netns add " + client_ns) == 0 && sh("ip netns add " + native_ns) == 0 &&
         sh(c + "tuntap add dev tap0 mode tap") == 0 && sh(c + "addr add 10.11.0.1/24 dev tap0") == 0 &&
         sh(c + "link set tap0 up") == 0 && sh(c + "link set lo up") == 0 &&
         sh(c + "link add veth0 type veth peer name veth1 netns " + native_ns) == 0 &&
         sh(c + "addr add 10.12.0.1/24 dev veth0") == 0 && sh(c + "link set veth0 up") == 0 &&
         sh(n + "addr add 10.12.0.2/24 dev veth1") == 0 && sh(n + "link set veth1 up") == 0 &&
         sh(n + "link set lo up") == 0 && sh(c + "tuntap add dev tap1 mode tap") == 0 &&
         sh(c + "addr add 10.13.0.1/24 dev tap1") == 0 && sh(c + "link set tap1 up") == 0 &&
         sh(n + "tuntap add dev tap2 mode tap") == 0 && sh(n + "addr add 10.13.0.2/24 dev tap2") == 0 &&
         sh(n + "link set tap2 up") == 0;
    if (ok) {
      tap_a = open_tap(client_ns, "tap1");
      tap_b = open_tap(native_ns, "tap2");
      ok = tap_a >= 0 && tap_b >= 0;
    }
    if (!ok) {
      error = "could not create the namespaces";
      return;
    }
    server = std::thread([this] { native_server(native_ns, ready, stop); });
    forwarder = std::thread([this] { forward_frames(tap_a, tap_b, stop); });
    system = fork();
    if (system == 0) {
      int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl("/usr/bin/env", "env", "ip", "netns", "exec", client_ns.c_str(), COROKIT_BIN, "run", NET_ECHO_TAP_IMG,
            "--nic", "tap=tap0", "--timeout", "600", static_cast<char*>(nullptr));
      _exit(127);
    }
    // Ready when the PD answers on its discard port.
    ok = false;
    for (int i = 0; i < 200 && !ok; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      int s = connect_in_client("10.11.0.2", 9);
      if (s >= 0) {
        close(s);
        ok = ready;
      }
    }
    if (!ok) error = "the PD system did not come up";
  }
  ~TapSetup() {
    stop = true;
    if (forwarder.joinable()) forwarder.join();
    if (tap_a >= 0) close(tap_a);
    if (tap_b >= 0) close(tap_b);
    if (system > 0) {
      kill(system, SIGTERM);
      waitpid(system, nullptr, 0);
    }
    if (server.joinable()) {
      // Unblock the accepts.
      for (uint16_t port : {9, 19}) {
        int s = connect_in(native_ns, "10.12.0.2", port);
        if (s >= 0) close(s);
      }
      server.join();
    }
    if (!client_ns.empty()) sh("ip netns del " + client_ns);
    if (!native_ns.empty()) sh("ip netns del " + native_ns);
  }

  static int connect_in(const std::string& ns, const char* ip, uint16_t port) {
    int result = -1;
    std::thread t([&] {
      if (setns_to(ns) != 0) return;
      int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      inet_pton(AF_INET, ip, &a.sin_addr);
      if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        result = s;
      } else {
        close(s);
      }
    });
    t.join();
    return result;
  }
  int connect_in_client(const char* ip, uint16_t port) const { return connect_in(client_ns, ip, port); }
};

TapSetup& tap_setup() {
  static TapSetup setup;
  return setup;
}

constexpr std::uint64_t kTransfer = 16 * 1024 * 1024;

// One transfer: to the server's discard port (upload) or from its source port (download).
bool transfer(const char* ip, bool upload) {
  int s = tap_setup().connect_in_client(ip, upload ? 9 : 19);
  if (s < 0) return false;
  std::vector<std::uint8_t> buf(1 << 16, 0x5a);
  bool ok = true;
  if (upload) {
    for (std::uint64_t sent = 0; sent < kTransfer && ok; sent += buf.size()) ok = send_all(s, buf.data(), buf.size());
    shutdown(s, SHUT_WR);
    while (recv(s, buf.data(), buf.size(), 0) > 0) {}
  } else {
    std::uint8_t h[8];
    for (int i = 0; i < 8; ++i) h[i] = static_cast<std::uint8_t>(kTransfer >> (8 * i));
    ok = send_all(s, h, 8);
    std::uint64_t got = 0;
    for (ssize_t n; (n = recv(s, buf.data(), buf.size(), 0)) > 0;) got += static_cast<std::uint64_t>(n);
    ok = ok && got == kTransfer;
  }
  close(s);
  return ok;
}

void BM_TcpBulk(benchmark::State& state, const char* ip, bool upload) {
  TapSetup& setup = tap_setup();
  if (!setup.ok) {
    state.SkipWithError(setup.error.c_str());
    return;
  }
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    if (!transfer(ip, upload)) {
      state.SkipWithError("transfer failed");
      return;
    }
    bytes += kTransfer;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["ops"] = static_cast<double>(kTransfer);  // per iteration: ns per byte
  state.counters["real_time"] = 1;
}
BENCHMARK_CAPTURE(BM_TcpBulk, pd_upload, "10.11.0.2", true)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TcpBulk, native_upload, "10.13.0.2", true)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TcpBulk, veth_upload, "10.12.0.2", true)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TcpBulk, pd_download, "10.11.0.2", false)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TcpBulk, native_download, "10.13.0.2", false)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TcpBulk, veth_download, "10.12.0.2", false)->UseRealTime()->Unit(benchmark::kMillisecond);

std::string format_rate(double ns_per_byte) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MB/s", 1e3 / ns_per_byte);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace corokit::bench;
  return run_suite(argc, argv, "net", [](const Results& r, RatioTable& t) {
    auto mbps = [&](const char* name) { return format_rate(r.ns(name)); };
    for (const char* dir : {"upload", "download"}) {
      const std::string pd = std::string("BM_TcpBulk/pd_") + dir, native = std::string("BM_TcpBulk/native_") + dir,
                        veth = std::string("BM_TcpBulk/veth_") + dir;
      const std::string what = std::string(dir) == "upload" ? "host -> PD" : "PD -> host";
      if (r.has(pd) && r.has(native)) {
        t.lower_is_better("TCP bulk " + what + " over TAP vs native server behind TAP (time per byte)", r.ns(pd),
                          r.ns(native), 2.0, "native");
        t.info("TCP bulk " + what + " throughput: PD / native behind TAP", mbps(pd.c_str()), mbps(native.c_str()),
               r.ns(native) / r.ns(pd));
      }
      if (r.has(pd) && r.has(veth)) {
        t.info("TCP bulk " + what + " throughput: PD / native over veth (no TAP)", mbps(pd.c_str()), mbps(veth.c_str()),
               r.ns(veth) / r.ns(pd));
      }
    }
    for (const char* batch : {"1", "8", "64", "256"}) {
      const std::string name = std::string("BM_DevicePath/") + batch;
      if (!r.has(name)) continue;
      t.info(std::string("device path per packet, batch ") + batch + " (vs its two frame copies)", format_ns(r.ns(name)),
             format_ns(r.ns("BM_FrameCopyFloor")), r.ns(name) / r.ns("BM_FrameCopyFloor"));
      t.info(std::string("notifications per packet, batch ") + batch,
             std::to_string(r.counter(name, "notifications_per_packet")), "-", r.counter(name, "notifications_per_packet"));
    }
  });
}
