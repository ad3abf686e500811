/* libmicrokit's C API for PDs on the corokit host board (LIBMICROKIT.md).
 *
 * Names, types, signatures and semantics follow seL4 Microkit's libmicrokit, so a Microkit C PD builds
 * and runs unchanged. Hardware-only functions (hypervisor, SMC, x86 I/O ports, VT-x) are absent on the
 * host board: using one is a compile error. The libsel4 subset PD code uses directly is provided here;
 * other libsel4 names are deliberately absent. */
#ifndef COROKIT_MICROKIT_H
#define COROKIT_MICROKIT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- libsel4 subset ------------------------------------------------------------------------- */
typedef uint64_t seL4_Word;
typedef uint8_t seL4_Bool;
typedef uint8_t seL4_Uint8;
typedef uint16_t seL4_Uint16;
typedef uint32_t seL4_Uint32;
typedef uint64_t seL4_Uint64;
typedef int8_t seL4_Int8;
typedef int16_t seL4_Int16;
typedef int32_t seL4_Int32;
typedef int64_t seL4_Int64;
typedef seL4_Word seL4_CPtr;

#define seL4_True ((seL4_Bool)1)
#define seL4_False ((seL4_Bool)0)
#define seL4_CapNull ((seL4_CPtr)0)
#define seL4_MsgMaxLength 120

typedef enum { seL4_NoError = 0 } seL4_Error;

/* One 64-bit word: label 63..12, caps unwrapped 11..9, extra caps 8..7, length 6..0. */
typedef struct seL4_MessageInfo {
  seL4_Word words[1];
} seL4_MessageInfo_t;

static inline seL4_MessageInfo_t seL4_MessageInfo_new(seL4_Uint64 label, seL4_Uint64 capsUnwrapped,
                                                      seL4_Uint64 extraCaps, seL4_Uint64 length) {
  seL4_MessageInfo_t m;
  m.words[0] = ((label & 0xfffffffffffffull) << 12) | ((capsUnwrapped & 0x7u) << 9) |
               ((extraCaps & 0x3u) << 7) | (length & 0x7fu);
  return m;
}
static inline seL4_Uint64 seL4_MessageInfo_get_label(seL4_MessageInfo_t m) { return m.words[0] >> 12; }
static inline seL4_Uint64 seL4_MessageInfo_get_length(seL4_MessageInfo_t m) { return m.words[0] & 0x7fu; }
static inline seL4_Uint64 seL4_MessageInfo_get_capsUnwrapped(seL4_MessageInfo_t m) {
  return (m.words[0] >> 9) & 0x7u;
}
static inline seL4_Uint64 seL4_MessageInfo_get_extraCaps(seL4_MessageInfo_t m) { return (m.words[0] >> 7) & 0x3u; }
static inline seL4_MessageInfo_t seL4_MessageInfo_set_label(seL4_MessageInfo_t m, seL4_Uint64 v) {
  m.words[0] = (m.words[0] & 0xfffull) | ((v & 0xfffffffffffffull) << 12);
  return m;
}
static inline seL4_MessageInfo_t seL4_MessageInfo_set_length(seL4_MessageInfo_t m, seL4_Uint64 v) {
  m.words[0] = (m.words[0] & ~0x7full) | (v & 0x7fu);
  return m;
}

/* Message registers of this PD (its "IPC buffer"). */
seL4_Word seL4_GetMR(int i);
void seL4_SetMR(int i, seL4_Word v);

/* Fault labels (MCS numbering) and fault message-register indices. */
typedef enum {
  seL4_Fault_NullFault = 0,
  seL4_Fault_CapFault = 1,
  seL4_Fault_UnknownSyscall = 2,
  seL4_Fault_UserException = 3,
  seL4_Fault_Timeout = 5,
  seL4_Fault_VMFault = 6,
} seL4_FaultType;

enum {
  seL4_VMFault_IP = 0,
  seL4_VMFault_Addr = 1,
  seL4_VMFault_PrefetchFault = 2,
  seL4_VMFault_FSR = 3,
  seL4_VMFault_Length = 4,
};

