//! Issue 25's fan-out, the forges' own: the reusable GitHub workflow
//! (.github/workflows/plan-lint-board.yml), the organisation workflow that merges its artifacts
//! and publishes to Pages (docs/org-board.yml), and the GitLab template
//! (templates/plan-lint-board.gitlab-ci.yml). Each is validated against its forge's schema
//! (check-jsonschema's vendored copies; the workflows also by zizmor), and their scripts run here,
//! as the runners run them, with the forges' variables, in real repositories: every step but the
//! install (which needs the network) runs, the artifacts are passed on as the forge passes them
//! (GitLab's artifact download API answered by a stand-in `curl` that checks the job token), and
//! the published page and JSON are checked.

use crate::support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{bin, git_env, tool_available, Repo};
use yaml_rust2::{Yaml, YamlLoader};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(rel: &str) -> Yaml {
    YamlLoader::load_from_str(&std::fs::read_to_string(root().join(rel)).unwrap()).unwrap().remove(0)
}

const REGISTRY: &str = r#"name = "NAME"
vision = "Shoppers find anything they want to buy."

[promises.find-and-buy]
statement = "A shopper can find and buy a product we stock."
status = "in-play"
outcomes = [{ metric = "search conversion", baseline = "8%", target = "12%" }]
"#;

/// A small team repository named `name`: a traced commit and an untraced one.
fn team(name: &str) -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", &REGISTRY.replace("NAME", name));
    repo.commit("Adopt\n\nPromise: find-and-buy\n");
    repo.write("a.txt", "a\n");
    repo.commit("Untraced tweak\n");
    repo
}

