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

// Prints "corokit: error: WHAT" to stderr; returns the usage exit status, 2.
int usage_error(const std::string& what);

struct DiagnosticOutput;

// The start of every command that reads an SDF (`corokit CMD SYSTEM.xml ...`): -h/--help prints
// `help` (a printf format taking sdf_options_help()) and gives 0; a usage problem is reported and
// gives 2; otherwise `options` (and `output`, when given) are filled and the result is empty.
std::optional<int> parse_sdf_command(ArgumentParser& args, int argc, char** argv, const char* help,
                                     sdf::CheckOptions& options, DiagnosticOutput* output);

}  // namespace corokit::tool
