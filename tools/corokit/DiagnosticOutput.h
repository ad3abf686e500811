// Printing diagnostics the way every SDF-reading subcommand does: --format human|json|microkit
// and --color, shared by pack and graph.
#pragma once

#include <optional>
#include <string>

#include "system/diag/DiagnosticRender.h"
#include "tools/corokit/ArgumentParser.h"

namespace corokit::tool {

struct DiagnosticOutput {
  diag::Format format = diag::Format::Human;
  bool color = false;
};

// Declares --format (alias --diagnostics), --color and --werror.
void add_diagnostic_options(ArgumentParser& args);
std::optional<std::string> diagnostic_output(const ArgumentParser& args, DiagnosticOutput& out);
void print_diagnostics(const diag::DiagnosticList& list, const DiagnosticOutput& out);

}  // namespace corokit::tool
