//! Facts: everything a run reads, gathered once, before any rule runs.
//!
//! Data flows one way: read (registry, plan documents, commits) -> [`Facts`] -> rules -> findings
//! -> reporter -> exit code. Collecting is the only stage that touches the file system or git;
//! rules get plain data and cannot tell whether it came from a work tree, the index or a test.

use crate::error::{Error, Result};
use crate::git::Repo;
use crate::glob::Glob;
use crate::registry::{self, Registry};
use crate::scan::trailers::{self, Block, Options};
use crate::scan::{body, markdown};
use crate::source::{Label, Source, SourceId, SourceKind, Sources};
use crate::tally::{Class, Tally};
use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Plan documents larger than this are not read: a plan is prose for people, and a file this
/// large is generated or misplaced.
pub const MAX_PLAN_BYTES: u64 = 16 * 1024 * 1024;

pub struct Facts {
    pub sources: Sources,
    pub registry: Registry,
    pub registry_source: SourceId,
    pub plans: Plans,
    /// `None` when commits were not checked.
    pub commits: Option<Commits>,
    /// Files passed over, with why (binary, too large, unreadable).
    pub skipped: Vec<(String, String)>,
    /// Pull request and issue bodies (`plan-lint ci`, `check --issue`).
    pub bodies: Bodies,
    /// With a time window: what the drift rules need.
    pub window: Option<WindowFacts>,
}

/// Tracker bodies read in this run, judged as they are added ([`Facts::add_body`]).
#[derive(Default)]
pub struct Bodies {
    /// How each is named, e.g. `pull request #12`.
    pub checked: Vec<String>,
    pub findings: Vec<crate::finding::Finding>,
}

/// What a body belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    PullRequest,
    Issue { open: bool },
}

impl Facts {
    /// Read and judge a pull request or issue body; `what` names it in messages (`pull request
    /// #12`), `title` follows it in the snippet header. Returns the promise ids it names.
    pub fn add_body(&mut self, kind: BodyKind, what: &str, title: &str, text: &str) -> Vec<String> {
        let text = body::normalize(text);
        let refs = body::references(&text);
        let mut found = Vec::new();
        match kind {
            BodyKind::PullRequest => crate::rules::bodies::check_pull_request(what, &refs, &self.registry, &mut found),
            BodyKind::Issue { open } => {
                crate::rules::bodies::check_issue(what, &text, &refs, open, &self.registry, &mut found)
            }
        }
        let name = if title.is_empty() { what.to_string() } else { format!("{what} \"{title}\"") };
        self.bodies.checked.push(what.to_string());
        if !found.is_empty() {
            let id = self.sources.add(Source::new(SourceKind::Body { name }, text));
            for f in &mut found {
                f.source = Some(id);
            }
            self.bodies.findings.extend(found);
        }
        refs.into_iter().map(|r| r.id).collect()
    }
}

/// Plan documents are judged as they are scanned, like commits: what is kept is their counts and
/// findings, and the text of the documents that have findings.
#[derive(Default)]
pub struct Plans {
    pub files: usize,
    /// Issue files (`[issues] include`); each is one of `items` too.
    pub issues: usize,
    pub items: usize,
    /// Findings with default levels; [`crate::rules::evaluate`] applies the configured ones.
    pub findings: Vec<crate::finding::Finding>,
    /// Every work item, when a window asked for them (`plan-lint report`, `check --since`).
    pub list: Vec<PlanItem>,
}

/// A work item as the report shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PlanItem {
    pub path: String,
    /// 1-based.
    pub line: usize,
    pub text: String,
    pub done: bool,
    /// The promise ids that apply (own or inherited).
    pub promises: Vec<String>,
    /// A declared exception's reason.
    pub exception: Option<String>,
}

/// Line numbers of byte offsets in one text, from one scan of it.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        Lines(text.match_indices('\n').map(|(i, _)| i).collect())
    }
    /// The 1-based line of `offset`.
    fn of(&self, offset: usize) -> usize {
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

/// Commits are judged as they are read and then dropped, so memory does not grow with history:
/// what is kept is their findings, whose messages become sources.
pub struct Commits {
    pub describe: String,
    /// How many commits were read.
    pub count: usize,
    /// Where the work went: commits per promise, untraced, exempt.
    pub tally: Tally,
    /// Findings with default levels; [`crate::rules::evaluate`] applies the configured ones.
    pub findings: Vec<crate::finding::Finding>,
}

impl CommitFacts {
    /// The message as a source for diagnostics.
    pub fn into_source(self) -> Source {
        Source::new(self.kind, self.text)
    }

    /// What the commit counts as in the [`Tally`].
    pub fn class(&self) -> Class<'_> {
        if self.exempt.is_some() {
            Class::Exempt
        } else if !self.promises.is_empty() {
            Class::Traced(self.promises.iter().map(|(id, _)| id.as_str()).collect())
        } else if self.exception.as_ref().is_some_and(|(reason, _)| !reason.is_empty()) {
            Class::Exception
        } else {
            Class::Untraced
        }
    }
}

