//! `plan-lint lsp` at the protocol level: the real binary spawned, spoken to over stdio with
//! Content-Length framing as an editor speaks to it. Diagnostics are compared with what
//! `plan-lint check --format json` says about the same text.

use crate::support;

use serde_json::{json, Value};
use std::io::Write;
use std::process::Command;
use support::lsp_client::{wait_exit, Client};
use support::Repo;

const REGISTRY: &str = r#"[limits]
in-play = 3

[customers.shopper]
description = "People who buy from the shop"

[promises.search]
title = "Find a product"
statement = "A shopper finds the product they came for in under a minute."
customer = "shopper"
owner = "@search-team"
status = "in-play"
priority = "must"
outcomes = [{ metric = "searches ending in a product view", baseline = "40%", target = "60%" }]

[promises.checkout]
title = "Pay quickly"
statement = "A shopper pays in two steps."
customer = "shopper"
status = "done"

[promises.wishlist]
statement = "A shopper keeps a list for later."
customer = "shopper"
status = "proposed"

[plans]
include = ["ROADMAP.md", "plans/**/*.md"]

[issues]
include = ["issues/*.md"]
"#;

const PLAN: &str = "# Roadmap\n\n## Search\n\n- [ ] Ship 🚀 ranking (Promise: serch)\n- [ ] Untraced work\n- [x] Index products (Promise: search)\n\n### Details\n\ntext\n";

/// A client on a fresh `plan-lint lsp` in `dir`, initialized.
fn start(dir: &std::path::Path) -> Client {
    let mut cmd = support::git_env(Command::new(support::bin()), dir);
    cmd.arg("lsp");
    Client::start(cmd, dir)
}

fn uri(repo: &Repo, rel: &str) -> String {
    format!("file://{}/{rel}", repo.path().display())
}

fn shop() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", PLAN);
    repo.write("issues/42-filters.md", "---\nstatus: open\npromise: search\n---\n# Filters\n");
    repo.write("plans/q3.md", "Promise: search\n\n- [ ] Synonyms\n");
    repo.commit("Start\n\nPromise: search");
    repo
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

/// A message as it goes over the wire.
fn frame(message: &Value) -> String {
    let body = message.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

/// The UTF-16 column of a 1-based character column in `line`.
fn utf16(line: &str, chars: u64) -> u64 {
    line.chars().take(chars as usize - 1).map(|c| c.len_utf16() as u64).sum()
}

#[test]
fn diagnostics_are_checks_findings_with_the_same_codes_messages_and_ranges() {
    let repo = shop();
    let json = repo.plan_lint(&["check", "--no-commits", "--format", "json"]);
    json.expect_code(1);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    let expected: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["path"] == "ROADMAP.md").collect();
    assert_eq!(expected.len(), 2, "{}", json.stdout);

    let mut client = start(repo.path());
    let roadmap = uri(&repo, "ROADMAP.md");
    client.open(&roadmap, "markdown", PLAN);
    let got = client.diagnostics(&roadmap);
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    let lines: Vec<&str> = PLAN.lines().collect();
    for (d, f) in got.iter().zip(&expected) {
        assert_eq!(d["code"], f["code"]);
        assert_eq!(d["source"], "plan-lint");
        let severity = if f["severity"] == "error" { 1 } else { 2 };
        assert_eq!(d["severity"], severity, "{d}");
        let message = d["message"].as_str().unwrap();
        let first = message.lines().next().unwrap();
        assert_eq!(first, f["message"].as_str().unwrap());
        if let Some(help) = f["help"].as_str() {
            assert_eq!(message, format!("{first}\nhelp: {help}"));
        }
        let (line, col, end_line, end_col) = (
            f["line"].as_u64().unwrap(),
            f["column"].as_u64().unwrap(),
            f["end_line"].as_u64().unwrap(),
            f["end_column"].as_u64().unwrap(),
        );
        let range = &d["range"];
        assert_eq!(range["start"]["line"], line - 1);
        assert_eq!(range["start"]["character"], utf16(lines[line as usize - 1], col), "{d} vs {f}");
        assert_eq!(range["end"]["line"], end_line - 1);
        assert_eq!(range["end"]["character"], utf16(lines[end_line as usize - 1], end_col));
    }
    // The unknown id sits after an emoji: two UTF-16 units, one character in check's columns.
    let unknown = got.iter().find(|d| d["code"] == "unknown-promise").unwrap();
    assert_eq!(unknown["range"]["start"], json!({"line": 4, "character": 32}), "{unknown}");
    assert_eq!(client.finish(), 0);
}

