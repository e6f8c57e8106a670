//! The commands the hooks print after a rejection, followed exactly (issues 24 and 30): the
//! command is read out of the hook's output and run as printed, with an editor that adds the
//! trailer, and the result must be what the rejected command would have made. Real repositories,
//! real `git commit` and `git push`, the hooks installed by `plan-lint install`.

use crate::support;

use std::path::Path;
use std::process::Command;
use support::{git_env, Repo};

const REGISTRY: &str = r#"[promises.find-and-buy]
statement = "A shopper can find and buy a product we stock."
status = "in-play"
outcomes = [{ metric = "conversion", baseline = "8%", target = "12%" }]
"#;

/// An editor that adds the trailer to the message file git opens.
const ADD_TRAILER: &str = "sh -c 'printf \"\\nPromise: find-and-buy\\n\" >> \"$1\"' editor";

/// A repository with the registry, two tracked files and a subdirectory committed, plan-lint's
/// hooks installed, and one traced commit after the adoption (so an amend has a parent).
fn hooked() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("a.txt", "a1\n").write("b.txt", "b1\n").write("sub/c.txt", "c1\n");
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    repo.plan_lint(&["install"]).expect_code(0);
    repo.write("a.txt", "a2\n");
    repo.commit("Work\n\nPromise: find-and-buy\n");
    repo
}

