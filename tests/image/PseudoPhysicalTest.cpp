#include "system/image/PseudoPhysical.h"

#include <gtest/gtest.h>

namespace corokit::image {
namespace {

sdf::MemoryRegion mr(const std::string& name, uint64_t size, uint64_t page = sdf::kPageSmall,
                     std::optional<uint64_t> paddr = std::nullopt) {
  sdf::MemoryRegion m;
  m.name = name;
  m.size = size;
  m.page_size = page;
  m.phys_addr = paddr;
  return m;
}

sdf::System with_setvars(std::vector<sdf::MemoryRegion> mrs, std::vector<uint32_t> wanted) {
  sdf::System s;
  s.memory_regions = std::move(mrs);
  sdf::ProtectionDomain pd;
  pd.name = "pd";
  for (uint32_t m : wanted) {
    sdf::SetVar sv;
    sv.symbol = "sym" + std::to_string(m);
    sv.region_paddr = s.memory_regions[m].name;
    sv.mr_index = m;
    pd.setvars.push_back(sv);
  }
  s.pds.push_back(pd);
  return s;
}

TEST(PseudoPhysical, FirstFitInDeclarationOrderAroundDeclaredRanges) {
  sdf::System s = with_setvars({mr("small", 0x1000), mr("large", 0x200000, sdf::kPageLarge),
                                mr("fixed", 0x3000, sdf::kPageSmall, 0x40000000), mr("unused", 0x1000),
                                mr("second", 0x2000)},
                               {4, 1, 0, 1});  // order of setvars does not matter
  PaddrAssignment a = assign_pseudo_physical(s);
  EXPECT_EQ(a.assigned, (std::vector<uint32_t>{0, 1, 4}));
  EXPECT_TRUE(a.no_room.empty());
  EXPECT_EQ(s.memory_regions[0].phys_addr, 0x40003000u);  // after the declared range
  EXPECT_EQ(s.memory_regions[1].phys_addr, 0x40200000u);  // 2 MiB aligned
  EXPECT_EQ(s.memory_regions[4].phys_addr, 0x40004000u);  // fills the gap before 'large'
  EXPECT_FALSE(s.memory_regions[3].phys_addr) << "only region_paddr targets get an address";
  EXPECT_EQ(s.memory_regions[2].phys_addr, 0x40000000u);
}

TEST(PseudoPhysical, IsDeterministicAndStaysBelow4GiB) {
  auto make = [] {
    std::vector<sdf::MemoryRegion> mrs;
    std::vector<uint32_t> wanted;
    for (uint32_t i = 0; i < 50; ++i) {
      mrs.push_back(mr("m" + std::to_string(i), (i % 3 + 1) * 0x200000, i % 2 ? sdf::kPageLarge : sdf::kPageSmall));
      wanted.push_back(i);
    }
    return with_setvars(mrs, wanted);
  };
  sdf::System a = make(), b = make();
  assign_pseudo_physical(a);
  assign_pseudo_physical(b);
  for (size_t i = 0; i < a.memory_regions.size(); ++i) {
    ASSERT_TRUE(a.memory_regions[i].phys_addr);
    EXPECT_EQ(a.memory_regions[i].phys_addr, b.memory_regions[i].phys_addr);
    EXPECT_LT(*a.memory_regions[i].phys_addr + a.memory_regions[i].size, 0x100000000u);
    EXPECT_EQ(*a.memory_regions[i].phys_addr % a.memory_regions[i].page_size, 0u);
    for (size_t j = 0; j < i; ++j) {
      uint64_t ai = *a.memory_regions[i].phys_addr, aj = *a.memory_regions[j].phys_addr;
      EXPECT_TRUE(ai + a.memory_regions[i].size <= aj || aj + a.memory_regions[j].size <= ai) << i << " " << j;
    }
  }
}

TEST(PseudoPhysical, ReportsRegionsThatDoNotFit) {
  sdf::System s = with_setvars({mr("fixed", 0x1000, sdf::kPageSmall, 0xbffff000), mr("huge", 0x80000000),
                                mr("too_big", 0x100000000)},
                               {1, 2});
  PaddrAssignment a = assign_pseudo_physical(s);
  EXPECT_EQ(a.no_room, (std::vector<uint32_t>{1, 2}));
  EXPECT_TRUE(a.assigned.empty());
}

TEST(PseudoPhysical, DeclaredRangesFarAboveTheWindowAreHarmless) {
  sdf::System s = with_setvars({mr("top", 0x1000, sdf::kPageSmall, 0xfffffffffffff000), mr("x", 0x1000)}, {1});
  PaddrAssignment a = assign_pseudo_physical(s);
  EXPECT_EQ(s.memory_regions[1].phys_addr, 0x40000000u);
  EXPECT_EQ(a.assigned, std::vector<uint32_t>{1});
}

}  // namespace
}  // namespace corokit::image
