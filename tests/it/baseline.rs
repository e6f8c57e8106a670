//! The baseline (`plan-lint baseline`, `.plan-lint-baseline.json`): a repository with untraced
//! plan items and untraced commits records them once, and from then on every entry point fails
//! only on new work. Real repositories built with git; the real binary.

use crate::support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::{tool_available, Repo, Run};

const REGISTRY: &str = "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\n\
                        outcomes = [{ metric = \"m\", baseline = \"1\", target = \"2\" }]\n";
const PLAN: &str = "# Plan\n\n- [ ] add PayPal\n- [ ] add Klarna\n- [ ] search (Promise: find-and-buy)\n";
const FILE: &str = ".plan-lint-baseline.json";

/// Two untraced items and two untraced commits (`Start`, `Fix typo`), then a traced one.
fn repo() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", PLAN);
    repo.commit("Start\n");
    repo.commit("Fix typo\n");
    repo.commit("Search\n\nPromise: find-and-buy\n");
    repo
}

/// [`repo`] with its baseline recorded (and checked green).
fn baselined() -> Repo {
    let repo = repo();
    repo.plan_lint(&["check"]).expect_code(1);
    let run = repo.plan_lint(&["baseline"]);
    run.expect_code(0);
    assert!(run.stdout.contains("recorded 4 findings (2 in files, 2 commits)"), "{}", run.stdout);
    repo
}

