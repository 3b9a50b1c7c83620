#!/usr/bin/env bash
# Prove the dependency lower bounds of pyproject.toml: install exactly those minimum versions (every
# `name>=X` pinned to `name==X`) with the project into a fresh venv, then run the CLI smoke with them.
#
# Offline from its cache: the wheels are kept in $PREFLIGHT_MIN_DEPS_CACHE (default
# ~/.cache/preflight-min-deps); the first run downloads them with pip, later runs install with
# --no-index from there. Takes about 2 minutes (most of it the smoke's demo run).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
CACHE="${PREFLIGHT_MIN_DEPS_CACHE:-$HOME/.cache/preflight-min-deps}"
mkdir -p "$CACHE"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$PYTHON" - >"$work/minimums.txt" <<'PY'
import re, tomllib
with open("pyproject.toml", "rb") as handle:
    project = tomllib.load(handle)["project"]
for requirement in project["dependencies"]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*(,.*)?", requirement)
    if match is None:
        raise SystemExit(f"min_deps: {requirement!r} has no '>=' lower bound; give it one")
    print(f"{match.group(1)}=={match.group(2)}")
PY
echo "== minimum versions (from pyproject.toml)"
cat "$work/minimums.txt"

"$PYTHON" -m venv "$work/venv"
pip_in_venv=("$work/venv/bin/python" -m pip --disable-pip-version-check -q)
install() {
  "${pip_in_venv[@]}" install --no-index --find-links "$CACHE" -c "$work/minimums.txt" .
}
if ! install 2>"$work/install.err"; then
  echo "== filling the wheel cache $CACHE"
  "${pip_in_venv[@]}" download -d "$CACHE" --only-binary :all: -r "$work/minimums.txt" "setuptools>=68" wheel
  install
fi
echo "== installed"
"${pip_in_venv[@]}" freeze | grep -v '^preflight'
# The pins must be what is installed, or the check proves nothing.
"$work/venv/bin/python" - "$work/minimums.txt" <<'PY'
import sys
from importlib.metadata import version

def norm(text):
    parts = [int(p) if p.isdigit() else p for p in text.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return parts

for line in open(sys.argv[1]):
    name, _, pinned = line.strip().partition("==")
    if norm(version(name)) != norm(pinned):
        raise SystemExit(f"min_deps: {name} {version(name)} is installed, not the minimum {pinned}")
PY
echo "== CLI smoke with the minimum versions"
bash .ci/cli_smoke.sh "$work/venv/bin/preflight"
