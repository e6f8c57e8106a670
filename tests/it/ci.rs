//! `plan-lint ci` as GitHub Actions runs it: real repositories with a pull request branch, real-
//! shaped event JSON, the runner's `GITHUB_*` variables and files, and the runner's own reading
//! of workflow commands (emulated below) to prove untrusted text cannot issue any.

use crate::support;

use std::path::Path;
use support::github::runner_commands;
use support::{run_with, snapshot, validate_sarif, Repo, Run};

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

[promises.gift-cards]
statement = "A shopper can buy gift cards."
status = "proposed"
"#;

const ROADMAP: &str = "# Roadmap\n\n## Search\nPromise: find-and-buy\n\n- [ ] Rank in-stock first\n";

/// A repository with `main` (traced history) and a `feature` branch holding the pull request's
/// commits: one traced, one untraced whose message tries to take over the runner, one on a
/// proposed promise. Returns (repo, base sha, head sha).
fn pull_request_repo() -> (Repo, String, String) {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", ROADMAP);
    let base = repo.commit("Start the plan\n\nPromise: find-and-buy\n");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("search.txt", "ranking\n");
    repo.commit("Rank in-stock items first\n\nPromise: find-and-buy\n");
    repo.write("search.txt", "ranking v2\n");
    repo.commit(
        "::set-output name=verdict::clean\n\n::add-mask::hunter2\n::error file=x::fake finding\n%0A::warning::encoded\n",
    );
    repo.write("gift.txt", "cards\n");
    let head = repo.commit("Gift card balance\n\nPromise: gift-cards\n");
    (repo, base, head)
}

fn pr_event(base: &str, head: &str, body: &str) -> String {
    serde_json::json!({
        "action": "synchronize",
        "number": 42,
        "pull_request": {
            "number": 42,
            "title": "Search ranking",
            "body": body,
            "state": "open",
            "html_url": "https://github.com/acme/shop/pull/42",
            "base": { "ref": "main", "sha": base },
            "head": { "ref": "feature", "sha": head }
        },
        "repository": { "full_name": "acme/shop", "default_branch": "main" }
    })
    .to_string()
}

/// The runner's files for one step, in a temp dir outside the repository.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new() -> Runner {
        Runner { dir: tempfile::tempdir().unwrap() }
    }
    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }
    /// Run `plan-lint ci` as a step would, for `event_name` with `payload`.
    fn ci(&self, repo: &Path, event_name: &str, payload: &str, args: &[&str]) -> Run {
        std::fs::write(self.dir.path().join("event.json"), payload).unwrap();
        let (event, summary, output) = (self.path("event.json"), self.path("summary.md"), self.path("output"));
        let envs = [
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", event_name),
            ("GITHUB_EVENT_PATH", event.as_str()),
            ("GITHUB_STEP_SUMMARY", summary.as_str()),
            ("GITHUB_OUTPUT", output.as_str()),
        ];
        let mut all = vec!["ci"];
        all.extend_from_slice(args);
        run_with(repo, &all, &envs, None)
    }
}

/// The output with the random stop-commands token replaced, for snapshots.
fn normalize_token(s: &str) -> String {
    let Some(start) = s.find("::stop-commands::") else { return s.to_string() };
    let token_start = start + "::stop-commands::".len();
    let token_end = s[token_start..].find('\n').map_or(s.len(), |i| token_start + i);
    let token = &s[token_start..token_end];
    assert!(token.len() >= 40, "token too short to be unguessable: {token}");
    s.replace(token, "<TOKEN>")
}

#[test]
fn pull_request_gets_annotations_summary_outputs_and_sarif() {
    let (repo, base, head) = pull_request_repo();
    let runner = Runner::new();
    let body = "Ranks in-stock items first.\r\n\r\n<!-- Promise: <id> -->\r\nPromise: find-and-by\r\n";
    let sarif = runner.path("plan-lint.sarif");
    let run = runner.ci(repo.path(), "pull_request", &pr_event(&base, &head, body), &["--sarif", &sarif]);
    run.expect_code(1);

    // The runner sees our annotations and group, nothing from the commit message.
    let commands = runner_commands(&run.stdout);
    let names: Vec<&str> = commands.iter().map(|(c, _)| c.split(' ').next().unwrap()).collect();
    assert!(
        names.iter().all(|n| ["error", "warning", "group", "endgroup", "stop-commands"].contains(n)),
        "unexpected workflow commands: {commands:#?}"
    );
    assert_eq!(names.iter().filter(|n| **n == "error").count(), 3, "{commands:#?}");
    snapshot("ci/pull-request-stdout", &normalize_token(&run.stdout));
    snapshot("ci/pull-request-summary", &runner.read("summary.md"));
    assert_eq!(runner.read("output"), "errors=3\nwarnings=0\ncommits=3\n");

    validate_sarif(Path::new(&sarif));
}

