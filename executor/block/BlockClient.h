#pragma once

#include <cstddef>
#include <cstdint>

#include "executor/AsyncPd.h"
#include "executor/EventSource.h"
#include "executor/PollWindow.h"
#include "executor/WaitQueue.h"
#include "sdk/protocol/BlockQueues.h"

// The client side of a block device (PROTOCOLS.md §3): a PD's queue pair to the block virtualiser,
// as awaitables.
//
//   BlockClient blk(pd, config);              // registers itself for the channel's notifications
//   co_await blk.ready();                     // the storage info is published
//   BlockResult r = co_await blk.read(block, count, buffer);   // buffer inside the data region
//   r = co_await blk.write(block, count, buffer);
//   r = co_await blk.flush();                 // the durability point
//
// Any number of requests may be in flight from any number of tasks; beyond the queue's capacity
// they wait for a slot (FIFO). Ids carry a slot in the low bits and a generation in the high bits,
// so a response is matched to its request regardless of completion order, and stale, duplicate or
// forged responses are recognised and dropped (counted). Responses are validated (status, success
// count) before they reach the caller: a bad completion is an error result, never undefined
// behaviour (§1.5.9). Requests issued before the storage info is ready wait for it.
//
// Requests are published once per executor turn, as one batch with one notification.
//
// Polling (BlockClientConfig::poll_ns): with requests in flight, the client keeps its PD's event
// loop polling the response queue instead of sleeping, for up to poll_ns after the last request or
// response. A wake-up of a sleeping process can cost far more than a cached read; set it only when
// the PD has a CPU its server does not need.
//
// A buffer belongs to the device from the request's publication until its response; a task that
// is cancelled while its request is in flight leaves the request orphaned (its response is
// dropped), and must not reuse the buffer before the device could have answered.
//
// Freestanding, no heap.

namespace corokit::exec {

struct BlockResult {
  uint32_t status = BLK_RESP_OK;  // enum blk_resp_status
  uint16_t success_count = 0;     // units transferred before the first failure

  bool ok() const noexcept { return status == BLK_RESP_OK; }
};

struct BlockClientConfig {
  const blk_storage_info* info = nullptr;  // mapped read-only
  void* requests = nullptr;
  uint64_t request_bytes = 0;
  void* responses = nullptr;
  uint64_t response_bytes = 0;
  void* data = nullptr;  // the data region shared with the virtualiser
  uint64_t data_bytes = 0;
  ChannelId channel = 0;
  // Added to every data-region offset sent: 0 with a virtualiser (requests carry offsets), the
  // data region's I/O address when the client talks to a driver directly (requests carry I/O
  // addresses, PROTOCOLS.md §1.6).
  uint64_t io_base = 0;
  uint64_t poll_ns = 0;                        // poll this long after the last progress (0: never)
  uint64_t (*clock_ns)() noexcept = nullptr;  // monotonic time for poll_ns (polling needs it)
};

class BlockClient;

// One request. RequestAwaiter keeps one in the awaiting frame; the buffer cache submits its own
// with a completion callback.
class BlockRequest {
 public:
  uint32_t code = BLK_REQ_READ;
  uint64_t block = 0;
  uint16_t count = 0;
  uint64_t offset = 0;  // in the data region
  BlockResult result;
  bool done = false;
  // Completion: calls `on_complete(*this, context)` if set, else wakes `task`.
  TaskRecord* task = nullptr;
  void (*on_complete)(BlockRequest& request, void* context) noexcept = nullptr;
  void* context = nullptr;

 private:
  friend class BlockClient;
  enum class State : uint8_t { Idle, Waiting, InFlight, Done };
  State state_ = State::Idle;
  uint32_t slot_ = 0;
  BlockRequest* next_ = nullptr;  // waiting list
  BlockRequest* prev_ = nullptr;
};

class BlockClient final : public EventSource {
 public:
  static constexpr uint32_t kMaxSlots = 1024;

  BlockClient(AsyncPd& pd, const BlockClientConfig& config) noexcept;
  ~BlockClient();
  BlockClient(const BlockClient&) = delete;
  BlockClient& operator=(const BlockClient&) = delete;

  // The configuration gave usable queues (a capacity of at least 1).
  bool valid() const noexcept { return capacity_ != 0; }
  AsyncPd& pd() noexcept { return pd_; }

  // --- storage info (valid once ready) ---
  class ReadyAwaiter : Waiter {
   public:
    explicit ReadyAwaiter(BlockClient& client) noexcept : client_(client) {}
    ReadyAwaiter(const ReadyAwaiter&) = delete;
    ~ReadyAwaiter() { client_.ready_waiters_.remove(*this); }
    bool await_ready() noexcept { return client_.check_ready(); }
    template <detail::TaskPromiseType P>
    void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
      task = &detail::suspend_point(awaiting);
      client_.ready_waiters_.push_back(*this);
    }
    void await_resume() const noexcept {}

