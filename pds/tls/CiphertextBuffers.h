// The two fixed ciphertext buffers of a session, shared by both backends: bytes received and not
// yet taken by the TLS library (in[in_head, in_tail)), and bytes the library produced that are not
// yet sent (out[out_head, out_tail)). The library's I/O callbacks take from and put into them; the
// caller fills and drains them through TlsEngine. Nothing here grows.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "sdk/PdCounters.h"

#include "pds/tls/TlsEngine.h"

namespace corokit::tls::detail {

struct CiphertextBuffers {
  static constexpr std::size_t kIn = TlsEngine::kInputCapacity;
  static constexpr std::size_t kOut = TlsEngine::kOutputCapacity;

  std::size_t in_head = 0;
  std::size_t in_tail = 0;
  std::size_t out_head = 0;
  std::size_t out_tail = 0;
  std::uint8_t in[kIn];
  std::uint8_t out[kOut];

  // --- the caller's side ---
  std::span<std::uint8_t> input_space() noexcept {
    if (in_head != 0) {
      std::memmove(in, in + in_head, in_tail - in_head);
      if (in_tail != in_head) counters::copied(in_tail - in_head);
      in_tail -= in_head;
      in_head = 0;
    }
    return {in + in_tail, kIn - in_tail};
  }
  void commit_input(std::size_t bytes) noexcept { in_tail += std::min(bytes, kIn - in_tail); }
  std::span<const std::uint8_t> pending_output() const noexcept { return {out + out_head, out_tail - out_head}; }
  void consume_output(std::size_t bytes) noexcept {
    out_head += std::min(bytes, out_tail - out_head);
    if (out_head == out_tail) out_head = out_tail = 0;
  }
  std::size_t output_room() const noexcept { return kOut - (out_tail - out_head); }

  // --- the library's side ---
  // Copies up to `length` received bytes into `data`; 0 when there are none.
  std::size_t take_input(std::uint8_t* data, std::size_t length) noexcept {
    const std::size_t n = std::min(length, in_tail - in_head);
    if (n == 0) return 0;
    std::memcpy(data, in + in_head, n);  // ciphertext into the library's record buffer
    counters::copied(n);
    in_head += n;
    if (in_head == in_tail) in_head = in_tail = 0;
    return n;
  }
  // Appends up to `length` bytes to send; 0 when the output buffer is full.
  std::size_t put_output(const std::uint8_t* data, std::size_t length) noexcept {
    if (kOut - out_tail < length && out_head != 0) {
      std::memmove(out, out + out_head, out_tail - out_head);
      if (out_tail != out_head) counters::copied(out_tail - out_head);
      out_tail -= out_head;
      out_head = 0;
    }
    const std::size_t n = std::min(length, kOut - out_tail);
    if (n != 0) {
      std::memcpy(out + out_tail, data, n);  // the library's record into the output buffer
      counters::copied(n);
    }
    out_tail += n;
    return n;
  }
};

}  // namespace corokit::tls::detail
