#!/usr/bin/env bash
# Builds libvmm and its unit, KVM and virtio tests with clang and ASan + UBSan in
# build-asan/ and runs them: any leak, overflow or undefined behaviour fails. The KVM
# tests run through tests/support/kvm_tier.sh: on /dev/kvm, or in the TCG tier without it.
# Usage: tools/sanitize.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-asan"
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
  -DVMM_SANITIZE=address,undefined -DVMM_BUILD_BENCHMARKS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DVMM_SKIP_AREAS="net;standard;coldstart" >/dev/null
targets=(vmm_unit_tests vmm_kvm_tests)
[ -d "$root/tests/virtio" ] && targets+=(virtio_unit_tests virtio_kvm_tests)
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" vmm-run
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
vmm_run=$(find "$build/examples" -type f -name vmm-run -perm -u+x | head -1)
for t in "${targets[@]}"; do
  bin=$(find "$build/tests" -type f -name "$t" -perm -u+x | head -1)
  echo "== $t (ASan + UBSan)"
  run=("$bin")
  if [[ $t == *_kvm_tests ]]; then
    run=(bash "$root/tests/support/kvm_tier.sh" "sanitizers:$t" --file "$bin" --file "$build/guests"
         --file "$vmm_run" --tool ip --pass ASAN_OPTIONS --pass UBSAN_OPTIONS -- "$bin")
  fi
  "${run[@]}" || { rc=$?; [ $rc -eq 77 ] && echo "skipped" || status=1; }
done
exit $status
