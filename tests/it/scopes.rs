//! Scoped registries in one repository: a root registry listing two teams' folders in
//! `[scopes] members`, each with its own promises and limits. A real repository built with the
//! `git` binary, the real binary, whole-output snapshots.
//!
//! The three teams: the root (the vision, the customers, `[limits] in-play = 2`, `platform`),
//! teams/search (inherits the vision; its own limit of 1; `find-and-buy`) and teams/checkout
//! (its own vision; `find-and-buy` again, and `wallets`, proposed). Each has a plan.

use crate::support;

use support::{snapshot, Repo};

const ROOT: &str = r#"vision = "Shoppers find anything they want and buy it in one step."

[scopes]
members = ["teams/search", "teams/checkout"]

[limits]
in-play = 2

[customers.shopper]
description = "People who buy from the store"

[promises.platform]
statement = "A shopper's pages load fast."
customer = "shopper"
status = "in-play"
outcomes = [{ metric = "p95 page load", baseline = "2.1s", target = "1.2s" }]
"#;

const SEARCH: &str = r#"name = "Search"

[limits]
in-play = 1

[promises.find-and-buy]
statement = "A shopper can find a product we stock."
customer = "shopper"
status = "in-play"
outcomes = [{ metric = "search-to-purchase conversion", baseline = "8%", target = "12%" }]
"#;

const CHECKOUT: &str = r#"name = "Checkout"
vision = "Paying takes one step."

[promises.find-and-buy]
statement = "A shopper who found a product buys it in one step."
customer = "shopper"
status = "in-play"
outcomes = [{ metric = "checkout completion", baseline = "61%", target = "75%" }]

[promises.wallets]
statement = "A shopper can pay with a saved wallet."
customer = "shopper"
status = "proposed"
"#;

/// The three teams, clean: every plan item and commit traced within its scope.
fn teams() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", ROOT)
        .write("teams/search/promises.toml", SEARCH)
        .write("teams/checkout/promises.toml", CHECKOUT)
        .write("ROADMAP.md", "# Platform\n\n- [ ] CDN for images (Promise: platform)\n")
        .write("teams/search/ROADMAP.md", "# Search\nPromise: find-and-buy\n\n- [x] Trigram index\n- [ ] Rank in-stock first\n")
        .write(
            "teams/checkout/ROADMAP.md",
            "# Checkout\nPromise: find-and-buy\n\n- [ ] One-step pay\n- [ ] Faster search results (Promise: teams/search/find-and-buy)\n",
        );
    repo.commit("Adopt plan-lint in three teams\n\nPromise: platform\n");
    repo.write("teams/search/src/rank.rs", "// rank\n").write("teams/checkout/src/pay.rs", "// pay\n");
    repo.commit("Rank in-stock results and show them at checkout\n\nPromise: teams/search/find-and-buy\n");
    repo
}

fn check(repo: &Repo, args: &[&str]) -> support::Run {
    let mut all = vec!["check"];
    if !args.contains(&"--commits") {
        all.extend(["--commits", "HEAD"]);
    }
    all.extend_from_slice(args);
    repo.plan_lint(&all)
}

#[test]
fn every_scope_of_a_clean_repository_is_clean() {
    let repo = teams();
    let run = check(&repo, &["--all"]);
    run.expect_code(0);
    snapshot("scopes/clean", &run.stdout);
}

