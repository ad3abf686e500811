#include "system/image/ImagePacker.h"

#include <elf.h>

#include <map>
#include <memory>
#include <string_view>
#include <unordered_map>

#include "system/elf/ElfFile.h"
#include "system/elf/ElfPatcher.h"
#include "system/image/DeviceUsage.h"
#include "system/image/FileBytes.h"
#include "system/image/PatchRequests.h"
#include "system/image/PseudoPhysical.h"
#include "system/sdf/PathResolver.h"

namespace corokit::image {
namespace {

using sdf::hex;

constexpr uint64_t kPage = 0x1000;

// One ELF file read and parsed; shared by every PD that names the same path.
struct LoadedElf {
  std::string path;  // as found
  std::vector<uint8_t> bytes;
  std::optional<elf::ElfFile> file;
  elf::ElfError error;
  std::string io_error;
};

class Packer {
 public:
  Packer(sdf::System system, sdf::Reporter& reporter)
      : system_(std::move(system)), rep_(reporter), target_(reporter.options().target) {}

  std::optional<SystemImage> run();

 private:
  void error(std::string_view code, sdf::NodeId node, std::optional<std::string_view> attribute,
             std::string message, bool microkit) {
    ++errors_;
    std::optional<std::string> line;
    if (microkit) line = sdf::Reporter::mk_bare(message);
    rep_.error(code, node, attribute, std::move(message), std::move(line));
  }

  LoadedElf* load(const std::string& resolved, bool require_symbols);
  // Resolves and parses one of a PD's ELFs, reporting L01–L04. Null when unusable.
  LoadedElf* open_elf(uint32_t pd, const std::string& path, const char* attribute,
                            bool for_symbols, bool require_symbols);
  void check_layout(uint32_t pd, const elf::ElfFile& elf);
  std::vector<Patch> resolve_patches(uint32_t pd, const LoadedElf& image, const LoadedElf& symbols);
  void check_entry_points(uint32_t pd, const elf::ElfFile& symbols);

