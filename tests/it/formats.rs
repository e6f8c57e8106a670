//! `--format junit` and `--format gitlab`, validated against published schemas with real
//! validators (xmllint with Jenkins' JUnit schema; check-jsonschema with the schema GitLab's Code
//! Quality parser uses), on a repository with findings in files, in commits, and hostile text.

use crate::support;

use std::path::Path;
use std::process::Command;
use support::{tool_available, Repo, Run};

const REGISTRY: &str = "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\n\
                        outcomes = [{ metric = \"m\", baseline = \"1\", target = \"2\" }]\n\n\
                        [promises.gift-cards]\nstatement = \"g\"\nstatus = \"dropped\"\n";

/// Two untraced plan items (one with markup and a control character in its text), an open item
/// under a dropped promise (a warning), an unknown id in a commit whose subject is hostile.
fn repo() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write(
        "plans/q3 plan.md",
        "# Q3\n\n- [ ] Ship <script>alert(1)</script> & \"more\"\n- [ ] Bell \u{7} here\n\n# Gifts\nPromise: gift-cards\n\n- [ ] Wrap them\n",
    );
    repo.commit("Start\n\nPromise: find-and-buy\n");
    repo.commit("]]></failure><x a='\"'> & \u{1b}[31m\n\nPromise: find-and-by\n");
    repo
}

fn run(repo: &Repo, format: &str) -> Run {
    let run = repo.plan_lint(&["check", "--commits", "HEAD~1..HEAD", "--format", format]);
    run.expect_code(1);
    run
}

fn xmllint(schema: &Path, file: &Path) -> (bool, String) {
    let out = Command::new("xmllint").arg("--noout").arg("--schema").arg(schema).arg(file).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn junit_is_valid_against_the_junit_schema() {
    let repo = repo();
    let run = run(&repo, "junit");
    let out = &run.stdout;
    // A suite per rule, a case per finding, a failure per error.
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"plan-lint\" tests=\"4\" failures=\"3\" errors=\"0\">"), "{out}");
    for suite in [
        "<testsuite name=\"untraced-item\" tests=\"2\" failures=\"2\" errors=\"0\">",
        "<testsuite name=\"unknown-promise\" tests=\"1\" failures=\"1\" errors=\"0\">",
        "<testsuite name=\"open-work-not-in-play\" tests=\"1\" failures=\"0\" errors=\"0\">",
    ] {
        assert!(out.contains(suite), "missing {suite}:\n{out}");
    }
    assert!(out.contains("<testcase name=\"plans/q3 plan.md:3:7\" classname=\"plan-lint.untraced-item\">"), "{out}");
    assert_eq!(out.matches("<failure ").count(), 3, "{out}");
    assert!(out.contains("<system-out>warning: "), "{out}");
    // Hostile text stays text.
    assert!(
        !out.contains("<script>") && !out.contains("<x a=") && !out.contains('\u{7}') && !out.contains('\u{1b}'),
        "{out}"
    );
    assert!(out.contains("&lt;script&gt;"), "{out}");
    if !tool_available("xmllint", "PLAN_LINT_REQUIRE_XMLLINT") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.xml");
    std::fs::write(&file, out).unwrap();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/junit-10.xsd");
    let (ok, said) = xmllint(&schema, &file);
    assert!(ok, "JUnit invalid: {said}");
    // And the validator rejects a broken report (so this check can fail).
    std::fs::write(&file, out.replacen(" tests=\"2\"", "", 1)).unwrap();
    let (ok, _) = xmllint(&schema, &file);
    assert!(!ok, "xmllint accepted a suite without `tests`");
}

#[test]
fn gitlab_code_quality_is_valid_and_placed_as_sarif_places_findings() {
    let repo = repo();
    let run = run(&repo, "gitlab");
    let entries: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(entries.len(), 4, "{}", run.stdout);
    let sarif: serde_json::Value = serde_json::from_str(&self::run(&repo, "sarif").stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    for (e, r) in entries.iter().zip(results) {
        // What GitLab's documentation requires beyond its parser's schema.
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&e["severity"].as_str().unwrap()), "{e}");
        assert_eq!(e["check_name"], r["ruleId"], "{e}");
        assert_eq!(e["severity"], if r["level"] == "error" { "major" } else { "minor" });
        // Placed where SARIF places it: the file and line, or the registry's first line.
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap().replace("%20", " ");
        assert_eq!(e["location"]["path"].as_str().unwrap(), uri, "{e}");
        assert_eq!(e["location"]["lines"]["begin"], loc["region"]["startLine"], "{e}");
        assert_eq!(e["fingerprint"], r["partialFingerprints"]["planLint/v1"], "{e}");
    }
    let commit = entries.iter().find(|e| e["check_name"] == "unknown-promise").unwrap();
    assert_eq!(commit["location"]["path"], "promises.toml");
    assert!(commit["description"].as_str().unwrap().contains("(commit "), "{commit}");
    // Fingerprints are unique, and stable across runs.
    let prints: std::collections::HashSet<&str> = entries.iter().map(|e| e["fingerprint"].as_str().unwrap()).collect();
    assert_eq!(prints.len(), entries.len());
    let again: Vec<serde_json::Value> = serde_json::from_str(&self::run(&repo, "gitlab").stdout).unwrap();
    assert_eq!(again, entries, "the same findings give the same report");
    if !tool_available("check-jsonschema", "PLAN_LINT_REQUIRE_CHECK_JSONSCHEMA") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gl-code-quality-report.json");
    std::fs::write(&file, &run.stdout).unwrap();
    // GitLab validates each entry: the report is an array of its schema's objects.
    let gitlab =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/gitlab-codeclimate.json"))
            .unwrap();
    let wrapper = dir.path().join("report-schema.json");
    let items: serde_json::Value = serde_json::from_str(&gitlab).unwrap();
    std::fs::write(&wrapper, serde_json::json!({ "type": "array", "items": items }).to_string()).unwrap();
    let check = |file: &Path| {
        Command::new("check-jsonschema").arg("--schemafile").arg(&wrapper).arg(file).output().unwrap().status.success()
    };
    assert!(check(&file), "the Code Quality report is invalid");
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, run.stdout.replacen("\"fingerprint\"", "\"fingerprint_\"", 1)).unwrap();
    assert!(!check(&broken), "the validator accepted an entry without a fingerprint");
}
