#include "system/sdf/DocumentParser.h"

#include <tinyxml2.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <unordered_map>

#include "system/sdf/Number.h"
#include "system/sdf/PathResolver.h"

namespace corokit::sdf {
namespace {

using tinyxml2::XMLElement;

constexpr uint64_t kMaxPriority = 254;
constexpr uint64_t kMaxId = 61;  // channel, IRQ, ioport and vCPU ids: 0..61
constexpr uint64_t kMaxNameLength = 63;
constexpr uint64_t kMaxVector = 107;
constexpr uint64_t kIoVaddrLimit = 0x80'0000'0000;

constexpr std::string_view kReservedSymbols[] = {
    "microkit_name", "microkit_passive", "microkit_irqs",
    "microkit_notifications", "microkit_pps", "microkit_ioports",
};

std::optional<uint64_t> round_up(uint64_t v, uint64_t align) {
  uint64_t r = v % align;
  if (r == 0) return v;
  if (v > UINT64_MAX - (align - r)) return std::nullopt;
  return v + (align - r);
}

// A decimal-only attribute's value: Microkit parses these as plain (signed) decimals.
struct Decimal {
  uint64_t value = 0;
  bool negative = false;
};

// Reads the attributes of one element, reporting syntax problems as it goes.
class ElementReader {
 public:
  ElementReader(Reporter& r, const XMLElement* e, NodeId node)
      : r_(r), e_(e), node_(node), tag_(e->Name()) {}

  NodeId node() const { return node_; }
  const std::string& tag() const { return tag_; }

  // P05 for every attribute not in `allowed`.
  void allow(std::initializer_list<std::string_view> allowed) {
    for (const tinyxml2::XMLAttribute* a = e_->FirstAttribute(); a; a = a->Next()) {
      std::string_view name = a->Name();
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
      std::string msg = "invalid attribute '" + std::string(name) + "' on element '" + tag_ + "'";
      r_.error("P05", node_, name, msg, r_.mk_colon(node_, msg));
    }
  }

  bool has(const char* name) const { return e_->Attribute(name) != nullptr; }
  const char* raw(const char* name) const { return e_->Attribute(name); }

  // P06 when missing.
  bool require(const char* name) {
    if (has(name)) return true;
    std::string msg =
        "Missing required attribute '" + std::string(name) + "' on element '" + tag_ + "'";
    r_.error("P06", node_, std::nullopt, msg, r_.mk_colon(node_, msg));
    r_.poison(node_, name);
    return false;
  }

  std::optional<std::string> text(const char* name, bool required = false) {
    if (required && !require(name)) return std::nullopt;
    if (!has(name)) return std::nullopt;
    return std::string(raw(name));
  }

  // A declared name (PD, VM, MR, ...): G07 when empty or, with `limit_length`, over 63 bytes.
  std::optional<std::string> name(const char* attr, bool limit_length) {
    std::optional<std::string> v = text(attr, true);
    if (!v) return v;
    if (v->empty()) {
      r_.error("G07", node_, attr, "name must not be empty", std::nullopt);
    } else if (limit_length && v->size() > kMaxNameLength) {
      r_.error("G07", node_, attr,
               "name '" + *v + "' is " + std::to_string(v->size()) +
                   " bytes long; at most 63 are allowed",
               std::nullopt);
    }
    return v;
  }

  // A symbol to patch: G07 when empty, G16 when it is one of the runtime's own symbols.
  std::optional<std::string> symbol(const char* attr, bool required = false) {
    std::optional<std::string> v = text(attr, required);
    if (!v) return v;
    if (v->empty()) {
      r_.error("G07", node_, attr, "name must not be empty", std::nullopt);
      return std::nullopt;
    }
    if (std::find(std::begin(kReservedSymbols), std::end(kReservedSymbols), *v) !=
        std::end(kReservedSymbols)) {
      r_.error("G16", node_, attr, "setvar symbol '" + *v + "' is reserved", std::nullopt);
      return std::nullopt;
    }
    return v;
  }

  // A number in the general syntax; P02 when malformed.
  std::optional<uint64_t> number(const char* attr, bool required = false) {
    if (required && !require(attr)) return std::nullopt;
    if (!has(attr)) return std::nullopt;
    NumberParse n = parse_number(raw(attr));
    if (!n.ok()) {
      report_number(attr, n);
      return std::nullopt;
    }
    return n.value;
  }

  // A decimal-only attribute (SDF.md §3): plain decimals as Microkit reads them; other spellings
  // of the general syntax with G02; anything else P02. A '-' is returned for the caller's range
  // message.
  std::optional<Decimal> decimal(const char* attr, bool required = false) {
    if (required && !require(attr)) return std::nullopt;
    if (!has(attr)) return std::nullopt;
    std::string_view s = raw(attr);
    NumberParse d = parse_decimal(s, true);
    if (d.ok()) return Decimal{d.value, d.negative};
    NumberParse n = parse_number(s);
    if (n.ok()) {
      r_.relaxation("G02", node_, attr,
                    "Microkit's tool only accepts a decimal value here (it would crash)");
      return Decimal{n.value, false};
    }
    report_number(attr, d.error == NumberError::TooLarge ? d : n);
    return std::nullopt;
  }

  // Exactly "true" or "false"; P03 otherwise.
  std::optional<bool> boolean(const char* attr) {
    if (!has(attr)) return std::nullopt;
    std::string_view s = raw(attr);
    if (s == "true") return true;
    if (s == "false") return false;
    std::string msg = std::string(attr) + " must be 'true' or 'false'";
    r_.error("P03", node_, attr, msg, r_.mk_on_element(node_, msg));
    return std::nullopt;
  }

  // A channel, IRQ, ioport or vCPU id: a decimal-only attribute in 0..61 (A11).
  std::optional<uint64_t> id() {
    std::optional<Decimal> d = decimal("id", true);
    if (!d) return std::nullopt;
    if (d->negative) {
      value_error("A11", "id", "id must be >= 0");
    } else if (d->value > kMaxId) {
      value_error("A11", "id", "id must be < 62");
    } else {
      return d->value;
    }
    return std::nullopt;
  }

  // An attribute-value rule (A..): Microkit reports these "on element '<tag>'".
  void value_error(std::string_view code, const char* attr, const std::string& msg) {
    r_.error(code, node_, attr, msg, r_.mk_on_element(node_, msg));
  }

 private:
  void report_number(const char* attr, const NumberParse& n) {
    std::string msg = "failed to parse integer '" + std::string(raw(attr)) + "' on element '" +
                      tag_ + "': " + std::string(n.why());
    r_.error("P02", node_, attr, msg, Reporter::mk_bare(msg));
  }

