//! plan-lint installed the ways teams without Rust install their tools, each with no Rust
//! toolchain on PATH: the PyPI wheel maturin builds (`pip install`, as pipx and uvx do), the
//! pre-commit framework's `language: python` hooks installing that wheel, and the npm packages
//! (a launcher plus one package per platform, as biome ships).
//!
//! Each test builds the package for this machine from this checkout in the release target
//! directory the Action's and pre-commit's tests share (`support::shared_release_env`), so the
//! dependencies are compiled once for all of them. maturin and twine come from PyPI into a virtual
//! environment under `target/python-packaging`, kept between runs. The tests need the network
//! (PyPI for the tools, the npm registry for husky) and are skipped, visibly, unless
//! PLAN_LINT_REQUIRE_PYTHON_PACKAGING=1 (the wheel and the pre-commit hooks) or
//! PLAN_LINT_REQUIRE_NPM_PACKAGING=1 (npm) is set, as `.ci/run` sets them.

use crate::support;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use support::{git_env, Repo};

/// The build and check tools, pinned: a new maturin can change the wheel's layout or tags.
const MATURIN: &str = "maturin==1.16.0";
const TWINE: &str = "twine==7.0.0";
/// What teams install the wheel with: `uvx plan-lint` and `pipx install plan-lint`.
const UV: &str = "uv==0.13.9";
const PIPX: &str = "pipx==1.8.0";
/// The build backend of the pre-commit hook repository's placeholder package.
const SETUPTOOLS: &str = "setuptools==84.2.1";

/// The husky the npm test installs from the registry.
const HUSKY: &str = "husky@9.1.7";

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether the tests behind `var` run: only when it is set, since they need the network and a
/// release build. A skip is written past the harness's capture, so `cargo test` shows it.
fn required(var: &str, what: &str) -> bool {
    use std::io::Write as _;
    if std::env::var_os(var).is_some() {
        return true;
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what} (set {var}=1, as .ci/run does)");
    false
}

/// This process's PATH less every directory holding cargo, rustc or rustup: what a machine
/// without a Rust toolchain has. Checked: `cargo` cannot be started with it.
fn path_without_rust() -> OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|dir| !["cargo", "rustc", "rustup"].iter().any(|tool| dir.join(tool).exists()))
        .collect();
    let joined = std::env::join_paths(kept).unwrap();
    let cargo = Command::new("cargo").arg("--version").env("PATH", &joined).output();
    assert!(cargo.is_err(), "cargo still runs with PATH={joined:?}");
    joined
}

/// `dir` first, then PATH without Rust.
fn path_with(dir: &Path) -> OsString {
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend(std::env::split_paths(&path_without_rust()));
    std::env::join_paths(dirs).unwrap()
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?} could not start: {e}"));
    assert!(out.status.success(), "{cmd:?} failed ({}):\n{}", out.status, said(&out));
    out
}

fn said(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// maturin and twine in a virtual environment under target/, installed once and kept while
/// their versions stay the pinned ones.
fn python_tools() -> PathBuf {
    let venv = root().join("target/python-packaging/tools");
    let bin = venv.join("bin");
    let pinned = |tool: &str, pin: &str| {
        let version = pin.split("==").nth(1).unwrap();
        Command::new(bin.join(tool))
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains(version))
    };
    let tools = [("maturin", MATURIN), ("twine", TWINE), ("uv", UV), ("pipx", PIPX)];
    if !tools.iter().all(|(tool, pin)| pinned(tool, pin)) {
        run(Command::new("python3").args(["-m", "venv", "--clear"]).arg(&venv));
        run(Command::new(bin.join("python"))
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
            .args(tools.map(|t| t.1)));
    }
    bin
}

