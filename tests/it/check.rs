//! `plan-lint check` end to end: real repositories built with the `git` binary in temp dirs, the
//! real binary, whole-output snapshots (tests/snapshots/check/, rewrite with SNAPSHOTS=overwrite).
//!
//! One fixture team, then one test per rule that breaks exactly one thing, so each snapshot shows
//! the rule firing and nothing else; and the clean team, where every rule stays silent.

use crate::support;

use serde::Deserialize;
use support::{run_in, snapshot, Repo};

const REGISTRY: &str = r#"vision = "Shoppers can find anything they want to buy."

[limits]
in-play = 2

[customers.shopper]
description = "People who buy from the store"

[promises.find-and-buy]
statement = "A shopper can find and buy a product we stock."
customer = "shopper"
status = "in-play"
priority = "must"
outcomes = [{ metric = "search-to-purchase conversion", baseline = "8%", target = "12%" }]

[promises.track-orders]
statement = "A shopper can see where their order is."
customer = "shopper"
status = "in-play"
priority = "should"
outcomes = [{ metric = "order-status calls per 1,000 orders", baseline = "41", target = "25" }]

[promises.checkout-v2]
statement = "A shopper pays in one step."
customer = "shopper"
status = "proposed"

[promises.gift-cards]
statement = "A shopper can buy gift cards."
customer = "shopper"
status = "done"

[commits]
exempt-subjects = ["^chore\\(deps\\)"]
"#;

const ROADMAP: &str = "\
# Roadmap

## Search
Promise: find-and-buy

- [x] Trigram index
- [ ] Rank in-stock first

## Orders
- [ ] Status page (Promise: track-orders)

## Next
Promise: checkout-v2

- [ ] Saved wallets
";

/// The clean team: everything traced, every commit exempt or traced to a promise in play.
fn team() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", ROADMAP);
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    repo.write("src/search.rs", "// search\n");
    repo.commit("Add trigram index\n\nPromise: find-and-buy\nSigned-off-by: Ada Lovelace <ada@example.com>\n");
    repo.commit("chore(deps): bump serde\n");
    repo.commit("fixup! Add trigram index\n");
    repo
}

fn check(repo: &Repo, args: &[&str]) -> support::Run {
    let mut all = vec!["check", "--commits", "HEAD"];
    all.extend_from_slice(args);
    repo.plan_lint(&all)
}

#[test]
fn clean_team_has_no_findings() {
    let repo = team();
    let run = check(&repo, &[]);
    run.expect_code(0);
    snapshot("check/clean", &run.stdout);
}

#[test]
fn unknown_promise_in_plans_and_commits() {
    let mut repo = team();
    repo.write(
        "plans/extra.md",
        "# Extra\nPromise: find-and-by\n\n- [ ] Facets\n- [ ] Wishlist (Promise: wish-list)\n",
    );
    repo.commit("Plan the extras\n\nPromise: Track-Orders\n");
    let run = check(&repo, &[]);
    run.expect_code(1);
    snapshot("check/unknown-promise", &run.stdout);
}

#[test]
fn untraced_item() {
    let mut repo = team();
    repo.write("plans/ops.md", "# Ops\n\n- [ ] Upgrade CI runners\n  - [ ] Pin the image\n");
    repo.commit("Plan ops\n\nPromise: find-and-buy\n");
    let run = check(&repo, &[]);
    run.expect_code(1);
    snapshot("check/untraced-item", &run.stdout);
}

#[test]
fn untraced_commit_but_not_merges_or_exempt_subjects() {
    let mut repo = team();
    repo.commit("Tweak footer colours\n");
    repo.git(&["checkout", "-q", "-b", "side", "HEAD~1"]);
    repo.commit("Side work\n\nPromise: track-orders\n");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "--no-edit", "side"]);
    let run = check(&repo, &[]);
    run.expect_code(1);
    assert_eq!(run.stdout.matches("untraced-commit").count(), 1, "{}", run.stdout);
    snapshot("check/untraced-commit", &run.stdout);
}

