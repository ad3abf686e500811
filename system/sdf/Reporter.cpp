#include "system/sdf/Reporter.h"

#include <cstdio>

namespace corokit::sdf {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string Reporter::loc(NodeId node) const {
  SourceRange r = map_.element_range(node);
  return file_ + ":" + std::to_string(r.line) + ":" + std::to_string(r.column);
}

const std::string& Reporter::tag(NodeId node) const {
  static const std::string none;
  return node < map_.size() ? map_.element(node).tag : none;
}

std::string Reporter::mk_on_element(NodeId node, std::string_view msg) const {
  return "Error: " + std::string(msg) + " on element '" + tag(node) + "': " + loc(node);
}

std::string Reporter::mk_colon(NodeId node, std::string_view msg) const {
  return "Error: " + std::string(msg) + ": " + loc(node);
}

std::string Reporter::mk_at(NodeId node, std::string_view msg) const {
  return "Error: " + std::string(msg) + " @ " + loc(node);
}

std::string Reporter::mk_space(NodeId node, std::string_view msg) const {
  return "Error: " + std::string(msg) + " " + loc(node);
}

std::string Reporter::mk_bare(std::string_view msg) { return "Error: " + std::string(msg); }

void Reporter::add(diag::Severity severity, std::string_view code, NodeId node,
                   std::optional<std::string_view> attribute, std::string message,
                   std::optional<std::string> microkit, std::vector<Related> related) {
  diag::Diagnostic d;
  d.severity = severity;
  d.code = std::string(code);
  d.message = std::move(message);
  d.microkit = std::move(microkit);
  d.file = file_;
  d.element = tag(node);
  if (attribute && !attribute->empty()) {
    d.attribute = std::string(*attribute);
    d.range = map_.attribute_range(node, *attribute);
  } else {
    d.range = map_.element_range(node);
  }
  for (Related& r : related) {
    SourceRange range =
        r.attribute ? map_.attribute_range(r.node, *r.attribute) : map_.element_range(r.node);
    d.related.push_back({range, std::move(r.message)});
  }
  out_.add(std::move(d));
}

void Reporter::error(std::string_view code, NodeId node, std::optional<std::string_view> attribute,
                     std::string message, std::optional<std::string> microkit,
                     std::vector<Related> related) {
  poison(node, attribute.value_or(std::string_view{}));
  add(diag::Severity::Error, code, node, attribute, std::move(message), std::move(microkit),
      std::move(related));
}

void Reporter::warning(std::string_view code, NodeId node,
                       std::optional<std::string_view> attribute, std::string message,
                       std::optional<std::string> microkit, std::vector<Related> related) {
  add(diag::Severity::Warning, code, node, attribute, std::move(message), std::move(microkit),
      std::move(related));
}

void Reporter::host(std::string_view code, NodeId node, std::optional<std::string_view> attribute,
                    std::string message) {
  if (options_.host_severity == HostSeverity::Error) {
    error(code, node, attribute, std::move(message), std::nullopt);
  } else {
    warning(code, node, attribute, std::move(message));
  }
}

void Reporter::relaxation(std::string_view code, NodeId node,
                          std::optional<std::string_view> attribute, std::string message) {
  if (options_.strict) {
    // Only the warning's wording changes meaning in strict mode; the value is still usable.
    add(diag::Severity::Error, code, node, attribute, std::move(message), std::nullopt, {});
  } else {
    warning(code, node, attribute, std::move(message));
  }
}

void Reporter::poison(NodeId node, std::string_view attribute) {
  poisoned_.emplace(node, std::string(attribute));
}

bool Reporter::poisoned(NodeId node, std::string_view attribute) const {
  return poisoned_.count({node, std::string(attribute)}) != 0;
}

}  // namespace corokit::sdf
