// A picture of a system as Graphviz DOT text (`corokit graph`): PDs with priority and passive,
// parent/child links, channels with their notify and PPC directions, memory regions with who maps
// them and how, and IRQs with the PD that receives them. Deterministic: model order throughout.
#pragma once

#include <string>

#include "system/sdf/Model.h"

namespace corokit::graph {

std::string system_dot(const sdf::System& system);

}  // namespace corokit::graph
