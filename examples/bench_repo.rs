//! Build a synthetic repository for benchmarks, deterministically and fast, through
//! `git fast-import`.
//!
//! ```sh
//! cargo run --release --example bench_repo -- DIR --commits 100000 --docs 10000 --promises 200
//! ```
//!
//! The first commit adds `promises.toml` (a quarter of the promises in play, within the limit
//! only when `--in-play` says so) and `--docs` plan documents under `plans/`. Then `--commits`
//! commits with realistic messages: subjects, bodies, `Promise:` (most), `Signed-off-by:` and
//! `Co-authored-by:` trailers, some untraced, a merge every 100 commits. The same arguments always
//! give the same repository (same commit ids). `--untraced`: no commit after the first names a
//! promise; `--interval S`: seconds between commits (60); `--files N`: N source files in
//! directories of 50, all in the first tree, one changed per commit (a real repository's tree);
//! `--registry-revisions N`: N evenly spaced commits also change promises.toml (a target
//! raised, and every other one a promise put in play or taken out), for the board's Flow.
//! `--scopes N`: a monorepo of N teams (issue 25): the root registry lists `teams/tNN` in
//! `[scopes] members` and holds the vision and limits; each team's folder has its own
//! promises.toml (its share of `--promises`, `--in-play` of them in play, per team), its share
//! of the plan documents under `teams/tNN/plans/`, and the commits that change its folder, each
//! naming one of its promises by its short id.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

#[path = "../tests/it/support/rng.rs"]
mod rng;
use rng::Rng;

const VERBS: &[&str] =
    &["Add", "Fix", "Refactor", "Speed up", "Document", "Remove", "Rename", "Test", "Polish", "Split"];
const NOUNS: &[&str] = &[
    "search index",
    "checkout flow",
    "order status page",
    "payment retry",
    "product feed",
    "cart badge",
    "login form",
    "shipping estimate",
    "review widget",
    "promo banner",
    "inventory sync",
    "price filter",
];
const BODY: &[&str] = &[
    "The previous version recomputed the whole list on every keystroke.",
    "Customers reported that the button did nothing on slow connections.",
    "This keeps the behaviour but moves the logic next to the data it reads.",
    "Measured on the staging catalogue: 40% fewer requests.",
    "Follow-up to the review comments on the first attempt.",
];

struct Args {
    dir: PathBuf,
    commits: usize,
    docs: usize,
    promises: usize,
    in_play: Option<usize>,
    /// Real-length messages: 5-60 wrapped lines and trailers of several kinds.
    long: bool,
    /// No commit after the first names a promise (a team on the day it adopts plan-lint).
    untraced: bool,
    /// Seconds between commits.
    interval: u64,
    /// Source files across directories, all in the first commit's tree, one changed per commit
    /// (a real repository's tree); without it, 100 files at the root of `src/`.
    files: Option<usize>,
    /// Commits that also change promises.toml (the registry's history).
    registry_revisions: usize,
    /// Teams, each a scope with a registry of its own (0: one root registry).
    scopes: usize,
}

fn parse_args() -> Args {
    let mut args = std::env::args().skip(1);
    let mut out = Args {
        dir: PathBuf::new(),
        commits: 1000,
        docs: 100,
        promises: 50,
        in_play: None,
        long: false,
        untraced: false,
        interval: 60,
        files: None,
        registry_revisions: 0,
        scopes: 0,
    };
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> usize {
            args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{name} takes a number"))
        };
        match a.as_str() {
            "--commits" => out.commits = num("--commits"),
            "--docs" => out.docs = num("--docs"),
            "--promises" => out.promises = num("--promises"),
            "--in-play" => out.in_play = Some(num("--in-play")),
            "--long" => out.long = true,
            "--untraced" => out.untraced = true,
            "--interval" => out.interval = num("--interval") as u64,
            "--files" => out.files = Some(num("--files").max(1)),
            "--registry-revisions" => out.registry_revisions = num("--registry-revisions"),
            "--scopes" => out.scopes = num("--scopes"),
            _ if out.dir.as_os_str().is_empty() => out.dir = PathBuf::from(a),
            _ => panic!("unexpected argument {a}"),
        }
    }
    assert!(!out.dir.as_os_str().is_empty(), "usage: bench_repo DIR [--commits N] [--docs N] [--promises N]");
    out
}

