// The domain schedule of SDF.md §5.12 as the monitor emulates it on the host: which domain is active
// and for how long. Entries run in order from `start_index`; an end marker, or the end of the list,
// continues at `start_index`. Durations in `ticks` use the host board's tick (kHostTickUs).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "system/sdf/Model.h"

namespace corokit::runtime {

// The host board's scheduler tick, for `duration="<n> ticks"`.
inline constexpr uint64_t kHostTickUs = 1000;
// Shorter durations are lengthened to this: below it the monitor would do little but switch.
inline constexpr uint64_t kMinDomainSliceUs = 100;

class DomainSchedule {
 public:
  // Empty when the system declares no <domains>, no schedule, or a schedule without any entry.
  static std::optional<DomainSchedule> of(const sdf::System& system);

  // The domain id a PD belongs to (PDs declared before <domains> are in domain 0, as on seL4).
  uint64_t domain_of(const sdf::ProtectionDomain& pd) const;
  uint64_t active() const { return entries_[current_].domain_id; }
  uint64_t slice_us() const { return entries_[current_].us; }
  // Moves to the next entry; returns the newly active domain.
  uint64_t advance();

 private:
  struct Entry {
    uint64_t domain_id;
    uint64_t us;
  };
  std::vector<Entry> entries_;  // one cycle: from start_index to the first end marker or the end
  size_t current_ = 0;
  std::vector<uint64_t> ids_;   // by domain index
};

}  // namespace corokit::runtime
