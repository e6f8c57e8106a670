//! The registry's history on the board (issues 26 and 31): what changed in the window (promises
//! that entered or left play, targets and statuses changed with their commit, items closed),
//! read from a real repository whose promises.toml was proposed, put in play, finished,
//! dropped, reopened and retargeted under open items, with the in-play limit breached.

mod support;

use support::{Repo, Run};

const ADA: &str = "Ada Lovelace <ada@example.com>";
const BOB: &str = "Bob Byte <bob@example.com>";

/// The registry at one point of its history: each promise's status, `checkout`'s target, its
/// statement, and the limit.
fn registry(statuses: [&str; 4], target: &str, statement: &str, limit: usize) -> String {
    format!(
        r#"name = "Storefront team"

[limits]
in-play = {limit}

[customers.shopper]
description = "People who buy"

[customers.ops]
description = "Our support staff"

[promises.search]
statement = "A shopper finds what we stock."
customer = "shopper"
status = "{}"
priority = "must"
outcomes = [{{ metric = "search conversion", baseline = "8%", target = "12%" }}]

[promises.orders]
statement = "A shopper sees where their order is."
customer = "shopper"
status = "{}"
priority = "should"
outcomes = [{{ metric = "status calls", baseline = "41", target = "25" }}]

[promises.checkout]
statement = "{statement}"
customer = "ops"
status = "{}"
priority = "could"
outcomes = [{{ metric = "checkout completion", baseline = "61%", target = "{target}" }}]

[promises.gifts]
statement = "A shopper can buy gift cards."
customer = "shopper"
status = "{}"
"#,
        statuses[0], statuses[1], statuses[2], statuses[3]
    )
}

const PLAN: &str = "\
# Plan

## Search
Promise: search

- [ ] Trigram index
- [ ] Rank in-stock first

## Orders
Promise: orders

- [x] Status API

## Checkout
Promise: checkout

- [ ] One-step payment
- [ ] Saved cards
";

const STATEMENT: &str = "Support can finish a checkout for a shopper.";

/// A quarter of registry history: adopted on 2025-12-01 (orders and checkout in play, search
/// and gifts proposed); search enters play over the limit; orders is done; checkout's target is
/// raised under its open items; gifts is dropped; orders is reopened; an item closed; the
/// limit raised; checkout's statement rewritten.
fn history() -> Repo {
    let mut repo = Repo::new();
    let at = |statuses, target, statement, limit| registry(statuses, target, statement, limit);
    repo.write("promises.toml", &at(["proposed", "in-play", "in-play", "proposed"], "70%", STATEMENT, 2))
        .write("PLAN.md", PLAN);
    repo.commit_at("2025-12-01T09:00:00Z", ADA, "Adopt promises\n\nPromise: checkout\n");
    let steps: [(&str, &str, [&str; 4], &str, &str, usize, &str); 7] = [
        ("2026-01-05", BOB, ["in-play", "in-play", "in-play", "proposed"], "70%", STATEMENT, 2, "Put search in play"),
        ("2026-01-12", ADA, ["in-play", "done", "in-play", "proposed"], "70%", STATEMENT, 2, "Orders is done"),
        (
            "2026-01-19",
            BOB,
            ["in-play", "done", "in-play", "proposed"],
            "75%",
            STATEMENT,
            2,
            "Raise the checkout target",
        ),
        ("2026-01-26", ADA, ["in-play", "done", "in-play", "dropped"], "75%", STATEMENT, 2, "Drop gift cards"),
        ("2026-02-02", BOB, ["in-play", "in-play", "in-play", "dropped"], "75%", STATEMENT, 2, "Reopen orders"),
        ("2026-02-16", ADA, ["in-play", "in-play", "in-play", "dropped"], "75%", STATEMENT, 3, "Raise the limit"),
        (
            "2026-02-23",
            BOB,
            ["in-play", "in-play", "in-play", "dropped"],
            "75%",
            "Support and shoppers can finish a checkout.",
            3,
            "Rewrite the checkout promise",
        ),
    ];
    for (date, who, statuses, target, statement, limit, subject) in steps {
        if date == "2026-02-16" {
            repo.write("PLAN.md", &PLAN.replace("- [ ] Trigram index", "- [x] Trigram index"));
            repo.commit_at("2026-02-09T10:00:00Z", ADA, "Trigram index\n\nPromise: search\n");
        }
        repo.write("promises.toml", &at(statuses, target, statement, limit));
        repo.commit_at(&format!("{date}T09:00:00Z"), who, &format!("{subject}\n\nPromise: search\n"));
    }
    repo
}

