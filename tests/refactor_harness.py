#!/usr/bin/env python3
"""Refactor harness (issue 12): every code action on real code, applied and checked.

For each project (the example projects shop and library, and every project under ../shared/corpora when it is
there), the harness copies the project to a temporary folder, starts the real server on the copy,
opens every Python file and asks for every code action on the whole file, with the file's
diagnostics as context. Each action (suppressions aside) is then applied to the copy on its own,
and the copy is restored afterwards:

- broken: a touched or created Python file no longer parses (Python's own `ast`, and only where
  the file parsed before), or a file outside the project is touched;
- recognised after: `check --format json --patterns` on the copy finds the pattern the refactor
  moves toward in a touched or created file, and, for an action that fixes a smell, one fewer of
  that smell in the file it was offered in.

A refactor offered disabled (with a reason) is counted, not applied. The number applied per
refactor and project is capped (`--cap`, default 12; seeded choice), since each one runs `check`
on the whole copy. Prints a table per refactor: offered, disabled, applied, broken, recognised
after; exits 1 when anything is broken or a refactor is recognised after in fewer than
`--min-recognised` percent (default 95) of its applications.

    python3 tests/refactor_harness.py [--bin PATH] [--corpora DIR] [--only NAME] [--cap N] [--fixtures-only]

`tests/run` runs it on the example projects (`--fixtures-only`); the corpora are on demand.
"""

import argparse
import ast
import json
import os
import queue
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fuzz_protocol import read_messages  # noqa: E402  (one LSP frame reader for both scripts)

ROOT = os.path.dirname(HERE)
SHOP = os.path.join(HERE, "fixtures", "shop")
LIBRARY = os.path.join(HERE, "fixtures", "library")

# Refactor, by the start of its title: (id, pattern it moves toward, smell it fixes).
REFACTORS = [
    ("Extract a Django ORM repository", "extract-orm-repository", "django-orm-repository", None),
    ("Introduce a JSON field repository", "json-field-repository", "json-field-repository", None),
    ("Introduce a specification", "introduce-specification", "repository-specification", "query-method-sprawl"),
    ("Introduce an anticorruption layer", "anticorruption-layer", "anticorruption-layer", "cross-context-import"),
    ("Namespace the tables", "namespace-tables", "context-table-namespace", None),
    ("Give the ", "context-database", "context-database", None),
    ("Route the ", "context-database", "context-database", None),
    ("Cache ", "cache-repository", "cached-repository", None),
    ("Invalidate the cached entry", "invalidate-cache", None, "cache-not-invalidated"),
    # "*": the smell of the finding the action is offered from (cross-database-relation or
    # cross-context-import), one fewer of it in that file afterwards.
    ("Reference ", "reference-by-identity", None, "*"),
    ("Switch the primary key default", "uuid7", None, "uuid4-primary-key"),
]
SKIP = re.compile(r"^(Suppress|Remove unused suppression|Apply \d+ safe)")


def refactor_of(action):
    data = action.get("data") or {}
    if isinstance(data, dict) and isinstance(data.get("refactor"), str):
        for _, rid, pattern, smell in REFACTORS:
            if rid == data["refactor"]:
                return rid, pattern, smell
        return data["refactor"], data.get("pattern"), data.get("fixes")
    for prefix, rid, pattern, smell in REFACTORS:
        if action["title"].startswith(prefix):
            return rid, pattern, smell
    return action["title"].split("`")[0].strip(), None, None


def uri_of(path):
    return "file://" + urllib.parse.quote(os.path.abspath(path))


def path_of(uri):
    return urllib.parse.unquote(urllib.parse.urlparse(uri).path)


