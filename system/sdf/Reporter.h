// Builds located diagnostics for one SDF document, with Microkit's own line for each, and
// remembers which attributes were already diagnosed so later rules skip them (no cascades).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "system/diag/Diagnostic.h"
#include "system/sdf/CheckOptions.h"
#include "system/sdf/SourceMap.h"

namespace corokit::sdf {

struct Related {
  NodeId node;
  std::string message;
  std::optional<std::string> attribute = std::nullopt;
};

class Reporter {
 public:
  Reporter(std::string file, const SourceMap& map, const CheckOptions& options,
           diag::DiagnosticList& out)
      : file_(std::move(file)), map_(map), options_(options), out_(out) {}

  // The element's position as Microkit prints it: file:row:col.
  std::string loc(NodeId node) const;
  const std::string& tag(NodeId node) const;

  // Microkit's line shapes.
  std::string mk_on_element(NodeId node, std::string_view msg) const;  // "Error: m on element 't': loc"
  std::string mk_colon(NodeId node, std::string_view msg) const;       // "Error: m: loc"
  std::string mk_at(NodeId node, std::string_view msg) const;          // "Error: m @ loc"
  std::string mk_space(NodeId node, std::string_view msg) const;       // "Error: m loc"
  static std::string mk_bare(std::string_view msg);                    // "Error: m"

  void error(std::string_view code, NodeId node, std::optional<std::string_view> attribute,
             std::string message, std::optional<std::string> microkit,
             std::vector<Related> related = {});
  void warning(std::string_view code, NodeId node, std::optional<std::string_view> attribute,
               std::string message, std::optional<std::string> microkit = std::nullopt,
               std::vector<Related> related = {});
  // A host-board diagnostic (H01..H08): a warning for `check`, an error for pack and run.
  void host(std::string_view code, NodeId node, std::optional<std::string_view> attribute,
            std::string message);
  // A corokit relaxation (e.g. G02): a warning, or an error in --strict.
  void relaxation(std::string_view code, NodeId node, std::optional<std::string_view> attribute,
                  std::string message);

  // Marks an attribute (or, with an empty name, the element) as already diagnosed.
  void poison(NodeId node, std::string_view attribute = {});
  bool poisoned(NodeId node, std::string_view attribute = {}) const;

  const CheckOptions& options() const { return options_; }
  const SourceMap& source() const { return map_; }
  const std::string& file() const { return file_; }

 private:
  void add(diag::Severity severity, std::string_view code, NodeId node,
           std::optional<std::string_view> attribute, std::string message,
           std::optional<std::string> microkit, std::vector<Related> related);

  std::string file_;
  const SourceMap& map_;
  const CheckOptions& options_;
  diag::DiagnosticList& out_;
  std::set<std::pair<NodeId, std::string>> poisoned_;
};

// Formatting helpers shared by the rules.
std::string hex(uint64_t v);  // "0x1f"

}  // namespace corokit::sdf
