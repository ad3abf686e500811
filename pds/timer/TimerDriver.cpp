#include "pds/timer/TimerDriver.h"

namespace corokit::pds {

TimerDriver::TimerDriver(TimerHardware& hardware, TimerDriverConfig config) noexcept
    : hardware_(hardware), config_(config) {
  if (config_.refill_ns == 0) config_.refill_ns = 1;
}

TimerDriver::Reply TimerDriver::handle(unsigned channel, std::uint64_t label, unsigned count, std::uint64_t mr0,
                                       std::uint64_t& notify) noexcept {
  Reply error;
  error.label = CK_TIMER_ERR;
  if (channel >= kMaxClients) return error;
  Client& client = clients_[channel];
  ++client.stats.requests;
  Reply ok;
  switch (label) {
    case CK_TIMER_GET_TIME:
      ok.count = 1;
      ok.mr[0] = hardware_.now();
      return ok;
    case CK_TIMER_GET_INFO:
      ok.count = 2;
      ok.mr[0] = CK_TIMER_PROTOCOL_VERSION;
      ok.mr[1] = config_.resolution_ns;
      return ok;
    case CK_TIMER_SET_TIMEOUT:
    case CK_TIMER_SET_DEADLINE: {
      if (count < 1) {
        ++client.stats.bad_count;
        return error;
      }
      if (label == CK_TIMER_SET_DEADLINE && mr0 > CK_TIMER_MAX_DEADLINE) {
        ++client.stats.overflow;
        return error;
      }
      const std::uint64_t now = hardware_.now();
      if (!take_token(client, now)) return error;
      std::uint64_t deadline = mr0;
      if (label == CK_TIMER_SET_TIMEOUT) {  // now + MR0, saturating at the latest deadline
        deadline = mr0 > CK_TIMER_MAX_DEADLINE - now ? CK_TIMER_MAX_DEADLINE : now + mr0;
      }
      set(channel, deadline, now, notify);
      return ok;
    }
    case CK_TIMER_CANCEL:
      if (!take_token(client, hardware_.now())) return error;
      clear(channel);
      reprogram();
      return ok;
    default:
      ++client.stats.bad_label;
      return error;
  }
}

bool TimerDriver::take_token(Client& client, std::uint64_t now) noexcept {
  if (!client.bucket_started) {
    client.bucket_started = true;
    client.tokens = config_.burst;
    client.refilled_at = now;
  } else if (now > client.refilled_at) {
    const std::uint64_t earned = (now - client.refilled_at) / config_.refill_ns;
    if (earned != 0) {
      client.tokens = client.tokens + earned > config_.burst ? config_.burst : client.tokens + earned;
      client.refilled_at += earned * config_.refill_ns;
    }
  }
  if (client.tokens == 0) {
    ++client.stats.flooded;
    return false;
  }
  --client.tokens;
  return true;
}

void TimerDriver::set(unsigned channel, std::uint64_t deadline, std::uint64_t now, std::uint64_t& notify) noexcept {
  if (deadline <= now) {  // already passed: expires at once (the notification follows the reply)
    clear(channel);
    notify |= std::uint64_t{1} << channel;
    ++clients_[channel].stats.notifications;
  } else {
    clients_[channel].deadline = deadline;
    armed_clients_ |= std::uint64_t{1} << channel;
  }
  reprogram();
}

void TimerDriver::clear(unsigned channel) noexcept { armed_clients_ &= ~(std::uint64_t{1} << channel); }

void TimerDriver::on_interrupt(std::uint64_t& notify) noexcept {
  ++stats_.interrupts;
  if (hardware_.consume_expiry()) {
    device_armed_ = false;  // one-shot: it fired
  } else {
    ++stats_.spurious_interrupts;
  }
  const std::uint64_t now = hardware_.now();
  for (std::uint64_t armed = armed_clients_; armed != 0; armed &= armed - 1) {
    const auto channel = static_cast<unsigned>(__builtin_ctzll(armed));
    if (clients_[channel].deadline <= now) {
      clear(channel);
      notify |= std::uint64_t{1} << channel;
      ++clients_[channel].stats.notifications;
    }
  }
  reprogram();
}

void TimerDriver::reprogram() noexcept {
  bool any = false;
  std::uint64_t earliest = 0;
  for (std::uint64_t armed = armed_clients_; armed != 0; armed &= armed - 1) {
    const std::uint64_t deadline = clients_[__builtin_ctzll(armed)].deadline;
    if (!any || deadline < earliest) earliest = deadline;
    any = true;
  }
  if (!any) {
    if (device_armed_) {
      hardware_.disarm();
      device_armed_ = false;
      ++stats_.programmings;
    }
    return;
  }
  if (device_armed_ && programmed_ == earliest) return;
  hardware_.program(earliest);
  programmed_ = earliest;
  device_armed_ = true;
  ++stats_.programmings;
}

bool TimerDriver::pending(unsigned channel, std::uint64_t& deadline) const noexcept {
  if (channel >= kMaxClients || (armed_clients_ >> channel & 1) == 0) return false;
  deadline = clients_[channel].deadline;
  return true;
}

}  // namespace corokit::pds
