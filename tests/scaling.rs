//! Every scanner is linear: each case runs an input and the same input 10x larger, and the time
//! may grow at most 15x. A ratio within one run, not a wall-clock bound (the machine's speed
//! cancels out); each size is timed as the best of several runs, and all cases sit in one test
//! so nothing else in this binary competes for the cores. Each case is a shape that was
//! quadratic once (issues 14 and 23): a paragraph of `Promise:` lines (and of `Hypothesis:`
//! lines, and one of many words, issue 26), an issue body of many
//! ids, a trailer block of many lines, a trailer naming many ids, many references to a done
//! promise, and, through the real binary and its reporters, one trailer line of many unknown
//! ids (`check`), many `Promise:` lines of unknown ids (the server's pre-receive hook) and a
//! plan item naming many unknown ids.
//!
//! Only the work that grows is timed: each input (a text, or a repository with its commit) is
//! made before the clock starts, and the time of the same run on a tiny input (a process
//! start, opening the repository, reading the registry) is subtracted, so a fixed cost cannot
//! hide the growth of what follows it.

#[path = "it/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};
use support::Repo;

/// A timed run, with its input already made.
type Prepared = Box<dyn Fn()>;

/// The best of `runs` timings of `f`.
fn best(runs: usize, f: &dyn Fn()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap()
}

/// How much longer 10x the input takes, fixed costs (the run on an input of size 1) taken out,
/// with the timings it came from: the least of up to three measurements, so a busy machine
/// (another process on a core) cannot fail a linear scanner, while a quadratic one, at 50x to
/// 100x here, can never pass.
fn growth(n: usize, prepare: &dyn Fn(usize) -> Prepared) -> (f64, String) {
    let (base, small, large) = (prepare(1), prepare(n), prepare(n * 10));
    for f in [&base, &small, &large] {
        f(); // warm up
    }
    let mut least = (f64::MAX, String::new());
    for _ in 0..3 {
        let fixed = best(5, &base);
        let (s, l) = (best(5, &small), best(3, &large));
        let g = l.saturating_sub(fixed).as_secs_f64() / s.saturating_sub(fixed).as_secs_f64().max(1e-6);
        if g < least.0 {
            least = (g, format!("fixed {fixed:.1?}, {n}: {s:.1?}, {}: {l:.1?}", n * 10));
        }
        if least.0 <= 12.0 {
            break;
        }
    }
    least
}

fn promise_paragraph(n: usize) -> String {
    let mut s = String::from("# Plan\n\n## Search\n");
    for i in 0..n {
        s.push_str(&format!("Promise: p{i}\n"));
    }
    s.push_str("\n- [ ] work\n");
    s
}

fn body_of_ids(n: usize) -> String {
    let mut s = String::from("An issue.\n\n");
    for i in 0..n {
        s.push_str(&format!("Promise: unknown-{i}\n"));
    }
    s
}

fn message_of_trailers(n: usize) -> Vec<u8> {
    let mut s = String::from("Subject\n\nBody.\n\n");
    for i in 0..n {
        s.push_str(&format!("Promise: p{i}\n"));
    }
    s.into_bytes()
}

fn trailer_of_ids(n: usize) -> Vec<u8> {
    let ids: Vec<String> = (0..n).map(|i| format!("p{i}")).collect();
    format!("Subject\n\nPromise: {}\n", ids.join(", ")).into_bytes()
}

const REGISTRY: &str = r#"
[promises.live]
statement = "s"
status = "in-play"
outcomes = [{ metric = "m", target = "1" }]
[promises.finished]
statement = "s"
status = "done"
"#;

/// A repository holding the registry, a traced commit, and on top of it a commit with
/// `message`: `HEAD~1..HEAD` is that one commit.
fn repo_with_commit(message: &[u8]) -> Repo {
    let repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "Registry", "-m", "Promise: live"]);
    let file = repo.path().join(".git/MSG");
    std::fs::write(&file, message).unwrap();
    repo.git(&["commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", file.to_str().unwrap()]);
    repo
}

/// Run the built binary in `dir` with `stdin`, expecting exit code 1 (findings); the output is
/// read in full, as a terminal or a CI log would.
fn run_binary(dir: &Path, args: &[&str], stdin: &str) {
    let run = support::run_with(dir, args, &[], Some(stdin));
    run.expect_code(1);
}

/// n unknown ids, comma-separated on one line. Long ones: a position on a line was counted
/// from the line's start, so the cost per finding grew with the line's bytes before it.
fn unknown_ids(n: usize) -> String {
    let ids: Vec<String> = (0..n).map(|i| format!("a-promise-nobody-declared-{i:010}")).collect();
    ids.join(", ")
}

/// A commit whose message is `Work` and one `Promise:` trailer naming n unknown ids.
fn ids_on_one_line(n: usize) -> Vec<u8> {
    format!("Work\n\nPromise: {}\n", unknown_ids(n)).into_bytes()
}

/// A commit whose message is `Work` and n `Promise:` trailers, each naming an unknown id.
fn unknown_promise_lines(n: usize) -> Vec<u8> {
    let mut s = String::from("Work\n\n");
    for i in 0..n {
        s.push_str(&format!("Promise: nope{i}\n"));
    }
    s.into_bytes()
}