   private:
    BlockClient& client_;
  };
  ReadyAwaiter ready() noexcept { return ReadyAwaiter(*this); }
  bool is_ready() const noexcept { return ready_; }
  const blk_storage_info& info() const noexcept { return info_; }  // the snapshot taken when ready
  uint64_t capacity() const noexcept { return info_.capacity; }     // in 4096-byte units
  bool read_only() const noexcept { return info_.read_only != 0; }

  // --- requests ---
  class RequestAwaiter {
   public:
    RequestAwaiter(BlockClient& client, uint32_t code, uint64_t block, uint16_t count, const void* buffer) noexcept;
    RequestAwaiter(const RequestAwaiter&) = delete;
    ~RequestAwaiter() { client_.abandon(request_); }
    bool await_ready() const noexcept { return request_.done; }
    template <detail::TaskPromiseType P>
    void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
      request_.task = &detail::suspend_point(awaiting);
      client_.submit(request_);
    }
    BlockResult await_resume() const noexcept { return request_.result; }

   private:
    BlockClient& client_;
    BlockRequest request_;
  };
  RequestAwaiter read(uint64_t block, uint16_t count, void* buffer) noexcept {
    return RequestAwaiter(*this, BLK_REQ_READ, block, count, buffer);
  }
  RequestAwaiter write(uint64_t block, uint16_t count, const void* buffer) noexcept {
    return RequestAwaiter(*this, BLK_REQ_WRITE, block, count, buffer);
  }
  RequestAwaiter flush() noexcept { return RequestAwaiter(*this, BLK_REQ_FLUSH, 0, 0, nullptr); }
  RequestAwaiter barrier() noexcept { return RequestAwaiter(*this, BLK_REQ_BARRIER, 0, 0, nullptr); }

  // Low level: `request` (code, block, count, offset, completion) must stay alive until done. A
  // transfer outside the data region completes at once with ERR_INVALID_PARAM.
  void submit(BlockRequest& request) noexcept;
  // Forgets `request`: unqueued if waiting; orphaned if in flight (its response is dropped).
  void abandon(BlockRequest& request) noexcept;

  // Where `buffer` is in the data region, or false when [buffer, + count × 4096) is not inside it
  // or not 4096-aligned.
  bool offset_of(const void* buffer, uint16_t count, uint64_t& offset) const noexcept;
  uint8_t* data() const noexcept { return data_; }
  uint64_t data_bytes() const noexcept { return data_bytes_; }

  uint32_t in_flight() const noexcept { return in_flight_; }
  uint32_t queue_capacity() const noexcept { return capacity_; }
  struct Counters {
    uint64_t submitted = 0;
    uint64_t completed = 0;
    uint64_t bad_responses = 0;  // unknown, stale or duplicate ids
    uint64_t orphaned = 0;       // responses to abandoned requests
    uint64_t polled_turns = 0;   // turns after which the PD polled instead of sleeping
  };
  const Counters& counters() const noexcept { return counters_; }

  void on_notified(ChannelId channel) noexcept override;

 private:
  class TurnEnd final : public TurnEndHook {
   public:
    explicit TurnEnd(BlockClient& client) noexcept : client_(client) {}
    bool on_turn_end() noexcept override { return client_.turn_end(); }

   private:
    BlockClient& client_;
  };
  struct Slot {
    BlockRequest* request = nullptr;
    uint32_t generation = 0;
    uint16_t count = 0;
    bool in_use = false;
  };

  bool check_ready() noexcept;
  void send(BlockRequest& request) noexcept;
  void finish(BlockRequest& request, uint32_t status, uint16_t success_count) noexcept;
  void start_waiting() noexcept;
  void drain() noexcept;
  bool turn_end() noexcept;

  AsyncPd& pd_;
  const blk_storage_info* shared_info_;
  ChannelId channel_;
  uint8_t* data_;
  uint64_t data_bytes_;
  uint64_t io_base_;
  uint64_t poll_ns_;
  uint64_t (*clock_ns_)() noexcept;
  TurnEnd turn_end_;
  PollWindow poll_window_;  // progress: requests sent + responses taken
  uint32_t capacity_ = 0;   // queue capacity (both queues)
  uint32_t slot_count_ = 0;  // min(capacity, kMaxSlots)
  uint32_t slot_bits_ = 0;
  protocol::BlockClientEnd end_;
  bool ready_ = false;
  blk_storage_info info_{};
  WaitQueue ready_waiters_;
  Slot slots_[kMaxSlots];
  uint16_t free_[kMaxSlots];
  uint32_t free_count_ = 0;
  uint32_t in_flight_ = 0;
  BlockRequest* waiting_head_ = nullptr;
  BlockRequest* waiting_tail_ = nullptr;
  Counters counters_;
};

}  // namespace corokit::exec
