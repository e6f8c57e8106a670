//! Exit 2: plan-lint could not run. Every case gets a clear message on standard error, with the
//! exact position when a file is at fault, and nothing on standard output.

use crate::support;

use support::{run_in, snapshot, Repo};

fn repo_with_registry(text: &str) -> Repo {
    let repo = Repo::new();
    repo.write("promises.toml", text);
    repo
}

fn expect_2(run: &support::Run) {
    run.expect_code(2);
    assert!(run.stdout.is_empty(), "stdout must stay empty on exit 2:\n{}", run.stdout);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn toml_syntax_error_points_at_line_and_column() {
    let repo = repo_with_registry("[promises.a]\nstatement = \"unterminated\nstatus = \"in-play\"\n");
    let run = repo.plan_lint(&["check"]);
    expect_2(&run);
    snapshot("errors/toml-syntax", &run.stderr);
}

#[test]
fn unknown_key_and_bad_value_are_each_reported() {
    let repo = repo_with_registry(
        "[limits]\nin-play = 0\n\n[promises.Find_And_Buy]\nstatement = \"s\"\nstatus = \"in-play\"\n\n[rules]\nno-outcomes = \"deny\"\n",
    );
    let run = repo.plan_lint(&["check"]);
    expect_2(&run);
    snapshot("errors/registry-validation", &run.stderr);
    let repo = repo_with_registry("[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\nstatsu = \"done\"\n");
    let run = repo.plan_lint(&["check"]);
    expect_2(&run);
    snapshot("errors/unknown-key", &run.stderr);
}

#[test]
fn wrong_status_names_the_allowed_values() {
    let repo = repo_with_registry("[promises.a]\nstatement = \"s\"\nstatus = \"playing\"\n");
    let run = repo.plan_lint(&["check"]);
    expect_2(&run);
    assert!(run.stderr.contains("promises.toml:3:10"), "{}", run.stderr);
    assert!(run.stderr.contains("proposed, in-play, done, dropped"), "{}", run.stderr);
}

#[test]
fn registry_that_is_not_utf8() {
    let repo = Repo::new();
    std::fs::write(repo.path().join("promises.toml"), b"vision = \"caf\xe9\"\n").unwrap();
    let run = repo.plan_lint(&["check"]);
    expect_2(&run);
    assert!(run.stderr.contains("not valid UTF-8 (line 1, column 14)"), "{}", run.stderr);
}

#[test]
fn missing_registry() {
    let repo = Repo::new();
    let run = repo.plan_lint(&["check"]);
    expect_2(&run);
    assert!(run.stderr.contains("no promise registry at"), "{}", run.stderr);
}

#[test]
fn bad_range_and_bad_since() {
    let mut repo = repo_with_registry("[promises.a]\nstatement = \"s\"\nstatus = \"proposed\"\n");
    repo.commit("First\n\nPromise: a\n");
    let run = repo.plan_lint(&["check", "--commits", "nope..HEAD"]);
    expect_2(&run);
    assert!(run.stderr.contains("bad range `nope..HEAD`"), "{}", run.stderr);
    let run = repo.plan_lint(&["check", "--commits", "no-such-branch"]);
    expect_2(&run);
    assert!(run.stderr.contains("bad revision `no-such-branch`"), "{}", run.stderr);

    repo.write("promises.toml", "[promises.a]\nstatement = \"s\"\nstatus = \"proposed\"\n[commits]\nsince = \"v9\"\n");
    let run = repo.plan_lint(&["check"]);
    expect_2(&run);
    assert!(run.stderr.contains("promises.toml:5:9"), "{}", run.stderr);
}

#[test]
fn not_a_repository_unless_commits_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("promises.toml"), "[promises.a]\nstatement = \"s\"\nstatus = \"proposed\"\n")
        .unwrap();
    let run = run_in(dir.path(), &["check"]);
    expect_2(&run);
    assert!(run.stderr.contains("not a git repository"), "{}", run.stderr);
    run_in(dir.path(), &["check", "--no-commits"]).expect_code(0);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), &["check", "--frobnicate"]);
    expect_2(&run);
    let run = run_in(dir.path(), &["check", "--deny", "untraced-comit"]);
    expect_2(&run);
    assert!(run.stderr.contains("did you mean `untraced-commit`?"), "{}", run.stderr);
    let run = run_in(dir.path(), &["explain", "nope"]);
    expect_2(&run);
    let run = run_in(dir.path(), &[]);
    expect_2(&run);
}

