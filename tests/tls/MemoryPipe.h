// An in-memory, bounded, bidirectional byte pipe with the member signatures of
// corokit::net::TcpStream, for driving TlsStream between two tasks of one executor.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>

#include "executor/Event.h"
#include "executor/Task.h"

namespace corokit::tls::testing {

enum class NetError { None, Closed, Reset };

template <class T>
struct NetResult {
  T value{};
  NetError error = NetError::None;
  bool ok() const noexcept { return error == NetError::None; }
};

// One direction: bytes written by one end, read by the other.
struct PipeBuffer {
  explicit PipeBuffer(std::size_t capacity_bytes) : capacity(capacity_bytes) {}
  std::size_t capacity;
  std::deque<std::uint8_t> bytes;
  bool closed = false;  // writer closed: reads drain, then return 0
  bool reset = false;   // aborted: everything fails
  exec::Event readable;
  exec::Event writable;
  std::size_t total_written = 0;
};

class PipeEnd {
 public:
  PipeEnd(std::shared_ptr<PipeBuffer> in, std::shared_ptr<PipeBuffer> out) : in_(std::move(in)), out_(std::move(out)) {}

  exec::Task<NetResult<std::size_t>> read(std::span<std::uint8_t> buffer) {
    while (in_->bytes.empty() && !in_->closed && !in_->reset) {
      in_->readable.reset();
      co_await in_->readable;
    }
    if (in_->reset) co_return NetResult<std::size_t>{0, NetError::Reset};
    const std::size_t n = std::min(buffer.size(), in_->bytes.size());
    std::copy_n(in_->bytes.begin(), n, buffer.begin());
    in_->bytes.erase(in_->bytes.begin(), in_->bytes.begin() + static_cast<std::ptrdiff_t>(n));
    in_->writable.set();
    co_return NetResult<std::size_t>{n};
  }

  exec::Task<NetError> write(std::span<const std::uint8_t> data) {
    while (!data.empty()) {
      if (out_->reset) co_return NetError::Reset;
      if (out_->closed) co_return NetError::Closed;
      const std::size_t room = out_->capacity - out_->bytes.size();
      if (room == 0) {
        out_->writable.reset();
        co_await out_->writable;
        continue;
      }
      const std::size_t n = std::min(room, data.size());
      out_->bytes.insert(out_->bytes.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
      out_->total_written += n;
      data = data.subspan(n);
      out_->readable.set();
    }
    co_return NetError::None;
  }

  exec::Task<NetError> close() {
    out_->closed = true;
    out_->readable.set();
    co_return NetError::None;
  }

  void abort() {
    for (PipeBuffer* p : {in_.get(), out_.get()}) {
      p->reset = true;
      p->readable.set();
      p->writable.set();
    }
  }

  PipeBuffer& incoming() { return *in_; }
  PipeBuffer& outgoing() { return *out_; }

 private:
  std::shared_ptr<PipeBuffer> in_;
  std::shared_ptr<PipeBuffer> out_;
};

struct Pipe {
  PipeEnd a;
  PipeEnd b;
};

inline Pipe make_pipe(std::size_t capacity) {
  auto ab = std::make_shared<PipeBuffer>(capacity);
  auto ba = std::make_shared<PipeBuffer>(capacity);
  return Pipe{PipeEnd(ba, ab), PipeEnd(ab, ba)};
}

}  // namespace corokit::tls::testing
