// An SDF text checked for the host board, for tests of the runtime's planning and scheduling.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "system/sdf/SystemLoader.h"
#include "system/sdf/Target.h"

namespace corokit::testing {

inline sdf::System load_host_system(const std::string& xml) {
  sdf::CheckOptions options;
  options.target = *sdf::builtin_profile("host");
  sdf::LoadedSystem l = sdf::load_system_text(xml, "test.system", options);
  EXPECT_TRUE(l.ok());
  return l.system;
}

}  // namespace corokit::testing
