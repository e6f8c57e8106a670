//! History, the hot path: this thread walks ([`crate::git::walk::Walker`], one read per commit)
//! and hands raw commits in chunks over a bounded channel to workers (one per core, at most
//! four) that scan and judge them; with a window, a thread of its own looks up the watched
//! entries of the mainline's trees as the walk runs. A commit's text is kept only when it has
//! findings, so memory stays flat however long the history.

use super::commits::{class, needs_then};
use super::suggest::MAX_SUGGESTIONS;
use super::window::Recent;
use super::{Gather, Suggestions};
use crate::error::{Error, Result};
use crate::facts::{BeforeAdoption, CommitFacts, Window};
use crate::files;
use crate::finding::Finding;
use crate::git::walk::{Raw, Walker};
use crate::git::{Oid, RangeSpec, Repo, WATCHED_LOOKUP};
use crate::registry;
use crate::rules::{self, Ctx, Levels, Sink};
use crate::scan::{commit, message};
use crate::source::{Source, SourceKind};
use crate::tally::{Class, Tally};
use std::collections::{HashMap, HashSet};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// Raw commits handed to a worker at a time.
const CHUNK: usize = 256;
/// A chunk of raw commits, numbered in walk order.
type Chunk = (usize, Vec<Raw>);
/// A chunk judged: its number, its tally, the commits that come back.
type Judged = (usize, Tally, Vec<JudgedCommit>);

/// What [`Gather::walk`] found besides findings (kept as it went).
pub(super) struct Walked {
    pub tally: Tally,
    /// With a window: every commit read.
    pub recent: Vec<Recent>,
    /// With a window: the watched entries of the window's trees, looked up while the walk ran.
    pub trees: HashMap<Oid, Vec<Oid>>,
}

/// A commit judged on a worker: its id, its facts when they are still needed (findings, or a
/// look-up of the registry as it saw it), and its findings.
/// A commit judged on a worker, as it waits for the walk to end.
enum JudgedCommit {
    /// Its findings, with only what they point into kept (the subject, the labelled lines).
    /// Its tree, for an untraced commit: whether it predates the registry is read there.
    Found { oid: Oid, subject: String, text: String, untraced: bool, tree: Option<Oid>, found: Vec<Finding> },
    /// It names a promise not in play now: judged on the walking thread, with the registry as
    /// the commit saw it.
    Later { oid: Oid, facts: Box<CommitFacts> },
}

