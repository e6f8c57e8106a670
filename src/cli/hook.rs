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
use crate::error::{Error, Result};
use crate::facts::{self, Commits, Facts, FileSource, Files};
use crate::finding::{Finding, Severity};
use crate::git::Repo;
use crate::glob::Glob;
use crate::registry::{self, Registry};
use crate::report::{self, Summary};
use crate::rules::{self, Parts};
use crate::scan::message::{self, Cleanup};
use crate::scan::trailers::{self, Options};
use crate::source::{Source, SourceKind, Sources};
use std::collections::HashSet;
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
    let root = repo.root().ok_or_else(|| Error::new("this is a bare repository: hooks need a work tree"))?;
    match hook {
        Hook::PreCommit => pre_commit(ctx, &repo, &root),
        Hook::CommitMsg { file } => commit_msg(ctx, &repo, &root, &ctx.dir.join(&file), &file),
        Hook::PrepareCommitMsg { file, source, .. } => {
            // The pre-commit framework passes the source in the environment.
            let source = source.or_else(|| std::env::var("PRE_COMMIT_COMMIT_MSG_SOURCE").ok());
            prepare_commit_msg(ctx, &repo, &root, &ctx.dir.join(file), source)
        }
        Hook::PrePush { remote, .. } => {
            let remote = remote.or_else(|| std::env::var("PRE_COMMIT_REMOTE_NAME").ok());
            pre_push(ctx, &repo, &root, remote.as_deref().unwrap_or("origin"))
        }
    }
}

/// The registry git is committing: staged if the index has one, else the work tree's. `None`
/// when there is none at all: plan-lint is not in use here.
fn registry_files<'r>(ctx: &Ctx, repo: &'r Repo, root: &Path) -> Result<Option<Files<'r>>> {
    let staged = Files::open(&FileSource::Index(repo.index_path(&ctx.dir)), root, Some(repo))?;
    if staged.has(registry::FILE_NAME) {
        return Ok(Some(staged));
    }
    let work = Files::open(&FileSource::WorkTree, root, Some(repo))?;
    Ok(work.has(registry::FILE_NAME).then_some(work))
}

