#include "pds/tls/TlsEngine.h"

#include <algorithm>
#include <cstring>

#include <openssl/err.h>
#include <openssl/proverr.h>
#include <openssl/ssl.h>

#include "pds/tls/CiphertextBuffers.h"
#include "pds/tls/openssl/ClientHelloGuard.h"
#include "pds/tls/openssl/TlsConfigState.h"

namespace corokit::tls {
namespace detail {
namespace {

// The session's BIO: OpenSSL reads ciphertext from the input buffer and writes it to the output
// buffer, and is told to retry when the one is empty or the other full. It never reports an end of
// stream: the transport's end is the caller's to notice.
int bio_write(BIO* bio, const char* data, int length) {
  BIO_clear_retry_flags(bio);
  auto* buffers = static_cast<CiphertextBuffers*>(BIO_get_data(bio));
  if (length <= 0) return 0;
  const std::size_t n =
      buffers->put_output(reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(length));
  if (n == 0) {
    BIO_set_retry_write(bio);
    return -1;
  }
  return static_cast<int>(n);
}

int bio_read(BIO* bio, char* data, int length) {
  BIO_clear_retry_flags(bio);
  auto* buffers = static_cast<CiphertextBuffers*>(BIO_get_data(bio));
  if (length <= 0) return 0;
  const std::size_t n = buffers->take_input(reinterpret_cast<std::uint8_t*>(data), static_cast<std::size_t>(length));
  if (n == 0) {
    BIO_set_retry_read(bio);
    return -1;
  }
  return static_cast<int>(n);
}

long bio_ctrl(BIO* bio, int command, long, void*) {
  const auto* buffers = static_cast<const CiphertextBuffers*>(BIO_get_data(bio));
  switch (command) {
    case BIO_CTRL_FLUSH: return 1;  // the caller sends pending output
    case BIO_CTRL_PENDING: return static_cast<long>(buffers->in_tail - buffers->in_head);
    case BIO_CTRL_WPENDING: return static_cast<long>(buffers->pending_output().size());
    default: return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

}  // namespace

const BIO_METHOD* ciphertext_bio_method() noexcept {
  static const std::unique_ptr<BIO_METHOD, OpensslDeleter<BIO_meth_free>> method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "corokit ciphertext");
    if (m != nullptr && (BIO_meth_set_write(m, bio_write) != 1 || BIO_meth_set_read(m, bio_read) != 1 ||
                         BIO_meth_set_ctrl(m, bio_ctrl) != 1 || BIO_meth_set_create(m, bio_create) != 1)) {
      BIO_meth_free(m);
      m = nullptr;
    }
    return std::unique_ptr<BIO_METHOD, OpensslDeleter<BIO_meth_free>>(m);
  }();
  return method.get();
}

}  // namespace detail

namespace {

// Room a record needs beyond its plaintext: header, explicit nonce, AEAD tag and TLS 1.3's inner
// content type take at most 29 bytes; the rest covers a TLS 1.3 KeyUpdate OpenSSL may send
// before the data. A write never starts a record that may not fit whole.
constexpr std::size_t kRecordSlack = 256;
// The largest ClientHello a server takes (ClientHelloGuard.h): real ones are well under 2 KiB
// (with post-quantum key shares), and mbedTLS's limit is a record's 16 KiB too.
constexpr std::size_t kMaxClientHello = 16 * 1024;
constexpr std::size_t kMaxRecordPlaintext = 16384;
static_assert(TlsEngine::kOutputCapacity >= kMaxRecordPlaintext + kRecordSlack);

bool entropy_error(int lib, int reason) {
  if (lib == ERR_LIB_RAND) return true;
  return lib == ERR_LIB_PROV &&
         (reason == PROV_R_ERROR_RETRIEVING_ENTROPY || reason == PROV_R_PARENT_CANNOT_SUPPLY_ENTROPY_SEED ||
          reason == PROV_R_UNABLE_TO_RESEED || reason == PROV_R_RESEED_ERROR || reason == PROV_R_MISSING_SEED);
}

// What a queued OpenSSL error means for the layer; `fallback` when it says nothing specific.
TlsError classify(unsigned long code, TlsError fallback) {
  const int lib = ERR_GET_LIB(code);
  const int reason = ERR_GET_REASON(code);
  if (reason == ERR_R_MALLOC_FAILURE) return TlsError::OutOfMemory;
  if (entropy_error(lib, reason)) return TlsError::Entropy;
  if (lib == ERR_LIB_SSL) {
    // A fatal alert from the peer is queued as SSL_AD_REASON_OFFSET + its description.
    if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) return TlsError::PeerAlert;
    if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED) return TlsError::PeerVerifyFailed;
    if (reason == ERR_R_INTERNAL_ERROR) return TlsError::Internal;
  }
  return fallback;
}

}  // namespace

