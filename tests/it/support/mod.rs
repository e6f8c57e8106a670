//! Helpers shared by the integration tests: hermetic git, throwaway repositories, running the
//! binary, and whole-output snapshots.
#![allow(dead_code)]

pub mod github;
pub mod lsp_client;
pub mod rng;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A `git` (or plan-lint) command that ignores the machine's configuration, so tests behave the
/// same on every machine, with fixed identities and dates so commit ids are stable.
pub fn git_env(mut cmd: Command, dir: &Path) -> Command {
    cmd.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-05T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-05T10:00:00Z")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .env("NO_COLOR", "1");
    cmd
}

/// A throwaway repository built with the real `git` binary, as a team would build it.
pub struct Repo {
    pub dir: tempfile::TempDir,
    tick: u32,
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repo { dir, tick: 0 };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Run git, panicking with its output when it fails.
    /// `git commit` with the installed hooks running: whether it succeeded, and its stderr.
    pub fn git_commit(&self, args: &[&str]) -> (bool, String) {
        let out = git_env(Command::new("git"), self.path()).arg("commit").args(args).output().expect("git runs");
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    }

    pub fn git(&self, args: &[&str]) -> String {
        let out = git_env(Command::new("git"), self.path()).args(args).output().expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed in {}:\n{}{}",
            self.path().display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn write(&self, path: &str, text: &str) -> &Self {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
        self
    }

    /// Stage everything and commit with `message` (verbatim, no cleanup), one minute after the
    /// previous commit. Returns the new commit id.
    pub fn commit(&mut self, message: &str) -> String {
        self.tick += 1;
        let date = format!("2026-01-05T10:{:02}:00Z", self.tick % 60);
        self.commit_at(&date, "Ada Lovelace <ada@example.com>", message)
    }

    /// Stage everything and commit at `date` (RFC 3339) as `author` (`Name <email>`).
    pub fn commit_at(&mut self, date: &str, author: &str, message: &str) -> String {
        let (name, email) = author.split_once(" <").expect("Name <email>");
        let msg_file = self.path().join(".git/TEST_MSG");
        std::fs::write(&msg_file, message).unwrap();
        self.git(&["add", "-A"]);
        let out = git_env(Command::new("git"), self.path())
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email.trim_end_matches('>'))
            .args(["commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F"])
            .arg(&msg_file)
            .output()
            .unwrap();
        assert!(out.status.success(), "commit failed: {}", String::from_utf8_lossy(&out.stderr));
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// The absolute path of `rel` in this repository, as text.
    pub fn root_abs(&self, rel: &str) -> String {
        self.path().join(rel).to_str().expect("a UTF-8 temp path").to_string()
    }

    /// Run the freshly built plan-lint in this repository.
    pub fn plan_lint(&self, args: &[&str]) -> Run {
        run_in(self.path(), args)
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_plan-lint"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub dir: PathBuf,
}

impl Run {
    /// Assert the exit code, printing everything when it is wrong so a red test explains itself.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            code,
            "unexpected exit code in {}\n--- stdout\n{}\n--- stderr\n{}",
            self.dir.display(),
            self.stdout,
            self.stderr
        );
        self
    }
}

pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out: Output = git_env(Command::new(bin()), dir).args(args).output().expect("plan-lint runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        dir: dir.to_path_buf(),
    }
}

/// Whether this run rewrites expected output instead of comparing with it: `SNAPSHOTS=overwrite`,
/// snapbox's own switch, the one way to bless anything in this suite (snapshots, generated docs,
/// vendored hook scripts). Review the result with `git diff` before committing.
pub fn blessing() -> bool {
    std::env::var_os("SNAPSHOTS").is_some_and(|v| v == "overwrite")
}

/// Compare `generated` with the committed file at `rel` (from the repository root), showing a diff
/// on mismatch (snapbox); under `SNAPSHOTS=overwrite` the file is rewritten (with `mode`, when
/// given, as its Unix permissions) instead.
pub fn in_sync(rel: &str, generated: &str, mode: Option<u32>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    if blessing() {
        std::fs::create_dir_all(path.parent().expect("a file in a folder")).expect("create the folder");
        std::fs::write(&path, generated).expect("write the blessed file");
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        }
        return;
    }
    let _ = mode;
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        eprintln!("{rel} is stale: review the diff below, then bless it with `SNAPSHOTS=overwrite cargo test`");
    }
    // Raw: snapbox would otherwise normalise the texts (backslashes to slashes) before comparing.
    let (actual, expected) = (snapbox::Data::text(generated.to_string()).raw(), snapbox::Data::text(committed).raw());
    snapbox::Assert::new().action(snapbox::assert::Action::Verify).eq(actual, expected);
}

