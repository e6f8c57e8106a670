//! The real pre-commit framework (https://pre-commit.com) running plan-lint's hooks from this
//! checkout with `pre-commit try-repo`, as a team using `.pre-commit-hooks.yaml` would.
//!
//! `.ci/run` installs pre-commit from PyPI and sets PLAN_LINT_REQUIRE_PRE_COMMIT=1, so in CI a
//! missing framework is a failure; elsewhere the test says it was skipped. The framework builds
//! plan-lint with `cargo install`, into target/pre-commit-home and target/pre-commit-target.

mod support;

use std::path::Path;
use std::process::Command;
use support::{git_env, Repo};

fn pre_commit_available() -> bool {
    let ok = Command::new("pre-commit").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("PLAN_LINT_REQUIRE_PRE_COMMIT").is_none(),
            "pre-commit is required here (pip install pre-commit)"
        );
        eprintln!("SKIPPED: pre-commit is not installed (pip install pre-commit)");
    }
    ok
}

fn try_repo(repo: &Repo, hook: &str, extra: &[&str]) -> (bool, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = git_env(Command::new("pre-commit"), repo.path())
        .env("PRE_COMMIT_HOME", root.join("target/pre-commit-home"))
        // try-repo copies the checkout anew for every run; a shared target directory and a
        // cheaper release profile keep the framework's `cargo install` from rebuilding it all.
        .env("CARGO_TARGET_DIR", root.join("target/pre-commit-target"))
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .args(["try-repo", root.to_str().unwrap(), hook, "--verbose"])
        .args(extra)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn pre_commit_try_repo_runs_the_commit_msg_and_pre_commit_hooks() {
    if !pre_commit_available() {
        return;
    }
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n",
    );
    repo.commit("Adopt\n\nPromise: find-and-buy\n");

    let msg = repo.path().join("MSG");
    std::fs::write(&msg, "Untraced work\n").unwrap();
    let args = ["--hook-stage", "commit-msg", "--commit-msg-filename", msg.to_str().unwrap()];
    let (ok, out) = try_repo(&repo, "plan-lint-commit-msg", &args);
    assert!(!ok, "untraced message passed:\n{out}");
    assert!(out.contains("untraced-commit"), "{out}");

    std::fs::write(&msg, "Traced work\n\nPromise: find-and-buy\n").unwrap();
    let (ok, out) = try_repo(&repo, "plan-lint-commit-msg", &args);
    assert!(ok, "traced message failed:\n{out}");

    // pre-commit stage: a staged plan with an untraced item blocks.
    repo.write("ROADMAP.md", "# Plan\n\n- [ ] Untraced item\n");
    repo.git(&["add", "ROADMAP.md"]);
    let (ok, out) = try_repo(&repo, "plan-lint", &["--hook-stage", "pre-commit"]);
    assert!(!ok, "untraced plan passed:\n{out}");
    assert!(out.contains("untraced-item"), "{out}");
}
