#include "sdk/Console.h"

#include "sdk/Kernel.h"

namespace corokit::sdk {
namespace {

constexpr unsigned kLineMax = 1024;
char g_line[kLineMax];
unsigned g_len = 0;

void flush() {
  if (g_len == 0) return;
  kernel().console_write(g_line, g_len);
  g_len = 0;
}

}  // namespace

void console_putc(char c) {
  g_line[g_len++] = c;
  if (c == '\n' || g_len == kLineMax) flush();
}

void console_puts(const char* s) {
  while (*s != '\0') console_putc(*s++);
}

void console_put_decimal(uint64_t value) {
  char digits[24];
  unsigned n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n != 0) console_putc(digits[--n]);
}

void console_put_hex(uint64_t value, unsigned digits) {
  console_puts("0x");
  for (unsigned i = digits; i-- > 0;) console_putc("0123456789abcdef"[(value >> (4 * i)) & 0xf]);
}

void console_line_parts(const char* a, const char* b, const char* c, const char* d) {
  const char* parts[] = {a, b, c, d};
  for (const char* p : parts) {
    if (p != nullptr) console_puts(p);
  }
  console_putc('\n');
}

void console_flush_partial_if_needed() { flush(); }

}  // namespace corokit::sdk
