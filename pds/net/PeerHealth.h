// Per-peer accounting of misbehaviour (PROTOCOLS.md §1.5.6-7): every rejected descriptor is
// counted; past the threshold (the first index violation, or 64 descriptor errors) the component
// stops serving the peer and reports why. Freestanding.
#pragma once

#include <cstdint>

namespace corokit::net {

struct PeerHealth {
  static constexpr std::uint32_t kErrorThreshold = 64;

  std::uint64_t errors = 0;           // descriptors rejected
  std::uint32_t index_violations = 0; // a queue index out of range or moving backwards
  bool quarantined = false;
  const char* reason = nullptr;       // why it was quarantined (static string)
  const char* queue = nullptr;        // on which queue

  // Returns true when this error quarantined the peer.
  bool descriptor_error(const char* queue_name, const char* why) noexcept {
    ++errors;
    if (!quarantined && errors >= kErrorThreshold) return quarantine(queue_name, why);
    return false;
  }
  bool index_violation(const char* queue_name) noexcept {
    ++index_violations;
    if (!quarantined) return quarantine(queue_name, "queue index out of range");
    return false;
  }

 private:
  bool quarantine(const char* queue_name, const char* why) noexcept {
    quarantined = true;
    queue = queue_name;
    reason = why;
    return true;
  }
};

}  // namespace corokit::net
