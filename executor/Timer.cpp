#include "executor/Timer.h"

#include "sdk/protocol/Timer.h"

namespace corokit::exec {

TimerService* TimerService::installed_ = nullptr;

TimerService::TimerService(AsyncPd& pd, TimerDevice& device, ChannelId channel, TimerConfig config) noexcept
    : pd_(pd), device_(device), config_(config), previous_(installed_) {
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
  const bool reached = armed_ && armed_deadline_ <= t;
  if (reached) armed_ = false;
  const std::uint64_t before = stats_.expired;
  expire(t);
  // An early wake-up for spinning (TimerConfig::spin) expires nothing by design.
  if (stats_.expired == before && !(reached && config_.spin.ns() != 0)) ++stats_.spurious_wakeups;
}

bool TimerService::on_turn_end() noexcept {
  if (queue_.empty()) return false;
  std::uint64_t earliest = queue_.earliest();
  const std::uint64_t spin = config_.spin.ns();
  if (spin == 0 && armed_ && earliest >= armed_deadline_) return false;  // the driver wakes us in time
  // If the earliest deadline has already passed, expire it here rather than asking the driver for
  // a wake-up that would come at once.
  const std::uint64_t t = now().ns();
  if (earliest <= t) {
    expire(t);
    if (queue_.empty()) return false;
    earliest = queue_.earliest();
  }
  // With TimerConfig::spin the driver wakes the PD that much early, and the PD polls from then on
  // and expires the timer itself.
  const std::uint64_t wake = earliest > spin ? earliest - spin : 0;
  if (spin != 0 && t >= wake) {
    ++stats_.spin_turns;
    return true;
  }
  if ((armed_ && wake >= armed_deadline_) || earliest > CK_TIMER_MAX_DEADLINE) return false;
  ++stats_.deadline_requests;
  if (device_.set_deadline(wake)) {
    armed_ = true;
    armed_deadline_ = wake;
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