class Server:
    def __init__(self, binary, root):
        self.proc = subprocess.Popen([binary, "server"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.inbox = queue.Queue()
        self.next_id = 0
        self.diagnostics = {}
        threading.Thread(target=self._read, daemon=True).start()
        self.request("initialize", {
            "processId": os.getpid(), "rootUri": uri_of(root),
            "workspaceFolders": [{"uri": uri_of(root), "name": "root"}],
            "capabilities": {
                "window": {"workDoneProgress": True},
                "workspace": {"workspaceEdit": {"documentChanges": True,
                                                "resourceOperations": ["create", "rename", "delete"]}},
                "textDocument": {"diagnostic": {"dynamicRegistration": False}, "codeAction": {
                    "dataSupport": True, "disabledSupport": True,
                    "codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
                        "quickfix", "refactor", "refactor.extract", "refactor.rewrite", "source"]}}}},
            },
        }, timeout=60)
        self.indexed = False
        self.notify("initialized", {})
        # Wait for the index: a request answered before it ends would see one file alone.
        deadline = time.time() + 300
        while not self.indexed and time.time() < deadline:
            try:
                self.dispatch(self.inbox.get(timeout=deadline - time.time()))
            except queue.Empty:
                break

    def _read(self):
        read_messages(self.proc.stdout, self.inbox.put)

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params, timeout=60):
        self.next_id += 1
        rid = self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError(f"{method} unanswered after {timeout} s")
            msg = self.inbox.get(timeout=left)
            if self.dispatch(msg):
                continue
            if msg.get("id") == rid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result")

    def dispatch(self, msg):
        """Handles what the server sends on its own; True when it was that."""
        if msg is None:
            raise RuntimeError("the server exited")
        if msg.get("method") == "textDocument/publishDiagnostics":
            p = msg["params"]
            self.diagnostics[p["uri"]] = p["diagnostics"]
            return True
        if msg.get("method") == "$/progress":
            if (msg["params"].get("value") or {}).get("kind") == "end":
                self.indexed = True
            return True
        if "method" in msg and "id" in msg:
            # A request from the server (configuration, refresh, progress): answer it.
            self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            return True
        return "method" in msg

    def close(self):
        try:
            self.request("shutdown", None, timeout=20)
            self.notify("exit", None)
            self.proc.wait(timeout=20)
        except Exception:
            self.proc.kill()


def offset_of(text, pos):
    """str offset of an LSP (UTF-16) position."""
    lines = text.splitlines(keepends=True)
    if pos["line"] >= len(lines):
        return len(text)
    start = sum(len(l) for l in lines[:pos["line"]])
    line = lines[pos["line"]]
    units = 0
    for i, ch in enumerate(line):
        if units >= pos["character"]:
            return start + i
        units += 2 if ord(ch) > 0xFFFF else 1
    return start + len(line.rstrip("\r\n")) if units >= pos["character"] else start + len(line)


def apply_text_edits(text, edits):
    spans = sorted(((offset_of(text, e["range"]["start"]), offset_of(text, e["range"]["end"]), e["newText"])
                    for e in edits), key=lambda s: (s[0], s[1]))
    out, at = [], 0
    for start, end, new in spans:
        out.append(text[at:start])
        out.append(new)
        at = max(at, end)
    out.append(text[at:])
    return "".join(out)


