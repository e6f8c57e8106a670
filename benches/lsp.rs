//! The editor server's keystroke: a one-character edit of a 1,000-item plan, from `didChange`
//! sent to `publishDiagnostics` read back, through the real binary over stdio, beside a request
//! the server answers without judging (the protocol's own round trip). The target is 20 ms.
//!
//! `cargo bench --bench lsp`

#[path = "../tests/it/support/lsp_client.rs"]
mod lsp_client;

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_client::Client;
use serde_json::json;
use std::process::Command;

const REGISTRY: &str = r#"[promises.search]
statement = "A shopper finds the product they came for in under a minute."
status = "in-play"
outcomes = [{ metric = "searches ending in a product view", baseline = "40%", target = "60%" }]

[promises.checkout]
statement = "A shopper pays in two steps."
status = "in-play"
outcomes = [{ metric = "checkouts finished", baseline = "70%", target = "85%" }]
"#;

/// 1,000 task items in 50 sections, a few untraced or naming an unknown id (so diagnostics are
/// never empty), with prose between sections.
fn plan() -> String {
    let mut s = String::from("# Roadmap\n\nThe year's plan, section by section.\n\n");
    for section in 0..50 {
        let id = if section % 2 == 0 { "search" } else { "checkout" };
        s.push_str(&format!(
            "## Area {section}\nPromise: {id}\n\nWhy this area matters, in a sentence or two of prose.\n\n"
        ));
        for item in 0..20 {
            match item {
                7 => s.push_str(&format!("- [ ] Untraced follow-up {section}.{item} (Untraced: chore)\n")),
                13 => s.push_str(&format!("- [ ] Speed up the listing {section}.{item} (Promise: serch)\n")),
                _ => s.push_str(&format!(
                    "- [{}] Work item {section}.{item} with a realistic length of text\n",
                    if item % 3 == 0 { "x" } else { " " }
                )),
            }
        }
        s.push('\n');
    }
    s
}

fn keystroke(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git").args(args).current_dir(dir.path()).output().unwrap().status.success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    std::fs::write(dir.path().join("promises.toml"), REGISTRY).unwrap();
    let text = plan();
    assert_eq!(text.matches("- [").count(), 1000);
    std::fs::write(dir.path().join("ROADMAP.md"), &text).unwrap();

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plan-lint"));
    cmd.arg("lsp").current_dir(dir.path());
    let mut client = Client::start(cmd, dir.path());
    let uri = format!("file://{}/ROADMAP.md", dir.path().display());
    client.open(&uri, "markdown", &text);
    let first = client.diagnostics(&uri);
    assert_eq!(first.len(), 50, "one unknown id per section");

    let mut group = c.benchmark_group("lsp");
    let mut version = 1;
    // Type a character at the end of the first item's line, then delete it: each edit is judged.
    group.bench_function("keystroke to diagnostics, 1,000-item plan", |b| {
        b.iter(|| {
            version += 1;
            let typed = version % 2 == 0;
            let (start, end, new) = if typed { (10, 10, "x") } else { (10, 11, "") };
            client.change(
                &uri,
                version,
                json!([{"range": {"start": {"line": 9, "character": start}, "end": {"line": 9, "character": end}}, "text": new}]),
            );
            let got = client.diagnostics(&uri);
            assert_eq!(got.len(), 50);
        })
    });
    group.bench_function("request round trip, nothing judged", |b| {
        b.iter(|| {
            let r = client.request("plan-lint/nothing", json!({}));
            assert_eq!(r["error"]["code"], -32601);
        })
    });
    group.finish();
    assert_eq!(client.finish(), 0);
}

criterion_group!(benches, keystroke);
criterion_main!(benches);