  sdf::System system_;
  sdf::Reporter& rep_;
  const sdf::TargetProfile& target_;
  size_t errors_ = 0;
  std::map<std::pair<std::string, bool>, std::unique_ptr<LoadedElf>> cache_;
};

LoadedElf* Packer::load(const std::string& resolved, bool require_symbols) {
  auto key = std::make_pair(resolved, require_symbols);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second.get();
  auto loaded = std::make_unique<LoadedElf>();
  loaded->path = resolved;
  Result<std::vector<uint8_t>> bytes = read_file_bytes(resolved);
  if (!bytes) {
    loaded->io_error = bytes.error();
  } else {
    loaded->bytes = std::move(*bytes);
    elf::ElfParseResult parsed = elf::parse_elf(loaded->bytes, {.require_symbols = require_symbols});
    if (parsed.ok()) {
      loaded->file = std::move(parsed.file);
    } else {
      loaded->error = std::move(parsed.error);
    }
  }
  return cache_.emplace(key, std::move(loaded)).first->second.get();
}

LoadedElf* Packer::open_elf(uint32_t index, const std::string& path, const char* attribute,
                                  bool for_symbols, bool require_symbols) {
  const sdf::ProtectionDomain& pd = system_.pds[index];
  sdf::NodeId node = pd.program_image->node;
  sdf::ResolvedPath lookup = sdf::resolve_path(path, rep_.options().search_paths);
  if (!lookup.found) {
    std::string msg = std::string("unable to find program image") + (for_symbols ? " for symbols" : "") +
                      ": '" + path + "'";
    ++errors_;
    rep_.error("L01", node, attribute, msg, sdf::Reporter::mk_bare(msg),
               {{node, sdf::describe_tried(lookup), std::string(attribute)}});
    return nullptr;
  }
  LoadedElf* elf = load(lookup.path, require_symbols);
  const std::string& p = elf->path;
  if (!elf->io_error.empty()) {
    error("L02", node, attribute,
          "failed to parse ELF '" + p + "' for PD '" + pd.name + "': failed to read ELF: " + elf->io_error,
          true);
    return nullptr;
  }
  if (!elf->file) {
    switch (elf->error.kind) {
      case elf::ElfErrorKind::WordSize32:
        error("L03", node, attribute, "ELF '" + p + "': " + elf->error.message, true);
        break;
      case elf::ElfErrorKind::Endianness:
      case elf::ElfErrorKind::NoProgramHeaders:
      case elf::ElfErrorKind::NoSymbolTable:
        error("L04", node, attribute, "ELF '" + p + "': " + elf->error.message, true);
        break;
      default:
        error("L02", node, attribute,
              "failed to parse ELF '" + p + "' for PD '" + pd.name + "': " + elf->error.message, true);
    }
    return nullptr;
  }
  uint16_t want = expected_machine(target_.arch);
  if (elf->file->machine != want) {
    error("L09", node, attribute,
          "program image for PD '" + pd.name + "' is built for " + elf::machine_name(elf->file->machine) +
              ", target needs " + elf::machine_name(want),
          false);
    return nullptr;
  }
  return elf;
}

void Packer::check_layout(uint32_t index, const elf::ElfFile& elf) {
  const sdf::ProtectionDomain& pd = system_.pds[index];
  // The stack, its guard page and the IPC page, from the stack bottom to the top of user space.
  uint64_t area_begin = target_.stack_bottom(pd.stack_size);
  uint64_t area_end = target_.ipc_buffer() + kPage;
  for (const elf::Segment& seg : elf.segments) {
    if (seg.mem_size == 0) continue;
    if (seg.vaddr < area_end && area_begin < seg.end()) {
      error("L11", pd.program_image->node, "path",
            "ELF segment [" + hex(seg.vaddr) + ".." + hex(seg.end()) + ") of PD '" + pd.name +
                "' overlaps the stack area [" + hex(area_begin) + ".." + hex(area_end) + ")",
            false);
    }
  }
  for (const sdf::Map& map : pd.maps) {
    if (map.mr_index >= system_.memory_regions.size()) continue;
    uint64_t size = system_.memory_regions[map.mr_index].size;
    if (size > UINT64_MAX - map.vaddr) continue;  // diagnosed by the validator
    uint64_t end = map.vaddr + size;
    for (const elf::Segment& seg : elf.segments) {
      if (seg.mem_size == 0) continue;
      uint64_t s = seg.vaddr / kPage * kPage;
      uint64_t e = seg.end() > UINT64_MAX - (kPage - 1) ? UINT64_MAX : (seg.end() + kPage - 1) / kPage * kPage;
      if (map.vaddr < e && s < end) {
        error("L07", map.node, "vaddr",
              "mapping MR '" + map.mr + "' to PD '" + pd.name + "' with vaddr [" + hex(map.vaddr) + ".." +
                  hex(end) + ") will overlap with an ELF segment at [" + hex(s) + ".." + hex(e) + ")",
              true);
        break;
      }
    }
  }
}

std::vector<Patch> Packer::resolve_patches(uint32_t index, const LoadedElf& image, const LoadedElf& symbols) {
  const sdf::ProtectionDomain& pd = system_.pds[index];
  std::vector<Patch> patches;
  for (PatchRequest& req : patch_requests(system_, index)) {
    std::optional<std::string_view> attribute;
    if (!req.attribute.empty()) attribute = req.attribute;
    std::vector<elf::Symbol> found = symbols.file->find(req.symbol);
    if (found.empty()) {
      if (req.builtin) {
        error("L08", req.node, attribute,
              "program image for PD '" + pd.name + "' does not define '" + req.symbol +
                  "' (is it built with the corokit SDK?)",
              false);
      } else {
        error("L05", req.node, attribute,
              "could not patch symbol '" + req.symbol + "' in program image for PD '" + pd.name + "' (" +
                  symbols.path + "): no symbol named '" + req.symbol + "' found",
              true);
      }
      continue;
    }
    if (found.size() > 1) {
      error("L05", req.node, attribute,
            "could not patch symbol '" + req.symbol + "' in program image for PD '" + pd.name + "' (" +
                symbols.path + "): multiple symbols with name '" + req.symbol + "'",
            true);
      continue;
    }
    const elf::Symbol& sym = found.front();
    if (sym.size != req.bytes.size()) {
      if (req.builtin) {
        error("L08", req.node, attribute,
              "program image for PD '" + pd.name + "' defines '" + req.symbol + "' with size " +
                  std::to_string(sym.size) + ", expected " + std::to_string(req.bytes.size()),
              false);
      } else {
        error("L06", req.node, attribute,
              "setvar to non-word size symbol '" + req.symbol + "' for PD '" + pd.name +
                  "', symbol has size '" + std::to_string(sym.size) + "' bytes, expected size '8' bytes",
              true);
      }
      continue;
    }
    if (image.file->segment_containing(sym.value, sym.size) == nullptr) {
      error("L10", req.node, attribute,
            "symbol '" + req.symbol + "' of PD '" + pd.name + "' is not inside a loadable segment", false);
      continue;
    }
    patches.push_back({req.symbol, sym.value, std::move(req.bytes), std::move(req.source)});
  }
  return patches;
}

void Packer::check_entry_points(uint32_t index, const elf::ElfFile& symbols) {
  const sdf::ProtectionDomain& pd = system_.pds[index];
  bool callee = false;
  for (const sdf::Channel& ch : system_.channels) {
    if (ch.ends.size() != 2) continue;
    for (int e = 0; e < 2; ++e) {
      if (ch.ends[e].pp && ch.ends[1 - e].pd_index == index) callee = true;
    }
  }
  // The SDK supplies weak defaults that crash with a message: only a strong definition counts.
  auto defines = [&](std::string_view name) {
    for (const elf::Symbol& s : symbols.find(name)) {
      if (!s.weak) return true;
    }
    return false;
  };
  sdf::NodeId node = pd.program_image->node;
  if (callee && !defines("protected")) {
    rep_.warning("W07", node, std::nullopt,
                 "PD '" + pd.name + "' receives PPCs but does not define protected()");
  }
  if (!pd.children.empty() && !defines("fault")) {
    rep_.warning("W07", node, std::nullopt, "PD '" + pd.name + "' has children but does not define fault()");
  }
}

std::optional<SystemImage> Packer::run() {
  SystemImage image;
  PaddrAssignment paddrs = assign_pseudo_physical(system_);
  for (uint32_t mr : paddrs.no_room) {
    const sdf::MemoryRegion& region = system_.memory_regions[mr];
    error("L12", region.node, std::nullopt,
          "no room for memory region '" + region.name + "' (" + hex(region.size) +
              " bytes) in the host board's RAM window [" + hex(board::kRamBase) + ".." + hex(board::kRamEnd) +
              ")",
          false);
  }
  image.assigned_paddrs = paddrs.assigned;

  // Content addressing: each distinct ELF byte string is stored once (files with the same bytes,
  // under any path, included), numbered in order of first use.
  std::unordered_map<std::string_view, uint32_t> elf_by_content;
  std::vector<LoadedElf*> distinct;
  for (uint32_t i = 0; i < system_.pds.size(); ++i) {
    const sdf::ProtectionDomain& pd = system_.pds[i];
    PdImage out;
    if (!pd.program_image) {
      // The validator rejects a PD without <program_image>; never pack one.
      error("L01", pd.node, std::nullopt, "protection domain '" + pd.name + "' has no program image", false);
      image.pds.push_back(std::move(out));
      continue;
    }
    const sdf::ProgramImage& pi = *pd.program_image;
    bool separate_symbols = pi.path_for_symbols.has_value();
    LoadedElf* loadable = open_elf(i, pi.path, "path", false, !separate_symbols);
    const LoadedElf* symbols = loadable;
    if (separate_symbols) symbols = open_elf(i, *pi.path_for_symbols, "path_for_symbols", true, true);
    if (loadable) check_layout(i, *loadable->file);
    if (loadable && symbols) {
      out.patches = resolve_patches(i, *loadable, *symbols);
      std::vector<elf::ElfWrite> writes;
      for (const Patch& patch : out.patches) writes.push_back({patch.vaddr, patch.bytes});
      if (Status applies = elf::check_patches(loadable->bytes, writes); !applies) {
        error("L10", pi.node, "path", "program image for PD '" + pd.name + "': " + applies.error(), false);
      }
      check_entry_points(i, *symbols->file);
      std::string_view content(reinterpret_cast<const char*>(loadable->bytes.data()), loadable->bytes.size());
      auto [known, fresh] = elf_by_content.try_emplace(content, static_cast<uint32_t>(distinct.size()));
      if (fresh) distinct.push_back(loadable);
      out.elf = known->second;
      out.entry = loadable->file->entry;
      out.source_path = loadable->path;
      for (const elf::Segment& s : loadable->file->segments) {
        out.segments.push_back({s.vaddr, s.mem_size, s.file_size, s.read, s.write, s.execute});
      }
    }
    image.pds.push_back(std::move(out));
  }
  if (errors_ != 0) return std::nullopt;
  // Nothing reads the loaded files any more: their bytes move into the image.
  for (LoadedElf* loaded : distinct) image.elfs.push_back(std::move(loaded->bytes));
  image.devices = devices_used(system_);
  image.system = std::move(system_);
  return image;
}

}  // namespace

uint16_t expected_machine(sdf::Arch arch) {
  switch (arch) {
    case sdf::Arch::Host:
#if defined(__aarch64__)
      return EM_AARCH64;
#else
      return EM_X86_64;
#endif
    case sdf::Arch::Aarch64: return EM_AARCH64;
    case sdf::Arch::Riscv64: return EM_RISCV;
    case sdf::Arch::X86_64: return EM_X86_64;
  }
  return EM_NONE;
}

std::optional<SystemImage> pack_system(sdf::System system, sdf::Reporter& reporter) {
  return Packer(std::move(system), reporter).run();
}

namespace {

void pack_loaded(PackOutcome& out, const sdf::CheckOptions& options) {
  if (!out.loaded.ok()) return;
  sdf::Reporter reporter(out.loaded.file, out.loaded.source, options, out.loaded.diagnostics);
  out.image = pack_system(out.loaded.system, reporter);
  out.loaded.diagnostics.sort();
}

}  // namespace

PackOutcome pack_sdf_file(const std::string& path, sdf::CheckOptions options) {
  options.host_severity = sdf::HostSeverity::Error;
  PackOutcome out;
  out.loaded = sdf::load_system_file(path, options);
  pack_loaded(out, options);
  return out;
}

PackOutcome pack_sdf_text(std::string text, const std::string& file, sdf::CheckOptions options) {
  options.host_severity = sdf::HostSeverity::Error;
  PackOutcome out;
  out.loaded = sdf::load_system_text(std::move(text), file, options);
  pack_loaded(out, options);
  return out;
}

}  // namespace corokit::image
