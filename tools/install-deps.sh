#!/usr/bin/env bash
# Installs the Debian 12 packages libvmm needs to build and test, when missing.
# Usage: tools/install-deps.sh [build|test|all]   (default: all). Needs root for apt-get.
set -euo pipefail

build_pkgs=(cmake g++ make pkg-config linux-libc-dev libfmt-dev catch2 libbenchmark-dev
            nlohmann-json3-dev libcli11-dev)
# Tests: networking clients, plots, the QEMU-TCG tier, fuzzers.
test_pkgs=(iproute2 iputils-ping curl wrk apache2-utils gnuplot-nox qemu-system-x86 busybox-static
           cpio clang libclang-rt-14-dev python3 kmod)

want=()
case "${1:-all}" in
  build) want=("${build_pkgs[@]}") ;;
  test|all) want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}