#[test]
fn not_in_play_is_an_error_for_commits_and_a_warning_for_open_items() {
    let mut repo = team();
    repo.write("plans/old.md", "# Old\nPromise: gift-cards\n\n- [ ] Remove banner\n- [x] Launch\n");
    repo.commit("Gift card banner\n\nPromise: gift-cards\n");
    repo.commit("Wallet spike\n\nPromise: checkout-v2\n");
    let run = check(&repo, &[]);
    run.expect_code(1);
    snapshot("check/not-in-play", &run.stdout);
}

#[test]
fn too_many_in_play() {
    let mut repo = team();
    let registry = REGISTRY.replace(
        "status = \"proposed\"",
        "status = \"in-play\"\noutcomes = [{ metric = \"one-step share\", target = \"50%\" }]",
    );
    repo.write("promises.toml", &registry);
    repo.commit("Start wallets\n\nPromise: checkout-v2\n");
    let run = check(&repo, &[]);
    run.expect_code(1);
    snapshot("check/too-many-in-play", &run.stdout);
}

#[test]
fn no_outcome_warns_and_deny_makes_it_fail() {
    let mut repo = team();
    let registry = REGISTRY.replace(
        "outcomes = [{ metric = \"order-status calls per 1,000 orders\", baseline = \"41\", target = \"25\" }]",
        "outcomes = [{ metric = \"calls\" }]",
    );
    repo.write("promises.toml", &registry);
    repo.commit("Drop the target\n\nPromise: track-orders\n");
    let run = check(&repo, &[]);
    run.expect_code(0);
    snapshot("check/no-outcome", &run.stdout);
    check(&repo, &["--deny", "no-outcome"]).expect_code(1);
    check(&repo, &["--allow", "no-outcome"]).expect_code(0);
}

#[test]
fn malformed_trailers() {
    let mut repo = team();
    repo.commit("Misspelled\n\nPromsie: find-and-buy\n");
    repo.commit("Buried\n\nPromise: find-and-buy\nand then prose after it.\n");
    repo.commit("Divider\n\nNotes.\n---\n\nPromise: find-and-buy\n");
    let run = check(&repo, &[]);
    run.expect_code(1);
    snapshot("check/malformed-trailer", &run.stdout);
}

#[test]
fn rules_table_sets_levels_and_the_command_line_wins() {
    let mut repo = team();
    repo.write("promises.toml", &format!("{REGISTRY}\n[rules]\nuntraced-commit = \"warn\"\n"));
    repo.commit("Untraced\n");
    check(&repo, &[]).expect_code(0);
    check(&repo, &["--deny", "untraced-commit"]).expect_code(1);
    let run = check(&repo, &["--allow", "untraced-commit"]);
    run.expect_code(0);
    assert!(run.stdout.contains("all traced"), "{}", run.stdout);
}

#[test]
fn since_bounds_history() {
    let mut repo = team();
    let old = repo.commit("Old untraced work\n");
    repo.write("promises.toml", &REGISTRY.replace("[commits]\n", &format!("[commits]\nsince = \"{old}\"\n")));
    repo.commit("Set the adoption point\n\nPromise: find-and-buy\n");
    let run = check(&repo, &[]);
    run.expect_code(0);
    assert!(run.stdout.contains("1 commit (HEAD, after"), "{}", run.stdout);
}

#[test]
fn default_range_is_the_branch_against_the_default_branch() {
    let mut repo = team();
    repo.commit("Untraced on main, already merged\n");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.commit("Feature work\n\nPromise: track-orders\n");
    let run = repo.plan_lint(&["check"]);
    run.expect_code(0);
    assert!(run.stdout.contains("1 commit (main..HEAD)"), "{}", run.stdout);
    repo.commit("Untraced feature work\n");
    repo.plan_lint(&["check"]).expect_code(1);
}

