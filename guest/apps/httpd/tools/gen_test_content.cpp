// Host tool: writes the deterministic test content served by httpd-test.elf and the TAP
// harness: 1m.bin (1 MiB of pseudo-random bytes, every byte value occurs) and big.html
// (about 200 KiB of numbered lines). Usage: gen_test_content <output directory>
#include <cstdint>
#include <cstdio>
#include <string>

namespace {

bool write_file(const std::string& path, const std::string& data) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  return std::fclose(f) == 0 && ok;
}

std::string random_bytes(size_t size) {
  uint64_t x = 0x9e3779b97f4a7c15ull;  // xorshift64*, fixed seed
  std::string out;
  out.reserve(size);
  while (out.size() < size) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    uint64_t v = x * 0x2545f4914f6cdd1dull;
    for (int i = 0; i < 8 && out.size() < size; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  }
  return out;
}

std::string big_html() {
  std::string out = "<!DOCTYPE html>\n<html><head><title>big</title></head><body>\n";
  char line[96];
  for (int i = 0; out.size() < 200 * 1024; ++i) {
    std::snprintf(line, sizeof line, "<p>line %06d: the quick brown fox jumps over the lazy dog</p>\n", i);
    out += line;
  }
  return out + "</body></html>\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output directory>\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  if (!write_file(dir + "/1m.bin", random_bytes(1 << 20)) || !write_file(dir + "/big.html", big_html())) {
    std::perror("gen_test_content");
    return 1;
  }
  return 0;
}
