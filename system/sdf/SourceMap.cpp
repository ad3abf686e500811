#include "system/sdf/SourceMap.h"

#include <algorithm>

namespace corokit::sdf {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Counts characters, not bytes: UTF-8 continuation bytes do not start a character.
uint32_t count_chars(std::string_view s) {
  uint32_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

SourceRange SourceMap::offset_range(std::string_view text, size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  size_t line_index = static_cast<size_t>(it - line_starts_.begin()) - 1;
  size_t start = line_starts_[line_index];
  uint32_t col = count_chars(text.substr(start, offset - start)) + 1;
  auto line = static_cast<uint32_t>(line_index + 1);
  return {line, col, line, col};
}

SourceMap SourceMap::scan(std::string_view text) {
  SourceMap map;
  map.line_starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') map.line_starts_.push_back(i + 1);
  }

  // Positions are requested in increasing offset order, so one forward-moving cursor computes
  // them all in linear time, even for a document on a single line.
  size_t cursor = 0;
  uint32_t cursor_line = 1, cursor_col = 1;
  auto position = [&](size_t offset) {
    if (offset < cursor) {
      SourceRange r = map.offset_range(text, offset);
      return std::pair{r.line, r.column};
    }
    for (; cursor < offset; ++cursor) {
      unsigned char c = static_cast<unsigned char>(text[cursor]);
      if (c == '\n') {
        ++cursor_line;
        cursor_col = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++cursor_col;
      }
    }
    return std::pair{cursor_line, cursor_col};
  };
  auto span = [&](size_t begin, size_t end) {
    auto [l1, c1] = position(begin);
    auto [l2, c2] = position(end);
    return SourceRange{l1, c1, l2, c2};
  };
  auto skip_past = [&](size_t from, std::string_view terminator) {
    size_t at = text.find(terminator, from);
    return at == std::string_view::npos ? text.size() : at + terminator.size();
  };

  // Open elements, innermost last, to attribute character data to its parent.
  std::vector<NodeId> open;
  auto record_text = [&](size_t begin, size_t end) {
    for (size_t k = begin; k < end; ++k) {
      if (!is_space(text[k])) {
        map.texts_.push_back({open.empty() ? kNoNode : open.back(), span(k, k)});
        return;
      }
    }
  };

  size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // a UTF-8 byte order mark
  while (i < text.size()) {
    if (text[i] != '<') {
      size_t next = text.find('<', i);
      size_t end = next == std::string_view::npos ? text.size() : next;
      record_text(i, end);
      i = end;
      continue;
    }
    std::string_view rest = text.substr(i);
    if (rest.starts_with("<!--")) {
      i = skip_past(i + 4, "-->");
    } else if (rest.starts_with("<![CDATA[")) {
      size_t body = i + 9;
      size_t close = text.find("]]>", body);
      record_text(body, close == std::string_view::npos ? text.size() : close);
      i = skip_past(body, "]]>");
    } else if (rest.starts_with("<?")) {
      i = skip_past(i + 2, "?>");
    } else if (rest.starts_with("</")) {
      size_t name_begin = i + 2;
      size_t name_end = name_begin;
      while (name_end < text.size() && !is_space(text[name_end]) && text[name_end] != '>') ++name_end;
      std::string_view name = text.substr(name_begin, name_end - name_begin);
      if (!map.problem_) {
        if (open.empty()) {
          map.problem_ = ScanProblem{"end tag '</" + std::string(name) + ">' without a start tag", span(i, i)};
        } else if (map.elements_[open.back()].tag != name) {
          map.problem_ = ScanProblem{"mismatched end tag '</" + std::string(name) + ">' for element '" +
                                         map.elements_[open.back()].tag + "'",
                                     span(i, i)};
        }
      }
      if (!open.empty()) open.pop_back();
      i = skip_past(i + 2, ">");
    } else if (rest.starts_with("<!")) {
      i = skip_past(i + 2, ">");
    } else {
      // A start tag: name, then attributes until '>' or '/>'.
      size_t begin = i++;
      size_t name_begin = i;
      while (i < text.size() && !is_space(text[i]) && text[i] != '/' && text[i] != '>') ++i;
      ElementSpan element;
      element.tag = std::string(text.substr(name_begin, i - name_begin));
      element.range = span(begin, i);
      while (i < text.size()) {
        while (i < text.size() && is_space(text[i])) ++i;
        if (i >= text.size() || text[i] == '>' || text[i] == '/') break;
        size_t attr_begin = i;
        while (i < text.size() && !is_space(text[i]) && text[i] != '=' && text[i] != '>') ++i;
        std::string name(text.substr(attr_begin, i - attr_begin));
        while (i < text.size() && is_space(text[i])) ++i;
        if (i < text.size() && text[i] == '=') ++i;
        while (i < text.size() && is_space(text[i])) ++i;
        if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
          char quote = text[i];
          size_t close = text.find(quote, i + 1);
          i = close == std::string_view::npos ? text.size() : close + 1;
        } else {
          break;  // not well-formed; the XML library reports it
        }
        AttributeSpan attribute{std::move(name), span(attr_begin, i)};
        for (const AttributeSpan& seen : element.attributes) {
          if (seen.name == attribute.name && !map.problem_) {
            map.problem_ = ScanProblem{"duplicate attribute '" + attribute.name + "' on element '" +
                                           element.tag + "'",
                                       attribute.range};
          }
        }
        element.attributes.push_back(std::move(attribute));
      }
      bool self_closing = i < text.size() && text[i] == '/';
      if (self_closing) ++i;
      i = std::min(text.size(), i + 1);
      if (!self_closing) open.push_back(static_cast<NodeId>(map.elements_.size()));
      map.elements_.push_back(std::move(element));
    }
  }
  return map;
}

SourceRange SourceMap::element_range(NodeId id) const {
  if (id >= elements_.size()) return {};
  return elements_[id].range;
}

SourceRange SourceMap::attribute_range(NodeId id, std::string_view attribute) const {
  if (id >= elements_.size()) return {};
  for (const AttributeSpan& a : elements_[id].attributes) {
    if (a.name == attribute) return a.range;
  }
  return elements_[id].range;
}

}  // namespace corokit::sdf
