// Writing a PD as coroutines: the executor (executor/AsyncPd.h) bound to this PD's event loop.
//
//   struct Echo {
//     // Called from init(): spawn the PD's tasks on `pd`.
//     void start(corokit::exec::AsyncPd& pd) { pd.spawn_detached(serve(pd)); }
//     corokit::exec::Task<void> serve(corokit::exec::AsyncPd& pd) {
//       for (;;) {
//         co_await pd.channel(0).notified();
//         pd.notify(1);  // sent once, at the end of the turn
//       }
//     }
//     // Optional, as for COROKIT_PD: protected_call(), fault(), notified() (runs before the tasks
//     // woken by the same notification).
//   };
//   COROKIT_ASYNC_PD(Echo, 64 * 1024);  // bytes of coroutine frames
//
// How it runs (docs/sdk.md): every notified(ch) of a wake-up wakes exactly the tasks awaiting
// channel ch; then, once per loop iteration, the executor runs ready tasks until none is ready or
// the turn budget is spent. Notifications and IRQ acks raised by tasks are deduplicated and leave
// with the PD's next wait. A turn that ends with work left makes the next wait a poll, so pending
// PPCs and notifications are served between turns and the PD never blocks with ready tasks.
// Freestanding.
#pragma once

#include <cstddef>

#include "executor/AsyncPd.h"
#include "executor/FramePool.h"
#include "sdk/EventLoop.h"
#include "sdk/Pd.h"

namespace corokit {

// The platform half of the executor seam, implemented with the event loop's deferred (batched)
// notify and IRQ ack.
class AsyncRuntime final : public exec::PdPlatform {
 public:
  AsyncRuntime(void* frame_arena, std::size_t frame_bytes, exec::AsyncPdConfig config = {}) noexcept
      : frames_(frame_arena, frame_bytes), pd_(*this, frames_, config) {
    sdk::add_turn_hook(&AsyncRuntime::turn, this);
  }
  ~AsyncRuntime() { sdk::remove_turn_hook(&AsyncRuntime::turn, this); }
  AsyncRuntime(const AsyncRuntime&) = delete;
  AsyncRuntime& operator=(const AsyncRuntime&) = delete;

  exec::AsyncPd& pd() noexcept { return pd_; }

 private:
  void notify(exec::ChannelId ch) override { microkit_deferred_notify(ch); }
  void irq_ack(exec::ChannelId ch) override { microkit_deferred_irq_ack(ch); }
  static bool turn(void* self) { return static_cast<AsyncRuntime*>(self)->pd_.run_turn().more_work; }

  exec::FramePool frames_;
  exec::AsyncPd pd_;
};

namespace detail {

template <typename T>
void async_notified(T& pd, AsyncRuntime& runtime, microkit_channel ch) {
  if constexpr (requires { pd.notified(Channel(ch)); }) pd.notified(Channel(ch));
  runtime.pd().on_notified(static_cast<exec::ChannelId>(ch));
}

}  // namespace detail
}  // namespace corokit

#define COROKIT_ASYNC_PD(Type, frame_bytes)                                                           \
  namespace {                                                                                         \
  alignas(corokit::exec::FramePool::kAlignment) unsigned char corokit_frame_arena[frame_bytes];      \
  corokit::AsyncRuntime corokit_async_runtime(corokit_frame_arena, sizeof corokit_frame_arena);      \
  Type corokit_pd_instance;                                                                           \
  }                                                                                                   \
  extern "C" void init(void) { corokit_pd_instance.start(corokit_async_runtime.pd()); }               \
  extern "C" void notified(microkit_channel ch) {                                                     \
    corokit::detail::async_notified(corokit_pd_instance, corokit_async_runtime, ch);                  \
  }                                                                                                   \
  extern "C" microkit_msginfo microkit_protected_entry(microkit_channel ch, microkit_msginfo msg) {   \
    return corokit::detail::call_protected(corokit_pd_instance, ch, msg);                              \
  }                                                                                                   \
  extern "C" seL4_Bool fault(microkit_child child, microkit_msginfo msg, microkit_msginfo* reply) {   \
    return corokit::detail::call_fault(corokit_pd_instance, child, msg, reply);                        \
  }                                                                                                   \
  static_assert(true, "")
