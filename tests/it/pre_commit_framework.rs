//! The real pre-commit framework (https://pre-commit.com) running plan-lint's hooks from this
//! checkout: the README's `.pre-commit-config.yaml`, pointed at a snapshot of this checkout,
//! run hook by hook (`pre-commit run --hook-stage`) and installed for real (`pre-commit
//! install`, all four hook types) with real commits and a push.
//!
//! `.ci/run` installs pre-commit from PyPI and sets PLAN_LINT_REQUIRE_PRE_COMMIT=1, so in CI a
//! missing framework is a failure; elsewhere the test says it was skipped. The framework builds
//! plan-lint with `cargo install` (its `language: rust`) once per snapshot: its environments are
//! kept in target/pre-commit-home, the build in the target directory the Action's test builds in
//! too, with the same release profile (`support::shared_release_env`), so the dependencies are
//! compiled once for both.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use support::{git_env, Repo};

fn pre_commit_available() -> bool {
    support::tool_available("pre-commit", "PLAN_LINT_REQUIRE_PRE_COMMIT")
}

/// Run the hooks of one stage (`pre-commit run --hook-stage STAGE`) as the repository's
/// configuration names them; the first run installs the hook environment (a `cargo install`).
fn run_stage(repo: &Repo, stage: &str, extra: &[&str]) -> (bool, String) {
    let _building = support::shared_release_build();
    let out = framework("pre-commit", repo.path())
        .args(["run", "--verbose", "--hook-stage", stage])
        .args(extra)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn pre_commit_run_runs_the_commit_msg_and_pre_commit_hooks() {
    if !pre_commit_available() {
        return;
    }
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n",
    )
    .write(".pre-commit-config.yaml", &config_for_this_checkout());
    repo.commit("Adopt\n\nPromise: find-and-buy\n");

    let msg = repo.path().join("MSG");
    std::fs::write(&msg, "Untraced work\n").unwrap();
    let args = ["--commit-msg-filename", msg.to_str().unwrap()];
    let (ok, out) = run_stage(&repo, "commit-msg", &args);
    assert!(!ok, "untraced message passed:\n{out}");
    assert!(out.contains("untraced-commit"), "{out}");

    std::fs::write(&msg, "Traced work\n\nPromise: find-and-buy\n").unwrap();
    let (ok, out) = run_stage(&repo, "commit-msg", &args);
    assert!(ok, "traced message failed:\n{out}");

    // pre-commit stage: a staged plan with an untraced item blocks.
    repo.write("ROADMAP.md", "# Plan\n\n- [ ] Untraced item\n");
    repo.git(&["add", "ROADMAP.md"]);
    let (ok, out) = run_stage(&repo, "pre-commit", &[]);
    assert!(!ok, "untraced plan passed:\n{out}");
    assert!(out.contains("untraced-item"), "{out}");
}

/// The README's `.pre-commit-config.yaml`, verbatim.
fn readme_config() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("**pre-commit framework** (`.pre-commit-config.yaml`):").expect("the README shows it");
    let block = &readme[start..];
    let body = &block[block.find("```yaml\n").unwrap() + 8..];
    body[..body.find("```").unwrap()].to_string()
}

/// The README's configuration with its repository and rev replaced by a snapshot of this
/// checkout, taken once per test process (both tests use it) while holding the shared build
/// lock, so no other process's framework is cloning the snapshot as it is rewritten.
fn config_for_this_checkout() -> String {
    static SNAPSHOT: OnceLock<(PathBuf, String)> = OnceLock::new();
    let (source, rev) = SNAPSHOT.get_or_init(|| {
        let _building = support::shared_release_build();
        snapshot_of_this_checkout()
    });
    let config = readme_config()
        .replace("https://github.com/plan-lint/plan-lint", source.to_str().unwrap())
        .replace("rev: v0.1.0", &format!("rev: {rev}"));
    assert!(config.contains(rev.as_str()), "the README config names a repo and rev to replace:\n{config}");
    config
}

/// This checkout's files (tracked and untracked, as `git ls-files` lists them) committed in a
/// repository at a fixed path with fixed dates: the same sources give the same commit, so
/// pre-commit's cache and cargo's target directory are reused between runs.
fn snapshot_of_this_checkout() -> (PathBuf, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dest = root.join("target/pre-commit-source");
    let _ = std::fs::remove_dir_all(&dest);
    std::fs::create_dir_all(&dest).unwrap();
    let listed = Command::new("git")
        .current_dir(root)
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .output()
        .unwrap();
    assert!(listed.status.success(), "this checkout is a git repository");
    for rel in listed.stdout.split(|&b| b == 0).filter(|p| !p.is_empty()) {
        let rel = std::str::from_utf8(rel).unwrap();
        let from = root.join(rel);
        if !from.is_file() || rel.starts_with("fuzz/") {
            continue;
        }
        let to = dest.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    let git = |args: &[&str]| {
        let out = git_env(Command::new("git"), &dest).args(args).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "--no-verify", "-m", "plan-lint as this checkout has it"]);
    let rev = git(&["rev-parse", "HEAD"]);
    (dest, rev)
}

