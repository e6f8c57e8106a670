//! README claims that had no test of their own (issue 13's list): each test quotes the claim it
//! proves and runs the real binary (and real git where git is involved).

use crate::support;

use std::process::Command;
use support::{git_env, run_with, Repo};

const REGISTRY: &str = r#"[promises.find-and-buy]
statement = "A shopper can find and buy a product we stock."
status = "in-play"
outcomes = [{ metric = "conversion", baseline = "8%", target = "12%" }]

[promises.gift-cards]
statement = "A shopper can buy gift cards."
status = "done"
outcomes = [{ metric = "gift card sales", baseline = "0", target = "100 a week" }]
"#;

fn team() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", "# Plan\nPromise: find-and-buy\n\n- [ ] Search\n");
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    repo
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "Found at the repository root (`--config PATH` overrides)."
#[test]
fn config_reads_the_registry_from_another_path() {
    let mut repo = Repo::new();
    std::fs::create_dir_all(repo.path().join("product")).unwrap();
    repo.write("product/promises.toml", REGISTRY)
        .write("ROADMAP.md", "# Plan\n\n- [ ] Ranking (Promise: find-and-buy)\n");
    repo.commit("Start\n\nPromise: find-and-buy\n");
    let none = repo.plan_lint(&["check"]);
    none.expect_code(2);
    assert!(none.stderr.contains("no promise registry"), "{}", none.stderr);
    let run = repo.plan_lint(&["check", "--config", "product/promises.toml"]);
    run.expect_code(0);
    assert!(run.stdout.contains("all traced") && run.stdout.contains("in play 1 of 3: find-and-buy"), "{}", run.stdout);
    // The file it names is the one judged: an unknown id there is an error.
    repo.write("ROADMAP.md", "# Plan\n\n- [ ] Ranking (Promise: find-and-bye)\n");
    let run = repo.plan_lint(&["check", "--no-commits", "--config", "product/promises.toml"]);
    run.expect_code(1);
    assert!(run.stdout.contains("did you mean `find-and-buy`?"), "{}", run.stdout);
    let missing = repo.plan_lint(&["check", "--config", "nowhere.toml"]);
    missing.expect_code(2);
    assert!(
        missing.stderr.contains("no promise registry at") && missing.stderr.contains("nowhere.toml"),
        "{}",
        missing.stderr
    );
}

/// "Colour is used only on a terminal; `NO_COLOR` and `--color auto|always|never` are honoured."
#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let repo = team();
    repo.write("ROADMAP.md", "# Plan\n\n- [ ] Untraced\n");
    let esc = |s: &str| s.contains('\u{1b}');
    // Piped (not a terminal): no colour, with or without NO_COLOR.
    let plain = run_with(repo.path(), &["check", "--no-commits"], &[("NO_COLOR", "")], None);
    plain.expect_code(1);
    assert!(!esc(&plain.stdout), "{}", plain.stdout);
    let always = run_with(repo.path(), &["check", "--no-commits", "--color", "always"], &[], None);
    always.expect_code(1);
    assert!(esc(&always.stdout), "--color always draws colour even when piped");
    let never = run_with(repo.path(), &["check", "--no-commits", "--color", "never"], &[], None);
    never.expect_code(1);
    assert!(!esc(&never.stdout));
    // On a terminal (`script` gives the command a pseudo-terminal): colour, unless NO_COLOR.
    let on_tty = |no_color: bool| {
        let mut cmd = git_env(Command::new("script"), repo.path());
        cmd.args(["-qec", &format!("{} check --no-commits", support::bin().display()), "/dev/null"]);
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        let out = cmd.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (code, text) = on_tty(false);
    assert_eq!(code, Some(1), "{text}");
    assert!(esc(&text), "a terminal gets colour: {text}");
    let (code, text) = on_tty(true);
    assert_eq!(code, Some(1), "{text}");
    assert!(!text.contains("\u{1b}[3"), "NO_COLOR on a terminal: no colour codes: {text:?}");
}