struct TlsEngine::Session {
  explicit Session(std::shared_ptr<detail::TlsConfigState> state) noexcept : config(std::move(state)) {}
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  std::shared_ptr<detail::TlsConfigState> config;
  detail::SslPtr ssl;
  TlsError error = TlsError::None;
  unsigned long openssl_code = 0;
  bool established = false;
  bool peer_closed = false;
  bool close_sent = false;
  bool guard_hellos = false;  // servers
  detail::ClientHelloGuard hello_guard{kMaxClientHello};
  // Plaintext bytes of a record OpenSSL holds half-written (the output buffer filled up): the next
  // write() offers the same bytes again and completes it.
  std::size_t write_pending = 0;
  detail::CiphertextBuffers buffers;

  // The session's SSL object, reading and writing `buffers` (which never move: the session lives
  // on the heap).
  bool setup() noexcept {
    ssl.reset(SSL_new(config->ctx.get()));
    const BIO_METHOD* method = detail::ciphertext_bio_method();
    if (!ssl || method == nullptr) return false;
    BIO* bio = BIO_new(method);
    if (bio == nullptr) return false;
    BIO_set_data(bio, &buffers);
    SSL_set_bio(ssl.get(), bio, bio);  // one reference, owned by the SSL object
    return true;
  }

  // Records the first fatal error (sticky) from what OpenSSL queued, and empties the queue; `code`
  // stands for the library's code when the error is the engine's own.
  TlsError fail(TlsError fallback, unsigned long code = 0) noexcept {
    const TlsError general = established ? TlsError::BadRecord : TlsError::HandshakeFailed;
    if (fallback == TlsError::None) fallback = general;
    TlsError e = fallback;
    unsigned long first = code;
    for (unsigned long queued; (queued = ERR_get_error()) != 0;) {
      if (first == 0) first = queued;
      const TlsError meaning = classify(queued, fallback);
      if (e == fallback || meaning == TlsError::PeerAlert) e = meaning;
    }
    if (error == TlsError::None) {
      error = e;
      openssl_code = first != 0 ? first : ERR_PACK(ERR_LIB_SSL, 0, ERR_R_INTERNAL_ERROR);
    }
    return error;
  }

  // Servers, until the handshake has finished: every ClientHello that arrives is checked (see
  // ClientHelloGuard.h) before OpenSSL reads it.
  void received(std::size_t tail_before) noexcept {
    if (!guard_hellos || established) return;
    const std::span<const std::uint8_t> bytes(buffers.in + tail_before, buffers.in_tail - tail_before);
    hello_guard.scan(bytes, SSL_version(ssl.get()) == TLS1_2_VERSION);
  }

  // A refused ClientHello ends the session with a handshake_failure alert.
  TlsError refuse_hello() noexcept {
    static constexpr std::uint8_t kAlert[] = {21, 3, 3, 0, 2, 2, 40};
    buffers.put_output(kAlert, sizeof kAlert);
    return fail(TlsError::HandshakeFailed, ERR_PACK(ERR_LIB_SSL, 0, SSL_R_EXCESSIVE_MESSAGE_SIZE));
  }

  // The outcome of an SSL call that returned `rc` <= 0. Closed only where `closed_ok`.
  TlsError outcome(int rc, bool closed_ok) noexcept {
    switch (SSL_get_error(ssl.get(), rc)) {
      case SSL_ERROR_WANT_READ: return TlsError::WantRead;
      case SSL_ERROR_WANT_WRITE: return TlsError::WantWrite;
      case SSL_ERROR_ZERO_RETURN:
        if (closed_ok) {
          peer_closed = true;
          ERR_clear_error();
          return TlsError::Closed;
        }
        return fail(TlsError::None);
      case SSL_ERROR_SSL: return fail(TlsError::None);
      default: return fail(TlsError::Internal);  // our BIO never fails or ends on its own
    }
  }
};

TlsEngine::TlsEngine() noexcept = default;
TlsEngine::TlsEngine(TlsEngine&&) noexcept = default;
TlsEngine& TlsEngine::operator=(TlsEngine&&) noexcept = default;
TlsEngine::~TlsEngine() = default;

TlsEngine::TlsEngine(const TlsServerConfig& config) noexcept {
  if (!config.state_) return;
  session_ = std::make_unique<Session>(config.state_);
  ERR_clear_error();
  if (!session_->setup()) {
    session_->fail(TlsError::OutOfMemory);
    return;
  }
  SSL_set_accept_state(session_->ssl.get());
  session_->guard_hellos = true;
}

TlsEngine::TlsEngine(const TlsClientConfig& config, const char* server_name) noexcept {
  if (!config.state_) return;
  session_ = std::make_unique<Session>(config.state_);
  ERR_clear_error();
  if (!session_->setup()) {
    session_->fail(TlsError::OutOfMemory);
    return;
  }
  SSL* ssl = session_->ssl.get();
  // The name is checked against the certificate and sent as SNI.
  if (SSL_set1_host(ssl, server_name) != 1 || SSL_set_tlsext_host_name(ssl, server_name) != 1) {
    session_->fail(TlsError::Internal);
    return;
  }
  SSL_set_connect_state(ssl);
}

