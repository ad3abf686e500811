#include "executor/block/BlockClient.h"

namespace corokit::exec {

BlockClient::BlockClient(AsyncPd& pd, const BlockClientConfig& config) noexcept
    : pd_(pd),
      shared_info_(config.info),
      channel_(config.channel),
      data_(static_cast<uint8_t*>(config.data)),
      data_bytes_(config.data != nullptr ? config.data_bytes : 0),
      io_base_(config.io_base),
      poll_ns_(config.clock_ns != nullptr ? config.poll_ns : 0),
      clock_ns_(config.clock_ns),
      turn_end_(*this) {
  const uint32_t capacity = protocol::block_queue_capacity(config.request_bytes, config.response_bytes);
  if (capacity == 0 || config.info == nullptr || config.requests == nullptr || config.responses == nullptr ||
      config.channel >= kMaxChannels) {
    return;
  }
  capacity_ = capacity;
  slot_count_ = capacity < kMaxSlots ? capacity : kMaxSlots;
  while ((1u << slot_bits_) < slot_count_) ++slot_bits_;
  end_ = protocol::block_client_end(config.requests, config.responses, capacity);
  for (uint32_t i = slot_count_; i-- > 0;) free_[free_count_++] = static_cast<uint16_t>(i);
  pd.sources().attach(channel_, *this);
  pd.add_turn_end_hook(turn_end_);
}

BlockClient::~BlockClient() {
  if (!ready_waiters_.empty()) panic("corokit block: BlockClient destroyed while tasks wait for it");
}

BlockClient::RequestAwaiter::RequestAwaiter(BlockClient& client, uint32_t code, uint64_t block, uint16_t count,
                                            const void* buffer) noexcept
    : client_(client) {
  request_.code = code;
  request_.block = block;
  request_.count = count;
  if (code == BLK_REQ_READ || code == BLK_REQ_WRITE) {
    if (!client.offset_of(buffer, count, request_.offset)) {
      request_.result = BlockResult{BLK_RESP_ERR_INVALID_PARAM, 0};
      request_.done = true;
    }
  }
  if (!client.valid()) {
    request_.result = BlockResult{BLK_RESP_ERR_NO_DEVICE, 0};
    request_.done = true;
  }
}

bool BlockClient::offset_of(const void* buffer, uint16_t count, uint64_t& offset) const noexcept {
  const auto at = reinterpret_cast<uintptr_t>(buffer);
  const auto base = reinterpret_cast<uintptr_t>(data_);
  if (count == 0 || data_ == nullptr || at < base) return false;
  offset = at - base;
  return protocol::data_range_ok(offset, count, data_bytes_);
}

bool BlockClient::check_ready() noexcept {
  if (ready_) return true;
  if (shared_info_ == nullptr || !protocol::storage_info_ready(*shared_info_)) return false;
  info_ = protocol::snapshot(*shared_info_);
  info_.serial_number[BLK_SERIAL_NUMBER_LEN - 1] = '\0';
  ready_ = true;
  ready_waiters_.wake_all();
  start_waiting();
  return true;
}

void BlockClient::submit(BlockRequest& request) noexcept {
  request.done = false;
  request.result = BlockResult{};
  ++counters_.submitted;
  if ((request.code == BLK_REQ_READ || request.code == BLK_REQ_WRITE) &&
      (request.count == 0 || !protocol::data_range_ok(request.offset, request.count, data_bytes_))) {
    finish(request, BLK_RESP_ERR_INVALID_PARAM, 0);
    return;
  }
  if (!valid()) {
    finish(request, BLK_RESP_ERR_NO_DEVICE, 0);
    return;
  }
  if (check_ready() && free_count_ != 0 && waiting_head_ == nullptr) {
    send(request);
    return;
  }
  request.state_ = BlockRequest::State::Waiting;
  request.next_ = nullptr;
  request.prev_ = waiting_tail_;
  (waiting_tail_ != nullptr ? waiting_tail_->next_ : waiting_head_) = &request;
  waiting_tail_ = &request;
}

void BlockClient::send(BlockRequest& request) noexcept {
  const uint16_t slot = free_[--free_count_];
  Slot& s = slots_[slot];
  ++s.generation;
  s.request = &request;
  s.count = request.count;
  s.in_use = true;
  request.slot_ = slot;
  request.state_ = BlockRequest::State::InFlight;
  const uint32_t id = slot | (s.generation << slot_bits_);
  const bool transfer = request.code == BLK_REQ_READ || request.code == BLK_REQ_WRITE;
  const blk_req req{request.code, transfer ? io_base_ + request.offset : 0, transfer ? request.block : 0,
                    transfer ? request.count : uint16_t{0}, id};
  ++in_flight_;
  if (!end_.requests.push(req)) {
    // Never full with at most `capacity` in flight, unless the virtualiser corrupted its index.
    s.in_use = false;
    s.request = nullptr;
    free_[free_count_++] = slot;
    --in_flight_;
    finish(request, BLK_RESP_ERR_UNSPEC, 0);
    return;
  }
  // Published at the end of the turn (turn_end), as one batch with one notification.
}

void BlockClient::finish(BlockRequest& request, uint32_t status, uint16_t success_count) noexcept {
  request.result = BlockResult{status, success_count};
  request.state_ = BlockRequest::State::Done;
  request.done = true;
  if (request.on_complete != nullptr) {
    request.on_complete(request, request.context);
  } else if (request.task != nullptr) {
    request.task->executor->schedule(*request.task);
  }
}

void BlockClient::abandon(BlockRequest& request) noexcept {
  if (request.state_ == BlockRequest::State::Waiting) {
    (request.prev_ != nullptr ? request.prev_->next_ : waiting_head_) = request.next_;
    (request.next_ != nullptr ? request.next_->prev_ : waiting_tail_) = request.prev_;
    request.state_ = BlockRequest::State::Idle;
  } else if (request.state_ == BlockRequest::State::InFlight) {
    slots_[request.slot_].request = nullptr;  // the slot is freed when the response arrives
    request.state_ = BlockRequest::State::Idle;
  }
}

void BlockClient::start_waiting() noexcept {
  while (ready_ && free_count_ != 0 && waiting_head_ != nullptr) {
    BlockRequest& next = *waiting_head_;
    waiting_head_ = next.next_;
    (waiting_head_ != nullptr ? waiting_head_->prev_ : waiting_tail_) = nullptr;
    send(next);
  }
}

void BlockClient::on_notified(ChannelId) noexcept {
  if (!check_ready()) return;
  drain();
  start_waiting();
}

// Publishes the turn's requests as one batch with one notification (PROTOCOLS.md §1.3, §3.7).
// Polling: takes responses without waiting for the server's notification, and keeps the event loop
// polling while requests are in flight and something happened within poll_ns.
bool BlockClient::turn_end() noexcept {
  if (end_.requests.publish()) pd_.notify(channel_);
  if (poll_ns_ == 0 || in_flight_ == 0 || !ready_) return false;
  drain();
  start_waiting();
  if (in_flight_ == 0) return false;
  if (!poll_window_.keep_polling(counters_.submitted + counters_.completed, poll_ns_, clock_ns_)) return false;
  ++counters_.polled_turns;
  return true;
}

void BlockClient::drain() noexcept {
  blk_resp resp;
  while (end_.responses.pop(resp)) {
    const uint32_t slot = resp.id & ((1u << slot_bits_) - 1);
    const uint32_t generation = resp.id >> slot_bits_;
    if (slot >= slot_count_ || !slots_[slot].in_use ||
        (slots_[slot].generation & (0xffffffffu >> slot_bits_)) != generation) {
      ++counters_.bad_responses;
      continue;
    }
    Slot& s = slots_[slot];
    BlockRequest* request = s.request;
    s.in_use = false;
    s.request = nullptr;
    free_[free_count_++] = static_cast<uint16_t>(slot);
    --in_flight_;
    ++counters_.completed;
    if (request == nullptr) {
      ++counters_.orphaned;
      continue;
    }
    // Validate before the caller sees it: a known status; OK means the whole count.
    const uint32_t status = protocol::valid_response_status(resp.status) ? resp.status : uint32_t{BLK_RESP_ERR_UNSPEC};
    uint16_t done = s.count;
    if (status != BLK_RESP_OK && resp.success_count < done) done = resp.success_count;
    finish(*request, status, status == BLK_RESP_OK ? s.count : done);
  }
  end_.responses.commit();
}

}  // namespace corokit::exec