/// A command with the test's git identity and the framework's caches under `target/`.
fn framework(cmd: &str, dir: &Path) -> Command {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let real_home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let mut c = git_env(Command::new(cmd), dir);
    c.env("PRE_COMMIT_HOME", root.join("target/pre-commit-home"))
        .envs(support::shared_release_env())
        // git_env points HOME at the repository; cargo and rustup keep their homes.
        .env("CARGO_HOME", std::env::var_os("CARGO_HOME").unwrap_or_else(|| real_home.join(".cargo").into()))
        .env("RUSTUP_HOME", std::env::var_os("RUSTUP_HOME").unwrap_or_else(|| real_home.join(".rustup").into()));
    c
}

/// Issue 13: the README's configuration, installed for real with `pre-commit install` (its
/// `default_install_hook_types` installs all four), then a developer's day through git itself:
/// prepare-commit-msg adds the branch's promise, commit-msg refuses an untraced message,
/// pre-commit refuses an untraced staged plan item, pre-push refuses a commit that skipped the
/// hooks.
#[test]
fn the_readme_config_installs_all_four_hooks_and_they_run_on_real_commits() {
    if !pre_commit_available() {
        return;
    }
    let config = config_for_this_checkout();
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n",
    )
    .write(".pre-commit-config.yaml", &config);
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    let building = support::shared_release_build();
    let out = framework("pre-commit", repo.path()).args(["install", "--install-hooks"]).output().unwrap();
    drop(building);
    let said = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    for hook in ["pre-commit", "commit-msg", "prepare-commit-msg", "pre-push"] {
        let text = std::fs::read_to_string(repo.path().join(".git/hooks").join(hook)).unwrap_or_default();
        assert!(text.contains("pre-commit"), "{hook} is not the framework's hook:\n{said}");
    }
    let commit = |args: &[&str]| {
        let out = framework("git", repo.path()).arg("commit").args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let head_message = || repo.git(&["log", "-1", "--format=%B"]);
    let count = || repo.git(&["rev-list", "--count", "HEAD"]).trim().to_string();

    // commit-msg: untraced is refused, nothing committed.
    repo.write("app.txt", "v1\n");
    repo.git(&["add", "app.txt"]);
    let (ok, said) = commit(&["-m", "Untraced work"]);
    assert!(!ok && said.contains("untraced-commit"), "{said}");
    assert_eq!(count(), "1");
    // prepare-commit-msg: the branch names the promise, the trailer is added, the commit lands.
    repo.git(&["checkout", "-q", "-b", "find-and-buy/search"]);
    let (ok, said) = commit(&["-m", "Search box"]);
    assert!(ok, "{said}");
    assert_eq!(head_message().trim_end(), "Search box\n\nPromise: find-and-buy");
    // pre-commit: a staged untraced plan item is refused.
    repo.write("ROADMAP.md", "# Plan\n\n- [ ] Untraced item\n");
    repo.git(&["add", "ROADMAP.md"]);
    let (ok, said) = commit(&["-m", "Plan", "-m", "Promise: find-and-buy"]);
    assert!(!ok && said.contains("untraced-item"), "{said}");
    assert_eq!(count(), "2");
    repo.write("ROADMAP.md", "# Plan\n\n- [ ] Traced item (Promise: find-and-buy)\n");
    repo.git(&["add", "ROADMAP.md"]);
    let (ok, said) = commit(&["-m", "Plan", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{said}");
    // pre-push: a commit that skipped the hooks is refused at the push, a traced one goes.
    let remote = tempfile::tempdir().unwrap();
    let out = git_env(Command::new("git"), remote.path()).args(["init", "-q", "--bare"]).output().unwrap();
    assert!(out.status.success());
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    // On a branch that names no promise, so prepare-commit-msg (which runs even with
    // --no-verify) adds nothing; the first push reaches the root commit, where the framework
    // passes plan-lint no range, only the local ref.
    repo.git(&["checkout", "-q", "-b", "topic"]);
    let out = framework("git", repo.path())
        .args(["commit", "-q", "--no-verify", "--allow-empty", "-m", "Sneaky"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(head_message().trim_end(), "Sneaky");
    let out = framework("git", repo.path()).args(["push", "origin", "HEAD:main"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains("untraced-commit") && said.contains("Sneaky"), "{said}");
    let out = framework("git", repo.path())
        .args(["commit", "-q", "--no-verify", "--amend", "--allow-empty", "-m", "Sneaky no more"])
        .args(["-m", "Promise: find-and-buy"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = framework("git", repo.path()).args(["push", "origin", "HEAD:main"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
