#!/usr/bin/env bash
# kvm_tier.sh: runs one ctest entry that needs KVM on the best KVM this machine has:
#   native  this machine's /dev/kvm, when it can be opened;
#   tcg     otherwise, a standard (SVM) KVM inside QEMU-TCG (tools/tcg-kvm), with the
#           entry's files and tools carried in. Slow: tests read VMM_TEST_TIER=tcg and
#           take the smaller of their two counts.
# VMM_KVM_TIER=auto (default) | native | tcg forces a tier (tcg also where /dev/kvm
# exists, so both paths can be tested on any machine). The entry is skipped (77) only
# where neither tier can run, saying why. When VMM_TIER_LOG names a file, one line
# "<entry> <tier> <status> <seconds> <Catch2 test cases or ->" is appended to it
# (tools/tier-summary.sh sums them up).
#
# Usage: kvm_tier.sh ENTRY [OPTIONS] -- COMMAND [ARGS...]
#   --file HOST[:GUEST]   carry a file or directory (tcg tier; default: same path)
#   --tool NAME           carry the host program NAME (tcg tier; replaces busybox's)
#   --python MODULES      carry Debian's python3 with these stdlib modules (blank-separated)
#   --pass NAME           pass the environment variable NAME, if set, into the tcg tier
#   --smp N --mem MiB --module NAME --collect GUEST:HOST   as tools/tcg-kvm
#   --tcg-timeout SEC     bound of the whole tcg run (default 900)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tcg_kvm=$here/../../tools/tcg-kvm

entry=${1:?usage: kvm_tier.sh ENTRY [OPTIONS] -- COMMAND [ARGS...]}
shift
tcg_args=() passes=() python_modules="" smp=1 mem=2048 timeout=900
while (($#)); do
  case $1 in
    --file | --tool | --module | --collect) tcg_args+=("$1" "$2"); shift 2 ;;
    --python) python_modules=$2; shift 2 ;;
    --pass) passes+=("$2"); shift 2 ;;
    --smp) smp=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --tcg-timeout) timeout=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "kvm_tier.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
(($#)) || { echo "kvm_tier.sh: no command" >&2; exit 2; }

start=$(date +%s)
output=$(mktemp "${TMPDIR:-/tmp}/kvm-tier.XXXXXX")
trap 'rm -f "$output"' EXIT
record() {  # record TIER STATUS: the log line, with the test cases Catch2 counted
  local cases
  cases=$(sed -n 's/.*\(test cases: *\|assertions\? in \)\([0-9]\+\).*/\2/p' "$output" | tail -n 1)
  [[ -n ${VMM_TIER_LOG:-} ]] && echo "$entry $1 $2 $(($(date +%s) - start)) ${cases:--}" >>"$VMM_TIER_LOG"
  return 0
}
# run COMMAND...: runs it with its output also kept for record(); sets status.
run() {
  "$@" 2>&1 | tee "$output"
  status=${PIPESTATUS[0]}
}

# shellcheck source=../../tools/kvm-native.sh
source "$here/../../tools/kvm-native.sh"
native_reason=$(kvm_native_reason)

tier=${VMM_KVM_TIER:-auto}
case $tier in
  auto) [[ -z $native_reason ]] && tier=native || tier=tcg ;;
  native)
    if [[ -n $native_reason ]]; then
      echo "SKIPPED: VMM_KVM_TIER=native, but $native_reason"
      record skipped 77
      exit 77
    fi
    ;;
  tcg) native_reason="VMM_KVM_TIER=tcg" ;;
  *) echo "kvm_tier.sh: VMM_KVM_TIER must be auto, native or tcg, not '$tier'" >&2; exit 2 ;;
esac

if [[ $tier == native ]]; then
  echo "kvm tier: native (/dev/kvm)"
  VMM_TEST_TIER=native run "$@"
  record native "$status"
  exit "$status"
fi

# The TCG tier. tools/tcg-kvm installs QEMU as root; without root it needs it installed.
if ! command -v qemu-system-x86_64 >/dev/null && [[ $(id -u) != 0 ]]; then
  echo "SKIPPED: $native_reason, and QEMU (for the TCG tier) is not installed and cannot be without root"
  record skipped 77
  exit 77
fi
echo "kvm tier: tcg ($native_reason): a standard SVM KVM inside QEMU-TCG (tools/tcg-kvm), $smp vCPU(s)"

if [[ -n $python_modules ]]; then
  # Debian's interpreter (not a pyenv shim), the stdlib files these modules load (and
  # encodings.idna, which socket needs for host names), and lib-dynload: the extension
  # modules and the landmark by which Python finds its exec_prefix.
  [[ -x /usr/bin/python3 ]] || { echo "FAIL: /usr/bin/python3 missing (Debian package python3)"; record tcg 1; exit 1; }
  tcg_args+=(--file "$(readlink -f /usr/bin/python3):/usr/bin/python3")
  while read -r f; do
    tcg_args+=(--file "$f")
  # shellcheck disable=SC2086 # the module list is split on purpose
  done < <(/usr/bin/python3 - $python_modules encodings.idna <<'EOF'
import os, sys, sysconfig
for m in sys.argv[1:]: __import__(m)
print(sysconfig.get_config_var('DESTSHARED'))
for m in list(sys.modules.values()):
    f = getattr(m, '__file__', None)
    if f and os.path.isfile(f): print(f)
EOF
  )
fi
env_args=(--env VMM_TEST_TIER=tcg)
for name in "${passes[@]}"; do
  [[ -n ${!name+x} ]] && env_args+=(--env "$name=${!name}")
done

run "$tcg_kvm" --timeout "$timeout" --smp "$smp" --mem "$mem" "${env_args[@]}" "${tcg_args[@]}" -- "$@"
case $status in
  124) echo "FAIL: the TCG tier ran past its bound of $timeout s" ;;
  125) echo "FAIL: tools/tcg-kvm could not run the entry (its message is above)" ;;
esac
record tcg "$status"
exit "$status"
