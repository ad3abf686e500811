#include "sdk/host/HostKernel.h"

#include <sched.h>
#include <time.h>

#include "sdk/host/Ipc.h"

namespace corokit::host {
namespace {

unsigned current_cpu() {
  int cpu = sched_getcpu();
  return cpu < 0 ? 0 : static_cast<unsigned>(cpu);
}

}  // namespace

HostKernel::HostKernel(const Boot& boot)
    : desc_(boot.descriptor),
      control_(boot.control),
      status_(static_cast<StatusPage*>(boot.objects[boot.descriptor->own_status])),
      mrs_(reinterpret_cast<sdk::Word*>(kIpcPage)) {
  const BootPair* pairs = boot_array<BootPair>(desc_, desc_->pairs_at);
  const BootPeer* peers = boot_array<BootPeer>(desc_, desc_->peers_at);
  children_ = boot_array<BootChild>(desc_, desc_->children_at);
  ins_[waitv_count_] = &control_->events;
  waitv_[waitv_count_++] = WaitVector{0, reinterpret_cast<uint64_t>(&control_->events.woken), kFutex2Size32, 0};
  for (uint32_t i = 0; i < desc_->pair_count && i < kMaxIds; ++i) {
    Pair& p = pairs_[pair_count_++];
    p.header = static_cast<PairHeader*>(boot.objects[pairs[i].object]);
    bool self = peers[pairs[i].peer].pd_index == desc_->pd_index;
    unsigned side = pairs[i].side;
    p.in = &p.header->dir[self ? 0 : 1 - side];
    p.out = &p.header->dir[self ? 0 : side];
    p.receive_mask = pairs[i].receive_mask;
    p.peer_status = static_cast<const StatusPage*>(boot.objects[peers[pairs[i].peer].status_object]);
    ins_[waitv_count_] = p.in;
    waitv_[waitv_count_++] = WaitVector{0, reinterpret_cast<uint64_t>(&p.in->woken), kFutex2Size32, 0};
  }
  for (unsigned ch = 0; ch < kMaxIds; ++ch) {
    const BootChannel& c = desc_->channels[ch];
    if (c.kind == ChannelKind::Channel && c.callee) callee_[callee_count_++] = CalleeSlot{slot(c), ch, c.peer_priority};
  }
  spin_ = desc_->cpu_count > 1 && desc_->spin_ns > 0 && !single_runner();
  idle_spin_ = spin_ && (desc_->flags & kBootNoIdleSpin) == 0;
  status_->cpu.store(current_cpu(), std::memory_order_relaxed);
}

PpcSlot* HostKernel::slot(const BootChannel& c) const {
  char* base = reinterpret_cast<char*>(pairs_[c.pair].header);
  return reinterpret_cast<PpcSlot*>(base + pair_slot_offset(c.slot));
}

void HostKernel::note(uint32_t bits) {
  control_->notes.fetch_or(bits, std::memory_order_seq_cst);
  ring_monitor();
}

void HostKernel::notify(unsigned ch) {
  const BootChannel& c = desc_->channels[ch];
  Pair& p = pairs_[c.pair];
  counters::add(counters::current().notifications[ch]);
  raise(*p.out, uint64_t{1} << c.peer_id, *p.peer_status, p.last_raised);
  if (single_runner()) yield_to_monitor(Yield::Continue);
}

void HostKernel::irq_ack(unsigned ch) {
  counters::add(counters::current().irqs_acked);
  control_->irq_ack.fetch_or(uint64_t{1} << ch, std::memory_order_seq_cst);
  note(kNoteIrqAck);
  if (single_runner()) yield_to_monitor(Yield::Continue);
}

sdk::Word HostKernel::ppcall(unsigned ch, sdk::Word info) {
  const BootChannel& c = desc_->channels[ch];
  Pair& p = pairs_[c.pair];
  PpcSlot* s = slot(c);
  counters::add(counters::current().calls_made);
  // Read before the call is visible, so an abort of this call cannot be missed (R4).
  uint32_t aborts = control_->abort_seq.load(std::memory_order_seq_cst);
  uint32_t seq = ppc_send(*s, info, mrs_, c.stamp_calls != 0);
  set_state(PdState::Calling);
  last_failure_ = sdk::CallFailure::None;
  bool fail_fast = (desc_->flags & kBootCallFailFast) != 0;
  uint32_t down = fail_fast ? p.peer_status->down.load(std::memory_order_seq_cst) : 0;
  if (down != 0) {
    last_failure_ = static_cast<sdk::CallFailure>(down);
  } else if (single_runner()) {
    // The monitor times the call and ends it on failure (it knows the timeout too).
    while (!aborted(aborts, ch, seq) && s->reply_seq.load(std::memory_order_acquire) != seq) {
      yield_to_monitor(Yield::Call, c.pair, c.slot, ch);
    }
  } else if (fail_fast || c.call_timeout_us != 0) {
    bool waking = ppc_kick(*p.out, *p.peer_status);
    await_reply(*s, seq, p, c.call_timeout_us, aborts, ch, waking);
  } else {  // Microkit's behaviour: nothing can end the call but the reply (the benchmarked path)
    bool waking = ppc_kick(*p.out, *p.peer_status);
    unsigned cpu = current_cpu();
    publish_cpu(cpu);  // the callee spins after its reply only while this PD runs elsewhere
    ppc_await(*s, seq, *p.peer_status, spin_ ? desc_->spin_ns : 0, cpu, waking);
  }
  set_state(PdState::Running);
  if (last_failure_ != sdk::CallFailure::None) {
    s->cancel_seq.store(seq, std::memory_order_seq_cst);  // never served now; a late reply is ignored
    if (last_failure_ == sdk::CallFailure::Timeout) {
      control_->timed_out_channel = ch;
      note(kNoteCallTimeout);
    }
    return sdk::kCallFailedInfo;
  }
  return ppc_receive(*s, mrs_);
}

// Did the monitor end call `seq` on `ch` (abort_seq moved past `seen`)? Sets last_failure_.
bool HostKernel::aborted(uint32_t seen, unsigned ch, uint32_t seq) {
  if (control_->abort_seq.load(std::memory_order_acquire) == seen) return false;
  if (control_->abort_channel != ch || control_->abort_call_seq != seq) return false;
  last_failure_ = static_cast<sdk::CallFailure>(control_->abort_reason);
  return true;
}

// Parallel mode: bounded spin while the callee is about to answer, then sleep on the reply word and
// the monitor's abort word at once, until the reply, an abort or the channel's timeout.
void HostKernel::await_reply(PpcSlot& s, uint32_t seq, const Pair& p, uint32_t timeout_us, uint32_t aborts, unsigned ch,
                             bool waking) {
  uint64_t deadline = timeout_us != 0 ? now_ns() + uint64_t{timeout_us} * 1000 : 0;
  unsigned cpu = current_cpu();
  publish_cpu(cpu);
  if (spin_) ppc_await_spin(s, seq, *p.peer_status, desc_->spin_ns, cpu, waking);
  uint32_t seen = s.reply_seq.load(std::memory_order_acquire);
  if (seen == seq) return;
  s.caller_sleeping.store(1, std::memory_order_seq_cst);
  for (;;) {
    // An abort wins over a reply that arrived after the monitor decided (and logged) it.
    uint32_t abort_now = control_->abort_seq.load(std::memory_order_seq_cst);
    if (abort_now != aborts) {
      if (aborted(aborts, ch, seq)) break;
      aborts = abort_now;  // an abort meant for an earlier call
    }
    seen = s.reply_seq.load(std::memory_order_seq_cst);
    if (seen == seq) break;
    if (deadline != 0 && now_ns() >= deadline) {
      last_failure_ = sdk::CallFailure::Timeout;
      break;
    }
    WaitVector v[2] = {{seen, reinterpret_cast<uint64_t>(&s.reply_seq), kFutex2Size32, 0},
                       {abort_now, reinterpret_cast<uint64_t>(&control_->abort_seq), kFutex2Size32, 0}};
    futex_waitv_until(v, 2, deadline);
  }
  s.caller_sleeping.store(0, std::memory_order_relaxed);
}

void HostKernel::send_reply(sdk::Word info) {
  switch (owed_) {
    case Owed::Nothing:
      break;
    case Owed::Call:
      ppc_reply(*owed_slot_, owed_seq_, info, mrs_);
      break;
    case Owed::Fault:
      request(Request::FaultReply, owed_child_, info);
      break;
  }
  owed_ = Owed::Nothing;
}

int64_t HostKernel::request(Request what, uint64_t a0, uint64_t a1) {
  control_->request = what;
  control_->request_arg[0] = a0;
  control_->request_arg[1] = a1;
  uint32_t seq = control_->request_seq.load(std::memory_order_relaxed) + 1;
  control_->request_seq.store(seq, std::memory_order_seq_cst);
  ring_monitor();
  uint32_t seen;
  while ((seen = control_->response_seq.load(std::memory_order_acquire)) != seq) futex_wait(&control_->response_seq, seen);
  return control_->response;
}

bool HostKernel::child_control(sdk::ChildOp op, unsigned child, sdk::Word entry_point) {
  Request r = op == sdk::ChildOp::Restart ? Request::ChildRestart
              : op == sdk::ChildOp::Stop  ? Request::ChildStop
                                          : Request::ChildResume;
  bool ok = request(r, child, entry_point) == 0;
  if (ok && single_runner()) yield_to_monitor(Yield::Continue);
  return ok;
}

void HostKernel::console_write(const char* text, size_t length) {
  while (length > 0) {
    long n = sys::write(kFdConsole, text, length);
    if (n <= 0) return;
    text += n;
    length -= static_cast<size_t>(n);
  }
}

bool HostKernel::anything_pending() const {
  if (control_->events.pending.load(std::memory_order_relaxed) != 0) return true;
  if (control_->child_faults.load(std::memory_order_relaxed) != 0) return true;
  for (unsigned i = 0; i < pair_count_; ++i) {
    if (pairs_[i].in->pending.load(std::memory_order_relaxed) & pairs_[i].receive_mask) return true;
  }
  for (unsigned i = 0; i < callee_count_; ++i) {
    if (ppc_pending(*callee_[i].slot)) return true;
  }
  return false;
}

// Collects one event: every notification bit if any (they come first, LIBMICROKIT.md §4.3), else
// the highest-priority protected call or child fault (FIFO within a priority).
bool HostKernel::poll(sdk::Event& ev) {
  uint64_t bits = 0;
  if (control_->events.pending.load(std::memory_order_relaxed) != 0) {
    bits |= control_->events.pending.exchange(0, std::memory_order_acq_rel);
    counters::add(counters::current().irqs_delivered, static_cast<uint64_t>(__builtin_popcountll(bits)));
  }
  for (unsigned i = 0; i < pair_count_; ++i) {
    Pair& p = pairs_[i];
    if (p.in->pending.load(std::memory_order_relaxed) != 0) bits |= p.in->pending.exchange(0, std::memory_order_acq_rel) & p.receive_mask;
  }
  if (bits != 0) {
    ev = sdk::Event{sdk::Event::Kind::Notifications, bits, 0, 0};
    return true;
  }

  int best = -1;  // >= 0: callee_ index; < -1: child fault index -2 - i
  unsigned best_prio = 0;
  uint64_t best_stamp = 0;
  for (unsigned i = 0; i < callee_count_; ++i) {
    PpcSlot* s = callee_[i].slot;
    uint32_t c = s->call_seq.load(std::memory_order_acquire);
    if (c == s->taken_seq.load(std::memory_order_relaxed)) continue;
    if (s->cancel_seq.load(std::memory_order_acquire) == c) {  // the caller gave up on it (R4)
      s->taken_seq.store(c, std::memory_order_release);
      continue;
    }
    uint64_t stamp = s->call_stamp.load(std::memory_order_relaxed);
    if (best == -1 || callee_[i].caller_priority > best_prio ||
        (callee_[i].caller_priority == best_prio && stamp < best_stamp)) {
      best = static_cast<int>(i);
      best_prio = callee_[i].caller_priority;
      best_stamp = stamp;
    }
  }
  uint64_t faults = control_->child_faults.load(std::memory_order_acquire);
  for (unsigned i = 0; faults != 0 && i < desc_->child_count; ++i) {
    if ((faults & (uint64_t{1} << i)) == 0) continue;
    if (best == -1 || children_[i].priority > best_prio) {
      best = -2 - static_cast<int>(i);
      best_prio = children_[i].priority;
    }
  }
  if (best == -1) return false;

  if (best >= 0) {
    PpcSlot* s = callee_[best].slot;
    uint64_t info = ppc_take(*s, mrs_, &owed_seq_);
    owed_ = Owed::Call;
    owed_slot_ = s;
    counters::add(counters::current().calls_served);
    ev = sdk::Event{sdk::Event::Kind::ProtectedCall, 0, callee_[best].channel, info};
  } else {
    unsigned i = static_cast<unsigned>(-2 - best);
    const ChildFault& f = control_->child_fault[i];
    copy_words(mrs_, f.mrs, message_count(f.info) < kFaultWords ? message_count(f.info) : kFaultWords);
    uint64_t info = f.info;
    control_->child_faults.fetch_and(~(uint64_t{1} << i), std::memory_order_acq_rel);
    owed_ = Owed::Fault;
    owed_child_ = children_[i].id;
    ev = sdk::Event{sdk::Event::Kind::ChildFault, 0, children_[i].id, info};
  }
  return true;
}

// Spinning pays only while a peer that may send runs on another CPU: a peer on this CPU (say, the
// caller just answered) cannot run before this PD stops, and a sleeping one sends nothing soon.
bool HostKernel::peer_busy_elsewhere(unsigned cpu) const {
  for (unsigned i = 0; i < pair_count_; ++i) {
    const StatusPage& peer = *pairs_[i].peer_status;
    if (peer.asleep.load(std::memory_order_relaxed) == 0 && peer.cpu.load(std::memory_order_relaxed) != cpu) return true;
  }
  return false;
}

void HostKernel::sleep() {
  // The CPU is published before waiting, so an event that comes during the spin is served without
  // that detour; after a real sleep the PD may run elsewhere and publishes again.
  unsigned cpu = current_cpu();
  publish_cpu(cpu);
  uint64_t spin = idle_spin_ && peer_busy_elsewhere(cpu) ? desc_->spin_ns : 0;
  bool slept = wait_until([this] { return anything_pending(); }, *status_, ins_, waitv_, waitv_count_, spin);
  if (slept) publish_cpu(current_cpu());
}

// Written only when it changed: peers read this line on every call, a store would take it away.
void HostKernel::publish_cpu(unsigned cpu) {
  if (status_->cpu.load(std::memory_order_relaxed) != cpu) status_->cpu.store(cpu, std::memory_order_relaxed);
}

sdk::Event HostKernel::wait(const sdk::WaitRequest& req) {
  // Deferred notifications: every bit per peer first, then one wake per peer.
  if (req.notify_count != 0) {
    uint64_t bits[kMaxIds] = {};
    counters::PdCounters& counted = counters::current();
    for (unsigned i = 0; i < req.notify_count; ++i) {
      const BootChannel& c = desc_->channels[req.notify[i]];
      bits[c.pair] |= uint64_t{1} << c.peer_id;
      counters::add(counted.notifications[req.notify[i]]);
    }
    for (unsigned i = 0; i < pair_count_; ++i) {
      if (bits[i] != 0) raise(*pairs_[i].out, bits[i], *pairs_[i].peer_status, pairs_[i].last_raised);
    }
  }
  uint32_t notes = 0;
  if (req.ack_count != 0) {
    uint64_t bits = 0;
    for (unsigned i = 0; i < req.ack_count; ++i) bits |= uint64_t{1} << req.ack[i];
    counters::add(counters::current().irqs_acked, req.ack_count);
    control_->irq_ack.fetch_or(bits, std::memory_order_seq_cst);
    notes |= kNoteIrqAck;
  }
  if (req.become_passive) notes |= kNotePassive;
  if (!init_reported_) {  // the first wait: init() has returned
    init_reported_ = true;
    notes |= kNoteInitDone;
  }
  if (notes != 0) note(notes);
  if (req.reply) {
    send_reply(req.reply_info);
  } else {
    owed_ = Owed::Nothing;
  }
  set_state(PdState::Waiting);
  if (single_runner() && (notes != 0 || req.notify_count != 0)) yield_to_monitor(Yield::Continue);

  sdk::Event ev;
  if (req.poll) {
    // A turn hook has more work: deliver what is pending, else return at once with nothing.
    if (single_runner()) yield_to_monitor(Yield::Continue);
    if (!poll(ev)) ev = sdk::Event{};
    set_state(PdState::Running);
    return ev;
  }
  while (!poll(ev)) {
    if (single_runner()) {
      yield_to_monitor(Yield::Wait);
    } else {
      sleep();
    }
  }
  set_state(PdState::Running);
  return ev;
}

}  // namespace corokit::host
