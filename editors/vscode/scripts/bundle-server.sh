#!/usr/bin/env bash
# Builds a platform-specific .vsix with the server binary inside (server/pattern-language[.exe]).
#
#   scripts/bundle-server.sh [BINARY]        (or: npm run package:bundled -- [BINARY])
#
# BINARY defaults to $PATTERN_LANGUAGE_BUNDLE_BIN, then $PATTERN_LANGUAGE_BIN; without any, the
# server is built with `cargo build --release` (stripped, no debug info) from the repository root.
# The copy that goes into the package is stripped in any case (when `strip` is there and the
# binary is for this machine), so a debug build does not ship its symbols. The VS Code target (linux-x64, darwin-arm64,
# win32-x64, ...) is guessed from this machine; set VSCE_TARGET to cross-package a binary built
# for another one. The copy in server/ is removed afterwards unless KEEP_SERVER=1, so that a plain
# `npm run package` never ships a stale binary.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$here"

bin="${1:-${PATTERN_LANGUAGE_BUNDLE_BIN:-${PATTERN_LANGUAGE_BIN:-}}}"
if [[ -z "$bin" ]]; then
  echo "bundle-server: building the server (cargo build --release)" >&2
  (cd "$repo" && cargo build --release --locked -p pattern-language)
  bin="${CARGO_TARGET_DIR:-$repo/target}/release/pattern-language"
  [[ -f "$bin" ]] || bin="$bin.exe"
fi
if [[ ! -f "$bin" ]]; then
  echo "bundle-server: no server binary at '$bin'" >&2
  exit 1
fi

target="${VSCE_TARGET:-}"
if [[ -z "$target" ]]; then
  case "$(uname -s)" in
    Linux) os=linux; if ldd --version 2>&1 | grep -qi musl; then os=alpine; fi ;;
    Darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN*) os=win32 ;;
    *) echo "bundle-server: unknown OS $(uname -s); set VSCE_TARGET" >&2; exit 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    armv7l) arch=armhf ;;
    *) echo "bundle-server: unknown CPU $(uname -m); set VSCE_TARGET" >&2; exit 1 ;;
  esac
  target="$os-$arch"
fi

exe=pattern-language
[[ "$target" == win32-* ]] && exe=pattern-language.exe

rm -rf server
mkdir -p server
if [[ "${KEEP_SERVER:-0}" != 1 ]]; then
  trap 'rm -rf "$here/server"' EXIT
fi
cp "$bin" "server/$exe"
chmod 755 "server/$exe"
if [[ -z "${VSCE_TARGET:-}" && "$target" != win32-* ]] && command -v strip >/dev/null 2>&1; then
  strip "server/$exe"
fi

# A binary for this machine must at least run.
if [[ -z "${VSCE_TARGET:-}" ]]; then
  version_line="$("server/$exe" --version)"
  echo "bundle-server: bundling $version_line ($bin) for $target" >&2
fi

version="$(node -p "require('./package.json').version")"
out="pattern-language-$target-$version.vsix"
npx --no-install vsce package --no-dependencies --allow-missing-repository --target "$target" --out "$out"

# The package must hold the binary. (The listing is read whole: `grep -q` in a pipeline would
# stop reading early, and pipefail would then count unzip's broken pipe as a failure.)
listing="$(unzip -l "$out")"
if ! grep -q "extension/server/$exe\$" <<<"$listing"; then
  echo "bundle-server: $out does not contain server/$exe" >&2
  exit 1
fi
echo "bundle-server: wrote $here/$out ($(( $(stat -c %s "$out" 2>/dev/null || wc -c <"$out") / 1024 )) KiB, server $(( $(stat -c %s "server/$exe" 2>/dev/null || wc -c <"server/$exe") / 1024 )) KiB)" >&2
