#!/usr/bin/env bash
# The server hook at scale: a real push of 3,000 new branches (one traced commit each) onto a
# bare repository that has 6,000, with `plan-lint hook pre-receive` as its pre-receive hook,
# against the same push with no hook, in one hyperfine run (the new branches deleted on the
# server before each run). Target: within 2x (docs/benchmarks.md).
#
#   bash bench/push.sh [PLAN_LINT]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PL=${1:-$ROOT/target/release/plan-lint}
[ -x "$PL" ] || cargo build --release --quiet --bin plan-lint
WORK=$ROOT/target/bench/push
mkdir -p "$WORK" && cd "$WORK"
if [ ! -d server.git ]; then
    rm -rf seed client && mkdir seed && git -C seed init -q -b main
    python3 - <<'PY' | git -C seed fast-import --quiet
import sys
w = sys.stdout.buffer.write
reg = b'[promises.p00]\nstatement = "s"\nstatus = "in-play"\noutcomes = [{ metric = "m", baseline = "1", target = "2" }]\n'
w(b"blob\nmark :1\ndata %d\n%s\n" % (len(reg), reg))
w(b"blob\nmark :2\ndata 5\nhello\n")
t = 1700000000
def commit(ref, mark, parent, msg, files):
    global t
    t += 60
    w(b"commit %s\nmark :%d\ncommitter A <a@example.com> %d +0000\ndata %d\n%s\n" % (ref, mark, t, len(msg), msg))
    if parent:
        w(b"from :%d\n" % parent)
    w(files + b"\n")
commit(b"refs/heads/main", 10, None, b"Adopt\n\nPromise: p00\n", b"M 100644 :1 promises.toml\nM 100644 :2 README.md\n")
for i in range(1, 200):
    commit(b"refs/heads/main", 10 + i, 9 + i, b"Work %d\n\nPromise: p00\n" % i, b"M 100644 :2 f%d.txt\n" % i)
for i in range(6000):
    commit(b"refs/heads/old%04d" % i, 1000 + i, 10 + i % 200, b"Old %d\n\nPromise: p00\n" % i, b"M 100644 :2 o%d.txt\n" % i)
for i in range(3000):
    commit(b"refs/heads/new%04d" % i, 10000 + i, 10 + i % 200, b"New %d\n\nPromise: p00\n" % i, b"M 100644 :2 n%d.txt\n" % i)
PY
    git clone -q --bare seed server.git.tmp
    git -C server.git.tmp for-each-ref --format='delete %(refname)' 'refs/heads/new*' | git -C server.git.tmp update-ref --stdin
    git -C server.git.tmp repack -adq
    git clone -q --mirror seed client
    mv server.git.tmp server.git
fi
mkdir -p hooks-on hooks-off
printf '#!/bin/sh\nexec "%s" hook pre-receive\n' "$PL" > hooks-on/pre-receive
chmod +x hooks-on/pre-receive
printf '#!/bin/sh\ngit -C "%s" for-each-ref --format="delete %%(refname)" "refs/heads/new*" | git -C "%s" update-ref --stdin\n' \
    "$WORK/server.git" "$WORK/server.git" > clear.sh
push() { echo "git -C $WORK/client push -q --receive-pack='git -c core.hooksPath=$WORK/$1 receive-pack' $WORK/server.git 'refs/heads/new*:refs/heads/new*'"; }
# Both pushes must succeed (the hook accepts traced work) before they are timed.
for hooks in hooks-off hooks-on; do sh clear.sh && sh -c "$(push $hooks)"; done
hyperfine -w 1 -r "${RUNS:-8}" --prepare "sh $WORK/clear.sh" --export-json "$WORK/push.json" "$(push hooks-off)" "$(push hooks-on)"
python3 - "$WORK/push.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(f"push of 3,000 new branches onto 6,000: {r[0]['median']:.2f} s without the hook, {r[1]['median']:.2f} s with it: {r[1]['median'] / r[0]['median']:.2f}x (target 2x)")
PY
