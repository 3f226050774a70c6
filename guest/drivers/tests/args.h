// "key=value" and flag arguments of the driver test and benchmark guests.
#pragma once

#include <stdint.h>

#include "rt/string.h"

namespace vdrv_test {

// The value of "key=..." among argv[1..], or nullptr.
inline const char* arg(int argc, char** argv, const char* key) {
  const size_t n = strlen(key);
  for (int i = 1; i < argc; ++i) {
    if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=') return argv[i] + n + 1;
  }
  return nullptr;
}

inline uint64_t arg_u64(int argc, char** argv, const char* key, uint64_t fallback) {
  const char* v = arg(argc, argv, key);
  if (v == nullptr) return fallback;
  uint64_t x = 0;
  while (*v >= '0' && *v <= '9') x = x * 10 + static_cast<uint64_t>(*v++ - '0');
  return x;
}

inline bool flag(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], name) == 0) return true;
  }
  return false;
}

}  // namespace vdrv_test
