#include "pds/net/TxVirtualiser.h"

namespace corokit::net {

TxVirtualiser::TxVirtualiser(const TxVirtualiserConfig& config) noexcept : config_(config) {
  if (!config.driver_active.valid() || !config.driver_free.valid() || config.client_count > kMaxClients) return;
  driver_active_ = NetProducer(config.driver_active.region());
  driver_free_ = NetConsumer(config.driver_free.region());
  client_count_ = config.client_count;
  for (unsigned i = 0; i < client_count_; ++i) {
    const TxVirtualiserConfig::Client& cc = config.clients[i];
    if (!cc.active.valid() || !cc.free.valid() || cc.data.data == nullptr || cc.data.buffers() == 0) return;
    ClientState& c = clients_[i];
    c.active = NetConsumer(cc.active.region());
    c.free = NetProducer(cc.free.region());
    c.active_q = cc.active.queue;
    c.free_q = cc.free.queue;
    c.range = {0, cc.data.buffers()};
    // The system put every Tx buffer in the client's free queue (PROTOCOLS.md §4.4).
    for (std::uint32_t b = 0; b < c.range.count; ++b) c.with_client.insert(b);
  }
  // Client I/O ranges must not overlap, or returned buffers could not be attributed.
  for (unsigned i = 0; i < client_count_; ++i) {
    for (unsigned j = i + 1; j < client_count_; ++j) {
      const std::uint64_t a0 = config.clients[i].io_base, a1 = a0 + clients_[i].range.count * BufferRange::kBufferSize;
      const std::uint64_t b0 = config.clients[j].io_base, b1 = b0 + clients_[j].range.count * BufferRange::kBufferSize;
      if (a0 < b1 && b0 < a1) return;
    }
  }
  valid_ = true;
}

void TxVirtualiser::serve(unsigned index, bool& more) noexcept {
  ClientState& c = clients_[index];
  const TxVirtualiserConfig::Client& cc = config_.clients[index];
  if (c.health.quarantined) return;
  std::uint32_t budget = cc.budget != 0 ? cc.budget : c.active.capacity();
  net_buff_desc d;
  while (budget != 0) {
    // Never full in a correct system (it holds every client's Tx buffers); a full queue means the
    // driver stopped consuming, and its notification will bring us back.
    if (driver_active_.full()) break;
    if (!c.active.pop(d)) break;
    --budget;
    const std::int64_t i = c.range.index_of(d.io_or_offset);
    const bool held = i >= 0 && c.with_client.contains(static_cast<std::uint32_t>(i));
    const char* problem = nullptr;
    if (!held) {
      problem = i < 0 ? "bad buffer offset" : "submitted a buffer it does not hold";
    } else if (d.len < NET_MIN_FRAME || d.len > NET_BUFFER_SIZE) {
      problem = "bad frame length";
    } else if (d.oid != 0) {
      problem = "non-zero oid";
    } else if (cc.anti_spoofing) {
      std::uint8_t src[6];
      snapshot_bytes(cc.data.data + d.io_or_offset + 6, src, 6);
      if (!(MacAddress::from(src) == cc.mac)) {
        problem = "spoofed source MAC";
        ++stats_.spoofed;
      }
    }
    if (problem != nullptr) {
      ++stats_.rejected;
      // Back to the client with len 0 if it holds the buffer; otherwise the descriptor is dropped.
      if (held) c.free.push(net_buff_desc{d.io_or_offset, 0, 0});
      if (c.health.descriptor_error("tx active", problem)) break;
      continue;
    }
    c.with_client.erase(static_cast<std::uint32_t>(i));
    driver_active_.push(net_buff_desc{cc.io_base + d.io_or_offset, d.len, 0});
    ++c.frames;
    ++stats_.frames;
  }
  c.active.commit();
  if (budget == 0) more = true;
  if (c.active.violations() != c.violations_seen) {
    c.violations_seen = c.active.violations();
    c.health.index_violation("tx active");
  }
}

void TxVirtualiser::take_completions(bool& more) noexcept {
  std::uint32_t budget = driver_free_.capacity();
  net_buff_desc d;
  while (budget != 0 && driver_free_.pop(d)) {
    --budget;
    bool returned = false;
    for (unsigned k = 0; k < client_count_ && !returned; ++k) {
      ClientState& c = clients_[k];
      const BufferRange io{config_.clients[k].io_base, c.range.count};
      const std::int64_t i = io.index_of(d.io_or_offset);
      if (i < 0) continue;
      returned = true;
      if (!c.with_client.insert(static_cast<std::uint32_t>(i))) {
        ++stats_.driver_errors;  // a buffer returned twice
        break;
      }
      c.free.push(net_buff_desc{c.range.address_of(static_cast<std::uint32_t>(i)), 0, 0});
    }
    if (!returned) ++stats_.driver_errors;
  }
  driver_free_.commit();
  if (budget == 0) more = true;
  if (driver_free_.violations() != driver_violations_seen_) {
    driver_violations_seen_ = driver_free_.violations();
    ++stats_.driver_errors;
  }
}

TxVirtualiser::Pass TxVirtualiser::pass() noexcept {
  Pass p;
  if (!valid_) return p;
  for (unsigned round = 0;; ++round) {
    bool more = round == 4;
    take_completions(more);
    for (unsigned k = 0; k < client_count_; ++k) serve((next_client_ + k) % client_count_, more);
    if (client_count_ != 0) next_client_ = (next_client_ + 1) % client_count_;
    if (driver_active_.publish() && protocol::notifier_must_signal(config_.driver_active.queue->consumer_signalled)) {
      p.notify |= kDriverBit;
    }
    for (unsigned i = 0; i < client_count_; ++i) {
      ClientState& c = clients_[i];
      if (c.free.publish() && protocol::notifier_must_signal(c.free_q->consumer_signalled)) p.notify |= 1u << i;
    }
    if (more) {
      p.more = true;
      return p;
    }
    // Completions matter only to a client that runs short of Tx buffers: otherwise its next frames
    // bring us back to collect them, and a wake-up per completion would cost more than the work.
    bool client_short = false;
    for (unsigned i = 0; i < client_count_; ++i) client_short |= clients_[i].with_client.size() < clients_[i].range.count / 2;
    bool again = false;
    if (client_short) {
      again = protocol::waiter_should_continue(config_.driver_free.queue->consumer_signalled,
                                               [&] { return driver_free_.available() != 0; });
    } else {
      protocol::waiter_declines(config_.driver_free.queue->consumer_signalled);
    }
    for (unsigned i = 0; i < client_count_; ++i) {
      ClientState& c = clients_[i];
      if (c.health.quarantined) continue;
      again |= protocol::waiter_should_continue(c.active_q->consumer_signalled, [&] { return c.active.available() != 0; });
    }
    if (!again) return p;
  }
}

}  // namespace corokit::net
