#include "pds/net/NicDriver.h"

namespace corokit::net {

NicDriver::NicDriver(const NicDriverConfig& config) noexcept : config_(config) {
  if (!config.rx_free.valid() || !config.rx_active.valid() || !config.tx_active.valid() || !config.tx_free.valid()) return;
  if (config.rx_dma.data == nullptr || config.rx_dma.buffers() == 0 || config.tx_region_count > kMaxClients) return;
  rx_free_ = NetConsumer(config.rx_free.region());
  rx_active_ = NetProducer(config.rx_active.region());
  tx_active_ = NetConsumer(config.tx_active.region());
  tx_free_ = NetProducer(config.tx_free.region());
  rx_range_ = {config.rx_io, config.rx_dma.buffers()};
  valid_ = true;
}

const std::uint8_t* NicDriver::tx_frame(std::uint64_t io, std::uint16_t len) const noexcept {
  for (unsigned i = 0; i < config_.tx_region_count; ++i) {
    const NicDriverConfig::TxRegion& r = config_.tx[i];
    const BufferRange range{r.io, r.data.buffers()};
    const std::int64_t index = range.index_of(io);
    if (index < 0) continue;
    if (len < NET_MIN_FRAME || len > config_.max_tx_frame) return nullptr;
    return r.data.data + (io - r.io);
  }
  return nullptr;
}

NicDriver::Pass NicDriver::pass(FrameIo& io) noexcept {
  Pass p;
  if (!valid_) return p;
  for (unsigned round = 0;; ++round) {
    // Transmit, then return the buffers (PROTOCOLS.md §4.5: Tx before Rx).
    std::uint32_t budget = tx_active_.capacity();
    net_buff_desc d;
    while (budget != 0 && tx_active_.pop(d)) {
      --budget;
      if (const std::uint8_t* frame = tx_frame(d.io_or_offset, d.len)) {
        if (io.write_frame(frame, d.len) == static_cast<long>(d.len)) {
          ++stats_.tx_frames;
        } else {
          ++stats_.tx_dropped;
        }
      } else {
        ++stats_.bad_descriptors;
      }
      // Every buffer goes back, sent or not; the Tx virtualiser finds its owner or drops it.
      tx_free_.push(net_buff_desc{d.io_or_offset, 0, 0});
    }
    tx_active_.commit();
    const bool tx_more = budget == 0;

    // Receive while there are buffers and frames.
    bool drained = false;
    bool starved = false;
    for (std::uint32_t rx_budget = rx_active_.capacity(); rx_budget != 0; --rx_budget) {
      if (spare_ < 0) {
        if (!rx_free_.pop(d)) {
          starved = true;
          break;
        }
        const std::int64_t index = rx_range_.index_of(d.io_or_offset);
        if (index < 0 || !rx_held_.insert(static_cast<std::uint32_t>(index))) {
          ++stats_.bad_descriptors;
          continue;
        }
        spare_ = index;
      }
      const auto buffer = static_cast<std::uint32_t>(spare_);
      std::uint8_t* data = config_.rx_dma.data + std::uint64_t{buffer} * BufferRange::kBufferSize;
      const long n = io.read_frame(data, NET_BUFFER_SIZE);
      if (n < 0) {
        drained = true;
        break;
      }
      if (n < static_cast<long>(NET_MIN_FRAME)) {
        ++stats_.rx_dropped;
        continue;  // the buffer stays spare
      }
      rx_active_.push(net_buff_desc{rx_range_.address_of(buffer), static_cast<std::uint16_t>(n), 0});
      spare_ = -1;
      ++stats_.rx_frames;
    }
    rx_free_.commit();
    // Until published, the Rx virtualiser cannot have returned a buffer filled in this pass, so
    // one that comes back within the pass is a duplicate. After publishing only the spare is ours.
    rx_held_.clear();
    if (spare_ >= 0) rx_held_.insert(static_cast<std::uint32_t>(spare_));
    if (starved) ++stats_.out_of_buffers;

    if (rx_active_.publish() && protocol::notifier_must_signal(config_.rx_active.queue->consumer_signalled)) {
      p.notify |= kNotifyRxVirt;
    }
    if (tx_free_.publish() && protocol::notifier_must_signal(config_.tx_free.queue->consumer_signalled)) {
      p.notify |= kNotifyTxVirt;
    }
    p.ack_irq = drained;
    if (tx_more || (!drained && !starved) || round == 4) {
      p.more = true;  // a budget ran out: come back after other work
      return p;
    }
    // Waiter sequence: always on Tx active; on Rx free only while frames wait for a buffer.
    bool again = protocol::waiter_should_continue(config_.tx_active.queue->consumer_signalled,
                                                  [&] { return tx_active_.available() != 0; });
    if (starved) {
      again |= protocol::waiter_should_continue(config_.rx_free.queue->consumer_signalled,
                                                [&] { return rx_free_.available() != 0; });
    }
    if (!again) return p;
  }
}

}  // namespace corokit::net
