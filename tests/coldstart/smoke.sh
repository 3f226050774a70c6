#!/usr/bin/env bash
# coldstart_smoke: runs vmm-coldstart on 20 instances (10 in the TCG tier, VMM_TEST_TIER=tcg)
# twice (--repeat 2) and checks that every instance answered, answered again in the final
# probe, made no exits while idle, and that the teardown left nothing behind. Exit 77
# (skipped) without root or /dev/kvm.
# Usage: smoke.sh <vmm-coldstart> <output dir>
set -euo pipefail
bin=${1:?usage: $0 <vmm-coldstart> <output dir>}
out=${2:?usage: $0 <vmm-coldstart> <output dir>}
[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root"; exit 77; }
[[ -r /dev/kvm && -w /dev/kvm ]] || { echo "SKIP: no usable /dev/kvm"; exit 77; }
image=$(dirname "$bin")/../../guests/httpd.elf
[[ -r $image ]] || { echo "SKIP: $image not built"; exit 77; }

count=20
[[ ${VMM_TEST_TIER:-native} == tcg ]] && count=10
rm -rf "$out"
mkdir -p "$(dirname "$out")"
status=0
"$bin" --count "$count" --repeat 2 --idle 1 --no-plot --out "$out" >"$out.log" 2>&1 || status=$?
cat "$out.log"
[[ $status -eq 0 ]] || { echo "FAIL: vmm-coldstart exited with $status"; exit 1; }

fail=0
check() {  # check <description> <summary.txt pattern>
  if grep -Eq "$2" "$out/summary.txt"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}
check "$count instances answered"          "answered HTTP 200 +$count *\$"
check "no instance failed"             'failed \(no 200 within the timeout\) +0 *$'
check "no exits while idle"            'exits in the window, all instances +0 *$'
check "teardown left nothing behind"   'verdict +nothing left behind'
[[ -r $out/libvmm.csv && $(wc -l <"$out/libvmm.csv") -eq $((count + 1)) ]] && echo "ok: CSV has $count rows" ||
  { echo "FAIL: CSV"; fail=1; }
exit $fail
