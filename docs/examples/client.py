#!/usr/bin/env python3
"""A complete Exchange Lab client, standard library only (Python 3.8+).

    python3 docs/examples/client.py [SERVER_URL] [PROVIDER_URL] [--operator-phone +15550000001]
                                    [--watch-url URL_OF_ANOTHER_INSTANCE]

It signs a new user in by SMS code (read back from the provider simulator), creates an exchange
request, watches it over the WebSocket, and keeps an exact copy of the request's event history
while the connection drops and a live event goes missing: it detects each gap by `seq`, repairs
it with GET /api/requests/<id>/sync?afterSeq=N, and drops what it already has. A second
identity, an operator (made beforehand with `exchange-server grant-operator PHONE`), moves the
request along so there is something to watch. docs/clients.md walks through it.

Exit status 0 when the client's history equals the server's, 1 otherwise, 2 on a setup error.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import re
import socket
import ssl
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


class APIError(Exception):
    """An answer in the API's error envelope: {"error": {"code", "message", "details"}}."""

    def __init__(self, status, body, headers):
        error = (body or {}).get("error", {}) if isinstance(body, dict) else {}
        self.status = status
        self.code = error.get("code", "http_%d" % status)
        self.details = error.get("details")
        self.retry_after = headers.get("Retry-After")
        super().__init__("%d %s: %s" % (status, self.code, error.get("message", "")))


