#!/usr/bin/env bash
# plan-lint's benchmark suite: whole-process timings with hyperfine, each reported as a ratio to
# a baseline command run in the same invocation (these machines are noisy; ratios are stable).
#
#   bash bench/run.sh            # print the table
#   bash bench/run.sh --write    # also rewrite docs/benchmarks.md
#
# Repositories are generated deterministically (examples/bench_repo.rs, git fast-import) under
# target/bench/, once; delete that directory to regenerate.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/target/bench
mkdir -p "$WORK"

need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need hyperfine hyperfine
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

cargo build --release --quiet --bin plan-lint --example bench_repo
PL=$ROOT/target/release/plan-lint
GEN=$ROOT/target/release/examples/bench_repo

gen() { # name args...
    local dir=$WORK/$1; shift
    [ -d "$dir/.git" ] || "$GEN" "$dir" "$@"
}
gen h100k --commits 100000 --docs 0 --promises 200 --in-play 3
gen h10k --commits 10000 --docs 0 --promises 200 --in-play 3
gen d10k --commits 10 --docs 10000 --promises 200 --in-play 50
gen d1k --commits 10 --docs 1000 --promises 200 --in-play 50
gen full --commits 100000 --docs 10000 --promises 200 --in-play 3
gen hook --commits 1000 --docs 100 --promises 50
# The board's Flow (issue 26): 1,000 registry revisions over 100,000 commits (ending 2024-01-23).
gen h100k-reg --commits 100000 --docs 0 --promises 200 --in-play 3 --registry-revisions 1000
# With git's commit-graph and its changed-path filters, as `git commit-graph write` leaves them.
[ -e "$WORK/h100k-reg/.git/objects/info/commit-graph" ] ||
    git -C "$WORK/h100k-reg" commit-graph write --reachable --changed-paths
# A monorepo (issue 25): 50 teams' scoped registries, 20,000 plan documents, 100,000 commits.
gen scopes50 --scopes 50 --commits 100000 --docs 20000 --promises 500 --in-play 2

RESULTS=$WORK/results
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

# bench NAME DIR BASELINE COMMAND [PREPARE]: mean seconds of both, in one hyperfine run.
bench() {
    local name=$1 dir=$2 base=$3 cmd=$4 prep=${5:-true}
    (cd "$dir" && hyperfine -N --warmup 3 --min-runs 10 --prepare "$prep" --ignore-failure \
        --export-json "$RESULTS/$name.json" "$base" "$cmd" >/dev/null 2>&1) ||
    (cd "$dir" && hyperfine --warmup 3 --min-runs 10 --prepare "$prep" --ignore-failure \
        --export-json "$RESULTS/$name.json" "$base" "$cmd" >/dev/null)
}

bench history-100k-trailers "$WORK/h100k" "git log --format=%(trailers:key=Promise,valueonly)" "$PL check --commits HEAD"
bench history-100k-body "$WORK/h100k" "git log --format=%B" "$PL check --commits HEAD"
bench history-10k-trailers "$WORK/h10k" "git log --format=%(trailers:key=Promise,valueonly)" "$PL check --commits HEAD"
bench docs-10k "$WORK/d10k" "sh -c 'find plans -name *.md -print0 | xargs -0 cat'" "$PL check --no-commits"
bench docs-1k "$WORK/d1k" "sh -c 'find plans -name *.md -print0 | xargs -0 cat'" "$PL check --no-commits"
printf 'Work\n\nPromise: promise-0001\n' > "$WORK/hook-msg"
bench hook-commit-msg "$WORK/hook" "git rev-parse HEAD" "$PL hook commit-msg $WORK/hook-msg"
bench hook-pre-commit-unrelated "$WORK/hook" "git rev-parse HEAD" "$PL hook pre-commit" \
    "git -C $WORK/hook reset -q --hard && echo x >> $WORK/hook/src/f1.rs && git -C $WORK/hook add src/f1.rs"
bench hook-pre-commit-plan "$WORK/hook" "git rev-parse HEAD" "$PL hook pre-commit" \
    "git -C $WORK/hook reset -q --hard && echo '- [ ] more (Promise: promise-0001)' >> $WORK/hook/plans/area-00/plan-00000.md && git -C $WORK/hook add plans"
bench hook-pre-commit-registry "$WORK/hook" "git rev-parse HEAD" "$PL hook pre-commit" \
    "git -C $WORK/hook reset -q --hard && sed -i 's/target = \"2%\"/target = \"3%\"/' $WORK/hook/promises.toml && git -C $WORK/hook add promises.toml"
bench hook-pre-commit-status "$WORK/hook" "git rev-parse HEAD" "$PL hook pre-commit" \
    "git -C $WORK/hook reset -q --hard && sed -i '0,/status = \"done\"/s//status = \"dropped\"/' $WORK/hook/promises.toml && git -C $WORK/hook add promises.toml"
git -C "$WORK/hook" reset -q --hard
# The same window judged without the board (no registry history but suspect-link's bounded
# 20,000 commits) against the board with its Flow and changes read from all 1,000 revisions.
REG_WINDOW="--since 2023-12-26 --until 2024-01-23"
# The first board: nothing kept from a run before (`.git/plan-lint` removed before each run).
bench report-flow-100k "$WORK/h100k-reg" "$PL check $REG_WINDOW" "$PL report $REG_WINDOW --format json" \
    "rm -rf $WORK/h100k-reg/.git/plan-lint"
