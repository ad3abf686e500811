// libmicrokit's C API (LIBMICROKIT.md §1–§3) on top of the Kernel seam. Platform-neutral.
#include "sdk/include/microkit.h"

#include "sdk/Console.h"
#include "sdk/EventLoop.h"
#include "sdk/Kernel.h"

using corokit::sdk::ChildOp;
using corokit::sdk::console_put_decimal;
using corokit::sdk::console_putc;
using corokit::sdk::console_puts;
using corokit::sdk::kernel;
using corokit::sdk::kMaxChannelId;
using corokit::sdk::kMaxMessageRegisters;

extern "C" {

[[noreturn]] void corokit_missing_entry_point(const char* name);

// Patched by the packer; the initialisers keep them out of .bss (patching works either way).
char microkit_name[MICROKIT_PD_NAME_LENGTH] = {'?'};
bool microkit_passive = false;
seL4_Word microkit_irqs = 0;
seL4_Word microkit_notifications = 0;
seL4_Word microkit_pps = 0;
seL4_Word microkit_ioports = 0;

seL4_Bool microkit_have_signal = seL4_False;
seL4_CPtr microkit_signal_cap = seL4_CapNull;
seL4_MessageInfo_t microkit_signal_msg = {{0}};

}  // extern "C"

namespace {

void invalid(const char* function, const char* what, unsigned value) {
  console_puts(microkit_name);
  console_putc(' ');
  console_puts(function);
  console_puts(": invalid ");
  console_puts(what);
  console_puts(" given '");
  console_put_decimal(value);
  console_puts("'\n");
  if (kernel().checked()) microkit_internal_crash(static_cast<seL4_Error>(0x4c));
}

bool channel_ok(unsigned ch, seL4_Word mask, const char* function) {
  if (ch <= kMaxChannelId && (mask & (seL4_Word{1} << ch)) != 0) return true;
  invalid(function, "channel", ch);
  return false;
}

bool mr_ok(unsigned i, const char* function) {
  if (i < kMaxMessageRegisters) return true;
  invalid(function, "message register index", i);
  return false;
}

[[noreturn]] void crash_with(const char* message_a, const char* message_b, unsigned value, bool with_value) {
  console_puts(message_a);
  if (with_value) {
    console_put_decimal(value);
    console_puts(message_b);
  }
  console_putc('\n');
  microkit_internal_crash(static_cast<seL4_Error>(0));
}

}  // namespace

extern "C" {

void corokit_missing_entry_point(const char* name) {
  console_puts(microkit_name);
  console_puts(" is missing the '");
  console_puts(name);
  console_puts("' entry point\n");
  microkit_internal_crash(static_cast<seL4_Error>(0));
}

__attribute__((weak)) microkit_msginfo microkit_protected_entry(microkit_channel, microkit_msginfo) {
  corokit_missing_entry_point("protected");
}

__attribute__((weak)) seL4_Bool fault(microkit_child, microkit_msginfo, microkit_msginfo*) {
  corokit_missing_entry_point("fault");
}

void microkit_internal_crash(seL4_Error err) {
  corokit::sdk::console_flush_partial_if_needed();
  // A write to address `err`: addresses below 0x10000 are never mapped on Linux.
  *reinterpret_cast<volatile seL4_Word*>(static_cast<uintptr_t>(err)) = 0;
  __builtin_trap();
}

__attribute__((weak)) void __assert_fail(const char* expr, const char* file, unsigned int line,
                                         const char* function) {
  console_puts(microkit_name);
  console_puts("|assert failed: ");
  console_puts(expr);
  console_putc(' ');
  console_puts(file);
  console_putc(':');
  console_put_decimal(line);
  console_putc(' ');
  console_puts(function);
  console_putc('\n');
  microkit_internal_crash(static_cast<seL4_Error>(0));
}

void microkit_dbg_putc(int c) { console_putc(static_cast<char>(c)); }
void microkit_dbg_puts(const char* s) { console_puts(s); }
void microkit_dbg_put8(seL4_Uint8 x) { console_put_decimal(x); }
void microkit_dbg_put32(seL4_Uint32 x) { console_put_decimal(x); }

void microkit_notify(microkit_channel ch) {
  if (channel_ok(ch, microkit_notifications, "microkit_notify")) kernel().notify(ch);
}

void microkit_irq_ack(microkit_channel ch) {
  if (channel_ok(ch, microkit_irqs, "microkit_irq_ack")) kernel().irq_ack(ch);
}

microkit_msginfo microkit_ppcall(microkit_channel ch, microkit_msginfo msginfo) {
  if (!channel_ok(ch, microkit_pps, "microkit_ppcall")) return microkit_msginfo{{0}};
  return microkit_msginfo{{kernel().ppcall(ch, msginfo.words[0])}};
}

void microkit_deferred_notify(microkit_channel ch) {
  if (channel_ok(ch, microkit_notifications, "microkit_deferred_notify")) corokit::sdk::defer_notify(ch);
}

void microkit_deferred_irq_ack(microkit_channel ch) {
  if (channel_ok(ch, microkit_irqs, "microkit_deferred_irq_ack")) corokit::sdk::defer_irq_ack(ch);
}

void microkit_pd_restart(microkit_child pd, seL4_Word entry_point) {
  if (!kernel().child_control(ChildOp::Restart, pd, entry_point)) {
    crash_with("microkit_pd_restart: error writing TCB registers", "", 0, false);
  }
}

void microkit_pd_stop(microkit_child pd) {
  if (!kernel().child_control(ChildOp::Stop, pd, 0)) crash_with("microkit_pd_stop: error stopping TCB '", "'", pd, true);
}

void microkit_pd_resume(microkit_child pd) {
  if (!kernel().child_control(ChildOp::Resume, pd, 0)) {
    crash_with("microkit_pd_resume: error resuming TCB '", "'", pd, true);
  }
}

microkit_msginfo microkit_msginfo_new(seL4_Word label, seL4_Uint16 count) {
  if (count > kMaxMessageRegisters) {
    invalid("microkit_msginfo_new", "message count", count);
    count = kMaxMessageRegisters;
  }
  return seL4_MessageInfo_new(label, 0, 0, count);
}

seL4_Word microkit_msginfo_get_label(microkit_msginfo msginfo) { return seL4_MessageInfo_get_label(msginfo); }
seL4_Word microkit_msginfo_get_count(microkit_msginfo msginfo) { return seL4_MessageInfo_get_length(msginfo); }

void microkit_mr_set(seL4_Uint8 mr, seL4_Word value) {
  if (mr_ok(mr, "microkit_mr_set")) kernel().message_registers()[mr] = value;
}

seL4_Word microkit_mr_get(seL4_Uint8 mr) {
  return mr_ok(mr, "microkit_mr_get") ? kernel().message_registers()[mr] : 0;
}

seL4_Word seL4_GetMR(int i) {
  return mr_ok(static_cast<unsigned>(i), "seL4_GetMR") ? kernel().message_registers()[i] : 0;
}

void seL4_SetMR(int i, seL4_Word v) {
  if (mr_ok(static_cast<unsigned>(i), "seL4_SetMR")) kernel().message_registers()[i] = v;
}

seL4_CPtr microkit_cspace_root_slot_to_cptr(seL4_Word) { return seL4_CapNull; }

}  // extern "C"
