// mr_prefill in C++: a typed read-only view of the prefilled region.
#include <cstdint>

#include "sdk/Pd.h"

extern "C" {
uintptr_t prefilled_vaddr;
uint64_t prefilled_size;
}

using namespace corokit;

struct MrPrefill {
  void init() {
    log::print("hello, world. my name is ", static_cast<const char*>(microkit_name));
    log::print("checking prefilled memory region data length");
    if (prefilled_size != 4112) {
      log::print("oh no prefilled data length doesn't match: ", prefilled_size);
      return;
    }
    log::print("checking prefilled memory region data");
    MemoryRegion<const volatile uint32_t> words(prefilled_vaddr, prefilled_size);
    if (words[0] != 0x53145314 || words[1] != 0x01234567 || words[0x408 / 4] != 0x89ABCDEF ||
        words[0x100c / 4] != 0x75757575) {
      log::print("oh no prefilled data doesn't match");
      return;
    }
    log::print("prefilled data OK!");
  }
  void notified(Channel) {}
};
COROKIT_PD(MrPrefill);
