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
//! This file orchestrates: [`run_in`] opens the sources and drives one [`Gather`] (the run being
//! built: what it judges with, and what it has read and found so far) through each step, each
//! in a module of its own:
//!
//! - `registry`: the registry's own rules, and the readings of outcomes;
//! - `plans`: plan documents and issue files, read and judged on every core;
//! - `precommit`: what a staged change can affect (the pre-commit hook's scope);
//! - `commits`: which commits the inputs select, and how a commit counts;
//! - `message`: the message of the commit being made (the commit-msg hook);
//! - `walk`: history, the hot path. This thread walks ([`crate::git::walk::Walker`], one read
//!   per commit) and hands raw commits in chunks over a bounded channel to workers (one per
//!   core, at most four) that scan and judge them; a commit's text is kept only when it has
//!   findings, so memory stays flat however long the history;
//! - `suggest`: for an untraced commit, the promise the paths it touched suggest;
//! - `window`: what changed in a time window (plan activity, promises leaving play, items closed);
//! - `history`: the registry's history (its revisions on the first-parent line, what each changed);
//! - `baseline`: findings `.plan-lint-baseline.json` records, set aside once.

use crate::code::{Code, Level};
use crate::error::{Error, Result};
use crate::facts::{Body, Commits, Facts, Plans, Readings, Window, WindowFacts};
use crate::files::{self, FileSource, Files};
use crate::finding::Finding;
use crate::git::{RangeSpec, Repo};
use crate::registry::{Registry, Status};
use crate::rules::{self, Ctx, Levels, Sink};
use crate::scan::body;
use crate::source::{Source, SourceId, Sources};
use std::path::{Path, PathBuf};

mod baseline;
mod commits;
mod history;
mod message;
mod plans;
mod precommit;
mod registry;
mod scopes;
mod suggest;
mod walk;
mod window;

pub(crate) use crate::facts::BodyKind;
pub(crate) use crate::files::Absent;
pub(crate) use commits::CommitFindings;
pub(crate) use plans::decode;
pub(crate) use scopes::run_all;

/// What a run reads and judges: the entry point's whole description of its inputs.
#[derive(Clone, Debug)]
pub(crate) struct Inputs {
    pub dir: PathBuf,
    /// `--config`: the registry from this file instead of `promises.toml`.
    pub config: Option<PathBuf>,
    pub files: FileSource,
    pub plans: PlanScope,
    /// Whether the registry's own rules run (`too-many-in-play`, `no-outcome`).
    pub registry_rules: RegistryRules,
    pub commits: CommitSelection,
    /// Only commits in this window are read (the range still applies); the drift rules run.
    pub window: Option<Window>,
    /// Pull request and issue bodies from a tracker.
    pub bodies: Vec<BodyInput>,
    /// Levels from the command line, over `[rules]`.
    pub levels: Vec<(Code, Level)>,
    /// What a repository without a registry means: an error, or (hooks, the editor server) not
    /// using plan-lint, when [`run`] returns `None`.
    pub no_registry: Absent,
    /// Whether untraced commits get a suggestion from the paths they touch (reads their diffs
    /// and recent history): for reports that show help; the board shows none, and the editor
    /// server never walks history on a keystroke.
    pub suggestions: Suggestions,
    /// Texts not yet saved (the editor server's open documents), by path relative to the root:
    /// read instead of the files.
    pub unsaved: crate::files::Unsaved,
    /// The readings are judged only when the selected range changes them or the registry (a
    /// pull request: the state of the product is not its doing).
    pub readings_when_changed: bool,
    /// The scope judged: a listed member's folder (`teams/search`), `""` for the root.
    pub scope: String,
    /// How far back the registry's history is read.
    pub history: RegistryHistory,
    /// Whether the commits' own findings are kept, or only their tally and window facts (a
    /// member's run of `check --all` over a window: the root's run judged every commit).
    pub commit_findings: CommitFindings,
    /// What the runs of several scopes share, read once before them (`check --all`).
    pub prepared: Option<std::sync::Arc<scopes::Prepared>>,
}

impl Inputs {
    /// Nothing to read yet: the work tree's registry, judged; no plans, commits or bodies.
    pub fn new(dir: &Path) -> Inputs {
        Inputs {
            dir: dir.to_path_buf(),
            config: None,
            files: FileSource::WorkTree,
            plans: PlanScope::None,
            registry_rules: RegistryRules::Judged,
            commits: CommitSelection::None,
            window: None,
            bodies: Vec::new(),
            levels: Vec::new(),
            no_registry: Absent::Fails,
            suggestions: Suggestions::FromHistory,
            unsaved: crate::files::Unsaved::default(),
            readings_when_changed: false,
            scope: String::new(),
            history: RegistryHistory::AsRulesNeed,
            commit_findings: CommitFindings::Kept,
            prepared: None,
        }
    }
}

