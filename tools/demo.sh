#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs the cold-start
# demo on the embedded default (our httpd image): a short vmm-coldstart run that prints
# the summary and the path of the plot.
# Without a usable /dev/kvm (or with VMM_KVM_TIER=tcg) the demo runs inside a
# software-emulated machine with a standard KVM (tools/tcg-kvm), 30 instances, and every
# figure is marked "emulated (QEMU-TCG): not libvmm's speed"; the plot is drawn here.
# Usage: tools/demo.sh [vmm-coldstart args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh" all
"$root/tools/build.sh"
coldstart=$root/build/benchmarks/coldstart/vmm-coldstart
out=$root/build/coldstart-demo
# shellcheck source=kvm-native.sh
source "$root/tools/kvm-native.sh"
reason=$(kvm_native_reason)
[[ ${VMM_KVM_TIER:-auto} == tcg ]] && reason="VMM_KVM_TIER=tcg"
if [[ -z $reason ]]; then
  exec "$coldstart" --count 300 --out "$out" "$@"
fi

echo "demo: no usable /dev/kvm ($reason): running the demo inside a software-emulated machine" \
  "(QEMU-TCG with a standard KVM), 30 instances; every figure is emulated, not libvmm's speed"
rm -rf "$out"
status=0
"$root/tools/tcg-kvm" --timeout 1200 --mem 2048 --tool ip --file "$coldstart" --file "$root/build/guests" \
  --collect "$out:$out" -- \
  "$coldstart" --count 30 --progress-every 10 --plot-script-only --out "$out" "$@" || status=$?
[[ -f $out/libvmm.gp ]] && (cd "$out" && gnuplot libvmm.gp) && echo "plot: $out/libvmm.svg and $out/libvmm.png"
exit $status
