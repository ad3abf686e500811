#include "executor/net/ClientQueues.h"

namespace corokit::net {

using protocol::net_queue_region;

ClientQueues::ClientQueues(const ClientQueueConfig& c) noexcept
    : rx_active_q_(c.rx_active), tx_free_q_(c.tx_free), rx_free_q_(c.rx_free), tx_active_q_(c.tx_active),
      rx_data_(c.rx_data), tx_data_(c.tx_data) {
  if (c.rx_free == nullptr || c.rx_active == nullptr || c.tx_free == nullptr || c.tx_active == nullptr) return;
  auto rx_free = net_queue_region(c.rx_free, c.rx_capacity);
  auto rx_active = net_queue_region(c.rx_active, c.rx_capacity);
  auto tx_free = net_queue_region(c.tx_free, c.tx_capacity);
  auto tx_active = net_queue_region(c.tx_active, c.tx_capacity);
  if (!rx_free.valid() || !rx_active.valid() || !tx_free.valid() || !tx_active.valid()) return;
  rx_active_ = decltype(rx_active_)(rx_active);
  rx_free_ = decltype(rx_free_)(rx_free);
  tx_free_ = decltype(tx_free_)(tx_free);
  tx_active_ = decltype(tx_active_)(tx_active);
  auto buffers = [](std::size_t size) {
    std::size_t n = size / BufferRange::kBufferSize;
    return static_cast<std::uint32_t>(n > kMaxBuffers ? kMaxBuffers : n);
  };
  rx_range_ = {0, buffers(c.rx_data_size)};
  tx_range_ = {0, buffers(c.tx_data_size)};
  valid_ = rx_data_ != nullptr && tx_data_ != nullptr && rx_range_.count != 0 && tx_range_.count != 0;
}

bool ClientQueues::receive(Frame& out) noexcept {
  if (!valid_) return false;
  net_buff_desc d;
  while (rx_active_.pop(d)) {
    const std::int64_t index = rx_range_.index_of(d.io_or_offset);
    if (index < 0 || !rx_held_.insert(static_cast<std::uint32_t>(index))) {
      ++stats_.rx_bad_descriptors;  // forged offset or a buffer the client already holds: drop
      continue;
    }
    if (d.len < NET_MIN_FRAME || d.len > NET_BUFFER_SIZE) {
      ++stats_.rx_bad_descriptors;
      release_rx(d.io_or_offset);
      continue;
    }
    out.offset = d.io_or_offset;
    out.len = d.len;
    out.data = rx_data_ + d.io_or_offset;
    ++stats_.rx_frames;
    return true;
  }
  return false;
}

void ClientQueues::release_rx(std::uint64_t offset) noexcept {
  const std::int64_t index = rx_range_.index_of(offset);
  if (index < 0 || !rx_held_.erase(static_cast<std::uint32_t>(index))) return;
  // The never-full rule (§4.1): the queue holds every Rx buffer, so this cannot fail unless the
  // peer corrupted its head; then the buffer is lost to this client only.
  if (!rx_free_.push(net_buff_desc{offset, 0, 0})) ++stats_.index_violations;
}

std::uint8_t* ClientQueues::acquire_tx(std::uint64_t& offset) noexcept {
  if (!valid_) return nullptr;
  if (spare_count_ != 0) {
    offset = spare_tx_[--spare_count_];
    return tx_data_ + offset;
  }
  net_buff_desc d;
  while (tx_free_.pop(d)) {
    const std::int64_t index = tx_range_.index_of(d.io_or_offset);
    if (index < 0 || !tx_held_.insert(static_cast<std::uint32_t>(index))) {
      ++stats_.tx_bad_descriptors;
      continue;
    }
    offset = d.io_or_offset;
    return tx_data_ + offset;
  }
  return nullptr;
}

void ClientQueues::submit_tx(std::uint64_t offset, std::uint16_t len) noexcept {
  const std::int64_t index = tx_range_.index_of(offset);
  if (index < 0 || !tx_held_.erase(static_cast<std::uint32_t>(index))) return;
  if (!tx_active_.push(net_buff_desc{offset, len, 0})) {
    ++stats_.index_violations;
    return;
  }
  ++stats_.tx_frames;
}

void ClientQueues::cancel_tx(std::uint64_t offset) noexcept {
  // It stays held and is handed out again by the next acquire_tx.
  const std::int64_t index = tx_range_.index_of(offset);
  if (index < 0 || !tx_held_.contains(static_cast<std::uint32_t>(index)) || spare_count_ == kSpares) return;
  spare_tx_[spare_count_++] = offset;
}

ClientQueues::Signals ClientQueues::flush() noexcept {
  Signals s;
  if (!valid_) return s;
  rx_active_.commit();
  tx_free_.commit();
  if (rx_free_.publish()) s.rx = protocol::notifier_must_signal(rx_free_q_->consumer_signalled);
  if (tx_active_.publish()) s.tx = protocol::notifier_must_signal(tx_active_q_->consumer_signalled);
  return s;
}

bool ClientQueues::prepare_wait(bool want_tx) noexcept {
  if (!valid_) return false;
  bool more = protocol::waiter_should_continue(rx_active_q_->consumer_signalled,
                                               [&] { return rx_active_.available() != 0; });
  if (want_tx) {
    more |= protocol::waiter_should_continue(tx_free_q_->consumer_signalled,
                                             [&] { return tx_free_.available() != 0; });
  }
  return more;
}

ClientQueueStats ClientQueues::stats() const noexcept {
  ClientQueueStats s = stats_;
  s.index_violations += rx_active_.violations() + rx_free_.violations() + tx_free_.violations() + tx_active_.violations();
  return s;
}

}  // namespace corokit::net