/// Compare `actual` with the snapshot `tests/snapshots/NAME.txt`, where NAME is
/// `<test module>/<case>` (for example `check/not-in-play`): [`in_sync`].
pub fn snapshot(name: &str, actual: &str) {
    in_sync(&format!("tests/snapshots/{name}.txt"), actual, None);
}

/// Run plan-lint in `dir` with extra environment variables and, optionally, standard input.
pub fn run_with(dir: &Path, args: &[&str], envs: &[(&str, &str)], stdin: Option<&str>) -> Run {
    use std::io::Write;
    let mut cmd = git_env(Command::new(bin()), dir);
    cmd.args(args).envs(envs.iter().copied());
    for var in ["GITHUB_ACTIONS", "GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"] {
        if !envs.iter().any(|(k, _)| *k == var) {
            cmd.env_remove(var);
        }
    }
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("plan-lint runs");
    let input = stdin.unwrap_or("").to_string();
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().expect("plan-lint finishes");
    writer.join().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        dir: dir.to_path_buf(),
    }
}

/// The external tools tests compare against: name, the command that proves it is installed, the
/// variable `.ci/run` sets to make its absence a failure, and how to install it.
#[allow(dead_code)]
pub const TOOLS: &[(&str, &[&str], &str, &str)] = &[
    (
        "check-jsonschema",
        &["check-jsonschema", "--version"],
        "PLAN_LINT_REQUIRE_CHECK_JSONSCHEMA",
        "pip install check-jsonschema",
    ),
    ("zizmor", &["zizmor", "--version"], "PLAN_LINT_REQUIRE_ZIZMOR", "pip install zizmor"),
    ("taplo", &["taplo", "--version"], "PLAN_LINT_REQUIRE_TAPLO", "pip install taplo"),
    ("lefthook", &["lefthook", "--version"], "PLAN_LINT_REQUIRE_LEFTHOOK", "pip install lefthook"),
    ("pre-commit", &["pre-commit", "--version"], "PLAN_LINT_REQUIRE_PRE_COMMIT", "pip install pre-commit"),
    ("cmarkgfm", &["python3", "-c", "import cmarkgfm"], "PLAN_LINT_REQUIRE_CMARKGFM", "pip install cmarkgfm"),
    ("chromium", &["chromium", "--version"], "PLAN_LINT_REQUIRE_CHROMIUM", "apt-get install chromium"),
    ("xmllint", &["xmllint", "--version"], "PLAN_LINT_REQUIRE_XMLLINT", "apt-get install libxml2-utils"),
    ("nvim", &["nvim", "--version"], "PLAN_LINT_REQUIRE_NVIM", "apt-get install neovim"),
    ("npm", &["npm", "--version"], "PLAN_LINT_REQUIRE_NPM", "apt-get install nodejs npm"),
];

/// Whether the tool named in [`TOOLS`] is installed. When its variable is set (as `.ci/run`
/// sets it), its absence fails the test instead of skipping it; a skip is written straight to
/// standard error, past the test harness's capture, so `cargo test` shows it even when the test
/// passes (and `tests/tools.rs` lists every missing tool in its own summary).
pub fn tool_available(tool: &str, _require_var: &str) -> bool {
    use std::io::Write as _;
    let &(name, probe, var, install) = TOOLS.iter().find(|t| t.0 == tool).expect("a tool listed in TOOLS");
    let mut found = Command::new(probe[0]).args(&probe[1..]).output().is_ok_and(|o| o.status.success());
    if !found && name == "chromium" {
        found = Command::new("chromium-browser").arg("--version").output().is_ok_and(|o| o.status.success());
    }
    if !found {
        assert!(std::env::var_os(var).is_none(), "{name} is required here ({var} is set): {install}");
        let _ = writeln!(std::io::stderr(), "SKIPPED: {name} is not installed ({install}); its checks did not run");
    }
    found
}

