//! Adoption: the registry's JSON Schema (in sync, and agreeing with plan-lint as the real `taplo`
//! CLI applies it), the generated rule docs, completions and the man page, and every example in
//! the README run for real.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{bin, git_env, run_in};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compare a generated file with its committed copy; `SNAPSHOTS=overwrite` rewrites it.
fn in_sync(rel: &str, generated: &str) {
    support::in_sync(rel, generated, None);
}

#[test]
fn schema_and_rule_docs_are_in_sync() {
    let out = run_in(&root(), &["schema"]);
    out.expect_code(0);
    assert_eq!(out.stdout, plan_lint::__private::schema_text());
    in_sync("schema/promises.schema.json", &plan_lint::__private::schema_text());
    in_sync("docs/rules.md", &plan_lint::__private::rules_markdown());
    // The README's table of rules is the declarations' (issue 24: it had drifted).
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let table = plan_lint::__private::readme_rules_table();
    assert!(
        readme.contains(&format!("## Rules\n\n{table}\n")),
        "README's rules table is stale; it must read:\n{table}"
    );
    let docs = plan_lint::__private::rules_markdown();
    for (name, doc) in plan_lint::__private::rule_docs() {
        assert!(docs.contains(doc), "{name} undocumented");
        let explain = run_in(&root(), &["explain", name]);
        explain.expect_code(0);
        assert!(explain.stdout.contains(doc));
    }
}

fn taplo_available() -> bool {
    support::tool_available("taplo", "PLAN_LINT_REQUIRE_TAPLO")
}

fn taplo_accepts(file: &Path) -> bool {
    let schema = format!("file://{}", root().join("schema/promises.schema.json").display());
    let out =
        Command::new("taplo").args(["check", "--schema", &schema]).arg(file).env("RUST_LOG", "error").output().unwrap();
    out.status.success()
}

fn plan_lint_accepts(text: &str) -> bool {
    plan_lint::Registry::parse(&plan_lint::Source::file("promises.toml", text)).is_ok()
}