/// For `pull_request`, actions/checkout checks out GitHub's test merge commit (the head merged
/// into the base branch's tip). Only base..head is the pull request's work: not the merge, and
/// not what the base branch gained meanwhile (here an untraced hotfix).
#[test]
fn the_test_merge_commit_and_the_base_branch_are_never_linted() {
    let (mut repo, _, head) = pull_request_repo();
    repo.git(&["checkout", "-q", "main"]);
    repo.write("hotfix.txt", "fix\n");
    let base = repo.commit("Hotfix on main, untraced");
    repo.git(&["checkout", "-q", "--detach", &base]);
    let merge = format!("Merge {head} into {base}");
    repo.git(&["merge", "-q", "--no-ff", "--no-verify", "-m", &merge, &head]);
    let checked_out = repo.git(&["rev-list", "--parents", "-n", "1", "HEAD"]);
    assert_eq!(checked_out.split_whitespace().count(), 3, "the fixture checks out a merge commit");
    let runner = Runner::new();
    let run = runner.ci(repo.path(), "pull_request", &pr_event(&base, &head, "Promise: find-and-buy"), &[]);
    run.expect_code(1);
    let range = format!("3 commits ({}..{})", &base[..7], &head[..7]);
    assert!(run.stdout.contains(&range), "not base..head: {}", run.stdout);
    assert!(!run.stdout.contains("Hotfix on main") && !run.stdout.contains("Merge "), "{}", run.stdout);
    assert_eq!(runner.read("output"), "errors=2\nwarnings=0\ncommits=3\n");
}

#[test]
fn the_pr_body_can_trace_a_squash_merged_pull_request() {
    let mut repo = Repo::new();
    let registry = format!("{REGISTRY}\n[pull-requests]\nbody-traces-commits = true\n");
    repo.write("promises.toml", &registry).write("ROADMAP.md", ROADMAP);
    let base = repo.commit("Start\n\nPromise: find-and-buy\n");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("a.txt", "a\n");
    repo.commit("wip");
    repo.write("a.txt", "b\n");
    let head = repo.commit("more wip");
    let runner = Runner::new();

    let traced =
        runner.ci(repo.path(), "pull_request", &pr_event(&base, &head, "Search.\n\nPromise: find-and-buy"), &[]);
    traced.expect_code(0);
    assert!(runner.read("summary.md").contains("| `find-and-buy` "), "{}", runner.read("summary.md"));

    // An edited body naming a proposed promise is re-checked: that is work off the plan.
    let off = runner.ci(repo.path(), "pull_request", &pr_event(&base, &head, "Promise: gift-cards"), &[]);
    off.expect_code(1);
    assert!(off.stdout.contains("pull request #42 is work on `gift-cards`, which is proposed"), "{}", off.stdout);
    assert!(off.stdout.contains("has no Promise trailer"), "commits untraced again: {}", off.stdout);

    // Without the option, the body does not excuse the commits.
    repo.write("promises.toml", REGISTRY);
    let strict = runner.ci(repo.path(), "pull_request", &pr_event(&base, &head, "Promise: find-and-buy"), &[]);
    strict.expect_code(1);
}

