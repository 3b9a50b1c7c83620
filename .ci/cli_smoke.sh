#!/usr/bin/env bash
# The CLI smoke the dependency lower bounds are proven with: every command family once, on the demo.
# Usage: .ci/cli_smoke.sh [PREFLIGHT]   (default: preflight on PATH). Exit 0 only when all steps pass.
set -euo pipefail
PREFLIGHT="${1:-preflight}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
expect() {  # expect CODE CMD...: run CMD, fail unless it exits CODE
  local want="$1"; shift
  local got=0
  "$@" >"$work/out" 2>"$work/err" || got=$?
  if [ "$got" != "$want" ]; then
    echo "smoke: '$*' exited $got, expected $want" >&2
    tail -20 "$work/err" >&2
    exit 1
  fi
}
expect 0 "$PREFLIGHT" --version
expect 0 "$PREFLIGHT" -h
expect 0 "$PREFLIGHT" run --help
expect 2 "$PREFLIGHT" --no-such-flag
expect 0 "$PREFLIGHT" list
expect 0 "$PREFLIGHT" explain runtime.schema
expect 0 "$PREFLIGHT" schema report
# The demo: the whole runbook with the paper session, in every output format.
expect 0 "$PREFLIGHT" demo --dir "$work/d" --quiet \
  --format json -o "$work/r.json" --format junit -o "$work/r.xml" --format markdown -o "$work/r.md" \
  --format sarif -o "$work/r.sarif" --format github -o "$work/r.gh"
grep -q '"verdict": "GO WITH EXCEPTIONS"' "$work/r.json"
expect 1 "$PREFLIGHT" run bybit_desktop_paper --root "$work/d" --quiet --require-real --no-paper
expect 4 "$PREFLIGHT" run bybit_desktop_paper --root "$work/d" --quiet --fail-on exceptions --no-paper
expect 2 "$PREFLIGHT" run bybit_desktop_paper --root "$work/d" --faults no_such_fault=1
expect 0 "$PREFLIGHT" paper bybit_desktop_paper --root "$work/d" --ticks 20
expect 0 "$PREFLIGHT" fingerprint show --root "$work/d"
expect 0 "$PREFLIGHT" license verify --root "$work/d"
expect 0 "$PREFLIGHT" secrets list --root "$work/d"
expect 0 "$PREFLIGHT" signoff bybit_desktop_paper --root "$work/d" --operator smoke \
  --from-report "$work/r.json" -o "$work/signoff.md"
expect 0 "$PREFLIGHT" signoff verify "$work/signoff.md" --root "$work/d"  # trusts the deployment's key only
echo "cli smoke: ok ($("$PREFLIGHT" --version))"