const WINDOW: [&str; 4] = ["--since", "2026-01-01", "--until", "2026-03-01"];

fn report(repo: &Repo, format: &str) -> Run {
    let args = [&["report", "--format", format][..], &WINDOW].concat();
    let run = support::run_with(repo.path(), &args, &[("COLUMNS", "300")], None);
    assert!(matches!(run.code, 0 | 1), "{}{}", run.stdout, run.stderr);
    run
}

/// Issue 31: the window's changes, from the registry's history, in every format: each with
/// the commit that made it; the registry's adoption (before the window) is not a change.
#[test]
fn the_board_says_what_the_registry_history_changed_in_the_window() {
    let repo = history();
    let commit = |subject: &str| repo.git(&["log", "--format=%H", "--grep", subject]).trim().to_string();
    let v: serde_json::Value = serde_json::from_str(&report(&repo, "json").stdout).unwrap();
    let changes = &v["changes"];
    let entered = changes["entered_play"].as_array().unwrap();
    let kinds = |a: &serde_json::Value| -> Vec<String> {
        a.as_array().unwrap().iter().map(|n| format!("{} {}", n["kind"].as_str().unwrap(), n["promise"])).collect()
    };
    assert_eq!(kinds(&changes["entered_play"]), ["entered-play \"search\"", "reopened \"orders\""]);
    assert_eq!(entered[0]["commit"], commit("Put search in play"));
    assert_eq!(entered[0]["date"], "2026-01-05");
    assert_eq!(
        kinds(&changes["registry"]),
        [
            "entered-play \"search\"",
            "left-play \"orders\"",
            "target \"checkout\"",
            "status \"gifts\"",
            "reopened \"orders\"",
            "limit null",
            "statement \"checkout\""
        ]
    );
    let target = &changes["registry"][2];
    assert_eq!(
        (&target["metric"], &target["from"], &target["to"], &target["commit"]),
        (&"checkout completion".into(), &"70%".into(), &"75%".into(), &commit("Raise the checkout target").into())
    );
    assert_eq!(changes["registry"][3]["to"], "dropped");
    assert_eq!(changes["registry"][5]["from"], "2");
    assert_eq!(
        changes["items_closed"],
        serde_json::json!([{ "path": "PLAN.md", "text": "Trigram index", "promises": ["search"] }])
    );

    let short = |subject: &str| commit(subject)[..7].to_string();
    let lines = [
        format!("search: entered play (2026-01-05, commit {})", short("Put search in play")),
        format!(
            "checkout: target of checkout completion changed: 70% → 75% (2026-01-19, commit {})",
            short("Raise the checkout target")
        ),
        format!("gifts: status changed: proposed → dropped (2026-01-26, commit {})", short("Drop gift cards")),
        format!("orders: reopened from done (2026-02-02, commit {})", short("Reopen orders")),
        format!("in-play limit changed: 2 → 3 (2026-02-16, commit {})", short("Raise the limit")),
    ];
    let term = report(&repo, "term").stdout.clone();
    let md = report(&repo, "markdown").stdout.clone();
    let html = report(&repo, "html").stdout.clone();
    for line in &lines {
        assert!(term.contains(&format!("\n  {line}\n")), "{line}\n{term}");
        assert!(md.contains(&format!("\n- {line}\n")), "{line}\n{md}");
        let html_line = line.replace("2026-", "<span class=\"nw\">2026-").replace(", commit", "</span>, commit");
        assert!(html.contains(&format!("<li class=\"reg\">{html_line}</li>")), "{html_line}\n{html}");
    }
    assert!(term.contains("\n  1 item closed:\n    PLAN.md: Trigram index (search)\n"), "{term}");
    assert!(md.contains("\n- closed: PLAN.md: Trigram index (search)\n"), "{md}");
    assert!(html.contains("<li class=\"closed\">closed: PLAN.md: Trigram index (search)</li>"), "{html}");
    assert!(!term.contains("proposed (as"), "the adoption before the window is no change in it: {term}");

    // A window after the changes has none.
    let later = repo.plan_lint(&["report", "--format", "json", "--since", "2026-02-24", "--until", "2026-03-01"]);
    let later: serde_json::Value = serde_json::from_str(&later.stdout).unwrap();
    assert_eq!(later["changes"]["registry"], serde_json::json!([]));
    assert_eq!(later["changes"]["items_closed"], serde_json::json!([]));
}
