// The parsed state behind a TlsServerConfig or TlsClientConfig on OpenSSL (internal to pds/tls),
// and the few helpers the config and the engine share.
#pragma once

#include <memory>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "pds/tls/TlsError.h"

namespace corokit::tls::detail {

template <auto Free>
struct OpensslDeleter {
  template <class T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpensslDeleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpensslDeleter<SSL_free>>;
using BioPtr = std::unique_ptr<BIO, OpensslDeleter<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, OpensslDeleter<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY_free>>;

struct TlsConfigState {
  SslCtxPtr ctx;  // the policy, and the server's chain and key or the client's trusted CAs
};

// Initialises OpenSSL once, without reading its configuration file (a PD may not open files).
// Every entry point of the backend calls it before any other OpenSSL function.
bool init_openssl() noexcept;

// The BIO method that connects a session to its CiphertextBuffers (openssl/TlsEngine.cpp).
const BIO_METHOD* ciphertext_bio_method() noexcept;

}  // namespace corokit::tls::detail
