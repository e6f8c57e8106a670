//! A real editor against `plan-lint lsp`: Neovim headless with its built-in LSP client, driven by
//! tests/editors/neovim.lua (open a plan, wait for the diagnostics, fix the items, complete a
//! promise id, hover one). Skipped visibly without `nvim`; `.ci/run` installs it and makes the
//! test strict.

use crate::support;

use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};
use support::Repo;

const REGISTRY: &str = r#"[promises.search]
title = "Find a product"
statement = "A shopper finds the product they came for in under a minute."
status = "in-play"
outcomes = [{ metric = "searches ending in a product view", baseline = "40%", target = "60%" }]

[promises.checkout]
title = "Pay quickly"
statement = "A shopper pays in two steps."
status = "done"
"#;

const PLAN: &str =
    "# Roadmap\n\n## Search\n\n- [ ] Ship ranking (Promise: serch)\n- [ ] Untraced work\n- [x] Index products (Promise: search)\n";

/// The Lua block of the README's Neovim set-up, exactly as written there.
fn readme_lua() -> String {
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let at = readme.find("**Neovim**").expect("the README has a Neovim set-up");
    let rest = &readme[at..];
    let start = rest.find("```lua\n").expect("a Lua block follows") + "```lua\n".len();
    let end = rest[start..].find("```").unwrap();
    rest[start..start + end].to_string()
}

/// Run tests/editors/neovim.lua headless on the shop repository and return what it saw: with
/// `readme`, the server is started by the README's set-up from `PATH`, else by the script.
fn drive(readme: Option<&str>) -> (Repo, Value) {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", PLAN);
    repo.commit("Start\n\nPromise: search");
    let out = repo.path().join("neovim-out.json");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editors/neovim.lua");
    let mut command = support::git_env(Command::new("nvim"), repo.path());
    command
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("PLAN_LINT_ROOT", repo.path())
        .env("PLAN_LINT_BIN", support::bin())
        .env("PLAN_LINT_OUT", &out)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null());
    if let Some(lua) = readme {
        let file = repo.path().join(".git/readme-setup.lua");
        std::fs::write(&file, lua).unwrap();
        // `plan-lint` on PATH, as the README assumes, and no other.
        let bin_dir = support::bin().parent().unwrap().to_path_buf();
        let path = std::env::join_paths(
            std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
        )
        .unwrap();
        command.env("PLAN_LINT_README_LUA", &file).env("PATH", path);
    }
    let mut child = command.spawn().expect("nvim runs");
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "nvim exited with {status}");
    let text = std::fs::read_to_string(&out).expect("the script wrote its results");
    let seen: Value = serde_json::from_str(&text).unwrap();
    (repo, seen)
}

/// What the editor saw, from either start: diagnostics at their places, cleared when fixed,
/// completion in play first, hover, and a clean stop.
fn assert_session(seen: &Value) {
    assert_eq!(seen["ok"], true, "the script failed: {}", seen["error"]);
    assert_eq!(seen["shown"], true, "diagnostics arrived: {seen:#}");

    let first = seen["first"].as_array().unwrap();
    let summary: Vec<(u64, u64, &str, u64)> = first
        .iter()
        .map(|d| {
            (
                d["lnum"].as_u64().unwrap(),
                d["col"].as_u64().unwrap(),
                d["code"].as_str().unwrap(),
                d["severity"].as_u64().unwrap(),
            )
        })
        .collect();
    // Neovim's severities: 1 error. Columns are bytes in Neovim, converted from UTF-16.
    assert_eq!(summary, [(4, 29, "unknown-promise", 1), (5, 6, "untraced-item", 1)], "{seen:#}");
    assert!(first[0]["message"].as_str().unwrap().starts_with("item names unknown promise `serch`"), "{seen:#}");

    assert_eq!(seen["cleared"], true, "fixing the items cleared them: {seen:#}");
    let completion = seen["completion"].as_array().unwrap();
    let labels: Vec<&str> = completion.iter().map(|c| c["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["search", "checkout"], "in play first: {seen:#}");
    assert_eq!(completion[0]["detail"], "in-play · Find a product");
    let hover = seen["hover"].as_str().unwrap();
    assert!(hover.contains("**Find a product**") && hover.contains("under a minute"), "{hover}");
    assert_eq!(seen["stopped"], true, "the server stopped when the client asked: {seen:#}");
}

#[test]
fn neovim_shows_diagnostics_clears_them_when_fixed_and_completes_ids() {
    if !support::tool_available("nvim", "PLAN_LINT_REQUIRE_NVIM") {
        return;
    }
    let (_repo, seen) = drive(None);
    assert_session(&seen);
}

/// The README's set-up, verbatim, in the Neovim installed here (Debian's 0.7 in CI): opening a
/// plan starts the server from PATH with the registry's folder as its root.
#[test]
fn the_readmes_neovim_setup_works_as_written() {
    if !support::tool_available("nvim", "PLAN_LINT_REQUIRE_NVIM") {
        return;
    }
    let (repo, seen) = drive(Some(&readme_lua()));
    assert_eq!(seen["attached"], true, "{seen:#}");
    let root = std::fs::canonicalize(repo.path()).unwrap();
    let reported = std::fs::canonicalize(seen["root_dir"].as_str().unwrap_or_default()).ok();
    assert_eq!(reported.as_deref(), Some(root.as_path()), "root_dir is the registry's folder: {seen:#}");
    assert_session(&seen);
}