/// Why a commit needs no trailer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exemption {
    Merge,
    Autosquash(&'static str),
    Subject(String),
}

pub struct CommitFacts {
    /// The full id; `None` for a message not yet committed (the commit-msg hook).
    pub sha: Option<String>,
    /// How findings name it: `commit 1a2b3c4`, or `this commit`.
    pub name: String,
    pub subject: String,
    /// The message (lossy UTF-8); spans below point into it.
    pub text: String,
    /// How the message is named when it becomes a source.
    pub kind: SourceKind,
    pub exempt: Option<Exemption>,
    /// Trailers as `git log --format=%(trailers)` reads them.
    pub block: Block,
    /// Promise ids from `Promise` trailers, with spans.
    pub promises: Vec<(String, Range<usize>)>,
    /// Span of a `---` line that hides the trailer block from `git interpret-trailers`/`git am`.
    pub hiding_divider: Option<Range<usize>>,
    /// Where the message proper starts (after leading blank lines).
    pub body_offset: usize,
    /// A declared exception: the reason of an `Untraced:` trailer (possibly empty), with its span.
    pub exception: Option<(String, Range<usize>)>,
}

/// What to check.
#[derive(Clone, Debug)]
pub enum CommitSelection {
    /// The current branch's own commits (not on its upstream or the default branch).
    Branch,
    /// What `git rev-list` takes.
    Range(String),
    /// Already resolved (`plan-lint ci`, from the event).
    Spec(crate::git::RangeSpec),
    /// Commits are not checked.
    None,
}

/// Where the registry and plan documents are read from.
#[derive(Clone, Debug)]
pub enum FileSource {
    /// The work tree, minus what git ignores.
    WorkTree,
    /// A git index file: what is staged (the pre-commit hook), `$GIT_INDEX_FILE` or `.git/index`.
    Index(PathBuf),
}

#[derive(Clone, Debug)]
pub struct Inputs {
    pub dir: PathBuf,
    pub config: Option<PathBuf>,
    pub commits: CommitSelection,
    pub files: FileSource,
    /// Whether plan documents (and issue files) are read.
    pub plans: bool,
    /// Only commits in this window are read (the range still applies).
    pub window: Option<Window>,
}

pub fn collect(inputs: &Inputs) -> Result<Facts> {
    let repo = Repo::discover(&inputs.dir);
    let root = match &repo {
        Some(r) => r.root().ok_or_else(|| Error::new("this is a bare repository: plan-lint needs a work tree"))?,
        None if matches!(inputs.commits, CommitSelection::None) && matches!(inputs.files, FileSource::WorkTree) => {
            inputs.dir.clone()
        }
        None => {
            return Err(Error::new(format!("not a git repository: {}", inputs.dir.display())).with_help(
                "run plan-lint inside a git work tree, or pass --no-commits to check only the registry and plans",
            ))
        }
    };
    let files = Files::open(&inputs.files, &root, repo.as_ref())?;

    let mut sources = Sources::default();
    let (registry, registry_id) = read_registry(&files, inputs.config.as_deref(), &mut sources)?;

    let mut skipped = Vec::new();
    // A window (report, `check --since`) needs the items themselves, not only their findings.
    let keep = inputs.window.is_some();
    let plans = if inputs.plans {
        read_plans_only(&files, &registry, None, keep, &mut sources, &mut skipped)
    } else {
        Plans::default()
    };

    let mut window = None;
    let commits = match (&inputs.commits, &repo) {
        (CommitSelection::None, _) | (_, None) => None,
        (selection, Some(repo)) => {
            let since = resolve_since(repo, &registry, sources.get(registry_id))?;
            let spec = match selection {
                CommitSelection::Range(r) => Some(r.as_str()),
                _ => None,
            };
            let range = match selection {
                CommitSelection::Spec(r) => {
                    let mut r = r.clone();
                    r.tips.extend(since.map(|s| (s, true)));
                    r
                }
                _ => repo.resolve(spec, since)?,
            };
            let read = read_commits(repo, &range, inputs.window, &registry, &mut sources)?;
            if let Some(w) = inputs.window {
                window = Some(window_facts(repo, w, &registry, &plans, &read.recent));
            }
            let (tally, findings) = (read.tally, read.findings);
            let count = tally.commits;
            let describe = match &registry.since {
                Some(rev) => format!("{}, after {}", range.describe, rev.get_ref()),
                None => range.describe,
            };
            Some(Commits { describe, count, tally, findings })
        }
    };

    Ok(Facts {
        sources,
        registry,
        registry_source: registry_id,
        plans,
        commits,
        skipped,
        bodies: Bodies::default(),
        window,
    })
}