#[test]
fn typing_fixes_clear_diagnostics_and_registry_edits_rejudge_open_plans() {
    let repo = shop();
    let mut client = start(repo.path());
    let roadmap = uri(&repo, "ROADMAP.md");
    client.open(&roadmap, "markdown", PLAN);
    assert_eq!(codes(&client.diagnostics(&roadmap)), ["unknown-promise", "untraced-item"]);

    // Incremental edits: fix the typo, then trace the untraced item.
    let line4 = PLAN.lines().nth(4).unwrap();
    let at = utf16(line4, line4.chars().count() as u64 - 5);
    client.change(
        &roadmap,
        2,
        json!([{"range": {"start": {"line": 4, "character": at}, "end": {"line": 4, "character": at + 5}}, "text": "search"}]),
    );
    assert_eq!(codes(&client.diagnostics(&roadmap)), ["untraced-item"]);
    // Typed a character at a time, 18 changes in one write (as a client flushes a burst): edits
    // that arrive together are judged together, once, and the diagnostics are the final text's.
    let burst: String = " (Promise: search)"
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let at = json!({"line": 5, "character": 19 + i});
            frame(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": roadmap, "version": 3 + i},
                "contentChanges": [{"range": {"start": at, "end": at}, "text": c.to_string()}],
            }}))
        })
        .collect();
    client.stdin.as_mut().unwrap().write_all(burst.as_bytes()).unwrap();
    client.stdin.as_mut().unwrap().flush().unwrap();
    // A request is answered after every edit before it is judged.
    let r = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": roadmap}}));
    assert!(r.get("error").is_none(), "{r}");
    let published = client.all_diagnostics(&roadmap);
    assert!((1..=2).contains(&published.len()), "18 edits in one write published {} times", published.len());
    assert_eq!(published.last().unwrap(), &Vec::<Value>::new(), "fixed: cleared");

    // An unsaved edit of the registry drops `search`: the open plan is judged again.
    let registry = uri(&repo, "promises.toml");
    client.open(&registry, "toml", REGISTRY);
    assert_eq!(client.diagnostics(&registry), Vec::<Value>::new());
    assert_eq!(client.diagnostics(&roadmap), Vec::<Value>::new(), "judged again, still clean");
    let dropped = REGISTRY.replacen("status = \"in-play\"", "status = \"dropped\"", 1);
    client.change(&registry, 2, json!([{"text": dropped}]));
    assert_eq!(client.diagnostics(&registry), Vec::<Value>::new());
    let now = client.diagnostics(&roadmap);
    assert!(codes(&now).iter().all(|c| c == "open-work-not-in-play"), "{now:#?}");
    assert_eq!(now.len(), 2, "the two open items: {now:#?}");

    // A broken registry: diagnostics in promises.toml, at the error, and the server lives on.
    client.change(&registry, 3, json!([{"text": "[promises.search\nstatus = 1\n"}]));
    let broken = client.diagnostics(&registry);
    assert_eq!(broken.len(), 1, "{broken:#?}");
    assert_eq!(broken[0]["severity"], 1);
    assert_eq!(broken[0]["range"]["start"]["line"], 0, "{broken:#?}");
    assert_eq!(client.diagnostics(&roadmap), Vec::<Value>::new(), "nothing judged against a broken registry");
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": roadmap}, "position": {"line": 4, "character": 32}}),
    );
    assert!(hover.get("error").is_none() && hover["result"].is_null(), "{hover}");
    // Fixed again: the registry's diagnostics clear and the plan is clean.
    client.change(&registry, 4, json!([{"text": REGISTRY}]));
    assert_eq!(client.diagnostics(&registry), Vec::<Value>::new());
    assert_eq!(client.diagnostics(&roadmap), Vec::<Value>::new());
    assert_eq!(client.finish(), 0);
}

#[test]
fn registry_rules_report_in_promises_toml() {
    let repo = shop();
    let mut client = start(repo.path());
    let registry = uri(&repo, "promises.toml");
    let no_outcome = REGISTRY.replacen(
        "outcomes = [{ metric = \"searches ending in a product view\", baseline = \"40%\", target = \"60%\" }]\n",
        "",
        1,
    );
    client.open(&registry, "toml", &no_outcome);
    let got = client.diagnostics(&registry);
    assert_eq!(codes(&got), ["no-outcome"], "{got:#?}");
    assert_eq!(got[0]["range"]["start"]["line"], 6, "[promises.search]: {got:#?}");
    assert_eq!(client.finish(), 0);
}

#[test]
fn completion_offers_promises_in_play_first_and_registry_values() {
    let repo = shop();
    let mut client = start(repo.path());
    let plan = uri(&repo, "plans/new.md");
    let text = "- [ ] Facets (Promise: \n";
    client.open(&plan, "markdown", text);
    let items = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": plan}, "position": {"line": 0, "character": 23}}),
    );
    let mut list = items["result"].as_array().cloned().unwrap();
    list.sort_by_key(|i| i["sortText"].as_str().unwrap().to_string());
    let labels: Vec<&str> = list.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["search", "checkout", "wishlist"], "in play first: {items}");
    assert_eq!(list[0]["detail"], "in-play · Find a product");
    assert!(list[0]["documentation"]["value"].as_str().unwrap().contains("under a minute"));

    // After a partial id, and with `Promises:` lists.
    client.change(&plan, 2, json!([{"text": "Promises: checkout, se\n"}]));
    let items = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": plan}, "position": {"line": 0, "character": 22}}),
    );
    let first = &items["result"][0];
    assert_eq!(first["textEdit"]["range"]["start"]["character"], 20, "replaces the partial id: {first}");
    // Not after ordinary text.
    client.change(&plan, 3, json!([{"text": "- [ ] We promise \n"}]));
    let none = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": plan}, "position": {"line": 0, "character": 17}}),
    );
    assert!(none["result"].is_null(), "{none}");

    let registry = uri(&repo, "promises.toml");
    let edited = REGISTRY.replacen("status = \"proposed\"", "status = \"", 1);
    client.open(&registry, "toml", &edited);
    let line = edited.lines().position(|l| l == "status = \"").unwrap();
    let values = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": registry}, "position": {"line": line, "character": 10}}),
    );
    let labels: Vec<&str> = values["result"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["in-play", "proposed", "done", "dropped"]);
    let customer = edited.lines().position(|l| l.starts_with("customer = ")).unwrap();
    let values = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": registry}, "position": {"line": customer, "character": 12}}),
    );
    assert_eq!(values["result"][0]["label"], "shopper", "{values}");
    assert_eq!(client.finish(), 0);
}

