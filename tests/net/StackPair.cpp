#include "tests/net/StackPair.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include <gtest/gtest.h>

#include "executor/Panic.h"
#include "executor/host/HeapFramePool.h"

namespace corokit::testing {
namespace {

double seconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Platform final : exec::PdPlatform {
  void notify(exec::ChannelId) override {}
  void irq_ack(exec::ChannelId) override {}
};

struct MonotonicClock final : net::NetClock {
  std::uint64_t now_ns() noexcept override {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
  }
};

[[noreturn]] void report_panic(const char* message) {
  std::fprintf(stderr, "endpoint panic: %s\n", message);
  std::fflush(stderr);
  _exit(97);
}

}  // namespace

int run_endpoint(ClientMemory& mine, ClientMemory& peer, const EndpointOptions& options, const StackBody& body) {
  exec::set_panic_handler(report_panic);
  // Never destroyed: the process ends with the endpoint, and tasks of the body (listeners,
  // connections) still wait on the stack's objects.
  struct Endpoint {
    exec::HeapFramePool frames;
    Platform platform;
    exec::AsyncPd pd{platform, frames};
    net::ClientQueues queues;
    MonotonicClock clock;
    net::NetStack stack;
    Endpoint(ClientMemory& m, const net::NetStackConfig& c) : queues(m.config()), stack(pd, queues, clock, c) {}
  };
  auto* e = new Endpoint(mine, options.config);
  e->stack.start();
  exec::JoinHandle<int> job = e->pd.spawn(body(e->stack));
  Wire wire(mine, peer);
  wire.drop_every(options.drop_every);
  const double deadline = seconds() + options.timeout_s;
  int result = 99;
  unsigned idle = 0;
  for (;;) {
    e->pd.on_notified(options.config.rx_channel);
    e->pd.run_turn();
    const unsigned moved = wire.pass();
    e->stack.run_timers();
    if (job.done()) {
      exec::Outcome<int> outcome = job.outcome();
      result = outcome ? outcome.value() : 98;
      break;
    }
    if (options.stop != nullptr && *options.stop != 0) {
      result = 0;
      break;
    }
    if (seconds() > deadline) {
      std::fprintf(stderr, "endpoint: timed out\n");
      break;
    }
    idle = moved != 0 || mine.rx_active()->tail != mine.rx_active()->head ? 0 : idle + 1;
    if (idle > 64) usleep(50);
  }
  job.detach();
  return result;
}

int fork_endpoint(ClientMemory& mine, ClientMemory& peer, const EndpointOptions& options, const StackBody& body) {
  std::fflush(nullptr);
  int pid = fork();
  if (pid == 0) {
    int rc = run_endpoint(mine, peer, options, body);
    std::fflush(nullptr);
    _exit(rc);
  }
  return pid;
}

int wait_endpoint(int pid, double timeout_s) {
  const double deadline = seconds() + timeout_s;
  for (;;) {
    int status = 0;
    int r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFSIGNALED(status)) std::fprintf(stderr, "endpoint %d: killed by signal %d\n", pid, WTERMSIG(status));
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (seconds() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    usleep(2000);
  }
}

volatile int* shared_flag() {
  void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return static_cast<volatile int*>(p);
}

net::NetStackConfig pair_config(std::uint32_t ip, std::uint8_t last) {
  net::NetStackConfig c;
  c.mac = net::MacAddress{{0x02, 0, 0, 0, 0, last}};
  c.ipv4.dhcp = false;
  c.ipv4.address = ip;
  c.ipv4.prefix = 24;
  c.rx_channel = 1;
  c.tx_channel = 2;
  return c;
}

int run_stack_pair(const StackBody& server, const StackBody& client, const PairOptions& options,
                   const std::function<void()>& before_stop) {
  ClientMemory server_mem, client_mem;
  volatile int* stop = shared_flag();
  EndpointOptions s;
  s.config = pair_config(kPairServerIp, 2);
  s.stop = stop;
  s.timeout_s = options.server_timeout_s;
  s.drop_every = options.drop_every;
  EndpointOptions c;
  c.config = pair_config(kPairClientIp, 1);
  c.timeout_s = 100;
  c.drop_every = options.drop_every;
  const int server_pid = fork_endpoint(server_mem, client_mem, s, server);
  const int client_pid = fork_endpoint(client_mem, server_mem, c, client);
  const int status = wait_endpoint(client_pid, 110);
  if (before_stop) before_stop();
  *stop = 1;
  EXPECT_EQ(wait_endpoint(server_pid, 10), 0);
  munmap(const_cast<int*>(stop), 4096);
  return status;
}

}  // namespace corokit::testing
