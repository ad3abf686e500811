#include "system/diag/Diagnostic.h"

#include <algorithm>
#include <tuple>

namespace corokit::diag {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

void DiagnosticList::add(Diagnostic d) {
  if (d.severity == Severity::Error) ++errors_;
  if (d.severity == Severity::Warning) ++warnings_;
  items_.push_back(std::move(d));
}

void DiagnosticList::append(const DiagnosticList& other) {
  for (const Diagnostic& d : other.items_) add(d);
}

void DiagnosticList::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.range.line, a.range.column, a.code, a.message) <
           std::tie(b.file, b.range.line, b.range.column, b.code, b.message);
  });
}

void DiagnosticList::promote_warnings() {
  for (Diagnostic& d : items_) {
    if (d.severity == Severity::Warning) {
      d.severity = Severity::Error;
      --warnings_;
      ++errors_;
    }
  }
}

}  // namespace corokit::diag