/// Read and judge commits from history, as the walk yields them.
///
/// This is the hot path of a history check. This thread walks ([`crate::history::Walker`], one
/// read per commit) and hands raw commits, in chunks, to workers (one per core) that parse and
/// judge them. A commit's text is kept only when it has findings, so memory does not grow with
/// history. Trailers are read as
/// `git log` reads them, with the repository's comment character (`auto` means `#` outside of
/// `git commit`, as in git).
pub fn read_commits(
    repo: &Repo,
    range: &crate::git::RangeSpec,
    window: Option<Window>,
    registry: &Registry,
    sources: &mut Sources,
) -> Result<ReadCommits> {
    use std::sync::mpsc;
    use std::sync::{Arc, Mutex};

    const CHUNK: usize = 256;
    type Chunk = (usize, Vec<crate::history::Raw>);
    type Judged = (usize, Tally, Vec<(git2::Oid, Source, Vec<crate::finding::Finding>)>);

    let comment = crate::scan::message::log_comment_string(repo.config_string("core.commentChar").as_deref());
    let odb = repo.repo.odb()?;
    let mut walker = crate::history::Walker::new(&odb, repo.repo.commondir(), &range.tips)?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Chunk>(workers * 4);
    let chunk_rx = Arc::new(Mutex::new(chunk_rx));
    let (result_tx, result_rx) = mpsc::channel::<Judged>();

    // Only a walk with excluded tips can yield a commit it later finds excluded.
    let limited = range.tips.iter().any(|&(_, excluded)| excluded);
    let mut yielded = Vec::new();
    let mut recent = Vec::new();
    let walked: Result<()> = std::thread::scope(|scope| {
        for _ in 0..workers {
            let chunk_rx = Arc::clone(&chunk_rx);
            let result_tx = result_tx.clone();
            let comment = &comment;
            scope.spawn(move || loop {
                let next = chunk_rx.lock().map(|rx| rx.recv());
                let Ok(Ok((index, commits))) = next else { return };
                let (tally, judged) = judge_chunk(&commits, registry, comment);
                if result_tx.send((index, tally, judged)).is_err() {
                    return;
                }
            });
        }
        drop(result_tx);
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut index = 0;
        let mut result = Ok(());
        let mut progress = crate::progress::Progress::new("commits");
        let mut older = 0;
        loop {
            match walker.next_commit() {
                Ok(Some(raw)) => {
                    if let Some(w) = window {
                        if raw.time > w.until {
                            continue;
                        }
                        if raw.time < w.since {
                            // Date order: once a run of commits is older, the rest is too
                            // (the run allows for clock skew, as git's slop does).
                            older += 1;
                            if older >= WINDOW_SLOP {
                                break;
                            }
                            continue;
                        }
                        older = 0;
                    }
                    if limited {
                        yielded.push(raw.oid);
                    }
                    if window.is_some() {
                        recent.push((raw.oid, raw.time));
                    }
                    chunk.push(raw)
                }
                Ok(None) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
            if chunk.len() == CHUNK {
                if chunk_tx.send((index, std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))).is_err() {
                    break;
                }
                index += 1;
                progress.update(index * CHUNK);
            }
        }
        if !chunk.is_empty() && result.is_ok() {
            let _ = chunk_tx.send((index, chunk));
        }
        drop(chunk_tx);
        result
    });
    walked?;

    let mut judged: Vec<Judged> = result_rx.into_iter().collect();
    judged.sort_by_key(|(index, _, _)| *index);
    let mut tally = Tally::default();
    let mut findings = Vec::new();
    let mut then = StatusThen::default();
    for (_, chunk_tally, commits) in judged {
        tally.merge(chunk_tally);
        for (oid, source, mut found) in commits {
            // Walked before skewed dates revealed it as excluded: taken back, as git does.
            if walker.is_uninteresting(oid) {
                continue;
            }
            // Work on a promise that has since left play was fine when it was done.
            if found.iter().any(|f| f.code == crate::rules::Code::NotInPlay) {
                found.retain(|f| f.code != crate::rules::Code::NotInPlay || !then.was_in_play(repo, oid, &f.promises));
                if found.is_empty() {
                    continue;
                }
            }
            let id = sources.add(source);
            for f in &mut found {
                f.source = Some(id);
            }
            findings.extend(found);
        }
    }
    // Walked before skewed dates revealed them as excluded: rare, so read again to take back.
    for oid in yielded.into_iter().filter(|&oid| walker.is_uninteresting(oid)) {
        let obj = odb.read(oid).map_err(|e| crate::git::read_error(oid, &e))?;
        let (parents, message) = crate::git::split_commit(obj.data());
        let kind = SourceKind::Commit { sha: oid.to_string(), subject: String::new() };
        let facts = commit_facts(Some(oid.to_string()), parents, message, kind, registry, &comment);
        count_commit(&mut tally, obj.data(), &facts, -1);
    }
    tally.merge(Tally::default());
    recent.retain(|&(oid, _)| !walker.is_uninteresting(oid));
    Ok(ReadCommits { tally, findings, recent })
}

