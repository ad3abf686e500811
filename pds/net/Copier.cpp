#include "pds/net/Copier.h"

#include "sdk/PdCounters.h"

namespace corokit::net {

Copier::Copier(const CopierConfig& config) noexcept : config_(config) {
  if (!config.virt_active.valid() || !config.virt_free.valid() || !config.client_active.valid() ||
      !config.client_free.valid() || config.dma.data == nullptr || config.client.data == nullptr) {
    return;
  }
  virt_active_ = NetConsumer(config.virt_active.region());
  virt_free_ = NetProducer(config.virt_free.region());
  client_active_ = NetProducer(config.client_active.region());
  client_free_ = NetConsumer(config.client_free.region());
  dma_ = {0, config.dma.buffers()};
  client_ = {0, config.client.buffers()};
  // The system put every client buffer in the client's free queue (PROTOCOLS.md §4.4): count them
  // as returned by the client, so each can be taken once.
  for (std::uint32_t i = 0; i < client_.count; ++i) with_client_.insert(i);
  valid_ = dma_.count != 0 && client_.count != 0;
}

bool Copier::take_client_buffer(std::uint32_t& buffer) noexcept {
  if (health_.quarantined) return false;
  net_buff_desc d;
  while (client_free_.pop(d)) {
    const std::int64_t index = client_.index_of(d.io_or_offset);
    if (index >= 0 && with_client_.erase(static_cast<std::uint32_t>(index))) {
      buffer = static_cast<std::uint32_t>(index);
      return true;
    }
    if (health_.descriptor_error("rx free", index < 0 ? "bad buffer offset" : "returned a buffer it does not hold")) {
      return false;
    }
  }
  if (client_free_.violations() != violations_seen_) {
    violations_seen_ = client_free_.violations();
    health_.index_violation("rx free");
  }
  return false;
}

Copier::Pass Copier::pass() noexcept {
  Pass p;
  if (!valid_) return p;
  for (unsigned round = 0;; ++round) {
    std::uint32_t budget = virt_active_.capacity();
    net_buff_desc d;
    while (budget != 0 && virt_active_.pop(d)) {
      --budget;
      const std::int64_t index = dma_.index_of(d.io_or_offset);
      if (index < 0) {
        ++stats_.virt_errors;
        continue;
      }
      if (d.len >= NET_MIN_FRAME && d.len <= NET_BUFFER_SIZE) {
        std::uint32_t target = 0;
        if (take_client_buffer(target)) {
          const std::uint64_t offset = client_.address_of(target);
          __builtin_memcpy(config_.client.data + offset, config_.dma.data + d.io_or_offset, d.len);
          counters::copied(d.len);
          if (client_active_.push(net_buff_desc{offset, d.len, 0})) {
            with_client_.insert(target);
            ++stats_.copied;
          } else {
            health_.index_violation("rx active");
          }
        } else {
          ++stats_.dropped;
        }
      } else {
        ++stats_.virt_errors;
      }
      // The DMA buffer goes back at once, whatever happened to the frame.
      virt_free_.push(net_buff_desc{d.io_or_offset, 0, 0});
    }
    virt_active_.commit();
    client_free_.commit();
    if (client_active_.publish() && protocol::notifier_must_signal(config_.client_active.queue->consumer_signalled)) {
      p.notify |= kNotifyClient;
    }
    if (virt_free_.publish() && protocol::notifier_must_signal(config_.virt_free.queue->consumer_signalled)) {
      p.notify |= kNotifyVirt;
    }
    if (budget == 0 || round == 4) {
      p.more = true;
      return p;
    }
    // Waiter sequence on the virtualiser's active queue only: the copier never waits for client
    // buffers, it drops instead.
    if (!protocol::waiter_should_continue(config_.virt_active.queue->consumer_signalled,
                                          [&] { return virt_active_.available() != 0; })) {
      return p;
    }
  }
}

}  // namespace corokit::net
