// Follows a client's plaintext records during the handshake to see every ClientHello's header
// before OpenSSL reads it (OpenSSL backend, server side). OpenSSL accepts a ClientHello of up to
// 128 KiB and allocates the announced size as soon as the header arrives, so a few bytes could make
// every connection hold a quarter of a megabyte; the guard refuses a ClientHello announcing more
// than a limit instead. It sees the bytes as they arrive, whatever OpenSSL has consumed of them,
// and follows handshake messages across records (a header may be split over several). It stops
// where the client's records become encrypted: at a TLS 1.3 record of type application_data, or at
// ChangeCipherSpec once TLS 1.2 is negotiated (in TLS 1.3 that record is a compatibility dummy,
// and a second ClientHello may follow a HelloRetryRequest).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace corokit::tls::detail {

class ClientHelloGuard {
 public:
  explicit ClientHelloGuard(std::size_t limit) noexcept : limit_(limit) {}

  // Scans received bytes; `tls12` says whether TLS 1.2 has been negotiated so far. False once a
  // ClientHello announced more than the limit (sticky).
  bool scan(std::span<const std::uint8_t> bytes, bool tls12) noexcept;
  bool refused() const noexcept { return refused_; }

 private:
  void scan_handshake(std::span<const std::uint8_t> bytes) noexcept;

  std::size_t limit_;
  bool done_ = false;
  bool refused_ = false;
  // The record being read: its header, then body_left_ bytes of type type_.
  std::uint8_t header_[5] = {};
  std::size_t header_have_ = 0;
  std::size_t body_left_ = 0;
  std::uint8_t type_ = 0;
  // The handshake message being read: its header, then message_left_ bytes.
  std::uint8_t message_header_[4] = {};
  std::size_t message_have_ = 0;
  std::size_t message_left_ = 0;
};

}  // namespace corokit::tls::detail
