#!/usr/bin/env bash
# Raw-socket clients: pipelining, slowloris-style partial requests, garbage bytes. The
# server must answer or close, never hang or crash.
source "$(dirname "$0")/netns_lib.sh" "$@"
ensure_commands python3:python3
start_httpd httpd.header_timeout_ms=2000
in_ns python3 "$SCRIPT_DIR/raw_client.py" "$GUEST_IP" 80 "$DOCROOT_DIR/index.html" || fail "raw client checks failed"
check_alive
stop_httpd
grep -E "^(tcp|http):" "$LOG" || true
echo "PASS"
