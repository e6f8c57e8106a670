//! Every scanner is linear: each case runs an input and the same input 10x larger, and the time
//! may grow at most 15x. A ratio within one run, not a wall-clock bound (the machine's speed
//! cancels out); each size is timed as the best of several runs, and all cases sit in one test
//! so nothing else in this binary competes for the cores. Each case is a shape that was
//! quadratic once (issue 14): a paragraph of `Promise:` lines, an issue body of many ids, a
//! trailer block of many lines, a trailer naming many ids, many references to a done promise.

mod support;

use std::time::{Duration, Instant};
use support::Repo;

/// The best of `runs` timings of `f(n)`.
fn best(n: usize, runs: usize, f: &dyn Fn(usize)) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f(n);
            start.elapsed()
        })
        .min()
        .unwrap()
}

/// How much longer 10x the input takes: the least of up to three measurements, so a busy
/// machine (another process on a core) cannot fail a linear scanner, while a quadratic one, at
/// 50x to 100x here, can never pass.
fn growth(n: usize, f: &dyn Fn(usize)) -> f64 {
    f(n); // warm up
    let mut least = f64::MAX;
    for _ in 0..3 {
        let small = best(n, 5, f);
        let large = best(n * 10, 3, f);
        least = least.min(large.as_secs_f64() / small.as_secs_f64().max(1e-6));
        if least <= 12.0 {
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

#[test]
fn scanners_and_rules_grow_linearly_with_their_input() {
    use plan_lint::scan::{body, commit, markdown, trailers};
    let mut report = Vec::new();
    let mut case = |name: &str, n: usize, f: &dyn Fn(usize)| {
        let g = growth(n, f);
        report.push(format!("{name}: {g:.1}x for 10x"));
        g
    };
    let cases: Vec<(&str, f64)> = vec![
        (
            "plan: a paragraph of Promise lines",
            case("plan paragraph", 8_000, &|n| {
                let text = promise_paragraph(n);
                assert_eq!(markdown::scan(&text).refs.len(), n);
            }),
        ),
        (
            "issue body: many ids",
            case("issue body", 4_000, &|n| {
                let text = body_of_ids(n);
                assert_eq!(body::references(&text).len(), n);
            }),
        ),
        (
            "message: a trailer block of many lines",
            case("trailer block", 4_000, &|n| {
                let message = message_of_trailers(n);
                let block = trailers::parse(&message, &trailers::Options::log());
                assert_eq!(block.trailers.len(), n);
                assert_eq!(commit::read(None, 1, &message, &[], b"#").promises.len(), n);
            }),
        ),
        (
            "message: one trailer naming many ids",
            case("trailer ids", 16_000, &|n| {
                let message = trailer_of_ids(n);
                assert_eq!(commit::read(None, 1, &message, &[], b"#").promises.len(), n);
            }),
        ),
    ];
    // Rules through the public entry point: many references to a done promise, each covering
    // open items (done-with-open-items counts the open items of every reference).
    let repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    let rules = case("plan references to a done promise", 2_000, &|n| {
        let mut plan = String::new();
        for _ in 0..n {
            plan.push_str("- [ ] x (Promise: finished)\n");
        }
        std::fs::write(repo.path().join("ROADMAP.md"), plan).unwrap();
        let checked = plan_lint::check(&plan_lint::CheckOptions::new(repo.path())).unwrap();
        assert_eq!(checked.findings.len(), n);
    });
    // A commit whose message is a paragraph of trailer lines, judged by every commit rule.
    let repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "Registry", "-m", "Promise: live"]);
    repo.git(&["commit", "-q", "--allow-empty", "-m", "Work", "-m", "Promise: live"]);
    let commits = case("a commit of many Promise lines", 4_000, &|n| {
        let message = repo.path().join(".git/MSG");
        std::fs::write(&message, message_of_trailers(n)).unwrap();
        repo.git(&["commit", "-q", "--allow-empty", "--amend", "-F", message.to_str().unwrap()]);
        let mut options = plan_lint::CheckOptions::new(repo.path());
        options.commits = Some("HEAD~1..HEAD".into());
        let checked = plan_lint::check(&options).unwrap();
        assert_eq!(checked.summary.commits, Some(1));
        assert_eq!(checked.findings.len(), n, "every id is unknown");
    });
    let all = cases.into_iter().chain([("rules: plan references", rules), ("rules: commit trailers", commits)]);
    for (name, g) in all {
        assert!(g <= 15.0, "{name} grew {g:.1}x for 10x the input\n{}", report.join("\n"));
    }
    println!("{}", report.join("\n"));
}
