#include "pds/tls/TlsError.h"

namespace corokit::tls {

const char* describe(TlsError error) noexcept {
  switch (error) {
    case TlsError::None: return "no error";
    case TlsError::WantRead: return "needs more input from the peer";
    case TlsError::WantWrite: return "output buffer full: send pending output first";
    case TlsError::Closed: return "peer sent close_notify";
    case TlsError::Busy: return "another operation is in flight on this stream";
    case TlsError::Truncated: return "connection ended without close_notify";
    case TlsError::NoConfig: return "no usable TLS configuration";
    case TlsError::BadCertificate: return "certificate could not be parsed";
    case TlsError::BadKey: return "private key could not be parsed";
    case TlsError::KeyMismatch: return "private key does not match the certificate";
    case TlsError::Entropy: return "entropy source or random generator failed";
    case TlsError::PeerVerifyFailed: return "peer certificate verification failed";
    case TlsError::HandshakeFailed: return "handshake failed";
    case TlsError::PeerAlert: return "peer sent a fatal alert";
    case TlsError::BadRecord: return "malformed or unauthenticated record";
    case TlsError::NotReady: return "operation not allowed in this state";
    case TlsError::OutOfMemory: return "out of memory";
    case TlsError::Unsupported: return "protocol version not available in this TLS backend";
    case TlsError::Internal: return "unexpected TLS library error";
  }
  return "unknown TLS error";
}

}  // namespace corokit::tls
