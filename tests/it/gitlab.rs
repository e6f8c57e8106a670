//! `plan-lint ci` on GitLab CI, run as the job template in `templates/` runs it, with GitLab's
//! predefined variables, in real repositories: a merge request pipeline, push pipelines (an
//! update and a new branch), and a shallow clone. The template itself is validated against
//! GitLab's CI schema (check-jsonschema's vendored copy).

use crate::support;

use std::path::Path;
use std::process::Command;
use support::{run_with, tool_available, Repo, Run};

const REGISTRY: &str = "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\n\
                        outcomes = [{ metric = \"m\", baseline = \"1\", target = \"2\" }]\n";

fn template() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/plan-lint.gitlab-ci.yml")).unwrap()
}

/// The template's `plan-lint` command lines, as the job runs them.
fn script() -> Vec<String> {
    let docs = yaml_rust2::YamlLoader::load_from_str(&template()).unwrap();
    let lines: Vec<String> = docs[0]["plan-lint"]["script"]
        .as_vec()
        .expect("a script")
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    assert!(lines.iter().all(|l| l.starts_with("plan-lint ")), "{lines:?}");
    lines
}

/// Run the template's script in `dir` with GitLab's variables; (exit code, output, the two
/// reports it writes).
fn job(dir: &Path, vars: &[(&str, &str)]) -> (Run, String, String) {
    let mut envs: Vec<(&str, &str)> = vec![("GITLAB_CI", "true"), ("CI", "true")];
    envs.extend_from_slice(vars);
    let mut last = None;
    for line in script() {
        let args: Vec<&str> = line.split_whitespace().skip(1).collect();
        last = Some(run_with(dir, &args, &envs, None));
    }
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    (last.unwrap(), read("gl-code-quality-report.json"), read("plan-lint-junit.xml"))
}

#[test]
fn the_template_is_a_valid_gitlab_ci_file() {
    let text = template();
    assert!(text.contains("GIT_DEPTH: \"0\"") && text.contains("codequality: gl-code-quality-report.json"));
    if !tool_available("check-jsonschema", "PLAN_LINT_REQUIRE_CHECK_JSONSCHEMA") {
        return;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/plan-lint.gitlab-ci.yml");
    let out =
        Command::new("check-jsonschema").args(["--builtin-schema", "vendor.gitlab-ci"]).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // The validator rejects a broken job (so the check can fail).
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yml");
    std::fs::write(&broken, text.replace("when: always", "when: sometimes")).unwrap();
    let out =
        Command::new("check-jsonschema").args(["--builtin-schema", "vendor.gitlab-ci"]).arg(&broken).output().unwrap();
    assert!(!out.status.success(), "the GitLab CI schema accepted `when: sometimes`");
}

#[test]
fn a_merge_request_pipeline_checks_its_commits_and_description() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    let base = repo.commit("Adopt\n\nPromise: find-and-buy\n");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.commit("Search box\n\nPromise: find-and-buy\n");
    let head = repo.commit("Untraced tweak\n");
    let vars = [
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
        ("CI_COMMIT_SHA", head.as_str()),
        ("CI_MERGE_REQUEST_IID", "12"),
        ("CI_MERGE_REQUEST_TITLE", "Search"),
        ("CI_MERGE_REQUEST_PROJECT_URL", "https://gitlab.example.com/shop/web"),
        ("CI_MERGE_REQUEST_DESCRIPTION", "Search for shoppers.\n\nPromise: find-and-by"),
        ("CI_DEFAULT_BRANCH", "main"),
    ];
    let (run, quality, junit) = job(repo.path(), &vars);
    run.expect_code(1);
    assert!(run.stdout.contains(&format!("2 commits ({}..{})", &base[..7], &head[..7])), "{}", run.stdout);
    assert!(run.stdout.contains("merge request !12"), "{}", run.stdout);
    assert!(
        run.stdout.contains("Untraced tweak") && run.stdout.contains("did you mean `find-and-buy`?"),
        "{}",
        run.stdout
    );
    let entries: Vec<serde_json::Value> = serde_json::from_str(&quality).expect("a Code Quality report");
    let mut checks: Vec<&str> = entries.iter().map(|e| e["check_name"].as_str().unwrap()).collect();
    checks.sort();
    assert_eq!(checks, ["unknown-promise", "untraced-commit"], "{quality}");
    assert!(junit.contains("<testsuites name=\"plan-lint\" tests=\"2\" failures=\"2\""), "{junit}");
    // A traced description and commits: exit 0, an empty report.
    repo.git(&["commit", "-q", "--amend", "--allow-empty", "-m", "Tweak", "-m", "Promise: find-and-buy"]);
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let mut vars = vars.to_vec();
    vars[2].1 = &head;
    vars[6].1 = "Search for shoppers.\n\nPromise: find-and-buy";
    let (run, quality, _) = job(repo.path(), &vars);
    run.expect_code(0);
    assert_eq!(quality.trim(), "[]");
    // GitLab cut the description (its trailer is what a cut loses): not judged, and said so.
    vars[6].1 = "Search for shoppers, described at great length…";
    vars.push(("CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED", "true"));
    let (run, _, _) = job(repo.path(), &vars);
    run.expect_code(0);
    assert!(
        run.stderr.contains("description was cut short by GitLab") && run.stderr.contains("not checked"),
        "{}",
        run.stderr
    );
}

