// Replaces the global allocation functions of the benchmark binary to count heap allocations
// (kept in its own file so no caller sees both the replaced new and delete inline).
#include <cstdint>
#include <cstdlib>
#include <new>

std::uint64_t g_heap_allocations = 0;

void* operator new(std::size_t bytes) {
  ++g_heap_allocations;
  if (void* p = std::malloc(bytes == 0 ? 1 : bytes)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t bytes) { return operator new(bytes); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