#[test]
fn an_empty_repository_has_nothing_to_check() {
    let repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    let run = repo.plan_lint(&["check"]);
    run.expect_code(0);
    assert!(run.stdout.contains("0 commits (no commits yet)"), "{}", run.stdout);
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct JsonReport {
    version: u32,
    findings: Vec<JsonFinding>,
    summary: JsonSummary,
    skipped: Vec<serde_json::Value>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct JsonFinding {
    code: String,
    severity: String,
    message: String,
    help: Option<String>,
    path: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    commit: Option<String>,
    promises: Vec<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
    files: usize,
    issues: usize,
    bodies: Vec<String>,
    items: usize,
    commits: Option<usize>,
    range: Option<String>,
    in_play: Vec<String>,
    in_play_limit: usize,
}

#[test]
fn json_output_parses_back_with_positions_and_commits() {
    let mut repo = team();
    repo.write("plans/extra.md", "# Extra\n\n- [ ] Wishlist (Promise: wish-list)\n");
    let sha = repo.commit("Plan it\n\nPromise: find-and-by\n");
    let run = check(&repo, &["--format", "json"]);
    run.expect_code(1);
    let report: JsonReport = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(report.version, 1);
    assert!(report.skipped.is_empty());
    assert_eq!(report.summary.errors, 2);
    assert_eq!(report.summary.warnings, 0);
    assert_eq!((report.summary.files, report.summary.items, report.summary.commits), (2, 5, Some(5)));
    assert_eq!((report.summary.issues, report.summary.bodies.len()), (0, 0));
    assert_eq!(report.summary.range.as_deref(), Some("HEAD"));
    assert_eq!(report.summary.in_play, ["find-and-buy", "track-orders"]);
    assert_eq!(report.summary.in_play_limit, 2);

    let item = &report.findings[0];
    assert_eq!((item.code.as_str(), item.severity.as_str()), ("unknown-promise", "error"));
    assert_eq!(item.path.as_deref(), Some("plans/extra.md"));
    assert_eq!((item.line, item.column, item.end_line, item.end_column), (Some(3), Some(26), Some(3), Some(35)));
    assert_eq!(item.promises, ["wish-list"]);
    assert!(item.commit.is_none());
    assert!(item.message.contains("wish-list"));

    let commit = &report.findings[1];
    assert_eq!(commit.commit.as_deref(), Some(sha.as_str()));
    assert_eq!(commit.path, None);
    assert_eq!((commit.line, commit.column), (Some(3), Some(10)));
    assert!(commit.help.as_deref().unwrap().contains("did you mean `find-and-buy`?"), "{commit:?}");
}

#[test]
fn demo_shows_real_findings_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("northwind");
    let run = run_in(dir.path(), &["demo", "--dir", demo.to_str().unwrap()]);
    run.expect_code(0);
    let out = run.stdout.replace(demo.to_str().unwrap(), "<DIR>");
    snapshot("check/demo", &out);
    // The repository is real: check it again from inside, as the demo tells the user to.
    let again = run_in(&demo, &["check", "--commits", "HEAD"]);
    again.expect_code(1);
    for code in
        ["unknown-promise", "untraced-item", "untraced-commit", "not-in-play", "no-outcome", "malformed-trailer"]
    {
        assert!(again.stdout.contains(code), "demo lacks {code}");
    }
}

#[test]
fn demo_refuses_a_non_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    let run = run_in(dir.path(), &["demo", "--dir", "."]);
    run.expect_code(2);
    assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(), "mine");
}

