# Shared by the network tests (sourced): checks the prerequisites, creates a private
# network namespace with a TAP interface, runs tap_httpd on it and removes everything on
# exit. Only 198.18.0.0/15 addresses are used and no traffic leaves the namespace.
#
# Usage in a test:  source netns_lib.sh "$@"
# (args: <tap_httpd> <test content dir> [test-specific arguments, left in LIB_REST])
#
# The server is tap_httpd (the stack in a host process) by default, or the httpd
# unikernel itself with NET_TARGET=guest: GUEST_VMM_RUN, GUEST_IMAGE and TAP_BRIDGE then
# name vmm-run, the image (httpd-test.elf) and the impairing bridge for --impair;
# GUEST_VMM_ARGS adds vmm-run options (e.g. `--protocol pvh`: the image's PVH entry,
# devices found through virtio_mmio.device= on its command line, notified by ioeventfd)
# and GUEST_EXPECT_PROTOCOL the protocol vmm-run must report having booted.
set -euo pipefail

TAP_HTTPD=${1:?usage: $0 <tap_httpd> <test content dir>}
CONTENT_DIR=${2:?usage: $0 <tap_httpd> <test content dir>}
LIB_REST=("${@:3}")
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DOCROOT_DIR=$SCRIPT_DIR/../../../guest/apps/httpd/docroot
NS=vmmtest-$$
TAP=vmmtap$$
IFB=vmmifb$$
GTAP=vmmgtap$$
NET_TARGET=${NET_TARGET:-harness}
BRIDGE_PID=
HOST_IP=198.18.0.1
GUEST_IP=198.18.0.2
PREFIX=15
URL=http://$GUEST_IP
WORK=$(mktemp -d /tmp/vmmnet.XXXXXX)
LOG=$WORK/tap_httpd.log
HTTPD_PID=

# tier_count NATIVE TCG: a load for this KVM tier (VMM_TEST_TIER=tcg inside QEMU-TCG,
# where the guest runs hundreds of times slower; never zero).
tier_count() { [[ ${VMM_TEST_TIER:-native} == tcg ]] && echo "$2" || echo "$1"; }

skip() {
  echo "SKIP: $*"
  exit 77
}

fail() {
  echo "FAIL: $*"
  if [[ -f $LOG ]]; then
    echo "--- tap_httpd log ---"
    tail -n 30 "$LOG"
  fi
  exit 1
}

