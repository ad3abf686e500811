#include "sdk/EventLoop.h"

#include "sdk/Console.h"
#include "sdk/PdCounters.h"
#include "sdk/include/corokit_bindings.h"
#include "sdk/include/microkit.h"

namespace corokit::sdk {
namespace {

// The deferred actions of the current iteration, in call order, deduplicated by a bit mask.
struct DeferredSet {
  uint8_t ids[kMaxChannelId + 1];
  unsigned count = 0;
  Word mask = 0;

  bool add(unsigned ch) {
    Word bit = Word{1} << ch;
    if (mask & bit) return false;
    mask |= bit;
    ids[count++] = static_cast<uint8_t>(ch);
    return true;
  }
  void clear() {
    count = 0;
    mask = 0;
  }
};

DeferredSet g_notify;
DeferredSet g_ack;
unsigned g_deferred_calls = 0;  // deferred calls of this iteration, duplicates included
bool g_noted_batching = false;

struct Hook {
  TurnHook fn;
  void* context;
};
Hook g_hooks[kMaxTurnHooks];
unsigned g_hook_count = 0;

Kernel* g_kernel = nullptr;

void note_deferred_call() {
  ++g_deferred_calls;
  microkit_have_signal = seL4_True;
  if (g_deferred_calls == 2 && !g_noted_batching && g_kernel != nullptr && g_kernel->checked()) {
    g_noted_batching = true;
    console_line_parts(microkit_name,
                       " note: several deferred actions in one loop iteration; corokit performs all of "
                       "them, Microkit would perform only the last");
  }
}

void deliver(const Event& ev, LoopState& state) {
  switch (ev.kind) {
    case Event::Kind::Notifications: {
      counters::PdCounters& counted = counters::current();
      for (unsigned ch = 0; ch <= kMaxChannelId; ++ch) {
        if ((ev.bits & (Word{1} << ch)) == 0) continue;
        counters::add(counted.notified[ch]);
        notified(ch);
      }
      break;
    }
    case Event::Kind::ProtectedCall: {
      microkit_msginfo in{{ev.info}};
      state.reply_info = microkit_protected_entry(ev.id, in).words[0];
      state.reply_owed = true;
      break;
    }
    case Event::Kind::ChildFault: {
      microkit_msginfo in{{ev.info}};
      microkit_msginfo reply{{0}};
      if (fault(ev.id, in, &reply)) {
        state.reply_info = reply.words[0];
        state.reply_owed = true;
      }
      break;
    }
  }
}

}  // namespace

// Every hook runs once; true when any has work left.
static bool run_turn_hooks() {
  bool more = false;
  for (unsigned h = 0; h < g_hook_count; ++h) more |= g_hooks[h].fn(g_hooks[h].context);
  return more;
}

Kernel& kernel() { return *g_kernel; }
void set_kernel(Kernel* k) { g_kernel = k; }

void defer_notify(unsigned ch) {
  note_deferred_call();
  g_notify.add(ch);
}

void defer_irq_ack(unsigned ch) {
  note_deferred_call();
  g_ack.add(ch);
}

bool has_deferred() { return g_notify.count != 0 || g_ack.count != 0; }

bool add_turn_hook(TurnHook hook, void* context) {
  if (g_hook_count == kMaxTurnHooks) return false;
  g_hooks[g_hook_count++] = Hook{hook, context};
  return true;
}

bool remove_turn_hook(TurnHook hook, void* context) {
  for (unsigned h = 0; h < g_hook_count; ++h) {
    if (g_hooks[h].fn == hook && g_hooks[h].context == context) {
      for (unsigned j = h + 1; j < g_hook_count; ++j) g_hooks[j - 1] = g_hooks[j];
      --g_hook_count;
      return true;
    }
  }
  return false;
}

void start_loop(Kernel& k, LoopState& state, bool passive, Word irqs) {
  set_kernel(&k);
  // Generated bindings compiled into this PD must describe the image it runs in (docs/gen.md).
  if (!corokit_bindings_check()) microkit_internal_crash(static_cast<seL4_Error>(0));
  init();
  state.more_work = run_turn_hooks();
  state.passive_pending = passive;
  // LIBMICROKIT.md §4.1: every IRQ is acknowledged once, so one that fired early is not lost. It
  // travels with the first wait, like the passive hand-shake.
  for (unsigned ch = 0; ch <= kMaxChannelId; ++ch) {
    if (irqs & (Word{1} << ch)) g_ack.add(ch);
  }
}

void run_iteration(Kernel& k, LoopState& state) {
  WaitRequest req;
  req.notify = g_notify.ids;
  req.notify_count = g_notify.count;
  req.ack = g_ack.ids;
  req.ack_count = g_ack.count;
  req.become_passive = state.passive_pending;
  req.reply = state.reply_owed;
  req.reply_info = state.reply_info;
  req.poll = state.more_work;
  Event ev = k.wait(req);
  g_notify.clear();
  g_ack.clear();
  g_deferred_calls = 0;
  microkit_have_signal = seL4_False;
  state.passive_pending = false;
  state.reply_owed = false;
  deliver(ev, state);
  console_flush_partial_if_needed();
  state.more_work = run_turn_hooks();
}

void run_event_loop(Kernel& k, bool passive, Word irqs) {
  LoopState state;
  start_loop(k, state, passive, irqs);
  for (;;) run_iteration(k, state);
}

}  // namespace corokit::sdk
