// XML → model: the element-local rules of SDF.md §3, §5 and §7.1–§7.2.
//
// Every element and attribute is read and checked where it stands: syntax (P), attribute values
// (A), element structure (E) and the element-local corokit, warning and host rules. Rules that
// need the whole system (names resolved across elements, overlaps, uniqueness) are the
// validator's (SystemValidator.h).
#pragma once

#include <string_view>

#include "system/sdf/Model.h"
#include "system/sdf/Reporter.h"
#include "system/sdf/SourceMap.h"

namespace corokit::sdf {

// Parses `text` into `system`. Returns false when the document could not be read as an SDF at all
// (malformed XML: P01, wrong root: G01); then nothing further should be checked.
bool parse_document(std::string_view text, SourceMap& source, Reporter& reporter, System& system);

}  // namespace corokit::sdf
