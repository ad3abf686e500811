#include "executor/host/PdHarness.h"

#include <algorithm>

namespace corokit::exec {

PdHarness::PdHarness(AsyncPdConfig config) : pd_(*this, frames_, config) {}

PdHarness::~PdHarness() = default;

void PdHarness::enter() {
  if (in_entry_point_) panic("PdHarness: entry points never nest (injected from inside a turn?)");
  in_entry_point_ = true;
}

void PdHarness::deliver(std::initializer_list<ChannelId> channels) {
  // Pending notifications are bits: they coalesce and arrive in ascending id. No allocation, so
  // tests can count the PD's own.
  std::uint64_t pending = 0;
  for (ChannelId channel : channels) {
    if (channel >= kMaxChannels) panic("PdHarness: channel id above 61");
    pending |= std::uint64_t{1} << channel;
  }
  enter();
  for (ChannelId channel = 0; pending != 0; ++channel, pending >>= 1) {
    if (pending & 1) pd_.on_notified(channel);
  }
  leave();
  run_until_idle();
}

void PdHarness::deliver_at(std::uint64_t time_ns, ChannelId channel) { timed_.emplace(time_ns, channel); }

void PdHarness::advance_time(std::uint64_t ns) {
  const std::uint64_t target = now_ + ns;
  while (!timed_.empty() && timed_.begin()->first <= target) {
    auto due = timed_.begin();
    now_ = std::max(now_, due->first);
    const ChannelId channel = due->second;
    timed_.erase(due);
    deliver(channel);
  }
  now_ = target;
}

TurnResult PdHarness::run_turn() {
  enter();
  ++turns_;
  TurnResult result = pd_.run_turn();
  leave();
  return result;
}

std::size_t PdHarness::run_until_idle(std::size_t max_turns) {
  std::size_t turns = 0;
  do {
    ++turns;
  } while (run_turn().more_work && turns < max_turns);
  return turns;
}

std::size_t PdHarness::sent_count(Sent::Kind kind, ChannelId channel) const noexcept {
  return static_cast<std::size_t>(std::count_if(sent_.begin(), sent_.end(), [&](const Sent& sent) {
    return sent.kind == kind && sent.channel == channel;
  }));
}

void PdHarness::notify(ChannelId channel) noexcept { sent_.push_back({Sent::Notify, channel, turns_}); }

void PdHarness::irq_ack(ChannelId channel) noexcept { sent_.push_back({Sent::IrqAck, channel, turns_}); }

}  // namespace corokit::exec
