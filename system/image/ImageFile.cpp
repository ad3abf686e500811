#include "system/image/ImageFile.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <map>

#include <nlohmann/json.hpp>

#include "system/image/ImageChecks.h"
#include "system/image/JsonFields.h"
#include "system/image/ModelJson.h"

namespace corokit::image {
namespace {

using json = nlohmann::json;

constexpr uint64_t kFileCrcOffset = 44;
constexpr uint8_t kZeros[kSectionAlign] = {};

uint32_t crc_of(std::span<const uint8_t> data, uint32_t crc = 0) {
  return static_cast<uint32_t>(crc32_z(crc, data.data(), data.size()));
}
uint32_t crc_append(uint32_t crc, uint32_t next_crc, uint64_t next_len) {
  return static_cast<uint32_t>(crc32_combine(crc, next_crc, static_cast<z_off_t>(next_len)));
}

void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void put64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | p[i];
  return v;
}
uint64_t get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}
uint64_t align_up(uint64_t v) { return (v + kSectionAlign - 1) / kSectionAlign * kSectionAlign; }

std::string dump(const json& j) {
  // Keys are sorted (nlohmann::json objects are std::maps); invalid UTF-8 never throws.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string to_hex(std::span<const uint8_t> bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

bool from_hex(const std::string& s, std::vector<uint8_t>& out) {
  if (s.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out.clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return true;
}

std::string perms_of(const LoadSegment& s) {
  std::string p;
  if (s.read) p += 'r';
  if (s.write) p += 'w';
  if (s.execute) p += 'x';
  return p;
}

json pd_section(const PdImage& pd) {
  json j;
  j["elf"] = pd.elf;
  j["entry"] = pd.entry;
  j["source_path"] = pd.source_path;
  j["segments"] = json::array();
  for (const LoadSegment& s : pd.segments) {
    j["segments"].push_back(
        {{"vaddr", s.vaddr}, {"mem_size", s.mem_size}, {"file_size", s.file_size}, {"perms", perms_of(s)}});
  }
  j["patches"] = json::array();
  for (const Patch& p : pd.patches) {
    j["patches"].push_back({{"symbol", p.symbol}, {"vaddr", p.vaddr}, {"bytes", to_hex(p.bytes)}, {"source", p.source}});
  }
  return j;
}

json devices_section(const SystemImage& image) {
  json list = json::array();
  for (const DeviceUse& d : image.devices) {
    json j;
    j["kind"] = board::to_string(d.kind);
    j["index"] = d.index;
    if (d.driver_pd != sdf::kNone) {
      j["driver_pd"] = d.driver_pd;
      j["irq_id"] = d.irq_id;
    }
    j["window_mrs"] = d.window_mrs;
    list.push_back(j);
  }
  return {{"devices", list}};
}

const char* section_name(SectionKind kind) { return to_string(kind); }

std::string describe(const SectionEntry& s) {
  std::string d = std::string(section_name(s.kind)) + " section";
  if (s.kind == SectionKind::Pd) d += " of PD " + std::to_string(s.index);
  if (s.kind == SectionKind::Elf) d = "ELF section " + std::to_string(s.index);
  if (s.kind == SectionKind::Prefill) d += " of memory region " + std::to_string(s.index);
  return d;
}

Result<json> parse_json(std::span<const uint8_t> data, const SectionEntry& s) {
  json j = json::parse(data.begin(), data.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error{describe(s) + " is not a JSON object"};
  return j;
}

}  // namespace

const char* to_string(SectionKind kind) {
  switch (kind) {
    case SectionKind::System: return "SYSTEM";
    case SectionKind::Devices: return "DEVICES";
    case SectionKind::Pd: return "PD";
    case SectionKind::Elf: return "ELF";
    case SectionKind::Prefill: return "PREFILL";
  }
  return "UNKNOWN";
}

std::vector<uint8_t> EncodedImage::bytes() const {
  std::vector<uint8_t> out;
  out.reserve(size);
  for (std::span<const uint8_t> p : pieces) out.insert(out.end(), p.begin(), p.end());
  return out;
}

EncodedImage encode_image(const SystemImage& image) {
  EncodedImage enc;
  struct Pending {
    SectionKind kind;
    uint32_t index;
    std::span<const uint8_t> data;
  };
  std::vector<Pending> sections;
  // Owned section bodies are reserved up front so spans into them stay valid.
  size_t owned_sections = 2 + image.pds.size();
  enc.owned.reserve(owned_sections + 1);
  auto own_text = [&](const std::string& text) -> std::span<const uint8_t> {
    enc.owned.emplace_back(text.begin(), text.end());
    return enc.owned.back();
  };

  json assigned = image.assigned_paddrs;
  sections.push_back({SectionKind::System, 0,
                      own_text(dump({{"model", system_to_json(image.system)}, {"assigned_paddrs", assigned}}))});
  sections.push_back({SectionKind::Devices, 0, own_text(dump(devices_section(image)))});
  for (uint32_t i = 0; i < image.pds.size(); ++i) {
    sections.push_back({SectionKind::Pd, i, own_text(dump(pd_section(image.pds[i])))});
  }
  for (uint32_t e = 0; e < image.elfs.size(); ++e) sections.push_back({SectionKind::Elf, e, image.elfs[e]});
  for (uint32_t m = 0; m < image.system.memory_regions.size(); ++m) {
    const auto& prefill = image.system.memory_regions[m].prefill;
    if (!prefill.empty()) sections.push_back({SectionKind::Prefill, m, prefill});
  }

  uint64_t table_end = kHeaderSize + kSectionEntrySize * sections.size();
  uint64_t first = align_up(table_end);
  std::vector<uint8_t> head(first, 0);
  std::memcpy(head.data(), kImageMagic, sizeof kImageMagic);
  put32(&head[8], kImageVersion);
  put32(&head[12], kHeaderSize);
  put32(&head[24], static_cast<uint32_t>(sections.size()));
  put32(&head[28], kSectionEntrySize);
  put64(&head[32], kHeaderSize);

  uint64_t offset = first;
  std::vector<uint32_t> crcs;
  for (size_t s = 0; s < sections.size(); ++s) {
    uint8_t* e = &head[kHeaderSize + kSectionEntrySize * s];
    uint32_t crc = crc_of(sections[s].data);
    crcs.push_back(crc);
    put32(e, static_cast<uint32_t>(sections[s].kind));
    put32(e + 4, sections[s].index);
    put64(e + 8, offset);
    put64(e + 16, sections[s].data.size());
    put32(e + 24, crc);
    offset = align_up(offset + sections[s].data.size());
  }
  uint64_t file_size = offset;
  put64(&head[16], file_size);
  put32(&head[40], crc_of({head.data() + kHeaderSize, table_end - kHeaderSize}));

  // The whole-file CRC, without reading the section bodies again.
  uint32_t file_crc = crc_of(head);  // field at 44 is still zero
  enc.pieces.push_back({});  // the head, filled in below once its CRC field is set
  for (size_t s = 0; s < sections.size(); ++s) {
    uint64_t size = sections[s].data.size();
    file_crc = crc_append(file_crc, crcs[s], size);
    enc.pieces.push_back(sections[s].data);
    uint64_t pad = align_up(size) - size;
    if (pad) {
      std::span<const uint8_t> zeros(kZeros, pad);
      file_crc = crc_of(zeros, file_crc);
      enc.pieces.push_back(zeros);
    }
  }
  put32(&head[kFileCrcOffset], file_crc);
  enc.owned.push_back(std::move(head));
  enc.pieces.front() = enc.owned.back();
  enc.size = file_size;
  return enc;
}

Result<ImageLayout> verify_image(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderSize || std::memcmp(bytes.data(), kImageMagic, sizeof kImageMagic) != 0) {
    return Error{"not a corokit image (bad magic)"};
  }
  const uint8_t* h = bytes.data();
  ImageLayout layout;
  layout.version = get32(h + 8);
  if (layout.version != kImageVersion) {
    return Error{"unsupported image version " + std::to_string(layout.version) + " (this corokit reads version " +
                 std::to_string(kImageVersion) + ")"};
  }
  layout.file_size = get64(h + 16);
  layout.file_crc = get32(h + kFileCrcOffset);
  if (layout.file_size != bytes.size()) {
    return Error{"image size mismatch: the header says " + std::to_string(layout.file_size) +
                 " bytes, the file has " + std::to_string(bytes.size()) + " (truncated or extended)"};
  }
  uint64_t count = get32(h + 24);
  if (get32(h + 12) != kHeaderSize || get32(h + 28) != kSectionEntrySize || get64(h + 32) != kHeaderSize) {
    return Error{"corrupt image header (layout fields)"};
  }
  for (uint64_t i = 48; i < kHeaderSize; ++i) {
    if (h[i] != 0) return Error{"corrupt image header (reserved bytes are not zero)"};
  }
  if (count > (bytes.size() - kHeaderSize) / kSectionEntrySize) return Error{"corrupt image header (section count)"};
  uint64_t table_end = kHeaderSize + count * kSectionEntrySize;
  if (crc_of(bytes.subspan(kHeaderSize, table_end - kHeaderSize)) != get32(h + 40)) {
    return Error{"corrupt section table (CRC32 mismatch)"};
  }

  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t* e = h + kHeaderSize + i * kSectionEntrySize;
    SectionEntry s;
    uint32_t kind = get32(e);
    if (kind < 1 || kind > 5) return Error{"section " + std::to_string(i) + " has unknown kind " + std::to_string(kind)};
    s.kind = static_cast<SectionKind>(kind);
    s.index = get32(e + 4);
    s.offset = get64(e + 8);
    s.size = get64(e + 16);
    s.crc = get32(e + 24);
    if (get32(e + 28) != 0) return Error{"section " + std::to_string(i) + " has non-zero reserved bytes"};
    if (s.offset < table_end || s.offset > bytes.size() || s.size > bytes.size() - s.offset) {
      return Error{describe(s) + " lies outside the file"};
    }
    layout.sections.push_back(s);
  }

  std::vector<size_t> order(layout.sections.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return layout.sections[a].offset < layout.sections[b].offset; });
  // One pass: each section's CRC, folded into the whole-file CRC together with the gaps.
  uint8_t header_copy[kHeaderSize];
  std::memcpy(header_copy, h, kHeaderSize);
  put32(header_copy + kFileCrcOffset, 0);
  uint32_t file_crc = crc_of(header_copy);
  // The table, then each section and the zero padding before it.
  file_crc = crc_of(bytes.subspan(kHeaderSize, table_end - kHeaderSize), file_crc);
  auto padding_is_zero = [&](uint64_t from, uint64_t to) {
    return std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(from), bytes.begin() + static_cast<std::ptrdiff_t>(to),
                       [](uint8_t b) { return b == 0; });
  };
  std::string padding_error;  // reported after the CRC, which would catch a damaged gap too
  uint64_t at = table_end;
  for (size_t k : order) {
    const SectionEntry& s = layout.sections[k];
    if (s.offset < at) return Error{describe(s) + " overlaps another section"};
    if (s.offset % kSectionAlign != 0) {
      return Error{describe(s) + " is misaligned (offset " + std::to_string(s.offset) + " is not a multiple of " +
                   std::to_string(kSectionAlign) + ")"};
    }
    if (padding_error.empty() && !padding_is_zero(at, s.offset)) padding_error = "non-zero bytes before the " + describe(s);
    file_crc = crc_of(bytes.subspan(at, s.offset - at), file_crc);
    uint32_t crc = crc_of(bytes.subspan(s.offset, s.size));
    if (crc != s.crc) return Error{describe(s) + " is corrupt (CRC32 mismatch)"};
    file_crc = crc_append(file_crc, crc, s.size);
    at = s.offset + s.size;
  }
  if (padding_error.empty() && !padding_is_zero(at, bytes.size())) padding_error = "non-zero bytes after the last section";
  file_crc = crc_of(bytes.subspan(at), file_crc);
  if (file_crc != layout.file_crc) return Error{"image is corrupt (CRC32 of the whole file does not match)"};
  if (!padding_error.empty()) return Error{padding_error};
  return layout;
}