def call(method, url, body=None, token=None):
    """One JSON request; returns the decoded body or raises APIError."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        raise APIError(error.code, parsed, error.headers) from None


# --- sign-in ---------------------------------------------------------------------------------

def sms_bodies(provider, phone):
    query = urllib.parse.urlencode({"kind": "sms", "to": phone})
    return [item["body"] for item in call("GET", "%s/messages?%s" % (provider, query))["items"]]


def sign_in(server, provider, phone):
    """POST /api/auth/otp, read the code the provider received, POST /api/auth/verify."""
    before = len(sms_bodies(provider, phone))
    while True:
        try:
            call("POST", server + "/api/auth/otp", {"phone": phone})
            break
        except APIError as error:
            # 429: too many codes for this phone in the last minute. Retry-After says when to retry.
            if error.code != "rate_limited" or int(error.retry_after or 61) > 60:
                raise
            print("  OTP rate-limited for %s; retrying in %s s" % (phone, error.retry_after))
            time.sleep(int(error.retry_after))
    # Queued mode: the SMS goes through the outbox and the critical queue, so it arrives a few
    # milliseconds after the 202. Poll the simulator until a new message is there.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        bodies = sms_bodies(provider, phone)
        if len(bodies) > before:
            code = re.search(r"\b(\d{6})\b", bodies[-1]).group(1)
            answer = call("POST", server + "/api/auth/verify", {"phone": phone, "code": code})
            return answer["token"], answer["user"]
        time.sleep(0.05)
    raise RuntimeError("no SMS for %s reached the provider within 20 s" % phone)


# --- a minimal WebSocket client (RFC 6455), enough for /ws ------------------------------------

class WebSocket:
    def __init__(self, url, token, timeout=10):
        parts = urllib.parse.urlsplit(url)
        secure = parts.scheme in ("https", "wss")
        port = parts.port or (443 if secure else 80)
        sock = socket.create_connection((parts.hostname, port), timeout=timeout)
        if secure:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
        self.sock = sock
        self.buffer = b""
        key = base64.b64encode(os.urandom(16)).decode()
        # The token may also go in the query (?token=…), which is what browsers must do.
        request = (
            "GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer %s\r\n\r\n"
            % (parts.hostname, port, key, token)
        )
        sock.sendall(request.encode())
        head = self._read_until(b"\r\n\r\n").decode("latin-1")
        status = head.split("\r\n", 1)[0]
        if " 101 " not in status + " ":
            raise RuntimeError("WebSocket upgrade refused: " + status)  # 401 for a bad token
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        if accept.lower() not in head.lower():
            raise RuntimeError("WebSocket upgrade: wrong Sec-WebSocket-Accept")

    def _read_exactly(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by the server")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _read_until(self, marker):
        while marker not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed during the upgrade")
            self.buffer += chunk
        index = self.buffer.index(marker) + len(marker)
        data, self.buffer = self.buffer[:index], self.buffer[index:]
        return data

    def _send_frame(self, opcode, payload):
        header = bytes([0x80 | opcode])
        length = len(payload)
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", length)
        mask = os.urandom(4)  # client frames are always masked
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def send(self, message):
        self._send_frame(0x1, json.dumps(message).encode())

    def receive(self, timeout):
        """The next JSON message, or None after `timeout` seconds. Answers pings itself."""
        self.sock.settimeout(timeout)
        message = b""
        try:
            while True:
                first, second = self._read_exactly(2)
                opcode, length = first & 0x0F, second & 0x7F
                if length == 126:
                    length = struct.unpack("!H", self._read_exactly(2))[0]
                elif length == 127:
                    length = struct.unpack("!Q", self._read_exactly(8))[0]
                payload = self._read_exactly(length)  # server frames are never masked
                if opcode == 0x9:
                    self._send_frame(0xA, payload)  # the server's keep-alive ping
                elif opcode == 0x8:
                    code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                    raise ConnectionError("closed by the server (code %s)" % code)
                elif opcode in (0x1, 0x0):
                    message += payload
                    if first & 0x80:
                        return json.loads(message)
        except socket.timeout:
            return None

    def drop(self):
        """Vanish without a close frame, like a network failure."""
        self.sock.close()


# --- keeping one request's history exact ------------------------------------------------------

class Follower:
    """Follows request rooms; per request keeps every event by `seq`, each exactly once."""

    def __init__(self, server, token):
        self.server, self.token = server, token
        self.events = {}        # request id -> {seq: event name}
        self.last_applied = {}  # request id -> highest seq applied (the contiguous prefix)
        self.socket = None
        self.dropped_duplicates = 0
        self.syncs = 0

    def follow(self, request_id, last_seq):
        self.events.setdefault(request_id, {})
        self.last_applied.setdefault(request_id, last_seq)

    def apply(self, request_id, seq, event):
        if seq <= self.last_applied[request_id]:
            self.dropped_duplicates += 1
            return
        assert seq == self.last_applied[request_id] + 1
        self.events[request_id][seq] = event
        self.last_applied[request_id] = seq
        print("  applied seq %d %s" % (seq, event))

    def sync(self, request_id, why):
        after = self.last_applied[request_id]
        answer = call("GET", "%s/api/requests/%s/sync?afterSeq=%d" % (self.server, request_id, after), token=self.token)
        self.syncs += 1
        print("  %s -> GET /api/requests/<id>/sync?afterSeq=%d: %d missed event(s), lastSeq %d"
              % (why, after, len(answer["missedEvents"]), answer["lastSeq"]))
        for event in answer["missedEvents"]:  # in seq order, all > afterSeq
            self.apply(request_id, event["seq"], event["event"])

    def connect(self):
        """(Re)connect: sync every followed request, subscribe again, check `subscribed.lastSeq`."""
        self.socket = WebSocket(self.server, self.token)
        for request_id in self.events:
            self.sync(request_id, "(re)connect")
            self.socket.send({"op": "subscribe", "room": "request:" + request_id})

    def handle(self, message, lose=False):
        kind = message.get("type")
        if kind == "subscribed" and message["room"].startswith("request:"):
            request_id = message["room"][len("request:"):]
            if message["lastSeq"] > self.last_applied[request_id]:
                self.sync(request_id, "subscribed.lastSeq %d is ahead" % message["lastSeq"])
        elif kind == "event" and message["room"].startswith("request:"):
            request_id, seq = message["requestId"], message["seq"]
            if lose:
                print("  (pretending the frame for seq %d was lost on the way)" % seq)
                return
            if seq > self.last_applied[request_id] + 1:
                self.sync(request_id, "gap: got seq %d after %d" % (seq, self.last_applied[request_id]))
            self.apply(request_id, seq, message["event"])
        elif kind == "error":
            raise RuntimeError("WebSocket error frame: %s" % message)

    def pump_until(self, request_id, seq, timeout=10, lose_next_event=False):
        """Handle frames until `seq` of `request_id` is applied."""
        deadline = time.monotonic() + timeout
        while self.last_applied[request_id] < seq:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("seq %d of %s did not arrive within %d s" % (seq, request_id, timeout))
            message = self.socket.receive(left)
            if message is None:
                continue
            is_event = message.get("type") == "event"
            self.handle(message, lose=lose_next_event and is_event)
            if is_event:
                lose_next_event = False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("server", nargs="?", default="http://127.0.0.1:8080")
    parser.add_argument("provider", nargs="?", default="http://127.0.0.1:8090")
    parser.add_argument("--operator-phone", default="+15550000001",
                        help="a phone granted the operator role (exchange-server grant-operator PHONE)")
    parser.add_argument("--watch-url", help="watch (WebSocket and /sync) through this server instance "
                        "instead of SERVER_URL, to see events cross instances")
    args = parser.parse_args()
    server, provider = args.server.rstrip("/"), args.provider.rstrip("/")
    watch = (args.watch_url or args.server).rstrip("/")

    try:
        print("signing in a new user and the operator %s by SMS code" % args.operator_phone)
        user_phone = "+1555%07d" % random.randrange(10**7)
        user_token, user = sign_in(server, provider, user_phone)
        operator_token, operator = sign_in(server, provider, args.operator_phone)
    except (APIError, RuntimeError, OSError) as error:
        print("setup failed: %s" % error, file=sys.stderr)
        return 2
    if operator["role"] != "operator":
        print("%s is not an operator: run `exchange-server grant-operator %s` first"
              % (args.operator_phone, args.operator_phone), file=sys.stderr)
        return 2
    print("  user %s, operator %s" % (user["id"], operator["id"]))

    def act(action):
        answer = call("POST", "%s/api/requests/%s/%s" % (server, request_id, action), token=operator_token)
        print("operator: %s -> %s (lastSeq %d)" % (action, answer["status"], answer["lastSeq"]))
        return answer["lastSeq"]

    created = call("POST", server + "/api/requests",
                   {"fiatCurrency": "USD", "fiatAmount": "250", "cryptoCurrency": "BTC"}, token=user_token)
    request_id = created["id"]
    print("user: created request %s, %s %s USD, lastSeq %d" % (request_id, created["status"], created["fiatAmount"], created["lastSeq"]))

    if watch != server:
        print("watching through %s, acting through %s" % (watch, server))
    follower = Follower(watch, user_token)
    follower.follow(request_id, last_seq=0)

    print("\n1. watch live")
    follower.connect()  # syncs seq 1 (the creation event) and subscribes
    follower.pump_until(request_id, 1)
    follower.pump_until(request_id, act("claim"))

    print("\n2. the connection drops; two transitions happen meanwhile")
    follower.socket.drop()
    act("release")
    missed = act("claim")
    print("reconnecting")
    follower.connect()
    follower.pump_until(request_id, missed)

    print("\n3. a live frame goes missing; the next one reveals the gap")
    act("start")
    final = act("complete")
    follower.pump_until(request_id, final, lose_next_event=True)  # the frame of "start" is lost
    follower.socket.drop()

    server_view = call("GET", "%s/api/requests/%s/sync?afterSeq=0" % (watch, request_id), token=user_token)
    expected = {event["seq"]: event["event"] for event in server_view["missedEvents"]}
    ok = follower.events[request_id] == expected
    print("\nclient history: %s" % ", ".join("%d %s" % item for item in sorted(follower.events[request_id].items())))
    print("server history: %s" % ", ".join("%d %s" % item for item in sorted(expected.items())))
    print("%s: %d events, %d sync call(s), %d duplicate(s) dropped by seq; request is %s"
          % ("OK" if ok else "MISMATCH", len(expected), follower.syncs, follower.dropped_duplicates,
             server_view["request"]["status"]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