  Reporter& r_;
  const XMLElement* e_;
  NodeId node_;
  std::string tag_;
};

// PCI addresses "bus:dev.func" with hex fields (A17 wording).
std::optional<PciAddress> parse_pci(std::string_view s, std::string& why) {
  size_t colon = s.find(':');
  size_t dot = s.find('.', colon == std::string_view::npos ? 0 : colon);
  if (colon == std::string_view::npos || dot == std::string_view::npos) {
    why = "expected PCI address in bus:device.function form";
    return std::nullopt;
  }
  struct Field {
    std::string_view text;
    const char* name;
    uint64_t max;
  } fields[] = {{s.substr(0, colon), "bus", 255},
                {s.substr(colon + 1, dot - colon - 1), "device", 31},
                {s.substr(dot + 1), "function", 7}};
  uint64_t values[3];
  for (int i = 0; i < 3; ++i) {
    NumberParse n = parse_number("0x" + std::string(fields[i].text));
    if (!n.ok() || fields[i].text.find('_') != std::string_view::npos) {
      why = std::string("failed to parse PCI ") + fields[i].name;
      return std::nullopt;
    }
    if (n.value > fields[i].max) {
      why = std::string("PCI ") + fields[i].name + " must be within [0.." +
            std::to_string(fields[i].max) + "]";
      return std::nullopt;
    }
    values[i] = n.value;
  }
  return PciAddress{static_cast<uint8_t>(values[0]), static_cast<uint8_t>(values[1]),
                    static_cast<uint8_t>(values[2])};
}

class Parser {
 public:
  Parser(Reporter& r, System& system, std::unordered_map<const XMLElement*, NodeId> ids)
      : r_(r), sys_(system), target_(r.options().target), ids_(std::move(ids)) {}

  void parse_system(const XMLElement* root);

 private:
  NodeId id(const XMLElement* e) const { return ids_.at(e); }
  bool host() const { return target_.is_host(); }

  void parse_pd(const XMLElement* e, uint32_t parent);
  void parse_program_image(const XMLElement* e, uint32_t pd);
  std::optional<Map> parse_map(const XMLElement* e, bool in_vm, std::optional<uint64_t> bound);
  std::optional<Perms> parse_perms(ElementReader& a, bool iomap);
  void parse_irq(const XMLElement* e, uint32_t pd);
  void parse_ioport(const XMLElement* e, uint32_t pd);
  void parse_setvar(const XMLElement* e, uint32_t pd);
  void parse_cspace(const XMLElement* e, uint32_t pd);
  void parse_virtual_machine(const XMLElement* e, uint32_t pd);
  void parse_memory_region(const XMLElement* e);
  void parse_channel(const XMLElement* e);
  void parse_io_address_space(const XMLElement* e);
  void parse_domains(const XMLElement* e);
  void parse_domain_schedule(const XMLElement* e, Domains& domains);
  void check_cpu(ElementReader& a, std::optional<uint64_t>& out);
  void read_scheduling(ElementReader& a, const char* priority_code, uint64_t& priority,
                       uint64_t& budget, uint64_t& period);
  void ignore_children(const XMLElement* leaf);  // W03
  void host_unsupported(NodeId node, std::optional<std::string_view> attr, std::string feature);

  ProtectionDomain& pd(uint32_t index) { return sys_.pds[index]; }

  Reporter& r_;
  System& sys_;
  const TargetProfile& target_;
  std::unordered_map<const XMLElement*, NodeId> ids_;

