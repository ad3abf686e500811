#include "pds/tls/openssl/ClientHelloGuard.h"

#include <algorithm>
#include <cstring>

namespace corokit::tls::detail {
namespace {

constexpr std::uint8_t kChangeCipherSpec = 20;
constexpr std::uint8_t kHandshake = 22;
constexpr std::uint8_t kApplicationData = 23;
constexpr std::uint8_t kClientHello = 1;

}  // namespace

bool ClientHelloGuard::scan(std::span<const std::uint8_t> bytes, bool tls12) noexcept {
  while (!bytes.empty() && !done_ && !refused_) {
    if (body_left_ == 0) {  // a record header
      const std::size_t n = std::min(sizeof header_ - header_have_, bytes.size());
      std::memcpy(header_ + header_have_, bytes.data(), n);
      header_have_ += n;
      bytes = bytes.subspan(n);
      if (header_have_ < sizeof header_) break;
      header_have_ = 0;
      type_ = header_[0];
      body_left_ = std::size_t{header_[3]} << 8 | header_[4];
      if (type_ == kApplicationData || (type_ == kChangeCipherSpec && tls12)) done_ = true;
      continue;
    }
    const std::size_t n = std::min(body_left_, bytes.size());
    if (type_ == kHandshake) scan_handshake(bytes.first(n));
    body_left_ -= n;
    bytes = bytes.subspan(n);
  }
  return !refused_;
}

void ClientHelloGuard::scan_handshake(std::span<const std::uint8_t> bytes) noexcept {
  while (!bytes.empty() && !refused_) {
    if (message_left_ == 0) {  // a handshake message header: type, 24-bit length
      const std::size_t n = std::min(sizeof message_header_ - message_have_, bytes.size());
      std::memcpy(message_header_ + message_have_, bytes.data(), n);
      message_have_ += n;
      bytes = bytes.subspan(n);
      if (message_have_ < sizeof message_header_) return;
      message_have_ = 0;
      message_left_ = std::size_t{message_header_[1]} << 16 | std::size_t{message_header_[2]} << 8 | message_header_[3];
      if (message_header_[0] == kClientHello && message_left_ > limit_) refused_ = true;
      continue;
    }
    const std::size_t n = std::min(message_left_, bytes.size());
    message_left_ -= n;
    bytes = bytes.subspan(n);
  }
}

}  // namespace corokit::tls::detail
