#include "tools/corokit/DiagnosticOutput.h"

#include <unistd.h>

#include <iostream>

namespace corokit::tool {

void add_diagnostic_options(ArgumentParser& args) {
  args.value("--format", "--diagnostics");
  args.value("--color");
  args.flag("--werror");
}

std::optional<std::string> diagnostic_output(const ArgumentParser& args, DiagnosticOutput& out) {
  if (auto f = args.get("--format"); f && !diag::parse_format(*f, out.format)) {
    return "argument --format: invalid choice '" + *f + "' (choose from: human, json, microkit)";
  }
  std::string color = args.get("--color").value_or("auto");
  if (color != "auto" && color != "always" && color != "never") {
    return "argument --color: invalid choice '" + color + "' (choose from: auto, always, never)";
  }
  out.color = color == "always" || (color == "auto" && ::isatty(STDERR_FILENO));
  return std::nullopt;
}

void print_diagnostics(const diag::DiagnosticList& list, const DiagnosticOutput& out) {
  switch (out.format) {
    case diag::Format::Human:
      if (!list.empty()) std::cerr << diag::render_human(list, out.color);
      break;
    case diag::Format::Json:
      std::cout << diag::render_json(list);
      break;
    case diag::Format::Microkit: {
      diag::MicrokitLines lines = diag::render_microkit(list);
      std::cout << lines.warnings;
      std::cerr << lines.errors;
      break;
    }
  }
}

}  // namespace corokit::tool