/// `(code, scope, message)` of each finding in a JSON report.
fn findings(json: &str) -> Vec<(String, Option<String>, String)> {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON");
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f.get("scope").map(|s| s.as_str().unwrap().to_string()),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn owned(expected: &[(&str, Option<&str>, &str)]) -> Vec<(String, Option<String>, String)> {
    expected.iter().map(|(c, s, m)| (c.to_string(), s.map(str::to_string), m.to_string())).collect()
}

#[test]
fn a_short_id_two_teams_define_resolves_by_the_paths_a_commit_touches() {
    let mut repo = teams();
    // Only checkout's folder: checkout's `find-and-buy`, in play.
    repo.write("teams/checkout/src/pay.rs", "// pay v2\n");
    repo.commit("One-step pay\n\nPromise: find-and-buy\n");
    check(&repo, &["--all", "--commits", "HEAD~1..HEAD"]).expect_code(0);
    // Both teams' folders, both define it: an error naming both, with did-you-mean.
    repo.write("teams/search/src/rank.rs", "// rank v2\n").write("teams/checkout/src/pay.rs", "// pay v3\n");
    let sha = repo.commit("Rank and pay\n\nPromise: find-and-buy\n");
    let run = check(&repo, &["--all", "--commits", "HEAD~1..HEAD"]);
    run.expect_code(1);
    snapshot("scopes/ambiguous-commit", &run.stdout.replace(&sha[..7], "<sha>"));
    let json = check(&repo, &["--all", "--commits", "HEAD~1..HEAD", "--format", "json"]);
    assert_eq!(
        findings(&json.stdout),
        owned(&[(
            "unknown-promise",
            Some("teams/checkout"),
            &format!("commit {} names promise `find-and-buy`, which 2 scopes define", &sha[..7])
        )])
    );
}

#[test]
fn an_untraced_commit_is_untraced_in_every_scope_it_touches_and_work_belongs_to_its_promise() {
    let mut repo = teams();
    repo.write("teams/search/src/rank.rs", "// rank v2\n").write("teams/checkout/src/pay.rs", "// pay v2\n");
    let untraced = repo.commit("Tidy both teams\n");
    // Search's folder, checkout's proposed promise: not in play, in checkout's scope.
    repo.write("teams/search/src/wallet.rs", "// wallet\n");
    let parked = repo.commit("Wallet button on results\n\nPromise: wallets\n");
    let json = check(&repo, &["--all", "--commits", "HEAD~2..HEAD", "--format", "json"]);
    json.expect_code(1);
    let (u, p) = (&untraced[..7], &parked[..7]);
    assert_eq!(
        findings(&json.stdout),
        owned(&[
            (
                "not-in-play",
                Some("teams/checkout"),
                &format!("commit {p} is work on `teams/checkout/wallets`, which is proposed")
            ),
            ("untraced-commit", Some("teams/checkout"), &format!("commit {u} has no Promise trailer")),
            ("untraced-commit", Some("teams/search"), &format!("commit {u} has no Promise trailer")),
        ])
    );
    // Search's own scope sees both commits (they touch it); checkout's sees the untraced one and
    // the work on its promise.
    let search = check(&repo, &["--scope", "teams/search", "--commits", "HEAD~2..HEAD", "--format", "json"]);
    assert_eq!(findings(&search.stdout).len(), 2, "{}", search.stdout);
    let checkout = check(&repo, &["--scope", "teams/checkout", "--commits", "HEAD~2..HEAD", "--format", "json"]);
    assert_eq!(findings(&checkout.stdout).len(), 2, "{}", checkout.stdout);
    let root = check(&repo, &["--scope", "", "--commits", "HEAD~2..HEAD", "--format", "json"]);
    assert_eq!(findings(&root.stdout).len(), 3, "the root run judges every commit: {}", root.stdout);
}

#[test]
fn check_in_a_team_folder_judges_that_scope_and_its_findings_say_so() {
    let repo = teams();
    // Search's limit is 1: a second promise in play is over it; checkout's plan has an untraced item.
    repo.write(
        "teams/search/promises.toml",
        &format!("{SEARCH}\n[promises.facets]\nstatement = \"A shopper narrows results.\"\ncustomer = \"shopper\"\nstatus = \"in-play\"\noutcomes = [{{ metric = \"m\", target = \"1\" }}]\n"),
    )
    .write("teams/checkout/ROADMAP.md", "# Checkout\n\n- [ ] One-step pay\n");
    let search = support::run_in(&repo.path().join("teams/search/src"), &["check", "--no-commits"]);
    search.expect_code(1);
    snapshot("scopes/search-from-its-folder", &search.stdout);
    let all = repo.plan_lint(&["check", "--no-commits", "--all", "--format", "json"]);
    all.expect_code(1);
    assert_eq!(
        findings(&all.stdout),
        owned(&[
            ("too-many-in-play", Some("teams/search"), "2 promises are in play; the limit is 1"),
            ("untraced-item", Some("teams/checkout"), "work item names no promise: One-step pay"),
        ])
    );
    // From the root: the root's scope alone, clean.
    repo.plan_lint(&["check", "--no-commits"]).expect_code(0);
    let wrong = repo.plan_lint(&["check", "--no-commits", "--scope", "teams/serch"]);
    wrong.expect_code(2);
    assert!(wrong.stderr.contains("did you mean `teams/search`?"), "{}", wrong.stderr);
}

#[test]
fn a_registry_that_is_not_listed_is_a_finding_and_a_listed_one_that_is_missing_cannot_run() {
    let mut repo = teams();
    repo.write("teams/ads/promises.toml", "[promises.ads]\nstatement = \"s\"\nstatus = \"in-play\"\n");
    repo.commit("Ads team registry\n\nPromise: platform\n");
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(1);
    snapshot("scopes/unlisted", &run.stdout);
    repo.git(&["rm", "-q", "teams/checkout/promises.toml"]);
    let run = repo.plan_lint(&["check", "--no-commits", "--all"]);
    run.expect_code(2);
    snapshot("scopes/missing-member", &run.stderr);
}

#[test]
fn a_registry_below_a_root_without_scopes_is_a_finding_until_listed_or_ignored() {
    // Issue 25: a registry neither discovered nor listed is a finding, not silence, also when the
    // root registry has no `[scopes]` table at all.
    let root =
        "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"1\" }]\n";
    let mut repo = Repo::new();
    repo.write("promises.toml", root)
        .write("fixtures/demo/promises.toml", "[promises.b]\nstatement = \"s\"\nstatus = \"in-play\"\n");
    repo.commit("Start\n\nPromise: a\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD"]);
    run.expect_code(1);
    snapshot("scopes/unlisted-without-scopes", &run.stdout);
    let json = repo.plan_lint(&["check", "--commits", "HEAD", "--format", "json"]);
    assert_eq!(
        findings(&json.stdout),
        owned(&[(
            "unlisted-scope",
            None,
            "fixtures/demo/promises.toml is a registry that `[scopes] members` does not list"
        )])
    );
    // From the fixture's folder too: the root judges it.
    support::run_in(&repo.path().join("fixtures/demo"), &["check", "--commits", "HEAD"]).expect_code(1);
    // pre-commit reports what the staged change causes: an unrelated commit goes through, one
    // that stages another unlisted registry (alone, or with a plan) is blocked.
    repo.plan_lint(&["install"]).expect_code(0);
    repo.write("src/a.rs", "// a\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Work", "-m", "Promise: a"]);
    assert!(ok, "{stderr}");
    repo.write("teams/ads/promises.toml", "[promises.c]\nstatement = \"s\"\nstatus = \"in-play\"\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Ads", "-m", "Promise: a"]);
    assert!(!ok, "a staged unlisted registry went through");
    assert!(stderr.contains("teams/ads/promises.toml is a registry that `[scopes] members` does not list"), "{stderr}");
    assert!(!stderr.contains("fixtures/demo"), "not the staged change's doing: {stderr}");
    repo.write("ROADMAP.md", "# Plan\n\n- [ ] B (Promise: a)\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Ads and a plan", "-m", "Promise: a"]);
    assert!(!ok && stderr.contains("teams/ads/promises.toml is a registry"), "{stderr}");
    repo.git(&["rm", "-q", "--cached", "teams/ads/promises.toml"]);
    std::fs::remove_file(repo.path().join("teams/ads/promises.toml")).unwrap();
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "A plan", "-m", "Promise: a"]);
    assert!(ok, "{stderr}");
    // Ignored as a fixture folder: clean, from the root and from the folder.
    repo.write("promises.toml", &format!("[scopes]\nignore = [\"fixtures/**\"]\n\n{root}"));
    repo.plan_lint(&["check", "--commits", "HEAD"]).expect_code(0);
    support::run_in(&repo.path().join("fixtures/demo"), &["check", "--commits", "HEAD"]).expect_code(0);
    // Ignoring one folder leaves another registry flagged.
    repo.write("examples/shop/promises.toml", "[promises.c]\nstatement = \"s\"\nstatus = \"in-play\"\n");
    repo.git(&["add", "."]);
    let json = repo.plan_lint(&["check", "--no-commits", "--format", "json"]);
    json.expect_code(1);
    assert_eq!(
        findings(&json.stdout),
        owned(&[(
            "unlisted-scope",
            None,
            "examples/shop/promises.toml is a registry that `[scopes] members` does not list"
        )])
    );
}

