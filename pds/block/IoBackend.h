// The device under the block driver's request logic (DriverCore): asynchronous reads, writes and
// flushes that a task awaits. The host board's backend is io_uring (UringBackend); tests use a
// volatile-write-cache model (tests/block/CacheModelBackend.h) that completes operations in any
// order and can lose unflushed writes in a simulated power cut.
//
//   IoOp op{IoKind::Read, buffer, length, offset};
//   int32_t result = co_await io.run(op);   // bytes transferred, or -errno
//
// start() queues an operation; submit() hands every queued one to the device (one system call on
// io_uring); reap() completes finished operations, waking their tasks. Freestanding.
//
// A backend may also do a transfer synchronously, in the caller, when that is cheaper than the
// asynchronous path (UringBackend with the image's descriptor: see docs/block.md, Performance):
//   read_now   never waits for the device: data that is at hand (a page-cache hit), or kLater;
//   write_now  a write done before it returns (it may take the time of the copy), or kLater.
// Both return bytes transferred (maybe short: the caller continues the rest asynchronously), -errno,
// or kLater when the operation must go through start().
#pragma once

#include <cstdint>

#include "executor/Task.h"
#include "executor/WaitQueue.h"

namespace corokit::block {

enum class IoKind : uint8_t { Read, Write, Flush };

class IoBackend;

// One device operation; lives in the frame of the task awaiting it.
struct IoOp {
  IoKind kind = IoKind::Read;
  void* buffer = nullptr;
  uint32_t length = 0;
  uint64_t offset = 0;  // bytes on the device
  int32_t result = 0;   // bytes transferred, or -errno
  bool done = false;
  exec::TaskRecord* task = nullptr;  // the awaiting task
  uint32_t slot = 0;                 // the backend's bookkeeping

  // Called by the backend when the operation finished.
  void complete(int32_t res) noexcept {
    result = res;
    done = true;
    if (task != nullptr) task->executor->schedule(*task);
  }
};

class IoBackend {
 public:
  static constexpr int32_t kLater = INT32_MIN;

  virtual int32_t read_now(IoOp&) noexcept { return kLater; }
  virtual int32_t write_now(IoOp&) noexcept { return kLater; }
  // Queues `op` for the next submit(). The backend holds at most max_in_flight() operations.
  virtual void start(IoOp& op) noexcept = 0;
  virtual void submit() noexcept = 0;
  // Completes every finished operation; returns how many.
  virtual uint32_t reap() noexcept = 0;
  virtual uint32_t in_flight() const noexcept = 0;  // started and not yet completed
  virtual uint32_t max_in_flight() const noexcept = 0;

  class Awaiter {
   public:
    Awaiter(IoBackend& io, IoOp& op) noexcept : io_(io), op_(op) {}
    bool await_ready() const noexcept { return false; }
    template <exec::detail::TaskPromiseType P>
    void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
      op_.task = &exec::detail::suspend_point(awaiting);
      op_.done = false;
      io_.start(op_);
    }
    int32_t await_resume() const noexcept { return op_.result; }

   private:
    IoBackend& io_;
    IoOp& op_;
  };
  Awaiter run(IoOp& op) noexcept { return Awaiter(*this, op); }

 protected:
  ~IoBackend() = default;
};

}  // namespace corokit::block