# Every scope of the monorepo against ripgrep reading the same documents plus git's trailer query
# over the same history (the baseline runs both, one after the other).
need rg ripgrep
cat > "$WORK/scopes-baseline.sh" <<'SH'
rg -c . -g '*.md' teams >/dev/null
git log '--format=%(trailers:key=Promise,valueonly)' >/dev/null
SH
bench scopes-50 "$WORK/scopes50" "sh $WORK/scopes-baseline.sh" "$PL check --all --commits HEAD"

rss() { (cd "$1" && /usr/bin/time -f %M "${@:2}" 2>&1 >/dev/null | tail -1); }
echo "$(rss "$WORK/full" "$PL" check --commits HEAD)" > "$RESULTS/rss-full-kb"
echo "$(rss "$WORK/full" git log --format=%B)" > "$RESULTS/rss-git-kb"

# Output at scale (issue 14): an 8 MB plan of 1,000,000 untraced items, every format; peak RSS.
big=$WORK/million
if [ ! -d "$big/.git" ]; then
    mkdir -p "$big" && git -C "$big" init -q
    printf '[promises.a]\nstatement = "s"\nstatus = "in-play"\noutcomes = [{ metric = "m", target = "1" }]\n' > "$big/promises.toml"
    python3 -c "open('$big/ROADMAP.md', 'w').write('- [ ] x\\n' * 1000000)"
fi
for format in human json github sarif; do
    echo "$(rss "$big" "$PL" check --no-commits --format "$format")" > "$RESULTS/rss-million-$format-kb"
done

python3 - "$RESULTS" "$ROOT" "${1:-}" <<'PY'
import json, os, platform, subprocess, sys
results, root, write = sys.argv[1], sys.argv[2], sys.argv[3] == "--write"
def load(name):
    with open(os.path.join(results, name + ".json")) as f:
        r = json.load(f)["results"]
    return r[0]["mean"], r[1]["mean"], r[0]["command"], r[1]["command"]
rows = [
    ("history-100k-trailers", "history: 100,000 commits", "1.0"),
    ("history-100k-body", "history: 100,000 commits", "1.3"),
    ("history-10k-trailers", "history: 10,000 commits", "1.0"),
    ("docs-10k", "documents: 10,000 plans", "3"),
    ("docs-1k", "documents: 1,000 plans", "3"),
    ("hook-commit-msg", "hook: commit-msg, 100 plans, 50 promises", "3"),
    ("hook-pre-commit-unrelated", "hook: pre-commit, unrelated change staged", "3"),
    ("hook-pre-commit-plan", "hook: pre-commit, one plan staged", "3"),
    ("hook-pre-commit-registry", "hook: pre-commit, promises.toml staged (outcomes edited)", "3"),
    ("hook-pre-commit-status", "hook: pre-commit, a promise's status changed (plans with its open items rechecked)", "3"),
    ("report-flow-100k", "report: 28-day window, 100,000 commits, 1,000 registry revisions (Flow)", "1.2"),
    ("scopes-50", "monorepo: `check --all`, 50 scopes, 20,000 plans, 100,000 commits", "1.2"),
]
def short(cmd):
    return cmd.replace(root + "/target/release/", "").replace(root + "/target/bench/", "")
lines = ["| case | baseline | baseline (ms) | plan-lint (ms) | ratio | target |", "|---|---|---:|---:|---:|---:|"]
for name, label, target in rows:
    base, ours, bcmd, ocmd = load(name)
    ratio = ours / base
    mark = "ok" if ratio <= float(target) else "over"
    lines.append(f"| {label} | `{short(bcmd)}` | {base*1000:.1f} | {ours*1000:.1f} | {ratio:.2f}x | ≤{target}x {mark} |")
rss = int(open(os.path.join(results, "rss-full-kb")).read().strip() or 0)
rss_git = int(open(os.path.join(results, "rss-git-kb")).read().strip() or 0)
h10 = load("history-10k-trailers")[1]; h100 = load("history-100k-trailers")[1]
d1 = load("docs-1k")[1]; d10 = load("docs-10k")[1]
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
extra = [
    "",
    f"Peak RSS, `plan-lint check --commits HEAD` over 100,000 commits and 10,000 plan documents: "
    f"{rss/1024:.0f} MiB (target ≤64 MiB; `git log --format=%B` on the same repository: {rss_git/1024:.0f} MiB).",
    "",
    f"Scaling: 10,000 → 100,000 commits took {h10*1000:.0f} → {h100*1000:.0f} ms ({h100/h10:.1f}x for 10x); "
    f"1,000 → 10,000 documents took {d1*1000:.0f} → {d10*1000:.0f} ms ({d10/d1:.1f}x for 10x).",
    "",
    f"Machine: {cpu or platform.processor()}, {os.cpu_count()} cores; {platform.system()} {platform.release()}.",
]
million = []
for fmt in ["human", "json", "github", "sarif"]:
    kb = int(open(os.path.join(results, f"rss-million-{fmt}-kb")).read().strip() or 0)
    million.append(f"{fmt} {kb/1024:.0f} MiB")
extra[1:1] = ["", "Peak RSS, `plan-lint check --no-commits --format F` on an 8 MB plan of 1,000,000 untraced items "
              "(findings streamed to the writer; target ≤512 MiB): " + ", ".join(million) + "."]
table = "\n".join(lines + extra)
print(table)
if write:
    path = os.path.join(root, "docs/benchmarks.md")
    text = open(path).read()
    start = text.index("<!-- results -->") + len("<!-- results -->")
    end = text.index("<!-- /results -->")
    open(path, "w").write(text[:start] + "\n" + table + "\n" + text[end:])
PY
