//! The GitHub Action (`action.yml`) run as a runner runs a composite action: each step's script
//! through `bash --noprofile --norc -eo pipefail`, its `env:` expressions evaluated from the
//! inputs, in the runner's environment (`RUNNER_TEMP`, `GITHUB_ACTION_PATH`, `GITHUB_OUTPUT`, …),
//! against a real repository with a pull request and a real-shaped event. The release download
//! is served from a local directory (`PLAN_LINT_RELEASES_URL`, a file:// URL) holding an archive
//! of the binary under test and its SHA-256, exactly as the release workflow publishes them.
//!
//! Also: the metadata and workflows validate against GitHub's schemas (check-jsonschema's
//! vendored copies) and pass zizmor, both from PyPI and installed by `.ci/run`.

use crate::support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::github::runner_commands;
use support::{tool_available, Repo};
use yaml_rust2::{Yaml, YamlLoader};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(rel: &str) -> Yaml {
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

/// One step of the composite action.
struct Step {
    id: Option<String>,
    env: Vec<(String, String)>,
    run: String,
}

fn steps(action: &Yaml) -> Vec<Step> {
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    action["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(s["shell"].as_str(), Some("bash"), "every step runs in bash");
            let env = s["env"]
                .as_hash()
                .map(|h| {
                    h.iter().map(|(k, v)| (k.as_str().unwrap().to_string(), v.as_str().unwrap().to_string())).collect()
                })
                .unwrap_or_default();
            Step { id: s["id"].as_str().map(str::to_string), env, run: s["run"].as_str().unwrap().to_string() }
        })
        .collect()
}

/// Evaluate the `${{ … }}` expressions the action uses; any other expression fails the test, so
/// the emulation cannot silently drift from the action.
fn eval(text: &str, inputs: &BTreeMap<String, String>, outputs: &BTreeMap<String, BTreeMap<String, String>>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closed expression") + start;
        let expr = rest[start + 3..end].trim();
        let value = if let Some(name) = expr.strip_prefix("inputs.") {
            inputs.get(name).unwrap_or_else(|| panic!("unknown input {name}")).clone()
        } else if expr == "github.action_repository" || expr == "github.action_ref" {
            // A local action (`uses: ./`) has none; tests give a ref in GITHUB_ACTION_REF.
            String::new()
        } else if let Some(path) = expr.strip_prefix("steps.") {
            let (id, name) = path.split_once(".outputs.").expect("steps.ID.outputs.NAME");
            outputs.get(id).and_then(|o| o.get(name)).cloned().unwrap_or_default()
        } else {
            panic!("the emulated runner does not know `{expr}`")
        };
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

struct ActionRun {
    /// Exit code of each step run (the runner stops at the first failure).
    codes: Vec<i32>,
    stdout: Vec<String>,
    stderr: Vec<String>,
    outputs: BTreeMap<String, String>,
    summary: String,
}

/// Run the action's steps with `inputs` (the rest from their defaults), as the runner would.
fn run_action(
    workspace: &Path,
    event_name: &str,
    event: &str,
    inputs: &[(&str, &str)],
    extra_env: &[(&str, &str)],
) -> ActionRun {
    let action = load("action.yml");
    let mut values: BTreeMap<String, String> = action["inputs"]
        .as_hash()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_string(), v["default"].as_str().unwrap_or("").to_string()))
        .collect();
    for (k, v) in inputs {
        assert!(values.contains_key(*k), "no input {k}");
        values.insert(k.to_string(), v.to_string());
    }
    let temp = tempfile::tempdir().unwrap();
    let runner_temp = temp.path().join("runner-temp");
    std::fs::create_dir_all(&runner_temp).unwrap();
    let event_path = temp.path().join("event.json");
    std::fs::write(&event_path, event).unwrap();
    let summary = temp.path().join("summary.md");
    let mut step_outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut run =
        ActionRun { codes: vec![], stdout: vec![], stderr: vec![], outputs: BTreeMap::new(), summary: String::new() };
    for (i, step) in steps(&action).iter().enumerate() {
        let output = temp.path().join(format!("output-{i}"));
        std::fs::write(&output, "").unwrap();
        let script = temp.path().join(format!("step-{i}.sh"));
        std::fs::write(&script, &step.run).unwrap();
        let mut cmd = support::git_env(Command::new("bash"), workspace);
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"]).arg(&script);
        for (k, v) in [
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", event_name),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "acme/shop"),
        ] {
            cmd.env(k, v);
        }
        cmd.env("GITHUB_EVENT_PATH", &event_path)
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_ACTION_PATH", root())
            .env("RUNNER_TEMP", &runner_temp)
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        for (k, v) in &step.env {
            cmd.env(k, eval(v, &values, &step_outputs));
        }
        let out = cmd.output().unwrap();
        run.codes.push(out.status.code().unwrap_or(-1));
        run.stdout.push(String::from_utf8_lossy(&out.stdout).into_owned());
        run.stderr.push(String::from_utf8_lossy(&out.stderr).into_owned());
        if let Some(id) = &step.id {
            let text = std::fs::read_to_string(&output).unwrap();
            let parsed = text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string()));
            step_outputs.insert(id.clone(), parsed.collect());
        }
        if !out.status.success() {
            break;
        }
    }
    for (name, spec) in action["outputs"].as_hash().unwrap() {
        let value = eval(spec["value"].as_str().unwrap(), &values, &step_outputs);
        run.outputs.insert(name.as_str().unwrap().to_string(), value);
    }
    run.summary = std::fs::read_to_string(&summary).unwrap_or_default();
    run
}