  bool domains_apply_ = false;  // a <domains> with at least one domain precedes
  bool domains_seen_ = false;
  std::vector<std::string> pds_before_domains_;
};

void Parser::host_unsupported(NodeId node, std::optional<std::string_view> attr,
                              std::string feature) {
  if (host()) r_.host("H01", node, attr, feature + " is not supported on the host board");
}

void Parser::ignore_children(const XMLElement* leaf) {
  for (const XMLElement* c = leaf->FirstChildElement(); c; c = c->NextSiblingElement()) {
    r_.warning("W03", id(c), std::nullopt,
               "element <" + std::string(c->Name()) + "> inside <" + leaf->Name() + "> is ignored");
  }
}

void Parser::parse_system(const XMLElement* root) {
  NodeId root_id = id(root);
  for (const tinyxml2::XMLAttribute* a = root->FirstAttribute(); a; a = a->Next()) {
    r_.warning("W01", root_id, a->Name(),
               "attribute '" + std::string(a->Name()) + "' on <system> is ignored");
  }
  for (const TextSpan& t : r_.source().texts()) {
    // Text directly in <system> is an error; deeper it is ignored by Microkit, so a warning.
    NodeId at = t.parent;
    if (at == kNoNode) continue;  // rejected as malformed XML before we get here
    if (at == root_id) {
      std::string msg = "unexpected text found in element 'system'";
      r_.error("P04", at, std::nullopt, msg, Reporter::mk_bare(msg));
    } else {
      r_.warning("W02", at, std::nullopt,
                 "text inside <" + r_.source().element(at).tag + "> is ignored");
    }
  }

  for (const XMLElement* c = root->FirstChildElement(); c; c = c->NextSiblingElement()) {
    std::string_view tag = c->Name();
    if (tag == "protection_domain") {
      parse_pd(c, kNone);
    } else if (tag == "memory_region") {
      parse_memory_region(c);
    } else if (tag == "channel") {
      parse_channel(c);
    } else if (tag == "io_address_space") {
      parse_io_address_space(c);
    } else if (tag == "domains") {
      parse_domains(c);
    } else if (tag == "virtual_machine") {
      std::string msg = "virtual machine must be a child of a protection domain";
      r_.error("P08", id(c), std::nullopt, msg, r_.mk_colon(id(c), msg));
    } else {
      std::string msg = "invalid XML element '" + std::string(tag) + "'";
      r_.error("P07", id(c), std::nullopt, msg, r_.mk_colon(id(c), msg));
    }
  }
}

void Parser::check_cpu(ElementReader& a, std::optional<uint64_t>& out) {
  out = a.number("cpu");
  if (!out) return;
  std::string msg = "cpu core must be less than " + std::to_string(target_.cores) + ", got " +
                    std::to_string(*out);
  if (*out > 255) {
    r_.error("G10", a.node(), "cpu", msg, std::nullopt);  // Microkit crashes on this value
    out.reset();
  } else if (*out >= target_.cores) {
    a.value_error("A05", "cpu", msg);
    out.reset();
  }
}

// priority 0..254 (A01 for PDs; G11 for VMs, where Microkit does not check it), budget and period
// in µs with period defaulting to budget, budget > 0 (G19) and budget <= period (A02).
void Parser::read_scheduling(ElementReader& a, const char* priority_code, uint64_t& priority,
                             uint64_t& budget, uint64_t& period) {
  const NodeId node = a.node();
  if (auto v = a.number("priority")) {
    const std::string msg = "priority must be between 0 and 254";
    if (*v <= kMaxPriority) {
      priority = *v;
    } else if (std::string_view(priority_code) == "A01") {
      a.value_error(priority_code, "priority", msg);
    } else {
      r_.error(priority_code, node, "priority", msg, std::nullopt);
    }
  }
  std::optional<uint64_t> b = a.number("budget");
  std::optional<uint64_t> p = a.number("period");
  if (b) budget = *b;
  period = p.value_or(budget);
  if (b && *b == 0) {
    r_.error("G19", node, "budget", "budget must be greater than 0", std::nullopt);
  } else if (!r_.poisoned(node, "budget") && !r_.poisoned(node, "period") && budget > period) {
    a.value_error("A02", "budget",
                  "budget (" + std::to_string(budget) + ") must be less than, or equal to, period (" +
                      std::to_string(period) + ")");
  }
}

void Parser::parse_pd(const XMLElement* e, uint32_t parent) {
  NodeId node = id(e);
  ElementReader a(r_, e, node);
  const bool child = parent != kNone;
  if (child) {
    a.allow({"name", "priority", "budget", "period", "passive", "stack_size", "cpu", "smc", "fpu",
             "domain", "id", "setvar_id"});
  } else {
    a.allow({"name", "priority", "budget", "period", "passive", "stack_size", "cpu", "smc", "fpu",
             "domain"});
  }

  const auto index = static_cast<uint32_t>(sys_.pds.size());
  sys_.pds.emplace_back();
  ProtectionDomain p;
  p.node = node;
  p.parent = parent;
  if (auto name = a.name("name", true)) p.name = *name;
  if (!domains_seen_) pds_before_domains_.push_back(p.name);

  read_scheduling(a, "A01", p.priority, p.budget, p.period);
  if (auto v = a.boolean("passive")) p.passive = *v;
  if (auto v = a.number("stack_size")) {
    if (*v < 0x1000 || *v > 0x1000000) {
      a.value_error("A03", "stack_size",
                    "stack size must be between 0x1000 bytes and 0x1000000 bytes");
    } else if (*v % 0x1000 != 0) {
      a.value_error("A04", "stack_size",
                    "stack size must be aligned to the smallest page size, 4096 bytes");
    } else {
      p.stack_size = *v;
    }
  }
  check_cpu(a, p.cpu);
  if (auto v = a.boolean("smc")) {
    p.smc = *v;
    if (*v) {
      if (target_.arch != Arch::Aarch64 && !host()) {
        a.value_error("A06", "smc", "ARM SMC forwarding support is not available for this architecture");
      } else if (!target_.smc) {
        a.value_error("A06", "smc",
                      "Using SMC support without ARM SMC forwarding support enabled in the kernel "
                      "for this platform");
      } else {
        host_unsupported(node, "smc", "smc");
      }
    }
  }
  if (auto v = a.boolean("fpu")) {
    p.fpu = *v;
    if (!*v && host()) {
      r_.warning("H06", node, "fpu", "fpu=\"false\" is not enforced on the host board");
    }
  }
  if (domains_apply_) {
    if (auto d = a.text("domain", true)) {
      p.domain = *d;
      const std::vector<Domain>& declared = sys_.domains->domains;
      for (uint32_t i = 0; i < declared.size(); ++i) {
        if (declared[i].name == *d) p.domain_index = i;
      }
      if (p.domain_index == kNone) {
        std::string msg = "domain '" + *d + "' not declared in <domains>";
        r_.error("A07", node, "domain", msg, r_.mk_space(node, msg + ":"));
      }
    }
  } else if (auto d = a.text("domain")) {
    std::string msg = "Specifying a domain '" + *d +
                      "' without declaring a domain schedule is not allowed";
    r_.error("A07", node, "domain", msg, r_.mk_space(node, msg + ":"));
  }
  if (child) {
    if (a.require("id")) {
      if (auto v = a.number("id")) {
        if (*v > r_.options().max_child_id()) {
          r_.error("G03", node, "id",
                   "child id must be < " + std::to_string(r_.options().max_child_id() + 1),
                   std::nullopt);
        } else {
          p.child_id = *v;
        }
      }
    }
    p.setvar_id = a.symbol("setvar_id");
  }
  pd(index) = std::move(p);
  if (child) pd(parent).children.push_back(index);

  const uint64_t stack_size = pd(index).stack_size;
  std::optional<uint64_t> map_bound;
  if (!r_.poisoned(node, "stack_size")) map_bound = target_.stack_bottom(stack_size);

  bool have_vm = false;
  for (const XMLElement* c = e->FirstChildElement(); c; c = c->NextSiblingElement()) {
    std::string_view tag = c->Name();
    NodeId cid = id(c);
    if (tag == "program_image") {
      if (pd(index).program_image) {
        std::string msg = "program_image must only be specified once";
        r_.error("E01", cid, std::nullopt, msg, r_.mk_on_element(node, msg));
        continue;
      }
      parse_program_image(c, index);
    } else if (tag == "map") {
      if (auto m = parse_map(c, false, map_bound)) pd(index).maps.push_back(std::move(*m));
    } else if (tag == "irq") {
      parse_irq(c, index);
    } else if (tag == "ioport") {
      parse_ioport(c, index);
    } else if (tag == "setvar") {
      parse_setvar(c, index);
    } else if (tag == "protection_domain") {
      parse_pd(c, index);
    } else if (tag == "virtual_machine") {
      if (!target_.hypervisor) {
        std::string msg = "seL4 has not been built as a hypervisor, virtual machines are disabled";
        r_.error("E04", cid, std::nullopt, msg, r_.mk_on_element(cid, msg));
      } else if (have_vm) {
        std::string msg = "virtual_machine must only be specified once";
        r_.error("E04", cid, std::nullopt, msg, r_.mk_on_element(node, msg));
      } else {
        have_vm = true;
        parse_virtual_machine(c, index);
      }
    } else if (tag == "cspace") {
      if (pd(index).cspace_node != kNoNode) {
        std::string msg = "cspace must only be specified once";
        r_.error("E06", cid, std::nullopt, msg, r_.mk_on_element(node, msg));
        continue;
      }
      parse_cspace(c, index);
    } else {
      std::string msg = "Invalid XML element '" + std::string(tag) + "'";
      r_.error("P07", cid, std::nullopt, msg, r_.mk_colon(cid, msg));
    }
  }
  if (!pd(index).program_image) {
    std::string msg = "missing 'program_image' element on protection_domain: '" + pd(index).name + "'";
    r_.error("E02", node, std::nullopt, msg, Reporter::mk_bare(msg));
  }
}

void Parser::parse_program_image(const XMLElement* e, uint32_t index) {
  ElementReader a(r_, e, id(e));
  a.allow({"path", "path_for_symbols"});
  ProgramImage img;
  img.node = a.node();
  if (auto p = a.text("path", true)) img.path = *p;
  img.path_for_symbols = a.text("path_for_symbols");
  pd(index).program_image = std::move(img);
  ignore_children(e);
}

std::optional<Perms> Parser::parse_perms(ElementReader& a, bool iomap) {
  const char* s = a.raw("perms");
  if (!s) return Perms{true, true, false};
  std::string_view v = s;
  if (v.empty()) {
    r_.error("G09", a.node(), "perms", "perms must not be empty", std::nullopt);
    return std::nullopt;
  }
  Perms p;
  bool repeated = false;
  for (char c : v) {
    bool* flag = c == 'r' ? &p.read : c == 'w' ? &p.write : (c == 'x' && !iomap) ? &p.execute : nullptr;
    if (!flag) {
      a.value_error(iomap ? "A27" : "A09", "perms",
                    iomap ? "perms for io mapped memory must only be a combination of 'r' and 'w'"
                          : "perms must only be a combination of 'r', 'w', and 'x'");
      return std::nullopt;
    }
    repeated |= *flag;
    *flag = true;
  }
  if (!iomap && p.write && !p.read && !p.execute) {
    a.value_error("A10", "perms", "perms must not be 'w', write-only mappings are not allowed");
    return std::nullopt;
  }
  if (repeated) r_.warning("W05", a.node(), "perms", "repeated permission letter");
  return p;
}

std::optional<Map> Parser::parse_map(const XMLElement* e, bool in_vm,
                                     std::optional<uint64_t> bound) {
  ElementReader a(r_, e, id(e));
  if (in_vm) {
    a.allow({"mr", "vaddr", "perms", "cached"});
  } else {
    a.allow({"mr", "vaddr", "perms", "cached", "setvar_vaddr", "setvar_size", "setvar_prefill_size"});
  }
  ignore_children(e);
  Map m;
  m.node = a.node();
  if (auto v = a.text("mr", true)) m.mr = *v;
  std::optional<uint64_t> vaddr = a.number("vaddr", true);
  if (vaddr) {
    m.vaddr = *vaddr;
    if (bound && *vaddr >= *bound) {
      a.value_error("A08", "vaddr",
                    "vaddr (" + hex(*vaddr) + ") must be less than " + hex(*bound));
    } else if (!in_vm && host() && *vaddr < target_.lowest_map) {
      r_.host("H04", m.node, "vaddr",
              "vaddr (" + hex(*vaddr) + ") is below the lowest address the host can map (" +
                  hex(target_.lowest_map) + ")");
    }
  }
  if (auto p = parse_perms(a, false)) m.perms = *p;
  if (auto c = a.boolean("cached")) m.cached = *c;
  if (!in_vm) {
    m.setvar_vaddr = a.symbol("setvar_vaddr");
    m.setvar_size = a.symbol("setvar_size");
    m.setvar_prefill_size = a.symbol("setvar_prefill_size");
  }
  return m;
}

void Parser::parse_irq(const XMLElement* e, uint32_t index) {
  ElementReader a(r_, e, id(e));
  ignore_children(e);
  Irq irq;
  irq.node = a.node();
  if (a.has("irq")) {
    irq.kind = IrqKind::Arm;
    a.allow({"id", "irq", "trigger", "setvar_id"});
  } else if (a.has("pin")) {
    irq.kind = IrqKind::IoApic;
    a.allow({"id", "pin", "vector", "ioapic", "trigger", "polarity", "setvar_id"});
  } else if (a.has("pcidev")) {
    irq.kind = IrqKind::Msi;
    a.allow({"id", "pcidev", "handle", "vector", "setvar_id"});
  } else {
    a.allow({"id", "irq", "pin", "pcidev", "vector", "ioapic", "trigger", "polarity", "handle",
             "setvar_id"});
    a.require(target_.is_x86() ? "pin" : "irq");
    return;
  }

  // The form must suit the target; the host validates x86 forms with x86 rules, then H01.
  if (irq.kind == IrqKind::Arm && target_.is_x86()) {
    a.value_error("A12", "irq", "ARM and RISC-V IRQs are not supported on x86");
  } else if (irq.kind != IrqKind::Arm && !target_.is_x86() && !host()) {
    a.value_error("A12", irq.kind == IrqKind::IoApic ? "pin" : "pcidev",
                  irq.kind == IrqKind::IoApic ? "x86 I/O APIC IRQ isn't supported on ARM and RISC-V"
                                              : "x86 MSI IRQ isn't supported on ARM and RISC-V");
  } else if (irq.kind != IrqKind::Arm) {
    host_unsupported(irq.node, std::nullopt,
                     irq.kind == IrqKind::IoApic ? "x86 I/O APIC <irq>" : "x86 MSI <irq>");
  }

  if (auto id = a.id()) irq.id = *id;
  irq.setvar_id = a.symbol("setvar_id");

  auto trigger = [&] {
    const char* t = a.raw("trigger");
    if (!t) return;
    std::string_view v = t;
    if (v == "level") {
      irq.trigger = Trigger::Level;
    } else if (v == "edge") {
      irq.trigger = Trigger::Edge;
    } else {
      a.value_error("A13", "trigger", "trigger must be either 'level' or 'edge'");
    }
  };
  auto non_negative = [&](const char* attr, uint64_t& out) {
    if (auto d = a.decimal(attr, true)) {
      if (d->negative) {
        a.value_error("A14", attr, std::string(attr) + " must be >= 0");
      } else {
        out = d->value;
      }
    }
  };
  auto vector = [&] {
    if (auto d = a.decimal("vector", true)) {
      if (d->negative || d->value > kMaxVector) {
        a.value_error("A16", "vector", "vector must be within [0..107]");
      } else {
        irq.vector = d->value;
      }
    }
  };

  switch (irq.kind) {
    case IrqKind::Arm: {
      if (auto d = a.decimal("irq", true)) {
        if (d->negative) {
          std::string msg = "failed to parse integer '" + std::string(a.raw("irq")) +
                             "' on element 'irq': invalid digit found in string";
          r_.error("P02", irq.node, "irq", msg, Reporter::mk_bare(msg));
        } else {
          irq.irq = d->value;
        }
      }
      trigger();
      break;
    }
    case IrqKind::IoApic: {
      non_negative("pin", irq.pin);
      vector();
      if (a.has("ioapic")) non_negative("ioapic", irq.ioapic);
      trigger();
      if (const char* pol = a.raw("polarity")) {
        std::string_view v = pol;
        if (v == "low") {
          irq.polarity = Polarity::Low;
        } else if (v == "high") {
          irq.polarity = Polarity::High;
        } else {
          a.value_error("A15", "polarity", "polarity must be either 'low' or 'high'");
        }
      }
      break;
    }
    case IrqKind::Msi: {
      std::string why;
      if (auto pci = parse_pci(a.raw("pcidev"), why)) {
        irq.pcidev = *pci;
      } else {
        a.value_error("A17", "pcidev", why);
      }
      non_negative("handle", irq.handle);
      vector();
      break;
    }
  }
  pd(index).irqs.push_back(std::move(irq));
}

void Parser::parse_ioport(const XMLElement* e, uint32_t index) {
  ElementReader a(r_, e, id(e));
  ignore_children(e);
  if (!target_.is_x86() && !host()) {
    std::string msg = "I/O Ports are only available on x86";
    r_.error("E07", a.node(), std::nullopt, msg, r_.mk_on_element(pd(index).node, msg));
    return;
  }
  host_unsupported(a.node(), std::nullopt, "<ioport>");
  a.allow({"id", "addr", "size", "setvar_id", "setvar_addr"});
  IoPort port;
  port.node = a.node();
  if (auto id = a.id()) port.id = *id;
  std::optional<uint64_t> addr = a.number("addr", true);
  if (addr) port.addr = *addr;
  if (auto d = a.decimal("size", true)) {
    if (d->negative || d->value == 0) {
      a.value_error("A18", "size", "size must be > 0");
    } else {
      port.size = d->value;
      if (addr && *addr > UINT64_MAX - port.size) {
        r_.error("G17", port.node, "size", "ioport range overflows", std::nullopt);
      }
    }
  }
  port.setvar_id = a.symbol("setvar_id");
  port.setvar_addr = a.symbol("setvar_addr");
  pd(index).ioports.push_back(std::move(port));
}

void Parser::parse_setvar(const XMLElement* e, uint32_t index) {
  ElementReader a(r_, e, id(e));
  a.allow({"symbol", "region_paddr"});
  ignore_children(e);
  SetVar v;
  v.node = a.node();
  std::optional<std::string> symbol = a.symbol("symbol", true);
  std::optional<std::string> region = a.text("region_paddr", true);
  if (!symbol || !region) return;
  v.symbol = *symbol;
  v.region_paddr = *region;
  pd(index).setvars.push_back(std::move(v));
}

void Parser::parse_cspace(const XMLElement* e, uint32_t index) {
  ElementReader a(r_, e, id(e));
  a.allow({});
  pd(index).cspace_node = a.node();
  host_unsupported(a.node(), std::nullopt, "<cspace>");
  for (const XMLElement* c = e->FirstChildElement(); c; c = c->NextSiblingElement()) {
    std::string_view tag = c->Name();
    NodeId cid = id(c);
    Cap cap;
    cap.node = cid;
    if (tag == "cap_tcb") {
      cap.kind = CapKind::Tcb;
    } else if (tag == "cap_sc") {
      cap.kind = CapKind::Sc;
    } else if (tag == "cap_vspace") {
      cap.kind = CapKind::VSpace;
    } else {
      std::string msg = tag.starts_with("cap_")
                            ? "Cap type: '" + std::string(tag.substr(4)) + "' is not supported"
                            : "Element '" + std::string(tag) + "' is not supported in a <cspace> element";
      r_.error("P07", cid, std::nullopt, msg, r_.mk_colon(cid, msg));
      continue;
    }
    ElementReader ca(r_, c, cid);
    ca.allow({"slot", "pd"});
    ignore_children(c);
    if (auto slot = ca.number("slot", true)) {
      if (*slot == 0) {
        ca.value_error("A29", "slot", "The destination slot 0 has been reserved for Microkit CNode");
      } else if (*slot >= 128) {
        ca.value_error("A29", "slot", "There are only 128 destination cspace slots available.");
      } else if (*slot >= 64) {
        r_.error("G04", cid, "slot", "cspace slot must be < 64", std::nullopt);
      } else {
        cap.slot = *slot;
      }
    }
    if (auto p = ca.text("pd", true)) cap.pd = *p;
    pd(index).caps.push_back(std::move(cap));
  }
}

void Parser::parse_virtual_machine(const XMLElement* e, uint32_t index) {
  ElementReader a(r_, e, id(e));
  const bool sched = target_.arch == Arch::Aarch64 || host();
  if (sched) {
    a.allow({"name", "priority", "budget", "period"});
  } else {
    a.allow({"name"});
  }
  host_unsupported(a.node(), std::nullopt, "<virtual_machine>");
  VirtualMachine vm;
  vm.node = a.node();
  if (auto n = a.name("name", true)) vm.name = *n;
  if (sched) read_scheduling(a, "G11", vm.priority, vm.budget, vm.period);

  const uint64_t pd_cpu = pd(index).cpu.value_or(0);
  for (const XMLElement* c = e->FirstChildElement(); c; c = c->NextSiblingElement()) {
    std::string_view tag = c->Name();
    NodeId cid = id(c);
    if (tag == "vcpu") {
      ElementReader va(r_, c, cid);
      va.allow({"id", "cpu", "setvar_id"});
      ignore_children(c);
      Vcpu v;
      v.node = cid;
      if (auto id = va.id()) {
        v.id = *id;
        for (const Vcpu& other : vm.vcpus) {
          if (other.id == v.id && !r_.poisoned(other.node, "id")) {
            std::string msg = "duplicate vcpu id " + std::to_string(v.id) + " in virtual machine '" +
                              vm.name + "'";
            r_.error("E05", cid, "id", msg, r_.mk_at(cid, msg),
                     {{other.node, "first declared here", "id"}});
            break;
          }
        }
      }
      check_cpu(va, v.cpu);
      if (!v.cpu) v.cpu = pd_cpu;
      if (va.has("setvar_id")) {
        v.setvar_id = va.symbol("setvar_id");
        if (v.setvar_id) {
          r_.warning("G05", cid, "setvar_id", "Microkit ignores setvar_id on <vcpu>");
        }
      }
      vm.vcpus.push_back(std::move(v));
    } else if (tag == "map") {
      if (auto m = parse_map(c, true, target_.user_top + 1)) vm.maps.push_back(std::move(*m));
    } else {
      std::string msg = "invalid XML element '" + std::string(tag) + "'";
      r_.error("P07", cid, std::nullopt, msg, r_.mk_colon(cid, msg));
    }
  }
  if (vm.vcpus.empty()) {
    std::string msg = "missing 'vcpu' element on virtual_machine: '" + vm.name + "'";
    r_.error("E05", vm.node, std::nullopt, msg, Reporter::mk_bare(msg));
  } else if (target_.is_x86() && vm.vcpus.size() > 1) {
    r_.error("G14", vm.node, std::nullopt, "a virtual machine on x86_64 must have exactly one vcpu",
             std::nullopt);
  }
  pd(index).virtual_machine = std::move(vm);
}

void Parser::parse_memory_region(const XMLElement* e) {
  ElementReader a(r_, e, id(e));
  a.allow({"name", "size", "page_size", "phys_addr", "prefill_path", "prefill_bootinfo"});
  ignore_children(e);
  MemoryRegion mr;
  mr.node = a.node();
  if (auto n = a.name("name", false)) mr.name = *n;

  if (auto ps = a.number("page_size")) {
    if (*ps != kPageSmall && *ps != kPageLarge) {
      a.value_error("A19", "page_size", "page size " + hex(*ps) + " not supported");
    } else {
      mr.declared_page_size = *ps;
    }
  }
  const uint64_t page = mr.declared_page_size.value_or(kPageSmall);
  const bool page_ok = !r_.poisoned(mr.node, "page_size");

  if (auto size = a.number("size")) {
    if (*size == 0) {
      r_.error("G18", mr.node, "size", "size must be greater than 0", std::nullopt);
    } else if (page_ok && *size % page != 0) {
      a.value_error("A20", "size", "size is not a multiple of the page size");
    } else {
      mr.declared_size = *size;
      mr.size = *size;
    }
  }

  if (auto pa = a.number("phys_addr")) {
    if (page_ok && *pa % page != 0) {
      a.value_error("A25", "phys_addr", "phys_addr is not aligned to the page size");
    } else {
      mr.phys_addr = *pa;
    }
  }

  const bool has_path = a.has("prefill_path");
  const bool has_bootinfo = a.has("prefill_bootinfo");
  if (has_path && has_bootinfo) {
    a.value_error("A24", "prefill_bootinfo", "prefill_path and prefill_bootinfo cannot be both specified");
  } else if (has_bootinfo) {
    std::string_view v = a.raw("prefill_bootinfo");
    static constexpr std::pair<std::string_view, BootInfo> kBootInfo[] = {
        {"x86_vbe", BootInfo::X86Vbe},
        {"x86_mbmmap", BootInfo::X86MbMmap},
        {"x86_acpi_rsdp", BootInfo::X86AcpiRsdp},
        {"x86_framebuffer", BootInfo::X86Framebuffer},
        {"x86_tsc_freq", BootInfo::X86TscFreq},
        {"fdt", BootInfo::Fdt},
    };
    for (const auto& [name, kind] : kBootInfo) {
      if (v == name) mr.prefill_bootinfo = kind;
    }
    if (!mr.prefill_bootinfo) {
      std::vector<Related> related;
      if (v == "x86_mbmap") related.push_back({mr.node, "did you mean 'x86_mbmmap'?", "prefill_bootinfo"});
      std::string msg = "BootInfoMap type: '" + std::string(v) + "' is not supported";
      const char* code = related.empty() ? "A24" : "G15";
      r_.error(code, mr.node, "prefill_bootinfo", msg, r_.mk_on_element(mr.node, msg),
               std::move(related));
    } else {
      host_unsupported(mr.node, "prefill_bootinfo", "prefill_bootinfo");
      if (!mr.declared_size && !r_.poisoned(mr.node, "size")) mr.size = page;
    }
  } else if (has_path) {
    std::string path = a.raw("prefill_path");
    mr.prefill_path = path;
    ResolvedPath found = resolve_path(path, r_.options().search_paths);
    if (!found.found) {
      std::string msg = "unable to find prefill file: '" + path + "'";
      r_.error("A23", mr.node, "prefill_path", msg, r_.mk_on_element(mr.node, msg),
               {{mr.node, describe_tried(found), "prefill_path"}});
    } else {
      std::ifstream in(found.path, std::ios::binary);
      std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) {
        std::string msg = "failed to read file '" + path + "' at prefill_path";
        r_.error("A23", mr.node, "prefill_path", msg, r_.mk_on_element(mr.node, msg));
      } else if (bytes.empty()) {
        std::string msg = "prefill file '" + path + "' is empty";
        r_.error("A23", mr.node, "prefill_path", msg, r_.mk_on_element(mr.node, msg));
      } else {
        mr.prefill_resolved = found.path;
        mr.prefill = std::move(bytes);
        if (mr.declared_size) {
          if (mr.prefill.size() > *mr.declared_size) {
            char buf[96];
            std::snprintf(buf, sizeof buf, "%zx > %llx", mr.prefill.size(),
                          static_cast<unsigned long long>(*mr.declared_size));
            a.value_error("A22", "prefill_path",
                          std::string("size of prefill file exceeds memory region size: ") + buf);
          }
        } else if (!r_.poisoned(mr.node, "size") && page_ok) {
          mr.size = *round_up(mr.prefill.size(), page);
        }
      }
    }
  } else if (!a.has("size")) {
    a.value_error("A21", "size", "size must be specified if memory region is not prefilled");
  }

