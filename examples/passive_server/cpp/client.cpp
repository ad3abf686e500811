// The client in C++: a typed handle that may only make protected calls.
#include "sdk/Pd.h"

using namespace corokit;

struct Client {
  static constexpr BasicChannel<facet::PpCall> server{0};
  void init() {
    log::print("CLIENT|INFO: init function running");
    mr::set(0, 42);
    server.ppcall(MessageInfo(1, 1));
  }
  void notified(Channel) { log::print("CLIENT|ERROR: unexpected notification"); }
};
COROKIT_PD(Client);
