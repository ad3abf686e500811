#include "pds/tls/TlsEngine.h"

#include <algorithm>
#include <cstring>

#include <mbedtls/ssl.h>
#include <mbedtls/x509.h>

#include "pds/tls/CiphertextBuffers.h"
#include "pds/tls/mbedtls/TlsConfigState.h"

namespace corokit::tls {

// Stable in memory (mbedTLS keeps a pointer to it for the bio callbacks).
struct TlsEngine::Session {
  explicit Session(std::shared_ptr<detail::TlsConfigState> state) noexcept : config(std::move(state)) {
    mbedtls_ssl_init(&ssl);
  }
  ~Session() { mbedtls_ssl_free(&ssl); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  std::shared_ptr<detail::TlsConfigState> config;
  mbedtls_ssl_context ssl;
  TlsError error = TlsError::None;
  int mbedtls_code = 0;
  bool established = false;
  bool peer_closed = false;
  bool close_sent = false;
  // The suite's IANA name (mbedTLS spells it with dashes), set when the handshake ends.
  char suite[64] = {};
  detail::CiphertextBuffers buffers;

  static int send(void* context, const unsigned char* data, size_t length) {
    const std::size_t n = static_cast<Session*>(context)->buffers.put_output(data, length);
    return n == 0 ? MBEDTLS_ERR_SSL_WANT_WRITE : static_cast<int>(n);
  }

  // Never returns 0 (which mbedTLS takes for end of stream): the transport's end is the caller's.
  static int receive(void* context, unsigned char* data, size_t length) {
    const std::size_t n = static_cast<Session*>(context)->buffers.take_input(data, length);
    return n == 0 ? MBEDTLS_ERR_SSL_WANT_READ : static_cast<int>(n);
  }

  void finish_handshake() noexcept {
    established = true;
    const char* name = mbedtls_ssl_get_ciphersuite(&ssl);
    if (name == nullptr) return;
    std::size_t i = 0;
    for (; name[i] != 0 && i + 1 < sizeof suite; ++i) suite[i] = name[i] == '-' ? '_' : name[i];
    suite[i] = 0;
  }

  // Maps an mbedTLS result that is neither success nor WANT_*; a fatal error is sticky.
  TlsError fail(int rc) noexcept {
    TlsError e;
    switch (rc) {
      case MBEDTLS_ERR_SSL_ALLOC_FAILED: e = TlsError::OutOfMemory; break;
      case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
      case MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED:
      case MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE: e = TlsError::PeerVerifyFailed; break;
      case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE: e = TlsError::PeerAlert; break;
      case MBEDTLS_ERR_SSL_INVALID_RECORD:
      case MBEDTLS_ERR_SSL_INVALID_MAC:
      case MBEDTLS_ERR_SSL_UNEXPECTED_RECORD:
      case MBEDTLS_ERR_SSL_COUNTER_WRAPPING: e = TlsError::BadRecord; break;
      case MBEDTLS_ERR_SSL_NO_RNG: e = TlsError::Entropy; break;
      case MBEDTLS_ERR_SSL_INTERNAL_ERROR:
      case MBEDTLS_ERR_SSL_BAD_INPUT_DATA:
      case MBEDTLS_ERR_SSL_BAD_CONFIG: e = TlsError::Internal; break;
      default: e = established ? TlsError::BadRecord : TlsError::HandshakeFailed; break;
    }
    if (error == TlsError::None) {
      error = e;
      mbedtls_code = rc;
    }
    return error;
  }
};

TlsEngine::TlsEngine() noexcept = default;
TlsEngine::TlsEngine(TlsEngine&&) noexcept = default;
TlsEngine& TlsEngine::operator=(TlsEngine&&) noexcept = default;
TlsEngine::~TlsEngine() = default;

TlsEngine::TlsEngine(const TlsServerConfig& config) noexcept {
  if (!config.state_) return;
  session_ = std::make_unique<Session>(config.state_);
  if (const int rc = mbedtls_ssl_setup(&session_->ssl, &config.state_->ssl); rc != 0) {
    session_->fail(rc);
    return;
  }
  mbedtls_ssl_set_bio(&session_->ssl, session_.get(), &Session::send, &Session::receive, nullptr);
}

TlsEngine::TlsEngine(const TlsClientConfig& config, const char* server_name) noexcept {
  if (!config.state_) return;
  session_ = std::make_unique<Session>(config.state_);
  if (const int rc = mbedtls_ssl_setup(&session_->ssl, &config.state_->ssl); rc != 0) {
    session_->fail(rc);
    return;
  }
  if (const int rc = mbedtls_ssl_set_hostname(&session_->ssl, server_name); rc != 0) {
    session_->fail(rc);
    return;
  }
  mbedtls_ssl_set_bio(&session_->ssl, session_.get(), &Session::send, &Session::receive, nullptr);
}

std::span<std::uint8_t> TlsEngine::input_space() noexcept {
  return session_ ? session_->buffers.input_space() : std::span<std::uint8_t>{};
}

void TlsEngine::commit_input(std::size_t bytes) noexcept {
  if (session_) session_->buffers.commit_input(bytes);
}

std::span<const std::uint8_t> TlsEngine::pending_output() const noexcept {
  return session_ ? session_->buffers.pending_output() : std::span<const std::uint8_t>{};
}

void TlsEngine::consume_output(std::size_t bytes) noexcept {
  if (session_) session_->buffers.consume_output(bytes);
}

TlsError TlsEngine::handshake() noexcept {
  if (!session_) return TlsError::NoConfig;
  Session& s = *session_;
  if (s.error != TlsError::None) return s.error;
  if (s.established) return TlsError::None;
  const int rc = mbedtls_ssl_handshake(&s.ssl);
  if (rc == 0) {
    s.finish_handshake();
    return TlsError::None;
  }
  if (rc == MBEDTLS_ERR_SSL_WANT_READ) return TlsError::WantRead;
  if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) return TlsError::WantWrite;
  return s.fail(rc);
}

TlsResult<std::size_t> TlsEngine::read(std::span<std::uint8_t> plaintext) noexcept {
  if (!session_) return {0, TlsError::NoConfig};
  Session& s = *session_;
  if (s.error != TlsError::None) return {0, s.error};
  if (s.peer_closed) return {0, TlsError::Closed};
  if (TlsError e = handshake(); e != TlsError::None) return {0, e};
  if (plaintext.empty()) return {0, TlsError::None};
  // 0 comes back for an empty application record (the transport's end never reaches mbedTLS):
  // read on; mbedTLS itself rejects a run of empty records.
  int rc = 0;
  for (int empty = 0; rc == 0 && empty < 8; ++empty) rc = mbedtls_ssl_read(&s.ssl, plaintext.data(), plaintext.size());
  if (rc > 0) {
    counters::copied(static_cast<std::size_t>(rc));  // mbedTLS decrypts in place, then copies out
    return {static_cast<std::size_t>(rc), TlsError::None};
  }
  if (rc == 0) return {0, s.fail(MBEDTLS_ERR_SSL_INVALID_RECORD)};
  if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
    s.peer_closed = true;
    return {0, TlsError::Closed};
  }
  if (rc == MBEDTLS_ERR_SSL_WANT_READ) return {0, TlsError::WantRead};
  if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) return {0, TlsError::WantWrite};
  return {0, s.fail(rc)};
}

