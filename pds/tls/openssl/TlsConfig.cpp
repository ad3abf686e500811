#include "pds/tls/TlsConfig.h"

#include <climits>
#include <cstring>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "pds/tls/openssl/TlsConfigState.h"

namespace corokit::tls {
namespace detail {

bool init_openssl() noexcept {
  // Without OPENSSL_INIT_NO_LOAD_CONFIG the first SSL_CTX would read openssl.cnf: a file open the
  // PD sandbox forbids. This call comes first, so later implicit initialisations find the
  // configuration step done. Everything else is built in: the default provider, the error strings.
  static const bool ok = OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) == 1;
  return ok;
}

}  // namespace detail

namespace {

using detail::BioPtr;
using detail::PkeyPtr;
using detail::SslCtxPtr;
using detail::X509Ptr;

// TLS 1.2: forward-secret key exchange and AEAD only (no CBC, no static RSA, no PSK), in the
// server's order of preference. TLS 1.3 suites are all AEAD; key exchange is always (EC)DHE here
// (no tickets, so no PSK).
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305";
constexpr char kTls13Suites[] = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr char kGroups[] = "X25519:P-256:P-384";
// RSA-PSS for TLS 1.3 with an RSA key, PKCS#1 v1.5 for TLS 1.2.
constexpr char kSignatureAlgorithms[] =
    "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"
    "RSA+SHA256:RSA+SHA384:RSA+SHA512";

// OpenSSL reports through a per-thread error queue: whatever a configuration step left there must
// not show up in a later session's error.
struct ErrorQueueReset {
  ErrorQueueReset() { ERR_clear_error(); }
  ~ErrorQueueReset() { ERR_clear_error(); }
  ErrorQueueReset(const ErrorQueueReset&) = delete;
  ErrorQueueReset& operator=(const ErrorQueueReset&) = delete;
};

// `fallback`, or OutOfMemory when that is what the queue says went wrong.
TlsError queued_or(TlsError fallback) {
  for (unsigned long e; (e = ERR_get_error()) != 0;) {
    if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE) return TlsError::OutOfMemory;
  }
  return fallback;
}

// A memory BIO over the PEM bytes, without the optional trailing NULs.
BioPtr pem_source(std::span<const std::uint8_t> pem) {
  while (!pem.empty() && pem.back() == 0) pem = pem.first(pem.size() - 1);
  if (pem.empty() || pem.size() > INT_MAX) return nullptr;
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Every PEM block must be a certificate, and there must be at least one (text between blocks is
// allowed). A partial chain is an error, like anything else that does not parse.
TlsError parse_certificates(std::span<const std::uint8_t> pem, std::vector<X509Ptr>& out) {
  BioPtr bio = pem_source(pem);
  if (!bio) return queued_or(TlsError::BadCertificate);
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* der = nullptr;
    long length = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &der, &length) != 1) {
      const unsigned long e = ERR_peek_last_error();
      const bool end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
      return end && !out.empty() ? TlsError::None : queued_or(TlsError::BadCertificate);
    }
    X509* cert = nullptr;
    if (std::strcmp(name, PEM_STRING_X509) == 0 || std::strcmp(name, PEM_STRING_X509_OLD) == 0) {
      const unsigned char* p = der;
      cert = d2i_X509(nullptr, &p, length);
      if (cert != nullptr && p != der + length) {  // trailing bytes inside the block
        X509_free(cert);
        cert = nullptr;
      }
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(der);
    if (cert == nullptr) return queued_or(TlsError::BadCertificate);
    out.emplace_back(cert);
  }
}

// Encrypted keys are refused, never prompted for (OpenSSL's default would read the terminal).
int no_passphrase(char*, int, int, void*) { return -1; }

TlsError check_versions(TlsVersions versions) {
  if (versions.min == TlsVersion::None || versions.max == TlsVersion::None || versions.min > versions.max)
    return TlsError::Unsupported;
  return TlsError::None;
}

int wire_version(TlsVersion v) { return v == TlsVersion::Tls13 ? TLS1_3_VERSION : TLS1_2_VERSION; }

// The random generator: OpenSSL's default DRBG (CTR-DRBG, AES-256), which seeds itself from the
// kernel with getrandom(2) and no file opened. Drawing once here makes a failing source an error
// of create() instead of a later handshake.
TlsError check_entropy() {
  unsigned char probe[16];
  const int ok = RAND_bytes(probe, sizeof probe);
  OPENSSL_cleanse(probe, sizeof probe);
  return ok == 1 ? TlsError::None : queued_or(TlsError::Entropy);
}

