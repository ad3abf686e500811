/* The start-up check of generated bindings (`corokit gen`, docs/gen.md), for C and C++ PDs.
 *
 * A generated header records what the PD was compiled against: the id masks the packer patches into
 * microkit_irqs / microkit_notifications / microkit_pps / microkit_ioports, and every setvar whose
 * value the SDF fixes. It registers that record before main(); the SDK compares all registered
 * records with the patched values before init() runs and, on a mismatch, prints what differs and
 * crashes the PD, so a header generated from another SDF is caught instead of misbehaving.
 * Freestanding. */
#ifndef COROKIT_BINDINGS_H
#define COROKIT_BINDINGS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Map permissions of a region descriptor. */
#define COROKIT_PERM_READ 1u
#define COROKIT_PERM_WRITE 2u
#define COROKIT_PERM_EXECUTE 4u

/* A setvar symbol and the value the SDF gives it. `address` is null when the PD does not define
 * the symbol (C headers reach it through a weak reference); such an entry is skipped. */
struct corokit_setvar_check {
  const char *symbol;
  const volatile uint64_t *address;
  uint64_t value;
};

struct corokit_bindings {
  struct corokit_bindings *next; /* set by corokit_bindings_register */
  const char *pd;                /* the PD the header was generated for */
  const char *source;            /* the SDF it was generated from (file name, for messages) */
  uint64_t irqs;
  uint64_t notifications;
  uint64_t pps;
  uint64_t ioports;
  const struct corokit_setvar_check *setvars;
  unsigned setvar_count;
};

/* Adds a record to the start-up check; registering the same record again has no effect. */
void corokit_bindings_register(struct corokit_bindings *bindings);

/* Compares every registered record with the patched values; prints one line per difference.
 * Returns true when everything matches (or nothing is registered). The event loop calls it before
 * init() and crashes the PD when it returns false. */
bool corokit_bindings_check(void);

#ifdef __cplusplus
}
#endif

#endif /* COROKIT_BINDINGS_H */