/// Promise statuses as a commit saw them: the registry in its tree and its first parent's,
/// cached by blob (a registry changes rarely).
#[derive(Default)]
struct StatusThen {
    by_blob: std::collections::HashMap<git2::Oid, std::collections::HashMap<String, crate::registry::Status>>,
}

impl StatusThen {
    /// Whether each of `ids` was in play in the commit's tree or its first parent's: a commit
    /// that finishes a promise, or was made while it was in play, is not work off the plan.
    fn was_in_play(&mut self, repo: &Repo, oid: git2::Oid, ids: &[String]) -> bool {
        let Ok(commit) = repo.repo.find_commit(oid) else { return false };
        let trees = std::iter::once(commit.tree().ok())
            .chain(std::iter::once(commit.parent(0).ok().and_then(|p| p.tree().ok())));
        let mut seen: Vec<std::collections::HashSet<&str>> = Vec::new();
        for tree in trees.flatten() {
            let Ok(entry) = tree.get_path(Path::new(registry::FILE_NAME)) else { continue };
            let statuses = self.by_blob.entry(entry.id()).or_insert_with(|| {
                let Ok(blob) = repo.repo.find_blob(entry.id()) else { return Default::default() };
                let text = String::from_utf8_lossy(blob.content()).into_owned();
                Registry::parse(&Source::file("", text))
                    .map(|r| r.promises.into_iter().map(|p| (p.id, p.status)).collect())
                    .unwrap_or_default()
            });
            seen.push(
                ids.iter()
                    .filter(|id| statuses.get(id.as_str()) == Some(&crate::registry::Status::InPlay))
                    .map(String::as_str)
                    .collect(),
            );
        }
        ids.iter().all(|id| seen.iter().any(|s| s.contains(id.as_str())))
    }
}

/// What [`read_commits`] found.
pub struct ReadCommits {
    pub tally: Tally,
    /// Findings with default levels, their sources added.
    pub findings: Vec<crate::finding::Finding>,
    /// With a window: every commit read, with its committer time.
    pub recent: Vec<(git2::Oid, i64)>,
}

/// What a time window adds to the facts: the drift rules' inputs.
#[derive(Clone, Debug, Default)]
pub struct WindowFacts {
    pub window: Window,
    /// Whether the window reaches back `[limits] idle-days`, so idleness can be judged.
    pub covers_idle: bool,
    /// Promises whose plan documents a commit of the last `idle-days` changed.
    pub plan_activity: HashSet<String>,
    /// Newest activity per promise in the window (commit or plan change), Unix seconds.
    pub last_activity: std::collections::HashMap<String, i64>,
    /// When a promise last left play in the window (a registry change from `in-play`), so that
    /// work before it is not counted as shadow work.
    pub left_play: std::collections::HashMap<String, i64>,
}

/// Which promises' plan documents changed in the last `idle-days` of the window: each recent
/// commit's changes against its first parent, matched to the documents' items.
fn window_facts(
    repo: &Repo,
    window: Window,
    registry: &Registry,
    plans: &Plans,
    recent: &[(git2::Oid, i64)],
) -> WindowFacts {
    let idle_since = window.until - i64::from(registry.idle_days) * crate::when::DAY;
    let mut by_path: std::collections::HashMap<&str, HashSet<&str>> = std::collections::HashMap::new();
    for item in &plans.list {
        by_path.entry(item.path.as_str()).or_default().extend(item.promises.iter().map(String::as_str));
    }
    let mut facts = WindowFacts { window, covers_idle: window.since <= idle_since, ..WindowFacts::default() };
    for &(oid, time) in recent {
        let Ok(commit) = repo.repo.find_commit(oid) else { continue };
        let (Ok(tree), parent) = (commit.tree(), commit.parent(0).ok().and_then(|p| p.tree().ok())) else { continue };
        let Ok(diff) = repo.repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), None) else { continue };
        for delta in diff.deltas() {
            let Some(path) = delta.new_file().path().and_then(|p| p.to_str()) else { continue };
            if path == registry::FILE_NAME {
                let status_at = |blob: git2::Oid| -> std::collections::HashMap<String, crate::registry::Status> {
                    let Ok(blob) = repo.repo.find_blob(blob) else { return Default::default() };
                    let text = String::from_utf8_lossy(blob.content()).into_owned();
                    Registry::parse(&Source::file("", text))
                        .map(|r| r.promises.into_iter().map(|p| (p.id, p.status)).collect())
                        .unwrap_or_default()
                };
                let before = status_at(delta.old_file().id());
                for (id, status) in status_at(delta.new_file().id()) {
                    let was = before.get(&id).copied();
                    if was == Some(crate::registry::Status::InPlay) && status != crate::registry::Status::InPlay {
                        let left = facts.left_play.entry(id).or_insert(time);
                        *left = (*left).max(time);
                    }
                }
            }
            for id in by_path.get(path).into_iter().flatten() {
                let last = facts.last_activity.entry(id.to_string()).or_insert(time);
                *last = (*last).max(time);
                if time >= idle_since {
                    facts.plan_activity.insert(id.to_string());
                }
            }
        }
    }
    facts
}

