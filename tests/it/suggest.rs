//! The untraced-commit help names the promise the strongest evidence gives (issue 30): the pull
//! request body and the range's other commits before a shared file like package.json, which
//! every kind of work touches; a file touched for several promises says nothing; and upkeep (a
//! `chore:` subject, only lockfiles changed) is offered `Untraced: <reason>` and
//! `[commits] exempt-subjects` instead of a guess. Real repositories, the real binary.

use crate::support;

use support::{run_with, Repo, Run};

const REGISTRY: &str = r#"[promises.find-and-buy]
statement = "A shopper can find and buy a product we stock."
status = "in-play"
priority = "must"
outcomes = [{ metric = "search-to-purchase conversion", baseline = "8%", target = "12%" }]

[promises.track-orders]
statement = "A shopper can see where their order is."
status = "in-play"
priority = "should"
outcomes = [{ metric = "order-status calls per 1,000 orders", baseline = "41", target = "25" }]
"#;

/// `main`: the registry, then package.json last changed by a `track-orders` commit. Returns the
/// repository and main's tip.
fn repo() -> (Repo, String) {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("package.json", "{}\n");
    repo.commit("Start the plan\n\nPromise: find-and-buy\n");
    repo.write("package.json", "{ \"dependencies\": { \"tracker\": \"1\" } }\n");
    let base = repo.commit("Add the parcel tracker\n\nPromise: track-orders\n");
    (repo, base)
}

/// `feature` off main: a `find-and-buy` commit, then an untraced one that touches only
/// package.json. Returns its tip.
fn feature(repo: &mut Repo) -> String {
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("src/search.ts", "rank()\n");
    repo.commit("Rank in-stock items first\n\nPromise: find-and-buy\n");
    repo.write("package.json", "{ \"dependencies\": { \"tracker\": \"1\", \"fuse\": \"7\" } }\n");
    repo.commit("Add fuzzy matching to search\n")
}

/// The words of the output, whatever the wrapping.
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `plan-lint ci` on a pull_request event with `body`, as GitHub Actions runs it.
fn ci(repo: &Repo, base: &str, head: &str, body: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let event = serde_json::json!({
        "action": "synchronize",
        "number": 42,
        "pull_request": {
            "number": 42,
            "title": "Fuzzy search",
            "body": body,
            "state": "open",
            "html_url": "https://github.com/acme/shop/pull/42",
            "base": { "ref": "main", "sha": base },
            "head": { "ref": "feature", "sha": head }
        },
        "repository": { "full_name": "acme/shop", "default_branch": "main" }
    });
    let path = |name: &str| dir.path().join(name).display().to_string();
    std::fs::write(dir.path().join("event.json"), event.to_string()).unwrap();
    let (event, summary, output) = (path("event.json"), path("summary.md"), path("output"));
    let envs = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", event.as_str()),
        ("GITHUB_STEP_SUMMARY", summary.as_str()),
        ("GITHUB_OUTPUT", output.as_str()),
    ];
    run_with(repo.path(), &["ci"], &envs, None)
}

#[test]
fn the_pull_request_body_and_a_sibling_commit_outweigh_a_shared_package_json() {
    let (mut repo, base) = repo();
    let head = feature(&mut repo);
    let run = ci(&repo, &base, &head, "Fuzzy matching for search.\n\nPromise: find-and-buy\n");
    run.expect_code(1);
    let said = words(&run.stdout);
    assert!(said.contains("`Promise: find-and-buy` (pull request #42 names it;"), "{}", run.stdout);
    assert!(!said.contains("`Promise: track-orders` ("), "{}", run.stdout);
    // Without a pull request, the range's other commit says which.
    let run = repo.plan_lint(&["check", "--commits", "main..feature"]);
    run.expect_code(1);
    let said = words(&run.stdout);
    assert!(said.contains("`Promise: find-and-buy` (another commit in this range names it;"), "{}", run.stdout);
    // And package.json alone says nothing: no guess.
    let run = repo.plan_lint(&["check", "--commits", "HEAD~1..HEAD"]);
    run.expect_code(1);
    let said = words(&run.stdout);
    assert!(said.contains("naming the promise it serves: find-and-buy, track-orders"), "{}", run.stdout);
}

