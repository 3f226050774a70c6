#!/usr/bin/env bash
# Self-test of tools/tcg-kvm (called by CI).
#
# Checks:
#   1. `tcg-kvm -- sh -c 'ls -l /dev/kvm; exit 3'` prints the /dev/kvm line
#      and exits 3 (output streaming, exit-status propagation, /dev/kvm).
#   2. kvm-selftest (C, KVM API: real mode + 64-bit ring-0 guest code, IO /
#      MMIO / HLT exits) exits 0 inside the guest.
#   3. fmt-hello (C++, dynamically linked against libfmt/libstdc++) runs with
#      arguments containing blanks; its exit status is its argument count.
#   4. --timeout: a command that outlives it makes the tool exit 124.
#   5. A guest without SVM (no /dev/kvm) makes the tool exit 125.
#   6. --tool ip: iproute2's ip replaces busybox's, also for /bin/sh (system(3)).
#   7. --collect: a directory written in the guest arrives byte-exact.
# Prints one line per check and a final "N passed, N failed" line; exits
# non-zero if any check failed. Needs gcc, g++ and libfmt-dev (installed with
# apt-get when missing and running as root).
set -o nounset -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOL=$HERE/../tcg-kvm
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcg-kvm-selftest.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT

passed=0 failed=0
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }

# Show a failing run's output (indented) for debugging.
show() { sed 's/^/    | /' "$1"; }

# --- build the test programs -------------------------------------------------
need=()
command -v gcc >/dev/null || need+=(gcc)
command -v g++ >/dev/null || need+=(g++)
[ -f /usr/include/fmt/core.h ] || need+=(libfmt-dev)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "selftest: installing ${need[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
			{ apt-get update >/dev/null 2>&1 &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1; }
	fi
fi
gcc -O2 -Wall -Wextra -o "$WORK/kvm-selftest" "$HERE/selftest/kvm-selftest.c" ||
	{ echo "selftest: cannot compile kvm-selftest.c"; exit 1; }
g++ -O1 -o "$WORK/fmt-hello" "$HERE/selftest/fmt-hello.cpp" -lfmt ||
	{ echo "selftest: cannot compile fmt-hello.cpp (libfmt-dev installed?)"; exit 1; }

# --- 1. exit status + /dev/kvm -------------------------------------------------
"$TOOL" -- sh -c 'ls -l /dev/kvm; exit 3' >"$WORK/out1" 2>"$WORK/err1"
rc=$?
if [ $rc = 3 ] && grep -q '^c.* /dev/kvm$' "$WORK/out1"; then
	pass "exit status 3 and /dev/kvm listed: $(cat "$WORK/out1")"
else
	fail "check 1: rc=$rc (want 3), output:"; show "$WORK/out1"; show "$WORK/err1"
fi

# --- 2. KVM API inside the guest -----------------------------------------------
(cd "$WORK" && "$TOOL" --file ./kvm-selftest -- ./kvm-selftest) >"$WORK/out2" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q '^kvm-selftest: PASSED' "$WORK/out2"; then
	pass "kvm-selftest: $(grep -E '^(real|long) mode' "$WORK/out2" | tr '\n' ';')"
else
	fail "check 2: kvm-selftest rc=$rc (want 0), output:"; show "$WORK/out2"
fi

# --- 3. dynamically linked C++ program -----------------------------------------
"$TOOL" --file "$WORK/fmt-hello:/opt/fmt-hello" -- /opt/fmt-hello a 'b c' >"$WORK/out3" 2>&1
rc=$?
if [ $rc = 2 ] && grep -qx 'fmt-hello: 2 args: \[a|b c\]' "$WORK/out3"; then
	pass "C++/libfmt program: $(cat "$WORK/out3")"
else
	fail "check 3: fmt-hello rc=$rc (want 2), output:"; show "$WORK/out3"
fi

# --- 4. timeout ------------------------------------------------------------------
"$TOOL" --timeout 12 -- sleep 600 >"$WORK/out4" 2>&1
rc=$?
if [ $rc = 124 ]; then
	pass "timeout gives 124"
else
	fail "check 4: rc=$rc (want 124), output:"; show "$WORK/out4"
fi

# --- 5. no /dev/kvm -> 125 ---------------------------------------------------------
"$TOOL" --cpu EPYC,-svm -- true >"$WORK/out5" 2>&1
rc=$?
if [ $rc = 125 ] && grep -q '/dev/kvm did not appear' "$WORK/out5"; then
	pass "guest without SVM gives 125 with a clear message"
else
	fail "check 5: rc=$rc (want 125), output:"; show "$WORK/out5"
fi

# --- 6. --tool replaces busybox's applet, for the command and for /bin/sh ---------------
"$TOOL" --tool ip -- sh -c 'ip -V; /bin/sh -c "ip -V"; readlink /bin/sh' >"$WORK/out6" 2>&1
rc=$?
if [ $rc = 0 ] && [ "$(grep -c '^ip utility, iproute2' "$WORK/out6")" = 2 ] && grep -qx dash "$WORK/out6"; then
	pass "--tool ip runs iproute2's ip, also through /bin/sh (dash)"
else
	fail "check 6: rc=$rc, output:"; show "$WORK/out6"
fi

# --- 7. --collect brings a directory back byte-exact ------------------------------------
head -c 300000 /dev/urandom >"$WORK/blob"
"$TOOL" --file "$WORK/blob:/in/blob" --collect "/out:$WORK/back" -- \
	sh -c 'mkdir -p /out/sub && cp /in/blob /out/sub/blob && echo hello >/out/note' >"$WORK/out7" 2>&1
rc=$?
if [ $rc = 0 ] && cmp -s "$WORK/blob" "$WORK/back/sub/blob" && [ "$(cat "$WORK/back/note" 2>/dev/null)" = hello ]; then
	pass "--collect: 300 KB and a note back byte-exact"
else
	fail "check 7: rc=$rc, output:"; show "$WORK/out7"
fi

echo "selftest: $passed passed, $failed failed"
[ $failed = 0 ]
