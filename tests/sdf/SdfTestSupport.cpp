#include "tests/sdf/SdfTestSupport.h"

#include "system/diag/DiagnosticRender.h"

namespace corokit::sdf::testing {

CheckOptions options_for(const std::string& target, uint32_t cores) {
  CheckOptions o;
  Result<TargetProfile> p = builtin_profile(target, cores);
  EXPECT_TRUE(p.ok()) << target;
  if (p.ok()) o.target = *p;
  return o;
}

LoadedSystem check_text(const std::string& xml, const CheckOptions& options) {
  return load_system_text(xml, "test.xml", options);
}

LoadedSystem check_text(const std::string& xml, const std::string& target) {
  return check_text(xml, options_for(target));
}

diag::SourceRange position_of(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  if (at == std::string::npos) return {};
  uint32_t line = 1, col = 1;
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return {line, col, line, col};
}

std::multiset<std::string> codes(const LoadedSystem& r) {
  std::multiset<std::string> out;
  for (const diag::Diagnostic& d : r.diagnostics.all()) {
    if (d.severity != diag::Severity::Note) out.insert(d.code);
  }
  return out;
}

std::string dump(const LoadedSystem& r) { return diag::render_human(r.diagnostics); }

::testing::AssertionResult has_diagnostic(const LoadedSystem& r, const std::string& code,
                                          const std::string& text, const std::string& needle) {
  diag::SourceRange want = position_of(r.text, needle);
  if (want.line == 0) return ::testing::AssertionFailure() << "needle not in document: " << needle;
  for (const diag::Diagnostic& d : r.diagnostics.all()) {
    if (d.code != code || d.message.find(text) == std::string::npos) continue;
    if (d.range.line == want.line && d.range.column == want.column) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << code << " found at " << d.range.line << ":" << d.range.column << ", expected "
           << want.line << ":" << want.column << "\n" << dump(r);
  }
  return ::testing::AssertionFailure() << "no " << code << " containing \"" << text << "\"\n"
                                       << dump(r);
}

}  // namespace corokit::sdf::testing
