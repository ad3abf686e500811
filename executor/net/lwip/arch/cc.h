/* lwIP's architecture hooks for corokit (executor/net/LwipPort.cpp): diagnostics off, assertions
 * to the executor's panic hook, randomness from the port. */
#ifndef COROKIT_LWIP_ARCH_CC_H
#define COROKIT_LWIP_ARCH_CC_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
void corokit_lwip_assert(const char* message, const char* file, int line);
uint32_t corokit_lwip_rand(void);
#ifdef __cplusplus
}
#endif

#define LWIP_PLATFORM_DIAG(x) \
  do {                        \
  } while (0)
#define LWIP_PLATFORM_ASSERT(x) corokit_lwip_assert((x), __FILE__, __LINE__)
#define LWIP_RAND() corokit_lwip_rand()
#define LWIP_NO_CTYPE_H 1

#endif
