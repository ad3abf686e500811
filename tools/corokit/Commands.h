// The corokit subcommands. Each takes the whole argv (argv[1] is the subcommand's name) and
// returns the process exit code.
#pragma once

#include <optional>

namespace corokit::tool {

int run_check(int argc, char** argv);
int run_pack(int argc, char** argv);
int run_inspect(int argc, char** argv);
int run_graph(int argc, char** argv);
int run_gen(int argc, char** argv);
int run_run(int argc, char** argv);  // tools/corokit/RunCommand.cpp

// When this executable carries a packed image (pack --self-contained), boots it and returns the
// exit code; nothing for a plain corokit.
std::optional<int> run_embedded_image(int argc, char** argv);

}  // namespace corokit::tool
