// The restarter in C++, against bindings generated from hierarchy.system: its children are typed
// handles. A restart here is a true reset (a fresh process).
#include "restarter_bindings.h"
#include "sdk/Pd.h"

using namespace corokit;
namespace sdf = bindings::restarter;

struct Restarter {
  unsigned faults = 0;
  void init() { log::print("restarter: starting"); }
  void notified(Channel) {}
  bool fault(Child child, MessageInfo, MessageInfo&) {
    log::print("restarter: received fault message for child pd: ", child.id());
    if (child != sdf::children::crasher) return false;
    if (++faults == 10) {
      sdf::children::crasher.stop();
      log::print("restarter: too many restarts - PD stopped");
    } else {
      sdf::children::crasher.restart();
      log::print("restarter: restarted");
    }
    return false;
  }
};
COROKIT_PD(Restarter);
