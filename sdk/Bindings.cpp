// The start-up check of generated bindings (sdk/include/corokit_bindings.h). Platform-neutral.
#include "sdk/include/corokit_bindings.h"

#include "sdk/Console.h"
#include "sdk/include/microkit.h"

using corokit::sdk::console_putc;
using corokit::sdk::console_puts;

namespace {

corokit_bindings* g_registered = nullptr;

void put_hex(uint64_t value) {
  unsigned digits = 1;
  while (digits < 16 && (value >> (4 * digits)) != 0) ++digits;
  corokit::sdk::console_put_hex(value, digits);
}

void report(const corokit_bindings& b, const char* what, const char* name, uint64_t actual, uint64_t expected) {
  console_puts(microkit_name);
  console_puts(": stale generated bindings (PD '");
  console_puts(b.pd);
  console_puts("' from '");
  console_puts(b.source);
  console_puts("'): ");
  console_puts(what);
  if (name != nullptr) {
    console_puts(" '");
    console_puts(name);
    console_putc('\'');
  }
  console_puts(" is ");
  put_hex(actual);
  console_puts(", the header expects ");
  put_hex(expected);
  console_putc('\n');
}

bool check_one(const corokit_bindings& b) {
  struct Mask {
    const char* symbol;
    uint64_t actual;
    uint64_t expected;
  };
  const Mask masks[] = {
      {"microkit_irqs", microkit_irqs, b.irqs},
      {"microkit_notifications", microkit_notifications, b.notifications},
      {"microkit_pps", microkit_pps, b.pps},
      {"microkit_ioports", microkit_ioports, b.ioports},
  };
  bool ok = true;
  for (const Mask& m : masks) {
    if (m.actual == m.expected) continue;
    report(b, m.symbol, nullptr, m.actual, m.expected);
    ok = false;
  }
  for (unsigned i = 0; i < b.setvar_count; ++i) {
    const corokit_setvar_check& s = b.setvars[i];
    if (s.address == nullptr) continue;
    uint64_t actual = *s.address;
    if (actual == s.value) continue;
    report(b, "setvar", s.symbol, actual, s.value);
    ok = false;
  }
  return ok;
}

}  // namespace

extern "C" {

void corokit_bindings_register(corokit_bindings* bindings) {
  for (corokit_bindings* b = g_registered; b != nullptr; b = b->next) {
    if (b == bindings) return;
  }
  bindings->next = g_registered;
  g_registered = bindings;
}

bool corokit_bindings_check(void) {
  // A C header registers one record per translation unit that includes it: report the first
  // record that differs, not every copy of it.
  for (const corokit_bindings* b = g_registered; b != nullptr; b = b->next) {
    if (check_one(*b)) continue;
    console_puts(microkit_name);
    console_puts(": regenerate the bindings (corokit gen), rebuild the PD and pack the system again\n");
    return false;
  }
  return true;
}

}  // extern "C"
