//! Peak-memory bounds, in a test binary of their own. `wait4` gives a child's peak resident set,
//! but Linux counts in it the address space the child replaced at `exec`, which is this test
//! process's: in the one integration-test binary (`tests/it`), where other tests hold generated
//! corpora, a 10 MiB server read as 126 MiB. Here the parent stays small, so the bound measures
//! plan-lint alone. Each test bounds one process that must not read what it was given.

#[path = "it/support/mod.rs"]
mod support;

use serde_json::json;
use std::io::Write;
use std::process::Command;
use support::Repo;

const REGISTRY: &str =
    "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n";

#[test]
fn a_200_mb_markdown_file_is_skipped_with_a_note_not_read() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", "# R\nPromise: find-and-buy\n\n- [ ] x\n");
    repo.commit("Start\n\nPromise: find-and-buy\n");
    // Sparse: 200 MB on disk costs nothing, and plan-lint must not read it to refuse it.
    std::fs::create_dir_all(repo.path().join("plans")).unwrap();
    let huge = std::fs::File::create(repo.path().join("plans/huge.md")).unwrap();
    huge.set_len(200 * 1024 * 1024).unwrap();
    // Reading a sparse file is fast, so time proves nothing; memory does. `wait4` gives this one
    // child's peak resident set: reading the file whole would put it past 200 MiB.
    use std::io::Read;
    #[allow(clippy::zombie_processes)] // reaped by `wait4` below, which also gives its peak memory
    let mut child = support::git_env(Command::new(support::bin()), repo.path())
        .args(["check", "--no-commits"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let (status, peak_kib) = wait4(child.id());
    assert_eq!(status, 0, "{stdout}");
    assert!(stdout.contains("note: skipped plans/huge.md: not read: larger than 16 MiB"), "{stdout}");
    assert!(peak_kib < 64 * 1024, "peak RSS {peak_kib} KiB: it read the file");
}

/// Start `plan-lint lsp`, give it `input` and close stdin: its exit code, stderr and peak
/// resident set (KiB). Its address space is capped at 2 GiB, so a server that allocates what a
/// header asks for fails here instead of taking the machine's memory.
fn raw_session(dir: &std::path::Path, input: &[u8]) -> (i32, String, i64) {
    use std::io::Read;
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    let mut cmd = support::git_env(Command::new(support::bin()), dir);
    cmd.arg("lsp").stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::piped());
    // SAFETY: `setrlimit` is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: 2 << 30, rlim_max: 2 << 30 };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    #[allow(clippy::zombie_processes)] // reaped by `wait4` below, which also gives its peak memory
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The server may stop reading before the end: a closed pipe is not the test's failure.
    let _ = stdin.write_all(input);
    drop(stdin);
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let (status, peak) = wait4(child.id());
    (status, stderr, peak)
}

/// Wait for one child: its exit code (-signal when killed) and peak resident set in KiB.
fn wait4(pid: u32) -> (i32, i64) {
    let mut status = 0;
    // SAFETY: plain libc call on a child of this process; both out-parameters are valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(got, pid as libc::pid_t, "wait4 failed");
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -libc::WTERMSIG(status) };
    (code, usage.ru_maxrss)
}

/// A repository the editor server opens.
fn shop() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", "# R\nPromise: find-and-buy\n\n- [ ] x\n");
    repo.commit("Start\n\nPromise: find-and-buy\n");
    repo
}

/// A message as it goes over the wire.
fn frame(message: &serde_json::Value) -> String {
    let body = message.to_string();
    format!("{}{body}", frame_header(body.len()))
}

fn frame_header(len: usize) -> String {
    format!("Content-Length: {len}\r\n\r\n")
}

#[test]
fn a_huge_content_length_is_refused_in_bounded_memory() {
    let repo = shop();
    let init = frame(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}));
    for length in ["99999999999999", "12000000000"] {
        // First thing on the wire, and in the middle of a session.
        for before in ["", init.as_str()] {
            let input = format!("{before}Content-Length: {length}\r\n\r\n{{\"jsonrpc\": \"2.0\"");
            let (code, stderr, peak_kib) = raw_session(repo.path(), input.as_bytes());
            assert_eq!(code, 2, "Content-Length {length}: {stderr}");
            assert!(
                stderr.contains(&format!("a message of {length} bytes (Content-Length) is larger than 64 MiB")),
                "{stderr}"
            );
            assert!(peak_kib < 64 * 1024, "Content-Length {length}: peak RSS {peak_kib} KiB");
        }
    }
    // At the cap, a message is read (and this one is not JSON-RPC: refused after reading).
    let body = format!("\"{}\"", "x".repeat((64 << 20) - 2));
    let (code, stderr, _) = raw_session(repo.path(), format!("{}{body}", frame_header(body.len())).as_bytes());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not JSON-RPC"), "{stderr}");
}
