#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <vector>

// The floor the executor is measured against (BENCHMARKS.md): the least a C++20 coroutine
// executor can do. A ring of coroutine handles as the ready queue, a yield awaitable that pushes
// the handle, a fire-and-forget task whose frames come from a one-size free list. No records, no
// cancellation, no results, no wake-up bookkeeping.

namespace corokit::bench::floor {

class ReadyQueue {
 public:
  explicit ReadyQueue(std::size_t capacity) : ring_(round_up(capacity)), mask_(ring_.size() - 1) {}
  void push(std::coroutine_handle<> h) noexcept { ring_[tail_++ & mask_] = h; }
  std::coroutine_handle<> pop() noexcept { return ring_[head_++ & mask_]; }
  bool empty() const noexcept { return head_ == tail_; }

 private:
  static std::size_t round_up(std::size_t n) {
    std::size_t size = 1;
    while (size < n) size <<= 1;
    return size;
  }
  std::vector<std::coroutine_handle<>> ring_;
  std::size_t mask_;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
};

inline ReadyQueue* g_queue = nullptr;

// One free list of fixed-size blocks: the "pooled frames" floor.
struct FramePool {
  static constexpr std::size_t kBlock = 256;
  struct Free {
    Free* next;
  };
  Free* head = nullptr;
  std::vector<void*> owned;

  void* allocate(std::size_t bytes) {
    if (bytes > kBlock) std::abort();
    if (head != nullptr) {
      Free* block = head;
      head = block->next;
      return block;
    }
    void* block = std::malloc(kBlock);
    owned.push_back(block);
    return block;
  }
  void deallocate(void* p) noexcept {
    auto* block = static_cast<Free*>(p);
    block->next = head;
    head = block;
  }
  ~FramePool() {
    for (void* block : owned) std::free(block);
  }
};

inline FramePool* g_pool = nullptr;

struct Task {
  struct promise_type {
    static void* operator new(std::size_t bytes) { return g_pool->allocate(bytes); }
    static void operator delete(void* p) noexcept { g_pool->deallocate(p); }
    Task get_return_object() noexcept { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
  std::coroutine_handle<promise_type> handle;
};

struct Yield {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const noexcept { g_queue->push(h); }
  void await_resume() const noexcept {}
};

// Runs queued coroutines; destroys the ones that finished.
inline std::size_t run(std::size_t budget) {
  std::size_t resumed = 0;
  while (resumed < budget && !g_queue->empty()) {
    std::coroutine_handle<> h = g_queue->pop();
    h.resume();
    if (h.done()) h.destroy();
    ++resumed;
  }
  return resumed;
}

}  // namespace corokit::bench::floor