/// "`customers.<id>.description`: a customer group; when any exist, each promise's `customer`
/// must name one."
#[test]
fn once_customers_are_declared_every_promise_names_one() {
    let repo = team();
    repo.write("promises.toml", &format!("[customers.shopper]\ndescription = \"buys things\"\n\n{REGISTRY}"));
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(2);
    assert_eq!(run.stderr.matches("names no customer").count(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("add `customer = \"shopper\"`"), "{}", run.stderr);
    let named = REGISTRY
        .replace("status = \"in-play\"", "status = \"in-play\"\ncustomer = \"shopper\"")
        .replace("status = \"done\"", "status = \"done\"\ncustomer = \"shopper\"");
    repo.write("promises.toml", &format!("[customers.shopper]\ndescription = \"buys things\"\n\n{named}"));
    repo.plan_lint(&["check", "--no-commits"]).expect_code(0);
}

/// "`hooks.branch-trailer`: `false` stops prepare-commit-msg from adding a trailer from the
/// branch name."
#[test]
fn branch_trailer_false_stops_prepare_commit_msg() {
    let mut repo = team();
    repo.plan_lint(&["install"]).expect_code(0);
    repo.git(&["checkout", "-q", "-b", "find-and-buy/paypal"]);
    let commit = |repo: &Repo, subject: &str| {
        let out = git_env(Command::new("git"), repo.path())
            .args(["commit", "-q", "--allow-empty", "-m", subject])
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, stderr) = commit(&repo, "PayPal button");
    assert!(ok, "{stderr}");
    assert_eq!(repo.git(&["log", "-1", "--format=%B"]).trim_end(), "PayPal button\n\nPromise: find-and-buy");
    repo.write("promises.toml", &format!("[hooks]\nbranch-trailer = false\n\n{REGISTRY}"));
    repo.commit("Trailers by hand\n\nPromise: find-and-buy\n");
    // Now nothing is added, so the commit-msg hook refuses the untraced message.
    let (ok, stderr) = commit(&repo, "PayPal refunds");
    assert!(!ok, "a trailer was added from the branch name");
    assert!(stderr.contains("untraced-commit"), "{stderr}");
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]).trim(), "Trailers by hand");
}

/// "`limits.exception-budget`: … (`\"10%\"` or `0.1`; `over-budget`)": both spellings are the
/// same budget.
#[test]
fn exception_budget_as_a_fraction_or_a_percentage() {
    for budget in ["0.1", "\"10%\""] {
        let mut repo = team();
        repo.write("promises.toml", &format!("[limits]\nexception-budget = {budget}\n\n{REGISTRY}"));
        repo.commit_at("2026-03-02T10:00:00Z", "Ada <ada@example.com>", "Budget\n\nPromise: find-and-buy\n");
        // 2 exceptions of 10 commits in the window: 20%, over a 10% budget.
        for i in 0..8 {
            let date = format!("2026-03-03T10:{i:02}:00Z");
            repo.commit_at(&date, "Ada <ada@example.com>", &format!("Work {i}\n\nPromise: find-and-buy\n"));
        }
        repo.commit_at("2026-03-04T10:00:00Z", "Ada <ada@example.com>", "Renew TLS\n\nUntraced: expiring\n");
        let args = ["check", "--since", "2026-03-01", "--until", "2026-03-05"];
        let within = repo.plan_lint(&args);
        within.expect_code(0);
        assert!(!within.stdout.contains("over-budget"), "1 of 10 is within {budget}: {}", within.stdout);
        repo.commit_at("2026-03-04T11:00:00Z", "Ada <ada@example.com>", "Rotate keys\n\nUntraced: audit\n");
        let over = repo.plan_lint(&args);
        over.expect_code(1);
        assert!(over.stdout.contains("over-budget"), "2 of 11 is over {budget}: {}", over.stdout);
    }
}

/// "Merge commits and `fixup!`/`squash!`/`amend!` commits are always exempt", in the hook and in
/// history.
#[test]
fn fixup_squash_and_amend_commits_are_exempt() {
    let repo = team();
    repo.plan_lint(&["install"]).expect_code(0);
    for subject in ["fixup! Adopt plan-lint", "squash! Adopt plan-lint", "amend! Adopt plan-lint"] {
        let out = git_env(Command::new("git"), repo.path())
            .args(["commit", "-q", "--allow-empty", "-m", subject])
            .output()
            .unwrap();
        assert!(out.status.success(), "{subject}: {}", String::from_utf8_lossy(&out.stderr));
    }
    repo.git(&["commit", "-q", "--no-verify", "--allow-empty", "-m", "squashy but not squash!"]);
    let run = repo.plan_lint(&["check", "--commits", "HEAD~4..HEAD"]);
    run.expect_code(1);
    assert!(run.stdout.contains("plan-lint: 1 error") && run.stdout.contains("squashy but not"), "{}", run.stdout);
    assert!(run.stdout.contains("4 commits"), "{}", run.stdout);
}

