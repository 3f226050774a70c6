#include "rt/format.h"

#include <stdint.h>

#include "rt/string.h"

namespace rt {
namespace {

struct Out {
  char* buf;
  size_t size;
  size_t len = 0;
  void put(char c) {
    if (len + 1 < size) buf[len] = c;
    ++len;
  }
  void pad(char c, int n) {
    for (int i = 0; i < n; ++i) put(c);
  }
};

void emit_number(Out& out, uint64_t v, unsigned base, bool upper, bool negative, int width,
                 bool left, bool zero) {
  char digits[24];
  int n = 0;
  const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    digits[n++] = set[v % base];
    v /= base;
  } while (v != 0);
  int total = n + (negative ? 1 : 0);
  if (!left && !zero) out.pad(' ', width - total);
  if (negative) out.put('-');
  if (!left && zero) out.pad('0', width - total);
  while (n > 0) out.put(digits[--n]);
  if (left) out.pad(' ', width - total);
}

}  // namespace

size_t vformat(char* buf, size_t size, const char* fmt, va_list ap) {
  Out out{buf, size};
  for (const char* p = fmt; *p != '\0'; ++p) {
    if (*p != '%') {
      out.put(*p);
      continue;
    }
    ++p;
    bool left = false, zero = false, alternate = false;
    for (;; ++p) {
      if (*p == '-') left = true;
      else if (*p == '0') zero = true;
      else if (*p == '#') alternate = true;
      else break;
    }
    int width = 0;
    if (*p == '*') {
      width = va_arg(ap, int);
      ++p;
    } else {
      while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
    }
    int precision = -1;
    if (*p == '.') {
      ++p;
      precision = 0;
      if (*p == '*') {
        precision = va_arg(ap, int);
        ++p;
      } else {
        while (*p >= '0' && *p <= '9') precision = precision * 10 + (*p++ - '0');
      }
    }
    int longs = 0;
    while (*p == 'l') ++longs, ++p;
    if (*p == 'z') longs = 2, ++p;
    auto unsigned_arg = [&]() -> uint64_t {
      if (longs >= 1) return longs >= 2 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned long);
      return va_arg(ap, unsigned int);
    };
    switch (*p) {
      case 'd':
      case 'i': {
        int64_t v = longs >= 2 ? va_arg(ap, long long) : longs == 1 ? va_arg(ap, long) : va_arg(ap, int);
        uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        emit_number(out, mag, 10, false, v < 0, width, left, zero);
        break;
      }
      case 'u': emit_number(out, unsigned_arg(), 10, false, false, width, left, zero); break;
      case 'x':
        if (alternate) out.put('0'), out.put('x'), width -= 2;
        emit_number(out, unsigned_arg(), 16, false, false, width, left, zero);
        break;
      case 'X': emit_number(out, unsigned_arg(), 16, true, false, width, left, zero); break;
      case 'o': emit_number(out, unsigned_arg(), 8, false, false, width, left, zero); break;
      case 'p':
        out.put('0');
        out.put('x');
        emit_number(out, reinterpret_cast<uintptr_t>(va_arg(ap, void*)), 16, false, false, width, left, zero);
        break;
      case 'c': {
        char c = static_cast<char>(va_arg(ap, int));
        if (!left) out.pad(' ', width - 1);
        out.put(c);
        if (left) out.pad(' ', width - 1);
        break;
      }
      case 's': {
        const char* s = va_arg(ap, const char*);
        if (s == nullptr) s = "(null)";
        int n = static_cast<int>(precision >= 0 ? strnlen(s, static_cast<size_t>(precision)) : strlen(s));
        if (!left) out.pad(' ', width - n);
        for (int i = 0; i < n; ++i) out.put(s[i]);
        if (left) out.pad(' ', width - n);
        break;
      }
      case '%': out.put('%'); break;
      case '\0': --p; break;
      default:
        out.put('%');
        out.put(*p);
        break;
    }
  }
  if (size > 0) buf[out.len < size ? out.len : size - 1] = '\0';
  return out.len;
}

size_t format(char* buf, size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t n = vformat(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

}  // namespace rt
