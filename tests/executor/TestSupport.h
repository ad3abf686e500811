#pragma once

#include <cstddef>
#include <cstdint>

#include <gtest/gtest.h>

#include "executor/Executor.h"
#include "executor/host/HeapFramePool.h"

// Shared by the executor tests: a panic hook that aborts with the message (so death tests can
// match it), a global allocation counter (AllocationCounter.cpp replaces operator new), and a
// fixture owning a pool and an executor.

namespace corokit::exec::testing {

// Heap allocations made through the global operator new since the program started.
std::uint64_t heap_allocations() noexcept;

void install_abort_on_panic();

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorTest() { install_abort_on_panic(); }

  HeapFramePool frames;
  Executor executor{frames};
};

// Counts constructions and destructions, to prove destructors ran (cancellation, when_any losers).
struct Tracker {
  int constructed = 0;
  int destroyed = 0;
  int alive() const { return constructed - destroyed; }
};

class Tracked {
 public:
  explicit Tracked(Tracker& tracker) : tracker_(&tracker) { ++tracker_->constructed; }
  Tracked(const Tracked&) = delete;
  ~Tracked() { ++tracker_->destroyed; }

 private:
  Tracker* tracker_;
};

}  // namespace corokit::exec::testing
