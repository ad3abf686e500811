// Two processes sharing one memfd mapping, each pinned to a CPU: the harness of the IPC benchmarks.
// The peer runs a function in a forked child until told to stop.
#pragma once

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>

#include "sdk/host/Abi.h"
#include "sdk/host/Ipc.h"

namespace corokit::bench {

// Everything both processes touch.
struct Shared {
  host::PairHeader pair;
  alignas(64) host::PpcSlot slot;
  alignas(64) host::StatusPage status[2];  // [0] the benchmark side, [1] the peer
  alignas(64) std::atomic<uint32_t> ping;
  alignas(64) std::atomic<uint32_t> pong;
  alignas(64) std::atomic<uint32_t> ping_asleep;
  alignas(64) std::atomic<uint32_t> pong_asleep;
  alignas(64) std::atomic<uint32_t> stop;
  alignas(64) std::atomic<uint64_t> consumed;
};

inline void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

inline int cpu_count() {
  cpu_set_t set;
  return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

class TwoProcesses {
 public:
  // `peer` runs in the child on `peer_cpu`; this process moves to `my_cpu`.
  TwoProcesses(int my_cpu, int peer_cpu, std::function<void(Shared&)> peer) {
    void* p = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    shared_ = new (p) Shared();
    cpu_set_t old;
    sched_getaffinity(0, sizeof old, &old);
    old_ = old;
    pid_ = fork();
    if (pid_ == 0) {
      pin(peer_cpu);
      peer(*shared_);
      _exit(0);
    }
    pin(my_cpu);
  }
  ~TwoProcesses() {
    shared_->stop.store(1);
    // Wake a peer sleeping on any of the words it may wait on.
    for (host::Direction& d : shared_->pair.dir) {
      d.pending.fetch_or(uint64_t{1} << 63);
      d.woken.store(1);
      host::futex_wake(&d.woken, 8);
    }
    shared_->slot.call_seq.fetch_add(1);
    shared_->ping.fetch_add(1);
    host::futex_wake(&shared_->ping, 8);
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    sched_setaffinity(0, sizeof old_, &old_);
    munmap(shared_, sizeof(Shared));
  }
  Shared& shared() { return *shared_; }

 private:
  Shared* shared_;
  pid_t pid_;
  cpu_set_t old_;
};

}  // namespace corokit::bench
