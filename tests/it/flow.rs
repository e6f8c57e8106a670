//! The registry's history on the board (issues 26 and 31): what changed in the window (promises
//! that entered or left play, targets and statuses changed with their commit, items closed),
//! read from a real repository whose promises.toml was proposed, put in play, finished,
//! dropped, reopened and retargeted under open items, with the in-play limit breached.

use crate::support;

use std::process::Command;
use support::{Repo, Run};

const ADA: &str = "Ada Lovelace <ada@example.com>";
const BOB: &str = "Bob Byte <bob@example.com>";

/// The registry at one point of its history: each promise's status, `checkout`'s target, its
/// statement, and the limit.
fn registry(statuses: [&str; 5], target: &str, statement: &str, limit: usize) -> String {
    let verdict = if statuses[4] == "done" {
        "verdict = { kept = true, reason = \"members came back\", date = \"2026-02-10\" }\n"
    } else {
        ""
    };
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

[promises.loyalty]
statement = "A shopper earns points on every order."
customer = "shopper"
status = "{}"
{verdict}"#,
        statuses[0], statuses[1], statuses[2], statuses[3], statuses[4]
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

/// One registry revision of the scripted history: date, author, statuses, checkout's target,
/// its statement, the limit, the subject.
type Step<'a> = (&'a str, &'a str, [&'a str; 5], &'a str, &'a str, usize, &'a str);

const STATEMENT: &str = "Support can finish a checkout for a shopper.";