/// A release directory as the release workflow publishes it: `v<version>/<archive>` and its
/// `.sha256`, with the binary under test inside.
fn releases(dir: &Path, version: &str, tamper: bool) -> String {
    let target = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-gnu",
        ("linux", "aarch64") => "aarch64-unknown-linux-gnu",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        ("macos", "x86_64") => "x86_64-apple-darwin",
        other => panic!("no release target for {other:?}"),
    };
    let release = dir.join(format!("v{version}"));
    let staging = dir.join("staging");
    std::fs::create_dir_all(&release).unwrap();
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::copy(support::bin(), staging.join("plan-lint")).unwrap();
    let archive = format!("plan-lint-{version}-{target}.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(release.join(&archive))
        .arg("-C")
        .arg(&staging)
        .arg("plan-lint")
        .status()
        .unwrap();
    assert!(status.success());
    let sum = Command::new("sha256sum").arg(&archive).current_dir(&release).output().unwrap();
    let mut line = String::from_utf8(sum.stdout).unwrap();
    if tamper {
        line = format!("{}{}", if line.starts_with('0') { "1" } else { "0" }, &line[1..]);
    }
    std::fs::write(release.join(format!("{archive}.sha256")), line).unwrap();
    format!("file://{}", dir.display())
}

/// main plus a pull request branch with a traced commit and an untraced one whose subject
/// tries to issue a workflow command.
fn pull_request() -> (Repo, String) {
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        "[promises.find-and-buy]\nstatement = \"A shopper can find and buy a product we stock.\"\nstatus = \"in-play\"\n\
         outcomes = [{ metric = \"conversion\", baseline = \"8%\", target = \"12%\" }]\n",
    );
    let base = repo.commit("Registry\n\nPromise: find-and-buy\n");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("a.txt", "a\n");
    repo.commit("Search box\n\nPromise: find-and-buy\n");
    repo.write("a.txt", "b\n");
    let head = repo.commit("::add-mask::oops\n");
    let event = serde_json::json!({"action": "opened", "number": 9, "pull_request": {"number": 9, "title": "Search",
        "body": "Search.\n\nPromise: find-and-buy", "state": "open", "base": {"sha": base}, "head": {"sha": head}},
        "repository": {"default_branch": "main"}});
    (repo, event.to_string())
}

