// `corokit check SYSTEM.xml`: every problem of a system description, located, in one run.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "system/diag/DiagnosticRender.h"
#include "system/sdf/SystemLoader.h"
#include "tools/corokit/ArgumentParser.h"
#include "tools/corokit/Commands.h"
#include "tools/corokit/SdfOptions.h"

namespace corokit::tool {
namespace {

const char* kHelp =
    "usage: corokit check SYSTEM.xml [options]\n"
    "\n"
    "Checks a system description as thoroughly as the Microkit tool does, and reports every\n"
    "problem at file:line:col. Exit status: 0 no errors, 1 errors, 2 usage or I/O problem.\n"
    "\n"
    "options:\n"
    "%s"
    "  --format FORMAT         human (default), json or microkit (alias --diagnostics)\n"
    "  --werror                treat warnings as errors\n"
    "  --color WHEN            auto (default), always or never\n"
    "  -h, --help              show this help\n";

}  // namespace

int run_check(int argc, char** argv) {
  ArgumentParser args("check");
  args.positional("SYSTEM.xml");
  add_sdf_options(args);
  args.value("--format", "--diagnostics");
  args.value("--color");
  args.flag("--werror");
  args.flag("--help", "-h");
  sdf::CheckOptions options;
  if (std::optional<int> status = parse_sdf_command(args, argc, argv, kHelp, options, nullptr)) return *status;
  diag::Format format = diag::Format::Human;
  if (auto f = args.get("--format"); f && !diag::parse_format(*f, format)) {
    return usage_error("argument --format: invalid choice '" + *f + "' (choose from: human, json, microkit)");
  }
  std::string color = args.get("--color").value_or("auto");
  if (color != "auto" && color != "always" && color != "never") {
    return usage_error("argument --color: invalid choice '" + color + "' (choose from: auto, always, never)");
  }

  sdf::LoadedSystem loaded = sdf::load_system_file(*args.get("SYSTEM.xml"), options);
  if (loaded.io_error) return usage_error(*loaded.io_error);
  if (args.has("--werror")) loaded.diagnostics.promote_warnings();

  switch (format) {
    case diag::Format::Human: {
      bool use_color = color == "always" || (color == "auto" && ::isatty(STDERR_FILENO));
      std::cerr << diag::render_human(loaded.diagnostics, use_color);
      break;
    }
    case diag::Format::Json:
      std::cout << diag::render_json(loaded.diagnostics);
      break;
    case diag::Format::Microkit: {
      diag::MicrokitLines lines = diag::render_microkit(loaded.diagnostics);
      std::cout << lines.warnings;
      std::cerr << lines.errors;
      break;
    }
  }
  return loaded.diagnostics.has_errors() ? 1 : 0;
}

}  // namespace corokit::tool