#[test]
fn scanners_and_rules_grow_linearly_with_their_input() {
    use plan_lint::scan::{body, commit, markdown, trailers};
    let mut report = Vec::new();
    let mut cases = Vec::new();
    let mut case = |name: &'static str, n: usize, prepare: &dyn Fn(usize) -> Prepared| {
        let (g, timings) = growth(n, prepare);
        report.push(format!("{name}: {g:.1}x for 10x ({timings})"));
        cases.push((name, g));
    };
    case("plan: a paragraph of Promise lines", 8_000, &|n| {
        let text = promise_paragraph(n);
        Box::new(move || assert_eq!(markdown::scan(&text).refs.len(), n))
    });
    // Issue 26: `Hypothesis:` lines, many in a paragraph, and one of many of the words its parts
    // are found by (each part is one search of the line).
    case("plan: a paragraph of Hypothesis lines", 4_000, &|n| {
        let text = format!(
            "## Checkout\nPromise: checkout-v2\n{}",
            "Hypothesis: a moves checkout completion from 61% to 70% by 2027-03-01\n".repeat(n)
        );
        Box::new(move || assert_eq!(markdown::scan(&text).hypotheses.len(), n))
    });
    case("plan: one Hypothesis line of many words", 8_000, &|n| {
        let text = format!("Hypothesis: {}x by 2027-03-01\n", "a moves b from c to d by ".repeat(n));
        Box::new(move || assert_eq!(markdown::scan(&text).hypotheses.len(), 1))
    });
    case("issue body: many ids", 4_000, &|n| {
        let text = body_of_ids(n);
        Box::new(move || assert_eq!(body::references(&text).len(), n))
    });
    case("message: a trailer block of many lines", 4_000, &|n| {
        let message = message_of_trailers(n);
        Box::new(move || {
            let block = trailers::parse(&message, &trailers::Options::log());
            assert_eq!(block.trailers.len(), n);
            assert_eq!(commit::read(None, 1, &message, &[], b"#").promises.len(), n);
        })
    });
    case("message: one trailer naming many ids", 16_000, &|n| {
        let message = trailer_of_ids(n);
        Box::new(move || assert_eq!(commit::read(None, 1, &message, &[], b"#").promises.len(), n))
    });
    // Rules through the public entry point: many references to a done promise, each covering
    // open items (done-with-open-items counts the open items of every reference).
    case("rules: plan references to a done promise", 2_000, &|n| {
        let repo = Repo::new();
        repo.write("promises.toml", REGISTRY);
        repo.write("ROADMAP.md", &"- [ ] x (Promise: finished)\n".repeat(n));
        Box::new(move || {
            let checked = plan_lint::check(&plan_lint::CheckOptions::new(repo.path())).unwrap();
            assert_eq!(checked.findings.len(), n);
        })
    });
    // A commit whose message is a paragraph of trailer lines, judged by every commit rule.
    case("rules: a commit of many Promise lines", 4_000, &|n| {
        let repo = repo_with_commit(&message_of_trailers(n));
        Box::new(move || {
            let mut options = plan_lint::CheckOptions::new(repo.path());
            options.commits = Some("HEAD~1..HEAD".into());
            let checked = plan_lint::check(&options).unwrap();
            assert_eq!(checked.summary.commits, Some(1));
            // Every id is unknown: the first hundred listed, the rest counted in one finding.
            assert_eq!(checked.findings.len(), n.min(100) + usize::from(n > 100));
        })
    });
    // What every reporter does for each finding: its line and column. Counted from the line's
    // start, a line naming many ids was quadratic (issue 23). Each run indexes a new source.
    case("reporters: positions of many ids on one line", 2_000, &|n| {
        let text: std::sync::Arc<str> = format!("Work\n\nPromise: {}\n", unknown_ids(n)).into();
        let offsets: Vec<usize> = text.match_indices("a-promise").map(|(at, _)| at).collect();
        Box::new(move || {
            let source = plan_lint::Source::file("message", std::sync::Arc::clone(&text));
            let columns: usize = offsets.iter().map(|&at| source.line_col(at).1).sum();
            assert!(columns > n);
        })
    });
    // The real binary, its reporters included (positions, snippets): issue 23's shapes.
    case("check: one trailer line of many unknown ids", 5_000, &|n| {
        let repo = repo_with_commit(&ids_on_one_line(n));
        Box::new(move || run_binary(repo.path(), &["check", "--commits", "HEAD~1..HEAD", "--format", "json"], ""))
    });
    case("pre-receive: many Promise lines of unknown ids", 5_000, &|n| {
        let repo = repo_with_commit(&unknown_promise_lines(n));
        let (old, new) = (repo.git(&["rev-parse", "HEAD~1"]), repo.git(&["rev-parse", "HEAD"]));
        // The branch holds the registry's commit; the push brings the one above it.
        repo.git(&["checkout", "-q", "--detach"]);
        repo.git(&["branch", "-f", "main", old.trim()]);
        let stdin = format!("{} {} refs/heads/topic\n", old.trim(), new.trim());
        Box::new(move || run_binary(repo.path(), &["hook", "pre-receive"], &stdin))
    });
    case("check: a plan item naming many unknown ids", 1_000, &|n| {
        let repo = Repo::new();
        repo.write("promises.toml", REGISTRY);
        repo.write("ROADMAP.md", &format!("# Plan\n\n- [ ] work (Promise: {})\n", unknown_ids(n)));
        Box::new(move || run_binary(repo.path(), &["check", "--no-commits", "--format", "json"], ""))
    });
    for (name, g) in cases {
        assert!(g <= 15.0, "{name} grew {g:.1}x for 10x the input\n{}", report.join("\n"));
    }
    println!("{}", report.join("\n"));
}
