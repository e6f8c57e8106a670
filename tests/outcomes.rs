//! Outcomes over time (issue 17): `plan-lint measure` records readings in outcomes.csv, checked
//! against promises.toml; the outcome rules judge them; the board shows progress.

mod support;

use support::{run_with, Repo};

const REGISTRY: &str = r#"[promises.find-and-buy]
statement = "A shopper can find and buy a product we stock."
status = "in-play"
outcomes = [
  { metric = "search-to-purchase conversion", baseline = "8%", target = "12%" },
  { metric = "order-status calls", baseline = "41 a day", target = "25 a day" },
]

[promises.gift-cards]
statement = "A shopper can buy gift cards."
status = "proposed"
outcomes = [{ metric = "gift card sales", target = "100 a week" }]
"#;

fn team() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.commit("Adopt\n\nPromise: find-and-buy\n");
    repo
}

fn days_ago(n: i64) -> String {
    (jiff::Zoned::now().date() - jiff::Span::new().days(n)).to_string()
}

fn csv(repo: &Repo) -> String {
    std::fs::read_to_string(repo.path().join("outcomes.csv")).unwrap_or_default()
}

#[test]
fn measure_records_checked_readings_sorted_by_date() {
    let repo = team();
    let conv = "search-to-purchase conversion";
    let run = repo.plan_lint(&[
        "measure",
        "find-and-buy",
        conv,
        "9%",
        "--date",
        "2026-11-02",
        "--source",
        "analytics, weekly",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout.contains(
            "recorded search-to-purchase conversion of find-and-buy on 2026-11-02: 9%, 25% of the way to 12%"
        ),
        "{}",
        run.stdout
    );
    let run = repo.plan_lint(&["measure", "find-and-buy", conv, "8.5%", "--date", "2026-10-05"]);
    run.expect_code(0);
    assert_eq!(
        csv(&repo),
        "date,promise,metric,value,source\n2026-10-05,find-and-buy,search-to-purchase conversion,8.5%,\n\
         2026-11-02,find-and-buy,search-to-purchase conversion,9%,\"analytics, weekly\"\n"
    );
    // Refused, with nothing written: an unknown promise, a metric it does not measure, another
    // unit, a bad date.
    let before = csv(&repo);
    for (args, says) in [
        (vec!["find-and-by", conv, "9%"], "did you mean `find-and-buy`?"),
        (
            vec!["find-and-buy", "conversion rate", "9%"],
            "`find-and-buy` measures: search-to-purchase conversion, order-status calls",
        ),
        (
            vec!["find-and-buy", "order-status calls", "30%"],
            "`30%` is in `%`, but `order-status calls` is measured in `a day`",
        ),
        (vec!["find-and-buy", conv, "nine"], "`nine` is not a number"),
        (vec!["find-and-buy", conv, "9%", "--date", "2026-13-01"], "is not a date"),
    ] {
        let mut all = vec!["measure"];
        all.extend(args);
        let run = repo.plan_lint(&all);
        run.expect_code(2);
        assert!(run.stderr.contains(says), "{all:?}: {}", run.stderr);
        assert_eq!(csv(&repo), before, "{all:?} wrote something");
    }
    let leftovers: Vec<_> = std::fs::read_dir(repo.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("plan-lint"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn an_import_is_checked_whole_before_anything_is_written() {
    let repo = team();
    let bad = "date,promise,metric,value,source\n2026-10-01,find-and-buy,search-to-purchase conversion,8.2%,ga\n\
               2026-10-02,find-and-buy,search-to-purchase conversion,8.4%,ga\n2026-10-03,nope,m,1,\n2026-1-4,find-and-buy,x,1,\n";
    let run = run_with(repo.path(), &["measure", "--import", "-"], &[], Some(bad));
    run.expect_code(2);
    assert!(run.stderr.contains("row 5, column `date`"), "{}", run.stderr);
    assert!(!repo.path().join("outcomes.csv").exists(), "a partial import was written");
    let good = "date,promise,metric,value,source\n2026-10-01,find-and-buy,search-to-purchase conversion,8.2%,ga\n\
                2026-10-03,nope,m,1,\n";
    let run = run_with(repo.path(), &["measure", "--import", "-"], &[], Some(good));
    run.expect_code(2);
    assert!(
        run.stderr.contains("row 3: unknown promise `nope`") && run.stderr.contains("nothing was written"),
        "{}",
        run.stderr
    );
    assert!(!repo.path().join("outcomes.csv").exists());
    let good = "date,promise,metric,value,source\n2026-10-08,find-and-buy,search-to-purchase conversion,8.6%,ga\n\
                2026-10-01,find-and-buy,search-to-purchase conversion,8.2%,ga\n";
    let run = run_with(repo.path(), &["measure", "--import", "-"], &[], Some(good));
    run.expect_code(0);
    let run = run_with(repo.path(), &["measure", "--import", "-"], &[], Some(good));
    run.expect_code(0);
    assert!(run.stdout.contains("2 readings already recorded, skipped"), "{}", run.stdout);
    assert_eq!(csv(&repo).lines().count(), 3, "{}", csv(&repo));
    assert!(csv(&repo).lines().nth(1).unwrap().starts_with("2026-10-01"), "sorted by date");
}

#[test]
fn outcome_rules_judge_the_readings() {
    let repo = team();
    // Judged over a window ending today (how recent a reading is depends on the calendar, so
    // `unmeasured-outcome` runs with a window, as the drift rules do). Only the outcome rules'
    // findings are looked at: the fixture's history is old, so it is also idle.
    let json = |repo: &Repo| {
        let run = repo.plan_lint(&["check", "--since", "90 days ago", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let outcome_codes =
            ["unmeasured-outcome", "outcome-met", "outcome-regressed", "unknown-metric", "unknown-promise"];
        let findings: Vec<serde_json::Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| outcome_codes.contains(&f["code"].as_str().unwrap()))
            .cloned()
            .collect();
        (run.code, findings)
    };
    // No readings file: the team does not measure yet, nothing is flagged.
    let (code, findings) = json(&repo);
    assert_eq!(code, 0);
    assert!(findings.is_empty(), "{findings:#?}");
    // Without a window there is no "lately": never measured is not flagged by plain `check`.
    repo.plan_lint(&["measure", "find-and-buy", "search-to-purchase conversion", "9%", "--date", &days_ago(100)])
        .expect_code(0);
    let plain = repo.plan_lint(&["check", "--no-commits"]);
    plain.expect_code(0);
    assert!(!plain.stdout.contains("unmeasured-outcome"), "{}", plain.stdout);
    std::fs::remove_file(repo.path().join("outcomes.csv")).unwrap();
    // One outcome measured recently, on its way; the other never: unmeasured.
    let conv = "search-to-purchase conversion";
    repo.plan_lint(&["measure", "find-and-buy", conv, "9%", "--date", &days_ago(3)]).expect_code(0);
    let (code, findings) = json(&repo);
    assert_eq!(code, 0);
    let codes: Vec<&str> = findings.iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["unmeasured-outcome"], "{findings:#?}");
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("`order-status calls` of `find-and-buy` has never been measured"));
    assert_eq!(findings[0]["promises"], serde_json::json!(["find-and-buy"]));
    // Old readings are unmeasured too (`[limits] measure-days`, default 30).
    repo.plan_lint(&["measure", "find-and-buy", "order-status calls", "39 a day", "--date", &days_ago(45)])
        .expect_code(0);
    let (_, findings) = json(&repo);
    assert!(findings[0]["message"].as_str().unwrap().contains("was last measured 45 days ago"), "{findings:#?}");
    // Worse than the baseline: regressed. At or past the target: met.
    repo.plan_lint(&["measure", "find-and-buy", "order-status calls", "44 a day", "--date", &days_ago(1)])
        .expect_code(0);
    repo.plan_lint(&["measure", "find-and-buy", conv, "12.4%", "--date", &days_ago(0)]).expect_code(0);
    let (code, findings) = json(&repo);
    assert_eq!(code, 0, "warnings only");
    let codes: Vec<&str> = findings.iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["outcome-met", "outcome-regressed"], "{findings:#?}");
    // Rows naming an unknown promise or metric are errors at their line.
    let mut text = csv(&repo);
    text.push_str(&format!("{},find-and-bye,{conv},9%,\n{},find-and-buy,conversion,9%,\n", days_ago(0), days_ago(0)));
    std::fs::write(repo.path().join("outcomes.csv"), &text).unwrap();
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(1);
    assert!(
        run.stdout.contains("outcomes.csv:6:1") && run.stdout.contains("names unknown promise `find-and-bye`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("outcomes.csv:7:1")
            && run.stdout.contains("`conversion` is not a metric of `find-and-buy`"),
        "{}",
        run.stdout
    );
    // A row that is not a reading at all stops the run, naming it.
    std::fs::write(repo.path().join("outcomes.csv"), format!("{text}yesterday,find-and-buy,{conv},9%,\n")).unwrap();
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(2);
    assert!(run.stderr.contains("outcomes.csv:8: date: `yesterday` is not a date"), "{}", run.stderr);
}

#[test]
fn the_board_shows_readings_latest_and_progress() {
    let repo = team();
    let conv = "search-to-purchase conversion";
    repo.plan_lint(&["measure", "find-and-buy", conv, "8.8%", "--date", "2026-10-01", "--source", "ga"]).expect_code(0);
    repo.plan_lint(&["measure", "find-and-buy", conv, "10%", "--date", "2026-11-01", "--source", "ga"]).expect_code(0);
    let run = repo.plan_lint(&["report", "--format", "json", "--since", "2026-10-01", "--until", "2026-11-30"]);
    run.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let outcome = &v["promises"][0]["outcomes"][0];
    assert_eq!(
        outcome["measurements"],
        serde_json::json!([
            { "date": "2026-10-01", "value": "8.8%", "source": "ga" },
            { "date": "2026-11-01", "value": "10%", "source": "ga" }
        ])
    );
    assert_eq!(outcome["latest"], serde_json::json!({ "date": "2026-11-01", "value": "10%" }));
    assert_eq!(outcome["progress"], serde_json::json!(0.5));
    let unmeasured = &v["promises"][0]["outcomes"][1];
    assert_eq!((unmeasured["latest"].is_null(), unmeasured["progress"].is_null()), (true, true));
    let term = run_with(
        repo.path(),
        &["report", "--since", "2026-10-01", "--until", "2026-11-30"],
        &[("COLUMNS", "200")],
        None,
    );
    term.expect_code(0);
    assert!(term.stdout.contains("search-to-purchase conversion: 8% → 10% (50%, 2026-11-01) → 12%"), "{}", term.stdout);
}

/// Each outcome rule's human output, as a snapshot: a window ending 2026-03-01 (how recent a
/// reading is is judged as of the window's last day), readings fixed in the file.
#[test]
fn outcome_rule_snapshots() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.write(
        "outcomes.csv",
        "date,promise,metric,value,source\n\
         2026-01-10,find-and-buy,order-status calls,44 a day,support desk\n\
         2026-02-20,find-and-buy,search-to-purchase conversion,12.5%,analytics\n",
    );
    repo.commit_at("2026-02-25T10:00:00Z", "Ada <ada@example.com>", "Adopt\n\nPromise: find-and-buy\n");
    let window = ["check", "--since", "2026-02-01", "--until", "2026-03-01"];
    let run = repo.plan_lint(&window);
    run.expect_code(0);
    for code in ["unmeasured-outcome", "outcome-met", "outcome-regressed"] {
        assert!(run.stdout.contains(code), "{code}:\n{}", run.stdout);
    }
    support::snapshot("outcome-rules", &run.stdout);
    let mut text = std::fs::read_to_string(repo.path().join("outcomes.csv")).unwrap();
    text.push_str("2026-02-21,find-and-buy,conversion rate,9%,\n");
    std::fs::write(repo.path().join("outcomes.csv"), text).unwrap();
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(1);
    support::snapshot("unknown-metric", &run.stdout);
}