/// Check a SARIF file: every result placed in a file, and (with check-jsonschema, required in
/// CI) valid against the official SARIF 2.1.0 schema; the validator is shown to reject a broken
/// copy, so the check can fail.
#[allow(dead_code)]
pub fn validate_sarif(path: &std::path::Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        assert!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string(), "{r}");
    }
    if !tool_available("check-jsonschema", "PLAN_LINT_REQUIRE_CHECK_JSONSCHEMA") {
        return;
    }
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-2.1.0.json");
    let out =
        std::process::Command::new("check-jsonschema").arg("--schemafile").arg(&schema).arg(path).output().unwrap();
    assert!(
        out.status.success(),
        "SARIF invalid:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // And the validator does reject a broken document (so this check can fail).
    let broken = path.with_extension("broken.sarif");
    std::fs::write(&broken, text.replacen("\"level\": \"error\"", "\"level\": \"fatal\"", 1)).unwrap();
    let rejected =
        std::process::Command::new("check-jsonschema").arg("--schemafile").arg(&schema).arg(&broken).output().unwrap();
    assert!(!rejected.status.success(), "the validator accepted an invalid level");
}

/// Where and how the tests that build plan-lint with `cargo install` (the Action building from
/// source, the pre-commit framework's `language: rust` hooks) compile it: one target directory
/// under this crate's `target/`, and one release profile, far cheaper than the shipped binary's
/// (no LTO, opt-level 0: they prove the build path and the hooks, not the optimizer; CI's smoke
/// benchmark builds the shipped profile). Any difference in target directory, profile or flags
/// between them would make cargo compile every dependency again; the same, they compile once.
pub fn shared_release_env() -> Vec<(&'static str, String)> {
    vec![
        ("CARGO_TARGET_DIR", shared_release_target().to_str().expect("a UTF-8 checkout path").to_string()),
        ("CARGO_PROFILE_RELEASE_LTO", "false".to_string()),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0".to_string()),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16".to_string()),
    ]
}

fn shared_release_target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/shared-release-target")
}

/// Held while a test builds and installs plan-lint into the shared target directory: one build
/// and install at a time, across test threads and test processes (an exclusive `flock`,
/// released when dropped). Cargo's own lock covers the build, not `cargo install`'s copy of the
/// binary out of the target directory, which the next build may be replacing.
pub struct SharedReleaseBuild(#[allow(dead_code)] std::fs::File);

pub fn shared_release_build() -> SharedReleaseBuild {
    use std::os::fd::AsRawFd as _;
    std::fs::create_dir_all(shared_release_target()).unwrap();
    let lock = shared_release_target().join("plan-lint-tests.lock");
    let file = std::fs::OpenOptions::new().create(true).append(true).open(lock).unwrap();
    // SAFETY: flock on a descriptor this function owns; no memory is shared.
    while unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
        let error = std::io::Error::last_os_error();
        assert_eq!(error.kind(), std::io::ErrorKind::Interrupted, "flock: {error}");
    }
    SharedReleaseBuild(file)
}

/// How many pixels of each colour (`rrggbb`) a PNG has, over every other row, decoded by
/// Python's standard library (zlib), so the test needs no image crate.
pub fn colour_counts(png: &Path) -> std::collections::HashMap<String, usize> {
    let script = r#"
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat, ihdr = 8, b'', None
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos+8]); body = data[pos+8:pos+8+n]; pos += 12 + n
    if kind == b'IHDR': ihdr = struct.unpack('>IIBBBBB', body)
    elif kind == b'IDAT': idat += body
w, h, depth, ctype = ihdr[0], ihdr[1], ihdr[2], ihdr[3]
bpp = {2: 3, 6: 4}[ctype]; assert depth == 8
raw = zlib.decompress(idat); stride = w * bpp; prev = bytearray(stride); seen = {}; i = 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i+1:i+1+stride]); i += 1 + stride
    for x in range(stride):
        a = line[x-bpp] if x >= bpp else 0; b = prev[x]; c = prev[x-bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 2 == 0:
        for x in range(0, stride, bpp):
            key = bytes(line[x:x+3]).hex(); seen[key] = seen.get(key, 0) + 1
    prev = line
for key, n in seen.items(): print(key, n)
"#;
    let out = Command::new("python3").arg("-c").arg(script).arg(png).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(k, n)| (k.to_string(), n.parse().unwrap())))
        .collect()
}