fn baseline_text(repo: &Repo) -> String {
    std::fs::read_to_string(repo.path().join(FILE)).unwrap()
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// `(message, baselineState)` of each JSON finding.
fn states(doc: &Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["message"].as_str().unwrap().to_string(), f["baselineState"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn a_recorded_baseline_turns_check_green_and_says_how_many() {
    let repo = baselined();
    let text = baseline_text(&repo);
    let lines: Vec<&str> = text.lines().collect();
    // Sorted, one entry a line: files first (by text), then commits.
    assert_eq!(lines.len(), 9, "{text}");
    assert_eq!(lines[3], r#"    {"code":"untraced-item","file":"ROADMAP.md","text":"- [ ] add Klarna"},"#);
    assert_eq!(lines[4], r#"    {"code":"untraced-item","file":"ROADMAP.md","text":"- [ ] add PayPal"},"#);
    assert!(lines[5].starts_with(r#"    {"code":"untraced-commit","commit":""#), "{text}");
    let run = repo.plan_lint(&["check"]);
    run.expect_code(0);
    assert!(run.stdout.starts_with("plan-lint: no new findings · "), "{}", run.stdout);
    assert!(run.stdout.ends_with(" · 4 baselined\n"), "{}", run.stdout);
    // Recording again is a decision: it says how.
    let again = repo.plan_lint(&["baseline"]);
    again.expect_code(2);
    assert!(again.stderr.contains("--update") && again.stderr.contains("--add"), "{}", again.stderr);
    assert_eq!(baseline_text(&repo), text, "a refused baseline leaves the file alone");
}

#[test]
fn the_file_is_valid_against_its_schema() {
    let repo = baselined();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/baseline.schema.json");
    let parsed: Value = serde_json::from_str(&std::fs::read_to_string(&schema).unwrap()).unwrap();
    // The schema names every rule.
    let rules = repo.plan_lint(&["rules"]).stdout;
    let names: Vec<&str> =
        rules.lines().take_while(|l| !l.is_empty()).map(|l| l.split_whitespace().next().unwrap()).collect();
    let listed: Vec<&str> = parsed["definitions"]["entry"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(listed, names);
    if !tool_available("check-jsonschema", "PLAN_LINT_REQUIRE_CHECK_JSONSCHEMA") {
        return;
    }
    let check = |file: &Path| {
        Command::new("check-jsonschema").arg("--schemafile").arg(&schema).arg(file).output().unwrap().status.success()
    };
    assert!(check(&repo.path().join(FILE)), "the baseline is invalid against its schema");
    let broken = repo.path().join("broken.json");
    std::fs::write(&broken, baseline_text(&repo).replacen("\"commit\":\"", "\"commit\":\"x", 1)).unwrap();
    assert!(!check(&broken), "the validator accepted a commit id that is not one");
}

#[test]
fn moving_an_item_or_adding_lines_above_it_keeps_it_baselined() {
    let repo = baselined();
    repo.write(
        "ROADMAP.md",
        "# Plan\n\nSome words first.\n\n- [ ] search (Promise: find-and-buy)\n\n## Later\n\n- [ ] add Klarna\n- [ ] add PayPal\n",
    );
    let run = repo.plan_lint(&["check"]);
    run.expect_code(0);
    assert!(run.stdout.ends_with(" · 4 baselined\n"), "{}", run.stdout);
    assert!(!run.stdout.contains("note:"), "nothing is stale: {}", run.stdout);
}

#[test]
fn editing_the_items_own_text_makes_it_new() {
    let repo = baselined();
    repo.write("ROADMAP.md", &PLAN.replace("add PayPal", "add PayPal and Apple Pay"));
    let run = repo.plan_lint(&["check"]);
    run.expect_code(1);
    assert!(run.stdout.contains("work item names no promise: add PayPal and Apple Pay"), "{}", run.stdout);
    assert!(!run.stdout.contains("names no promise: add Klarna"), "{}", run.stdout);
    assert!(run.stdout.contains("plan-lint: 1 error, 0 warnings"), "{}", run.stdout);
    assert!(run.stdout.ends_with(" · 3 baselined\n"), "{}", run.stdout);
    // The old text is recorded but gone.
    assert!(run.stdout.contains("note: 1 baseline entry matches nothing"), "{}", run.stdout);
    assert!(run.stdout.contains("untraced-item ROADMAP.md: - [ ] add PayPal\n"), "{}", run.stdout);
}

#[test]
fn a_new_untraced_item_fails_alone() {
    let repo = baselined();
    repo.write("ROADMAP.md", &format!("{PLAN}- [ ] add gift cards\n"));
    let run = repo.plan_lint(&["check", "--format", "json"]);
    run.expect_code(1);
    let doc = json(&run);
    let new: Vec<String> = states(&doc).into_iter().filter(|(_, s)| s == "new").map(|(m, _)| m).collect();
    assert_eq!(new, ["work item names no promise: add gift cards"]);
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["baselined"], 4);
}

#[test]
fn identical_items_are_counted() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", "- [ ] tidy up\n- [ ] tidy up\n");
    repo.commit("Start\n\nPromise: find-and-buy\n");
    repo.plan_lint(&["baseline"]).expect_code(0);
    assert!(baseline_text(&repo).contains(r#""text":"- [ ] tidy up","count":2}"#), "{}", baseline_text(&repo));
    repo.plan_lint(&["check"]).expect_code(0);
    repo.write("ROADMAP.md", "- [ ] tidy up\n- [ ] tidy up\n- [ ] tidy up\n");
    let run = repo.plan_lint(&["check"]);
    run.expect_code(1);
    assert!(run.stdout.contains("plan-lint: 1 error, 0 warnings"), "{}", run.stdout);
    assert!(run.stdout.ends_with(" · 2 baselined\n"), "{}", run.stdout);
}

#[test]
fn a_fixed_item_is_reported_and_update_drops_it() {
    let repo = baselined();
    repo.write("ROADMAP.md", &PLAN.replace("add PayPal", "add PayPal (Promise: find-and-buy)"));
    let run = repo.plan_lint(&["check"]);
    run.expect_code(0);
    assert!(
        run.stdout.contains(
            "note: 1 baseline entry matches nothing (fixed, or gone): `plan-lint baseline --update` drops it from .plan-lint-baseline.json\n  untraced-item ROADMAP.md: - [ ] add PayPal\n"
        ),
        "{}",
        run.stdout
    );
    let doc = json(&repo.plan_lint(&["check", "--format", "json"]));
    assert_eq!(doc["summary"]["absent"], 1);
    assert_eq!(doc["absent"][0]["text"], "- [ ] add PayPal");
    assert_eq!(doc["absent"][0]["baselineState"], "absent");

    let update = repo.plan_lint(&["baseline", "--update"]);
    update.expect_code(0);
    assert!(update.stdout.contains("dropped 1 recorded finding"), "{}", update.stdout);
    let text = baseline_text(&repo);
    assert!(!text.contains("add PayPal") && text.contains("add Klarna"), "{text}");
    let run = repo.plan_lint(&["check"]);
    run.expect_code(0);
    assert!(!run.stdout.contains("note:"), "{}", run.stdout);
    assert!(run.stdout.ends_with(" · 3 baselined\n"), "{}", run.stdout);
}

#[test]
fn update_never_records_a_new_finding_and_add_does() {
    let repo = baselined();
    repo.write("ROADMAP.md", &format!("{PLAN}- [ ] add gift cards\n"));
    let before = baseline_text(&repo);
    let update = repo.plan_lint(&["baseline", "--update"]);
    update.expect_code(0);
    assert!(
        update.stdout.contains("1 new finding not recorded (`plan-lint baseline --add` records them)"),
        "{}",
        update.stdout
    );
    assert_eq!(baseline_text(&repo), before);
    repo.plan_lint(&["check"]).expect_code(1);

    let add = repo.plan_lint(&["baseline", "--add"]);
    add.expect_code(0);
    assert!(add.stdout.contains("recorded 1 new finding"), "{}", add.stdout);
    assert!(baseline_text(&repo).contains(r#""text":"- [ ] add gift cards""#), "{}", baseline_text(&repo));
    let run = repo.plan_lint(&["check"]);
    run.expect_code(0);
    assert!(run.stdout.ends_with(" · 5 baselined\n"), "{}", run.stdout);
}

#[test]
fn json_marks_every_finding() {
    let repo = baselined();
    repo.write("ROADMAP.md", &format!("{PLAN}- [ ] add gift cards\n"));
    let run = repo.plan_lint(&["check", "--format", "json"]);
    run.expect_code(1);
    let doc = json(&run);
    let states = states(&doc);
    assert_eq!(states.len(), 5, "{doc}");
    assert_eq!(states.iter().filter(|(_, s)| s == "new").count(), 1);
    assert_eq!(states.iter().filter(|(_, s)| s == "unchanged").count(), 4);
    assert_eq!(doc["absent"], serde_json::json!([]));
    // Without a baseline, nothing changes in the document.
    let run = self::repo().plan_lint(&["check", "--format", "json"]);
    run.expect_code(1);
    let plain = json(&run);
    assert!(plain["findings"][0].get("baselineState").is_none(), "{plain}");
    assert!(plain.get("absent").is_none() && plain["summary"].get("baselined").is_none(), "{plain}");
}

#[test]
fn sarif_marks_every_result_and_stays_valid() {
    let repo = baselined();
    repo.write("ROADMAP.md", &format!("{}- [ ] add gift cards\n", PLAN.replace("- [ ] add Klarna\n", "")));
    let run = repo.plan_lint(&["check", "--format", "sarif"]);
    run.expect_code(1);
    let doc = json(&run);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let state = |s: &str| results.iter().filter(|r| r["baselineState"] == s).count();
    assert_eq!((state("new"), state("unchanged"), state("absent")), (1, 3, 1), "{doc:#}");
    assert!(results.iter().all(|r| r["baselineState"].is_string()));
    for r in results.iter().filter(|r| r["baselineState"] == "unchanged") {
        assert_eq!(r["suppressions"][0]["kind"], "external", "{r}");
    }
    let absent = results.iter().find(|r| r["baselineState"] == "absent").unwrap();
    assert!(absent["message"]["text"].as_str().unwrap().contains("- [ ] add Klarna"), "{absent}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("baseline.sarif");
    std::fs::write(&file, &run.stdout).unwrap();
    support::validate_sarif(&file);
}

#[test]
fn a_branch_check_does_not_call_the_default_branchs_commits_gone() {
    let mut repo = baselined();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.commit("Untraced on the branch\n");
    // The branch's own commits only: main's recorded commits are not walked, so not absent.
    let run = repo.plan_lint(&["check"]);
    run.expect_code(1);
    assert!(run.stdout.contains("has no Promise trailer"), "{}", run.stdout);
    assert!(!run.stdout.contains("note:"), "{}", run.stdout);
    let no_commits = repo.plan_lint(&["check", "--no-commits"]);
    no_commits.expect_code(0);
    assert!(!no_commits.stdout.contains("note:"), "{}", no_commits.stdout);
    // And `--update` keeps what it did not judge.
    repo.plan_lint(&["baseline", "--update", "--no-commits"]).expect_code(0);
    assert_eq!(baseline_text(&repo).matches("\"commit\"").count(), 2, "{}", baseline_text(&repo));
}

#[test]
fn a_commit_gone_from_history_is_absent() {
    let repo = baselined();
    // Rewrite history: the two untraced commits become one traced commit.
    let root = repo.git(&["rev-list", "--max-parents=0", "HEAD"]);
    repo.git(&["reset", "-q", "--soft", root.trim()]);
    repo.git(&["commit", "-q", "--amend", "-m", "Start\n\nPromise: find-and-buy"]);
    repo.git(&["reflog", "expire", "--expire=now", "--all"]);
    repo.git(&["gc", "-q", "--prune=now"]);
    let run = repo.plan_lint(&["check"]);
    run.expect_code(0);
    assert!(run.stdout.contains("note: 2 baseline entries match nothing"), "{}", run.stdout);
    repo.plan_lint(&["baseline", "--update"]).expect_code(0);
    assert!(!baseline_text(&repo).contains("\"commit\""), "{}", baseline_text(&repo));
    assert!(baseline_text(&repo).contains("add Klarna") && baseline_text(&repo).contains("add PayPal"));
}

#[test]
fn the_pre_commit_hook_honours_the_staged_baseline() {
    let mut repo = baselined();
    repo.commit("Record the baseline\n\nPromise: find-and-buy\n");
    repo.write("ROADMAP.md", &format!("Intro.\n\n{PLAN}"));
    repo.git(&["add", "ROADMAP.md"]);
    repo.plan_lint(&["hook", "pre-commit"]).expect_code(0);
    repo.write("ROADMAP.md", &format!("{PLAN}- [ ] add gift cards\n"));
    repo.git(&["add", "ROADMAP.md"]);
    let run = repo.plan_lint(&["hook", "pre-commit"]);
    run.expect_code(1);
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(out.contains("add gift cards") && !out.contains("add Klarna"), "{out}");
}

#[test]
fn the_board_shows_the_baseline_as_debt() {
    let repo = baselined();
    repo.write("ROADMAP.md", &PLAN.replace("add PayPal", "add PayPal (Promise: find-and-buy)"));
    for format in ["term", "markdown", "html"] {
        let run = repo.plan_lint(&["report", "--format", format]);
        run.expect_code(0);
        assert!(run.stdout.contains("Baseline: 1 item and 2 commits remain in "), "{format}: {}", run.stdout);
        if format != "term" {
            // (The terminal page wraps it.)
            assert!(run.stdout.contains("; 1 recorded finding no longer found ("), "{format}: {}", run.stdout);
        }
    }
    let board = json(&repo.plan_lint(&["report", "--format", "json"]));
    assert_eq!(board["baseline"], serde_json::json!({ "items": 1, "commits": 2, "absent": 1 }));
}

#[test]
fn the_editor_server_publishes_only_new_findings() {
    let repo = baselined();
    let mut cmd = support::git_env(Command::new(support::bin()), repo.path());
    cmd.arg("lsp");
    let mut client = support::lsp_client::Client::start(cmd, repo.path());
    let uri = format!("file://{}/ROADMAP.md", repo.path().display());
    client.open(&uri, "markdown", &format!("Moved down.\n\n{PLAN}"));
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    client.change(&uri, 2, serde_json::json!([{ "text": format!("{PLAN}- [ ] add gift cards\n") }]));
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(diagnostics[0]["message"].as_str().unwrap().contains("add gift cards"), "{diagnostics:?}");
    assert_eq!(client.finish(), 0);
}

#[test]
fn a_broken_baseline_stops_the_run_with_what_is_wrong() {
    let repo = baselined();
    repo.write(FILE, &baseline_text(&repo).replace("untraced-item", "untraced-itme"));
    let run = repo.plan_lint(&["check"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("entry 1 names unknown rule `untraced-itme` (did you mean `untraced-item`?)"),
        "{}",
        run.stderr
    );
    repo.write(FILE, "{\"version\": 1, \"findings\": [\n  {\"code\": \"untraced-item\",}\n]}\n");
    let run = repo.plan_lint(&["check"]);
    run.expect_code(2);
    assert!(run.stderr.contains("is not a plan-lint baseline"), "{}", run.stderr);
    assert!(run.stderr.contains(".plan-lint-baseline.json:2:"), "{}", run.stderr);
}

#[test]
fn update_without_a_baseline_says_how_to_record_one() {
    let repo = repo();
    let run = repo.plan_lint(&["baseline", "--update"]);
    run.expect_code(2);
    assert!(run.stderr.contains("no .plan-lint-baseline.json to update"), "{}", run.stderr);
    assert!(!repo.path().join(FILE).exists());
    let help = repo.plan_lint(&["baseline", "--help"]);
    help.expect_code(0);
    for said in ["only shrinks", "\"version\": 1", "count", "--update", "--add", "schema/baseline.schema.json"] {
        assert!(help.stdout.contains(said), "{said}: {}", help.stdout);
    }
}

/// Issue 24: `plan-lint init` in a repository with history sets the adoption point to HEAD and
/// says so; the history before it is never checked, and new commits are.
#[test]
fn init_in_a_repository_with_history_adopts_at_head() {
    let mut repo = Repo::new();
    repo.write("src/main.rs", "fn main() {}\n");
    repo.commit("Years of work\n");
    let head = repo.commit("More of it\n");
    let run = repo.plan_lint(&["init", "--no-hooks"]);
    run.expect_code(0);
    assert!(run.stdout.contains(&format!("adoption point ([commits] since): HEAD, {}", &head[..7])), "{}", run.stdout);
    let registry = std::fs::read_to_string(repo.path().join("promises.toml")).unwrap();
    assert!(registry.contains(&format!("\nsince = \"{head}\"  # HEAD when `plan-lint init` ran\n")), "{registry}");
    let run = repo.plan_lint(&["check"]);
    run.expect_code(0);
    assert!(run.stdout.contains("0 commits"), "{}", run.stdout);
    repo.commit("Untraced after adoption\n");
    let run = repo.plan_lint(&["check"]);
    run.expect_code(1);
    assert!(run.stdout.contains("1 commit ("), "{}", run.stdout);

    // Without history there is no adoption point to set.
    let empty = Repo::new();
    let run = empty.plan_lint(&["init", "--no-hooks"]);
    run.expect_code(0);
    assert!(!run.stdout.contains("adoption point"), "{}", run.stdout);
    let registry = std::fs::read_to_string(empty.path().join("promises.toml")).unwrap();
    assert!(registry.contains("# since = \"<commit, tag or branch>\""), "{registry}");
}

#[test]
fn ci_honours_the_baseline() {
    let mut repo = baselined();
    repo.commit("Record the baseline\n\nPromise: find-and-buy\n");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("ROADMAP.md", &format!("Intro.\n\n{PLAN}"));
    repo.commit("Move the plan down\n\nPromise: find-and-buy\n");
    let ci = |repo: &Repo| support::run_with(repo.path(), &["ci", "--base", "main", "--head", "feature"], &[], None);
    let run = ci(&repo);
    run.expect_code(0);
    assert!(run.stdout.contains(" · 2 baselined"), "{}", run.stdout);
    assert!(!run.stdout.contains("note:"), "main's recorded commits are not gone: {}", run.stdout);
    repo.write("ROADMAP.md", &format!("{PLAN}- [ ] add gift cards\n"));
    repo.commit("Gift cards\n\nPromise: find-and-buy\n");
    let run = ci(&repo);
    run.expect_code(1);
    assert!(run.stdout.contains("add gift cards") && !run.stdout.contains("add Klarna"), "{}", run.stdout);
}

#[test]
fn a_recorded_commit_that_no_longer_fails_is_absent() {
    let repo = baselined();
    // The commit is still there, and walked, but its subject is now exempt.
    repo.write("promises.toml", &format!("{REGISTRY}\n[commits]\nexempt-subjects = [\"^Fix typo\"]\n"));
    let run = repo.plan_lint(&["check"]);
    run.expect_code(0);
    assert!(run.stdout.contains("note: 1 baseline entry matches nothing"), "{}", run.stdout);
    assert!(run.stdout.contains("  untraced-commit commit "), "{}", run.stdout);
    assert!(run.stdout.ends_with(" · 3 baselined\n"), "{}", run.stdout);
    repo.plan_lint(&["baseline", "--update"]).expect_code(0);
    assert_eq!(baseline_text(&repo).matches("\"commit\"").count(), 1, "{}", baseline_text(&repo));
}

/// Issue 24: a team adopts plan-lint in a repository with years of history and a plan. Its
/// old commits were 3,000 `untraced-commit` errors, each advising a trailer no one can add to
/// a years-old commit. They are one finding naming the adoption point to set (HEAD's commit
/// that added promises.toml, or "commit it first" before that); following it exactly leaves no
/// finding about history, and `baseline` then makes the check green.
#[test]
fn a_long_history_is_one_finding_that_names_the_adoption_point() {
    let mut repo = Repo::new();
    let mut stream = String::new();
    for i in 1..=3000 {
        stream.push_str(&format!(
            "commit refs/heads/main\nmark :{i}\ncommitter Old Timer <old@example.com> {} +0000\ndata <<EOM\nOld work {i}\nEOM\n",
            1_600_000_000 + i * 3600
        ));
        if i > 1 {
            stream.push_str(&format!("from :{}\n", i - 1));
        } else {
            stream.push_str(
                "M 644 inline ROADMAP.md\ndata <<EOD\n# Roadmap\n\n- [ ] add PayPal\n- [ ] add Klarna\nEOD\n",
            );
        }
        stream.push_str(&format!("M 644 inline work.txt\ndata <<EOD\n{i}\nEOD\n\n"));
    }
    let mut child = support::git_env(Command::new("git"), repo.path())
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    repo.git(&["reset", "-q", "--hard", "main"]);

    let history = |run: &Run| -> Vec<Value> {
        let v: Value = serde_json::from_str(&run.stdout).unwrap();
        v["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "untraced-commit").cloned().collect()
    };
    // promises.toml written, not yet committed.
    repo.write("promises.toml", REGISTRY);
    let run = repo.plan_lint(&["check", "--commits", "HEAD", "--format", "json"]);
    run.expect_code(1);
    let found = history(&run);
    assert_eq!(found.len(), 1, "{}", run.stdout);
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("3,000 commits, ")
            && message.ends_with("predate promises.toml and have no Promise trailer")
    );
    assert!(found[0]["help"].as_str().unwrap().contains("commit promises.toml, then add `since ="), "{}", found[0]);

    // Committed: the finding names that commit, and the line to add.
    let adopted = repo.commit("Adopt plan-lint\n\nUntraced: adopting plan-lint\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD", "--format", "json"]);
    run.expect_code(1);
    let found = history(&run);
    assert_eq!(found.len(), 1, "{}", run.stdout);
    let help = found[0]["help"].as_str().unwrap();
    let line = format!("since = \"{adopted}\"");
    assert!(help.contains(&format!("add `{line}` under `[commits]` in promises.toml")), "{help}");

    // Followed exactly: no finding about history is left; the old plan's items remain.
    repo.write("promises.toml", &format!("{REGISTRY}\n[commits]\n{line}\n"));
    repo.commit("Judge only work since adoption\n\nPromise: find-and-buy\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD", "--format", "json"]);
    run.expect_code(1);
    assert!(history(&run).is_empty(), "{}", run.stdout);
    assert!(run.stdout.contains("untraced-item"), "{}", run.stdout);

    // And the plan's existing items are recorded: green from here on.
    repo.plan_lint(&["baseline"]).expect_code(0);
    let run = repo.plan_lint(&["check", "--commits", "HEAD"]);
    run.expect_code(0);
    assert!(run.stdout.contains("2 baselined"), "{}", run.stdout);
}

/// Issue 24: the board shows the baseline's debt with its trend: what the file recorded when
/// the window began (from the file's history on HEAD's first-parent line) beside what it
/// records now.
#[test]
fn the_board_shows_the_debt_at_the_windows_start() {
    let mut repo = repo();
    repo.plan_lint(&["baseline"]).expect_code(0);
    repo.commit_at("2026-01-05T10:00:00Z", "Ada <ada@example.com>", "Record the baseline\n\nUntraced: adoption\n");
    repo.write("ROADMAP.md", &PLAN.replace("add PayPal", "add PayPal (Promise: find-and-buy)"));
    repo.plan_lint(&["baseline", "--update"]).expect_code(0);
    repo.commit_at("2026-02-10T10:00:00Z", "Ada <ada@example.com>", "Trace PayPal\n\nPromise: find-and-buy\n");
    let args = ["report", "--since", "2026-02-01", "--until", "2026-02-28"];
    let run = repo.plan_lint(&[&args[..], &["--format", "json"]].concat());
    run.expect_code(0);
    let board = json(&run);
    assert_eq!(
        board["baseline"],
        serde_json::json!({ "items": 1, "commits": 2, "absent": 0, "at_start": { "items": 2, "commits": 2 } }),
        "{board:#}"
    );
    let run = repo.plan_lint(&[&args[..], &["--format", "markdown"]].concat());
    run.expect_code(0);
    assert!(
        run.stdout.contains("Baseline: 1 item and 2 commits remain in `.plan-lint-baseline.json` (at the window's start: 2 items and 2 commits)"),
        "{}",
        run.stdout
    );
    // Before the file existed there is no trend to show.
    let before =
        json(&repo.plan_lint(&["report", "--since", "2025-12-01", "--until", "2025-12-31", "--format", "json"]));
    assert!(before["baseline"].get("at_start").is_none(), "{before:#}");
}

/// Walked around: after adoption, an untraced commit that deletes promises.toml (its tree has
/// none, like history from before adoption) was folded into the one "predates promises.toml"
/// finding, which a baseline may hold. Only history before the commit that added the registry
/// is folded; a later commit without it is judged on its own.
#[test]
fn a_commit_that_deletes_the_registry_after_adoption_is_not_history() {
    let mut repo = Repo::new();
    repo.write("app.txt", "v1\n");
    repo.commit("Old work\n");
    repo.write("promises.toml", REGISTRY);
    let adopted = repo.commit("Adopt plan-lint\n\nUntraced: adopting plan-lint\n");
    repo.git(&["rm", "-q", "promises.toml"]);
    repo.write("app.txt", "v2\n");
    let sneaky = repo.commit("Untraced work without a registry\n");
    repo.write("promises.toml", REGISTRY);
    repo.commit("Put the registry back\n\nPromise: find-and-buy\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD", "--format", "json"]);
    run.expect_code(1);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let commits: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "untraced-commit")
        .map(|f| (f["message"].as_str().unwrap().to_string(), f["help"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(commits.len(), 2, "{commits:?}");
    assert!(
        commits.iter().any(|(m, _)| m == &format!("commit {} has no Promise trailer", &sneaky[..7])),
        "the deleting commit is judged on its own: {commits:?}"
    );
    assert!(
        commits.iter().any(|(m, h)| m.ends_with("predates promises.toml and has no Promise trailer")
            && h.contains(&format!("since = \"{adopted}\""))),
        "the old work is history: {commits:?}"
    );
}
