//! What a JavaScript team does, with the real tools from npm: `npm version`, husky and
//! lint-staged installed in a generated repository (the npm registry is needed once: the packages
//! are cached under `target/js-tools`). Skipped, saying so, without npm, unless
//! PLAN_LINT_REQUIRE_NPM=1 (`.ci/run` sets it).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use support::{bin, git_env, tool_available, Repo};

/// The pinned versions the tests install (lint-staged 16 runs on Node 20.17 and later).
const PACKAGES: &[&str] = &["husky@9.1.7", "lint-staged@16.4.0"];

/// `target/js-tools`, with husky and lint-staged installed in its `node_modules` (once per
/// machine; a rerun finds them). `None` when npm is missing and not required.
fn js_tools() -> Option<&'static Path> {
    if !tool_available("npm", "PLAN_LINT_REQUIRE_NPM") {
        return None;
    }
    static TOOLS: OnceLock<PathBuf> = OnceLock::new();
    Some(TOOLS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/js-tools");
        let installed = PACKAGES.iter().all(|p| {
            let (name, version) = p.rsplit_once('@').unwrap();
            std::fs::read_to_string(dir.join("node_modules").join(name).join("package.json"))
                .is_ok_and(|t| t.contains(&format!("\"version\": \"{version}\"")))
        });
        if !installed {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("package.json"), "{\"private\": true}\n").unwrap();
            let out = Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--no-save"])
                .args(PACKAGES)
                .current_dir(&dir)
                .env("npm_config_cache", dir.join("cache"))
                .output()
                .expect("npm runs");
            assert!(out.status.success(), "npm install failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        dir
    }))
}

/// A command run in `repo` as a developer's shell runs it: hermetic git, the fresh plan-lint
/// first on PATH, npm's cache under `target/js-tools`.
fn shell(repo: &Repo, tools: &Path, program: &str, args: &[&str]) -> (bool, String) {
    let path = format!("{}:{}", bin().parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let home = repo.path().join(".git/test-home");
    std::fs::create_dir_all(&home).unwrap();
    let out = git_env(Command::new(program), repo.path())
        .args(args)
        .env("PATH", &path)
        .env("HOME", &home)
        .env("npm_config_cache", tools.join("cache"))
        .env("npm_config_update_notifier", "false")
        .env_remove("CI")
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

const REGISTRY: &str = "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\n\
                        outcomes = [{ metric = \"m\", target = \"t\" }]\n";

/// A library at version 2.0.2 with a registry, committed.
fn library() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.write("package.json", "{\n  \"name\": \"shop-lib\",\n  \"version\": \"2.0.2\"\n}\n");
    repo.write(".gitignore", "node_modules\n");
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    repo
}

/// `npm version patch` commits `2.0.3` and tags it through plan-lint's hooks: a release tool's
/// commit needs no trailer (it used to abort with "An unknown git error occurred", leaving
/// package.json staged and no tag).
#[test]
fn npm_version_commits_and_tags_through_the_hooks() {
    let Some(tools) = js_tools() else { return };
    let repo = library();
    repo.plan_lint(&["install"]).expect_code(0);
    let (ok, out) = shell(&repo, tools, "npm", &["version", "patch"]);
    assert!(ok, "npm version patch failed:\n{out}");
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]).trim(), "2.0.3");
    assert_eq!(repo.git(&["tag", "--points-at", "HEAD"]).trim(), "v2.0.3");
    assert_eq!(repo.git(&["status", "--porcelain"]).trim(), "", "nothing left staged");
    // The hooks were live: an ordinary untraced commit is still rejected.
    repo.write("a.txt", "a\n");
    let (ok, out) = shell(&repo, tools, "git", &["commit", "-qam", "Untraced work", "--allow-empty"]);
    assert!(!ok && out.contains("untraced-commit"), "{out}");
}