/// The wheel and the source distribution maturin builds from this checkout for this machine,
/// built once per test process (both Python tests use them) in the shared release target.
fn python_dist() -> &'static (PathBuf, PathBuf) {
    static DIST: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    DIST.get_or_init(|| {
        let _building = support::shared_release_build();
        let tools = python_tools();
        let dist = root().join("target/python-packaging/dist");
        let _ = std::fs::remove_dir_all(&dist);
        run(Command::new(tools.join("maturin"))
            .args(["build", "--release", "--locked", "--out"])
            .arg(&dist)
            .envs(support::shared_release_env())
            .current_dir(root()));
        run(Command::new(tools.join("maturin")).args(["sdist", "--out"]).arg(&dist).current_dir(root()));
        let find = |suffix: &str| {
            let found: Vec<PathBuf> = std::fs::read_dir(&dist)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect();
            assert_eq!(found.len(), 1, "one {suffix} in {}: {found:?}", dist.display());
            found[0].clone()
        };
        (find(".whl"), find(".tar.gz"))
    })
}

/// A repository as a team has it: a registry with one promise in play, a traced commit and an
/// untraced one.
fn fixture_repository() -> Repo {
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n",
    )
    .write(".gitignore", "node_modules/\n");
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    repo.write("app.txt", "v1\n");
    repo.commit("Untraced work\n");
    repo
}

/// `plan-lint check` on the fixture from whatever `program` is (the installed binary, npx):
/// the untraced commit is found, exit 1.
fn assert_checks_the_fixture(repo: &Repo, program: &str, first: &[&str], path: &OsString) {
    let out = git_env(Command::new(program), repo.path())
        .env("PATH", path)
        .args(first)
        .args(["--color", "never", "check", "--commits", "HEAD"])
        .output()
        .unwrap();
    let text = said(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("untraced-commit") && text.contains("Untraced work"), "{text}");
    assert!(!text.contains("Adopt plan-lint"), "the traced commit was reported:\n{text}");
}

#[test]
fn the_wheel_installs_with_no_rust_and_checks_a_repository() {
    if !required("PLAN_LINT_REQUIRE_PYTHON_PACKAGING", "the PyPI wheel was not built or installed") {
        return;
    }
    let (wheel, sdist) = python_dist();
    let name = wheel.file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with(&format!("plan_lint-{VERSION}-py3-none-")), "{name}");
    assert!(!name.ends_with("-any.whl"), "the wheel holds a native binary, so it is tagged for a platform: {name}");

    // The metadata PyPI shows, complete and in step with Cargo.toml.
    let tools = python_tools();
    let metadata = run(Command::new(tools.join("python"))
        .arg("-c")
        .arg(
            "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\n\
         names = z.namelist()\n\
         print('\\n'.join(names))\n\
         print(z.read(next(n for n in names if n.endswith('.dist-info/METADATA'))).decode())",
        )
        .arg(wheel));
    let metadata = String::from_utf8(metadata.stdout).unwrap();
    assert!(metadata.contains(&format!("plan_lint-{VERSION}.data/scripts/plan-lint\n")), "{metadata}");
    for line in [
        "Name: plan-lint".to_string(),
        format!("Version: {VERSION}"),
        format!("Summary: {}", env!("CARGO_PKG_DESCRIPTION")),
        format!("License-Expression: {}", env!("CARGO_PKG_LICENSE")),
        format!("Project-URL: Repository, {}", env!("CARGO_PKG_REPOSITORY")),
        "Project-URL: Changelog, ".to_string(),
        "Keywords: git,lint,planning,trailers,product".to_string(),
        "Requires-Python: >=".to_string(),
        "Classifier: Environment :: Console".to_string(),
        "Classifier: Programming Language :: Rust".to_string(),
        "Description-Content-Type: text/markdown".to_string(),
        "**Every commit and every plan item, traced to a customer promise that is in play.**".to_string(),
    ] {
        assert!(metadata.lines().any(|l| l.starts_with(&line)), "the wheel's metadata lacks {line:?}:\n{metadata}");
    }
    let out = run(Command::new(tools.join("twine")).args(["check", "--strict"]).arg(wheel).arg(sdist));
    assert_eq!(said(&out).matches("PASSED").count(), 2, "{}", said(&out));

    // A fresh virtual environment, the wheel installed with no index and no Rust on PATH.
    let tmp = tempfile::tempdir().unwrap();
    let venv = tmp.path().join("venv");
    let no_rust = path_without_rust();
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv).env("PATH", &no_rust));
    run(Command::new(venv.join("bin/python"))
        .args(["-m", "pip", "install", "--no-index", "--disable-pip-version-check", "--quiet"])
        .arg(wheel)
        .env("PATH", &no_rust));
    let path = path_with(&venv.join("bin"));
    let out = run(Command::new("plan-lint").arg("--version").env("PATH", &path));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("plan-lint {VERSION}"));
    let repo = fixture_repository();
    assert_checks_the_fixture(&repo, "plan-lint", &[], &path);

    // `uvx` runs it from the wheel in a throwaway environment (no index, no Python download).
    let wheel_spec = wheel.to_str().unwrap();
    let out = git_env(Command::new(tools.join("uvx")), repo.path())
        .env("UV_CACHE_DIR", tmp.path().join("uv-cache"))
        .env("UV_TOOL_DIR", tmp.path().join("uv-tools"))
        .env("UV_PYTHON_DOWNLOADS", "never")
        .env("PATH", &no_rust)
        .args(["--offline", "--from", wheel_spec, "plan-lint", "--color", "never", "check", "--commits", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "uvx:\n{}", said(&out));
    assert!(said(&out).contains("untraced-commit"), "uvx:\n{}", said(&out));

    // `pipx install` puts it on PATH from its own environment (pipx refreshes its shared pip
    // from PyPI; the package itself comes from the wheel only).
    let pipx_bin = tmp.path().join("pipx-bin");
    run(Command::new(tools.join("pipx"))
        .args(["install", "--pip-args=--no-index", wheel_spec])
        .env("PIPX_HOME", tmp.path().join("pipx"))
        .env("PIPX_BIN_DIR", &pipx_bin)
        .env("PATH", &no_rust));
    assert_checks_the_fixture(&repo, "plan-lint", &[], &path_with(&pipx_bin));
}

