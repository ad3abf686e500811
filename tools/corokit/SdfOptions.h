// The options every subcommand that reads an SDF shares: search paths, target and modes.
#pragma once

#include <optional>
#include <string>

#include "system/sdf/CheckOptions.h"
#include "tools/corokit/ArgumentParser.h"

namespace corokit::tool {

// Declares --search-path, --target, --profile, --cores, --strict, --lift-limits.
void add_sdf_options(ArgumentParser& args);

// Builds the check options from parsed arguments; an error message on a usage problem.
std::optional<std::string> sdf_options(const ArgumentParser& args, sdf::CheckOptions& out);

// The help text for those options.
const char* sdf_options_help();

}  // namespace corokit::tool
