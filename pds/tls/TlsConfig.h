// Shared TLS configurations: credentials parsed once from memory, a random generator seeded from
// host entropy (getrandom), and the protocol policy (TLS 1.3 and 1.2 where the backend has them,
// ECDHE with AEAD suites only; docs/tls.md). Many sessions share one configuration: copies are
// cheap handles to the same parsed state, and every session keeps the state alive. A configuration
// and its sessions belong to one thread (a PD's executor).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "pds/tls/TlsError.h"
#include "pds/tls/TlsVersion.h"

namespace corokit::tls {

namespace detail {
struct TlsConfigState;
}

class TlsServerConfig {
 public:
  // An empty configuration: sessions made from it fail with NoConfig.
  TlsServerConfig() noexcept = default;

  // `cert_chain_pem`: the server certificate first, then its intermediates. `key_pem`: the
  // unencrypted private key of the first certificate (EC or RSA, PKCS#1, SEC1 or PKCS#8). Both are
  // PEM bytes from memory (a trailing NUL is optional); nothing is read from files. `versions`
  // narrows the protocol versions offered (the default: all the backend has). Errors:
  // BadCertificate, BadKey, KeyMismatch, Entropy, OutOfMemory, Unsupported (no version of
  // `versions` is available in this backend).
  static TlsResult<TlsServerConfig> create(std::span<const std::uint8_t> cert_chain_pem,
                                           std::span<const std::uint8_t> key_pem,
                                           TlsVersions versions = {}) noexcept;

  explicit operator bool() const noexcept { return state_ != nullptr; }

 private:
  friend class TlsEngine;
  std::shared_ptr<detail::TlsConfigState> state_;
};

// The client side, for tests and tools: it verifies the server's chain against `trusted_ca_pem`
// and the server name given to each session.
class TlsClientConfig {
 public:
  TlsClientConfig() noexcept = default;

  // Errors: BadCertificate, Entropy, OutOfMemory, Unsupported.
  static TlsResult<TlsClientConfig> create(std::span<const std::uint8_t> trusted_ca_pem,
                                           TlsVersions versions = {}) noexcept;

  explicit operator bool() const noexcept { return state_ != nullptr; }

 private:
  friend class TlsEngine;
  std::shared_ptr<detail::TlsConfigState> state_;
};

}  // namespace corokit::tls
