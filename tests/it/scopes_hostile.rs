//! A hostile review of how a commit's and a staged change's scopes are told (issue 25): states
//! of a repository and its index that a team or a broken tool can make, each through the real
//! binary, with the real `git`. A wrong answer lets an untraced commit through a team's scope,
//! or blocks a commit that is fine.

use crate::support;

use support::Repo;

const ROOT: &str = r#"vision = "Shoppers find anything they want and buy it in one step."

[scopes]
members = ["teams/search", "teams/checkout"]

[customers.shopper]
description = "People who buy from the store"

[promises.platform]
statement = "A shopper's pages load fast."
customer = "shopper"
status = "in-play"
outcomes = [{ metric = "p95 page load", target = "1.2s" }]
"#;

/// A team's registry defining `find-and-buy`, in play (both teams use the id).
fn team(name: &str) -> String {
    format!(
        "name = \"{name}\"\n\n[promises.find-and-buy]\nstatement = \"s\"\ncustomer = \"shopper\"\n\
         status = \"in-play\"\noutcomes = [{{ metric = \"m\", target = \"1\" }}]\n"
    )
}

/// Two teams that both define `find-and-buy`, a file in each team's folder.
fn teams() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", ROOT)
        .write("teams/search/promises.toml", &team("Search"))
        .write("teams/checkout/promises.toml", &team("Checkout"))
        .write("teams/search/rank.sh", "echo rank\n")
        .write("teams/checkout/src/pay.rs", "// pay\n");
    repo.commit("Adopt plan-lint in two teams\n\nPromise: platform\n");
    repo
}

fn git_commit(repo: &Repo, args: &[&str]) -> (bool, String) {
    repo.git_commit(args)
}

/// A commit that only makes a script directly in a team's folder executable changes that folder
/// (`git diff` lists it): untraced, it is untraced in search's scope, not let through as
/// touching nothing (a subfolder's changed id was seen; a mode beside the member's files not).
#[test]
fn an_untraced_change_of_mode_alone_is_untraced_in_its_team_s_scope() {
    let mut repo = teams();
    use std::os::unix::fs::PermissionsExt;
    let script = repo.path().join("teams/search/rank.sh");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    repo.commit("Make the ranking script executable\n");
    assert!(repo.git(&["show", "--name-only", "--format=", "HEAD"]).contains("teams/search/rank.sh"));
    let run = repo.plan_lint(&["check", "--scope", "teams/search", "--commits", "HEAD", "--format", "json"]);
    run.expect_code(1);
    assert!(
        run.stdout.contains("\"untraced-commit\"") && run.stdout.contains("\"scope\": \"teams/search\""),
        "{}",
        run.stdout
    );
}

