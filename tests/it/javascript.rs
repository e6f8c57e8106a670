//! What a JavaScript team does, with the real tools from npm: `npm version`, husky and
//! lint-staged installed in a generated repository (the npm registry is needed once: the packages
//! are cached under `target/js-tools`). Skipped, saying so, without npm, unless
//! PLAN_LINT_REQUIRE_NPM=1 (`.ci/run` sets it).

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use support::{bin, git_env, tool_available, Repo};

/// The pinned versions the tests install (lint-staged 15 still runs on Node 18, as Debian ships it).
const PACKAGES: &[&str] = &["husky@9.1.7", "lint-staged@15.5.2"];

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

/// The README's husky section.
fn readme_husky() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("**husky** (v9)").expect("the README shows husky");
    let end = readme[start..].find("\n## ").map_or(readme.len(), |e| start + e);
    readme[start..end].to_string()
}

/// The fenced block after `marker` in `text`.
fn block_after(text: &str, marker: &str) -> String {
    let at = text.find(marker).unwrap_or_else(|| panic!("the README shows {marker}"));
    let open = text[at..].find("```").unwrap() + at;
    let open = text[open..].find('\n').unwrap() + open + 1;
    let close = text[open..].find("```").unwrap() + open;
    text[open..close].to_string()
}

/// The README's four husky hook files, verbatim.
fn readme_husky_files() -> Vec<(&'static str, String)> {
    let section = readme_husky();
    ["pre-commit", "prepare-commit-msg", "commit-msg", "pre-push"]
        .into_iter()
        .map(|hook| (hook, block_after(&section, &format!("`.husky/{hook}`:"))))
        .collect()
}

/// A library with husky set up as its docs and the README say: node_modules from the cache,
/// `husky init`, then the README's four files.
fn husky_library(tools: &Path) -> Repo {
    let repo = library();
    std::os::unix::fs::symlink(tools.join("node_modules"), repo.path().join("node_modules")).unwrap();
    let (ok, out) = shell(&repo, tools, "node_modules/.bin/husky", &["init"]);
    assert!(ok, "husky init: {out}");
    assert_eq!(repo.git(&["config", "core.hooksPath"]).trim(), ".husky/_");
    let package = std::fs::read_to_string(repo.path().join("package.json")).unwrap();
    assert!(package.contains("\"prepare\": \"husky\""), "{package}");
    for (hook, text) in readme_husky_files() {
        repo.write(&format!(".husky/{hook}"), &text);
    }
    // plan-lint's own installer sees husky: it writes nothing into .husky/_ (which the next
    // `npm install` rewrites) and prints the README's files instead.
    let run = repo.plan_lint(&["install", "--force"]);
    run.expect_code(0);
    assert!(run.stdout.contains("Its hook files already run plan-lint"), "{}", run.stdout);
    assert!(!repo.path().join(".husky/_/commit-msg.pre-plan-lint").exists());
    repo.git(&["add", "-A"]);
    let (ok, out) = shell(&repo, tools, "git", &["commit", "-qm", "Add husky\n\nPromise: find-and-buy"]);
    assert!(ok, "{out}");
    repo
}

fn message(repo: &Repo, rev: &str) -> String {
    repo.git(&["log", "-1", "--format=%B", rev])
}