/// A time window of commits (committer dates, Unix seconds, both ends included): `plan-lint
/// report` and `check --since`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub since: i64,
    pub until: i64,
}

/// Consecutive commits older than a window after which the walk stops.
const WINDOW_SLOP: usize = 64;

/// A judged commit: its id, its message as a source, and its findings.
type JudgedCommit = (git2::Oid, Source, Vec<crate::finding::Finding>);

/// Parse, count and judge a chunk of raw commits; only those with findings come back, with their
/// text.
fn judge_chunk(commits: &[crate::history::Raw], registry: &Registry, comment: &[u8]) -> (Tally, Vec<JudgedCommit>) {
    let mut tally = Tally::default();
    let mut out = Vec::new();
    let mut found = Vec::new();
    for crate::history::Raw { oid, data, .. } in commits {
        let (parents, message) = crate::git::split_commit(data);
        let sha = oid.to_string();
        let kind = SourceKind::Commit { sha: sha.clone(), subject: String::new() };
        let facts = commit_facts(Some(sha), parents, message, kind, registry, comment);
        count_commit(&mut tally, data, &facts, 1);
        crate::rules::commits::check_commit(&facts, registry, &mut found);
        if !found.is_empty() {
            out.push((*oid, facts.into_source(), std::mem::take(&mut found)));
        }
    }
    (tally, out)
}

/// Count a commit (`sign` 1) or take it back (-1).
fn count_commit(tally: &mut Tally, data: &[u8], facts: &CommitFacts, sign: isize) {
    let (author, time) = crate::tally::author_and_time(data);
    let class = facts.class();
    if class == Class::Exception {
        let sha = facts.sha.clone().unwrap_or_default();
        if sign > 0 {
            let reason = facts.exception.as_ref().map(|(r, _)| r.clone()).unwrap_or_default();
            let subject = facts.subject.clone();
            tally.declared.push(crate::tally::Declared { sha, subject, reason, time });
        } else {
            tally.declared.retain(|d| d.sha != sha);
        }
    }
    tally.add(&class, time, &String::from_utf8_lossy(author), sign);
}

/// The `[commits] since` commit, with an error pointing at the setting when it does not resolve.
pub fn resolve_since(repo: &Repo, registry: &Registry, source: &Source) -> Result<Option<git2::Oid>> {
    let Some(rev) = &registry.since else { return Ok(None) };
    repo.commit_id(rev.get_ref()).map(Some).map_err(|why| {
        Error::new(format!("`[commits] since = \"{}\"` is not a commit in this repository: {why}", rev.get_ref()))
            .at(source, Label::new(rev.span(), "not found"))
            .with_help("name a commit, tag or branch this clone has; in a shallow clone, fetch more history")
    })
}

/// `[limits] idle-days` of the work tree's registry, if it can be read (to size a default
/// window before the real read, which reports any error).
pub fn peek_idle_days(dir: &Path, config: Option<&Path>) -> Option<u32> {
    let path = match config {
        Some(c) => c.to_path_buf(),
        None => Repo::discover(dir)?.root()?.join(registry::FILE_NAME),
    };
    let text = std::fs::read_to_string(path).ok()?;
    Registry::parse(&Source::file("", text)).ok().map(|r| r.idle_days)
}

/// Read and validate the registry: `config` from disk when given, else `promises.toml` from
/// `files` (the work tree or the index).
pub fn read_registry(files: &Files, config: Option<&Path>, sources: &mut Sources) -> Result<(Registry, SourceId)> {
    let (name, bytes) = match config {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Error::new(format!("no promise registry at {}", path.display())),
                _ => Error::io(format!("could not read {}", path.display()), &e),
            })?;
            (display_path(files.root(), path), bytes)
        }
        None => match files.read(registry::FILE_NAME) {
            Ok(bytes) => (registry::FILE_NAME.to_string(), bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::new(format!(
                "no promise registry at {}",
                files.describe(registry::FILE_NAME)
            ))
            .with_help(
                "create promises.toml at the repository root (`plan-lint init` scaffolds one), or pass --config PATH",
            )),
            Err(e) => return Err(Error::io(format!("could not read {}", files.describe(registry::FILE_NAME)), &e)),
        },
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = Source::file(name, String::from_utf8_lossy(e.as_bytes()).into_owned());
            let (line, col) = lossy.line_col(at);
            return Err(Error::new(format!("{} is not valid UTF-8 (line {line}, column {col})", lossy.name()))
                .with_help("TOML files must be UTF-8; re-save the file as UTF-8"));
        }
    };
    let source = Source::file(name, text);
    let registry = Registry::parse(&source)?;
    Ok((registry, sources.add(source)))
}

