//! `plan-lint hook …`: the git hooks. They run on every commit, so each does the least work that
//! answers its question, reads only what git is about to record, and never touches the user's
//! message except `prepare-commit-msg`, which writes it atomically.
//!
//! - `pre-commit`: the registry and plan documents *as staged* (the index git commits from,
//!   `$GIT_INDEX_FILE` included); exits 0 at once when none of them is staged.
//! - `commit-msg FILE`: the message as `git commit` will store it (cleanup, comment character,
//!   scissors), checked for a Promise trailer that names a known promise in play.
//! - `prepare-commit-msg FILE [SOURCE [SHA]]`: adds `Promise: <id>` when the branch name names
//!   exactly one promise in play and the message has none.
//! - `pre-push REMOTE URL`: the commits being pushed, from git's ref lines on standard input.
//!
//! Output goes to standard error, where git shows it. A repository without a registry is not
//! using plan-lint: every hook passes quietly there.

use super::Ctx;
use crate::code::Severity;
use crate::engine::{self, CommitFlags, CommitSelection, Inputs, PlanScope};
use crate::error::{Error, Result};
use crate::files::FileSource;
use crate::git::Repo;
use crate::report::{self, Summary};
use crate::scan::message::{self, Cleanup};
use crate::scan::trailers::{self, Options};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum Hook {
    /// Check the staged registry and plan documents.
    PreCommit,
    /// Check the commit message in FILE (never modified).
    CommitMsg {
        /// The message file git passes (.git/COMMIT_EDITMSG).
        file: PathBuf,
    },
    /// Add `Promise: <id>` from the branch name when the message has none.
    PrepareCommitMsg {
        file: PathBuf,
        /// message, template, merge, squash or commit, as git passes it.
        source: Option<String>,
        sha: Option<String>,
    },
    /// Check the commits being pushed (git's ref lines on standard input).
    PrePush { remote: Option<String>, url: Option<String> },
    /// On the server: check the commits a push brings (git's `<old> <new> <ref>` lines on
    /// standard input), each branch with the registry its pushed tip carries.
    PreReceive,
}

pub fn run(ctx: &Ctx, hook: Hook) -> Result<ExitCode> {
    if let Hook::PreReceive = hook {
        return pre_receive(ctx);
    }
    let Some(repo) = Repo::discover(&ctx.dir) else {
        return Err(Error::new(format!("not a git repository: {}", ctx.dir.display())));
    };
    if repo.root().is_none() {
        // A bare repository (a mirror pushing on, or one a global `core.hooksPath` reaches):
        // with no registry in HEAD it does not use plan-lint, and is left alone.
        let head = repo.repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        if head.is_none_or(|t| t.get_path(Path::new(crate::registry::FILE_NAME)).is_err()) {
            return Ok(ExitCode::SUCCESS);
        }
        return Err(Error::new("this is a bare repository: hooks need a work tree").with_help(
            "run the hooks in a clone with a work tree; a server-side check of pushes is not a client hook",
        ));
    }
    match hook {
        Hook::PreCommit => pre_commit(ctx, &repo),
        Hook::CommitMsg { file } => commit_msg(ctx, &repo, &ctx.dir.join(&file), &file),
        Hook::PrepareCommitMsg { file, source, .. } => {
            // The pre-commit framework passes the source in the environment.
            let source = source.or_else(|| std::env::var("PRE_COMMIT_COMMIT_MSG_SOURCE").ok());
            prepare_commit_msg(&repo, &ctx.dir, &ctx.dir.join(file), source)
        }
        Hook::PrePush { remote, .. } => {
            let remote = remote.or_else(|| std::env::var("PRE_COMMIT_REMOTE_NAME").ok());
            pre_push(ctx, &repo, remote.as_deref().unwrap_or("origin"))
        }
        Hook::PreReceive => unreachable!("handled above"),
    }
}

