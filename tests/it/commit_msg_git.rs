//! The commit-msg hook's verdict against git's own reading (issue 14): generated messages
//! committed through the installed hooks in every way people commit (`-F`, `-e -F`, `-v`,
//! cleanup modes, `core.commentChar` including `auto`), and for each one the hook must accept
//! exactly when `plan-lint check` on the commit git stores is clean. A rejected message is
//! committed again with `--no-verify` to see what git would have stored.
//!
//! `PLAN_LINT_COMMIT_MSG_SEED` and `PLAN_LINT_COMMIT_MSG_COUNT` run other or more cases.

use crate::support;

use std::process::Command;
use support::rng::Rng;
use support::{git_env, Repo};

const REGISTRY: &str = r#"[promises.find-and-buy]
statement = "A shopper can find and buy a product we stock."
status = "in-play"
outcomes = [{ metric = "conversion", baseline = "8%", target = "12%" }]
[promises.gift-cards]
statement = "A shopper can buy gift cards."
status = "proposed"
"#;

const CUT_HASH: &str = "# ------------------------ >8 ------------------------";
const CUT_SEMI: &str = "; ------------------------ >8 ------------------------";

/// One generated message: a subject, some body, perhaps comment-like lines and scissors lines,
/// perhaps a diff, and a trailer block in some place.
fn message(rng: &mut Rng) -> String {
    let mut lines: Vec<String> =
        vec![rng.pick(&["Add search", "Fix the build", "#12 Fix the build", "; odd subject"]).to_string()];
    let trailers = [
        "Promise: find-and-buy",
        "Promise: gift-cards",
        "Promise: find-and-by",
        "Untraced: upkeep",
        "Signed-off-by: A <a@example.com>",
    ];
    let block =
        |rng: &mut Rng| -> Vec<String> { (0..1 + rng.below(2)).map(|_| rng.pick(&trailers).to_string()).collect() };
    let mut pieces: Vec<Vec<String>> = Vec::new();
    for _ in 0..rng.below(3) {
        pieces.push(vec![rng
            .pick(&[
                "Some prose about the change.",
                "# a line like a comment",
                "; a semicolon line",
                "Promise: find-and-buy",
            ])
            .to_string()]);
    }
    match rng.below(5) {
        0 => pieces.push(vec![CUT_HASH.to_string(), "diff --git a/x b/x".into(), "+x".into()]),
        1 => pieces.push(vec![CUT_SEMI.to_string(), "Promise: find-and-buy".into()]),
        2 => pieces.push(vec!["diff --git a/x b/x".into(), "+x".into()]),
        _ => {}
    }
    match rng.below(3) {
        0 => pieces.insert(0, block(rng)),
        _ => pieces.push(block(rng)),
    }
    for p in pieces {
        lines.push(String::new());
        lines.extend(p);
    }
    lines.join("\n") + "\n"
}

fn commit(repo: &Repo, args: &[&str], config: &[String], verify: bool) -> (bool, String) {
    let mut cmd = git_env(Command::new("git"), repo.path());
    for c in config {
        cmd.args(["-c", c]);
    }
    cmd.args(["commit", "-q", "--allow-empty"]).args(args).env("GIT_EDITOR", "true");
    if !verify {
        cmd.arg("--no-verify");
    }
    let out = cmd.output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_hook_accepts_exactly_what_git_stores_as_traced() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    repo.plan_lint(&["install"]).expect_code(0);
    differential(&repo, true);
}

/// Run by a hook manager (a shell that does not `exec`), the hook cannot read `git commit`'s
/// command line, so `-v` and `--cleanup` are unknown: it judges every message git could store
/// and never accepts one that git stores untraced.
#[test]
fn without_the_command_line_the_hook_never_accepts_an_untraced_commit() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    let hooks = repo.path().join(".git/managed-hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let script = format!("#!/bin/sh\n\"{}\" hook commit-msg \"$@\"\nexit $?\n", support::bin().display());
    std::fs::write(hooks.join("commit-msg"), script).unwrap();
    std::fs::set_permissions(hooks.join("commit-msg"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    repo.git(&["config", "core.hooksPath", hooks.to_str().unwrap()]);
    differential(&repo, false);
}

/// Commit generated messages in generated ways; with `exact`, the hook must accept exactly the
/// commits `check` finds clean; without, it must never accept one `check` finds untraced.
fn differential(repo: &Repo, exact: bool) {
    let seed: u64 = std::env::var("PLAN_LINT_COMMIT_MSG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_c0de);
    let count: usize = std::env::var("PLAN_LINT_COMMIT_MSG_COUNT").ok().and_then(|s| s.parse().ok()).unwrap_or(120);
    let mut rng = Rng(seed);
    let msg_file = repo.path().join(".git/GENERATED_MSG");
    let modes: [&[&str]; 5] =
        [&["-F"], &["-e", "-F"], &["-v", "-e", "-F"], &["-v", "-F"], &["--cleanup=scissors", "-e", "-F"]];
    let (mut accepted, mut rejected) = (0, 0);
    let mut failures = Vec::new();
    for case in 0..count {
        let text = message(&mut rng);
        let mode = modes[rng.below(modes.len())];
        let mut config = Vec::new();
        if rng.below(4) == 0 {
            config.push(format!("commit.cleanup={}", ["strip", "whitespace", "verbatim", "scissors"][rng.below(4)]));
        }
        match rng.below(4) {
            0 => config.push("core.commentChar=;".to_string()),
            1 => config.push("core.commentChar=auto".to_string()),
            _ => {}
        }
        std::fs::write(&msg_file, &text).unwrap();
        let mut args: Vec<&str> = mode.to_vec();
        let path = msg_file.to_str().unwrap();
        args.push(path);
        let (ok, stderr) = commit(repo, &args, &config, true);
        if !ok && !stderr.contains("plan-lint") {
            // git itself refused (an empty message after cleanup): nothing to compare.
            continue;
        }
        if !ok {
            std::fs::write(&msg_file, &text).unwrap();
            let (stored, why) = commit(repo, &args, &config, false);
            if !stored {
                assert!(why.contains("empty"), "case {case}: git refused the bypass too: {why}");
                continue;
            }
        }
        let check = repo.plan_lint(&["check", "--commits", "HEAD~1..HEAD"]);
        let clean = check.code == 0;
        if ok {
            accepted += 1;
        } else {
            rejected += 1;
        }
        if (exact && ok != clean) || (ok && !clean) {
            let stored = repo.git(&["log", "-1", "--format=%B"]);
            failures.push(format!(
                "case {case}: git commit {} with {config:?}: the hook {} but check says exit {}\n--- message\n{text}--- stored\n{stored}--- hook\n{stderr}--- check\n{}",
                mode.join(" "),
                if ok { "accepted" } else { "rejected" },
                check.code,
                check.stdout
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {count} verdicts differ from git's:\n{}", failures.len(), failures.join("\n"));
    // The generator reaches both verdicts.
    assert!(accepted > count / 10 && rejected > count / 10, "accepted {accepted}, rejected {rejected}");
}
