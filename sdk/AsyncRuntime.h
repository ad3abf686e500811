// Writing a PD as coroutines: the binding of the executor (executor/AsyncPd.h) to the PD's event
// loop, and a one-line registration.
//
//   struct Clock {
//     static constexpr unsigned kTimer = 0;           // channel to the timer driver (pp on this end)
//     void init(corokit::AsyncRuntime& rt) {
//       exec::TimerService& timers = rt.timers(kTimer, clock_page);
//       rt.pd().spawn_detached(tick(timers));
//     }
//     // optional: corokit::MessageInfo protected_call(corokit::Channel, corokit::MessageInfo);
//     // optional: static constexpr std::size_t kFrameArenaBytes = ...;   (default 1 MiB)
//   };
//   COROKIT_ASYNC_PD(Clock);
//
// The runtime owns the PD's frame pool (a fixed arena in .bss) and its AsyncPd. Every notification
// goes to AsyncPd::on_notified (tasks await channels, adapters register event sources); after each
// wake-up's entry point, a turn hook runs the tasks until they stall or the turn budget is spent, in
// which case the loop polls for events instead of blocking. Notifications and IRQ acks the tasks
// raise are Microkit's deferred ones: sent, deduplicated, when the PD next waits. An executor panic
// prints the message and crashes the PD (a fault the monitor reports). Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>

#include "executor/AsyncPd.h"
#include "executor/FramePool.h"
#include "executor/Optional.h"
#include "executor/Timer.h"
#include "sdk/Pd.h"
#include "sdk/TimerClient.h"

namespace corokit {

class AsyncRuntime final : exec::PdPlatform {
 public:
  static constexpr std::size_t kDefaultFrameArenaBytes = std::size_t{1} << 20;

  // Task frames come from `arena` (a fixed pool: running out is a panic).
  AsyncRuntime(void* arena, std::size_t bytes, exec::AsyncPdConfig config = {}) noexcept;
  AsyncRuntime(const AsyncRuntime&) = delete;
  AsyncRuntime& operator=(const AsyncRuntime&) = delete;

  exec::AsyncPd& pd() noexcept { return pd_; }
  exec::FramePool& frames() noexcept { return frames_; }

  // The PD's timer service, created on the first call: `channel` is this PD's channel to the timer
  // driver, `clock_page` the vaddr of the clock page (0 if the PD maps none: every clock read is
  // then a PPC). The first call checks the driver's protocol version (one GET_INFO).
  exec::TimerService& timers(unsigned channel, std::uintptr_t clock_page) noexcept;
  TimerClient* timer_client() noexcept { return timer_client_ ? &*timer_client_ : nullptr; }

  // --- entry points, called by COROKIT_ASYNC_PD ---
  // Registers the turn hook; from init(), before the PD's own init code.
  void start() noexcept;
  void notified(unsigned channel) noexcept { pd_.on_notified(static_cast<exec::ChannelId>(channel)); }

 private:
  void notify(exec::ChannelId channel) noexcept override;
  void irq_ack(exec::ChannelId channel) noexcept override;
  static bool run_turn(void* self);

  exec::FramePool frames_;
  exec::AsyncPd pd_;
  exec::Optional<TimerClient> timer_client_;
  exec::Optional<exec::TimerService> timers_;  // after pd_: destroyed first
  bool started_ = false;
};

namespace detail {

template <typename T>
constexpr std::size_t frame_arena_bytes() {
  if constexpr (requires { T::kFrameArenaBytes; }) {
    return T::kFrameArenaBytes;
  } else {
    return AsyncRuntime::kDefaultFrameArenaBytes;
  }
}

}  // namespace detail
}  // namespace corokit

#define COROKIT_ASYNC_PD(Type)                                                                            \
  namespace {                                                                                             \
  alignas(16) unsigned char corokit_frame_arena[corokit::detail::frame_arena_bytes<Type>()];              \
  corokit::AsyncRuntime corokit_async_runtime(corokit_frame_arena, sizeof corokit_frame_arena);           \
  Type corokit_pd_instance;                                                                               \
  }                                                                                                       \
  extern "C" void init(void) {                                                                            \
    corokit_async_runtime.start();                                                                        \
    corokit_pd_instance.init(corokit_async_runtime);                                                      \
  }                                                                                                       \
  extern "C" void notified(microkit_channel ch) { corokit_async_runtime.notified(ch); }                    \
  extern "C" microkit_msginfo microkit_protected_entry(microkit_channel ch, microkit_msginfo msg) {       \
    return corokit::detail::call_protected(corokit_pd_instance, ch, msg);                                  \
  }                                                                                                       \
  extern "C" seL4_Bool fault(microkit_child child, microkit_msginfo msg, microkit_msginfo* reply) {       \
    return corokit::detail::call_fault(corokit_pd_instance, child, msg, reply);                            \
  }                                                                                                       \
  static_assert(true, "")
