//! Hypotheses judged by readings, and kept versus delivered (issue 26): a repository whose
//! readings confirm one hypothesis, refute one and leave one unjudged, with a done promise no
//! reading or verdict shows kept, through `check --format json`.

use crate::support;

use support::Repo;

const REGISTRY: &str = r#"[limits]
measure-days = 365

[promises.checkout-v2]
statement = "A shopper can pay in one step with a saved wallet."
status = "in-play"
outcomes = [{ metric = "checkout completion", baseline = "61%", target = "75%" }]

[[promises.checkout-v2.hypotheses]]
belief = "one-step payment moves checkout completion"
metric = "checkout completion"
expect = "70%"
by = "2026-03-01"

[[promises.checkout-v2.hypotheses]]
belief = "saved wallets move it further"
metric = "checkout completion"
expect = "74%"
by = 2026-04-01

[promises.track-orders]
statement = "A shopper knows where an order is without calling us."
status = "in-play"
outcomes = [{ metric = "order-status calls", baseline = "41 a day", target = "25 a day" }]

[[promises.track-orders.hypotheses]]
metric = "order-status calls"
expect = "30 a day"
by = "2026-05-01"

[promises.gift-cards]
statement = "A shopper can buy and redeem gift cards."
status = "done"
outcomes = [{ metric = "gift-card revenue share", baseline = "0%", target = "2%" }]

[promises.search]
statement = "A shopper finds what we stock."
status = "done"
outcomes = [{ metric = "search exits", baseline = "30%", target = "20%" }]
verdict = { kept = false, reason = "exits stayed at 28%: the catalogue, not search, was the problem", date = "2026-03-15" }
"#;

const READINGS: &str = "date,promise,metric,value,source\n\
2026-02-20,checkout-v2,checkout completion,68%,analytics\n\
2026-03-05,checkout-v2,checkout completion,71%,analytics\n\
2026-04-03,checkout-v2,checkout completion,72%,analytics\n\
2026-04-10,checkout-v2,checkout completion,73%,analytics\n\
2026-04-20,track-orders,order-status calls,35 a day,support desk\n\
2026-03-01,gift-cards,gift-card revenue share,1.2%,finance\n\
2026-03-10,search,search exits,28%,analytics\n";

fn team() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.write("outcomes.csv", READINGS);
    repo.commit_at(
        "2026-06-25T10:00:00Z",
        "Ada <ada@example.com>",
        "Adopt\n\nPromise: checkout-v2\nPromise: track-orders\n",
    );
    repo
}

/// A finding as compared here: code, severity, message, promises.
type Found = (String, String, String, Vec<String>);

/// `(code, severity, message, promises)` of every finding, and the exit code.
fn findings(repo: &Repo, args: &[&str]) -> (i32, Vec<Found>) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let run = repo.plan_lint(&all);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let found = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let promises = f["promises"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string());
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                promises.collect(),
            )
        })
        .collect();
    (run.code, found)
}

fn warning(code: &str, message: &str, promise: &str) -> Found {
    (code.to_string(), "warning".to_string(), message.to_string(), vec![promise.to_string()])
}

const REFUTED: &str = "a hypothesis on `checkout-v2` is refuted: `checkout completion` was expected at 74% by \
                       2026-04-01; since then 72% on 2026-04-03, 73% on 2026-04-10; no open items build on it";
const UNVERIFIED: &str = "`gift-cards` is done, but its readings do not show it kept: `gift-card revenue share` 1.2% \
                          on 2026-03-01 (target 2%)";