# ensure_commands <command>:<debian package> ...: installs what is missing.
ensure_commands() {
  local missing=() spec
  for spec in "$@"; do
    command -v "${spec%%:*}" >/dev/null 2>&1 || missing+=("${spec#*:}")
  done
  ((${#missing[@]} == 0)) && return 0
  command -v apt-get >/dev/null || skip "missing ${missing[*]} and no apt-get"
  echo "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; } ||
    skip "cannot install ${missing[*]}"
}

cleanup() {
  local pid
  for pid in "$HTTPD_PID" "$BRIDGE_PID"; do
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}

in_ns() { ip netns exec "$NS" "$@"; }

[[ $EUID -eq 0 ]] || skip "network tests need root (namespaces, TAP)"
[[ -c /dev/net/tun ]] || skip "/dev/net/tun is missing"
[[ -x $TAP_HTTPD ]] || fail "tap_httpd not found at $TAP_HTTPD"
if [[ $NET_TARGET == guest ]]; then
  [[ -c /dev/kvm ]] || skip "/dev/kvm is missing"
  [[ -x ${GUEST_VMM_RUN:-} && -f ${GUEST_IMAGE:-} && -x ${TAP_BRIDGE:-} ]] ||
    fail "NET_TARGET=guest needs GUEST_VMM_RUN, GUEST_IMAGE and TAP_BRIDGE"
fi
ensure_commands ip:iproute2 curl:curl

trap cleanup EXIT
ip netns add "$NS"
in_ns ip link set lo up
in_ns ip tuntap add dev "$TAP" mode tap
# No IPv6 chatter (router solicitations, MLD) on the link: the idle test counts wakeups.
in_ns sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=1" 2>/dev/null || true
in_ns ip addr add "$HOST_IP/$PREFIX" dev "$TAP"
in_ns ip link set "$TAP" up

# start_server <command...>: runs a server in the namespace, logging to $LOG, and waits
# for httpd's ready line.
start_server() {
  # Not through in_ns: $! must be the server itself (ip netns exec execs it), not a subshell.
  ip netns exec "$NS" "$@" >"$LOG" 2>&1 &
  HTTPD_PID=$!
  local i
  for i in $(seq 100); do
    grep -q "^httpd: listening on $GUEST_IP:80" "$LOG" 2>/dev/null && return 0
    kill -0 "$HTTPD_PID" 2>/dev/null || fail "the server exited during start"
    sleep 0.1
  done
  fail "the server did not print its ready line"
}

# start_httpd [name=value ...] [--impair SPEC --seed N]: the server on the namespace's
# network, with httpd parameters (and impairment of both directions).
start_httpd() {
  if [[ $NET_TARGET == guest ]]; then
    start_guest "$@"
  else
    start_server "$TAP_HTTPD" --tap "$TAP" "netdev.ip=$GUEST_IP/$PREFIX:$HOST_IP" "$@"
  fi
}

# start_guest: httpd-test.elf under vmm-run (4 MiB, virtio-net). Impairment goes through
# tap_bridge: the guest gets its own tap, bridged to the host's.
start_guest() {
  local params=() impair="" seed=1 net=$TAP
  while (($#)); do
    case $1 in
      --impair) impair=$2; shift 2 ;;
      --seed) seed=$2; shift 2 ;;
      *) params+=("$1"); shift ;;
    esac
  done
  if [[ -n $impair ]]; then
    in_ns ip tuntap add dev "$GTAP" mode tap
    in_ns sysctl -qw "net.ipv6.conf.$GTAP.disable_ipv6=1" 2>/dev/null || true
    in_ns ip link set "$GTAP" up
    ip netns exec "$NS" "$TAP_BRIDGE" --host-tap "$TAP" --guest-if "$GTAP" --impair "$impair" --seed "$seed" \
      >"$WORK/bridge.log" 2>&1 &
    BRIDGE_PID=$!
    net=$GTAP
  fi
  local vmm_args=()
  read -r -a vmm_args <<<"${GUEST_VMM_ARGS:-}"
  start_server "$GUEST_VMM_RUN" --mem 4M --net "$net" "${vmm_args[@]}" \
    --cmdline "netdev.ip=$GUEST_IP/$PREFIX:$HOST_IP ${params[*]} --" "$GUEST_IMAGE"
}

# stop_httpd: stops the server. tap_httpd prints its counters into the log and exits 0;
# vmm-run kills the guest and exits 130.
stop_httpd() {
  kill -TERM "$HTTPD_PID"
  local status=0
  wait "$HTTPD_PID" || status=$?
  HTTPD_PID=
  if [[ $NET_TARGET == guest ]]; then
    [[ $status == 130 ]] || fail "vmm-run exited with status $status instead of 130"
    # vmm-run names the protocol it booted; GUEST_EXPECT_PROTOCOL makes sure it is the one asked for.
    if [[ -n ${GUEST_EXPECT_PROTOCOL:-} ]]; then
      grep -q "($GUEST_EXPECT_PROTOCOL protocol)" "$LOG" ||
        fail "vmm-run did not boot the image with the $GUEST_EXPECT_PROTOCOL protocol"
    fi
    if [[ -n $BRIDGE_PID ]]; then
      kill -TERM "$BRIDGE_PID"
      wait "$BRIDGE_PID" || true
      BRIDGE_PID=
      cat "$WORK/bridge.log" >>"$LOG"
    fi
  else
    [[ $status == 0 ]] || fail "the server exited with status $status"
  fi
}

# check_alive: the server process still runs and answers.
check_alive() {
  kill -0 "$HTTPD_PID" 2>/dev/null || fail "the server died"
  local code
  code=$(in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/") || true
  [[ $code == 200 ]] || fail "server no longer answers (got '$code')"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# download_exact <path> <expected file> [curl args...]: GET must return the file byte-exact.
download_exact() {
  local path=$1 expected=$2 out
  shift 2
  out=$WORK/download.$RANDOM
  in_ns curl -sS --fail --max-time 120 -o "$out" "$@" "$URL$path" || fail "GET $path failed"
  [[ $(sha "$out") == $(sha "$expected") ]] || fail "GET $path: content differs ($(stat -c %s "$out") bytes)"
  rm -f "$out"
}
