// Replaces the global allocation functions of the test binary to count heap allocations, so tests
// can prove that spawning and resuming tasks allocates nothing in steady state.
#include <cstdlib>
#include <new>

#include "tests/executor/TestSupport.h"

namespace {
std::uint64_t g_allocations = 0;

void* counted_allocate(std::size_t bytes) {
  ++g_allocations;
  if (void* p = std::malloc(bytes == 0 ? 1 : bytes)) return p;
#if defined(__cpp_exceptions)
  throw std::bad_alloc();
#else
  std::abort();
#endif
}
}  // namespace

std::uint64_t corokit::exec::testing::heap_allocations() noexcept { return g_allocations; }

void* operator new(std::size_t bytes) { return counted_allocate(bytes); }
void* operator new[](std::size_t bytes) { return counted_allocate(bytes); }
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(bytes == 0 ? 1 : bytes);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