#[test]
fn readings_confirm_refute_and_leave_unjudged_and_done_is_not_kept() {
    let repo = team();
    // As of the window's end (2026-06-30): the first hypothesis is confirmed (71% on 2026-03-05,
    // no finding), the second refuted, the third's date passed with nothing measured since; the
    // done promise without a verdict falls short; the one with a verdict is judged.
    let (code, found) = findings(&repo, &["--since", "2026-06-01", "--until", "2026-06-30"]);
    assert_eq!(code, 0, "warnings only: {found:#?}");
    // The readings' findings, then each hypothesis's, once the plans are read.
    assert_eq!(
        found,
        [
            warning("done-unverified", UNVERIFIED, "gift-cards"),
            warning("hypothesis-refuted", REFUTED, "checkout-v2"),
            warning(
                "hypothesis-unjudged",
                "a hypothesis on `track-orders` is unjudged: `order-status calls` was expected at 30 a day by \
                 2026-05-01, and nothing was measured since",
                "track-orders"
            ),
        ]
    );
    // Without a window the calendar is unknown: a passed date with nothing since cannot be told,
    // while the readings since a date still refute, and done still asks whether it was kept.
    let (code, found) = findings(&repo, &["--no-commits"]);
    assert_eq!(code, 0);
    assert_eq!(
        found,
        [warning("done-unverified", UNVERIFIED, "gift-cards"), warning("hypothesis-refuted", REFUTED, "checkout-v2")]
    );
    // A reading since the date judges the third; a verdict settles the done promise.
    let mut readings = READINGS.to_string();
    readings.push_str("2026-05-04,track-orders,order-status calls,29 a day,support desk\n");
    repo.write("outcomes.csv", &readings);
    let registry = REGISTRY.replace(
        "target = \"2%\" }]\n",
        "target = \"2%\" }]\nverdict = { kept = true, reason = \"1.2% and growing\", date = 2026-06-01 }\n",
    );
    repo.write("promises.toml", &registry);
    let (code, found) = findings(&repo, &["--since", "2026-06-01", "--until", "2026-06-30"]);
    assert_eq!((code, found), (0, vec![warning("hypothesis-refuted", REFUTED, "checkout-v2")]));
}

/// The JSON report carries what the board needs: each hypothesis as judged, with the readings
/// that judged it, and each done promise, delivered, with whether it was kept and by what.
#[test]
fn json_lists_hypotheses_as_judged_and_done_promises_as_kept_or_not() {
    let repo = team();
    let run = repo.plan_lint(&["check", "--format", "json", "--since", "2026-06-01", "--until", "2026-06-30"]);
    run.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v["hypotheses"],
        serde_json::json!([
            {
                "path": "promises.toml", "line": 9,
                "promise": "checkout-v2", "metric": "checkout completion", "expect": "70%", "by": "2026-03-01",
                "belief": "one-step payment moves checkout completion", "judgement": "confirmed",
                "readings": [{ "date": "2026-03-05", "value": "71%" }]
            },
            {
                "path": "promises.toml", "line": 15,
                "promise": "checkout-v2", "metric": "checkout completion", "expect": "74%", "by": "2026-04-01",
                "belief": "saved wallets move it further", "judgement": "refuted",
                "readings": [{ "date": "2026-04-03", "value": "72%" }, { "date": "2026-04-10", "value": "73%" }]
            },
            {
                "path": "promises.toml", "line": 26,
                "promise": "track-orders", "metric": "order-status calls", "expect": "30 a day", "by": "2026-05-01",
                "belief": null, "judgement": "unjudged", "readings": []
            }
        ])
    );
    assert_eq!(
        v["kept"],
        serde_json::json!([
            { "promise": "gift-cards", "customer": null, "kept": null, "by": null, "reason": null, "date": null },
            {
                "promise": "search", "customer": null, "kept": false, "by": "verdict",
                "reason": "exits stayed at 28%: the catalogue, not search, was the problem", "date": "2026-03-15"
            }
        ])
    );
    // Met by its readings: kept, by the readings.
    let mut readings = READINGS.to_string();
    readings.push_str("2026-06-10,gift-cards,gift-card revenue share,2.1%,finance\n");
    repo.write("outcomes.csv", &readings);
    let run = repo.plan_lint(&["check", "--format", "json", "--no-commits"]);
    run.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (&v["kept"][0]["kept"], &v["kept"][0]["by"]),
        (&serde_json::json!(true), &serde_json::json!("readings"))
    );
    // No readings file: nothing is judged, and the document is as before.
    std::fs::remove_file(repo.path().join("outcomes.csv")).unwrap();
    let run = repo.plan_lint(&["check", "--format", "json", "--no-commits"]);
    run.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(v.get("hypotheses").is_none() && v.get("kept").is_none(), "{v:#}");
}

