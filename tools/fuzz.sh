#!/usr/bin/env bash
# Builds every libFuzzer target with clang (ASan + UBSan) in build-fuzz/ and runs each for
# SECONDS (default 30), failing on any crash, leak or sanitizer report.
# Usage: tools/fuzz.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
build="$root/build-fuzz"
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DVMM_BUILD_FUZZERS=ON \
  -DVMM_SANITIZE=address,undefined,fuzzer-no-link -DVMM_BUILD_TESTS=OFF -DVMM_BUILD_BENCHMARKS=OFF \
  -DVMM_BUILD_GUESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target fuzzers
status=0
while read -r fuzzer; do
  [ -n "$fuzzer" ] || continue
  corpus="$build/corpus/$fuzzer"
  mkdir -p "$corpus"
  bin=$(find "$build" -type f -name "$fuzzer" -perm -u+x | head -1)
  echo "== $fuzzer: ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -print_final_stats=1 "$corpus" >"$build/$fuzzer.log" 2>&1; then
    echo "FAIL: $fuzzer (log: $build/$fuzzer.log)"
    tail -30 "$build/$fuzzer.log"
    status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$build/$fuzzer.log" | tail -2
  fi
done < "$build/fuzzers.txt"
exit $status