fn id(i: usize) -> String {
    format!("promise-{i:04}")
}

fn registry(promises: usize, in_play: usize) -> String {
    registry_at(promises, in_play, 0)
}

/// The registry after `revision` changes: revision k raises promise (k mod promises)'s target
/// (each raise is one more percent), and odd revisions put promise `in_play` in play (the
/// next even one takes it out again).
fn registry_at(promises: usize, in_play: usize, revision: usize) -> String {
    let mut s = String::from("vision = \"A synthetic team for benchmarks.\"\n\n[limits]\n");
    let _ = writeln!(s, "in-play = {}\n", in_play.max(1));
    let raised = |i: usize| {
        revision.checked_div(promises).unwrap_or(0) + usize::from(i < revision.checked_rem(promises).unwrap_or(0))
    };
    for i in 0..promises {
        let extra = i == in_play && revision % 2 == 1;
        let status = if i < in_play || extra { "in-play" } else { ["proposed", "done", "dropped"][i % 3] };
        let _ = write!(
            s,
            "[promises.{}]\nstatement = \"A customer can do thing number {i}.\"\nstatus = \"{status}\"\npriority = \"should\"\n\
             outcomes = [{{ metric = \"metric {i}\", baseline = \"1%\", target = \"{}%\" }}]\n\n",
            id(i),
            2 + raised(i)
        );
    }
    s.push_str("[commits]\nexempt-subjects = [\"^chore\\\\(deps\\\\)\"]\n");
    s
}

/// With scopes: team `team`'s folder, and its promise `j` (of `per` each).
fn team_dir(team: usize) -> String {
    format!("teams/t{team:02}")
}

fn team_id(team: usize, per: usize, j: usize) -> String {
    id(team * per + j)
}

/// The root registry of a monorepo: the vision, the limits, the teams.
fn root_registry(scopes: usize) -> String {
    let members: Vec<String> = (0..scopes).map(|t| format!("\"{}\"", team_dir(t))).collect();
    format!(
        "vision = \"A synthetic organisation for benchmarks.\"\n\n[scopes]\nmembers = [{}]\n\n[limits]\nin-play = 3\n\n\
         [commits]\nexempt-subjects = [\"^chore\\\\(deps\\\\)\"]\n",
        members.join(", ")
    )
}

/// Team `team`'s registry: its `per` promises, the first `in_play` in play.
fn team_registry(team: usize, per: usize, in_play: usize) -> String {
    let mut s = format!("name = \"Team {team}\"\n\n[limits]\nin-play = {}\n\n", in_play.max(1));
    for j in 0..per {
        let status = if j < in_play { "in-play" } else { ["proposed", "done", "dropped"][j % 3] };
        let _ = write!(
            s,
            "[promises.{}]\nstatement = \"A customer can do thing number {j} of team {team}.\"\nstatus = \"{status}\"\n\
             outcomes = [{{ metric = \"metric {j}\", baseline = \"1%\", target = \"2%\" }}]\n\n",
            team_id(team, per, j)
        );
    }
    s
}

/// A plan document whose sections name promises `promise(0..in_play)`.
fn doc(rng: &mut Rng, n: usize, in_play: usize, promise: &dyn Fn(usize) -> String) -> String {
    let mut s = format!("# Plan {n}\n\nThemes and outcomes for area {n}.\n\n");
    for section in 0..4 {
        let _ = write!(s, "## Section {section}\nPromise: {}\n\n", promise(rng.below(in_play.max(1))));
        for item in 0..6 {
            let done = if rng.below(3) == 0 { "x" } else { " " };
            let _ = writeln!(s, "- [{done}] {} the {} ({item})", rng.pick(VERBS), rng.pick(NOUNS));
        }
        s.push_str("\nSome prose with `inline code` and a [link](https://example.com).\n\n");
    }
    s
}

