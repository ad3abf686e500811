// `corokit gen`: the typed bindings of one PD as a C++ or C header (docs/gen.md).
//
// C++: a namespace per PD with constexpr channel handles whose types carry their facets
// (sdk/Channel.h), IRQ handles, region descriptors with their perms (sdk/MemoryRegion.h), child
// handles and setvar values; the header also defines the PD's setvar symbols (weak) and registers
// what it was generated from for the start-up check (sdk/include/corokit_bindings.h).
// C: #defines and enums with the PD's name as prefix, and the same start-up check.
// The text depends only on the system, the PD and the options: the same input gives the same bytes.
#pragma once

#include <string>

#include "system/gen/PdBindings.h"
#include "system/sdf/Model.h"
#include "system/sdf/Target.h"
#include "system/support/Result.h"

namespace corokit::gen {

enum class Language { Cpp, C };

struct GenOptions {
  Language language = Language::Cpp;
  std::string source = "system.xml";       // the SDF's name as the header cites it (no directories)
  std::string cpp_namespace = "bindings";  // C++: the PD's namespace is <cpp_namespace>::<pd>
};

std::string render_cpp(const PdBindings& pd, const GenOptions& options);
std::string render_c(const PdBindings& pd, const GenOptions& options);

// describe_pd() and the renderer of options.language.
Result<std::string> generate_bindings(const sdf::System& system, const std::string& pd,
                                      const sdf::TargetProfile& target, const GenOptions& options);

}  // namespace corokit::gen
