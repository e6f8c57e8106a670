//! The README's lefthook configuration, run by the real lefthook (PyPI's `lefthook`, installed
//! by `.ci/run`, which sets PLAN_LINT_REQUIRE_LEFTHOOK=1) with real `git commit`s.

use crate::support;

use std::process::Command;
use support::{bin, git_env, tool_available, Repo};

/// The README's `lefthook.yml` block, verbatim.
fn readme_config() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("**lefthook** (`lefthook.yml`):").expect("the README shows lefthook");
    let block = &readme[start..];
    let open = block.find("```yaml\n").unwrap() + "```yaml\n".len();
    let close = block[open..].find("```").unwrap() + open;
    block[open..close].to_string()
}

#[test]
fn the_readme_lefthook_config_runs_the_hooks() {
    if !tool_available("lefthook", "PLAN_LINT_REQUIRE_LEFTHOOK") {
        return;
    }
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n",
    );
    repo.commit("Adopt\n\nPromise: find-and-buy\n");
    repo.write("lefthook.yml", &readme_config());
    let path = format!("{}:{}", bin().parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let git = |args: &[&str]| {
        let out = git_env(Command::new(args[0]), repo.path()).args(&args[1..]).env("PATH", &path).output().unwrap();
        (
            out.status.success(),
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        )
    };
    let (ok, out) = git(&["lefthook", "install"]);
    assert!(ok, "{out}");

    repo.write("a.txt", "a\n");
    repo.git(&["add", "a.txt"]);
    let (ok, out) = git(&["git", "commit", "-q", "-m", "Untraced work"]);
    assert!(!ok && out.contains("untraced-commit"), "commit-msg through lefthook: {out}");

    // prepare-commit-msg adds the trailer from the branch name; commit-msg then accepts it.
    repo.git(&["checkout", "-q", "-b", "find-and-buy/search"]);
    let (ok, out) = git(&["git", "commit", "-q", "-m", "Search box"]);
    assert!(ok, "{out}");
    assert!(
        repo.git(&["log", "-1", "--format=%B"]).ends_with("Promise: find-and-buy\n\n")
            || repo.git(&["log", "-1", "--format=%B"]).contains("\nPromise: find-and-buy")
    );

    // pre-commit: a staged plan with an untraced item blocks.
    repo.write("ROADMAP.md", "# Plan\n\n- [ ] Untraced item\n");
    repo.git(&["add", "ROADMAP.md"]);
    let (ok, out) = git(&["git", "commit", "-q", "-m", "Plan", "-m", "Promise: find-and-buy"]);
    assert!(!ok && out.contains("untraced-item"), "pre-commit through lefthook: {out}");

    // pre-push reads the pushed refs on standard input (`use_stdin`): an untraced commit made
    // with --no-verify does not leave the machine.
    let remote = tempfile::tempdir().unwrap();
    repo.git(&["init", "-q", "--bare", remote.path().to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["reset", "-q", "--hard"]);
    repo.git(&["checkout", "-q", "-b", "sneaky"]);
    let (ok, out) = git(&["git", "commit", "-q", "--no-verify", "--allow-empty", "-m", "Sneaky"]);
    assert!(ok, "{out}");
    let (ok, out) = git(&["git", "push", "-q", "origin", "HEAD:refs/heads/main"]);
    assert!(!ok && out.contains("untraced-commit"), "pre-push through lefthook: {out}");

    // Issue 30: the advice after a rejection repeats the command's staging options through
    // lefthook too, where `git commit` is not the hook's parent: `-a --amend`, followed as
    // printed, amends with the change instead of silently leaving it out.
    repo.write("a.txt", "a2\n");
    let (ok, out) = git(&["git", "commit", "-q", "-a", "--amend", "-m", "Untraced amend"]);
    assert!(!ok && out.contains("untraced-commit"), "{out}");
    let advice = out.lines().find(|l| l.starts_with("    git commit ")).unwrap_or_else(|| panic!("{out}")).trim();
    assert_eq!(advice, "git commit -a --amend -e -F .git/plan-lint/COMMIT_MSG", "{out}");
    let out = git_env(Command::new("sh"), repo.path())
        .args(["-c", advice])
        .env("PATH", &path)
        .env("GIT_EDITOR", "sh -c 'printf \"\\nPromise: find-and-buy\\n\" >> \"$1\"' editor")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(repo.git(&["status", "--porcelain", "--untracked-files=no"]), "");
    assert_eq!(repo.git(&["show", "HEAD:a.txt"]), "a2\n");
}