#[test]
fn the_registry_a_run_reads_is_never_an_unlisted_scope() {
    let registry =
        "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"1\" }]\n";
    let mut repo = Repo::new();
    repo.write("product/promises.toml", registry).write("ROADMAP.md", "# Plan\n\n- [ ] A (Promise: a)\n");
    repo.commit("Start\n\nPromise: a\n");
    // `--config`: the registry below the root is the root's.
    repo.plan_lint(&["check", "--commits", "HEAD", "--config", "product/promises.toml"]).expect_code(0);
    // A root promises.toml that links to it: the same file, not a second registry.
    std::os::unix::fs::symlink("product/promises.toml", repo.path().join("promises.toml")).unwrap();
    repo.commit("Link the registry\n\nPromise: a\n");
    repo.plan_lint(&["check", "--commits", "HEAD"]).expect_code(0);
}

/// `git commit` with the installed hooks running; (success, stderr).
fn git_commit(repo: &Repo, args: &[&str]) -> (bool, String) {
    repo.git_commit(args)
}

#[test]
fn the_commit_hooks_judge_the_scopes_the_staged_paths_touch() {
    let repo = teams();
    repo.plan_lint(&["install"]).expect_code(0);
    // Checkout's folder only: `find-and-buy` is checkout's.
    repo.write("teams/checkout/src/pay.rs", "// pay v2\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "One-step pay", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    // Both teams' folders: ambiguous, refused, naming both definitions.
    repo.write("teams/search/src/rank.rs", "// rank v2\n").write("teams/checkout/src/pay.rs", "// pay v3\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Rank and pay", "-m", "Promise: find-and-buy"]);
    assert!(!ok, "an ambiguous id went through");
    let words = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("names promise `find-and-buy`, which 2 scopes define"), "{stderr}");
    assert!(words.contains("did you mean `teams/search/find-and-buy` or `teams/checkout/find-and-buy`?"), "{stderr}");
    // Qualified, it goes through: cross-team work on search's promise.
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Rank and pay", "-m", "Promise: teams/search/find-and-buy"]);
    assert!(ok, "{stderr}");
    // pre-commit: a staged plan in search's folder is judged with search's registry and says so.
    repo.write(
        "teams/search/ROADMAP.md",
        "# Search\n\n- [ ] Rank in-stock first (Promise: find-and-buy)\n- [ ] Typo tolerance (Promise: wallets)\n- [ ] Facets\n",
    );
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Plan facets", "-m", "Promise: teams/search/find-and-buy"]);
    assert!(!ok, "an untraced item went through");
    assert!(stderr.contains("[teams/search] work item names no promise: Facets"), "{stderr}");
    assert_eq!(stderr.matches(" × ").count(), 1, "checkout's proposed promise is a fine trace: {stderr}");
    // A staged team registry is judged with its own limit.
    repo.git(&["checkout", "-q", "--", "."]);
    repo.git(&["reset", "-q"]);
    repo.git(&["checkout", "-q", "--", "."]);
    repo.write(
        "teams/search/promises.toml",
        &format!(
            "{SEARCH}\n[promises.facets]\nstatement = \"s\"\ncustomer = \"shopper\"\nstatus = \"in-play\"\n\
             outcomes = [{{ metric = \"m\", target = \"1\" }}]\n"
        ),
    );
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Facets", "-m", "Promise: teams/search/find-and-buy"]);
    assert!(!ok, "a team over its limit went through");
    assert!(stderr.contains("[teams/search] 2 promises are in play; the limit is 1"), "{stderr}");
}