#[test]
fn push_events_check_what_is_new() {
    let (origin, base, head) = pull_request_repo();
    // A clone, as actions/checkout makes one: `origin/main` and `origin/feature` exist.
    let clone = tempfile::tempdir().unwrap();
    let cloned = clone.path().join("shop");
    support::git_env(std::process::Command::new("git"), clone.path())
        .args(["clone", "-q", "--no-local"])
        .arg(origin.path())
        .arg(&cloned)
        .status()
        .unwrap();
    let runner = Runner::new();
    let push = |before: &str, after: &str, extra: serde_json::Value| {
        let mut ev = serde_json::json!({"ref": "refs/heads/feature", "before": before, "after": after,
            "repository": {"default_branch": "main"}});
        ev.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        runner.ci(&cloned, "push", &ev.to_string(), &["--format", "json"])
    };
    let commits = |run: &Run| -> (u64, String) {
        let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        (v["summary"]["commits"].as_u64().unwrap(), v["summary"]["range"].as_str().unwrap().to_string())
    };
    let zero = "0000000000000000000000000000000000000000";

    let update = push(&base, &head, serde_json::json!({}));
    assert_eq!(commits(&update), (3, format!("{}..{}", &base[..7], &head[..7])));
    let new_branch = push(zero, &head, serde_json::json!({"created": true}));
    assert_eq!(commits(&new_branch), (3, format!("origin/main..{}", &head[..7])));
    // A forced push over a tip this clone never had: what is new to the default branch.
    let forced = push("1111111111111111111111111111111111111111", &head, serde_json::json!({"forced": true}));
    assert_eq!(commits(&forced).0, 3);
    let deleted = push(&head, zero, serde_json::json!({"deleted": true}));
    deleted.expect_code(0);
    assert_eq!(runner.read("output").lines().last(), Some("commits=0"));
}

#[test]
fn a_merge_group_checks_its_commits() {
    let (repo, base, head) = pull_request_repo();
    let runner = Runner::new();
    let event = serde_json::json!({"action": "checks_requested", "merge_group": {"base_sha": base, "head_sha": head,
        "base_ref": "refs/heads/main", "head_ref": "refs/heads/gh-readonly-queue/main/pr-42"}});
    let run = runner.ci(repo.path(), "merge_group", &event.to_string(), &["--format", "json"]);
    run.expect_code(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["summary"]["commits"], 3);
    assert_eq!(v["summary"]["range"], format!("{}..{}", &base[..7], &head[..7]));
}

#[test]
fn an_issue_event_checks_the_issue_body() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.commit("Start\n\nPromise: find-and-buy\n");
    let runner = Runner::new();
    let issue = |body: &str| {
        serde_json::json!({"action": "opened", "issue": {"number": 7, "title": "Search is slow @team",
            "body": body, "state": "open"}})
        .to_string()
    };
    let untraced = runner.ci(repo.path(), "issues", &issue("Search takes 4 s on mobile."), &[]);
    untraced.expect_code(1);
    assert!(
        untraced.stdout.contains("::error title=plan-lint untraced-item::issue #7 names no promise"),
        "{}",
        untraced.stdout
    );
    let summary = runner.read("summary.md");
    assert!(summary.contains("Checked: issue #7"), "{summary}");

    let unknown = runner.ci(repo.path(), "issues", &issue("Slow.\n\nPromise: find-and-by"), &[]);
    unknown.expect_code(1);
    assert!(unknown.stdout.contains("did you mean `find-and-buy`?"), "{}", unknown.stdout);

    // Front matter works as well as a trailer; an issue needs no plan files or commits.
    let traced = runner.ci(repo.path(), "issues", &issue("---\npromise: track-orders\n---\nWhere is my order?"), &[]);
    traced.expect_code(0);
}

