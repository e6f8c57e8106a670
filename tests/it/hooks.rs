//! The git hooks, driven by the real `git` binary: `plan-lint install` in a temp repository, then
//! real `git commit` / `git push` with the hooks running, as a developer would.

use crate::support;

use plan_lint::__private::{script, HOOKS};
use std::path::Path;
use std::process::Command;
use support::{bin, git_env, Repo};

const REGISTRY: &str = r#"[promises.find-and-buy]
statement = "A shopper can find and buy a product we stock."
status = "in-play"
outcomes = [{ metric = "conversion", baseline = "8%", target = "12%" }]

[promises.track-orders]
statement = "A shopper can see where their order is."
status = "in-play"
outcomes = [{ metric = "status calls", baseline = "41", target = "25" }]

[promises.gift-cards]
statement = "A shopper can buy gift cards."
status = "done"
"#;

/// A repository with the registry committed and plan-lint's hooks installed.
fn hooked() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY).write("ROADMAP.md", "# Plan\nPromise: find-and-buy\n\n- [ ] Search\n");
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    let run = repo.plan_lint(&["install"]);
    run.expect_code(0);
    repo
}

/// `git commit` with the hooks running; (success, stderr).
fn commit(repo: &Repo, args: &[&str]) -> (bool, String) {
    repo.git_commit(args)
}

fn head_message(repo: &Repo) -> String {
    repo.git(&["log", "-1", "--format=%B"])
}

fn commit_count(repo: &Repo) -> usize {
    repo.git(&["rev-list", "--count", "HEAD"]).trim().parse().unwrap()
}

#[test]
fn commit_msg_rejects_untraced_and_keeps_the_message() {
    let repo = hooked();
    repo.write("src/a.rs", "// a\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = commit(&repo, &["-m", "Add search box", "-m", "A long, careful explanation."]);
    assert!(!ok, "untraced commit went through");
    assert!(stderr.contains("untraced-commit"), "{stderr}");
    // Issue 13: on a branch that names no promise, the help lists the promises in play rather
    // than guessing the first one.
    let words = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("`Promise: <id>`, naming the promise it serves: find-and-buy, track-orders"), "{stderr}");
    assert!(stderr.contains("git commit -e -F .git/plan-lint/COMMIT_MSG"), "{stderr}");
    assert_eq!(commit_count(&repo), 1);
    // The message is recoverable, byte for byte as written, and as git would have stored it.
    let kept = std::fs::read_to_string(repo.path().join(".git/COMMIT_EDITMSG")).unwrap();
    assert_eq!(kept, "Add search box\n\nA long, careful explanation.\n");
    let saved = std::fs::read_to_string(repo.path().join(".git/plan-lint/COMMIT_MSG")).unwrap();
    assert_eq!(saved, kept);

    let (ok, stderr) = commit(&repo, &["-m", "Add search box", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    assert_eq!(commit_count(&repo), 2);
    // On a branch that names a promise in play, the help names it.
    repo.git(&["checkout", "-q", "-b", "track-orders/status-page"]);
    std::fs::write(repo.path().join(".git/MSG"), "Status page\n").unwrap();
    let run = repo.plan_lint(&["hook", "commit-msg", ".git/MSG"]);
    run.expect_code(1);
    let words = run.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("`Promise: track-orders` (the branch names it"), "{}", run.stderr);
}

#[test]
fn commit_msg_rejects_unknown_and_not_in_play_ids() {
    let repo = hooked();
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "Work", "-m", "Promise: find-and-by"]);
    assert!(!ok);
    assert!(stderr.contains("did you mean `find-and-buy`?"), "{stderr}");
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "Work", "-m", "Promise: gift-cards"]);
    assert!(!ok);
    assert!(stderr.contains("which is done"), "{stderr}");
    assert_eq!(commit_count(&repo), 1);
}

#[test]
fn commit_v_scissors_and_comment_chars() {
    let repo = hooked();
    repo.write("src/a.rs", "// a\n");
    repo.git(&["add", "."]);
    // `git commit -v` with an editor that writes the trailer above the scissors line: the diff
    // below it (which has `---` lines) must not matter.
    let editor =
        "f() { printf 'Add a\\n\\nPromise: track-orders\\n' | cat - \"$1\" > \"$1.new\" && mv \"$1.new\" \"$1\"; }; f";
    let out =
        git_env(Command::new("git"), repo.path()).env("GIT_EDITOR", editor).args(["commit", "-v"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(head_message(&repo).trim_end(), "Add a\n\nPromise: track-orders");

    // core.commentChar=';': `; Promise: x` is a comment, so it does not trace the commit.
    repo.git(&["config", "core.commentChar", ";"]);
    let editor = "f() { printf 'Work\\n\\n; Promise: track-orders\\n' > \"$1\"; }; f";
    let out = git_env(Command::new("git"), repo.path())
        .env("GIT_EDITOR", editor)
        .args(["commit", "--allow-empty"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a commented-out trailer traced the commit");

    // A `-m` message is not cleaned of comments by git, so `#1 Work` stays its subject.
    repo.git(&["config", "--unset", "core.commentChar"]);
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "#1 Work", "-m", "Promise: track-orders"]);
    assert!(ok, "{stderr}");
    assert_eq!(head_message(&repo).trim_end(), "#1 Work\n\nPromise: track-orders");

    // core.commentChar=auto with an editor: git sees lines starting with `#` and comments with
    // another character; the hook reads which from git's template lines.
    repo.git(&["config", "core.commentChar", "auto"]);
    let out = git_env(Command::new("git"), repo.path())
        .env("GIT_EDITOR", "true")
        .args(["commit", "--allow-empty", "-e", "-m", "#2 Work", "-m", "Promise: track-orders"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(head_message(&repo).trim_end(), "#2 Work\n\nPromise: track-orders");
}

#[test]
fn pre_commit_checks_the_staged_plan_not_the_work_tree() {
    let repo = hooked();
    // A bad plan staged, fixed only in the work tree: blocked.
    repo.write("ROADMAP.md", "# Plan\n\n- [ ] Untraced\n");
    repo.git(&["add", "ROADMAP.md"]);
    repo.write("ROADMAP.md", "# Plan\nPromise: find-and-buy\n\n- [ ] Traced now\n");
    let (ok, stderr) = commit(&repo, &["-m", "Plan", "-m", "Promise: find-and-buy"]);
    assert!(!ok, "a bad staged plan went through");
    assert!(stderr.contains("untraced-item") && stderr.contains("Untraced"), "{stderr}");

    // Stage the fix; leave mess in the work tree: accepted.
    repo.git(&["add", "ROADMAP.md"]);
    repo.write("ROADMAP.md", "# Plan\n\n- [ ] Unstaged mess\n");
    let (ok, stderr) = commit(&repo, &["-m", "Plan", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");

    // `git commit -a` stages the mess through a temporary index (GIT_INDEX_FILE): blocked.
    let (ok, stderr) = commit(&repo, &["-a", "-m", "All", "-m", "Promise: find-and-buy"]);
    assert!(!ok, "commit -a with a bad plan went through");
    assert!(stderr.contains("Unstaged mess"), "{stderr}");
}

#[test]
fn pre_commit_ignores_unrelated_changes() {
    let repo = hooked();
    // Even with a broken plan in the work tree, an unrelated staged change is not blocked.
    repo.write("ROADMAP.md", "# Plan\n\n- [ ] Untraced\n");
    repo.write("src/b.rs", "// b\n");
    repo.git(&["add", "src/b.rs"]);
    let (ok, stderr) = commit(&repo, &["-m", "Add b", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    assert!(stderr.is_empty(), "the hook should be silent: {stderr}");
}

#[test]
fn merges_and_fixups_are_exempt() {
    let repo = hooked();
    repo.git(&["checkout", "-q", "-b", "side"]);
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "Side", "-m", "Promise: track-orders"]);
    assert!(ok, "{stderr}");
    repo.git(&["checkout", "-q", "main"]);
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "Main", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    assert_eq!(commit_count(&repo), 2, "main has its own commit, so the merge is a real one");
    let out =
        git_env(Command::new("git"), repo.path()).args(["merge", "--no-ff", "--no-edit", "side"]).output().unwrap();
    assert!(out.status.success(), "merge blocked: {}", String::from_utf8_lossy(&out.stderr));
    // The merge commit was made, untraced (git's "Merge branch 'side'"), with two parents.
    assert_eq!(repo.git(&["rev-list", "--parents", "-n", "1", "HEAD"]).split_whitespace().count(), 3);
    assert_eq!(head_message(&repo).trim_end(), "Merge branch 'side'");
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "fixup! Main"]);
    assert!(ok, "{stderr}");
    assert_eq!(head_message(&repo).trim_end(), "fixup! Main");
}

#[test]
fn prepare_commit_msg_adds_the_trailer_from_the_branch() {
    let repo = hooked();
    repo.git(&["checkout", "-q", "-b", "feat/find-and-buy-paypal"]);
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "Add PayPal"]);
    assert!(ok, "{stderr}");
    assert_eq!(head_message(&repo), "Add PayPal\n\nPromise: find-and-buy\n\n");
    // A message that already names a promise is left alone.
    let (ok, _) = commit(&repo, &["--allow-empty", "-m", "Track", "-m", "Promise: track-orders"]);
    assert!(ok);
    assert_eq!(head_message(&repo), "Track\n\nPromise: track-orders\n\n");
    // Issue 14: a message declaring an exception keeps it (a Promise trailer would erase it).
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "Bump deps", "-m", "Untraced: dependency bump"]);
    assert!(ok, "{stderr}");
    assert_eq!(head_message(&repo), "Bump deps\n\nUntraced: dependency bump\n\n");
    // Issue 14: `--amend --no-edit` stores the message as it was.
    repo.write("deps.txt", "v2\n");
    repo.git(&["add", "deps.txt"]);
    let (ok, stderr) = commit(&repo, &["--amend", "--no-edit"]);
    assert!(ok, "{stderr}");
    assert_eq!(head_message(&repo), "Bump deps\n\nUntraced: dependency bump\n\n");
    // The hook itself, as git runs it for `--amend` (source `commit`): with no editor
    // (`GIT_EDITOR=:`) the message is left as it is; with one, the trailer is offered.
    let msg = repo.path().join(".git/AMEND_MSG");
    for (editor, expected) in [(":", "Fix\n"), ("vi", "Fix\n\nPromise: find-and-buy\n")] {
        std::fs::write(&msg, "Fix\n").unwrap();
        let out = git_env(Command::new(support::bin()), repo.path())
            .args(["hook", "prepare-commit-msg", msg.to_str().unwrap(), "commit", "HEAD"])
            .env("GIT_EDITOR", editor)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(std::fs::read_to_string(&msg).unwrap(), expected, "GIT_EDITOR={editor}");
    }
    // A branch naming no promise in play adds nothing, so the commit is rejected.
    repo.git(&["checkout", "-q", "-b", "misc"]);
    let (ok, _) = commit(&repo, &["--allow-empty", "-m", "Misc"]);
    assert!(!ok);
}