/// Run `script` with bash as a runner does (`bash --noprofile --norc -eo pipefail`), in `dir`,
/// with plan-lint on PATH (and `extra_path` before it) and `env`; panics with its output when it
/// fails.
fn bash(dir: &Path, script: &str, env: &[(String, String)], extra_path: Option<&Path>) -> String {
    let mut path = format!("{}:{}", bin().parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    if let Some(p) = extra_path {
        path = format!("{}:{path}", p.display());
    }
    let out = git_env(Command::new("bash"), dir)
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .env("PATH", path)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the script failed in {}:\n{script}\n---\n{text}", dir.display());
    text
}

/// Evaluate a workflow's `${{ … }}` expressions: `a.b || c.d` over the given contexts (the first
/// non-empty); any other expression fails the test, so the emulation cannot drift from the file.
fn eval(text: &str, contexts: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("a closed expression") + start;
        let value = rest[start + 3..end]
            .split("||")
            .map(|operand| {
                let operand = operand.trim();
                contexts.get(operand).unwrap_or_else(|| panic!("the emulated runner does not know `{operand}`")).clone()
            })
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A job's steps: (name, `uses`, `with`, `env`, `run`).
struct Step {
    name: String,
    uses: String,
    with: BTreeMap<String, String>,
    env: Vec<(String, String)>,
    run: String,
}

fn steps(job: &Yaml) -> Vec<Step> {
    let map = |y: &Yaml| -> Vec<(String, String)> {
        y.as_hash()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Yaml::Integer(i) => i.to_string(),
                            Yaml::Boolean(b) => b.to_string(),
                            v => v.as_str().unwrap_or_default().to_string(),
                        };
                        (k.as_str().unwrap().to_string(), v)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    job["steps"]
        .as_vec()
        .expect("steps")
        .iter()
        .map(|s| {
            if s["run"].as_str().is_some() {
                assert_eq!(s["shell"].as_str(), Some("bash"), "every script runs in bash");
            }
            Step {
                name: s["name"].as_str().unwrap_or_default().to_string(),
                uses: s["uses"].as_str().unwrap_or_default().to_string(),
                with: map(&s["with"]).into_iter().collect(),
                env: map(&s["env"]),
                run: s["run"].as_str().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// Validate `file` against a builtin schema of check-jsonschema; the validator's verdict.
fn valid(schema: &str, file: &Path) -> (bool, String) {
    let out = Command::new("check-jsonschema").args(["--builtin-schema", schema]).arg(file).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn report_schema_valid(file: &Path) -> bool {
    Command::new("check-jsonschema")
        .arg("--schemafile")
        .arg(root().join("schema/report.schema.json"))
        .arg(file)
        .output()
        .unwrap()
        .status
        .success()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn the_github_workflows_are_valid_and_make_merge_and_publish_the_boards() {
    let reusable = load(".github/workflows/plan-lint-board.yml");
    let call = &reusable["on"]["workflow_call"];
    assert!(!call.is_badvalue(), "a reusable workflow");
    for input in ["repository", "since", "version"] {
        assert_eq!(call["inputs"][input]["type"].as_str(), Some("string"), "{input}");
    }
    let org = load("docs/org-board.yml");
    let calls = &org["jobs"]["boards"];
    assert!(calls["uses"].as_str().unwrap().contains("/.github/workflows/plan-lint-board.yml@"));
    assert_eq!(calls["with"]["repository"].as_str(), Some("${{ matrix.repository }}"));

    if tool_available("check-jsonschema", "PLAN_LINT_REQUIRE_CHECK_JSONSCHEMA") {
        for file in [".github/workflows/plan-lint-board.yml", "docs/org-board.yml"] {
            let (ok, out) = valid("vendor.github-workflows", &root().join(file));
            assert!(ok, "{file}: {out}");
        }
        // A broken copy (an input of a type GitHub does not have) is rejected.
        let dir = tempfile::tempdir().unwrap();
        let broken = dir.path().join("broken.yml");
        let text = std::fs::read_to_string(root().join(".github/workflows/plan-lint-board.yml")).unwrap();
        std::fs::write(&broken, text.replacen("type: string", "type: text", 1)).unwrap();
        assert!(!valid("vendor.github-workflows", &broken).0, "the schema accepted an input of type text");
    }
    if tool_available("zizmor", "PLAN_LINT_REQUIRE_ZIZMOR") {
        let out = Command::new("zizmor")
            .args(["--offline", "--no-progress", ".github/workflows/plan-lint-board.yml", "docs/org-board.yml"])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(out.status.success(), "zizmor findings:\n{}", String::from_utf8_lossy(&out.stdout));
    }

    // Each repository's board, as the reusable workflow makes it when the organisation's matrix
    // calls it, passed on as download-artifact's `merge-multiple` does: into one folder.
    let job = &reusable["jobs"]["board"];
    let board_steps = steps(job);
    assert_eq!(board_steps[0].uses.split('@').next(), Some("actions/checkout"));
    assert_eq!(board_steps[0].with["fetch-depth"], "0", "the whole history");
    assert_eq!(board_steps[0].with["repository"], "${{ inputs.repository || github.repository }}");
    // The registry's history kept from the last board of the same repository, restored before
    // the board is made: the path the board keeps it at, one entry per run, the newest restored.
    let cache = board_steps.iter().position(|s| s.uses.starts_with("actions/cache@")).expect("a cache step");
    assert!(cache > 0 && cache < board_steps.iter().position(|s| s.name == "Make the board").unwrap());
    assert_eq!(board_steps[cache].with["path"], ".git/plan-lint");
    let key = board_steps[cache].with["key"].as_str();
    let restore = board_steps[cache].with["restore-keys"].as_str();
    assert!(key.starts_with(restore) && restore.contains("inputs.repository || github.repository"), "{key} {restore}");
    let upload = board_steps.iter().find(|s| s.uses.starts_with("actions/upload-artifact@")).unwrap();
    assert_eq!(upload.with["path"], "plan-lint-board/");
    assert_eq!(upload.with["if-no-files-found"], "error");
    let downloaded = tempfile::tempdir().unwrap();
    for (repository, repo) in [("example-org/web", team("Web team")), ("example-org/app", team("App team"))] {
        let output = repo.path().join(".github-output");
        let contexts: BTreeMap<&str, String> = [
            ("inputs.repository", repository.to_string()),
            ("inputs.since", "2026-01-01".to_string()),
            ("inputs.version", String::new()),
            ("github.repository", "example-org/boards".to_string()),
        ]
        .into_iter()
        .collect();
        let mut ran = 0;
        for step in board_steps.iter().filter(|s| !s.run.is_empty()) {
            if step.name == "Install plan-lint" {
                assert!(step.run.contains("cargo install --locked"), "{}", step.run);
                continue;
            }
            assert!(!step.run.contains("${{"), "an expression inside a script can inject shell:\n{}", step.run);
            let mut env: Vec<(String, String)> =
                step.env.iter().map(|(k, v)| (k.clone(), eval(v, &contexts))).collect();
            env.extend([
                ("GITHUB_ACTIONS".to_string(), "true".to_string()),
                ("GITHUB_REPOSITORY".to_string(), "example-org/boards".to_string()),
                ("GITHUB_OUTPUT".to_string(), output.display().to_string()),
            ]);
            bash(repo.path(), &step.run, &env, None);
            ran += 1;
        }
        assert_eq!(ran, 1, "the board step ran");
        let name = repository.split('/').nth(1).unwrap();
        assert_eq!(std::fs::read_to_string(&output).unwrap(), format!("artifact=plan-lint-board-{name}\n"));
        let board = repo.path().join(format!("plan-lint-board/{name}.json"));
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&board).unwrap()).unwrap();
        assert_eq!(v["window"]["since"], "2026-01-01", "the `since` input reached the board");
        assert!(repo.path().join(format!("plan-lint-board/{name}.html")).is_file());
        copy_dir(&repo.path().join("plan-lint-board"), &downloaded.path().join("site/boards"));
    }

    // The organisation's merge job: download (emulated above), merge, publish.
    let merge_steps = steps(&org["jobs"]["merge"]);
    let download = merge_steps.iter().find(|s| s.uses.starts_with("actions/download-artifact@")).unwrap();
    assert_eq!(
        (download.with["pattern"].as_str(), download.with["path"].as_str(), download.with["merge-multiple"].as_str()),
        ("plan-lint-board-*", "site/boards", "true")
    );
    let workspace = downloaded.path();
    let summary = workspace.join("summary.md");
    let env = vec![
        ("GITHUB_ACTIONS".to_string(), "true".to_string()),
        ("GITHUB_STEP_SUMMARY".to_string(), summary.display().to_string()),
    ];
    for step in merge_steps.iter().filter(|s| !s.run.is_empty() && s.name != "Install plan-lint") {
        assert!(!step.run.contains("${{"), "{}", step.run);
        bash(workspace, &step.run, &env, None);
    }
    let pages = merge_steps.iter().find(|s| s.uses.starts_with("actions/upload-pages-artifact@")).unwrap();
    assert_eq!(pages.with["path"], "site");
    let page = std::fs::read_to_string(workspace.join("site/index.html")).unwrap();
    assert_eq!(page.matches("<section class=\"team\"").count(), 2, "{page}");
    assert!(page.contains("<a href=\"boards/web.html\">Web team</a>"), "{page}");
    assert!(workspace.join("site/boards/web.html").is_file(), "each team's own board is published beside it");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("# Organisation board") && summary.contains("[App team](<boards/app.html>)"),
        "{summary}"
    );
    if tool_available("check-jsonschema", "PLAN_LINT_REQUIRE_CHECK_JSONSCHEMA") {
        assert!(report_schema_valid(&workspace.join("site/org.json")));
    }
    assert_eq!(org["jobs"]["deploy"]["permissions"]["pages"].as_str(), Some("write"));
}

/// A stand-in for `curl` on GitLab's artifact download API: it checks the job token (against
/// `$FAKE_TOKEN`) and the URL, and answers from `$FAKE_ARTIFACTS/<encoded project>.zip` (404
/// when there is none).
const CURL: &str = r#"#!/bin/sh
out=""; header=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out="$2"; shift 2 ;;
    --header) header="$2"; shift 2 ;;
    -*) shift ;;
    *) url="$1"; shift ;;
  esac
done
[ "$header" = "JOB-TOKEN: $FAKE_TOKEN" ] || { echo "curl: no job token" >&2; exit 22; }
case "$url" in
  "$CI_API_V4_URL"/projects/*/jobs/artifacts/main/download\?job=plan-lint-board) ;;
  *) echo "curl: unexpected URL $url" >&2; exit 22 ;;
esac
project=${url#"$CI_API_V4_URL/projects/"}
project=${project%%/jobs/*}
[ -f "$FAKE_ARTIFACTS/$project.zip" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
cp "$FAKE_ARTIFACTS/$project.zip" "$out"
"#;

/// A job's `before_script` (but installing, which needs the network) and `script`, as one
/// script, as the runner runs them.
fn gitlab_script(job: &Yaml) -> String {
    let lines = |key: &str| -> Vec<String> {
        job[key].as_vec().map(|v| v.iter().map(|l| l.as_str().unwrap().to_string()).collect()).unwrap_or_default()
    };
    let before = lines("before_script");
    assert!(
        before.iter().all(|l| l.starts_with("apt-get ") || l.starts_with("cargo install --locked")),
        "only installing is skipped: {before:?}"
    );
    lines("script").join("\n")
}

#[test]
fn the_gitlab_template_is_valid_and_makes_merges_and_publishes_the_boards() {
    let path = root().join("templates/plan-lint-board.gitlab-ci.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    if tool_available("check-jsonschema", "PLAN_LINT_REQUIRE_CHECK_JSONSCHEMA") {
        let (ok, out) = valid("vendor.gitlab-ci", &path);
        assert!(ok, "{out}");
        let dir = tempfile::tempdir().unwrap();
        let broken = dir.path().join("broken.yml");
        std::fs::write(&broken, text.replacen("when: never", "when: sometimes", 1)).unwrap();
        assert!(!valid("vendor.gitlab-ci", &broken).0, "the GitLab CI schema accepted `when: sometimes`");
    }
    let doc = YamlLoader::load_from_str(&text).unwrap().remove(0);
    let project_job = &doc["plan-lint-board"];
    assert_eq!(project_job["variables"]["GIT_DEPTH"].as_str(), Some("0"), "the whole history");
    assert_eq!(project_job["artifacts"]["paths"][0].as_str(), Some("plan-lint-board/"));
    // The registry's history kept between the board's pipelines, at the path the board keeps it.
    assert_eq!(project_job["cache"]["paths"][0].as_str(), Some(".git/plan-lint"));
    assert!(project_job["cache"]["key"].as_str().unwrap().contains("$CI_COMMIT_REF_SLUG"));
    let org_job = &doc[".plan-lint-org-board"];
    assert_eq!(org_job["artifacts"]["paths"][0].as_str(), Some("public"), "what GitLab Pages publishes");
    let board_ref = org_job["variables"]["PLAN_LINT_BOARD_REF"].as_str().unwrap();

    // Each project's job, with GitLab's variables; its artifacts zipped as GitLab keeps them.
    let artifacts = tempfile::tempdir().unwrap();
    for (path, repo) in [("shop/web", team("Web team")), ("shop/app", team("App <team>"))] {
        let name = path.split('/').nth(1).unwrap();
        let env: Vec<(String, String)> = [
            ("GITLAB_CI", "true"),
            ("CI", "true"),
            ("CI_PIPELINE_SOURCE", "schedule"),
            ("CI_PROJECT_NAME", name),
            ("CI_PROJECT_PATH", path),
            ("CI_DEFAULT_BRANCH", "main"),
            ("CI_COMMIT_BRANCH", "main"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        bash(repo.path(), &gitlab_script(project_job), &env, None);
        let board = repo.path().join(format!("plan-lint-board/{name}.json"));
        assert!(board.is_file() && repo.path().join(format!("plan-lint-board/{name}.html")).is_file());
        let zip = artifacts.path().join(format!("{}.zip", path.replace('/', "%2F")));
        let out =
            Command::new("zip").arg("-q").arg("-r").arg(&zip).arg("plan-lint-board").current_dir(repo.path()).output();
        assert!(out.is_ok_and(|o| o.status.success()), "zip");
    }

    // The organisation project's scheduled `pages` job: three projects listed, one with no board.
    let fake = tempfile::tempdir().unwrap();
    let curl = fake.path().join("curl");
    std::fs::write(&curl, CURL).unwrap();
    let mut perms = std::fs::metadata(&curl).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&curl, perms).unwrap();
    let workspace = tempfile::tempdir().unwrap();
    let env: Vec<(String, String)> = [
        ("GITLAB_CI", "true"),
        ("CI_PIPELINE_SOURCE", "schedule"),
        ("CI_API_V4_URL", "https://gitlab.example.com/api/v4"),
        ("CI_JOB_TOKEN", "job-token-123"),
        ("FAKE_TOKEN", "job-token-123"),
        ("PLAN_LINT_ORG_PROJECTS", "shop/web shop/app shop/gone"),
        ("PLAN_LINT_BOARD_REF", board_ref),
        ("FAKE_ARTIFACTS", artifacts.path().to_str().unwrap()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let log = bash(workspace.path(), &gitlab_script(org_job), &env, Some(fake.path()));
    assert!(log.contains("no board from shop/gone"), "{log}");
    let page = std::fs::read_to_string(workspace.path().join("public/index.html")).unwrap();
    assert_eq!(page.matches("<section class=\"team\"").count(), 2, "{page}");
    assert!(page.contains("<a href=\"boards/app.html\">App &lt;team&gt;</a>"), "{page}");
    assert!(workspace.path().join("public/boards/web.html").is_file());
    if tool_available("check-jsonschema", "PLAN_LINT_REQUIRE_CHECK_JSONSCHEMA") {
        assert!(report_schema_valid(&workspace.path().join("public/org.json")));
    }
    // Without the job token the download fails, and with no board at all the merge has nothing
    // to merge: the job fails rather than publishing an empty page.
    let wrong: Vec<(String, String)> =
        env.iter().map(|(k, v)| (k.clone(), if k == "CI_JOB_TOKEN" { "wrong".into() } else { v.clone() })).collect();
    let empty = tempfile::tempdir().unwrap();
    let path =
        format!("{}:{}:{}", fake.path().display(), bin().parent().unwrap().display(), std::env::var("PATH").unwrap());
    let out = git_env(Command::new("bash"), empty.path())
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &gitlab_script(org_job)])
        .env("PATH", path)
        .envs(wrong.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("curl: no job token"), "{out:?}");
    assert!(!out.status.success(), "an empty page was published");
    assert!(!empty.path().join("public/index.html").exists());
}
