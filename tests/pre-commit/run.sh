#!/usr/bin/env bash
# The pre-commit hook of .pre-commit-hooks.yaml, for real: `pre-commit try-repo` on a throwaway git
# repository holding one smell and one unknown `[[id]]`. The hook must install through the wheel
# (pip builds it with maturin), run `pattern-language check` and fail with both findings.
#
# Needs `pre-commit` and git; exits 0 with a message when they are absent. The release build reuses
# this repository's target/ (CARGO_TARGET_DIR), so only the crate itself is recompiled.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
if ! command -v pre-commit >/dev/null 2>&1 || ! command -v git >/dev/null 2>&1; then
  echo "pre-commit hook test skipped: pre-commit or git not on PATH (pip install pre-commit)"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
project="$work/project"
mkdir -p "$project/domain" "$project/docs"
cd "$project"
git init -q .
git config user.email test@example.invalid
git config user.name test
printf '' > domain/__init__.py
printf 'from django.db import models\n' > domain/orders.py
printf '# Shipping\n\nShipping reads orders through [[no-such-pattern]].\n' > docs/adr.md
git add -A

status=0
pre-commit try-repo "$repo" pattern-language --all-files --verbose > "$work/out" 2>&1 || status=$?
cat "$work/out"
fail() {
  echo "pre-commit hook test: $1"
  exit 1
}
(( status == 1 )) || fail "expected the hook to fail (exit 1), got exit $status"
grep -q "domain/orders.py:1:1:.*\[orm-in-domain\]" "$work/out" || fail "no orm-in-domain finding"
grep -q "docs/adr.md:3:.*\[unknown-pattern\]" "$work/out" || fail "no unknown-pattern finding"
echo "pre-commit hook test: the hook installed through the wheel and reported both findings"
