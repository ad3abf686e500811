// TlsEngine::feed, the same for every backend: it goes through input_space() and commit_input().
#include <algorithm>
#include <cstring>

#include "pds/tls/TlsEngine.h"
#include "sdk/PdCounters.h"

namespace corokit::tls {

std::size_t TlsEngine::feed(std::span<const std::uint8_t> ciphertext) noexcept {
  const std::span<std::uint8_t> space = input_space();
  const std::size_t n = std::min(space.size(), ciphertext.size());
  if (n != 0) {
    std::memcpy(space.data(), ciphertext.data(), n);
    counters::copied(n);
  }
  commit_input(n);
  return n;
}

}  // namespace corokit::tls
