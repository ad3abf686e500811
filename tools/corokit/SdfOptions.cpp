#include "tools/corokit/SdfOptions.h"

#include <cstdio>

#include "system/sdf/Number.h"
#include "tools/corokit/DiagnosticOutput.h"

namespace corokit::tool {

void add_sdf_options(ArgumentParser& args) {
  args.list("--search-path");
  args.value("--target", "--board");
  args.value("--profile");
  args.value("--cores");
  args.flag("--strict");
  args.flag("--lift-limits");
}

std::optional<std::string> sdf_options(const ArgumentParser& args, sdf::CheckOptions& out) {
  uint32_t cores = 0;
  if (auto c = args.get("--cores")) {
    sdf::NumberParse n = sdf::parse_number(*c);
    if (!n.ok() || n.value == 0 || n.value > 4096) {
      return "argument --cores: expected a number of cores between 1 and 4096, got '" + *c + "'";
    }
    cores = static_cast<uint32_t>(n.value);
  }
  if (args.has("--profile") && args.has("--target")) {
    return "argument --profile: not allowed with argument --target";
  }
  Result<sdf::TargetProfile> profile =
      args.has("--profile") ? sdf::load_profile(*args.get("--profile"))
                            : sdf::builtin_profile(args.get("--target").value_or("host"), cores);
  if (!profile) return profile.error();
  out.target = std::move(profile.value());
  if (cores != 0) out.target.cores = cores;
  out.search_paths = args.all("--search-path");
  out.strict = args.has("--strict");
  out.lift_limits = args.has("--lift-limits");
  if (out.lift_limits && out.strict) return "argument --lift-limits: not allowed with argument --strict";
  if (out.lift_limits && !out.target.is_host()) {
    return "argument --lift-limits: only the host target can lift Microkit's limits";
  }
  return std::nullopt;
}

const char* sdf_options_help() {
  return "  --search-path DIR ...   directories for relative paths (consumes arguments until the\n"
         "                          next option); the current directory is tried last\n"
         "  --target NAME           host (default), aarch64, riscv64, x86_64 or a Microkit board\n"
         "                          (alias --board)\n"
         "  --profile FILE          a target profile file (key = value lines)\n"
         "  --cores N               number of cores of the target\n"
         "  --strict                exactly Microkit's limits and syntax\n"
         "  --lift-limits           host only: up to 1024 PDs and child ids up to 1023\n";
}

int usage_error(const std::string& what) {
  std::fprintf(stderr, "corokit: error: %s\n", what.c_str());
  return 2;
}

std::optional<int> parse_sdf_command(ArgumentParser& args, int argc, char** argv, const char* help,
                                     sdf::CheckOptions& options, DiagnosticOutput* output) {
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::printf(help, sdf_options_help());
      return 0;
    }
  }
  if (auto err = args.parse(argc, argv, 2)) return usage_error(*err);
  if (auto err = sdf_options(args, options)) return usage_error(*err);
  if (output != nullptr) {
    if (auto err = diagnostic_output(args, *output)) return usage_error(*err);
  }
  return std::nullopt;
}

}  // namespace corokit::tool
