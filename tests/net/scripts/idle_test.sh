#!/usr/bin/env bash
# An idle stack must not wake up: after some traffic has ended (and its timers expired),
# the event loop must run no iteration at all for 5 s. tap_httpd prints its loop counters
# on SIGUSR1 without counting that as an iteration. The guest (NET_TARGET=guest) is seen
# from outside: while it is blocked in the wait hypercall its vCPU thread never runs, so
# vmm-run's voluntary context switches and CPU time must not move.
source "$(dirname "$0")/netns_lib.sh" "$@"
start_httpd tcp.time_wait_ms=200 httpd.keepalive_timeout_ms=300

# "iterations=N frames=M" (tap_httpd) or "iterations=<context switches> frames=0 cpu_ticks=T".
counters() {
  if [[ $NET_TARGET == guest ]]; then
    local switches=0 ticks t
    for t in /proc/"$HTTPD_PID"/task/*; do
      switches=$((switches + $(awk '/^voluntary_ctxt_switches/ {print $2}' "$t/status")))
    done
    ticks=$(awk '{print $14 + $15}' /proc/"$HTTPD_PID"/stat)
    echo "loop: iterations=$switches frames=0 cpu_ticks=$ticks"
    return
  fi
  kill -USR1 "$HTTPD_PID"
  sleep 0.2
  grep "^loop:" "$LOG" | tail -n 1
}
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }

download_exact /big.html "$CONTENT_DIR/big.html"
# Leave one connection idle in keep-alive until the server's timeout closes it, and one
# closed by the server (HTTP/1.0): its TIME-WAIT must expire too.
in_ns curl -sS --max-time 5 -o /dev/null --http1.0 "$URL/"
sleep 1.5
before=$(counters)
sleep 5
after=$(counters)
iterations=$(($(field iterations "$after") - $(field iterations "$before")))
frames=$(($(field frames "$after") - $(field frames "$before")))
echo "idle 5 s: $iterations loop iterations, $frames frames (before: $before; after: $after)"
[[ $iterations == 0 ]] || fail "the idle stack woke up $iterations times"
if [[ $NET_TARGET == guest ]]; then
  # A guest that polls instead of blocking never switches voluntarily but burns its core:
  # at most 2 clock ticks of CPU time (user + system) in the 5 s.
  ticks=$(($(field cpu_ticks "$after") - $(field cpu_ticks "$before")))
  ((ticks <= 2)) || fail "the idle guest used $ticks clock ticks of CPU in 5 s"
fi
check_alive
stop_httpd
echo "PASS"