#[test]
fn the_action_runs_a_released_binary_on_a_pull_request() {
    let (repo, event) = pull_request();
    let rel = tempfile::tempdir().unwrap();
    let url = releases(rel.path(), "0.1.0", false);
    let run = run_action(
        repo.path(),
        "pull_request",
        &event,
        &[("version", "v0.1.0"), ("sarif", "plan-lint.sarif"), ("args", "--warn untraced-commit *")],
        &[("PLAN_LINT_RELEASES_URL", &url)],
    );
    // `*` in args stays a literal word: plan-lint, not the shell, sees it and rejects it (exit 2).
    assert_eq!(run.codes, [0, 2], "{:#?}", run.stderr);
    assert!(run.stderr[1].contains("unexpected argument '*'"), "{}", run.stderr[1]);

    let run = run_action(
        repo.path(),
        "pull_request",
        &event,
        &[("version", "0.1.0"), ("sarif", "plan-lint.sarif")],
        &[("PLAN_LINT_RELEASES_URL", &url)],
    );
    assert_eq!(run.codes, [0, 1], "the check step fails on the untraced commit: {:#?}", run.stderr);
    assert!(run.stdout[0].contains(&format!("plan-lint {}", env!("CARGO_PKG_VERSION"))), "{}", run.stdout[0]);
    let commands = runner_commands(&run.stdout[1]);
    assert!(commands.iter().all(|(c, _)| !c.starts_with("add-mask")), "{commands:#?}");
    assert_eq!(commands.iter().filter(|(c, _)| c.starts_with("error")).count(), 1, "{commands:#?}");
    assert_eq!(run.outputs["errors"], "1");
    assert_eq!(run.outputs["warnings"], "0");
    assert_eq!(run.outputs["commits"], "2");
    assert!(run.summary.starts_with("## plan-lint: ❌ 1 error, 0 warnings"), "{}", run.summary);
    assert!(repo.path().join("plan-lint.sarif").is_file());

    // The same pull request with the untraced commit only warned about: the step passes, unless
    // warnings fail it.
    let warned = run_action(
        repo.path(),
        "pull_request",
        &event,
        &[("version", "0.1.0"), ("args", "--warn untraced-commit")],
        &[("PLAN_LINT_RELEASES_URL", &url)],
    );
    assert_eq!(warned.codes, [0, 0], "{:#?}", warned.stderr);
    assert_eq!((warned.outputs["errors"].as_str(), warned.outputs["warnings"].as_str()), ("0", "1"));
    let strict = run_action(
        repo.path(),
        "pull_request",
        &event,
        &[("version", "0.1.0"), ("args", "--warn untraced-commit"), ("fail-on-warnings", "true")],
        &[("PLAN_LINT_RELEASES_URL", &url)],
    );
    assert_eq!(strict.codes, [0, 1]);
}

#[test]
fn a_tampered_or_malformed_release_is_refused() {
    let (repo, event) = pull_request();
    let rel = tempfile::tempdir().unwrap();
    let url = releases(rel.path(), "0.1.0", true);
    let run =
        run_action(repo.path(), "pull_request", &event, &[("version", "0.1.0")], &[("PLAN_LINT_RELEASES_URL", &url)]);
    assert_eq!(run.codes, [1]);
    assert!(run.stdout[0].contains("::error title=plan-lint::checksum mismatch"), "{}", run.stdout[0]);
    let bad = run_action(repo.path(), "pull_request", &event, &[("version", "1.0; rm -rf /")], &[]);
    assert_eq!(bad.codes, [1]);
    assert!(bad.stdout[0].contains("must look like 1.2.3"), "{}", bad.stdout[0]);
    let missing =
        run_action(repo.path(), "pull_request", &event, &[("version", "9.9.9")], &[("PLAN_LINT_RELEASES_URL", &url)]);
    assert_eq!(missing.codes, [1], "a version that was never released fails the step: {:#?}", missing.stderr);
    assert!(
        missing.stdout[0].contains("::error title=plan-lint::could not download plan-lint 9.9.9")
            && missing.stdout[0].contains("is 9.9.9 a released version?"),
        "{}",
        missing.stdout[0]
    );
}

/// No version: the action builds plan-lint from its own source with `cargo install --locked`,
/// as on a runner. The build goes to the target directory and release profile that the
/// pre-commit framework's test builds with too (`support::shared_release_env`), so the release
/// build of the dependencies is paid once, by whichever runs first, and never again.
#[test]
fn the_action_builds_from_source_without_a_version() {
    let (repo, event) = pull_request();
    let env = support::shared_release_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let _building = support::shared_release_build();
    let run = run_action(repo.path(), "pull_request", &event, &[("args", "--allow untraced-commit")], &env);
    assert_eq!(run.codes, [0, 0], "{:#?}", run.stderr);
    assert!(run.stdout[0].contains("Building plan-lint from"), "{}", run.stdout[0]);
    assert_eq!(run.outputs["commits"], "2");
}