#[test]
fn push_pipelines_check_new_commits() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    let before = repo.commit("Adopt\n\nPromise: find-and-buy\n");
    repo.git(&["update-ref", "refs/remotes/origin/main", &before]);
    let after = repo.commit("Pushed untraced\n");
    let push = |before: &str, after: &str| {
        job(
            repo.path(),
            &[
                ("CI_PIPELINE_SOURCE", "push"),
                ("CI_COMMIT_BEFORE_SHA", before),
                ("CI_COMMIT_SHA", after),
                ("CI_DEFAULT_BRANCH", "main"),
            ],
        )
    };
    let (run, _, _) = push(&before, &after);
    run.expect_code(1);
    assert!(run.stdout.contains(&format!("1 commit ({}..{})", &before[..7], &after[..7])), "{}", run.stdout);
    // A new branch (before is all zeros): what the default branch lacks.
    let (run, _, _) = push(&"0".repeat(40), &after);
    run.expect_code(1);
    assert!(run.stdout.contains(&format!("1 commit (origin/main..{})", &after[..7])), "{}", run.stdout);
}

#[test]
fn a_shallow_clone_is_exit_2_naming_git_depth() {
    let mut origin = Repo::new();
    origin.write("promises.toml", REGISTRY);
    let base = origin.commit("Adopt\n\nPromise: find-and-buy\n");
    origin.commit("One\n\nPromise: find-and-buy\n");
    let head = origin.commit("Two\n\nPromise: find-and-buy\n");
    let dir = tempfile::tempdir().unwrap();
    let clone = dir.path().join("clone");
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "1"])
        .arg(format!("file://{}", origin.path().display()))
        .arg(&clone)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let vars = [
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
        ("CI_COMMIT_SHA", head.as_str()),
        ("CI_MERGE_REQUEST_IID", "3"),
    ];
    let (run, _, _) = job(&clone, &vars);
    run.expect_code(2);
    assert!(run.stderr.contains("shallow clone") && run.stderr.contains("`GIT_DEPTH: 0`"), "{}", run.stderr);
}

/// The README shows the template as it is (its comments aside).
#[test]
fn the_readme_shows_the_template() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("```yaml\nplan-lint:\n").expect("the README shows the GitLab job");
    let block = &readme[start + 8..];
    let block = &block[..block.find("```").unwrap()];
    let template: String = template()
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(block, template);
}
