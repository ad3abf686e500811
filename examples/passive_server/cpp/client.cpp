// The client in C++, against bindings generated from passive_server.system (corokit gen): the
// handle to the server may make protected calls because the SDF says pp="true".
#include "client_bindings.h"
#include "sdk/Pd.h"

using namespace corokit;
namespace sdf = bindings::client;

struct Client {
  void init() {
    log::print("CLIENT|INFO: init function running");
    mr::set(0, 42);
    sdf::channels::server.ppcall(MessageInfo(1, 1));
  }
  void notified(Channel) { log::print("CLIENT|ERROR: unexpected notification"); }
};
COROKIT_PD(Client);
