//! Outcomes over time (issue 17): `plan-lint measure` records readings in outcomes.csv, checked
//! against promises.toml; the outcome rules judge them; the board shows progress.

use crate::support;

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

/// `measure` asks the rule `check` judges readings with: what it refuses as a metric the
/// promise does not measure is `unknown-metric`'s finding, message and help, word for word.
#[test]
fn measure_refuses_a_metric_in_the_words_check_flags_it() {
    let mut repo = Repo::new();
    let registry = format!("{REGISTRY}\n[promises.secure]\nstatement = \"Accounts are safe.\"\nstatus = \"in-play\"\n");
    repo.write("promises.toml", &registry);
    repo.commit("Adopt\n\nPromise: find-and-buy\n");
    for (promise, metric) in
        [("find-and-buy", "search-to-purchase convertion"), ("find-and-buy", "weekly revenue"), ("secure", "breaches")]
    {
        let refused = repo.plan_lint(&["measure", promise, metric, "9%", "--date", "2026-03-02"]);
        refused.expect_code(2);
        assert!(!repo.path().join("outcomes.csv").exists(), "{metric}: written");
        repo.write("outcomes.csv", &format!("date,promise,metric,value,source\n2026-03-02,{promise},{metric},9%,\n"));
        let run = repo.plan_lint(&["check", "--no-commits", "--format", "json"]);
        run.expect_code(1);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let found: Vec<&serde_json::Value> =
            v["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "unknown-metric").collect();
        assert_eq!(found.len(), 1, "{metric}: {}", run.stdout);
        let (message, help) = (found[0]["message"].as_str().unwrap(), found[0]["help"].as_str().unwrap());
        assert!(refused.stderr.contains(message), "{metric}: {message} not in {}", refused.stderr);
        assert!(refused.stderr.contains(help), "{metric}: {help} not in {}", refused.stderr);
        std::fs::remove_file(repo.path().join("outcomes.csv")).unwrap();
    }
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
    support::snapshot("outcomes/outcome-rules", &run.stdout);
    let mut text = std::fs::read_to_string(repo.path().join("outcomes.csv")).unwrap();
    text.push_str("2026-02-21,find-and-buy,conversion rate,9%,\n");
    std::fs::write(repo.path().join("outcomes.csv"), text).unwrap();
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(1);
    support::snapshot("outcomes/unknown-metric", &run.stdout);
}

/// Issue 23: a metric name from the registry (TOML escapes can carry ESC and OSC 8) is printed
/// by `measure` as visible stand-ins, for one reading and for an import.
#[test]
fn measure_prints_metric_names_with_their_controls_visible() {
    let mut repo = Repo::new();
    let metric = "m\u{1b}]8;;https://evil.example\u{7}click\u{1b}]8;;\u{7}\u{1b}[2K\u{202e}";
    repo.write(
        "promises.toml",
        "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\n\
         outcomes = [{ metric = \"m\\u001b]8;;https://evil.example\\u0007click\\u001b]8;;\\u0007\\u001b[2K\\u202e\", \
         baseline = \"1\", target = \"3\" }]\n",
    );
    repo.commit("Adopt\n\nPromise: find-and-buy\n");
    let raw = ['\u{1b}', '\u{7}', '\u{202e}'];
    let run = repo.plan_lint(&["measure", "find-and-buy", metric, "2", "--date", "2026-01-02"]);
    run.expect_code(0);
    assert!(run.stdout.contains("recorded m␛]8;;https://evil.example␇click"), "{}", run.stdout);
    assert!(!run.stdout.contains(raw), "{:?}", run.stdout);
    let import = format!("date,promise,metric,value\n2026-01-03,find-and-buy,\"{metric}\",2.5\n");
    let run = run_with(repo.path(), &["measure", "--import", "-"], &[], Some(&import));
    run.expect_code(0);
    assert!(run.stdout.contains("recorded m␛]8;;") && run.stdout.contains("75% of the way to 3"), "{}", run.stdout);
    assert!(!run.stdout.contains(raw), "{:?}", run.stdout);
    // The file keeps the name as the registry spells it: it is data, not output.
    assert_eq!(csv(&repo).matches(metric).count(), 2, "{:?}", csv(&repo));
}

/// Issue 23: `measure` runs at once used to lose readings (each read the file, added its own and
/// renamed its copy over the others': 3 to 8 of 20 kept, all saying "recorded"). A lock around
/// read, merge and rename keeps every one.
#[test]
fn twenty_measures_at_once_keep_twenty_readings() {
    let repo = team();
    let children: Vec<_> = (0..20)
        .map(|i| {
            support::git_env(std::process::Command::new(support::bin()), repo.path())
                .args(["measure", "find-and-buy", "order-status calls"])
                .arg(format!("{} a day", 30 + i))
                .args(["--date", &format!("2026-02-{:02}", i + 1)])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("recorded order-status calls"));
    }
    let text = csv(&repo);
    assert_eq!(text.lines().count(), 21, "{text}");
    for i in 0..20 {
        assert!(
            text.contains(&format!("2026-02-{:02},find-and-buy,order-status calls,{} a day,", i + 1, 30 + i)),
            "{text}"
        );
    }
    // The lock lives in the git directory: nothing new in the work tree.
    assert_eq!(repo.git(&["status", "--porcelain"]), "?? outcomes.csv\n");
}

/// Issue 23: `[outcomes] file` under a directory that is a symbolic link out of the repository
/// was written by `measure` and read by `check` and `report` (outside content in the JSON
/// board). Refused, each with a clear error, and nothing outside is touched.
#[test]
fn a_readings_file_behind_a_link_out_of_the_repository_is_neither_read_nor_written() {
    let mut repo = Repo::new();
    repo.write("promises.toml", &format!("{REGISTRY}\n[outcomes]\nfile = \"data/outcomes.csv\"\n"));
    repo.commit("Adopt\n\nPromise: find-and-buy\n");
    let outside = tempfile::tempdir().unwrap();
    let theirs =
        "date,promise,metric,value,source\n2026-01-02,find-and-buy,order-status calls,39 a day,OUTSIDE SECRET\n";
    std::fs::write(outside.path().join("outcomes.csv"), theirs).unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("data")).unwrap();
    let run = repo.plan_lint(&["measure", "find-and-buy", "order-status calls", "38 a day", "--date", "2026-01-03"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("data/outcomes.csv is under a symbolic link that leaves the repository's work tree"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(outside.path().join("outcomes.csv")).unwrap(), theirs, "written outside");
    for args in [
        &["report", "--format", "json", "--since", "2026-01-01", "--until", "2026-01-31"][..],
        &["check", "--no-commits"],
        &["check", "--since", "2026-01-01", "--until", "2026-01-31", "--format", "json"],
    ] {
        let run = repo.plan_lint(args);
        run.expect_code(2);
        assert!(
            run.stderr.contains("leaves the repository's work tree") && run.stderr.contains("not read"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stdout.contains("OUTSIDE SECRET") && !run.stderr.contains("OUTSIDE SECRET"), "{args:?}");
    }
    // Into .git, the same.
    std::fs::remove_file(repo.path().join("data")).unwrap();
    std::os::unix::fs::symlink(repo.path().join(".git"), repo.path().join("data")).unwrap();
    let run = repo.plan_lint(&["measure", "find-and-buy", "order-status calls", "38 a day", "--date", "2026-01-03"]);
    run.expect_code(2);
    assert!(!repo.path().join(".git/outcomes.csv").exists());
    // A link to a directory inside the work tree is fine: it is the repository's own.
    std::fs::remove_file(repo.path().join("data")).unwrap();
    std::fs::create_dir(repo.path().join("readings")).unwrap();
    std::os::unix::fs::symlink("readings", repo.path().join("data")).unwrap();
    repo.plan_lint(&["measure", "find-and-buy", "order-status calls", "38 a day", "--date", "2026-01-03"])
        .expect_code(0);
    assert!(std::fs::read_to_string(repo.path().join("readings/outcomes.csv")).unwrap().contains("38 a day"));
    repo.plan_lint(&["check", "--no-commits"]).expect_code(0);
}

/// Issue 23: columns plan-lint does not read (`notes`) used to vanish at the first `measure`.
/// They are kept where they are, new readings empty there; an import's own columns are added.
#[test]
fn measure_keeps_the_columns_it_does_not_read() {
    let repo = team();
    let conv = "search-to-purchase conversion";
    repo.write(
        "outcomes.csv",
        &format!("date,promise,notes,metric,value,source,owner\n2026-01-05,find-and-buy,\"after the launch, v2\",{conv},8.5%,ga,ada\n"),
    );
    repo.plan_lint(&["measure", "find-and-buy", conv, "9%", "--date", "2026-01-12", "--source", "ga"]).expect_code(0);
    assert_eq!(
        csv(&repo),
        format!(
            "date,promise,notes,metric,value,source,owner\n2026-01-05,find-and-buy,\"after the launch, v2\",{conv},8.5%,ga,ada\n\
             2026-01-12,find-and-buy,,{conv},9%,ga,\n"
        )
    );
    let import = format!("date,promise,metric,value,owner,team\n2026-01-19,find-and-buy,{conv},9.5%,bob,shop\n");
    run_with(repo.path(), &["measure", "--import", "-"], &[], Some(&import)).expect_code(0);
    assert_eq!(
        csv(&repo),
        format!(
            "date,promise,notes,metric,value,source,owner,team\n2026-01-05,find-and-buy,\"after the launch, v2\",{conv},8.5%,ga,ada,\n\
             2026-01-12,find-and-buy,,{conv},9%,ga,,\n2026-01-19,find-and-buy,,{conv},9.5%,,bob,shop\n"
        )
    );
    // The file still reads: the board shows all three.
    let run = repo.plan_lint(&["report", "--format", "json", "--since", "2026-01-01", "--until", "2026-01-31"]);
    run.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["promises"][0]["outcomes"][0]["measurements"].as_array().map(Vec::len), Some(3));
}

/// Issue 23: `inf`, `NaN%` and a 400-digit number were recorded, and the boards then drew
/// `NaN` and `-inf` points and a Mermaid line of `[inf, …]`. `measure` refuses them, and a file
/// that holds one stops the run naming the line, as a bad date does.
#[test]
fn values_that_are_not_finite_numbers_are_refused() {
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        &REGISTRY.replace(
            "outcomes = [{ metric = \"gift card sales\", target = \"100 a week\" }]",
            "outcomes = [{ metric = \"mood\", target = \"happier\" }]",
        ),
    );
    repo.commit("Adopt\n\nPromise: find-and-buy\n");
    let conv = "search-to-purchase conversion";
    let huge = format!("{}%", "9".repeat(400));
    for (promise, metric, value, says) in [
        ("find-and-buy", conv, "inf", "`inf` is not a finite number"),
        ("find-and-buy", conv, "NaN%", "`NaN%` is not a finite number"),
        ("find-and-buy", conv, "-Infinity %", "`-Infinity %` is not a finite number"),
        ("find-and-buy", conv, huge.as_str(), "is too large a number"),
        // Even where the target is no number, so no unit is checked.
        ("gift-cards", "mood", "NaN", "`NaN` is not a finite number"),
        ("gift-cards", "mood", "inf", "`inf` is not a finite number"),
    ] {
        let run = repo.plan_lint(&["measure", promise, metric, value, "--date", "2026-01-02"]);
        run.expect_code(2);
        assert!(run.stderr.contains(says), "{value}: {}", run.stderr);
        assert!(!repo.path().join("outcomes.csv").exists(), "{value} was written");
    }
    let import = format!(
        "date,promise,metric,value\n2026-01-02,find-and-buy,{conv},9%\n2026-01-03,find-and-buy,{conv},{huge}\n"
    );
    let run = run_with(repo.path(), &["measure", "--import", "-"], &[], Some(&import));
    run.expect_code(2);
    assert!(run.stderr.contains("row 3, column `value`: `999") && run.stderr.contains("too large"), "{}", run.stderr);
    assert!(!repo.path().join("outcomes.csv").exists());
    // Written by hand: every board refuses to draw it, naming the line.
    repo.write(
        "outcomes.csv",
        &format!("date,promise,metric,value,source\n2026-01-02,find-and-buy,{conv},9%,\n2026-01-03,find-and-buy,{conv},{huge},\n2026-01-04,find-and-buy,{conv},-inf%,\n"),
    );
    for format in ["html", "markdown", "json", "term"] {
        let run = repo.plan_lint(&["report", "--format", format, "--since", "2026-01-01", "--until", "2026-01-31"]);
        run.expect_code(2);
        assert!(
            run.stderr.contains("outcomes.csv:3: value: `999")
                && run.stderr.contains("outcomes.csv:4: value: `-inf%` is not a finite number"),
            "{format}: {}",
            run.stderr
        );
        assert!(!run.stdout.contains("inf") && !run.stdout.contains("NaN"), "{format}: {}", run.stdout);
    }
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(2);
    assert!(run.stderr.contains("outcomes.csv:4: value"), "{}", run.stderr);
}

/// Issue 23: `measure --import` looked every row up in every reading before it (40,000 rows
/// 1.6 s, 230,000 rows 187 s). One hash look-up each (the unit test
/// `merging_is_one_look_up_per_reading` takes 200,000): 40,000 rows, then the same again, all
/// skipped against a file of as many, and one more.
#[test]
fn a_large_import_is_deduplicated_against_the_file() {
    let repo = team();
    let conv = "search-to-purchase conversion";
    let mut import = String::from("date,promise,metric,value,source\n");
    for i in 0..40_000 {
        import.push_str(&format!(
            "2026-0{}-{:02},find-and-buy,{conv},{}.{}%,q\n",
            1 + i % 9,
            1 + i % 28,
            i / 10,
            i % 10
        ));
    }
    let run = run_with(repo.path(), &["measure", "--import", "-"], &[], Some(&import));
    run.expect_code(0);
    assert!(run.stdout.ends_with("\n40,000 readings in outcomes.csv\n"), "{}", &run.stdout[run.stdout.len() - 200..]);
    import.push_str(&format!("2026-12-01,find-and-buy,{conv},12%,q\n"));
    let run = run_with(repo.path(), &["measure", "--import", "-"], &[], Some(&import));
    run.expect_code(0);
    assert!(
        run.stdout.starts_with(
            "recorded search-to-purchase conversion of find-and-buy on 2026-12-01: 12%, 100% of the way to 12%\n"
        ) && run.stdout.ends_with("40,000 readings already recorded, skipped\n40,001 readings in outcomes.csv\n"),
        "{}",
        run.stdout
    );
    assert_eq!(csv(&repo).lines().count(), 40_002);
}

/// `4.8KB` and `4.8 kB` on the same day are one reading, however the unit is spelled: the
/// second is skipped, on the command line and within an import, and the first spelling kept.
#[test]
fn a_reading_spelled_another_way_is_recorded_once() {
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        "[promises.fast-pages]\nstatement = \"s\"\nstatus = \"in-play\"\n\
         outcomes = [{ metric = \"bundle size\", baseline = \"6.1 kB\", target = \"under 5 kB\" }]\n",
    );
    repo.commit("Adopt\n\nPromise: fast-pages\n");
    let measure =
        |value: &str| repo.plan_lint(&["measure", "fast-pages", "bundle size", value, "--date", "2026-11-02"]);
    measure("4.8KB").expect_code(0);
    let run = measure("4.8 kB");
    run.expect_code(0);
    assert!(run.stdout.contains("1 reading already recorded, skipped"), "{}", run.stdout);
    let run = measure("4.80 kb");
    run.expect_code(0);
    assert!(run.stdout.contains("1 reading already recorded, skipped"), "{}", run.stdout);
    assert_eq!(csv(&repo).lines().count(), 2, "{}", csv(&repo));
    assert!(csv(&repo).contains(",4.8KB,"), "{}", csv(&repo));
    // Another number is another reading.
    measure("4.7 kB").expect_code(0);
    assert_eq!(csv(&repo).lines().count(), 3, "{}", csv(&repo));

    let import = "date,promise,metric,value,source\n2026-11-03,fast-pages,bundle size,4.6 kB,ci\n\
                  2026-11-03,fast-pages,bundle size,4.6KB,ci\n";
    let run = run_with(repo.path(), &["measure", "--import", "-"], &[], Some(import));
    run.expect_code(0);
    assert!(run.stdout.contains("1 reading already recorded, skipped"), "{}", run.stdout);
    assert_eq!(csv(&repo).lines().count(), 4, "{}", csv(&repo));
}