/// "`plans.include`: patterns relative to the root … Files git ignores are never read."
#[test]
fn custom_plan_patterns_and_ignored_files() {
    let repo = team();
    repo.write("promises.toml", &format!("[plans]\ninclude = [\"docs/**/*.md\"]\n\n{REGISTRY}"));
    repo.write("ROADMAP.md", "# Not a plan any more\n\n- [ ] Untraced but not read\n");
    repo.write("docs/q3/plan.md", "# Q3\n\n- [ ] Untraced and read\n");
    repo.write("docs/drafts/scratch.md", "# Scratch\n\n- [ ] Untraced and ignored\n");
    repo.write(".gitignore", "docs/drafts/\n");
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(1);
    assert!(run.stdout.contains("Untraced and read"), "{}", run.stdout);
    assert!(!run.stdout.contains("Untraced but not read"), "ROADMAP.md is not in the patterns: {}", run.stdout);
    assert!(!run.stdout.contains("ignored"), "an ignored file was read: {}", run.stdout);
    assert!(run.stdout.contains("1 plan file with 1 item"), "{}", run.stdout);
}

/// prepare-commit-msg: "Never on merges or squashes."
#[test]
fn prepare_commit_msg_adds_nothing_to_merges_or_squashes() {
    let mut repo = team();
    repo.plan_lint(&["install"]).expect_code(0);
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("side.txt", "side\n");
    repo.commit("Side work\n\nPromise: find-and-buy\n");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "-b", "find-and-buy/merge-it"]);
    repo.write("main.txt", "main\n");
    repo.commit("Main work\n\nPromise: find-and-buy\n");
    let out =
        git_env(Command::new("git"), repo.path()).args(["merge", "--no-ff", "--no-edit", "side"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(repo.git(&["rev-list", "--parents", "-n", "1", "HEAD"]).split_whitespace().count(), 3);
    assert_eq!(repo.git(&["log", "-1", "--format=%B"]).trim_end(), "Merge branch 'side' into find-and-buy/merge-it");
    // A squash of commits that name no promise: the branch's promise is not added either; the
    // message is git's summary of the squashed commits, and commit-msg judges it as written.
    repo.git(&["checkout", "-q", "-b", "untraced-side", "HEAD~1"]);
    repo.write("other.txt", "x\n");
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Untraced side work"]);
    repo.git(&["checkout", "-q", "find-and-buy/merge-it"]);
    let out = git_env(Command::new("git"), repo.path()).args(["merge", "--squash", "untraced-side"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = git_env(Command::new("git"), repo.path()).args(["commit", "--no-edit"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains("untraced-commit"), "the branch's promise was added: {said}");
}

/// pre-push: "the commits being pushed: … force pushes".
#[test]
fn pre_push_judges_the_commits_a_force_push_brings() {
    let mut repo = team();
    repo.plan_lint(&["install"]).expect_code(0);
    let remote = tempfile::tempdir().unwrap();
    let out = git_env(Command::new("git"), remote.path()).args(["init", "-q", "--bare"]).output().unwrap();
    assert!(out.status.success());
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.commit("Traced\n\nPromise: find-and-buy\n");
    repo.git(&["push", "-q", "origin", "main"]);
    // History rewritten: the traced commit replaced by an untraced one (made past the hooks).
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.git(&["commit", "-q", "--no-verify", "--allow-empty", "-m", "Rewritten, untraced"]);
    let push = |args: &[&str]| git_env(Command::new("git"), repo.path()).arg("push").args(args).output().unwrap();
    let out = push(&["--force", "origin", "main"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains("Rewritten, untraced"), "{said}");
    assert!(said.contains("1 commit (being pushed to origin)"), "only the new commit is judged: {said}");
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "--amend",
        "--allow-empty",
        "-m",
        "Rewritten",
        "-m",
        "Promise: find-and-buy",
    ]);
    let out = push(&["--force-with-lease", "origin", "main"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// "All hooks print to standard error and exit 1 to block, 2 if they could not run."
#[test]
fn hooks_exit_2_when_they_cannot_run() {
    let repo = team();
    // commit-msg: the message file does not exist.
    let run = repo.plan_lint(&["hook", "commit-msg", ".git/NO_SUCH_MSG"]);
    run.expect_code(2);
    assert!(run.stdout.is_empty() && run.stderr.contains("NO_SUCH_MSG"), "{}", run.stderr);
    // pre-commit: the staged registry is broken.
    repo.write("promises.toml", "[promises.find-and-buy\n");
    repo.git(&["add", "promises.toml"]);
    let run = repo.plan_lint(&["hook", "pre-commit"]);
    run.expect_code(2);
    assert!(run.stderr.contains("promises.toml"), "{}", run.stderr);
    // pre-push: a pushed tip that does not exist.
    let run = run_with(
        repo.path(),
        &["hook", "pre-push", "origin", "url"],
        &[],
        Some(&format!("refs/heads/main {} refs/heads/main {}\n", "1".repeat(40), "0".repeat(40))),
    );
    run.expect_code(2);
    assert!(run.stdout.is_empty() && !run.stderr.is_empty(), "{}", run.stderr);
}

/// "an open issue on a done or dropped promise is a warning".
#[test]
fn an_open_issue_on_a_done_promise_warns() {
    let repo = team();
    let body = "Balance page for gift cards.\n\nPromise: gift-cards\n";
    let run = run_with(repo.path(), &["check", "--issue", "-"], &[], Some(body));
    run.expect_code(0);
    assert!(run.stdout.contains("open-work-not-in-play") && run.stdout.contains("1 warning"), "{}", run.stdout);
    assert!(words(&run.stdout).contains("`gift-cards`, which is done"), "{}", run.stdout);
    // A closed one (gh's JSON) is finished work: no warning.
    let closed = serde_json::json!({"number": 3, "title": "Balance", "state": "CLOSED", "body": body}).to_string();
    let run = run_with(repo.path(), &["check", "--issue", "-"], &[], Some(&closed));
    run.expect_code(0);
    assert!(!run.stdout.contains("open-work-not-in-play"), "{}", run.stdout);
}

/// "`plan-lint report` # the last 28 days (or idle-days, if longer)".
#[test]
fn the_report_window_defaults_to_28_days_or_idle_days() {
    let repo = team();
    let today = jiff::Zoned::now().date();
    let since = |repo: &Repo| {
        let run = repo.plan_lint(&["report", "--format", "json"]);
        run.expect_code(0);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        v["window"]["since"].as_str().unwrap().parse::<jiff::civil::Date>().unwrap()
    };
    // A run that starts just before midnight may see tomorrow's date: allow a day.
    let days = |d: jiff::civil::Date| (today - d).get_days();
    assert!([28, 27].contains(&days(since(&repo))), "{}", since(&repo));
    repo.write("promises.toml", &format!("[limits]\nidle-days = 40\n\n{REGISTRY}"));
    assert!([40, 39].contains(&days(since(&repo))), "{}", since(&repo));
    repo.write("promises.toml", &format!("[limits]\nidle-days = 7\n\n{REGISTRY}"));
    assert!([28, 27].contains(&days(since(&repo))), "{}", since(&repo));
}

/// "`--event FILE --event-name NAME` replays a GitHub event", "`--summary FILE` for Markdown",
/// and `pull_request_target` is checked as `pull_request` is: outside Actions, from a file.
#[test]
fn ci_replays_an_event_and_writes_a_summary_outside_actions() {
    let mut repo = team();
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.commit("Search\n\nPromise: find-and-buy\n");
    let head = repo.commit("Untraced tweak\n");
    let event = serde_json::json!({"action": "opened", "number": 7, "pull_request": {"number": 7, "title": "Search",
        "body": "Search.\n\nPromise: find-and-buy", "state": "open", "base": {"sha": base}, "head": {"sha": head}},
        "repository": {"default_branch": "main"}});
    let dir = tempfile::tempdir().unwrap();
    let event_file = dir.path().join("event.json");
    std::fs::write(&event_file, event.to_string()).unwrap();
    for name in ["pull_request", "pull_request_target"] {
        let summary = dir.path().join(format!("{name}.md"));
        let args = [
            "ci",
            "--event",
            event_file.to_str().unwrap(),
            "--event-name",
            name,
            "--summary",
            summary.to_str().unwrap(),
        ];
        let run = run_with(repo.path(), &args, &[("GITHUB_ACTIONS", "")], None);
        run.expect_code(1);
        let range = format!("2 commits ({}..{})", &base[..7], &head[..7]);
        assert!(run.stdout.contains(&range), "{name}: {}", run.stdout);
        assert!(run.stdout.contains("Untraced tweak") && !run.stdout.contains("::error"), "{name}: {}", run.stdout);
        let md = std::fs::read_to_string(&summary).unwrap();
        assert!(md.starts_with("## plan-lint: ❌ 1 error, 0 warnings"), "{name}: {md}");
        assert!(md.contains("pull request #7"), "{name}: {md}");
    }
}

/// "libgit2 is compiled in …, so the binary has no runtime dependencies beyond the C library":
/// `ldd` lists only glibc's parts and libgcc_s (the unwinder every glibc system ships).
#[test]
fn the_binary_links_only_the_c_library() {
    let out = match Command::new("ldd").arg(support::bin()).output() {
        Ok(out) if out.status.success() => out,
        _ => {
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr(), "SKIPPED: ldd is not available (not glibc Linux)");
            return;
        }
    };
    let listed = String::from_utf8_lossy(&out.stdout);
    let allowed = ["linux-vdso", "libc.so", "ld-linux", "libgcc_s", "libm.so", "libpthread", "libdl.so", "librt.so"];
    for line in listed.lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        assert!(allowed.iter().any(|a| name.contains(a)), "a runtime dependency beyond the C library: {line}");
    }
}