#[test]
fn a_shallow_clone_is_an_error_naming_fetch_depth() {
    let (origin, base, head) = pull_request_repo();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    support::git_env(std::process::Command::new("git"), clone.path())
        .args(["clone", "-q", "--depth", "1", "--branch", "feature", &url, "shop"])
        .status()
        .unwrap();
    let runner = Runner::new();
    let run = runner.ci(&clone.path().join("shop"), "pull_request", &pr_event(&base, &head, ""), &[]);
    run.expect_code(2);
    assert!(run.stderr.contains("is not in this clone") && run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
    assert!(run.stderr.contains("shallow"), "{}", run.stderr);
    assert!(runner.read("summary.md").is_empty(), "no summary for a run that could not check");
}

#[test]
fn bad_events_exit_2_with_a_clear_message() {
    let (repo, _, _) = pull_request_repo();
    let runner = Runner::new();
    let garbage = runner.ci(repo.path(), "pull_request", "{not json", &[]);
    garbage.expect_code(2);
    assert!(garbage.stderr.contains("is not valid JSON"), "{}", garbage.stderr);
    let missing = runner.ci(repo.path(), "pull_request", r#"{"pull_request": {"base": {}}}"#, &[]);
    missing.expect_code(2);
    assert!(missing.stderr.contains("has no `pull_request.base.sha`"), "{}", missing.stderr);
}

#[test]
fn outside_actions_base_and_head_select_the_commits() {
    let (repo, _, _) = pull_request_repo();
    let run = run_with(repo.path(), &["ci", "--base", "main", "--head", "feature"], &[], None);
    run.expect_code(1);
    assert!(run.stdout.contains("3 commits (main..feature)") && !run.stdout.contains("::error"), "{}", run.stdout);
    let warn_fail = run_with(
        repo.path(),
        &["ci", "--base", "main", "--allow", "untraced-commit", "--warn", "not-in-play", "--fail-on-warnings"],
        &[],
        None,
    );
    warn_fail.expect_code(1);
    assert!(warn_fail.stdout.contains("0 errors, 1 warning"), "{}", warn_fail.stdout);
}

#[test]
fn check_issue_reads_a_body_or_a_gh_export() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.commit("Start\n\nPromise: find-and-buy\n");
    let text = run_with(repo.path(), &["check", "--issue", "-"], &[], Some("Make search faster.\n"));
    text.expect_code(1);
    snapshot("ci/check-issue-stdin", &text.stdout);
    let export = r#"[{"number": 3, "title": "Faster search", "state": "OPEN", "body": "Faster.\r\n\r\nPromise: find-and-buy"},
                    {"number": 4, "title": "Cards", "state": "OPEN", "body": "Promise: gift-card"}]"#;
    let listed = run_with(repo.path(), &["check", "--issue", "-", "--format", "json"], &[], Some(export));
    listed.expect_code(1);
    let v: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(v["summary"]["bodies"], serde_json::json!(["issue #3", "issue #4"]));
    assert_eq!(v["findings"][0]["message"], "issue #4 names unknown promise `gift-card`");
    let missing = run_with(repo.path(), &["check", "--issue", "no-such-file.md"], &[], None);
    missing.expect_code(2);
}

#[test]
fn issue_files_in_the_repository_are_work_items() {
    let mut repo = Repo::new();
    let registry = format!("{REGISTRY}\n[issues]\ninclude = [\"issues/*.md\"]\n");
    repo.write("promises.toml", &registry).write("ROADMAP.md", ROADMAP);
    repo.write("issues/0001-fast-search.md", "---\npromise: find-and-buy\n---\n# Fast search\n");
    repo.write("issues/0002-rss.md", "# RSS feed\n\nSomeone asked for it.\n");
    repo.write("issues/0003-cards.md", "---\nstatus: closed\n---\n# Cards\n\nPromise: gift-cards\n");
    repo.commit("Issues\n\nPromise: find-and-buy\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD"]);
    run.expect_code(1);
    snapshot("ci/check-issue-files", &run.stdout);
}

/// SARIF checked against the official 2.1.0 schema (the copy the SARIF SDK ships, see
/// tests/schemas/README.md) with the real check-jsonschema CLI.
/// Issue 14: a push event in a shallow clone (actions/checkout's default depth 1) lacks the old
/// tip because it lacks history; checking what the default branch lacks would check nothing and
/// pass. It is exit 2 naming `fetch-depth: 0`, as for pull requests. So is a range whose old tip
/// is there but whose commits between reach past the shallow boundary.
#[test]
fn a_push_event_in_a_shallow_clone_is_an_error_naming_fetch_depth() {
    let (origin, base, head) = pull_request_repo();
    origin.git(&["checkout", "-q", "main"]);
    origin.git(&["merge", "-q", "--ff-only", "feature"]);
    let url = format!("file://{}", origin.path().display());
    let runner = Runner::new();
    let ev = |branch: &str| {
        serde_json::json!({"ref": format!("refs/heads/{branch}"), "before": base, "after": head,
            "repository": {"default_branch": "main"}})
        .to_string()
    };
    for (clone_args, branch) in
        [(&["--branch", "main"][..], "main"), (&["--no-single-branch", "--branch", "feature"][..], "feature")]
    {
        let clone = tempfile::tempdir().unwrap();
        let status = support::git_env(std::process::Command::new("git"), clone.path())
            .args(["clone", "-q", "--depth", "1"])
            .args(clone_args)
            .args([url.as_str(), "shop"])
            .status()
            .unwrap();
        assert!(status.success());
        let run = runner.ci(&clone.path().join("shop"), "push", &ev(branch), &[]);
        run.expect_code(2);
        assert!(run.stderr.contains("shallow") && run.stderr.contains("fetch-depth: 0"), "{branch}: {}", run.stderr);
    }
}