impl Gather<'_> {
    /// Read and judge commits from history, as the walk yields them (see the module docs).
    /// Trailers are read as `git log` reads them, with the repository's comment character
    /// (`auto` means `#` outside of `git commit`, as in git).
    pub(super) fn walk(
        &mut self,
        repo: &Repo,
        range: &RangeSpec,
        window: Option<Window>,
        watched: &[String],
    ) -> Result<Walked> {
        let comment = message::log_comment_string(repo.config_string("core.commentChar").as_deref());
        let mut walker = repo.walk(&range.tips, window.map(|w| w.since))?;
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Chunk>(workers * 4);
        let chunk_rx = Arc::new(Mutex::new(chunk_rx));
        let (result_tx, result_rx) = mpsc::channel::<Judged>();
        // With a window, the watched entries of each commit's tree are looked up on a thread of
        // their own (its own handle on the repository) while the walk runs.
        let look_up = window.is_some() && watched.len() <= WATCHED_LOOKUP;
        let (tree_tx, tree_rx) = mpsc::channel::<Oid>();
        let (ctx, levels, comment) = (self.ctx, self.levels, &comment);
        let (walked, seen, trees, counted) = std::thread::scope(|scope| {
            let trees = if look_up {
                let git_dir = repo.git_dir().to_path_buf();
                Some(scope.spawn(move || look_up_trees(&git_dir, watched, tree_rx)))
            } else {
                drop(tree_rx);
                None
            };
            let mut counting = Vec::with_capacity(workers);
            for _ in 0..workers {
                let (chunk_rx, result_tx) = (Arc::clone(&chunk_rx), result_tx.clone());
                counting.push(scope.spawn(move || work(&chunk_rx, &result_tx, ctx, levels, comment)));
            }
            drop(result_tx);
            // Only a walk with excluded tips can yield a commit it later finds excluded.
            let limited = range.tips.iter().any(|&(_, excluded)| excluded);
            let feed = Feed { window, limited, look_up, chunks: chunk_tx, trees: tree_tx, seen: Seen::default() };
            let (walked, seen) = feed.run(&mut walker);
            let trees = trees.and_then(|t| t.join().ok()).unwrap_or_default();
            // The walk has ended and the channel with it: each worker returns what it counted.
            let counted: Vec<Tally> =
                counting.into_iter().map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect();
            (walked, seen, trees, counted)
        });
        walked?;
        walker.close_packs();
        if walker.crossed_shallow() {
            return Err(Error::new(format!(
                "the commits of {} reach past the history of this shallow clone",
                range.describe
            ))
            .with_help(crate::git::FETCH_HISTORY));
        }
        let known = registry_in_trees(watched, &seen.recent, &trees);
        let mut tally = self.take_judged(repo, &walker, range, (result_rx, counted), &known, comment)?;
        // Walked before skewed dates revealed them as excluded: rare, so read again to take back.
        for oid in seen.yielded.into_iter().filter(|&oid| walker.is_uninteresting(oid)) {
            let raw = repo.raw_commit(oid)?;
            let facts = scan_commit(&raw, ctx, comment);
            count_commit(&mut tally, &raw, &facts, &class(&facts, ctx), Count::TakeBack);
        }
        tally.merge(Tally::default());
        let mut recent = seen.recent;
        recent.retain(|r| !walker.is_uninteresting(r.oid));
        Ok(Walked { tally, recent, trees })
    }

    /// The workers' results, in walk order: what each counted merged with the lists of each
    /// chunk in order, their findings kept (with the registry as a commit saw it, or a
    /// suggestion, where needed).
    fn take_judged(
        &mut self,
        repo: &Repo,
        walker: &Walker,
        range: &RangeSpec,
        (results, counted): (mpsc::Receiver<Judged>, Vec<Tally>),
        known: &HashMap<Oid, bool>,
        comment: &[u8],
    ) -> Result<Tally> {
        let (ctx, levels) = (self.ctx, self.levels);
        let mut judged: Vec<Judged> = results.into_iter().collect();
        judged.sort_by_key(|(index, _, _)| *index);
        let mut tally = Tally::default();
        judged.iter_mut().map(|(_, t, _)| std::mem::take(t)).chain(counted).for_each(|t| tally.merge(t));
        if self.inputs.commit_findings == super::CommitFindings::Elsewhere {
            return Ok(tally);
        }
        let (predate, added_by) = predating(repo, ctx, &judged, known);
        let mut before: Option<BeforeAdoption> = None;
        // Untraced: what says which promise the first few serve (the branch, the pull request,
        // the range's other commits, the paths they touched: looked up at once), judged again
        // with it. Bounded: help for the first few is enough; a history can hold thousands.
        let limit = match self.inputs.suggestions {
            Suggestions::FromHistory => MAX_SUGGESTIONS,
            Suggestions::Off => 0,
        };
        let candidates = to_suggest(&judged, walker, &predate, limit);
        let mut suggested = if candidates.is_empty() {
            HashMap::new()
        } else {
            self.suggestions(repo, range, &candidates, &tally, comment)
        };
        let mut then = StatusThen::default();
        for (_, _, commits) in judged {
            for judged in commits {
                let (oid, subject, text, found) = match judged {
                    JudgedCommit::Later { oid, mut facts } => {
                        // Walked before skewed dates revealed it as excluded: taken back, as git does.
                        if walker.is_uninteresting(oid) {
                            continue;
                        }
                        facts.in_play_then = Some(then.in_play(repo, oid, ctx.registry));
                        let mut sink = Sink::new(levels);
                        rules::judge_commit(ctx, &facts, &mut sink);
                        let found = sink.take();
                        (oid, facts.subject, facts.text, found)
                    }
                    JudgedCommit::Found { oid, .. } if walker.is_uninteresting(oid) => continue,
                    JudgedCommit::Found { oid, .. } if predate.contains(&oid) => {
                        count_before(&mut before, oid);
                        continue;
                    }
                    JudgedCommit::Found { oid, subject, text, found, .. } => match suggested.remove(&oid) {
                        Some((facts, found)) => {
                            tally.likely.extend(facts.likely_promise.map(|l| (oid.to_string(), (l.id, l.why))));
                            (oid, facts.subject, facts.text, found)
                        }
                        None => (oid, subject, text, found),
                    },
                };
                let found = if ctx.registry.scopes.any() && !found.is_empty() {
                    self.in_scopes(repo, oid, found, comment)?
                } else {
                    found
                };
                if found.is_empty() {
                    continue;
                }
                let kind = SourceKind::Commit { sha: oid.to_string(), subject };
                self.keep(Source::new(kind, labelled_part(text, &found)), found);
            }
        }
        if let Some(mut b) = before {
            b.added_by = added_by.map(|oid| oid.to_string());
            let mut sink = Sink::new(levels);
            rules::judge_history(ctx, &b, &mut sink);
            self.read.findings.extend(sink.take());
        }
        Ok(tally)
    }
}

