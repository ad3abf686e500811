// What `corokit gen` knows about one PD, independent of the output language: its channel ends with
// their facets, IRQs, maps, children and setvars under identifiers derived from the SDF, and the
// values the packer patches into it (SDF.md §8), computed by the packer's own code so that the
// start-up check compares like with like.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "system/sdf/Model.h"
#include "system/sdf/Target.h"
#include "system/support/Result.h"

namespace corokit::gen {

struct ChannelBinding {
  std::string name;  // unique among the PD's channel names; after the peer PD
  std::string peer;  // the peer PD's SDF name
  uint64_t id = 0;   // this end's id
  uint64_t peer_id = 0;
  bool notify = false;          // this end may notify the peer
  bool pp = false;              // this end may make protected calls to the peer
  bool receives_calls = false;  // the peer makes protected calls to this PD
};

struct IrqBinding {
  std::string name;    // the host-board device ("timer", "block0") or irq_<id>
  std::string device;  // the host-board device, or empty
  uint64_t id = 0;
  std::string source;  // "irq 34 (timer)", "pin 4 vector 40", "pcidev 00:1f.2 vector 7"
};

struct RegionBinding {
  std::string name;  // after map@setvar_vaddr when present, else the MR
  std::string mr;
  uint64_t vaddr = 0;
  uint64_t size = 0;
  sdf::Perms perms;
  bool cached = true;
  std::optional<uint64_t> prefill_size;
};

struct ChildBinding {
  std::string name;  // after the child PD
  std::string pd;
  uint64_t id = 0;
};

struct SetvarBinding {
  std::string name;    // an identifier for the symbol
  std::string symbol;  // as patched
  std::optional<uint64_t> value;  // unknown: a pseudo-physical address off the host target
  std::string source;             // "map@setvar_vaddr (mr 'buf')", ...
};

struct PdBindings {
  std::string pd;        // the SDF name
  std::string ident;     // identifier() of it
  std::string c_prefix;  // the prefix of its C names (c_prefix())
  bool passive = false;
  uint64_t priority = 0;
  std::vector<ChannelBinding> channels;  // in channel document order
  std::vector<IrqBinding> irqs;
  std::vector<RegionBinding> regions;
  std::vector<ChildBinding> children;
  std::vector<SetvarBinding> setvars;  // in the packer's order
  // The patched masks (microkit_irqs, microkit_notifications, microkit_pps, microkit_ioports).
  uint64_t irq_mask = 0;
  uint64_t notification_mask = 0;
  uint64_t pp_mask = 0;
  uint64_t ioport_mask = 0;
};

// The bindings of PD `pd` in a validated system. `target` is the system's target: on the host
// board IRQs are named after devices and pseudo-physical addresses are assigned as the packer
// does. An error when no PD has that name.
Result<PdBindings> describe_pd(const sdf::System& system, const std::string& pd, const sdf::TargetProfile& target);

}  // namespace corokit::gen