/// Issue 14: the base commit is in the clone but the commits between it and the head are not
/// all there (a depth-2 clone): checking the part that is would be a silently smaller check.
#[test]
fn a_range_reaching_past_the_shallow_boundary_is_an_error() {
    let (origin, base, head) = pull_request_repo();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    let status = support::git_env(std::process::Command::new("git"), clone.path())
        .args(["clone", "-q", "--depth", "2", "--no-single-branch", "--branch", "feature", &url, "shop"])
        .status()
        .unwrap();
    assert!(status.success());
    let shop = clone.path().join("shop");
    support::git_env(std::process::Command::new("git"), &shop)
        .args(["cat-file", "-e", &base])
        .status()
        .unwrap()
        .success()
        .then_some(())
        .expect("the base is in the clone");
    let runner = Runner::new();
    let run = runner.ci(&shop, "pull_request", &pr_event(&base, &head, ""), &[]);
    run.expect_code(2);
    assert!(run.stderr.contains("shallow") && run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
}

/// Issue 24: in a shallow clone whose adoption point (`[commits] since`) is outside it, the
/// error names each forge's fix (`fetch-depth: 0`, `GIT_DEPTH: 0`), and on Actions it is an
/// annotation on the job's page, not only a line in the log.
#[test]
fn an_adoption_point_outside_a_shallow_clone_names_every_forges_fix_as_an_annotation() {
    let mut origin = Repo::new();
    origin.write("promises.toml", REGISTRY).write("ROADMAP.md", ROADMAP);
    let adopted = origin.commit("Start the plan\n\nPromise: find-and-buy\n");
    origin.write("promises.toml", &format!("{REGISTRY}\n[commits]\nsince = \"{adopted}\"\n"));
    origin.commit("Set the adoption point\n\nPromise: find-and-buy\n");
    origin.write("search.txt", "ranking\n");
    let base = origin.commit("Rank in-stock items first\n\nPromise: find-and-buy\n");
    origin.write("search.txt", "ranking v2\n");
    let head = origin.commit("Rank by stock\n\nPromise: find-and-buy\n");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    let status = support::git_env(std::process::Command::new("git"), clone.path())
        .args(["clone", "-q", "--depth", "2", &url, "shop"])
        .status()
        .unwrap();
    assert!(status.success());
    let shop = clone.path().join("shop");
    let runner = Runner::new();
    let run = runner.ci(&shop, "pull_request", &pr_event(&base, &head, ""), &[]);
    run.expect_code(2);
    assert!(run.stderr.contains(&format!("since = \"{adopted}\"` is not a commit")), "{}", run.stderr);
    for fix in ["git fetch --unshallow", "fetch-depth: 0", "GIT_DEPTH: 0"] {
        assert!(run.stderr.contains(fix), "{fix}: {}", run.stderr);
    }
    let annotation = run.stdout.lines().find(|l| l.starts_with("::error title=plan-lint could not run::"));
    let annotation = annotation.unwrap_or_else(|| panic!("no annotation: {}", run.stdout));
    assert!(
        annotation.contains("is not a commit")
            && annotation.contains("%0Ahelp: ")
            && annotation.contains("GIT_DEPTH: 0")
    );

    // Outside Actions (the human format) nothing is printed as a workflow command.
    let human = runner.ci(&shop, "pull_request", &pr_event(&base, &head, ""), &["--format", "human"]);
    human.expect_code(2);
    assert!(!human.stdout.contains("::error"), "{}", human.stdout);
}

/// Issue 24: a pull request whose only commit marks its promise done failed CI: its body's
/// `Promise: track-orders` was judged against today's registry ("… which is done"). Finishing
/// a promise never turns the work that finished it into findings, for bodies too; a body naming
/// a promise that was already done at the base is still work off the plan.
#[test]
fn a_pull_request_that_finishes_its_promise_passes() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", ROADMAP);
    let base = repo.commit("Start the plan\n\nPromise: find-and-buy\n");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let finished = REGISTRY.replacen(
        "statement = \"A shopper can see where their order is.\"\nstatus = \"in-play\"",
        "statement = \"A shopper can see where their order is.\"\nstatus = \"done\"",
        1,
    );
    assert_ne!(finished, REGISTRY);
    repo.write("promises.toml", &finished);
    let head = repo.commit("Order tracking is done\n\nPromise: track-orders\n");
    let runner = Runner::new();
    let run =
        runner.ci(repo.path(), "pull_request", &pr_event(&base, &head, "Last step.\n\nPromise: track-orders"), &[]);
    run.expect_code(0);
    assert!(!run.stdout.contains("not-in-play"), "{}", run.stdout);

    // A promise done before the pull request began is still not work in play.
    repo.git(&["checkout", "-q", "-b", "later"]);
    repo.write("orders.txt", "tweak\n");
    let later = repo.commit("Tweak tracking\n\nPromise: find-and-buy\n");
    let body = "More tracking.\n\nPromise: track-orders";
    let run = runner.ci(repo.path(), "pull_request", &pr_event(&head, &later, body), &[]);
    run.expect_code(1);
    assert!(
        run.stdout
            .contains("::error title=plan-lint not-in-play::pull request #42 is work on `track-orders`, which is done"),
        "{}",
        run.stdout
    );
}

