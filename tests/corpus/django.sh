#!/usr/bin/env bash
# The negative corpus: `check` over Django's own source release (from PyPI), compared with the
# reviewed snapshot beside this script. Django is not a DDD project: what `check` reports there
# must be near zero, and each finding kept in the snapshot needs a reason in README.md.
#
#   PATTERN_LANGUAGE_BIN=target/release/pattern-language tests/corpus/django.sh [--bench]
#
# --bench also times `check` against `ruff check --select DJ` with hyperfine (not a test).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version=5.2.19
bin="${PATTERN_LANGUAGE_BIN:-$here/../../target/debug/pattern-language}"
cache="${PATTERN_LANGUAGE_CORPUS:-${XDG_CACHE_HOME:-$HOME/.cache}/pattern-language-corpus}"
src="$cache/django-$version"
if [[ ! -d "$src" ]]; then
  mkdir -p "$cache"
  python3 -m pip download --quiet --no-deps --no-binary :all: "django==$version" -d "$cache"
  tar -xzf "$cache/django-$version.tar.gz" -C "$cache"
fi
out="$(mktemp)"
status=0
(cd "$src" && "$bin" check --format json --patterns . > "$out") || status=$?
if (( status > 1 )); then
  echo "check failed with exit code $status"
  exit 1
fi
if diff -u "$here/django-$version.json" "$out"; then
  echo "django corpus: findings match the reviewed snapshot"
  echo "1 passed, 0 failed"
else
  echo "django corpus: findings differ from the reviewed snapshot (review, then update $here/django-$version.json)"
  echo "0 passed, 1 failed"
  exit 1
fi
if [[ "${1:-}" == "--bench" ]]; then
  command -v ruff >/dev/null || python3 -m pip install --quiet ruff
  (cd "$src" && hyperfine --warmup 1 --runs 5 "$bin check --format json . > /dev/null || true" "ruff check --isolated --no-cache --select DJ . > /dev/null || true")
  (cd "$src" && /usr/bin/time -v "$bin" check --format json . 2>&1 >/dev/null | grep -E "Maximum resident|Elapsed") || true
fi
