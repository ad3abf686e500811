#include "executor/Panic.h"

namespace corokit::exec {

namespace {
PanicHandler g_handler = nullptr;
}

PanicHandler set_panic_handler(PanicHandler handler) noexcept {
  PanicHandler previous = g_handler;
  g_handler = handler;
  return previous;
}

void panic(const char* message) noexcept {
  if (g_handler != nullptr) g_handler(message);
  __builtin_trap();
}

}  // namespace corokit::exec