/// Run `git` in `dir` with the hooks; (success, stderr).
fn git_in(dir: &Path, args: &[&str], editor: Option<&str>) -> (bool, String) {
    let mut cmd = git_env(Command::new("git"), dir);
    cmd.args(args);
    if let Some(editor) = editor {
        cmd.env("GIT_EDITOR", editor);
    }
    let out = cmd.output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The command printed after "commit again with", exactly as printed.
fn advised_commit(stderr: &str) -> String {
    let mut lines = stderr.lines().skip_while(|l| !l.contains("commit again with")).skip(1);
    let line = lines.find(|l| !l.trim().is_empty()).unwrap_or_else(|| panic!("no advice in:\n{stderr}"));
    assert!(line.starts_with("    git commit "), "{stderr}");
    line.trim().to_string()
}

/// Run a printed command through `sh` in `dir`, as a user pasting it would.
fn follow(dir: &Path, command: &str) -> (bool, String) {
    let out = git_env(Command::new("sh"), dir).args(["-c", command]).env("GIT_EDITOR", ADD_TRAILER).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// What a repository holds after a commit: the commit's tree, its parents, how many commits
/// there are, and the index and work tree against it.
fn state(repo: &Repo) -> (String, String, String, String) {
    (
        repo.git(&["rev-parse", "HEAD^{tree}"]),
        repo.git(&["log", "-1", "--format=%P"]),
        repo.git(&["rev-list", "--count", "HEAD"]),
        repo.git(&["status", "--porcelain"]),
    )
}

/// One way of committing: how the work tree and index are prepared, where `git commit` runs,
/// and its arguments (the message untraced).
struct Case {
    name: &'static str,
    prepare: fn(&Repo),
    dir: &'static str,
    args: &'static [&'static str],
}

fn change_a(repo: &Repo) {
    repo.write("a.txt", "a3\n");
}

fn stage_b_change_a(repo: &Repo) {
    repo.write("b.txt", "b2\n");
    repo.git(&["add", "b.txt"]);
    repo.write("a.txt", "a3\n");
}

/// Reject the case's commit, follow the printed advice, and compare with a twin repository where
/// the same command ran with `--no-verify`: the same tree, parents, count and status.
fn rejected_then_followed(case: &Case, hooks_path: bool) -> (Repo, String) {
    let [repo, twin] = [hooked(), hooked()];
    for r in [&repo, &twin] {
        if hooks_path {
            manage_hooks(r);
        }
        (case.prepare)(r);
    }
    let (ok, stderr) = git_in(&repo.path().join(case.dir), &[&["commit"], case.args].concat(), None);
    assert!(!ok && stderr.contains("untraced-commit"), "{}: the untraced commit went through: {stderr}", case.name);
    let command = advised_commit(&stderr);
    let (ok, out) = follow(&repo.path().join(case.dir), &command);
    assert!(ok, "{}: `{command}` failed:\n{out}", case.name);
    let trailer = repo.git(&["log", "-1", "--format=%(trailers:key=Promise,valueonly)"]);
    assert_eq!(trailer.trim(), "find-and-buy", "{}: `{command}`", case.name);

    let (ok, stderr) = git_in(&twin.path().join(case.dir), &[&["commit", "--no-verify"], case.args].concat(), None);
    assert!(ok, "{}: {stderr}", case.name);
    assert_eq!(state(&repo), state(&twin), "{}: `{command}` committed something else", case.name);
    (repo, command)
}

/// Run the commit-msg hook the way hook managers do: from a shell that does not `exec` it, so
/// `git commit` is the hook's grandparent.
fn manage_hooks(repo: &Repo) {
    let hooks = repo.path().join(".git/managed-hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let script = format!("#!/bin/sh\n\"{}\" hook commit-msg \"$@\"\nexit $?\n", support::bin().display());
    std::fs::write(hooks.join("commit-msg"), script).unwrap();
    std::fs::set_permissions(hooks.join("commit-msg"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    repo.git(&["config", "core.hooksPath", hooks.to_str().unwrap()]);
}

const CASES: &[Case] = &[
    Case { name: "-a", prepare: change_a, dir: "", args: &["-a", "-m", "Untraced"] },
    Case {
        name: "--amend",
        prepare: |r| {
            change_a(r);
            r.git(&["add", "a.txt"]);
        },
        dir: "",
        args: &["--amend", "-m", "Untraced"],
    },
    Case { name: "-a --amend", prepare: change_a, dir: "", args: &["-a", "--amend", "-m", "Untraced"] },
    Case { name: "paths", prepare: stage_b_change_a, dir: "", args: &["-m", "Untraced", "a.txt"] },
    Case { name: "--only", prepare: stage_b_change_a, dir: "", args: &["--only", "-m", "Untraced", "--", "a.txt"] },
    Case { name: "-i paths", prepare: stage_b_change_a, dir: "", args: &["-i", "-m", "Untraced", "a.txt"] },
    Case { name: "--allow-empty", prepare: |_| {}, dir: "", args: &["--allow-empty", "-m", "Untraced"] },
    Case {
        name: "paths from a subdirectory",
        prepare: |r| {
            r.write("sub/c.txt", "c2\n");
            stage_b_change_a(r);
        },
        dir: "sub",
        args: &["-m", "Untraced", "c.txt"],
    },
];

/// Issues 24 and 30: after every way of committing, the printed command commits exactly what
/// the rejected command would have: `-a`, `--amend`, `-a --amend`, paths, `--only`, `-i` with
/// paths, `--allow-empty`, and paths named from a subdirectory.
#[test]
fn the_advice_after_a_rejected_commit_commits_what_the_command_would_have() {
    for case in CASES {
        rejected_then_followed(case, false);
    }
}

/// Issue 30: `git commit -a --amend` rejected, the advice followed: the amend carries the `-a`
/// changes (it used to amend without them, silently leaving ` M a.txt` behind). The same under
/// a hook manager, where `git commit` is not the hook's parent.
#[test]
fn the_advice_after_a_rejected_amend_with_a_keeps_the_changes() {
    let case = &CASES[2];
    for hooks_path in [false, true] {
        let (repo, command) = rejected_then_followed(case, hooks_path);
        assert_eq!(command, "git commit -a --amend -e -F .git/plan-lint/COMMIT_MSG");
        assert_eq!(repo.git(&["status", "--porcelain"]), "", "hook manager: {hooks_path}");
        assert_eq!(repo.git(&["show", "HEAD:a.txt"]), "a3\n", "the amend holds the -a change");
        assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "2", "amended, not added");
    }
}

/// A `git ci` alias of `commit -a` is read as what it runs.
#[test]
fn the_advice_reads_an_alias_of_commit() {
    let [repo, twin] = [hooked(), hooked()];
    for r in [&repo, &twin] {
        r.git(&["config", "alias.ci", "commit -a"]);
        change_a(r);
    }
    let (ok, stderr) = git_in(repo.path(), &["ci", "--amend", "-m", "Untraced"], None);
    assert!(!ok, "{stderr}");
    let command = advised_commit(&stderr);
    assert_eq!(command, "git commit -a --amend -e -F .git/plan-lint/COMMIT_MSG");
    let (ok, out) = follow(repo.path(), &command);
    assert!(ok, "{out}");
    let (ok, stderr) = git_in(twin.path(), &["ci", "--amend", "--no-verify", "-m", "Untraced"], None);
    assert!(ok, "{stderr}");
    assert_eq!(state(&repo), state(&twin));
}

/// A bare repository as `origin`, with `main` pushed.
fn with_origin(repo: &Repo) -> tempfile::TempDir {
    let origin = tempfile::tempdir().unwrap();
    git_env(Command::new("git"), origin.path()).args(["init", "-q", "--bare"]).output().unwrap();
    repo.git(&["remote", "add", "origin", origin.path().to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main"]);
    origin
}

/// The indented command lines of a blocked push's advice.
fn advised_push(stderr: &str) -> Vec<String> {
    let after = stderr.split("plan-lint: push blocked.").nth(1).unwrap_or_else(|| panic!("no advice in:\n{stderr}"));
    after.lines().filter(|l| l.starts_with("    git ")).map(|l| l.trim().to_string()).collect()
}

/// Issue 24: a push blocked by an untraced commit below a `--no-ff` merge. The advice, followed
/// as printed (the commit marked `reword` in the list, the trailer added in the editor), keeps
/// the merge, and the push then goes through.
#[test]
fn the_advice_after_a_blocked_push_keeps_merges() {
    let repo = hooked();
    let _origin = with_origin(&repo);
    repo.write("x.txt", "x\n");
    repo.git(&["add", "x.txt"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Sneaky"]);
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("side.txt", "s\n");
    repo.git(&["add", "side.txt"]);
    repo.git(&["commit", "-q", "-m", "Side work", "-m", "Promise: find-and-buy"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.write("main.txt", "m\n");
    repo.git(&["add", "main.txt"]);
    repo.git(&["commit", "-q", "-m", "Main work", "-m", "Promise: find-and-buy"]);
    repo.git(&["merge", "-q", "--no-ff", "side", "-m", "Merge side"]);
    let tree = repo.git(&["rev-parse", "HEAD^{tree}"]);

    let (ok, stderr) = git_in(repo.path(), &["push", "origin", "main"], None);
    assert!(!ok && stderr.contains("Sneaky"), "the untraced commit was pushed: {stderr}");
    let commands = advised_push(&stderr);
    assert_eq!(commands.len(), 1, "{stderr}");
    let command = &commands[0];
    let base = repo.git(&["rev-parse", "--short", "HEAD~1~1~1"]);
    assert_eq!(command, &format!("git rebase -i --rebase-merges {}", base.trim()), "{stderr}");
    let out = git_env(Command::new("sh"), repo.path())
        .args(["-c", command])
        .env("GIT_SEQUENCE_EDITOR", "sed -i '/ Sneaky$/s/^pick/reword/'")
        .env("GIT_EDITOR", ADD_TRAILER)
        .output()
        .unwrap();
    assert!(out.status.success(), "`{command}`: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(repo.git(&["rev-list", "--count", "--merges", &format!("{}..HEAD", base.trim())]).trim(), "1");
    assert_eq!(repo.git(&["log", "-1", "--format=%p", "HEAD"]).split_whitespace().count(), 2, "HEAD is the merge");
    assert_eq!(repo.git(&["rev-parse", "HEAD^{tree}"]), tree, "the same work");
    let (ok, stderr) = git_in(repo.path(), &["push", "origin", "main"], None);
    assert!(ok, "{stderr}");
}

/// When only the checked-out tip needs a trailer, the advice amends it and nothing else: what is
/// staged stays staged, and the push then goes through.
#[test]
fn the_advice_after_a_blocked_push_amends_only_the_tip() {
    let repo = hooked();
    let _origin = with_origin(&repo);
    repo.git(&["commit", "-q", "--no-verify", "--allow-empty", "-m", "Sneaky"]);
    repo.write("staged.txt", "s\n");
    repo.git(&["add", "staged.txt"]);
    let (ok, stderr) = git_in(repo.path(), &["push", "origin", "main"], None);
    assert!(!ok, "{stderr}");
    let commands = advised_push(&stderr);
    // The tip changes nothing: git amends it only with `--allow-empty`.
    assert_eq!(commands, ["git commit --amend --only --allow-empty"], "{stderr}");
    let (ok, out) = follow(repo.path(), &commands[0]);
    assert!(ok, "{out}");
    assert_eq!(repo.git(&["status", "--porcelain"]), "A  staged.txt\n");
    let (ok, stderr) = git_in(repo.path(), &["push", "origin", "main"], None);
    assert!(ok, "{stderr}");
}

/// Issue 30: `hook pre-push` names the remote it was given, and none when it was given none.
#[test]
fn pre_push_names_the_remote_it_was_given() {
    let repo = hooked();
    repo.git(&["commit", "-q", "--no-verify", "--allow-empty", "-m", "Sneaky"]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let line = format!("refs/heads/main {} refs/heads/main {}\n", head.trim(), "0".repeat(40));
    let run = support::run_with(repo.path(), &["hook", "pre-push", "mirror", "/srv/mirror.git"], &[], Some(&line));
    run.expect_code(1);
    assert!(run.stderr.contains("being pushed to mirror"), "{}", run.stderr);
    let run = support::run_with(repo.path(), &["hook", "pre-push"], &[], Some(&line));
    run.expect_code(1);
    assert!(run.stderr.contains("being pushed)") && !run.stderr.contains("origin"), "{}", run.stderr);
}

/// Issue 24: the rejection offers the declared exception (the team needed it for the adoption
/// commit itself); followed, with a reason, the commit goes through and `check` finds it clean.
#[test]
fn the_rejection_offers_an_exception_and_it_is_honoured() {
    let repo = hooked();
    repo.write("tools/adopt.sh", "#!/bin/sh\n");
    repo.git(&["add", "tools"]);
    let (ok, stderr) = git_in(repo.path(), &["commit", "-m", "Add the adoption script"], None);
    assert!(!ok, "{stderr}");
    let words = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("(tooling, upkeep, a fix to finished work) says why instead: `Untraced: <reason>`"),
        "{stderr}"
    );
    // Issue 24's noise: a hook that read no plan files does not count them.
    assert!(
        stderr.contains("plan-lint: 1 error, 0 warnings · 1 commit (") && !stderr.contains("plan file"),
        "{stderr}"
    );
    let command = advised_commit(&stderr);
    let editor = "sh -c 'printf \"\\nUntraced: adoption tooling\\n\" >> \"$1\"' editor";
    let out =
        git_env(Command::new("sh"), repo.path()).args(["-c", &command]).env("GIT_EDITOR", editor).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    repo.plan_lint(&["check", "--commits", "HEAD~1..HEAD"]).expect_code(0);
}

/// A blocked push of a branch that is not checked out: the advice names the branch (`git rebase`
/// switches to it), and followed as printed the push goes through.
#[test]
fn the_advice_after_a_blocked_push_names_a_branch_not_checked_out() {
    let repo = hooked();
    let _origin = with_origin(&repo);
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.write("t.txt", "t\n");
    repo.git(&["add", "t.txt"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Sneaky"]);
    repo.git(&["commit", "-q", "--allow-empty", "-m", "Traced", "-m", "Promise: find-and-buy"]);
    repo.git(&["checkout", "-q", "main"]);
    let (ok, stderr) = git_in(repo.path(), &["push", "origin", "topic"], None);
    assert!(!ok, "{stderr}");
    let commands = advised_push(&stderr);
    let base = repo.git(&["rev-parse", "--short", "topic~2"]);
    assert_eq!(commands, [format!("git rebase -i {} topic", base.trim())], "{stderr}");
    let out = git_env(Command::new("sh"), repo.path())
        .args(["-c", &commands[0]])
        .env("GIT_SEQUENCE_EDITOR", "sed -i '/ Sneaky$/s/^pick/reword/'")
        .env("GIT_EDITOR", ADD_TRAILER)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(repo.git(&["rev-list", "--count", "main..topic"]).trim(), "2", "both commits kept");
    let (ok, stderr) = git_in(repo.path(), &["push", "origin", "topic"], None);
    assert!(ok, "{stderr}");
}