#[test]
fn github_format_is_one_annotation_per_finding_and_injection_safe() {
    let mut repo = team();
    repo.write("plans/evil.md", "# Evil\n\n- [ ] ship it %0A::add-mask::secret\n");
    repo.commit("Fix\r::set-output name=x::y\n\n::error::fake annotation\n%0D%0A::add-mask::z\n");
    let run = check(&repo, &["--format", "github"]);
    run.expect_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "two findings and the summary:\n{}", run.stdout);
    for line in &lines[..2] {
        assert!(line.starts_with("::error file=") || line.starts_with("::error title="), "{line}");
        assert!(!line[2..].contains('\r'), "{line:?}");
    }
    assert!(lines[2].starts_with("plan-lint: 2 errors"), "{}", lines[2]);
    // What the attacker wrote is there, inert: percent signs encoded, the CR shown, not obeyed.
    assert!(run.stdout.contains("ship it %250A::add-mask::secret"), "{}", run.stdout);
    assert!(run.stdout.contains("Fix␍::set-output"), "{}", run.stdout);
    snapshot("check/github-format", &run.stdout);
}

/// Issue 12: brace sets and classes are globs (as globset reads them), not literal text; the
/// files plan-lint reads are exactly the ones globset matches.
#[test]
fn include_patterns_are_read_as_globset_reads_them() {
    let repo = team();
    let patterns = ["{plans,roadmap}/**/*.md", "notes/[ab].md"];
    let registry = REGISTRY.replace(
        "[commits]",
        &format!("[plans]\ninclude = [{}]\n\n[commits]", patterns.map(|p| format!("\"{p}\"")).join(", ")),
    );
    repo.write("promises.toml", &registry);
    let files = [
        "plans/a.md",
        "plans/q1/b.md",
        "roadmap/c.md",
        "notes/a.md",
        "notes/b.md",
        "notes/c.md",
        "notes/[ab].md",
        "{plans,roadmap}/d.md",
        "other/e.md",
        "ROADMAP.md",
    ];
    for f in files {
        repo.write(f, "- [ ] untraced work\n");
    }
    let run = repo.plan_lint(&["check", "--no-commits", "--format", "json"]);
    run.expect_code(1);
    let report: JsonReport = serde_json::from_str(&run.stdout).expect("valid JSON");
    let mut read: Vec<String> = report.findings.iter().filter_map(|f| f.path.clone()).collect();
    read.sort();
    let mut set = globset::GlobSetBuilder::new();
    for p in patterns {
        set.add(globset::GlobBuilder::new(p).literal_separator(true).build().unwrap());
    }
    let set = set.build().unwrap();
    let mut expected: Vec<String> = files.iter().filter(|f| set.is_match(f)).map(|f| f.to_string()).collect();
    expected.sort();
    assert_eq!(read, expected);
    assert_eq!(read, ["notes/a.md", "notes/b.md", "plans/a.md", "plans/q1/b.md", "roadmap/c.md"]);
    // An invalid pattern is an error naming it, not a silently smaller check.
    repo.write("promises.toml", &REGISTRY.replace("[commits]", "[plans]\ninclude = [\"plans/[a.md\"]\n\n[commits]"));
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(2);
    assert!(run.stderr.contains("invalid pattern `plans/[a.md` in `[plans] include`"), "{}", run.stderr);
}

/// Issue 13: a written `include` pattern that matches no file is named (a typo must not switch
/// the check off unseen); the default patterns are never flagged.
#[test]
fn an_include_pattern_matching_no_file_is_a_warning_naming_it() {
    let repo = team();
    repo.write(
        "promises.toml",
        &REGISTRY.replace("[commits]", "[plans]\ninclude = [\"ROADMAP.md\", \"roadmaps/**/*.md\"]\n\n[commits]"),
    );
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(0);
    assert!(run.stdout.contains("unmatched-pattern"), "{}", run.stdout);
    assert!(run.stdout.contains("`[plans] include` pattern `roadmaps/**/*.md` matches no file"), "{}", run.stdout);
    assert!(!run.stdout.contains("`ROADMAP.md` matches no file"), "{}", run.stdout);
    repo.write("promises.toml", REGISTRY);
    let run = repo.plan_lint(&["check", "--no-commits"]);
    run.expect_code(0);
    assert!(!run.stdout.contains("unmatched-pattern"), "defaults are not flagged: {}", run.stdout);
}