/// Where files are read from: the work tree (minus ignored files) or a git index.
pub struct Files<'r> {
    root: PathBuf,
    repo: Option<&'r Repo>,
    index: Option<git2::Index>,
}

impl<'r> Files<'r> {
    pub fn open(source: &FileSource, root: &Path, repo: Option<&'r Repo>) -> Result<Files<'r>> {
        let index = match source {
            FileSource::WorkTree => None,
            FileSource::Index(path) => Some(
                git2::Index::open(path)
                    .map_err(|e| Error::new(format!("could not read the index {}: {}", path.display(), e.message())))?,
            ),
        };
        Ok(Files { root: root.to_path_buf(), repo, index })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The index files are read from, if they come from one.
    pub fn index(&self) -> Option<&git2::Index> {
        self.index.as_ref()
    }

    /// Whether `rel` exists, without reading it.
    pub fn has(&self, rel: &str) -> bool {
        match &self.index {
            Some(index) => index.get_path(Path::new(rel), 0).is_some(),
            None => self.root.join(rel).is_file(),
        }
    }

    /// How to name a path in messages.
    fn describe(&self, rel: &str) -> String {
        match self.index {
            Some(_) => format!("{rel} (staged)"),
            None => self.root.join(rel).display().to_string(),
        }
    }

    /// The bytes of a file, refusing files over [`MAX_PLAN_BYTES`].
    pub fn read(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        let too_large = || std::io::Error::other(format!("larger than {} MiB", MAX_PLAN_BYTES >> 20));
        match (&self.index, self.repo) {
            (Some(index), Some(repo)) => {
                let entry = index.get_path(Path::new(rel), 0).ok_or(std::io::ErrorKind::NotFound)?;
                if u64::from(entry.file_size) > MAX_PLAN_BYTES {
                    return Err(too_large());
                }
                let blob = repo.repo.find_blob(entry.id).map_err(|e| std::io::Error::other(e.message().to_string()))?;
                Ok(blob.content().to_vec())
            }
            _ => read_limited(&self.root.join(rel), MAX_PLAN_BYTES).map_err(|e| match e {
                Some(e) => e,
                None => too_large(),
            }),
        }
    }

    /// Paths (relative, `/`-separated, sorted) of regular files that `keep` accepts.
    pub fn paths(&self, keep: &dyn Fn(&str) -> bool) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(index) = &self.index {
            for entry in index.iter() {
                // Regular files only: no symlinks (0o120000) or submodules (0o160000).
                let is_file = entry.mode & 0o170000 == 0o100000;
                let stage = (entry.flags >> 12) & 0x3;
                if let (true, 0, Ok(path)) = (is_file, stage, std::str::from_utf8(&entry.path)) {
                    if keep(path) {
                        out.push(path.to_string());
                    }
                }
            }
        } else {
            let root = &self.root;
            let repo = self.repo;
            // A tracked file is read whatever .gitignore says (git tracks it); ignore rules are
            // asked only about directories and untracked files, which keeps a large plan
            // directory from costing one ignore lookup per file.
            let tracked: HashSet<Vec<u8>> = repo
                .and_then(|r| r.repo.index().ok())
                .map(|index| index.iter().map(|e| e.path).collect())
                .unwrap_or_default();
            let walker = walkdir::WalkDir::new(root).follow_links(false).into_iter().filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                if e.file_name() == ".git" {
                    return false;
                }
                // A nested repository (a submodule's checkout, a vendored clone) is not this
                // repository's content; git does not descend into it either.
                if e.file_type().is_dir() && e.path().join(".git").exists() {
                    return false;
                }
                match (repo, e.file_type().is_dir(), e.path().strip_prefix(root)) {
                    (Some(repo), true, Ok(rel)) => !repo.is_ignored(rel),
                    _ => true,
                }
            });
            for entry in walker.flatten() {
                if !entry.file_type().is_file() {
                    continue;
                }
                let Ok(rel) = entry.path().strip_prefix(root) else { continue };
                let rel = rel.to_string_lossy().replace('\\', "/");
                if !keep(&rel) {
                    continue;
                }
                let untracked_and_ignored =
                    repo.is_some_and(|r| !tracked.contains(rel.as_bytes()) && r.is_ignored(Path::new(&rel)));
                if !untracked_and_ignored {
                    out.push(rel);
                }
            }
        }
        out.sort();
        out
    }
}