#[test]
fn scripts_never_expand_expressions_and_metadata_is_valid() {
    let action = load("action.yml");
    for step in steps(&action) {
        assert!(!step.run.contains("${{"), "an expression inside a script can inject shell:\n{}", step.run);
    }
    // The project's own workflow uses the action on its pull requests, after a full checkout.
    let workflow = load(".github/workflows/plan-lint.yml");
    let job_steps = workflow["jobs"]["plan-lint"]["steps"].as_vec().unwrap();
    assert_eq!(job_steps[0]["with"]["fetch-depth"].as_i64(), Some(0));
    assert_eq!(job_steps[1]["uses"].as_str(), Some("./"));
    assert!(!workflow["on"]["pull_request"].is_badvalue());

    if tool_available("check-jsonschema", "PLAN_LINT_REQUIRE_CHECK_JSONSCHEMA") {
        let mut files = vec![("vendor.github-actions", root().join("action.yml"))];
        for entry in std::fs::read_dir(root().join(".github/workflows")).unwrap() {
            files.push(("vendor.github-workflows", entry.unwrap().path()));
        }
        for (schema, file) in files {
            let out = Command::new("check-jsonschema").args(["--builtin-schema", schema]).arg(&file).output().unwrap();
            assert!(out.status.success(), "{}: {}", file.display(), String::from_utf8_lossy(&out.stdout));
        }
        // A broken action is rejected, so this check can fail.
        let broken = tempfile::tempdir().unwrap();
        let bad = broken.path().join("action.yml");
        std::fs::write(&bad, "name: x\nruns:\n  using: composite\n  steps: [{run: echo}]\n").unwrap();
        let out = Command::new("check-jsonschema")
            .args(["--builtin-schema", "vendor.github-actions"])
            .arg(&bad)
            .output()
            .unwrap();
        assert!(!out.status.success(), "the schema accepted an action without a description or shell");
    }
    if tool_available("zizmor", "PLAN_LINT_REQUIRE_ZIZMOR") {
        let out = Command::new("zizmor")
            .args(["--offline", "--no-progress"])
            .arg("action.yml")
            .arg(".github/workflows")
            .current_dir(root())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "zizmor findings:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // And zizmor does flag an expression in a script.
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("action.yml");
        std::fs::write(
            &bad,
            "name: x\ndescription: x\ninputs:\n  a:\n    description: a\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo \"${{ inputs.a }}\"\n",
        )
        .unwrap();
        let out = Command::new("zizmor").args(["--offline", "--no-progress"]).arg(&bad).output().unwrap();
        assert!(!out.status.success(), "zizmor missed template injection");
    }
}

/// Action inputs `config` (the registry path) and `working-directory` (where the check runs):
/// a repository whose registry lives in `product/`, checked from `app/`, with the config path
/// relative to it. Without the input the step cannot run (exit 2); with both it finds the
/// untraced commit (exit 1).
#[test]
fn the_config_and_working_directory_inputs_are_used() {
    let (repo, event) = pull_request();
    std::fs::create_dir_all(repo.path().join("product")).unwrap();
    std::fs::create_dir_all(repo.path().join("app")).unwrap();
    std::fs::rename(repo.path().join("promises.toml"), repo.path().join("product/promises.toml")).unwrap();
    repo.write("app/.keep", "");
    let rel = tempfile::tempdir().unwrap();
    let url = releases(rel.path(), "0.1.0", false);
    let env = [("PLAN_LINT_RELEASES_URL", url.as_str())];
    let without = run_action(repo.path(), "pull_request", &event, &[("version", "0.1.0")], &env);
    assert_eq!(without.codes, [0, 2], "{:#?}", without.stderr);
    assert!(without.stderr[1].contains("no promise registry"), "{}", without.stderr[1]);
    let inputs = [("version", "0.1.0"), ("working-directory", "app"), ("config", "../product/promises.toml")];
    let run = run_action(repo.path(), "pull_request", &event, &inputs, &env);
    assert_eq!(run.codes, [0, 1], "{:#?}", run.stderr);
    assert_eq!((run.outputs["errors"].as_str(), run.outputs["commits"].as_str()), ("1", "2"));
    // The config path is read from the working directory: from the root it names nothing.
    let wrong = [("version", "0.1.0"), ("config", "../product/promises.toml")];
    let run = run_action(repo.path(), "pull_request", &event, &wrong, &env);
    assert_eq!(run.codes, [0, 2], "{:#?}", run.stderr);
}

