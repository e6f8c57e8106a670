//! `plan-lint trailers`, through the binary, against `git` on the same bytes.

use crate::support;

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

/// Issue 14: `trailers --commit` reads as `git log` does: with `core.commentChar`, and with the
/// message re-encoded to UTF-8 from the commit's `encoding` header (ISO-8859-1 here).
#[test]
fn commit_trailers_follow_the_comment_char_and_the_encoding_as_git_does() {
    let repo = Repo::new();
    let git_log = |sha: &str| {
        let out = git_env(Command::new("git"), repo.path())
            .args(["log", "-1", "--format=%(trailers:only,unfold)", sha])
            .output()
            .unwrap();
        out.stdout.strip_suffix(b"\n").unwrap().to_vec()
    };
    let commit = |msg: &[u8], config: &[&str]| {
        std::fs::write(repo.path().join(".git/MSG"), msg).unwrap();
        let mut cmd = git_env(Command::new("git"), repo.path());
        for c in config {
            cmd.args(["-c", c]);
        }
        let out = cmd.args(["commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", ".git/MSG"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(
            git_env(Command::new("git"), repo.path()).args(["rev-parse", "HEAD"]).output().unwrap().stdout,
        )
        .unwrap()
        .trim()
        .to_string()
    };
    // A `;` line inside the trailer block is a comment when `;` is the comment character.
    repo.git(&["config", "core.commentChar", ";"]);
    let sha = commit(b"Subject\n\nPromise: a\n; a note\nPromise: b\n", &[]);
    let ours = git_env(Command::new(bin()), repo.path()).args(["trailers", "--commit", &sha]).output().unwrap();
    assert_eq!(ours.stdout, git_log(&sha));
    assert_eq!(ours.stdout, b"Promise: a\nPromise: b\n");
    repo.git(&["config", "--unset", "core.commentChar"]);
    // ISO-8859-1: `é` is the byte 0xE9 in the object, and U+00E9 in UTF-8 in git's output.
    let sha = commit(b"Caf\xe9\n\nPromise: caf\xe9\n", &["i18n.commitEncoding=ISO-8859-1"]);
    let ours = git_env(Command::new(bin()), repo.path()).args(["trailers", "--commit", &sha]).output().unwrap();
    assert_eq!(ours.stdout, git_log(&sha));
    assert_eq!(ours.stdout, "Promise: café\n".as_bytes());
}
