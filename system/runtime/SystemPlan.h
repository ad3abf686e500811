// What the monitor builds for a system, derived once from the validated model: per PD its maps,
// its channel table, the pair objects it shares with each peer, its children and IRQs. Pure data;
// the monitor turns it into shared objects and boot descriptors.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "sdk/host/Abi.h"
#include "system/board/HostBoard.h"
#include "system/sdf/Model.h"
#include "system/runtime/RunOptions.h"
#include "system/support/Result.h"

namespace corokit::runtime {

struct PlannedMap {
  uint32_t mr = 0;
  uint64_t vaddr = 0;
  uint64_t size = 0;
  uint32_t prot = 0;  // PROT_*
};

// The object shared by two PDs with at least one channel (side 0 is the lower PD index).
struct PlannedPair {
  uint32_t pd[2] = {0, 0};
  unsigned slots = 0;  // protected-call slots
};

struct PairRef {
  uint32_t pair = 0;
  uint32_t side = 0;
  uint64_t receive_mask = 0;
  uint32_t peer_pd = 0;
};

struct PlannedIrq {
  uint32_t id = 0;
  board::Device device;
};

struct PdPlan {
  std::vector<PlannedMap> maps;
  std::array<host::BootChannel, host::kMaxIds> channels{};
  std::vector<PairRef> pairs;     // one per peer PD (a PD notifying itself has a pair with itself)
  std::vector<host::BootChild> children;
  std::vector<PlannedIrq> irqs;
  uint64_t irq_mask = 0;
  uint64_t stack_bottom = 0;
};

struct SystemPlan {
  std::vector<PdPlan> pds;
  std::vector<PlannedPair> pairs;
};

// Fails with a clear message on what the host board cannot run (an x86 IRQ form, an IRQ that is not
// a host-board device). The model must be validated.
Result<SystemPlan> plan_system(const sdf::System& system);

// The pair between two PDs, if they share a channel.
// Sets the R4 call timeouts (`corokit run --ppc-timeout`) in the callers' channel tables: first the
// system default on every pp end, then the per-channel values. A PD or channel that does not exist
// or is no pp end of that PD is an error.
Status apply_ppc_timeouts(SystemPlan& plan, const sdf::System& system, const std::vector<PpcTimeout>& timeouts);

std::optional<uint32_t> find_pair(const SystemPlan& plan, uint32_t a, uint32_t b);

}  // namespace corokit::runtime