/// A partial clone (`--filter=tree:0`) holds the trees of what it checked out only: an older
/// commit's trees are missing, and libgit2 cannot fetch them. Its scopes cannot be told, so
/// `check` of a team's scope stops with exit 2 and says why, rather than judging the commit
/// as touching no scope (which let an untraced commit in the team's folder through).
#[test]
fn a_commit_whose_trees_a_partial_clone_lacks_stops_the_check() {
    let mut origin = teams();
    origin.write("teams/search/rank.sh", "echo rank v2\n");
    origin.commit("Rank better\n");
    origin.write("README.md", "# Store\n");
    origin.commit("Say what this is\n\nPromise: platform\n");
    origin.git(&["config", "uploadpack.allowFilter", "true"]);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    let out = support::git_env(std::process::Command::new("git"), origin.path())
        .args(["clone", "-q", "--filter=tree:0", &url])
        .arg(clone.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let missing = support::git_env(std::process::Command::new("git"), clone.path())
        .args(["cat-file", "-e", "HEAD~1^{tree}"])
        .env("GIT_NO_LAZY_FETCH", "1")
        .output()
        .unwrap();
    assert!(!missing.status.success(), "the older commit's tree is not in the clone");
    let run = support::run_in(clone.path(), &["check", "--scope", "teams/search", "--commits", "HEAD~2..HEAD~1"]);
    run.expect_code(2);
    assert!(run.stderr.contains("cannot tell which scopes commit"), "{}", run.stderr);
}

/// `git add -N` lists a file in search's folder without staging it: a commit of checkout's
/// change names checkout's `find-and-buy` by its short id, and is not refused as ambiguous.
#[test]
fn an_intent_to_add_file_does_not_make_a_short_id_ambiguous() {
    let repo = teams();
    repo.plan_lint(&["install"]).expect_code(0);
    repo.write("teams/search/src/later.rs", "// later\n").write("teams/checkout/src/pay.rs", "// pay v2\n");
    repo.git(&["add", "-N", "teams/search/src/later.rs"]);
    repo.git(&["add", "teams/checkout/src/pay.rs"]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "One-step pay", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    assert!(!repo.git(&["show", "--name-only", "--format=", "HEAD"]).contains("later.rs"), "git left it out");
}

/// A split index (`core.splitIndex`) keeps most entries in a shared file: the hooks read the
/// two joined, as git does. A broken plan staged in search's folder is refused, its fix goes
/// through, and the commit-msg hook resolves `find-and-buy` by the staged scope. Without its
/// shared index, the split index is exit 2 naming it, never the few entries it holds judged as
/// the whole.
#[test]
fn the_hooks_read_a_split_index_joined_with_its_shared_index() {
    let repo = teams();
    repo.plan_lint(&["install"]).expect_code(0);
    repo.git(&["config", "core.splitIndex", "true"]);
    repo.git(&["update-index", "--split-index"]);
    repo.write("teams/search/ROADMAP.md", "# Search\n\n- [ ] Synonyms (Promise: no-such-promise)\n");
    repo.git(&["add", "."]);
    let run = repo.plan_lint(&["hook", "pre-commit"]);
    run.expect_code(1);
    assert!(run.stderr.contains("[teams/search] item names unknown promise `no-such-promise`"), "{}", run.stderr);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Synonyms", "-m", "Promise: find-and-buy"]);
    assert!(!ok, "{stderr}");
    repo.write("teams/search/ROADMAP.md", "# Search\n\n- [ ] Synonyms (Promise: find-and-buy)\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Synonyms", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    let shared = std::fs::read_dir(repo.path().join(".git"))
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("sharedindex."));
    assert!(shared, "git wrote a shared index");
    // The shared index gone (a broken copy of a repository): refused, not read in part.
    repo.write("teams/search/ROADMAP.md", "# Search\n\n- [ ] Synonyms (Promise: no-such-promise)\n");
    repo.git(&["add", "."]);
    for e in std::fs::read_dir(repo.path().join(".git")).unwrap().flatten() {
        if e.file_name().to_string_lossy().starts_with("sharedindex.") {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    let run = repo.plan_lint(&["hook", "pre-commit"]);
    run.expect_code(2);
    assert!(run.stderr.contains("shared index"), "{}", run.stderr);
    let message = repo.path().join("MSG");
    std::fs::write(&message, "Synonyms\n\nPromise: find-and-buy\n").unwrap();
    let run = repo.plan_lint(&["hook", "commit-msg", message.to_str().unwrap()]);
    run.expect_code(2);
    assert!(run.stderr.contains("shared index"), "{}", run.stderr);
}

/// A sparse index (`git sparse-checkout --sparse-index`) holds search's folder, outside the
/// cone, as one entry: the commit hooks read search's registry through that folder's tree, so
/// a change in checkout's folder is judged (not refused because search "has no
/// promises.toml"), and goes through once its plan is right.
#[test]
fn the_commit_hooks_read_a_sparse_index_s_folders_through_their_trees() {
    let repo = teams();
    repo.plan_lint(&["install"]).expect_code(0);
    repo.git(&["sparse-checkout", "init", "--cone", "--sparse-index"]);
    repo.git(&["sparse-checkout", "set", "teams/checkout"]);
    assert!(repo.git(&["ls-files", "--sparse"]).lines().any(|l| l == "teams/search/"), "a sparse folder entry");
    repo.write("teams/checkout/ROADMAP.md", "# Checkout\n\n- [ ] Pay (Promise: no-such-promise)\n");
    repo.git(&["add", "teams/checkout/ROADMAP.md"]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Plan pay", "-m", "Promise: find-and-buy"]);
    assert!(!ok, "{stderr}");
    assert!(stderr.contains("[teams/checkout] item names unknown promise `no-such-promise`"), "{stderr}");
    repo.write("teams/checkout/ROADMAP.md", "# Checkout\n\n- [ ] Pay (Promise: find-and-buy)\n");
    repo.git(&["add", "teams/checkout/ROADMAP.md"]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Plan pay", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
}

/// A sparse checkout leaves another team's folder out of the work tree, and git keeps its files
/// in the index (skip-worktree entries, or one folder entry in a sparse index). `check` judges
/// them as git holds them: the same findings as in a full checkout, from the root and from a
/// team's folder, not "a member has no promises.toml".
#[test]
fn check_in_a_sparse_work_tree_judges_what_git_holds_outside_the_cone() {
    let mut repo = teams();
    repo.write("teams/search/PLAN.md", "# Search\n\n- [ ] Rank (Promise: find-and-buy)\n- [ ] Untraced search work\n")
        .write(
            "teams/checkout/PLAN.md",
            "# Checkout\n\n- [ ] Pay (Promise: find-and-buy)\n- [ ] Untraced checkout work\n",
        )
        .write("teams/search/.gitignore", "PLAN.md\n");
    repo.git(&["add", "-f", "teams/search/PLAN.md"]);
    repo.commit("Plan both teams\n\nPromise: platform\n");
    let all: &[&str] = &["check", "--all", "--no-commits", "--format", "json"];
    let full = repo.plan_lint(all);
    full.expect_code(1);
    assert!(full.stdout.contains("Untraced search work") && full.stdout.contains("Untraced checkout work"));
    let search = support::run_in(&repo.path().join("teams/search"), &["check", "--no-commits", "--format", "json"]);
    search.expect_code(1);
    assert!(search.stdout.contains("Untraced search work") && !search.stdout.contains("Untraced checkout work"));
    for sparse_index in ["--no-sparse-index", "--sparse-index"] {
        repo.git(&["sparse-checkout", "set", "--cone", sparse_index, "teams/checkout"]);
        assert!(!repo.path().join("teams/search/PLAN.md").exists(), "{sparse_index}: outside the cone");
        let listed = repo.git(&["ls-files", "--sparse", "-t"]);
        let folder = listed.lines().any(|l| l == "S teams/search/");
        assert_eq!(folder, sparse_index == "--sparse-index", "{listed}");
        let run = repo.plan_lint(all);
        run.expect_code(1);
        assert_eq!(run.stdout, full.stdout, "{sparse_index}: the same findings as a full checkout");
    }
    // From the folder of a team outside the cone: there is no such folder to stand in, so from
    // checkout's, which sees search's promise as it is.
    let checkout = support::run_in(&repo.path().join("teams/checkout"), &["check", "--no-commits", "--format", "json"]);
    checkout.expect_code(1);
    assert!(checkout.stdout.contains("Untraced checkout work") && !checkout.stdout.contains("Untraced search work"));
    repo.git(&["sparse-checkout", "disable"]);
    assert_eq!(repo.plan_lint(all).stdout, full.stdout);
}

/// `git rebase -i`'s reword runs `git commit --amend` (git's sequencer): the hooks judge the
/// reworded commit by the scopes it changes against its parent, so checkout's short id passes
/// whether the reworded commit is fast-forwarded or picked anew, and a reword that drops the
/// trailer is refused, in the scope of the commit reworded, with advice that amends and
/// continues the rebase and names the promises in play in that scope.
#[test]
fn a_reword_in_an_interactive_rebase_is_judged_as_the_amend_it_is() {
    let repo = teams();
    repo.plan_lint(&["install"]).expect_code(0);
    repo.write("teams/checkout/src/pay.rs", "// pay now\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Pay", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    repo.write("teams/search/rank.sh", "echo rank again\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "Rank", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    let rebase = |sequence: &str, editor: &str| {
        let mut cmd = support::git_env(std::process::Command::new("git"), repo.path());
        cmd.args(["rebase", "-i", "HEAD~2"]).env("GIT_SEQUENCE_EDITOR", sequence).env("GIT_EDITOR", editor);
        let out = cmd.output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    // Fast-forwarded (the first pick), then picked anew (the two swapped).
    let steps = [
        ("sed -i '1s/^pick/reword/'", "sed -i '1s/^Pay$/Pay now/'", "Pay now"),
        ("sed -i -e '1s/^pick/reword/' -e '1{h;d}' -e '$G'", "sed -i '1s/^Pay now$/Pay at once/'", "Pay at once"),
    ];
    for (sequence, editor, subject) in steps {
        let (ok, stderr) = rebase(sequence, editor);
        assert!(ok, "{sequence}: {stderr}");
        let subjects = repo.git(&["log", "--format=%s", "-2"]);
        assert!(subjects.lines().any(|l| l == subject), "{subjects}");
    }
    assert_eq!(repo.git(&["log", "--format=%s", "-2"]), "Pay at once\nRank\n", "picked anew: after Rank");
    let (ok, stderr) = rebase("sed -i '1s/^pick/reword/'", "sed -i '/^Promise:/d'");
    assert!(!ok, "{stderr}");
    // The oldest of the two is search's now.
    assert!(stderr.contains("[teams/search] this commit has no Promise trailer"), "{stderr}");
    assert!(stderr.contains("git commit --amend") && stderr.contains("git rebase --continue"), "{stderr}");
    // The help names the promises in play in the scope the commit changes, search's too.
    assert!(stderr.contains("naming the promise it serves:"), "{stderr}");
    assert!(stderr.contains("platform, teams/search/find-and-buy;"), "{stderr}");
    repo.git(&["rebase", "--abort"]);
    // So does `check`'s, for a commit in history.
    repo.write("teams/checkout/src/pay.rs", "// pay later\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "--no-verify", "-m", "Pay later"]);
    assert!(ok, "{stderr}");
    let run = repo.plan_lint(&["check", "--all", "--commits", "HEAD~1..HEAD", "--format", "json"]);
    run.expect_code(1);
    assert!(run.stdout.contains("platform, teams/checkout/find-and-buy;"), "{}", run.stdout);
    let run = repo.plan_lint(&["check", "--scope", "teams/checkout", "--commits", "HEAD~1..HEAD", "--format", "json"]);
    run.expect_code(1);
    assert!(run.stdout.contains("naming the promise it serves: find-and-buy;"), "{}", run.stdout);
}

/// `git commit --amend` makes a commit of HEAD's parent and the index: its scopes are those
/// the amended commit changes against that parent, not only what is staged since HEAD. An
/// amend that only rewords checkout's commit resolves `find-and-buy` as checkout's.
#[test]
fn an_amend_is_judged_by_the_scopes_the_amended_commit_touches() {
    let repo = teams();
    repo.plan_lint(&["install"]).expect_code(0);
    repo.write("teams/checkout/src/pay.rs", "// pay v2\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "-m", "One-step pay", "-m", "Promise: teams/checkout/find-and-buy"]);
    assert!(ok, "{stderr}");
    let (ok, stderr) = git_commit(&repo, &["-q", "--amend", "-m", "Pay in one step", "-m", "Promise: find-and-buy"]);
    assert!(ok, "{stderr}");
    // Search's folder staged into the amend: both scopes, ambiguous, refused.
    repo.write("teams/search/rank.sh", "echo rank v2\n");
    repo.git(&["add", "."]);
    let (ok, stderr) = git_commit(&repo, &["-q", "--amend", "-m", "Pay and rank", "-m", "Promise: find-and-buy"]);
    assert!(!ok, "{stderr}");
    assert!(stderr.contains("which 2 scopes define"), "{stderr}");
}

/// On a server, pushed objects wait in quarantine while pre-receive runs: a pushed commit's
/// trees are read there, so a short id two teams define resolves by the folder the commit
/// changes (accepted) and an untraced commit in a team's folder is refused, loose or packed.
#[test]
fn pre_receive_reads_a_pushed_commit_s_trees_in_quarantine() {
    for unpack_limit in ["100", "1"] {
        let dir = tempfile::tempdir().unwrap();
        let bare = dir.path().join("shop.git");
        let git_in = |args: &[&str]| {
            let out = support::git_env(std::process::Command::new("git"), dir.path()).args(args).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        };
        git_in(&["init", "-q", "--bare", bare.to_str().unwrap()]);
        git_in(&["-C", bare.to_str().unwrap(), "config", "receive.unpackLimit", unpack_limit]);
        support::run_in(&bare, &["install", "--server"]).expect_code(0);
        let path =
            format!("{}:{}", support::bin().parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
        let mut repo = teams();
        let url = format!("file://{}", bare.display());
        let push = |repo: &Repo| {
            let out = support::git_env(std::process::Command::new("git"), repo.path())
                .env("PATH", &path)
                .args(["push", "-q", &url, "main"])
                .output()
                .unwrap();
            (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
        };
        let (ok, said) = push(&repo);
        assert!(ok, "{said}");
        repo.write("teams/checkout/src/pay.rs", "// pay v2\n");
        repo.commit("One-step pay\n\nPromise: find-and-buy\n");
        let (ok, said) = push(&repo);
        assert!(ok, "unpackLimit {unpack_limit}: {said}");
        repo.write("teams/search/rank.sh", "echo rank v2\n");
        repo.commit("Rank better\n");
        let (ok, said) = push(&repo);
        assert!(!ok && said.contains("[teams/search]"), "unpackLimit {unpack_limit}: {said}");
    }
}

/// `check --all` sets up once for every scope (one listing of the work tree, split by scope):
/// its findings and passed-over files are exactly those of each scope's own run (`--scope`,
/// which lists for itself), over what a listing can get wrong: documents the root's `**/*.md`
/// would match in a member's folder, a member inside a member, links within a scope, to another
/// scope's document, dangling and out of the work tree, a tracked document git ignores, an
/// ignored one it does not track, a nested repository, a deleted document, and then a sparse
/// checkout with and without a sparse index.
#[test]
fn check_all_finds_what_each_scope_s_own_run_finds() {
    let mut repo = Repo::new();
    let registry = |extra: &str| {
        format!(
            "{extra}[customers.shopper]\n[promises.p]\nstatement = \"s\"\ncustomer = \"shopper\"\nstatus = \"in-play\"\n\
             outcomes = [{{ metric = \"m\", target = \"1\" }}]\n"
        )
    };
    repo.write(
        "promises.toml",
        &registry(
            "[scopes]\nmembers = [\"teams/a\", \"teams/a/sub\", \"teams/b\"]\n[plans]\ninclude = [\"**/*.md\"]\n",
        ),
    )
    .write("teams/a/promises.toml", &registry(""))
    .write(
        "teams/a/sub/promises.toml",
        &registry("[plans]\ninclude = [\"deep/*/x.md\"]\n[issues]\ninclude = [\"rfcs/*.md\"]\n"),
    )
    .write("teams/b/promises.toml", &registry("[issues]\ninclude = [\"notes/**/*.md\"]\n"))
    .write(".gitignore", "ignored/\n");
    for rel in [
        "ROADMAP.md",
        "docs/a.md",
        "teams/a/ROADMAP.md",
        "teams/a/plans/q1.md",
        "teams/a/src/notes.md",
        "teams/a/plans/ignored/tracked.md",
        "teams/a/plans/ignored/untracked.md",
        "teams/a/sub/deep/k/x.md",
        "teams/a/sub/rfcs/r1.md",
        "teams/a/sub/plans/p.md",
        "teams/b/PLAN.md",
        "teams/b/notes/n.md",
        "teams/b/plans/p.md",
        "teams/b/plans/gone.md",
    ] {
        repo.write(rel, &format!("# {rel}\n\n- [ ] Work in {rel} (Promise: p)\n- [ ] Untraced work in {rel}\n"));
    }
    #[cfg(unix)]
    for (link, target) in [
        ("teams/a/plans/link.md", "../ROADMAP.md"),
        ("teams/b/plans/to-a.md", "../../a/plans/q1.md"),
        ("teams/b/plans/dangling.md", "nowhere.md"),
        ("teams/b/plans/outside.md", "/etc/hostname"),
    ] {
        std::os::unix::fs::symlink(target, repo.path().join(link)).unwrap();
    }
    repo.git(&["add", "."]);
    repo.git(&["add", "-f", "teams/a/plans/ignored/tracked.md"]);
    repo.commit("Plans\n\nPromise: p\n");
    std::fs::remove_file(repo.path().join("teams/b/plans/gone.md")).unwrap();
    repo.write("teams/b/plans/vendor/v.md", "- [ ] Theirs\n");
    support::git_env(std::process::Command::new("git"), &repo.path().join("teams/b/plans/vendor"))
        .args(["init", "-q"])
        .output()
        .unwrap();
    let read = |args: &[&str]| -> (Vec<String>, Vec<String>) {
        let run = repo.plan_lint(args);
        run.expect_code(1);
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let list = |key: &str| -> Vec<String> {
            json[key]
                .as_array()
                .unwrap_or_else(|| panic!("{key}: {}", run.stdout))
                .iter()
                .map(|v| v.to_string())
                .collect()
        };
        (list("findings"), list("skipped"))
    };
    for sparse in [None, Some("--no-sparse-index"), Some("--sparse-index")] {
        if let Some(index) = sparse {
            repo.git(&["sparse-checkout", "set", "--cone", index, "teams/a"]);
            assert!(!repo.path().join("teams/b/PLAN.md").exists(), "{index}: outside the cone");
        }
        let (mut all, mut all_skipped) = read(&["check", "--all", "--no-commits", "--format", "json"]);
        let (mut each, mut each_skipped) = (Vec::new(), Vec::new());
        for scope in ["", "teams/a", "teams/a/sub", "teams/b"] {
            let scope = if scope.is_empty() { "." } else { scope };
            let (found, skipped) = read(&["check", "--scope", scope, "--no-commits", "--format", "json"]);
            assert!(found.iter().any(|f| f.contains("Untraced work")), "{scope}: {found:?}");
            each.extend(found);
            each_skipped.extend(skipped);
        }
        for list in [&mut all, &mut each, &mut all_skipped, &mut each_skipped] {
            list.sort();
        }
        assert_eq!(all, each, "{sparse:?}");
        assert_eq!(all_skipped, each_skipped, "{sparse:?}");
        let judged = |path: &str| all.iter().any(|f| f.contains(&format!("\"path\":\"{path}\"")));
        for path in ["ROADMAP.md", "teams/a/plans/ignored/tracked.md", "teams/a/sub/rfcs/r1.md", "teams/b/notes/n.md"] {
            assert!(judged(path), "{sparse:?}: {path} judged: {all:?}");
        }
        for path in ["teams/a/plans/ignored/untracked.md", "teams/a/src/notes.md", "teams/b/plans/vendor/v.md"] {
            assert!(!judged(path), "{sparse:?}: {path} not judged: {all:?}");
        }
        #[cfg(unix)]
        if sparse.is_none() {
            assert_eq!(
                all_skipped.len(),
                3,
                "the link read as itself, the dangling and the outside one: {all_skipped:?}"
            );
        }
    }
}

/// A team's folder is a name, not a pattern: folders named with glob characters (`[ab]`, an
/// unclosed `{`) or longer than a pattern may be are governed and their plans read and judged,
/// by `check --all` and by a plan named on the command line. Their patterns were built as
/// globs (`teams/[ab]/ROADMAP.md` matches `teams/a/ROADMAP.md`, not the folder), or fell back
/// unrebased when they did not compile: 0 plan files, exit 0, whatever the plans said.
#[test]
fn team_folders_named_with_glob_characters_or_at_length_are_read_as_named() {
    let long = vec!["x".repeat(200); 6].join("/");
    let members = ["teams/[ab]", "teams/x{y", "teams/q?", long.as_str()];
    let mut repo = Repo::new();
    let listed: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    repo.write(
        "promises.toml",
        &ROOT.replace(r#"["teams/search", "teams/checkout"]"#, &format!("[{}]", listed.join(", "))),
    );
    for m in members {
        repo.write(&format!("{m}/promises.toml"), &team(m));
        repo.write(&format!("{m}/ROADMAP.md"), "# Plan\n\n- [ ] Work (Promise: nonexistent-zzz)\n");
    }
    // A folder the glob `teams/[ab]` would match: its plan is nobody's registry's but the root's.
    repo.write("teams/a/notes.txt", "n\n");
    repo.commit("Four teams\n\nPromise: platform\n");
    let run = repo.plan_lint(&["check", "--all", "--no-commits", "--format", "json"]);
    run.expect_code(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut unknown: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "unknown-promise")
        .map(|f| format!("{} {}", f["scope"].as_str().unwrap_or(""), f["path"].as_str().unwrap_or("")))
        .collect();
    unknown.sort();
    let mut expected: Vec<String> = members.iter().map(|m| format!("{m} {m}/ROADMAP.md")).collect();
    expected.sort();
    assert_eq!(unknown, expected, "{}", run.stdout);
    let run = repo.plan_lint(&["check", "--no-commits", "teams/[ab]/ROADMAP.md"]);
    run.expect_code(1);
    assert!(run.stdout.contains("nonexistent-zzz") && run.stdout.contains("1 plan file"), "{}", run.stdout);
}

/// A bare repository with plan-lint's pre-receive hook, and a `git push` to it with `refspecs`
/// from `repo`: whether git accepted it, and what the pusher saw.
fn server() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("shop.git");
    assert!(std::process::Command::new("git").args(["init", "-q", "--bare"]).arg(&bare).status().unwrap().success());
    support::run_in(&bare, &["install", "--server"]).expect_code(0);
    (dir, bare)
}

fn push(repo: &Repo, bare: &std::path::Path, refspecs: &[&str]) -> (bool, String) {
    let path = format!("{}:{}", support::bin().parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let out = support::git_env(std::process::Command::new("git"), repo.path())
        .env("PATH", &path)
        .arg("push")
        .arg(format!("file://{}", bare.display()))
        .args(refspecs)
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Refs pushed together that share the root's registry but not a team's are judged each with its
/// own: a branch that puts search's proposed promise in play, pushed beside main, lent main its
/// registry (refs were grouped by the root's `promises.toml` alone), and main's work on the
/// promise, still proposed in main, went through.
#[test]
fn a_branch_pushed_beside_main_does_not_lend_main_its_team_s_registry() {
    let (_dir, bare) = server();
    let mut repo = teams();
    repo.write(
        "teams/search/promises.toml",
        &format!(
            "{}\n[promises.facets]\nstatement = \"s\"\ncustomer = \"shopper\"\nstatus = \"proposed\"\n",
            team("Search")
        ),
    );
    repo.commit("Propose facets\n\nPromise: platform\n");
    let (ok, said) = push(&repo, &bare, &["main", "main:aa-donor"]);
    assert!(ok, "{said}");
    repo.git(&["checkout", "-q", "-b", "aa-donor"]);
    let registry = std::fs::read_to_string(repo.path().join("teams/search/promises.toml")).unwrap();
    repo.write("teams/search/promises.toml", &registry.replace("status = \"proposed\"", "status = \"in-play\""));
    repo.commit("Facets in play, on a side branch\n\nPromise: platform\n");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("teams/search/rank.sh", "echo facets\n");
    let sha = repo.commit("Facets\n\nPromise: facets\n");
    let (ok, said) = push(&repo, &bare, &["main"]);
    assert!(!ok && said.contains("facets"), "alone, main is judged by its own registry: {said}");
    let (ok, said) = push(&repo, &bare, &["aa-donor", "main"]);
    assert!(!ok, "main's work on a promise proposed in main went through beside the donor: {said}");
    let words = said.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(&format!("commit {} is work on `teams/search/facets`, which is proposed", &sha[..7])),
        "{said}"
    );
    assert!(words.contains("push to main rejected"), "{said}");
}

/// A commit new to main is judged on its way there whatever else the push brings: pushed beside
/// a scratch branch whose old tip lies above it, it was hidden with that tip (the group's walk
/// excluded the parents just outside its commits) and reached main unjudged.
#[test]
fn a_commit_new_to_main_is_judged_when_a_scratch_branch_above_it_moves_in_the_same_push() {
    let (_dir, bare) = server();
    let mut repo = teams();
    let (ok, said) = push(&repo, &bare, &["main"]);
    assert!(ok, "{said}");
    repo.write("teams/search/rank.sh", "echo untraced\n");
    let untraced = repo.commit("Untraced work\n");
    repo.git(&["rm", "-q", "promises.toml"]);
    let scratch = repo.commit("Scratch without a registry\n");
    let (ok, said) = push(&repo, &bare, &[&format!("{scratch}:refs/heads/scratch")]);
    assert!(ok, "a new ref without a registry passes (judged on its way to a branch that has one): {said}");
    repo.git(&["checkout", "-q", &untraced, "--", "promises.toml"]);
    let restored = repo.commit("Restore the registry\n\nPromise: platform\n");
    let (ok, said) = push(&repo, &bare, &[&format!("{untraced}:refs/heads/main")]);
    assert!(!ok, "{said}");
    let (ok, said) =
        push(&repo, &bare, &[&format!("{restored}:refs/heads/scratch"), &format!("{untraced}:refs/heads/main")]);
    assert!(!ok, "the untraced commit reached main beside the scratch branch: {said}");
    let words = said.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains(&format!("commit {}", &untraced[..7])) && words.contains("push to main rejected"), "{said}");
}

/// pre-push judges each pushed branch with the registries its tip carries, as the server does:
/// pushed from another branch whose team registry puts a promise in play (or with such an edit
/// staged), main's work on the promise, proposed in main, was let through.
#[test]
fn pre_push_judges_a_pushed_branch_with_its_own_registries_not_the_checked_out_ones() {
    let mut repo = teams();
    let facets = format!(
        "{}\n[promises.facets]\nstatement = \"s\"\ncustomer = \"shopper\"\nstatus = \"proposed\"\n",
        team("Search")
    );
    repo.write("teams/search/promises.toml", &facets);
    repo.commit("Propose facets\n\nPromise: platform\n");
    let remote = tempfile::tempdir().unwrap();
    repo.git(&["init", "-q", "--bare", remote.path().to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main"]);
    repo.plan_lint(&["install"]).expect_code(0);
    repo.write("teams/search/rank.sh", "echo facets\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Facets\n\nPromise: facets"]);
    let sha = repo.git(&["rev-parse", "HEAD"]);
    let in_play = facets.replace("status = \"proposed\"", "status = \"in-play\"");
    let push = || {
        let out = support::git_env(std::process::Command::new("git"), repo.path())
            .args(["push", "origin", "main"])
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, said) = push();
    assert!(!ok && said.contains(&format!("commit {} is work on `teams/search/facets`", &sha[..7])), "{said}");
    // An edit staged on main, not committed.
    repo.write("teams/search/promises.toml", &in_play);
    repo.git(&["add", "teams/search/promises.toml"]);
    let (ok, said) = push();
    assert!(!ok && said.contains("teams/search/facets"), "a staged registry judged the pushed branch: {said}");
    repo.git(&["reset", "-q", "--hard"]);
    // Another branch checked out, whose registry has the promise in play.
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("teams/search/promises.toml", &in_play);
    repo.git(&["commit", "-q", "--no-verify", "-am", "Facets in play\n\nPromise: platform"]);
    let (ok, said) = push();
    assert!(!ok && said.contains("teams/search/facets"), "the checked-out branch's registry judged main: {said}");
    // Pushed itself, the side branch carries its registry: its commits pass.
    let out = support::git_env(std::process::Command::new("git"), repo.path())
        .args(["push", "origin", "side"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The server judges what a push does to the registries, not only its commits: a traced commit
/// that puts a promise in play over the root's limit, or over a team's, is rejected with the
/// registry's finding; a breach already on the branch is not held against an unrelated push.
#[test]
fn a_push_that_brings_a_registry_over_its_limit_is_rejected_and_an_old_breach_is_not_held_against_others() {
    let limited = |extra: &str| format!("{ROOT}\n[limits]\nin-play = 1\n{extra}");
    let second = "\n[promises.speed]\nstatement = \"s\"\ncustomer = \"shopper\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"1\" }]\n";
    let (_dir, bare) = server();
    let mut repo = teams();
    repo.write("promises.toml", &limited(""));
    repo.commit("Limit the root to one promise in play\n\nPromise: platform\n");
    let (ok, said) = push(&repo, &bare, &["main"]);
    assert!(ok, "{said}");
    repo.write("promises.toml", &limited(second));
    repo.commit("Speed in play too\n\nPromise: platform\n");
    let (ok, said) = push(&repo, &bare, &["main"]);
    assert!(!ok, "a registry over its limit went through: {said}");
    assert!(said.contains("too-many-in-play") && said.contains("the registry it brings breaks the rules"), "{said}");
    assert!(!said.contains("needs a `Promise:` trailer"), "the commits are traced: {said}");
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    // A team's limit, in the team's own registry.
    let search = format!("{}{second}\n[limits]\nin-play = 1\n", team("Search"));
    repo.write("teams/search/promises.toml", &search);
    repo.commit("Search takes on speed too\n\nPromise: platform\n");
    let (ok, said) = push(&repo, &bare, &["main"]);
    assert!(!ok && said.contains("[teams/search]") && said.contains("too-many-in-play"), "{said}");
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    // A branch in breach before the hook was installed: an unrelated traced push passes.
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.git");
    assert!(std::process::Command::new("git").args(["init", "-q", "--bare"]).arg(&old).status().unwrap().success());
    repo.write("promises.toml", &limited(second));
    repo.commit("Speed in play, before the hook\n\nPromise: platform\n");
    let (ok, said) = push(&repo, &old, &["main"]);
    assert!(ok, "{said}");
    support::run_in(&old, &["install", "--server"]).expect_code(0);
    repo.write("teams/search/rank.sh", "echo faster\n");
    repo.commit("Faster ranking\n\nPromise: teams/search/find-and-buy\n");
    let (ok, said) = push(&repo, &old, &["main"]);
    assert!(ok, "an old breach blocked an unrelated push: {said}");
    // Nor a registry change that leaves it as it was.
    repo.write("promises.toml", &limited(second).replace("A shopper's pages load fast.", "Pages load fast."));
    repo.commit("Reword platform\n\nPromise: platform\n");
    let (ok, said) = push(&repo, &old, &["main"]);
    assert!(ok, "an old breach blocked a registry change that did not make it: {said}");
}
