#include "system/runtime/DomainSchedule.h"

#include <algorithm>

namespace corokit::runtime {

std::optional<DomainSchedule> DomainSchedule::of(const sdf::System& system) {
  if (!system.domains || !system.domains->schedule) return std::nullopt;
  const sdf::Domains& d = *system.domains;
  DomainSchedule s;
  for (const sdf::Domain& dom : d.domains) s.ids_.push_back(dom.id);
  const std::vector<sdf::ScheduleEntry>& all = d.schedule->entries;
  for (size_t i = d.schedule->start_index; i < all.size() && !all[i].end_marker; ++i) {
    const sdf::ScheduleEntry& e = all[i];
    if (e.domain_index >= s.ids_.size()) continue;
    uint64_t us = e.ticks ? e.duration * kHostTickUs : e.duration;
    s.entries_.push_back({s.ids_[e.domain_index], std::max(us, kMinDomainSliceUs)});
  }
  if (s.entries_.empty()) return std::nullopt;
  return s;
}

uint64_t DomainSchedule::domain_of(const sdf::ProtectionDomain& pd) const {
  return pd.domain_index < ids_.size() ? ids_[pd.domain_index] : 0;
}

uint64_t DomainSchedule::advance() {
  current_ = (current_ + 1) % entries_.size();
  return active();
}

}  // namespace corokit::runtime