std::span<std::uint8_t> TlsEngine::input_space() noexcept {
  return session_ ? session_->buffers.input_space() : std::span<std::uint8_t>{};
}

void TlsEngine::commit_input(std::size_t bytes) noexcept {
  if (!session_) return;
  const std::size_t tail = session_->buffers.in_tail;
  session_->buffers.commit_input(bytes);
  session_->received(tail);
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
  if (s.hello_guard.refused()) return s.refuse_hello();
  ERR_clear_error();
  const int rc = SSL_do_handshake(s.ssl.get());
  if (rc == 1) {
    s.established = true;
    return TlsError::None;
  }
  return s.outcome(rc, false);
}

TlsResult<std::size_t> TlsEngine::read(std::span<std::uint8_t> plaintext) noexcept {
  if (!session_) return {0, TlsError::NoConfig};
  Session& s = *session_;
  if (s.error != TlsError::None) return {0, s.error};
  if (s.peer_closed) return {0, TlsError::Closed};
  if (TlsError e = handshake(); e != TlsError::None) return {0, e};
  if (plaintext.empty()) return {0, TlsError::None};
  // Empty records and post-handshake messages are handled inside OpenSSL (it gives up on a long
  // run of empty records); a result of 1 always carries data.
  ERR_clear_error();
  std::size_t got = 0;
  const int rc = SSL_read_ex(s.ssl.get(), plaintext.data(), plaintext.size(), &got);
  if (rc == 1) {
    counters::copied(got);  // OpenSSL decrypts into its record buffer, then copies out
    return {got, TlsError::None};
  }
  return {0, s.outcome(rc, true)};
}

TlsResult<std::size_t> TlsEngine::write(std::span<const std::uint8_t> plaintext) noexcept {
  if (!session_) return {0, TlsError::NoConfig};
  Session& s = *session_;
  if (s.error != TlsError::None) return {0, s.error};
  if (s.close_sent) return {0, TlsError::NotReady};
  if (TlsError e = handshake(); e != TlsError::None) return {0, e};
  if (plaintext.empty()) return {0, TlsError::None};
  std::size_t chunk = 0;
  if (s.write_pending != 0) {
    if (plaintext.size() < s.write_pending) return {0, s.fail(TlsError::Internal)};
    chunk = s.write_pending;
  } else {
    // A full record (or the rest of the data), never the buffer's last few bytes: those would cut
    // the stream into small records. An empty buffer always holds a full record.
    chunk = std::min(plaintext.size(), kMaxRecordPlaintext);
    if (s.buffers.output_room() < chunk + kRecordSlack) return {0, TlsError::WantWrite};
  }
  ERR_clear_error();
  std::size_t written = 0;
  const int rc = SSL_write_ex(s.ssl.get(), plaintext.data(), chunk, &written);
  if (rc == 1) {
    counters::copied(written);  // OpenSSL copies the plaintext into its record, encrypts there
    s.write_pending = 0;
    return {written, TlsError::None};
  }
  const TlsError e = s.outcome(rc, false);
  if (e == TlsError::WantWrite) {
    s.write_pending = chunk;
    return {0, e};
  }
  if (e == TlsError::WantRead) return {0, s.fail(TlsError::Internal)};  // no renegotiation: never
  return {0, e};
}

TlsError TlsEngine::close() noexcept {
  if (!session_) return TlsError::NoConfig;
  Session& s = *session_;
  if (s.error != TlsError::None) return s.error;
  if (s.close_sent) return TlsError::None;
  if (!s.established) {  // OpenSSL refuses to shut down mid-handshake: nothing to close yet
    s.close_sent = true;
    return TlsError::None;
  }
  // Called until it has queued close_notify, never after: a further SSL_shutdown would wait for
  // the peer's close_notify and consume input.
  ERR_clear_error();
  const int rc = SSL_shutdown(s.ssl.get());
  if (rc >= 0) {
    s.close_sent = true;
    return TlsError::None;
  }
  return s.outcome(rc, false);
}

bool TlsEngine::established() const noexcept { return session_ && session_->established; }
bool TlsEngine::peer_closed() const noexcept { return session_ && session_->peer_closed; }
TlsError TlsEngine::error() const noexcept { return session_ ? session_->error : TlsError::NoConfig; }
long TlsEngine::library_error() const noexcept { return session_ ? static_cast<long>(session_->openssl_code) : 0; }

TlsVersion TlsEngine::protocol() const noexcept {
  if (!session_ || !session_->established) return TlsVersion::None;
  switch (SSL_version(session_->ssl.get())) {
    case TLS1_3_VERSION: return TlsVersion::Tls13;
    case TLS1_2_VERSION: return TlsVersion::Tls12;
    default: return TlsVersion::None;
  }
}

const char* TlsEngine::ciphersuite() const noexcept {
  if (!session_ || !session_->established) return "";
  const char* name = SSL_CIPHER_standard_name(SSL_get_current_cipher(session_->ssl.get()));
  return name != nullptr ? name : "";
}

}  // namespace corokit::tls