#[test]
fn a_hypothesis_on_a_metric_its_promise_lacks_is_an_error_with_the_closest() {
    let repo = team();
    repo.write(
        "promises.toml",
        &REGISTRY.replacen("metric = \"checkout completion\"\nexpect", "metric = \"checkout completions\"\nexpect", 1),
    );
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(1);
    assert!(
        run.stdout
            .contains("a hypothesis on `checkout-v2` names `checkout completions`, which is not one of its metrics"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("did you mean `checkout completion`? `checkout-v2` measures: checkout completion"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("promises.toml:11:10"), "at the metric: {}", run.stdout);
    // A date that is not one stops the run (exit 2), at its place.
    repo.write("promises.toml", &REGISTRY.replace("by = \"2026-05-01\"", "by = \"May\""));
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(2);
    assert!(run.stderr.contains("`by` must be a date (YYYY-MM-DD)"), "{}", run.stderr);
}

/// Issue 26: hypotheses written where the team plans, as `Hypothesis:` lines in ROADMAP.md.
const PLAN_REGISTRY: &str = r#"[limits]
measure-days = 365

[promises.checkout-v2]
statement = "A shopper can pay in one step with a saved wallet."
status = "in-play"
outcomes = [{ metric = "checkout completion", baseline = "61%", target = "75%" }]

[promises.track-orders]
statement = "A shopper knows where an order is without calling us."
status = "in-play"
outcomes = [{ metric = "order-status calls", baseline = "41 a day", target = "25 a day" }]
"#;

const ROADMAP: &str = "\
# Roadmap

## Checkout
Promise: checkout-v2

Hypothesis: one-step payment moves checkout completion from 61% to 70% by 2026-03-01
Hypothesis: saved wallets move checkout completion to 74% by 2026-04-01

- [ ] wallet on the payment page
- [ ] remember the last card
- [x] one-step payment

## Orders

- [ ] Hypothesis: a status page moves order-status calls from 41 a day to 30 a day by 2026-05-01 (Promise: track-orders)
- [ ] Hypothesis: emails move order-status calls to 28 a day by May (Promise: track-orders)
";

/// The readings of the two promises in play.
fn plan_readings() -> String {
    READINGS
        .lines()
        .filter(|l| !l.contains("gift-cards") && !l.contains(",search,"))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn planned_team() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", PLAN_REGISTRY);
    repo.write("outcomes.csv", &plan_readings());
    repo.write("ROADMAP.md", ROADMAP);
    repo.commit_at(
        "2026-06-25T10:00:00Z",
        "Ada <ada@example.com>",
        "Adopt\n\nPromise: checkout-v2\nPromise: track-orders\n",
    );
    repo
}

/// A finding as placed: code, severity, message, path, line, help.
type Placed = (String, String, String, String, u64, String);

fn placed(repo: &Repo, args: &[&str]) -> (i32, Vec<Placed>, serde_json::Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let run = repo.plan_lint(&all);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let s = |x: &serde_json::Value| x.as_str().unwrap_or_default().to_string();
    let found = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                s(&f["code"]),
                s(&f["severity"]),
                s(&f["message"]),
                s(&f["path"]),
                f["line"].as_u64().unwrap(),
                s(&f["help"]),
            )
        })
        .collect();
    (run.code, found, v)
}