/// Issue 13: thousands of findings are not a wall: `--max-findings N` shows the first N, then
/// how many more and the command to see them; JSON keeps every one.
#[test]
fn max_findings_bounds_the_human_report_and_says_how_to_see_the_rest() {
    let repo = team();
    repo.write("plans/many.md", &"- [ ] untraced\n".repeat(120));
    let run = repo.plan_lint(&["check", "--no-commits", "--max-findings", "10"]);
    run.expect_code(1);
    assert_eq!(run.stdout.matches("work item names no promise").count(), 10, "{}", run.stdout);
    assert!(
        run.stdout.contains("… and 110 more findings not shown: `plan-lint check --max-findings 0`"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.lines().last().unwrap().contains("120 errors"), "{}", run.stdout);
    let all = repo.plan_lint(&["check", "--no-commits"]);
    all.expect_code(1);
    assert_eq!(all.stdout.matches("work item names no promise").count(), 120, "piped output is complete");
    let json = repo.plan_lint(&["check", "--no-commits", "--format", "json", "--max-findings", "10"]);
    json.expect_code(1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(120));
}

/// Issue 13: findings are grouped by code and file, errors first, each group headed by its count
/// (also when a limit cuts it short), and a table counts every code before the summary line.
#[test]
fn human_output_groups_findings_by_code_and_file_with_counts() {
    let repo = team();
    repo.write("plans/a.md", &"- [ ] untraced\n- [ ] x (Promise: nope)\n".repeat(3));
    repo.write("plans/b.md", "- [ ] untraced too\n- [ ] y (Promise: nope)\n- [ ] more\n");
    let run = repo.plan_lint(&["check", "--no-commits", "--max-findings", "4"]);
    run.expect_code(1);
    let out = &run.stdout;
    let heads: Vec<&str> = out.lines().filter(|l| l.starts_with("── ")).collect();
    // Four findings drawn: the first group (3) whole, one of the second (1 of 2). Codes in their
    // declared order, files in the order they were read.
    assert_eq!(
        heads,
        ["── unknown-promise · plans/a.md · 3 errors", "── unknown-promise · plans/b.md · 1 error"],
        "{out}"
    );
    assert_eq!(out.matches("names no promise").count(), 0, "the cut falls inside unknown-promise:\n{out}");
    let table = out.split("findings by rule:\n").nth(1).expect("a table of counts");
    let rows: Vec<Vec<&str>> =
        table.lines().take_while(|l| !l.is_empty()).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(
        rows,
        [
            vec!["unknown-promise", "4", "errors", "in", "2", "places"],
            vec!["untraced-item", "5", "errors", "in", "2", "places"],
        ],
        "{out}"
    );
    assert!(out.lines().last().unwrap().starts_with("plan-lint: 9 errors"), "{out}");
    // One finding needs no heading and no table.
    repo.write("plans/a.md", "- [ ] untraced\n");
    std::fs::remove_file(repo.path().join("plans/b.md")).unwrap();
    let one = repo.plan_lint(&["check", "--no-commits"]);
    one.expect_code(1);
    assert!(!one.stdout.lines().any(|l| l.starts_with("── ")), "{}", one.stdout);
    assert!(!one.stdout.contains("findings by rule"), "{}", one.stdout);
}

/// Issue 13: `check --format sarif` with findings in files (regions), in commits and about the
/// registry, validated against the official SARIF 2.1.0 schema; each file finding's region is
/// exactly its label, in code points (`columnKind: unicodeCodePoints`), on a path that needs
/// percent-encoding.
#[test]
fn check_format_sarif_places_file_findings_at_their_exact_regions() {
    let mut repo = team();
    let line = "- [ ] 🚀 café launch (Promise: find-and-by)";
    repo.write("plans/q3 roadmap.md", &format!("# Q3\n\n{line}\n- [ ] untraced\n"));
    repo.commit("Untraced work");
    let run = repo.plan_lint(&["check", "--commits", "HEAD~1..HEAD", "--format", "sarif"]);
    run.expect_code(1);
    let file = repo.path().join("out.sarif");
    std::fs::write(&file, &run.stdout).unwrap();
    support::validate_sarif(&file);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["runs"][0]["columnKind"], "unicodeCodePoints");
    let results = v["runs"][0]["results"].as_array().unwrap();
    let region = |rule: &str| {
        let r = results.iter().find(|r| r["ruleId"] == rule).unwrap_or_else(|| panic!("no {rule}: {results:#?}"));
        let loc = &r["locations"][0]["physicalLocation"];
        (loc["artifactLocation"]["uri"].as_str().unwrap().to_string(), loc["region"].clone())
    };
    // The unknown id, in code points: the rocket is one column, not two (UTF-16) or four (bytes).
    let start = line[..line.find("find-and-by").unwrap()].chars().count() + 1;
    let (uri, r) = region("unknown-promise");
    assert_eq!(uri, "plans/q3%20roadmap.md");
    assert_eq!(
        r,
        serde_json::json!({ "startLine": 3, "startColumn": start, "endLine": 3, "endColumn": start + "find-and-by".len() })
    );
    let (uri, r) = region("untraced-item");
    assert_eq!(uri, "plans/q3%20roadmap.md");
    assert_eq!(r, serde_json::json!({ "startLine": 4, "startColumn": 7, "endLine": 4, "endColumn": 15 }));
    // A commit has no file: it is placed on the registry, named in the message.
    let (uri, r) = region("untraced-commit");
    assert_eq!((uri.as_str(), &r), ("promises.toml", &serde_json::json!({ "startLine": 1 })));
}

