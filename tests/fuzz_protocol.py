#!/usr/bin/env python3
"""Protocol fuzzer for `pattern-language server` (issue 16).

Drives the real binary over stdio with a seeded random mix of opens and closes (versions reused,
as VS Code does), incremental and full changes, requests of every feature, cancellations and
malformed messages (lone surrogates, truncated JSON, raw bytes, empty batches, missing headers,
bad ids). Bounded in messages and seconds. Fails when the server dies, leaves a request
unanswered, answers a malformed message with anything but a JSON-RPC error, answers a request
with an internal error, or does not exit cleanly. Prints the counts.

    python3 tests/fuzz_protocol.py [--seed N] [--messages N] [--seconds S] [--bin PATH]
"""

import argparse
import json
import os
import queue
import random
import subprocess
import sys
import threading
import time

# PATTERN_LANGUAGE_FUZZ_LOG=file: every message sent and received (first 300 bytes).
LOG = open(os.environ["PATTERN_LANGUAGE_FUZZ_LOG"], "wb", buffering=0) if os.environ.get("PATTERN_LANGUAGE_FUZZ_LOG") else None
HERE = os.path.dirname(os.path.abspath(__file__))
SHOP = os.path.join(HERE, "fixtures", "shop")

SNIPPETS = [
    "(", ")", "[", "]", ":", "\n", "\n    ", "'", '"""', "#", ",", "\u2028", "é😀", "\r\n",
    "x = f(", "class A(models.Model):\n    ", "import uuid\n", "from .models import A\n",
    "id = models.UUIDField(primary_key=True, default=uuid.uuid4)\n",
    "# pattern-language: ignore[uuid4-primary-key]\n", "[[repository]] ", "\t",
]


def utf16_position(text, offset):
    """LSP position (UTF-16) of a str offset."""
    line_start = 0
    line = 0
    i = 0
    while i < offset:
        c = text[i]
        if c == "\n" or (c == "\r" and (i + 1 >= len(text) or text[i + 1] != "\n")):
            line += 1
            line_start = i + 1
        i += 1
    col = sum(2 if ord(c) > 0xFFFF else 1 for c in text[line_start:offset])
    return {"line": line, "character": col}


def read_messages(out, put):
    """Reads `Content-Length` frames from `out` until it closes, handing each decoded message to
    `put` (an undecodable body as `{"unparseable": text}`), then `None`."""
    while True:
        length = None
        while True:
            line = out.readline()
            if not line:
                put(None)
                return
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        body = out.read(length or 0)
        if LOG:
            LOG.write(b"<< " + body[:300] + b"\n")
        try:
            put(json.loads(body))
        except ValueError:
            put({"unparseable": body.decode("utf-8", "replace")})