#[test]
fn hypotheses_written_in_a_plan_are_judged_at_their_lines() {
    let repo = planned_team();
    let (code, found, v) = placed(&repo, &["--since", "2026-06-01", "--until", "2026-06-30"]);
    let at = |code: &str, severity: &str, message: &str, line: u64, help: &str| -> Placed {
        (code.into(), severity.into(), message.into(), "ROADMAP.md".into(), line, help.into())
    };
    // The malformed line is an error (exit 1), judged with the plan; then each hypothesis as its
    // readings judge it: the first confirmed (71% on 2026-03-05: no finding), the second refuted
    // with the two open items of its section under it, the third unjudged.
    assert_eq!(code, 1, "{found:#?}");
    assert_eq!(
        found,
        [
            at(
                "hypothesis-invalid",
                "error",
                "this hypothesis cannot be read: `May` is not a date (YYYY-MM-DD)",
                16,
                "write it as `Hypothesis: <belief> moves <metric> from <baseline> to <expected> by YYYY-MM-DD \
                 (Promise: <id>)`"
            ),
            at(
                "hypothesis-refuted",
                "warning",
                "a hypothesis on `checkout-v2` is refuted: `checkout completion` was expected at 74% by 2026-04-01; \
                 since then 72% on 2026-04-03, 73% on 2026-04-10; 2 open items still build on it (ROADMAP.md:9, \
                 ROADMAP.md:10)",
                7,
                "`checkout-v2` is in-play: decide whether to continue (a new hypothesis), pivot (change the open \
                 items) or drop it"
            ),
            at(
                "hypothesis-unjudged",
                "warning",
                "a hypothesis on `track-orders` is unjudged: `order-status calls` was expected at 30 a day by \
                 2026-05-01, and nothing was measured since",
                15,
                "record a reading: plan-lint measure track-orders \"order-status calls\" <value>"
            ),
        ]
    );
    // The JSON carries each as judged, where it is written.
    assert_eq!(
        v["hypotheses"],
        serde_json::json!([
            {
                "path": "ROADMAP.md", "line": 6, "promise": "checkout-v2", "metric": "checkout completion",
                "expect": "70%", "by": "2026-03-01", "belief": "one-step payment", "judgement": "confirmed",
                "readings": [{ "date": "2026-03-05", "value": "71%" }]
            },
            {
                "path": "ROADMAP.md", "line": 7, "promise": "checkout-v2", "metric": "checkout completion",
                "expect": "74%", "by": "2026-04-01", "belief": "saved wallets", "judgement": "refuted",
                "readings": [{ "date": "2026-04-03", "value": "72%" }, { "date": "2026-04-10", "value": "73%" }]
            },
            {
                "path": "ROADMAP.md", "line": 15, "promise": "track-orders", "metric": "order-status calls",
                "expect": "30 a day", "by": "2026-05-01", "belief": "a status page", "judgement": "unjudged",
                "readings": []
            }
        ])
    );
    // The open items closed, the date mended and a reading since: nothing is built on the
    // refuted one any more (it says so), and the rest is judged.
    repo.write(
        "ROADMAP.md",
        &ROADMAP
            .replace("- [ ] wallet", "- [x] wallet")
            .replace("- [ ] remember", "- [x] remember")
            .replace("by May", "by 2026-05-01"),
    );
    let mut readings = plan_readings();
    readings.push_str("2026-05-04,track-orders,order-status calls,28 a day,support desk\n");
    repo.write("outcomes.csv", &readings);
    let (code, found, _) = placed(&repo, &["--since", "2026-06-01", "--until", "2026-06-30"]);
    assert_eq!(code, 0, "{found:#?}");
    let messages: Vec<(&str, &str, u64)> = found.iter().map(|f| (f.0.as_str(), f.2.as_str(), f.4)).collect();
    assert_eq!(
        messages,
        [(
            "hypothesis-refuted",
            "a hypothesis on `checkout-v2` is refuted: `checkout completion` was expected at 74% by 2026-04-01; since \
             then 72% on 2026-04-03, 73% on 2026-04-10; no open items build on it",
            7
        )]
    );
    assert_eq!(found[0].5, "no open items: record a verdict or a new hypothesis (`checkout-v2` is in-play)");
}

/// The editor server, on the plan alone (the registry not open): the malformed line and the
/// refuted hypothesis are diagnostics at their lines. It reads only the open document, so the
/// open work under the promise is not counted, and with no window nothing is unjudged.
#[test]
fn the_editor_server_shows_a_plans_hypotheses_at_their_lines() {
    use support::lsp_client::Client;
    let repo = planned_team();
    let mut cmd = support::git_env(std::process::Command::new(support::bin()), repo.path());
    cmd.arg("lsp");
    let mut client = Client::start(cmd, repo.path());
    let roadmap = format!("file://{}/ROADMAP.md", repo.path().display());
    client.open(&roadmap, "markdown", ROADMAP);
    let got: Vec<(String, u64, String)> = client
        .diagnostics(&roadmap)
        .iter()
        .map(|d| {
            let first = d["message"].as_str().unwrap().lines().next().unwrap().to_string();
            (d["code"].as_str().unwrap().to_string(), d["range"]["start"]["line"].as_u64().unwrap(), first)
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "hypothesis-invalid".to_string(),
                15,
                "this hypothesis cannot be read: `May` is not a date (YYYY-MM-DD)".to_string()
            ),
            (
                "hypothesis-refuted".to_string(),
                6,
                "a hypothesis on `checkout-v2` is refuted: `checkout completion` was expected at 74% by 2026-04-01; \
                 since then 72% on 2026-04-03, 73% on 2026-04-10"
                    .to_string()
            ),
        ]
    );
    assert_eq!(client.finish(), 0);
}

