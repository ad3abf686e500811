// The restarter in C++: a restart here is a true reset (a fresh process).
#include "sdk/Pd.h"

using namespace corokit;

struct Restarter {
  unsigned faults = 0;
  void init() { log::print("restarter: starting"); }
  void notified(Channel) {}
  bool fault(Child child, MessageInfo, MessageInfo&) {
    log::print("restarter: received fault message for child pd: ", child.id());
    if (++faults == 10) {
      child.stop();
      log::print("restarter: too many restarts - PD stopped");
    } else {
      child.restart();
      log::print("restarter: restarted");
    }
    return false;
  }
};
COROKIT_PD(Restarter);
