//! A real editor against `plan-lint lsp`: Neovim headless with its built-in LSP client, driven by
//! tests/editors/neovim.lua (open a plan, wait for the diagnostics, fix the items, complete a
//! promise id, hover one). Skipped visibly without `nvim`; `.ci/run` installs it and makes the
//! test strict.

mod support;

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

#[test]
fn neovim_shows_diagnostics_clears_them_when_fixed_and_completes_ids() {
    if !support::tool_available("nvim", "PLAN_LINT_REQUIRE_NVIM") {
        return;
    }
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", PLAN);
    repo.commit("Start\n\nPromise: search");
    let out = repo.path().join("neovim-out.json");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editors/neovim.lua");
    let mut child = support::git_env(Command::new("nvim"), repo.path())
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("PLAN_LINT_ROOT", repo.path())
        .env("PLAN_LINT_BIN", support::bin())
        .env("PLAN_LINT_OUT", &out)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("nvim runs");
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