#[test]
fn help_and_version_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), &["--help"]);
    run.expect_code(0);
    assert!(run.stdout.contains("Exit status: 0 clean, 1 error-level findings, 2 could not run."));
    run_in(dir.path(), &["--version"]).expect_code(0);
    let run = run_in(dir.path(), &["rules"]);
    run.expect_code(0);
    snapshot("errors/rules", &run.stdout);
    let run = run_in(dir.path(), &["explain", "untraced-commit"]);
    run.expect_code(0);
    assert!(run.stdout.starts_with("untraced-commit (default: deny)"));
}

/// Regression: a label near column 100,000 made the renderer panic ("Formatting argument out of
/// range"), and the whole report was lost to one hostile line.
#[test]
fn regression_label_on_a_huge_line_is_shown_as_a_location() {
    let mut repo = repo_with_registry(
        "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n",
    );
    repo.write("plans/huge.md", &format!("{}[ ] deep\n\n- [ ] fine (Promise: a)\n- [ ] plain\n", "- ".repeat(50_000)));
    repo.commit("Plans\n\nPromise: a\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD"]);
    run.expect_code(1);
    assert!(!run.stderr.contains("internal error"), "{}", run.stderr);
    assert!(run.stdout.contains("work item names no promise: deep (at plans/huge.md:1:100005)"), "{}", run.stdout);
    // The other findings in the same file still get their snippets.
    assert!(run.stdout.contains("╭─[plans/huge.md:4:7]"), "{}", run.stdout);
}

#[test]
fn hostile_plan_files_never_crash_or_escape_the_repository() {
    let mut repo = repo_with_registry(
        "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n",
    );
    repo.write("plans/quotes.md", &format!("{}x\n", "> ".repeat(100_000)));
    repo.write("plans/long.md", &format!("{}\n", "x".repeat(10_000_000)));
    std::fs::write(repo.path().join("plans/binary.md"), b"PK\x03\x04\x00\x00binary").unwrap();
    std::fs::write(repo.path().join("plans/bad-utf8.md"), b"# T\nPromise: a\n\n- [ ] \xff\xfe item\n").unwrap();
    std::os::unix::fs::symlink("../plans", repo.path().join("plans/loop")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", repo.path().join("plans/outside.md")).unwrap();
    repo.commit("Hostile\n\nPromise: a\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD"]);
    run.expect_code(0);
    assert!(run.stdout.contains("note: skipped plans/binary.md: binary, not Markdown"), "{}", run.stdout);
    assert!(run.stdout.contains("3 plan files with 1 item"), "{}", run.stdout);
    // A link out of the repository is named, never read (issue 13: never a silent pass).
    assert!(run.stdout.contains("note: skipped plans/outside.md: a symbolic link that leaves"), "{}", run.stdout);
    assert!(!run.stdout.contains("root:"), "{}", run.stdout);
}

