#include "pds/tls/TlsConfig.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <mbedtls/platform_util.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/version.h>

#include "pds/tls/mbedtls/TlsConfigState.h"

namespace corokit::tls {
namespace detail {

TlsConfigState::TlsConfigState() noexcept {
  mbedtls_entropy_init(&entropy);
  mbedtls_ctr_drbg_init(&drbg);
  mbedtls_x509_crt_init(&chain);
  mbedtls_pk_init(&key);
  mbedtls_ssl_config_init(&ssl);
}

TlsConfigState::~TlsConfigState() {
  mbedtls_ssl_config_free(&ssl);
  mbedtls_pk_free(&key);
  mbedtls_x509_crt_free(&chain);
  mbedtls_ctr_drbg_free(&drbg);
  mbedtls_entropy_free(&entropy);
}

}  // namespace detail

namespace {

// mbedTLS 2.28 speaks TLS 1.2 only. Forward-secret key exchange and AEAD only (no CBC, no static
// RSA, no PSK).
const int kCiphersuites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0,
};

const mbedtls_ecp_group_id kCurves[] = {
    MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_NONE,
};

const int kSignatureHashes[] = {MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA384, MBEDTLS_MD_SHA512, MBEDTLS_MD_NONE};

constexpr unsigned char kPersonalization[] = "corokit tls";

// Host entropy straight from the kernel (getrandom: allowed by the PD sandbox, no file opened).
// mbedtls_entropy also polls its own platform source, which is getrandom on Linux as well.
int host_entropy(void*, unsigned char* out, size_t len, size_t* produced) {
  size_t done = 0;
  while (done < len) {
    const ssize_t n = getrandom(out + done, len - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
    }
    done += static_cast<size_t>(n);
  }
  *produced = done;
  return 0;
}

// mbedTLS parses PEM only from NUL-terminated buffers; the copy is wiped afterwards (it may hold a
// private key).
class TerminatedCopy {
 public:
  explicit TerminatedCopy(std::span<const std::uint8_t> bytes) : bytes_(bytes.begin(), bytes.end()) {
    if (bytes_.empty() || bytes_.back() != 0) bytes_.push_back(0);
  }
  ~TerminatedCopy() { mbedtls_platform_zeroize(bytes_.data(), bytes_.size()); }
  TerminatedCopy(const TerminatedCopy&) = delete;
  TerminatedCopy& operator=(const TerminatedCopy&) = delete;
  const unsigned char* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }

 private:
  std::vector<unsigned char> bytes_;
};

TlsError parse_chain(mbedtls_x509_crt& chain, std::span<const std::uint8_t> pem) {
  if (pem.empty()) return TlsError::BadCertificate;
  TerminatedCopy copy(pem);
  const int rc = mbedtls_x509_crt_parse(&chain, copy.data(), copy.size());
  if (rc == MBEDTLS_ERR_X509_ALLOC_FAILED) return TlsError::OutOfMemory;
  // rc > 0: some certificates of the chain failed to parse; a partial chain is still an error.
  return rc == 0 ? TlsError::None : TlsError::BadCertificate;
}

TlsError seed(detail::TlsConfigState& state) {
  if (mbedtls_entropy_add_source(&state.entropy, host_entropy, nullptr, 32, MBEDTLS_ENTROPY_SOURCE_STRONG) != 0)
    return TlsError::Entropy;
  if (mbedtls_ctr_drbg_seed(&state.drbg, mbedtls_entropy_func, &state.entropy, kPersonalization,
                            sizeof kPersonalization - 1) != 0)
    return TlsError::Entropy;
  return TlsError::None;
}

// TLS 1.2 is the only version here: a range without it is Unsupported.
TlsError check_versions(TlsVersions versions) {
  const bool has_12 = versions.min != TlsVersion::None && versions.min <= TlsVersion::Tls12 &&
                      versions.max >= TlsVersion::Tls12;
  return has_12 ? TlsError::None : TlsError::Unsupported;
}

TlsError apply_policy(detail::TlsConfigState& state, int endpoint) {
  if (mbedtls_ssl_config_defaults(&state.ssl, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
                                  MBEDTLS_SSL_PRESET_DEFAULT) != 0)
    return TlsError::Internal;
  mbedtls_ssl_conf_min_version(&state.ssl, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_max_version(&state.ssl, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_ciphersuites(&state.ssl, kCiphersuites);
  mbedtls_ssl_conf_curves(&state.ssl, kCurves);
  mbedtls_ssl_conf_sig_hashes(&state.ssl, kSignatureHashes);
  mbedtls_ssl_conf_renegotiation(&state.ssl, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
  mbedtls_ssl_conf_rng(&state.ssl, mbedtls_ctr_drbg_random, &state.drbg);
  return TlsError::None;
}

}  // namespace

TlsVersion highest_version() noexcept { return TlsVersion::Tls12; }

const char* backend_name() noexcept {
  struct Name {
    char text[32] = {};
    Name() { mbedtls_version_get_string_full(text); }
  };
  static const Name name;
  return name.text;
}

TlsResult<TlsServerConfig> TlsServerConfig::create(std::span<const std::uint8_t> cert_chain_pem,
                                                   std::span<const std::uint8_t> key_pem,
                                                   TlsVersions versions) noexcept {
  if (TlsError e = check_versions(versions); e != TlsError::None) return {{}, e};
  auto state = std::make_shared<detail::TlsConfigState>();
  if (TlsError e = parse_chain(state->chain, cert_chain_pem); e != TlsError::None) return {{}, e};
  if (key_pem.empty()) return {{}, TlsError::BadKey};
  {
    TerminatedCopy key(key_pem);
    const int rc = mbedtls_pk_parse_key(&state->key, key.data(), key.size(), nullptr, 0);
    if (rc == MBEDTLS_ERR_PK_ALLOC_FAILED) return {{}, TlsError::OutOfMemory};
    if (rc != 0) return {{}, TlsError::BadKey};
  }
  if (mbedtls_pk_check_pair(&state->chain.pk, &state->key) != 0) return {{}, TlsError::KeyMismatch};
  if (TlsError e = seed(*state); e != TlsError::None) return {{}, e};
  if (TlsError e = apply_policy(*state, MBEDTLS_SSL_IS_SERVER); e != TlsError::None) return {{}, e};
  if (mbedtls_ssl_conf_own_cert(&state->ssl, &state->chain, &state->key) != 0) return {{}, TlsError::OutOfMemory};

  TlsServerConfig config;
  config.state_ = std::move(state);
  return {std::move(config), TlsError::None};
}

TlsResult<TlsClientConfig> TlsClientConfig::create(std::span<const std::uint8_t> trusted_ca_pem,
                                                   TlsVersions versions) noexcept {
  if (TlsError e = check_versions(versions); e != TlsError::None) return {{}, e};
  auto state = std::make_shared<detail::TlsConfigState>();
  if (TlsError e = parse_chain(state->chain, trusted_ca_pem); e != TlsError::None) return {{}, e};
  if (TlsError e = seed(*state); e != TlsError::None) return {{}, e};
  if (TlsError e = apply_policy(*state, MBEDTLS_SSL_IS_CLIENT); e != TlsError::None) return {{}, e};
  mbedtls_ssl_conf_authmode(&state->ssl, MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_ca_chain(&state->ssl, &state->chain, nullptr);

  TlsClientConfig config;
  config.state_ = std::move(state);
  return {std::move(config), TlsError::None};
}

}  // namespace corokit::tls