#[test]
fn pre_push_judges_each_commit_by_its_own_paths() {
    let repo = teams();
    let remote = tempfile::tempdir().unwrap();
    support::git_env(std::process::Command::new("git"), remote.path()).args(["init", "-q", "--bare"]).output().unwrap();
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main"]);
    repo.plan_lint(&["install"]).expect_code(0);
    repo.write("teams/search/src/rank.rs", "// rank v2\n").write("teams/checkout/src/pay.rs", "// pay v2\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Tidy both teams"]);
    let sha = repo.git(&["rev-parse", "HEAD"]);
    let out = support::git_env(std::process::Command::new("git"), repo.path())
        .args(["push", "origin", "main"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    let short = &sha[..7];
    for scope in ["teams/checkout", "teams/search"] {
        assert!(stderr.contains(&format!("[{scope}] commit {short} has no Promise trailer")), "{stderr}");
    }
}

#[test]
fn ci_on_a_pull_request_judges_each_commit_by_its_paths_and_every_scope_s_plans() {
    let mut repo = teams();
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("teams/checkout/src/pay.rs", "// pay v2\n");
    repo.commit("One-step pay\n\nPromise: find-and-buy\n");
    repo.write("teams/search/src/rank.rs", "// rank v2\n").write("teams/checkout/src/pay.rs", "// pay v3\n");
    repo.commit("Tidy both teams\n");
    repo.write("teams/checkout/ROADMAP.md", "# Checkout\n\n- [ ] Saved cards\n");
    let head = repo.commit("Plan saved cards\n\nPromise: teams/checkout/find-and-buy\n");
    let runner = tempfile::tempdir().unwrap();
    let file = |name: &str| runner.path().join(name).display().to_string();
    let event = serde_json::json!({
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7, "title": "Checkout", "body": "One-step pay.", "state": "open",
            "html_url": "https://github.com/acme/shop/pull/7",
            "base": { "ref": "main", "sha": base }, "head": { "ref": "feature", "sha": head }
        },
        "repository": { "full_name": "acme/shop", "default_branch": "main" }
    });
    std::fs::write(file("event.json"), event.to_string()).unwrap();
    let (event, summary, output) = (file("event.json"), file("summary.md"), file("output"));
    let envs = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", event.as_str()),
        ("GITHUB_STEP_SUMMARY", summary.as_str()),
        ("GITHUB_OUTPUT", output.as_str()),
    ];
    let run = support::run_with(repo.path(), &["ci", "--format", "json"], &envs, None);
    run.expect_code(1);
    let tidy = repo.git(&["rev-parse", "--short=7", "HEAD~1"]);
    let tidy = tidy.trim();
    assert_eq!(
        findings(&run.stdout),
        owned(&[
            ("untraced-commit", Some("teams/checkout"), &format!("commit {tidy} has no Promise trailer")),
            ("untraced-commit", Some("teams/search"), &format!("commit {tidy} has no Promise trailer")),
            ("untraced-item", Some("teams/checkout"), "work item names no promise: Saved cards"),
        ])
    );
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "errors=3\nwarnings=0\ncommits=3\n");
}

#[test]
fn report_scope_draws_one_team_s_board_with_what_it_inherits() {
    let repo = teams();
    let board = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["report", "--format", "json", "--since", "2026-01-01", "--until", "2026-01-31"];
        all.extend_from_slice(args);
        let run = repo.plan_lint(&all);
        run.expect_code(0);
        serde_json::from_str(&run.stdout).expect("the board as JSON")
    };
    let search = board(&["--scope", "teams/search"]);
    assert_eq!(search["scope"], "teams/search", "the board says whose it is (the organisation page shows it)");
    assert_eq!(board(&[])["scope"], serde_json::Value::Null, "the root's");
    assert_eq!(search["vision"], "Shoppers find anything they want and buy it in one step.", "inherited");
    assert_eq!(search["in_play"]["limit"], 1);
    assert_eq!(search["in_play"]["count"], 1);
    // The cross-team commit named it qualified; it counts for search's `find-and-buy`.
    assert_eq!(search["promises"][0]["id"], "find-and-buy");
    assert_eq!(search["promises"][0]["commits"]["count"], 1, "{search:#}");
    let checkout = board(&["--scope", "teams/checkout"]);
    assert_eq!(checkout["vision"], "Paying takes one step.", "its own");
    assert_eq!(checkout["in_play"]["limit"], 2, "inherited from the root");
    // From inside a team's folder, its board by default.
    let run = support::run_in(
        &repo.path().join("teams/checkout"),
        &["report", "--format", "json", "--since", "2026-01-01", "--until", "2026-01-31"],
    );
    run.expect_code(0);
    let here: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(here["vision"], "Paying takes one step.");
}

#[test]
fn the_editor_server_judges_each_document_with_the_registry_nearest_to_it() {
    let repo = teams();
    let mut cmd = support::git_env(std::process::Command::new(support::bin()), repo.path());
    cmd.arg("lsp");
    let mut client = support::lsp_client::Client::start(cmd, repo.path());
    let uri = |rel: &str| format!("file://{}/{rel}", repo.path().display());
    let messages = |d: &[serde_json::Value]| -> Vec<String> {
        d.iter().map(|d| format!("{}: {}", d["code"].as_str().unwrap(), d["message"].as_str().unwrap())).collect()
    };
    // Search's plan: `find-and-buy` is search's own, and the help lists search's promises in play.
    let search = uri("teams/search/ROADMAP.md");
    client.open(&search, "markdown", "# Search\n\n- [ ] Synonyms (Promise: find-and-buy)\n- [ ] Facets\n");
    assert_eq!(
        messages(&client.diagnostics(&search)),
        ["untraced-item: work item names no promise: Facets\nhelp: end the item with `(Promise: <id>)`, or put a \
          `Promise: <id>` line right under its heading; promises in play: find-and-buy"]
    );
    // The root's plan: two teams define `find-and-buy`, the root does not.
    let root = uri("ROADMAP.md");
    client.open(&root, "markdown", "# Platform\n\n- [ ] Faster pages (Promise: find-and-buy)\n");
    assert_eq!(
        messages(&client.diagnostics(&root)),
        ["unknown-promise: item names promise `find-and-buy`, which 2 scopes define\nhelp: did you mean \
          `teams/search/find-and-buy` or `teams/checkout/find-and-buy`? name the promise with its scope"]
    );
    assert_eq!(client.finish(), 0);
}

