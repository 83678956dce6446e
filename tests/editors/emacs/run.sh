#!/usr/bin/env bash
# Emacs + Eglot end-to-end test of editors/emacs/pattern-language.el against the real server.
#
#   PATTERN_LANGUAGE_BIN=/path/to/pattern-language tests/editors/emacs/run.sh
#
# Installs nothing: expects `emacs` with Eglot (built in from Emacs 29; on Debian 12:
# apt-get install emacs-nox elpa-eglot). Exit 0 when every check passed; 2 when it cannot run.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
emacs="${EMACS:-emacs}"

if ! command -v "$emacs" >/dev/null 2>&1; then
  echo "emacs e2e: '$emacs' not found (apt-get install emacs-nox elpa-eglot)" >&2
  exit 2
fi
bin="${PATTERN_LANGUAGE_BIN:-}"
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "emacs e2e: set PATTERN_LANGUAGE_BIN to the pattern-language binary (got '${bin}')" >&2
  exit 2
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
echo "emacs e2e: $("$emacs" --version | head -n 1), server $("$bin" --version 2>&1 | head -n 1)"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# A copy outside the repository (no `tests` folder above it), made a git repository so that
# project.el finds its root.
cp -R "$repo/tests/editors/fixtures/bookshop" "$scratch/bookshop"
git -C "$scratch/bookshop" init -q
export HOME="$scratch/home" XDG_CACHE_HOME="$scratch/cache"
mkdir -p "$HOME"
export PL_REPO="$repo" PL_FIXTURE="$scratch/bookshop" PATTERN_LANGUAGE_BIN="$bin"

# The package byte-compiles without warnings.
cp "$repo/editors/emacs/pattern-language.el" "$scratch/"
if ! timeout 60 "$emacs" -Q --batch \
  --eval "(progn (require 'package) (add-to-list 'package-directory-list \"/usr/share/emacs/site-lisp/elpa\") (package-initialize) (setq byte-compile-error-on-warn t))" \
  -f batch-byte-compile "$scratch/pattern-language.el" </dev/null; then
  echo "FAIL editors/emacs/pattern-language.el does not byte-compile cleanly"
  exit 1
fi
echo "PASS editors/emacs/pattern-language.el byte-compiles without warnings"

timeout --kill-after=5 "${PL_E2E_TIMEOUT:-60}" "$emacs" -Q --batch -l "$here/eglot-test.el" </dev/null
rc=$?
if (( rc == 124 || rc == 137 )); then
  echo "FAIL emacs e2e timed out"
fi
exit $(( rc == 0 ? 0 : 1 ))
