// The corokit command: one binary, one subcommand per stage of the tool chain.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>

#include "tools/corokit/Commands.h"

namespace {

struct Subcommand {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

constexpr Subcommand kSubcommands[] = {
    {"check", corokit::tool::run_check, "check a system description (SDF) and report every problem"},
    {"pack", corokit::tool::run_pack, "pack PD ELFs and a system description into one image"},
    {"inspect", corokit::tool::run_inspect, "verify a packed image and print what it holds"},
    {"gen", corokit::tool::run_gen, "write a PD's typed bindings (C++ or C header) from a system"},
    {"graph", corokit::tool::run_graph, "draw a system as Graphviz DOT or SVG"},
    {"run", corokit::tool::run_run, "boot a packed image: one sandboxed process per PD"},
};

void print_help() {
  std::printf("usage: corokit <command> [options]\n\ncommands:\n");
  for (const Subcommand& s : kSubcommands) std::printf("  %-10s %s\n", s.name, s.summary);
  std::printf("\n'corokit <command> --help' describes a command's options.\n"
              "'corokit --version' prints the version.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (auto rc = corokit::tool::run_embedded_image(argc, argv)) return *rc;
  if (argc < 2) {
    print_help();
    return 2;
  }
  std::string_view cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    print_help();
    return 0;
  }
  if (cmd == "--version" || cmd == "-V") {
    std::printf("corokit %s\n", COROKIT_VERSION);
    return 0;
  }
  for (const Subcommand& s : kSubcommands) {
    if (cmd != s.name) continue;
    try {
      return s.run(argc, argv);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "corokit: internal error: %s\n", e.what());
      return 3;
    }
  }
  std::fprintf(stderr, "corokit: error: unknown command '%s' (see 'corokit --help')\n", argv[1]);
  return 2;
}
