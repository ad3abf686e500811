#pragma once

#include "executor/PdPlatform.h"

// An event source is polled when a notification arrives on the channel it is registered for, and
// only then: an adapter (timer client, block or network queue) registers one per channel it serves,
// drains its shared queues in on_notified() and wakes the tasks those completions concern. Sources
// of a channel are polled in registration order, before the tasks awaiting the channel itself are
// woken. A source detaches itself when destroyed.

namespace corokit::exec {

class EventSourceRegistry;

class EventSource {
 public:
  EventSource() noexcept = default;
  EventSource(const EventSource&) = delete;
  EventSource& operator=(const EventSource&) = delete;

  // Called during AsyncPd::on_notified(channel). May wake tasks and queue outgoing notifications.
  virtual void on_notified(ChannelId channel) noexcept = 0;

  bool attached() const noexcept { return registry_ != nullptr; }
  void detach() noexcept;

 protected:
  ~EventSource() { detach(); }

 private:
  friend class EventSourceRegistry;
  EventSource* prev_ = nullptr;
  EventSource* next_ = nullptr;
  EventSourceRegistry* registry_ = nullptr;
  ChannelId channel_ = 0;
};

class EventSourceRegistry {
 public:
  EventSourceRegistry() noexcept = default;
  ~EventSourceRegistry();
  EventSourceRegistry(const EventSourceRegistry&) = delete;
  EventSourceRegistry& operator=(const EventSourceRegistry&) = delete;

  // Registers `source` for `channel` (a source serves one channel; detach it to move it).
  void attach(ChannelId channel, EventSource& source) noexcept;
  void detach(EventSource& source) noexcept;
  // Polls the sources of `channel`; returns how many were polled.
  unsigned poll(ChannelId channel) noexcept;
  bool has_sources(ChannelId channel) const noexcept { return channel < kMaxChannels && heads_[channel] != nullptr; }

 private:
  EventSource* heads_[kMaxChannels] = {};
  EventSource* tails_[kMaxChannels] = {};
};

inline void EventSource::detach() noexcept {
  if (registry_ != nullptr) registry_->detach(*this);
}

}  // namespace corokit::exec