/// The hook repository's files (`pre-commit-mirror/`) committed in a repository of their own,
/// as the published hook repository holds them.
fn hook_repository(dest: &Path) -> String {
    let source = root().join("pre-commit-mirror");
    for name in [".pre-commit-hooks.yaml", "pyproject.toml", "README.md"] {
        std::fs::create_dir_all(dest).unwrap();
        std::fs::copy(source.join(name), dest.join(name)).unwrap();
    }
    let git = |args: &[&str]| {
        String::from_utf8_lossy(&run(git_env(Command::new("git"), dest).args(args)).stdout).trim().to_string()
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "plan-lint's hooks, installed from its wheel"]);
    git(&["rev-parse", "HEAD"])
}

/// The README's `.pre-commit-config.yaml` for the Python hooks, verbatim.
fn readme_python_config() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("**pre-commit framework, from the wheel**").expect("the README shows it");
    let block = &readme[start..];
    let body = &block[block.find("```yaml\n").unwrap() + 8..];
    body[..body.find("```").unwrap()].to_string()
}

/// Issue 27: the pre-commit framework installs the `language: python` hooks from the wheel (the
/// local one, no index, no Rust on PATH) and drives real commits through all four hook types.
#[test]
fn pre_commit_python_hooks_install_the_wheel_and_run_on_real_commits() {
    if !required("PLAN_LINT_REQUIRE_PYTHON_PACKAGING", "the pre-commit hooks from the wheel did not run")
        || !support::tool_available("pre-commit", "PLAN_LINT_REQUIRE_PRE_COMMIT")
    {
        return;
    }
    // The pins agree with this version: the hook repository installs exactly this wheel.
    let mirror = std::fs::read_to_string(root().join("pre-commit-mirror/pyproject.toml")).unwrap();
    assert!(mirror.contains(&format!("version = \"{VERSION}\"")), "{mirror}");
    assert!(mirror.contains(&format!("dependencies = [\"plan-lint=={VERSION}\"]")), "{mirror}");
    let (wheel, _) = python_dist();

    // What pip may install from: this wheel and the placeholder package's build backend.
    let tmp = tempfile::tempdir().unwrap();
    let links = root().join("target/python-packaging/find-links");
    if !std::fs::read_dir(&links)
        .is_ok_and(|mut d| d.any(|e| e.unwrap().file_name().to_string_lossy().starts_with("setuptools-")))
    {
        run(Command::new(python_tools().join("python"))
            .args([
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--only-binary",
                ":all:",
                "--dest",
            ])
            .arg(&links)
            .arg(SETUPTOOLS));
    }
    let wheels = tmp.path().join("wheels");
    std::fs::create_dir_all(&wheels).unwrap();
    std::fs::copy(wheel, wheels.join(wheel.file_name().unwrap())).unwrap();
    let find_links = format!("{} {}", links.display(), wheels.display());

    let hooks = tmp.path().join("plan-lint-pre-commit");
    let rev = hook_repository(&hooks);
    let config = readme_python_config()
        .replace("https://github.com/plan-lint/plan-lint-pre-commit", hooks.to_str().unwrap())
        .replace(&format!("rev: v{VERSION}"), &format!("rev: {rev}"));
    assert!(config.contains(&rev), "the README config names a repo and rev to replace:\n{config}");

    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n",
    )
    .write(".pre-commit-config.yaml", &config);
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    let no_rust = path_without_rust();
    let home = tmp.path().join("pre-commit-home");
    let framework = |program: &str| {
        let mut cmd = git_env(Command::new(program), repo.path());
        cmd.env("PATH", &no_rust)
            .env("PRE_COMMIT_HOME", &home)
            .env("PIP_NO_INDEX", "1")
            .env("PIP_FIND_LINKS", &find_links)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        cmd
    };
    let out = framework("pre-commit").args(["install", "--install-hooks"]).output().unwrap();
    assert!(out.status.success(), "{}", said(&out));
    for hook in ["pre-commit", "commit-msg", "prepare-commit-msg", "pre-push"] {
        let text = std::fs::read_to_string(repo.path().join(".git/hooks").join(hook)).unwrap_or_default();
        assert!(text.contains("pre-commit"), "{hook} is not the framework's hook:\n{}", said(&out));
    }
    // The hook environment holds the wheel's binary.
    let installed: Vec<PathBuf> = std::fs::read_dir(&home)
        .unwrap()
        .flat_map(|repo| std::fs::read_dir(repo.unwrap().path()).into_iter().flatten())
        .map(|env| env.unwrap().path().join("bin/plan-lint"))
        .filter(|p| p.is_file())
        .collect();
    assert_eq!(installed.len(), 1, "one hook environment with plan-lint in {}", home.display());
    let out = run(Command::new(&installed[0]).arg("--version"));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("plan-lint {VERSION}"));

    let commit = |args: &[&str]| {
        let out = framework("git").arg("commit").args(args).output().unwrap();
        (out.status.success(), said(&out))
    };
    let count = || repo.git(&["rev-list", "--count", "HEAD"]).trim().to_string();
    // commit-msg: an untraced message is refused.
    repo.write("app.txt", "v1\n");
    repo.git(&["add", "app.txt"]);
    let (ok, text) = commit(&["-m", "Untraced work"]);
    assert!(!ok && text.contains("untraced-commit"), "{text}");
    assert_eq!(count(), "1");
    // prepare-commit-msg: the branch names the promise, the trailer is added.
    repo.git(&["checkout", "-q", "-b", "find-and-buy/search"]);
    let (ok, text) = commit(&["-m", "Search box"]);
    assert!(ok, "{text}");
    assert_eq!(repo.git(&["log", "-1", "--format=%B"]).trim_end(), "Search box\n\nPromise: find-and-buy");
    // pre-commit: a staged untraced plan item is refused.
    repo.write("ROADMAP.md", "# Plan\n\n- [ ] Untraced item\n");
    repo.git(&["add", "ROADMAP.md"]);
    let (ok, text) = commit(&["-m", "Plan", "-m", "Promise: find-and-buy"]);
    assert!(!ok && text.contains("untraced-item"), "{text}");
    assert_eq!(count(), "2");
    // pre-push: a commit that skipped the hooks is refused at the push.
    let remote = tempfile::tempdir().unwrap();
    run(git_env(Command::new("git"), remote.path()).args(["init", "-q", "--bare"]));
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["checkout", "-q", "-b", "topic"]);
    run(framework("git").args(["commit", "-q", "--no-verify", "--allow-empty", "-m", "Sneaky"]));
    let out = framework("git").args(["push", "origin", "HEAD:main"]).output().unwrap();
    let text = said(&out);
    assert!(!out.status.success() && text.contains("untraced-commit") && text.contains("Sneaky"), "{text}");
}

