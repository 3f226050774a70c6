#!/usr/bin/env python3
"""Raw-socket checks against httpd (run inside the test namespace):
pipelining, slowloris-style partial requests, garbage bytes, half-close and a full
connection table. The server must answer or close -- never hang, never crash.
Usage: raw_client.py <ip> <port> <index.html>. Exit status 0 on success."""
import random
import socket
import sys
import time

HOST, PORT = sys.argv[1], int(sys.argv[2])
INDEX = open(sys.argv[3], "rb").read()
TIMEOUT = 10


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def connect(timeout=TIMEOUT):
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(f, head_only=False):
    """Reads one response from buffered reader f: (status, headers, body)."""
    line = f.readline()
    if not line:
        fail("connection closed instead of a response")
    status = int(line.split()[1])
    headers = {}
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = b"" if head_only else f.read(length)
    return status, headers, body


def read_until_close(s, limit=TIMEOUT):
    """All bytes until EOF or reset; fails when the server neither answers nor closes."""
    s.settimeout(limit)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
    except ConnectionResetError:
        return data
    except socket.timeout:
        fail("server kept the connection open without answering (%d bytes so far)" % len(data))


def request(method, path, extra=""):
    return ("%s %s HTTP/1.1\r\nHost: t\r\n%s\r\n" % (method, path, extra)).encode()


def test_pipelining():
    plan = [("GET", "/", 200), ("HEAD", "/", 200), ("GET", "/missing", 404), ("GET", "/index.html", 200)] * 8
    s = connect()
    s.sendall(b"".join(request(m, p) for m, p, _ in plan))
    f = s.makefile("rb")
    for method, path, expected in plan:
        status, headers, body = read_response(f, head_only=(method == "HEAD"))
        if status != expected:
            fail("pipelined %s %s: status %d" % (method, path, status))
        if expected == 200 and method == "GET" and body != INDEX:
            fail("pipelined %s %s: wrong body" % (method, path))
    s.sendall(request("GET", "/", "Connection: close\r\n"))
    status, _, _ = read_response(f)
    if status != 200 or f.read(1) != b"":
        fail("Connection: close not honoured after pipelining")
    s.close()
    print("ok: %d pipelined requests answered in order" % (len(plan) + 1))


def test_byte_by_byte():
    s = connect()
    for byte in request("GET", "/") * 3:
        s.send(bytes([byte]))
    f = s.makefile("rb")
    for _ in range(3):
        if read_response(f)[0] != 200:
            fail("request sent byte by byte not answered")
    s.close()
    print("ok: requests sent one byte per segment")


def test_slowloris():
    slow = []
    for _ in range(20):
        s = connect()
        s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n")
        slow.append(s)
    start = time.time()
    for _ in range(3):  # trickle header bytes: must not extend the header deadline
        time.sleep(0.5)
        for s in slow:
            s.sendall(b"X-Slow: 1\r\n")
    t = time.time()
    s = connect()
    s.sendall(request("GET", "/"))
    if read_response(s.makefile("rb"))[0] != 200:
        fail("normal client starved by slow ones")
    s.close()
    normal = time.time() - t
    for s in slow:
        read_until_close(s, limit=6)
        s.close()
    print("ok: 20 slowloris connections closed after %.1f s; a normal request meanwhile took %.3f s"
          % (time.time() - start, normal))


GARBAGE = [
    bytes(random.Random(1).getrandbits(8) for _ in range(1000)),
    b"\x00" * 100,
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\xaa" * 64,  # a TLS ClientHello
    b"GET / HTTP/9.9\r\nHost: t\r\n\r\n",
    b"A" * 10000,
    b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: t\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: t\r\n" + b"X-Big: " + b"b" * 6000 + b"\r\n\r\n",
    b"\r\n" * 3000,
    b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost : t\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999\r\n\r\n",
]


def test_garbage():
    for i, junk in enumerate(GARBAGE):
        s = connect()
        try:
            s.sendall(junk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed on us while we were still sending: allowed
        data = read_until_close(s)
        s.close()
        if data and not (data.startswith(b"HTTP/1.1 4") or data.startswith(b"HTTP/1.1 5")):
            fail("garbage #%d answered with %r" % (i, data[:40]))
    print("ok: %d kinds of garbage answered with 4xx/5xx or closed" % len(GARBAGE))


def test_half_close():
    s = connect()
    s.sendall(request("GET", "/"))
    s.shutdown(socket.SHUT_WR)
    data = read_until_close(s)
    s.close()
    if not data.startswith(b"HTTP/1.1 200 OK") or not data.endswith(INDEX):
        fail("half-closed client did not get its response")
    print("ok: response after the client's half-close, then close")


def test_full_table():
    socks, refused = [], 0
    for _ in range(160):
        try:
            socks.append(connect(timeout=3))
        except ConnectionRefusedError:
            refused += 1
    if refused == 0:
        fail("160 connections accepted: the table should be full at 128")
    for s in socks[:10]:  # the connections that got in still work
        s.sendall(request("GET", "/"))
        if read_response(s.makefile("rb"))[0] != 200:
            fail("established connection broken by table-full refusals")
    for s in socks:
        s.close()
    time.sleep(0.5)
    s = connect()
    s.sendall(request("GET", "/"))
    if read_response(s.makefile("rb"))[0] != 200:
        fail("server did not recover after the table was full")
    s.close()
    print("ok: %d connections held, %d refused cleanly with RST, service recovered" % (len(socks), refused))


for test in (test_pipelining, test_byte_by_byte, test_slowloris, test_garbage, test_half_close, test_full_table):
    test()
print("all raw-socket checks passed")