#[test]
fn init_in_a_team_folder_scaffolds_a_scoped_registry_and_says_to_list_it() {
    let mut repo = teams();
    std::fs::create_dir_all(repo.path().join("teams/ads")).unwrap();
    let run = support::run_in(&repo.path().join("teams/ads"), &["init", "--no-hooks"]);
    run.expect_code(0);
    let shown = run.stdout.replace(&repo.path().display().to_string(), "<repo>");
    snapshot("scopes/init", &shown);
    snapshot("scopes/init-registry", &std::fs::read_to_string(repo.path().join("teams/ads/promises.toml")).unwrap());
    repo.commit("Ads team\n\nPromise: platform\n");
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(1);
    assert!(run.stdout.contains("teams/ads/promises.toml is a registry that `[scopes] members` does not list"));
    // Listed, it is a scope of its own, judged from its folder.
    repo.write("promises.toml", &ROOT.replace("\"teams/checkout\"]", "\"teams/checkout\", \"teams/ads\"]"));
    repo.plan_lint(&["check", "--no-commits"]).expect_code(0);
    let ads = support::run_in(&repo.path().join("teams/ads"), &["check", "--no-commits", "--format", "json"]);
    assert_eq!(
        findings(&ads.stdout).iter().map(|(c, s, _)| (c.as_str(), s.as_deref())).collect::<Vec<_>>(),
        [("no-outcome", Some("teams/ads"))],
        "the placeholders are no outcome yet: {}",
        ads.stdout
    );
}

#[test]
fn files_named_on_the_command_line_are_each_judged_in_their_own_scope() {
    let repo = teams();
    repo.write("teams/checkout/ROADMAP.md", "# Checkout\n\n- [ ] Saved cards\n");
    let run = repo.plan_lint(&["check", "--no-commits", "--format", "json", "teams/checkout/ROADMAP.md", "ROADMAP.md"]);
    run.expect_code(1);
    assert_eq!(
        findings(&run.stdout),
        owned(&[("untraced-item", Some("teams/checkout"), "work item names no promise: Saved cards")])
    );
}

#[test]
fn a_document_is_judged_once_by_the_scope_that_governs_it_even_when_the_root_s_patterns_reach_it() {
    let repo = teams();
    repo.write("promises.toml", &format!("{ROOT}\n[plans]\ninclude = [\"**/ROADMAP.md\"]\n"))
        .write("teams/checkout/ROADMAP.md", "# Checkout\n\n- [ ] Saved cards\n");
    let run = repo.plan_lint(&["check", "--no-commits", "--all", "--format", "json"]);
    run.expect_code(1);
    assert_eq!(
        findings(&run.stdout),
        owned(&[("untraced-item", Some("teams/checkout"), "work item names no promise: Saved cards")])
    );
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary["summary"]["files"], 3, "{}", run.stdout);
}