def parses(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(text)
            return True
        except (SyntaxError, ValueError):
            return False


class Copy:
    """A project copy where one edit at a time is applied and then undone."""

    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.saved = {}
        self.created = []

    def inside(self, path):
        real = os.path.realpath(path)
        return real == self.root or real.startswith(self.root + os.sep)

    def read(self, path):
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return f.read()

    def write(self, path, text):
        if path not in self.saved and path not in self.created:
            self.saved[path] = self.read(path) if os.path.exists(path) else None
            if self.saved[path] is None:
                del self.saved[path]
                self.created.append(path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
            f.write(text)

    def apply(self, edit):
        """Applies a WorkspaceEdit; returns (touched paths, problems)."""
        touched, problems = [], []
        changes = []
        for uri, edits in (edit.get("changes") or {}).items():
            changes.append({"textDocument": {"uri": uri}, "edits": edits})
        changes.extend(edit.get("documentChanges") or [])
        for change in changes:
            kind = change.get("kind")
            uri = change.get("uri") or change.get("textDocument", {}).get("uri")
            path = path_of(uri)
            if not self.inside(path):
                problems.append(f"touches {path}, outside the project")
                continue
            if kind == "create":
                if not os.path.exists(path):
                    self.write(path, "")
            elif kind in ("rename", "delete"):
                problems.append(f"{kind} of {path} (not expected from a refactor)")
                continue
            else:
                before = self.read(path) if os.path.exists(path) else ""
                self.write(path, apply_text_edits(before, change["edits"]))
            touched.append(path)
        return touched, problems

    def restore(self):
        for path, text in self.saved.items():
            with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
                f.write(text)
        for path in reversed(self.created):
            if os.path.exists(path):
                os.remove(path)
        self.saved, self.created = {}, []


def check_json(binary, root):
    run = subprocess.run([binary, "check", "--format", "json", "--patterns", "--no-fences", "."],
                         capture_output=True, text=True, timeout=600, cwd=root)
    if run.returncode not in (0, 1):
        raise RuntimeError(f"check exited {run.returncode}: {run.stderr[:500]}")
    data = json.loads(run.stdout or "[]")
    return data if isinstance(data, list) else data.get("findings", [])


def python_files(root):
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__")]
        for name in files:
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def harness(binary, name, source, cap, rng, stats, verbose):
    tmp = tempfile.mkdtemp(prefix=f"harness-{name}-")
    root = os.path.join(tmp, name)
    shutil.copytree(source, root, symlinks=True, ignore=shutil.ignore_patterns(".git", "node_modules"))
    copy = Copy(root)
    server = Server(binary, root)
    offered = []  # (refactor, pattern, smell, file, action)
    try:
        for path in sorted(python_files(root)):
            try:
                text = copy.read(path)
            except OSError:
                continue
            if len(text) > 2_000_000:
                continue
            uri = uri_of(path)
            server.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": text}})
            diagnostics = server.request("textDocument/diagnostic", {"textDocument": {"uri": uri}}, timeout=120)
            items = (diagnostics or {}).get("items") if isinstance(diagnostics, dict) else None
            if items is None:
                items = server.diagnostics.get(uri, [])
            end = {"line": len(text.splitlines()) + 1, "character": 0}
            actions = server.request("textDocument/codeAction", {
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 0, "character": 0}, "end": end},
                "context": {"diagnostics": items},
            }, timeout=120) or []
            seen = set()
            for a in actions:
                if "title" not in a or "command" in a and "edit" not in a and "kind" not in a:
                    continue
                if SKIP.match(a["title"]) or (a.get("kind") or "").startswith("source"):
                    continue
                key = (a["title"], json.dumps(a.get("edit"), sort_keys=True)[:2000])
                if key in seen:
                    continue
                seen.add(key)
                rid, pattern, smell = refactor_of(a)
                if smell == "*":
                    smell = ((a.get("diagnostics") or [{}])[0]).get("code")
                offered.append((rid, pattern, smell, path, a))
                if verbose:
                    why = a.get("disabled", {}).get("reason")
                    print(f"  offered, {name}: {os.path.relpath(path, root)}: {a['title']}"
                          + (f" [disabled: {why}]" if why else ""))
            server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        by_refactor = {}
        for item in offered:
            by_refactor.setdefault(item[0], []).append(item)
        baseline = None
        for rid, items in sorted(by_refactor.items()):
            s = stats.setdefault(rid, {"offered": 0, "disabled": 0, "applied": 0, "broken": 0, "recognised": 0})
            s["offered"] += len(items)
            enabled = [i for i in items if not i[4].get("disabled")]
            s["disabled"] += len(items) - len(enabled)
            rng.shuffle(enabled)
            for _, pattern, smell, path, action in enabled[:cap]:
                edit = action.get("edit")
                if edit is None and action.get("data") is not None:
                    edit = (server.request("codeAction/resolve", action) or {}).get("edit")
                if edit is None:
                    continue
                if baseline is None:
                    baseline = check_json(binary, root)
                before = {p: parses(copy.read(p)) for p in list_paths(edit) if p.endswith(".py") and os.path.exists(p)}
                touched, problems = copy.apply(edit)
                for p in touched:
                    if p.endswith(".py") and before.get(p, True) and not parses(copy.read(p)):
                        problems.append(f"{os.path.relpath(p, root)} no longer parses")
                s["applied"] += 1
                if problems:
                    s["broken"] += 1
                    print(f"  BROKEN {name}: {action['title']}: {'; '.join(problems)}")
                    copy.restore()
                    continue
                after = check_json(binary, root)
                ok = True
                if pattern:
                    rel = {os.path.realpath(p) for p in touched}
                    ok = any(f.get("kind") == "pattern" and f.get("pattern") == pattern
                             and os.path.realpath(os.path.join(root, f["path"])) in rel for f in after)
                if ok and smell:
                    about, staying = about_of(action["title"])

                    def count(records):
                        return sum(1 for f in records if f.get("rule") == smell
                                   and os.path.realpath(os.path.join(root, f["path"])) == os.path.realpath(path)
                                   and (not about or any(a in f.get("message", "") for a in about)))
                    if about is None or about:
                        ok = count(after) < count(baseline)
                    if ok and staying:
                        ok = relations_replaced(copy.read(path), staying, action["title"])
                if ok:
                    s["recognised"] += 1
                elif verbose:
                    print(f"  not recognised after, {name}: {os.path.relpath(path, root)}: {action['title']}")
                copy.restore()
    finally:
        server.close()
        shutil.rmtree(tmp, ignore_errors=True)


