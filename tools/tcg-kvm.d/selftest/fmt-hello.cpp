// fmt-hello — tiny dynamically linked C++ program (libfmt, libstdc++) used by
// tools/tcg-kvm.d/selftest.sh to check that shared libraries reach the guest.
// Prints one line and exits with the number of arguments it got (so argument
// passing, including spaces and quotes, is checked too).
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <string>
#include <vector>

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  fmt::print("fmt-hello: {} args: [{}]\n", args.size(), fmt::join(args, "|"));
  return static_cast<int>(args.size());
}
