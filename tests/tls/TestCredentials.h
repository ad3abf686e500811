// Certificates and keys for the TLS tests, made once per test process by the `openssl` CLI
// (scripts/setup installs it) in a temporary directory that is removed at exit.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace corokit::tls::testing {

struct Credentials {
  std::string ca;            // trusted root (EC P-256)
  std::string leaf;          // EC P-256 server certificate for "localhost", signed by `ca`
  std::string leaf_key;      // its key (SEC1)
  std::string chain;         // leaf then ca
  std::string rsa_leaf;      // RSA-2048 server certificate for "localhost", signed by `ca`
  std::string rsa_key;       // its key (PKCS#8)
  std::string other_ca;      // an unrelated root the client does not trust
  std::string other_leaf;    // a server certificate for "localhost" signed by `other_ca`
  std::string other_key;     // its key (does not match `leaf`)
  std::string ca_file;       // path of `ca` on disk, for the openssl CLI (removed at exit)
};

// Fails the calling test (ADD_FAILURE) and returns empty strings if openssl is missing or fails.
const Credentials& credentials();

inline std::span<const std::uint8_t> bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace corokit::tls::testing
