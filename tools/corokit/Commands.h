// The corokit subcommands. Each takes the whole argv (argv[1] is the subcommand's name) and
// returns the process exit code.
#pragma once

namespace corokit::tool {

int run_check(int argc, char** argv);

}  // namespace corokit::tool
