#include "executor/EventSource.h"

#include "executor/Panic.h"

namespace corokit::exec {

EventSourceRegistry::~EventSourceRegistry() {
  for (unsigned channel = 0; channel < kMaxChannels; ++channel) {
    while (heads_[channel] != nullptr) detach(*heads_[channel]);
  }
}

void EventSourceRegistry::attach(ChannelId channel, EventSource& source) noexcept {
  if (channel >= kMaxChannels) panic("corokit executor: event source attached to a channel id above 61");
  if (source.registry_ != nullptr) panic("corokit executor: event source attached twice");
  source.registry_ = this;
  source.channel_ = channel;
  source.next_ = nullptr;
  source.prev_ = tails_[channel];
  (tails_[channel] != nullptr ? tails_[channel]->next_ : heads_[channel]) = &source;
  tails_[channel] = &source;
}

void EventSourceRegistry::detach(EventSource& source) noexcept {
  if (source.registry_ != this) return;
  const ChannelId channel = source.channel_;
  (source.prev_ != nullptr ? source.prev_->next_ : heads_[channel]) = source.next_;
  (source.next_ != nullptr ? source.next_->prev_ : tails_[channel]) = source.prev_;
  source.prev_ = source.next_ = nullptr;
  source.registry_ = nullptr;
}

unsigned EventSourceRegistry::poll(ChannelId channel) noexcept {
  unsigned polled = 0;
  // A source may detach itself while being polled: fetch `next` first.
  for (EventSource* source = heads_[channel]; source != nullptr;) {
    EventSource* next = source->next_;
    source->on_notified(channel);
    ++polled;
    source = next;
  }
  return polled;
}

}  // namespace corokit::exec
