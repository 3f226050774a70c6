/* Console, command line, checks and exits of the standard test guests. */
#include "std_rt.h"

enum { COM1 = 0x3f8, DEBUG_EXIT = 0xf4, I8042_COMMAND = 0x64 };

static const char* g_cmdline = "";
static unsigned g_failures;

void rt_putc(char c) { outb(COM1, (uint8_t)c); }

void rt_puts(const char* s) {
  while (*s) rt_putc(*s++);
}

void rt_put_hex(uint64_t v) {
  rt_puts("0x");
  int shift = 60;
  while (shift > 0 && ((v >> shift) & 0xf) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) rt_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void rt_put_dec(uint32_t v) {
  char buf[11];
  int i = 10;
  buf[i] = 0;
  do buf[--i] = (char)('0' + v % 10); while ((v /= 10) != 0);
  rt_puts(buf + i);
}

size_t rt_strlen(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

int rt_streq(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

void rt_set_cmdline(const char* cmdline) { g_cmdline = cmdline ? cmdline : ""; }

const char* rt_arg(const char* key) {
  const size_t n = rt_strlen(key);
  for (const char* p = g_cmdline; *p;) {
    while (*p == ' ') ++p;
    size_t i = 0;
    while (i < n && p[i] == key[i]) ++i;
    if (i == n && p[n] == '=') return p + n + 1;
    while (*p && *p != ' ') ++p;
  }
  return 0;
}

uint64_t rt_arg_u64(const char* key, uint64_t fallback) {
  const char* p = rt_arg(key);
  if (!p) return fallback;
  uint64_t v = 0;
  if (p[0] == '0' && p[1] == 'x') {
    for (p += 2; *p && *p != ' '; ++p) v = (v << 4) | (uint64_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
  } else {
    for (; *p >= '0' && *p <= '9'; ++p) v = v * 10 + (uint64_t)(*p - '0');
  }
  return v;
}

void rt_begin(const char* name, const char* cmdline) {
  rt_set_cmdline(cmdline);
  rt_boot_timer();
  rt_puts(name);
  rt_puts(" check\ncmdline: ");
  rt_puts(g_cmdline);
  rt_putc('\n');
}

void rt_check(int ok, const char* what, uint64_t got, uint64_t want) {
  if (ok) {
    rt_puts("ok ");
    rt_puts(what);
  } else {
    ++g_failures;
    rt_puts("FAIL ");
    rt_puts(what);
    rt_puts(" got=");
    rt_put_hex(got);
    rt_puts(" want=");
    rt_put_hex(want);
  }
  rt_putc('\n');
}

unsigned rt_failures(void) { return g_failures; }

static int arg_is(const char* key, const char* value) {
  const char* p = rt_arg(key);
  if (!p) return 0;
  while (*value && *p == *value) ++p, ++value;
  return *value == 0 && (*p == 0 || *p == ' ');
}

void rt_boot_timer(void) {
  /* Firecracker: write the magic byte 123 at its boot-timer device. */
  if (arg_is("boot_timer", "mmio")) PEEK(uint8_t, 0xc0000000u) = 123;
  if (arg_is("boot_timer", "port")) outb(0x3f0, 123);
}

void rt_finish(void) {
  if (g_failures == 0) {
    rt_puts("VERDICT PASS\n");
  } else {
    rt_puts("VERDICT FAIL ");
    rt_put_dec(g_failures);
    rt_putc('\n');
  }
  if (arg_is("exit", "i8042")) outb(I8042_COMMAND, 0xfe); /* pulse the CPU reset line */
  if (!arg_is("exit", "halt")) outl(DEBUG_EXIT, g_failures ? 1 : 0);
  for (;;) __asm__ volatile("cli; hlt");
}

/* Compilers may emit calls to these for structure copies. */
void* memset(void* d, int c, size_t n) {
  unsigned char* p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}

void* memcpy(void* d, const void* s, size_t n) {
  unsigned char* p = d;
  const unsigned char* q = s;
  while (n--) *p++ = *q++;
  return d;
}
