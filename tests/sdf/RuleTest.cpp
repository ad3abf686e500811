// One case per validation rule of SDF.md §7: a small fixture, the rule code, Microkit's wording
// and the location. Every case also asserts the complete set of codes reported, so a rule that
// cascades into others, or fires where it should not, fails the case.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "tests/sdf/SdfTestSupport.h"

namespace corokit::sdf::testing {
namespace {

struct RuleCase {
  std::string name;
  std::string target;
  std::string xml;
  std::string code;
  std::string message;
  std::string at;  // the diagnostic is located where this text first occurs
  std::multiset<std::string> also = {};  // other codes the fixture legitimately produces
  std::function<void(CheckOptions&)> tweak = nullptr;
};

std::string pd(const std::string& attrs, const std::string& inner = "") {
  return "  <protection_domain " + attrs + ">\n    <program_image path=\"pd.elf\" />\n" + inner +
         "  </protection_domain>\n";
}

std::string sys(const std::string& body) { return "<system>\n" + body + "</system>\n"; }

std::string two_pds(const std::string& channel) {
  return sys(pd("name=\"a\" priority=\"1\"") + pd("name=\"b\" priority=\"2\"") + channel);
}

const std::string kMr = "  <memory_region name=\"m\" size=\"0x1000\" />\n";

std::vector<RuleCase> cases() {
  std::vector<RuleCase> c;

  // --- P: syntax and structure -----------------------------------------------------------
  c.push_back({"P01_MismatchedEndTag", "host", "<system>\n  <protection_domain name=\"a\">\n</system>\n",
               "P01", "Could not parse 'test.xml': mismatched end tag '</system>' for element 'protection_domain'", "</system>"});
  c.push_back({"P01_DuplicateAttribute", "host",
               sys("  <memory_region name=\"m\" size=\"0x1000\" name=\"n\" />\n"), "P01",
               "duplicate attribute 'name' on element 'memory_region'", "name=\"n\""});
  c.push_back({"P01_TwoRootElements", "host", sys(pd("name=\"a\"")) + "<system/>\n", "P01",
               "more than one root element", "<system/>"});
  c.push_back({"P01_TextAfterRoot", "host", sys(pd("name=\"a\"")) + "trailing\n", "P01",
               "text outside the root element", "trailing"});
  c.push_back({"P02_InvalidDigit", "host", sys(pd("name=\"a\" priority=\"high\"")), "P02",
               "failed to parse integer 'high' on element 'protection_domain': invalid digit found in string",
               "priority="});
  c.push_back({"P02_TooLarge", "host",
               sys("  <memory_region name=\"m\" size=\"0x1_0000_0000_0000_0000\" />\n" +
                   pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" />\n")),
               "P02", "number too large to fit in target type", "size="});
  c.push_back({"P02_Empty", "host", sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"\" />\n")),
               "P02", "failed to parse integer '' on element 'map': cannot parse integer from empty string",
               "vaddr="});
  c.push_back({"P02_NegativeIrqNumber", "host",
               sys(pd("name=\"a\"", "    <irq irq=\"-34\" id=\"0\" />\n")), "P02",
               "failed to parse integer '-34' on element 'irq'", "irq=\"-34\""});
  c.push_back({"P03_Boolean", "host", sys(pd("name=\"a\" passive=\"yes\"")), "P03",
               "passive must be 'true' or 'false'", "passive="});
  c.push_back({"P04_TextInSystem", "host", "<system>\n  hello\n" + pd("name=\"a\"") + "</system>\n",
               "P04", "unexpected text found in element 'system'", "<system>"});
  c.push_back({"P05_UnknownAttribute", "host",
               sys("  <memory_region name=\"m\" size=\"0x1000\" colour=\"red\" />\n" + pd("name=\"a\"")),
               "P05", "invalid attribute 'colour' on element 'memory_region'", "colour=", {"S20"}});
  c.push_back({"P05_TopLevelPdWithId", "host", sys(pd("name=\"a\" id=\"1\"")), "P05",
               "invalid attribute 'id' on element 'protection_domain'", "id="});
  c.push_back({"P06_MissingAttribute", "host", sys("  <memory_region size=\"0x1000\" />\n" + pd("name=\"a\"")),
               "P06", "Missing required attribute 'name' on element 'memory_region'", "<memory_region"});
  c.push_back({"P06_MissingChildId", "host", sys(pd("name=\"a\"", pd("name=\"b\""))), "P06",
               "Missing required attribute 'id' on element 'protection_domain'",
               "<protection_domain name=\"b\""});
  c.push_back({"P06_IrqWithoutForm", "host", sys(pd("name=\"a\"", "    <irq id=\"1\" />\n")), "P06",
               "Missing required attribute 'irq' on element 'irq'", "<irq"});
  c.push_back({"P06_IrqWithoutFormX86", "x86_64", sys(pd("name=\"a\"", "    <irq id=\"1\" />\n")), "P06",
               "Missing required attribute 'pin' on element 'irq'", "<irq"});
  c.push_back({"P07_TopLevel", "host", sys(pd("name=\"a\"") + "  <frobnicate />\n"), "P07",
               "invalid XML element 'frobnicate'", "<frobnicate"});
  c.push_back({"P07_InProtectionDomain", "host", sys(pd("name=\"a\"", "    <frobnicate />\n")), "P07",
               "Invalid XML element 'frobnicate'", "<frobnicate"});
  c.push_back({"P07_InChannel", "host", two_pds("  <channel>\n    <end pd=\"a\" id=\"0\" />\n    <end pd=\"b\" id=\"0\" />\n    <middle />\n  </channel>\n"),
               "P07", "invalid XML element 'middle'", "<middle"});
  c.push_back({"P07_InDomains", "aarch64",
               sys("  <domains>\n    <domain name=\"d\" />\n    <domain_schedule>\n      <schedule_entry domain=\"d\" duration=\"10 us\" />\n    </domain_schedule>\n    <region />\n  </domains>\n" +
                   pd("name=\"a\" domain=\"d\"")),
               "P07", "invalid XML element as child of <domains> 'region'", "<region", {}, [](CheckOptions& o) { o.target.cores = 1; }});
  c.push_back({"P07_InDomainSchedule", "aarch64",
               sys("  <domains>\n    <domain name=\"d\" />\n    <domain_schedule>\n      <schedule_entry domain=\"d\" duration=\"10 us\" />\n      <pause />\n    </domain_schedule>\n  </domains>\n" +
                   pd("name=\"a\" domain=\"d\"")),
               "P07", "invalid XML element as child of <domain_schedule> 'pause'", "<pause", {}, [](CheckOptions& o) { o.target.cores = 1; }});
  c.push_back({"P07_UnknownCapType", "aarch64",
               sys(pd("name=\"a\"", "    <cspace>\n      <cap_frob slot=\"1\" pd=\"a\" />\n    </cspace>\n")),
               "P07", "Cap type: 'frob' is not supported", "<cap_frob"});
  c.push_back({"P07_NotACapInCspace", "aarch64",
               sys(pd("name=\"a\"", "    <cspace>\n      <slot />\n    </cspace>\n")), "P07",
               "Element 'slot' is not supported in a <cspace> element", "<slot"});
  c.push_back({"P07_InVirtualMachine", "aarch64",
               sys(pd("name=\"a\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"0\" />\n      <disk />\n    </virtual_machine>\n")),
               "P07", "invalid XML element 'disk'", "<disk"});
  c.push_back({"P08_TopLevelVirtualMachine", "aarch64", sys(pd("name=\"a\"") + "  <virtual_machine name=\"vm\" />\n"),
               "P08", "virtual machine must be a child of a protection domain", "<virtual_machine"});

  // --- A: attribute values ------------------------------------------------------------------
  c.push_back({"A01_Priority", "host", sys(pd("name=\"a\" priority=\"255\"")), "A01",
               "priority must be between 0 and 254", "priority="});
  c.push_back({"A02_BudgetAbovePeriod", "host", sys(pd("name=\"a\" budget=\"2000\" period=\"1000\"")), "A02",
               "budget (2000) must be less than, or equal to, period (1000)", "budget="});
  c.push_back({"A03_StackSizeRange", "host", sys(pd("name=\"a\" stack_size=\"0x800\"")), "A03",
               "stack size must be between 0x1000 bytes and 0x1000000 bytes", "stack_size="});
  c.push_back({"A04_StackSizeAlignment", "host", sys(pd("name=\"a\" stack_size=\"0x1800\"")), "A04",
               "stack size must be aligned to the smallest page size, 4096 bytes", "stack_size="});
  c.push_back({"A05_Cpu", "host", sys(pd("name=\"a\" cpu=\"4\"")), "A05",
               "cpu core must be less than 4, got 4", "cpu="});
  c.push_back({"A05_VcpuCpu", "aarch64",
               sys(pd("name=\"a\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"0\" cpu=\"9\" />\n    </virtual_machine>\n")),
               "A05", "cpu core must be less than 4, got 9", "cpu="});
  c.push_back({"A06_SmcArchitecture", "riscv64", sys(pd("name=\"a\" smc=\"true\"")), "A06",
               "ARM SMC forwarding support is not available for this architecture", "smc="});
  c.push_back({"A06_SmcKernel", "aarch64", sys(pd("name=\"a\" smc=\"true\"")), "A06",
               "Using SMC support without ARM SMC forwarding support enabled in the kernel for this platform", "smc="});
  c.push_back({"A07_DomainWithoutSchedule", "host", sys(pd("name=\"a\" domain=\"d\"")), "A07",
               "Specifying a domain 'd' without declaring a domain schedule is not allowed", "domain="});
  c.push_back({"A07_DomainNotDeclared", "host",
               sys("  <domains>\n    <domain name=\"d\" />\n    <domain_schedule>\n      <schedule_entry domain=\"d\" duration=\"10 us\" />\n    </domain_schedule>\n  </domains>\n" +
                   pd("name=\"a\" domain=\"e\"")),
               "A07", "domain 'e' not declared in <domains>", "domain=\"e\""});
  c.push_back({"A08_VaddrAboveStack", "host",
               sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x6fff_ffff_c000\" />\n")), "A08",
               "vaddr (0x6fffffffc000) must be less than 0x6fffffffc000", "vaddr="});
  c.push_back({"A09_PermsLetters", "host", sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" perms=\"rwz\" />\n")),
               "A09", "perms must only be a combination of 'r', 'w', and 'x'", "perms="});
  c.push_back({"A10_WriteOnly", "host", sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" perms=\"w\" />\n")),
               "A10", "perms must not be 'w', write-only mappings are not allowed", "perms="});
  c.push_back({"A11_IdTooLarge", "host",
               two_pds("  <channel>\n    <end pd=\"a\" id=\"62\" />\n    <end pd=\"b\" id=\"0\" />\n  </channel>\n"),
               "A11", "id must be < 62", "id=\"62\""});
  c.push_back({"A11_IdNegative", "host", sys(pd("name=\"a\"", "    <irq irq=\"34\" id=\"-1\" />\n")), "A11",
               "id must be >= 0", "id=\"-1\""});
  c.push_back({"A11_IoportId", "x86_64", sys(pd("name=\"a\"", "    <ioport id=\"70\" addr=\"0x3f8\" size=\"8\" />\n")), "A11",
               "id must be < 62", "id=\"70\""});
  c.push_back({"A11_VcpuId", "aarch64",
               sys(pd("name=\"a\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"62\" />\n    </virtual_machine>\n")),
               "A11", "id must be < 62", "id=\"62\""});
  c.push_back({"A12_ArmIrqOnX86", "x86_64", sys(pd("name=\"a\"", "    <irq irq=\"5\" id=\"0\" />\n")), "A12",
               "ARM and RISC-V IRQs are not supported on x86", "irq=\"5\""});
  c.push_back({"A12_IoApicOnArm", "aarch64", sys(pd("name=\"a\"", "    <irq pin=\"1\" vector=\"1\" id=\"0\" />\n")), "A12",
               "x86 I/O APIC IRQ isn't supported on ARM and RISC-V", "pin="});
  c.push_back({"A12_MsiOnRiscv", "riscv64",
               sys(pd("name=\"a\"", "    <irq pcidev=\"00:01.0\" handle=\"0\" vector=\"1\" id=\"0\" />\n")), "A12",
               "x86 MSI IRQ isn't supported on ARM and RISC-V", "pcidev="});
  c.push_back({"A13_Trigger", "aarch64", sys(pd("name=\"a\"", "    <irq irq=\"40\" id=\"0\" trigger=\"rising\" />\n")), "A13",
               "trigger must be either 'level' or 'edge'", "trigger="});
  c.push_back({"A14_Pin", "x86_64", sys(pd("name=\"a\"", "    <irq pin=\"-1\" vector=\"1\" id=\"0\" />\n")), "A14",
               "pin must be >= 0", "pin="});
  c.push_back({"A14_Ioapic", "x86_64", sys(pd("name=\"a\"", "    <irq pin=\"1\" ioapic=\"-2\" vector=\"1\" id=\"0\" />\n")), "A14",
               "ioapic must be >= 0", "ioapic="});
  c.push_back({"A14_Handle", "x86_64", sys(pd("name=\"a\"", "    <irq pcidev=\"00:01.0\" handle=\"-1\" vector=\"1\" id=\"0\" />\n")), "A14",
               "handle must be >= 0", "handle="});
  c.push_back({"A15_Polarity", "x86_64", sys(pd("name=\"a\"", "    <irq pin=\"1\" vector=\"1\" polarity=\"up\" id=\"0\" />\n")), "A15",
               "polarity must be either 'low' or 'high'", "polarity="});
  c.push_back({"A16_Vector", "x86_64", sys(pd("name=\"a\"", "    <irq pin=\"1\" vector=\"108\" id=\"0\" />\n")), "A16",
               "vector must be within [0..107]", "vector="});
  c.push_back({"A17_PciForm", "x86_64", sys(pd("name=\"a\"", "    <irq pcidev=\"garbage\" handle=\"0\" vector=\"1\" id=\"0\" />\n")), "A17",
               "expected PCI address in bus:device.function form", "pcidev="});
  c.push_back({"A17_PciDevice", "x86_64", sys(pd("name=\"a\"", "    <irq pcidev=\"00:32.0\" handle=\"0\" vector=\"1\" id=\"0\" />\n")), "A17",
               "PCI device must be within [0..31]", "pcidev="});
  c.push_back({"A17_PciFunction", "x86_64", sys(pd("name=\"a\"", "    <irq pcidev=\"00:01.z\" handle=\"0\" vector=\"1\" id=\"0\" />\n")), "A17",
               "failed to parse PCI function", "pcidev="});
  c.push_back({"A18_IoportSize", "x86_64", sys(pd("name=\"a\"", "    <ioport id=\"0\" addr=\"0x3f8\" size=\"0\" />\n")), "A18",
               "size must be > 0", "size="});
  c.push_back({"A19_PageSize", "host", sys("  <memory_region name=\"m\" size=\"0x3000\" page_size=\"0x3000\" />\n" + pd("name=\"a\"")),
               "A19", "page size 0x3000 not supported", "page_size=", {"S20"}});
  c.push_back({"A20_SizeMultiple", "host", sys("  <memory_region name=\"m\" size=\"0x1001\" />\n" + pd("name=\"a\"")),
               "A20", "size is not a multiple of the page size", "size=", {"S20"}});
  c.push_back({"A20_LargePageSize", "host", sys("  <memory_region name=\"m\" size=\"0x1000\" page_size=\"0x200000\" />\n" + pd("name=\"a\"")),
               "A20", "size is not a multiple of the page size", "size=", {"S20"}});
  c.push_back({"A21_SizeRequired", "host", sys("  <memory_region name=\"m\" />\n" + pd("name=\"a\"")),
               "A21", "size must be specified if memory region is not prefilled", "<memory_region", {"S20"}});
  c.push_back({"A23_PrefillNotFound", "host",
               sys("  <memory_region name=\"m\" prefill_path=\"no-such-file.bin\" />\n" + pd("name=\"a\"")),
               "A23", "unable to find prefill file: 'no-such-file.bin'", "prefill_path=", {"S20"}});
  c.push_back({"A24_BootInfoType", "x86_64",
               sys("  <memory_region name=\"m\" prefill_bootinfo=\"magic\" />\n" + pd("name=\"a\"")), "A24",
               "BootInfoMap type: 'magic' is not supported", "prefill_bootinfo=", {"S20"}});
  c.push_back({"A24_BothPrefills", "x86_64",
               sys("  <memory_region name=\"m\" size=\"0x1000\" prefill_path=\"x\" prefill_bootinfo=\"fdt\" />\n" + pd("name=\"a\"")),
               "A24", "prefill_path and prefill_bootinfo cannot be both specified", "prefill_bootinfo=", {"S20"}});
  c.push_back({"A25_PhysAddrAlignment", "aarch64",
               sys("  <memory_region name=\"m\" size=\"0x1000\" phys_addr=\"0x1800\" />\n" + pd("name=\"a\"")),
               "A25", "phys_addr is not aligned to the page size", "phys_addr=", {"S20"}});
  c.push_back({"A26_IovaddrBound", "x86_64",
               sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" />\n") +
                   "  <io_address_space name=\"io\" peripheral_id=\"00:02.0\" domain_id=\"1\">\n    <iomap mr=\"m\" iovaddr=\"0x80_0000_0000\" />\n  </io_address_space>\n"),
               "A26", "iovaddr (0x8000000000) must be less than 0x8000000000", "iovaddr="});
  c.push_back({"A27_IomapPerms", "x86_64",
               sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" />\n") +
                   "  <io_address_space name=\"io\" peripheral_id=\"00:02.0\" domain_id=\"1\">\n    <iomap mr=\"m\" iovaddr=\"0x1000\" perms=\"rx\" />\n  </io_address_space>\n"),
               "A27", "perms for io mapped memory must only be a combination of 'r' and 'w'", "perms="});
  c.push_back({"A28_PeripheralIdOnArm", "aarch64",
               sys(pd("name=\"a\"") + "  <io_address_space name=\"io\" peripheral_id=\"00:02.0\" />\n"), "A28",
               "failed to parse device peripheral_id '00:02.0': IOMMU device identifiers are not supported on AArch64",
               "peripheral_id=", {}, [](CheckOptions& o) { o.target.iommu = true; }});
  c.push_back({"A28_PeripheralIdPci", "x86_64",
               sys(pd("name=\"a\"") + "  <io_address_space name=\"io\" peripheral_id=\"300:02.0\" domain_id=\"1\" />\n"), "A28",
               "failed to parse device peripheral_id '300:02.0': PCI bus must be within [0..255]", "peripheral_id="});
  c.push_back({"A29_SlotZero", "aarch64", sys(pd("name=\"a\"", "    <cspace>\n      <cap_tcb slot=\"0\" pd=\"a\" />\n    </cspace>\n")),
               "A29", "The destination slot 0 has been reserved for Microkit CNode", "slot="});
  c.push_back({"A29_SlotTooLarge", "aarch64", sys(pd("name=\"a\"", "    <cspace>\n      <cap_sc slot=\"128\" pd=\"a\" />\n    </cspace>\n")),
               "A29", "There are only 128 destination cspace slots available.", "slot="});
  auto domains = [](const std::string& inner) {
    return "  <domains>\n" + inner + "  </domains>\n";
  };
  const std::string kSchedule = "    <domain_schedule>\n      <schedule_entry domain=\"d\" duration=\"10 us\" />\n    </domain_schedule>\n";
  auto uni = [](CheckOptions& o) { o.target.cores = 1; };
  c.push_back({"A30_DurationShape", "aarch64",
               sys(domains("    <domain name=\"d\" />\n    <domain_schedule>\n      <schedule_entry domain=\"d\" duration=\"1000\" />\n    </domain_schedule>\n") + pd("name=\"a\" domain=\"d\"")),
               "A30", "The duration '1000' must contain a value and a unit, e.g. '1000 us'", "duration=", {}, uni});
  c.push_back({"A30_DurationZero", "aarch64",
               sys(domains("    <domain name=\"d\" />\n    <domain_schedule>\n      <schedule_entry domain=\"d\" duration=\"0 us\" />\n    </domain_schedule>\n") + pd("name=\"a\" domain=\"d\"")),
               "A30", "The duration '0 us' must be non-zero", "duration=", {}, uni});
  c.push_back({"A30_DurationUnit", "aarch64",
               sys(domains("    <domain name=\"d\" />\n    <domain_schedule>\n      <schedule_entry domain=\"d\" duration=\"5 ms\" />\n    </domain_schedule>\n") + pd("name=\"a\" domain=\"d\"")),
               "A30", "The duration '5 ms' must be in either 'ticks' or 'us'", "duration=", {}, uni});
  c.push_back({"A31_DomainId", "aarch64", sys(domains("    <domain name=\"d\" id=\"16\" />\n" + kSchedule) + pd("name=\"a\" domain=\"d\"")),
               "A31", "domain id 16 should be less than the configured KernelNumDomains value of 16", "id=", {}, uni});
  c.push_back({"A32_StartIndex", "aarch64",
               sys(domains("    <domain name=\"d\" />\n    <domain_schedule start_index=\"5\">\n      <schedule_entry domain=\"d\" duration=\"10 us\" />\n    </domain_schedule>\n") + pd("name=\"a\" domain=\"d\"")),
               "A32", "schedule_start_index '5' is greater than the length of the schedule '1'", "start_index=", {}, uni});
  c.push_back({"A32_IndexShift_G13", "aarch64",
               sys(domains("    <domain name=\"d\" />\n    <domain_schedule index_shift=\"99\">\n      <schedule_entry domain=\"d\" duration=\"10 us\" />\n    </domain_schedule>\n") + pd("name=\"a\" domain=\"d\"")),
               "A32", "schedule_index_shift '99' on top of the schedule length '1' would exceed than the configured KernelNumDomainSchedules 100",
               "index_shift=", {}, uni});

  // --- E: elements --------------------------------------------------------------------------
  c.push_back({"E01_TwoProgramImages", "host", sys(pd("name=\"a\"", "    <program_image path=\"b.elf\" />\n")), "E01",
               "program_image must only be specified once", "<program_image path=\"b.elf\""});
  c.push_back({"E02_NoProgramImage", "host", sys("  <protection_domain name=\"a\" />\n"), "E02",
               "missing 'program_image' element on protection_domain: 'a'", "<protection_domain"});
  c.push_back({"E03_DuplicateSetvar", "host",
               sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" setvar_vaddr=\"x\" />\n    <irq irq=\"34\" id=\"0\" setvar_id=\"x\" />\n")),
               "E03", "setvar on symbol 'x' already exists", "setvar_id=\"x\""});
  c.push_back({"E03_DuplicateSetvarOnChannelEnds", "host",
               sys(pd("name=\"a\"") + "  <channel>\n    <end pd=\"a\" id=\"1\" setvar_id=\"ch\" />\n    <end pd=\"a\" id=\"2\" setvar_id=\"ch\" />\n  </channel>\n"),
               "E03", "setvar on symbol 'ch' already exists", "<channel"});
  c.push_back({"E04_NoHypervisor", "riscv64",
               sys(pd("name=\"a\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"0\" />\n    </virtual_machine>\n")), "E04",
               "seL4 has not been built as a hypervisor, virtual machines are disabled", "<virtual_machine"});
  c.push_back({"E04_TwoVirtualMachines", "aarch64",
               sys(pd("name=\"a\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"0\" />\n    </virtual_machine>\n    <virtual_machine name=\"vm2\">\n      <vcpu id=\"0\" />\n    </virtual_machine>\n")),
               "E04", "virtual_machine must only be specified once", "<virtual_machine name=\"vm2\""});
  c.push_back({"E05_DuplicateVcpu", "aarch64",
               sys(pd("name=\"a\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"0\" />\n      <vcpu id=\"0\" cpu=\"1\" />\n    </virtual_machine>\n")),
               "E05", "duplicate vcpu id 0 in virtual machine 'vm'", "id=\"0\" cpu"});
  c.push_back({"E05_NoVcpu", "aarch64", sys(pd("name=\"a\"", "    <virtual_machine name=\"vm\" />\n")), "E05",
               "missing 'vcpu' element on virtual_machine: 'vm'", "<virtual_machine"});
  c.push_back({"E06_TwoCspaces", "aarch64", sys(pd("name=\"a\"", "    <cspace />\n    <cspace />\n")), "E06",
               "cspace must only be specified once", "<cspace />\n  </"});
  c.push_back({"E07_IoportOnArm", "aarch64", sys(pd("name=\"a\"", "    <ioport id=\"0\" addr=\"0x3f8\" size=\"8\" />\n")), "E07",
               "I/O Ports are only available on x86", "<ioport"});
  c.push_back({"E08_OneEnd", "host", sys(pd("name=\"a\"") + "  <channel>\n    <end pd=\"a\" id=\"0\" />\n  </channel>\n"), "E08",
               "exactly two end elements must be specified", "<channel"});
  c.push_back({"E08_BidirectionalPpc", "host",
               two_pds("  <channel>\n    <end pd=\"a\" id=\"0\" pp=\"true\" />\n    <end pd=\"b\" id=\"0\" pp=\"true\" />\n  </channel>\n"),
               "E08", "cannot ppc bidirectionally", "<channel"});
  c.push_back({"E08_UnknownPd", "host", two_pds("  <channel>\n    <end pd=\"a\" id=\"0\" />\n    <end pd=\"ghost\" id=\"0\" />\n  </channel>\n"),
               "E08", "invalid PD name 'ghost'", "pd=\"ghost\""});
  c.push_back({"E09_NoIommu", "aarch64", sys(pd("name=\"a\"") + "  <io_address_space name=\"io\" peripheral_id=\"x\" />\n"),
               "E09", "io address space requires seL4 to be built with IOMMU support", "<io_address_space"});
  c.push_back({"E09_DuplicateName", "x86_64",
               sys(pd("name=\"a\"") + "  <io_address_space name=\"io\" peripheral_id=\"00:02.0\" domain_id=\"1\" />\n  <io_address_space name=\"io\" peripheral_id=\"00:03.0\" domain_id=\"2\" />\n"),
               "E09", "duplicate name 'io'", "name=\"io\" peripheral_id=\"00:03.0\""});
  c.push_back({"E09_DuplicatePeripheral", "x86_64",
               sys(pd("name=\"a\"") + "  <io_address_space name=\"io\" peripheral_id=\"00:02.0\" domain_id=\"1\" />\n  <io_address_space name=\"io2\" peripheral_id=\"00:02.0\" domain_id=\"2\" />\n"),
               "E09", "duplicate device peripheral_id 'PCI device 00:02.0'", "peripheral_id=\"00:02.0\" domain_id=\"2\""});
  c.push_back({"E09_ReusedDomainId", "x86_64",
               sys(pd("name=\"a\"") + "  <io_address_space name=\"io\" peripheral_id=\"00:02.0\" domain_id=\"1\" />\n  <io_address_space name=\"io2\" peripheral_id=\"00:03.0\" domain_id=\"1\" />\n"),
               "E09", "reusing a domain id is forbidden", "domain_id=\"1\" />\n</"});
  c.push_back({"E10_TwoDomains", "aarch64",
               sys(domains("    <domain name=\"d\" />\n" + kSchedule) + domains("    <domain name=\"e\" />\n") + pd("name=\"a\" domain=\"d\"")),
               "E10", "domains must only be specified once", "<domains>\n    <domain name=\"e\"", {}, uni});
  c.push_back({"E10_Multicore", "aarch64", sys(domains("    <domain name=\"d\" />\n" + kSchedule) + pd("name=\"a\" domain=\"d\"")),
               "E10", "The domain scheduler is not supported in multicore builds of seL4", "<domains"});
  c.push_back({"E10_DuplicateDomainName", "aarch64",
               sys(domains("    <domain name=\"d\" />\n    <domain name=\"d\" />\n" + kSchedule) + pd("name=\"a\" domain=\"d\"")),
               "E10", "Each <domain>'s name element must be unique found existing domain 'd' with id '0'",
               "name=\"d\" />\n    <domain_schedule", {}, uni});
  c.push_back({"E10_DuplicateDomainId", "aarch64",
               sys(domains("    <domain name=\"d\" id=\"3\" />\n    <domain name=\"e\" id=\"3\" />\n" + kSchedule) + pd("name=\"a\" domain=\"d\"")),
               "E10", "Each <domain>'s id element must be unique found existing domain 'd' with id '3'", "id=\"3\" />\n    <domain_schedule", {}, uni});
  c.push_back({"E10_ScheduleTwice", "aarch64", sys(domains("    <domain name=\"d\" />\n" + kSchedule + kSchedule) + pd("name=\"a\" domain=\"d\"")),
               "E10", "The <domain_schedule> element can only appear once", "<domain_schedule>\n      <schedule_entry domain=\"d\" duration=\"10 us\" />\n    </domain_schedule>\n  </domains>", {}, uni});
  c.push_back({"E10_ScheduleMissing", "aarch64", sys(domains("    <domain name=\"d\" />\n") + pd("name=\"a\" domain=\"d\"")),
               "E10", "The <domain_schedule> element must appear once", "<domains", {}, uni});
  c.push_back({"E10_UnknownScheduleDomain", "aarch64",
               sys(domains("    <domain name=\"d\" />\n    <domain_schedule>\n      <schedule_entry domain=\"x\" duration=\"10 us\" />\n    </domain_schedule>\n") + pd("name=\"a\" domain=\"d\"")),
               "E10", "domain 'x' does not exist,", "domain=\"x\"", {}, uni});
  {
    std::string many;
    for (int i = 0; i < 100; ++i) many += "      <schedule_entry domain=\"d\" duration=\"10 us\" />\n";
    c.push_back({"E10_TooManyScheduleEntries", "aarch64",
                 sys(domains("    <domain name=\"d\" />\n    <domain_schedule>\n" + many + "    </domain_schedule>\n") + pd("name=\"a\" domain=\"d\"")),
                 "E10", "More than configured KernelNumDomainSchedules 100 number of <schedule_entry> elements found",
                 "<domain_schedule", {}, uni});
    std::string seventeen;
    for (int i = 0; i < 17; ++i) seventeen += "    <domain name=\"d" + std::to_string(i) + "\" />\n";
    c.push_back({"E10_TooManyDomains_G12", "aarch64",
                 sys(domains(seventeen + "    <domain_schedule>\n      <schedule_entry domain=\"d0\" duration=\"10 us\" />\n    </domain_schedule>\n") + pd("name=\"a\" domain=\"d0\"")),
                 "E10", "Number of domains exceeds 16", "<domain name=\"d16\"", {}, uni});
  }

  // --- S: whole system ---------------------------------------------------------------------
  c.push_back({"S01_NoPd", "host", sys(kMr), "S01", "at least one protection domain must be defined", "<system", {"S20"}});
  {
    std::string many;
    for (int i = 0; i < 64; ++i) many += pd("name=\"pd" + std::to_string(i) + "\"");
    c.push_back({"S02_TooManyPds", "host", sys(many), "S02", "too many protection domains (64) defined. Maximum is 63.",
                 "<protection_domain name=\"pd63\""});
  }
  c.push_back({"S03_DuplicatePdName", "host", sys(pd("name=\"a\"") + pd("name=\"a\" priority=\"3\"")), "S03",
               "duplicate protection domain name 'a'.", "name=\"a\" priority"});
  c.push_back({"S04_MonitorName", "host", sys(pd("name=\"monitor\"")), "S04",
               "the PD name 'monitor' is reserved for the Microkit Monitor.", "name="});
  c.push_back({"S05_DuplicateMrName", "host", sys(kMr + "  <memory_region name=\"m\" size=\"0x2000\" />\n" + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" />\n")),
               "S05", "duplicate memory region name 'm'.", "name=\"m\" size=\"0x2000\""});
  c.push_back({"S06_DuplicateVmName", "aarch64",
               sys(pd("name=\"a\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"0\" />\n    </virtual_machine>\n") +
                   pd("name=\"b\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"1\" />\n    </virtual_machine>\n")),
               "S06", "duplicate virtual machine name 'vm'.", "name=\"vm\">\n      <vcpu id=\"1\""});
  c.push_back({"S07_DuplicateChildId", "host",
               sys(pd("name=\"p\" priority=\"10\"", pd("name=\"c1\" id=\"1\"") + pd("name=\"c2\" id=\"1\""))), "S07",
               "duplicate id: 1 in protection domain: 'p'", "id=\"1\">\n    <program_image path=\"pd.elf\" />\n  </protection_domain>\n  </protection_domain>"});
  c.push_back({"S07_ChildIdClashesWithVcpu", "aarch64",
               sys(pd("name=\"p\" priority=\"10\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"1\" />\n    </virtual_machine>\n" + pd("name=\"c\" id=\"1\""))),
               "S07", "duplicate id: 1 clashes with virtual machine vcpu id in protection domain: 'p'", "id=\"1\">"});
  c.push_back({"S08_CapUnknownPd", "aarch64", sys(pd("name=\"a\"", "    <cspace>\n      <cap_tcb slot=\"1\" pd=\"ghost\" />\n    </cspace>\n")),
               "S08", "unknown PD name 'ghost'", "pd=\"ghost\""});
  c.push_back({"S09_X86VmmWithChildren", "x86_64",
               sys(pd("name=\"p\" priority=\"10\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"0\" />\n    </virtual_machine>\n" + pd("name=\"c\" id=\"1\""))),
               "S09", "It is not possible for PD 'p' with a bound vCPU to have children on x86_64", "<protection_domain name=\"p\""});
  c.push_back({"S10_DuplicateIrq", "host",
               sys(pd("name=\"a\"", "    <irq irq=\"34\" id=\"0\" />\n") + pd("name=\"b\"", "    <irq irq=\"34\" id=\"1\" />\n")), "S10",
               "duplicate irq: 34 in protection domain: 'b'", "irq=\"34\" id=\"1\""});
  c.push_back({"S10_DuplicateVector", "x86_64",
               sys(pd("name=\"a\"", "    <irq pin=\"1\" vector=\"7\" id=\"0\" />\n    <irq pcidev=\"00:01.0\" handle=\"0\" vector=\"7\" id=\"1\" />\n")), "S10",
               "duplicate irq: 7 in protection domain: 'a'", "vector=\"7\" id=\"1\""});
  c.push_back({"S11_DuplicateChannelId", "host",
               two_pds("  <channel>\n    <end pd=\"a\" id=\"3\" />\n    <end pd=\"b\" id=\"0\" />\n  </channel>\n  <channel>\n    <end pd=\"a\" id=\"3\" />\n    <end pd=\"b\" id=\"1\" />\n  </channel>\n"),
               "S11", "duplicate channel id: 3 in protection domain: 'a'", "id=\"3\" />\n    <end pd=\"b\" id=\"1\""});
  c.push_back({"S11_ChannelIdClashesWithIrq", "host",
               sys(pd("name=\"a\"", "    <irq irq=\"34\" id=\"5\" />\n") + pd("name=\"b\"") +
                   "  <channel>\n    <end pd=\"a\" id=\"5\" />\n    <end pd=\"b\" id=\"0\" />\n  </channel>\n"),
               "S11", "duplicate channel id: 5 in protection domain: 'a'", "id=\"5\" />\n    <end"});
  c.push_back({"S12_PpcPriority", "host",
               two_pds("  <channel>\n    <end pd=\"b\" id=\"0\" pp=\"true\" />\n    <end pd=\"a\" id=\"0\" />\n  </channel>\n"), "S12",
               "PPCs must be to protection domains of strictly higher priorities; channel with PPC exists from pd b (priority: 2) to pd a (priority: 1)", "pp="});
  c.push_back({"S12_PpcEqualPriority", "host",
               sys(pd("name=\"a\" priority=\"5\"") + pd("name=\"b\" priority=\"5\"") +
                   "  <channel>\n    <end pd=\"a\" id=\"0\" pp=\"true\" />\n    <end pd=\"b\" id=\"0\" />\n  </channel>\n"),
               "S12", "from pd a (priority: 5) to pd b (priority: 5)", "pp="});
  c.push_back({"S12_PpcToSelf", "host",
               sys(pd("name=\"a\" priority=\"5\"") + "  <channel>\n    <end pd=\"a\" id=\"0\" pp=\"true\" />\n    <end pd=\"a\" id=\"1\" />\n  </channel>\n"),
               "S12", "from pd a (priority: 5) to pd a (priority: 5)", "pp="});
  c.push_back({"S13_X86PpcIntoVmm", "x86_64",
               sys(pd("name=\"a\" priority=\"1\"") + pd("name=\"v\" priority=\"9\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"0\" />\n    </virtual_machine>\n") +
                   "  <channel>\n    <end pd=\"a\" id=\"0\" pp=\"true\" />\n    <end pd=\"v\" id=\"0\" />\n  </channel>\n"),
               "S13", "It is not possible to PPC to PD 'v' with a bound vCPU from PD 'a' on x86_64", "pp="});
  c.push_back({"S14_DuplicateIoportId", "x86_64",
               sys(pd("name=\"a\"", "    <ioport id=\"2\" addr=\"0x3f8\" size=\"8\" />\n    <ioport id=\"2\" addr=\"0x2f8\" size=\"8\" />\n")), "S14",
               "duplicate I/O port id: 2 in protection domain: 'a'", "id=\"2\" addr=\"0x2f8\""});
  c.push_back({"S15_IoportOverlap", "x86_64",
               sys(pd("name=\"a\"", "    <ioport id=\"0\" addr=\"0x3f8\" size=\"8\" />\n") + pd("name=\"b\"", "    <ioport id=\"0\" addr=\"0x3fc\" size=\"2\" />\n")), "S15",
               "I/O port id: 0, half-open range: [0x3fc, 0x3fe) in protection domain: 'b' @ test.xml:8:5 overlaps with I/O port id: 0, half-open range: [0x3f8, 0x400) in protection domain: 'a' @ test.xml:4:5",
               "<ioport id=\"0\" addr=\"0x3fc\""});
  c.push_back({"S16_UnknownMr", "host", sys(pd("name=\"a\"", "    <map mr=\"nope\" vaddr=\"0x20000000\" />\n")), "S16",
               "invalid memory region name 'nope' on 'map'", "mr="});
  c.push_back({"S16_VaddrAlignment", "host", sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000800\" />\n")), "S16",
               "invalid vaddr alignment on 'map'", "vaddr="});
  c.push_back({"S16_VaddrAlignmentLargePage", "host",
               sys("  <memory_region name=\"m\" size=\"0x200000\" page_size=\"0x200000\" />\n" + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20001000\" />\n")),
               "S16", "invalid vaddr alignment on 'map'", "vaddr="});
  c.push_back({"S16_ExceedsAddressSpace", "host",
               sys("  <memory_region name=\"m\" size=\"0x10000\" />\n" + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x6fff_ffff_0000\" />\n")),
               "S16", "map for 'm' has virtual address range [0x6fffffff0000..0x700000000000) which exceeds valid address space [0x0..0x6fffffffc000)", "vaddr="});
  c.push_back({"S16_Overlap", "host",
               sys("  <memory_region name=\"m\" size=\"0x2000\" />\n  <memory_region name=\"n\" size=\"0x1000\" />\n" +
                   pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" />\n    <map mr=\"n\" vaddr=\"0x20001000\" />\n")),
               "S16", "map for 'n' has virtual address range [0x20001000..0x20002000) which overlaps with map for 'm' [0x20000000..0x20002000) in protection domain 'a'",
               "vaddr=\"0x20001000\""});
  c.push_back({"S16_VmMapOverlap", "aarch64",
               sys(kMr + pd("name=\"a\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"0\" />\n      <map mr=\"m\" vaddr=\"0x40000000\" />\n      <map mr=\"m\" vaddr=\"0x40000000\" />\n    </virtual_machine>\n")),
               "S16", "which overlaps with map for 'm' [0x40000000..0x40001000) in virtual machine 'vm'", "vaddr=\"0x40000000\" />\n    </"});
  c.push_back({"S16_IomapUnknownMr", "x86_64",
               sys(pd("name=\"a\"") + "  <io_address_space name=\"io\" peripheral_id=\"00:02.0\" domain_id=\"1\">\n    <iomap mr=\"nope\" iovaddr=\"0x1000\" />\n  </io_address_space>\n"),
               "S16", "invalid memory region name 'nope' on 'iomap'", "mr=\"nope\""});
  c.push_back({"S16_IomapOverlap", "x86_64",
               sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" />\n") +
                   "  <io_address_space name=\"io\" peripheral_id=\"00:02.0\" domain_id=\"1\">\n    <iomap mr=\"m\" iovaddr=\"0x1000\" />\n    <iomap mr=\"m\" iovaddr=\"0x1000\" perms=\"r\" />\n  </io_address_space>\n"),
               "S16", "which overlaps with iomap for 'm' [0x1000..0x2000) in PCI device 00:02.0", "iovaddr=\"0x1000\" perms"});
  c.push_back({"S17_IommuLargePage", "x86_64",
               sys("  <memory_region name=\"m\" size=\"0x200000\" page_size=\"0x200000\" />\n" + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" />\n") +
                   "  <io_address_space name=\"io\" peripheral_id=\"00:02.0\" domain_id=\"1\">\n    <iomap mr=\"m\" iovaddr=\"0x200000\" />\n  </io_address_space>\n"),
               "S17", "currently seL4 does not have large page support for the IOMMU", "mr=\"m\" iovaddr"});
  c.push_back({"S18_CapSlotOverlap", "aarch64",
               sys(pd("name=\"a\"", "    <cspace>\n      <cap_tcb slot=\"3\" pd=\"a\" />\n      <cap_sc slot=\"3\" pd=\"a\" />\n    </cspace>\n")),
               "S18", "overlapping user caps in slot 3 of protection domain 'a':", "slot=\"3\" pd=\"a\" />\n    </"});
  c.push_back({"S19_PhysOverlap", "aarch64",
               sys("  <memory_region name=\"m\" size=\"0x2000\" phys_addr=\"0x9000_0000\" />\n  <memory_region name=\"n\" size=\"0x1000\" phys_addr=\"0x9000_1000\" />\n" +
                   pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" />\n    <map mr=\"n\" vaddr=\"0x30000000\" />\n")),
               "S19", "memory region 'n' physical address range [0x90001000..0x90002000) overlaps with another memory region 'm' [0x90000000..0x90002000)",
               "phys_addr=\"0x9000_1000\""});
  c.push_back({"S20_UnusedMr", "host", sys(kMr + pd("name=\"a\"")), "S20", "unused memory region 'm'", "<memory_region"});
  c.push_back({"S21_PrefillSizeWithoutPrefill", "host",
               sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" setvar_prefill_size=\"len\" />\n")), "S21",
               "'setvar_prefill_size' used for MR without a `prefill_path` @ 'm'", "setvar_prefill_size="});
  c.push_back({"S22_X86RegionPaddr", "x86_64", sys(kMr + pd("name=\"a\"", "    <setvar symbol=\"p\" region_paddr=\"m\" />\n")),
               "S22", "setvar with 'region_paddr' for MR without a specified paddr is unsupported on x86-64 @ 'm'", "region_paddr=", {"S20"}});

  // --- G: corokit-only -------------------------------------------------------------------------
  c.push_back({"G01_WrongRoot", "host", "<microkit>\n</microkit>\n", "G01", "root element must be <system>, found <microkit>", "<microkit"});
  c.push_back({"G02_HexInDecimalOnly", "host",
               two_pds("  <channel>\n    <end pd=\"a\" id=\"0x1\" />\n    <end pd=\"b\" id=\"1_0\" />\n  </channel>\n"), "G02",
               "Microkit's tool only accepts a decimal value here (it would crash)", "id=\"0x1\"", {"G02"}});
  c.push_back({"G03_ChildIdRange", "host", sys(pd("name=\"p\" priority=\"9\"", pd("name=\"c\" id=\"64\""))), "G03",
               "child id must be < 64", "id=\"64\""});
  c.push_back({"G04_CspaceSlot", "aarch64", sys(pd("name=\"a\"", "    <cspace>\n      <cap_vspace slot=\"64\" pd=\"a\" />\n    </cspace>\n")),
               "G04", "cspace slot must be < 64", "slot="});
  c.push_back({"G05_VcpuSetvar", "aarch64",
               sys(pd("name=\"a\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"0\" setvar_id=\"vcpu0\" />\n    </virtual_machine>\n")),
               "G05", "Microkit ignores setvar_id on <vcpu>", "setvar_id="});
  c.push_back({"G06_RegionPaddrUnknownMr", "host", sys(pd("name=\"a\"", "    <setvar symbol=\"p\" region_paddr=\"ghost\" />\n")), "G06",
               "invalid memory region name 'ghost' on 'setvar'", "region_paddr="});
  c.push_back({"G07_EmptyName", "host", sys(pd("name=\"\"")), "G07", "name must not be empty", "name="});
  c.push_back({"G07_LongName", "host", sys(pd("name=\"" + std::string(64, 'x') + "\"")), "G07",
               "is 64 bytes long; at most 63 are allowed", "name="});
  c.push_back({"G07_EmptySymbol", "host", sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" setvar_vaddr=\"\" />\n")),
               "G07", "name must not be empty", "setvar_vaddr="});
  c.push_back({"G08_SelfChannelSameId", "host",
               sys(pd("name=\"a\"") + "  <channel>\n    <end pd=\"a\" id=\"4\" />\n    <end pd=\"a\" id=\"4\" />\n  </channel>\n"), "G08",
               "duplicate channel id: 4 in protection domain: 'a'", "id=\"4\" />\n  </channel>"});
  c.push_back({"G09_EmptyPerms", "host", sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" perms=\"\" />\n")), "G09",
               "perms must not be empty", "perms="});
  c.push_back({"G10_CpuAbove255", "host", sys(pd("name=\"a\" cpu=\"256\"")), "G10", "cpu core must be less than 4, got 256", "cpu="});
  c.push_back({"G11_VmPriority", "aarch64",
               sys(pd("name=\"a\"", "    <virtual_machine name=\"vm\" priority=\"300\">\n      <vcpu id=\"0\" />\n    </virtual_machine>\n")),
               "G11", "priority must be between 0 and 254", "priority="});
  c.push_back({"G14_X86VmVcpus", "x86_64",
               sys(pd("name=\"a\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"0\" />\n      <vcpu id=\"1\" />\n    </virtual_machine>\n")),
               "G14", "a virtual machine on x86_64 must have exactly one vcpu", "<virtual_machine"});
  c.push_back({"G15_MbmapSpelling", "x86_64", sys("  <memory_region name=\"m\" prefill_bootinfo=\"x86_mbmap\" />\n" + pd("name=\"a\"")),
               "G15", "BootInfoMap type: 'x86_mbmap' is not supported", "prefill_bootinfo=", {"S20"}});
  c.push_back({"G16_ReservedSymbol", "host", sys(kMr + pd("name=\"a\"", "    <setvar symbol=\"microkit_name\" region_paddr=\"m\" />\n")),
               "G16", "setvar symbol 'microkit_name' is reserved", "symbol=", {"S20"}});
  c.push_back({"G17_PhysAddrOverflow", "aarch64",
               sys("  <memory_region name=\"m\" size=\"0x2000\" phys_addr=\"0xffff_ffff_ffff_f000\" />\n" + pd("name=\"a\"")),
               "G17", "memory_region range overflows", "phys_addr=", {"S20"}});
  c.push_back({"G17_IoportOverflow", "x86_64", sys(pd("name=\"a\"", "    <ioport id=\"0\" addr=\"0xffff_ffff_ffff_ffff\" size=\"2\" />\n")),
               "G17", "ioport range overflows", "size="});
  c.push_back({"G18_ZeroSize", "host", sys("  <memory_region name=\"m\" size=\"0\" />\n" + pd("name=\"a\"")), "G18",
               "size must be greater than 0", "size=", {"S20"}});
  c.push_back({"G19_ZeroBudget", "host", sys(pd("name=\"a\" budget=\"0\"")), "G19", "budget must be greater than 0", "budget="});
  {
    std::string vms;
    for (int p = 0; p < 2; ++p) {
      std::string vcpus;
      for (int v = 0; v < 32; ++v) vcpus += "      <vcpu id=\"" + std::to_string(v) + "\" />\n";
      vms += pd("name=\"v" + std::to_string(p) + "\"", "    <virtual_machine name=\"vm" + std::to_string(p) + "\">\n" + vcpus + "    </virtual_machine>\n");
    }
    c.push_back({"G22_TooManyVcpus", "aarch64", sys(vms), "G22", "too many virtual CPUs (64) defined. Maximum is 63.",
                 "<vcpu id=\"31\" />\n    </virtual_machine>\n  </protection_domain>\n</system>"});
  }

  // --- W: warnings ------------------------------------------------------------------------------
  c.push_back({"W01_SystemAttribute", "host", "<system version=\"2\">\n" + pd("name=\"a\"") + "</system>\n", "W01",
               "attribute 'version' on <system> is ignored", "version="});
  c.push_back({"W02_TextInElement", "host", sys("  <protection_domain name=\"a\">\n    stray\n    <program_image path=\"pd.elf\" />\n  </protection_domain>\n"),
               "W02", "text inside <protection_domain> is ignored", "<protection_domain"});
  c.push_back({"W03_ChildOfLeaf", "host", sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\">\n      <note />\n    </map>\n")),
               "W03", "element <note> inside <map> is ignored", "<note"});
  c.push_back({"W04_DomainsAfterPds", "host",
               sys(pd("name=\"early\"") + domains("    <domain name=\"d\" />\n" + kSchedule) + pd("name=\"late\" domain=\"d\"")),
               "W04", "PDs declared before <domains> get no domain: 'early'", "<domains"});
  c.push_back({"W05_RepeatedPerm", "host", sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" perms=\"rrw\" />\n")),
               "W05", "repeated permission letter", "perms="});
  c.push_back({"W06_ChannelCarriesNothing", "host",
               two_pds("  <channel>\n    <end pd=\"a\" id=\"0\" notify=\"false\" />\n    <end pd=\"b\" id=\"0\" notify=\"false\" />\n  </channel>\n"),
               "W06", "channel has no notify and no pp end", "<channel"});
  c.push_back({"W08_PassiveNeverRuns", "host", sys(pd("name=\"a\" passive=\"true\"")), "W08",
               "passive PD 'a' can never run after init", "passive="});
  c.push_back({"W09_NoDomains", "host", sys(domains(kSchedule) + pd("name=\"a\"")), "W09", "<domains> declares no domain",
               "<domains", {"E10"}});

  // --- H: host board ------------------------------------------------------------------------------
  c.push_back({"H01_Smc", "host", sys(pd("name=\"a\" smc=\"true\"")), "H01", "smc is not supported on the host board", "smc="});
  c.push_back({"H01_Ioport", "host", sys(pd("name=\"a\"", "    <ioport id=\"0\" addr=\"0x3f8\" size=\"8\" />\n")), "H01",
               "<ioport> is not supported on the host board", "<ioport"});
  c.push_back({"H01_IoApicIrq", "host", sys(pd("name=\"a\"", "    <irq pin=\"1\" vector=\"1\" id=\"0\" />\n")), "H01",
               "x86 I/O APIC <irq> is not supported on the host board", "<irq"});
  c.push_back({"H01_MsiIrq", "host", sys(pd("name=\"a\"", "    <irq pcidev=\"00:01.0\" handle=\"0\" vector=\"1\" id=\"0\" />\n")), "H01",
               "x86 MSI <irq> is not supported on the host board", "<irq"});
  c.push_back({"H01_VirtualMachine", "host",
               sys(pd("name=\"a\"", "    <virtual_machine name=\"vm\">\n      <vcpu id=\"0\" />\n    </virtual_machine>\n")), "H01",
               "<virtual_machine> is not supported on the host board", "<virtual_machine"});
  c.push_back({"H01_Cspace", "host", sys(pd("name=\"a\"", "    <cspace>\n      <cap_tcb slot=\"1\" pd=\"a\" />\n    </cspace>\n")), "H01",
               "<cspace> is not supported on the host board", "<cspace"});
  c.push_back({"H01_IoAddressSpace", "host", sys(pd("name=\"a\"") + "  <io_address_space name=\"io\" peripheral_id=\"00:02.0\" domain_id=\"1\" />\n"),
               "H01", "<io_address_space> is not supported on the host board", "<io_address_space"});
  c.push_back({"H01_PrefillBootinfo", "host", sys("  <memory_region name=\"m\" prefill_bootinfo=\"fdt\" />\n" + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" />\n")),
               "H01", "prefill_bootinfo is not supported on the host board", "prefill_bootinfo="});
  c.push_back({"H02_UnknownIrq", "host", sys(pd("name=\"a\"", "    <irq irq=\"99\" id=\"0\" />\n")), "H02",
               "IRQ 99 is not a host-board device interrupt", "irq=\"99\""});
  c.push_back({"H03_PartlyDeviceWindow", "host",
               sys("  <memory_region name=\"m\" size=\"0x2000\" phys_addr=\"0x0900_0000\" />\n" + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" />\n")),
               "H03", "memory region 'm' partly overlaps host-board device 'console'", "phys_addr="});
  c.push_back({"H04_MapBelowMmapMin", "host", sys(kMr + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x1000\" />\n")), "H04",
               "vaddr (0x1000) is below the lowest address the host can map (0x10000)", "vaddr="});
  c.push_back({"H06_FpuFalse", "host", sys(pd("name=\"a\" fpu=\"false\"")), "H06", "fpu=\"false\" is not enforced on the host board", "fpu="});
  c.push_back({"H07_EdgeTrigger", "host", sys(pd("name=\"a\"", "    <irq irq=\"34\" id=\"0\" trigger=\"edge\" />\n")), "H07",
               "trigger 'edge' differs from host-board device 'timer'", "trigger="});
  c.push_back({"H08_LabelAddress", "host",
               sys("  <memory_region name=\"m\" size=\"0x1000\" phys_addr=\"0x1_0000_0000\" />\n" + pd("name=\"a\"", "    <map mr=\"m\" vaddr=\"0x20000000\" />\n")),
               "H08", "physical address of 'm' is only a label on the host board", "phys_addr="});
  return c;
}

void PrintTo(const RuleCase& rc, std::ostream* os) { *os << rc.name; }

class Rule : public ::testing::TestWithParam<RuleCase> {};

TEST_P(Rule, ReportsCodeWordingAndLocationWithoutCascades) {
  const RuleCase& rc = GetParam();
  CheckOptions options = options_for(rc.target);
  if (rc.tweak) rc.tweak(options);
  LoadedSystem r = check_text(rc.xml, options);
  EXPECT_TRUE(has_diagnostic(r, rc.code, rc.message, rc.at));
  std::multiset<std::string> expected = rc.also;
  expected.insert(rc.code);
  EXPECT_EQ(codes(r), expected) << dump(r);
}

INSTANTIATE_TEST_SUITE_P(Sdf, Rule, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<RuleCase>& info) { return info.param.name; });

}  // namespace
}  // namespace corokit::sdf::testing