/// The first `limit` untraced commits, in walk order, that are judged one by one.
fn to_suggest(judged: &[Judged], walker: &Walker, predate: &HashSet<Oid>, limit: usize) -> Vec<Oid> {
    judged
        .iter()
        .flat_map(|(_, _, commits)| commits)
        .filter_map(|j| match j {
            JudgedCommit::Found { oid, untraced: true, .. }
                if !walker.is_uninteresting(*oid) && !predate.contains(oid) =>
            {
                Some(*oid)
            }
            _ => None,
        })
        .take(limit)
        .collect()
}

/// How far back HEAD's first-parent line is followed to find the commit that added
/// promises.toml.
const ADDED_BY_LOOKBACK: usize = 1_000_000;

/// Untraced commits from before promises.toml existed, when no adoption point is set: told as
/// one story (`BeforeAdoption`), not judged one by one, with the commit that added it. One tree
/// read per untraced commit, but for those `known` answers for (whether their tree holds
/// promises.toml); then only those that are history before that commit (a later commit that
/// deleted or lacks the file is judged one by one).
fn predating(repo: &Repo, ctx: &Ctx, judged: &[Judged], known: &HashMap<Oid, bool>) -> (HashSet<Oid>, Option<Oid>) {
    if ctx.registry.since.is_some() {
        return (HashSet::new(), None);
    }
    let mut without = HashSet::new();
    let untraced: Vec<(Oid, Option<Oid>)> = judged
        .iter()
        .flat_map(|(_, _, commits)| commits)
        .filter_map(|j| match j {
            JudgedCommit::Found { oid, untraced: true, tree, .. } => match known.get(oid) {
                Some(&has) => {
                    if !has {
                        without.insert(*oid);
                    }
                    None
                }
                None => Some((*oid, *tree)),
            },
            _ => None,
        })
        .collect();
    if !untraced.is_empty() {
        without.extend(repo.made_without(&untraced, registry::FILE_NAME));
    }
    if without.is_empty() {
        return (without, None);
    }
    repo.before_added(registry::FILE_NAME, without, ADDED_BY_LOOKBACK)
}

/// With a window: whether each mainline commit's tree holds promises.toml, from the entries
/// looked up while the walk ran, so that [`predating`] reads no tree for them.
fn registry_in_trees(watched: &[String], recent: &[Recent], trees: &HashMap<Oid, Vec<Oid>>) -> HashMap<Oid, bool> {
    let Ok(at) = watched.binary_search_by(|p| p.as_str().cmp(registry::FILE_NAME)) else {
        return HashMap::new();
    };
    recent.iter().filter_map(|r| Some((r.oid, !trees.get(&r.tree?)?.get(at)?.is_zero()))).collect()
}