TlsResult<std::size_t> TlsEngine::write(std::span<const std::uint8_t> plaintext) noexcept {
  if (!session_) return {0, TlsError::NoConfig};
  Session& s = *session_;
  if (s.error != TlsError::None) return {0, s.error};
  if (s.close_sent) return {0, TlsError::NotReady};
  if (TlsError e = handshake(); e != TlsError::None) return {0, e};
  if (plaintext.empty()) return {0, TlsError::None};
  // Encrypt only a record that fits in the output buffer whole: then mbedTLS never holds a
  // half-sent record, which would bind the next call to the same data. And only a full record
  // (or the rest of the data): filling the buffer's last bytes would cut the stream into small
  // records. An empty buffer always holds a full record.
  const int expansion = mbedtls_ssl_get_record_expansion(&s.ssl);
  const int max_payload = mbedtls_ssl_get_max_out_record_payload(&s.ssl);
  if (expansion < 0) return {0, s.fail(expansion)};
  if (max_payload <= 0) return {0, s.fail(max_payload)};
  const std::size_t chunk = std::min(plaintext.size(), static_cast<std::size_t>(max_payload));
  if (s.buffers.output_room() < chunk + static_cast<std::size_t>(expansion)) return {0, TlsError::WantWrite};
  const int rc = mbedtls_ssl_write(&s.ssl, plaintext.data(), chunk);
  if (rc > 0) {
    counters::copied(static_cast<std::size_t>(rc));  // mbedTLS copies the plaintext into its record, encrypts in place
    return {static_cast<std::size_t>(rc), TlsError::None};
  }
  if (rc == MBEDTLS_ERR_SSL_WANT_WRITE || rc == MBEDTLS_ERR_SSL_WANT_READ) return {0, s.fail(MBEDTLS_ERR_SSL_INTERNAL_ERROR)};
  return {0, s.fail(rc)};
}

TlsError TlsEngine::close() noexcept {
  if (!session_) return TlsError::NoConfig;
  Session& s = *session_;
  if (s.error != TlsError::None) return s.error;
  if (s.close_sent) return TlsError::None;
  // Before the handshake is over mbedTLS sends nothing and returns 0.
  const int rc = mbedtls_ssl_close_notify(&s.ssl);
  if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) return TlsError::WantWrite;
  if (rc != 0) return s.fail(rc);
  s.close_sent = true;
  return TlsError::None;
}

bool TlsEngine::established() const noexcept { return session_ && session_->established; }
bool TlsEngine::peer_closed() const noexcept { return session_ && session_->peer_closed; }
TlsError TlsEngine::error() const noexcept { return session_ ? session_->error : TlsError::NoConfig; }
long TlsEngine::library_error() const noexcept { return session_ ? session_->mbedtls_code : 0; }

TlsVersion TlsEngine::protocol() const noexcept {
  return session_ && session_->established ? TlsVersion::Tls12 : TlsVersion::None;
}

const char* TlsEngine::ciphersuite() const noexcept {
  return session_ && session_->established ? session_->suite : "";
}

}  // namespace corokit::tls
