// Test support: runs a NetStack with a task in a forked process, over ClientMemory, with the Wire
// that carries its frames to the peer; the test process only orchestrates.
#pragma once

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

}  // namespace corokit::testing
