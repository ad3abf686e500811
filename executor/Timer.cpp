#include "executor/Timer.h"

#include "sdk/protocol/Timer.h"

namespace corokit::exec {

TimerService* TimerService::installed_ = nullptr;

TimerService::TimerService(AsyncPd& pd, TimerDevice& device, ChannelId channel) noexcept
    : pd_(pd), device_(device), previous_(installed_) {
  pd_.sources().attach(channel, *this);
  pd_.add_turn_end_hook(*this);
  installed_ = this;
}

TimerService::~TimerService() {
  if (!queue_.empty()) panic("corokit executor: TimerService destroyed while timers are pending");
  if (installed_ == this) installed_ = previous_;
  pd_.remove_turn_end_hook(*this);
}

void TimerService::on_notified(ChannelId) noexcept {
  ++stats_.wakeups;
  const std::uint64_t t = device_.now();
  // The driver clears a deadline when it notifies, and only once the clock has reached it; this
  // read comes after that notification, so it sees the same or a later time.
  if (armed_ && armed_deadline_ <= t) armed_ = false;
  const std::uint64_t before = stats_.expired;
  expire(t);
  if (stats_.expired == before) ++stats_.spurious_wakeups;
}

bool TimerService::on_turn_end() noexcept {
  if (queue_.empty()) return false;
  std::uint64_t earliest = queue_.earliest();
  if (armed_ && earliest >= armed_deadline_) return false;  // the driver wakes us no later than that
  // The earliest deadline is not covered. If it has already passed, expire it here rather than
  // asking the driver for a wake-up that would come at once.
  const std::uint64_t t = device_.now();
  if (earliest <= t) {
    expire(t);
    if (queue_.empty()) return false;
    earliest = queue_.earliest();
    if (armed_ && earliest >= armed_deadline_) return false;
  }
  if (earliest > CK_TIMER_MAX_DEADLINE) return false;  // about 292 years away: never within this system's life
  ++stats_.deadline_requests;
  if (device_.set_deadline(earliest)) {
    armed_ = true;
    armed_deadline_ = earliest;
    return false;
  }
  // Refused (this PD exceeded the driver's request budget): nothing will wake us, so ask for another
  // turn without waiting and try again then.
  ++stats_.deadline_refused;
  armed_ = false;
  return true;
}

void TimerService::expire(std::uint64_t t) noexcept {
  if (t > latest_now_) latest_now_ = t;
  // In batches: what each expiry touches is prefetched while the next nodes are popped.
  constexpr unsigned kBatch = 32;
  TimerNode* batch[kBatch];
  unsigned count;
  do {
    count = 0;
    while (count < kBatch) {
      TimerNode* node = queue_.pop_expired(t);
      if (node == nullptr) break;
      if (node->touches != nullptr) {  // a task record, and the coroutine frame right behind it
        __builtin_prefetch(node->touches, 1);
        __builtin_prefetch(static_cast<const char*>(node->touches) + 64, 1);
        __builtin_prefetch(static_cast<const char*>(node->touches) + 128, 1);
      }
      batch[count++] = node;
    }
    stats_.expired += count;
    for (unsigned i = 0; i < count; ++i) batch[i]->expire(*batch[i]);
  } while (count == kBatch);
}

Tick Interval::advance() noexcept {
  const Instant scheduled = next_;
  const Instant now = timers_.last_now();
  Tick tick{scheduled, 0};
  const Instant following = scheduled + period_;
  if (policy_ == MissedTicks::Burst || now < following) {
    next_ = following;
    return tick;
  }
  const std::uint64_t late_periods = (now - scheduled) / period_;  // >= 1
  tick.missed = late_periods;
  if (policy_ == MissedTicks::Skip) {
    next_ = scheduled + period_ * (late_periods + 1);
  } else {
    next_ = now + period_;
  }
  return tick;
}

}  // namespace corokit::exec
