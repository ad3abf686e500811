#include "pds/block/DriverCore.h"

namespace corokit::block {

using protocol::block_range_ok;

DriverCore::DriverCore(exec::AsyncPd& pd, IoBackend& io, const DmaView& dma, protocol::BlockServerEnd end,
                       uint32_t capacity, const DriverConfig& config) noexcept
    : pd_(pd), io_(io), dma_(dma), end_(end), capacity_(capacity), config_(config), virt_source_(*this),
      irq_source_(*this), turn_end_(*this) {
  if (config_.clock_ns == nullptr) config_.poll_ns = 0;
}

void DriverCore::start() noexcept {
  pd_.sources().attach(config_.virt_channel, virt_source_);
  if (config_.has_irq) pd_.sources().attach(config_.irq_channel, irq_source_);
  pd_.add_turn_end_hook(turn_end_);
  pd_.spawn_detached(dispatcher());
  pd_.spawn_detached(submitter());
  work_.set();  // requests queued before start
}

void DriverCore::Source::on_notified(exec::ChannelId channel) noexcept {
  if (&core_.irq_source_ == this && channel == core_.config_.irq_channel) {
    core_.irq_armed_ = false;  // the board masks the IRQ until it is acknowledged
    core_.on_irq();
  } else {
    core_.work_.set();
  }
}

void DriverCore::on_irq() noexcept {
  reaped_ += io_.reap();
  arm_irq();
}

// Before the PD waits: publish the turn's responses as one batch with one notification (§1.3,
// §3.7), reap what completed since the submitter's pass, then decide between sleeping (false) and
// polling (true: the event loop comes straight back).
bool DriverCore::turn_end() noexcept {
  // Polling: requests published whose notification has not come yet (the producer's turn has not
  // ended) are taken here, so page-cache hits are answered in this very turn.
  if (config_.poll_ns != 0 && !barrier_ && !stalled_ && !end_.requests.empty()) {
    take_requests();
  }
  if (end_.responses.publish()) pd_.notify(config_.virt_channel);
  if (io_.in_flight() != 0) reaped_ += io_.reap();
  arm_irq();
  if (config_.poll_ns == 0) return false;
  // Operations the kernel did not complete during submission run elsewhere (an io_uring worker
  // thread, the device): leave the CPU to them and sleep; their completion raises the IRQ.
  if (io_.in_flight() != 0) {
    poll_window_.stop();
    return false;
  }
  if (!poll_window_.keep_polling(counters_.requests + reaped_, config_.poll_ns, config_.clock_ns)) return false;
  ++counters_.polled_turns;
  return true;
}

// Completions of operations still in flight must raise the IRQ: acknowledge it while any are. With
// none in flight it stays masked, so completions reaped right after submission cost no interrupt.
void DriverCore::arm_irq() noexcept {
  if (!config_.has_irq || irq_armed_ || io_.in_flight() == 0) return;
  irq_armed_ = true;
  pd_.irq_ack(config_.irq_channel);
}

uint32_t DriverCore::limit() const noexcept {
  uint32_t n = capacity_;
  if (io_.max_in_flight() < n) n = io_.max_in_flight();
  return n < kMaxInFlight ? n : kMaxInFlight;
}

exec::Task<void> DriverCore::dispatcher() noexcept {
  for (;;) {
    co_await work_;
    work_.reset();
    take_requests();
  }
}

// Takes requests while a response slot can be reserved for each (§3.4) and the device has room.
void DriverCore::take_requests() noexcept {
  for (;;) {
    if (barrier_) break;
    // The response queue's head is loaded only when the space known already does not suffice.
    if (in_flight_ >= limit() ||
        (in_flight_ >= end_.responses.known_space() && in_flight_ >= end_.responses.space())) {
      stalled_ = true;  // respond() wakes us when a request finishes
      break;
    }
    blk_req request;
    if (!end_.requests.pop(request)) break;
    ++counters_.requests;
    ++in_flight_;
    if (in_flight_ > counters_.peak_in_flight) counters_.peak_in_flight = in_flight_;
    if (request.code == BLK_REQ_BARRIER && !config_.no_device) {
      ++counters_.barriers;
      if (in_flight_ == 1) {
        respond(blk_resp{BLK_RESP_OK, 0, request.id});  // nothing dequeued before it is unanswered
      } else {
        barrier_ = true;
        barrier_id_ = request.id;
      }
      continue;
    }
    const bool small_read = request.code == BLK_REQ_READ && !config_.no_device &&
                            request.count <= kReadNowBytes / BLK_TRANSFER_SIZE;
    if (small_read && answer_now(request)) continue;
    pd_.spawn_detached(serve(request, small_read));
  }
  end_.requests.commit();
}

// A small READ whose data the backend has at hand, answered without a task (a task's two coroutine
// frames and its resumption measured ~0.1 us of a ~1.2 us depth-1 read). False: serve() does it.
bool DriverCore::answer_now(const blk_req& request) noexcept {
  uint8_t* buffer = transfer_buffer(request);
  if (buffer == nullptr) return false;  // serve() answers it ERR_INVALID_PARAM
  IoOp op;
  op.kind = IoKind::Read;
  op.buffer = buffer;
  op.length = static_cast<uint32_t>(request.count) * BLK_TRANSFER_SIZE;
  op.offset = request.block_number * BLK_TRANSFER_SIZE;
  const int32_t result = io_.read_now(op);
  if (result != static_cast<int32_t>(op.length)) {
    return false;  // not at hand, or only part of it (rare): serve() reads it all asynchronously
  }
  respond(blk_resp{BLK_RESP_OK, request.count, request.id});
  return true;
}

exec::Task<void> DriverCore::submitter() noexcept {
  for (;;) {
    co_await submit_;
    submit_.reset();
    io_.submit();
    reaped_ += io_.reap();  // page-cache hits complete during submission
    arm_irq();
  }
}

exec::Task<void> DriverCore::serve(blk_req request, bool read_tried) noexcept {
  blk_resp response{BLK_RESP_OK, 0, request.id};
  if (config_.no_device) {
    response.status = BLK_RESP_ERR_NO_DEVICE;
    respond(response);
    co_return;
  }
  switch (request.code) {
    case BLK_REQ_READ:
    case BLK_REQ_WRITE:
      co_await transfer(request, response, read_tried);
      if (request.code == BLK_REQ_WRITE && response.status == BLK_RESP_OK) {
        finish_write(response);
      } else {
        respond(response);
      }
      co_return;
    case BLK_REQ_FLUSH:
      co_await flush(response);
      co_return;
    default:
      ++counters_.invalid;
      response.status = BLK_RESP_ERR_INVALID_PARAM;
      respond(response);
      co_return;
  }
}

// The request's place in the DMA view, or nullptr when the request is invalid.
uint8_t* DriverCore::transfer_buffer(const blk_req& request) const noexcept {
  const uint64_t bytes = static_cast<uint64_t>(request.count) * BLK_TRANSFER_SIZE;
  uint8_t* buffer = dma_.translate(request.io_or_offset, bytes);
  if (request.count == 0 || !block_range_ok(request.block_number, request.count, config_.capacity) ||
      buffer == nullptr || request.io_or_offset % BLK_TRANSFER_SIZE != 0 ||
      (request.code == BLK_REQ_WRITE && config_.read_only)) {
    return nullptr;
  }
  return buffer;
}

exec::Task<void> DriverCore::transfer(const blk_req& request, blk_resp& response, bool read_tried) noexcept {
  const uint64_t bytes = static_cast<uint64_t>(request.count) * BLK_TRANSFER_SIZE;
  uint8_t* buffer = transfer_buffer(request);
  if (buffer == nullptr) {
    ++counters_.invalid;
    response.status = BLK_RESP_ERR_INVALID_PARAM;
    co_return;
  }
  const IoKind kind = request.code == BLK_REQ_READ ? IoKind::Read : IoKind::Write;
  uint64_t done = 0;
  while (done < bytes) {
    IoOp op;
    op.kind = kind;
    op.buffer = buffer + done;
    op.length = static_cast<uint32_t>(bytes - done);
    op.offset = request.block_number * BLK_TRANSFER_SIZE + done;
    // In place when the backend can (IoBackend.h): a read whose data is at hand, once (after a
    // short one the rest is not); a write only while it is the only request in flight and none
    // waits, because the driver blocks for its copy (~100 us for 1 MiB) and nothing else can be
    // served meanwhile. With company the write goes asynchronous again, so a long write never
    // holds up another request.
    int32_t result = IoBackend::kLater;
    if (kind == IoKind::Read && done == 0 && !read_tried && bytes <= kReadNowBytes) {
      result = io_.read_now(op);
    } else if (kind == IoKind::Write && in_flight_ == 1 && io_.in_flight() == 0 && end_.requests.empty()) {
      result = io_.write_now(op);
    }
    if (result == IoBackend::kLater) {
      submit_.set();
      result = co_await io_.run(op);
    }
    if (result <= 0) {  // an error, or the end of the image (which the range check rules out)
      ++counters_.io_errors;
      response.status = BLK_RESP_ERR_IO;
      break;
    }
    done += static_cast<uint64_t>(result);  // a short transfer continues where it stopped
  }
  response.success_count = response.status == BLK_RESP_OK ? request.count : static_cast<uint16_t>(done / BLK_TRANSFER_SIZE);
}

exec::Task<void> DriverCore::flush(blk_resp& response) noexcept {
  ++counters_.flushes;
  const uint64_t seq = ++flush_seq_;
  flushes_in_flight_[flush_count_++] = seq;
  IoOp op;
  op.kind = IoKind::Flush;
  submit_.set();
  const int32_t result = co_await io_.run(op);
  if (result < 0) {
    ++counters_.io_errors;
    response.status = BLK_RESP_ERR_IO;
  }
  respond(response);
  flush_done(seq);
}

void DriverCore::finish_write(const blk_resp& response) noexcept {
  if (flush_count_ == 0) {
    respond(response);
    return;
  }
  // The operation completed while flushes were in flight: they may not cover it.
  uint64_t newest = 0;
  for (uint32_t i = 0; i < flush_count_; ++i) {
    if (flushes_in_flight_[i] > newest) newest = flushes_in_flight_[i];
  }
  ++counters_.held_writes;
  held_[held_count_++] = Held{response, newest};
}

void DriverCore::flush_done(uint64_t seq) noexcept {
  for (uint32_t i = 0; i < flush_count_; ++i) {
    if (flushes_in_flight_[i] == seq) {
      flushes_in_flight_[i] = flushes_in_flight_[--flush_count_];
      break;
    }
  }
  uint64_t oldest = UINT64_MAX;
  for (uint32_t i = 0; i < flush_count_; ++i) {
    if (flushes_in_flight_[i] < oldest) oldest = flushes_in_flight_[i];
  }
  // Release, in completion order, every held write no flush in flight still has to come before.
  uint32_t kept = 0;
  for (uint32_t i = 0; i < held_count_; ++i) {
    if (held_[i].flush_seq < oldest) {
      respond(held_[i].response);
    } else {
      held_[kept++] = held_[i];
    }
  }
  held_count_ = kept;
}

void DriverCore::respond(const blk_resp& response) noexcept {
  // A slot was reserved when the request was taken; only a virtualiser that moved the response
  // queue's head can make the push fail, and then the response is lost to it alone.
  // Published at the end of the turn (turn_end), in push order.
  end_.responses.push(response);
  --in_flight_;
  if (barrier_ && in_flight_ == 1) {  // only the BARRIER is left: everything before it is answered
    barrier_ = false;
    end_.responses.push(blk_resp{BLK_RESP_OK, 0, barrier_id_});
    --in_flight_;
    work_.set();
  }
  if (stalled_ && !barrier_) {
    stalled_ = false;
    work_.set();
  }
}

}  // namespace corokit::block
