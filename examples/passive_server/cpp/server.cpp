// The passive server in C++.
#include "sdk/Pd.h"

using namespace corokit;

struct Server {
  void init() { log::print("SERVER|INFO: init function running"); }
  void notified(Channel) { log::print("SERVER|ERROR: unexpected notification"); }
  MessageInfo protected_call(Channel, MessageInfo msg) {
    if (msg.label() == 1) {
      log::print("SERVER|INFO: running on clients scheduling context");
    } else {
      log::print("SERVER|ERROR: received an unexpected message");
    }
    return MessageInfo(0, 0);
  }
};
COROKIT_PD(Server);
