#include "sdk/Pd.h"

struct Hello {
  void init() { corokit::log::print("hello from an installed corokit"); }
  void notified(corokit::Channel) {}
};
COROKIT_PD(Hello);