/// Count one more commit from before adoption; in walk order the first is the newest and the
/// last the oldest.
fn count_before(before: &mut Option<BeforeAdoption>, oid: Oid) {
    let sha = oid.to_string();
    let b = before.get_or_insert_with(|| BeforeAdoption {
        count: 0,
        newest: sha.clone(),
        oldest: sha.clone(),
        added_by: None,
    });
    b.count += 1;
    b.oldest = sha;
}

/// A worker: judge chunks until the walk ends (or the walking thread stops listening). Its
/// counts (per promise, per author, per week) are summed here as it goes and returned at the
/// end; only what must stay in walk order (the declared exceptions, the untraced commits) goes
/// back with each chunk. A chunk's counts kept until the walk ends would hold, per chunk, a map
/// for every promise it served: hundreds of chunks on a long history.
fn work(
    chunks: &Mutex<mpsc::Receiver<Chunk>>,
    results: &mpsc::Sender<Judged>,
    ctx: &Ctx,
    levels: &Levels,
    comment: &[u8],
) -> Tally {
    let mut counted = Tally::default();
    loop {
        let next = chunks.lock().map(|rx| rx.recv());
        let Ok(Ok((index, commits))) = next else { return counted };
        let (mut tally, judged) = judge_chunk(&commits, ctx, levels, comment);
        let in_order = Tally {
            declared: std::mem::take(&mut tally.declared),
            untraced_by: std::mem::take(&mut tally.untraced_by),
            likely: std::mem::take(&mut tally.likely),
            ..Tally::default()
        };
        counted.merge(tally);
        if results.send((index, in_order, judged)).is_err() {
            return counted;
        }
    }
}

/// The look-up thread: the watched entries of each tree it is sent, with its own handle on the
/// repository.
fn look_up_trees(git_dir: &std::path::Path, watched: &[String], trees: mpsc::Receiver<Oid>) -> HashMap<Oid, Vec<Oid>> {
    let mut found: HashMap<Oid, Vec<Oid>> = HashMap::new();
    let Some(repo) = Repo::open(git_dir) else { return found };
    let entries = repo.watched(watched);
    for tree in trees {
        found.entry(tree).or_insert_with(|| entries.entries(Some(tree)));
    }
    found
}

/// What the walking thread saw, besides the chunks it sent.
#[derive(Default)]
struct Seen {
    /// Commits yielded, with excluded tips (a walk can yield one it later finds excluded).
    yielded: Vec<Oid>,
    /// With a window: every commit read.
    recent: Vec<Recent>,
    /// The mainline's next commits (first parents of mainline commits), and every parent seen.
    mainline_next: HashSet<Oid>,
    child_of: HashSet<Oid>,
}

/// The walking thread's ends of the channels: chunks to the workers, mainline trees to the
/// look-up thread. Both close when [`Feed::run`] returns.
struct Feed {
    window: Option<Window>,
    limited: bool,
    look_up: bool,
    chunks: mpsc::SyncSender<Chunk>,
    trees: mpsc::Sender<Oid>,
    seen: Seen,
}

impl Feed {
    /// Walk to the end (or the first error), sending chunks of raw commits.
    fn run(mut self, walker: &mut Walker) -> (Result<()>, Seen) {
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut index = 0;
        let mut result = Ok(());
        let mut progress = crate::progress::Progress::new("commits");
        loop {
            match walker.next_commit() {
                Ok(Some(raw)) => {
                    // The walker stops at `since` as git does; `until` only hides newer ones.
                    if self.window.is_some_and(|w| raw.header.time > w.until) {
                        continue;
                    }
                    self.note(&raw);
                    chunk.push(raw)
                }
                Ok(None) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
            if chunk.len() == CHUNK {
                if self.chunks.send((index, std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))).is_err() {
                    break;
                }
                index += 1;
                progress.update(index * CHUNK);
            }
        }
        if !chunk.is_empty() && result.is_ok() {
            let _ = self.chunks.send((index, chunk));
        }
        (result, self.seen)
    }

