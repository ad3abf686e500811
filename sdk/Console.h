// Debug output of a PD: characters are collected into lines and handed to the kernel's console one
// whole line at a time (the monitor prefixes and never interleaves lines, LIBMICROKIT.md §4.11).
#pragma once

#include <cstdint>

namespace corokit::sdk {

void console_putc(char c);
void console_puts(const char* s);
void console_put_decimal(uint64_t value);
void console_put_hex(uint64_t value, unsigned digits);  // "0x" + exactly `digits` lowercase digits
// Writes the parts and a newline as one line.
void console_line_parts(const char* a, const char* b, const char* c = nullptr, const char* d = nullptr);
// Pushes out a partial line: called when the PD blocks, so a prompt without newline still appears.
void console_flush_partial_if_needed();

}  // namespace corokit::sdk
