#pragma once

// Fatal-error hook of the executor. The core never prints, allocates or asserts: on an unrecoverable
// misuse (frame pool exhausted, a primitive destroyed with tasks waiting on it, ...) it calls the
// installed handler with a static message. The PD runtime binds it to its own fault path (e.g. a
// log line followed by microkit_internal_crash); tests install one that aborts with the message.

namespace corokit::exec {

// Must not return. Called with a NUL-terminated static string.
using PanicHandler = void (*)(const char* message);

// Installs `handler` and returns the previous one; nullptr restores the default, which traps.
PanicHandler set_panic_handler(PanicHandler handler) noexcept;

[[noreturn]] void panic(const char* message) noexcept;

}  // namespace corokit::exec
