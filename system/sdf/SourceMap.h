// Source positions of every element and attribute of an SDF document.
//
// tinyxml2 reports only line numbers, so corokit scans the raw text itself: start tags are
// recorded in document order, which is the order of a pre-order walk over tinyxml2's element
// tree, so the n-th element visited is the n-th start tag here (its NodeId).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "system/diag/Diagnostic.h"

namespace corokit::sdf {

using diag::SourceRange;
using NodeId = uint32_t;
inline constexpr NodeId kNoNode = UINT32_MAX;

struct AttributeSpan {
  std::string name;
  SourceRange range;  // from the first character of the name to the closing quote
};

struct ElementSpan {
  std::string tag;
  SourceRange range;  // the '<' and the tag name
  std::vector<AttributeSpan> attributes;
};

// An XML-level problem that tinyxml2 does not detect (e.g. a duplicated attribute).
struct ScanProblem {
  std::string message;
  SourceRange range;
};

class SourceMap {
 public:
  static SourceMap scan(std::string_view text);

  size_t size() const { return elements_.size(); }
  const ElementSpan& element(NodeId id) const { return elements_.at(id); }
  SourceRange element_range(NodeId id) const;
  // The attribute's range, or the element's when the attribute is absent.
  SourceRange attribute_range(NodeId id, std::string_view attribute) const;
  // Line and column of a byte offset into the scanned text.
  SourceRange offset_range(size_t offset) const;

  const std::optional<ScanProblem>& problem() const { return problem_; }

  // Used when the scan does not agree with the XML library: positions fall back to line-only.
  void invalidate() { elements_.clear(); }

 private:
  std::vector<ElementSpan> elements_;
  std::vector<size_t> line_starts_;
  std::string_view text_;
  std::optional<ScanProblem> problem_;
};

}  // namespace corokit::sdf