/// Whether a run judges the registry itself, or only reads it to judge the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RegistryRules {
    Judged,
    Skipped,
}

/// How much of the registry's history a run reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RegistryHistory {
    /// As far as `suspect-link` needs, and only when a plan has open work to judge (a check).
    AsRulesNeed,
    /// All of it: the board's changes in the window and its Flow section.
    Whole,
}

/// Whether an untraced commit's findings suggest a promise from the paths it touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Suggestions {
    /// Read from its diff and recent history (a bounded walk).
    FromHistory,
    Off,
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
        remote: Option<String>,
    },
}

/// What a commit-msg hook can learn of how `git commit` was run, beyond the configuration:
/// whether an editor was opened (git says so in the environment) and, where the command line
/// can be read, its flags. `None`: unknown.
#[derive(Clone, Debug, Default)]
pub(crate) struct CommitFlags {
    pub editor: Option<bool>,
    pub command_line: Option<CommandLine>,
}

/// The flags of a `git commit` command line that change the message it stores.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CommandLine {
    /// The last of `-v`/`--verbose` and `--no-verbose`; `None`: neither, so `commit.verbose`
    /// decides.
    pub verbose: Option<bool>,
    /// `--cleanup`, when given.
    pub cleanup: Option<crate::scan::message::CleanupMode>,
    /// `--amend` (the advice after a rejection must amend too).
    pub amend: bool,
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

/// A finished run: what was read, and what was found (levels applied, in a stable order:
/// registry, plans, commits, window, bodies).
pub(crate) struct Run {
    pub facts: Facts,
    pub findings: Vec<Finding>,
    /// For a message being committed: the message as git will store it (the reading judged).
    pub message: Option<String>,
    /// The pre-commit hook: per staged file, how many findings it had before the staged change
    /// (set aside: not the change's doing).
    pub older: Vec<(String, usize)>,
    /// The pre-commit hook: unmerged local branches naming a promise the staged change alters.
    pub suspect_branches: Vec<(String, Vec<String>)>,
}

/// Read, judge, return. `Ok(None)` only when there is no registry and that means not using
/// plan-lint ([`Inputs::no_registry`]).
pub(crate) fn run(inputs: &Inputs) -> Result<Option<Run>> {
    run_in(Repo::discover(&inputs.dir).as_ref(), inputs)
}

/// [`run`] in a repository the caller has opened already (the hooks), or none.
pub(crate) fn run_in(repo: Option<&Repo>, inputs: &Inputs) -> Result<Option<Run>> {
    let root = root_of(repo, inputs)?;
    let files = Files::open(&inputs.files, &root, repo)?
        .with_unsaved(std::sync::Arc::clone(&inputs.unsaved))
        .with_shared(scopes::Prepared::listing(inputs.prepared.as_ref()));
    let Some((registry, registry_text)) = scopes::registry(repo, inputs, &files)? else { return Ok(None) };
    let mut sources = Sources::default();
    let registry_source = sources.add(registry_text);
    let levels = Levels::new(&registry, &inputs.levels);
    // Bodies are read first: with `[pull-requests] body-traces-commits`, a pull request body
    // that names promises in play traces its commits.
    let mut bodies: Vec<Body> = inputs.bodies.iter().map(read_body).collect();
    let traced_by_body = traced_by_body(&registry, &bodies);
    // The board reads the registry's whole history first (its changes in the window, Flow);
    // `suspect-link` reads it after the plans, only when they hold work it could judge.
    let history = repo
        .filter(|_| inputs.history == RegistryHistory::Whole)
        .and_then(|r| r.head_commit().map(|head| history::read_beside(r, head, &registry)));
    let ctx = Ctx::new(&registry, registry_source, &traced_by_body);
    let mut run = Gather { inputs, repo, files: &files, ctx: &ctx, levels: &levels, read: Read::new(sources) };
    run.read.reading = history;
    if inputs.registry_rules == RegistryRules::Judged {
        run.registry()?;
    }
    if run.plans().is_break() {
        // The pre-commit hook with nothing staged that can change a finding: nothing to report
        // but a staged registry no scope lists.
        let read = Read { findings: scopes::unlisted_only(run.read.findings), ..run.read };
        return Ok(Some(read.into_run(registry, registry_source, &bodies)));
    }
    run.hypotheses();
    run.suspect_links()?;
    if inputs.plans == PlanScope::Staged {
        run.set_aside_older_but_unlisted();
    }
    run.commits()?;
    run.bodies(&mut bodies);
    run.baseline()?;
    // Findings about commits are in their scopes already (`scopes::attribute`), and the
    // pre-commit hook's in another scope's documents (`Some("")`: the root's).
    let scope: Option<std::sync::Arc<str>> = (!inputs.scope.is_empty()).then(|| inputs.scope.as_str().into());
    for f in run.read.findings.iter_mut().filter(|f| f.commit.is_none()) {
        match f.scope.as_deref() {
            None => f.scope.clone_from(&scope),
            Some("") => f.scope = None,
            Some(_) => {}
        }
    }
    Ok(Some(run.read.into_run(registry, registry_source, &bodies)))
}

