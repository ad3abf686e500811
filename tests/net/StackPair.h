// Test support: runs a NetStack with a task in a forked process, over ClientMemory, with the Wire
// that carries its frames to the peer; the test process only orchestrates.
#pragma once

#include <cstdint>
#include <functional>

#include "executor/Task.h"
#include "executor/net/NetStack.h"
#include "tests/net/TestLink.h"

namespace corokit::testing {

using StackBody = std::function<exec::Task<int>(net::NetStack&)>;

struct EndpointOptions {
  net::NetStackConfig config;
  double timeout_s = 60;
  const volatile int* stop = nullptr;  // the loop ends (result 0) when this becomes non-zero
  unsigned drop_every = 0;             // the outgoing wire drops every n-th frame
};

// In the calling process: the stack, the body as a task, polling turns until the body finishes.
// Returns the body's result, 98 if it was cancelled, 99 on timeout.
int run_endpoint(ClientMemory& mine, ClientMemory& peer, const EndpointOptions& options, const StackBody& body);

// Forks a process running run_endpoint; returns its pid.
int fork_endpoint(ClientMemory& mine, ClientMemory& peer, const EndpointOptions& options, const StackBody& body);
// Waits for `pid` up to `timeout_s`, killing it after; returns its exit status (or -1 if killed).
int wait_endpoint(int pid, double timeout_s);

// A shared int (MAP_SHARED) for stop flags.
volatile int* shared_flag();

// The usual pair: a server at 10.0.0.2 (MAC ..:02) and a client at 10.0.0.1 (MAC ..:01).
inline constexpr std::uint32_t kPairServerIp = 0x0a000002;
inline constexpr std::uint32_t kPairClientIp = 0x0a000001;
// A static address `ip`/24, MAC 02:00:00:00:00:`last`, Rx on channel 1 and Tx on 2.
net::NetStackConfig pair_config(std::uint32_t ip, std::uint8_t last);

struct PairOptions {
  unsigned drop_every = 0;      // both wires drop every n-th frame
  double server_timeout_s = 120;
};
// Runs `server` and `client` in processes of their own on one wire; waits for the client (110 s at
// most), then for `before_stop` (the server's own checks, if any), then stops the server, which must
// end with 0 (checked). Returns the client's status.
int run_stack_pair(const StackBody& server, const StackBody& client, const PairOptions& options = {},
                   const std::function<void()>& before_stop = {});

}  // namespace corokit::testing