fn message(
    rng: &mut Rng,
    n: usize,
    in_play: usize,
    (long, untraced): (bool, bool),
    promise: &dyn Fn(usize) -> String,
) -> String {
    let mut s = format!("{} the {} ({n})\n", rng.pick(VERBS), rng.pick(NOUNS));
    if rng.below(20) == 0 {
        return format!("chore(deps): bump crate-{} to 1.{}.0\n", n % 50, n % 7);
    }
    let body_lines = if long { 0 } else { rng.below(4) };
    if long {
        // 5 to 60 lines of prose wrapped at 72 columns, in paragraphs, as kernel and git
        // messages are written.
        let lines = 5 + rng.below(56);
        let mut line = String::new();
        let mut written = 0;
        s.push('\n');
        while written < lines {
            let sentence = rng.pick(BODY);
            for word in sentence.split(' ') {
                if line.len() + word.len() + 1 > 72 {
                    s.push_str(&line);
                    s.push('\n');
                    line.clear();
                    written += 1;
                    if written % 8 == 0 {
                        s.push('\n');
                    }
                }
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
            }
        }
        if !line.is_empty() {
            s.push_str(&line);
            s.push('\n');
        }
    }
    if body_lines > 0 {
        s.push('\n');
        for _ in 0..body_lines {
            s.push_str(rng.pick(BODY));
            s.push('\n');
        }
    }
    let mut trailers = String::new();
    if rng.below(50) != 0 {
        let promise = promise(rng.below(in_play.max(1)));
        if !untraced {
            let _ = writeln!(trailers, "Promise: {promise}");
        }
    }
    if rng.below(2) == 0 {
        trailers.push_str("Signed-off-by: Ada Lovelace <ada@example.com>\n");
    }
    if rng.below(5) == 0 {
        trailers.push_str("Co-authored-by: Grace Hopper <grace@example.com>\n");
    }
    if long {
        for (odds, line) in [
            (3, "Reviewed-by: Linus Torvalds <torvalds@example.org>"),
            (4, "Acked-by: Junio C Hamano <gitster@example.com>"),
            (6, "Link: https://lore.example.org/r/20260101.12345-1-ada@example.com"),
            (8, "Fixes: 1a2b3c4d5e6f (\"Speed up the search index\")"),
            (10, "Cc: stable@example.org"),
        ] {
            if rng.below(odds) == 0 {
                trailers.push_str(line);
                trailers.push('\n');
            }
        }
    }
    if !trailers.is_empty() {
        s.push('\n');
        s.push_str(&trailers);
    }
    s
}

/// The start of a fast-import commit on `branch` with mark `mark`.
fn header(out: &mut impl Write, branch: &str, mark: usize, time: u64) -> std::io::Result<()> {
    writeln!(out, "commit refs/heads/{branch}\nmark :{mark}\ncommitter Ada Lovelace <ada@example.com> {time} +0000")
}

fn data(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    writeln!(out, "data {}", bytes.len())?;
    out.write_all(bytes)?;
    out.write_all(b"\n")
}

