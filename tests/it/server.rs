//! The server-side hook (`plan-lint install --server`, `hook pre-receive`) driven by real pushes
//! into a bare repository: over file://, and over `git daemon --enable=receive-pack` on
//! 127.0.0.1. git runs the hook with the incoming objects in quarantine; the pusher sees its
//! output as `remote:` lines.

use crate::support;

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

/// Run `git fast-import` in `repo` with `stream` (commits built by the test, fast).
fn fast_import(repo: &Path, stream: &str) {
    use std::io::Write;
    let mut child = git_env(Command::new("git"), repo)
        .args(["fast-import", "--quiet", "--force"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
}

/// A fast-import commit on `branch`, from `parent` (a commit id or mark), with `message`.
fn import_commit(stream: &mut String, branch: &str, mark: usize, parent: &str, time: usize, message: &str) {
    stream.push_str(&format!(
        "commit {branch}\nmark :{mark}\ncommitter Ada Lovelace <ada@example.com> {} +0000\ndata {}\n{message}\nfrom {parent}\n\n",
        1_767_000_000 + time,
        message.len()
    ));
}

/// A server, and a clone whose adopted `main` it has.
fn adopted() -> (tempfile::TempDir, PathBuf, String, Repo, String) {
    let (dir, bare) = server();
    let url = format!("file://{}", bare.display());
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    let adopted = repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    let (ok, said) = push(&repo, &[&url, "main"]);
    assert!(ok, "{said}");
    (dir, bare, url, repo, adopted)
}

/// Work is new to the ref it lands on: an untraced commit parked on a scratch branch (whose tip
/// has no registry, or relaxes it) is judged again when it comes to `main`.
#[test]
fn untraced_work_cannot_reach_a_branch_by_way_of_another() {
    let (_dir, bare, url, mut repo, adopted) = adopted();

    // Walk-around 1: the scratch branch's tip deletes the registry.
    repo.git(&["checkout", "-q", "-b", "scratch"]);
    repo.commit("Untraced X\n");
    std::fs::remove_file(repo.path().join("promises.toml")).unwrap();
    repo.commit("Drop the registry\n");
    let (ok, said) = push(&repo, &[&url, "HEAD:refs/heads/scratch"]);
    assert!(ok, "a new branch without a registry passes: {said}");
    let (ok, said) = push(&repo, &[&url, "HEAD~1:main"]);
    assert!(!ok, "the untraced commit reached main by way of scratch:\n{said}");
    assert!(said.contains("Untraced X") && said.contains("1 commit (new in main)"), "{said}");
    assert!(said.contains("push to main rejected"), "{said}");
    assert_eq!(server_has(&bare, "main"), Some(adopted.clone()));

    // Walk-around 2: the tip relaxes the rules, on a nested branch name.
    repo.git(&["checkout", "-q", "-B", "relaxed", &adopted]);
    repo.commit("Untraced Y\n");
    repo.write("promises.toml", &format!("{REGISTRY}\n[rules]\nuntraced-commit = \"allow\"\n"));
    repo.commit("Relax the rules\n\nPromise: find-and-buy\n");
    let (ok, said) = push(&repo, &[&url, "HEAD:refs/heads/team/feature/x"]);
    assert!(ok, "judged by the registry it brings: {said}");
    let (ok, said) = push(&repo, &[&url, "HEAD~1:main"]);
    assert!(!ok && said.contains("Untraced Y"), "the untraced commit reached main by way of team/feature/x:\n{said}");
    assert_eq!(server_has(&bare, "main"), Some(adopted.clone()));
    // A new branch: what no branch has, nested names included (team/feature/x has Y already).
    let (ok, said) = push(&repo, &[&url, "HEAD~1:refs/heads/other"]);
    assert!(ok, "Y is on team/feature/x: {said}");

    // A nested branch is judged like any other: new, then updated.
    repo.git(&["checkout", "-q", "-B", "nested", &adopted]);
    repo.commit("Untraced Z\n");
    let (ok, said) = push(&repo, &[&url, "HEAD:refs/heads/team/feature/y"]);
    assert!(!ok && said.contains("Untraced Z") && said.contains("new in team/feature/y"), "{said}");
    let (ok, said) = push(&repo, &[&url, &format!("{adopted}:refs/heads/team/feature/y")]);
    assert!(ok, "{said}");
    let (ok, said) = push(&repo, &[&url, "HEAD:refs/heads/team/feature/y"]);
    assert!(!ok && said.contains("Untraced Z") && said.contains("push to team/feature/y rejected"), "{said}");
    assert_eq!(server_has(&bare, "team/feature/y"), Some(adopted.clone()));
}

/// A push whose tip drops the registry from a branch that had one is judged with the registry
/// it replaces: removing plan-lint takes a traced push, and cannot carry untraced work along.
#[test]
fn removing_the_registry_from_a_branch_takes_a_traced_push() {
    let (_dir, bare, url, mut repo, adopted) = adopted();
    repo.commit("Untraced V\n");
    std::fs::remove_file(repo.path().join("promises.toml")).unwrap();
    repo.commit("Stop using plan-lint\n\nPromise: find-and-buy\n");
    let (ok, said) = push(&repo, &[&url, "main"]);
    assert!(!ok, "a registry-less tip carried untraced work onto main:\n{said}");
    assert!(said.contains("Untraced V") && said.contains("2 commits (new in main)"), "{said}");
    assert!(said.contains("the pushed tip has no promises.toml"), "{said}");
    assert_eq!(server_has(&bare, "main"), Some(adopted.clone()));

    // Traced, the removal lands; after it, main does not use plan-lint.
    repo.git(&["reset", "-q", "--hard", &adopted]);
    std::fs::remove_file(repo.path().join("promises.toml")).unwrap();
    repo.commit("Stop using plan-lint\n\nPromise: find-and-buy\n");
    let (ok, said) = push(&repo, &[&url, "main"]);
    assert!(ok, "{said}");
    repo.commit("Untraced, after plan-lint\n");
    let (ok, said) = push(&repo, &[&url, "main"]);
    assert!(ok, "{said}");
}

/// What the hook cannot read rejects the push (exit non-zero, the ref named), never passes.
#[test]
fn a_push_the_hook_cannot_read_is_rejected() {
    let (_dir, bare, _url, _repo, adopted) = adopted();
    let zero = "0".repeat(40);
    let missing = "1234567890123456789012345678901234567890";
    let hook = |stdin: &str| {
        support::run_with(&bare, &["hook", "pre-receive"], &[("GIT_DIR", bare.to_str().unwrap())], Some(stdin))
    };
    for line in
        [format!("{zero} {missing} refs/heads/team/feature\n"), format!("{adopted} {missing} refs/heads/main\n")]
    {
        let run = hook(&line);
        assert_ne!(run.code, 0, "an unreadable tip passed: {}", run.stderr);
        let name = line.trim().rsplit_once(" refs/heads/").unwrap().1;
        assert!(run.stderr.contains(name) && run.stderr.contains("cannot be read"), "{}", run.stderr);
        assert!(run.stderr.contains(missing), "{}", run.stderr);
    }
    // A line that does not read, and an unreadable tip with a hostile name (escaped).
    let run = hook("not a ref line\n");
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = hook(&format!("{zero} {missing} refs/heads/x\u{202e}y\u{85}z\n"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("x\u{fffd}y\u{fffd}z"), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{202e}') && !run.stderr.contains('\u{85}'), "{}", run.stderr);
    // The good commit, pushed the same way, passes: the rejections above are about the tip.
    let run = hook(&format!("{zero} {adopted} refs/heads/copy\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// With `receive.unpackLimit=1` every push arrives as a pack in quarantine (not loose objects):
/// the hook reads it there.
#[test]
fn pushes_arriving_as_a_pack_are_judged_in_quarantine() {
    let (_dir, bare) = server();
    let out = Command::new("git").arg("-C").arg(&bare).args(["config", "receive.unpackLimit", "1"]).output().unwrap();
    assert!(out.status.success());
    let url = format!("file://{}", bare.display());
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    let adopted = repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    let (ok, said) = push(&repo, &[&url, "main"]);
    assert!(ok, "{said}");
    let counts = Command::new("git").arg("-C").arg(&bare).args(["count-objects", "-v"]).output().unwrap();
    let counts = String::from_utf8_lossy(&counts.stdout).into_owned();
    assert!(
        counts.lines().any(|l| l == "count: 0") && counts.lines().any(|l| l == "packs: 1"),
        "not kept as a pack: {counts}"
    );

    repo.write("search.txt", "search\n");
    repo.commit("Untraced, in a pack\n");
    let (ok, said) = push(&repo, &[&url, "main"]);
    assert!(!ok && said.contains("Untraced, in a pack") && said.contains("1 commit (new in main)"), "{said}");
    assert_eq!(server_has(&bare, "main"), Some(adopted.clone()));
    repo.git(&["reset", "-q", "--hard", &adopted]);
    repo.write("search.txt", "search\n");
    let traced = repo.commit("Search box, in a pack\n\nPromise: find-and-buy\n");
    let (ok, said) = push(&repo, &[&url, "main"]);
    assert!(ok, "{said}");
    assert_eq!(server_has(&bare, "main"), Some(traced));
}

/// Many new branches onto a server with many: one walk for the new refs (every existing branch
/// excluded at once), one report for the registry they share; every commit judged once.
#[test]
fn many_new_branches_are_judged_in_one_walk() {
    const EXISTING: usize = 600;
    const NEW: usize = 300;
    let (_dir, bare, url, repo, adopted) = adopted();
    let mut stream = String::new();
    for i in 0..EXISTING {
        import_commit(
            &mut stream,
            &format!("refs/heads/old/b{i}"),
            i + 1,
            &adopted,
            i,
            "Old work\n\nPromise: find-and-buy\n",
        );
    }
    fast_import(repo.path(), &stream);
    // Straight into the server, as a fetch (no hook): 601 branches.
    let out = Command::new("git")
        .arg("-C")
        .arg(&bare)
        .args(["fetch", "-q"])
        .arg(repo.path())
        .arg("refs/heads/old/*:refs/heads/old/*")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // 300 new branches, each one new commit: on main, or on an existing branch; one untraced.
    let old_tip = server_has(&bare, "old/b7").unwrap();
    let mut stream = String::new();
    for i in 0..NEW {
        let message = if i == 150 {
            "Untraced, among many\n".to_string()
        } else {
            format!("New work {i}\n\nPromise: find-and-buy\n")
        };
        let parent = if i % 2 == 0 { &adopted } else { &old_tip };
        import_commit(&mut stream, &format!("refs/heads/new/b{i}"), i + 1, parent, EXISTING + i, &message);
    }
    fast_import(repo.path(), &stream);
    let (ok, said) = push(&repo, &[&url, "refs/heads/new/*:refs/heads/new/*"]);
    assert!(!ok, "{said}");
    assert!(said.contains(&format!("{NEW} commits (new in new/b")), "each new commit judged once: {said}");
    assert!(said.contains("Untraced, among many") && said.contains("push to new/b150 rejected"), "{said}");
    assert_eq!(said.matches("rejected: every new commit").count(), 1, "only new/b150: {said}");
    assert_eq!(server_has(&bare, "new/b0"), None, "a push is accepted or rejected whole");

    // Traced, all 300 land.
    let mut stream = String::new();
    import_commit(
        &mut stream,
        "refs/heads/new/b150",
        1,
        &adopted,
        EXISTING + NEW,
        "Traced now\n\nPromise: find-and-buy\n",
    );
    fast_import(repo.path(), &stream);
    let (ok, said) = push(&repo, &["--force", &url, "refs/heads/new/*:refs/heads/new/*"]);
    assert!(ok, "{said}");
    let branches =
        Command::new("git").arg("-C").arg(&bare).args(["for-each-ref", "--count=2000", "refs/heads"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&branches.stdout).lines().count(), 1 + EXISTING + NEW);
}

/// A push of many untraced commits shows the first findings, how many more there are, and the
/// command that lists them all: never a report as long as the push.
#[test]
fn the_pusher_sees_a_bounded_report() {
    const UNTRACED: usize = 300;
    let (_dir, bare, url, repo, adopted) = adopted();
    let mut stream = String::new();
    for i in 0..UNTRACED {
        let parent = if i == 0 { adopted.clone() } else { format!(":{i}") };
        import_commit(&mut stream, "refs/heads/main", i + 1, &parent, i, &format!("Untraced {i}\n"));
    }
    fast_import(repo.path(), &stream);
    let head = repo.git(&["rev-parse", "main"]).trim().to_string();
    let (ok, said) = push(&repo, &[&url, "main"]);
    assert!(!ok, "{said}");
    let shown = said.lines().filter(|l| l.contains("has no Promise trailer")).count();
    assert!((1..=100).contains(&shown), "{shown} findings shown:\n{said}");
    assert!(said.contains(&format!("{UNTRACED} commits (new in main)")), "{said}");
    assert!(said.contains(&format!("and {} more findings not shown", UNTRACED - shown)), "{said}");
    assert!(
        said.contains(&format!("plan-lint check --max-findings 0 --commits {adopted}..{head}")),
        "the command that lists them all: {said}"
    );
    assert!(said.lines().count() < 2000, "{} lines", said.lines().count());
    assert_eq!(server_has(&bare, "main"), Some(adopted));
}

/// The server hook without plan-lint rejects the push (it fails closed) and says what the
/// server's administrator must do: `--no-verify` cannot skip a server hook.
#[test]
fn a_server_without_plan_lint_rejects_pushes() {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("shop.git");
    assert!(Command::new("git").args(["init", "-q", "--bare"]).arg(&bare).status().unwrap().success());
    // Installed by a plan-lint that is later removed: the script's fallback path is gone too.
    let installed = dir.path().join("bin/plan-lint");
    std::fs::create_dir_all(installed.parent().unwrap()).unwrap();
    std::fs::copy(bin(), &installed).unwrap();
    // A copy just written can be busy for a moment (ETXTBSY): another test thread's fork may
    // still hold its write descriptor until that child execs. Try again, briefly.
    let mut tries = 0;
    let out = loop {
        match git_env(Command::new(&installed), &bare).args(["install", "--server"]).output() {
            Err(e) if e.raw_os_error() == Some(26) && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => break other.unwrap(),
        }
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_file(&installed).unwrap();

    let url = format!("file://{}", bare.display());
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    // A PATH without plan-lint: the directories of the system's PATH that lack it.
    let path = std::env::var("PATH").unwrap_or_default();
    let path: Vec<&str> = path.split(':').filter(|d| !Path::new(d).join("plan-lint").exists()).collect();
    let out = git_env(Command::new("git"), repo.path())
        .env("PATH", path.join(":"))
        .args(["push", &url, "main"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "an unchecked push was accepted: {said}");
    assert!(said.contains("remote: plan-lint: push rejected: this server cannot run"), "{said}");
    assert!(said.contains("administrator must install plan-lint"), "{said}");
    assert!(!said.contains("skip the hook once"), "--no-verify cannot skip a server hook: {said}");
    assert_eq!(server_has(&bare, "main"), None);
}

/// A ref name is untrusted text: bidi and C1 controls in it are escaped on the pusher's screen.
#[test]
fn ref_names_are_escaped_for_the_pusher() {
    let (_dir, _bare, url, mut repo, _adopted) = adopted();
    repo.commit("Untraced, hostile ref\n");
    let name = "x\u{202e}y\u{85}z";
    let (ok, said) = push(&repo, &[&url, &format!("HEAD:refs/heads/{name}")]);
    assert!(!ok, "{said}");
    let ours: Vec<&str> = said.lines().filter(|l| l.starts_with("remote:")).collect();
    assert!(ours.iter().any(|l| l.contains("push to x\u{fffd}y\u{fffd}z rejected")), "{said}");
    for l in &ours {
        assert!(!l.contains('\u{202e}') && !l.contains('\u{85}'), "raw control in {l:?}");
    }
}

/// hooks/pre-receive, for servers that take a script (Gitea, GitLab), is the installed one.
#[test]
fn vendored_server_hook_matches_the_generated_script() {
    let expected = plan_lint::__private::script("pre-receive", None);
    support::in_sync("hooks/pre-receive", &expected, Some(0o755));
}