#[test]
fn pre_receive_judges_each_pushed_commit_by_its_own_paths() {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("shop.git");
    assert!(std::process::Command::new("git").args(["init", "-q", "--bare"]).arg(&bare).status().unwrap().success());
    support::run_in(&bare, &["install", "--server"]).expect_code(0);
    let path = format!("{}:{}", support::bin().parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let push = |repo: &Repo| {
        let out = support::git_env(std::process::Command::new("git"), repo.path())
            .env("PATH", &path)
            .args(["push", &format!("file://{}", bare.display()), "main"])
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let mut repo = teams();
    let (ok, said) = push(&repo);
    assert!(ok, "{said}");
    repo.write("teams/checkout/src/pay.rs", "// pay v2\n");
    repo.commit("One-step pay\n\nPromise: find-and-buy\n");
    let (ok, said) = push(&repo);
    assert!(ok, "checkout's own short id: {said}");
    repo.write("teams/search/src/rank.rs", "// rank v2\n").write("teams/checkout/src/pay.rs", "// pay v3\n");
    let sha = repo.commit("Rank and pay\n\nPromise: find-and-buy\n");
    let (ok, said) = push(&repo);
    assert!(!ok, "an ambiguous id was accepted: {said}");
    let words = said.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(&format!(
            "[teams/checkout] commit {} names promise `find-and-buy`, which 2 scopes define",
            &sha[..7]
        )),
        "{said}"
    );
}

#[test]
fn work_on_another_team_s_promise_is_judged_by_that_team_s_registry_as_the_commit_saw_it() {
    let mut repo = teams();
    repo.write("teams/checkout/promises.toml", &CHECKOUT.replace("status = \"proposed\"", "status = \"in-play\""));
    repo.commit("Wallets in play\n\nPromise: teams/checkout/wallets\n");
    repo.write("teams/search/src/wallet.rs", "// wallet button\n");
    repo.commit("Wallet button on results\n\nPromise: wallets\n");
    repo.write("teams/checkout/promises.toml", &CHECKOUT.replace("status = \"proposed\"", "status = \"done\""));
    repo.commit("Wallets shipped\n\nPromise: teams/checkout/wallets\n");
    // Each commit was work on `wallets` while it was in play (or the commit that finished it).
    let run = check(&repo, &["--all", "--commits", "HEAD~3..HEAD", "--format", "json"]);
    run.expect_code(0);
    assert_eq!(findings(&run.stdout), owned(&[]));
}

#[test]
fn the_commit_that_finishes_a_team_s_promise_passes_commit_msg() {
    let mut repo = teams();
    repo.write("teams/checkout/promises.toml", &CHECKOUT.replace("status = \"proposed\"", "status = \"in-play\""));
    repo.commit("Wallets in play\n\nPromise: teams/checkout/wallets\n");
    repo.plan_lint(&["install"]).expect_code(0);
    repo.write("teams/checkout/promises.toml", &CHECKOUT.replace("status = \"proposed\"", "status = \"done\""));
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Wallets shipped", "-m", "Promise: wallets"]);
    assert!(ok, "the commit that marks it done is work on it: {stderr}");
    // After it, work on it is refused.
    repo.write("teams/checkout/src/wallet.rs", "// more\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "More wallets", "-m", "Promise: wallets"]);
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("[teams/checkout] this commit is work on `teams/checkout/wallets`, which is done"),
        "{stderr}"
    );
}

/// Issue 26: a staged change to a team's promise makes the pre-commit hook list the open items
/// under it in that team's plans, judged with the team's registry (not set aside as older
/// because the root registry is unchanged), and in another team's plan that names it by its
/// qualified id (in that team's scope), never under that team's own `find-and-buy`
/// (`impact_scopes` tests the rest).
#[test]
fn pre_commit_lists_the_items_a_staged_change_to_a_team_s_promise_makes_suspect() {
    let repo = teams();
    repo.plan_lint(&["install"]).expect_code(0);
    repo.write("teams/search/promises.toml", &SEARCH.replace("target = \"12%\"", "target = \"15%\""));
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Raise the target", "-m", "Promise: teams/search/find-and-buy"]);
    assert!(ok, "a warning does not block: {stderr}");
    let words = stderr.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(
            "[teams/search] open item planned against an earlier `find-and-buy`: its target of \
             search-to-purchase conversion changed: 12% → 15% (staged): Rank in-stock first"
        ),
        "{stderr}"
    );
    assert!(
        words.contains(
            "[teams/checkout] open item planned against an earlier `teams/search/find-and-buy`: its target of \
             search-to-purchase conversion changed: 12% → 15% (staged): Faster search results"
        ),
        "{stderr}"
    );
    assert_eq!(words.matches("(staged)").count(), 2, "not checkout's own promise: {stderr}");
}

#[test]
fn check_all_over_a_window_judges_each_scope_s_drift_with_its_own_limits() {
    let mut repo = teams();
    // Search keeps a budget of declared exceptions; checkout parks nothing but gets work on its
    // proposed `wallets`; the root's `platform` is worked on.
    repo.write("teams/search/promises.toml", &SEARCH.replace("in-play = 1", "in-play = 1\nexception-budget = \"10%\""));
    repo.commit_at(
        "2026-01-06T10:00:00Z",
        "Ada <a@example.com>",
        "Search's budget\n\nPromise: teams/search/find-and-buy\n",
    );
    repo.write("src/cdn.rs", "// cdn\n");
    repo.commit_at("2026-01-20T10:00:00Z", "Ada <a@example.com>", "Serve images from the CDN\n\nPromise: platform\n");
    repo.write("teams/checkout/src/wallet.rs", "// wallet\n");
    let parked = repo.commit_at("2026-01-22T10:00:00Z", "Bo <b@example.com>", "Wallet button\n\nPromise: wallets\n");
    repo.write("teams/search/src/spike.rs", "// spike\n");
    repo.commit_at("2026-01-25T10:00:00Z", "Cy <c@example.com>", "Try a new index\n\nUntraced: a spike\n");
    let json = check(
        &repo,
        &["--all", "--commits", "HEAD", "--since", "2026-01-01", "--until", "2026-01-31", "--format", "json"],
    );
    json.expect_code(1);
    let p = &parked[..7];
    assert_eq!(
        findings(&json.stdout),
        owned(&[
            // The commit's own finding, once (the root's run judges every commit).
            (
                "not-in-play",
                Some("teams/checkout"),
                &format!("commit {p} is work on `teams/checkout/wallets`, which is proposed")
            ),
            // Each member's window, with its own registry, in the order the root lists them.
            // Search: its promise was last worked on 2026-01-06; one of the four commits that
            // change its folder in the window is a declared exception, over its 10%.
            (
                "idle-promise",
                Some("teams/search"),
                "`find-and-buy` is in play but has had no commit or plan change since 2026-01-06 (25 days)"
            ),
            (
                "over-budget",
                Some("teams/search"),
                "1 of 4 commits from 2026-01-01 to 2026-01-31 are declared exceptions (25%), over the budget of 10%"
            ),
            // Checkout: `wallets` had work while proposed; its `find-and-buy` has had none in 14
            // days (inherited), and no budget of exceptions (none to inherit).
            (
                "shadow-work",
                Some("teams/checkout"),
                "1 commit traces to `wallets` from 2026-01-01 to 2026-01-31, which is proposed"
            ),
            (
                "idle-promise",
                Some("teams/checkout"),
                "`find-and-buy` is in play but has had no commit or plan change since 2026-01-05 (26 days)"
            ),
        ])
    );
}