#[test]
fn hover_definition_references_rename_and_symbols() {
    let repo = shop();
    let mut client = start(repo.path());
    let roadmap = uri(&repo, "ROADMAP.md");
    client.open(&roadmap, "markdown", PLAN);
    client.diagnostics(&roadmap);
    let at = json!({"textDocument": {"uri": roadmap}, "position": {"line": 6, "character": 32}});

    let hover = client.request("textDocument/hover", at.clone());
    let value = hover["result"]["contents"]["value"].as_str().unwrap();
    for part in [
        "**Find a product**",
        "`search`",
        "under a minute",
        "status: in-play",
        "priority: must",
        "customer: shopper",
        "owner: @\u{2060}search-team",
        "searches ending in a product view: 40% → 60%",
    ] {
        assert!(value.contains(part), "{part} in {value}");
    }

    let definition = client.request("textDocument/definition", at.clone());
    assert_eq!(definition["result"]["uri"], uri(&repo, "promises.toml"));
    let line = REGISTRY.lines().position(|l| l == "[promises.search]").unwrap();
    assert_eq!(
        definition["result"]["range"],
        json!({"start": {"line": line, "character": 10}, "end": {"line": line, "character": 16}})
    );

    let mut refs_params = at.clone();
    refs_params["context"] = json!({"includeDeclaration": false});
    let refs = client.request("textDocument/references", refs_params);
    let mut places: Vec<(String, u64)> = refs["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let u = l["uri"].as_str().unwrap();
            (u.rsplit('/').next().unwrap().to_string(), l["range"]["start"]["line"].as_u64().unwrap())
        })
        .collect();
    places.sort();
    assert_eq!(places, [("42-filters.md".to_string(), 2), ("ROADMAP.md".into(), 6), ("q3.md".into(), 0)]);

    let mut rename = at.clone();
    rename["newName"] = json!("find-products");
    let edit = client.request("textDocument/rename", rename.clone());
    let changes = edit["result"]["changes"].as_object().unwrap();
    let count =
        |file: &str| changes.iter().find(|(u, _)| u.ends_with(file)).map_or(0, |(_, e)| e.as_array().unwrap().len());
    assert_eq!(
        (count("promises.toml"), count("ROADMAP.md"), count("q3.md"), count("42-filters.md")),
        (1, 1, 1, 1),
        "{edit}"
    );
    assert!(changes.values().flat_map(|e| e.as_array().unwrap()).all(|e| e["newText"] == "find-products"));
    rename["newName"] = json!("Find Products");
    let refused = client.request("textDocument/rename", rename.clone());
    assert!(refused["error"]["message"].as_str().unwrap().contains("try `find-products`"), "{refused}");
    rename["newName"] = json!("checkout");
    let taken = client.request("textDocument/rename", rename);
    assert!(taken["error"]["message"].as_str().unwrap().contains("exists already"), "{taken}");

    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": roadmap}}));
    let top = &symbols["result"][0];
    assert_eq!(top["name"], "Roadmap");
    assert_eq!(top["children"][0]["name"], "Search");
    assert_eq!(top["children"][0]["children"][0]["name"], "Details");
    let registry = uri(&repo, "promises.toml");
    client.open(&registry, "toml", REGISTRY);
    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": registry}}));
    let names: Vec<&str> = symbols["result"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["search", "checkout", "wishlist"]);
    assert_eq!(symbols["result"][0]["detail"], "Find a product");
    // Hover in the registry (on the table's key) and in a commit message.
    let on_key = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": registry}, "position": {"line": line, "character": 12}}),
    );
    assert!(on_key["result"]["contents"]["value"].as_str().unwrap().contains("under a minute"), "{on_key}");
    let message = uri(&repo, ".git/COMMIT_EDITMSG");
    client.open(&message, "git-commit", "Add facets\n\nPromise: search\n");
    let in_message = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": message}, "position": {"line": 2, "character": 11}}),
    );
    assert!(in_message["result"]["contents"]["value"].as_str().unwrap().contains("status: in-play"), "{in_message}");
    assert_eq!(client.finish(), 0);
}

#[test]
fn quick_fixes_replace_an_unknown_id_and_trace_an_item() {
    let repo = shop();
    let mut client = start(repo.path());
    let roadmap = uri(&repo, "ROADMAP.md");
    client.open(&roadmap, "markdown", PLAN);
    let diagnostics = client.diagnostics(&roadmap);
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": roadmap}, "range": diagnostics[0]["range"], "context": {"diagnostics": diagnostics}}),
    );
    let list = actions["result"].as_array().unwrap();
    let titles: Vec<&str> = list.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Replace with `search`", "Trace to `search`"], "{actions}");
    let replace = &list[0]["edit"]["changes"][&roadmap][0];
    assert_eq!(replace["newText"], "search");
    assert_eq!(replace["range"], diagnostics[0]["range"]);
    let trace = &list[1]["edit"]["changes"][&roadmap][0];
    assert_eq!(trace["newText"], " (Promise: search)");
    assert_eq!(trace["range"]["start"], json!({"line": 5, "character": 19}));
    assert_eq!(client.finish(), 0);
}

#[test]
fn commit_messages_are_judged_as_git_will_store_them_and_get_a_trailer_fix() {
    let repo = shop();
    // With `commit.verbose`, git cuts the message at the scissors line.
    repo.git(&["config", "commit.verbose", "true"]);
    let mut client = start(repo.path());
    let message = uri(&repo, ".git/COMMIT_EDITMSG");
    let text = "# An early comment\n\nAdd facets  \n\n# Please enter the commit message for your changes.\n# ------------------------ >8 ------------------------\nPromise: search\n";
    client.open(&message, "gitcommit", text);
    let got = client.diagnostics(&message);
    assert_eq!(codes(&got), ["untraced-commit"], "the trailer under the scissors is cut: {got:#?}");
    assert_eq!(got[0]["range"]["start"]["line"], 2, "on the subject as written: {got:#?}");
    assert_eq!(got[0]["severity"], 1);

    // The same verdict as the commit-msg hook on the same text.
    std::fs::write(repo.path().join(".git/COMMIT_EDITMSG"), text).unwrap();
    let hook =
        support::run_with(repo.path(), &["hook", "commit-msg", ".git/COMMIT_EDITMSG"], &[("GIT_EDITOR", "vi")], None);
    hook.expect_code(1);
    assert!(hook.stderr.contains("untraced-commit"), "{}", hook.stderr);

    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": message}, "range": got[0]["range"], "context": {"diagnostics": got}}),
    );
    let action = &actions["result"][0];
    assert_eq!(action["title"], "Add `Promise: search` trailer");
    let edit = &action["edit"]["changes"][&message][0];
    let fixed = apply(text, edit);
    // git reads the trailer where the fix put it.
    std::fs::write(repo.path().join("fixed.txt"), &fixed).unwrap();
    let out = support::git_env(Command::new("sh"), repo.path())
        .args(["-c", "git stripspace --strip-comments < fixed.txt | git interpret-trailers --parse"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Promise: search\n", "{fixed}");
    client.change(&message, 2, json!([{"text": fixed}]));
    assert_eq!(client.diagnostics(&message), Vec::<Value>::new());
    assert_eq!(client.finish(), 0);
}

/// Apply one text edit (UTF-16 positions over ASCII lines here).
fn apply(text: &str, edit: &Value) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + p["character"].as_u64().unwrap() as usize
    };
    let (start, end) = (offset(&edit["range"]["start"]), offset(&edit["range"]["end"]));
    format!("{}{}{}", &text[..start], edit["newText"].as_str().unwrap(), &text[end..])
}

