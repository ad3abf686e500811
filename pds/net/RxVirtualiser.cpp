#include "pds/net/RxVirtualiser.h"

namespace corokit::net {

RxVirtualiser::RxVirtualiser(const RxVirtualiserConfig& config) noexcept : config_(config) {
  if (!config.driver_free.valid() || !config.driver_active.valid() || config.client_count > kMaxClients) return;
  if (config.dma.data == nullptr || config.dma.buffers() == 0) return;
  driver_free_ = NetProducer(config.driver_free.region());
  driver_active_ = NetConsumer(config.driver_active.region());
  dma_ = {config.dma_io_base, config.dma.buffers()};
  // The system gave every Rx buffer to the driver (PROTOCOLS.md §4.4).
  for (std::uint32_t i = 0; i < dma_.count; ++i) with_driver_.insert(i);
  client_count_ = config.client_count;
  for (unsigned i = 0; i < client_count_; ++i) {
    const RxVirtualiserConfig::Client& cc = config.clients[i];
    if (!cc.active.valid() || !cc.free.valid()) return;
    clients_[i].active = NetProducer(cc.active.region());
    clients_[i].free = NetConsumer(cc.free.region());
    clients_[i].active_q = cc.active.queue;
    clients_[i].free_q = cc.free.queue;
  }
  valid_ = true;
}

void RxVirtualiser::give_to_driver(std::uint32_t buffer) noexcept {
  if (!with_driver_.insert(buffer)) return;
  // Never full (§4.1): the driver's free queue holds every Rx buffer. A full queue means the
  // driver corrupted its head; the buffer is then parked with the driver's accounting.
  driver_free_.push(net_buff_desc{dma_.address_of(buffer), 0, 0});
}

void RxVirtualiser::unref(std::uint32_t buffer) noexcept {
  if (refcount_[buffer] != 0 && --refcount_[buffer] == 0) give_to_driver(buffer);
}

void RxVirtualiser::quarantine(ClientState& c) noexcept {
  // Stop serving it and take back every buffer it held, so the shared pool does not shrink.
  for (std::uint32_t b = 0; b < dma_.count; ++b) {
    if (c.held.erase(b)) unref(b);
  }
}

void RxVirtualiser::take_returns(ClientState& c, bool& more) noexcept {
  if (c.health.quarantined) return;
  const BufferRange offsets{0, dma_.count};
  std::uint32_t budget = c.free.capacity();
  net_buff_desc d;
  while (budget != 0 && c.free.pop(d)) {
    --budget;
    const std::int64_t index = offsets.index_of(d.io_or_offset);
    if (index < 0 || !c.held.erase(static_cast<std::uint32_t>(index))) {
      if (c.health.descriptor_error("rx free", index < 0 ? "bad buffer offset" : "returned a buffer it does not hold")) {
        quarantine(c);
        return;
      }
      continue;
    }
    unref(static_cast<std::uint32_t>(index));
  }
  c.free.commit();
  if (budget == 0) more = true;
  if (c.free.violations() != c.free_violations_seen) {
    c.free_violations_seen = c.free.violations();
    if (c.health.index_violation("rx free")) quarantine(c);
  }
}

void RxVirtualiser::deliver(unsigned client, std::uint32_t buffer, std::uint16_t len) noexcept {
  ClientState& c = clients_[client];
  if (c.health.quarantined || c.held.contains(buffer)) return;
  if (!c.active.push(net_buff_desc{dma_.address_of(buffer) - dma_.base, len, 0})) {
    // Full although it can hold every buffer: the client corrupted its head index.
    if (c.health.index_violation("rx active")) quarantine(c);
    return;
  }
  c.held.insert(buffer);
  ++refcount_[buffer];
  ++stats_.delivered;
}

void RxVirtualiser::take_frames(bool& more) noexcept {
  std::uint32_t budget = driver_active_.capacity();
  net_buff_desc d;
  while (budget != 0 && driver_active_.pop(d)) {
    --budget;
    const std::int64_t index = dma_.index_of(d.io_or_offset);
    if (index < 0 || !with_driver_.erase(static_cast<std::uint32_t>(index))) {
      ++stats_.driver_errors;
      continue;
    }
    const auto buffer = static_cast<std::uint32_t>(index);
    if (d.len < NET_MIN_FRAME || d.len > NET_BUFFER_SIZE) {
      ++stats_.driver_errors;
      give_to_driver(buffer);
      continue;
    }
    ++stats_.frames;
    std::uint8_t dst_bytes[6];
    snapshot_bytes(config_.dma.data + (dma_.address_of(buffer) - dma_.base), dst_bytes, 6);
    const MacAddress dst = MacAddress::from(dst_bytes);
    // Hold a reference while delivering, so a client cannot drop the count to 0 in between.
    refcount_[buffer] = 1;
    if (dst.is_broadcast()) {
      for (unsigned i = 0; i < client_count_; ++i) deliver(i, buffer, d.len);
    } else if (dst.is_multicast()) {
      for (unsigned i = 0; i < client_count_; ++i) {
        const RxVirtualiserConfig::Client& cc = config_.clients[i];
        bool wanted = cc.all_multicast;
        for (unsigned g = 0; !wanted && g < cc.group_count; ++g) wanted = cc.groups[g] == dst;
        if (wanted) deliver(i, buffer, d.len);
      }
    } else {
      for (unsigned i = 0; i < client_count_; ++i) {
        if (config_.clients[i].mac == dst) {
          deliver(i, buffer, d.len);
          break;
        }
      }
    }
    if (refcount_[buffer] == 1) ++stats_.unmatched;
    unref(buffer);
  }
  driver_active_.commit();
  if (budget == 0) more = true;
  if (driver_active_.violations() != driver_violations_seen_) {
    driver_violations_seen_ = driver_active_.violations();
    ++stats_.driver_errors;
  }
}

RxVirtualiser::Pass RxVirtualiser::pass() noexcept {
  Pass p;
  if (!valid_) return p;
  for (unsigned round = 0;; ++round) {
    bool more = round == 4;  // peers that keep producing: yield to other work, come back
    // Rotating start: no client is always served first.
    for (unsigned k = 0; k < client_count_; ++k) take_returns(clients_[(next_client_ + k) % client_count_], more);
    if (client_count_ != 0) next_client_ = (next_client_ + 1) % client_count_;
    take_frames(more);
    if (driver_free_.publish() && protocol::notifier_must_signal(config_.driver_free.queue->consumer_signalled)) {
      p.notify |= kDriverBit;
    }
    for (unsigned i = 0; i < client_count_; ++i) {
      ClientState& c = clients_[i];
      if (c.active.publish() && protocol::notifier_must_signal(c.active_q->consumer_signalled)) p.notify |= 1u << i;
    }
    if (more) {
      p.more = true;
      return p;
    }
    // Waiter sequence (§1.4); any late work means another pass. Returned buffers matter only when
    // the driver runs short: otherwise the next received frames bring us back to collect them,
    // and a wake-up per return would cost more than the work (one per request and peer).
    bool again = protocol::waiter_should_continue(config_.driver_active.queue->consumer_signalled,
                                                  [&] { return driver_active_.available() != 0; });
    const bool driver_short = with_driver_.size() < dma_.count / 2;
    for (unsigned i = 0; i < client_count_; ++i) {
      ClientState& c = clients_[i];
      if (c.health.quarantined) continue;
      if (!driver_short) {
        protocol::waiter_declines(c.free_q->consumer_signalled);
        continue;
      }
      again |= protocol::waiter_should_continue(c.free_q->consumer_signalled, [&] { return c.free.available() != 0; });
    }
    if (!again) return p;
  }
}

}  // namespace corokit::net
