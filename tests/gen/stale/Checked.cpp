// A C++ PD whose bindings come from built.system: it runs when packed with that system and is
// stopped before init() when packed with packed.system.
#include "checked_bindings.h"
#include "sdk/Pd.h"

namespace sdf = bindings::checked;

struct Checked {
  void init() {
    sdf::regions::buf.view<uint32_t>()[0] = 7;
    sdf::channels::peer.notify();
    corokit::log::print("checked: init ran");
  }
  void notified(corokit::Channel) {}
};
COROKIT_PD(Checked);
