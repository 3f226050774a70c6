#!/usr/bin/env bash
# curl against tap_httpd: GET, HEAD, keep-alive reuse, 404, 1 MiB byte-exact, ICMP echo.
source "$(dirname "$0")/netns_lib.sh" "$@"
start_httpd

download_exact / "$DOCROOT_DIR/index.html"
download_exact /index.html "$DOCROOT_DIR/index.html"
echo "ok: GET / returns the welcome page"

headers=$(in_ns curl -sS -I --max-time 5 "$URL/")
grep -q "^HTTP/1.1 200 OK" <<<"$headers" || fail "HEAD: $headers"
grep -qi "^Content-Type: text/html" <<<"$headers" || fail "HEAD without Content-Type"
grep -qi "^Content-Length: $(stat -c %s "$DOCROOT_DIR/index.html")" <<<"$headers" || fail "HEAD Content-Length wrong"
grep -qi "^Date: [A-Z][a-z][a-z], [0-9][0-9] [A-Z][a-z][a-z] 20[0-9][0-9] [0-9:]* GMT" <<<"$headers" || fail "no Date"
grep -qi "^Server: libvmm-httpd" <<<"$headers" || fail "no Server"
body=$(in_ns curl -sS -X HEAD --max-time 5 -o - "$URL/" 2>/dev/null | wc -c) || true
[[ $body == 0 ]] || fail "HEAD returned a body"
echo "ok: HEAD"

# Two transfers on one curl: the second must reuse the connection (0 new connects).
connects=$(in_ns curl -sS --max-time 10 -o /dev/null -o /dev/null -w '%{num_connects} ' "$URL/" "$URL/big.html")
[[ $connects == "1 0 " ]] || fail "keep-alive not reused (num_connects: $connects)"
echo "ok: keep-alive connection reused"

code=$(in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/no/such/file")
[[ $code == 404 ]] || fail "expected 404, got $code"
code=$(in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X DELETE "$URL/")
[[ $code == 405 ]] || fail "expected 405, got $code"
echo "ok: 404 and 405"

download_exact /1m.bin "$CONTENT_DIR/1m.bin"
download_exact /big.html "$CONTENT_DIR/big.html"
echo "ok: 1 MiB download byte-exact (sha256 $(sha "$CONTENT_DIR/1m.bin" | cut -c1-16)...)"

if command -v ping >/dev/null; then
  in_ns ping -c 3 -i 0.2 -W 2 "$GUEST_IP" >/dev/null || fail "no ICMP echo reply"
  echo "ok: ping"
fi
check_alive
stop_httpd
echo "PASS"