  if (mr.phys_addr && mr.size != 0 && *mr.phys_addr > UINT64_MAX - mr.size) {
    r_.error("G17", mr.node, "phys_addr", "memory_region range overflows", std::nullopt);
    mr.phys_addr.reset();
  }
  sys_.memory_regions.push_back(std::move(mr));
}

void Parser::parse_channel(const XMLElement* e) {
  ElementReader a(r_, e, id(e));
  a.allow({});
  Channel ch;
  ch.node = a.node();
  for (const XMLElement* c = e->FirstChildElement(); c; c = c->NextSiblingElement()) {
    NodeId cid = id(c);
    if (std::string_view(c->Name()) != "end") {
      std::string msg = "invalid XML element '" + std::string(c->Name()) + "'";
      r_.error("P07", cid, std::nullopt, msg, r_.mk_colon(cid, msg));
      continue;
    }
    ElementReader ea(r_, c, cid);
    ea.allow({"pd", "id", "pp", "notify", "setvar_id"});
    ignore_children(c);
    ChannelEnd end;
    end.node = cid;
    if (auto p = ea.text("pd", true)) end.pd = *p;
    if (auto id = ea.id()) end.id = *id;
    if (auto v = ea.boolean("pp")) end.pp = *v;
    if (auto v = ea.boolean("notify")) end.notify = *v;
    end.setvar_id = ea.symbol("setvar_id");
    ch.ends.push_back(std::move(end));
  }
  if (ch.ends.size() != 2) {
    std::string msg = "exactly two end elements must be specified";
    r_.error("E08", ch.node, std::nullopt, msg, r_.mk_on_element(ch.node, msg));
  } else if (ch.ends[0].pp && ch.ends[1].pp) {
    std::string msg = "cannot ppc bidirectionally";
    r_.error("E08", ch.node, std::nullopt, msg, r_.mk_on_element(ch.node, msg));
  } else if (!ch.ends[0].pp && !ch.ends[1].pp && !ch.ends[0].notify && !ch.ends[1].notify &&
             !r_.poisoned(ch.ends[0].node, "notify") && !r_.poisoned(ch.ends[1].node, "notify")) {
    r_.warning("W06", ch.node, std::nullopt, "channel has no notify and no pp end");
  }
  sys_.channels.push_back(std::move(ch));
}

void Parser::parse_io_address_space(const XMLElement* e) {
  ElementReader a(r_, e, id(e));
  a.allow({"name", "peripheral_id", "domain_id"});
  IoAddressSpace space;
  space.node = a.node();
  if (!target_.iommu) {
    std::string msg = "io address space requires seL4 to be built with IOMMU support";
    r_.error("E09", space.node, std::nullopt, msg, r_.mk_at(space.node, msg));
    return;
  }
  host_unsupported(space.node, std::nullopt, "<io_address_space>");
  if (auto n = a.name("name", false)) space.name = *n;
  if (auto p = a.text("peripheral_id", true)) {
    std::string why;
    if (target_.arch == Arch::Aarch64) {
      why = "IOMMU device identifiers are not supported on AArch64";
    } else if (target_.arch == Arch::Riscv64) {
      why = "IOMMU device identifiers are not supported on RISC-V (64-bit)";
    } else if (auto pci = parse_pci(*p, why)) {
      space.peripheral = *pci;
    }
    if (!why.empty()) {
      a.value_error("A28", "peripheral_id", "failed to parse device peripheral_id '" + *p + "': " + why);
    }
  }
  if (target_.is_x86() || host()) {
    space.domain_id = a.number("domain_id", true);
  } else {
    space.domain_id = a.number("domain_id");
  }
  for (const XMLElement* c = e->FirstChildElement(); c; c = c->NextSiblingElement()) {
    NodeId cid = id(c);
    if (std::string_view(c->Name()) != "iomap") {
      std::string msg = "invalid XML element '" + std::string(c->Name()) + "'";
      r_.error("P07", cid, std::nullopt, msg, r_.mk_colon(cid, msg));
      continue;
    }
    ElementReader ia(r_, c, cid);
    ia.allow({"mr", "iovaddr", "perms"});
    ignore_children(c);
    IoMap m;
    m.node = cid;
    if (auto v = ia.text("mr", true)) m.mr = *v;
    if (auto v = ia.number("iovaddr", true)) {
      if (*v >= kIoVaddrLimit) {
        ia.value_error("A26", "iovaddr",
                       "iovaddr (" + hex(*v) + ") must be less than " + hex(kIoVaddrLimit));
      } else {
        m.iovaddr = *v;
      }
    }
    if (auto p = parse_perms(ia, true)) m.perms = *p;
    space.iomaps.push_back(std::move(m));
  }
  sys_.io_address_spaces.push_back(std::move(space));
}

void Parser::parse_domains(const XMLElement* e) {
  NodeId node = id(e);
  ElementReader a(r_, e, node);
  if (domains_seen_) {
    std::string msg = "domains must only be specified once";
    r_.error("E10", node, std::nullopt, msg, r_.mk_on_element(node, msg));
    return;
  }
  domains_seen_ = true;
  a.allow({});
  if (!host() && target_.cores > 1) {
    std::string msg = "The domain scheduler is not supported in multicore builds of seL4";
    r_.error("E10", node, std::nullopt, msg, r_.mk_on_element(node, msg));
  }
  if (!pds_before_domains_.empty()) {
    std::string names;
    for (const std::string& n : pds_before_domains_) names += (names.empty() ? "'" : ", '") + n + "'";
    r_.warning("W04", node, std::nullopt, "PDs declared before <domains> get no domain: " + names);
  }

  Domains domains;
  domains.node = node;
  // Per domain: its id was given and valid (true), or must be assigned (false). Domains whose id
  // was diagnosed are neither: they keep id 0 and take no part in the assignment.
  std::vector<bool> explicit_id;
  std::vector<bool> invalid_id;
  for (const XMLElement* c = e->FirstChildElement(); c; c = c->NextSiblingElement()) {
    std::string_view tag = c->Name();
    NodeId cid = id(c);
    if (tag == "domain") {
      ElementReader da(r_, c, cid);
      da.allow({"name", "id"});
      ignore_children(c);
      Domain d;
      d.node = cid;
      if (auto n = da.name("name", false)) d.name = *n;
      std::optional<uint64_t> parsed_id = da.number("id");
      bool has_id = parsed_id.has_value();
      uint64_t did = parsed_id.value_or(0);
      if (has_id && did >= target_.num_domains) {
        da.value_error("A31", "id",
                       "domain id " + std::to_string(did) +
                           " should be less than the configured KernelNumDomains value of " +
                           std::to_string(target_.num_domains));
        has_id = false;
      }
      for (size_t i = 0; i < domains.domains.size(); ++i) {
        const Domain& other = domains.domains[i];
        if (!d.name.empty() && other.name == d.name) {
          std::string msg = "Each <domain>'s name element must be unique found existing domain '" +
                            other.name + "' with id '" + std::to_string(other.id) + "'";
          r_.error("E10", cid, "name", msg, r_.mk_on_element(cid, msg),
                   {{other.node, "first declared here", "name"}});
          break;
        }
        if (has_id && explicit_id[i] && other.id == did) {
          std::string msg = "Each <domain>'s id element must be unique found existing domain '" +
                            other.name + "' with id '" + std::to_string(other.id) + "'";
          r_.error("E10", cid, "id", msg, r_.mk_on_element(cid, msg),
                   {{other.node, "first declared here", "id"}});
          has_id = false;
          break;
        }
      }
      d.id = has_id ? did : 0;
      explicit_id.push_back(has_id);
      invalid_id.push_back(!has_id && r_.poisoned(cid, "id"));
      domains.domains.push_back(std::move(d));
    } else if (tag == "domain_schedule") {
      if (domains.schedule) {
        std::string msg = "The <domain_schedule> element can only appear once";
        r_.error("E10", cid, std::nullopt, msg, r_.mk_on_element(cid, msg));
        continue;
      }
      parse_domain_schedule(c, domains);
    } else {
      std::string msg = "invalid XML element as child of <domains> '" + std::string(tag) + "'";
      r_.error("P07", cid, std::nullopt, msg, r_.mk_colon(cid, msg));
    }
  }

  // G12: ids for domains without one, in document order, smallest free id first.
  std::vector<bool> used(target_.num_domains, false);
  for (size_t i = 0; i < domains.domains.size(); ++i) {
    if (explicit_id[i] && domains.domains[i].id < used.size()) used[domains.domains[i].id] = true;
  }
  for (size_t i = 0; i < domains.domains.size(); ++i) {
    if (explicit_id[i] || invalid_id[i]) continue;
    auto free = std::find(used.begin(), used.end(), false);
    if (free == used.end()) {
      std::string msg = "Number of domains exceeds " + std::to_string(target_.num_domains);
      r_.error("E10", domains.domains[i].node, std::nullopt, msg,
               r_.mk_on_element(domains.domains[i].node, msg));
      r_.poison(domains.domains[i].node, "id");
      continue;
    }
    *free = true;
    domains.domains[i].id = static_cast<uint64_t>(free - used.begin());
  }

  if (domains.domains.empty()) {
    r_.warning("W09", node, std::nullopt, "<domains> declares no domain");
  }
  if (!domains.schedule) {
    std::string msg = "The <domain_schedule> element must appear once";
    r_.error("E10", node, std::nullopt, msg, r_.mk_on_element(node, msg));
  } else {
    for (ScheduleEntry& entry : domains.schedule->entries) {
      if (entry.end_marker || r_.poisoned(entry.node, "domain")) continue;
      for (uint32_t i = 0; i < domains.domains.size(); ++i) {
        if (domains.domains[i].name == entry.domain) entry.domain_index = i;
      }
      if (entry.domain_index == kNone) {
        std::string msg = "domain '" + entry.domain + "' does not exist, it must be declared in <domains>";
        r_.error("E10", entry.node, "domain", msg,
                 r_.mk_space(entry.node, "domain '" + entry.domain + "' does not exist,"));
      }
    }
  }
  domains_apply_ = !domains.domains.empty();
  sys_.domains = std::move(domains);
}

void Parser::parse_domain_schedule(const XMLElement* e, Domains& domains) {
  NodeId node = id(e);
  ElementReader a(r_, e, node);
  a.allow({"start_index", "index_shift"});
  DomainSchedule schedule;
  schedule.node = node;
  std::optional<uint64_t> start = a.number("start_index");
  schedule.index_shift = a.number("index_shift");
  for (const XMLElement* c = e->FirstChildElement(); c; c = c->NextSiblingElement()) {
    std::string_view tag = c->Name();
    NodeId cid = id(c);
    ScheduleEntry entry;
    entry.node = cid;
    if (tag == "schedule_end_marker") {
      ElementReader ma(r_, c, cid);
      ma.allow({});
      ignore_children(c);
      entry.end_marker = true;
      schedule.entries.push_back(std::move(entry));
      continue;
    }
    if (tag != "schedule_entry") {
      std::string msg = "invalid XML element as child of <domain_schedule> '" + std::string(tag) + "'";
      r_.error("P07", cid, std::nullopt, msg, r_.mk_colon(cid, msg));
      continue;
    }
    ElementReader ea(r_, c, cid);
    ea.allow({"domain", "duration"});
    ignore_children(c);
    if (auto d = ea.text("domain", true)) entry.domain = *d;
    if (auto dur = ea.text("duration", true)) {
      std::string_view s = *dur;
      size_t space = s.find(' ');
      std::string quoted = "The duration '" + *dur + "'";
      if (space == std::string_view::npos || s.find(' ', space + 1) != std::string_view::npos ||
          space == 0 || space + 1 == s.size()) {
        ea.value_error("A30", "duration", quoted + " must contain a value and a unit, e.g. '1000 us'");
      } else {
        std::string_view unit = s.substr(space + 1);
        NumberParse n = parse_number(s.substr(0, space));
        if (unit != "us" && unit != "ticks") {
          ea.value_error("A30", "duration", quoted + " must be in either 'ticks' or 'us'");
        } else if (!n.ok()) {
          std::string msg = "failed to parse integer '" + std::string(s.substr(0, space)) +
                            "' on element 'schedule_entry': " + std::string(n.why());
          r_.error("P02", cid, "duration", msg, Reporter::mk_bare(msg));
        } else if (n.value == 0) {
          ea.value_error("A30", "duration", quoted + " must be non-zero");
        } else {
          entry.duration = n.value;
          entry.ticks = unit == "ticks";
        }
      }
    }
    schedule.entries.push_back(std::move(entry));
  }

  const uint64_t len = schedule.entries.size();
  if (len >= target_.num_domain_schedules) {
    std::string msg = "More than configured KernelNumDomainSchedules " +
                      std::to_string(target_.num_domain_schedules) +
                      " number of <schedule_entry> elements found";
    r_.error("E10", node, std::nullopt, msg, r_.mk_on_element(node, msg));
  }
  if (start) {
    if (*start >= len) {
      a.value_error("A32", "start_index",
                    "schedule_start_index '" + std::to_string(*start) +
                        "' is greater than the length of the schedule '" + std::to_string(len) + "'");
    } else {
      schedule.start_index = *start;
    }
  }
  if (schedule.index_shift &&
      (*schedule.index_shift > UINT64_MAX - len ||
       *schedule.index_shift + len >= target_.num_domain_schedules)) {
    // Microkit prints the start index here; corokit prints the shift (G13).
    a.value_error("A32", "index_shift",
                  "schedule_index_shift '" + std::to_string(*schedule.index_shift) +
                      "' on top of the schedule length '" + std::to_string(len) +
                      "' would exceed than the configured KernelNumDomainSchedules " +
                      std::to_string(target_.num_domain_schedules));
    schedule.index_shift.reset();
  }
  domains.schedule = std::move(schedule);
}

void number_elements(const XMLElement* e, std::unordered_map<const XMLElement*, NodeId>& ids,
                     std::vector<ElementSpan>& lines) {
  // Iterative pre-order walk: document order, without recursion on hostile nesting.
  std::vector<const XMLElement*> stack{e};
  while (!stack.empty()) {
    const XMLElement* cur = stack.back();
    stack.pop_back();
    ids.emplace(cur, static_cast<NodeId>(ids.size()));
    auto line = static_cast<uint32_t>(cur->GetLineNum());
    lines.push_back({cur->Name(), {line, 1, line, 1}, {}});
    std::vector<const XMLElement*> children;
    for (const XMLElement* c = cur->FirstChildElement(); c; c = c->NextSiblingElement()) {
      children.push_back(c);
    }
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
}

std::string xml_error_reason(const tinyxml2::XMLDocument& doc) {
  std::string reason;
  switch (doc.ErrorID()) {
    case tinyxml2::XML_ERROR_EMPTY_DOCUMENT: reason = "the document is empty"; break;
    case tinyxml2::XML_ERROR_MISMATCHED_ELEMENT: reason = "mismatched end tag"; break;
    case tinyxml2::XML_ERROR_PARSING_ELEMENT: reason = "malformed element"; break;
    case tinyxml2::XML_ERROR_PARSING_ATTRIBUTE: reason = "malformed attribute"; break;
    case tinyxml2::XML_ERROR_PARSING_TEXT: reason = "malformed text"; break;
    case tinyxml2::XML_ERROR_PARSING_CDATA: reason = "malformed CDATA section"; break;
    case tinyxml2::XML_ERROR_PARSING_COMMENT: reason = "malformed comment"; break;
    case tinyxml2::XML_ERROR_PARSING_DECLARATION: reason = "malformed declaration"; break;
    case tinyxml2::XML_ERROR_PARSING_UNKNOWN: reason = "malformed markup"; break;
    case tinyxml2::XML_ELEMENT_DEPTH_EXCEEDED:
      reason = "elements are nested too deeply (more than " +
               std::to_string(TINYXML2_MAX_ELEMENT_DEPTH) + " levels)";
      break;
    default: reason = doc.ErrorName(); break;
  }
  return reason;
}

}  // namespace

bool parse_document(std::string_view text, SourceMap& source, Reporter& r, System& system) {
  auto malformed = [&](const std::string& reason, SourceRange at) {
    std::string msg = "Could not parse '" + r.file() + "': " + reason;
    // The location is the best the XML library or the scanner knows.
    source.replace_elements({{"", at, {}}});
    r.error("P01", 0, std::nullopt, msg, Reporter::mk_bare(msg));
    return false;
  };

  // A NUL byte would silently truncate the document in the XML library.
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return malformed("the document contains a NUL byte", source.offset_range(text, nul));
  }
  tinyxml2::XMLDocument doc(true, tinyxml2::PRESERVE_WHITESPACE);
  doc.Parse(text.data(), text.size());
  // The scanner words two problems more precisely than the XML library: prefer its message when
  // the library failed the same way (or not at all).
  const TextSpan* outside = nullptr;
  for (const TextSpan& t : source.texts()) {
    if (t.parent == kNoNode && !outside) outside = &t;
  }
  const tinyxml2::XMLError error = doc.ErrorID();
  if (source.problem() && (error == tinyxml2::XML_SUCCESS || error == tinyxml2::XML_ERROR_PARSING_ATTRIBUTE ||
                           error == tinyxml2::XML_ERROR_MISMATCHED_ELEMENT)) {
    return malformed(source.problem()->message, source.problem()->range);
  }
  if (outside && (error == tinyxml2::XML_SUCCESS || error == tinyxml2::XML_ERROR_PARSING_TEXT)) {
    return malformed("text outside the root element", outside->range);
  }
  if (doc.Error()) {
    auto line = static_cast<uint32_t>(std::max(1, doc.ErrorLineNum()));
    return malformed(xml_error_reason(doc) + " (line " + std::to_string(line) + ")",
                     {line, 1, line, 1});
  }