def about_of(title):
    """What a "Reference `X` by identity" action promises about the finding it is offered from.
    Its title says what stays of that import: `; the import from `m` stays for `f`` (other names
    of the statement), `; `X` stays imported, used on lines ...` (the model used elsewhere in the
    file). Returns (the backticked models whose findings must go, or None: any one finding of the
    smell fewer; the models announced to stay imported). A finding left naming only what the
    title announced is not counted against it; a model that stays imported must still have lost
    its relation fields (`relations_replaced`)."""
    m = re.match(r"Reference (.+?) by identity", title)
    staying = re.findall(r"(`[^`]+`) stays imported", title)
    if not m or ("stays for" not in title and not staying):
        return None, []
    targets = re.findall(r"`[^`]+`", m.group(1))
    return [t for t in targets if t not in staying], [t.strip("`") for t in staying]


def relations_replaced(text, models, title):
    """No `ForeignKey`/`OneToOneField` to one of `models` (by name) is left in `text`, and the
    identifier fields the title names (`(`book_isbn`, ...; run makemigrations`) are assigned."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    assigned = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            assigned.update(t.id for t in node.targets if isinstance(t, ast.Name))
        if isinstance(node, ast.Call):
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if func not in ("ForeignKey", "OneToOneField"):
                continue
            to = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "to"), None)
            name = to.attr if isinstance(to, ast.Attribute) else getattr(to, "id", None)
            if name in models:
                return False
    fields = re.match(r".*? by identity \(([^;]*);", title)
    wanted = re.findall(r"`([^`]+)`", fields.group(1)) if fields else []
    return bool(wanted) and all(w in assigned for w in wanted)


def list_paths(edit):
    paths = [path_of(u) for u in (edit.get("changes") or {})]
    for c in edit.get("documentChanges") or []:
        uri = c.get("uri") or c.get("textDocument", {}).get("uri")
        if uri:
            paths.append(path_of(uri))
    return paths


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("PATTERN_LANGUAGE_BIN",
                                                    os.path.join(ROOT, "target", "release", "pattern-language")))
    ap.add_argument("--corpora", default=os.path.join(ROOT, "..", "shared", "corpora"))
    ap.add_argument("--only", help="one project by name (shop or a corpus folder)")
    ap.add_argument("--fixtures-only", action="store_true",
                    help="the example projects only, not the corpora (what tests/run does)")
    ap.add_argument("--cap", type=int, default=12)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--min-recognised", type=float, default=95.0)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    # `check` runs inside each copy: a relative path would no longer name the binary.
    args.bin = os.path.abspath(args.bin)
    if not os.path.exists(args.bin):
        print(f"refactor harness: no binary at {args.bin} (cargo build --release, or --bin)")
        return 2
    projects = [("shop", SHOP), ("library", LIBRARY)]
    if args.fixtures_only:
        pass
    elif os.path.isdir(args.corpora):
        for entry in sorted(os.listdir(args.corpora)):
            src = os.path.join(args.corpora, entry, "src")
            src = src if os.path.isdir(src) else os.path.join(args.corpora, entry)
            if os.path.isdir(src) and not entry.startswith("."):
                projects.append((entry, src))
    else:
        print(f"refactor harness: corpora skipped ({args.corpora} is absent)")
    if args.only:
        projects = [p for p in projects if p[0] == args.only]
    rng = random.Random(args.seed)
    stats = {}
    for name, src in projects:
        started = time.time()
        harness(args.bin, name, src, args.cap, rng, stats, args.verbose)
        print(f"{name}: done in {time.time() - started:.1f} s")
    print()
    print(f"{'refactor':28} {'offered':>8} {'disabled':>9} {'applied':>8} {'broken':>7} {'recognised after':>17}")
    failed = False
    for rid, s in sorted(stats.items()):
        pct = 100.0 * s["recognised"] / s["applied"] if s["applied"] else None
        shown = f"{s['recognised']}/{s['applied']} ({pct:.0f}%)" if pct is not None else "-"
        print(f"{rid:28} {s['offered']:>8} {s['disabled']:>9} {s['applied']:>8} {s['broken']:>7} {shown:>17}")
        if s["broken"] or (pct is not None and pct < args.min_recognised):
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