/// The registry with an owner per promise: a hostile one (markup, a link, a pipe, a control
/// character) on checkout-v2, a person on track-orders.
fn owned_registry() -> String {
    let owned = REGISTRY
        .replace(
            "statement = \"A shopper can pay in one step with a saved wallet.\"\n",
            "statement = \"A shopper can pay in one step with a saved wallet.\"\n\
             owner = \"@payments <b>team</b> | [x](https://evil.example) \\u001b[31m\"\n",
        )
        .replace(
            "statement = \"A shopper knows where an order is without calling us.\"\n",
            "statement = \"A shopper knows where an order is without calling us.\"\nowner = \"Ana Ruiz\"\n",
        );
    assert_eq!(owned.matches("owner =").count(), 2);
    owned
}

/// A plan under track-orders: an item done before any bet, then a hypothesis of its own (pending
/// until September) with the work after it nested under it, one item open, one done.
const BOARD_ROADMAP: &str = "# Roadmap\n\n## Orders\nPromise: track-orders\n\n- [x] Status page\n\n\
Hypothesis: a live map moves order-status calls from 41 a day to 28 a day by 2026-09-01\n\n\
- [ ] Live map\n- [x] Courier feed\n";

/// The board's window: the first hypothesis confirmed, the second refuted, the third unjudged,
/// the plan's pending.
pub(crate) const BOARD_WINDOW: [&str; 4] = ["--since", "2026-06-01", "--until", "2026-06-30"];

/// The team with owners, readings and a plan of its own (also rendered in Chromium by
/// `report::the_board_fits_a_phone_and_a_desk_in_chromium`).
pub(crate) fn board_team() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", &owned_registry()).write("outcomes.csv", READINGS).write("ROADMAP.md", BOARD_ROADMAP);
    repo.commit_at("2026-06-25T10:00:00Z", "Ada <ada@example.com>", "Adopt\n\nPromise: checkout-v2\n");
    repo
}

/// Where the `n`th (0-based) `[[promises.<id>.hypotheses]]` table starts in `registry`: `promises.toml:<line>`.
fn written(registry: &str, id: &str, n: usize) -> String {
    let table = format!("[[promises.{id}.hypotheses]]");
    let line = registry.lines().enumerate().filter(|(_, l)| *l == table).nth(n).unwrap().0 + 1;
    format!("promises.toml:{line}")
}

