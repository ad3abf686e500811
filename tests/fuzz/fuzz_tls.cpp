// A TLS server session's handshake over arbitrary bytes from the peer. The first input byte picks
// the size of the pieces the rest arrives in (as TCP segments would); every error must be a clean
// TlsError with the library's code kept, and the engine's buffers must stay within their bounds.
// Built once per backend: fuzz_tls (OpenSSL, TLS 1.3 and 1.2) and fuzz_tls_mbedtls.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "pds/tls/TlsConfig.h"
#include "pds/tls/TlsEngine.h"
#include "tests/tls/FixedCredentials.h"

namespace {

using corokit::tls::TlsEngine;
using corokit::tls::TlsError;
using corokit::tls::TlsServerConfig;

std::span<const std::uint8_t> text(const char* s) {
  return {reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)};
}

const TlsServerConfig& config() {
  static const TlsServerConfig made = [] {
    auto created = TlsServerConfig::create(text(corokit::tls::testing::kFixedLeaf),
                                           text(corokit::tls::testing::kFixedLeafKey));
    if (!created.ok()) std::abort();
    return created.value;
  }();
  return made;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + std::size_t{data[0]} * 67;
  std::span<const std::uint8_t> rest(data + 1, size - 1);
  TlsEngine server(config());
  std::uint8_t plaintext[512];
  for (;;) {
    const std::size_t n = server.feed(rest.first(std::min(piece, rest.size())));
    rest = rest.subspan(n);
    const TlsError step = server.handshake();
    if (server.pending_output().size() > TlsEngine::kOutputCapacity) std::abort();
    server.consume_output(server.pending_output().size());
    if (step == TlsError::None) {
      (void)server.read(plaintext);
    } else if (step != TlsError::WantRead && step != TlsError::WantWrite) {
      if (server.error() != step || server.library_error() == 0) std::abort();
      break;
    }
    if (rest.empty() && step != TlsError::WantWrite) break;
  }
  (void)server.close();
  return 0;
}
