// The passive server in C++, against bindings generated from passive_server.system.
#include "sdk/Pd.h"
#include "server_bindings.h"

using namespace corokit;
namespace sdf = bindings::server;

struct Server {
  void init() { log::print("SERVER|INFO: init function running"); }
  void notified(Channel) { log::print("SERVER|ERROR: unexpected notification"); }
  MessageInfo protected_call(Channel ch, MessageInfo msg) {
    if (ch == sdf::channels::client && msg.label() == 1) {
      log::print("SERVER|INFO: running on clients scheduling context");
    } else {
      log::print("SERVER|ERROR: received an unexpected message");
    }
    return MessageInfo(0, 0);
  }
};
COROKIT_PD(Server);