/// The server side of a push: git runs it in the receiving repository (bare or not) with the
/// incoming objects in a quarantine directory (`GIT_OBJECT_DIRECTORY`, with the repository's own
/// objects as `GIT_ALTERNATE_OBJECT_DIRECTORIES`), before any ref moves. Each branch update is
/// judged on its own: the commits new to the repository (reachable from no ref it has), with
/// the registry of the pushed tip. Deletions, tags and tips without a registry pass. Findings
/// go to standard error, which the pusher sees as `remote:` lines.
fn pre_receive(ctx: &Ctx) -> Result<ExitCode> {
    let zero = "0".repeat(40);
    let mut updates = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| Error::io("could not read the pushed refs", &e))?;
        if let [old, new, name] = line.split_whitespace().collect::<Vec<_>>()[..] {
            updates.push((old.to_string(), new.to_string(), name.to_string()));
        }
    }
    let repo = git2::Repository::open_from_env()
        .map_err(|e| Error::new(format!("could not open the receiving repository: {}", e.message())))?;
    let repo = Repo::from(repo);
    // What the branches already hold before this push. Only branches: a tag (pushed freely)
    // or a forge's pull request ref must not make its untraced commits known to the next push
    // that puts them on a branch.
    let known: Vec<git2::Oid> = repo
        .repo
        .references_glob("refs/heads/*")
        .map(|refs| refs.flatten().filter_map(|r| r.peel_to_commit().ok().map(|c| c.id())).collect())
        .unwrap_or_default();
    let mut failed = false;
    for (_, new, name) in updates {
        if new == zero || name.starts_with("refs/tags/") {
            continue;
        }
        let Ok(tip) = git2::Oid::from_str(&new) else { continue };
        let Ok(commit) = repo.repo.find_commit(tip) else { continue };
        let has_registry = commit.tree().is_ok_and(|t| t.get_path(Path::new(crate::registry::FILE_NAME)).is_ok());
        if !has_registry {
            continue;
        }
        let mut tips = vec![(tip, false)];
        tips.extend(known.iter().map(|&k| (k, true)));
        let branch = name.strip_prefix("refs/heads/").unwrap_or(&name).to_string();
        let range = crate::git::RangeSpec { tips, describe: format!("new in {branch}") };
        let inputs = Inputs {
            commits: CommitSelection::Spec(range),
            judge_registry: false,
            // A server shows findings, but has no time to dig through history for hints.
            suggestions: false,
            ..Inputs { files: FileSource::Tree(tip), ..Inputs::new(&ctx.dir) }
        };
        let Some(run) = engine::run_in(Some(&repo), &inputs)? else { continue };
        if report_findings(ctx, &run) {
            failed = true;
            eprintln!("plan-lint: push to {branch} rejected: every new commit needs a `Promise:` trailer naming a promise in play.");
        }
    }
    if failed {
        eprintln!(
            "plan-lint: reword the commits above (`git rebase -i` with `reword`) and push again; this check runs on the server and cannot be skipped."
        );
    }
    Ok(ExitCode::from(u8::from(failed)))
}

/// What every hook's run shares: hooks read the registry git is committing with, run only when
/// there is one, and report to standard error with the default levels.
fn hook_inputs(ctx: &Ctx, files: FileSource) -> Inputs {
    Inputs { files, judge_registry: false, registry_optional: true, ..Inputs::new(&ctx.dir) }
}

fn pre_commit(ctx: &Ctx, repo: &Repo) -> Result<ExitCode> {
    let inputs = Inputs {
        plans: PlanScope::Staged,
        judge_registry: true,
        ..hook_inputs(ctx, FileSource::Index(repo.index_path(&ctx.dir)))
    };
    let Some(run) = engine::run_in(Some(repo), &inputs)? else { return Ok(ExitCode::SUCCESS) };
    let failed = report_findings(ctx, &run);
    if failed {
        eprintln!(
            "plan-lint: commit blocked by the staged plan above. Fix it and `git add` the fix \
             (unstaged changes do not count), or bypass once with `git commit --no-verify`."
        );
    }
    Ok(ExitCode::from(u8::from(failed)))
}