/// Read what a commit message says: trailers as git reads them, the promise ids they name and
/// whether the commit needs a trailer at all.
pub fn commit_facts(
    sha: Option<String>,
    parents: usize,
    message: &[u8],
    kind: SourceKind,
    registry: &Registry,
    comment: &[u8],
) -> CommitFacts {
    let text = String::from_utf8_lossy(message).into_owned();
    let body = trailers::skip_leading_blank_lines(text.as_bytes());
    let body_offset = text.len() - body.len();
    let log = Options { comment: comment.to_vec(), ..Options::log() };
    let mut block = trailers::parse(body, &log);
    for t in &mut block.trailers {
        t.span = t.span.start + body_offset..t.span.end + body_offset;
        t.value_span = t.value_span.start + body_offset..t.value_span.end + body_offset;
    }
    block.range = block.range.start + body_offset..block.range.end + body_offset;

    let mut promises = Vec::new();
    for t in block.trailers.iter().filter(|t| t.key_is("promise")) {
        // The value as written in the message (first line), split on commas; ids on
        // continuation lines fall back to the whole trailer's span.
        let value = String::from_utf8_lossy(&t.value);
        let first_line = &text[t.value_span.clone()];
        for id in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let span = first_line
                .find(id)
                .map(|i| t.value_span.start + i..t.value_span.start + i + id.len())
                .unwrap_or_else(|| t.span.clone());
            promises.push((id.to_string(), span));
        }
    }

    // With the divider honoured (git interpret-trailers, git am), are these trailers still seen?
    let hiding_divider = if block.trailers.is_empty() || !body.windows(3).any(|w| w == b"---") {
        None
    } else {
        let seen = trailers::parse(body, &Options { comment: comment.to_vec(), ..Options::interpret() });
        if seen.trailers.is_empty() {
            divider_line(body).map(|r| r.start + body_offset..r.end + body_offset)
        } else {
            None
        }
    };

    let subject =
        body.split(|&c| c == b'\n').next().map(|s| String::from_utf8_lossy(s).trim().to_string()).unwrap_or_default();
    let exempt = if parents > 1 {
        Some(Exemption::Merge)
    } else if let Some(prefix) = ["fixup!", "squash!", "amend!"].into_iter().find(|p| subject.starts_with(p)) {
        Some(Exemption::Autosquash(prefix))
    } else {
        registry
            .exempt_subjects
            .iter()
            .find(|re| re.is_match(&subject))
            .map(|re| Exemption::Subject(re.as_str().to_string()))
    };
    let kind = match kind {
        SourceKind::Commit { sha, .. } => SourceKind::Commit { sha, subject: subject.clone() },
        other => other,
    };
    let name = match &sha {
        Some(sha) => format!("commit {}", &sha[..sha.len().min(7)]),
        None => "this commit".to_string(),
    };
    let exception = block
        .trailers
        .iter()
        .find(|t| t.key_is("untraced"))
        .map(|t| (String::from_utf8_lossy(&t.value).trim().to_string(), t.span.clone()));
    CommitFacts { sha, name, subject, text, kind, exempt, block, promises, hiding_divider, body_offset, exception }
}

/// The first `---` line that git's divider rule would stop at.
fn divider_line(body: &[u8]) -> Option<Range<usize>> {
    let mut off = 0;
    for line in body.split(|&c| c == b'\n') {
        // git's rule: `---` followed by white space, the newline included.
        if line.starts_with(b"---") && line.get(3).is_none_or(|&c| trailers::is_space(c)) {
            return Some(off..off + line.len());
        }
        off += line.len() + 1;
    }
    None
}

/// A file's bytes with one open: `Err(None)` when it is larger than `limit`.
fn read_limited(path: &Path, limit: u64) -> std::result::Result<Vec<u8>, Option<std::io::Error>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(Some)?;
    let len = file.metadata().map_err(Some)?.len();
    if len > limit {
        return Err(None);
    }
    let mut bytes = Vec::with_capacity(len as usize + 1);
    file.read_to_end(&mut bytes).map_err(Some)?;
    Ok(bytes)
}