fn main() -> std::io::Result<()> {
    let args = parse_args();
    std::fs::create_dir_all(&args.dir)?;
    let git = |a: &[&str]| {
        let ok = Command::new("git").current_dir(&args.dir).args(a).status().map(|s| s.success()).unwrap_or(false);
        assert!(ok, "git {a:?} failed");
    };
    git(&["init", "-q", "-b", "main"]);
    let mut child = Command::new("git")
        .current_dir(&args.dir)
        .args(["fast-import", "--quiet", "--force"])
        .stdin(Stdio::piped())
        .spawn()?;
    let mut out = BufWriter::with_capacity(1 << 20, child.stdin.take().expect("stdin"));
    let mut rng = Rng(0x5eed_0000_0000_0001);
    let in_play = args.in_play.unwrap_or((args.promises / 4).max(1)).min(args.promises);
    // With `--interval`, the history ends where the default one starts (never in the future).
    let mut time = 1_700_000_000u64;
    if args.interval != 60 {
        time -= (args.commits as u64 * args.interval).min(time / 2);
    }

    // With scopes: each team's share of the promises, `--in-play` of them in play.
    let per = args.promises.checked_div(args.scopes).unwrap_or(0).max(1);
    let team_in_play = args.in_play.unwrap_or(1).min(per);
    let team_of = |n: usize| n % args.scopes.max(1);
    let flat = |j: usize| id(j);
    // The first commit: the registry and the plan documents.
    header(&mut out, "main", 1, time)?;
    let first = if args.scopes > 0 { team_id(0, per, 0) } else { id(0) };
    data(&mut out, format!("Adopt plan-lint\n\nPromise: {first}\n").as_bytes())?;
    writeln!(out, "M 100644 inline promises.toml")?;
    if args.scopes > 0 {
        data(&mut out, root_registry(args.scopes).as_bytes())?;
        for team in 0..args.scopes {
            writeln!(out, "M 100644 inline {}/promises.toml", team_dir(team))?;
            data(&mut out, team_registry(team, per, team_in_play).as_bytes())?;
        }
    } else {
        data(&mut out, registry(args.promises, in_play).as_bytes())?;
    }
    for n in 0..args.docs {
        if args.scopes > 0 {
            let team = team_of(n);
            writeln!(out, "M 100644 inline {}/plans/plan-{n:05}.md", team_dir(team))?;
            data(&mut out, doc(&mut rng, n, team_in_play, &|j| team_id(team, per, j)).as_bytes())?;
        } else {
            writeln!(out, "M 100644 inline plans/area-{:02}/plan-{n:05}.md", n % 50)?;
            data(&mut out, doc(&mut rng, n, in_play, &flat).as_bytes())?;
        }
    }
    // A real tree: files in directories of 50.
    let file = |n: usize| match args.files {
        Some(files) => format!("src/d{:03}/f{:05}.rs", (n % files) / 50, n % files),
        // As before the option, so the same arguments still give the same commits.
        None => format!("src/f{}.rs", n % 100),
    };
    // One change per commit, spread over the tree (with scopes: in the folder of the team whose
    // promise it names).
    let changed = |n: usize| match (args.scopes, args.files) {
        (0, Some(_)) => file(n.wrapping_mul(7919)),
        (0, None) => file(n),
        (_, _) => format!("{}/src/f{}.rs", team_dir(team_of(n)), (n / args.scopes) % 100),
    };
    let traits = (args.long, args.untraced);
    let promise_of = |n: usize| -> Box<dyn Fn(usize) -> String> {
        match args.scopes {
            0 => Box::new(id),
            _ => {
                let team = team_of(n);
                Box::new(move |j| team_id(team, per, j))
            }
        }
    };
    let in_play_of = if args.scopes > 0 { team_in_play } else { in_play };
    for n in 0..args.files.unwrap_or(0) {
        writeln!(out, "M 100644 inline {}", file(n))?;
        data(&mut out, format!("// {n}\n").as_bytes())?;
    }
    let mut mark = 1;
    for n in 0..args.commits {
        time += args.interval;
        let parent = mark;
        mark += 1;
        let merge = n % 100 == 99;
        if merge {
            // A side commit, then a merge of it.
            header(&mut out, "side", mark, time)?;
            data(&mut out, message(&mut rng, n, in_play_of, traits, &promise_of(n)).as_bytes())?;
            writeln!(out, "from :{parent}\nM 100644 inline side/f{}.txt", n % 10)?;
            data(&mut out, format!("{n}\n").as_bytes())?;
            let side = mark;
            mark += 1;
            header(&mut out, "main", mark, time)?;
            data(&mut out, b"Merge branch 'side'\n")?;
            writeln!(out, "from :{parent}\nmerge :{side}")?;
        } else {
            header(&mut out, "main", mark, time)?;
            data(&mut out, message(&mut rng, n, in_play_of, traits, &promise_of(n)).as_bytes())?;
            writeln!(out, "from :{parent}\nM 100644 inline {}", changed(n))?;
            data(&mut out, format!("// {n}\n").as_bytes())?;
            // Evenly spaced registry revisions (never on a merge: that commit is a plain one).
            let every = args.commits / args.registry_revisions.max(1);
            if args.registry_revisions > 0
                && args.scopes == 0
                && every > 0
                && n % every == every / 2
                && n / every < args.registry_revisions
            {
                writeln!(out, "M 100644 inline promises.toml")?;
                data(&mut out, registry_at(args.promises, in_play, n / every + 1).as_bytes())?;
            }
        }
    }
    out.flush()?;
    drop(out);
    assert!(child.wait()?.success(), "git fast-import failed");
    git(&["checkout", "-q", "-f", "main"]);
    Ok(())
}