/// Issue 24: readings-derived findings (an outcome regressed or met) are the state of the
/// product, not a pull request's doing: a pull request that changes neither the readings nor the
/// registry gets no annotation for them; one that does, and a push, do.
#[test]
fn outcome_findings_annotate_only_a_pull_request_that_changes_readings_or_the_registry() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", ROADMAP);
    let conv = "find-and-buy,search-to-purchase conversion";
    repo.write("outcomes.csv", &format!("date,promise,metric,value,source\n2026-03-02,{conv},7%,\n"));
    let base = repo.commit("Start the plan\n\nPromise: find-and-buy\n");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("search.txt", "ranking\n");
    let head = repo.commit("Rank in-stock items first\n\nPromise: find-and-buy\n");
    let runner = Runner::new();
    let body = "Promise: find-and-buy";

    let unrelated = runner.ci(repo.path(), "pull_request", &pr_event(&base, &head, body), &[]);
    unrelated.expect_code(0);
    assert!(!unrelated.stdout.contains("outcome-regressed"), "{}", unrelated.stdout);
    assert!(!runner.read("summary.md").contains("outcome-regressed"), "{}", runner.read("summary.md"));

    // `check` and a push still say where the product stands.
    let check = repo.plan_lint(&["check", "--no-commits"]);
    assert!(check.stdout.contains("outcome-regressed"), "{}", check.stdout);
    let push = serde_json::json!({"ref": "refs/heads/feature", "before": base, "after": head,
        "repository": {"default_branch": "main"}});
    let pushed = runner.ci(repo.path(), "push", &push.to_string(), &[]);
    assert!(pushed.stdout.contains("::warning") && pushed.stdout.contains("outcome-regressed"), "{}", pushed.stdout);

    // A pull request that records a reading, or changes the registry, is told.
    for (path, text) in [
        ("outcomes.csv", format!("date,promise,metric,value,source\n2026-03-02,{conv},7%,\n2026-03-09,{conv},6.5%,\n")),
        ("promises.toml", REGISTRY.replace("target = \"12%\"", "target = \"13%\"")),
    ] {
        repo.git(&["checkout", "-q", "-B", "measure", &base]);
        repo.write(path, &text);
        let head = repo.commit("Record\n\nPromise: find-and-buy\n");
        let run = runner.ci(repo.path(), "pull_request", &pr_event(&base, &head, body), &[]);
        assert!(run.stdout.contains("::warning") && run.stdout.contains("outcome-regressed"), "{path}: {}", run.stdout);
    }
}