/// plan-lint built in release in the shared target directory (the binary the npm package ships).
fn release_binary() -> PathBuf {
    let _building = support::shared_release_build();
    run(Command::new(env!("CARGO"))
        .args(["build", "--release", "--locked", "--quiet", "--bin", "plan-lint"])
        .envs(support::shared_release_env())
        .current_dir(root()));
    let target = support::shared_release_env().into_iter().find(|(k, _)| *k == "CARGO_TARGET_DIR").unwrap().1;
    PathBuf::from(target).join("release/plan-lint")
}

/// This machine's Rust target, as npm/platform.js names the platforms.
fn this_target() -> &'static str {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-gnu",
        ("linux", "aarch64") => "aarch64-unknown-linux-gnu",
        ("macos", "x86_64") => "x86_64-apple-darwin",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        other => panic!("no npm package for {other:?}"),
    }
}

/// npm with its cache under target/ (husky is downloaded once) and no Rust on PATH.
fn npm(program: &str, dir: &Path) -> Command {
    let mut cmd = git_env(Command::new(program), dir);
    cmd.env("PATH", path_without_rust())
        .env("npm_config_cache", root().join("target/npm-cache"))
        .env("npm_config_update_notifier", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_audit", "false");
    cmd
}

/// The README's husky `.husky/commit-msg` file, verbatim.
fn readme_husky_line() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let husky = readme.find("**husky**").expect("the README has a husky section");
    let start = husky + readme[husky..].find("`.husky/commit-msg`:").expect("the README shows the commit-msg file");
    let block = &readme[start..];
    let body = &block[block.find("```sh\n").unwrap() + 6..];
    body[..body.find("```").unwrap()].to_string()
}