/// Issue 24: in the GitHub format the summary line's "see the notes above" pointed at notes
/// that `ci` printed only later (in its full report): the skipped files are notices before it.
#[test]
fn skipped_files_are_notices_before_the_github_summary_line() {
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n",
    );
    repo.write("ROADMAP.md", "# Roadmap\nPromise: a\n\n- [ ] x\n");
    repo.write("PLAN.md", "x\0y");
    repo.commit("Start\n\nPromise: a\n");
    let run = repo.plan_lint(&["check", "--no-commits", "--format", "github"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let notice = lines
        .iter()
        .position(|l| l.starts_with("::notice file=PLAN.md,title=plan-lint skipped a file::skipped PLAN.md: binary"));
    let summary = lines.iter().position(|l| l.contains("1 file skipped (see the notes above)"));
    assert!(matches!((notice, summary), (Some(n), Some(s)) if n < s), "{}", run.stdout);
}

/// Paths on the command line (as lint-staged passes them, absolute or relative to where it runs):
/// only those plan documents are judged, the registry only when it is among them, and files that
/// are no plan document are ignored.
#[test]
fn paths_judge_only_those_documents() {
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\n\
         [promises.returns]\nstatement = \"s\"\nstatus = \"in-play\"\n",
    )
    .write("ROADMAP.md", "# Roadmap\n\n- [ ] Untraced item\n")
    .write("plans/search.md", "# Search\n\n- [ ] Ranking (Promise: find-and-buy)\n")
    .write("plans/orders.md", "# Orders\n\n- [ ] Status page (Promise: nowhere)\n")
    .write("README.md", "# Shop\n\n- [ ] Not a plan item\n");
    repo.commit("Adopt\n\nPromise: find-and-buy\n");
    let deny = ["--deny", "no-outcome"];

    let good = repo.plan_lint(&[&["check", "--no-commits", "plans/search.md", "README.md"][..], &deny].concat());
    good.expect_code(0);
    assert!(!good.stdout.contains("no-outcome") && !good.stdout.contains("untraced-item"), "{}", good.stdout);

    let roadmap = repo.root_abs("ROADMAP.md");
    let bad = repo.plan_lint(&[&["check", "--no-commits", roadmap.as_str()][..], &deny].concat());
    bad.expect_code(1);
    assert!(bad.stdout.contains("untraced-item"), "{}", bad.stdout);
    assert!(!bad.stdout.contains("unknown-promise") && !bad.stdout.contains("no-outcome"), "{}", bad.stdout);

    // From a subdirectory, relative to it; the registry judged because it is named.
    let sub = run_in(
        &repo.path().join("plans"),
        &[&["check", "--no-commits", "orders.md", "../promises.toml"][..], &deny].concat(),
    );
    sub.expect_code(1);
    assert!(sub.stdout.contains("unknown-promise") && sub.stdout.contains("no-outcome"), "{}", sub.stdout);
    assert!(!sub.stdout.contains("untraced-item"), "{}", sub.stdout);

    // A path that is not there is a usage error, not a silent pass.
    let missing = repo.plan_lint(&["check", "--no-commits", "ROADMAP.mdx"]);
    missing.expect_code(2);
    assert!(missing.stderr.contains("ROADMAP.mdx"), "{}", missing.stderr);
}