#[test]
fn a_member_s_promise_leaves_play_in_its_own_registry_for_its_drift_rules() {
    let mut repo = teams();
    let wallets = |status: &str| CHECKOUT.replace("status = \"proposed\"", &format!("status = \"{status}\""));
    repo.write("teams/checkout/promises.toml", &wallets("in-play"));
    repo.commit_at(
        "2026-01-06T10:00:00Z",
        "Ada <a@example.com>",
        "Wallets in play\n\nPromise: teams/checkout/wallets\n",
    );
    repo.write("teams/checkout/src/wallet.rs", "// wallet\n");
    repo.commit_at("2026-01-08T10:00:00Z", "Ada <a@example.com>", "Saved wallets\n\nPromise: wallets\n");
    repo.write("teams/checkout/promises.toml", &wallets("done"));
    repo.commit_at(
        "2026-01-10T10:00:00Z",
        "Ada <a@example.com>",
        "Wallets shipped\n\nPromise: teams/checkout/wallets\n",
    );
    repo.write("teams/checkout/src/wallet.rs", "// wallet v2\n");
    repo.commit_at("2026-01-12T10:00:00Z", "Bo <b@example.com>", "More wallets\n\nPromise: wallets\n");
    let args = ["--all", "--commits", "HEAD", "--since", "2026-01-01", "--until", "2026-01-31", "--format", "json"];
    let json = check(&repo, &args);
    // Only the work after teams/checkout/promises.toml took `wallets` out of play is shadow work.
    let shadow: Vec<_> = findings(&json.stdout).into_iter().filter(|(c, _, _)| c == "shadow-work").collect();
    assert_eq!(
        shadow,
        owned(&[(
            "shadow-work",
            Some("teams/checkout"),
            "1 commit traces to `wallets` from 2026-01-01 to 2026-01-31, which is done"
        )])
    );
}

#[test]
fn a_commit_staged_in_two_scopes_is_judged_by_both_hooks_in_each_scope() {
    let repo = teams();
    repo.plan_lint(&["install"]).expect_code(0);
    let in_play = |id: &str| {
        format!(
            "\n[promises.{id}]\nstatement = \"s\"\ncustomer = \"shopper\"\nstatus = \"in-play\"\n\
             outcomes = [{{ metric = \"m\", target = \"1\" }}]\n"
        )
    };
    // pre-commit: each scope's staged registry with its own limit (search's 1, checkout's 2
    // inherited from the root), each scope's staged plan with its own promises.
    repo.write("teams/search/promises.toml", &format!("{SEARCH}{}", in_play("facets")))
        .write("teams/checkout/promises.toml", &format!("{CHECKOUT}{}{}", in_play("gift-cards"), in_play("refunds")))
        .write("teams/search/ROADMAP.md", "# Search\n\n- [ ] Synonyms (Promise: facets)\n- [ ] Spelling\n")
        .write("teams/checkout/ROADMAP.md", "# Checkout\n\n- [ ] Refund button (Promise: refunds)\n- [ ] Receipts\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Plan both teams", "-m", "Promise: teams/search/find-and-buy"]);
    assert!(!ok, "{stderr}");
    for said in [
        "[teams/search] 2 promises are in play; the limit is 1",
        "[teams/checkout] 3 promises are in play; the limit is 2",
        "[teams/search] work item names no promise: Spelling",
        "[teams/checkout] work item names no promise: Receipts",
    ] {
        assert!(stderr.contains(said), "{said}:\n{stderr}");
    }
    // commit-msg: an untraced message touching both is untraced in each; a short id only one of
    // the touched scopes defines is that scope's.
    repo.git(&["reset", "-q", "--hard"]);
    repo.write("teams/search/src/rank.rs", "// rank v2\n").write("teams/checkout/src/pay.rs", "// pay v2\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Tidy both teams"]);
    assert!(!ok, "{stderr}");
    let words = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    for scope in ["teams/search", "teams/checkout"] {
        assert!(words.contains(&format!("[{scope}] this commit has no Promise trailer")), "{scope}:\n{stderr}");
    }
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Wallet button", "-m", "Promise: wallets"]);
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("[teams/checkout] this commit is work on `teams/checkout/wallets`, which is proposed"),
        "{stderr}"
    );
    // The same commit that puts `wallets` in play in checkout's staged registry is work on it.
    repo.write("teams/checkout/promises.toml", &CHECKOUT.replace("status = \"proposed\"", "status = \"in-play\""));
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Wallets in play, with a button", "-m", "Promise: wallets"]);
    assert!(ok, "{stderr}");
}

