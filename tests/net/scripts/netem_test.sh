#!/usr/bin/env bash
# Downloads under loss, reordering and duplication in both directions, every response
# byte-exact. With tc netem: on the TAP's egress (towards the stack) and, through an ifb
# device, on its ingress (from the stack). Kernels without sch_netem (CONFIG_NET_SCH_NETEM
# unset, as on our CI hosts) fall back to tap_httpd's own impairment of both directions
# (same loss/reorder/duplicate rates), and say so.
source "$(dirname "$0")/netns_lib.sh" "$@"
NETEM=(loss 5% delay 1ms reorder 25% 50% duplicate 2%)

if in_ns tc qdisc add dev "$TAP" root netem "${NETEM[@]}" 2>"$WORK/tc.err"; then
  in_ns ip link add "$IFB" type ifb || fail "cannot create an ifb device"
  in_ns ip link set "$IFB" up
  in_ns tc qdisc add dev "$TAP" handle ffff: ingress
  in_ns tc filter add dev "$TAP" parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev "$IFB"
  in_ns tc qdisc add dev "$IFB" root netem "${NETEM[@]}"
  echo "impairment: tc netem ${NETEM[*]} on $TAP egress and on its ingress via $IFB"
  start_httpd
else
  echo "NOTE: tc netem unavailable here ($(tr -d '\n' <"$WORK/tc.err")): kernel built without"
  echo "      CONFIG_NET_SCH_NETEM. Falling back to userspace impairment of both directions"
  echo "      ($NET_TARGET: $([[ $NET_TARGET == guest ]] && echo "tap_bridge between the guest's tap and the host's" || echo "tap_httpd --impair"))."
  start_httpd --impair loss=5,reorder=25,dup=2 --seed $$
fi

start=$(date +%s.%N)
for i in 1 2 3; do
  download_exact /1m.bin "$CONTENT_DIR/1m.bin"
done
download_exact /big.html "$CONTENT_DIR/big.html"
download_exact / "$DOCROOT_DIR/index.html"
echo "ok: 3 x 1 MiB, big.html and index byte-exact in $(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo '?') s"

# Parallel downloads and keep-alive reuse under impairment.
pids=()
for i in 1 2 3 4; do
  download_exact /1m.bin "$CONTENT_DIR/1m.bin" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a parallel download failed"; done
in_ns curl -sS --fail --max-time 120 -o "$WORK/a" -o "$WORK/b" "$URL/big.html" "$URL/1m.bin" || fail "keep-alive pair failed"
cmp -s "$WORK/a" "$CONTENT_DIR/big.html" && cmp -s "$WORK/b" "$CONTENT_DIR/1m.bin" || fail "keep-alive pair differs"
echo "ok: 4 parallel 1 MiB downloads and a keep-alive pair byte-exact"
check_alive
stop_httpd
grep -E "^(tcp|http|impair):" "$LOG" || true
echo "PASS"
