// Diagnostics produced by every stage of the tool chain (SDF check, ELF and symbol stage, pack).
//
// A diagnostic carries a stable rule code (SDF.md §7), corokit's message (which contains Microkit's
// wording verbatim where Microkit has one), Microkit's own line for drop-in use, and a source range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace corokit::diag {

enum class Severity : uint8_t { Error, Warning, Note };

const char* to_string(Severity s);

// 1-based lines and columns; columns count characters (UTF-8 code points), tabs count as 1.
// A zero line means "no location" (e.g. a problem with the file as a whole).
struct SourceRange {
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t end_line = 0;
  uint32_t end_column = 0;

  friend bool operator==(const SourceRange&, const SourceRange&) = default;
};

struct RelatedLocation {
  SourceRange range;
  std::string message;
};

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string code;     // "S12", "P02", ...
  std::string message;  // corokit's message
  // Microkit's complete output line for this problem, or nothing for corokit-only checks.
  std::optional<std::string> microkit;
  std::string file;
  SourceRange range;
  std::string element;                   // the XML element the problem is located at
  std::optional<std::string> attribute;  // the attribute, for attribute-level problems
  std::vector<RelatedLocation> related;
};

// An ordered collection of diagnostics with counts. Stages append; renderers sort and print.
class DiagnosticList {
 public:
  void add(Diagnostic d);
  void append(const DiagnosticList& other);

  const std::vector<Diagnostic>& all() const { return items_; }
  size_t errors() const { return errors_; }
  size_t warnings() const { return warnings_; }
  bool has_errors() const { return errors_ != 0; }
  bool empty() const { return items_.empty(); }

  // Sorts by position, then by rule code, then by message, so output is deterministic.
  void sort();

  // Promotes every warning to an error (--werror).
  void promote_warnings();

 private:
  std::vector<Diagnostic> items_;
  size_t errors_ = 0;
  size_t warnings_ = 0;
};

}  // namespace corokit::diag
