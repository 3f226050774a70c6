#!/usr/bin/env bash
# The standard-guest tests that need a standard KVM (ctest: standard_tcg, label tcg):
# runs tests/standard/tcg/guest_cases.sh inside QEMU-TCG with nested SVM through
# tools/tcg-kvm, and checks every case passed. Among them a real Linux kernel (Debian's
# linux-image-cloud-amd64, prepared by tools/linux-guest/prepare) booted through the
# Linux 64-bit protocol and through PVH to its init and a reboot through the i8042.
# Exit 77 (skipped) with a message when the machine cannot do this (no qemu, no kernel).
#   run_tcg.sh SOURCE_DIR BUILD_DIR
set -u -o pipefail
SRC=$1 BUILD=$2
START=$(date +%s)
# One line for tools/test.sh's summary of the KVM tiers (tests/support/kvm_tier.sh).
record() { [ -z "${VMM_TIER_LOG:-}" ] || echo "standard_tcg $1 $2 $(($(date +%s) - START)) ${3:--}" >>"$VMM_TIER_LOG"; }
skip() { echo "SKIPPED: $*"; record skipped 77; exit 77; }
fail() { echo "FAILED: $*"; record tcg 1; exit 1; }

VMM_RUN=$BUILD/examples/vmm-run/vmm-run
GUESTS=$BUILD/guests
[ -x "$VMM_RUN" ] || fail "no $VMM_RUN (build the vmm-run target)"
for g in linux64_check pvh_check multiboot_check multiboot_addresses timer_irq smp_sipi; do
	[ -f "$GUESTS/std_$g.elf" ] || fail "no $GUESTS/std_$g.elf (build the standard_guests target)"
done
if ! command -v qemu-system-x86_64 >/dev/null && [ "$(id -u)" != 0 ]; then
	skip "qemu-system-x86_64 is not installed and tools/tcg-kvm cannot install it without root"
fi

paths=$("$SRC/tools/linux-guest/prepare") || skip "cannot prepare the Linux test guest (see the message above)"
VMLINUX=$(sed -n 's/^VMLINUX=//p' <<<"$paths")
INITRAMFS=$(sed -n 's/^INITRAMFS=//p' <<<"$paths")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/standard-tcg.XXXXXX") || fail "mktemp"
trap 'rm -rf "$WORK"' EXIT
PATTERN_SIZE=100003
python3 -c "import sys; sys.stdout.buffer.write(bytes((i * 131 + 7) & 255 for i in range($PATTERN_SIZE)))" \
	>"$WORK/pattern" || fail "cannot write the initrd pattern"

start=$(date +%s)
# One vCPU: the 2-vCPU guests still get two vCPUs (threads of the TCG machine), and the
# TCG machine then uses one host core, not two (2-vCPU TCG machines slow down 30x and more
# when another one shares the host). Measured the same, 25-28 s, with one or two.
"$SRC/tools/tcg-kvm" --timeout 900 --smp 1 --mem 1024 \
	--file "$VMM_RUN:/t/vmm-run" --file "$GUESTS:/t/guests" --file "$VMLINUX:/t/vmlinux" \
	--file "$INITRAMFS:/t/initramfs.cpio" --file "$WORK/pattern:/t/pattern" \
	--file "$SRC/tests/standard/tcg/guest_cases.sh:/t/guest_cases.sh" \
	-- sh /t/guest_cases.sh /t/vmm-run /t/guests /t/vmlinux /t/initramfs.cpio /t/pattern "$PATTERN_SIZE" \
	>"$WORK/out" 2>"$WORK/err"
rc=$?
cat "$WORK/out"
echo "(QEMU-TCG round trip: $(($(date +%s) - start)) s)"
if [ "$rc" = 125 ] && grep -qE "missing Debian packages|cannot install|apt" "$WORK/err"; then
	cat "$WORK/err"
	skip "tools/tcg-kvm cannot run here"
fi
[ "$rc" = 0 ] || { cat "$WORK/err"; fail "tools/tcg-kvm exited with $rc"; }
grep -q "^CASES DONE" "$WORK/out" || fail "the case script did not finish"
failed=$(grep -c "^CASE .* FAIL" "$WORK/out")
passed=$(grep -c "^CASE .* PASS" "$WORK/out")
[ "$failed" = 0 ] || fail "$failed case(s) failed"
[ "$passed" = 10 ] || fail "expected 10 passing cases, saw $passed"
echo "all $passed cases passed"
record tcg 0 10
