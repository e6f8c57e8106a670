//! The rest of the hostile-input matrix (the first part is in `errors.rs` and `check.rs`): each
//! case gets a clear message and the right exit code, and nothing is lost.

use crate::support;

use std::process::Command;
use support::{git_env, run_in, Repo};

const REGISTRY: &str =
    "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n";

#[test]
fn deeply_nested_lists_and_quotes_are_scanned_without_a_stack_overflow() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    // `- - - … [ ] x` on one line is a list nested 100,000 deep (indenting each level would
    // take gigabytes).
    repo.write("plans/lists.md", &format!("# Deep\nPromise: find-and-buy\n\n{}[ ] deep\n", "- ".repeat(100_000)));
    repo.write("plans/mixed.md", &format!("{}- [ ] deep\n", "> - ".repeat(100_000)));
    repo.commit("Deep\n\nPromise: find-and-buy\n");
    let run = repo.plan_lint(&["check", "--no-commits"]);
    assert!(run.code == 0 || run.code == 1, "exit {}: {}", run.code, run.stderr);
    assert!(run.stdout.contains("2 plan files with 2 items"), "{}", run.stdout);
}

#[test]
fn submodules_and_nested_repositories_are_not_this_repositorys_plans() {
    let mut inner = Repo::new();
    inner.write("plans/theirs.md", "# Theirs\n\n- [ ] untraced in another repository\n");
    inner.commit("Theirs");
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", "# R\nPromise: find-and-buy\n\n- [ ] x\n");
    repo.commit("Start\n\nPromise: find-and-buy\n");
    let url = format!("file://{}", inner.path().display());
    let out = git_env(Command::new("git"), repo.path())
        .args(["-c", "protocol.file.allow=always", "submodule", "add", "-q", &url, "plans/vendor"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    repo.commit("Vendor it\n\nPromise: find-and-buy\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD"]);
    run.expect_code(0);
    assert!(run.stdout.contains("1 plan file with 1 item"), "{}", run.stdout);
    // The staged view (pre-commit) skips the gitlink too: with the submodule moved to a new
    // commit (its untraced plan changed) and a plan change staged beside it, the hook judges the
    // plan and never the submodule's files.
    inner.write("plans/theirs.md", "# Theirs\n\n- [ ] untraced\n- [ ] and another\n");
    inner.commit("More of theirs");
    let sub = repo.path().join("plans/vendor");
    let pulled = git_env(Command::new("git"), &sub).args(["pull", "-q", "origin", "HEAD"]).output().unwrap();
    assert!(pulled.status.success(), "{}", String::from_utf8_lossy(&pulled.stderr));
    repo.write("ROADMAP.md", "# R\nPromise: find-and-buy\n\n- [ ] x\n\n# Other\n\n- [ ] untraced here\n");
    repo.git(&["add", "plans/vendor", "ROADMAP.md"]);
    let staged = repo.git(&["diff", "--cached", "--name-only"]);
    assert_eq!(staged.lines().collect::<Vec<_>>(), ["ROADMAP.md", "plans/vendor"], "the fixture stages both");
    let hook = repo.plan_lint(&["hook", "pre-commit"]);
    hook.expect_code(1);
    assert!(hook.stderr.contains("ROADMAP.md") && hook.stderr.contains("untraced here"), "{}", hook.stderr);
    assert!(!hook.stderr.contains("theirs") && !hook.stderr.contains("plans/vendor"), "{}", hook.stderr);
    repo.write("ROADMAP.md", "# R\nPromise: find-and-buy\n\n- [ ] x\n- [ ] traced here\n");
    repo.git(&["add", "ROADMAP.md"]);
    repo.plan_lint(&["hook", "pre-commit"]).expect_code(0);
}

#[test]
fn look_alike_ids_are_unknown_with_the_real_one_suggested() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    // Cyrillic а (U+0430) in "find-аnd-buy", and a case variant.
    repo.write("ROADMAP.md", "# R\n\n- [ ] one (Promise: find-\u{430}nd-buy)\n- [ ] two (Promise: Find-And-Buy)\n");
    repo.commit("Start\n\nPromise: find-\u{430}nd-buy\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD", "--format", "json"]);
    run.expect_code(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let unknown: Vec<&serde_json::Value> =
        v["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "unknown-promise").collect();
    assert_eq!(unknown.len(), 3, "{:#?}", v["findings"]);
    for f in unknown {
        assert!(f["help"].as_str().unwrap().starts_with("did you mean `find-and-buy`?"), "{f}");
    }
    // The registry itself only takes ASCII slugs, so two promises can never look alike.
    repo.write(
        "promises.toml",
        &format!("{REGISTRY}[promises.\"find-\u{430}nd-buy\"]\nstatement = \"s\"\nstatus = \"proposed\"\n"),
    );
    let bad = repo.plan_lint(&["check", "--no-commits"]);
    bad.expect_code(2);
    assert!(bad.stderr.contains("lowercase kebab-case"), "{}", bad.stderr);
}

/// A stress test, not a proof: deletions race a real run, so which files vanish mid-read varies.
/// The deterministic case (listed, then deleted, then read) is the engine's unit test
/// `a_file_deleted_after_listing_is_skipped_with_a_reason`.
#[test]
fn files_deleted_while_plan_lint_reads_them_never_crash_it() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    for i in 0..400 {
        repo.write(&format!("plans/p{i:03}.md"), "# P\nPromise: find-and-buy\n\n- [ ] x\n");
    }
    repo.commit("Plans\n\nPromise: find-and-buy\n");
    let dir = repo.path().to_path_buf();
    for round in 0..5 {
        let child = support::git_env(Command::new(support::bin()), &dir)
            .args(["check", "--no-commits"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        for i in (round..400).step_by(5) {
            let _ = std::fs::remove_file(dir.join(format!("plans/p{i:03}.md")));
        }
        let out = child.wait_with_output().unwrap();
        let code = out.status.code().unwrap_or(-1);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(code == 0 || code == 1, "exit {code}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("internal error"), "{stderr}");
    }
}

/// prepare-commit-msg replaces the message file atomically: killed in the middle of writing, the
/// file holds the old message whole. Deterministic: a file-size limit (`ulimit -f`) far below
/// the message's size makes the kernel kill the hook (SIGXFSZ) during its write, every time.
#[test]
fn a_killed_prepare_commit_msg_hook_leaves_the_message_whole() {
    use std::os::unix::process::ExitStatusExt;
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.commit("Start\n\nPromise: find-and-buy\n");
    repo.git(&["checkout", "-q", "-b", "find-and-buy/paypal"]);
    let original = format!("Add PayPal\n\n{}\n", "A long body line that takes a while to write. ".repeat(20_000));
    let msg = repo.path().join(".git/COMMIT_EDITMSG");
    std::fs::write(&msg, &original).unwrap();
    // 64 blocks (32 or 64 KiB, as the shell counts them) against a 900 KiB message.
    let out = support::git_env(Command::new("sh"), repo.path())
        .args(["-c", "ulimit -f 64 && exec \"$0\" hook prepare-commit-msg .git/COMMIT_EDITMSG"])
        .arg(support::bin())
        .output()
        .unwrap();
    assert_eq!(out.status.signal(), Some(25), "not killed by SIGXFSZ mid-write: {:?}", out.status);
    assert!(std::fs::read_to_string(&msg).unwrap() == original, "the message was cut short in place");
    // Run to completion: the hook does write, the whole message and the trailer.
    run_in(repo.path(), &["hook", "prepare-commit-msg", ".git/COMMIT_EDITMSG"]).expect_code(0);
    let written = std::fs::read_to_string(&msg).unwrap();
    assert_eq!(written, format!("{}\nPromise: find-and-buy\n", original), "the trailer appended, nothing lost");
    let leftovers: Vec<_> = std::fs::read_dir(repo.path().join(".git"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("COMMIT_EDITMSG") && e.file_name() != "COMMIT_EDITMSG")
        .collect();
    assert!(leftovers.len() <= 1, "temporary files pile up: {leftovers:?}");
}

#[test]
fn detached_head_and_bare_repositories() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.commit("Start\n\nPromise: find-and-buy\n");
    repo.commit("More\n\nPromise: find-and-buy\n");
    repo.git(&["checkout", "-q", "--detach", "HEAD~1"]);
    let run = repo.plan_lint(&["check"]);
    run.expect_code(0);
    assert!(run.stdout.contains("all traced"), "{}", run.stdout);
    let range = repo.plan_lint(&["check", "--commits", "HEAD"]);
    range.expect_code(0);
    assert!(range.stdout.contains("1 commit (HEAD)"), "{}", range.stdout);

    let bare = tempfile::tempdir().unwrap();
    let out = git_env(Command::new("git"), bare.path())
        .args(["clone", "-q", "--bare"])
        .arg(repo.path())
        .arg("shop.git")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = run_in(&bare.path().join("shop.git"), &["check"]);
    run.expect_code(2);
    assert!(run.stderr.contains("bare repository") && run.stdout.is_empty(), "{}", run.stderr);
}

/// Issue 14: every input read is capped, whatever size the file claims (`/dev/zero` claims 0).
#[test]
fn endless_inputs_are_refused_with_a_clear_error_not_read_without_limit() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.commit("Start\n\nPromise: find-and-buy\n");
    let cases: [(&[&str], &str); 4] = [
        (&["check", "--no-commits", "--config", "/dev/zero"], "not a promise registry"),
        (&["trailers", "/dev/zero"], "not a commit message"),
        (&["hook", "commit-msg", "/dev/zero"], "not a commit message"),
        (&["check", "--issue", "/dev/zero"], "not an issue body"),
    ];
    for (args, says) in cases {
        let run = repo.plan_lint(args);
        run.expect_code(2);
        assert!(run.stderr.contains("larger than 16 MiB") && run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    let event = repo.plan_lint(&["ci", "--event", "/dev/zero", "--event-name", "push"]);
    event.expect_code(2);
    assert!(event.stderr.contains("not a GitHub event"), "{}", event.stderr);
}

/// Issue 14: removing plan-lint from a repository (staging the deletion of promises.toml) needs
/// no `--no-verify`.
#[test]
fn staging_the_deletion_of_the_registry_is_not_blocked() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", "# R\nPromise: find-and-buy\n\n- [ ] x\n");
    repo.commit("Start\n\nPromise: find-and-buy\n");
    repo.plan_lint(&["install"]).expect_code(0);
    repo.git(&["rm", "-q", "promises.toml"]);
    let run = repo.plan_lint(&["hook", "pre-commit"]);
    run.expect_code(0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    // Through git and every installed hook: the commit is made, with the message as written.
    let out = git_env(Command::new("git"), repo.path())
        .args(["commit", "-q", "-m", "Stop using plan-lint"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(repo.git(&["log", "-1", "--format=%B"]), "Stop using plan-lint\n\n");
}

/// Issue 14: control and bidi characters in a file name or plan text never reach a medium raw:
/// GitHub workflow commands (the `file=` property included), the Markdown and HTML boards and
/// the job summary show visible stand-ins.
#[test]
fn controls_and_bidi_in_names_and_text_are_visible_in_every_medium() {
    let mut repo = Repo::new();
    let name = "plans/red\u{1b}[31m\u{7}\u{202e}gpj.md";
    repo.write("promises.toml", REGISTRY)
        .write(name, "# Plan\n\n- [ ] pay \u{202e}1000\u{202c} now \u{1b}]8;;http://x\u{7}link\n");
    repo.commit("Plan\n\nPromise: find-and-buy\n");
    let raw = ['\u{1b}', '\u{7}', '\u{202e}', '\u{202c}'];
    let clean = |what: &str, text: &str| {
        for c in raw {
            assert!(!text.contains(c), "{what} carries U+{:04X} raw:\n{text}", c as u32);
        }
    };
    let github = repo.plan_lint(&["check", "--no-commits", "--format", "github"]);
    github.expect_code(1);
    assert!(github.stdout.contains("file=plans/red"), "{}", github.stdout);
    clean("--format github", &github.stdout);
    for format in ["markdown", "html", "term"] {
        let run = repo.plan_lint(&["report", "--format", format, "--since", "2026-01-01", "--until", "2026-01-31"]);
        run.expect_code(0);
        assert!(run.stdout.contains("pay"), "{format}: {}", run.stdout);
        clean(format, &run.stdout);
    }
    let summary = tempfile::NamedTempFile::new().unwrap();
    let path = summary.path().to_str().unwrap();
    let run = repo.plan_lint(&["ci", "--base", "HEAD", "--summary", path]);
    run.expect_code(1);
    let md = std::fs::read_to_string(path).unwrap();
    assert!(md.contains("pay"), "{md}");
    clean("the job summary", &md);
}

/// Issue 14: a plan saved as UTF-16 (with a byte-order mark) is read, not skipped as binary; a
/// file that is skipped (a NUL byte) is named in the summary line, never a silent "all traced".
#[test]
fn utf16_plans_are_read_and_skipped_files_are_in_the_summary_line() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    let text = "# Plan\n\n- [ ] untraced in UTF-16\n- [ ] traced (Promise: find-and-buy)\n";
    for (name, bom, unit) in [
        ("plans/le.md", [0xFF, 0xFE], u16::to_le_bytes as fn(u16) -> [u8; 2]),
        ("plans/be.md", [0xFE, 0xFF], u16::to_be_bytes),
    ] {
        let mut bytes = bom.to_vec();
        bytes.extend(text.encode_utf16().flat_map(unit));
        std::fs::create_dir_all(repo.path().join("plans")).unwrap();
        std::fs::write(repo.path().join(name), bytes).unwrap();
    }
    repo.commit("Plans\n\nPromise: find-and-buy\n");
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(1);
    assert!(run.stdout.contains("plans/le.md:3:7") && run.stdout.contains("plans/be.md:3:7"), "{}", run.stdout);
    assert!(run.stdout.contains("work item names no promise: untraced in UTF-16"), "{}", run.stdout);
    assert!(run.stdout.contains("2 plan files with 4 items"), "{}", run.stdout);

    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", "# R\nPromise: find-and-buy\n\n- [ ] x\n");
    repo.write("plans/nul.md", "- [ ] untraced\0\n");
    repo.commit("Plans\n\nPromise: find-and-buy\n");
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(0);
    let summary = run.stdout.lines().last().unwrap();
    assert!(summary.contains("all traced") && summary.contains("1 file skipped"), "{}", run.stdout);
}

/// Issue 14: on Actions the log is bounded: GitHub shows only the first annotations, so `ci`
/// writes at most 100 and says how many it left out; the SARIF file has every finding.
#[test]
fn ci_on_actions_writes_a_bounded_log_and_says_what_it_left_out() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.write("ROADMAP.md", &"- [ ] untraced\n".repeat(300));
    repo.commit("Plan\n\nPromise: find-and-buy\n");
    let sarif = tempfile::NamedTempFile::new().unwrap();
    let run = support::run_with(
        repo.path(),
        &["ci", "--base", "HEAD", "--format", "github", "--sarif", sarif.path().to_str().unwrap()],
        &[],
        None,
    );
    run.expect_code(1);
    let annotations = run.stdout.lines().filter(|l| l.starts_with("::error ")).count();
    assert_eq!(annotations, 100, "{}", &run.stdout[..2000.min(run.stdout.len())]);
    assert!(run.stdout.contains("::notice title=plan-lint::200 more findings are not annotated"), "notice");
    let log: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(sarif.path()).unwrap()).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(300));
}

/// Issue 14: the `include` pattern that took minutes with a backtracking matcher, over a
/// 40-deep tree, in `check` and the pre-commit hook.
#[test]
fn a_crafted_include_pattern_over_a_deep_tree_is_matched_linearly() {
    let mut repo = Repo::new();
    let pattern = format!("{}b.md", "**/a/".repeat(12));
    repo.write("promises.toml", &format!("{REGISTRY}\n[plans]\ninclude = [\"{pattern}\"]\n"));
    let deep = format!("{}x.md", "a/".repeat(40));
    repo.write(&deep, "- [ ] x\n");
    repo.write(&format!("{}b.md", "a/".repeat(12)), "# B\nPromise: find-and-buy\n\n- [ ] y\n");
    repo.commit("Deep\n\nPromise: find-and-buy\n");
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(0);
    assert!(run.stdout.contains("1 plan file with 1 item"), "{}", run.stdout);
    repo.write(&deep, "- [ ] changed\n");
    repo.git(&["add", "."]);
    repo.plan_lint(&["hook", "pre-commit"]).expect_code(0);
}

/// Issue 23: ids no registry declared (a trailer's, a reading's) and metric names (a reading's,
/// or the registry's own, which TOML escapes can fill with ESC) carry controls: ESC, an OSC 8
/// link, BEL, NUL, CR, a C1 control, a bidi override. No medium for people prints one raw:
/// `check` and the board in every format for people, the job summary, `measure`. JSON, SARIF and
/// GitLab's report are data: they carry the text exactly, C0 controls escaped as JSON escapes
/// them.
#[test]
fn controls_in_ids_and_metric_names_are_visible_in_every_medium() {
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\n\
         outcomes = [{ metric = \"m\", target = \"3\" }, { metric = \"n\\u001b]8;;https://evil.example\\u0007x\\u0085\", target = \"5\" }]\n",
    );
    repo.write(
        "outcomes.csv",
        "date,promise,metric,value,source\n\
         2026-01-03,\"x\r<details open>\r# Heading\u{1b}[2J\",m,1,\n\
         2026-01-04,find-and-buy,\"m\u{1b}]8;;https://evil.example\u{7}link\u{1b}]8;;\u{7}\rz\0\u{9b}\u{202e}\",2,\n",
    );
    repo.commit_at("2026-01-05T10:00:00Z", "Ada <ada@example.com>", "Work\n\nPromise: bad\u{1b}[31mid\u{202e}\u{9b}\n");
    let raw = |c: char| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c);
    let clean = |what: &str, text: &str| {
        if let Some(c) = text.chars().find(|&c| raw(c)) {
            panic!("{what} carries U+{:04X} raw:\n{text:?}", c as u32);
        }
    };
    let window = ["--since", "2026-01-01", "--until", "2026-01-31"];
    for format in ["human", "github", "junit", "json", "sarif", "gitlab"] {
        let mut args = vec!["check", "--format", format];
        args.extend(window);
        let run = repo.plan_lint(&args);
        run.expect_code(1);
        assert!(run.stdout.contains("bad") && run.stdout.contains("Heading"), "{format}: {}", run.stdout);
        clean(&format!("check --format {format} (stderr)"), &run.stderr);
        if ["json", "sarif", "gitlab"].contains(&format) {
            let c0 = run.stdout.chars().find(|&c| c < ' ' && c != '\n');
            assert_eq!(c0, None, "{format}: {:?}", run.stdout);
            let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            assert!(v.to_string().contains("bad\\u001b[31mid\u{202e}\u{9b}"), "{format} keeps the id exactly: {v}");
        } else {
            clean(&format!("check --format {format}"), &run.stdout);
        }
    }
    for format in ["term", "markdown", "html"] {
        let mut args = vec!["report", "--format", format];
        args.extend(window);
        let run = repo.plan_lint(&args);
        run.expect_code(0);
        assert!(run.stdout.contains("bad") && run.stdout.contains("Heading"), "{format}: {}", run.stdout);
        clean(&format!("report --format {format}"), &run.stdout);
    }
    let summary = tempfile::NamedTempFile::new().unwrap();
    let path = summary.path().to_str().unwrap();
    repo.plan_lint(&["ci", "--base", "HEAD", "--summary", path]).expect_code(1);
    let md = std::fs::read_to_string(path).unwrap();
    assert!(md.contains("Heading") && md.contains("https\\://evil.example"), "{md}");
    clean("the job summary", &md);
    // `measure` prints the registry's metric name; refuses an unknown one with a clear error.
    let metric = "n\u{1b}]8;;https://evil.example\u{7}x\u{85}";
    let run = repo.plan_lint(&["measure", "find-and-buy", metric, "4", "--date", "2026-01-06"]);
    run.expect_code(0);
    assert!(run.stdout.starts_with("recorded n␛]8;;https://evil.example␇x"), "{}", run.stdout);
    clean("measure", &run.stdout);
    let run = repo.plan_lint(&["measure", "find-and-buy", "q\u{1b}[2J\u{202e}", "4"]);
    run.expect_code(2);
    clean("measure's error", &run.stderr);
}

/// Issue 23: a value that is not a finite number (`inf`, `NaN%`, more digits than a double
/// holds) is never recorded and never drawn: `measure` refuses it, and a file holding one stops
/// every board and `check` with the line, as a bad date does.
#[test]
fn values_that_are_not_finite_numbers_are_never_recorded_or_drawn() {
    let mut repo = Repo::new();
    repo.write("promises.toml", &REGISTRY.replace("target = \"t\"", "baseline = \"1\", target = \"3\""));
    repo.commit_at("2026-01-05T10:00:00Z", "Ada <ada@example.com>", "Work\n\nPromise: find-and-buy\n");
    let huge = "1".to_string() + &"0".repeat(400);
    for value in ["inf", "-inf", "NaN", "nan%", "Infinity", huge.as_str(), &format!("-{huge}")] {
        let run = repo.plan_lint(&["measure", "find-and-buy", "m", value, "--date", "2026-01-06"]);
        run.expect_code(2);
        assert!(
            run.stderr.contains("not a finite number") || run.stderr.contains("too large a number"),
            "{value}: {}",
            run.stderr
        );
    }
    assert!(!repo.path().join("outcomes.csv").exists());
    repo.write(
        "outcomes.csv",
        &format!("date,promise,metric,value,source\n2026-01-02,find-and-buy,m,2,\n2026-01-03,find-and-buy,m,{huge},\n"),
    );
    for format in ["term", "markdown", "html", "json"] {
        let run = repo.plan_lint(&["report", "--format", format, "--since", "2026-01-01", "--until", "2026-01-31"]);
        run.expect_code(2);
        assert!(run.stderr.contains("outcomes.csv:3: value"), "{format}: {}", run.stderr);
        assert!(!run.stdout.contains("inf") && !run.stdout.contains("NaN"), "{format}: {}", run.stdout);
    }
    repo.plan_lint(&["check", "--no-commits"]).expect_code(2);
    // The largest finite numbers are readings: drawn, without a NaN or an infinity anywhere.
    let max = "9".repeat(308);
    repo.write("outcomes.csv", &format!("date,promise,metric,value,source\n2026-01-02,find-and-buy,m,-{max},\n2026-01-03,find-and-buy,m,{max},\n2026-01-04,find-and-buy,m,2,\n"));
    for format in ["term", "markdown", "html", "json"] {
        let run = repo.plan_lint(&["report", "--format", format, "--since", "2026-01-01", "--until", "2026-01-31"]);
        run.expect_code(0);
        let lower = run.stdout.to_lowercase();
        assert!(!lower.contains("nan") && !lower.contains("inf"), "{format}: {}", run.stdout);
    }
}

/// A partial clone lacks the registry's old revisions (`--filter=blob:none`) or the trees that
/// lead to them (`--filter=tree:0`), and plan-lint's libgit2 fetches nothing on demand. Read as
/// empty, a promise's old contract would seem new and `suspect-link` would find nothing: the
/// check stops with exit 2 and says why, as git itself does (`fatal: unable to read tree`),
/// and the board is not drawn.
#[test]
fn a_partial_clone_lacking_the_registry_s_history_stops_the_check() {
    let registry = |target: &str| {
        format!(
            "[promises.find]\nstatement = \"A shopper finds it.\"\nstatus = \"in-play\"\n\
             outcomes = [{{ metric = \"conversion\", baseline = \"50%\", target = \"{target}\" }}]\n"
        )
    };
    let mut origin = support::Repo::new();
    origin.write("promises.toml", &registry("70%")).write("ROADMAP.md", "# Roadmap\n\n- [ ] Search (Promise: find)\n");
    origin.commit("Plan\n\nPromise: find\n");
    origin.write("promises.toml", &registry("75%"));
    origin.commit("Raise the target\n\nPromise: find\n");
    origin.write("src.txt", "work\n");
    origin.commit("Work\n\nPromise: find\n");
    let full = origin.plan_lint(&["check", "--no-commits"]);
    assert!(full.code != 2 && full.stdout.contains("suspect-link"), "{}{}", full.stdout, full.stderr);
    origin.git(&["config", "uploadpack.allowFilter", "true"]);
    for filter in ["--filter=blob:none", "--filter=tree:0"] {
        let clone = tempfile::tempdir().unwrap();
        let url = format!("file://{}", origin.path().display());
        let out = support::git_env(std::process::Command::new("git"), origin.path())
            .args(["clone", "-q", filter, &url])
            .arg(clone.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let missing = support::git_env(std::process::Command::new("git"), clone.path())
            .args(["cat-file", "-e", "HEAD~2:promises.toml"])
            .env("GIT_NO_LAZY_FETCH", "1")
            .output()
            .unwrap();
        assert!(!missing.status.success(), "{filter}: the first registry is not in the clone");
        let run = support::run_in(clone.path(), &["check", "--no-commits"]);
        run.expect_code(2);
        assert!(run.stderr.contains("cannot read the registry's history"), "{filter}: {}", run.stderr);
        assert!(!run.stdout.contains("all traced"), "{filter}: {}", run.stdout);
        // The board is not drawn from it either: its flow would show the first contract as new.
        // With the work done, no `suspect-link` is judged: only the board's history stops it.
        std::fs::write(clone.path().join("ROADMAP.md"), "# Roadmap\n\n- [x] Search (Promise: find)\n").unwrap();
        support::run_in(clone.path(), &["check", "--no-commits"]).expect_code(0);
        for format in ["json", "html"] {
            let run = support::run_in(clone.path(), &["report", "--format", format]);
            run.expect_code(2);
            assert!(run.stderr.contains("cannot read the registry's history"), "{filter} {format}: {}", run.stderr);
            assert!(run.stdout.is_empty(), "{filter} {format}: {}", run.stdout);
        }
    }
    // The full clone's board is drawn (the stop above is the partial clone's, not the report's).
    origin.plan_lint(&["report", "--format", "json"]).expect_code(0);
}

/// A plan document that is a link into a nested clone's `.git` (a vendored repository inside
/// the work tree) is passed over, never read: its files (`config` with credentials, notes) never
/// reach a finding's snippet, a CI log or SARIF. The outer repository's `.git` was refused
/// already; a nested one's was followed as any folder inside the work tree.
#[cfg(unix)]
#[test]
fn a_plan_linking_into_a_nested_clone_s_git_directory_is_never_read() {
    let mut repo = support::Repo::new();
    repo.write(
        "promises.toml",
        "[promises.p]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"1\" }]\n",
    )
    .write(".gitignore", "vendor/\n");
    repo.git(&["init", "-q", "vendor/x"]);
    std::fs::write(repo.path().join("vendor/x/.git/NOTES"), "- [ ] SECRET-LINE (Promise: from-nested-git)\n").unwrap();
    for (link, target) in [("ROADMAP.md", "vendor/x/.git/NOTES"), ("PLAN.md", "vendor/x/.git/config")] {
        std::os::unix::fs::symlink(target, repo.path().join(link)).unwrap();
    }
    repo.commit("Plan\n\nPromise: p\n");
    let run = repo.plan_lint(&["check", "--no-commits", "--format", "json"]);
    run.expect_code(0);
    assert!(!run.stdout.contains("SECRET") && !run.stdout.contains("from-nested-git"), "{}", run.stdout);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["summary"]["files"], 0, "{}", run.stdout);
    let skipped = v["skipped"].to_string();
    assert!(skipped.contains("ROADMAP.md") && skipped.contains("PLAN.md"), "passed over, and said: {skipped}");
}
