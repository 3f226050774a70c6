#!/usr/bin/env bash
# wrk for 10 s with 64 keep-alive connections (in the TCG tier: 5 s with 8 connections
# and a 10 s request timeout): no socket errors, no non-2xx responses. Prints the rate.
source "$(dirname "$0")/netns_lib.sh" "$@"
ensure_commands wrk:wrk
start_httpd
out=$(in_ns wrk -t2 -c"$(tier_count 64 8)" -d"$(tier_count 10 5)"s --timeout "$(tier_count 2 10)"s "$URL/")
echo "$out"
! grep -q "Socket errors" <<<"$out" || fail "wrk reported socket errors"
! grep -q "Non-2xx" <<<"$out" || fail "wrk reported non-2xx responses"
rate=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
[[ -n $rate ]] || fail "no request rate in wrk output"
check_alive
stop_httpd
grep -E "^(loop|tcp|http):" "$LOG" || true
echo "wrk: $rate requests/s ($(tier_count 64 8) connections, keep-alive)"
echo "PASS"
