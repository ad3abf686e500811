// The crasher in C++.
#include "sdk/Pd.h"

struct Crasher {
  void init() {
    corokit::log::print("crasher, starting");
    *reinterpret_cast<volatile int*>(uintptr_t{0}) = 0;
  }
  void notified(corokit::Channel) {}
};
COROKIT_PD(Crasher);
