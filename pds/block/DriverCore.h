// The block driver's request logic (PROTOCOLS.md §3.3, §3.8), over any IoBackend, as coroutines on
// the PD's executor. Independent of the runtime: tests drive it in-process with a model backend.
//
// A dispatcher task takes requests from the virtualiser's queue while the in-flight limit allows
// (a response slot reserved per request; at most the backend's depth), and spawns one task per
// request, which validates it, translates its I/O address through the DMA view, awaits its device
// operations (continuing short transfers) and publishes its response. Where the backend can do a
// transfer in place (IoBackend::read_now/write_now), a small READ whose data is at hand is answered
// without a task, and a WRITE that is the only request in flight is done before its response. Completions come in any
// order; responses carry the request's id. A submitter task hands everything the turn's tasks
// started to the device in one batch.
//
// FLUSH durability (§3.3): an OK response to a WRITE whose operation completed while a FLUSH was in
// flight is held back until every FLUSH in flight at that moment has published its response, so
// every WRITE answered OK before a FLUSH's OK is covered by that FLUSH's fdatasync.
// BARRIER: nothing dequeued after it starts before everything dequeued before it has been
// answered; then the BARRIER is answered.
// A driver without a device (no backend attached) answers every request ERR_NO_DEVICE.
//
// Responses are published once per turn, in order, as one batch with one notification.
// Completions are reaped right after each submission (a page-cache hit completes during it, so it
// costs no IRQ) and again at the end of every turn; the IRQ is acknowledged only while operations
// are still in flight. Polling (DriverConfig::poll_ns): a wake-up of a sleeping process costs far
// more than a cached read on a loaded host, so after the last sign of work (a request taken, a
// completion reaped) the driver keeps its event loop polling instead of sleeping for up to
// poll_ns, looking at its request queue (and taking what it finds at once) and the completion
// queue itself. It does not poll while
// operations the kernel did not finish during submission are in flight: whatever completes them
// (an io_uring worker thread, the device) may need the CPU, and their completion raises the IRQ.
// Set poll_ns only when the driver and its peers have CPUs of their own.
#pragma once

#include <cstdint>

#include "executor/AsyncPd.h"
#include "executor/Event.h"
#include "executor/PollWindow.h"
#include "pds/block/DmaView.h"
#include "pds/block/IoBackend.h"
#include "sdk/protocol/BlockQueues.h"

namespace corokit::block {

struct DriverConfig {
  uint64_t capacity = 0;      // in 4096-byte units
  bool read_only = false;
  bool no_device = false;     // answer ERR_NO_DEVICE to everything
  exec::ChannelId virt_channel = 0;
  exec::ChannelId irq_channel = 0;
  bool has_irq = true;        // tests without an IRQ channel reap by polling
  uint64_t poll_ns = 0;       // poll instead of sleeping this long after the last work (0: never)
  uint64_t (*clock_ns)() noexcept = nullptr;  // monotonic time for poll_ns (polling needs it)
};

struct DriverCounters {
  uint64_t requests = 0;
  uint64_t invalid = 0;
  uint64_t io_errors = 0;
  uint64_t held_writes = 0;  // write responses held back behind a flush
  uint64_t flushes = 0;
  uint64_t barriers = 0;
  uint32_t peak_in_flight = 0;
  uint64_t polled_turns = 0;  // turns after which the driver polled instead of sleeping
};

class DriverCore {
 public:
  static constexpr uint32_t kMaxInFlight = 1024;
  // Reads up to this size whose data the backend has at hand are done in place (IoBackend::read_now);
  // larger ones go through the ring into a registered buffer, which copies faster (1 MiB: 1.26x
  // pread's time with preadv2 into the shared region, 0.88-1.06x with READ_FIXED) while the ~0.25 us
  // the in-place read saves is lost in a large copy.
  static constexpr uint64_t kReadNowBytes = 32 * 1024;

  // `requests`/`responses` are the driver's end of the virtualiser queue pair.
  DriverCore(exec::AsyncPd& pd, IoBackend& io, const DmaView& dma, protocol::BlockServerEnd end, uint32_t capacity,
             const DriverConfig& config) noexcept;
  DriverCore(const DriverCore&) = delete;
  DriverCore& operator=(const DriverCore&) = delete;

  // Registers the channel sources and spawns the dispatcher and submitter.
  void start() noexcept;

  // Reaps completions and re-arms the IRQ as needed (the IRQ source calls it; tests may too).
  void on_irq() noexcept;

  const DriverCounters& counters() const noexcept { return counters_; }
  uint32_t in_flight() const noexcept { return in_flight_; }

 private:
  class Source final : public exec::EventSource {
   public:
    explicit Source(DriverCore& core) noexcept : core_(core) {}
    void on_notified(exec::ChannelId channel) noexcept override;

   private:
    DriverCore& core_;
  };
  class TurnEnd final : public exec::TurnEndHook {
   public:
    explicit TurnEnd(DriverCore& core) noexcept : core_(core) {}
    bool on_turn_end() noexcept override { return core_.turn_end(); }

   private:
    DriverCore& core_;
  };
  struct Held {
    blk_resp response;
    uint64_t flush_seq;  // released once no flush with a sequence ≤ this is in flight
  };

  exec::Task<void> dispatcher() noexcept;
  exec::Task<void> submitter() noexcept;
  void take_requests() noexcept;
  bool answer_now(const blk_req& request) noexcept;
  uint8_t* transfer_buffer(const blk_req& request) const noexcept;
  exec::Task<void> serve(blk_req request, bool read_tried) noexcept;
  exec::Task<void> transfer(const blk_req& request, blk_resp& response, bool read_tried) noexcept;
  exec::Task<void> flush(blk_resp& response) noexcept;

  void respond(const blk_resp& response) noexcept;
  void finish_write(const blk_resp& response) noexcept;
  void flush_done(uint64_t seq) noexcept;
  void arm_irq() noexcept;
  bool turn_end() noexcept;
  uint32_t limit() const noexcept;

  exec::AsyncPd& pd_;
  IoBackend& io_;
  const DmaView& dma_;
  protocol::BlockServerEnd end_;
  uint32_t capacity_;
  DriverConfig config_;
  Source virt_source_;
  Source irq_source_;
  TurnEnd turn_end_;
  exec::Event work_;        // requests may be waiting
  exec::Event submit_;      // operations were started this turn
  bool irq_armed_ = true;   // the runtime acknowledges every IRQ once at start-up
  uint32_t in_flight_ = 0;  // requests dequeued and not yet answered (a pending BARRIER included)
  bool barrier_ = false;
  uint32_t barrier_id_ = 0;
  bool stalled_ = false;    // the dispatcher stopped at the in-flight limit
  uint64_t reaped_ = 0;     // completions reaped
  exec::PollWindow poll_window_;  // work: requests taken + completions reaped

  uint64_t flush_seq_ = 0;
  uint64_t flushes_in_flight_[kMaxInFlight];
  uint32_t flush_count_ = 0;
  Held held_[kMaxInFlight];
  uint32_t held_count_ = 0;
  DriverCounters counters_;
};

}  // namespace corokit::block