class Server:
    def __init__(self, binary):
        self.proc = subprocess.Popen(
            [binary, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        self.inbox = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        read_messages(self.proc.stdout, self.inbox.put)

    def raw(self, body, header=True):
        if LOG:
            LOG.write(b">> " + body[:300] + b"\n")
        data = (b"Content-Length: %d\r\n\r\n" % len(body) + body) if header else body
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg):
        self.raw(json.dumps(msg, ensure_ascii=False).encode("utf-8"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--messages", type=int, default=3000)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--bin", default=os.environ.get(
        "PATTERN_LANGUAGE_BIN", os.path.join(HERE, "..", "target", "debug", "pattern-language")))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    files = []
    for d, _, names in os.walk(SHOP):
        for n in sorted(names):
            if n.endswith((".py", ".md")):
                files.append(os.path.join(d, n))
    files.sort()
    pull = rng.random() < 0.5
    s = Server(args.bin)
    counts = {"requests": 0, "notifications": 0, "changes": 0, "cancels": 0, "malformed": 0,
              "responses": 0, "errors": 0, "server_requests": 0}
    pending = {}  # id -> method
    malformed_pending = 0
    next_id = [0]
    failures = []

    def request(method, params):
        next_id[0] += 1
        s.send({"jsonrpc": "2.0", "id": next_id[0], "method": method, "params": params})
        pending[next_id[0]] = method
        counts["requests"] += 1
        return next_id[0]

    def notify(method, params):
        s.send({"jsonrpc": "2.0", "method": method, "params": params})
        counts["notifications"] += 1

    def drain(block_until=None):
        nonlocal malformed_pending
        deadline = time.time() + (block_until or 0)
        while True:
            timeout = max(0.0, deadline - time.time())
            try:
                msg = s.inbox.get(timeout=timeout) if block_until else s.inbox.get_nowait()
            except queue.Empty:
                return
            if msg is None:
                failures.append("the server closed its output")
                return
            if "unparseable" in msg:
                failures.append("unparseable output: %r" % msg["unparseable"][:200])
                continue
            if "method" in msg and "id" in msg:
                counts["server_requests"] += 1
                s.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
                continue
            if "method" in msg:
                continue
            counts["responses"] += 1
            mid = msg.get("id")
            if "error" in msg:
                counts["errors"] += 1
                code = msg["error"].get("code")
                if mid in pending:
                    method = pending.pop(mid)
                    # Cancelled requests may answer -32800; nothing may fail internally.
                    if code == -32603:
                        failures.append("internal error on %s: %s" % (method, msg))
                elif code in (-32700, -32600):
                    malformed_pending -= 1
                else:
                    failures.append("unexpected error %s" % msg)
            elif mid in pending:
                pending.pop(mid)
            else:
                failures.append("a response to nothing: %s" % msg)
            if not pending and malformed_pending <= 0 and block_until:
                return

    root_uri = "file://" + SHOP
    request("initialize", {
        "processId": None, "rootUri": root_uri,
        "workspaceFolders": [{"uri": root_uri, "name": "shop"}],
        "capabilities": {
            "general": {"positionEncodings": ["utf-16"]},
            "window": {"workDoneProgress": True},
            "workspace": {"diagnostics": {"refreshSupport": pull},
                          "workspaceEdit": {"resourceOperations": ["create"]}},
            "textDocument": {"diagnostic": {"dynamicRegistration": False} if pull else None,
                             "codeAction": {"resolveSupport": {"properties": ["edit"]}}},
        }})
    drain(block_until=30)
    notify("initialized", {})
    docs = {}  # uri -> [version, text]
    started = time.time()
    sent = 0
    while sent < args.messages and time.time() - started < args.seconds and not failures:
        sent += 1
        roll = rng.random()
        if roll < 0.08 or not docs:
            path = rng.choice(files)
            uri = "file://" + path
            with open(path, encoding="utf-8") as f:
                text = f.read()
            lang = "python" if path.endswith(".py") else "markdown"
            docs[uri] = [1, text]
            notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": lang, "version": 1, "text": text}})
        elif roll < 0.12:
            uri = rng.choice(list(docs))
            del docs[uri]
            notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        elif roll < 0.50:
            uri = rng.choice(list(docs))
            version, text = docs[uri]
            changes = []
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                if rng.random() < 0.05:
                    text = rng.choice(SNIPPETS) * rng.randint(0, 50)
                    changes.append({"text": text})
                    continue
                a = rng.randint(0, len(text))
                b = min(len(text), a + rng.choice([0, 0, 1, 5, 30]))
                while 0 < a < len(text) and text[a - 1] == "\r" and text[a] == "\n":
                    a -= 1
                while 0 < b < len(text) and text[b - 1] == "\r" and text[b] == "\n":
                    b -= 1
                b = max(a, b)
                ins = rng.choice(SNIPPETS) if rng.random() < 0.8 else text[a:a + 40]
                changes.append({"range": {"start": utf16_position(text, a),
                                          "end": utf16_position(text, b)}, "text": ins})
                text = text[:a] + ins + text[b:]
            version += 1
            docs[uri] = [version, text]
            counts["changes"] += len(changes)
            notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version}, "contentChanges": changes})
        elif roll < 0.85:
            uri = rng.choice(list(docs))
            text = docs[uri][1]
            pos = utf16_position(text, rng.randint(0, len(text)))
            doc = {"uri": uri}
            rng_range = {"start": pos, "end": pos}
            method, params = rng.choice([
                ("textDocument/hover", {"textDocument": doc, "position": pos}),
                ("textDocument/completion", {"textDocument": doc, "position": pos}),
                ("textDocument/definition", {"textDocument": doc, "position": pos}),
                ("textDocument/documentSymbol", {"textDocument": doc}),
                ("textDocument/codeAction", {"textDocument": doc, "range": rng_range,
                                             "context": {"diagnostics": []}}),
                ("textDocument/inlayHint", {"textDocument": doc, "range": {
                    "start": {"line": 0, "character": 0}, "end": pos}}),
                ("textDocument/codeLens", {"textDocument": doc}),
                ("workspace/symbol", {"query": rng.choice(["", "repo", "x"])}),
                ("textDocument/diagnostic" if pull else "textDocument/hover",
                 {"textDocument": doc} if pull else {"textDocument": doc, "position": pos}),
            ])
            rid = request(method, params)
            if rng.random() < 0.15:
                notify("$/cancelRequest", {"id": rid})
                counts["cancels"] += 1
        else:
            counts["malformed"] += 1
            uri = rng.choice(list(docs))
            kind = rng.randrange(7)
            if kind == 0:
                # A lone surrogate in a change: applied (as U+FFFD), no answer.
                version = docs[uri][0] + 1
                docs[uri] = [version, "x = '\ufffd'\n"]
                s.raw(('{"jsonrpc":"2.0","method":"textDocument/didChange","params":'
                       '{"textDocument":{"uri":"%s","version":%d},"contentChanges":'
                       '[{"text":"x = \'\\ud83d\'\\n"}]}}' % (uri, version)).encode())
                counts["malformed"] -= 1
                counts["changes"] += 1
                continue
            malformed_pending += 1
            if kind == 1:
                body = json.dumps({"jsonrpc": "2.0", "id": 10**9, "method": "textDocument/hover"})
                s.raw(body[:rng.randint(1, len(body) - 1)].encode())
            elif kind == 2:
                s.raw(b"\xff\xfe" + bytes(rng.randrange(256) for _ in range(rng.randint(0, 8))))
            elif kind == 3:
                s.raw(b"[]")
            elif kind == 4:
                s.raw(b"Content-Type: application/json\r\n\r\n", header=False)
            elif kind == 5:
                s.raw(b'{"jsonrpc":"2.0","id":{"x":1},"method":"textDocument/hover"}')
            else:
                s.raw(rng.choice([b"42", b'"x"', b"null", b'{"jsonrpc":"1.0"}']))
        drain()
        if s.proc.poll() is not None:
            failures.append("the server exited (%s)" % s.proc.returncode)
    drain(block_until=60)
    if pending:
        failures.append("%d requests unanswered: %s" % (len(pending), sorted(set(pending.values()))))
    if malformed_pending > 0:
        failures.append("%d malformed messages unanswered" % malformed_pending)
    if s.proc.poll() is None:
        request("shutdown", None)
        drain(block_until=30)
        notify("exit", None)
        try:
            code = s.proc.wait(timeout=30)
            if code != 0:
                failures.append("exit code %s" % code)
        except subprocess.TimeoutExpired:
            s.proc.kill()
            failures.append("did not exit")
    counts["seconds"] = round(time.time() - started, 1)
    counts["seed"] = args.seed
    counts["pull"] = pull
    print("fuzz_protocol: " + ", ".join("%s %s" % kv for kv in counts.items()))
    if failures:
        for f in failures[:20]:
            print("FAIL: " + f, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
