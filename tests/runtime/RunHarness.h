// Boots an example system in-process and captures what the run printed.
#pragma once

#include <string>
#include <vector>

#include "system/runtime/Monitor.h"
#include "system/runtime/RunOptions.h"

namespace corokit::testing {

struct Captured {
  runtime::RunResult result;
  std::string output;
  std::vector<std::string> lines;
  std::string error;  // the image could not be made
};

// `system` is a path relative to examples/ in the source tree; the ELFs are the `lang` (c or cpp)
// variants from the build tree.
Captured run_example(const std::string& system, runtime::RunOptions options, const std::string& lang = "c");
// A system of the runtime's own tests (tests/runtime/systems/NAME), PDs from tests/runtime/pds.
Captured run_test_system(const std::string& name, runtime::RunOptions options);
runtime::RunOptions test_options();  // no prefix, no colour, a safety timeout

// Lines of `c` that do not start with "MON|WARN".
std::vector<std::string> without_warnings(const Captured& c);

}  // namespace corokit::testing
