#!/usr/bin/env bash
# CI's smoke benchmark: a few small, realistic cases of bench/run.sh, each timed against its git
# (or ripgrep) baseline in one hyperfine run. Fails if any ratio is more than twice the ratio
# recorded in bench/smoke-baseline.txt (a regression, not noise: ratios are stable across
# machines far more than times are). Every command's exit code is checked, once before it is
# timed and again for every timed run: a plan-lint that stops at once with exit 2 would look
# fast and pass.
#
#   bash bench/smoke.sh            # check against the recorded ratios
#   bash bench/smoke.sh --record   # rewrite bench/smoke-baseline.txt
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/target/bench/smoke
mkdir -p "$WORK"

need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need hyperfine hyperfine
need rg ripgrep
need jq jq

cargo build --release --quiet --bin plan-lint --example bench_repo
PL=$ROOT/target/release/plan-lint
GEN=$ROOT/target/release/examples/bench_repo

# History: 20,000 commits with real-length messages (5-60 wrapped lines, trailers of five kinds).
[ -d "$WORK/history/.git" ] || "$GEN" "$WORK/history" --commits 20000 --docs 0 --promises 200 --in-play 3 --long
# Untraced: 20,000 commits nobody traced (the day a team adopts plan-lint), one every 2.5 hours
# over a tree of 4,000 files, so a 28-day window holds 263 commits, each needing help.
[ -d "$WORK/untraced/.git" ] || "$GEN" "$WORK/untraced" --commits 20000 --docs 0 --promises 200 --in-play 3 \
    --untraced --interval 9200 --files 4000 --long
# Documents: 4,000 pages shaped like a real docs tree (bench/docs_corpus.py: a directory per page,
# log-normal sizes, front matter, long lines, translations), task items rare.
[ -d "$WORK/docs/.git" ] || python3 bench/docs_corpus.py "$WORK/docs" 4000
# Hooks: an index of 50,000 entries.
if [ ! -d "$WORK/index/.git" ]; then
    mkdir -p "$WORK/index" && git -C "$WORK/index" init -q -b main
    python3 - "$WORK/index" <<'PY' | git -C "$WORK/index" fast-import --quiet
import sys
w = sys.stdout.buffer.write
def blob(mark, data):
    w(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))
