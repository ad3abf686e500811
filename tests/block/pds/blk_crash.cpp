// The crash test's client: writes records with increasing sequence numbers round the first blocks
// of its device, 8 writes in flight, and a FLUSH every 16 acknowledged writes without waiting for
// the writes in flight. When a FLUSH is answered OK it prints
//   durable <n>
// meaning: every write with a sequence number below n was answered OK before that FLUSH's answer,
// so it must survive whatever happens next. It runs until the whole system is killed.
#include "executor/Event.h"
#include "sdk/AsyncPd.h"
#include "sdk/BlockClientSetvars.h"
#include "tests/block/pds/BlockRecord.h"

COROKIT_BLOCK_CLIENT_SETVARS();

namespace {

using namespace corokit;
using exec::BlockResult;
using exec::Task;

constexpr unsigned kWriters = 8;
constexpr uint64_t kFlushEvery = 16;
constexpr uint32_t kTag = 0xC4A54;
constexpr uint64_t kWindow = 4096;  // sequence numbers tracked at once

struct Crash {
  exec::BlockClient* blk = nullptr;
  uint64_t blocks = 0;
  uint64_t next_seq = 0;
  uint64_t prefix = 0;          // every sequence number below it was answered OK
  bool acked[kWindow] = {};     // by sequence number modulo kWindow, at and above prefix
  uint64_t acked_since_flush = 0;
  exec::Event flush_due;
  exec::Event flush_answered;
  exec::BlockRequest flush_request;
  uint64_t durable = 0;

  void start(exec::AsyncPd& pd) {
    static exec::BlockClient client(pd, block_client_config());
    blk = &client;
    pd.spawn_detached(run(pd));
  }

  Task<void> run(exec::AsyncPd& pd) {
    co_await blk->ready();
    blocks = blk->capacity() < 1024 ? blk->capacity() : 1024;
    log::info("crash: ", blocks, " blocks, tag ", hex(kTag, 8));
    for (unsigned w = 0; w < kWriters; ++w) pd.spawn_detached(writer(w));
    pd.spawn_detached(flusher());
  }

  Task<void> writer(unsigned w) {
    uint8_t* buffer = blk->data() + w * BLK_TRANSFER_SIZE;
    for (;;) {
      // Keep the window of unacknowledged sequence numbers bounded.
      while (next_seq - prefix >= kWindow - kWriters) co_await flush_answered;
      const uint64_t seq = next_seq++;
      corokit::testing::make_record(buffer, kTag, seq % blocks, seq);
      const BlockResult r = co_await blk->write(seq % blocks, 1, buffer);
      if (!r.ok()) {
        log::error("crash: write ", seq, " failed: status ", r.status);
        co_return;
      }
      acked[seq % kWindow] = true;
      while (acked[prefix % kWindow]) {
        acked[prefix % kWindow] = false;
        ++prefix;
      }
      if (++acked_since_flush >= kFlushEvery) flush_due.set();
    }
  }

  // The FLUSH's completion callback runs while its response is taken from the queue, before any
  // response published after it: the prefix at that moment is what the FLUSH covers.
  static void flushed(exec::BlockRequest& request, void* self) noexcept {
    Crash& c = *static_cast<Crash*>(self);
    if (request.result.ok()) c.durable = c.prefix;
    c.flush_answered.set();
  }

  Task<void> flusher() {
    flush_request.code = BLK_REQ_FLUSH;
    flush_request.on_complete = &Crash::flushed;
    flush_request.context = this;
    for (;;) {
      co_await flush_due;
      flush_due.reset();
      acked_since_flush = 0;
      flush_answered.reset();
      blk->submit(flush_request);
      co_await flush_answered;
      if (!flush_request.result.ok()) {
        log::error("crash: flush failed: status ", flush_request.result.status);
        co_return;
      }
      log::info("durable ", durable);
    }
  }
};

}  // namespace

COROKIT_ASYNC_PD(Crash, 64 * 1024);
