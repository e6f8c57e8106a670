//! The engine: the one module that reads the sources (the registry, plan documents, issue files,
//! commits, messages, tracker bodies) and calls the rules.
//!
//! Every entry point describes its inputs ([`Inputs`]: where files come from, which commits,
//! which bodies, a window, levels from the command line) and calls [`run`]. The engine gathers
//! facts with the scanners, hands each item to the rules with a [`Ctx`] and a [`Sink`] (which
//! applies levels once), and returns what was read ([`Facts`]) and what was found. Nothing
//! after it edits findings: what an entry point used to patch in afterwards is a fact or part of
//! the context here (the registry as a commit saw it, a pull request body that traces commits,
//! the pre-commit hook's scope).
//!
//! History is the hot path. This thread walks ([`crate::git::walk::Walker`], one read per
//! commit) and hands raw commits in chunks over a bounded channel to workers (one per core, at
//! most four) that scan and judge them; a commit's text is kept only when it has findings, so
//! memory stays flat however long the history.

use crate::code::{Code, Level, Severity};
use crate::error::{Error, Result};
use crate::facts::{Body, CommitFacts, Commits, Facts, Listing, PlanItem, Plans, Readings, Window, WindowFacts};
use crate::files::{self, FileSource, Files, MAX_PLAN_BYTES};
use crate::finding::Finding;
use crate::git::walk::Raw;
use crate::git::{Oid, RangeSpec, Repo, WATCHED_LOOKUP};
use crate::registry::{self, Parts, Registry, Status};
use crate::rules::{self, Ctx, Levels, Sink};
use crate::scan::message;
use crate::scan::{body, commit, markdown};
use crate::source::{Label, Source, SourceId, SourceKind, Sources};
use crate::tally::{Class, Tally};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

mod baseline;

/// What a run reads and judges: the entry point's whole description of its inputs.
#[derive(Clone, Debug)]
pub(crate) struct Inputs {
    pub dir: PathBuf,
    /// `--config`: the registry from this file instead of `promises.toml`.
    pub config: Option<PathBuf>,
    pub files: FileSource,
    pub plans: PlanScope,
    /// Whether the registry's own rules run (`too-many-in-play`, `no-outcome`).
    pub judge_registry: bool,
    pub commits: CommitSelection,
    /// Only commits in this window are read (the range still applies); the drift rules run.
    pub window: Option<Window>,
    /// Pull request and issue bodies from a tracker.
    pub bodies: Vec<BodyInput>,
    /// Levels from the command line, over `[rules]`.
    pub levels: Vec<(Code, Level)>,
    /// A repository without a registry is not using plan-lint: [`run`] returns `None` (hooks).
    pub registry_optional: bool,
    /// Whether untraced commits get a suggestion from the paths they touch (reads their diffs
    /// and recent history): for reports that show help; the board shows none, and the editor
    /// server never walks history on a keystroke.
    pub suggestions: bool,
    /// Texts not yet saved (the editor server's open documents), by path relative to the root:
    /// read instead of the files.
    pub unsaved: crate::files::Unsaved,
}

impl Inputs {
    /// Nothing to read yet: the work tree's registry, judged; no plans, commits or bodies.
    pub fn new(dir: &Path) -> Inputs {
        Inputs {
            dir: dir.to_path_buf(),
            config: None,
            files: FileSource::WorkTree,
            plans: PlanScope::None,
            judge_registry: true,
            commits: CommitSelection::None,
            window: None,
            bodies: Vec::new(),
            levels: Vec::new(),
            registry_optional: false,
            suggestions: true,
            unsaved: crate::files::Unsaved::default(),
        }
    }
}

/// Which plan documents and issue files are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PlanScope {
    None,
    All,
    /// What a staged change can affect (the pre-commit hook): the documents it changes, and the
    /// others only as far as a registry change can change their findings. With nothing
    /// relevant staged, nothing is read or judged.
    Staged,
    /// These documents (paths relative to the root), those the patterns select, without listing
    /// the work tree (the editor server's open documents).
    Only(Vec<String>),
}

/// Which commits are read.
#[derive(Clone, Debug)]
pub(crate) enum CommitSelection {
    None,
    /// The current branch's own commits (not on its upstream or the default branch).
    Branch,
    /// What `git rev-list` takes.
    Range(String),
    /// Already resolved (`plan-lint ci`, from the event).
    Spec(RangeSpec),
    /// A message not yet committed (the commit-msg hook), cleaned as `git commit` will clean it;
    /// `flags` is what is known of how `git commit` was run.
    Message {
        bytes: Vec<u8>,
        shown: String,
        flags: CommitFlags,
    },
    /// What a push sends: `(local sha, remote sha)` per updated ref, to `remote`.
    Pushed {
        updates: Vec<(String, String)>,
        remote: String,
    },
}

/// What a commit-msg hook can learn of how `git commit` was run, beyond the configuration:
/// whether an editor was opened (git says so in the environment) and, where the command line
/// can be read, `-v` and `--cleanup`. `None`: unknown.
#[derive(Clone, Debug, Default)]
pub(crate) struct CommitFlags {
    pub editor: Option<bool>,
    pub verbose: Option<bool>,
    pub cleanup: Option<String>,
    /// `--amend` (the advice after a rejection must amend too).
    pub amend: Option<bool>,
}

/// A pull request or issue body, as a tracker gives it.
#[derive(Clone, Debug)]
pub(crate) struct BodyInput {
    pub kind: BodyKind,
    /// `pull request #12`.
    pub what: String,
    pub title: String,
    pub text: String,
}

/// What a body belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyKind {
    PullRequest,
    Issue { open: bool },
}

/// A finished run: what was read, and what was found (levels applied, in a stable order:
/// registry, plans, commits, window, bodies).
pub(crate) struct Run {
    pub facts: Facts,
    pub findings: Vec<Finding>,
    /// For a message being committed: the message as git will store it (the reading judged).
    pub message: Option<String>,
}

/// Read, judge, return. `Ok(None)` only when `registry_optional` and there is no registry.
pub(crate) fn run(inputs: &Inputs) -> Result<Option<Run>> {
    run_in(Repo::discover(&inputs.dir).as_ref(), inputs)
}