fn commit_msg(ctx: &Ctx, repo: &Repo, path: &Path, shown: &Path) -> Result<ExitCode> {
    let bytes = crate::files::read_input(path, "a commit message")?;
    // git runs commit hooks with `GIT_EDITOR=:` when it opens no editor; `-v` and `--cleanup`
    // are read from the command line of the `git commit` that runs this hook, where it can be.
    let mut flags = git_commit_flags().unwrap_or_default();
    flags.editor = std::env::var_os("GIT_EDITOR").map(|e| e != ":");
    let amend = flags.amend;
    let inputs = Inputs {
        commits: CommitSelection::Message { bytes, shown: shown.display().to_string(), flags },
        ..hook_inputs(ctx, FileSource::IndexOrWorkTree(repo.index_path(&ctx.dir)))
    };
    let Some(run) = engine::run_in(Some(repo), &inputs)? else { return Ok(ExitCode::SUCCESS) };
    let failed = report_findings(ctx, &run);
    if failed {
        // The file git passed holds its template, maybe a `-v` diff after a scissors line, maybe
        // a comment character chosen for this run only: committing it again as it is can store
        // the diff as the message. The message as git would have stored it is clean of all that.
        let saved = run.message.as_deref().and_then(|text| save_message(repo, text).ok());
        let file = saved.as_ref().map_or_else(|| shown.display().to_string(), |p| p.display().to_string());
        let rebasing = repo.repo.path().join("rebase-merge").exists() || repo.repo.path().join("rebase-apply").exists();
        let again = match (amend, rebasing) {
            (Some(true), true) => format!("git commit --amend -e -F {file} && git rebase --continue"),
            (_, true) => format!("git commit -e -F {file} && git rebase --continue"),
            (Some(true), false) => format!("git commit --amend -e -F {file}"),
            (Some(false), false) => format!("git commit -e -F {file}"),
            (None, false) => format!("git commit -e -F {file}          (with --amend if you were amending)"),
        };
        eprint!(
            "plan-lint: commit rejected. Your message is kept in {file}; edit it and commit again with\n\
             \n    {again}\n\n\
             (or bypass once with `git commit --no-verify`).\n"
        );
    }
    Ok(ExitCode::from(u8::from(failed)))
}

/// `-v`/`--verbose`/`--no-verbose` and `--cleanup` of the `git commit` whose hook this is, from
/// its command line (`/proc/<parent>/cmdline`: the hook scripts `exec` plan-lint, so git is the
/// parent). `None` where that cannot be read or the parent is not `git commit` (a hook manager
/// in between): then the message is judged under every reading git could store.
fn git_commit_flags() -> Option<CommitFlags> {
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        let raw = std::fs::read(format!("/proc/{parent}/cmdline")).ok()?;
        let args: Vec<String> =
            raw.split(|&b| b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        parse_commit_flags(&args)
    }
    #[cfg(not(unix))]
    None
}

/// The flags of a `git [global options] commit [options]` command line.
fn parse_commit_flags(args: &[String]) -> Option<CommitFlags> {
    let program = args.first()?;
    let name = Path::new(program).file_name()?.to_string_lossy();
    let rest: &[String] = if name == "git-commit" {
        &args[1..]
    } else if name == "git" {
        // Global options before the subcommand; those taking a separate value.
        let mut i = 1;
        while i < args.len() && args[i].starts_with('-') {
            i += if matches!(
                args[i].as_str(),
                "-c" | "-C" | "--git-dir" | "--work-tree" | "--namespace" | "--exec-path"
            ) {
                2
            } else {
                1
            };
        }
        if args.get(i).map(String::as_str) != Some("commit") {
            return None;
        }
        &args[i + 1..]
    } else {
        return None;
    };
    let mut flags = CommitFlags { verbose: Some(false), amend: Some(false), ..CommitFlags::default() };
    let takes_value = [
        "--message",
        "--file",
        "--reuse-message",
        "--reedit-message",
        "--template",
        "--author",
        "--date",
        "--fixup",
        "--squash",
        "--trailer",
        "--pathspec-from-file",
        "--cleanup",
    ];
    let mut i = 0;
    while i < rest.len() {
        let a = rest[i].as_str();
        i += 1;
        if a == "--" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, value) = long.split_once('=').map_or((long, None), |(n, v)| (n, Some(v.to_string())));
            let value = match value {
                Some(v) => Some(v),
                None if takes_value.contains(&format!("--{name}").as_str()) => {
                    i += 1;
                    rest.get(i - 1).cloned()
                }
                None => None,
            };
            match name {
                "verbose" => flags.verbose = Some(true),
                "amend" => flags.amend = Some(true),
                "no-verbose" => flags.verbose = Some(false),
                "cleanup" => flags.cleanup = value,
                _ => {}
            }
        } else if let Some(shorts) = a.strip_prefix('-') {
            for (at, c) in shorts.char_indices() {
                match c {
                    'v' => flags.verbose = Some(true),
                    // Options with a value: the rest of the word, or the next argument.
                    'm' | 'F' | 'C' | 'c' | 't' => {
                        if at + 1 == shorts.len() {
                            i += 1;
                        }
                        break;
                    }
                    _ => {}
                }
            }
        }
    }
    Some(flags)
}

