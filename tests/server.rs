//! The server-side hook (`plan-lint install --server`, `hook pre-receive`) driven by real pushes
//! into a bare repository: over file://, and over `git daemon --enable=receive-pack` on
//! 127.0.0.1. git runs the hook with the incoming objects in quarantine; the pusher sees its
//! output as `remote:` lines.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{bin, git_env, Repo};

const REGISTRY: &str = "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\n\
                        outcomes = [{ metric = \"m\", baseline = \"1\", target = \"2\" }]\n";

/// A bare repository with the server hook installed; the PATH that finds plan-lint.
fn server() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("shop.git");
    let out = Command::new("git").args(["init", "-q", "--bare"]).arg(&bare).output().unwrap();
    assert!(out.status.success());
    let run = support::run_in(&bare, &["install", "--server"]);
    run.expect_code(0);
    assert!(run.stdout.contains("hooks/pre-receive: installed"), "{}", run.stdout);
    assert!(!bare.join("hooks/pre-commit").exists(), "client hooks are not installed on a server");
    (dir, bare)
}

fn path_with_plan_lint() -> String {
    let dir = bin().parent().unwrap().to_path_buf();
    format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default())
}

/// `git push` from `repo` with `args`: (accepted, what the pusher saw).
fn push(repo: &Repo, args: &[&str]) -> (bool, String) {
    let out = git_env(Command::new("git"), repo.path())
        .env("PATH", path_with_plan_lint())
        .arg("push")
        .args(args)
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn server_has(bare: &Path, rev: &str) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(bare).args(["rev-parse", "--verify", "-q", rev]).output().unwrap();
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn pushes_are_judged_on_the_server() {
    let (_dir, bare) = server();
    let url = format!("file://{}", bare.display());
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    let adopted = repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    let (ok, said) = push(&repo, &[&url, "main"]);
    assert!(ok, "{said}");
    assert_eq!(server_has(&bare, "main"), Some(adopted.clone()));

    // Untraced and mistyped commits: rejected, the findings shown to the pusher, nothing moved.
    repo.commit("Untraced work\n");
    repo.commit("Typo\n\nPromise: find-and-by\n");
    let (ok, said) = push(&repo, &[&url, "main"]);
    assert!(!ok, "an untraced push was accepted");
    for line in
        ["remote: ", "commit ", "has no Promise trailer", "did you mean `find-and-buy`?", "pre-receive hook declined"]
    {
        assert!(said.contains(line), "missing {line:?}:\n{said}");
    }
    assert!(said.contains("2 commits (new in main)"), "only the new commits are judged: {said}");
    assert_eq!(server_has(&bare, "main"), Some(adopted.clone()), "the ref did not move");

    // History rewritten and traced: a force push over the rejected attempt is accepted.
    repo.git(&["reset", "-q", "--hard", &adopted]);
    let fixed = repo.commit("Search box\n\nPromise: find-and-buy\n");
    let (ok, said) = push(&repo, &["--force", &url, "main"]);
    assert!(ok, "{said}");
    assert_eq!(server_has(&bare, "main"), Some(fixed.clone()));
    // A force push that brings an untraced commit is rejected.
    repo.git(&["reset", "-q", "--hard", &adopted]);
    repo.commit("Rewritten, untraced\n");
    let (ok, said) = push(&repo, &["--force", &url, "main"]);
    assert!(!ok && said.contains("Rewritten, untraced"), "{said}");
    repo.git(&["reset", "-q", "--hard", &fixed]);

    // A new branch at a commit the server has: nothing new, accepted; its deletion too.
    let (ok, said) = push(&repo, &[&url, "main:refs/heads/copy"]);
    assert!(ok, "{said}");
    let (ok, said) = push(&repo, &[&url, "--delete", "copy"]);
    assert!(ok, "{said}");
    assert_eq!(server_has(&bare, "copy"), None);

    // Tags pass, even of work the branch rules would refuse.
    repo.git(&["checkout", "-q", "-b", "experiment"]);
    repo.commit("Spike, untraced\n");
    repo.git(&["tag", "spike"]);
    let (ok, said) = push(&repo, &[&url, "spike"]);
    assert!(ok, "{said}");
    // The same commit on a branch is judged: a tag does not make its commits known.
    let (ok, said) = push(&repo, &[&url, "experiment"]);
    assert!(!ok && said.contains("Spike, untraced"), "{said}");

    // A push that edits the registry is judged by the registry it brings: a new promise, and
    // work on it, in one push.
    repo.git(&["checkout", "-q", "main"]);
    repo.write(
        "promises.toml",
        &format!("{REGISTRY}\n[promises.track-orders]\nstatement = \"t\"\nstatus = \"in-play\"\noutcomes = [{{ metric = \"m\", baseline = \"1\", target = \"2\" }}]\n"),
    );
    repo.commit("Track orders is in play\n\nPromise: track-orders\n");
    repo.commit("Order status page\n\nPromise: track-orders\n");
    let (ok, said) = push(&repo, &[&url, "main"]);
    assert!(ok, "judged by the old registry: {said}");

    // A branch whose tip has no registry does not use plan-lint: accepted.
    repo.git(&["checkout", "-q", "--orphan", "website"]);
    repo.git(&["rm", "-q", "-r", "--cached", "."]);
    std::fs::remove_file(repo.path().join("promises.toml")).unwrap();
    repo.write("index.html", "<h1>Shop</h1>\n");
    repo.commit("Website, no registry\n");
    let (ok, said) = push(&repo, &[&url, "website"]);
    assert!(ok, "{said}");
}

#[test]
fn a_foreign_server_hook_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("shop.git");
    assert!(Command::new("git").args(["init", "-q", "--bare"]).arg(&bare).status().unwrap().success());
    std::fs::write(bare.join("hooks/pre-receive"), "#!/bin/sh\necho theirs\n").unwrap();
    let run = support::run_in(&bare, &["install", "--server"]);
    run.expect_code(2);
    assert!(run.stderr.contains("pre-receive"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(bare.join("hooks/pre-receive")).unwrap(), "#!/bin/sh\necho theirs\n");
    support::run_in(&bare, &["install", "--server", "--force"]).expect_code(0);
    assert_eq!(
        std::fs::read_to_string(bare.join("hooks/pre-receive.pre-plan-lint")).unwrap(),
        "#!/bin/sh\necho theirs\n"
    );
    support::run_in(&bare, &["uninstall"]).expect_code(0);
    assert_eq!(std::fs::read_to_string(bare.join("hooks/pre-receive")).unwrap(), "#!/bin/sh\necho theirs\n");
}

/// Over the git protocol: `git daemon --enable=receive-pack` on 127.0.0.1, as a plain server.
#[test]
fn pushes_over_git_daemon_are_judged() {
    let (dir, bare) = server();
    std::fs::write(bare.join("git-daemon-export-ok"), "").unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // git-daemon itself, not `git daemon` (which runs it as a child a kill would leave behind).
    let exec_path = Command::new("git").arg("--exec-path").output().unwrap();
    let exec_path = PathBuf::from(String::from_utf8_lossy(&exec_path.stdout).trim());
    let mut daemon = Command::new(exec_path.join("git-daemon"))
        .env("PATH", path_with_plan_lint())
        .args(["--reuseaddr", "--enable=receive-pack", "--listen=127.0.0.1"])
        .arg(format!("--port={port}"))
        .arg(format!("--base-path={}", dir.path().display()))
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    // Wait for it to listen.
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    if let Ok(Some(status)) = daemon.try_wait() {
        panic!("git daemon exited: {status}");
    }
    let _daemon = Kill(daemon);
    let url = format!("git://127.0.0.1:{port}/shop.git");
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    let adopted = repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    let (ok, said) = push(&repo, &[&url, "main"]);
    assert!(ok, "{said}");
    repo.commit("Untraced over the wire\n");
    let (ok, said) = push(&repo, &[&url, "main"]);
    assert!(!ok, "{said}");
    assert!(said.contains("remote: ") && said.contains("Untraced over the wire"), "{said}");
    assert_eq!(server_has(&bare, "main"), Some(adopted));
}