/// The README's husky files under the real husky: an untraced commit is stopped, the branch
/// names the promise, a merge gets no trailer (prepare-commit-msg is given git's source), an
/// amend with `-a` commits the working tree's change, pre-push reads the refs on standard input,
/// `npm version patch` commits and tags, and a teammate without plan-lint is told how to get it.
#[test]
fn the_readme_husky_files_run_under_husky() {
    let Some(tools) = js_tools() else { return };
    let repo = husky_library(tools);
    let git = |args: &[&str]| shell(&repo, tools, "git", args);

    repo.write("src/search.js", "export const search = () => [];\n");
    repo.git(&["add", "src/search.js"]);
    let (ok, out) = git(&["commit", "-qm", "Search"]);
    assert!(!ok && out.contains("untraced-commit") && out.contains("husky - commit-msg"), "{out}");

    // prepare-commit-msg: the branch names the promise.
    repo.git(&["checkout", "-q", "-b", "find-and-buy/search"]);
    let (ok, out) = git(&["commit", "-qm", "Search"]);
    assert!(ok, "{out}");
    assert!(message(&repo, "HEAD").contains("\nPromise: find-and-buy"), "{}", message(&repo, "HEAD"));

    // An amend with -a: the working tree's change is in the amended commit, the trailer kept.
    repo.write("src/search.js", "export const search = (q) => [q];\n");
    let (ok, out) = git(&["commit", "-qa", "--amend", "-m", "Search by query"]);
    assert!(ok, "{out}");
    assert_eq!(repo.git(&["status", "--porcelain", "--untracked-files=no"]), "");
    assert!(repo.git(&["show", "HEAD:src/search.js"]).contains("(q)"));
    assert!(
        message(&repo, "HEAD").starts_with("Search by query\n\nPromise: find-and-buy"),
        "{}",
        message(&repo, "HEAD")
    );

    // A merge on a branch that names a promise: no trailer is added to the merge.
    repo.git(&["checkout", "-q", "-b", "side", "main"]);
    repo.write("docs.md", "docs\n");
    repo.git(&["add", "docs.md"]);
    let (ok, out) = git(&["commit", "-qm", "Docs\n\nPromise: find-and-buy"]);
    assert!(ok, "{out}");
    repo.git(&["checkout", "-q", "find-and-buy/search"]);
    let (ok, out) = git(&["merge", "--no-ff", "--no-edit", "side"]);
    assert!(ok, "{out}");
    assert_eq!(repo.git(&["rev-list", "--count", "--merges", "-1", "HEAD"]).trim(), "1");
    assert!(!message(&repo, "HEAD").contains("Promise:"), "a merge got a trailer: {}", message(&repo, "HEAD"));

    // pre-push reads git's ref lines on standard input: an untraced commit made with
    // --no-verify does not leave the machine.
    let remote = tempfile::tempdir().unwrap();
    repo.git(&["init", "-q", "--bare", remote.path().to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    let (ok, out) = git(&["push", "-q", "origin", "find-and-buy/search"]);
    assert!(ok, "{out}");
    repo.git(&["checkout", "-q", "-b", "sneaky"]);
    let (ok, out) = git(&["commit", "-q", "--no-verify", "--allow-empty", "-m", "Sneaky"]);
    assert!(ok, "{out}");
    let (ok, out) = git(&["push", "-q", "origin", "sneaky:find-and-buy/search"]);
    assert!(!ok && out.contains("untraced-commit") && out.contains("Sneaky"), "{out}");

    // A release through npm: its commit needs no trailer, the tag is made.
    repo.git(&["checkout", "-q", "main"]);
    let (ok, out) = shell(&repo, tools, "npm", &["version", "patch"]);
    assert!(ok, "npm version patch under husky: {out}");
    assert_eq!(repo.git(&["tag", "--points-at", "HEAD"]).trim(), "v2.0.3");

    // A teammate without plan-lint: told how to install it, not `plan-lint: not found`.
    let out = git_env(Command::new("git"), repo.path())
        .args(["commit", "-q", "--allow-empty", "-m", "Work"])
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", repo.path().join(".git/test-home"))
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        !out.status.success() && text.contains("plan-lint is not installed: see https://"),
        "{:?} {text}",
        out.status
    );
}

/// The README's lint-staged entry under the real lint-staged (run by husky's pre-commit): the
/// staged Markdown files are judged, and only they: a plan already committed with a problem does
/// not block unrelated work, a README is no plan document, a staged untraced item blocks.
#[test]
fn the_readme_lint_staged_entry_judges_the_staged_files() {
    let Some(tools) = js_tools() else { return };
    let repo = husky_library(tools);
    let git = |args: &[&str]| shell(&repo, tools, "git", args);
    let entry: serde_json::Value = serde_json::from_str(&block_after(&readme_husky(), "**lint-staged**")).unwrap();
    let mut package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.path().join("package.json")).unwrap()).unwrap();
    package["lint-staged"] = entry["lint-staged"].clone();
    repo.write("package.json", &serde_json::to_string_pretty(&package).unwrap());
    repo.write(".husky/pre-commit", "npx --no-install lint-staged\n");
    repo.write("plans/old.md", "# Old\n\n- [ ] Left untraced long ago\n");
    let (ok, out) = git(&["add", "-A"]);
    assert!(ok, "{out}");
    let (ok, out) = git(&["commit", "-q", "--no-verify", "-m", "lint-staged\n\nPromise: find-and-buy"]);
    assert!(ok, "{out}");

    repo.write("ROADMAP.md", "# Roadmap\n\n- [ ] Ranking (Promise: find-and-buy)\n");
    repo.write("README.md", "# shop-lib\n\n- [ ] not a plan item\n");
    repo.git(&["add", "ROADMAP.md", "README.md"]);
    let (ok, out) = git(&["commit", "-qm", "Plan the ranking\n\nPromise: find-and-buy"]);
    assert!(ok, "lint-staged with the staged plan: {out}");

    repo.write("ROADMAP.md", "# Roadmap\n\n- [ ] Ranking (Promise: find-and-buy)\n- [ ] Untraced idea\n");
    repo.git(&["add", "ROADMAP.md"]);
    let (ok, out) = git(&["commit", "-qm", "Another idea\n\nPromise: find-and-buy"]);
    assert!(!ok && out.contains("untraced-item") && out.contains("Untraced idea"), "{out}");
    assert!(!out.contains("Left untraced long ago"), "only the staged files are judged: {out}");
}
