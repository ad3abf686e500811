// Error codes of the TLS layer, the same for every backend. Every operation reports one of these
// (never an exception); the library's own code of a fatal error is kept by the engine for logs
// (TlsEngine::library_error()).
#pragma once

#include <cstddef>
#include <cstdint>

namespace corokit::tls {

enum class TlsError : std::uint8_t {
  None,
  WantRead,          // needs more ciphertext from the peer: send pending output, then feed input
  WantWrite,         // the ciphertext output buffer is full: send pending output, then call again
  Closed,            // the peer sent close_notify: no more data will come (a read's end of stream)
  Busy,              // TlsStream: another operation is in flight on this stream
  Truncated,         // the transport ended without close_notify (possible truncation attack)
  NoConfig,          // an engine made from an empty (default-constructed or failed) config
  BadCertificate,    // the certificate chain (or the trusted CAs) could not be parsed
  BadKey,            // the private key could not be parsed (encrypted keys are not supported)
  KeyMismatch,       // the private key does not belong to the leaf certificate
  Entropy,           // host entropy or the random generator failed
  PeerVerifyFailed,  // client: the server's certificate is untrusted, expired or for another name
  HandshakeFailed,   // no common version, suite or curve, or a malformed handshake message
  PeerAlert,         // the peer sent a fatal alert
  BadRecord,         // a record that is malformed, too long or fails authentication
  NotReady,          // write after close(), or data before the handshake could run
  OutOfMemory,
  Unsupported,       // a configuration asked only for protocol versions the backend does not have
  Internal,          // a TLS library error the layer does not expect
};

// A short English description ("peer sent close_notify"), for logs.
const char* describe(TlsError error) noexcept;

// A value or an error, in the shape of the transport's NetResult.
template <class T>
struct TlsResult {
  T value{};
  TlsError error = TlsError::None;
  bool ok() const noexcept { return error == TlsError::None; }
};

}  // namespace corokit::tls
