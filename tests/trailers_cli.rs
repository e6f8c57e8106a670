//! `plan-lint trailers`, through the binary, against `git` on the same bytes.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use support::{bin, git_env, Repo};

fn pipe(cmd: Command, input: &[u8]) -> Vec<u8> {
    let mut cmd = cmd;
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    out.stdout
}

#[test]
fn stdin_file_and_commit_match_git() {
    let mut repo = Repo::new();
    let messages: &[&[u8]] = &[
        b"Subject\n\nBody.\n\nPromise: find-and-buy,\n  track-orders\nSigned-off-by: A <a@b>\n",
        b"Subject\n\nPromise: a\n---\ndiff --git a/x b/x\n",
        b"Subject\n\nPromise: \xff\x1b[31m\r\n",
    ];
    for msg in messages {
        let mut git = git_env(Command::new("git"), repo.path());
        git.args(["interpret-trailers", "--parse"]);
        let expected = pipe(git, msg);
        let mut ours = git_env(Command::new(bin()), repo.path());
        ours.arg("trailers");
        assert_eq!(pipe(ours, msg), expected, "stdin: {:?}", String::from_utf8_lossy(msg));

        std::fs::write(repo.path().join("MSG"), msg).unwrap();
        let out = git_env(Command::new(bin()), repo.path()).args(["trailers", "MSG"]).output().unwrap();
        assert_eq!(out.stdout, expected, "file");
    }
    let sha = repo.commit("Subject\n\nNotes\n---\n\nPromise: a\nPromise: b\n");
    let expected = git_env(Command::new("git"), repo.path())
        .args(["log", "-1", "--format=%(trailers:only,unfold)", &sha])
        .output()
        .unwrap()
        .stdout;
    let out = git_env(Command::new(bin()), repo.path()).args(["trailers", "--commit", &sha]).output().unwrap();
    // `git log` ends the record with a newline of its own.
    assert_eq!(out.stdout, expected.strip_suffix(b"\n").unwrap());
    assert_eq!(out.stdout, b"Promise: a\nPromise: b\n");
}
