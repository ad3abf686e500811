// mr_prefill in C++, against bindings generated from mr_prefill.system: the region descriptor is
// read-only (perms="r"), so its view has const elements; the prefill length is a constant, and
// the start-up check has compared it with the patched setvar before init() runs.
#include <cstdint>

#include "mr_prefill_bindings.h"
#include "sdk/Pd.h"

using namespace corokit;
namespace sdf = bindings::mr_prefill;

struct MrPrefill {
  void init() {
    log::print("hello, world. my name is ", static_cast<const char*>(microkit_name));
    log::print("checking prefilled memory region data length");
    if (sdf::setvars::prefilled_size != 4112) {
      log::print("oh no prefilled data length doesn't match: ", sdf::setvars::prefilled_size);
      return;
    }
    log::print("checking prefilled memory region data");
    auto words = sdf::regions::prefilled_vaddr.view<volatile uint32_t>();
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
