#include "app_bindings.h"
#include "sdk/Pd.h"

struct App {
  void init() { bindings::app::channels::peer.notify(); }
  void notified(corokit::Channel) {}
};
COROKIT_PD(App);
