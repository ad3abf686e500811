// What must be patched into each PD (SDF.md §8), computed from the validated model alone: the six
// microkit_* symbols and every setvar, with the value and the size the symbol must have. The
// packer then resolves each request against the PD's symbol table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "system/sdf/Model.h"

namespace corokit::image {

struct PatchRequest {
  std::string symbol;
  std::vector<uint8_t> bytes;  // little-endian value; its length is the required symbol size
  std::string source;          // "microkit_name", "map@setvar_vaddr (mr 'buf')", ...
  bool builtin = false;        // one of the six microkit_* symbols (L08 instead of L05/L06)
  sdf::NodeId node = sdf::kNoNode;  // the element that introduced the symbol
  std::string attribute;            // and its attribute ("" for the builtins: <program_image>)
};

// The six symbols every PD ELF must define, with their sizes.
struct BuiltinSymbol {
  const char* name;
  uint64_t size;
};
inline constexpr BuiltinSymbol kBuiltinSymbols[] = {
    {"microkit_name", 64},         {"microkit_passive", 1}, {"microkit_irqs", 8},
    {"microkit_notifications", 8}, {"microkit_pps", 8},     {"microkit_ioports", 8},
};

// Requests for PD `pd`, builtins first, then setvars in model order (maps, IRQs, ioports,
// <setvar>, children, vCPUs, channel ends). MR physical addresses must already be final.
std::vector<PatchRequest> patch_requests(const sdf::System& system, uint32_t pd);

// A 64-bit value as 8 little-endian bytes.
std::vector<uint8_t> le64(uint64_t value);

}  // namespace corokit::image