/// [`run`] in a repository the caller has opened already (the hooks), or none.
pub(crate) fn run_in(repo: Option<&Repo>, inputs: &Inputs) -> Result<Option<Run>> {
    let root = match repo {
        // A commit's tree needs no work tree (the pre-receive hook runs in a bare repository).
        Some(r) if matches!(inputs.files, FileSource::Tree(_)) => r.root().unwrap_or_else(|| r.git_dir().to_path_buf()),
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
    let files = Files::open(&inputs.files, &root, repo)?.with_unsaved(std::sync::Arc::clone(&inputs.unsaved));
    let Some((registry, registry_text)) =
        files::read_registry(&files, inputs.config.as_deref(), inputs.registry_optional)?
    else {
        return Ok(None);
    };
    let mut sources = Sources::default();
    let registry_source = sources.add(registry_text);
    let levels = Levels::new(&registry, &inputs.levels);

    // Bodies are read first: with `[pull-requests] body-traces-commits`, a pull request body
    // that names promises in play traces its commits.
    let bodies: Vec<Body> = inputs.bodies.iter().map(read_body).collect();
    let mut traced_by_body: Vec<String> = Vec::new();
    if registry.body_traces_commits {
        for b in bodies.iter().filter(|b| b.pull_request) {
            for r in &b.refs {
                let in_play = registry.promise(&r.id).is_some_and(|p| p.status == Status::InPlay);
                if in_play && !traced_by_body.contains(&r.id) {
                    traced_by_body.push(r.id.clone());
                }
            }
        }
    }
    let ctx = Ctx::new(&registry, registry_source, &traced_by_body);
    let mut findings = Vec::new();

    let mut readings = None;
    if inputs.judge_registry {
        let mut sink = Sink::new(&levels);
        rules::judge_registry(&ctx, &mut sink);
        findings.extend(sink.take());
        readings = read_readings(&files, &registry, inputs.window, &mut sources)?;
        if let Some(r) = &readings {
            rules::judge_readings(&ctx, r, &mut sink);
            findings.extend(sink.take());
        }
    }

    let mut skipped = Vec::new();
    let keep_items = inputs.window.is_some();
    let plans = match &inputs.plans {
        PlanScope::None => Plans::default(),
        PlanScope::All => {
            let only = Scope::all();
            let (plans, listing) =
                read_plans(&files, &ctx, &levels, &only, keep_items, &mut sources, &mut skipped, &mut findings);
            let mut sink = Sink::new(&levels);
            rules::judge_listing(&ctx, &listing, &mut sink);
            findings.extend(sink.take());
            plans
        }
        PlanScope::Only(paths) => {
            let scope = Scope { only: Some(paths.iter().cloned().collect()), given: true, ..Scope::all() };
            read_plans(&files, &ctx, &levels, &scope, keep_items, &mut sources, &mut skipped, &mut findings).0
        }
        PlanScope::Staged => match (&repo, files.index()) {
            (Some(repo), Some(_)) => match staged_scope(repo, &files, &registry) {
                Some(scope) => {
                    let (plans, _) = read_plans(
                        &files,
                        &ctx,
                        &levels,
                        &scope,
                        scope.cache.is_some(),
                        &mut sources,
                        &mut skipped,
                        &mut findings,
                    );
                    scope.save_cache(&plans);
                    plans
                }
                None => {
                    return Ok(Some(Run {
                        facts: facts(
                            sources,
                            registry,
                            registry_source,
                            Plans::default(),
                            None,
                            skipped,
                            &bodies,
                            None,
                            readings,
                        ),
                        findings: Vec::new(),
                        message: None,
                    }))
                }
            },
            _ => Plans::default(),
        },
    };

    let mut window = None;
    let mut message_text = None;
    // The range walked in full (no window): the baseline's commits it could have matched.
    let mut walked = None;
    let commits = match (&inputs.commits, &repo) {
        (CommitSelection::None, _) | (_, None) => None,
        (CommitSelection::Message { bytes, shown, flags }, Some(repo)) => {
            let (commits, text) =
                read_message(repo, bytes, shown, flags, inputs.suggestions, &ctx, &levels, &mut sources, &mut findings);
            message_text = Some(text);
            Some(commits)
        }
        (CommitSelection::Pushed { updates, remote }, Some(repo)) => {
            let since = resolve_since(repo, &registry, sources.get(registry_source))?;
            let mut tally = Tally::default();
            for (local, remote_sha) in updates {
                let range = pushed_range(repo, local, remote_sha, remote, since)?;
                let Some(range) = range else { continue };
                let read = read_commits(repo, &range, None, &[], inputs.suggestions, &ctx, &levels, &mut sources)?;
                tally.merge(read.tally);
                findings.extend(read.findings);
            }
            let count = tally.commits;
            Some(Commits { describe: format!("being pushed to {remote}"), count, tally })
        }
        (selection, Some(repo)) => {
            let since = resolve_since(repo, &registry, sources.get(registry_source))?;
            let range = match selection {
                CommitSelection::Spec(r) => {
                    let mut r = r.clone();
                    r.tips.extend(since.map(|s| (s, true)));
                    r
                }
                CommitSelection::Range(spec) => repo.resolve(Some(spec), since)?,
                _ => repo.resolve(None, since)?,
            };
            let watched = if inputs.window.is_some() { watched_paths(&plans) } else { Vec::new() };
            let read =
                read_commits(repo, &range, inputs.window, &watched, inputs.suggestions, &ctx, &levels, &mut sources)?;
            findings.extend(read.findings);
            walked = inputs.window.is_none().then(|| range.clone());
            if let Some(w) = inputs.window {
                let facts = window_facts(repo, w, &registry, &plans, &watched, &read.recent, read.trees);
                let mut sink = Sink::new(&levels);
                rules::judge_window(&ctx, &facts, &read.tally, &mut sink);
                findings.extend(sink.take());
                window = Some(facts);
            }
            let describe = match &registry.since {
                Some(rev) => format!("{}, after {}", range.describe, rev.get_ref()),
                None => range.describe,
            };
            Some(Commits { describe, count: read.tally.commits, tally: read.tally })
        }
    };

    for (b, input) in bodies.iter().zip(&inputs.bodies) {
        let mut sink = Sink::new(&levels);
        rules::judge_body(&ctx, b, &mut sink);
        let found = sink.take();
        if !found.is_empty() {
            let name = if input.title.is_empty() { b.what.clone() } else { format!("{} \"{}\"", b.what, input.title) };
            let id = sources.add(Source::new(SourceKind::Body { name }, b.text.clone()));
            findings.extend(found.into_iter().map(|f| Finding { source: Some(id), ..f }));
        }
    }
    let (findings, baseline) = baseline::apply(&files, repo, inputs, &levels, walked.as_ref(), &sources, findings)?;
    let mut facts = facts(sources, registry, registry_source, plans, commits, skipped, &bodies, window, readings);
    facts.baseline = baseline;
    Ok(Some(Run { facts, findings, message: message_text }))
}

#[allow(clippy::too_many_arguments)]
fn facts(
    sources: Sources,
    registry: Registry,
    registry_source: SourceId,
    plans: Plans,
    commits: Option<Commits>,
    skipped: Vec<(String, String)>,
    bodies: &[Body],
    window: Option<WindowFacts>,
    readings: Option<Readings>,
) -> Facts {
    let bodies = bodies.iter().map(|b| b.what.clone()).collect();
    Facts { sources, registry, registry_source, plans, commits, skipped, bodies, window, readings, baseline: None }
}

/// The readings of outcomes (`[outcomes] file`, default outcomes.csv), from where the registry
/// came from; `None` when the repository keeps none. A file that cannot be read as readings
/// stops the run, every bad row named, as a broken registry does.
fn read_readings(
    files: &Files,
    registry: &Registry,
    window: Option<Window>,
    sources: &mut Sources,
) -> Result<Option<Readings>> {
    let path = registry.outcomes_file.as_str();
    // Read as `measure` writes it: never through a link that leaves the work tree.
    let bytes = match files.read_inside(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::io(format!("could not read {}", files.describe(path)), &e)
                .with_help("`[outcomes] file` is read and written inside the repository's work tree"))
        }
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::new(format!("{path} is not valid UTF-8")).with_help("save the readings as UTF-8 CSV"))?;
    let source = Source::file(path, text);
    let rows = match crate::outcomes::parse(&source.text) {
        Ok(rows) => rows,
        Err(errors) => {
            let all = errors
                .into_iter()
                .map(|e| {
                    Error::new(format!("{path}:{}: {}: {}", e.line, e.column, e.message))
                        .with_help("fix the row, or record readings with `plan-lint measure`, which checks them")
                })
                .collect();
            return Err(Error::many(all).expect("an error"));
        }
    };
    let id = sources.add(source);
    let today = window.and_then(|w| crate::when::local_date(w.until));
    Ok(Some(Readings { path: path.to_string(), source: id, rows, today }))
}

