// setvar in C++: the patched variables are ordinary globals with C linkage.
#include <cstdint>

#include "sdk/Pd.h"

extern "C" {
uintptr_t mr_with_paddr_vaddr;
uintptr_t mr_with_paddr_paddr;
uintptr_t small_mr_no_paddr_paddr;
uintptr_t large_mr_no_paddr_paddr;
uintptr_t pl011_paddr;
}

using namespace corokit;

struct Setvar {
  static void show(const char* what, const char* name, uintptr_t value) {
    log::print(what, " of '", name, "': ", static_cast<uint32_t>(value));
  }
  void init() {
    show("Virtual address", "mr_with_paddr", mr_with_paddr_vaddr);
    show("Physical address", "mr_with_paddr", mr_with_paddr_paddr);
    show("Physical address", "small_mr_no_paddr", small_mr_no_paddr_paddr);
    show("Physical address", "large_mr_no_paddr", large_mr_no_paddr_paddr);
    show("Physical address", "pl011_paddr", pl011_paddr);
  }
  void notified(Channel) {}
};
COROKIT_PD(Setvar);
