// Renders a DiagnosticList in one of the three output formats of SDF.md §2.5.
#pragma once

#include <string>

#include "system/diag/Diagnostic.h"

namespace corokit::diag {

enum class Format { Human, Json, Microkit };

// Parses "human", "json" or "microkit".
bool parse_format(const std::string& name, Format& out);

// `file:line:col: error[S12]: message`, related locations as indented notes, then a summary line.
// `color` adds ANSI colours for terminals.
std::string render_human(const DiagnosticList& list, bool color = false);

// One JSON document: {"version":1,"errors":N,"warnings":M,"diagnostics":[...]}.
std::string render_json(const DiagnosticList& list);

// Microkit's own line format. Errors and warnings are returned separately because Microkit prints
// errors on stderr and warnings on stdout.
struct MicrokitLines {
  std::string errors;
  std::string warnings;
};
MicrokitLines render_microkit(const DiagnosticList& list);

}  // namespace corokit::diag