/* ---- libmicrokit ------------------------------------------------------------------------------ */
typedef unsigned int microkit_channel;
typedef unsigned int microkit_child;
typedef unsigned int microkit_ioport;
typedef seL4_MessageInfo_t microkit_msginfo;

#define MICROKIT_MAX_CHANNELS 62
#define MICROKIT_MAX_CHANNEL_ID (MICROKIT_MAX_CHANNELS - 1)
#define MICROKIT_MAX_IOPORT_ID MICROKIT_MAX_CHANNELS
#define MICROKIT_MAX_USER_CAPS 128
#define MICROKIT_PD_NAME_LENGTH 64

/* Capability slots: same values as Microkit; they name nothing on the host. */
#define MONITOR_EP 5
#define TCB_CAP 6
#define ARM_SMC_CAP 7
#define BASE_OUTPUT_NOTIFICATION_CAP 10
#define BASE_ENDPOINT_CAP 74
#define BASE_IRQ_CAP 138
#define BASE_TCB_CAP 202
#define BASE_VM_TCB_CAP 266
#define BASE_VCPU_CAP 330
#define BASE_IOPORT_CAP 394
#define BASE_USER_CAPS 458
#define PD_ROOT_CAP_BITS 6
#define PD_ROOT_CAP_SIZE 64

/* Patched by the packer (SDF.md §8). */
extern char microkit_name[MICROKIT_PD_NAME_LENGTH];
extern seL4_Word microkit_irqs;
extern seL4_Word microkit_notifications;
extern seL4_Word microkit_pps;
extern seL4_Word microkit_ioports;

/* The deferred API's state, for compatibility: microkit_have_signal reads true while any deferred
 * action is pending. Writing these is unsupported on the host. */
extern seL4_Bool microkit_have_signal;
extern seL4_CPtr microkit_signal_cap;
extern seL4_MessageInfo_t microkit_signal_msg;

/* Entry points supplied by the PD. `protected` and `fault` have weak defaults that print a message
 * and crash the PD. */
void init(void);
void notified(microkit_channel ch);
#ifdef __cplusplus
/* `protected` is a C++ keyword: C++ code reaches the same symbol under another name. */
microkit_msginfo microkit_protected_entry(microkit_channel ch, microkit_msginfo msginfo) __asm__("protected");
#else
microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo);
#endif
seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo);

/* A deliberate write to address `err`: the fault report shows the error code as the address. */
void microkit_internal_crash(seL4_Error err) __attribute__((noreturn));

void microkit_dbg_putc(int c);
void microkit_dbg_puts(const char *s);
void microkit_dbg_put8(seL4_Uint8 x);
void microkit_dbg_put32(seL4_Uint32 x);

void microkit_notify(microkit_channel ch);
void microkit_irq_ack(microkit_channel ch);
microkit_msginfo microkit_ppcall(microkit_channel ch, microkit_msginfo msginfo);
void microkit_deferred_notify(microkit_channel ch);
void microkit_deferred_irq_ack(microkit_channel ch);

void microkit_pd_restart(microkit_child pd, seL4_Word entry_point);
void microkit_pd_stop(microkit_child pd);
void microkit_pd_resume(microkit_child pd);

microkit_msginfo microkit_msginfo_new(seL4_Word label, seL4_Uint16 count);
seL4_Word microkit_msginfo_get_label(microkit_msginfo msginfo);
seL4_Word microkit_msginfo_get_count(microkit_msginfo msginfo);

void microkit_mr_set(seL4_Uint8 mr, seL4_Word value);
seL4_Word microkit_mr_get(seL4_Uint8 mr);

/* Declared as in Microkit; there is nothing to invoke on the host, so it returns seL4_CapNull. */
seL4_CPtr microkit_cspace_root_slot_to_cptr(seL4_Word slot);

#ifdef __cplusplus
}
#endif

#endif /* COROKIT_MICROKIT_H */
