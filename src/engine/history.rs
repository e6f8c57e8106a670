//! The registry's history: the commits that changed promises.toml on the first-parent line
//! (one walk, [`Repo::revisions_of`]), each revision's registry parsed once, and what each
//! changed against the one before, promise by promise.

use crate::facts::{ContractChange, RegistryChange, RegistryHistory, RegistryRevision};
use crate::files;
use crate::git::{Known, Oid, Repo, Revision, Revisions};
use crate::registry::{self, Registry, Status};
use std::collections::{BTreeMap, HashMap};

mod store;

/// At most this many commits are read back along the first-parent line for the board.
pub(super) const LIMIT: usize = 2_000_000;

/// At most this many for a check's suspect links (rule `suspect-link`): a bounded look-back.
pub(super) const CHECK_LIMIT: usize = 20_000;

/// Whether a run needs the history for `suspect-link`: plans are judged (not only the staged
/// ones), and a promise that takes or will take work has no review of its contract as it is.
pub(super) fn wanted(registry: &Registry, plans: &super::PlanScope) -> bool {
    matches!(plans, super::PlanScope::All | super::PlanScope::Only(_))
        && registry.promises.iter().any(crate::registry::Promise::contract_unreviewed)
}

/// Each promise's latest contract change (statement, customer, an outcome's target) after the
/// revision that wrote it down.
pub(super) fn contract_changes(history: &RegistryHistory) -> HashMap<String, ContractChange> {
    let mut out = HashMap::new();
    for r in &history.revisions {
        for c in &r.changes {
            let (Some(what), Some(id)) = (contract_wording(c), c.promise()) else { continue };
            out.insert(id.to_string(), ContractChange { commit: Some((r.commit.clone(), r.time)), what });
        }
    }
    out
}

/// What a change does to its promise's contract, in `suspect-link`'s words; `None` when it
/// leaves the contract as it was.
pub(super) fn contract_wording(c: &RegistryChange) -> Option<String> {
    Some(match c {
        RegistryChange::Statement { .. } => "statement changed".to_string(),
        RegistryChange::Customer { from, to, .. } => {
            format!("customer changed: {} → {}", from.as_deref().unwrap_or("none"), to.as_deref().unwrap_or("none"))
        }
        // A target moved (an outcome added or taken away says how the promise is measured,
        // not what it promises).
        RegistryChange::Target { metric, from: Some(from), to: Some(to), .. } => {
            format!("target of {metric} changed: {from} → {to}")
        }
        _ => return None,
    })
}

/// A registry revision as the history needs it: each promise's contract and status, and the
/// limit. Read leanly (no spans, no validation, no other table): a history of a thousand
/// revisions of a large registry is read in one pass, one revision held at a time.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Snapshot {
    limit: usize,
    /// By id (sorted).
    promises: BTreeMap<String, Terms>,
}