    /// What the run keeps of a walked commit: its id when it may be taken back, and with a
    /// window what the window facts need (its tree looked up when it is on the mainline).
    fn note(&mut self, raw: &Raw) {
        if self.limited {
            self.seen.yielded.push(raw.oid);
        }
        if self.window.is_none() {
            return;
        }
        // A tip (no child walked) or the first parent of a mainline commit: only mainline
        // trees are read (see `window_facts`).
        let (h, seen) = (&raw.header, &mut self.seen);
        let mainline = seen.mainline_next.remove(&raw.oid) || !seen.child_of.contains(&raw.oid);
        seen.child_of.extend(h.parents.iter().copied());
        if mainline {
            seen.mainline_next.extend(h.first_parent);
            if let (true, Some(tree)) = (self.look_up, h.tree) {
                let _ = self.trees.send(tree);
            }
        }
        seen.recent.push(Recent { oid: raw.oid, time: h.time, tree: h.tree, parent: h.first_parent, mainline });
    }
}

/// The part of a commit message its findings point into, through the line after the last
/// label (the context a snippet shows): a history of long messages, all untraced, keeps one
/// line each instead of every message whole.
fn labelled_part(mut text: String, found: &[Finding]) -> String {
    let end = found.iter().flat_map(|f| f.labels.iter().map(|l| l.span.end)).max().unwrap_or(0).min(text.len());
    let mut cut = end;
    for _ in 0..2 {
        match text[cut..].find('\n') {
            Some(i) => cut += i + 1,
            None => return text,
        }
    }
    text.truncate(cut);
    text.shrink_to_fit();
    text
}

/// A commit's facts as the scope judging reads them (its ids canonical).
pub(super) fn scan_commit(raw: &Raw, ctx: &Ctx, comment: &[u8]) -> CommitFacts {
    let message = &raw.data[raw.header.message..];
    let mut facts = commit::read(
        Some(raw.oid.to_string()),
        raw.header.parent_count,
        message,
        ctx.registry.exempt_subjects.all(),
        comment,
    );
    super::scopes::canonical(ctx.registry, &mut facts);
    facts
}

/// Scan, count and judge a chunk of raw commits (on a worker). Only commits with findings, or
/// that need the registry as they saw it, come back, with their facts.
fn judge_chunk(commits: &[Raw], ctx: &Ctx, levels: &Levels, comment: &[u8]) -> (Tally, Vec<JudgedCommit>) {
    let mut tally = Tally::default();
    let mut out = Vec::new();
    let mut sink = Sink::new(levels);
    for raw in commits {
        let facts = scan_commit(raw, ctx, comment);
        let class = class(&facts, ctx);
        count_commit(&mut tally, raw, &facts, &class, Count::Add);
        if needs_then(ctx.registry, &facts) {
            out.push(JudgedCommit::Later { oid: raw.oid, facts: Box::new(facts) });
            continue;
        }
        rules::judge_commit(ctx, &facts, &mut sink);
        let mut found = sink.take();
        if !found.is_empty() {
            found.shrink_to_fit();
            // Kept until the walk ends: only what the findings point into, so a history where
            // every commit has a finding costs a line each, not each message and its trailers.
            let untraced = class == Class::Untraced;
            let text = labelled_part(facts.text, &found);
            let tree = if untraced { raw.header.tree } else { None };
            out.push(JudgedCommit::Found { oid: raw.oid, subject: facts.subject, text, untraced, tree, found });
        }
    }
    out.shrink_to_fit();
    (tally, out)
}

/// Whether a commit is counted, or taken back (walked before skewed dates revealed it as
/// excluded).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Count {
    Add,
    TakeBack,
}