/// Issue 27: with no `version`, the action downloads the release its own tag names (the runner's
/// GITHUB_ACTION_REF): a full version tag, or a major tag at the release commit (Cargo.toml's
/// version); the verified binary goes to the runner's tool cache, and the next run takes it from
/// there without downloading.
#[test]
fn with_no_version_the_action_downloads_the_release_of_its_own_tag() {
    let version = env!("CARGO_PKG_VERSION");
    let (repo, event) = pull_request();
    let rel = tempfile::tempdir().unwrap();
    let url = releases(rel.path(), version, false);
    let tools = tempfile::tempdir().unwrap();
    let tool_cache = tools.path().to_str().unwrap();
    let tag = format!("v{version}");
    let major = format!("v{}", version.split('.').next().unwrap());
    for (i, reference) in [tag.as_str(), major.as_str()].into_iter().enumerate() {
        let run = run_action(
            repo.path(),
            "pull_request",
            &event,
            &[],
            &[("GITHUB_ACTION_REF", reference), ("PLAN_LINT_RELEASES_URL", &url), ("RUNNER_TOOL_CACHE", tool_cache)],
        );
        assert_eq!(run.codes, [0, 1], "the check step fails on the untraced commit: {:#?}", run.stderr);
        let said = &run.stdout[0];
        assert!(!said.contains("Building"), "{reference}: built instead of downloading:\n{said}");
        if i == 0 {
            assert!(said.contains(&format!("Downloading {url}/v{version}/plan-lint-{version}-")), "{said}");
        } else {
            assert!(said.contains("from the tool cache"), "{reference}: {said}");
        }
        assert!(said.contains(&format!("plan-lint {version}")), "{said}");
        assert_eq!(run.outputs["errors"], "1");
    }
    // The major tag resolves to the same release when nothing is cached.
    let run = run_action(
        repo.path(),
        "pull_request",
        &event,
        &[],
        &[("GITHUB_ACTION_REF", major.as_str()), ("PLAN_LINT_RELEASES_URL", &url)],
    );
    assert_eq!(run.codes, [0, 1], "{:#?}", run.stderr);
    assert!(run.stdout[0].contains(&format!("Downloading {url}/v{version}/")), "{}", run.stdout[0]);
}

/// A tampered release of the action's own tag is refused: not run, not cached, and not quietly
/// replaced by a build from source.
#[test]
fn a_tampered_release_of_the_actions_own_tag_is_refused_not_rebuilt() {
    let version = env!("CARGO_PKG_VERSION");
    let (repo, event) = pull_request();
    let rel = tempfile::tempdir().unwrap();
    let url = releases(rel.path(), version, true);
    let tools = tempfile::tempdir().unwrap();
    let tag = format!("v{version}");
    let run = run_action(
        repo.path(),
        "pull_request",
        &event,
        &[],
        &[
            ("GITHUB_ACTION_REF", tag.as_str()),
            ("PLAN_LINT_RELEASES_URL", &url),
            ("RUNNER_TOOL_CACHE", tools.path().to_str().unwrap()),
        ],
    );
    assert_eq!(run.codes, [1], "{:#?}", run.stderr);
    assert!(run.stdout[0].contains("::error title=plan-lint::checksum mismatch"), "{}", run.stdout[0]);
    assert!(!run.stdout[0].contains("Building"), "{}", run.stdout[0]);
    assert_eq!(std::fs::read_dir(tools.path()).unwrap().count(), 0, "a tampered binary was cached");
}

/// The fallback build: a tag with no release (a notice, then cargo), a branch, and
/// `build-from-source: true` even where a release exists.
#[test]
fn the_action_builds_from_source_when_its_tag_has_no_release_or_when_asked() {
    let version = env!("CARGO_PKG_VERSION");
    let (repo, event) = pull_request();
    let rel = tempfile::tempdir().unwrap();
    let url = releases(rel.path(), version, false);
    let tag = format!("v{version}");
    let env = support::shared_release_env();
    let build_env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // The action's ref, whether `build-from-source` is set, and the notice expected.
    let cases = [
        ("v9.9.9", false, Some("::notice title=plan-lint::no release of plan-lint 9.9.9")),
        ("main", false, None),
        (tag.as_str(), true, None),
    ];
    for (reference, from_source, notice) in cases {
        let mut extra = vec![("GITHUB_ACTION_REF", reference), ("PLAN_LINT_RELEASES_URL", url.as_str())];
        extra.extend(build_env.iter().copied());
        let mut inputs = vec![("args", "--allow untraced-commit")];
        if from_source {
            inputs.push(("build-from-source", "true"));
        }
        let _building = support::shared_release_build();
        let run = run_action(repo.path(), "pull_request", &event, &inputs, &extra);
        assert_eq!(run.codes, [0, 0], "{reference}: {:#?}", run.stderr);
        let said = &run.stdout[0];
        assert!(said.contains("Building plan-lint from"), "{reference}: {said}");
        if let Some(notice) = notice {
            assert!(said.contains(notice), "{reference}: {said}");
        } else {
            assert!(!said.contains("Downloading"), "{reference}: {said}");
        }
    }
}
