// What a check is parameterised by (SDF.md §1 "Modes").
#pragma once

#include <string>
#include <vector>

#include "system/sdf/Target.h"

namespace corokit::sdf {

enum class HostSeverity : uint8_t {
  Warning,  // `corokit check --target host`
  Error,    // packing or running for the host board
};

struct CheckOptions {
  TargetProfile target;
  bool strict = false;       // exactly Microkit's limits and syntax
  bool lift_limits = false;  // host only: 1024 PDs, child ids up to 1023
  std::vector<std::string> search_paths;
  HostSeverity host_severity = HostSeverity::Warning;

  uint64_t max_pds() const { return lift_limits ? 1024 : 63; }
  uint64_t max_child_id() const { return lift_limits ? 1023 : 63; }
};

}  // namespace corokit::sdf