/// Issue 26 and 31 on the board: each promise lists its hypotheses (the registry's, then a
/// plan's), each with its belief, metric, expected value and date, the latest reading, the
/// verdict as of the window's last day (confirmed, refuted, unjudged, pending) and where it is
/// written, beside the promise's open and done items; each promise shows its owner, escaped for
/// each medium. Every format, and the JSON valid against the published schema.
#[test]
fn the_board_lists_each_promises_hypotheses_and_owner_in_every_format() {
    let repo = board_team();
    let registry = owned_registry();
    let window = BOARD_WINDOW;
    let board = |format: &str| {
        let run = support::run_with(
            repo.path(),
            &[&["report", "--format", format][..], &window].concat(),
            &[("COLUMNS", "400")],
            None,
        );
        run.expect_code(0);
        run.stdout
    };
    let owner = "@payments <b>team</b> | [x](https://evil.example) \u{1b}[31m";

    let json = board("json");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let card = |id: &str| v["promises"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap().clone();
    assert_eq!(card("checkout-v2")["owner"], owner);
    assert_eq!(card("track-orders")["owner"], "Ana Ruiz");
    assert_eq!(card("gift-cards")["owner"], serde_json::Value::Null, "unset: null");
    let reading = |date: &str, value: &str| serde_json::json!({ "date": date, "value": value });
    assert_eq!(
        card("checkout-v2")["hypotheses"],
        serde_json::json!([
            {
                "belief": "one-step payment moves checkout completion", "metric": "checkout completion",
                "expect": "70%", "by": "2026-03-01", "written": written(&registry, "checkout-v2", 0),
                "latest": reading("2026-04-10", "73%"), "verdict": "confirmed",
                "judged_by": reading("2026-03-05", "71%"), "open_items": [], "done_items": [],
            },
            {
                "belief": "saved wallets move it further", "metric": "checkout completion",
                "expect": "74%", "by": "2026-04-01", "written": written(&registry, "checkout-v2", 1),
                "latest": reading("2026-04-10", "73%"), "verdict": "refuted",
                "judged_by": reading("2026-04-10", "73%"), "open_items": [], "done_items": [],
            },
        ])
    );
    assert_eq!(
        card("track-orders")["hypotheses"],
        serde_json::json!([
            {
                "belief": null, "metric": "order-status calls", "expect": "30 a day", "by": "2026-05-01",
                "written": written(&registry, "track-orders", 0), "latest": reading("2026-04-20", "35 a day"),
                "verdict": "unjudged", "judged_by": null, "open_items": [], "done_items": [],
            },
            {
                "belief": "a live map", "metric": "order-status calls", "expect": "28 a day", "by": "2026-09-01",
                "written": "ROADMAP.md:8", "latest": reading("2026-04-20", "35 a day"),
                "verdict": "pending", "judged_by": null,
                "open_items": [{ "path": "ROADMAP.md", "line": 10, "text": "Live map" }],
                "done_items": [{ "path": "ROADMAP.md", "line": 11, "text": "Courier feed" }],
            },
        ])
    );
    let items = |c: &serde_json::Value, key: &str| -> Vec<String> {
        c[key].as_array().unwrap().iter().map(|i| format!("{}:{}", i["path"].as_str().unwrap(), i["line"])).collect()
    };
    assert_eq!(
        (items(&card("track-orders"), "open_items"), items(&card("track-orders"), "done_items")),
        (vec!["ROADMAP.md:10".to_string()], vec!["ROADMAP.md:6".to_string(), "ROADMAP.md:11".to_string()]),
        "the promise's items, nested under a hypothesis or not"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("board.json");
    std::fs::write(&file, &json).unwrap();
    if support::tool_available("check-jsonschema", "PLAN_LINT_REQUIRE_CHECK_JSONSCHEMA") {
        let (ok, out) = crate::org_board::validate(&file);
        assert!(ok, "{out}");
        // Positive control: a verdict the schema does not know.
        std::fs::write(&file, json.replacen("\"verdict\": \"pending\"", "\"verdict\": \"maybe\"", 1)).unwrap();
        assert!(!crate::org_board::validate(&file).0, "the schema accepted an unknown verdict");
    }

    let term = board("term");
    let first = written(&registry, "checkout-v2", 0);
    for line in [
        format!(
            "hypothesis  confirmed (71% on 2026-03-05)  one-step payment moves checkout completion: expects checkout \
             completion at 70% by 2026-03-01; latest 73% on 2026-04-10  {first}"
        ),
        "hypothesis  refuted (73% on 2026-04-10)  saved wallets move it further: expects".to_string(),
        "hypothesis  unjudged (nothing measured since 2026-05-01)  expects order-status calls at 30 a day by \
         2026-05-01; latest 35 a day on 2026-04-20"
            .to_string(),
        "hypothesis  pending (until 2026-09-01)  a live map: expects order-status calls at 28 a day by 2026-09-01; \
         latest 35 a day on 2026-04-20  ROADMAP.md:8"
            .to_string(),
        "ROADMAP.md:8\n                  open     ROADMAP.md:10 Live map\n                  done     ROADMAP.md:11 Courier feed\n"
            .to_string(),
        "items    1 open, 2 done: ROADMAP.md:10 Live map".to_string(),
        "done     ROADMAP.md:6 Status page, ROADMAP.md:11 Courier feed".to_string(),
        "  track-orders  —       owner Ana Ruiz  ".to_string(),
        "owner @payments <b>team</b> | [x](https://evil.example) ␛[31m  ".to_string(),
    ] {
        assert!(term.contains(&line), "{line} missing:\n{term}");
    }

    let md = board("markdown");
    for line in [
        "| Promise | Verdict | Hypothesis | Written |",
        "| `checkout-v2` | 🔴 **refuted** (73% on 2026-04-10) | saved wallets move it further: expects checkout \
         completion at 74% by 2026-04-01; latest 73% on 2026-04-10 |",
        "| `track-orders` | **unjudged** (nothing measured since 2026-05-01) | expects order-status calls at 30 a day \
         by 2026-05-01; latest 35 a day on 2026-04-20 |",
        "| `track-orders` | pending (until 2026-09-01) | a live map: expects order-status calls at 28 a day by \
         2026-09-01; latest 35 a day on 2026-04-20 | ROADMAP.md:8 | open: ROADMAP.md:10 Live map<br>done: ROADMAP.md:11 \
         Courier feed |",
        "- `track-orders`: 1 open: ROADMAP.md:10 Live map · 2 done: ROADMAP.md:6 Status page; ROADMAP.md:11 Courier feed",
        "- `checkout-v2`: no items",
    ] {
        assert!(md.contains(line), "{line} missing:\n{md}");
    }
    assert!(
        md.contains(&format!("| **confirmed** (71% on 2026-03-05) | one-step payment moves checkout completion: expects checkout completion at 70% by 2026-03-01; latest 73% on 2026-04-10 | {first} |")),
        "{md}"
    );
    // The owner is a cell of inert text: no mention, no tag, no link, the pipe kept in its cell.
    assert!(
        md.contains("| @\u{2060}payments &lt;b&gt;team&lt;/b&gt; \\| \\[x\\](https\\://evil.example) ␛\\[31m |"),
        "{md}"
    );
    assert!(md.contains("| Ana Ruiz |"), "{md}");

    let html = board("html");
    let card_html = |id: &str| {
        let start = html.find(&format!("data-promise=\"{id}\"><h3>")).unwrap_or_else(|| panic!("no card {id}"));
        // Up to the next promise's card or row (an outcome's progress bar is a `div` of its own).
        let end = html[start + 1..].find("data-promise=\"").map_or(html.len(), |i| i + start + 1);
        html[start..end].to_string()
    };
    let checkout = card_html("checkout-v2");
    assert!(
        checkout.contains(
            "<strong>Hypotheses</strong><ul class=\"hyps\"><li><span class=\"hv confirmed\">confirmed</span>"
        ),
        "{checkout}"
    );
    assert!(checkout.contains("<span class=\"hv refuted\">refuted</span> <span class=\"muted\">(73% on <span class=\"nw\">2026-04-10</span>)</span> saved wallets move it further"), "{checkout}");
    assert!(
        checkout.contains("Owner: <span class=\"owner\">@payments &lt;b&gt;team&lt;/b&gt; | [x](https://evil.example) \u{241b}[31m</span>"),
        "{checkout}"
    );
    let orders = card_html("track-orders");
    assert!(orders.contains("<span class=\"hv unjudged\">unjudged</span>"), "{orders}");
    assert!(orders.contains("<span class=\"hv pending\">pending</span> <span class=\"muted\">(until <span class=\"nw\">2026-09-01</span>)</span> a live map: expects order-status calls at 28 a day"), "{orders}");
    assert!(
        orders.contains(
            "<span class=\"muted\">ROADMAP.md:8</span><ul><li><code>ROADMAP.md:10</code> Live map</li></ul>\n<details \
             class=\"done\"><summary>1 done</summary><ul><li><code>ROADMAP.md:11</code> Courier feed</li></ul>\n</details></li>"
        ),
        "the work nested under the hypothesis: {orders}"
    );
    assert!(
        orders.contains(
            "<details class=\"done\"><summary>2 done</summary><ul><li><code>ROADMAP.md:6</code> Status page</li><li><code>ROADMAP.md:11</code> Courier feed</li></ul>"
        ),
        "{orders}"
    );
    assert!(orders.contains("Owner: <span class=\"owner\">Ana Ruiz</span>"), "{orders}");
    // A terminal shows markup as written, never a control; Markdown and HTML never a tag.
    for text in [&term, &md, &html] {
        assert!(!text.contains('\u{1b}'), "the owner's control went through: {text}");
    }
    assert!(!md.contains("<b>team") && !html.contains("<b>team"), "the owner's markup went through");

    // Without readings, each is pending before its date and unjudged after, with no reading.
    std::fs::remove_file(repo.path().join("outcomes.csv")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&board("json")).unwrap();
    let verdicts: Vec<(String, String, bool)> = v["promises"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["hypotheses"].as_array().unwrap().clone())
        .map(|h| {
            (h["by"].as_str().unwrap().to_string(), h["verdict"].as_str().unwrap().to_string(), h["latest"].is_null())
        })
        .collect();
    let expected =
        [("2026-03-01", "unjudged"), ("2026-04-01", "unjudged"), ("2026-05-01", "unjudged"), ("2026-09-01", "pending")];
    let expected: Vec<(String, String, bool)> =
        expected.iter().map(|(by, verdict)| (by.to_string(), verdict.to_string(), true)).collect();
    assert_eq!(verdicts, expected);
}
