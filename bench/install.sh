#!/usr/bin/env bash
# Times each no-compiler install path from a clean environment to a first `plan-lint check`,
# with the packages built locally (no download): a fresh virtual environment + pip install of the
# wheel, a fresh npm project + npm install of the tarballs, unpacking the archive.
set -euo pipefail
wheel=$1 launcher=$2 platform=$3 archive=$4
nocargo=$(echo "$PATH" | tr ':' '\n' | grep -v cargo | paste -sd:)
repo=$(mktemp -d); git -C "$repo" init -q -b main
printf '[promises.a]\nstatement = "s"\nstatus = "in-play"\noutcomes = [{ metric = "m", target = "t" }]\n' > "$repo/promises.toml"
git -C "$repo" add -A; git -C "$repo" -c user.name=a -c user.email=a@b commit -qm "x" -m "Promise: a"
now() { date +%s.%N; }
for i in 1 2 3; do
  d=$(mktemp -d); cp -r "$repo/." "$d"
  t0=$(now)
  (cd "$d" && PATH=$nocargo python3 -m venv .venv && .venv/bin/pip install -q --no-index --disable-pip-version-check "$wheel" && .venv/bin/plan-lint check >/dev/null)
  t1=$(now); echo "pip $(echo "$t1 - $t0" | bc)"
  d=$(mktemp -d); cp -r "$repo/." "$d"; echo '{"name":"t","private":true}' > "$d/package.json"
  t0=$(now)
  (cd "$d" && PATH=$nocargo npm_config_cache=$(mktemp -d) npm install -s --offline --no-audit --no-fund "$platform" "$launcher" && PATH=$nocargo npx --no-install plan-lint check >/dev/null)
  t1=$(now); echo "npm $(echo "$t1 - $t0" | bc)"
  d=$(mktemp -d); cp -r "$repo/." "$d"
  t0=$(now)
  (cd "$d" && cp "$archive" "$archive.sha256" . && sha256sum -c "$(basename "$archive").sha256" >/dev/null && tar -xzf "$(basename "$archive")" plan-lint && ./plan-lint check >/dev/null)
  t1=$(now); echo "archive $(echo "$t1 - $t0" | bc)"
done
