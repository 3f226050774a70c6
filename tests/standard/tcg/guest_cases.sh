#!/bin/sh
# Runs inside the QEMU-TCG machine of tools/tcg-kvm (a standard SVM KVM): boots the
# standard test guests and a real Linux with vmm-run, prints one line per case,
#   CASE <name> PASS|FAIL <seconds> s <detail>
# and, for a failure, the tail of that case's output. Each case has its own bound (vmm-run's
# --timeout, and `timeout` 30 s beyond it around vmm-run itself), so a slow case fails
# alone and the others still run. Usage (paths inside the machine):
#   guest_cases.sh VMM_RUN GUEST_DIR VMLINUX INITRAMFS PATTERN_FILE PATTERN_SIZE
set -u
R=$1 G=$2 VMLINUX=$3 INITRAMFS=$4 PATTERN=$5 PATTERN_SIZE=$6
OUT=/tmp/case.out

# case NAME EXPECT_REGEX... -- VMM_RUN_ARGS: passes when vmm-run exits 0 and its output
# (console and exit line) matches every regex.
case_run() {
	name=$1
	shift
	expects=""
	while [ "$1" != "--" ]; do expects="$expects
$1"; shift; done
	shift
	bound=$(echo "$*" | sed -n 's/.*--timeout \([0-9]*\).*/\1/p')
	started=$(date +%s)
	timeout -s KILL $((${bound:-60} + 30)) "$R" "$@" >"$OUT" 2>&1
	rc=$?
	took="$(($(date +%s) - started)) s"
	missing=""
	old_ifs=$IFS
	IFS='
'
	for e in $expects; do
		[ -n "$e" ] && ! grep -qE -- "$e" "$OUT" && missing="$missing [$e]"
	done
	IFS=$old_ifs
	if [ "$rc" = 0 ] && [ -z "$missing" ]; then
		echo "CASE $name PASS $took"
	else
		echo "CASE $name FAIL $took rc=$rc missing:$missing"
		tail -n 25 "$OUT" | sed 's/^/    | /'
	fi
}

LINUX_CMDLINE="console=ttyS0 reboot=k panic=-1 quiet"
INIT_LINE="LINUX-GUEST-INIT: hello from init"
RESET="guest reset through the i8042 keyboard controller"

# A real Linux (Debian's cloud kernel): 64-bit protocol on 2 vCPUs, PVH chosen from the
# image's note, the split irqchip without a PIT, and a power-off through ACPI.
case_run linux64-2cpu "$INIT_LINE" "2 CPU\(s\)" "$RESET" -- \
	--protocol linux --cpus 2 --mem 256M --timeout 240 --initrd "$INITRAMFS" --cmdline "$LINUX_CMDLINE" "$VMLINUX"
case_run linux-pvh-auto "$INIT_LINE" "\"protocol\": \"pvh\"" "\"reason\": \"reset\"" -- \
	--json --mem 256M --timeout 240 --initrd "$INITRAMFS" --cmdline "$LINUX_CMDLINE" "$VMLINUX"
case_run linux64-split "$INIT_LINE" "$RESET" -- \
	--protocol linux --irqchip split --no-pit --mem 256M --timeout 240 --initrd "$INITRAMFS" \
	--cmdline "$LINUX_CMDLINE" "$VMLINUX"
case_run linux64-poweroff "$INIT_LINE" "powered off through ACPI" -- \
	--protocol linux --mem 256M --timeout 240 --initrd "$INITRAMFS" \
	--cmdline "$LINUX_CMDLINE test.action=poweroff" "$VMLINUX"

# The test guests of guest/standard on SVM (they run on PVM hosts too).
CHECK_ARGS="ram=33554432 cpus=2 initrd=$PATTERN_SIZE boot_timer=mmio exit=i8042"
for g in linux64_check pvh_check multiboot_check multiboot_addresses; do
	case_run "$g" "VERDICT PASS" "Booted successfully" "$RESET" -- \
		--mem 32M --cpus 2 --timeout 60 --initrd "$PATTERN" --cmdline "$CHECK_ARGS" "$G/std_$g.elf"
done
case_run timer_irq "VERDICT PASS" "$RESET" -- --timeout 60 --cmdline "ticks=20 exit=i8042" "$G/std_timer_irq.elf"
case_run smp_sipi "VERDICT PASS" "$RESET" -- --timeout 60 --cpus 2 --cmdline "cpus=2 exit=i8042" "$G/std_smp_sipi.elf"
echo "CASES DONE"
