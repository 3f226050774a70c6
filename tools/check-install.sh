#!/usr/bin/env bash
# Installs libvmm into a temporary prefix and builds the embedding example against it,
# once with find_package(vmm) and once with pkg-config: the package files must work for
# an embedder. Usage: tools/check-install.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: $0 BUILD_DIR}
prefix=$(mktemp -d /tmp/vmm-install.XXXXXX)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S "$root/examples/embed" -B "$prefix/embed-cmake" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/embed-cmake" >/dev/null
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" g++ "$root/examples/embed/embed.cpp" -o "$prefix/embed-pc" \
  $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs vmm)
for bin in "$prefix/embed-cmake/vmm-embed-example" "$prefix/embed-pc"; do
  out=$("$bin" 2>&1 || true)  # without arguments it prints its usage and exits 2
  [[ $out == *usage:* ]] || { echo "check-install: $bin does not run: $out" >&2; exit 1; }
done
echo "check-install: find_package(vmm) and pkg-config both build and link the embedding example"