#[test]
fn protocol_hygiene() {
    let repo = shop();
    // Unknown requests: MethodNotFound. Requests after shutdown: refused. shutdown + exit: 0.
    let mut client = start(repo.path());
    let r = client.request("workspace/frobnicate", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    assert_eq!(client.finish(), 0);

    // exit without shutdown: 1.
    let mut client = start(repo.path());
    client.notify("exit", Value::Null);
    assert_eq!(wait_exit(&mut client.child), 1);

    // The client dies (its end of the pipe closes): the server exits instead of spinning.
    let mut client = start(repo.path());
    drop(client.stdin.take());
    assert_eq!(wait_exit(&mut client.child), 1);

    // Garbage on the wire: the server stops with an error saying why, it does not hang.
    let mut child = support::git_env(Command::new(support::bin()), repo.path())
        .arg("lsp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"Content-Length: nonsense\r\n\r\n{}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the editor's input is not the protocol: a malformed Content-Length"), "{stderr}");
}

#[test]
fn a_keystroke_needs_no_commit_and_issue_files_are_judged() {
    let repo = shop();
    // Remove every commit object: `check` now fails, while the trees and blobs the index names
    // stay and the editor judges on. (The editor's history lookups fail quietly here, so this
    // does not prove that none is made: the commit-message test with a suggestion does.)
    let objects = repo.git(&["cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"]);
    let commits: Vec<&str> = objects.lines().filter(|l| l.ends_with(" commit")).map(|l| &l[..40]).collect();
    assert!(!commits.is_empty());
    for c in commits {
        std::fs::remove_file(repo.path().join(".git/objects").join(&c[..2]).join(&c[2..])).unwrap();
    }
    repo.plan_lint(&["check"]).expect_code(2);

    let mut client = start(repo.path());
    let roadmap = uri(&repo, "ROADMAP.md");
    client.open(&roadmap, "markdown", PLAN);
    assert_eq!(codes(&client.diagnostics(&roadmap)), ["unknown-promise", "untraced-item"]);
    let issue = uri(&repo, "issues/42-filters.md");
    client.open(&issue, "markdown", "---\nstatus: open\npromise: checkout\n---\n# Filters\n");
    let got = client.diagnostics(&issue);
    assert_eq!(codes(&got), ["open-work-not-in-play"], "an open issue on a done promise: {got:#?}");
    assert_eq!(got[0]["range"]["start"]["line"], 2, "{got:#?}");
    let message = uri(&repo, ".git/COMMIT_EDITMSG");
    client.open(&message, "git-commit", "Add facets\n\n# Please enter the commit message\n");
    assert_eq!(codes(&client.diagnostics(&message)), ["untraced-commit"]);
    client.change(&message, 2, json!([{"text": "Add facets\n\nPromise: search\n"}]));
    assert_eq!(client.diagnostics(&message), Vec::<Value>::new());
    assert_eq!(client.finish(), 0);
}

/// Random incremental edits (multi-byte characters, line breaks, positions past a line's end,
/// which the protocol clamps to it) against a model of the text: at checkpoints the server's
/// diagnostics are `check --format json`'s on the same text, written to disk.
#[test]
fn random_incremental_edits_keep_the_server_in_step_with_check() {
    use support::rng::Rng;
    let repo = shop();
    let mut client = start(repo.path());
    let roadmap = uri(&repo, "ROADMAP.md");
    let mut model = PLAN.to_string();
    client.open(&roadmap, "markdown", &model);
    client.diagnostics(&roadmap);
    let pieces = [
        "- [ ] Item (Promise: search)\n",
        "- [ ] Untraced ",
        "(Promise: serch)",
        "é",
        "😀",
        "\n",
        "",
        "Promise: checkout\n",
        "## Heading\n",
        "x",
        "- [ ] Untraced work\n",
        "- [ ] Ship 😀 é (Promise: serch)\n",
    ];
    // UTF-16 position → byte offset in `text`, clamping past a line's end (the protocol's rule).
    let offset = |text: &str, line: usize, character: usize| -> usize {
        let mut start = 0;
        for _ in 0..line {
            match text[start..].find('\n') {
                Some(i) => start += i + 1,
                None => return text.len(),
            }
        }
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let mut units = 0;
        for (i, c) in text[start..end].char_indices() {
            if units >= character {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    };
    let mut rng = Rng(0x5eed_1e55);
    let mut version = 1;
    let mut compared = 0;
    for round in 0..10 {
        for _ in 0..60 {
            let lines = model.lines().count() + 1;
            let (l1, c1) = (rng.below(lines), rng.below(40));
            let (l2, c2) = if rng.below(3) == 0 { (l1, c1) } else { (l1 + rng.below(2), rng.below(40)) };
            let (a, b) = (offset(&model, l1, c1), offset(&model, l2, c2));
            // A start after the end is not a range a client sends.
            if a > b || !model.is_char_boundary(a) || !model.is_char_boundary(b) {
                continue;
            }
            let piece = pieces[rng.below(pieces.len())];
            version += 1;
            client.change(
                &roadmap,
                version,
                json!([{"range": {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}, "text": piece}]),
            );
            model.replace_range(a..b, piece);
        }
        // Every edit judged: the last publication is the final text's.
        let r = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": roadmap}}));
        assert!(r.get("error").is_none(), "{r}");
        let published = client.all_diagnostics(&roadmap);
        let got = published.last().cloned().unwrap_or_default();
        std::fs::write(repo.path().join("ROADMAP.md"), &model).unwrap();
        let json = repo.plan_lint(&["check", "--no-commits", "--format", "json"]);
        let report: Value = serde_json::from_str(&json.stdout).unwrap();
        let lines: Vec<&str> = model.split('\n').collect();
        let want: Vec<(String, u64, u64, u64, u64)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == "ROADMAP.md")
            .map(|f| {
                let (l, c, el, ec) = (
                    f["line"].as_u64().unwrap(),
                    f["column"].as_u64().unwrap(),
                    f["end_line"].as_u64().unwrap(),
                    f["end_column"].as_u64().unwrap(),
                );
                let code = f["code"].as_str().unwrap().to_string();
                (code, l - 1, utf16(lines[l as usize - 1], c), el - 1, utf16(lines[el as usize - 1], ec))
            })
            .collect();
        let got: Vec<(String, u64, u64, u64, u64)> = got
            .iter()
            .map(|d| {
                let r = &d["range"];
                let n = |v: &Value| v.as_u64().unwrap();
                (
                    d["code"].as_str().unwrap().to_string(),
                    n(&r["start"]["line"]),
                    n(&r["start"]["character"]),
                    n(&r["end"]["line"]),
                    n(&r["end"]["character"]),
                )
            })
            .collect();
        assert_eq!(got, want, "round {round}, text:\n{model}");
        compared += want.len();
    }
    assert!(compared >= 20, "the edits produce findings to compare: {compared}");
    assert_eq!(client.finish(), 0);
}

/// Every request that takes a position, at `position` in `uri`, answered without an error.
fn every_position_request(client: &mut Client, uri: &str, position: Value) -> Vec<Value> {
    let at = json!({"textDocument": {"uri": uri}, "position": position});
    let mut refs = at.clone();
    refs["context"] = json!({"includeDeclaration": true});
    let mut rename = at.clone();
    rename["newName"] = json!("find-products");
    let range = json!({"start": position, "end": position});
    let diagnostics: Vec<Value> = ["unknown-promise", "untraced-item", "untraced-commit"]
        .iter()
        .map(|code| json!({"range": range, "code": code, "source": "plan-lint", "message": "m"}))
        .collect();
    let actions = json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": diagnostics}});
    let mut answers = Vec::new();
    for (method, params) in [
        ("textDocument/hover", at.clone()),
        ("textDocument/definition", at.clone()),
        ("textDocument/references", refs),
        ("textDocument/prepareRename", at.clone()),
        ("textDocument/rename", rename),
        ("textDocument/completion", at.clone()),
        ("textDocument/codeAction", actions),
    ] {
        let answer = client.request(method, params);
        // Rename refuses with a message where there is no id; nothing else errs.
        let refused = method == "textDocument/rename" && answer["error"]["code"] == -32602;
        assert!(answer.get("error").is_none() || refused, "{method} at {position}: {answer}");
        answers.push(answer);
    }
    answers
}

#[test]
fn position_requests_next_to_non_ascii_characters_answer() {
    let repo = shop();
    let mut client = start(repo.path());
    let plan = uri(&repo, "plans/q4.md");
    // `“` is three bytes and one UTF-16 unit; `é` two bytes; `😀` four bytes and two units.
    let text = "See “search” at the café\n- [ ] Ranking 😀 (Promise: search)\n";
    client.open(&plan, "markdown", text);
    client.diagnostics(&plan);
    // Inside the quoted id (character 6), on its first character (5), right after the curly
    // quote, at the end of `café` (24) and past it, after the emoji.
    for (line, character) in [(0, 6), (0, 5), (0, 11), (0, 12), (0, 23), (0, 24), (0, 30), (1, 16), (1, 17)] {
        every_position_request(&mut client, &plan, json!({"line": line, "character": character}));
    }
    let answers = every_position_request(&mut client, &plan, json!({"line": 0, "character": 6}));
    let hover = &answers[0];
    assert!(hover["result"]["contents"]["value"].as_str().unwrap().contains("under a minute"), "{hover}");
    assert_eq!(
        hover["result"]["range"],
        json!({"start": {"line": 0, "character": 5}, "end": {"line": 0, "character": 11}})
    );
    assert_eq!(answers[1]["result"]["uri"], uri(&repo, "promises.toml"), "definition: {}", answers[1]);
    assert_eq!(answers[3]["result"]["placeholder"], "search", "prepareRename: {}", answers[3]);
    // At the end of `café`: no id there.
    let answers = every_position_request(&mut client, &plan, json!({"line": 0, "character": 24}));
    assert!(answers[0]["result"].is_null(), "{}", answers[0]);
    assert_eq!(client.finish(), 0, "the server lived through every request");
}

#[test]
fn requests_after_shutdown_are_refused() {
    let repo = shop();
    let mut client = start(repo.path());
    let roadmap = uri(&repo, "ROADMAP.md");
    client.open(&roadmap, "markdown", PLAN);
    client.diagnostics(&roadmap);
    let r = client.request("shutdown", Value::Null);
    assert!(r.get("error").is_none() && r["result"].is_null(), "{r}");
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": roadmap}, "position": {"line": 6, "character": 32}}),
    );
    assert_eq!(hover["error"]["code"], -32600, "InvalidRequest after shutdown: {hover}");
    assert!(hover.get("result").is_none(), "{hover}");
    let again = client.request("shutdown", Value::Null);
    assert_eq!(again["error"]["code"], -32600, "{again}");
    client.notify("exit", Value::Null);
    drop(client.stdin.take());
    assert_eq!(wait_exit(&mut client.child), 0);
}

#[test]
fn references_and_rename_read_a_utf16_plan_as_the_engine_does() {
    let repo = shop();
    // Saved by an editor on Windows: UTF-16LE with a byte-order mark, CRLF line ends, and
    // characters outside the BMP before the id.
    let text = "# Pläne\r\n\r\n- [ ] Größe 😀 (Promise: search)\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(repo.path().join("plans/wide.md"), bytes).unwrap();
    // check reads it: one traced item, no finding there.
    let json = repo.plan_lint(&["check", "--no-commits", "--format", "json"]);
    assert!(!json.stdout.contains("plans/wide.md"), "{}", json.stdout);

    let mut client = start(repo.path());
    let roadmap = uri(&repo, "ROADMAP.md");
    client.open(&roadmap, "markdown", PLAN);
    client.diagnostics(&roadmap);
    let at = json!({"textDocument": {"uri": roadmap}, "position": {"line": 6, "character": 32}, "context": {"includeDeclaration": false}});
    let refs = client.request("textDocument/references", at.clone());
    let wide = uri(&repo, "plans/wide.md");
    let line = "- [ ] Größe 😀 (Promise: search)";
    let start = line[..line.find("search").unwrap()].encode_utf16().count();
    let want = json!({"start": {"line": 2, "character": start}, "end": {"line": 2, "character": start + 6}});
    let in_wide: Vec<&Value> = refs["result"].as_array().unwrap().iter().filter(|l| l["uri"] == wide).collect();
    assert_eq!(in_wide.len(), 1, "{refs}");
    assert_eq!(in_wide[0]["range"], want, "{refs}");

    let mut rename = at;
    rename["newName"] = json!("find-products");
    let edit = client.request("textDocument/rename", rename);
    let edits = edit["result"]["changes"][&wide].as_array().unwrap_or_else(|| panic!("{edit}"));
    assert_eq!(edits.len(), 1, "{edit}");
    assert_eq!(edits[0]["range"], want);
    assert_eq!(client.finish(), 0);
}

#[test]
fn a_commit_message_is_judged_without_the_history_walk_that_would_suggest_a_promise() {
    let mut repo = shop();
    // History says who works on src/search.rs: commits traced to `search`.
    repo.write("src/search.rs", "fn rank() {}\n");
    repo.commit("Rank results\n\nPromise: search\n");
    repo.write("src/search.rs", "fn rank() { /* faster */ }\n");
    repo.git(&["add", "src/search.rs"]);
    let text = "Speed up ranking\n\n# Please enter the commit message for your changes.\n";
    // The commit-msg hook walks history for an untraced message and names the promise.
    std::fs::write(repo.path().join(".git/COMMIT_EDITMSG"), text).unwrap();
    let hook = support::run_with(
        repo.path(),
        &["hook", "commit-msg", ".git/COMMIT_EDITMSG"],
        &[("GIT_EDITOR", "vi"), ("COLUMNS", "300")],
        None,
    );
    hook.expect_code(1);
    assert!(hook.stderr.contains("the latest commit touching src/search.rs"), "{}", hook.stderr);

    // The editor judges the same message on each keystroke without that walk: the generic help.
    let mut client = start(repo.path());
    let message = uri(&repo, ".git/COMMIT_EDITMSG");
    client.open(&message, "git-commit", text);
    let got = client.diagnostics(&message);
    assert_eq!(codes(&got), ["untraced-commit"], "{got:#?}");
    let said = got[0]["message"].as_str().unwrap();
    assert!(!said.contains("latest commit touching"), "history walked on a keystroke: {said}");
    assert!(
        said.contains("help: end the message with a blank line and `Promise: <id>`, naming the promise it serves"),
        "{said}"
    );
    assert_eq!(client.finish(), 0);
}

/// A monorepo: the root's registry lists teams/a and teams/b, each with its own; both teams
/// define `shared`.
fn monorepo() -> Repo {
    let mut repo = Repo::new();
    let promise = |id: &str, statement: &str| {
        format!("[promises.{id}]\nstatement = \"{statement}\"\nstatus = \"in-play\"\noutcomes = [{{ metric = \"m\", target = \"1\" }}]\n")
    };
    let plans = "[plans]\ninclude = [\"plans/**/*.md\"]\n";
    let root =
        format!("[scopes]\nmembers = [\"teams/a\", \"teams/b\"]\n{}{plans}", promise("root-only", "root promise"));
    repo.write("promises.toml", &root);
    repo.write(
        "teams/a/promises.toml",
        &format!("{}{}{plans}", promise("alpha-only", "a promise"), promise("shared", "a shared")),
    );
    repo.write(
        "teams/b/promises.toml",
        &format!("{}{}{plans}", promise("beta-only", "b promise"), promise("shared", "b shared")),
    );
    repo.write("plans/p.md", "- [ ] Work (Promise: root-only)\n");
    repo.write("teams/a/plans/p.md", "- [ ] Work (Promise: alpha-only)\n- [ ] Cross (Promise: root-only)\n");
    repo.write("teams/b/plans/p.md", "- [ ] Work (Promise: beta-only)\n- [ ] Help a (Promise: teams/a/alpha-only)\n");
    repo.commit("Start\n\nPromise: root-only");
    repo
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

#[test]
fn a_registry_linked_out_of_the_work_tree_is_never_read_by_hover_completion_or_definition() {
    let repo = shop();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.toml");
    std::fs::write(
        &secret,
        "[promises.leaked]\nstatement = \"SECRET\"\nstatus = \"in-play\"\n[plans]\ninclude = [\"plans/*.md\"]\n",
    )
    .unwrap();
    std::fs::remove_file(repo.path().join("promises.toml")).unwrap();
    std::os::unix::fs::symlink(&secret, repo.path().join("promises.toml")).unwrap();
    repo.plan_lint(&["check", "--no-commits"]).expect_code(2);
    let mut client = start(repo.path());
    let plan = uri(&repo, "plans/q3.md");
    client.open(&plan, "markdown", "- [ ] W (Promise: leaked)\n- [ ] X (Promise: ");
    client.diagnostics(&plan);
    for (method, line, character) in
        [("textDocument/completion", 1, 18), ("textDocument/hover", 0, 20), ("textDocument/definition", 0, 20)]
    {
        let answer = client.request(method, at(&plan, line, character));
        assert_eq!(answer["result"], Value::Null, "{method}: {answer}");
    }
    assert_eq!(client.finish(), 0);
}

#[test]
fn completion_hover_definition_and_quick_fixes_use_the_documents_scope() {
    let repo = monorepo();
    let mut client = start(repo.path());
    let a = uri(&repo, "teams/a/plans/p.md");
    client.open(&a, "markdown", "- [ ] W1 (Promise: alpha-onl)\n- [ ] W2\n- [ ] W3 (Promise: ");
    let diagnostics = client.diagnostics(&a);
    assert_eq!(codes(&diagnostics), ["unknown-promise", "untraced-item", "untraced-item"], "{diagnostics:#?}");
    let completion = client.request("textDocument/completion", at(&a, 2, 18));
    let labels: Vec<&str> =
        completion["result"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["alpha-only", "shared", "root-only", "teams/b/beta-only", "teams/b/shared"]);
    let b = uri(&repo, "teams/b/plans/p.md");
    client.open(&b, "markdown", "- [ ] Work (Promise: shared)\n- [ ] Help a (Promise: teams/a/alpha-only)\n");
    client.diagnostics(&b);
    let hover = client.request("textDocument/hover", at(&b, 0, 22));
    assert_eq!(
        hover["result"]["contents"]["value"],
        "`shared`\n\nb shared\n\n- status: in-play\n- outcomes:\n  - m: ? → 1\n"
    );
    let definition = client.request("textDocument/definition", at(&b, 1, 30));
    assert_eq!(
        definition["result"],
        json!({"uri": uri(&repo, "teams/a/promises.toml"), "range": {"start": {"line": 0, "character": 10}, "end": {"line": 0, "character": 20}}})
    );
    let mut titles = Vec::new();
    for d in &diagnostics[..2] {
        let params = json!({"textDocument": {"uri": a}, "range": d["range"], "context": {"diagnostics": [d]}});
        let actions = client.request("textDocument/codeAction", params);
        titles.extend(actions["result"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_string()));
    }
    assert_eq!(titles, ["Replace with `alpha-only`", "Trace to `alpha-only`", "Trace to `shared`"]);
    assert_eq!(client.finish(), 0);
}

/// (URI relative to the repository, the edits' new texts) of a rename's answer, sorted.
fn renamed(repo: &Repo, answer: &Value) -> Vec<(String, Vec<String>)> {
    let prefix = format!("file://{}/", repo.path().display());
    let changes = answer["result"]["changes"].as_object().unwrap_or_else(|| panic!("{answer}"));
    let mut out: Vec<(String, Vec<String>)> = changes
        .iter()
        .map(|(u, edits)| {
            let texts = edits.as_array().unwrap().iter().map(|e| e["newText"].as_str().unwrap().to_string()).collect();
            (u.strip_prefix(&prefix).unwrap().to_string(), texts)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn rename_and_references_cover_every_scope_that_names_the_promise() {
    let repo = monorepo();
    let mut client = start(repo.path());
    let a = uri(&repo, "teams/a/plans/p.md");
    client.open(&a, "markdown", &std::fs::read_to_string(repo.path().join("teams/a/plans/p.md")).unwrap());
    assert_eq!(client.diagnostics(&a), Vec::<Value>::new());
    // A team's own promise, short in its plan, qualified in the other team's.
    let rename = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": a}, "position": {"line": 0, "character": 22}, "newName": "alpha-new"}),
    );
    assert_eq!(
        renamed(&repo, &rename),
        [
            ("teams/a/plans/p.md".to_string(), vec!["alpha-new".to_string()]),
            ("teams/a/promises.toml".to_string(), vec!["alpha-new".to_string()]),
            ("teams/b/plans/p.md".to_string(), vec!["teams/a/alpha-new".to_string()]),
        ]
    );
    // The root's promise, named short from a team.
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": a}, "position": {"line": 1, "character": 23}, "context": {"includeDeclaration": true}}),
    );
    let mut places: Vec<String> =
        references["result"].as_array().unwrap().iter().map(|l| l["uri"].as_str().unwrap().to_string()).collect();
    places.sort();
    assert_eq!(places, [uri(&repo, "plans/p.md"), uri(&repo, "promises.toml"), uri(&repo, "teams/a/plans/p.md")]);
    // A name another scope's promise has is refused: a short id there would change meaning.
    let taken = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": a}, "position": {"line": 0, "character": 22}, "newName": "beta-only"}),
    );
    assert_eq!(taken["error"]["message"], "a promise `beta-only` exists already", "{taken}");
    assert_eq!(client.finish(), 0);
}

#[test]
fn a_member_registry_edited_in_the_editor_rejudges_its_plans_and_shows_its_own_errors() {
    let repo = monorepo();
    let mut client = start(repo.path());
    let plan = uri(&repo, "teams/a/plans/p.md");
    client.open(&plan, "markdown", "- [ ] W1 (Promise: alpha-only)\n");
    assert_eq!(client.diagnostics(&plan), Vec::<Value>::new());
    let registry = uri(&repo, "teams/a/promises.toml");
    let text = std::fs::read_to_string(repo.path().join("teams/a/promises.toml")).unwrap();
    client.open(&registry, "toml", &text);
    assert_eq!(client.diagnostics(&registry), Vec::<Value>::new());
    // The plan, judged again with it (published before it): unchanged.
    assert_eq!(client.all_diagnostics(&plan), [Vec::<Value>::new()]);
    // Renamed, unsaved: the plan names a promise its scope no longer has.
    client.change(&registry, 2, json!([{"text": text.replace("alpha-only", "alpha-renamed")}]));
    let got = client.diagnostics(&plan);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0]["message"].as_str().unwrap().lines().next(), Some("item names unknown promise `alpha-only`"));
    // Broken, unsaved: the error is on the member's registry, where it is.
    client.change(&registry, 3, json!([{"text": "[promises.alpha-only\n"}]));
    let shown = |m: &Value| m["params"]["uri"] == registry && m["params"]["diagnostics"] != json!([]);
    let got = client.wait(shown, "the registry's error")["params"]["diagnostics"].as_array().cloned().unwrap();
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(got[0]["message"].as_str().unwrap().starts_with("invalid teams/a/promises.toml: "), "{got:#?}");
    assert_eq!(got[0]["range"]["start"], json!({"line": 0, "character": 20}), "{got:#?}");
    assert_eq!(client.all_diagnostics(&uri(&repo, "promises.toml")), Vec::<Vec<Value>>::new());
    assert_eq!(client.finish(), 0);
}

#[test]
fn closing_a_document_clears_its_diagnostics() {
    let repo = shop();
    let mut client = start(repo.path());
    let roadmap = uri(&repo, "ROADMAP.md");
    client.open(&roadmap, "markdown", PLAN);
    assert_eq!(client.diagnostics(&roadmap).len(), 2);
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": roadmap}}));
    assert_eq!(client.diagnostics(&roadmap), Vec::<Value>::new());
    assert_eq!(client.finish(), 0);
}

#[test]
fn diagnostics_go_to_the_uri_the_client_opened_and_dot_dot_is_read_before_the_scope() {
    let repo = monorepo();
    let mut client = start(repo.path());
    // Lowercase percent-escapes: published under the same spelling.
    let cafe = format!("file://{}/plans/caf%c3%a9.md", repo.path().display());
    client.open(&cafe, "markdown", "- [ ] Untraced\n");
    assert_eq!(codes(&client.diagnostics(&cafe)), ["untraced-item"]);
    // Through `..`: teams/a's document, judged with teams/a's registry.
    let dotdot = format!("file://{}/plans/../teams/a/plans/p.md", repo.path().display());
    client.open(&dotdot, "markdown", "- [ ] W1 (Promise: shared)\n- [ ] W2\n");
    let got = client.diagnostics(&dotdot);
    assert_eq!(codes(&got), ["untraced-item"], "{got:#?}");
    assert!(got[0]["message"].as_str().unwrap().ends_with("promises in play: alpha-only, shared"), "{got:#?}");
    assert_eq!(client.finish(), 0);
}

#[test]
fn a_lone_surrogate_escape_as_javascript_writes_it_does_not_end_the_session() {
    let repo = shop();
    let mut client = start(repo.path());
    let roadmap = uri(&repo, "ROADMAP.md");
    let body = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{roadmap}","languageId":"markdown","version":1,"text":"- [ ] a \ud83d b\n"}}}}}}"#
    );
    let stdin = client.stdin.as_mut().unwrap();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
    let got = client.diagnostics(&roadmap);
    assert_eq!(codes(&got), ["untraced-item"], "{got:#?}");
    assert_eq!(got[0]["message"].as_str().unwrap().lines().next(), Some("work item names no promise: a \u{fffd} b"));
    assert_eq!(client.finish(), 0);
}