/// Run `f` over `items` on every core, keeping the order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    if workers == 1 || items.len() < 16 {
        return items.iter().map(f).collect();
    }
    let size = items.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            items.chunks(size).map(|chunk| scope.spawn(|| chunk.iter().map(&f).collect::<Vec<R>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// Scan every plan document the registry's patterns select.
pub fn read_plans(
    files: &Files,
    registry: &Registry,
    sources: &mut Sources,
    skipped: &mut Vec<(String, String)>,
) -> Plans {
    read_plans_only(files, registry, None, false, sources, skipped)
}

/// As [`read_plans`], limited to `only` when given (the pre-commit hook).
pub fn read_plans_only(
    files: &Files,
    registry: &Registry,
    only: Option<&HashSet<String>>,
    keep_items: bool,
    sources: &mut Sources,
    skipped: &mut Vec<(String, String)>,
) -> Plans {
    let globs: Vec<Glob> = registry.plan_globs.iter().filter_map(|g| Glob::new(g).ok()).collect();
    let issue_globs: Vec<Glob> = registry.issue_globs.iter().filter_map(|g| Glob::new(g).ok()).collect();
    let is_issue = |p: &str| issue_globs.iter().any(|g| g.is_match(p));
    let paths =
        files.paths(&|p| only.is_none_or(|o| o.contains(p)) && (globs.iter().any(|g| g.is_match(p)) || is_issue(p)));
    // Documents are read and scanned on every core; blobs from the index are read first, on
    // this thread, as libgit2 handles are not shared between threads.
    // (work items, whether it is an issue, the text when there are findings, the findings, the
    // items when kept)
    type Judged =
        std::result::Result<(usize, bool, Option<String>, Vec<crate::finding::Finding>, Vec<PlanItem>), String>;
    let judge = |rel: &str, bytes: &[u8]| -> Judged {
        if bytes.iter().take(8000).any(|&b| b == 0) {
            return Err("binary, not Markdown".to_string());
        }
        let mut found = Vec::new();
        let mut kept = Vec::new();
        let (items, issue, text) = if is_issue(rel) {
            let text = body::normalize(&String::from_utf8_lossy(bytes));
            let refs = body::references(&text);
            let open = body::is_open(&text);
            crate::rules::bodies::check_issue(rel, &text, &refs, open, registry, &mut found);
            if keep_items {
                let span = body::first_line(&text);
                kept.push(PlanItem {
                    path: rel.to_string(),
                    line: Lines::new(&text).of(span.start),
                    text: text[span].trim_start_matches('#').trim().to_string(),
                    done: !open,
                    promises: refs.into_iter().map(|r| r.id).collect(),
                    exception: None,
                });
            }
            (1, true, text)
        } else {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let plan = markdown::scan(&text);
            crate::rules::plans::check_plan(&plan, registry, &mut found);
            if keep_items {
                let lines = Lines::new(&text);
                kept.extend(plan.items.iter().map(|i| PlanItem {
                    path: rel.to_string(),
                    line: lines.of(i.span.start),
                    text: i.text.clone(),
                    done: i.done,
                    promises: i.promises.iter().map(|&r| plan.refs[r].id.clone()).collect(),
                    exception: i.exception.clone(),
                }));
            }
            (plan.items.len(), false, text)
        };
        let keep = (!found.is_empty()).then_some(text);
        Ok((items, issue, keep, found, kept))
    };
    let judged: Vec<(String, Judged)> = if files.index.is_some() {
        let read: Vec<(String, std::result::Result<Vec<u8>, String>)> = paths
            .into_iter()
            .map(|p| {
                let bytes = files.read(&p).map_err(|e| format!("not read: {e}"));
                (p, bytes)
            })
            .collect();
        let results =
            parallel_map(&read, |(rel, bytes)| bytes.as_ref().map_err(Clone::clone).and_then(|b| judge(rel, b)));
        read.into_iter().map(|(rel, _)| rel).zip(results).collect()
    } else {
        let root = files.root().to_path_buf();
        let results = parallel_map(&paths, |rel| {
            let bytes = read_limited(&root.join(rel), MAX_PLAN_BYTES).map_err(|e| match e {
                Some(e) => format!("not read: {e}"),
                None => format!("not read: larger than {} MiB", MAX_PLAN_BYTES >> 20),
            })?;
            judge(rel, &bytes)
        });
        paths.into_iter().zip(results).collect()
    };
    let mut plans = Plans::default();
    for (rel, result) in judged {
        match result {
            Ok((items, issue, text, mut found, kept)) => {
                plans.list.extend(kept);
                if issue {
                    plans.issues += 1;
                } else {
                    plans.files += 1;
                }
                plans.items += items;
                if let Some(text) = text {
                    let id = sources.add(Source::file(rel, text));
                    for f in &mut found {
                        f.source = Some(id);
                    }
                    plans.findings.extend(found);
                }
            }
            Err(why) => skipped.push((rel, why)),
        }
    }
    plans
}

/// A path relative to the root when it is inside it, else as given.
fn display_path(root: &Path, path: &Path) -> String {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    match canon(path).strip_prefix(canon(root)) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => path.display().to_string(),
    }
}