/// Keep a rejected message, as git would have stored it, in `.git/plan-lint/COMMIT_MSG`
/// (written atomically, never through a link); returns the path to show (relative to the
/// work tree when inside it).
fn save_message(repo: &Repo, text: &str) -> std::io::Result<PathBuf> {
    let dir = repo.repo.path().join("plan-lint");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("COMMIT_MSG");
    write_atomically(&path, text.as_bytes()).map_err(|e| std::io::Error::other(e.to_string()))?;
    let shown = repo.root().and_then(|root| path.strip_prefix(&root).ok().map(Path::to_path_buf));
    Ok(shown.unwrap_or(path))
}

/// Print findings (if any) to standard error; whether any is an error.
fn report_findings(ctx: &Ctx, run: &engine::Run) -> bool {
    if run.findings.is_empty() {
        return false;
    }
    let summary = Summary::new(&run.facts, &run.findings);
    let text = report::human::render(&run.facts, &run.findings, &summary, ctx.style);
    let _ = std::io::stderr().write_all(text.as_bytes());
    run.findings.iter().any(|f| f.severity == Severity::Error)
}

fn prepare_commit_msg(repo: &Repo, dir: &Path, path: &Path, source: Option<String>) -> Result<ExitCode> {
    // A merge message is git's own; never add to it. A squash message lists the squashed
    // commits (`commit <id>` lines): it gets the promises they name.
    if source.as_deref() == Some("merge") {
        return Ok(ExitCode::SUCCESS);
    }
    let squash = source.as_deref() == Some("squash");
    // `--amend`, `-c` or `-C` with no editor (`--no-edit`: git runs the hook with
    // `GIT_EDITOR=:`): the message is stored as it is, and nobody asked to change it.
    if source.as_deref() == Some("commit") && std::env::var("GIT_EDITOR").is_ok_and(|e| e == ":") {
        return Ok(ExitCode::SUCCESS);
    }
    // No registry, or a broken one (the other hooks report it): this hook only helps.
    let Some(registry) = engine::hook_registry(repo, dir) else { return Ok(ExitCode::SUCCESS) };

    // This hook only helps: a message it cannot read (or an absurd one) is left to commit-msg.
    let Ok(bytes) = crate::files::read_input(path, "a commit message") else { return Ok(ExitCode::SUCCESS) };
    let comment = message::comment_string(repo.config_string("core.commentChar").as_deref(), &bytes);
    // Before the editor, anything after a scissors line is git's (`-v`): cut there.
    let cut = message::scissors(&bytes, &comment).unwrap_or(bytes.len());
    let cleaned = message::clean(&bytes[..cut], Cleanup::Strip, &comment);
    let block = trailers::parse(&cleaned, &Options { comment: comment.clone(), ..Options::log() });
    // A message that already names a promise, or declares an exception, says what it serves.
    if block.trailers.iter().any(|t| t.key_is("promise") || t.key_is("untraced")) {
        return Ok(ExitCode::SUCCESS);
    }
    // A revert or a cherry-pick serves the promises of the commit it reverts or picks (git runs
    // only this hook for them): `This reverts commit <id>.`, or CHERRY_PICK_HEAD.
    let ids = match source_commit(repo, &cleaned) {
        _ if squash => squashed_commits(&cleaned).into_iter().fold(Vec::new(), |mut ids, oid| {
            for id in promises_of(repo, oid) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            ids
        }),
        Some(oid) => promises_of(repo, oid),
        None if registry.branch_trailer => {
            let branch = repo.branch_name();
            branch.and_then(|b| registry.promise_of_branch(&b).map(|p| vec![p.id.clone()])).unwrap_or_default()
        }
        None => Vec::new(),
    };
    if ids.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let updated = trailers::insert(&bytes, &format!("Promise: {}", ids.join(", ")), &comment);
    write_atomically(path, &updated)?;
    Ok(ExitCode::SUCCESS)
}

/// The commit this one reverts (git's `This reverts commit <id>.` line) or picks
/// (`CHERRY_PICK_HEAD`), if it is either.
fn source_commit(repo: &Repo, message: &[u8]) -> Option<git2::Oid> {
    let text = String::from_utf8_lossy(message);
    let reverted = text.lines().find_map(|l| {
        let hex = l.trim().strip_prefix("This reverts commit ")?.trim_end_matches('.');
        git2::Oid::from_str(hex.split([',', ' ']).next()?).ok()
    });
    reverted.or_else(|| {
        let head = std::fs::read_to_string(repo.repo.path().join("CHERRY_PICK_HEAD")).ok()?;
        git2::Oid::from_str(head.trim()).ok()
    })
}

