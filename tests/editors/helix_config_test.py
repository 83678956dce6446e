#!/usr/bin/env python3
"""Checks editors/helix/languages.toml against Helix's rules and the server binary.

    PATTERN_LANGUAGE_BIN=/path/to/pattern-language python3 tests/editors/helix_config_test.py

Plain python3 (3.11+, for tomllib); no pytest. Helix itself is not needed: the file is checked
against the keys and feature names Helix accepts, and the command it names is run:
`--help` must list a `server` subcommand, and `server` must answer `initialize` with the
capabilities for every feature the file routes to it. Exit 0 when every check passed.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "editors" / "helix" / "languages.toml"

# Helix's feature names (book/src/languages.md, "Configuring Language Servers for a language").
HELIX_FEATURES = {
    "format",
    "goto-definition",
    "goto-declaration",
    "goto-type-definition",
    "goto-reference",
    "goto-implementation",
    "signature-help",
    "hover",
    "document-highlight",
    "completion",
    "code-action",
    "workspace-command",
    "document-symbols",
    "workspace-symbols",
    "diagnostics",
    "rename-symbol",
    "inlay-hints",
}
# Servers Helix defines itself for these languages (its languages.toml), usable by name.
HELIX_BUILTIN_SERVERS = {
    "python": {"pyright", "basedpyright", "ruff", "pylsp", "jedi", "ty", "pyrefly", "zuban", "pylyzer"},
    "markdown": {"marksman", "markdown-oxide", "rumdl"},
}
# The server capability behind each feature, as Helix checks it (helix-lsp client.rs).
CAPABILITY = {
    "hover": "hoverProvider",
    "goto-definition": "definitionProvider",
    "completion": "completionProvider",
    "code-action": "codeActionProvider",
    "inlay-hints": "inlayHintProvider",
    "document-symbols": "documentSymbolProvider",
    "workspace-symbols": "workspaceSymbolProvider",
    "rename-symbol": "renameProvider",
    "format": "documentFormattingProvider",
    "signature-help": "signatureHelpProvider",
    "document-highlight": "documentHighlightProvider",
    "goto-reference": "referencesProvider",
    "workspace-command": "executeCommandProvider",
}
LANGUAGE_SERVER_KEYS = {"command", "args", "config", "timeout", "environment", "required-root-patterns"}

results: list[tuple[str, bool]] = []


def check(name: str, ok: bool, detail: str = "") -> bool:
    results.append((name, bool(ok)))
    print(f"{'PASS' if ok else 'FAIL'} {name}" + (f" -- {detail}" if detail else ""), flush=True)
    return bool(ok)


def entries(language: dict) -> list[dict]:
    """`language-servers` as tables: {"name": ..., "only-features"/"except-features": ...}."""
    out = []
    for e in language.get("language-servers", []):
        out.append({"name": e} if isinstance(e, str) else dict(e))
    return out


def features_of(entry: dict) -> set[str]:
    if "only-features" in entry:
        return set(entry["only-features"])
    return HELIX_FEATURES - set(entry.get("except-features", []))


def check_file(doc: dict) -> dict:
    servers = doc.get("language-server", {})
    pl = servers.get("pattern-language")
    check("[language-server.pattern-language] is defined", isinstance(pl, dict))
    pl = pl or {}
    unknown = set(pl) - LANGUAGE_SERVER_KEYS
    check("it uses only keys Helix knows", not unknown, ", ".join(sorted(unknown)))
    check('command = "pattern-language" (the binary name)', pl.get("command") == "pattern-language", repr(pl.get("command")))
    check('args = ["server"]', pl.get("args") == ["server"], repr(pl.get("args")))
    check("config (initializationOptions) is a table", isinstance(pl.get("config", {}), dict))

    languages = {lang.get("name"): lang for lang in doc.get("language", [])}
    for name in ("python", "markdown"):
        lang = languages.get(name)
        if not check(f"[[language]] {name} is configured", lang is not None):
            continue
        es = entries(lang)
        names = [e.get("name") for e in es]
        check(f"{name}: pattern-language is one of its servers", "pattern-language" in names, repr(names))
        others = [n for n in names if n != "pattern-language"]
        check(f"{name}: a default {name} server sits beside it", any(n in HELIX_BUILTIN_SERVERS[name] for n in others), repr(others))
        undefined = [n for n in names if n not in servers and n not in HELIX_BUILTIN_SERVERS[name]]
        check(f"{name}: every server named is defined here or by Helix", not undefined, repr(undefined))
        check(f"{name}: no server listed twice", len(names) == len(set(names)), repr(names))
        for e in es:
            both = "only-features" in e and "except-features" in e
            check(f"{name}/{e.get('name')}: only-features and except-features are not combined", not both)
            listed = set(e.get("only-features", [])) | set(e.get("except-features", []))
            bad = listed - HELIX_FEATURES
            check(f"{name}/{e.get('name')}: feature names are Helix's", not bad, ", ".join(sorted(bad)))
            extra = set(e) - {"name", "only-features", "except-features"}
            check(f"{name}/{e.get('name')}: no unknown keys", not extra, ", ".join(sorted(extra)))

    py = entries(languages.get("python", {}))
    md = entries(languages.get("markdown", {}))
    if py:
        check(
            "python: a Python server comes first (types and goto stay with it)",
            py[0].get("name") in HELIX_BUILTIN_SERVERS["python"],
            py[0].get("name", ""),
        )
        plp = next((e for e in py if e.get("name") == "pattern-language"), {})
        check(
            "python: pattern-language brings diagnostics, code actions and hover",
            {"diagnostics", "code-action", "hover"} <= features_of(plp),
            repr(sorted(features_of(plp))),
        )
    if md:
        check("markdown: pattern-language comes first (pattern hover and [[id]] definitions)", md[0].get("name") == "pattern-language")
        check("markdown: marksman is kept", any(e.get("name") == "marksman" for e in md))
    return pl


# --- the binary ---------------------------------------------------------------------------------


def check_cli(bin_path: str, pl: dict) -> None:
    try:
        help_run = subprocess.run([bin_path, "--help"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        check("`<bin> --help` runs", False, str(e))
        return
    check("`<bin> --help` exits 0", help_run.returncode == 0, help_run.stderr.strip()[:200])
    commands = set()
    in_commands = False
    for line in help_run.stdout.splitlines():
        if re.match(r"^\s*(Commands|SUBCOMMANDS):", line):
            in_commands = True
            continue
        if in_commands:
            m = re.match(r"^\s{2,}([a-z][\w-]*)\s", line + " ")
            if m:
                commands.add(m.group(1))
            elif line.strip() == "" or not line.startswith(" "):
                in_commands = False
    args = pl.get("args") or []
    check(
        f"`--help` lists the subcommand the config runs ({' '.join(args) or '-'})",
        bool(args) and args[0] in commands,
        "commands: " + ", ".join(sorted(commands)),
    )
    sub = subprocess.run([bin_path, *args, "--help"], capture_output=True, text=True, timeout=20)
    check(f"`<bin> {' '.join(args)} --help` exits 0", sub.returncode == 0, sub.stderr.strip()[:200])


class Lsp:
    """Just enough of an LSP client over stdio, every read bounded by a timeout."""

    def __init__(self, argv: list[str], cwd: Path):
        self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: queue.Queue = queue.Queue()
        self.stderr: list[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()
        self.next_id = 0

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                k, _, v = line.decode("ascii", "replace").partition(":")
                headers[k.strip().lower()] = v.strip()
            body = out.read(int(headers.get("content-length", "0")))
            try:
                self.messages.put(json.loads(body))
            except ValueError:
                self.messages.put({"unparsable": body[:200].decode("utf-8", "replace")})

    def send(self, msg: dict) -> None:
        data = json.dumps({"jsonrpc": "2.0", **msg}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def request(self, method: str, params, timeout: float = 10.0):
        self.next_id += 1
        rid = self.next_id
        self.send({"id": rid, "method": method, "params": params})
        while True:
            msg = self.messages.get(timeout=timeout)
            if msg is None:
                raise EOFError(f"the server closed its output before answering {method}")
            if msg.get("id") == rid and "method" not in msg:
                return msg
            if "method" in msg and "id" in msg:  # a request from the server: answer null
                self.send({"id": msg["id"], "result": None})

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=5)
            self.send({"method": "exit"})
            self.proc.wait(timeout=5)
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)


def check_server(bin_path: str, pl: dict, doc: dict) -> None:
    root = REPO / "tests" / "editors" / "fixtures" / "bookshop"
    argv = [bin_path, *(pl.get("args") or [])]
    try:
        lsp = Lsp(argv, root)
    except OSError as e:
        check("the server starts", False, str(e))
        return
    try:
        init = lsp.request(
            "initialize",
            {
                "processId": os.getpid(),
                "clientInfo": {"name": "helix", "version": "config-test"},
                "rootUri": root.as_uri(),
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                "initializationOptions": pl.get("config", {}),
                "capabilities": {
                    "textDocument": {"hover": {"contentFormat": ["markdown"]}, "inlayHint": {}},
                    "workspace": {"configuration": True, "workspaceFolders": True},
                },
            },
            timeout=15,
        )
    except (EOFError, queue.Empty) as e:
        err = b"".join(lsp.stderr).decode("utf-8", "replace").strip()
        check("the server answers initialize with the config's initializationOptions", False, f"{e}; stderr: {err[:300]}")
        lsp.close()
        return
    caps = (init.get("result") or {}).get("capabilities") or {}
    check("the server answers initialize with the config's initializationOptions", "result" in init, json.dumps(init.get("error"))[:200])
    lsp.send({"method": "initialized", "params": {}})
    # Helix sends the config again as didChangeConfiguration settings right after initialize.
    lsp.send({"method": "workspace/didChangeConfiguration", "params": {"settings": pl.get("config", {})}})

    routed = set()
    for lang in doc.get("language", []):
        for e in entries(lang):
            if e.get("name") == "pattern-language":
                routed |= features_of(e)
    for feature in sorted(routed):
        cap = CAPABILITY.get(feature)
        if cap is None:
            continue  # diagnostics need no capability
        value = caps.get(cap)
        check(f"the server advertises {cap} for Helix's {feature}", value not in (None, False), json.dumps(value)[:120])
    lsp.close()


def main() -> int:
    try:
        doc = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        check(f"{CONFIG.relative_to(REPO)} parses as TOML", False, str(e))
        doc = None
    if doc is not None:
        check(f"{CONFIG.relative_to(REPO)} parses as TOML", True)
        pl = check_file(doc)
        bin_path = os.environ.get("PATTERN_LANGUAGE_BIN", "")
        if bin_path and os.access(bin_path, os.X_OK):
            check_cli(bin_path, pl)
            check_server(bin_path, pl, doc)
        else:
            check("PATTERN_LANGUAGE_BIN names the server binary", False, repr(bin_path))
    passed = sum(ok for _, ok in results)
    print(f"helix config: {passed} of {len(results)} checks passed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