#[test]
fn linked_worktree_and_hooks_path() {
    let repo = hooked();
    let wt = repo.path().join("wt");
    repo.git(&["worktree", "add", "-q", wt.to_str().unwrap(), "-b", "wt-branch"]);
    let out =
        git_env(Command::new("git"), &wt).args(["commit", "--allow-empty", "-m", "In a worktree"]).output().unwrap();
    assert!(!out.status.success(), "worktree commit bypassed the hooks");

    // core.hooksPath: install writes there, and git runs them from there.
    let mut other = Repo::new();
    other.write("promises.toml", REGISTRY);
    other.commit("Adopt\n\nPromise: find-and-buy\n");
    other.git(&["config", "core.hooksPath", "custom-hooks"]);
    other.plan_lint(&["install"]).expect_code(0);
    assert!(other.path().join("custom-hooks/commit-msg").exists());
    let (ok, _) = commit(&other, &["--allow-empty", "-m", "Untraced"]);
    assert!(!ok);
}

#[test]
fn install_is_idempotent_and_respects_foreign_hooks() {
    let repo = hooked();
    let again = repo.plan_lint(&["install"]);
    again.expect_code(0);
    assert_eq!(again.stdout.matches("unchanged").count(), HOOKS.len(), "{}", again.stdout);

    let mut other = Repo::new();
    other.write("promises.toml", REGISTRY);
    other.commit("Adopt\n\nPromise: find-and-buy\n");
    let hook = other.path().join(".git/hooks/pre-commit");
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let run = other.plan_lint(&["install"]);
    run.expect_code(2);
    assert!(run.stderr.contains("already has a hook that is not plan-lint's: pre-commit"), "{}", run.stderr);
    assert!(!other.path().join(".git/hooks/commit-msg").exists(), "nothing is written when refusing");
    other.plan_lint(&["install", "--force"]).expect_code(0);
    assert_eq!(
        std::fs::read_to_string(other.path().join(".git/hooks/pre-commit.pre-plan-lint")).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    other.plan_lint(&["uninstall"]).expect_code(0);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), "#!/bin/sh\necho mine\n");
    assert!(!other.path().join(".git/hooks/commit-msg").exists());
}

