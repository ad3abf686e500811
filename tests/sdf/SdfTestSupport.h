// Helpers for SDF checker tests: load a document from text and assert on its diagnostics.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "system/sdf/SystemLoader.h"

namespace corokit::sdf::testing {

// Options for a target with a fixed core count, so results do not depend on the machine.
CheckOptions options_for(const std::string& target, uint32_t cores = 4);

LoadedSystem check_text(const std::string& xml, const CheckOptions& options);
LoadedSystem check_text(const std::string& xml, const std::string& target = "host");

// 1-based line and column (in characters) of the first occurrence of `needle` in `text`.
diag::SourceRange position_of(const std::string& text, const std::string& needle);

// Every code among errors and warnings, e.g. {"S16", "W05"}.
std::multiset<std::string> codes(const LoadedSystem& r);

// There is a diagnostic `code` whose message contains `text`, located at the first occurrence of
// `needle` in the document.
::testing::AssertionResult has_diagnostic(const LoadedSystem& r, const std::string& code,
                                          const std::string& text, const std::string& needle);

// A rendering of all diagnostics, for failure messages.
std::string dump(const LoadedSystem& r);

}  // namespace corokit::sdf::testing
