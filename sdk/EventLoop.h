// libmicrokit's event loop (LIBMICROKIT.md §4), platform-neutral.
//
// One iteration: wait (performing what is owed: deferred actions, passive hand-shake, reply),
// deliver one event through the entry points, then run the turn hooks. A turn hook is where an
// executor runs its woken tasks until stalled; the notifications it wants sent go through
// defer_notify() and are flushed, deduplicated, together with the next wait. Microkit's deferred
// notify/irq_ack (one slot) is the same mechanism with more than one slot (R3).
#pragma once

#include "sdk/Kernel.h"

namespace corokit::sdk {

// Records "notify ch" / "ack IRQ ch" for the next wait; duplicates are dropped. Channel ids are
// checked by the caller.
void defer_notify(unsigned ch);
void defer_irq_ack(unsigned ch);
bool has_deferred();

// Called once per loop iteration, after the entry point of the wake-up returned and before the PD
// waits again. A hook returns true when it has more work (then the next wait only polls for events
// and the hooks run again). At most kMaxTurnHooks hooks; add_turn_hook returns false when full.
using TurnHook = bool (*)(void* context);
inline constexpr unsigned kMaxTurnHooks = 4;
bool add_turn_hook(TurnHook hook, void* context);
bool remove_turn_hook(TurnHook hook, void* context);

// Checks generated bindings (corokit_bindings.h), runs init() and the loop; never returns. `passive` is microkit_passive, `irqs` microkit_irqs.
[[noreturn]] void run_event_loop(Kernel& kernel, bool passive, Word irqs);

// One loop iteration after init(), for tests that drive the loop step by step: returns after the
// turn hooks ran.
struct LoopState {
  bool more_work = false;  // a turn hook has work left: poll instead of blocking
  bool reply_owed = false;
  Word reply_info = 0;
  bool passive_pending = false;
};
void run_iteration(Kernel& kernel, LoopState& state);
void start_loop(Kernel& kernel, LoopState& state, bool passive, Word irqs);  // init() + first-wait setup

}  // namespace corokit::sdk