/// Issue 13: a symlinked plan file (`ROADMAP.md -> docs/plan.md`) is read under its own path; a
/// link to a file that is itself a plan document is that document (listed as skipped, named);
/// the check never says "all traced · 0 plan files" because of a link.
#[test]
fn symlinked_plan_files_are_read_or_named_never_silently_passed() {
    let mut repo = repo_with_registry(
        "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n",
    );
    repo.write("docs/plan.md", "# Plan\n\n- [ ] untraced in the linked plan\n");
    std::os::unix::fs::symlink("docs/plan.md", repo.path().join("ROADMAP.md")).unwrap();
    repo.write("plans/real.md", "# Real\nPromise: a\n\n- [ ] x\n");
    std::os::unix::fs::symlink("real.md", repo.path().join("plans/alias.md")).unwrap();
    repo.commit("Links\n\nPromise: a\n");
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(1);
    assert!(
        run.stdout.contains("ROADMAP.md:3:7") && run.stdout.contains("untraced in the linked plan"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("note: skipped plans/alias.md: a symbolic link to plans/real.md, which is read as itself"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("2 plan files with 2 items") && run.stdout.contains("1 file skipped"),
        "{}",
        run.stdout
    );
    // Staged, a link is named too (the hook reads the index).
    repo.write("plans/new.md", "# New\nPromise: a\n\n- [ ] y\n");
    std::os::unix::fs::symlink("new.md", repo.path().join("plans/new-alias.md")).unwrap();
    repo.git(&["add", "."]);
    let run = repo.plan_lint(&["hook", "pre-commit"]);
    run.expect_code(0);
}

#[test]
fn a_range_past_a_shallow_boundary_says_how_to_fetch_it() {
    let mut origin = repo_with_registry(
        "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n",
    );
    for i in 0..6 {
        origin.commit(&format!("Work {i}\n\nPromise: a\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    let out = support::git_env(std::process::Command::new("git"), dir.path())
        .args(["clone", "-q", "--depth", "2", &url, "shallow"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shallow = dir.path().join("shallow");
    let run = run_in(&shallow, &["check", "--commits", "HEAD"]);
    run.expect_code(0);
    assert!(run.stdout.contains("2 commits (HEAD)"), "the walk stops at the boundary: {}", run.stdout);
    let run = run_in(&shallow, &["check", "--commits", "HEAD~4..HEAD"]);
    expect_2(&run);
    assert!(run.stderr.contains("shallow clone") && run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
}

/// Issue 13: what GitHub's cmark-gfm renders as task items is what plan-lint reads: an empty
/// box is text, not an item, and so is a box alone on its line with the text on the next (it
/// was reported at the continuation line); old Mac line ends (CR alone) are line ends.
#[test]
fn task_items_are_read_as_github_renders_them() {
    let mut repo = support::Repo::new();
    repo.write(
        "promises.toml",
        "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n",
    );
    repo.write("plans/empty.md", "# Empty boxes\n\n- [ ]\n- [x]\n1. [ ]\n");
    repo.write("plans/cr.md", "# Old Mac\r\r- [ ] first\r- [ ] second\r");
    repo.write("plans/alone.md", "# Alone\n\n- [ ]\n  text on the next line\n");
    repo.commit("Plans\n\nPromise: a\n");
    let run = repo.plan_lint(&["check", "--no-commits", "--format", "json"]);
    run.expect_code(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let at: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(at, [("plans/cr.md".to_string(), 3), ("plans/cr.md".to_string(), 4)], "{}", run.stdout);
    assert_eq!(v["summary"]["items"], 2, "the empty boxes and the box alone are not items");
}

/// Issue 13, first run: `init` outside a git repository says what is needed and what works
/// meanwhile; the placeholder outcome it writes is no outcome; `term` and `human` name the same
/// format in `check` and `report`.
#[test]
fn first_run_outside_git_and_placeholders() {
    let dir = tempfile::tempdir().unwrap();
    let run = support::run_in(dir.path(), &["init", "--no-hooks"]);
    run.expect_code(0);
    assert!(run.stdout.contains("not a git repository yet: run `git init`"), "{}", run.stdout);
    assert!(run.stdout.contains("plan-lint check --no-commits"), "{}", run.stdout);
    let check = support::run_in(dir.path(), &["check", "--no-commits", "--format", "term"]);
    check.expect_code(0);
    assert!(check.stdout.contains("no-outcome") && check.stdout.contains("first-promise"), "{}", check.stdout);
    let mut repo = support::Repo::new();
    repo.write(
        "promises.toml",
        "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"1\" }]\n",
    );
    repo.commit("Start\n\nPromise: a\n");
    repo.plan_lint(&["report", "--format", "human", "--since", "2026-01-01", "--until", "2026-01-31"]).expect_code(0);
}

/// Issue 13: a `---` line that hides trailers other than a trace is not a `malformed-trailer`.
#[test]
fn a_divider_hiding_other_trailers_is_not_a_malformed_trace() {
    let mut repo = support::Repo::new();
    repo.write(
        "promises.toml",
        "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"1\" }]\n",
    );
    repo.commit("Start\n\nPromise: a\n");
    repo.write("x.txt", "x\n");
    repo.commit("Release notes\n\n---\nnotes\n\nSigned-off-by: A <a@example.com>\nUntraced: release chores\n");
    repo.write("y.txt", "y\n");
    repo.commit("Other notes\n\n---\nnotes\n\nSigned-off-by: A <a@example.com>\nCo-authored-by: B <b@example.com>\nUntraced: chores\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD~2..HEAD"]);
    run.expect_code(0);
    // The first hides a trace (Untraced:) from `git am`: flagged; the second likewise.
    assert!(run.stdout.matches("a `---` line hides the trailers").count() == 2, "{}", run.stdout);
    repo.write("z.txt", "z\n");
    repo.commit("Plain notes\n\nPromise: a\n\n---\nnotes\n\nSigned-off-by: A <a@example.com>\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD~1..HEAD"]);
    run.expect_code(1); // untraced: its Promise line is not in the last paragraph
    assert!(!run.stdout.contains("hides the trailers"), "{}", run.stdout);
}

/// Nine problems of every kind (unknown table, unknown keys, wrong types, bad values, a key in the
/// wrong table, a bad level, an undeclared customer): one run names them all, in file order.
#[test]
fn every_registry_problem_in_one_run() {
    let repo = repo_with_registry(concat!(
        "vision = \"x\"\n[limit]\nin-play = 3\n\n",
        "[limits]\nin-play = \"three\"\n\n",
        "[rules]\nsince = \"2024-01-01\"\nno-outcome = \"strict\"\n\n",
        "[customers.shopper]\ndescripton = \"a\"\n\n",
        "[promises.find-and-buy]\nstatment = \"A shopper can buy\"\nstatement = \"A shopper can buy\"\n",
        "status = \"inplay\"\npriority = \"mustt\"\ncustomer = \"shopper\"\n\n",
        "[promises.b]\ntitle = 3\nstatement = \"B\"\nstatus = \"proposed\"\ncustomer = \"nobody\"\n",
    ));
    let run = repo.plan_lint(&["check", "--no-commits"]);
    expect_2(&run);
    let expected = [
        ("promises.toml:2:2", "unknown key `limit`", "did you mean `limits`?"),
        ("promises.toml:6:11", "expected a whole number, found text", ""),
        ("promises.toml:9:1", "unknown rule `since`", "`since` is a key of [commits], not a rule"),
        ("promises.toml:10:14", "`strict` is not a rule level", "allowed: allow, warn, deny"),
        ("promises.toml:13:1", "unknown key `descripton`", "did you mean `description`?"),
        ("promises.toml:16:1", "unknown key `statment`", "did you mean `statement`?"),
        ("promises.toml:18:10", "`inplay` is not an allowed value", "did you mean `in-play`?"),
        ("promises.toml:19:12", "`mustt` is not an allowed value", "did you mean `must`?"),
        ("promises.toml:23:9", "expected text in quotes, found a whole number", ""),
        ("promises.toml:26:12", "unknown customer `nobody`", "declared customers: shopper"),
    ];
    let mut from = 0;
    for (at, message, help) in expected {
        let found = run.stderr[from..].find(message).map(|i| i + from);
        let Some(i) = found else { panic!("`{message}` missing or out of order:\n{}", run.stderr) };
        assert!(run.stderr[i..].contains(at), "{message} not at {at}:\n{}", run.stderr);
        assert!(run.stderr[i..].contains(help), "{message} without `{help}`:\n{}", run.stderr);
        from = i + message.len();
    }
    assert_eq!(run.stderr.matches("  × ").count(), expected.len(), "{}", run.stderr);
}
