// The validated system model as JSON (keys sorted, so the text is deterministic), for the image's
// SYSTEM section and `pack --model-json`. Source positions (NodeIds) are not kept. Prefill bytes
// are not in the JSON, only their length ("prefill_size"); the image keeps them in PREFILL
// sections and the decoder puts them back.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "system/sdf/Model.h"
#include "system/support/Result.h"

namespace corokit::image {

nlohmann::json system_to_json(const sdf::System& system);

// Structure and types only; semantic checks (indices in range, ...) are in ImageChecks.h.
// MRs come back with an empty `prefill`; `prefill_sizes` receives each MR's "prefill_size".
Result<sdf::System> system_from_json(const nlohmann::json& doc, std::vector<uint64_t>& prefill_sizes);

}  // namespace corokit::image