/// Where files are read from: the work tree's root; for a commit's tree (the pre-receive hook,
/// perhaps in a bare repository) the git directory will do.
fn root_of(repo: Option<&Repo>, inputs: &Inputs) -> Result<PathBuf> {
    match repo {
        Some(r) if matches!(inputs.files, FileSource::Tree(_)) => {
            Ok(r.root().unwrap_or_else(|| r.git_dir().to_path_buf()))
        }
        Some(r) => r.root().ok_or_else(|| Error::new("this is a bare repository: plan-lint needs a work tree")),
        None if matches!(inputs.commits, CommitSelection::None) && matches!(inputs.files, FileSource::WorkTree) => {
            Ok(inputs.dir.clone())
        }
        None => Err(Error::new(format!("not a git repository: {}", inputs.dir.display())).with_help(
            "run plan-lint inside a git work tree, or pass --no-commits to check only the registry and plans",
        )),
    }
}

/// With `[pull-requests] body-traces-commits`: the promises in play the pull request bodies
/// name, which trace the commits.
fn traced_by_body(registry: &Registry, bodies: &[Body]) -> Vec<String> {
    let mut traced: Vec<String> = Vec::new();
    if registry.body_traces_commits {
        for b in bodies.iter().filter(|b| b.is_pull_request()) {
            for r in &b.refs {
                let in_play = registry.promise(&r.id).is_some_and(|p| p.status == Status::InPlay);
                if in_play && !traced.contains(&r.id) {
                    traced.push(r.id.clone());
                }
            }
        }
    }
    traced
}

/// A run being built: what every step judges with, and what it has read and found so far.
/// Each step (in the modules above) is a method that adds to `read`.
struct Gather<'a> {
    inputs: &'a Inputs,
    repo: Option<&'a Repo>,
    files: &'a Files<'a>,
    ctx: &'a Ctx<'a>,
    levels: &'a Levels,
    read: Read,
}

/// What a run has read and found, in the order it was found (registry, plans, commits, window,
/// bodies).
struct Read {
    sources: Sources,
    /// Files passed over, and why.
    skipped: Vec<(String, String)>,
    findings: Vec<Finding>,
    readings: Option<Readings>,
    /// Whether the readings are judged (`Gather::judges_readings`).
    readings_judged: bool,
    plans: Plans,
    commits: Option<Commits>,
    window: Option<WindowFacts>,
    /// The registry's history from HEAD, when read before the plans.
    history: Option<crate::facts::RegistryHistory>,
    /// The board's read of it, on its own thread until [`Read::history`] is asked.
    reading: Option<history::Reading>,
    /// Documents with open work under a promise whose contract has no review as it is
    /// (`suspect-link`), and their text's source when kept already.
    unreviewed: Vec<(String, Option<SourceId>)>,
    /// For a message being committed: the message as git will store it.
    message: Option<String>,
    /// The range walked in full (no window): the baseline's commits it could have matched.
    walked: Option<RangeSpec>,
    /// The baseline as applied (`engine/baseline.rs`), once everything is judged.
    baseline: Option<crate::baseline::Applied>,
    /// Findings older than the staged change, counted per file (the pre-commit hook).
    older: Vec<(String, usize)>,
    /// Unmerged branches with commits for a promise the staged registry makes suspect.
    suspect_branches: Vec<(String, Vec<String>)>,
}

impl Read {
    fn new(sources: Sources) -> Read {
        Read {
            sources,
            skipped: Vec::new(),
            findings: Vec::new(),
            readings: None,
            readings_judged: false,
            plans: Plans::default(),
            commits: None,
            window: None,
            history: None,
            reading: None,
            unreviewed: Vec::new(),
            message: None,
            walked: None,
            baseline: None,
            older: Vec::new(),
            suspect_branches: Vec::new(),
        }
    }

