#include "tests/executor/TestSupport.h"

#include <cstdio>
#include <cstdlib>

#include "executor/Panic.h"

namespace corokit::exec::testing {

void install_abort_on_panic() {
  set_panic_handler([](const char* message) {
    std::fprintf(stderr, "panic: %s\n", message);
    std::abort();
  });
}

}  // namespace corokit::exec::testing