/// Count a commit, or take it back.
pub(super) fn count_commit(tally: &mut Tally, raw: &Raw, facts: &CommitFacts, class: &Class, count: Count) {
    let sign = match count {
        Count::Add => 1,
        Count::TakeBack => -1,
    };
    let time = raw.header.time;
    if *class == Class::Exception {
        let sha = facts.sha.clone().unwrap_or_default();
        if count == Count::Add {
            let reason = facts.exception.as_ref().map(|(r, _)| r.clone()).unwrap_or_default();
            let subject = facts.subject.clone();
            tally.declared.push(crate::tally::Declared { sha, subject, reason, time });
        } else {
            tally.declared.retain(|d| d.sha != sha);
        }
    }
    let author = String::from_utf8_lossy(&raw.data[raw.header.author.clone()]);
    if *class == Class::Untraced {
        let sha = facts.sha.clone().unwrap_or_default();
        if count == Count::Add {
            tally.untraced_by.push(crate::tally::UntracedBy { sha, author: author.to_string(), time });
        } else {
            tally.untraced_by.retain(|u| u.sha != sha);
        }
    }
    tally.add(class, time, &author, sign);
}

/// Promises in play as a commit saw them: the registry in its tree and its first parent's
/// (a commit that finishes a promise, or was made while it was in play, is not work off the
/// plan), cached by blob (a registry changes rarely).
#[derive(Default)]
pub(super) struct StatusThen {
    by_blob: HashMap<Oid, Vec<String>>,
}

impl StatusThen {
    /// With scopes, every listed scope's registry as the commit saw it, its ids as `registry`
    /// (the scope judging) names them: its own short, the others' qualified.
    fn in_play(&mut self, repo: &Repo, oid: Oid, registry: &registry::Registry) -> Vec<String> {
        let mut ids = self.in_play_of(repo, repo.entries_as_seen_by(oid, registry::FILE_NAME));
        for member in &registry.scopes.members {
            let file = format!("{member}/{}", registry::FILE_NAME);
            let own = *member == registry.scopes.path;
            for id in self.in_play_of(repo, repo.entries_as_seen_by(oid, &file)) {
                ids.push(if own { id } else { registry::Scopes::qualify(member, &id) });
            }
        }
        ids
    }

    /// With scopes: the promises in play in every listed scope's registry in one commit's own
    /// tree (HEAD, for the commit being made), named as `registry` names them.
    pub(super) fn in_play_in_scopes(repo: &Repo, oid: Oid, registry: &registry::Registry) -> Vec<String> {
        let mut then = StatusThen::default();
        let mut at =
            |file: &str| then.in_play_of(repo, repo.entry_in_commit(oid, file).ok().flatten().into_iter().collect());
        let mut ids = at(registry::FILE_NAME);
        for member in &registry.scopes.members {
            let own = *member == registry.scopes.path;
            for id in at(&format!("{member}/{}", registry::FILE_NAME)) {
                ids.push(if own { id } else { registry::Scopes::qualify(member, &id) });
            }
        }
        ids
    }

    /// Promises in play in one commit's own tree (a pull request's base).
    pub(super) fn in_play_at(repo: &Repo, oid: Oid) -> Vec<String> {
        let blobs = repo.entry_in_commit(oid, registry::FILE_NAME).ok().flatten();
        StatusThen::default().in_play_of(repo, blobs.into_iter().collect())
    }

    fn in_play_of(&mut self, repo: &Repo, blobs: Vec<Oid>) -> Vec<String> {
        let mut out = Vec::new();
        for blob in blobs {
            let ids = self.by_blob.entry(blob).or_insert_with(|| {
                files::registry_in_blob(repo, blob)
                    .map(|r| r.in_play().map(|p| p.id.clone()).collect())
                    .unwrap_or_default()
            });
            out.extend(ids.iter().filter(|id| !out.contains(*id)).cloned().collect::<Vec<_>>());
        }
        out
    }
}