/// The commits a `git merge --squash` message lists (`commit <id>` at the start of a line).
fn squashed_commits(message: &[u8]) -> Vec<git2::Oid> {
    String::from_utf8_lossy(message)
        .lines()
        .filter_map(|l| git2::Oid::from_str(l.strip_prefix("commit ")?.trim()).ok())
        .collect()
}

/// The promise ids a commit's trailers name, as `git log` reads them.
fn promises_of(repo: &Repo, oid: git2::Oid) -> Vec<String> {
    let Ok(block) = crate::git::commit_trailers(&repo.repo, oid) else { return Vec::new() };
    let mut ids: Vec<String> = Vec::new();
    for t in block.trailers.iter().filter(|t| t.key_is("promise")) {
        for id in String::from_utf8_lossy(&t.value).split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

/// Replace `path` with `bytes` so that a reader (or a killed process) sees the old or the new
/// content, never a mix: write a sibling temporary file, then rename it over.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.plan-lint-{}", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(format!("could not write {}", path.display()), &e));
    }
    Ok(())
}

fn pre_push(ctx: &Ctx, repo: &Repo, remote: &str) -> Result<ExitCode> {
    // The pre-commit framework passes the range in the environment instead of standard input.
    let mut updates: Vec<(String, String)> = Vec::new();
    if let (Ok(from), Ok(to)) = (std::env::var("PRE_COMMIT_FROM_REF"), std::env::var("PRE_COMMIT_TO_REF")) {
        updates.push((to, from));
    } else if let Ok(local) = std::env::var("PRE_COMMIT_LOCAL_BRANCH") {
        // A push whose history reaches a root commit the remote lacks (a first push): the
        // framework passes no range, only the local ref. Judged as a new branch: what no remote
        // has. Not resolvable (deleted meanwhile): nothing to judge.
        let tip = repo.repo.revparse_single(&local).and_then(|o| o.peel_to_commit()).map(|c| c.id().to_string());
        if let Ok(tip) = tip {
            updates.push((tip, "0".repeat(40)));
        }
    } else {
        for line in std::io::stdin().lock().lines() {
            let line = line.map_err(|e| Error::io("could not read the pushed refs", &e))?;
            let parts: Vec<&str> = line.split_whitespace().collect();
            if let [_, local_sha, _, remote_sha] = parts.as_slice() {
                updates.push((local_sha.to_string(), remote_sha.to_string()));
            }
        }
    }
    let inputs = Inputs {
        commits: CommitSelection::Pushed { updates, remote: remote.to_string() },
        ..hook_inputs(ctx, FileSource::IndexOrWorkTree(repo.index_path(&ctx.dir)))
    };
    let Some(run) = engine::run_in(Some(repo), &inputs)? else { return Ok(ExitCode::SUCCESS) };
    if run.facts.commits.as_ref().is_none_or(|c| c.count == 0) {
        return Ok(ExitCode::SUCCESS);
    }
    let failed = report_findings(ctx, &run);
    if failed {
        eprintln!(
            "plan-lint: push blocked. Reword the commits above (`git rebase -i` with `reword`), or bypass once \
             with `git push --no-verify`."
        );
    }
    Ok(ExitCode::from(u8::from(failed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_flags_from_gits_command_line() {
        let args = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let f = parse_commit_flags(&args("git -c core.commentChar=; commit -qv -m -v --cleanup scissors")).unwrap();
        assert_eq!((f.verbose, f.cleanup.as_deref()), (Some(true), Some("scissors")));
        let f = parse_commit_flags(&args("/usr/bin/git commit -e -F -v")).unwrap();
        assert_eq!(f.verbose, Some(false), "-v is the -F file's name here");
        let f = parse_commit_flags(&args("git commit --verbose --no-verbose --cleanup=strip")).unwrap();
        assert_eq!((f.verbose, f.cleanup.as_deref()), (Some(false), Some("strip")));
        assert!(parse_commit_flags(&args("lefthook run commit-msg")).is_none());
        assert!(parse_commit_flags(&args("git rebase --continue")).is_none());
    }
}
