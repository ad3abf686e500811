// Loading a system description: XML → model → validated system (SDF.md §3–§7).
//
// load_system_* parse the document, validate every rule, and return the model together with every
// diagnostic found (all problems in one run). The model is usable by later stages only when
// `ok()`: then channel ends, maps, caps and setvars are resolved to indices, prefill bytes are
// captured, MR sizes are final and page sizes chosen (SDF.md §6.4).
#pragma once

#include <optional>
#include <string>

#include "system/diag/Diagnostic.h"
#include "system/sdf/CheckOptions.h"
#include "system/sdf/Model.h"
#include "system/sdf/SourceMap.h"

namespace corokit::sdf {

struct LoadedSystem {
  std::string file;  // as named in diagnostics
  std::string text;  // the document
  SourceMap source;
  System system;
  diag::DiagnosticList diagnostics;
  std::optional<std::string> io_error;  // the file could not be read (exit code 2)

  bool ok() const { return !io_error && !diagnostics.has_errors(); }
};

LoadedSystem load_system_file(const std::string& path, const CheckOptions& options);
LoadedSystem load_system_text(std::string text, const std::string& file, const CheckOptions& options);

}  // namespace corokit::sdf
