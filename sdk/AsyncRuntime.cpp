#include "sdk/AsyncRuntime.h"

#include "executor/Panic.h"
#include "sdk/Console.h"
#include "sdk/EventLoop.h"

namespace corokit {
namespace {

[[noreturn]] void crash_on_panic(const char* message) {
  sdk::console_line_parts(microkit_name, "|ERROR: executor panic: ", message);
  microkit_internal_crash(static_cast<seL4_Error>(0));
}

}  // namespace

AsyncRuntime::AsyncRuntime(void* arena, std::size_t bytes, exec::AsyncPdConfig config) noexcept
    : frames_(arena, bytes), pd_(*this, frames_, config) {
  exec::set_panic_handler(crash_on_panic);
}

void AsyncRuntime::start() noexcept {
  if (started_) return;
  started_ = true;
  if (!on_turn_end(&AsyncRuntime::run_turn, this)) exec::panic("corokit: no free turn hook for the executor");
}

bool AsyncRuntime::run_turn(void* self) { return static_cast<AsyncRuntime*>(self)->pd_.run_turn().more_work; }

exec::TimerService& AsyncRuntime::timers(unsigned channel, std::uintptr_t clock_page) noexcept {
  if (!timers_) {
    timer_client_.emplace(channel, clock_page);
    timer_client_->check_version();
    timers_.emplace(pd_, *timer_client_, static_cast<exec::ChannelId>(channel));
  }
  return *timers_;
}

void AsyncRuntime::notify(exec::ChannelId channel) noexcept {
  // Checked like microkit_deferred_notify, without its "several deferred actions" note: batching is
  // the point here.
  if (channel <= sdk::kMaxChannelId && (microkit_notifications >> channel) & 1) {
    sdk::defer_notify(channel);
  } else {
    microkit_deferred_notify(channel);
  }
}

void AsyncRuntime::irq_ack(exec::ChannelId channel) noexcept {
  if (channel <= sdk::kMaxChannelId && (microkit_irqs >> channel) & 1) {
    sdk::defer_irq_ack(channel);
  } else {
    microkit_deferred_irq_ack(channel);
  }
}

}  // namespace corokit