#[derive(Debug, PartialEq)]
struct Terms {
    statement: String,
    customer: Option<String>,
    status: Status,
    /// (metric, target) per outcome, as written.
    targets: Vec<(String, Option<String>)>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawSnapshot {
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    promises: BTreeMap<String, RawTerms>,
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawLimits {
    in_play: Option<i64>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawTerms {
    statement: String,
    customer: Option<String>,
    status: Status,
    #[serde(default)]
    outcomes: Vec<RawOutcome>,
}

#[derive(serde::Deserialize)]
struct RawOutcome {
    metric: Option<String>,
    target: Option<toml::Value>,
}

impl Snapshot {
    /// The snapshot of a registry's text; `None` when it does not read.
    pub(super) fn parse(text: &str) -> Option<Snapshot> {
        let raw: RawSnapshot = toml::from_str(text).ok()?;
        let limit = raw.limits.in_play.and_then(|n| usize::try_from(n).ok()).filter(|&n| n >= 1);
        Some(Snapshot {
            limit: limit.unwrap_or(registry::DEFAULT_IN_PLAY_LIMIT),
            promises: raw
                .promises
                .into_iter()
                .map(|(id, p)| {
                    let targets = p
                        .outcomes
                        .into_iter()
                        .map(|o| {
                            let target = o.target.and_then(|t| match t {
                                toml::Value::String(s) => Some(s),
                                toml::Value::Integer(i) => Some(i.to_string()),
                                toml::Value::Float(f) => Some(f.to_string()),
                                _ => None,
                            });
                            (o.metric.unwrap_or_default(), target)
                        })
                        .collect();
                    (id, Terms { statement: p.statement, customer: p.customer, status: p.status, targets })
                })
                .collect(),
        })
    }

    fn in_play(&self) -> Vec<String> {
        self.promises.iter().filter(|(_, p)| p.status == Status::InPlay).map(|(id, _)| id.clone()).collect()
    }
}

/// The histories read last, by tip and limit: every registry path's. A commit id names its
/// whole history, so the same key is the same history in any repository: `check --all` reads
/// them once for the runs of every scope (each one's `suspect-link` reads its own registry's, a
/// walk of up to [`CHECK_LIMIT`] commits). At most [`MEMO_KEYS`] keys are kept.
static MEMO: std::sync::Mutex<Vec<(MemoKey, HashMap<String, RegistryHistory>)>> = std::sync::Mutex::new(Vec::new());

/// Taken by [`registry_history`] for as long as it reads: `check --all`'s runs of several
/// scopes at once read the histories once between them.
static WALKING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// What names a walk: its tip and its bound.
type MemoKey = (Oid, usize);

const MEMO_KEYS: usize = 2;

/// The registry paths a repository has: the root's `promises.toml` and each listed member's
/// (a member's registry knows the root's list too), sorted.
fn registry_paths(registry: &Registry) -> Vec<String> {
    let mut paths: Vec<String> =
        registry.scopes.members.iter().map(|m| format!("{m}/{}", registry::FILE_NAME)).collect();
    paths.push(registry::FILE_NAME.to_string());
    paths.push(registry.file_path());
    paths.sort_unstable();
    paths.dedup();
    paths
}

/// The history of `registry`'s file (`promises.toml`, or a team's
/// `teams/search/promises.toml`) on the first-parent line from `tip`, oldest first, reading at
/// most `limit` commits. Every registry path of the repository is read in the same walk and
/// kept ([`MEMO`]), and kept between runs in the git directory ([`store`]): a later run walks
/// only the commits newer than a kept tip.
pub(super) fn registry_history(repo: &Repo, tip: Oid, limit: usize, registry: &Registry) -> RegistryHistory {
    history_of(repo, tip, limit, &registry.file_path(), &registry_paths(registry))
}

/// The board's read of the registry's history ([`LIMIT`] from `tip`), on its own thread beside
/// the rest of the run: the walk and the revisions' parsing take one core while the commits
/// are walked on the other. When the repository does not open again there, the history is
/// `None` and the run reads it itself where it needs it.
pub(super) fn read_beside(repo: &Repo, tip: Oid, registry: &Registry) -> Reading {
    let (file, paths, at) = (registry.file_path(), registry_paths(registry), repo.location());
    Reading(Some(std::thread::spawn(move || Some(history_of(&at.open()?, tip, LIMIT, &file, &paths)))))
}

/// A registry history being read ([`read_beside`]), taken once.
pub(super) struct Reading(Option<std::thread::JoinHandle<Option<RegistryHistory>>>);

impl Reading {
    /// The history, once read (waiting for its thread); `None` once taken.
    pub(super) fn take(&mut self) -> Option<RegistryHistory> {
        self.0.take().and_then(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    }
}

impl Drop for Reading {
    /// A run that never asked still waits for the read, which may be writing the kept history.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.take();
        }
    }
}

/// Why a registry's history cannot be judged: the repository lacks an object of it (`missing`).
pub(super) fn unreadable(missing: &str) -> crate::error::Error {
    crate::error::Error::new(format!(
        "cannot read the registry's history: the repository lacks object {}",
        &missing[..missing.len().min(12)]
    ))
    .with_help(
        "a partial clone (`--filter=blob:none` or `tree:0`; on GitHub Actions, actions/checkout's `filter`) \
         lacks old objects that plan-lint's libgit2 cannot fetch on demand; clone without the filter, or \
         see what is missing with `git fsck`",
    )
}

/// [`registry_history`] of the registry at `file`, reading with it every path in `paths`.
fn history_of(repo: &Repo, tip: Oid, limit: usize, file: &str, paths: &[String]) -> RegistryHistory {
    let key = (tip, limit);
    // Held through the walk: a run that asks while another walks waits and finds it kept.
    let _walking = WALKING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let memo = MEMO.lock().ok().and_then(|m| m.iter().find(|(k, _)| *k == key).and_then(|(_, h)| h.get(file).cloned()));
    if let Some(history) = memo {
        return history;
    }
    let mut histories = read_histories(repo, tip, limit, paths);
    let history = histories.get(file).cloned().unwrap_or_default();
    if let Ok(mut m) = MEMO.lock() {
        m.retain(|(k, _)| *k != key);
        m.insert(0, (key, std::mem::take(&mut histories)));
        m.truncate(MEMO_KEYS);
    }
    history
}

/// The history [`registry_history`] gives, when it is at hand without a walk: read already by
/// this process (another scope's run of `check --all`, the board's read before the plans).
pub(super) fn at_hand(tip: Oid, limit: usize, registry: &Registry) -> Option<RegistryHistory> {
    let file = registry.file_path();
    MEMO.lock().ok().and_then(|m| m.iter().find(|(k, _)| *k == (tip, limit)).and_then(|(_, h)| h.get(&file).cloned()))
}

/// The histories of `paths` from `tip`: one walk for all, which stops for a path at a tip whose
/// history of it the store keeps; each revision parsed once.
fn read_histories(repo: &Repo, tip: Oid, limit: usize, paths: &[String]) -> HashMap<String, RegistryHistory> {
    // Only the board (`LIMIT`: `report`, advice) believes a kept history; a check walks.
    #[cfg(test)]
    tests::WALKED.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(tip);
    let mut kept = if limit == LIMIT { store::Store::load(repo) } else { store::Store::load_unbelieved(repo) };
    let known: Vec<Vec<Known>> = paths.iter().map(|p| kept.known(p, limit)).collect();
    let (walks, mut streamed) = walk_parsing(repo, tip, paths, &known, limit);
    if std::env::var_os("PLAN_LINT_DEBUG_HISTORY_STATS").is_some_and(|v| v == "1") {
        // A hidden switch for tests and benchmarks: how far the walk went, how much was parsed.
        let read = walks.iter().map(|w| w.met.map_or(w.read, |(_, k)| k)).max().unwrap_or(0);
        let parsed: usize = walks.iter().map(|w| w.list.len() + usize::from(w.met.is_some_and(|(_, k)| k > 0))).sum();
        eprintln!("registry history: {read} commits read, {parsed} revisions parsed");
    }
    let mut out = HashMap::new();
    let mut changed = false;
    for (i, (path, walk)) in paths.iter().zip(walks).enumerate() {
        let joined = walk.met.and_then(|(at, k)| Some((kept.get(path, at, limit, k)?, k)));
        let parsed = streamed.as_mut().map(|s| std::mem::take(&mut s[i])).filter(|s| s.seen == walk.list.len());
        let entry = match joined {
            Some((old, 0)) => old.clone(),
            Some((old, k)) => match append(repo, tip, limit, old, &walk, k, parsed) {
                Some(entry) => entry,
                // The kept history's last registry does not read: read it all again.
                None => read_one(repo, tip, limit, path),
            },
            None if walk.met.is_some() => read_one(repo, tip, limit, path),
            None => entry_of(repo, tip, limit, &walk, Parser::default(), RegistryHistory::default(), parsed),
        };
        // A tree the walk could not read, or a revision's blob the repository lacks: the history
        // is unknown there (read as empty, a promise's contract would seem new), never kept.
        let missing =
            walk.unreadable.or_else(|| walk.list.iter().map(|r| r.blob).find(|&b| !b.is_zero() && !repo.has_object(b)));
        if let Some(missing) = missing {
            let history = RegistryHistory { unreadable: Some(missing.to_string()), ..entry.history };
            out.insert(path.clone(), history);
            continue;
        }
        out.insert(path.clone(), entry.history.clone());
        // A history kept from this very tip is kept already.
        if !matches!(joined, Some((_, 0))) {
            changed |= kept.put(path, entry);
        }
    }
    if changed {
        kept.save(paths);
    }
    out
}

/// One path's history from `tip`, walked in full.
fn read_one(repo: &Repo, tip: Oid, limit: usize, path: &str) -> store::Entry {
    let walk = repo.revisions_of(tip, path, limit);
    entry_of(repo, tip, limit, &walk, Parser::default(), RegistryHistory::default(), None)
}

/// The walk of [`Repo::revisions_of_all`], with each revision's registry parsed as the walk
/// finds it, on threads of their own (each with its own handle on the repository; one per
/// core), and compared with the next older one as soon as that is parsed: parsing costs as much
/// as the walk, and beside it takes no longer. A revision no thread could parse (none could
/// open the repository) leaves that path's parsing for after the walk.
fn walk_parsing(
    repo: &Repo,
    tip: Oid,
    paths: &[String],
    known: &[Vec<Known>],
    limit: usize,
) -> (Vec<Revisions>, Option<Vec<Streamed>>) {
    type Job = (usize, usize, Revision);
    let at = repo.location();
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).clamp(1, 4);
    let (found, jobs) = std::sync::mpsc::channel::<Job>();
    let jobs = std::sync::Mutex::new(jobs);
    std::thread::scope(|s| {
        let (parsed, results) = std::sync::mpsc::channel::<(Job, Option<Option<Snapshot>>)>();
        for _ in 0..workers {
            let (jobs, parsed, at) = (&jobs, parsed.clone(), at.clone());
            s.spawn(move || {
                let Some(own) = at.open() else { return };
                loop {
                    let job = jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                    let Ok(job) = job else { return };
                    // As `Parser::push_all` reads each: a blob that does not read is empty.
                    let blob = job.2.blob;
                    let read = (!blob.is_zero()).then(|| snapshot(&read_blob(&own, blob).unwrap_or_default()));
                    if parsed.send((job, read)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(parsed);
        // Results come back in about the order sent; each path's are compared in that order.
        let collector = s.spawn(move || {
            let mut out: Vec<Streamed> = paths.iter().map(|_| Streamed::default()).collect();
            let mut early = BTreeMap::new();
            let mut next = 0;
            for ((seq, i, r), read) in results {
                early.insert(seq, (i, r, read));
                while let Some((i, r, read)) = early.remove(&next) {
                    out[i].push(r, read);
                    next += 1;
                }
            }
            out
        });
        let mut seq = 0;
        let walks = repo.revisions_of_all_as_found(tip, paths, known, limit, &mut |i, r| {
            // With no parser left, the parsing is done after the walk.
            let _ = found.send((seq, i, r));
            seq += 1;
        });
        drop(found);
        (walks, collector.join().ok())
    })
}

/// A kept history (from an ancestor `k` commits down) with the revisions newer than its tip:
/// the first new one is compared with the kept history's last registry, read again. `None`
/// when that registry does not read (the kept history was not made from it).
fn append(
    repo: &Repo,
    tip: Oid,
    limit: usize,
    old: &store::Entry,
    walk: &Revisions,
    k: usize,
    parsed: Option<Streamed>,
) -> Option<store::Entry> {
    if !old.complete {
        return None;
    }
    let before = match old.before {
        Some(blob) => Some(snapshot(&read_blob(repo, blob)?)?),
        None => None,
    };
    let parser = Parser { before, before_blob: old.before };
    let mut entry = entry_of(repo, tip, limit, walk, parser, old.history.clone(), parsed);
    (entry.read, entry.complete, entry.history.complete) = (old.read + k, true, true);
    Some(entry)
}

/// The entry for a walk from `tip`: its revisions parsed (oldest first) onto `history`, or
/// as `parsed` compared them already (all but the oldest, compared here with the registry
/// before them).
fn entry_of(
    repo: &Repo,
    tip: Oid,
    limit: usize,
    walk: &Revisions,
    mut parser: Parser,
    mut history: RegistryHistory,
    parsed: Option<Streamed>,
) -> store::Entry {
    history.complete = walk.complete;
    #[cfg(test)]
    if parsed.is_some() {
        tests::STREAMED.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(tip);
    }
    match parsed {
        Some(parsed) => parser.before_blob = parsed.finish(parser.before.take(), parser.before_blob, &mut history),
        None => {
            let oldest_first: Vec<&Revision> = walk.list.iter().rev().collect();
            parser.push_all(repo, &oldest_first, &mut history);
        }
    }
    store::Entry {
        tip,
        blob: walk.blob,
        read: walk.read,
        limit,
        complete: walk.complete,
        before: parser.before_blob,
        history,
    }
}

fn read_blob(repo: &Repo, blob: Oid) -> Option<Vec<u8>> {
    repo.blob(blob, files::MAX_PLAN_BYTES).ok().flatten()
}

fn snapshot(bytes: &[u8]) -> Option<Snapshot> {
    std::str::from_utf8(bytes).ok().and_then(Snapshot::parse)
}

/// The registry before the next revision: the last one that read (none after a deletion).
#[derive(Default)]
struct Parser {
    before: Option<Snapshot>,
    before_blob: Option<Oid>,
}

impl Parser {
    /// Each revision (oldest first) parsed once and compared with the one before.
    fn push_all(&mut self, repo: &Repo, oldest_first: &[&Revision], out: &mut RegistryHistory) {
        // Parsing is most of the cost (a thousand revisions of a registry of 200 promises): a
        // batch of blobs is read here (libgit2 handles stay on this thread) and parsed on every
        // core, so memory holds one batch of snapshots, not the history.
        for batch in oldest_first.chunks(PARSED_AT_ONCE) {
            let blobs: Vec<Option<Vec<u8>>> = batch
                .iter()
                .map(|r| (!r.blob.is_zero()).then(|| read_blob(repo, r.blob).unwrap_or_default()))
                .collect();
            let parsed = super::plans::parallel_map(&blobs, |blob| blob.as_ref().map(|bytes| snapshot(bytes)));
            for (r, read) in batch.iter().zip(parsed) {
                let after = match read {
                    // Deleted.
                    None => None,
                    // A registry that does not read changes nothing: the one before still stands.
                    Some(None) => continue,
                    Some(Some(snapshot)) => Some(snapshot),
                };
                out.revisions.push(revision(r, self.before.as_ref(), after.as_ref()));
                self.before_blob = after.as_ref().map(|_| r.blob);
                self.before = after;
            }
        }
    }
}

/// Revision `r`, which left `after` (`None`: deleted), against the registry before it.
fn revision(r: &Revision, before: Option<&Snapshot>, after: Option<&Snapshot>) -> RegistryRevision {
    let changes = match (before, after) {
        (_, Some(after)) => changes(before, after),
        (Some(gone), None) => gone.promises.keys().map(|id| RegistryChange::Removed { promise: id.clone() }).collect(),
        (None, None) => Vec::new(),
    };
    RegistryRevision {
        commit: r.commit.to_string(),
        time: r.time,
        in_play: after.map(Snapshot::in_play).unwrap_or_default(),
        limit: after.or(before).map_or(registry::DEFAULT_IN_PLAY_LIMIT, |s| s.limit),
        changes,
    }
}

/// One path's revisions as the walk finds them, newest first, each compared as soon as the
/// next older one that reads (or deletes the file) is parsed: what [`Parser::push_all`] makes
/// of them oldest first, holding one registry at a time, not the history.
#[derive(Default)]
struct Streamed {
    /// How many revisions were pushed.
    seen: usize,
    /// The revisions compared so far, newest first.
    made: Vec<RegistryRevision>,
    /// The newest revision not compared yet, with what it left.
    waiting: Option<(Revision, Option<Snapshot>)>,
    /// What the newest revision that counts left (its blob; `None`: deleted), once there is one.
    newest: Option<Option<Oid>>,
}

impl Streamed {
    /// The next older revision and its registry (`None`: deleted; `Some(None)`: does not read).
    fn push(&mut self, r: Revision, read: Option<Option<Snapshot>>) {
        self.seen += 1;
        let after = match read {
            None => None,
            // Changes nothing: the revision newer than it is compared with an older one.
            Some(None) => return,
            Some(Some(snapshot)) => Some(snapshot),
        };
        self.newest.get_or_insert(after.as_ref().map(|_| r.blob));
        if let Some((newer, left)) = self.waiting.take() {
            self.made.push(revision(&newer, after.as_ref(), left.as_ref()));
        }
        self.waiting = Some((r, after));
    }

    /// The oldest revision compared with `before` (the registry before the walk's revisions:
    /// none, or a kept history's last), every revision appended to `out` oldest first; the
    /// blob the newest one left, for the next comparison (`before_blob` when none counted).
    fn finish(mut self, before: Option<Snapshot>, before_blob: Option<Oid>, out: &mut RegistryHistory) -> Option<Oid> {
        if let Some((oldest, left)) = self.waiting.take() {
            self.made.push(revision(&oldest, before.as_ref(), left.as_ref()));
        }
        out.revisions.extend(self.made.into_iter().rev());
        self.newest.unwrap_or(before_blob)
    }
}

/// How many revisions are parsed at once, on every core.
const PARSED_AT_ONCE: usize = 64;

/// What `after` changed against `before` (none: every promise is added), promise by promise
/// (by id), then the promises it removed, then the limit.
pub(super) fn changes(before: Option<&Snapshot>, after: &Snapshot) -> Vec<RegistryChange> {
    let mut out = Vec::new();
    for (id, p) in &after.promises {
        let id = || id.clone();
        let Some(b) = before.and_then(|b| b.promises.get(id().as_str())) else {
            out.push(RegistryChange::Added { promise: id(), status: p.status });
            continue;
        };
        if b.status != p.status {
            out.push(RegistryChange::Status { promise: id(), from: b.status, to: p.status });
        }
        if b.statement.trim() != p.statement.trim() {
            out.push(RegistryChange::Statement { promise: id() });
        }
        if b.customer != p.customer {
            out.push(RegistryChange::Customer { promise: id(), from: b.customer.clone(), to: p.customer.clone() });
        }
        for (metric, target) in &p.targets {
            let old = b.targets.iter().find(|(m, _)| m == metric);
            let from = old.and_then(|(_, t)| t.clone());
            if old.is_none() || from != *target {
                out.push(RegistryChange::Target { promise: id(), metric: metric.clone(), from, to: target.clone() });
            }
        }
        for (metric, target) in b.targets.iter().filter(|(m, _)| !p.targets.iter().any(|(x, _)| x == m)) {
            out.push(RegistryChange::Target { promise: id(), metric: metric.clone(), from: target.clone(), to: None });
        }
    }
    if let Some(b) = before {
        for gone in b.promises.keys().filter(|id| !after.promises.contains_key(*id)) {
            out.push(RegistryChange::Removed { promise: gone.clone() });
        }
        if b.limit != after.limit {
            out.push(RegistryChange::Limit { from: b.limit, to: after.limit });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    /// The tips [`read_histories`] walked from, in this test process.
    pub(super) static WALKED: std::sync::Mutex<Vec<Oid>> = std::sync::Mutex::new(Vec::new());
    /// The histories whose revisions were compared while the walk ran, in this test process.
    pub(super) static STREAMED: std::sync::Mutex<Vec<Oid>> = std::sync::Mutex::new(Vec::new());

    /// `check --all` runs scopes at once ([`super::super::run_all`]): runs that ask for the
    /// histories together walk once, the others wait and take what it read.
    #[test]
    fn runs_that_ask_at_once_walk_once() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str], input: Option<&str>| {
            use std::io::Write;
            let mut child = std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env_remove("GIT_DIR")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(input.unwrap_or("").as_bytes()).unwrap();
            assert!(child.wait().unwrap().success(), "git {args:?}");
        };
        git(&["init", "-q", "-b", "main"], None);
        // Many revisions of the registry: a walk long enough for every thread to ask during it.
        let text = |i: usize| format!("[promises.p]\nstatement = \"Revision {i}\"\nstatus = \"in-play\"\n");
        let mut stream = String::new();
        for i in 0..1_500 {
            let (registry, message) = (text(i), format!("Revision {i}\n"));
            stream += &format!(
                "commit refs/heads/main\ncommitter A <a@example.com> {} +0000\ndata {}\n{message}M 100644 inline promises.toml\ndata {}\n{registry}\n",
                1_700_000_000 + i * 60,
                message.len(),
                registry.len(),
            );
        }
        git(&["fast-import", "--quiet"], Some(&stream));
        let repo = Repo::discover(dir.path()).unwrap();
        let head = repo.head_commit().unwrap();
        let registry = Registry::parse(&Source::file("promises.toml", text(1_499).as_str())).unwrap();
        let barrier = std::sync::Barrier::new(4);
        let histories: Vec<RegistryHistory> = std::thread::scope(|s| {
            let asks: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        let repo = Repo::discover(dir.path()).unwrap();
                        barrier.wait();
                        registry_history(&repo, head, CHECK_LIMIT, &registry)
                    })
                })
                .collect();
            asks.into_iter().map(|a| a.join().unwrap()).collect()
        });
        let walks = WALKED.lock().unwrap().iter().filter(|&&t| t == head).count();
        assert_eq!(walks, 1, "four runs asked at once");
        assert!(STREAMED.lock().unwrap().contains(&head), "compared while the walk ran");
        assert_eq!(histories[0].revisions.len(), 1_500);
        assert!(histories.iter().all(|h| h.revisions.len() == 1_500));
    }

    /// The revisions compared as the walk finds them, newest first, on the parsing threads
    /// ([`walk_parsing`]), are what [`Parser::push_all`] makes of them oldest first: on random
    /// histories with registries that do not read (at the start, the end, in a row), empty
    /// ones, limits and statuses changing, from nothing and from a kept registry before them.
    #[test]
    fn revisions_compared_while_walking_are_those_compared_after() {
        let mut rng = crate::git::Rng(11);
        for round in 0..12 {
            let dir = tempfile::tempdir().unwrap();
            let git = |args: &[&str], input: &str| {
                use std::io::Write;
                let mut child = std::process::Command::new("git")
                    .args(args)
                    .current_dir(dir.path())
                    .env("GIT_CONFIG_NOSYSTEM", "1")
                    .env("GIT_CONFIG_GLOBAL", "/dev/null")
                    .env_remove("GIT_DIR")
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap();
                child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
                assert!(child.wait().unwrap().success(), "git {args:?}");
            };
            git(&["init", "-q", "-b", "main"], "");
            let mut stream = String::new();
            let statuses = ["proposed", "in-play", "done", "dropped"];
            for i in 0..40 {
                let text = match rng.below(8) {
                    0 => "[promises.a\nbroken".to_string(),
                    1 => String::new(),
                    2 => "[promises.a]\nstatus = \"in-play\"\n".to_string(),
                    _ => {
                        let mut t = format!("[limits]\nin-play = {}\n", 1 + rng.below(3));
                        for id in ["a", "b", "c"].iter().take(1 + rng.below(3)) {
                            let status = statuses[rng.below(4)];
                            let statement = ["S", "T"][rng.below(2)];
                            t += &format!("[promises.{id}]\nstatement = \"{statement}\"\nstatus = \"{status}\"\n");
                        }
                        t
                    }
                };
                let message = format!("c{i}\n");
                stream += &format!(
                    "commit refs/heads/main\ncommitter A <a@example.com> {} +0000\ndata {}\n{message}M 100644 inline promises.toml\ndata {}\n{text}\n",
                    1_700_000_000 + i * 60,
                    message.len(),
                    text.len(),
                );
            }
            git(&["fast-import", "--quiet"], &stream);
            let repo = Repo::discover(dir.path()).unwrap();
            let tip = repo.head_commit().unwrap();
            let paths = [registry::FILE_NAME.to_string()];
            let (walks, streamed) = walk_parsing(&repo, tip, &paths, &[Vec::new()], usize::MAX);
            let streamed = streamed.expect("the parsing threads ran").pop().unwrap();
            assert_eq!(streamed.seen, walks[0].list.len(), "round {round}");
            assert!(walks[0].list.len() > 10, "round {round}: revisions");
            // From nothing, and from a kept registry before the first revision.
            let kept = "[promises.a]\nstatement = \"K\"\nstatus = \"in-play\"\n";
            let kept_blob = Some(Oid::from_bytes(&[7; 20]).unwrap());
            for (before, before_blob) in [(None, None), (Some(kept), kept_blob)] {
                let parser = || Parser { before: before.and_then(Snapshot::parse), before_blob };
                let after = entry_of(&repo, tip, usize::MAX, &walks[0], parser(), RegistryHistory::default(), None);
                let (walks2, again) = walk_parsing(&repo, tip, &paths, &[Vec::new()], usize::MAX);
                assert_eq!(walks2, walks);
                let mut again = again.unwrap();
                let beside =
                    entry_of(&repo, tip, usize::MAX, &walks[0], parser(), RegistryHistory::default(), again.pop());
                let json = |e: &store::Entry| serde_json::to_string(&e.history.revisions).unwrap();
                assert_eq!(json(&beside), json(&after), "round {round}, before {before_blob:?}");
                assert_eq!(beside.before, after.before, "round {round}, before {before_blob:?}");
            }
        }
    }

    fn registry(text: &str) -> Snapshot {
        assert!(Registry::parse(&Source::file("promises.toml", text)).is_ok(), "a valid registry");
        Snapshot::parse(text).expect("a registry")
    }

    #[test]
    fn a_revision_says_what_it_changed_promise_by_promise() {
        let before = registry(
            "[limits]\nin-play = 2\n[promises.a]\nstatement = \"A\"\nstatus = \"proposed\"\n\
             [[promises.a.outcomes]]\nmetric = \"m\"\nbaseline = \"1%\"\ntarget = \"5%\"\n\
             [promises.gone]\nstatement = \"G\"\nstatus = \"proposed\"\n",
        );
        let after = registry(
            "[limits]\nin-play = 3\n[promises.a]\nstatement = \"A, changed\"\nstatus = \"in-play\"\n\
             [[promises.a.outcomes]]\nmetric = \"m\"\nbaseline = \"1%\"\ntarget = \"7%\"\n\
             [promises.new]\nstatement = \"N\"\nstatus = \"in-play\"\n",
        );
        let s = |x: &str| x.to_string();
        assert_eq!(
            changes(Some(&before), &after),
            vec![
                RegistryChange::Status { promise: s("a"), from: Status::Proposed, to: Status::InPlay },
                RegistryChange::Statement { promise: s("a") },
                RegistryChange::Target { promise: s("a"), metric: s("m"), from: Some(s("5%")), to: Some(s("7%")) },
                RegistryChange::Added { promise: s("new"), status: Status::InPlay },
                RegistryChange::Removed { promise: s("gone") },
                RegistryChange::Limit { from: 2, to: 3 },
            ]
        );
        assert_eq!(changes(Some(&after), &after), vec![], "an unchanged registry changes nothing");
        assert_eq!(changes(None, &before).len(), 2, "the first revision adds every promise");
    }
}
