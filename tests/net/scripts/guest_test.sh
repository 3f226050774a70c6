#!/usr/bin/env bash
# The httpd unikernel itself: httpd-test.elf booted by vmm-run with 4 MiB of RAM and a
# virtio-net device on the namespace's TAP, then the curl checks, a 1 MiB download
# byte-exact and a short wrk run (64 connections; 8 in the TCG tier); the guest must still
# be serving at the end.
# Args: <tap_httpd> <test content dir> <vmm-run> <httpd-test.elf>
source "$(dirname "$0")/netns_lib.sh" "$@"
VMM_RUN=${LIB_REST[0]:?missing vmm-run}
IMAGE=${LIB_REST[1]:?missing guest image}
[[ -c /dev/kvm ]] || skip "/dev/kvm is missing"
[[ -x $VMM_RUN && -f $IMAGE ]] || skip "vmm-run or $IMAGE not built"
ensure_commands wrk:wrk

start_server "$VMM_RUN" --mem 4M --net "$TAP" --cmdline "netdev.ip=$GUEST_IP/$PREFIX:$HOST_IP --" "$IMAGE"
download_exact / "$DOCROOT_DIR/index.html"
code=$(in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/missing")
[[ $code == 404 ]] || fail "expected 404, got $code"
connects=$(in_ns curl -sS --max-time 10 -o /dev/null -o /dev/null -w '%{num_connects} ' "$URL/" "$URL/big.html")
[[ $connects == "1 0 " ]] || fail "keep-alive not reused (num_connects: $connects)"
download_exact /1m.bin "$CONTENT_DIR/1m.bin"
echo "ok: guest serves GET, 404, keep-alive, 1 MiB byte-exact in 4 MiB of RAM"
connections=$(tier_count 64 8)
out=$(in_ns wrk -t2 -c"$connections" -d3s --timeout "$(tier_count 2 10)"s "$URL/")
! grep -qE "Socket errors|Non-2xx" <<<"$out" || fail "wrk errors: $out"
echo "guest wrk: $(awk '/^Requests\/sec:/ {print $2}' <<<"$out") requests/s ($connections connections, 3 s)"
check_alive
# vmm-run kills the guest on SIGTERM and reports it with status 130.
kill -TERM "$HTTPD_PID"
status=0
wait "$HTTPD_PID" || status=$?
HTTPD_PID=
[[ $status == 130 ]] || fail "vmm-run ended with status $status instead of 130 (killed)"
echo "PASS"