/// A quarter of registry history: adopted on 2025-12-01 (orders and checkout in play, search
/// and gifts proposed); search enters play over the limit; orders is done; checkout's target is
/// raised under its open items; gifts is dropped; orders is reopened; an item closed; the
/// limit raised; checkout's statement rewritten.
fn history() -> Repo {
    let mut repo = Repo::new();
    let at = |statuses, target, statement, limit| registry(statuses, target, statement, limit);
    repo.write("promises.toml", &at(["proposed", "in-play", "in-play", "proposed", "proposed"], "70%", STATEMENT, 2))
        .write("PLAN.md", PLAN);
    repo.commit_at("2025-12-01T09:00:00Z", ADA, "Adopt promises\n\nPromise: checkout\n");
    let steps: [Step; 8] = [
        (
            "2025-12-15",
            ADA,
            ["proposed", "in-play", "in-play", "proposed", "in-play"],
            "70%",
            STATEMENT,
            2,
            "Put loyalty in play",
        ),
        (
            "2026-01-05",
            BOB,
            ["in-play", "in-play", "in-play", "proposed", "in-play"],
            "70%",
            STATEMENT,
            2,
            "Put search in play",
        ),
        (
            "2026-01-12",
            ADA,
            ["in-play", "done", "in-play", "proposed", "in-play"],
            "70%",
            STATEMENT,
            2,
            "Orders is done",
        ),
        (
            "2026-01-19",
            BOB,
            ["in-play", "done", "in-play", "proposed", "in-play"],
            "75%",
            STATEMENT,
            2,
            "Raise the checkout target",
        ),
        (
            "2026-01-26",
            ADA,
            ["in-play", "done", "in-play", "dropped", "done"],
            "75%",
            STATEMENT,
            2,
            "Drop gift cards, loyalty is done",
        ),
        ("2026-02-02", BOB, ["in-play", "in-play", "in-play", "dropped", "done"], "75%", STATEMENT, 2, "Reopen orders"),
        (
            "2026-02-16",
            ADA,
            ["in-play", "in-play", "in-play", "dropped", "done"],
            "75%",
            STATEMENT,
            3,
            "Raise the limit",
        ),
        (
            "2026-02-23",
            BOB,
            ["in-play", "in-play", "in-play", "dropped", "done"],
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
            "left-play \"loyalty\"",
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
    assert_eq!(changes["registry"][6]["from"], "2");
    assert_eq!(
        changes["items_closed"],
        serde_json::json!([{ "path": "PLAN.md", "text": "Trigram index", "promises": ["search"], "date": "2026-02-09" }]),
        "dated by the commit that checked its box"
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
    assert!(term.contains("\n  1 item closed:\n    PLAN.md: Trigram index (search) on 2026-02-09\n"), "{term}");
    assert!(md.contains("\n- closed: PLAN.md: Trigram index (search) on 2026-02-09\n"), "{md}");
    assert!(
        html.contains(
            "<li class=\"closed\">closed: PLAN.md: Trigram index (search) on <span class=\"nw\">2026-02-09</span></li>"
        ),
        "{html}"
    );
    assert!(!term.contains("proposed (as"), "the adoption before the window is no change in it: {term}");

    // A window after the changes has none.
    let later = repo.plan_lint(&["report", "--format", "json", "--since", "2026-02-24", "--until", "2026-03-01"]);
    let later: serde_json::Value = serde_json::from_str(&later.stdout).unwrap();
    assert_eq!(later["changes"]["registry"], serde_json::json!([]));
    assert_eq!(later["changes"]["items_closed"], serde_json::json!([]));
}

/// Issue 26: Flow from the registry's history, all time up to the window's end: promises in
/// play after each revision against the limit and the commits that took it over, time in
/// play, lead times to done and to kept (a verdict), reopenings, commits by customer; the
/// JSON carries every figure and each format shows them (snapshots).
#[test]
fn flow_comes_from_the_registry_history() {
    let repo = history();
    let commit = |subject: &str| repo.git(&["log", "--format=%H", "--grep", subject]).trim().to_string();
    let json = report(&repo, "json").stdout.clone();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let f = &v["flow"];
    assert_eq!(f["complete"], true);
    let series =
        |key: &str| -> Vec<u64> { f["in_play"].as_array().unwrap().iter().map(|p| p[key].as_u64().unwrap()).collect() };
    assert_eq!(series("in_play"), [2, 3, 4, 3, 3, 2, 3, 3, 3]);
    assert_eq!(series("limit"), [2, 2, 2, 2, 2, 2, 2, 3, 3]);
    let breaches: Vec<&str> = f["breaches"].as_array().unwrap().iter().map(|b| b["commit"].as_str().unwrap()).collect();
    assert_eq!(breaches, [commit("Put loyalty in play"), commit("Reopen orders")], "each time it went over");
    let promise = |id: &str| f["promises"].as_array().unwrap().iter().find(|p| p["promise"] == id).unwrap().clone();
    let loyalty = promise("loyalty");
    assert_eq!(
        (&loyalty["proposed"], &loyalty["entered_play"], &loyalty["left_play"], &loyalty["status"]),
        (&"2025-12-01".into(), &"2025-12-15".into(), &"2026-01-26".into(), &"done".into())
    );
    assert_eq!((&loyalty["days_in_play"], &loyalty["lead_days_done"]), (&42.into(), &56.into()));
    assert_eq!((&loyalty["kept"], &loyalty["lead_days_kept"]), (&"2026-02-10".into(), &71.into()), "by its verdict");
    let orders = promise("orders");
    assert_eq!(
        (&orders["reopened"], &orders["lead_days_done"], &orders["left_play"]),
        (&1.into(), &serde_json::Value::Null, &serde_json::Value::Null)
    );
    // In play from 2025-12-01 to 2026-01-12 (42 days), and from 2026-02-02 to 2026-03-01 (27).
    assert_eq!(orders["days_in_play"], 69);
    assert_eq!(promise("gifts")["entered_play"], serde_json::Value::Null, "dropped without entering play");
    assert_eq!((&f["lead_days_done"], &f["lead_days_kept"]), (&serde_json::json!([56]), &serde_json::json!([71])));
    assert_eq!(f["customers"], serde_json::json!([{ "customer": "shopper", "commits": 8, "share": 1.0 }]));

    let term = report(&repo, "term").stdout.clone();
    let md = report(&repo, "markdown").stdout.clone();
    let html = report(&repo, "html").stdout.clone();
    let breach =
        format!("3 in play over the limit of 2 from 2025-12-15 (commit {})", &commit("Put loyalty in play")[..7]);
    assert!(term.contains(&format!("\n  {breach}\n")), "{term}");
    assert!(md.contains(&format!("\n- ⚠️ {breach}\n")), "{md}");
    assert!(
        html.contains("<li class=\"bad\">3 in play over the limit of 2 from <span class=\"nw\">2025-12-15</span>"),
        "{html}"
    );
    let lead = "to done: median 56 days (1 done); to kept: median 71 days (1 kept)";
    assert!(term.contains(lead) && md.contains(lead) && html.contains(lead), "{term}\n{md}");
    assert!(md.contains("    line [2, 3, 4, 3, 3, 2, 3, 3, 3]\n    line [2, 2, 2, 2, 2, 2, 2, 3, 3]\n"), "{md}");
    assert!(html.contains("<polyline class=\"limit\"") && html.contains("<polyline class=\"in-play\""), "{html}");
    assert_eq!(html.matches("<circle class=\"breach\"").count(), 2, "{html}");
    support::snapshot("flow/json", &json);
    support::snapshot("flow/term", &term);
    support::snapshot("flow/markdown", &md);
    support::snapshot("flow/html", &html);
}

/// Issue 26: the HTML Flow chart is drawn where people see it, in headless Chromium: the
/// in-play line's colour and the limit's cover an area of the screenshot that hiding the chart
/// takes away.
#[test]
fn the_flow_chart_renders_in_chromium() {
    if !support::tool_available("chromium", "PLAN_LINT_REQUIRE_CHROMIUM") {
        return;
    }
    let Some(chromium) = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
    else {
        unreachable!("tool_available found it")
    };
    let repo = history();
    let page = repo.path().join("board.html");
    let args = [&["report", "--format", "html", "-o", page.to_str().unwrap()][..], &WINDOW].concat();
    assert!(matches!(repo.plan_lint(&args).code, 0 | 1));
    let profile = tempfile::tempdir().unwrap();
    let headless = |extra: &[&str]| {
        let mut cmd = Command::new(chromium);
        cmd.args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
            .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(format!("file://{}", page.display()));
        cmd.output().unwrap()
    };
    let dom = String::from_utf8_lossy(&headless(&["--dump-dom"]).stdout).into_owned();
    assert!(dom.contains("<svg id=\"flow-chart\"") && dom.contains("3 in play now"), "{dom}");
    let html = std::fs::read_to_string(&page).unwrap();
    let shoot = |name: &str| {
        let shot = profile.path().join(name);
        let out =
            headless(&["--window-size=1200,5000", "--hide-scrollbars", &format!("--screenshot={}", shot.display())]);
        assert!(shot.is_file(), "no screenshot: {}", String::from_utf8_lossy(&out.stderr));
        support::colour_counts(&shot)
    };
    let shown = shoot("shot.png");
    std::fs::write(&page, html.replacen("</head>", "<style>#flow-chart{visibility:hidden}</style></head>", 1)).unwrap();
    let hidden = shoot("hidden.png");
    for (colour, what, least) in [("0969da", "the in-play line", 300), ("cf222e", "the limit and the breaches", 100)] {
        let (with, without) = (shown.get(colour).copied().unwrap_or(0), hidden.get(colour).copied().unwrap_or(0));
        println!("{what}: {with} shown, {without} hidden");
        assert!(with >= without + least, "{what} (#{colour}) is not visible: {with} pixels shown, {without} hidden");
    }
}

/// The registry's history ends at the commit that added it: a registry deleted and written
/// again starts over (and the walk reads no further back); a registry that is not committed
/// has no history.
#[test]
fn the_history_starts_where_the_registry_was_last_added() {
    let mut repo = Repo::new();
    let statuses = ["in-play", "in-play", "in-play", "proposed", "proposed"];
    repo.write("promises.toml", &registry(statuses, "70%", STATEMENT, 2)).write("PLAN.md", PLAN);
    repo.commit_at("2025-11-03T09:00:00Z", ADA, "First try\n\nPromise: search\n");
    repo.git(&["rm", "-q", "promises.toml"]);
    repo.commit_at("2025-11-10T09:00:00Z", ADA, "Give up on promises\n\nPromise: search\n");
    let statuses = ["proposed", "in-play", "in-play", "proposed", "proposed"];
    repo.write("promises.toml", &registry(statuses, "70%", STATEMENT, 2));
    repo.commit_at("2026-01-05T09:00:00Z", ADA, "Adopt promises again\n\nPromise: checkout\n");
    let v: serde_json::Value = serde_json::from_str(&report(&repo, "json").stdout).unwrap();
    let f = &v["flow"];
    assert_eq!(f["in_play"].as_array().unwrap().len(), 1, "{f}");
    assert_eq!(f["in_play"][0]["date"], "2026-01-05");
    assert_eq!(f["breaches"], serde_json::json!([]), "the first life's breach is not this one's");
    assert_eq!(v["changes"]["registry"], serde_json::json!([]), "adoption is no change");

    // Not committed: no history, no Flow section.
    let fresh = Repo::new();
    fresh.write("promises.toml", &registry(statuses, "70%", STATEMENT, 2)).write("PLAN.md", PLAN);
    fresh.write("a.txt", "a\n");
    fresh.git(&["add", "a.txt"]);
    fresh.git(&["commit", "-q", "-m", "Start"]);
    let v: serde_json::Value = serde_json::from_str(&report(&fresh, "json").stdout).unwrap();
    assert_eq!(v["flow"]["in_play"], serde_json::json!([]));
    assert!(!report(&fresh, "term").stdout.contains("FLOW"));
}

/// Issue 26: suspect links. Checkout's target was raised and then its statement rewritten
/// under its open items: `check` warns at each open item, with the latest change's commit and
/// the fingerprint to record; the board lists them; recording `reviewed = "<fingerprint>"`
/// clears them, and a later change to the contract makes them suspect again.
#[test]
fn open_items_go_suspect_when_their_promise_changes_until_reviewed() {
    let mut repo = history();
    let commit = |repo: &Repo, subject: &str| repo.git(&["log", "--format=%h", "--grep", subject]).trim().to_string();
    let run = repo.plan_lint(&["check", "--format", "json"]);
    run.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let suspect: Vec<&serde_json::Value> =
        v["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "suspect-link").collect();
    let rewritten = commit(&repo, "Rewrite the checkout promise");
    let messages: Vec<&str> = suspect.iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert_eq!(
        messages,
        [
            format!("open item planned against an earlier `checkout`: its statement changed in commit {rewritten} (2026-02-23): One-step payment"),
            format!("open item planned against an earlier `checkout`: its statement changed in commit {rewritten} (2026-02-23): Saved cards"),
        ],
        "search's contract never changed, orders has no open item: {}",
        run.stdout
    );
    assert_eq!(suspect[0]["severity"], "warning");
    let help = suspect[0]["help"].as_str().unwrap();
    let fingerprint = help.split("reviewed = \"").nth(1).and_then(|s| s.get(..8)).unwrap().to_string();
    assert!(fingerprint.chars().all(|c| c.is_ascii_hexdigit()), "{help}");
    let board = report(&repo, "term").stdout.clone();
    assert!(board.contains("Open work planned against an earlier version of its promise (suspect-link)"), "{board}");

    // Reviewed: the registry records the fingerprint of the contract as it is.
    let statuses = ["in-play", "in-play", "in-play", "dropped", "done"];
    let statement = "Support and shoppers can finish a checkout.";
    let reviewed = |text: String, fp: &str| {
        text.replace(
            "status = \"in-play\"\npriority = \"could\"",
            &format!("status = \"in-play\"\npriority = \"could\"\nreviewed = \"{fp}\""),
        )
    };
    repo.write("promises.toml", &reviewed(registry(statuses, "75%", statement, 3), &fingerprint));
    repo.commit_at("2026-02-25T09:00:00Z", ADA, "Review checkout's open work\n\nPromise: checkout\n");
    let run = repo.plan_lint(&["check"]);
    run.expect_code(0);
    assert!(!run.stdout.contains("suspect-link"), "{}", run.stdout);

    // The target changes again: the review no longer matches.
    repo.write("promises.toml", &reviewed(registry(statuses, "80%", statement, 3), &fingerprint));
    repo.commit_at("2026-02-26T09:00:00Z", BOB, "Raise the checkout target again\n\nPromise: checkout\n");
    let run = repo.plan_lint(&["check", "--format", "json"]);
    let raised = commit(&repo, "Raise the checkout target again");
    assert!(
        run.stdout.contains(&format!(
            "its target of checkout completion changed: 75% → 80% in commit {raised} (2026-02-26): Saved cards"
        )),
        "{}",
        run.stdout
    );
}

/// Issue 26: the editor server shows suspect links as it shows check's findings: at each open
/// item, with the commit that changed the promise.
#[test]
fn the_editor_server_shows_suspect_links() {
    let repo = history();
    let mut cmd = support::git_env(Command::new(support::bin()), repo.path());
    cmd.arg("lsp");
    let mut client = support::lsp_client::Client::start(cmd, repo.path());
    let plan = format!("file://{}/PLAN.md", repo.path().display());
    let text = std::fs::read_to_string(repo.path().join("PLAN.md")).unwrap();
    client.open(&plan, "markdown", &text);
    let got = client.diagnostics(&plan);
    let suspect: Vec<(u64, &str)> = got
        .iter()
        .filter(|d| d["code"] == "suspect-link")
        .map(|d| (d["range"]["start"]["line"].as_u64().unwrap(), d["message"].as_str().unwrap()))
        .collect();
    assert_eq!(suspect.len(), 2, "{got:#?}");
    assert_eq!(suspect[0].0, 16, "at `- [ ] One-step payment`");
    let (first, help) = suspect[1].1.split_once("\nhelp: ").unwrap();
    assert!(first.contains("its statement changed in commit") && first.ends_with("Saved cards"), "{got:#?}");
    assert!(help.contains("`reviewed = \""), "{help}");
}

/// A history longer than one batch of revisions parsed at once (64, on every core): 150
/// revisions, each changing the limit, one of them a registry that does not read (skipped: the
/// one before it stands). The series keeps every readable revision in commit order.
#[test]
fn a_long_registry_history_is_read_in_order() {
    let mut repo = Repo::new();
    let statuses = ["in-play", "in-play", "proposed", "proposed", "proposed"];
    repo.write("PLAN.md", PLAN);
    let mut expected = Vec::new();
    for i in 0..150u32 {
        let limit = 2 + (i as usize % 4);
        if i == 70 {
            repo.write("promises.toml", "this [is not = TOML\n");
        } else {
            repo.write("promises.toml", &registry(statuses, "70%", STATEMENT, limit));
            expected.push(limit as u64);
        }
        let (day, hour) = (1 + i / 24, i % 24);
        repo.commit_at(
            &format!("2025-10-{day:02}T{hour:02}:00:00Z"),
            ADA,
            &format!("Revision {i}\n\nPromise: search\n"),
        );
    }
    let v: serde_json::Value = serde_json::from_str(&report(&repo, "json").stdout).unwrap();
    let limits: Vec<u64> =
        v["flow"]["in_play"].as_array().unwrap().iter().map(|p| p["limit"].as_u64().unwrap()).collect();
    assert_eq!(limits, expected);
}
