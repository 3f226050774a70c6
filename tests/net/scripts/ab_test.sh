#!/usr/bin/env bash
# ApacheBench with keep-alive (ab -k, 20000 requests; 1000 in the TCG tier), then without
# it (a connection per request, 5000; 300 in the TCG tier: the server closes first, so
# TIME-WAIT recycling gets exercised): no failed requests.
source "$(dirname "$0")/netns_lib.sh" "$@"
ensure_commands ab:apache2-utils
start_httpd tcp.time_wait_ms=1000

check_ab() {
  local out=$1 requests=$2
  grep -q "^Complete requests: *$requests$" <<<"$out" || fail "not all requests completed"
  grep -q "^Failed requests: *0$" <<<"$out" || fail "failed requests"
  ! grep -q "^Non-2xx responses" <<<"$out" || fail "non-2xx responses"
}

n=$(tier_count 20000 1000)
out=$(in_ns ab -q -k -n "$n" -c "$(tier_count 32 8)" "$URL/")
check_ab "$out" "$n"
grep -q "^Keep-Alive requests: *$n$" <<<"$out" || fail "ab -k: connections were not kept alive"
echo "ab -k: $(awk '/^Requests per second/ {print $4}' <<<"$out") requests/s"

n=$(tier_count 5000 300)
out=$(in_ns ab -q -n "$n" -c "$(tier_count 16 4)" "$URL/")
check_ab "$out" "$n"
echo "ab (no keep-alive): $(awk '/^Requests per second/ {print $4}' <<<"$out") requests/s"
check_alive
stop_httpd
grep -E "^(tcp|http):" "$LOG" || true
echo "PASS"