    /// The registry's history read so far: the board's, once its thread is done.
    fn history(&mut self) -> &mut Option<crate::facts::RegistryHistory> {
        if let Some(read) = self.reading.as_mut().and_then(history::Reading::take) {
            self.history = Some(read);
        }
        &mut self.history
    }

    fn into_run(self, registry: Registry, registry_source: SourceId, bodies: &[Body]) -> Run {
        let facts = Facts {
            sources: self.sources,
            registry,
            registry_source,
            plans: self.plans,
            commits: self.commits,
            skipped: self.skipped,
            bodies: bodies.iter().map(|b| b.what.clone()).collect(),
            window: self.window,
            readings: self.readings,
            baseline: self.baseline,
        };
        let suspect_branches = self.suspect_branches;
        Run { facts, findings: self.findings, message: self.message, older: self.older, suspect_branches }
    }
}

impl Gather<'_> {
    /// Keep findings that point into `source` (added now, so only texts with findings, or
    /// hypotheses to judge, are kept).
    fn keep(&mut self, source: Source, found: Vec<Finding>) -> SourceId {
        let id = self.read.sources.add(source);
        let found = found.into_iter().map(|f| Finding { source: Some(id), ..f });
        // In place when they are the first: one document may hold a million findings.
        if self.read.findings.is_empty() {
            self.read.findings = found.collect();
        } else {
            self.read.findings.extend(found);
        }
        id
    }

    /// Judge the pull request and issue bodies.
    fn bodies(&mut self, bodies: &mut [Body]) {
        // A pull request's base (the excluded tip of the range it brings): the registry there
        // says what was in play when its work started.
        let base_in_play = match (self.repo, &self.inputs.commits) {
            (Some(repo), CommitSelection::Spec(range)) if bodies.iter().any(Body::is_pull_request) => range
                .tips
                .iter()
                .find(|(_, excluded)| *excluded)
                .map(|&(base, _)| walk::StatusThen::in_play_at(repo, base)),
            _ => None,
        };
        for (b, input) in bodies.iter_mut().zip(&self.inputs.bodies) {
            if b.is_pull_request() {
                b.in_play_then = base_in_play.clone();
            }
            let mut sink = Sink::new(self.levels);
            rules::judge_body(self.ctx, b, &mut sink);
            let found = sink.take();
            if !found.is_empty() {
                let name =
                    if input.title.is_empty() { b.what.clone() } else { format!("{} \"{}\"", b.what, input.title) };
                self.keep(Source::new(crate::source::SourceKind::Body { name }, b.text.clone()), found);
            }
        }
    }
}

fn read_body(input: &BodyInput) -> Body {
    let text = body::normalize(&input.text);
    let refs = body::references(&text);
    Body { kind: input.kind, what: input.what.clone(), text, refs, in_play_then: None }
}