/// Declared exceptions are not traces: the summary says how many there are instead of a bare
/// "all traced" (the board counted 2 of 6 as exceptions while `check` said "all traced").
#[test]
fn the_summary_counts_declared_exceptions() {
    let mut repo = Repo::new();
    repo.write("promises.toml", "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n");
    repo.commit("Adopt\n\nPromise: find-and-buy\n");
    for i in 0..3 {
        repo.commit(&format!("Search {i}\n\nPromise: find-and-buy\n"));
    }
    repo.commit("Upgrade the build\n\nUntraced: the CI image was retired\n");
    repo.commit("Rotate keys\n\nUntraced: security\n");
    let run = repo.plan_lint(&["check", "--commits", "HEAD"]);
    run.expect_code(0);
    let summary = run.stdout.lines().last().unwrap_or_default();
    assert!(summary.starts_with("plan-lint: all traced or declared exceptions ·"), "{summary}");
    assert!(summary.contains("6 commits (HEAD), 2 of them declared exceptions"), "{summary}");
    let traced = repo.plan_lint(&["check", "--commits", "HEAD~2"]);
    assert!(
        traced.stdout.contains("plan-lint: all traced ·") && !traced.stdout.contains("exception"),
        "{}",
        traced.stdout
    );
}

/// In a CRLF file the CR ends the line: snippets do not draw it as a `␍` at the end of every
/// line, and labels still point at the right words.
#[test]
fn crlf_snippets_do_not_show_the_line_ending() {
    let mut repo = Repo::new();
    repo.write("promises.toml", "[promises.find-and-buy]\r\nstatement = \"s\"\r\nstatus = \"in-play\"\r\noutcomes = [{ metric = \"m\", target = \"t\" }]\r\n")
        .write("ROADMAP.md", "# Roadmap\r\n\r\n- [ ] Untraced item\r\n- [ ] Named (Promise: nowhere)\r\n- [ ] A \x1b[31mred\r\n");
    repo.commit("Adopt\n\nPromise: find-and-buy\n");
    let run = repo.plan_lint(&["--color", "never", "check", "--no-commits"]);
    run.expect_code(1);
    assert!(run.stdout.contains("│ - [ ] Untraced item\n"), "{}", run.stdout);
    assert!(run.stdout.contains("│ - [ ] Named (Promise: nowhere)\n"), "{}", run.stdout);
    // The label still sits under `nowhere`.
    let line = run.stdout.lines().position(|l| l.ends_with("│ - [ ] Named (Promise: nowhere)")).unwrap();
    let under = run.stdout.lines().nth(line + 1).unwrap();
    let at = |s: &str, what: &str| s.find(what).map(|i| s[..i].chars().count());
    assert_eq!(at(under, "─"), at(run.stdout.lines().nth(line).unwrap(), "nowhere"), "{}", run.stdout);
    assert!(run.stdout.contains("│ - [ ] A ␛[31mred\n"), "other controls are still shown: {}", run.stdout);
    assert!(!run.stdout.contains('␍'), "{}", run.stdout);
}