/// A registry that changes on disk while it is not open (`git switch`, `git pull`): a client
/// that can watch files is asked to watch every `promises.toml`, and when it says one changed,
/// the open plans are judged again by it. A client that cannot is not asked.
#[test]
fn a_registry_changed_on_disk_rejudges_the_open_plans_when_the_client_watches_files() {
    let repo = shop();
    let mut cmd = support::git_env(Command::new(support::bin()), repo.path());
    cmd.arg("lsp");
    let capabilities = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let mut client = Client::start_with(cmd, repo.path(), capabilities);
    let ask = client.wait(|m| m["method"] == "client/registerCapability", "the request to watch registries");
    let registration = &ask["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles", "{ask}");
    assert_eq!(registration["registerOptions"]["watchers"][0]["globPattern"], "**/promises.toml", "{ask}");
    client.send(json!({"jsonrpc": "2.0", "id": ask["id"], "result": null}));
    let plan = uri(&repo, "plans/q3.md");
    client.open(&plan, "markdown", "Promise: search\n\n- [ ] Synonyms\n");
    assert_eq!(client.diagnostics(&plan), Vec::<Value>::new());
    // `search` leaves play on disk (another branch checked out).
    let registry = std::fs::read_to_string(repo.path().join("promises.toml")).unwrap();
    let dropped = registry.replacen("status = \"in-play\"", "status = \"dropped\"", 1);
    assert_ne!(dropped, registry);
    std::fs::write(repo.path().join("promises.toml"), dropped).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&repo, "promises.toml"), "type": 2}]}),
    );
    let said = client.diagnostics(&plan);
    assert_eq!(codes(&said), ["open-work-not-in-play"], "{said:?}");
    assert_eq!(client.finish(), 0);

    // A client that cannot watch files is not asked: its first message from the server is the
    // answer to the request it sends.
    let mut cmd = support::git_env(Command::new(support::bin()), repo.path());
    cmd.arg("lsp");
    let mut client = Client::start(cmd, repo.path());
    let answer = client.request("shutdown", json!(null));
    let asked = client.stash.iter().any(|m| m["method"] == "client/registerCapability");
    assert!(!asked && answer.get("error").is_none(), "the server asked a client that cannot watch: {:?}", client.stash);
}
