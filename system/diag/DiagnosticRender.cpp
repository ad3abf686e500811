#include "system/diag/DiagnosticRender.h"

#include <nlohmann/json.hpp>

namespace corokit::diag {
namespace {

std::string location(const std::string& file, const SourceRange& r) {
  std::string s = file;
  if (r.line != 0) s += ":" + std::to_string(r.line) + ":" + std::to_string(r.column);
  return s;
}

std::string plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

const char* severity_color(Severity s) {
  switch (s) {
    case Severity::Error: return "\033[1;31m";
    case Severity::Warning: return "\033[1;35m";
    case Severity::Note: return "\033[1;36m";
  }
  return "";
}

}  // namespace

bool parse_format(const std::string& name, Format& out) {
  if (name == "human") out = Format::Human;
  else if (name == "json") out = Format::Json;
  else if (name == "microkit") out = Format::Microkit;
  else return false;
  return true;
}

std::string render_human(const DiagnosticList& list, bool color) {
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::string out;
  for (const Diagnostic& d : list.all()) {
    out += bold + location(d.file, d.range) + ": " + reset;
    out += (color ? severity_color(d.severity) : "");
    out += to_string(d.severity);
    out += "[" + d.code + "]";
    out += reset;
    out += ": " + d.message + "\n";
    for (const RelatedLocation& r : d.related) {
      out += "    " + location(d.file, r.range) + ": note: " + r.message + "\n";
    }
  }
  out += plural(list.errors(), "error") + ", " + plural(list.warnings(), "warning") + "\n";
  return out;
}

std::string render_json(const DiagnosticList& list) {
  using json = nlohmann::ordered_json;
  json diagnostics = json::array();
  for (const Diagnostic& d : list.all()) {
    json related = json::array();
    for (const RelatedLocation& r : d.related) {
      related.push_back({{"file", d.file}, {"line", r.range.line}, {"column", r.range.column},
                         {"message", r.message}});
    }
    diagnostics.push_back({
        {"severity", to_string(d.severity)},
        {"code", d.code},
        {"message", d.message},
        {"microkit", d.microkit ? json(*d.microkit) : json(nullptr)},
        {"file", d.file},
        {"line", d.range.line},
        {"column", d.range.column},
        {"end_line", d.range.end_line},
        {"end_column", d.range.end_column},
        {"element", d.element},
        {"attribute", d.attribute ? json(*d.attribute) : json(nullptr)},
        {"related", related},
    });
  }
  json doc = {{"version", 1},
              {"errors", list.errors()},
              {"warnings", list.warnings()},
              {"diagnostics", diagnostics}};
  // Invalid UTF-8 in a file name or attribute value must not abort rendering.
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

MicrokitLines render_microkit(const DiagnosticList& list) {
  MicrokitLines out;
  for (const Diagnostic& d : list.all()) {
    if (d.severity == Severity::Note) continue;
    std::string line;
    if (d.microkit) {
      line = *d.microkit;
    } else if (d.severity == Severity::Error) {
      line = "Error: " + d.message + " on element '" + d.element + "': " + location(d.file, d.range);
    } else {
      line = "WARNING: " + d.message;
    }
    (d.severity == Severity::Error ? out.errors : out.warnings) += line + "\n";
  }
  return out;
}

}  // namespace corokit::diag