#[test]
fn pre_push_checks_a_new_branch_and_updates() {
    let mut repo = hooked();
    let remote = tempfile::tempdir().unwrap();
    git_env(Command::new("git"), remote.path()).args(["init", "-q", "--bare"]).output().unwrap();
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main"]);
    // A new branch whose commit bypassed the commit-msg hook (--no-verify): the push is blocked.
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.git(&["commit", "-q", "--no-verify", "--allow-empty", "-m", "Sneaky"]);
    let out = git_env(Command::new("git"), repo.path()).args(["push", "origin", "topic"]).output().unwrap();
    assert!(!out.status.success(), "untraced push went through");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("untraced-commit") && stderr.contains("Sneaky"), "{stderr}");
    // Reword it, then the push goes through; deleting the branch needs no check.
    repo.git(&["commit", "-q", "--amend", "--allow-empty", "-m", "Sneaky no more", "-m", "Promise: find-and-buy"]);
    let out = git_env(Command::new("git"), repo.path()).args(["push", "origin", "topic"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    repo.commit("More\n\nPromise: track-orders\n");
    let out = git_env(Command::new("git"), repo.path()).args(["push", "origin", "topic"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = git_env(Command::new("git"), repo.path()).args(["push", "origin", "--delete", "topic"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn repositories_without_a_registry_are_left_alone() {
    let repo = Repo::new();
    repo.plan_lint(&["install"]).expect_code(0);
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "Anything"]);
    assert!(ok, "{stderr}");
}

#[test]
fn init_scaffolds_a_passing_start_and_never_overwrites() {
    let repo = Repo::new();
    let run = repo.plan_lint(&["init", "--hooks"]);
    run.expect_code(0);
    assert!(repo.path().join(".git/hooks/commit-msg").exists());
    repo.plan_lint(&["check", "--no-commits"]).expect_code(0);
    std::fs::write(repo.path().join("ROADMAP.md"), "mine").unwrap();
    let run = repo.plan_lint(&["init", "--no-hooks"]);
    run.expect_code(0);
    assert!(run.stdout.contains("exists, left alone"));
    assert_eq!(std::fs::read_to_string(repo.path().join("ROADMAP.md")).unwrap(), "mine");
}

#[test]
fn vendored_hooks_match_the_generated_scripts() {
    for hook in HOOKS {
        support::in_sync(&format!("hooks/{hook}"), &script(hook, None), Some(0o755));
    }
}

#[test]
fn vendored_hooks_explain_a_missing_binary() {
    let repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    let hook = Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/commit-msg");
    let out = git_env(Command::new("sh"), repo.path())
        .arg(&hook)
        .arg(".git/COMMIT_EDITMSG")
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not on PATH"));
    // With the binary reachable, the same script runs it.
    std::fs::write(repo.path().join(".git/COMMIT_EDITMSG"), "Work\n\nPromise: find-and-buy\n").unwrap();
    let out = git_env(Command::new("sh"), repo.path())
        .arg(&hook)
        .arg(".git/COMMIT_EDITMSG")
        .env("PLAN_LINT", bin())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn pre_commit_rejudges_plans_only_when_the_registry_change_can_affect_them() {
    let repo = hooked();
    // A plan committed with --no-verify that names `track-orders`, and an untraced item.
    repo.write("plans/orders.md", "# Orders\nPromise: track-orders\n\n- [ ] Status page\n");
    repo.write("plans/loose.md", "# Loose\n\n- [ ] Untraced, already on main\n");
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Plans", "-m", "Promise: find-and-buy"]);

    // An outcomes-only edit cannot change any plan finding: the commit is not blocked by the
    // problem already on main.
    repo.write("promises.toml", &REGISTRY.replace("target = \"25\"", "target = \"20\""));
    repo.git(&["add", "promises.toml"]);
    let (ok, stderr) = commit(&repo, &["-m", "Raise the target", "-m", "Promise: track-orders"]);
    assert!(ok, "{stderr}");

    // Removing a promise a committed plan names changes plan findings: every plan is judged.
    let without: String = REGISTRY.split("[promises.track-orders]").next().unwrap().to_string()
        + "[promises.gift-cards]"
        + REGISTRY.split("[promises.gift-cards]").nth(1).unwrap();
    repo.write("promises.toml", &without);
    repo.git(&["add", "promises.toml"]);
    let (ok, stderr) = commit(&repo, &["-m", "Drop orders", "-m", "Promise: find-and-buy"]);
    assert!(!ok, "removing a promise in use went through");
    assert!(stderr.contains("unknown-promise") && stderr.contains("track-orders"), "{stderr}");

    // A status change judges again exactly the plans that mention the promise: orders.md warns
    // that its open item serves a done promise; loose.md (untraced, but unrelated) is not judged.
    repo.write(
        "promises.toml",
        &REGISTRY.replacen(
            "status = \"in-play\"\noutcomes = [{ metric = \"status calls\"",
            "status = \"done\"\noutcomes = [{ metric = \"status calls\"",
            1,
        ),
    );
    repo.git(&["add", "promises.toml"]);
    let (ok, stderr) = commit(&repo, &["-m", "Orders are done", "-m", "Promise: track-orders"]);
    assert!(ok, "warnings do not block: {stderr}");
    assert!(stderr.contains("done-with-open-items") && stderr.contains("plans/orders.md"), "{stderr}");
    assert!(!stderr.contains("plans/loose.md"), "an unrelated plan was judged: {stderr}");
    // The hook remembers, by content, which promises each document's open items serve.
    let cache = std::fs::read_to_string(repo.path().join(".git/plan-lint/open-items")).unwrap();
    assert!(cache.contains(" track-orders\n") && cache.lines().count() >= 3, "{cache}");

    // With the cache warm, a later status change still finds the documents it affects.
    repo.write("promises.toml", &REGISTRY.replacen("status = \"in-play\"", "status = \"dropped\"", 1));
    repo.git(&["add", "promises.toml"]);
    let (ok, stderr) = commit(&repo, &["-m", "Drop search", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("not-in-play") && stderr.contains("ROADMAP.md"), "{stderr}");
    assert!(!stderr.contains("plans/loose.md") && !stderr.contains("plans/orders.md"), "{stderr}");
}

/// Issue 14: a tag may point at a blob or a tree; pushing it carries no commits to judge.
#[test]
fn pre_push_passes_tags_of_blobs_and_trees() {
    let repo = hooked();
    let remote = tempfile::tempdir().unwrap();
    git_env(Command::new("git"), remote.path()).args(["init", "-q", "--bare"]).output().unwrap();
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    let blob = repo.git(&["hash-object", "-w", "promises.toml"]);
    repo.git(&["tag", "registry-blob", blob.trim()]);
    repo.git(&["tag", "root-tree", "HEAD^{tree}"]);
    repo.git(&["tag", "-a", "-m", "annotated", "annotated-blob", blob.trim()]);
    for tag in ["registry-blob", "root-tree", "annotated-blob"] {
        let out = git_env(Command::new("git"), repo.path()).args(["push", "origin", tag]).output().unwrap();
        assert!(out.status.success(), "{tag}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let out = git_env(Command::new("git"), repo.path()).args(["push", "origin", "--tags", "main"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Issue 14: install and init never write through a link: a dangling `hooks/pre-commit` link
/// would otherwise create an executable wherever it points, a dangling `promises.toml` link a
/// file outside the repository.
#[test]
fn install_and_init_never_write_through_a_link() {
    let repo = Repo::new();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("evil-hook");
    std::fs::create_dir_all(repo.path().join(".git/hooks")).unwrap();
    std::os::unix::fs::symlink(&target, repo.path().join(".git/hooks/pre-commit")).unwrap();
    let run = repo.plan_lint(&["install"]);
    run.expect_code(2);
    assert!(run.stderr.contains("pre-commit"), "{}", run.stderr);
    assert!(!target.exists(), "install wrote through the link");
    let run = repo.plan_lint(&["install", "--force"]);
    run.expect_code(0);
    assert!(!target.exists(), "install --force wrote through the link");
    let hook = repo.path().join(".git/hooks/pre-commit");
    assert!(!std::fs::symlink_metadata(&hook).unwrap().file_type().is_symlink());
    assert!(std::fs::symlink_metadata(repo.path().join(".git/hooks/pre-commit.pre-plan-lint")).unwrap().is_symlink());

    let registry = outside.path().join("outside.toml");
    std::os::unix::fs::symlink(&registry, repo.path().join("promises.toml")).unwrap();
    let run = repo.plan_lint(&["init", "--no-hooks"]);
    run.expect_code(2);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert!(!registry.exists(), "init wrote through the link");
    assert!(!repo.path().join("ROADMAP.md").exists(), "nothing is written when one file is refused");
}

/// Issue 14: a registry that is a link out of the work tree (or into `.git`, a nested clone's too) is refused without
/// being read, so its content (credentials in `.git/config`, `/etc/passwd`) never reaches an
/// error snippet; a link within the work tree is read.
#[test]
fn a_registry_linking_out_of_the_work_tree_is_never_read() {
    let repo = Repo::new();
    repo.git(&["config", "http.extraheader", "AUTHORIZATION: basic c2VjcmV0"]);
    // A clone inside the work tree (ignored): its `.git` is as private as the repository's own.
    repo.git(&["init", "-q", "vendor/x"]);
    repo.git(&["-C", "vendor/x", "config", "http.extraheader", "AUTHORIZATION: basic c2VjcmV0"]);
    for target in [".git/config", "/etc/passwd", "../elsewhere.toml", "vendor/x/.git/config"] {
        let _ = std::fs::remove_file(repo.path().join("promises.toml"));
        std::os::unix::fs::symlink(target, repo.path().join("promises.toml")).unwrap();
        let run = repo.plan_lint(&["check", "--no-commits"]);
        run.expect_code(2);
        assert!(run.stderr.contains("not read"), "{target}: {}", run.stderr);
        assert!(!run.stderr.contains("AUTHORIZATION") && !run.stderr.contains("root:"), "{target}: {}", run.stderr);
    }
    std::fs::remove_file(repo.path().join("promises.toml")).unwrap();
    repo.write("config/promises.toml", REGISTRY);
    std::os::unix::fs::symlink("config/promises.toml", repo.path().join("promises.toml")).unwrap();
    repo.plan_lint(&["check", "--no-commits"]).expect_code(0);
}

/// Issue 13: a `git commit -v` rejected, then the advice followed as printed with the trailer
/// added: git must store a traced commit (the reused file held the scissors line and the diff,
/// which a plain `-e -F` of it stores as the message's last paragraph). With
/// `core.commentChar=auto` the retry must not loop either (issue 14).
#[test]
fn the_advice_after_a_rejected_verbose_commit_leads_to_a_traced_commit() {
    for auto in [false, true] {
        let repo = hooked();
        if auto {
            repo.git(&["config", "core.commentChar", "auto"]);
        }
        repo.write("src/a.rs", "// a\n");
        repo.git(&["add", "."]);
        std::fs::write(repo.path().join(".git/MSG"), "Add search box\n\nA long, careful explanation.\n").unwrap();
        let out = git_env(Command::new("git"), repo.path())
            .args(["commit", "-v", "-e", "-F", ".git/MSG"])
            .env("GIT_EDITOR", "true")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains("untraced-commit"), "{stderr}");
        // Follow the advice: the command it prints, with the trailer added to the file it names.
        let line = stderr.lines().find(|l| l.trim_start().starts_with("git commit -e -F")).expect("advice");
        let file = line.split_whitespace().nth(4).unwrap();
        let mut text = std::fs::read_to_string(repo.path().join(file)).unwrap();
        assert!(!text.contains(">8") && !text.contains("diff --git"), "the saved copy is clean: {text}");
        text.push_str("\nPromise: find-and-buy\n");
        std::fs::write(repo.path().join(file), text).unwrap();
        let out = git_env(Command::new("git"), repo.path())
            .args(["commit", "-e", "-F", file])
            .env("GIT_EDITOR", "true")
            .output()
            .unwrap();
        assert!(out.status.success(), "auto={auto}: {}", String::from_utf8_lossy(&out.stderr));
        let stored = repo.git(&["log", "-1", "--format=%(trailers:key=Promise,valueonly)"]);
        assert_eq!(stored.trim(), "find-and-buy", "git reads the stored commit as traced");
        repo.plan_lint(&["check", "--commits", "HEAD~1..HEAD"]).expect_code(0);
    }
}

/// Issue 14: plan-lint installed in a global `core.hooksPath` reaches every repository; one
/// without a registry is left alone in every layout git accepts: a bare repository pushing, a
/// commit with `--git-dir`/`--work-tree`, and with `GIT_DIR`/`GIT_WORK_TREE` set. With a registry,
/// the same layouts are judged.
#[test]
fn a_global_hooks_path_leaves_repositories_without_a_registry_alone_in_every_layout() {
    let home = tempfile::tempdir().unwrap();
    let hooks = home.path().join("hooks");
    // Install once into a throwaway repository whose hooksPath is the global directory.
    let seed = Repo::new();
    seed.git(&["config", "core.hooksPath", hooks.to_str().unwrap()]);
    seed.plan_lint(&["install"]).expect_code(0);
    let global = home.path().join("gitconfig");
    std::fs::write(&global, format!("[core]\n\thooksPath = {}\n", hooks.display())).unwrap();
    let git = |dir: &Path, args: &[&str], envs: &[(&str, &str)]| {
        let out = git_env(Command::new("git"), dir)
            .env("GIT_CONFIG_GLOBAL", &global)
            .envs(envs.iter().copied())
            .args(args)
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };

    // A bare repository with no registry pushes on.
    let work = tempfile::tempdir().unwrap();
    let mirror = work.path().join("mirror.git");
    let target = work.path().join("target.git");
    for bare in [&mirror, &target] {
        assert!(git(work.path(), &["init", "-q", "--bare", bare.to_str().unwrap()], &[]).0);
    }
    let plain = Repo::new();
    plain.git(&["commit", "-q", "--allow-empty", "--no-verify", "-m", "Untraced, and fine here"]);
    plain.git(&["push", "-q", "--no-verify", mirror.to_str().unwrap(), "HEAD:refs/heads/main"]);
    let (ok, stderr) = git(&mirror, &["push", "-q", target.to_str().unwrap(), "main"], &[]);
    assert!(ok, "a bare repository without a registry could not push: {stderr}");

    // --git-dir/--work-tree and GIT_DIR/GIT_WORK_TREE, without a registry: left alone.
    let split = tempfile::tempdir().unwrap();
    let (dot_git, tree) = (split.path().join("meta.git"), split.path().join("tree"));
    std::fs::create_dir_all(&tree).unwrap();
    assert!(git(split.path(), &["init", "-q", "--bare", dot_git.to_str().unwrap()], &[]).0);
    assert!(git(split.path(), &["--git-dir", dot_git.to_str().unwrap(), "config", "core.bare", "false"], &[]).0);
    let gd = format!("--git-dir={}", dot_git.display());
    let wt = format!("--work-tree={}", tree.display());
    let (ok, stderr) = git(split.path(), &[&gd, &wt, "commit", "-q", "--allow-empty", "-m", "Anything"], &[]);
    assert!(ok, "--git-dir/--work-tree: {stderr}");
    let env = [("GIT_DIR", dot_git.to_str().unwrap()), ("GIT_WORK_TREE", tree.to_str().unwrap())];
    let (ok, stderr) = git(split.path(), &["commit", "-q", "--allow-empty", "-m", "Anything again"], &env);
    assert!(ok, "GIT_DIR/GIT_WORK_TREE: {stderr}");

    // With a registry in that work tree, the same layout is judged.
    std::fs::write(tree.join("promises.toml"), REGISTRY).unwrap();
    assert!(git(split.path(), &[&gd, &wt, "add", "promises.toml"], &[]).0);
    let (ok, stderr) =
        git(split.path(), &[&gd, &wt, "commit", "-q", "-m", "Adopt", "-m", "Promise: find-and-buy"], &[]);
    assert!(ok, "{stderr}");
    let (ok, stderr) = git(split.path(), &["commit", "-q", "--allow-empty", "-m", "Untraced"], &env);
    assert!(!ok && stderr.contains("untraced-commit"), "GIT_DIR/GIT_WORK_TREE with a registry: {stderr}");
}

/// Issue 13: after merging an upstream whose history is untraced (a fork's upstream that does
/// not use plan-lint), pushing to one's own remote judges only one's own work: commits any
/// remote-tracking ref reaches are not the pusher's.
#[test]
fn pre_push_does_not_judge_commits_another_remote_already_has() {
    let repo = hooked();
    let origin = tempfile::tempdir().unwrap();
    git_env(Command::new("git"), origin.path()).args(["init", "-q", "--bare"]).output().unwrap();
    repo.git(&["remote", "add", "origin", origin.path().to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main"]);
    // An upstream with untraced history, fetched and merged.
    let upstream = Repo::new();
    upstream.git(&["commit", "-q", "--allow-empty", "-m", "Upstream work, untraced"]);
    upstream.git(&["commit", "-q", "--allow-empty", "-m", "More upstream work"]);
    repo.git(&["remote", "add", "upstream", upstream.path().to_str().unwrap()]);
    repo.git(&["fetch", "-q", "upstream"]);
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "Own work", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    let out = git_env(Command::new("git"), repo.path())
        .args(["merge", "-q", "--allow-unrelated-histories", "--no-edit", "upstream/main"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = git_env(Command::new("git"), repo.path()).args(["push", "origin", "main"]).output().unwrap();
    assert!(out.status.success(), "upstream's commits blocked the push: {}", String::from_utf8_lossy(&out.stderr));
    // Own untraced work is still caught.
    repo.git(&["commit", "-q", "--no-verify", "--allow-empty", "-m", "Own, untraced"]);
    let out = git_env(Command::new("git"), repo.path()).args(["push", "origin", "main"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Own, untraced"));
}

/// Issue 13: `git revert` and `git cherry-pick` commit with only prepare-commit-msg run; a
/// revert of a traced commit is stored traced to the same promise, and a pick keeps its own.
#[test]
fn a_revert_carries_the_promise_of_the_commit_it_reverts() {
    let repo = hooked();
    repo.write("search.txt", "v1\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = commit(&repo, &["-m", "Add search", "-m", "Promise: track-orders"]);
    assert!(ok, "{stderr}");
    let out = git_env(Command::new("git"), repo.path()).args(["revert", "--no-edit", "HEAD"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stored = repo.git(&["log", "-1", "--format=%(trailers:key=Promise,valueonly)"]);
    assert_eq!(stored.trim(), "track-orders", "{}", head_message(&repo));
    repo.plan_lint(&["check", "--commits", "HEAD~1..HEAD"]).expect_code(0);
    // A pick onto another branch keeps the promise of the commit picked.
    let picked = repo.git(&["rev-parse", "HEAD~1"]);
    repo.git(&["checkout", "-q", "-b", "release", "HEAD~2"]);
    let out = git_env(Command::new("git"), repo.path()).args(["cherry-pick", picked.trim()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stored = repo.git(&["log", "-1", "--format=%(trailers:key=Promise,valueonly)"]);
    assert_eq!(stored.trim(), "track-orders");
}

/// Issue 13: `git merge --squash` then `git commit`: the quoted messages' indented `Promise:`
/// lines are not malformed trailers, and prepare-commit-msg adds the promises the squashed
/// commits name, so the commit goes through traced.
#[test]
fn a_squash_merge_carries_the_promises_of_the_squashed_commits() {
    let repo = hooked();
    repo.git(&["checkout", "-q", "-b", "topic"]);
    for (file, promise) in [("a.txt", "find-and-buy"), ("b.txt", "track-orders")] {
        repo.write(file, "x\n");
        repo.git(&["add", "."]);
        let (ok, stderr) = commit(&repo, &["-m", &format!("Work on {file}"), "-m", &format!("Promise: {promise}")]);
        assert!(ok, "{stderr}");
    }
    repo.git(&["checkout", "-q", "main"]);
    let out = git_env(Command::new("git"), repo.path()).args(["merge", "--squash", "topic"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = git_env(Command::new("git"), repo.path())
        .args(["commit", "--no-edit"])
        .env("GIT_EDITOR", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("malformed-trailer"), "{stderr}");
    let stored = repo.git(&["log", "-1", "--format=%(trailers:key=Promise,valueonly,separator=%x2C)"]);
    assert_eq!(stored.trim(), "track-orders, find-and-buy", "{}", head_message(&repo));
}

/// Issue 13: after a rejected `git commit --amend`, the advice amends (a plain commit would
/// answer "nothing to commit"); during a rebase it ends with `git rebase --continue`.
#[test]
fn the_advice_fits_an_amend_and_a_rebase() {
    let repo = hooked();
    let out = git_env(Command::new("git"), repo.path())
        .args(["commit", "--amend", "-m", "Adopt plan-lint, untraced now"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("git commit --amend -e -F .git/plan-lint/COMMIT_MSG\n"), "{stderr}");
    // Followed as printed, with the trailer added, it amends.
    let file = repo.path().join(".git/plan-lint/COMMIT_MSG");
    let text = std::fs::read_to_string(&file).unwrap() + "\nPromise: find-and-buy\n";
    std::fs::write(&file, text).unwrap();
    let out = git_env(Command::new("git"), repo.path())
        .args(["commit", "--amend", "-e", "-F", ".git/plan-lint/COMMIT_MSG"])
        .env("GIT_EDITOR", "true")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(commit_count(&repo), 1);
    assert!(head_message(&repo).starts_with("Adopt plan-lint, untraced now\n\nPromise: find-and-buy"));

    // A rebase that rewords a commit into an untraced message stops; the advice continues it.
    repo.write("x.txt", "x\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = commit(&repo, &["-m", "Work", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    let out = git_env(Command::new("git"), repo.path())
        .args(["rebase", "-i", "HEAD~1"])
        .env("GIT_SEQUENCE_EDITOR", "sed -i 1s/^pick/reword/")
        .env("GIT_EDITOR", "sh -c 'printf \"Reworded, untraced\\n\" > \"$1\"' editor")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the reword went through: {stderr}");
    assert!(stderr.contains("&& git rebase --continue"), "{stderr}");
    let _ = git_env(Command::new("git"), repo.path()).args(["rebase", "--abort"]).output();
}

/// Issue 13: the untraced-commit help suggests what the work most likely serves: the promise of
/// the latest traced commit that touched the same paths (in the hook, the staged paths; in a
/// history check, the commit's own), never the first promise in play by default.
#[test]
fn untraced_help_suggests_the_promise_of_the_latest_commit_on_the_same_paths() {
    let repo = hooked();
    repo.write("src/orders.rs", "// orders v1\n").write("src/search.rs", "// search v1\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = commit(&repo, &["-m", "Order status", "-m", "Promise: track-orders"]);
    assert!(ok, "{stderr}");
    let traced = repo.git(&["rev-parse", "--short=7", "HEAD"]).trim().to_string();
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "Unrelated", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    // The staged path was last touched by a track-orders commit: the hook names it and says why.
    repo.write("src/orders.rs", "// orders v2\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = commit(&repo, &["-m", "Fix typo"]);
    assert!(!ok, "untraced commit went through");
    let words = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    let expected = format!("`Promise: track-orders` (the latest commit touching src/orders.rs, {traced}, names it;");
    assert!(words.contains(&expected), "{stderr}");
    // The same suggestion in a history check, from the commit's own paths.
    repo.git(&["commit", "-q", "--no-verify", "-m", "Fix typo"]);
    let run = repo.plan_lint(&["check", "--commits", "HEAD~1..HEAD"]);
    run.expect_code(1);
    let words = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains(&expected), "{}", run.stdout);
    // Paths nobody traced: no guess, the list of promises in play.
    repo.write("docs/new.md", "new\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = commit(&repo, &["-m", "New doc"]);
    assert!(!ok);
    let words = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("naming the promise it serves: find-and-buy, track-orders"), "{stderr}");
}

/// Issue 13: when the commits that block a push predate promises.toml (history before the team
/// adopted plan-lint), the help names `[commits] since`; once set, the push goes through.
#[test]
fn pre_push_blocked_by_history_before_adoption_names_commits_since() {
    let mut repo = Repo::new();
    repo.write("app.txt", "v1\n");
    repo.commit("Old work from before plan-lint");
    repo.write("promises.toml", REGISTRY);
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    repo.plan_lint(&["install"]).expect_code(0);
    let origin = tempfile::tempdir().unwrap();
    git_env(Command::new("git"), origin.path()).args(["init", "-q", "--bare"]).output().unwrap();
    repo.git(&["remote", "add", "origin", origin.path().to_str().unwrap()]);
    let out = git_env(Command::new("git"), repo.path()).args(["push", "origin", "main"]).output().unwrap();
    assert!(!out.status.success(), "the untraced old commit went through");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let words = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("predates promises.toml and has no Promise trailer"), "{stderr}");
    // The line to add, with the commit that added promises.toml.
    let adopted = repo.git(&["log", "--diff-filter=A", "--format=%H", "--", "promises.toml"]);
    let line = format!("since = \"{}\"", adopted.trim());
    assert!(words.contains(&format!("add `{line}` under `[commits]` in promises.toml")), "{stderr}");
    // Followed: the adoption commit becomes the start of judged history.
    repo.write("promises.toml", &format!("[commits]\n{line}\n\n{REGISTRY}"));
    repo.git(&["add", "promises.toml"]);
    let (ok, stderr) = commit(&repo, &["-m", "Judge work since adoption", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    let out = git_env(Command::new("git"), repo.path()).args(["push", "origin", "main"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `install --force` keeps the hook it replaces as `<hook>.pre-plan-lint` and runs it first,
/// with the same arguments and standard input; when it fails, the commit or push stops.
#[test]
fn install_force_chains_to_the_hooks_it_replaces() {
    let mut repo = Repo::new();
    repo.write("promises.toml", REGISTRY);
    repo.commit("Adopt plan-lint\n\nPromise: find-and-buy\n");
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let theirs = [
        ("pre-commit", "#!/bin/sh\necho \"pre-commit $*\" >> .git/theirs.log\n"),
        ("commit-msg", "#!/bin/sh\necho \"commit-msg $*\" >> .git/theirs.log\n! grep -q WIP \"$1\" || { echo 'theirs: no WIP commits' >&2; exit 1; }\n"),
        ("pre-push", "#!/bin/sh\necho \"pre-push $*\" >> .git/theirs.log\ncat >> .git/theirs.log\n[ ! -e .git/block-push ]\n"),
    ];
    for (hook, text) in theirs {
        std::fs::write(hooks.join(hook), text).unwrap();
        std::process::Command::new("chmod").arg("+x").arg(hooks.join(hook)).status().unwrap();
    }
    let run = repo.plan_lint(&["install", "--force"]);
    run.expect_code(0);
    assert_eq!(run.stdout.matches("is kept as .pre-plan-lint and runs first").count(), 3, "{}", run.stdout);
    let log = || std::fs::read_to_string(repo.path().join(".git/theirs.log")).unwrap_or_default();

    // Their commit-msg runs first, with the message file, and its failure stops the commit.
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "WIP", "-m", "Promise: find-and-buy"]);
    assert!(!ok && stderr.contains("theirs: no WIP commits"), "{stderr}");
    assert!(log().contains("pre-commit \n") && log().contains("commit-msg .git/COMMIT_EDITMSG"), "{}", log());
    // Then plan-lint's check still runs.
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "Untraced"]);
    assert!(!ok && stderr.contains("untraced-commit"), "{stderr}");
    let (ok, stderr) = commit(&repo, &["--allow-empty", "-m", "Search", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");

    // pre-push: both read the refs on standard input.
    let remote = tempfile::tempdir().unwrap();
    git_env(Command::new("git"), remote.path()).args(["init", "-q", "--bare"]).output().unwrap();
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.git(&["commit", "-q", "--no-verify", "--allow-empty", "-m", "Sneaky"]);
    let push = |args: &[&str]| {
        let out = git_env(Command::new("git"), repo.path()).arg("push").args(args).output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, stderr) = push(&["origin", "topic"]);
    assert!(!ok && stderr.contains("untraced-commit") && stderr.contains("Sneaky"), "plan-lint saw the refs: {stderr}");
    let sneaky = repo.git(&["rev-parse", "HEAD"]);
    assert!(log().contains(&format!("pre-push origin {}", remote.path().display())), "{}", log());
    assert!(log().contains(&format!("refs/heads/topic {}", sneaky.trim())), "theirs saw the refs: {}", log());
    // Their pre-push failing stops a push plan-lint would let through.
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    std::fs::write(repo.path().join(".git/block-push"), "").unwrap();
    let (ok, stderr) = push(&["origin", "topic"]);
    assert!(!ok, "their failing pre-push was skipped: {stderr}");
    std::fs::remove_file(repo.path().join(".git/block-push")).unwrap();
    let (ok, stderr) = push(&["origin", "topic"]);
    assert!(ok, "{stderr}");
}

/// The fenced block after `marker` in the README.
fn readme_block(marker: &str) -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let at = readme.find(marker).unwrap_or_else(|| panic!("the README shows {marker}"));
    let open = readme[at..].find("```").unwrap() + at;
    let open = readme[open..].find('\n').unwrap() + open + 1;
    let close = readme[open..].find("```").unwrap() + open;
    readme[open..close].to_string()
}

/// Files under `dir`, sorted, for "nothing was written there".
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// husky (core.hooksPath = .husky/_), lefthook and the pre-commit framework own the hooks where
/// they are set up: `install` and `init --hooks` write nothing into their directories (the next
/// `npm install` or `lefthook install` would undo it) and print the README's lines for their
/// files instead; `init --hooks` no longer fails with "already has hooks a hook that is not
/// plan-lint's".
#[test]
fn install_and_init_print_the_lines_for_a_hook_manager() {
    let mut repo = Repo::new();
    repo.write("package.json", "{}\n");
    repo.commit("Start\n");
    // What `npx husky` leaves: core.hooksPath and a runner in every hook of .husky/_.
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    for hook in HOOKS {
        repo.write(&format!(".husky/_/{hook}"), "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"\n");
    }
    repo.write(".husky/pre-commit", "npm test\n");
    let before = listing(&repo.path().join(".husky/_"));
    for args in [&["install"][..], &["install", "--force"], &["init", "--hooks"]] {
        let run = repo.plan_lint(args);
        run.expect_code(0);
        assert!(
            run.stdout.contains("husky runs this repository's hooks") && run.stdout.contains("wrote nothing"),
            "{}",
            run.stdout
        );
        for hook in HOOKS {
            let file = readme_block(&format!("`.husky/{hook}`:"));
            assert!(
                run.stdout.contains(&format!(".husky/{hook}:\n{file}")),
                "{args:?} prints the README's .husky/{hook}:\n{}",
                run.stdout
            );
        }
        assert_eq!(listing(&repo.path().join(".husky/_")), before, "{args:?} wrote into .husky/_");
        assert!(!run.stderr.contains("a hook that is not"), "{}", run.stderr);
    }
    assert!(repo.path().join("promises.toml").exists(), "init still scaffolds");
    // Once the files run plan-lint, there is nothing to add.
    for hook in HOOKS {
        repo.write(&format!(".husky/{hook}"), &readme_block(&format!("`.husky/{hook}`:")));
    }
    let run = repo.plan_lint(&["install"]);
    run.expect_code(0);
    assert!(run.stdout.contains("already run plan-lint: nothing to do"), "{}", run.stdout);

    for (config, marker) in
        [("lefthook.yml", "**lefthook** (`lefthook.yml`):"), (".pre-commit-config.yaml", "**pre-commit framework**")]
    {
        let mut repo = Repo::new();
        repo.write(config, "# theirs\n");
        repo.commit("Start\n");
        let run = repo.plan_lint(&["install"]);
        run.expect_code(0);
        assert!(run.stdout.contains(&format!("Add this to {config}")), "{}", run.stdout);
        assert!(run.stdout.contains(&readme_block(marker)), "{config}: the README's lines:\n{}", run.stdout);
        assert!(
            !listing(&repo.path().join(".git/hooks")).iter().any(|h| HOOKS.contains(&h.as_str())),
            "{config}: wrote hooks"
        );
    }
}

/// Issue 24: on a staged plan, the pre-commit hook reports what the commit changes (findings on
/// the lines it adds or modifies, and findings it causes elsewhere), and says in one line how
/// many older findings the file still has, instead of re-printing them on every commit.
#[test]
fn pre_commit_reports_what_the_staged_plan_changes() {
    let repo = hooked();
    // Older problems, committed past the hook: open items on a done promise (warnings) and an
    // untraced item (an error).
    let old = "# Plan\nPromise: find-and-buy\n\n- [ ] Search\n\n# Gift cards\nPromise: gift-cards\n\n\
               - [ ] Balance page\n- [ ] Refunds\n\n# Loose\n\n- [ ] Untraced, already on main\n";
    repo.write("ROADMAP.md", old);
    repo.git(&["add", "ROADMAP.md"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Plan", "-m", "Promise: find-and-buy"]);
    let older = repo.plan_lint(&["check", "--no-commits"]);
    older.expect_code(1);

    // An untraced item added: its own finding blocks; the older ones are one line.
    repo.write("ROADMAP.md", &format!("{old}- [ ] Another loose end\n"));
    repo.git(&["add", "ROADMAP.md"]);
    let (ok, stderr) = commit(&repo, &["-m", "Plan more", "-m", "Promise: find-and-buy"]);
    assert!(!ok, "a new untraced item went through: {stderr}");
    assert!(stderr.contains("untraced-item") && stderr.contains("Another loose end"), "{stderr}");
    assert!(!stderr.contains("no promise: Untraced") && !stderr.contains("done-with-open-items"), "{stderr}");
    assert!(stderr.contains("plan-lint: ROADMAP.md still has 2 older findings: plan-lint check"), "{stderr}");
    assert!(stderr.contains("plan-lint: 1 error, 0 warnings"), "{stderr}");

    // A traced item added, the file reordered around it: nothing but the count.
    let moved = old.replace("- [ ] Search\n", "- [ ] Filters\n- [ ] Search\n");
    repo.write("ROADMAP.md", &moved);
    repo.git(&["add", "ROADMAP.md"]);
    let (ok, stderr) = commit(&repo, &["-m", "Filters", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    assert_eq!(stderr, "plan-lint: ROADMAP.md still has 2 older findings: plan-lint check\n");

    // An edit can cause findings on lines it leaves alone: the heading's trace removed, the
    // items under it are untraced now.
    repo.write("ROADMAP.md", &moved.replace("# Gift cards\nPromise: gift-cards\n", "# Gift cards\n"));
    repo.git(&["add", "ROADMAP.md"]);
    let (ok, stderr) = commit(&repo, &["-m", "Untrace", "-m", "Promise: find-and-buy"]);
    assert!(!ok, "items left untraced by the edit went through: {stderr}");
    assert!(stderr.contains("no promise: Balance page") && stderr.contains("no promise: Refunds"), "{stderr}");
    assert!(!stderr.contains("no promise: Untraced"), "{stderr}");
    repo.git(&["checkout", "HEAD", "--", "ROADMAP.md"]);

    // A registry change staged with an unrelated plan edit: dropping a promise the plan names on
    // a line the commit does not change blocks, as a new error.
    let without: String = REGISTRY.split("[promises.find-and-buy]").next().unwrap().to_string()
        + "[promises.track-orders]"
        + REGISTRY.split("[promises.track-orders]").nth(1).unwrap();
    repo.write("promises.toml", &without);
    repo.write("ROADMAP.md", &moved.replace("- [ ] Refunds\n", "- [ ] Refunds\n- [ ] Wrapping\n"));
    repo.git(&["add", "promises.toml", "ROADMAP.md"]);
    let (ok, stderr) = commit(&repo, &["-m", "Drop search", "-m", "Promise: track-orders"]);
    assert!(!ok, "dropping a promise the plan names went through: {stderr}");
    assert!(stderr.contains("unknown-promise") && stderr.contains("find-and-buy"), "{stderr}");
    assert!(!stderr.contains("no promise: Untraced"), "{stderr}");
}

/// Issue 24: the pre-commit hook judges a staged readings file (`[outcomes] file`) as `check`
/// does: a hand-edited reading of an unknown metric or promise, or a malformed row, is blocked,
/// not reported later. It reads the readings only when they or the registry are staged.
#[test]
fn pre_commit_judges_staged_readings() {
    let repo = hooked();
    let header = "date,promise,metric,value,source\n";
    let good = format!("{header}2026-03-02,find-and-buy,conversion,9%,\n");
    for (row, says) in [
        ("2026-03-09,find-and-buy,convertion,10%,\n", "unknown-metric"),
        ("2026-03-09,find-and-by,conversion,10%,\n", "unknown-promise"),
        ("2026-13-09,find-and-buy,conversion,10%,\n", "is not a date"),
    ] {
        repo.write("outcomes.csv", &format!("{good}{row}"));
        repo.git(&["add", "outcomes.csv"]);
        let (ok, stderr) = commit(&repo, &["-m", "Reading", "-m", "Promise: find-and-buy"]);
        assert!(!ok, "a bad reading went through: {row}{stderr}");
        assert!(stderr.contains(says), "{says}: {stderr}");
        assert_eq!(commit_count(&repo), 1);
    }
    repo.write("outcomes.csv", &good);
    repo.git(&["add", "outcomes.csv"]);
    let (ok, stderr) = commit(&repo, &["-m", "Reading", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");

    // A bad reading already committed (past the hook) is not read by unrelated commits, and is
    // one line, not a block, when another reading is added.
    let bad = format!("{good}2026-03-09,find-and-buy,convertion,10%,\n");
    repo.write("outcomes.csv", &bad);
    repo.git(&["add", "outcomes.csv"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Typo", "-m", "Promise: find-and-buy"]);
    repo.write("src/a.rs", "// a\n");
    repo.git(&["add", "src/a.rs"]);
    let (ok, stderr) = commit(&repo, &["-m", "Code", "-m", "Promise: find-and-buy"]);
    assert!(ok && stderr.is_empty(), "{stderr}");
    repo.write("outcomes.csv", &format!("{bad}2026-03-16,track-orders,status calls,38,\n"));
    repo.git(&["add", "outcomes.csv"]);
    let (ok, stderr) = commit(&repo, &["-m", "Orders reading", "-m", "Promise: track-orders"]);
    assert!(ok, "{stderr}");
    // (promises.toml's older finding: its done promise is not shown to be kept, `done-unverified`.)
    assert_eq!(
        stderr,
        "plan-lint: outcomes.csv still has 1 older finding: plan-lint check\n\
         plan-lint: promises.toml still has 1 older finding: plan-lint check\n"
    );
    // A reading that moves away from the target is told (a warning, in promises.toml, where the
    // outcome is), though promises.toml is not staged.
    let regressed = format!("{bad}2026-03-16,track-orders,status calls,38,\n2026-03-23,find-and-buy,conversion,7%,\n");
    repo.write("outcomes.csv", &regressed);
    repo.git(&["add", "outcomes.csv"]);
    let (ok, stderr) = commit(&repo, &["-m", "Worse", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("outcome-regressed") && stderr.contains("promises.toml"), "{stderr}");

    // A registry change that makes committed readings wrong blocks, though no row changed.
    let without: String = REGISTRY.split("[promises.track-orders]").next().unwrap().to_string()
        + "[promises.gift-cards]"
        + REGISTRY.split("[promises.gift-cards]").nth(1).unwrap();
    repo.write("promises.toml", &without);
    repo.git(&["add", "promises.toml"]);
    let (ok, stderr) = commit(&repo, &["-m", "Drop orders", "-m", "Promise: find-and-buy"]);
    assert!(!ok, "readings of a dropped promise went through: {stderr}");
    assert!(stderr.contains("unknown-promise") && stderr.contains("outcomes.csv"), "{stderr}");
    assert!(!stderr.contains("unknown-metric") && !stderr.contains("outcome-regressed"), "{stderr}");

    // A malformed readings file already committed is not read by a commit that stages neither it
    // nor the registry (it would stop every commit otherwise).
    repo.git(&["checkout", "HEAD", "--", "promises.toml"]);
    repo.write("outcomes.csv", &format!("{good}2026-13-09,find-and-buy,conversion,10%,\n"));
    repo.git(&["add", "outcomes.csv"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Broken", "-m", "Promise: find-and-buy"]);
    repo.write("src/b.rs", "// b\n");
    repo.git(&["add", "src/b.rs"]);
    let (ok, stderr) = commit(&repo, &["-m", "More code", "-m", "Promise: find-and-buy"]);
    assert!(ok && stderr.is_empty(), "{stderr}");
}

/// Issue 29: the files plan-lint writes atomically keep their modes: installed hooks (and hooks
/// reinstalled over them) are executable, and a message prepare-commit-msg rewrites, or a
/// registry `init` writes, is a plain file its owner can read and write, not a private temporary
/// file's 0600 nor an executable.
#[test]
fn written_files_keep_their_modes() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    // The mode git gives a file it creates under this process's umask.
    let probe = Repo::new();
    probe.write("probe", "x");
    let plain = mode(&probe.path().join("probe"));
    let repo = hooked();
    let run = repo.plan_lint(&["install", "--force"]);
    run.expect_code(0);
    for hook in HOOKS {
        let path = repo.path().join(".git/hooks").join(hook);
        assert_eq!(mode(&path), 0o755 & (plain | 0o111), "{hook}: {:o}", mode(&path));
    }
    repo.git(&["checkout", "-q", "-b", "feat/find-and-buy-modes"]);
    let msg = repo.path().join(".git/MODE_MSG");
    std::fs::write(&msg, "Fix\n").unwrap();
    let out = git_env(Command::new(support::bin()), repo.path())
        .args(["hook", "prepare-commit-msg", msg.to_str().unwrap(), "message"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&msg).unwrap(), "Fix\n\nPromise: find-and-buy\n");
    assert_eq!(mode(&msg), plain, "{:o}", mode(&msg));

    let fresh = Repo::new();
    fresh.plan_lint(&["init", "--no-hooks"]).expect_code(0);
    assert_eq!(mode(&fresh.path().join("promises.toml")) & 0o711, 0o600);
}

/// With `commit.verbose = true` a plain `git commit` appends the `-v` diff below a scissors
/// line and cuts there; the hook, reading a command line without `-v`, took it as not verbose
/// and judged the diff as part of the message (its last paragraph, so no trailer): a traced
/// commit was rejected. `--no-verbose` on the command line still wins over the setting.
#[test]
fn commit_verbose_in_the_configuration_cuts_at_the_scissors() {
    let repo = hooked();
    repo.git(&["config", "commit.verbose", "true"]);
    let editor = repo.path().join(".git/prepend-editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\n{ printf 'Add x\\n\\nPromise: find-and-buy\\n'; cat \"$1\"; } > \"$1.new\" && mv \"$1.new\" \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    for (file, args) in [("x.txt", &[][..]), ("y.txt", &["--no-verbose"][..]), ("z.txt", &["-v"][..])] {
        repo.write(file, "x\n");
        repo.git(&["add", file]);
        let out = git_env(Command::new("git"), repo.path())
            .arg("commit")
            .args(args)
            .env("GIT_EDITOR", &editor)
            .output()
            .unwrap();
        assert!(out.status.success(), "git commit {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(head_message(&repo), "Add x\n\nPromise: find-and-buy\n\n", "git commit {args:?}");
    }
}

/// Issue 26: impact analysis before the commit lands. A staged change to a promise's contract
/// (its target raised) makes the pre-commit hook list the open items under it in every plan
/// (staged or not) as `suspect-link` warnings saying what the staged change does, and the local
/// branches HEAD has not merged whose own commits name it; the commit goes through (a warning)
/// unless the team raised the level. A `reviewed = "<fingerprint>"` staged with the change
/// lists nothing, and neither does a change to a promise with no open work.
#[test]
fn pre_commit_lists_the_items_and_branches_a_staged_contract_change_makes_suspect() {
    let mut repo = hooked();
    let registry =
        format!("{REGISTRY}\n[promises.wishlist]\nstatement = \"A shopper keeps a wishlist.\"\nstatus = \"in-play\"\n");
    repo.write("promises.toml", &registry);
    repo.write("plans/search.md", "# Search\nPromise: find-and-buy\n\n- [ ] Ranking\n- [x] Index\n");
    repo.write("plans/orders.md", "# Orders\nPromise: track-orders\n\n- [ ] Status page\n");
    repo.commit("Plans\n\nPromise: find-and-buy\n");
    // A branch with work for find-and-buy, one for track-orders, and one merged already.
    repo.git(&["branch", "merged-search", "HEAD~1"]);
    for (branch, promise) in [("search/filters", "find-and-buy"), ("orders/page", "track-orders")] {
        repo.git(&["checkout", "-q", "-b", branch, "main"]);
        repo.write(&format!("{branch}.txt"), "work\n");
        repo.commit(&format!("Work on {branch}\n\nPromise: {promise}\n"));
    }
    repo.git(&["checkout", "-q", "main"]);

    let raised = registry.replace("target = \"12%\"", "target = \"15%\"");
    repo.write("promises.toml", &raised);
    repo.git(&["add", "promises.toml"]);
    let (ok, stderr) = commit(&repo, &["-m", "Raise the conversion target", "-m", "Promise: find-and-buy"]);
    assert!(ok, "a warning does not block: {stderr}");
    let words = stderr.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
    let said =
        "open item planned against an earlier `find-and-buy`: its target of conversion changed: 12% → 15% (staged)";
    for item in ["Search", "Ranking"] {
        assert!(words.contains(&format!("{said}: {item}")), "{item}: {stderr}");
    }
    assert!(stderr.contains("ROADMAP.md") && stderr.contains("plans/search.md"), "{stderr}");
    assert_eq!(words.matches("(staged): ").count(), 2, "not the done item, not orders' item: {stderr}");
    assert!(
        stderr.contains(
            "plan-lint: branch `search/filters` has commits for `find-and-buy`, whose contract this commit changes"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("orders/page") && !stderr.contains("merged-search"), "{stderr}");
    assert!(!stderr.contains("search.md still has") && !stderr.contains("ROADMAP.md still"), "the change's: {stderr}");
    assert!(stderr.contains("3 plan files with 4 items"), "the plans read are counted: {stderr}");

    // The team raised the level: the next change is blocked until its review is recorded.
    let denied = format!("{raised}\n[rules]\nsuspect-link = \"deny\"\n");
    repo.write("promises.toml", &denied);
    repo.git(&["add", "promises.toml"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Suspect links block", "-m", "Promise: find-and-buy"]);
    let again = denied.replace("target = \"15%\"", "target = \"18%\"");
    repo.write("promises.toml", &again);
    repo.git(&["add", "promises.toml"]);
    let (ok, stderr) = commit(&repo, &["-m", "Raise it again", "-m", "Promise: find-and-buy"]);
    assert!(!ok, "blocked at deny: {stderr}");
    let words = stderr.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
    assert!(words.contains("its target of conversion changed: 15% → 18% (staged): Ranking"), "{stderr}");
    let fingerprint = stderr.split("reviewed = \"").nth(1).and_then(|s| s.get(..8)).expect("a fingerprint").to_string();
    let reviewed =
        again.replacen("status = \"in-play\"\n", &format!("status = \"in-play\"\nreviewed = \"{fingerprint}\"\n"), 1);
    repo.write("promises.toml", &reviewed);
    repo.git(&["add", "promises.toml"]);
    let (ok, stderr) = commit(&repo, &["-m", "Raise it again, reviewed", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("suspect-link") && !stderr.contains("branch `"), "{stderr}");

    // A statement change to a promise with no open item and no branch: nothing to list.
    let restated = reviewed.replace("A shopper keeps a wishlist.", "A shopper keeps a wishlist and shares it.");
    repo.write("promises.toml", &restated);
    repo.git(&["add", "promises.toml"]);
    let (ok, stderr) = commit(&repo, &["-m", "Restate the wishlist", "-m", "Promise: wishlist"]);
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("suspect-link") && !stderr.contains("branch `"), "{stderr}");
}
