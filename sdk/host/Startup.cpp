// The first code a PD process runs (from corokit_host_start, before libc): everything here uses raw
// system calls only, no libc, no thread pointer, no stack protector (this file is built with
// -fno-stack-protector -fno-builtin -fno-tree-loop-distribute-patterns).
//
// Every SDF range is claimed before libc can allocate (LIBMICROKIT.md §6.1): maps at their vaddrs
// with MAP_FIXED_NOREPLACE, the SDF stack with its guard pages, the IPC page. Then the packer's patches
// are written, so patched values are in place before any constructor or libc code reads them.
#include "sdk/host/Startup.h"

#include <sys/mman.h>
#include <sys/prctl.h>

#include "sdk/host/Ipc.h"
#include "sdk/host/Syscall.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

namespace corokit::host {

Boot g_boot;

void ring_monitor() {
  uint64_t one = 1;
  sys::write(kFdMonitor, &one, sizeof one);
}

void yield_to_monitor(Yield why, uint32_t arg0, uint32_t arg1, uint32_t arg2) {
  ControlBlock* c = g_boot.control;
  uint32_t go = c->go.load(std::memory_order_acquire);
  c->yield = why;
  c->yield_arg[0] = arg0;
  c->yield_arg[1] = arg1;
  c->yield_arg[2] = arg2;
  c->yield_seq.fetch_add(1, std::memory_order_seq_cst);
  ring_monitor();
  while (c->go.load(std::memory_order_acquire) == go) futex_wait(&c->go, go);
}

namespace {

[[noreturn]] void fail(StartupError what, uint64_t addr, uint32_t index, long err) {
  ControlBlock* c = g_boot.control;
  if (c != nullptr) {
    c->fault.label = kStartupError;
    c->fault.code = static_cast<int32_t>(what);
    c->fault.addr = addr;
    c->fault.syscall = index;
    c->fault.signo = static_cast<int32_t>(-err);
    c->state.store(static_cast<uint32_t>(PdState::StartupError), std::memory_order_seq_cst);
    c->fault_seq.fetch_add(1, std::memory_order_seq_cst);
    ring_monitor();
  }
  sys::exit_group(111);
}

bool map_fixed(uint64_t addr, uint64_t size, int prot, int flags, int fd, long* err) {
  void* p = sys::mmap(addr, size, prot, flags | MAP_FIXED_NOREPLACE, fd, 0);
  if (sys::mmap_failed(p)) {
    *err = reinterpret_cast<long>(p);
    return false;
  }
  if (reinterpret_cast<uint64_t>(p) != addr) {  // kernels without MAP_FIXED_NOREPLACE
    sys::call(sys::kMunmap, reinterpret_cast<long>(p), static_cast<long>(size));
    *err = -17;  // EEXIST
    return false;
  }
  return true;
}

void copy_bytes(volatile uint8_t* to, const uint8_t* from, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) to[i] = from[i];
}

void apply_patch(const BootDescriptor* d, const BootPatch& p, uint32_t index) {
  const BootSegment* segs = boot_array<BootSegment>(d, d->segments_at);
  uint32_t prot = PROT_READ | PROT_WRITE;
  for (uint32_t s = 0; s < d->segment_count; ++s) {
    if (p.vaddr >= segs[s].vaddr && p.vaddr + p.length <= segs[s].vaddr + segs[s].mem_size) prot = segs[s].prot;
  }
  uint64_t first = p.vaddr & ~(kPageSize - 1);
  uint64_t len = ((p.vaddr + p.length + kPageSize - 1) & ~(kPageSize - 1)) - first;
  bool writable = (prot & PROT_WRITE) != 0;
  if (!writable && sys::call(sys::kMprotect, static_cast<long>(first), static_cast<long>(len), PROT_READ | PROT_WRITE) != 0) {
    fail(StartupError::Patch, p.vaddr, index, -1);
  }
  copy_bytes(reinterpret_cast<volatile uint8_t*>(p.vaddr), boot_array<uint8_t>(d, d->pool_at) + p.offset, p.length);
  if (!writable) sys::call(sys::kMprotect, static_cast<long>(first), static_cast<long>(len), static_cast<long>(prot));
}

}  // namespace

}  // namespace corokit::host

using namespace corokit::host;

extern "C" void corokit_host_early(void*) {
  void* dp = sys::mmap(0, 1 << 20, PROT_READ, MAP_SHARED, kFdBoot, 0);
  if (sys::mmap_failed(dp)) sys::exit_group(110);
  const BootDescriptor* d = static_cast<const BootDescriptor*>(dp);
  if (d->magic != kBootMagic || d->version != kAbiVersion || d->object_count > kMaxObjects) sys::exit_group(110);
  g_boot.descriptor = d;

  // Runtime objects first (anywhere above the SDF's address range), so failures can be reported.
  const BootObject* objects = boot_array<BootObject>(d, d->objects_at);
  for (uint32_t i = 0; i < d->object_count; ++i) {
    int prot = PROT_READ | (objects[i].writable ? PROT_WRITE : 0);
    void* p = sys::mmap(0, objects[i].size, prot, MAP_SHARED, objects[i].fd, 0);
    if (sys::mmap_failed(p)) {
      if (static_cast<int32_t>(i) == d->control_object) sys::exit_group(110);
      fail(StartupError::ObjectMap, 0, i, reinterpret_cast<long>(p));
    }
    g_boot.objects[i] = p;
    if (static_cast<int32_t>(i) == d->control_object) g_boot.control = static_cast<ControlBlock*>(p);
  }
  if (g_boot.control == nullptr) sys::exit_group(110);
  corokit::counters::attach(&g_boot.control->counters);

  long err = 0;
  const BootMap* maps = boot_array<BootMap>(d, d->maps_at);
  for (uint32_t i = 0; i < d->map_count; ++i) {
    if (!map_fixed(maps[i].vaddr, maps[i].size, static_cast<int>(maps[i].prot), MAP_SHARED, maps[i].fd, &err)) {
      fail(err == -17 ? StartupError::MapClash : StartupError::MapFailed, maps[i].vaddr, i, err);
    }
  }

  // IPC page, the guard page below it, the stack, and a guard page below the stack when that page is
  // free (an SDF map may end right at the stack).
  int anon = MAP_PRIVATE | MAP_ANONYMOUS;
  if (!map_fixed(kIpcPage, kPageSize, PROT_READ | PROT_WRITE, anon, -1, &err)) fail(StartupError::StackClash, kIpcPage, 0, err);
  if (!map_fixed(kIpcPage - kPageSize, kPageSize, PROT_NONE, anon | MAP_NORESERVE, -1, &err)) {
    fail(StartupError::StackClash, kIpcPage - kPageSize, 0, err);
  }
  if (!map_fixed(d->stack_bottom, d->stack_size, PROT_READ | PROT_WRITE, anon, -1, &err)) {
    fail(StartupError::StackClash, d->stack_bottom, 0, err);
  }
  map_fixed(d->stack_bottom - kPageSize, kPageSize, PROT_NONE, anon | MAP_NORESERVE, -1, &err);

  const BootPatch* patches = boot_array<BootPatch>(d, d->patches_at);
  for (uint32_t i = 0; i < d->patch_count; ++i) apply_patch(d, patches[i], i);

  sys::call(sys::kCloseRange, d->first_object_fd, ~0u, 0);
  sys::call(sys::kClose, kFdBoot);
  sys::call(sys::kPrctl, PR_SET_NAME, reinterpret_cast<long>(d->name), 0, 0, 0);

  if (d->flags & kBootSingleRunner) yield_to_monitor(Yield::Ready);
}
