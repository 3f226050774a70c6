#include "docroot.h"

#include "http_text.h"

namespace httpd {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
  return -1;
}

// Compares path[0, length) with the NUL-terminated `s` in strcmp order.
int compare(const char* path, size_t length, const char* s) {
  for (size_t i = 0; i < length; ++i) {
    if (s[i] == '\0') return 1;
    if (path[i] != s[i]) return static_cast<unsigned char>(path[i]) < static_cast<unsigned char>(s[i]) ? -1 : 1;
  }
  return s[length] == '\0' ? 0 : -1;
}

// True when `path` has a "." or ".." segment: such paths name nothing in the table.
bool has_dot_segment(const char* path, size_t length) {
  for (size_t i = 0; i < length; ++i) {
    if (path[i] != '/') continue;
    size_t j = i + 1;
    while (j < length && path[j] == '.') ++j;
    if (j > i + 1 && j - i - 1 <= 2 && (j == length || path[j] == '/')) return true;
  }
  return false;
}

}  // namespace

const DocFile* Docroot::find(const char* path, size_t length) const {
  size_t lo = 0, hi = count_;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = compare(path, length, files_[mid].path);
    if (c == 0) return &files_[mid];
    if (c < 0) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return nullptr;
}

uint16_t Docroot::resolve(const char* target, size_t length, const DocFile** file) const {
  // RFC 9112 3.2.2: absolute-form; drop "scheme://authority".
  size_t i = 0;
  const uint8_t* t = reinterpret_cast<const uint8_t*>(target);
  if (length >= 7 && (equals_ascii(t, 7, "http://", true) || (length >= 8 && equals_ascii(t, 8, "https://", true)))) {
    i = (t[4] == ':') ? 7 : 8;
    while (i < length && target[i] != '/' && target[i] != '?') ++i;
    if (i == length || target[i] == '?') return resolve("/", 1, file);  // empty path
  }
  if (i >= length || target[i] != '/') return 400;  // origin-form starts with '/'

  char path[kMaxPath + sizeof "index.html"];
  size_t n = 0;
  for (; i < length && target[i] != '?' && target[i] != '#'; ++i) {
    char c = target[i];
    if (c == '%') {  // RFC 3986 2.1
      int hi = i + 2 < length ? hex_value(target[i + 1]) : -1;
      int lo = hi >= 0 ? hex_value(target[i + 2]) : -1;
      if (lo < 0) return 400;
      c = static_cast<char>(hi * 16 + lo);
      if (c == '\0') return 400;
      i += 2;
    }
    if (n == kMaxPath) return 404;  // cannot name a file we have
    path[n++] = c;
  }
  if (path[n - 1] == '/') {
    for (const char* s = "index.html"; *s; ++s) path[n++] = *s;
  }
  if (has_dot_segment(path, n)) return 404;
  *file = find(path, n);
  return *file ? 200 : 404;
}

const char* content_type_for(const char* path) {
  static const struct {
    const char* extension;
    const char* type;
  } kTypes[] = {
      {"html", "text/html"},         {"htm", "text/html"},          {"css", "text/css"},
      {"js", "text/javascript"},     {"json", "application/json"},  {"txt", "text/plain"},
      {"xml", "application/xml"},    {"svg", "image/svg+xml"},      {"png", "image/png"},
      {"jpg", "image/jpeg"},         {"jpeg", "image/jpeg"},        {"gif", "image/gif"},
      {"ico", "image/x-icon"},       {"webp", "image/webp"},        {"wasm", "application/wasm"},
      {"pdf", "application/pdf"},    {"woff2", "font/woff2"},       {"bin", "application/octet-stream"},
  };
  const char* dot = nullptr;
  for (const char* p = path; *p; ++p) {
    if (*p == '.') dot = p;
    if (*p == '/') dot = nullptr;
  }
  if (dot != nullptr) {
    size_t length = 0;
    while (dot[1 + length] != '\0') ++length;
    for (const auto& entry : kTypes) {
      if (equals_ascii(reinterpret_cast<const uint8_t*>(dot + 1), length, entry.extension, true)) return entry.type;
    }
  }
  return "application/octet-stream";
}

}  // namespace httpd
