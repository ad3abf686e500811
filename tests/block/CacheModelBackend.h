// Test backend (PROTOCOLS.md §3.8): a disk with a volatile write cache. Completed writes are
// visible to reads at once but reach the durable medium only through a FLUSH, and a FLUSH covers
// only the writes that had completed when it was submitted (the least fdatasync promises: writes
// completing while it runs may or may not be covered, and this model says "not"). power_cut()
// throws away everything not on the medium. Operations complete when the test says so, in any
// order; errors can be injected at a byte offset, with a short transfer first as the kernel does.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <random>
#include <vector>

#include "pds/block/IoBackend.h"

namespace corokit::testing {

class CacheModelBackend final : public block::IoBackend {
 public:
  explicit CacheModelBackend(uint64_t bytes, uint32_t depth = 256)
      : cache_(bytes), medium_(bytes), persisted_(bytes / 4096, 0), depth_(depth) {}

  // IoBackend
  void start(block::IoOp& op) noexcept override { queued_.push_back(&op); }
  void submit() noexcept override {
    for (block::IoOp* op : queued_) {
      Pending p{op, {}};
      if (op->kind == block::IoKind::Flush) p.covers = completed_writes_;  // what is in the cache now
      in_flight_.push_back(p);
      ++submitted_;
    }
    queued_.clear();
  }
  uint32_t reap() noexcept override {
    uint32_t n = 0;
    while (!done_.empty()) {
      auto [op, result] = done_.front();
      done_.pop_front();
      op->complete(result);
      ++n;
    }
    return n;
  }
  uint32_t in_flight() const noexcept override {
    return static_cast<uint32_t>(queued_.size() + in_flight_.size() + done_.size());
  }
  uint32_t max_in_flight() const noexcept override { return depth_; }
  // With set_synchronous(true), reads are always at hand and writes are done in place (a completed
  // write in the volatile cache, like one that finished on the device), as UringBackend's.
  int32_t read_now(block::IoOp& op) noexcept override {
    if (!synchronous_ || touches_failure(op)) return kLater;
    ++done_now_;
    return execute(Pending{&op, {}});
  }
  int32_t write_now(block::IoOp& op) noexcept override {
    if (!synchronous_ || touches_failure(op)) return kLater;
    ++done_now_;
    return execute(Pending{&op, {}});
  }

  // --- the test's controls ---
  void set_synchronous(bool on) { synchronous_ = on; }
  uint64_t done_now() const { return done_now_; }
  size_t submitted_count() const { return in_flight_.size(); }
  uint64_t submissions() const { return submitted_; }
  const block::IoOp& submitted(size_t i) const { return *in_flight_[i].op; }

  // Finishes the i-th submitted operation (its effects happen now); reap() then delivers it.
  void finish(size_t i) {
    Pending p = in_flight_[i];
    in_flight_.erase(in_flight_.begin() + static_cast<long>(i));
    done_.push_back({p.op, execute(p)});
  }
  void finish_all() {
    while (!in_flight_.empty()) finish(0);
  }
  void finish_random(std::mt19937_64& rng) { finish(std::uniform_int_distribution<size_t>(0, in_flight_.size() - 1)(rng)); }

  // Reads and writes touching byte `offset` fail from there (after a short transfer up to it).
  void fail_at(uint64_t offset) { fail_at_ = offset; }

  // The host loses power: the cache is gone, the medium is what is left.
  void power_cut() { cache_ = medium_; }
  const std::vector<uint8_t>& medium() const { return medium_; }
  const std::vector<uint8_t>& cache() const { return cache_; }
  std::vector<uint8_t>& cache() { return cache_; }

 private:
  struct Write {
    uint64_t seq;  // completion order
    uint64_t offset;
    std::vector<uint8_t> bytes;
  };
  struct Pending {
    block::IoOp* op;
    std::vector<uint64_t> covers;  // flush: indices into writes_
  };

  bool touches_failure(const block::IoOp& op) const { return fail_at_ >= op.offset && fail_at_ < op.offset + op.length; }

  int32_t execute(const Pending& p) {
    block::IoOp& op = *p.op;
    if (op.kind == block::IoKind::Flush) {
      // Persist what was in the cache when the flush was submitted; never regress a block to an
      // older write than the one already on the medium.
      for (uint64_t w : p.covers) {
        const Write& write = writes_[w];
        for (uint64_t at = 0; at < write.bytes.size(); at += 4096) {
          const uint64_t block = (write.offset + at) / 4096;
          if (persisted_[block] > write.seq) continue;
          persisted_[block] = write.seq;
          std::memcpy(medium_.data() + write.offset + at, write.bytes.data() + at,
                      std::min<uint64_t>(4096, write.bytes.size() - at));
        }
      }
      return 0;
    }
    uint64_t length = op.length;
    if (fail_at_ >= op.offset && fail_at_ < op.offset + op.length) {
      if (fail_at_ == op.offset) return -EIO;
      length = fail_at_ - op.offset;  // a short transfer, then the error on the retry
    }
    if (op.offset + length > cache_.size()) return -EIO;
    if (op.kind == block::IoKind::Read) {
      std::memcpy(op.buffer, cache_.data() + op.offset, length);
    } else {
      std::memcpy(cache_.data() + op.offset, op.buffer, length);
      Write w{++write_seq_, op.offset, std::vector<uint8_t>(static_cast<uint8_t*>(op.buffer),
                                                            static_cast<uint8_t*>(op.buffer) + length)};
      writes_.push_back(std::move(w));
      completed_writes_.push_back(writes_.size() - 1);
    }
    return static_cast<int32_t>(length);
  }

  std::vector<uint8_t> cache_;
  std::vector<uint8_t> medium_;
  std::vector<uint64_t> persisted_;  // per 4 KiB block: seq of the write on the medium
  std::vector<Write> writes_;
  std::vector<uint64_t> completed_writes_;
  std::vector<block::IoOp*> queued_;
  std::vector<Pending> in_flight_;
  std::deque<std::pair<block::IoOp*, int32_t>> done_;
  uint64_t write_seq_ = 0;
  uint64_t submitted_ = 0;
  uint64_t fail_at_ = ~uint64_t{0};
  uint32_t depth_;
  bool synchronous_ = false;
  uint64_t done_now_ = 0;
};

}  // namespace corokit::testing
