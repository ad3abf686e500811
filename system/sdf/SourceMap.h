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

// A run of non-whitespace character data (text or CDATA) and the element it is in.
struct TextSpan {
  NodeId parent = kNoNode;  // kNoNode: outside every element
  SourceRange range;        // its first non-whitespace character
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
  // Line and column of a byte offset into `text`, which must be the scanned text.
  SourceRange offset_range(std::string_view text, size_t offset) const;

  const std::vector<TextSpan>& texts() const { return texts_; }
  const std::optional<ScanProblem>& problem() const { return problem_; }

  // Used when the scan does not agree with the XML library (it should not happen): positions fall
  // back to the library's line numbers, column 1.
  void replace_elements(std::vector<ElementSpan> elements) { elements_ = std::move(elements); }

 private:
  std::vector<ElementSpan> elements_;
  std::vector<TextSpan> texts_;
  std::vector<size_t> line_starts_;
  std::optional<ScanProblem> problem_;
};

}  // namespace corokit::sdf