fn pre_commit(ctx: &Ctx, repo: &Repo, root: &Path) -> Result<ExitCode> {
    // This hook reads a few trees and blobs, never history: the object cache cannot grow, and it
    // saves re-reading HEAD's trees for every path compared.
    git2::opts::enable_caching(true);
    let files = Files::open(&FileSource::Index(repo.index_path(&ctx.dir)), root, Some(repo))?;
    let index = files.index().expect("opened from an index");
    let head_tree = repo.repo.head().ok().and_then(|h| h.peel_to_tree().ok());
    let head_blob = |path: &str| head_tree.as_ref().and_then(|t| t.get_path(Path::new(path)).ok()).map(|e| e.id());
    let staged_registry = index.get_path(Path::new(registry::FILE_NAME), 0);
    let head_registry = head_blob(registry::FILE_NAME);
    if staged_registry.is_none() && head_registry.is_none() {
        return Ok(ExitCode::SUCCESS);
    }
    // Relevant: the registry or a plan document differs between HEAD and the index.
    let mut sources = Sources::default();
    let (registry, registry_id) = facts::read_registry(&files, None, &mut sources)?;
    let globs: Vec<Glob> =
        registry.plan_globs.iter().chain(&registry.issue_globs).filter_map(|g| Glob::new(g).ok()).collect();
    let changed = |path: &str, id: git2::Oid| head_blob(path) != Some(id);
    // What this commit changes: the registry (then every plan must be judged again against it),
    // or some plan documents (then only those: problems already committed are CI's to report,
    // not a reason to block unrelated work).
    let registry_changed = staged_registry.as_ref().is_none_or(|e| changed(registry::FILE_NAME, e.id));
    let changed_plans: HashSet<String> = index
        .iter()
        .filter_map(|e| {
            let p = std::str::from_utf8(&e.path).ok()?;
            (globs.iter().any(|g| g.is_match(p)) && changed(p, e.id)).then(|| p.to_string())
        })
        .collect();
    if !registry_changed && changed_plans.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    // Plan findings depend on the registry only through its ids and statuses, rule levels and
    // plan patterns: an edit to anything else (outcomes, statements, priorities, limits) cannot
    // change them, and the plans need not be judged again.
    // When only statuses change, only the documents with open items under those promises can
    // judge differently (not-in-play, done-with-open-items); the cache knows which.
    let before = if registry_changed {
        head_registry.and_then(|oid| repo.repo.find_blob(oid).ok()).and_then(|blob| {
            let text = std::str::from_utf8(blob.content()).ok()?.to_string();
            Registry::parse(&Source::file(registry::FILE_NAME, text)).ok()
        })
    } else {
        None
    };
    let mentioning = match (&before, registry_changed) {
        (_, false) => Some(Vec::new()),
        (Some(before), true) => registry.status_changes(before),
        (None, true) => None,
    };
    let mut skipped = Vec::new();
    let mut judged = changed_plans.clone();
    let mut cache = None;
    // Every plan and issue document in the index, with its content's id.
    let documents: Vec<(String, git2::Oid)> = index
        .iter()
        .filter_map(|e| {
            let p = std::str::from_utf8(&e.path).ok()?;
            globs.iter().any(|g| g.is_match(p)).then(|| (p.to_string(), e.id))
        })
        .collect();
    if let Some(statuses) = mentioning.as_ref().filter(|m| !m.is_empty()) {
        let known = crate::cache::OpenItems::load(repo.repo.commondir());
        for (path, oid) in &documents {
            if known.get(*oid).is_none_or(|ids| ids.iter().any(|id| statuses.contains(id))) {
                judged.insert(path.clone());
            }
        }
        cache = Some(known);
    }
    let only = mentioning.is_some().then_some(&judged);
    let mut plans = facts::read_plans_only(&files, &registry, only, cache.is_some(), &mut sources, &mut skipped);
    if let Some(statuses) = mentioning.as_ref().filter(|m| !m.is_empty()) {
        // Documents judged again for a status change report only what that change causes;
        // their other problems were there before this commit.
        plans.findings.retain(|f| {
            let staged = f.source.is_some_and(|id| match &sources.get(id).kind {
                SourceKind::File { path } => changed_plans.contains(path),
                _ => true,
            });
            staged || f.promises.iter().any(|p| statuses.contains(p))
        });
    }
    if let Some(mut cache) = cache {
        let mut open: std::collections::HashMap<&str, Vec<String>> =
            judged.iter().map(|p| (p.as_str(), Vec::new())).collect();
        for item in plans.list.iter().filter(|i| !i.done) {
            open.entry(item.path.as_str()).or_default().extend(item.promises.iter().cloned());
        }
        for (path, oid) in &documents {
            if let Some(ids) = open.remove(path.as_str()) {
                cache.insert(*oid, ids);
            }
        }
        cache.save(&documents.iter().map(|(_, oid)| *oid).collect());
    }
    let facts = Facts {
        sources,
        registry,
        registry_source: registry_id,
        plans,
        commits: None,
        skipped,
        bodies: Default::default(),
        window: None,
    };
    let findings = rules::evaluate_parts(&facts, &rules::levels_for(&facts.registry, &[]), Parts::FILES);
    let failed = report_findings(ctx, &facts, &findings);
    if failed {
        eprintln!(
            "plan-lint: commit blocked by the staged plan above. Fix it and `git add` the fix \
             (unstaged changes do not count), or bypass once with `git commit --no-verify`."
        );
    }
    Ok(ExitCode::from(u8::from(failed)))
}

fn commit_msg(ctx: &Ctx, repo: &Repo, root: &Path, path: &Path, shown: &Path) -> Result<ExitCode> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(format!("could not read {}", path.display()), &e))?;
    let Some(files) = registry_files(ctx, repo, root)? else { return Ok(ExitCode::SUCCESS) };
    let mut sources = Sources::default();
    let (registry, registry_id) = facts::read_registry(&files, None, &mut sources)?;
    // Clean the message as `git commit` will, then read its trailers as `git log` will.
    let comment_char = repo.config_string("core.commentChar");
    let comment = message::comment_string(comment_char.as_deref(), &bytes);
    let mode = Cleanup::from_config(repo.config_string("commit.cleanup").as_deref(), message::was_edited(&bytes));
    let cleaned = message::clean(&bytes, mode, &comment);
    let log_comment = message::log_comment_string(comment_char.as_deref());
    let parents = if repo.is_merging() { 2 } else { 1 };
    let kind = SourceKind::Message { path: shown.display().to_string() };
    let commit = facts::commit_facts(None, parents, &cleaned, kind, &registry, &log_comment);
    let mut findings = Vec::new();
    rules::commits::check_commit(&commit, &registry, &mut findings);
    // A commit that takes a promise out of play (marks it done) is still work on it: in play in
    // HEAD's registry is in play enough.
    if findings.iter().any(|f| f.code == rules::Code::NotInPlay) {
        let head = repo.repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        let before = head
            .and_then(|t| t.get_path(Path::new(registry::FILE_NAME)).ok())
            .and_then(|e| repo.repo.find_blob(e.id()).ok())
            .and_then(|b| Registry::parse(&Source::file("", String::from_utf8_lossy(b.content()).into_owned())).ok());
        if let Some(before) = before {
            let was_in_play = |id: &String| before.promise(id).is_some_and(|p| p.status == registry::Status::InPlay);
            findings.retain(|f| f.code != rules::Code::NotInPlay || !f.promises.iter().all(was_in_play));
        }
    }
    let mut tally = crate::tally::Tally::default();
    tally.add(&commit.class(), 0, "", 1);
    let id = sources.add(commit.into_source());
    for f in &mut findings {
        f.source = Some(id);
    }
    let facts = Facts {
        sources,
        registry,
        registry_source: registry_id,
        plans: Default::default(),
        commits: Some(Commits { describe: "the commit being made".into(), count: 1, tally, findings }),
        skipped: Vec::new(),
        bodies: Default::default(),
        window: None,
    };
    let findings = rules::evaluate_parts(&facts, &rules::levels_for(&facts.registry, &[]), Parts::COMMITS);
    let failed = report_findings(ctx, &facts, &findings);
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
fn report_findings(ctx: &Ctx, facts: &Facts, findings: &[Finding]) -> bool {
    if findings.is_empty() {
        return false;
    }
    let summary = Summary::new(facts, findings);
    let text = report::human::render(facts, findings, &summary, ctx.style);
    let _ = std::io::stderr().write_all(text.as_bytes());
    findings.iter().any(|f| f.severity == Severity::Error)
}