TlsResult<SslCtxPtr> make_context(const SSL_METHOD* method, TlsVersions versions) {
  if (!detail::init_openssl()) return {nullptr, TlsError::Internal};
  if (TlsError e = check_versions(versions); e != TlsError::None) return {nullptr, e};
  if (TlsError e = check_entropy(); e != TlsError::None) return {nullptr, e};
  SslCtxPtr ctx(SSL_CTX_new_ex(nullptr, nullptr, method));
  if (!ctx) return {nullptr, queued_or(TlsError::Internal)};
  SSL_CTX* c = ctx.get();
  // Debian's openssl.cnf would set level 2; without the file it is set here.
  SSL_CTX_set_security_level(c, 2);
  const bool policy = SSL_CTX_set_min_proto_version(c, wire_version(versions.min)) == 1 &&
                      SSL_CTX_set_max_proto_version(c, wire_version(versions.max)) == 1 &&
                      SSL_CTX_set_cipher_list(c, kTls12Ciphers) == 1 && SSL_CTX_set_ciphersuites(c, kTls13Suites) == 1 &&
                      SSL_CTX_set1_groups_list(c, kGroups) == 1 &&
                      SSL_CTX_set1_sigalgs_list(c, kSignatureAlgorithms) == 1;
  if (!policy) return {nullptr, queued_or(TlsError::Internal)};
  // No renegotiation, no resumption (no tickets, no cache), no compression.
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE |
                             SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_num_tickets(c, 0);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  // One record per SSL_write; a half-sent record may be completed from a moved buffer; record
  // buffers are freed whenever they are empty (an idle session holds none); the server sends the
  // chain it was given, without building one from a certificate store at every handshake.
  SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS |
                          SSL_MODE_NO_AUTO_CHAIN);
  return {std::move(ctx), TlsError::None};
}

}  // namespace

TlsVersion highest_version() noexcept { return TlsVersion::Tls13; }

const char* backend_name() noexcept { return OpenSSL_version(OPENSSL_VERSION); }

TlsResult<TlsServerConfig> TlsServerConfig::create(std::span<const std::uint8_t> cert_chain_pem,
                                                   std::span<const std::uint8_t> key_pem,
                                                   TlsVersions versions) noexcept {
  if (!detail::init_openssl()) return {{}, TlsError::Internal};
  ErrorQueueReset reset;
  std::vector<X509Ptr> chain;
  if (TlsError e = parse_certificates(cert_chain_pem, chain); e != TlsError::None) return {{}, e};
  PkeyPtr key;
  {
    BioPtr bio = pem_source(key_pem);
    if (!bio) return {{}, queued_or(TlsError::BadKey)};
    key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
    if (!key) return {{}, queued_or(TlsError::BadKey)};
  }
  if (X509_check_private_key(chain.front().get(), key.get()) != 1) return {{}, TlsError::KeyMismatch};

  TlsResult<SslCtxPtr> ctx = make_context(TLS_server_method(), versions);
  if (!ctx.ok()) return {{}, ctx.error};
  SSL_CTX* c = ctx.value.get();
  // A certificate the security level refuses (e.g. an RSA key under 2048 bits) is unusable.
  if (SSL_CTX_use_certificate(c, chain.front().get()) != 1) return {{}, queued_or(TlsError::BadCertificate)};
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(c, chain[i].get()) != 1) return {{}, queued_or(TlsError::BadCertificate)};
  }
  if (SSL_CTX_use_PrivateKey(c, key.get()) != 1) return {{}, queued_or(TlsError::BadKey)};
  if (SSL_CTX_check_private_key(c) != 1) return {{}, TlsError::KeyMismatch};

  auto state = std::make_shared<detail::TlsConfigState>();
  state->ctx = std::move(ctx.value);
  TlsServerConfig config;
  config.state_ = std::move(state);
  return {std::move(config), TlsError::None};
}

TlsResult<TlsClientConfig> TlsClientConfig::create(std::span<const std::uint8_t> trusted_ca_pem,
                                                   TlsVersions versions) noexcept {
  if (!detail::init_openssl()) return {{}, TlsError::Internal};
  ErrorQueueReset reset;
  std::vector<X509Ptr> trusted;
  if (TlsError e = parse_certificates(trusted_ca_pem, trusted); e != TlsError::None) return {{}, e};
  TlsResult<SslCtxPtr> ctx = make_context(TLS_client_method(), versions);
  if (!ctx.ok()) return {{}, ctx.error};
  SSL_CTX* c = ctx.value.get();
  X509_STORE* store = SSL_CTX_get_cert_store(c);  // empty: the system's CAs are never loaded
  for (const X509Ptr& cert : trusted) {
    if (X509_STORE_add_cert(store, cert.get()) != 1) return {{}, queued_or(TlsError::BadCertificate)};
  }
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);

  auto state = std::make_shared<detail::TlsConfigState>();
  state->ctx = std::move(ctx.value);
  TlsClientConfig config;
  config.state_ = std::move(state);
  return {std::move(config), TlsError::None};
}

}  // namespace corokit::tls
