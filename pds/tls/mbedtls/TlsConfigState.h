// The parsed state behind a TlsServerConfig or TlsClientConfig (internal to pds/tls).
#pragma once

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

namespace corokit::tls::detail {

// Never moved once set up: the ssl config points at the DRBG, the chain and the key.
struct TlsConfigState {
  TlsConfigState() noexcept;
  ~TlsConfigState();
  TlsConfigState(const TlsConfigState&) = delete;
  TlsConfigState& operator=(const TlsConfigState&) = delete;

  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_x509_crt chain;  // server: own chain; client: trusted CAs
  mbedtls_pk_context key;  // server only
  mbedtls_ssl_config ssl;
};

}  // namespace corokit::tls::detail
