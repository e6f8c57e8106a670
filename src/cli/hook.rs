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
use crate::engine::{self, CommitSelection, Inputs, PlanScope};
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
}

pub fn run(ctx: &Ctx, hook: Hook) -> Result<ExitCode> {
    let Some(repo) = Repo::discover(&ctx.dir) else {
        return Err(Error::new(format!("not a git repository: {}", ctx.dir.display())));
    };
    if repo.root().is_none() {
        return Err(Error::new("this is a bare repository: hooks need a work tree"));
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
    }
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
    let Some(run) = engine::run(&inputs)? else { return Ok(ExitCode::SUCCESS) };
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
    let inputs = Inputs {
        commits: CommitSelection::Message { bytes, shown: shown.display().to_string() },
        ..hook_inputs(ctx, FileSource::IndexOrWorkTree(repo.index_path(&ctx.dir)))
    };
    let Some(run) = engine::run(&inputs)? else { return Ok(ExitCode::SUCCESS) };
    let failed = report_findings(ctx, &run);
    if failed {
        let file = shown.display();
        eprint!(
            "plan-lint: commit rejected. Your message is kept in {file}; edit it and commit again with\n\
             \n    git commit -e -F {file}\n\n\
             (or bypass once with `git commit --no-verify`).\n"
        );
    }
    Ok(ExitCode::from(u8::from(failed)))
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
    // A merge or squash message is git's own; never add to it.
    if matches!(source.as_deref(), Some("merge" | "squash")) {
        return Ok(ExitCode::SUCCESS);
    }
    // `--amend`, `-c` or `-C` with no editor (`--no-edit`: git runs the hook with
    // `GIT_EDITOR=:`): the message is stored as it is, and nobody asked to change it.
    if source.as_deref() == Some("commit") && std::env::var("GIT_EDITOR").is_ok_and(|e| e == ":") {
        return Ok(ExitCode::SUCCESS);
    }
    // No registry, or a broken one (the other hooks report it): this hook only helps.
    let Some(registry) = engine::hook_registry(repo, dir) else { return Ok(ExitCode::SUCCESS) };
    if !registry.branch_trailer {
        return Ok(ExitCode::SUCCESS);
    }
    let Some(branch) = repo.branch_name() else { return Ok(ExitCode::SUCCESS) };
    let ids: Vec<&str> = registry.in_play().map(|p| p.id.as_str()).filter(|id| names_promise(&branch, id)).collect();
    let [id] = ids.as_slice() else { return Ok(ExitCode::SUCCESS) };

    // This hook only helps: a message it cannot read (or an absurd one) is left to commit-msg.
    let Ok(bytes) = crate::files::read_input(path, "a commit message") else { return Ok(ExitCode::SUCCESS) };
    let comment = message::comment_string(repo.config_string("core.commentChar").as_deref(), &bytes);
    let cleaned = message::clean(&bytes, Cleanup::Strip, &comment);
    let block = trailers::parse(&cleaned, &Options { comment: comment.clone(), ..Options::log() });
    // A message that already names a promise, or declares an exception, says what it serves.
    if block.trailers.iter().any(|t| t.key_is("promise") || t.key_is("untraced")) {
        return Ok(ExitCode::SUCCESS);
    }
    let updated = trailers::insert(&bytes, &format!("Promise: {id}"), &comment);
    write_atomically(path, &updated)?;
    Ok(ExitCode::SUCCESS)
}

/// Whether `branch` names promise `id` as a whole word: `find-and-buy/paypal`,
/// `feat/find-and-buy-paypal`, but not `refind-and-buyer`.
pub(crate) fn names_promise(branch: &str, id: &str) -> bool {
    let b = branch.as_bytes();
    branch.match_indices(id).any(|(i, _)| {
        let before = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        let end = i + id.len();
        let after = end == b.len() || !b[end].is_ascii_alphanumeric();
        before && after
    })
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
    let Some(run) = engine::run(&inputs)? else { return Ok(ExitCode::SUCCESS) };
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
    fn branch_names() {
        assert!(names_promise("find-and-buy/paypal", "find-and-buy"));
        assert!(names_promise("feat/find-and-buy-paypal", "find-and-buy"));
        assert!(names_promise("find-and-buy", "find-and-buy"));
        assert!(!names_promise("refind-and-buyer", "find-and-buy"));
        assert!(!names_promise("main", "find-and-buy"));
    }
}
