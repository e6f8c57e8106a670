//! Differential test: plan-lint's index reader (which, as git, does not hash the whole file on
//! every read) against `git ls-files -s`, on indexes git itself writes: versions 2, 3 (extended
//! flags from `git add -N`) and 4 (prefix-compressed paths), with merge conflicts (stages 1 to
//! 3), symbolic links, gitlinks, non-ASCII and deep paths, and extensions (the cache tree).

use crate::support;

use std::process::Command;
use support::rng::Rng;
use support::{git_env, Repo};

fn ls_files(repo: &Repo) -> Vec<String> {
    let out = git_env(Command::new("git"), repo.path()).args(["ls-files", "-s"]).output().unwrap();
    assert!(out.status.success());
    // git quotes unusual paths; -z would not, but then lines are NUL-separated.
    let out = git_env(Command::new("git"), repo.path()).args(["ls-files", "-s", "-z"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).split('\0').filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn ours(repo: &Repo) -> Vec<String> {
    plan_lint::__private::ls_files_stage(&repo.path().join(".git/index")).unwrap()
}

#[test]
fn index_reader_matches_git_ls_files() {
    for seed in [1u64, 42, 777, 2024, 99999] {
        let mut rng = Rng(seed);
        let mut repo = Repo::new();
        let names = ["plan", "ROADMAP", "a", "zz", "caf\u{e9}", "deep/er/still", "x y", "with-dash"];
        let mut paths = Vec::new();
        for i in 0..(50 + rng.below(200)) {
            let dir: Vec<&str> = (0..rng.below(4)).map(|_| rng.pick(&names)).collect();
            let path = if dir.is_empty() { format!("f{i}.md") } else { format!("{}/f{i}.md", dir.join("/")) };
            repo.write(&path, &format!("{i}\n"));
            paths.push(path);
        }
        std::os::unix::fs::symlink("f0.md", repo.path().join("link.md")).ok();
        repo.commit("base");
        // A conflict: the same file changed on two branches, merged.
        repo.write("conflict.md", "base\n");
        repo.commit("conflict base");
        repo.git(&["checkout", "-q", "-b", "other"]);
        repo.write("conflict.md", "theirs\n");
        repo.commit("theirs");
        repo.git(&["checkout", "-q", "main"]);
        repo.write("conflict.md", "ours\n");
        repo.commit("ours");
        let merge = git_env(Command::new("git"), repo.path()).args(["merge", "-q", "other"]).output().unwrap();
        assert!(!merge.status.success(), "the fixture makes a conflict");
        // A gitlink and an intent-to-add entry (extended flags: version 3).
        let sub = repo.git(&["rev-parse", "HEAD"]);
        repo.git(&["update-index", "--add", "--cacheinfo", &format!("160000,{},vendor/lib", sub.trim())]);
        repo.write("new-intent.md", "later\n");
        repo.git(&["add", "-N", "new-intent.md"]);
        for version in ["3", "4", "2"] {
            if version == "2" {
                // Version 2 cannot hold intent-to-add entries.
                repo.git(&["rm", "-q", "--cached", "new-intent.md"]);
            }
            repo.git(&["update-index", "--index-version", version]);
            let header = std::fs::read(repo.path().join(".git/index")).unwrap();
            assert_eq!(u32::from_be_bytes(header[4..8].try_into().unwrap()).to_string(), version);
            let want = ls_files(&repo);
            assert!(want.len() > 50 && want.iter().any(|l| l.contains(" 2\t")), "{want:?}");
            assert_eq!(ours(&repo), want, "seed {seed}, index version {version}");
        }
    }
}

/// A corrupted index is an error (exit 2 from a hook), never a crash or a silent pass.
#[test]
fn a_corrupt_index_is_a_clear_error() {
    let mut repo = Repo::new();
    repo.write("promises.toml", "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\n");
    repo.commit("Start\n\nPromise: a\n");
    let index = repo.path().join(".git/index");
    let mut bytes = std::fs::read(&index).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&index, bytes).unwrap();
    let run = repo.plan_lint(&["hook", "pre-commit"]);
    run.expect_code(2);
    assert!(run.stderr.contains("is not a git index"), "{}", run.stderr);
}