Result<SystemImage> decode_image(std::span<const uint8_t> bytes) {
  Result<ImageLayout> layout = verify_image(bytes);
  if (!layout) return Error{layout.error()};

  const SectionEntry* system_section = nullptr;
  const SectionEntry* devices_section_entry = nullptr;
  std::map<uint32_t, const SectionEntry*> pd_sections, elf_sections, prefill_sections;
  for (const SectionEntry& s : layout->sections) {
    bool duplicate = false;
    switch (s.kind) {
      case SectionKind::System:
        duplicate = system_section != nullptr;
        system_section = &s;
        break;
      case SectionKind::Devices:
        duplicate = devices_section_entry != nullptr;
        devices_section_entry = &s;
        break;
      case SectionKind::Pd: duplicate = !pd_sections.emplace(s.index, &s).second; break;
      case SectionKind::Elf: duplicate = !elf_sections.emplace(s.index, &s).second; break;
      case SectionKind::Prefill: duplicate = !prefill_sections.emplace(s.index, &s).second; break;
    }
    if (duplicate) return Error{describe(s) + " appears twice"};
  }
  if (!system_section) return Error{"image has no SYSTEM section"};
  if (!devices_section_entry) return Error{"image has no DEVICES section"};
  auto data = [&](const SectionEntry& s) { return bytes.subspan(s.offset, s.size); };

  SystemImage image;
  Result<json> sys_json = parse_json(data(*system_section), *system_section);
  if (!sys_json) return Error{sys_json.error()};
  JsonFields f;
  const json& model = f.object(*sys_json, "SYSTEM", "model");
  const json& assigned = f.array(*sys_json, "SYSTEM", "assigned_paddrs");
  if (f.failed()) return Error{"SYSTEM section: " + f.error()};
  std::vector<uint64_t> prefill_sizes;
  Result<sdf::System> system = system_from_json(model, prefill_sizes);
  if (!system) return Error{"SYSTEM section: " + system.error()};
  image.system = std::move(*system);
  for (const json& a : assigned) {
    if (!a.is_number_unsigned() || a.get<uint64_t>() > UINT32_MAX) return Error{"SYSTEM section: bad assigned_paddrs"};
    image.assigned_paddrs.push_back(static_cast<uint32_t>(a.get<uint64_t>()));
  }

  size_t n = image.system.pds.size();
  size_t mrs = image.system.memory_regions.size();
  if (pd_sections.size() != n || (n > 0 && pd_sections.rbegin()->first != n - 1)) {
    return Error{"image must have one PD section for each of its " + std::to_string(n) + " PDs"};
  }
  // ELF sections: numbered 0..k-1, each a distinct byte string (PDs refer to them by number).
  size_t elfs = elf_sections.size();
  if (elfs > n) {
    return Error{"image has more ELF sections (" + std::to_string(elfs) + ") than PDs (" + std::to_string(n) + ")"};
  }
  if (elfs > 0 && elf_sections.rbegin()->first != elfs - 1) {
    return Error{"ELF sections must be numbered 0 to " + std::to_string(elfs - 1) + " (found ELF section " +
                 std::to_string(elf_sections.rbegin()->first) + ")"};
  }
  for (const auto& [e, es] : elf_sections) {
    for (const auto& [other, os] : elf_sections) {
      if (other >= e) break;
      if (os->size == es->size && os->crc == es->crc && std::equal(data(*os).begin(), data(*os).end(), data(*es).begin())) {
        return Error{"ELF sections " + std::to_string(other) + " and " + std::to_string(e) +
                     " hold the same bytes (an image stores each distinct ELF once)"};
      }
    }
    std::span<const uint8_t> elf = data(*es);
    image.elfs.emplace_back(elf.begin(), elf.end());
  }
  for (uint32_t i = 0; i < n; ++i) {
    PdImage pd;
    const SectionEntry& ps = *pd_sections[i];
    Result<json> pj = parse_json(data(ps), ps);
    if (!pj) return Error{pj.error()};
    std::string w = describe(ps);
    uint64_t elf = f.u64(*pj, w, "elf");
    if (!f.failed() && elf >= elfs) {
      return Error{w + " refers to ELF " + std::to_string(elf) + ", but the image has " + std::to_string(elfs) +
                   " ELF section" + (elfs == 1 ? "" : "s")};
    }
    pd.elf = static_cast<uint32_t>(elf);
    pd.entry = f.u64(*pj, w, "entry");
    pd.source_path = f.str(*pj, w, "source_path");
    const json& segments = f.array(*pj, w, "segments");
    for (const json& sj : segments) {
      LoadSegment seg;
      seg.vaddr = f.u64(sj, w, "vaddr");
      seg.mem_size = f.u64(sj, w, "mem_size");
      seg.file_size = f.u64(sj, w, "file_size");
      std::string perms = f.str(sj, w, "perms");
      for (char c : perms) {
        if (c == 'r') seg.read = true;
        else if (c == 'w') seg.write = true;
        else if (c == 'x') seg.execute = true;
        else f.fail(w, "segment perms have an unknown letter");
      }
      pd.segments.push_back(seg);
    }
    const json& patches = f.array(*pj, w, "patches");
    for (const json& pjx : patches) {
      Patch p;
      p.symbol = f.str(pjx, w, "symbol");
      p.vaddr = f.u64(pjx, w, "vaddr");
      p.source = f.str(pjx, w, "source");
      if (!from_hex(f.str(pjx, w, "bytes"), p.bytes)) f.fail(w, "patch bytes are not lowercase hex");
      pd.patches.push_back(std::move(p));
    }
    if (f.failed()) return Error{f.error()};
    image.pds.push_back(std::move(pd));
  }

  for (const auto& [index, s] : prefill_sections) {
    if (index >= mrs) return Error{describe(*s) + ": no such memory region"};
    if (s->size != prefill_sizes[index] || s->size == 0) {
      return Error{describe(*s) + ": size does not match the model's prefill size"};
    }
    std::span<const uint8_t> d = data(*s);
    image.system.memory_regions[index].prefill.assign(d.begin(), d.end());
  }
  for (size_t m = 0; m < mrs; ++m) {
    if (prefill_sizes[m] != 0 && !prefill_sections.count(static_cast<uint32_t>(m))) {
      return Error{"memory region " + std::to_string(m) + " has prefill data but no PREFILL section"};
    }
  }

  Result<json> dj = parse_json(data(*devices_section_entry), *devices_section_entry);
  if (!dj) return Error{dj.error()};
  for (const json& d : f.array(*dj, "DEVICES", "devices")) {
    DeviceUse use;
    std::string kind = f.str(d, "DEVICES", "kind");
    bool known = false;
    for (board::DeviceKind k : {board::DeviceKind::Console, board::DeviceKind::Timer, board::DeviceKind::Block,
                                board::DeviceKind::Nic}) {
      if (kind == board::to_string(k)) {
        use.kind = k;
        known = true;
      }
    }
    if (!known) f.fail("DEVICES", "unknown device kind");
    uint64_t index = f.u64(d, "DEVICES", "index");
    use.index = index > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(index);
    if (auto driver = f.opt_u64(d, "DEVICES", "driver_pd")) {
      if (*driver >= n) f.fail("DEVICES", "driver PD out of range");
      use.driver_pd = static_cast<uint32_t>(*driver >= n ? 0 : *driver);
      use.irq_id = f.u64(d, "DEVICES", "irq_id");
    }
    for (const json& m : f.array(d, "DEVICES", "window_mrs")) {
      if (!m.is_number_unsigned() || m.get<uint64_t>() >= mrs) {
        f.fail("DEVICES", "window memory region out of range");
        break;
      }
      use.window_mrs.push_back(static_cast<uint32_t>(m.get<uint64_t>()));
    }
    image.devices.push_back(std::move(use));
  }
  if (f.failed()) return Error{f.error()};

  Status checked = check_image(image);
  if (!checked) return Error{checked.error()};
  return image;
}

bool reseal_image(std::vector<uint8_t>& bytes) {
  if (bytes.size() < kHeaderSize) return false;
  uint8_t* h = bytes.data();
  uint64_t count = get32(h + 24);
  if (count > (bytes.size() - kHeaderSize) / kSectionEntrySize) return false;
  for (uint64_t i = 0; i < count; ++i) {
    uint8_t* e = h + kHeaderSize + i * kSectionEntrySize;
    uint64_t offset = get64(e + 8), size = get64(e + 16);
    if (offset > bytes.size() || size > bytes.size() - offset) return false;
    put32(e + 24, crc_of({bytes.data() + offset, size}));
  }
  uint64_t table_end = kHeaderSize + count * kSectionEntrySize;
  put32(h + 40, crc_of({bytes.data() + kHeaderSize, table_end - kHeaderSize}));
  put32(h + kFileCrcOffset, 0);
  put32(h + kFileCrcOffset, crc_of(bytes));
  return true;
}

}  // namespace corokit::image
