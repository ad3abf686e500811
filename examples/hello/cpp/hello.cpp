// "hello" in C++: one PD printing from init().
#include "sdk/Pd.h"

struct Hello {
  void init() { corokit::log::print("hello, world"); }
  void notified(corokit::Channel) {}
};
COROKIT_PD(Hello);