  const XMLElement* root = doc.RootElement();
  if (!root) return malformed("the document has no root element", {1, 1, 1, 1});
  if (const XMLElement* extra = root->NextSiblingElement()) {
    auto line = static_cast<uint32_t>(extra->GetLineNum());
    return malformed("more than one root element ('" + std::string(extra->Name()) + "')",
                     {line, 1, line, 1});
  }

  std::unordered_map<const XMLElement*, NodeId> ids;
  std::vector<ElementSpan> lines;
  number_elements(root, ids, lines);
  // The scanner and the XML library must agree element by element. They do on every well-formed
  // document; when the library is lenient about something malformed, the document is rejected
  // rather than checked with positions that may point at the wrong place.
  bool agree = lines.size() == source.size();
  for (size_t i = 0; agree && i < lines.size(); ++i) agree = lines[i].tag == source.element(i).tag;
  if (!agree) {
    return malformed("the element structure is malformed", lines.empty() ? SourceRange{1, 1, 1, 1} : lines.back().range);
  }

  if (std::string_view(root->Name()) != "system") {
    r.error("G01", 0, std::nullopt,
            "root element must be <system>, found <" + std::string(root->Name()) + ">",
            std::nullopt);
    return false;
  }
  Parser parser(r, system, std::move(ids));
  parser.parse_system(root);
  return true;
}

}  // namespace corokit::sdf