fn prepare_commit_msg(ctx: &Ctx, repo: &Repo, root: &Path, path: &Path, source: Option<String>) -> Result<ExitCode> {
    // A merge or squash message is git's own; never add to it.
    if matches!(source.as_deref(), Some("merge" | "squash")) {
        return Ok(ExitCode::SUCCESS);
    }
    let Some(files) = registry_files(ctx, repo, root)? else { return Ok(ExitCode::SUCCESS) };
    let mut sources = Sources::default();
    let Ok((registry, _)) = facts::read_registry(&files, None, &mut sources) else {
        // A broken registry is reported by the other hooks; this one only helps.
        return Ok(ExitCode::SUCCESS);
    };
    if !registry.branch_trailer {
        return Ok(ExitCode::SUCCESS);
    }
    let Some(branch) = repo.branch_name() else { return Ok(ExitCode::SUCCESS) };
    let ids: Vec<&str> = registry.in_play().map(|p| p.id.as_str()).filter(|id| names_promise(&branch, id)).collect();
    let [id] = ids.as_slice() else { return Ok(ExitCode::SUCCESS) };

    let bytes = std::fs::read(path).map_err(|e| Error::io(format!("could not read {}", path.display()), &e))?;
    let comment = message::comment_string(repo.config_string("core.commentChar").as_deref(), &bytes);
    let cleaned = message::clean(&bytes, Cleanup::Strip, &comment);
    let block = trailers::parse(&cleaned, &Options { comment: comment.clone(), ..Options::log() });
    if block.trailers.iter().any(|t| t.key_is("promise")) {
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

const ZERO: &str = "0000000000000000000000000000000000000000";

fn pre_push(ctx: &Ctx, repo: &Repo, root: &Path, remote: &str) -> Result<ExitCode> {
    let Some(files) = registry_files(ctx, repo, root)? else { return Ok(ExitCode::SUCCESS) };
    let mut sources = Sources::default();
    let (registry, registry_id) = facts::read_registry(&files, None, &mut sources)?;
    let since = facts::resolve_since(repo, &registry, sources.get(registry_id))?;

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
    let mut tally = crate::tally::Tally::default();
    let mut findings = Vec::new();
    for (local, remote_sha) in updates {
        if local.chars().all(|c| c == '0') {
            continue; // a deletion pushes no commits
        }
        let tip = repo.commit_id(&local).map_err(|e| Error::new(format!("bad pushed commit {local}: {e}")))?;
        let known_remote = (remote_sha != ZERO && !remote_sha.is_empty())
            .then(|| repo.commit_id(&remote_sha).ok())
            .flatten()
            .filter(|o| repo.has_commit(*o));
        let range = match known_remote {
            // An update: what is new since the remote's tip.
            Some(base) => repo.resolve(Some(&format!("{base}..{tip}")), since)?,
            // A new branch, or a force push over a tip we do not have: what the remote lacks.
            None => repo.new_to_remote(tip, remote, since)?,
        };
        let read = facts::read_commits(repo, &range, None, &registry, &mut sources)?;
        tally.merge(read.tally);
        findings.extend(read.findings);
    }
    let count = tally.commits;
    if count == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    let facts = Facts {
        sources,
        registry,
        registry_source: registry_id,
        plans: Default::default(),
        commits: Some(Commits { describe: format!("being pushed to {remote}"), count, tally, findings }),
        skipped: Vec::new(),
        bodies: Default::default(),
        window: None,
    };
    let findings = rules::evaluate_parts(&facts, &rules::levels_for(&facts.registry, &[]), Parts::COMMITS);
    let failed = report_findings(ctx, &facts, &findings);
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
