#!/usr/bin/env bash
# ApacheBench with keep-alive (ab -k), then without it (a connection per request: the
# server closes first, so TIME-WAIT recycling gets exercised): no failed requests.
source "$(dirname "$0")/netns_lib.sh" "$@"
ensure_commands ab:apache2-utils
start_httpd tcp.time_wait_ms=1000

check_ab() {
  local out=$1 requests=$2
  grep -q "^Complete requests: *$requests$" <<<"$out" || fail "not all requests completed"
  grep -q "^Failed requests: *0$" <<<"$out" || fail "failed requests"
  ! grep -q "^Non-2xx responses" <<<"$out" || fail "non-2xx responses"
}

out=$(in_ns ab -q -k -n 20000 -c 32 "$URL/")
check_ab "$out" 20000
grep -q "^Keep-Alive requests: *20000$" <<<"$out" || fail "ab -k: connections were not kept alive"
echo "ab -k: $(awk '/^Requests per second/ {print $4}' <<<"$out") requests/s"

out=$(in_ns ab -q -n 5000 -c 16 "$URL/")
check_ab "$out" 5000
echo "ab (no keep-alive): $(awk '/^Requests per second/ {print $4}' <<<"$out") requests/s"
check_alive
stop_httpd
grep -E "^(tcp|http):" "$LOG" || true
echo "PASS"