/// Issue 27: the npm packages as biome ships them, a launcher and one package per platform,
/// built for this machine, installed from their tarballs into a fresh project with no Rust on
/// PATH; `npx plan-lint check` runs the binary, husky runs it as a commit-msg hook, and the
/// launcher without its platform package says what is missing.
#[test]
fn the_npm_package_installs_with_no_rust_and_runs_through_npx_and_husky() {
    if !required("PLAN_LINT_REQUIRE_NPM_PACKAGING", "the npm packages were not built or installed") {
        return;
    }
    // The launcher's version and its optional dependencies follow Cargo.toml's version.
    let launcher: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("npm/plan-lint/package.json")).unwrap()).unwrap();
    assert_eq!(launcher["version"], VERSION);
    let platforms = launcher["optionalDependencies"].as_object().unwrap();
    assert_eq!(platforms.len(), 5, "{platforms:?}");
    let script = std::fs::read_to_string(root().join("npm/platform.js")).unwrap();
    let launcher_js = std::fs::read_to_string(root().join("npm/plan-lint/bin/plan-lint.js")).unwrap();
    for (name, version) in platforms {
        assert_eq!(version, VERSION, "{name}");
        let short = name.strip_prefix("@plan-lint/").unwrap();
        assert!(script.contains(&format!("name: \"{short}\"")), "npm/platform.js does not build {name}");
        assert!(launcher_js.contains(&format!("\"{name}\"")), "the launcher does not look for {name}");
    }

    let binary = release_binary();
    let tmp = tempfile::tempdir().unwrap();
    let packed = tmp.path().join("packed");
    std::fs::create_dir_all(&packed).unwrap();
    let platform_dir = tmp.path().join("platform");
    run(npm("node", root()).arg("npm/platform.js").arg(this_target()).arg(&binary).arg(&platform_dir));
    for dir in [platform_dir, root().join("npm/plan-lint")] {
        run(npm("npm", &dir).args(["pack", "--silent", "--pack-destination"]).arg(&packed));
    }
    let tarball = |prefix: &str| {
        let name = std::fs::read_dir(&packed)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .find(|n| n.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix}* in {}", packed.display()));
        packed.join(name)
    };
    let launcher_tgz = tarball(&format!("plan-lint-{VERSION}"));
    let platform_tgz = tarball("plan-lint-cli-");

    // The team's repository is the npm project: the tarballs installed with no registry.
    let repo = fixture_repository();
    repo.write("package.json", "{ \"name\": \"team\", \"version\": \"1.0.0\", \"private\": true }\n");
    run(npm("npm", repo.path()).args(["install", "--offline", "--save-dev"]).arg(&platform_tgz).arg(&launcher_tgz));
    let out = run(npm("npx", repo.path()).args(["--no-install", "plan-lint", "--version"]));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("plan-lint {VERSION}"));
    assert_checks_the_fixture(&repo, "npx", &["--no-install", "plan-lint"], &path_without_rust());

    // husky runs the README's hook line with the package's binary on its PATH.
    run(npm("npm", repo.path()).args(["install", "--save-dev", HUSKY]));
    run(npm("npx", repo.path()).args(["--no-install", "husky"]));
    repo.write(".husky/commit-msg", &readme_husky_line());
    repo.git(&["add", "-A"]);
    let commit = |args: &[&str]| {
        let out = npm("git", repo.path()).arg("commit").args(args).output().unwrap();
        (out.status.success(), said(&out))
    };
    let (ok, text) = commit(&["-q", "-m", "Untraced husky work"]);
    assert!(!ok && text.contains("untraced-commit"), "{text}");
    let (ok, text) = commit(&["-q", "-m", "Husky", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{text}");
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]).trim(), "Husky");

    // The launcher alone (installed with --omit=optional, or on a platform with no package).
    let alone = tempfile::tempdir().unwrap();
    std::fs::write(alone.path().join("package.json"), "{ \"name\": \"alone\", \"private\": true }\n").unwrap();
    run(npm("npm", alone.path()).args(["install", "--offline", "--omit=optional"]).arg(&launcher_tgz));
    let out = npm("npx", alone.path()).args(["--no-install", "plan-lint", "--version"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    assert!(said(&out).contains("holding the binary for") && said(&out).contains("is not installed"), "{}", said(&out));
}

/// Issue 27: the published crate holds what building and using plan-lint needs (the sources,
/// the files they embed, the documents) and nothing else: no tests, benches, fuzz targets,
/// editor extensions or the other registries' packaging.
#[test]
fn the_crate_packages_only_what_a_user_needs() {
    let out = run(Command::new(env!("CARGO"))
        .args(["package", "--list", "--locked", "--allow-dirty", "--offline"])
        .current_dir(root()));
    let listed = String::from_utf8(out.stdout).unwrap();
    let files: Vec<&str> = listed.lines().collect();
    let top = [".cargo_vcs_info.json", "Cargo.toml", "Cargo.toml.orig", "Cargo.lock", "README.md", "CHANGELOG.md"];
    for file in &files {
        let needed = top.contains(file)
            || (file.starts_with("src/") && file.ends_with(".rs"))
            || file.starts_with("fixtures/demo/")
            || file.starts_with("fixtures/init/");
        assert!(needed, "the crate would ship {file}:\n{listed}");
    }
    // Everything the sources embed with include_str! is there, so the crate builds.
    for embedded in ["fixtures/demo/promises.toml", "fixtures/demo/history.toml", "fixtures/init/ROADMAP.md"] {
        assert!(files.contains(&embedded), "{embedded} missing:\n{listed}");
    }
    assert!(files.contains(&"src/main.rs") && files.contains(&"README.md"), "{listed}");
}

/// cargo-binstall's metadata names the archive the release workflow uploads and the Action
/// downloads, for this target.
#[test]
fn binstall_metadata_names_the_release_archive() {
    let manifest: toml::Value = toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap();
    let binstall = &manifest["package"]["metadata"]["binstall"];
    let target = this_target();
    let url = binstall["pkg-url"]
        .as_str()
        .unwrap()
        .replace("{ repo }", env!("CARGO_PKG_REPOSITORY"))
        .replace("{ name }", env!("CARGO_PKG_NAME"))
        .replace("{ version }", VERSION)
        .replace("{ target }", target)
        .replace("{ archive-suffix }", ".tar.gz");
    let archive = format!("plan-lint-{VERSION}-{target}.tar.gz");
    assert_eq!(url, format!("https://github.com/plan-lint/plan-lint/releases/download/v{VERSION}/{archive}"));
    assert_eq!(binstall["pkg-fmt"].as_str(), Some("tgz"));
    assert_eq!(binstall["bin-dir"].as_str(), Some("{ bin }{ binary-ext }"), "the binary at the archive's root");
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    assert!(action.contains("archive=\"plan-lint-$version-$target.tar.gz\""), "the Action downloads another name");
    let release = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    assert!(
        release.contains("archive=\"plan-lint-${TAG#v}-$TARGET$suffix\""),
        "the release workflow uploads another name"
    );
}

/// The README's archive download, run as written against a release directory laid out as the
/// release workflow uploads it (an archive of the binary and its `sha256sum` line): the binary is
/// unpacked and runs; a corrupted archive fails the checksum and nothing is unpacked.
#[test]
fn the_readme_archive_download_checks_the_checksum_before_unpacking() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("Or the release archive for your platform").expect("the README shows it");
    let block = &readme[start..];
    let body = &block[block.find("```sh\n").unwrap() + 6..];
    let snippet = body[..body.find("```").unwrap()].to_string();
    let target = this_target();
    let releases = tempfile::tempdir().unwrap();
    let dir = releases.path().join(format!("v{VERSION}"));
    std::fs::create_dir_all(&dir).unwrap();
    // A stand-in for the binary (the archive's content is not what is tested here, and the debug
    // binary takes seconds to compress).
    std::fs::write(dir.join("plan-lint"), format!("#!/bin/sh\necho plan-lint {VERSION}\n")).unwrap();
    run(Command::new("chmod").arg("755").arg(dir.join("plan-lint")));
    let archive = format!("plan-lint-{VERSION}-{target}.tar.gz");
    run(Command::new("bash")
        .arg("-c")
        .arg(format!("set -e; tar -czf {archive} plan-lint; rm plan-lint; sha256sum {archive} > {archive}.sha256"))
        .current_dir(&dir));
    let script = snippet
        .lines()
        .map(|line| {
            if line.starts_with("v=") {
                format!("v={VERSION} t={target}")
            } else if line.starts_with("base=") {
                format!("base=file://{}/v$v", releases.path().display())
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(script.contains("sha256sum -c") && script.contains("curl"), "{script}");
    let user = tempfile::tempdir().unwrap();
    run(Command::new("bash").args(["-c", &script]).current_dir(user.path()));
    let out = run(Command::new(user.path().join("plan-lint")).arg("--version"));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("plan-lint {VERSION}"));

    // A corrupted archive: the checksum fails and nothing is unpacked.
    let bytes = std::fs::read(dir.join(&archive)).unwrap();
    let mut tampered = bytes.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    std::fs::write(dir.join(&archive), tampered).unwrap();
    let user = tempfile::tempdir().unwrap();
    let out = Command::new("bash").args(["-c", &script]).current_dir(user.path()).output().unwrap();
    assert!(!out.status.success(), "a corrupted archive passed:\n{}", said(&out));
    assert!(said(&out).contains("FAILED"), "{}", said(&out));
    assert!(!user.path().join("plan-lint").exists(), "the corrupted archive was unpacked");
}