#[test]
fn taplo_and_plan_lint_agree_on_good_and_bad_registries() {
    if !taplo_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let good = [
        std::fs::read_to_string(root().join("fixtures/demo/promises.toml")).unwrap(),
        std::fs::read_to_string(root().join("fixtures/init/promises.toml")).unwrap(),
        std::fs::read_to_string(root().join("promises.toml")).unwrap(),
        "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", baseline = 8, target = 1.5 }]\n".into(),
        // Hypotheses and a verdict, dates as text and as TOML dates.
        "[promises.a]\nstatement = \"s\"\nstatus = \"done\"\noutcomes = [{ metric = \"m\", baseline = \"8%\", target = \"12%\" }]\n\
         verdict = { kept = true, reason = \"r\", date = 2026-11-01 }\n\
         [[promises.a.hypotheses]]\nmetric = \"m\"\nexpect = \"10%\"\nby = \"2026-06-30\"\nbelief = \"b\"\n\
         [[promises.a.hypotheses]]\nmetric = \"m\"\nexpect = 11\nby = 2026-09-30\n"
            .into(),
    ];
    let bad = [
        "[promises.a]\nstatement = \"s\"\nstatus = \"playing\"\n",
        "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\nstatsu = 1\n",
        "[promises.a]\nstatus = \"in-play\"\n",
        "[promises.Bad_Id]\nstatement = \"s\"\nstatus = \"done\"\n",
        "[limits]\nin-play = 0\n",
        "[rules]\nno-outcomes = \"deny\"\n",
        "[rules]\nno-outcome = \"error\"\n",
        "[hooks]\nbranch-trailer = \"yes\"\n",
        "vision = 3\n",
        "[promises.a]\nstatement = \"s\"\nstatus = \"done\"\n[[promises.a.hypotheses]]\nmetric = \"m\"\nexpect = \"1\"\n",
        "[promises.a]\nstatement = \"s\"\nstatus = \"done\"\n[[promises.a.hypotheses]]\nmetric = \"m\"\nexpect = \"1\"\nby = \"2026-01-01\"\nbeleif = \"b\"\n",
        "[promises.a]\nstatement = \"s\"\nstatus = \"done\"\nverdict = { kept = true, date = \"2026-01-01\" }\n",
        "[promises.a]\nstatement = \"s\"\nstatus = \"done\"\nverdict = { kept = \"yes\", reason = \"r\", date = \"2026-01-01\" }\n",
    ];
    for (i, text) in good.iter().enumerate() {
        let f = dir.path().join(format!("good{i}.toml"));
        std::fs::write(&f, text).unwrap();
        assert!(plan_lint_accepts(text), "plan-lint rejects good registry {i}");
        assert!(taplo_accepts(&f), "taplo rejects good registry {i}:\n{text}");
    }
    for (i, text) in bad.iter().enumerate() {
        let f = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&f, text).unwrap();
        assert!(!plan_lint_accepts(text), "plan-lint accepts bad registry {i}:\n{text}");
        assert!(!taplo_accepts(&f), "taplo accepts bad registry {i}:\n{text}");
    }
    // The `#:schema` line at the top of this repository's registry is enough for editors.
    let out = Command::new("taplo")
        .args(["check", "promises.toml"])
        .current_dir(root())
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn completions_and_man_page_come_from_the_cli() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run_in(&root(), &["completions", shell]);
        out.expect_code(0);
        for sub in ["check", "trailers", "hook", "install", "explain"] {
            assert!(out.stdout.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let man = run_in(&root(), &["man"]);
    man.expect_code(0);
    assert!(
        man.stdout.starts_with(".ie") && man.stdout.contains(".TH plan-lint 1"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
    run_in(&root(), &["completions", "tcsh"]).expect_code(2);
}

/// Fenced code blocks of the README: (info string, body).
fn readme_blocks() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut out = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let mut body = String::new();
            for l in lines.by_ref() {
                if l.starts_with("```") {
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            out.push((info.trim().to_string(), body));
        }
    }
    out
}

#[test]
fn every_readme_example_runs() {
    let blocks = readme_blocks();
    assert!(blocks.len() >= 10, "README lost its examples");
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    run_in(dir.path(), &["demo", "--dir", demo.to_str().unwrap()]).expect_code(0);
    std::fs::write(demo.join("MSG_FILE"), "Work\n\nPromise: find-and-buy\n").unwrap();
    // The README speaks to a clone: give the demo repository the refs a clone has.
    let out = git_env(Command::new("git"), &demo)
        .args(["update-ref", "refs/remotes/origin/main", "HEAD~3"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let path = format!("{}:{}", bin().parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let (mut toml, mut markdown, mut json, mut commands, mut workflows) = (0, 0, 0, 0, 0);
    for (info, body) in &blocks {
        match info.as_str() {
            // Helix's languages.toml (the Editors section): the server and the languages using it.
            "toml" if body.contains("[language-server.") => {
                let doc: toml::Table = toml::from_str(body).expect("README languages.toml is TOML");
                let server = &doc["language-server"]["plan-lint"];
                assert_eq!(server["command"].as_str(), Some("plan-lint"));
                assert_eq!(server["args"].as_array().map(Vec::len), Some(1));
                assert_eq!(server["args"][0].as_str(), Some("lsp"));
                let languages = doc["language"].as_array().expect("[[language]] tables");
                let names: Vec<&str> = languages.iter().map(|l| l["name"].as_str().unwrap()).collect();
                assert_eq!(names, ["markdown", "toml", "git-commit"]);
                for l in languages {
                    let servers = l["language-servers"].as_array().unwrap();
                    assert!(servers.iter().any(|s| s.as_str() == Some("plan-lint")), "{l:?}");
                }
            }
            // The Neovim set-up parses as Lua (Neovim's own parser, when installed).
            "lua" if support::tool_available("nvim", "PLAN_LINT_REQUIRE_NVIM") => {
                let file = dir.path().join("readme.lua");
                std::fs::write(&file, body).unwrap();
                let check = format!("lua assert(loadfile('{}'))", file.display());
                let out =
                    Command::new("nvim").args(["--headless", "--clean", "-c", &check, "-c", "qall!"]).output().unwrap();
                assert!(
                    out.status.success() && out.stderr.is_empty(),
                    "README Lua: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            "toml" => {
                toml += 1;
                let r = plan_lint::Registry::parse(&plan_lint::Source::file("README.md", body.as_str()));
                assert!(r.is_ok(), "README registry example is invalid: {:?}\n{body}", r.err().map(|e| e.message));
            }
            "markdown" => {
                markdown += 1;
                let plan = plan_lint::scan::markdown::scan(body);
                assert!(!plan.items.is_empty() && plan.items.iter().all(|i| !i.promises.is_empty()), "{plan:#?}");
            }
            // package.json's lint-staged entry: run by the real lint-staged in tests/it/javascript.rs.
            "json" if body.contains("\"lint-staged\"") => {
                let v: serde_json::Value =
                    serde_json::from_str(body).unwrap_or_else(|e| panic!("README JSON: {e}\n{body}"));
                assert!(v["lint-staged"]["*.md"].as_str().is_some_and(|c| c.starts_with("plan-lint check")), "{body}");
            }
            "json" => {
                json += 1;
                let v: serde_json::Value =
                    serde_json::from_str(body).unwrap_or_else(|e| panic!("README JSON: {e}\n{body}"));
                if v.get("summary").is_some() {
                    // A report's JSON.
                    assert!(v["findings"].is_array() && v["summary"].is_object() && v["version"] == 1, "{body}");
                } else {
                    // The baseline file: every entry's fields are ones its schema declares.
                    let schema: serde_json::Value = serde_json::from_str(
                        &std::fs::read_to_string(root().join("schema/baseline.schema.json")).unwrap(),
                    )
                    .unwrap();
                    let declared = schema.pointer("/definitions/entry/properties").and_then(|p| p.as_object());
                    let declared =
                        declared.unwrap_or_else(|| panic!("baseline schema has no definitions/entry: {schema}"));
                    let entries = v["findings"].as_array().unwrap_or_else(|| panic!("README JSON: {body}"));
                    assert!(v["version"] == 1 && !entries.is_empty(), "{body}");
                    for e in entries {
                        assert!(e["code"].is_string(), "{e}");
                        assert!(e.as_object().unwrap().keys().all(|k| declared.contains_key(k)), "{e} vs {declared:?}");
                    }
                }
            }
            "text" if body.contains("Promise:") && !body.contains("plan-lint:") => {
                let block =
                    plan_lint::scan::trailers::parse(body.as_bytes(), &plan_lint::scan::trailers::Options::interpret());
                assert!(block.trailers.iter().any(|t| t.key_is("promise")), "README trailer example: {body}");
            }
            "sh" => {
                for line in body.lines() {
                    let cmd = line.split(" #").next().unwrap().trim();
                    if cmd.starts_with("mkdir ") {
                        let out = git_env(Command::new("sh"), &demo).args(["-c", cmd]).output().unwrap();
                        assert!(out.status.success(), "README `{cmd}` failed");
                        continue;
                    }
                    // Lines that need a tracker's CLI (`gh`) are shown, not run.
                    if !(cmd.starts_with("plan-lint ") || cmd.contains("| plan-lint ")) || cmd.starts_with("gh ") {
                        continue;
                    }
                    commands += 1;
                    // `$1` is what git hands a hook script (the husky example): a message file.
                    let out = git_env(Command::new("sh"), &demo)
                        .args(["-c", cmd, "sh", "MSG_FILE"])
                        .env("PATH", &path)
                        .output()
                        .unwrap();
                    let code = out.status.code().unwrap_or(-1);
                    assert!(
                        code == 0 || code == 1,
                        "README command `{cmd}` exited {code}:\n{}{}",
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            }
            "yaml" if body.contains("jobs:") => {
                workflows += 1;
                let doc = yaml_rust2::YamlLoader::load_from_str(body).expect("README workflow is YAML").remove(0);
                let steps = doc["jobs"]["plan-lint"]["steps"].as_vec().expect("a plan-lint job with steps");
                assert_eq!(steps[0]["with"]["fetch-depth"].as_i64(), Some(0), "{body}");
                assert_eq!(steps[1]["uses"].as_str(), Some("plan-lint/plan-lint@v1"));
                if support::tool_available("check-jsonschema", "PLAN_LINT_REQUIRE_CHECK_JSONSCHEMA") {
                    let file = dir.path().join("workflow.yml");
                    std::fs::write(&file, body).unwrap();
                    let out = Command::new("check-jsonschema")
                        .args(["--builtin-schema", "vendor.github-workflows"])
                        .arg(&file)
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "README workflow: {}", String::from_utf8_lossy(&out.stdout));
                }
            }
            _ => {}
        }
    }
    assert!(workflows == 2, "the README shows the Action's workflow, and one judging only members' issues");
    assert!(toml >= 1 && markdown >= 1 && json >= 1 && commands >= 9, "{toml} {markdown} {json} {commands}");
}
