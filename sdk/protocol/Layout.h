/* Layout assertions that read the same in C and C++ (every protocol struct is pinned by them). */
#ifndef COROKIT_PROTOCOL_LAYOUT_H
#define COROKIT_PROTOCOL_LAYOUT_H

#ifdef __cplusplus
#define COROKIT_STATIC_ASSERT(expr, msg) static_assert(expr, msg)
#define COROKIT_ALIGNOF(type) alignof(type)
#else
#define COROKIT_STATIC_ASSERT(expr, msg) _Static_assert(expr, msg)
#define COROKIT_ALIGNOF(type) _Alignof(type)
#endif

#endif