#[test]
fn a_file_touched_for_two_promises_says_nothing_and_one_touched_for_one_still_tells() {
    let (mut repo, _) = repo();
    repo.write("src/shared.ts", "a\n");
    repo.commit("Search uses the shared helper\n\nPromise: find-and-buy\n");
    repo.write("src/shared.ts", "b\n").write("src/orders.ts", "o\n");
    repo.commit("Orders use the shared helper\n\nPromise: track-orders\n");
    repo.write("src/shared.ts", "c\n");
    repo.commit("Tidy the shared helper\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD~1..HEAD"]);
    run.expect_code(1);
    let said = words(&run.stdout);
    assert!(said.contains("naming the promise it serves: find-and-buy, track-orders"), "{}", run.stdout);
    // A file only one promise's commits touched still tells, whatever came later elsewhere.
    repo.write("src/orders.ts", "o2\n");
    let traced = repo.commit("Show the carrier\n\nPromise: track-orders\n");
    repo.write("src/search.ts", "s\n");
    repo.commit("Rank by price\n\nPromise: find-and-buy\n");
    repo.write("src/orders.ts", "o3\n");
    repo.commit("Fix a typo\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD~1..HEAD"]);
    run.expect_code(1);
    let expected =
        format!("`Promise: track-orders` (the latest commit touching src/orders.ts, {}, names it;", &traced[..7]);
    assert!(words(&run.stdout).contains(&expected), "{}", run.stdout);
}

#[test]
fn upkeep_is_offered_the_exception_and_exempt_subjects_not_a_promise_from_package_json() {
    let (mut repo, _) = repo();
    repo.write("package.json", "{ \"dependencies\": { \"tracker\": \"2\" } }\n");
    repo.commit("chore: bump the tracker\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD~1..HEAD"]);
    run.expect_code(1);
    let said = words(&run.stdout);
    assert!(said.contains("it looks like upkeep (its subject starts with `chore:`)"), "{}", run.stdout);
    assert!(said.contains("`Untraced: <reason>`"), "{}", run.stdout);
    assert!(said.contains("`[commits] exempt-subjects`"), "{}", run.stdout);
    assert!(!said.contains("`Promise: track-orders` ("), "{}", run.stdout);
    // Only a lockfile and configuration changed: upkeep too, whatever the subject.
    repo.write("package-lock.json", "{}\n").write(".github/workflows/ci.yml", "on: push\n");
    repo.commit("Refresh the lockfile\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD~1..HEAD"]);
    run.expect_code(1);
    let said = words(&run.stdout);
    assert!(said.contains("it looks like upkeep (it changes only lockfiles and configuration)"), "{}", run.stdout);
    // The commit-msg hook says the same for a `chore:` commit of a staged package.json.
    repo.write("package.json", "{ \"dependencies\": { \"tracker\": \"3\" } }\n");
    repo.git(&["add", "package.json"]);
    let msg = repo.path().join(".git/COMMIT_EDITMSG");
    std::fs::write(&msg, "chore: bump the tracker again\n").unwrap();
    let run = repo.plan_lint(&["hook", "commit-msg", msg.to_str().unwrap()]);
    run.expect_code(1);
    let said = words(&run.stderr);
    assert!(said.contains("it looks like upkeep (its subject starts with `chore:`)"), "{}", run.stderr);
    assert!(!said.contains("`Promise: track-orders` ("), "{}", run.stderr);
}

/// In a window, whether a commit predates promises.toml is read from the trees the window looks
/// up anyway: the commits from before adoption are still one story, the later one judged alone.
#[test]
fn a_window_tells_commits_from_before_promises_toml_apart() {
    let mut repo = Repo::new();
    for n in 0..3 {
        repo.write("app.txt", &format!("v{n}\n"));
        repo.commit(&format!("Old work {n}\n"));
    }
    repo.write("promises.toml", REGISTRY);
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    repo.write("app.txt", "v4\n");
    repo.commit("New work\n");
    let run = repo.plan_lint(&["check", "--since", "2026-01-01"]);
    run.expect_code(1);
    let said = words(&run.stdout);
    assert!(said.contains("3 commits,"), "{}", run.stdout);
    assert!(said.contains("predate promises.toml"), "{}", run.stdout);
    assert!(said.contains("has no Promise trailer"), "{}", run.stdout);
    assert_eq!(said.matches("has no Promise trailer").count(), 1, "{}", run.stdout);
}
