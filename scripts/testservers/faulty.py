#!/usr/bin/env python3
"""A deliberately misbehaving HTTP/1.1 server for the HTTP client's tests (standard library only).

Behaviour is chosen by path; NAME is a file under --root (the test servers' docroot). Every "first request"
rule is keyed by the full path including the query, so a test picks a fresh key (a unique name or ?k=...).

  /file/NAME                    the file, honouring Range (206)
  /drop/NAME?after=N            first request: 200 with the full Content-Length, N bytes, then the connection
                                closes; later requests: like /file (Range honoured)
  /drop-norange/NAME?after=N    like /drop, but later requests ignore Range (200, whole file)
  /reset/NAME                   first request: the connection is reset (RST) before any response; later: /file
  /reset-always                 every request is reset
  /stall?after=N                200 with a Content-Length, N bytes (default 10), then silence (up to 120 s)
  /stall-headers                reads the request, then sends nothing (up to 120 s)
  /wrong/NAME                   the file with its first byte changed
  /flaky/NAME?failures=N        503 for the first N requests (default 2), then /file; /flaky-count/... reports
                                the number of requests seen for that key as text
  /status/CODE                  an empty response with that status (e.g. 404, 500)
  /date-skew?minutes=N          200 whose Date header is N minutes (may be negative) off the server's clock
  /echo[/...]                   any method: a JSON object describing the request exactly as received:
                                method, target, version, headers ([[name, value], ...] in order), body (base64),
                                client_subject (the verified client certificate's subject CN, or null)
"""
import argparse
import base64
import email.utils
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = "."
LOCK = threading.Lock()
SEEN = {}  # key -> number of requests


def count(key):
    with LOCK:
        SEEN[key] = SEEN.get(key, 0) + 1
        return SEEN[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faulty/1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def setup(self):
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.settimeout(30)
            self.connection.do_handshake()
            self.connection.settimeout(None)

    # -- helpers -------------------------------------------------------------------------------------------
    def parts(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        return url.path, query

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(length) if length else b""

    def file_bytes(self, name):
        path = os.path.realpath(os.path.join(ROOT, name))
        if not path.startswith(os.path.realpath(ROOT) + os.sep) or not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def plain(self, code, text=b"", headers=()):
        self.send_response(code)
        self.send_header("Content-Length", str(len(text)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(text)

    def reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def serve(self, data, honour_range=True):
        rng = self.headers.get("Range")
        if rng and honour_range and rng.startswith("bytes=") and "," not in rng:
            first, _, last = rng[6:].partition("-")
            start = int(first) if first else len(data) - int(last)
            end = int(last) if (first and last) else len(data) - 1
            if start >= len(data) or start < 0:
                return self.plain(416, b"", [("Content-Range", "bytes */%d" % len(data))])
            end = min(end, len(data) - 1)
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, len(data)))
            self.send_header("Content-Length", str(end - start + 1))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            self.wfile.write(data[start:end + 1])
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Accept-Ranges", "bytes" if honour_range else "none")
        self.end_headers()
        self.wfile.write(data)

    def stall(self, seconds=120):
        deadline = time.time() + seconds
        self.connection.settimeout(1)
        while time.time() < deadline:
            try:
                if self.connection.recv(1) == b"":
                    break
            except socket.timeout:
                continue
            except OSError:
                break
        self.close_connection = True

    # -- dispatch ------------------------------------------------------------------------------------------
    def handle_any(self):
        path, query = self.parts()
        body = self.read_body()
        head, _, rest = path.lstrip("/").partition("/")
        if head == "echo":
            client = None
            if isinstance(self.connection, ssl.SSLSocket):
                cert = self.connection.getpeercert()
                if cert:
                    client = dict(x[0] for x in cert.get("subject", ())).get("commonName")
            doc = {
                "method": self.command,
                "target": self.path,
                "version": self.request_version,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": base64.b64encode(body).decode(),
                "client_subject": client,
            }
            return self.plain(200, json.dumps(doc).encode(), [("Content-Type", "application/json")])
        if head == "status":
            return self.plain(int(rest or "500"), b"status " + rest.encode() + b"\n")
        if head == "date-skew":
            stamp = email.utils.formatdate(time.time() + float(query.get("minutes", "0")) * 60, usegmt=True)
            self.send_response_only(200)
            self.send_header("Server", self.version_string())
            self.send_header("Date", stamp)
            self.send_header("Content-Length", "3")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(b"ok\n")
            return
        if head == "reset-always":
            return self.reset()
        if head == "stall":
            size = int(query.get("after", "10"))
            self.send_response(200)
            self.send_header("Content-Length", str(size + 1000000))
            self.end_headers()
            self.wfile.write(b"s" * size)
            self.wfile.flush()
            return self.stall()
        if head == "stall-headers":
            return self.stall()
        if head == "flaky-count":
            with LOCK:
                n = SEEN.get("/flaky/" + self.path[len("/flaky-count/"):], 0)
            return self.plain(200, str(n).encode())
        data = self.file_bytes(rest)
        if data is None:
            return self.plain(404, b"not found\n")
        n = count(self.path)
        if head == "file":
            return self.serve(data)
        if head in ("drop", "drop-norange"):
            if n == 1:
                after = int(query.get("after", str(len(data) // 2)))
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                self.wfile.write(data[:after])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            return self.serve(data, honour_range=(head == "drop"))
        if head == "reset":
            return self.reset() if n == 1 else self.serve(data)
        if head == "wrong":
            return self.serve(bytes([data[0] ^ 0xFF]) + data[1:] if data else b"x")
        if head == "flaky":
            if n <= int(query.get("failures", "2")):
                return self.plain(503, b"try again\n", [("Retry-After", "0")])
            return self.serve(data)
        return self.plain(404, b"unknown behaviour\n")

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any


def main():
    global ROOT
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--client-ca")
    args = ap.parse_args()
    ROOT = args.root
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            ctx.load_verify_locations(args.client_ca)
            ctx.verify_mode = ssl.CERT_OPTIONAL
        server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