blob(1, b'[promises.find-and-buy]\nstatement = "s"\nstatus = "in-play"\noutcomes = [{ metric = "m", baseline = "1", target = "2" }]\n')
blob(2, b"# Plan\nPromise: find-and-buy\n\n- [ ] Search\n")
blob(3, b"// code\n")
msg = b"Adopt\n\nPromise: find-and-buy\n"
w(b"commit refs/heads/main\ncommitter A <a@example.com> 1700000000 +0000\ndata %d\n%s\n" % (len(msg), msg))
w(b"M 100644 :1 promises.toml\nM 100644 :2 ROADMAP.md\n")
for i in range(50000):
    w(b"M 100644 :3 src/m%03d/d%02d/f%05d.rs\n" % (i // 1000, (i // 100) % 10, i))
w(b"\n")
PY
    git -C "$WORK/index" read-tree HEAD
    git -C "$WORK/index" checkout -q -- promises.toml ROADMAP.md
fi
# A project's index of 15,000 files (directories 1-6 deep, mixed kinds, a registry of 30
# promises, a roadmap) with promises.toml staged beside a README change: pre-commit compares
# both with HEAD and judges the registry change.
if [ ! -d "$WORK/staged/.git" ]; then
    mkdir -p "$WORK/staged" && git -C "$WORK/staged" init -q -b main
    python3 - <<'PY' | git -C "$WORK/staged" fast-import --quiet
import random, sys
rng = random.Random(15000)
w = sys.stdout.buffer.write
def blob(mark, data):
    w(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))
blob(1, "\n".join('[promises.p%02d]\nstatement = "Promise %d"\nstatus = "%s"\noutcomes = [{ metric = "m%d", baseline = "1", target = "2" }]\n'
                  % (i, i, "in-play" if i < 5 else "done", i) for i in range(30)).encode())
blob(2, b"# Roadmap\n\n" + b"".join(b"- [ ] Item %d (Promise: p%02d)\n" % (i, i % 5) for i in range(40)))
blob(3, b"# Project\n\nRead me.\n")
for k in range(200):
    blob(10 + k, b"// code %d\n" % k + b"x" * rng.randint(10, 3000) + b"\n")
msg = b"Adopt\n\nPromise: p00\n"
w(b"commit refs/heads/main\ncommitter A <a@example.com> 1700000000 +0000\ndata %d\n%s\n" % (len(msg), msg))
w(b"M 100644 :1 promises.toml\nM 100644 :2 ROADMAP.md\nM 100644 :3 README.md\n")
n = 0
while n < 14997:
    d = "/".join([rng.choice(["src", "lib", "tests", "docs", "tools", "third_party", "packages", "examples"])]
                 + ["d%d" % rng.randint(0, 30) for _ in range(rng.randint(1, 5))])
    for _ in range(min(rng.randint(1, 40), 14997 - n)):
        ext = rng.choice(["rs", "c", "h", "py", "js", "ts", "go", "json", "txt"])
        w(b"M 100644 :%d %s/f%05d.%s\n" % (10 + rng.randrange(200), d.encode(), n, ext.encode()))
        n += 1
w(b"\n")
PY
    git -C "$WORK/staged" read-tree HEAD
    git -C "$WORK/staged" checkout -q -- promises.toml README.md
    sed -i '0,/target = "2"/s//target = "3"/' "$WORK/staged/promises.toml"
    echo "More." >> "$WORK/staged/README.md"
    git -C "$WORK/staged" add promises.toml README.md
fi
# Monorepo (issue 25): 20 teams' scopes, 1,000 plans, 5,000 commits, 50,000 source files; one
# team's plan staged.
if [ ! -d "$WORK/scopes/.git" ]; then
    "$GEN" "$WORK/scopes" --scopes 20 --commits 5000 --docs 1000 --promises 200 --in-play 2 --files 50000
    echo "- [ ] One more step (Promise: promise-0030)" >> "$WORK/scopes/teams/t03/plans/plan-00003.md"
    git -C "$WORK/scopes" add teams/t03/plans/plan-00003.md
fi
printf 'Work\n\nPromise: find-and-buy\n' > "$WORK/msg"
# Organisation board: 1,000 teams' boards (about 27 MB of JSON) to merge into one page.
[ -f "$WORK/boards/team-0999.json" ] || python3 bench/boards.py 1000 "$WORK/boards"

RESULTS=$WORK/results
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
# Run a command once as hyperfine -N runs it (split as a shell would, no shell) and fail unless
# it exits with the expected code.
run_once() { # DIR EXPECTED COMMAND
    local code=0
    (cd "$1" && python3 -c 'import shlex, subprocess, sys; sys.exit(subprocess.run(shlex.split(sys.argv[1]), stdout=subprocess.DEVNULL).returncode)' "$3") 2>"$RESULTS/stderr" || code=$?
    if [ "$code" != "$2" ]; then
        echo "smoke benchmark: \`$3\` (in $1) exited with $code, expected $2:" >&2
        tail -n 20 "$RESULTS/stderr" >&2
        exit 1
    fi
}
bench() { # NAME DIR BASELINE BASELINE_EXIT COMMAND COMMAND_EXIT
    run_once "$2" "$4" "$3"
    run_once "$2" "$6" "$5"
    # hyperfine fails on a non-zero exit unless told to ignore them all; an expected 1 (findings)
    # needs that, and the exit code of every timed run is then checked from the export.
    local ignore=()
    if [ "$4" != 0 ] || [ "$6" != 0 ]; then ignore=(--ignore-failure); fi
    echo "$4 $6" > "$RESULTS/$1.exit"
    (cd "$2" && hyperfine -N --warmup 3 --min-runs 10 "${ignore[@]}" --export-json "$RESULTS/$1.json" "$3" "$5" >"$RESULTS/$1.log" 2>&1) \
        || { echo "smoke benchmark: hyperfine failed on $1:" >&2; tail -n 20 "$RESULTS/$1.log" >&2; exit 1; }
}
since=$(git -C "$WORK/history" log -1 --format=%ct)
since=$(date -u -d "@$((since - 28 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
bench history "$WORK/history" "git log --format=%(trailers:key=Promise,valueonly)" 0 "$PL check --commits HEAD" 1
bench window "$WORK/history" "git log --since=$since --format=%B" 0 "$PL check --since $since" 1
untraced_since=$(git -C "$WORK/untraced" log -1 --format=%ct)
untraced_since=$(date -u -d "@$((untraced_since - 28 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
bench window-untraced "$WORK/untraced" "git log --since=$untraced_since --format=%B" 0 "$PL check --since $untraced_since" 1
# One untraced commit against one traced commit of the same tree (a side commit off HEAD).
traced=$(GIT_COMMITTER_DATE=1700000000 GIT_AUTHOR_DATE=1700000000 git -C "$WORK/untraced" -c user.name=Bench \
    -c user.email=bench@example.com commit-tree "HEAD^{tree}" -p HEAD -m "Work" -m "Promise: promise-0000")
bench untraced-one "$WORK/untraced" "$PL check --commits HEAD..$traced" 0 "$PL check --commits HEAD~1..HEAD" 1
bench docs "$WORK/docs" "rg -c --no-ignore -g *.md Promise:" 0 "$PL check --no-commits" 0
bench commit-msg "$WORK/index" "git diff --cached --name-only" 0 "$PL hook commit-msg $WORK/msg" 0
bench pre-commit "$WORK/index" "git diff --cached --name-only" 0 "$PL hook pre-commit" 0
bench pre-commit-registry "$WORK/staged" "git diff --cached --name-only" 0 "$PL hook pre-commit" 0
# Ripgrep reading the same documents plus git's trailer query over the same history.
cat > "$WORK/scopes-baseline.sh" <<'SH'
rg -c . -g '*.md' teams >/dev/null
git log '--format=%(trailers:key=Promise,valueonly)' >/dev/null
SH
bench scopes "$WORK/scopes" "sh $WORK/scopes-baseline.sh" 0 "$PL check --all --commits HEAD" 1
bench pre-commit-scope "$WORK/scopes" "git diff --cached --name-only" 0 "$PL hook pre-commit" 0
# Server: a push of the history's newest 10,000 first-parent commits into a bare copy.
server=$WORK/server.git
rm -rf "$server" && git clone -q --bare "$WORK/history" "$server"
new=$(git -C "$server" rev-parse main)
old=$(git -C "$server" rev-list --first-parent main | sed -n 10001p)
git -C "$server" for-each-ref --format='%(refname)' refs/heads | xargs -n1 git -C "$server" update-ref -d
git -C "$server" update-ref refs/heads/main "$old"
echo "$old $new refs/heads/main" > "$WORK/pushed"
bench pre-receive "$server" "git rev-list --count $new ^main" 0 "sh -c '$PL hook pre-receive < $WORK/pushed'" 1
# Merging 1,000 boards, against jq reading each one's name (the same files parsed).
bench org-merge "$WORK/boards" "sh -c 'jq -c .name *.json'" 0 "sh -c '$PL board merge *.json -o $WORK/org.html'" 0
# Peak memory (KiB) of one run, which must exit with the expected code.
rss() { # DIR EXPECTED COMMAND...
    (cd "$1" && /usr/bin/time -f '%x %M' -o "$RESULTS/time" "${@:3}" >/dev/null 2>"$RESULTS/stderr") || true
    read -r code kib < <(tail -n 1 "$RESULTS/time")
    if [ "$code" != "$2" ]; then
        echo "smoke benchmark: \`${*:3}\` (in $1) exited with $code, expected $2:" >&2
        tail -n 20 "$RESULTS/stderr" >&2
        exit 1
    fi
    echo "$kib"
}
if [ -x /usr/bin/time ]; then
    ours=$(rss "$WORK/history" 1 "$PL" check --commits HEAD)
    git=$(rss "$WORK/history" 0 git log --format=%B)
    echo "$ours $git" > "$RESULTS/rss"
    # Memory follows the page, not the inputs: what merging 1,000 boards takes beyond merging
    # 20, against the size of the 1,000 boards' page (HTML) and of their JSON.
    few=$(rss "$WORK/boards" 0 sh -c "exec $PL board merge team-000*.json team-001*.json -o $WORK/org-few.html")
    all=$(rss "$WORK/boards" 0 sh -c "exec $PL board merge *.json -o $WORK/org.html")
    echo "$few $all $(stat -c %s "$WORK/org.html") $(cat "$WORK"/boards/*.json | wc -c)" > "$RESULTS/org-rss"
fi

python3 - "$RESULTS" "$ROOT/bench/smoke-baseline.txt" "${1:-}" <<'PY'
import json, os, sys
results, baseline_path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
ratios = {}
for name in ["history", "window", "window-untraced", "untraced-one", "docs", "commit-msg", "pre-commit", "pre-commit-registry", "pre-receive", "org-merge", "scopes", "pre-commit-scope"]:
    r = json.load(open(os.path.join(results, name + ".json")))["results"]
    # Every timed run exited as the run before timing did (hyperfine records each one's code).
    expected = [int(c) for c in open(os.path.join(results, name + ".exit")).read().split()]
    for result, want in zip(r, expected):
        codes = set(result.get("exit_codes") or [None])
        if codes != {want}:
            sys.exit(f"{name}: `{result['command']}` exited with {sorted(codes, key=str)} while timed, expected {want}")
    ratios[name] = r[1]["mean"] / r[0]["mean"]
    print(f"{name:<19} {r[0]['mean']*1000:8.1f} ms baseline  {r[1]['mean']*1000:8.1f} ms plan-lint  {ratios[name]:.2f}x")
rss_path = os.path.join(results, "rss")
if os.path.exists(rss_path):
    ours, git = map(int, open(rss_path).read().split())
    ratios["history-rss"] = ours / git
    print(f"{'history-rss':<19} {git/1024:8.1f} MiB git log  {ours/1024:8.1f} MiB plan-lint  {ratios['history-rss']:.2f}x")
# Issue 25: merging 1,000 repositories' boards takes under 2 s.
merge = json.load(open(os.path.join(results, "org-merge.json")))["results"][1]["mean"]
if merge >= 2.0:
    sys.exit(f"org-merge: merging 1,000 boards took {merge:.2f} s, over 2 s")
org_rss = os.path.join(results, "org-rss")
if os.path.exists(org_rss):
    few, many, page, inputs = map(int, open(org_rss).read().split())
    grown = max(many - few, 0) * 1024
    ratios["org-merge-rss"] = grown / page
    print(f"{'org-rss':<19} {few/1024:8.1f} MiB 20 boards  {many/1024:8.1f} MiB 1,000 boards: "
          f"{grown/page:.2f}x the {page/1e6:.1f} MB page, {grown/inputs:.2f}x the {inputs/1e6:.1f} MB of boards")
if mode == "--record":
    with open(baseline_path, "w") as f:
        f.write("# Ratios recorded by `bash bench/smoke.sh --record`; CI fails past twice these.\n")
        for k, v in ratios.items():
            f.write(f"{k} {v:.3f}\n")
    sys.exit(0)
recorded = {}
for line in open(baseline_path):
    if line.strip() and not line.startswith("#"):
        k, v = line.split()
        recorded[k] = float(v)
bad = [f"{k}: {v:.2f}x against {recorded[k]:.2f}x recorded" for k, v in ratios.items() if k in recorded and v > 2 * recorded[k]]
if bad:
    print("regressed past twice the recorded ratio:\n  " + "\n  ".join(bad))
    sys.exit(1)
print("smoke benchmark: every ratio within twice its recorded value")
PY