/// Which scopes a command judges: `--scope PATH` (a member's folder, relative to the root or to
/// `dir`), `--all` (the root, then every member), or by default the scope of `dir` (the
/// deepest member holding it, else the root). A repository without `[scopes]`: the root.
pub(crate) fn select_scopes(dir: &Path, config: Option<&Path>, all: bool, scope: Option<&str>) -> Result<Vec<String>> {
    let (root, members) = members_at(dir, config);
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let from_root = |p: &Path| -> Option<String> {
        let rel = canonical(p).strip_prefix(canonical(&root)).ok()?.to_path_buf();
        Some(rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/"))
    };
    if let Some(given) = scope {
        let plain = given.trim_start_matches("./").trim_end_matches('/');
        // A folder from where the command runs (the root itself: the root's scope), else a path
        // from the root as written.
        let rel = from_root(&dir.join(plain))
            .filter(|r| r.is_empty() || members.contains(r))
            .unwrap_or_else(|| plain.to_string());
        if !rel.is_empty() && !members.contains(&rel) {
            return Err(crate::registry::unknown_scope(&rel, &members));
        }
        return Ok(vec![rel]);
    }
    if all {
        return Ok(std::iter::once(String::new()).chain(members).collect());
    }
    let here = from_root(dir).unwrap_or_default();
    Ok(vec![crate::registry::Scopes::governing(&members, &format!("{here}/.")).to_string()])
}

/// The work tree's root and the members its registry lists (none when it has no registry, or
/// one that does not read: the run reports that).
fn members_at(dir: &Path, config: Option<&Path>) -> (PathBuf, Vec<String>) {
    let repo = Repo::discover(dir);
    let root = repo.as_ref().and_then(Repo::root).unwrap_or_else(|| dir.to_path_buf());
    let members = Files::open(&FileSource::WorkTree, &root, None)
        .ok()
        .and_then(|files| files::read_registry(&files, config, Absent::NotUsing).ok().flatten())
        .map(|(r, _)| r.scopes.members)
        .unwrap_or_default();
    (root, members)
}

/// The customer ids the work tree's root registry declares (for `init` in a team's folder).
pub(crate) fn root_customers(dir: &Path) -> Vec<String> {
    let repo = Repo::discover(dir);
    let root = repo.as_ref().and_then(Repo::root).unwrap_or_else(|| dir.to_path_buf());
    Files::open(&FileSource::WorkTree, &root, None)
        .ok()
        .and_then(|files| files::read_registry(&files, None, Absent::NotUsing).ok().flatten())
        .map(|(r, _)| r.customers.into_iter().map(|c| c.id).collect())
        .unwrap_or_default()
}

/// `paths` (relative to the root of `dir`'s work tree) grouped by the scope that governs each,
/// in the order first met: what the editor server judges with each scope's registry.
pub(crate) fn by_scope(dir: &Path, paths: Vec<String>) -> Vec<(String, Vec<String>)> {
    let (_, members) = members_at(dir, None);
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for p in paths {
        let scope = crate::registry::Scopes::governing(&members, &p);
        match groups.iter_mut().find(|(s, _)| s == scope) {
            Some((_, ps)) => ps.push(p),
            None => groups.push((scope.to_string(), vec![p])),
        }
    }
    if groups.is_empty() {
        groups.push((String::new(), Vec::new()));
    }
    groups
}

/// One run of several scopes' runs, in order: their findings (each with its scope), documents
/// and commits together; the first run's registry, readings and window.
pub(crate) fn merge(runs: Vec<Run>) -> Option<Run> {
    let mut runs = runs.into_iter();
    let mut merged = runs.next()?;
    for run in runs {
        let offset = merged.facts.sources.append(run.facts.sources);
        let plans = &mut merged.facts.plans;
        plans.files += run.facts.plans.files;
        plans.issues += run.facts.plans.issues;
        plans.items += run.facts.plans.items;
        plans.list.extend(run.facts.plans.list);
        merged.facts.skipped.extend(run.facts.skipped);
        merged.older.extend(run.older);
        merged.suspect_branches.extend(run.suspect_branches);
        if merged.facts.commits.is_none() {
            merged.facts.commits = run.facts.commits;
        }
        merged
            .findings
            .extend(run.findings.into_iter().map(|f| Finding { source: f.source.map(|s| s.moved(offset)), ..f }));
    }
    Some(merged)
}

/// The scopes a staged change touches (the pre-commit hook judges those): the root alone in a
/// repository without scopes, or when nothing is staged; an error when they cannot be told.
pub(crate) fn staged_scopes(repo: &Repo, dir: &Path) -> Result<Vec<String>> {
    let staged = || {
        let (root, path) = (repo.root()?, repo.index_path(dir));
        let files = Files::open(&FileSource::IndexOrWorkTree(path.clone()), &root, Some(repo)).ok()?;
        let (registry, _) = files::read_registry(&files, None, Absent::NotUsing).ok().flatten()?;
        let scopes = repo.scopes_staged(files.index()?, &registry.scopes.members, false);
        // The run that follows reads the same index: it is not read twice.
        files.hand_over(&path);
        Some(scopes).filter(|_| registry.scopes.any())
    };
    match staged() {
        Some(None) => Err(scopes::untold("the staged change")),
        Some(Some(scopes)) if !scopes.is_empty() => Ok(scopes),
        _ => Ok(vec![String::new()]),
    }
}

/// The registry a hook would use (staged, else the work tree's), for the hooks that only help
/// (prepare-commit-msg): `None` when there is none or it does not read.
pub(crate) fn hook_registry(repo: &Repo, dir: &Path) -> Option<Registry> {
    let root = repo.root()?;
    let files = Files::open(&FileSource::IndexOrWorkTree(repo.index_path(dir)), &root, Some(repo)).ok()?;
    files::read_registry(&files, None, Absent::NotUsing).ok().flatten().map(|(r, _)| r)
}

/// `[limits] idle-days` of the work tree's registry, if it can be read (to size a default
/// window before the real run, which reports any error).
pub(crate) fn peek_idle_days(dir: &Path, config: Option<&Path>) -> Option<u32> {
    let root = match config {
        Some(_) => dir.to_path_buf(),
        None => Repo::discover(dir)?.root()?,
    };
    let files = Files::open(&FileSource::WorkTree, &root, None).ok()?;
    files::read_registry(&files, config, Absent::NotUsing).ok().flatten().map(|(r, _)| r.idle_days)
}