/// Issue 26 in a team's folder: `suspect-link` reads the team's own registry history. Search
/// raises its target in teams/search/promises.toml; its open item warns, with the commit, when
/// search's scope is checked; checkout's plan, under checkout's own find-and-buy, does not.
#[test]
fn a_team_s_own_contract_change_makes_its_open_items_suspect() {
    let mut repo = teams();
    repo.write("teams/search/promises.toml", &SEARCH.replace("target = \"12%\"", "target = \"15%\""));
    repo.commit("Raise search's target\n\nPromise: teams/search/find-and-buy\n");
    let run = check(&repo, &["--all", "--format", "json"]);
    run.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let suspect: Vec<&serde_json::Value> =
        v["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "suspect-link").collect();
    assert_eq!(suspect.len(), 1, "{}", run.stdout);
    let message = suspect[0]["message"].as_str().unwrap();
    assert!(message.contains("target of search-to-purchase conversion changed: 12% → 15%"), "{message}");
    assert!(message.ends_with("Rank in-stock first"), "{message}");
    assert_eq!(suspect[0]["scope"], "teams/search", "{}", run.stdout);
}

/// `git commit -a` and `git commit <path>` stage into a temporary index (`GIT_INDEX_FILE`) that
/// the hooks must read: the paths committed there, not `.git/index`, say which scope a short id
/// belongs to.
#[test]
fn the_commit_msg_hook_reads_the_scopes_of_the_index_git_commits() {
    let repo = teams();
    repo.plan_lint(&["install"]).expect_code(0);
    // Changed, not staged: only `-a` (or naming the path) puts it in the commit.
    repo.write("teams/checkout/src/pay.rs", "// pay v2\n");
    let (ok, stderr) = git_commit(&repo, &["-q", "-a", "-m", "One-step pay", "-m", "Promise: find-and-buy"]);
    assert!(ok, "checkout's own `find-and-buy`, committed with -a: {stderr}");
    repo.write("teams/search/src/rank.rs", "// rank v2\n");
    let (ok, stderr) =
        git_commit(&repo, &["-q", "-m", "Rank", "-m", "Promise: find-and-buy", "--", "teams/search/src/rank.rs"]);
    assert!(ok, "search's own `find-and-buy`, committed by path: {stderr}");
    // Both folders through -a: ambiguous, refused.
    repo.write("teams/search/src/rank.rs", "// rank v3\n").write("teams/checkout/src/pay.rs", "// pay v3\n");
    let (ok, stderr) = git_commit(&repo, &["-q", "-a", "-m", "Rank and pay", "-m", "Promise: find-and-buy"]);
    assert!(!ok, "an ambiguous id went through");
    assert!(stderr.contains("which 2 scopes define"), "{stderr}");
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]).trim(), "Rank", "the refused commit is not stored");
}

/// The pre-commit hook's cache of open items (content-addressed) is shared by every scope: a
/// team's run keeps the entries other teams' runs wrote, so the next change in another team
/// still finds its documents known.
#[test]
fn each_scope_s_pre_commit_keeps_the_other_scopes_cached_documents() {
    let repo = teams();
    repo.plan_lint(&["install"]).expect_code(0);
    let cached = |path: &str| {
        let blob = repo.git(&["rev-parse", &format!(":{path}")]);
        let cache = std::fs::read_to_string(repo.path().join(".git/plan-lint/open-items")).unwrap_or_default();
        cache.lines().any(|l| l.starts_with(blob.trim()))
    };
    // A status change in search's registry: search's documents are judged through the cache.
    repo.write("teams/search/promises.toml", &SEARCH.replace("status = \"in-play\"", "status = \"done\""));
    repo.git(&["add", "."]);
    let (_, stderr) = git_commit(&repo, &["-q", "-m", "Search is done", "-m", "Promise: teams/search/find-and-buy"]);
    assert!(stderr.contains("teams/search/ROADMAP.md"), "search's plan was judged: {stderr}");
    let dump = std::fs::read_to_string(repo.path().join(".git/plan-lint/open-items")).unwrap_or_default();
    assert!(cached("teams/search/ROADMAP.md"), "search's run wrote its plan's entry: {dump} {stderr}");
    // Then one in checkout's: its run must not drop search's entry.
    repo.git(&["reset", "-q", "--hard"]);
    repo.write("teams/checkout/promises.toml", &CHECKOUT.replace("status = \"proposed\"", "status = \"dropped\""));
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Drop wallets", "-m", "Promise: teams/checkout/find-and-buy"]);
    assert!(ok, "{stderr}");
    assert!(cached("teams/checkout/ROADMAP.md"), "checkout's run wrote its plan's entry");
    assert!(cached("teams/search/ROADMAP.md"), "and kept search's");
}

/// `suspect-link` in `check --all`: the first scope's run reads the registry histories and
/// judges its documents again; the later runs find the histories read and judge as they read.
/// Either way the findings are those each scope's own run gives.
#[test]
fn suspect_links_in_check_all_are_each_scope_s_own() {
    let mut repo = teams();
    repo.write("teams/search/promises.toml", &SEARCH.replace("target = \"12%\"", "target = \"15%\""));
    repo.write("promises.toml", &ROOT.replace("target = \"1.2s\"", "target = \"1.0s\""));
    repo.commit("Raise the bar\n\nPromise: platform\n");
    let suspect = |args: &[&str]| {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let run = check(&repo, &all);
        let mut found: Vec<_> = findings(&run.stdout).into_iter().filter(|(c, _, _)| c == "suspect-link").collect();
        found.sort();
        found
    };
    let mut each: Vec<_> = ["", "teams/search", "teams/checkout"]
        .iter()
        .flat_map(|s| if s.is_empty() { suspect(&[]) } else { suspect(&["--scope", s]) })
        .collect();
    each.sort();
    let scopes: Vec<Option<&str>> = each.iter().map(|(_, s, _)| s.as_deref()).collect();
    assert!(scopes.contains(&None) && scopes.contains(&Some("teams/search")), "both changes are suspect: {each:?}");
    assert_eq!(suspect(&["--all"]), each);
}
