// What a packed image holds, in memory: the contract between the packer (`corokit pack`), the
// image file reader/writer, `corokit inspect`, and the runtime (`corokit run`).
//
// The packer produces a SystemImage from a validated system and the PD ELFs; the image file format
// (docs/image-format.md) is its serialisation; the runtime boots from it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "system/board/HostBoard.h"
#include "system/sdf/Model.h"

namespace corokit::image {

// One value written into a PD's ELF at pack time (SDF.md §8).
struct Patch {
  std::string symbol;
  uint64_t vaddr = 0;          // st_value of the symbol
  std::vector<uint8_t> bytes;  // little-endian value, exactly the symbol's size
  std::string source;          // what produced it: "microkit_name", "map@setvar_vaddr", ...
};

struct LoadSegment {
  uint64_t vaddr = 0;
  uint64_t mem_size = 0;
  uint64_t file_size = 0;
  bool read = false, write = false, execute = false;
};

struct PdImage {
  // The PD's ELF: an index into SystemImage::elfs. The runtime starts a patched copy: every Patch
  // written into its loadable segment (.bss tails materialised) before the first instruction runs.
  uint32_t elf = 0;
  uint64_t entry = 0;
  std::vector<LoadSegment> segments;
  std::vector<Patch> patches;
  std::string source_path;  // where the packer found the ELF, for reports
};

// A host-board device the system uses (HOST_BOARD.md): its IRQ is declared by a PD (the driver)
// and/or its register window is a memory region. `corokit run` attaches a backend to each.
struct DeviceUse {
  board::DeviceKind kind = board::DeviceKind::Console;
  uint32_t index = 0;                // block 0..7, NIC 0..3, else 0
  uint32_t driver_pd = sdf::kNone;   // the PD declaring the device's IRQ, if any
  uint64_t irq_id = 0;               // that PD's local id for the IRQ
  std::vector<uint32_t> window_mrs;  // MRs whose phys_addr is the device's register window
};

struct SystemImage {
  // The validated model: indices resolved, MR page sizes chosen, prefill bytes captured,
  // pseudo-physical addresses assigned (written into MemoryRegion::phys_addr).
  sdf::System system;
  // Every distinct ELF byte string once, exactly as the packer read it (unpatched), numbered in
  // the order of first use by the PDs: PDs running the same program share one.
  std::vector<std::vector<uint8_t>> elfs;
  std::vector<PdImage> pds;  // by global PD index
  // MRs whose phys_addr the packer chose (SDF.md §6.6), ascending; the others were declared.
  std::vector<uint32_t> assigned_paddrs;
  std::vector<DeviceUse> devices;  // in the board's device order

  // The ELF of PD `pd` (a checked image's references are in range).
  const std::vector<uint8_t>& elf_of(uint32_t pd) const { return elfs[pds[pd].elf]; }
};

}  // namespace corokit::image
