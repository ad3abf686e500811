// The shared-memory contract between the monitor (system/runtime) and the PD runtime (sdk/host):
// the layouts of the objects they share and the boot descriptor a PD starts from. Plain data,
// freestanding; both sides include it. Every object is its own memfd, mapped only into the PDs the
// SDF entitles to it (docs/runtime.md, "Isolation").
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "sdk/PdCounters.h"

namespace corokit::host {

inline constexpr uint32_t kAbiVersion = 5;
inline constexpr uint64_t kPageSize = 0x1000;
inline constexpr unsigned kMaxIds = 62;
inline constexpr unsigned kMaxMrs = 120;
inline constexpr unsigned kMaxChildren = 64;
inline constexpr unsigned kFaultWords = 24;
// Microkit's IPC buffer page (SDF.md §6.3): the PD's message registers live there on the host too.
inline constexpr uint64_t kIpcPage = 0x6fff'ffff'f000;

// File descriptors a PD process starts with.
inline constexpr int kFdConsole = 1;    // and 2: a pipe to the monitor, one line per write
inline constexpr int kFdMonitor = 3;    // eventfd: "look at my control block"
inline constexpr int kFdBoot = 4;       // the boot descriptor (read-only memfd)
inline constexpr int kFdDevices = 5;       // 5..15: a driver's device resources (DeviceInfo.h)
inline constexpr int kFdFirstObject = 16;

// Published by a PD about itself: writable only by its owner (and the monitor), read-only for every
// PD that notifies or calls it. Senders trust this word, so nobody else can make them skip a wake-up.
struct alignas(64) StatusPage {
  std::atomic<uint32_t> asleep;   // 1 from just before the owner blocks until it runs again
  std::atomic<uint32_t> cpu;      // the CPU the owner last ran on
  // Written by the monitor: why the owner cannot serve calls now (a CallFailure value: faulted,
  // stopped, died), 0 while it can. Callers in fail-fast mode give up at once (R4).
  std::atomic<uint32_t> down;
};

// One direction of notifications between two PDs: bits in the receiver's id space, and the
// receiver's wake-up word for this sender. Only the two PDs of the pair map it.
struct alignas(64) Direction {
  std::atomic<uint64_t> pending;
  // Futex word: the receiver sets it to 0 before it sleeps; the first sender to see the receiver
  // asleep sets it to 1 and wakes it (so a burst costs one FUTEX_WAKE).
  std::atomic<uint32_t> woken;
};

// One protected-call path (a `pp` channel end), laid out so that a call moves as few cache lines
// between the two CPUs as possible: the request half (written by the caller only), the reply half
// (written by the callee only) and the callee's bookkeeping each start a 64-byte line, and each
// half's header is followed by its first message words, so a call of up to 4 words moves one line
// to the callee and a reply of up to 6 words one line back. Sequence numbers make torn or stale
// data detectable (a restarted peer continues from the current sequence).
struct alignas(64) PpcSlot {
  // The request half: the caller.
  std::atomic<uint32_t> call_seq;         // incremented per call
  std::atomic<uint32_t> cancel_seq;       // the call it gave up on (R4); never served then
  std::atomic<uint32_t> caller_sleeping;  // the caller sleeps on reply_seq: the reply must wake it
  uint32_t reserved0;
  uint64_t call_info;
  std::atomic<uint64_t> call_stamp;       // arrival tick (arrival_tick()), for FIFO among equal priorities;
                                          // written only when BootChannel::stamp_calls says so
  uint64_t call_mrs[kMaxMrs];
  // The reply half: the callee.
  alignas(64) std::atomic<uint32_t> reply_seq;  // the call it answered; the caller's futex word
  uint32_t reserved1;
  uint64_t reply_info;
  uint64_t reply_mrs[kMaxMrs];
  // The callee's own line: nobody reads it on the call path.
  alignas(64) std::atomic<uint32_t> taken_seq;  // the call it started serving
};
static_assert(offsetof(PpcSlot, call_mrs) == 32 && offsetof(PpcSlot, reply_seq) == 1024 &&
              offsetof(PpcSlot, reply_mrs) == 1040 && offsetof(PpcSlot, taken_seq) == 2048 && sizeof(PpcSlot) == 2112);

// The object shared by two PDs that have at least one channel: both notification directions,
// then the protected-call slots of their `pp` channels.
struct PairHeader {
  Direction dir[2];  // dir[0]: side 0 → side 1 (side 0 is the PD with the lower index)
};
inline constexpr uint64_t pair_slot_offset(unsigned slot) {
  return (sizeof(PairHeader) + 63) / 64 * 64 + slot * sizeof(PpcSlot);
}
inline constexpr uint64_t pair_object_size(unsigned slots) {
  return (pair_slot_offset(slots) + kPageSize - 1) / kPageSize * kPageSize;
}

// Why a PD stopped: filled by its fault handler from the signal and its context.
struct FaultRecord {
  uint32_t label;      // seL4 fault type (LIBMICROKIT.md §4.8)
  int32_t signo;
  int32_t code;        // si_code
  uint32_t syscall;    // SIGSYS: the refused system call
  uint64_t addr;       // si_addr
  uint64_t pc, sp, flags;
  uint64_t error_code; // x86-64 page-fault error code (the "fsr")
  uint64_t regs[20];   // rip rsp rflags rax rbx rcx rdx rsi rdi rbp r8..r15 fs_base gs_base
  uint32_t count;      // words in mrs
  uint64_t mrs[kFaultWords];
};

// A child's fault as its parent receives it.
struct ChildFault {
  uint64_t info;  // msginfo: label = fault type, count = words
  uint64_t mrs[kFaultWords];
};

// Asynchronous news from a PD (bits of ControlBlock::notes).
enum Note : uint32_t {
  kNoteInitDone = 1u << 0,  // init() returned
  kNotePassive = 1u << 1,   // the passive hand-shake
  kNoteIrqAck = 1u << 2,    // bits in irq_ack
  kNoteCallTimeout = 1u << 3,  // a protected call timed out: ControlBlock::timed_out_channel
};

// Synchronous requests (the PD waits for the response).
enum class Request : uint32_t {
  None = 0,
  ChildRestart,  // arg0 = child id, arg1 = entry point
  ChildStop,
  ChildResume,
  FaultReply,    // arg0 = child id, arg1 = reply msginfo: resume the child
};

// Single-runner mode: why the running PD gives the CPU back to the monitor.
enum class Yield : uint32_t {
  None = 0,
  Ready,     // set up, about to run constructors and init()
  Wait,      // blocked in its event loop
  Call,      // blocked in a protected call: arg = pair index, slot, channel
  Continue,  // a kernel operation that may let a higher-priority PD run (notify, ack, request)
};

// Per PD, shared with the monitor only.
struct alignas(64) ControlBlock {
  uint32_t magic;
  uint32_t version;
  // monitor → PD
  Direction events;                       // pending = IRQ bits; woken = the PD's wake word
  std::atomic<uint64_t> child_faults;     // bit i: children[i] has faulted (record below)
  ChildFault child_fault[kMaxChildren];   // by index in the PD's child table
  // PD → monitor (then a write to kFdMonitor)
  std::atomic<uint32_t> notes;            // Note bits: things the monitor should look at
  std::atomic<uint64_t> irq_ack;          // IRQ ids to unmask
  std::atomic<uint32_t> request_seq;      // a synchronous request ...
  std::atomic<uint32_t> response_seq;     // ... and its answer (futex word)
  Request request;
  uint64_t request_arg[2];
  int64_t response;
  std::atomic<uint32_t> fault_seq;        // the PD faulted (record below) ...
  std::atomic<uint32_t> verdict_seq;      // ... and the monitor's answer (futex word)
  uint32_t verdict;                       // 1 = resume
  FaultRecord fault;
  std::atomic<uint32_t> state;            // PdState, for reports and idle detection
  // single-runner mode
  std::atomic<uint32_t> go;               // futex word: the monitor lets the PD run
  std::atomic<uint32_t> yield_seq;
  Yield yield;
  uint32_t yield_arg[3];
  // R4: the monitor ends a protected call without a reply (fail-fast, or a timeout in single-runner
  // mode): the call's channel and sequence number and why (sdk::CallFailure), then abort_seq is
  // incremented (a futex word the caller waits on together with the reply).
  std::atomic<uint32_t> abort_seq;
  uint32_t abort_channel;
  uint32_t abort_call_seq;
  uint32_t abort_reason;
  uint32_t timed_out_channel;             // PD → monitor with kNoteCallTimeout
  // Written only by the PD (its runtime and SDK components), read by the monitor for --stats; kept
  // across restarts. Its own cache lines: counting never shares a line with the words above.
  counters::PdCounters counters;
};

enum class PdState : uint32_t { Starting = 0, Init, Running, Waiting, Calling, Faulted, StartupError };

// FaultRecord::label for a PD that could not set itself up (not an seL4 fault).
inline constexpr uint32_t kStartupError = 0xffff;
enum class StartupError : uint32_t { None = 0, BadDescriptor, MapClash, MapFailed, StackClash, ObjectMap, Patch };

inline constexpr uint32_t kControlMagic = 0x636b6374;  // "tcks"

// ---- the boot descriptor -------------------------------------------------------------------------
// Written by the monitor into a sealed memfd; read once by the PD's startup code.

enum BootFlags : uint32_t {
  kBootSingleRunner = 1u << 0,
  kBootChecked = 1u << 1,  // misuse faults the PD (R5/R6)
  kBootPassive = 1u << 2,
  kBootCallFailFast = 1u << 3,  // a call to a callee that faults, stops, restarts or dies fails (R4)
  kBootNoIdleSpin = 1u << 4,    // pinned to a CPU with other PDs: spinning while idle would only delay them
};

enum class ChannelKind : uint8_t { None = 0, Channel, Irq };

struct BootMap {
  uint64_t vaddr;
  uint64_t size;
  uint32_t prot;   // PROT_* bits
  int32_t fd;
};

struct BootPatch {
  uint64_t vaddr;
  uint32_t offset;  // into the descriptor's byte pool
  uint32_t length;
};

struct BootSegment {
  uint64_t vaddr;
  uint64_t mem_size;
  uint32_t prot;
};

// A shared object the PD maps where the kernel likes (runtime pages).
struct BootObject {
  int32_t fd;
  uint32_t writable;
  uint64_t size;
};

struct BootChannel {
  ChannelKind kind;
  uint8_t can_notify;     // this end has notify="true"
  uint8_t can_call;       // this end has pp="true"
  uint8_t peer_id;        // the id of the other end (the bit to set)
  uint16_t pair;          // index into pairs
  uint16_t slot;          // pp: slot in the pair object (as caller or callee)
  uint8_t callee;         // the other end calls this PD over this channel
  uint8_t peer_priority;
  uint16_t peer;          // index into peers
  uint32_t call_timeout_us; // pp: give up on a call after this long (R4); 0: wait as Microkit does
  uint8_t stamp_calls;    // pp: the callee has another caller PD of this PD's priority, so calls carry
                          // their arrival tick (FIFO within a priority); otherwise no tick is taken
};

struct BootPair {
  uint32_t object;        // index into objects
  uint32_t side;          // 0 or 1 (self pair: 0)
  uint64_t receive_mask;  // bits the peer may raise here (ids whose peer end can notify)
  uint32_t peer;          // index into peers
};

struct BootPeer {
  uint32_t status_object; // index into objects (read-only; self: writable)
  uint32_t pd_index;
};

struct BootChild {
  uint32_t id;
  uint32_t pd_index;
  uint32_t priority;
};

struct BootDevice {
  uint32_t irq_id;        // this PD's id for the device IRQ
  uint32_t kind;          // board::DeviceKind
  int32_t fd;             // the host resource (a timerfd, ...), or -1
  int32_t fd2;            // a second one where the device has it (console output), or -1
};

struct BootDescriptor {
  uint32_t magic;
  uint32_t version;
  uint32_t flags;
  uint32_t pd_index;
  char name[64];
  uint32_t priority;
  uint32_t cpu_count;      // CPUs available (spin only when > 1)
  uint64_t spin_ns;        // bounded spin before sleeping
  uint64_t stack_bottom;
  uint64_t stack_size;
  int32_t control_object;  // index into objects
  int32_t own_status;      // index into objects
  int32_t first_object_fd; // fds from here on are closed once mapped; device fds lie below
  uint32_t map_count, patch_count, segment_count, object_count;
  uint32_t pair_count, peer_count, child_count, device_count;
  uint32_t filter_length;  // BPF instructions of the runtime's seccomp filter
  uint32_t pool_size;
  BootChannel channels[kMaxIds];
  // followed by the arrays at these offsets from the start of the descriptor
  uint32_t maps_at, patches_at, segments_at, objects_at, pairs_at, peers_at, children_at, devices_at;
  uint32_t filter_at, pool_at;
  uint32_t total_size;
};

inline constexpr uint32_t kBootMagic = 0x746f6f62;  // "boot"

template <typename T>
const T* boot_array(const BootDescriptor* d, uint32_t offset) {
  return reinterpret_cast<const T*>(reinterpret_cast<const char*>(d) + offset);
}

}  // namespace corokit::host
