#include "system/image/ImageChecks.h"

#include <algorithm>
#include <optional>
#include <set>

#include "system/elf/ElfFile.h"
#include "system/elf/ElfPatcher.h"

namespace corokit::image {
namespace {

constexpr uint64_t kMaxId = 61;
constexpr uint64_t kMaxPds = 1024;

class Checker {
 public:
  explicit Checker(const SystemImage& image) : img_(image), sys_(image.system) {}

  Status run();

 private:
  bool fail(const std::string& where, const std::string& why) {
    if (error_.empty()) error_ = where + ": " + why;
    return false;
  }
  bool pd_index(uint32_t i) const { return i < sys_.pds.size(); }
  bool mr_index(uint32_t i) const { return i < sys_.memory_regions.size(); }
  void check_map(const sdf::Map& m, const std::string& where);
  void check_pd(uint32_t i);
  void check_mr(uint32_t i);
  void check_elf_references();
  void check_pd_image(uint32_t i);

  const SystemImage& img_;
  std::vector<std::optional<elf::ElfParseResult>> parsed_;  // each ELF parsed once, by ELF number
  const sdf::System& sys_;
  std::string error_;
};

void Checker::check_map(const sdf::Map& m, const std::string& where) {
  if (!mr_index(m.mr_index)) {
    fail(where, "memory region index out of range");
    return;
  }
  const sdf::MemoryRegion& mr = sys_.memory_regions[m.mr_index];
  if (m.mr != mr.name) fail(where, "memory region name does not match its index");
  if (!m.perms.read && !m.perms.write && !m.perms.execute) fail(where, "no permissions");
  if (m.vaddr % sdf::kPageSmall != 0) fail(where, "vaddr is not page aligned");
  if (mr.size > UINT64_MAX - m.vaddr) fail(where, "address range overflows");
}

void Checker::check_pd(uint32_t i) {
  const sdf::ProtectionDomain& pd = sys_.pds[i];
  std::string w = "PD " + std::to_string(i);
  if (pd.name.empty() || pd.name.size() > 63) fail(w, "name is empty or longer than 63 bytes");
  if (pd.priority > 254) fail(w, "priority above 254");
  if (pd.budget == 0 || pd.budget > pd.period) fail(w, "budget is 0 or above the period");
  if (pd.stack_size < 0x1000 || pd.stack_size > 0x1000000 || pd.stack_size % 0x1000 != 0) {
    fail(w, "stack size out of range");
  }
  if (!pd.program_image) fail(w, "no program image");
  if (pd.parent != sdf::kNone) {
    // Depth-first flattening puts every parent before its children.
    if (pd.parent >= i) {
      fail(w, "parent index out of range");
    } else {
      const auto& siblings = sys_.pds[pd.parent].children;
      if (std::find(siblings.begin(), siblings.end(), i) == siblings.end()) fail(w, "parent does not list it");
      if (!pd.child_id) fail(w, "child without an id");
    }
  }
  for (uint32_t c : pd.children) {
    if (c <= i || !pd_index(c) || sys_.pds[c].parent != i) fail(w, "child index inconsistent");
  }
  size_t domains = sys_.domains ? sys_.domains->domains.size() : 0;
  if (pd.domain_index != sdf::kNone && pd.domain_index >= domains) fail(w, "domain index out of range");
  for (size_t m = 0; m < pd.maps.size(); ++m) check_map(pd.maps[m], w + " map " + std::to_string(m));
  for (const sdf::Irq& irq : pd.irqs) {
    if (irq.id > kMaxId) fail(w, "IRQ id above 61");
  }
  for (const sdf::IoPort& p : pd.ioports) {
    if (p.id > kMaxId) fail(w, "I/O port id above 61");
  }
  for (const sdf::SetVar& s : pd.setvars) {
    if (!mr_index(s.mr_index)) fail(w, "setvar memory region index out of range");
    if (s.symbol.empty()) fail(w, "setvar without a symbol");
  }
  for (const sdf::Cap& c : pd.caps) {
    if (!pd_index(c.pd_index)) fail(w, "cap PD index out of range");
  }
  if (pd.virtual_machine) {
    const auto& vm = *pd.virtual_machine;
    for (size_t m = 0; m < vm.maps.size(); ++m) check_map(vm.maps[m], w + " VM map " + std::to_string(m));
  }
}

void Checker::check_mr(uint32_t i) {
  const sdf::MemoryRegion& mr = sys_.memory_regions[i];
  std::string w = "memory region " + std::to_string(i);
  if (mr.name.empty()) fail(w, "empty name");
  if (mr.page_size != sdf::kPageSmall && mr.page_size != sdf::kPageLarge) fail(w, "invalid page size");
  if (mr.size == 0 || mr.page_size == 0 || mr.size % mr.page_size != 0) fail(w, "size is not a multiple of the page size");
  if (mr.prefill.size() > mr.size) fail(w, "prefill larger than the region");
  if (mr.phys_addr && mr.size > UINT64_MAX - *mr.phys_addr) fail(w, "physical range overflows");
}

// Every PD refers to an ELF that exists; the ELFs are numbered in the order of their first use, so
// each is used and the numbering is canonical (the image stays deterministic).
void Checker::check_elf_references() {
  uint32_t next = 0;
  for (uint32_t i = 0; i < img_.pds.size(); ++i) {
    uint32_t e = img_.pds[i].elf;
    std::string w = "PD " + std::to_string(i) + " image";
    if (e >= img_.elfs.size()) {
      fail(w, "ELF " + std::to_string(e) + " does not exist (the image has " + std::to_string(img_.elfs.size()) + ")");
    } else if (e > next) {
      fail(w, "refers to ELF " + std::to_string(e) + " before ELF " + std::to_string(next) +
                  " is used (ELFs are numbered in the order of first use)");
    } else if (e == next) {
      ++next;
    }
  }
  if (error_.empty() && next != img_.elfs.size()) fail("ELF " + std::to_string(next), "used by no PD");
}

void Checker::check_pd_image(uint32_t i) {
  const PdImage& pd = img_.pds[i];
  std::string w = "PD " + std::to_string(i) + " image";
  const std::vector<uint8_t>& bytes = img_.elfs[pd.elf];
  if (parsed_.empty()) parsed_.resize(img_.elfs.size());
  std::optional<elf::ElfParseResult>& cached = parsed_[pd.elf];
  if (!cached) cached = elf::parse_elf(bytes, {.require_symbols = false, .read_symbols = false});
  const elf::ElfParseResult& parsed = *cached;
  if (!parsed.ok()) {
    fail(w, "invalid ELF " + std::to_string(pd.elf) + ": " + parsed.error.message);
    return;
  }
  const elf::ElfFile& elf = *parsed.file;
  if (elf.entry != pd.entry) fail(w, "entry point does not match the ELF");
  bool same = elf.segments.size() == pd.segments.size();
  for (size_t s = 0; same && s < pd.segments.size(); ++s) {
    const elf::Segment& a = elf.segments[s];
    const LoadSegment& b = pd.segments[s];
    same = a.vaddr == b.vaddr && a.mem_size == b.mem_size && a.file_size == b.file_size && a.read == b.read &&
           a.write == b.write && a.execute == b.execute;
  }
  if (!same) fail(w, "segments do not match the ELF");
  std::vector<elf::ElfWrite> writes;
  for (const Patch& p : pd.patches) {
    if (p.symbol.empty()) fail(w, "patch without a symbol");
    if (p.bytes.empty() || p.bytes.size() > 64) fail(w, "patch '" + p.symbol + "' has an invalid size");
    if (!elf.segment_containing(p.vaddr, p.bytes.size())) {
      fail(w, "patch '" + p.symbol + "' is not inside a loadable segment");
    }
    writes.push_back({p.vaddr, p.bytes});
  }
  // The runtime applies the table; it must apply cleanly.
  if (Status applies = elf::check_patches(bytes, writes); !applies) fail(w, applies.error());
}

Status Checker::run() {
  if (sys_.pds.empty() || sys_.pds.size() > kMaxPds) fail("system", "number of PDs out of range");
  if (img_.pds.size() != sys_.pds.size()) fail("system", "PD images do not match the PDs");
  std::set<std::string> names;
  for (uint32_t i = 0; i < sys_.pds.size(); ++i) {
    check_pd(i);
    if (!names.insert(sys_.pds[i].name).second) fail("PD " + std::to_string(i), "duplicate name");
  }
  names.clear();
  for (uint32_t i = 0; i < sys_.memory_regions.size(); ++i) {
    check_mr(i);
    if (!names.insert(sys_.memory_regions[i].name).second) fail("memory region " + std::to_string(i), "duplicate name");
  }
  for (size_t c = 0; c < sys_.channels.size(); ++c) {
    const sdf::Channel& ch = sys_.channels[c];
    std::string w = "channel " + std::to_string(c);
    if (ch.ends.size() != 2) {
      fail(w, "does not have two ends");
      continue;
    }
    for (const sdf::ChannelEnd& e : ch.ends) {
      if (!pd_index(e.pd_index) || sys_.pds[e.pd_index].name != e.pd) fail(w, "end PD inconsistent");
      if (e.id > kMaxId) fail(w, "end id above 61");
    }
  }
  for (const sdf::IoAddressSpace& io : sys_.io_address_spaces) {
    for (const sdf::IoMap& m : io.iomaps) {
      if (!mr_index(m.mr_index)) fail("io address space '" + io.name + "'", "memory region index out of range");
    }
  }
  if (sys_.domains && sys_.domains->schedule) {
    for (const sdf::ScheduleEntry& e : sys_.domains->schedule->entries) {
      if (!e.end_marker && e.domain_index >= sys_.domains->domains.size()) {
        fail("domain schedule", "domain index out of range");
      }
    }
  }
  for (size_t k = 0; k < img_.assigned_paddrs.size(); ++k) {
    uint32_t m = img_.assigned_paddrs[k];
    if (!mr_index(m) || !sys_.memory_regions[m].phys_addr || (k > 0 && m <= img_.assigned_paddrs[k - 1])) {
      fail("assigned physical addresses", "memory region index out of range or unsorted");
    }
  }
  std::set<std::pair<board::DeviceKind, uint32_t>> seen;
  for (const DeviceUse& d : img_.devices) {
    bool known = false;
    for (const board::Device& b : board::devices()) known |= b.kind == d.kind && b.index == d.index;
    if (!known) fail("devices", "unknown host-board device");
    if (!seen.insert({d.kind, d.index}).second) fail("devices", "device listed twice");
    if (d.driver_pd != sdf::kNone && !pd_index(d.driver_pd)) fail("devices", "driver PD index out of range");
    if (d.irq_id > kMaxId) fail("devices", "IRQ id above 61");
    for (uint32_t m : d.window_mrs) {
      if (!mr_index(m)) fail("devices", "memory region index out of range");
    }
  }
  if (error_.empty()) check_elf_references();
  if (error_.empty()) {
    for (uint32_t i = 0; i < img_.pds.size() && i < sys_.pds.size(); ++i) check_pd_image(i);
  }
  if (!error_.empty()) return Error{"inconsistent image: " + error_};
  return Ok{};
}

}  // namespace

Status check_image(const SystemImage& image) { return Checker(image).run(); }

}  // namespace corokit::image