fn read_body(input: &BodyInput) -> Body {
    let text = body::normalize(&input.text);
    let refs = body::references(&text);
    let (pull_request, open) = match input.kind {
        BodyKind::PullRequest => (true, true),
        BodyKind::Issue { open } => (false, open),
    };
    Body { pull_request, what: input.what.clone(), text, refs, open }
}

/// Which documents to read, and for which a registry change is all that can differ.
struct Scope {
    /// `None`: every document the patterns select.
    only: Option<HashSet<String>>,
    /// `only` is the list: the work tree is not listed.
    given: bool,
    /// Documents judged again only for these promises' status change (not themselves staged).
    focus: Option<(Vec<String>, HashSet<String>)>,
    /// The pre-commit cache of which promises each document's open items serve, to update.
    cache: Option<(crate::cache::OpenItems, Vec<(String, Oid)>)>,
}

impl Scope {
    fn all() -> Scope {
        Scope { only: None, given: false, focus: None, cache: None }
    }

    /// Record, per document judged, the promises its open items serve.
    fn save_cache(self, plans: &Plans) {
        let Some((mut cache, documents)) = self.cache else { return };
        let judged = self.only.unwrap_or_default();
        let mut open: HashMap<&str, Vec<String>> = judged.iter().map(|p| (p.as_str(), Vec::new())).collect();
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
}

/// What the pre-commit hook must judge: `None` when nothing staged can change a finding (no
/// registry anywhere, or neither the registry nor a plan document differs from HEAD).
///
/// A staged plan document is judged in full. Other documents are judged again only when the
/// registry changed in a part the plan rules read ([`rules::plan_reads`]): every document, or,
/// when only statuses changed, the documents whose open items serve those promises (the
/// content-addressed cache knows which), reporting only what the change causes: problems
/// already committed are CI's to report, not a reason to block unrelated work.
fn staged_scope(repo: &Repo, files: &Files, registry: &Registry) -> Option<Scope> {
    // A few trees and blobs, never history: the object cache cannot grow, and it saves
    // re-reading HEAD's trees for every path compared.
    crate::git::cache_objects();
    let index = files.index()?;
    let head_tree = repo.head_tree();
    let head_blob = |path: &str| head_tree.as_ref().and_then(|t| t.entry(path));
    let staged_registry = index.get_path(registry::FILE_NAME);
    let head_registry = head_blob(registry::FILE_NAME);

    let changed = |path: &str, id: Oid| head_blob(path) != Some(id);
    let registry_changed = staged_registry.as_ref().is_none_or(|e| changed(registry::FILE_NAME, e.id));
    // Every plan and issue document in the index, with its content's id.
    // Sorted by path: each directory is asked once whether a pattern can match under it.

    let mut last_dir: (&[u8], bool) = (b"\0", false);
    let documents: Vec<(String, Oid)> = index
        .iter()
        .filter_map(|e| {
            let dir = e.path.iter().rposition(|&b| b == b'/').map_or(&e.path[..0], |i| &e.path[..i]);
            if dir != last_dir.0 {
                last_dir = (dir, std::str::from_utf8(dir).is_ok_and(|d| registry.may_hold_documents(d)));
            }
            if !last_dir.1 || e.stage != 0 {
                return None;
            }
            let p = std::str::from_utf8(e.path).ok()?;
            registry.is_document(p).then(|| (p.to_string(), e.id))
        })
        .collect();
    let staged_plans: HashSet<String> =
        documents.iter().filter(|(p, id)| changed(p, *id)).map(|(p, _)| p.clone()).collect();
    if !registry_changed && staged_plans.is_empty() {
        return None;
    }
    if !registry_changed {
        return Some(Scope { only: Some(staged_plans), ..Scope::all() });
    }
    let before = head_registry.and_then(|oid| files::registry_in_blob(repo, oid));
    let changes = match &before {
        Some(before) => registry.changes(before),
        None => return Some(Scope::all()),
    };
    let reads = rules::plan_reads();
    if !changes.parts.intersects(reads) {
        return Some(Scope { only: Some(staged_plans), ..Scope::all() });
    }
    if !changes.parts.and(reads).within(Parts::STATUS) {
        return Some(Scope::all());
    }
    let known = crate::cache::OpenItems::load(repo.common_dir());
    let mut only = staged_plans.clone();
    for (path, oid) in &documents {
        if known.get(*oid).is_none_or(|ids| ids.iter().any(|id| changes.statuses.contains(id))) {
            only.insert(path.clone());
        }
    }
    Some(Scope {
        only: Some(only),
        given: false,
        focus: Some((changes.statuses, staged_plans)),
        cache: Some((known, documents)),
    })
}

/// A document read and judged on a worker: its counts, its text when it has findings, its
/// findings and its items when kept.
struct JudgedDocument {
    items: usize,
    issue: bool,
    text: Option<String>,
    findings: Vec<Finding>,
    list: Vec<PlanItem>,
}

/// Read and judge the plan documents and issue files in `scope`, on every core.
#[allow(clippy::too_many_arguments)]
fn read_plans(
    files: &Files,
    ctx: &Ctx,
    levels: &Levels,
    scope: &Scope,
    keep_items: bool,
    sources: &mut Sources,
    skipped: &mut Vec<(String, String)>,
    findings: &mut Vec<Finding>,
) -> (Plans, Listing) {
    let registry = ctx.registry;
    let is_issue = |p: &str| registry.issue_globs.is_match(p);
    let (paths, passed) = match &scope.only {
        Some(only) if scope.given => {
            let mut paths: Vec<String> = only.iter().filter(|p| registry.is_document(p)).cloned().collect();
            paths.sort_unstable();
            (paths, Vec::new())
        }
        _ => files.paths(
            &|p| scope.only.as_ref().is_none_or(|o| o.contains(p)) && registry.is_document(p),
            &files::document_dirs(registry),
        ),
    };
    let passed_over: Vec<String> = passed.iter().map(|(p, _)| p.clone()).collect();
    skipped.extend(passed);
    // Which written patterns matched nothing (a typo switches a check off unseen).
    let mut listing = Listing::default();
    if scope.only.is_none() {
        for (table, patterns) in [("plans", &registry.plan_globs), ("issues", &registry.issue_globs)] {
            let mut matched = vec![false; patterns.texts().len()];
            for p in paths.iter().chain(&passed_over) {
                for i in patterns.matching(p) {
                    matched[i] = true;
                }
            }
            let written = (0..matched.len()).filter(|&i| patterns.span(i).is_some());
            listing.unmatched.extend(written.filter(|&i| !matched[i]).map(|i| (table, i)));
        }
    }
    let judge = |rel: &str, bytes: &[u8]| -> std::result::Result<JudgedDocument, String> {
        let decoded = decode(bytes);
        let bytes: &[u8] = decoded.as_deref().map_or(bytes, str::as_bytes);
        if memchr::memchr(0, &bytes[..bytes.len().min(8000)]).is_some() {
            return Err("binary, not Markdown (a NUL byte in its first 8 KB)".to_string());
        }
        let mut sink = match &scope.focus {
            Some((ids, staged)) if !staged.contains(rel) => Sink::focused(levels, ids),
            _ => Sink::new(levels),
        };
        let mut list = Vec::new();
        let (items, issue, text) = if is_issue(rel) {
            let text = body::normalize(&String::from_utf8_lossy(bytes));
            let refs = body::references(&text);
            let open = body::is_open(&text);
            if keep_items {
                let span = body::first_line(&text);
                list.push(PlanItem {
                    path: rel.to_string(),
                    line: line_of(&text, span.start),
                    text: text[span].trim_start_matches('#').trim().to_string(),
                    done: !open,
                    promises: refs.iter().map(|r| r.id.clone()).collect(),
                    exception: None,
                });
            }
            let b = Body { pull_request: false, what: rel.to_string(), text, refs, open };
            rules::judge_body(ctx, &b, &mut sink);
            (1, true, b.text)
        } else if !markdown::may_have_items(bytes) {
            // Nothing a plan can say (no task box, no trace keyword): judged as the empty plan
            // a parse would give, without the parse.
            rules::judge_plan(ctx, &markdown::Plan::default(), &mut sink);
            let text = if sink.is_empty() { String::new() } else { String::from_utf8_lossy(bytes).into_owned() };
            (0, false, text)
        } else {
            let text = markdown::normalize_line_ends(String::from_utf8_lossy(bytes).into_owned());
            let plan = markdown::scan(&text);
            rules::judge_plan(ctx, &plan, &mut sink);
            if keep_items {
                let lines = Lines::new(&text);
                list.extend(plan.items.iter().map(|i| PlanItem {
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
        let found = sink.take();
        let text = (!found.is_empty()).then_some(text);
        Ok(JudgedDocument { items, issue, text, findings: found, list })
    };
    let judged = read_listed(files, paths, judge);
    let mut plans = Plans::default();
    for (rel, result) in judged {
        match result {
            Ok(doc) => {
                plans.list.extend(doc.list);
                if doc.issue {
                    plans.issues += 1;
                } else {
                    plans.files += 1;
                }
                plans.items += doc.items;
                if let Some(text) = doc.text {
                    let id = sources.add(Source::file(rel, text));
                    // In place: one document may hold a million findings.
                    let found: Vec<Finding> =
                        doc.findings.into_iter().map(|f| Finding { source: Some(id), ..f }).collect();
                    if findings.is_empty() {
                        *findings = found;
                    } else {
                        findings.extend(found);
                    }
                }
            }
            Err(why) => skipped.push((rel, why)),
        }
    }
    (plans, listing)
}

/// Read and judge each listed document. A file gone or unreadable by the time it is read
/// (deleted between listing and reading, say) is `Err("not read: …")`: skipped with a note,
/// never a crash.
fn read_listed<T: Send>(
    files: &Files,
    paths: Vec<String>,
    judge: impl Fn(&str, &[u8]) -> std::result::Result<T, String> + Sync,
) -> Vec<(String, std::result::Result<T, String>)> {
    // Blobs from the index are read first, on this thread: libgit2 handles are not shared
    // between threads. Work tree files are read on the workers.
    if files.index().is_some() {
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
        let unsaved: HashMap<&str, &str> = paths.iter().filter_map(|p| Some((p.as_str(), files.unsaved(p)?))).collect();
        let results = parallel_map(&paths, |rel| {
            if let Some(text) = unsaved.get(rel.as_str()) {
                return judge(rel, text.as_bytes());
            }
            let bytes = files::read_limited(&root.join(rel), MAX_PLAN_BYTES).map_err(|e| match e {
                Some(e) => format!("not read: {e}"),
                None => format!("not read: larger than {} MiB", MAX_PLAN_BYTES >> 20),
            })?;
            judge(rel, &bytes)
        });
        paths.into_iter().zip(results).collect()
    }
}

/// A document saved as UTF-16 (with a byte-order mark, as editors on Windows save it) decoded
/// to UTF-8, or one saved with a UTF-8 byte-order mark without it; `None` for anything else,
/// which is read as UTF-8 (invalid bytes as U+FFFD). The editor server reads documents with it
/// too.
pub(crate) fn decode(bytes: &[u8]) -> Option<String> {
    let utf16 = |rest: &[u8], unit: fn([u8; 2]) -> u16| {
        let units = rest.chunks_exact(2).map(|c| unit([c[0], c[1]]));
        char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect::<String>()
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => Some(utf16(rest, u16::from_le_bytes)),
        [0xFE, 0xFF, rest @ ..] => Some(utf16(rest, u16::from_be_bytes)),
        [0xEF, 0xBB, 0xBF, rest @ ..] => Some(String::from_utf8_lossy(rest).into_owned()),
        _ => None,
    }
}

/// The 1-based line of `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    Lines::new(text).of(offset)
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

/// The message of the commit being made (the commit-msg hook): cleaned as `git commit` will
/// clean it (`commit.cleanup`, `core.commentChar`, the scissors line), read as `git log` will
/// read it, and judged with HEAD's registry as the registry it was written against. When the
/// hook cannot tell whether git will cut at a scissors line (`-v` is invisible to it), both
/// readings are judged and the commit passes only if both do.
#[allow(clippy::too_many_arguments)]
fn read_message(
    repo: &Repo,
    bytes: &[u8],
    shown: &str,
    flags: &CommitFlags,
    suggestions: bool,
    ctx: &Ctx,
    levels: &Levels,
    sources: &mut Sources,
    findings: &mut Vec<Finding>,
) -> (Commits, String) {
    let comment_char = repo.config_string("core.commentChar");
    let how = message::Invocation {
        editor: flags.editor,
        cleanup: flags.cleanup.clone().or_else(|| repo.config_string("commit.cleanup")),
        verbose: flags.verbose.unwrap_or_else(|| repo.config_bool("commit.verbose").unwrap_or(false)),
        verbose_known: flags.verbose.is_some(),
        // Both come from the command line: read, or not.
        cleanup_known: flags.verbose.is_some(),
        status: repo.config_bool("commit.status").unwrap_or(true),
        comment_char: comment_char.clone(),
    };
    // The stored message is read later by `git log`, with the configuration as it is then: a
    // `git -c core.commentChar=…` given to this commit alone does not apply.
    let log_comment = message::log_comment_string(repo.config_string_stored("core.commentChar").as_deref());
    let parents = if repo.is_merging() { 2 } else { 1 };
    let branch_promise = repo.branch_name().and_then(|b| ctx.registry.promise_of_branch(&b).map(|p| p.id.clone()));
    let mut from_paths = None;
    let mut judged = Vec::new();
    for cleaned in message::readings(bytes, &how) {
        let mut facts = commit::read(None, parents, &cleaned, &ctx.registry.exempt_subjects, &log_comment);
        facts.likely_promise =
            branch_promise.clone().map(|id| commit::Likely { id, why: "the branch names it".to_string() });
        if suggestions && facts.likely_promise.is_none() && class(&facts, ctx) == Class::Untraced {
            // Looked up once, and only for a commit about to be refused.
            let likely = from_paths.get_or_insert_with(|| {
                let paths = repo.staged_against_head(SUGGESTION_PATHS);
                promise_from_paths(repo, ctx.registry, repo.head_commit(), &paths, &log_comment)
            });
            facts.likely_promise = likely.clone();
        }
        // A commit that takes a promise out of play (marks it done) is still work on it: in
        // play in HEAD's registry is in play enough.
        if needs_then(ctx.registry, &facts) {
            let before = repo.head_tree().and_then(|t| files::registry_in_tree(repo, &t));
            facts.in_play_then = before.map(|r| r.in_play().map(|p| p.id.clone()).collect());
        }
        let mut sink = Sink::new(levels);
        rules::judge_commit(ctx, &facts, &mut sink);
        judged.push((facts, sink.take()));
    }
    // The reading that fails, if one does: git may store it.
    let pick = judged.iter().position(|(_, found)| found.iter().any(|f| f.severity == Severity::Error)).unwrap_or(0);
    let (facts, found) = judged.swap_remove(pick);
    let mut tally = Tally::default();
    tally.add(&class(&facts, ctx), 0, "", 1);
    let text = facts.text.clone();
    if !found.is_empty() {
        let id = sources.add(Source::new(SourceKind::Message { path: shown.to_string() }, facts.text));
        findings.extend(found.into_iter().map(|f| Finding { source: Some(id), ..f }));
    }
    (Commits { describe: "the commit being made".into(), count: 1, tally }, text)
}

/// Whether a commit names a promise that exists but is not in play now: only then does the
/// registry as the commit saw it matter.
fn needs_then(registry: &Registry, c: &CommitFacts) -> bool {
    c.exempt.is_none()
        && c.promises.iter().any(|(id, _)| registry.promise(id).is_some_and(|p| p.status != Status::InPlay))
}

/// What a commit counts as in the [`Tally`]. A traced commit counts once for each promise of
/// the registry it names: the tally is read only for the registry's promises, and a message
/// naming 2,000,000 unknown ids held an entry for each, gigabytes (issue 23).
fn class<'a>(c: &'a CommitFacts, ctx: &'a Ctx) -> Class<'a> {
    if c.exempt.is_some() {
        Class::Exempt
    } else if !c.promises.is_empty() {
        let mut ids: Vec<&str> =
            c.promises.iter().map(|(id, _)| id.as_str()).filter(|id| ctx.registry.promise(id).is_some()).collect();
        ids.sort_unstable();
        ids.dedup();
        Class::Traced(ids)
    } else if c.exception.as_ref().is_some_and(|(reason, _)| !reason.is_empty()) {
        Class::Exception
    } else if !ctx.traced_by_body.is_empty() {
        Class::Traced(ctx.traced_by_body.iter().map(String::as_str).collect())
    } else {
        Class::Untraced
    }
}

const ZERO: &str = "0000000000000000000000000000000000000000";

/// The commits one pushed ref update brings: `None` for a deletion.
fn pushed_range(
    repo: &Repo,
    local: &str,
    remote_sha: &str,
    remote: &str,
    since: Option<Oid>,
) -> Result<Option<RangeSpec>> {
    if local.chars().all(|c| c == '0') {
        return Ok(None); // a deletion pushes no commits
    }
    // A tag may point at a blob or a tree (`git push origin <tag>`, `--tags`): no commits.
    let bad = |why: String| Error::new(format!("bad pushed object {local}: {why}"));
    let oid = Oid::from_str(local).map_err(|e| bad(e.message().to_string()))?;
    let crate::git::Peeled::Commit(tip) = repo.peel(oid).map_err(bad)? else { return Ok(None) };
    let known_remote = (remote_sha != ZERO && !remote_sha.is_empty())
        .then(|| repo.commit_id(remote_sha).ok())
        .flatten()
        .filter(|o| repo.has_commit(*o));
    Ok(Some(match known_remote {
        // An update: what is new since the remote's tip, less what any remote already has.
        Some(base) => {
            let mut range = repo.resolve(Some(&format!("{base}..{tip}")), since)?;
            range.tips.extend(repo.remote_tracking_tips().into_iter().map(|c| (c, true)));
            range
        }
        // A new branch, or a force push over a tip we do not have: what the remote lacks.
        None => repo.new_to_remote(tip, remote, since)?,
    }))
}

/// What [`read_commits`] found.
struct ReadCommits {
    tally: Tally,
    /// Findings, their sources added.
    findings: Vec<Finding>,
    /// With a window: every commit read.
    recent: Vec<Recent>,
    /// With a window: the watched entries of the window's trees, looked up while the walk ran.
    trees: HashMap<Oid, Vec<Oid>>,
}

/// A commit of the window, as its header gave it: what the window facts need.
#[derive(Clone, Debug)]
struct Recent {
    oid: Oid,
    time: i64,
    tree: Option<Oid>,
    parent: Option<Oid>,
    /// On the first-parent line from a tip of the window (as far as the walk could tell).
    mainline: bool,
}

/// The paths whose changes the window facts read: every plan document with items, and the
/// registry (sorted: the order of [`crate::git::Watched::entries`]).
fn watched_paths(plans: &Plans) -> Vec<String> {
    let mut watched: Vec<String> = plans.list.iter().map(|i| i.path.clone()).collect();
    watched.push(registry::FILE_NAME.to_string());
    watched.sort_unstable();
    watched.dedup();
    watched
}

/// A commit judged on a worker: its id, its facts when they are still needed (findings, or a
/// look-up of the registry as it saw it), and its findings.
/// A commit judged on a worker, as it waits for the walk to end.
enum JudgedCommit {
    /// Its findings, with only what they point into kept (the subject, the labelled lines).
    Found { oid: Oid, subject: String, text: String, untraced: bool, found: Vec<Finding> },
    /// It names a promise not in play now: judged on the walking thread, with the registry as
    /// the commit saw it.
    Later { oid: Oid, facts: Box<CommitFacts> },
}

/// Read and judge commits from history, as the walk yields them (see the module docs). Trailers
/// are read as `git log` reads them, with the repository's comment character (`auto` means `#`
/// outside of `git commit`, as in git).
#[allow(clippy::too_many_arguments)]
fn read_commits(
    repo: &Repo,
    range: &RangeSpec,
    window: Option<Window>,
    watched: &[String],
    suggestions: bool,
    ctx: &Ctx,
    levels: &Levels,
    sources: &mut Sources,
) -> Result<ReadCommits> {
    use std::sync::mpsc;
    use std::sync::{Arc, Mutex};

    const CHUNK: usize = 256;
    type Chunk = (usize, Vec<Raw>);
    type Judged = (usize, Tally, Vec<JudgedCommit>);

    let comment = message::log_comment_string(repo.config_string("core.commentChar").as_deref());
    let mut walker = repo.walk(&range.tips, window.map(|w| w.since))?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Chunk>(workers * 4);
    let chunk_rx = Arc::new(Mutex::new(chunk_rx));
    let (result_tx, result_rx) = mpsc::channel::<Judged>();

    // Only a walk with excluded tips can yield a commit it later finds excluded.
    let limited = range.tips.iter().any(|&(_, excluded)| excluded);
    let mut yielded = Vec::new();
    let mut recent = Vec::new();
    // With a window, the watched entries of each commit's tree are looked up on a thread of
    // their own (its own handle on the repository) while the walk runs.
    let look_up = window.is_some() && watched.len() <= WATCHED_LOOKUP;
    let (mut mainline_next, mut child_of) = (HashSet::new(), HashSet::new());
    let (tree_tx, tree_rx) = mpsc::channel::<Oid>();
    let (walked, trees): (Result<()>, HashMap<Oid, Vec<Oid>>) = std::thread::scope(|scope| {
        let trees = if look_up {
            let git_dir = repo.git_dir().to_path_buf();
            Some(scope.spawn(move || {
                let mut found: HashMap<Oid, Vec<Oid>> = HashMap::new();
                let Some(repo) = Repo::open(&git_dir) else { return found };
                let entries = repo.watched(watched);
                for tree in tree_rx {
                    found.entry(tree).or_insert_with(|| entries.entries(Some(tree)));
                }
                found
            }))
        } else {
            drop(tree_rx);
            None
        };
        for _ in 0..workers {
            let chunk_rx = Arc::clone(&chunk_rx);
            let result_tx = result_tx.clone();
            let comment = &comment;
            scope.spawn(move || loop {
                let next = chunk_rx.lock().map(|rx| rx.recv());
                let Ok(Ok((index, commits))) = next else { return };
                let (tally, judged) = judge_chunk(&commits, ctx, levels, comment);
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
        loop {
            match walker.next_commit() {
                Ok(Some(raw)) => {
                    let time = raw.header.time;
                    // The walker stops at `since` as git does; `until` only hides newer ones.
                    if window.is_some_and(|w| time > w.until) {
                        continue;
                    }
                    if limited {
                        yielded.push(raw.oid);
                    }
                    if window.is_some() {
                        // A tip (no child walked) or the first parent of a mainline commit:
                        // only mainline trees are read (see `window_facts`).
                        let h = &raw.header;
                        let mainline = mainline_next.remove(&raw.oid) || !child_of.contains(&raw.oid);
                        child_of.extend(h.parents.iter().copied());
                        if mainline {
                            mainline_next.extend(h.first_parent);
                            if let (true, Some(tree)) = (look_up, h.tree) {
                                let _ = tree_tx.send(tree);
                            }
                        }
                        recent.push(Recent { oid: raw.oid, time, tree: h.tree, parent: h.first_parent, mainline });
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
        drop(tree_tx);
        let trees = trees.and_then(|t| t.join().ok()).unwrap_or_default();
        (result, trees)
    });
    walked?;
    walker.close_packs();
    if walker.crossed_shallow() {
        return Err(Error::new(format!(
            "the commits of {} reach past the history of this shallow clone",
            range.describe
        ))
        .with_help("fetch the full history: `git fetch --unshallow`, or actions/checkout with `fetch-depth: 0`"));
    }

    let mut judged: Vec<Judged> = result_rx.into_iter().collect();
    judged.sort_by_key(|(index, _, _)| *index);
    let mut tally = Tally::default();
    let mut findings = Vec::new();
    let mut then = StatusThen::default();
    let mut suggested = 0;
    let max_suggestions = if suggestions { MAX_SUGGESTIONS } else { 0 };
    for (_, chunk_tally, commits) in judged {
        tally.merge(chunk_tally);
        for judged in commits {
            let (oid, subject, text, found) = match judged {
                JudgedCommit::Later { oid, mut facts } => {
                    // Walked before skewed dates revealed it as excluded: taken back, as git does.
                    if walker.is_uninteresting(oid) {
                        continue;
                    }
                    facts.in_play_then = Some(then.in_play(repo, oid));
                    let mut sink = Sink::new(levels);
                    rules::judge_commit(ctx, &facts, &mut sink);
                    let found = sink.take();
                    (oid, facts.subject, facts.text, found)
                }
                JudgedCommit::Found { oid, .. } if walker.is_uninteresting(oid) => continue,
                // Untraced: what the paths it touched suggest, and whether it predates adoption
                // (judged again with those facts, read again in full). Bounded: a suggestion for
                // the first few is help enough, and a pre-adoption history can hold thousands.
                JudgedCommit::Found { oid, untraced: true, subject, text, found } if suggested < max_suggestions => {
                    suggested += 1;
                    match suggest(repo, oid, ctx, levels, &comment) {
                        Some((facts, found)) => (oid, facts.subject, facts.text, found),
                        None => (oid, subject, text, found),
                    }
                }
                JudgedCommit::Found { oid, subject, text, found, .. } => (oid, subject, text, found),
            };
            if found.is_empty() {
                continue;
            }
            let kind = SourceKind::Commit { sha: oid.to_string(), subject };
            let id = sources.add(Source::new(kind, labelled_part(text, &found)));
            findings.extend(found.into_iter().map(|f| Finding { source: Some(id), ..f }));
        }
    }
    // Walked before skewed dates revealed them as excluded: rare, so read again to take back.
    for oid in yielded.into_iter().filter(|&oid| walker.is_uninteresting(oid)) {
        let raw = repo.raw_commit(oid)?;
        let facts = scan_commit(&raw, ctx, &comment);
        count_commit(&mut tally, &raw, &facts, ctx, -1);
    }
    tally.merge(Tally::default());
    recent.retain(|r| !walker.is_uninteresting(r.oid));
    Ok(ReadCommits { tally, findings, recent, trees })
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

/// An untraced commit read again in full and judged with what the paths it touched suggest and
/// whether it predates promises.toml; `None` when it cannot be read.
fn suggest(repo: &Repo, oid: Oid, ctx: &Ctx, levels: &Levels, comment: &[u8]) -> Option<(CommitFacts, Vec<Finding>)> {
    let raw = repo.raw_commit(oid).ok()?;
    let mut facts = scan_commit(&raw, ctx, comment);
    let change = repo.change_of(oid, SUGGESTION_PATHS)?;
    facts.before_adoption = repo.commit_tree(oid).is_some_and(|t| t.entry(registry::FILE_NAME).is_none());
    facts.likely_promise = promise_from_paths(repo, ctx.registry, change.parent, &change.paths, comment);
    let mut sink = Sink::new(levels);
    rules::judge_commit(ctx, &facts, &mut sink);
    let found = sink.take();
    Some((facts, found))
}

/// Untraced commits in one run that get a suggestion from the paths they touch.
const MAX_SUGGESTIONS: usize = 8;
/// How far back the latest commit touching the same paths is looked for.
const SUGGESTION_LOOKBACK: usize = 100;
/// Paths of a change looked at for a suggestion.
const SUGGESTION_PATHS: usize = 64;

/// The promise in play named by the latest traced commit, from `from` back at most
/// [`SUGGESTION_LOOKBACK`] commits, that touched one of `paths`: whoever last worked on these
/// files said which promise it served.
fn promise_from_paths(
    repo: &Repo,
    registry: &Registry,
    from: Option<Oid>,
    paths: &[String],
    comment: &[u8],
) -> Option<commit::Likely> {
    let from = from?;
    if paths.is_empty() || registry.in_play().next().is_none() {
        return None;
    }
    let traced = |parents: usize, message: &[u8]| {
        let facts = commit::read(None, parents, message, &[], comment);
        let in_play = |id: &&String| registry.promise(id).is_some_and(|p| p.status == Status::InPlay);
        facts.promises.iter().map(|(id, _)| id).find(in_play).cloned()
    };
    let (id, oid, path) = repo.latest_touching(from, paths, SUGGESTION_LOOKBACK, traced)?;
    let short = &oid.to_string()[..7];
    Some(commit::Likely { id, why: format!("the latest commit touching {path}, {short}, names it") })
}

fn scan_commit(raw: &Raw, ctx: &Ctx, comment: &[u8]) -> CommitFacts {
    let message = &raw.data[raw.header.message..];
    commit::read(Some(raw.oid.to_string()), raw.header.parent_count, message, &ctx.registry.exempt_subjects, comment)
}

/// Scan, count and judge a chunk of raw commits (on a worker). Only commits with findings, or
/// that need the registry as they saw it, come back, with their facts.
fn judge_chunk(commits: &[Raw], ctx: &Ctx, levels: &Levels, comment: &[u8]) -> (Tally, Vec<JudgedCommit>) {
    let mut tally = Tally::default();
    let mut out = Vec::new();
    let mut sink = Sink::new(levels);
    for raw in commits {
        let facts = scan_commit(raw, ctx, comment);
        count_commit(&mut tally, raw, &facts, ctx, 1);
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
            let untraced = class(&facts, ctx) == Class::Untraced;
            let text = labelled_part(facts.text, &found);
            out.push(JudgedCommit::Found { oid: raw.oid, subject: facts.subject, text, untraced, found });
        }
    }
    out.shrink_to_fit();
    (tally, out)
}

/// Count a commit (`sign` 1) or take it back (-1).
fn count_commit(tally: &mut Tally, raw: &Raw, facts: &CommitFacts, ctx: &Ctx, sign: isize) {
    let time = raw.header.time;
    let class = class(facts, ctx);
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
    let author = String::from_utf8_lossy(&raw.data[raw.header.author.clone()]);
    tally.add(&class, time, &author, sign);
}

/// Promises in play as a commit saw them: the registry in its tree and its first parent's
/// (a commit that finishes a promise, or was made while it was in play, is not work off the
/// plan), cached by blob (a registry changes rarely).
#[derive(Default)]
struct StatusThen {
    by_blob: HashMap<Oid, Vec<String>>,
}

impl StatusThen {
    fn in_play(&mut self, repo: &Repo, oid: Oid) -> Vec<String> {
        let mut out = Vec::new();
        for blob in repo.entries_as_seen_by(oid, registry::FILE_NAME) {
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

/// Which promises' plan documents changed in the last `idle-days` of the window, and when
/// promises left play: each recent commit's changes against its first parent, matched to the
/// documents' items.
#[allow(clippy::too_many_arguments)]
fn window_facts(
    repo: &Repo,
    window: Window,
    registry: &Registry,
    plans: &Plans,
    watched: &[String],
    recent: &[Recent],
    looked_up: HashMap<Oid, Vec<Oid>>,
) -> WindowFacts {
    let idle_since = window.until - i64::from(registry.idle_days) * crate::when::DAY;
    let mut by_path: HashMap<&str, HashSet<&str>> = HashMap::new();
    for item in &plans.list {
        by_path.entry(item.path.as_str()).or_default().extend(item.promises.iter().map(String::as_str));
    }
    let mut facts = WindowFacts { window, covers_idle: window.since <= idle_since, ..WindowFacts::default() };
    // Only the registry and the plan documents matter: with few, their entries in each tree
    // (looked up while the walk ran; a parent outside the window here); with many, a diff
    // limited to them.
    let tree_of: HashMap<Oid, Option<Oid>> = recent.iter().map(|r| (r.oid, r.tree)).collect();
    let mut entries = looked_up;
    let lookup = repo.watched(watched);
    let mut entries_of = |tree_id: Option<Oid>| -> Vec<Oid> {
        let Some(id) = tree_id else { return vec![Oid::zero(); watched.len()] };
        entries.entry(id).or_insert_with(|| lookup.entries(Some(id))).clone()
    };
    // Only the mainline: the first-parent line from each tip of the window. A merge's change
    // against its first parent is what its side branch brought; the facts are latest times,
    // and the merge is newer than the commits it brings, so reading the side branches would
    // change nothing but an edit a side branch made and undid before it was merged. The walk
    // marked the mainline as it went; with skewed dates a first parent can come before its
    // child, so the line is followed again here.
    let mut mainline: HashSet<Oid> = recent.iter().filter(|r| r.mainline).map(|r| r.oid).collect();
    let first_parent: HashMap<Oid, Oid> = recent.iter().filter_map(|r| Some((r.oid, r.parent?))).collect();
    let mut follow: Vec<Oid> = mainline.iter().copied().collect();
    while let Some(oid) = follow.pop() {
        if let Some(&p) = first_parent.get(&oid) {
            if tree_of.contains_key(&p) && mainline.insert(p) {
                follow.push(p);
            }
        }
    }
    for r in recent.iter().filter(|r| mainline.contains(&r.oid)) {
        let (oid, time) = (r.oid, r.time);
        // (path, blob before, blob after) for each watched path this commit changed.
        let changed: Vec<(String, Oid, Oid)> = if watched.len() <= WATCHED_LOOKUP {
            let after = entries_of(r.tree);
            let parent_tree = r.parent.map(|p| match tree_of.get(&p) {
                Some(tree) => *tree,
                None => repo.tree_of(p),
            });
            let before = entries_of(parent_tree.flatten());
            watched
                .iter()
                .zip(before.into_iter().zip(after))
                .map(|(p, (before, after))| (p.to_string(), before, after))
                .filter(|(_, before, after)| before != after && !after.is_zero())
                .collect()
        } else {
            let Some(changes) = repo.changes_in(oid, watched) else { continue };
            changes
        };
        for (path, before_blob, after_blob) in changed {
            let path = path.as_str();
            if path == registry::FILE_NAME {
                let statuses = |blob: Oid| -> HashMap<String, Status> {
                    files::registry_in_blob(repo, blob)
                        .map(|r| r.promises.into_iter().map(|p| (p.id, p.status)).collect())
                        .unwrap_or_default()
                };
                let before = statuses(before_blob);
                for (id, status) in statuses(after_blob) {
                    if before.get(&id) == Some(&Status::InPlay) && status != Status::InPlay {
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

/// The `[commits] since` commit, with an error pointing at the setting when it does not resolve.
fn resolve_since(repo: &Repo, registry: &Registry, source: &Source) -> Result<Option<Oid>> {
    let Some(rev) = &registry.since else { return Ok(None) };
    repo.commit_id(rev.get_ref()).map(Some).map_err(|why| {
        Error::new(format!("`[commits] since = \"{}\"` is not a commit in this repository: {why}", rev.get_ref()))
            .at(source, Label::new(rev.span(), "not found"))
            .with_help("name a commit, tag or branch this clone has; in a shallow clone, fetch more history")
    })
}

/// The registry a hook would use (staged, else the work tree's), for the hooks that only help
/// (prepare-commit-msg): `None` when there is none or it does not read.
pub(crate) fn hook_registry(repo: &Repo, dir: &Path) -> Option<Registry> {
    let root = repo.root()?;
    let files = Files::open(&FileSource::IndexOrWorkTree(repo.index_path(dir)), &root, Some(repo)).ok()?;
    files::read_registry(&files, None, true).ok().flatten().map(|(r, _)| r)
}

/// `[limits] idle-days` of the work tree's registry, if it can be read (to size a default
/// window before the real run, which reports any error).
pub(crate) fn peek_idle_days(dir: &Path, config: Option<&Path>) -> Option<u32> {
    let root = match config {
        Some(_) => dir.to_path_buf(),
        None => Repo::discover(dir)?.root()?,
    };
    let files = Files::open(&FileSource::WorkTree, &root, None).ok()?;
    files::read_registry(&files, config, true).ok().flatten().map(|(r, _)| r.idle_days)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file deleted between listing and reading (what a concurrent `git checkout` does) is
    /// skipped with its reason, deterministically: the listing is taken, the file removed, then
    /// the read runs.
    #[test]
    fn a_file_deleted_after_listing_is_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.md", "b.md"] {
            std::fs::write(dir.path().join(name), "- [ ] x\n").unwrap();
        }
        let files = Files::open(&FileSource::WorkTree, dir.path(), None).unwrap();
        let (paths, _) = files.paths(&|p| p.ends_with(".md"), &(std::sync::Arc::new(|_: &str| true) as files::Descend));
        assert_eq!(paths.len(), 2);
        std::fs::remove_file(dir.path().join("b.md")).unwrap();
        let read = read_listed(&files, paths, |_, bytes| Ok(bytes.len()));
        let by_name: HashMap<&str, &std::result::Result<usize, String>> =
            read.iter().map(|(p, r)| (p.as_str(), r)).collect();
        assert_eq!(by_name["a.md"], &Ok(8));
        let gone = by_name["b.md"].as_ref().unwrap_err();
        assert!(gone.starts_with("not read: ") && gone.contains("No such file"), "{gone}");
    }

    /// The tally counts a commit once per promise of the registry it names: not twice for an id
    /// named twice, and not at all for unknown ids (a message of 2,000,000 of them held an
    /// entry for each).
    #[test]
    fn a_commit_counts_once_for_each_declared_promise_it_names() {
        let source = Source::file("promises.toml", "[promises.live]\nstatement = \"s\"\nstatus = \"in-play\"\n");
        let registry = Registry::parse(&source).unwrap();
        let ctx = Ctx::new(&registry, crate::source::SourceId(0), &[]);
        let facts = commit::read(None, 1, b"Work\n\nPromise: live, nope1\nPromise: nope2, live\n", &[], b"#");
        assert_eq!(class(&facts, &ctx), Class::Traced(vec!["live"]));
        let facts = commit::read(None, 1, b"Work\n\nPromise: nope1\n", &[], b"#");
        assert_eq!(class(&facts, &ctx), Class::Traced(vec![]), "traced, by no promise of the registry");
        let mut tally = Tally::default();
        tally.add(&class(&facts, &ctx), 0, "", 1);
        assert!(tally.promises.is_empty());
    }
}
