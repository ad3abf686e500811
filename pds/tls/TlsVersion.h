// Protocol versions: what a configuration allows and what a session negotiated. Which versions a
// build can speak depends on the backend chosen at configure time (COROKIT_TLS_BACKEND,
// docs/tls.md): OpenSSL 3.0 speaks TLS 1.2 and 1.3, mbedTLS 2.28 TLS 1.2 only.
#pragma once

#include <cstdint>

namespace corokit::tls {

enum class TlsVersion : std::uint8_t { None, Tls12, Tls13 };

// The versions a configuration accepts, both ends included. The default is every version of the
// backend (1.2 for old clients, 1.3 where the backend has it).
struct TlsVersions {
  TlsVersion min = TlsVersion::Tls12;
  TlsVersion max = TlsVersion::Tls13;
};

// "TLSv1.2", "TLSv1.3", or "" for None.
const char* to_string(TlsVersion version) noexcept;

// The newest version this build's backend negotiates.
TlsVersion highest_version() noexcept;

// The backend and its version, for logs ("OpenSSL 3.0.19 27 Jan 2026", "mbed TLS 2.28.3").
const char* backend_name() noexcept;

}  // namespace corokit::tls
