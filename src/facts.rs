//! Facts: what a run read, as plain data. Nothing here reads a file, touches git or judges:
//! the engine (`crate::engine`) gathers facts from the sources, the rules judge them one item at
//! a time, and the reporters show them beside the findings.

use crate::registry::{Hypothesis, Promise, Registry, Status};
use crate::scan::body::BodyRef;
pub use crate::scan::commit::CommitFacts;
use crate::source::{SourceId, Sources};
use crate::tally::Tally;
use std::collections::{HashMap, HashSet};

/// Everything a run read, for the reporters.
pub struct Facts {
    /// The texts findings point into.
    pub sources: Sources,
    pub registry: Registry,
    pub registry_source: SourceId,
    pub plans: Plans,
    /// `None` when commits were not checked.
    pub commits: Option<Commits>,
    /// Files passed over, with why (binary, too large, unreadable).
    pub skipped: Vec<(String, String)>,
    /// Pull request and issue bodies checked, by name (`pull request #12`).
    pub bodies: Vec<String>,
    /// With a time window: what the drift rules read.
    pub window: Option<WindowFacts>,
    /// The readings of outcomes, when the repository keeps them.
    pub readings: Option<Readings>,
    /// The baseline (`.plan-lint-baseline.json`), when the repository keeps one: the findings
    /// it absorbed (not in the run's findings) and its entries that matched nothing.
    pub baseline: Option<crate::baseline::Applied>,
}

/// outcomes.csv as read: its rows, where findings about them point, and, with a time window,
/// the day it is judged as of (the window's last day): how recent a reading is depends on the
/// calendar, so, like the drift rules, `unmeasured-outcome` runs only with a window.
#[derive(Clone, Debug)]
pub struct Readings {
    pub path: String,
    pub source: crate::source::SourceId,
    pub rows: Vec<crate::outcomes::Reading>,
    pub today: Option<jiff::civil::Date>,
}

impl Readings {
    /// The latest reading of `metric` for `promise` (the last of its day in file order).
    pub fn latest(&self, promise: &str, metric: &str) -> Option<&crate::outcomes::Reading> {
        self.rows.iter().filter(|r| r.promise == promise && r.metric == metric).max_by_key(|r| (r.date, r.line))
    }

    /// Each hypothesis, those of the registry and then those written in plans (`planned`),
    /// judged from the readings of its metric as of [`Readings::today`]
    /// ([`crate::outcomes::judge`]): one path for both. Those that cannot be judged (a promise
    /// not in the registry, a metric the promise lacks, an expectation no reading compares with)
    /// are left out.
    pub fn hypotheses<'a>(
        &'a self,
        registry: &'a Registry,
        planned: &'a [PlanHypothesis],
    ) -> impl Iterator<Item = Judged<'a>> + 'a {
        judge_hypotheses(&self.rows, self.today, registry, planned).into_iter()
    }

    /// The measurable outcomes of `p` its latest readings do not meet (progress from baseline to
    /// target under 100%, or none to tell): metric, target and the latest reading, if any.
    /// `None` when `p` has no measurable outcome; empty when the readings show it kept.
    pub fn unmet<'a>(&'a self, p: &'a Promise) -> Option<Vec<Unmet<'a>>> {
        let measurable: Vec<_> = p.outcomes.iter().filter(|o| o.is_measurable()).collect();
        if measurable.is_empty() {
            return None;
        }
        let mut unmet = Vec::new();
        for o in measurable {
            let (Some(metric), Some(target)) = (o.metric.as_deref(), o.target.as_deref()) else { continue };
            let latest = self.latest(&p.id, metric);
            let progress =
                latest.and_then(|r| o.baseline.as_deref().and_then(|b| crate::outcomes::progress(b, target, &r.value)));
            // With no numeric progress, a bounded target (`under 2 s`) still says whether it is met.
            let bound = latest.and_then(|r| crate::outcomes::reaches_bound(target, &r.value));
            let met = progress.map(|progress| progress >= 1.0).or(bound).unwrap_or(false);
            if !met {
                unmet.push(Unmet { metric, target, latest });
            }
        }
        Some(unmet)
    }
}

/// Each hypothesis of `registry` and then of `planned`, judged from `rows` as of `today`
/// ([`Readings::hypotheses`], [`Facts::hypotheses`]).
fn judge_hypotheses<'a>(
    rows: &'a [crate::outcomes::Reading],
    today: Option<jiff::civil::Date>,
    registry: &'a Registry,
    planned: &'a [PlanHypothesis],
) -> Vec<Judged<'a>> {
    let written = registry
        .promises
        .iter()
        .flat_map(|p| p.hypotheses.iter().map(move |h| (p, h, None)))
        .chain(planned.iter().filter_map(|w| Some((registry.promise(&w.promise)?, &w.hypothesis, Some(w.source)))));
    // The readings by promise and metric, gathered once (and only when a hypothesis asks):
    // looking each hypothesis's readings up row by row made many of each quadratic.
    let mut by_metric: HashMap<(&str, &str), Vec<&crate::outcomes::Reading>> = HashMap::new();
    if !planned.is_empty() || registry.promises.iter().any(|p| !p.hypotheses.is_empty()) {
        for r in rows {
            by_metric.entry((r.promise.as_str(), r.metric.as_str())).or_default().push(r);
        }
    }
    written
        .filter_map(|(p, h, source)| {
            let o = p.outcomes.iter().find(|o| o.metric.as_deref() == Some(h.metric.as_str()))?;
            let rows = by_metric.get(&(p.id.as_str(), h.metric.as_str())).into_iter().flatten().copied();
            let (baseline, target) = (o.baseline.as_deref()?, o.target.as_deref()?);
            let judgement = crate::outcomes::judge(baseline, target, &h.expect, h.by, today, rows)?;
            Some(Judged { promise: p, hypothesis: h, source, judgement })
        })
        .collect()
}

impl Facts {
    /// Every hypothesis judged as the rules judge it ([`Readings::hypotheses`]); without a
    /// readings file, judged on no readings as of the window's last day (pending before its
    /// date, unjudged after), so the board lists them all the same.
    pub fn hypotheses(&self) -> Vec<Judged<'_>> {
        match &self.readings {
            Some(r) => r.hypotheses(&self.registry, &self.plans.hypotheses).collect(),
            None => {
                let today = self.window.as_ref().and_then(|w| crate::when::local_date(w.window.until));
                judge_hypotheses(&[], today, &self.registry, &self.plans.hypotheses)
            }
        }
    }
}

/// A hypothesis as judged ([`Readings::hypotheses`]).
#[derive(Clone, Debug)]
pub struct Judged<'a> {
    pub promise: &'a Promise,
    pub hypothesis: &'a Hypothesis,
    /// Where it is written: `None` in promises.toml, else the plan document its spans point into.
    pub source: Option<SourceId>,
    pub judgement: crate::outcomes::Judgement<'a>,
}

/// A hypothesis written in a plan document (a `Hypothesis:` line), traced to one promise: the
/// same fields as the registry's, its spans in the document.
#[derive(Clone, Debug)]
pub struct PlanHypothesis {
    pub promise: String,
    pub hypothesis: Hypothesis,
    pub source: SourceId,
}

impl PlanHypothesis {
    /// The promise and the hypothesis a `Hypothesis:` line of `plan` says, when it is well formed
    /// and traced to exactly one promise (`hypothesis-invalid` judges the others).
    pub fn written(
        plan: &crate::scan::markdown::Plan,
        h: &crate::scan::markdown::Hypothesis,
    ) -> Option<(String, Hypothesis)> {
        let (Ok(said), [r]) = (&h.said, h.promises.as_slice()) else { return None };
        let hypothesis = Hypothesis {
            metric: said.metric.clone(),
            expect: said.expect.clone(),
            by: said.by,
            belief: Some(said.belief.clone()),
            span: h.span.clone(),
            metric_span: said.metric_span.clone(),
            expect_span: said.expect_span.clone(),
        };
        Some((plan.refs.get(*r)?.id.clone(), hypothesis))
    }
}

/// The open plan items traced to a promise: how many, and where the first few are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenUnder {
    pub count: usize,
    /// Path and 1-based line of the first [`OpenUnder::LISTED`] of them, in path order.
    pub first: Vec<(String, usize)>,
}

impl OpenUnder {
    /// How many open items are placed by path and line.
    pub const LISTED: usize = 3;

    /// Add `count` open items, the first of them at `first` (in order).
    pub fn add(&mut self, count: usize, first: impl IntoIterator<Item = (String, usize)>) {
        self.count += count;
        let room = Self::LISTED.saturating_sub(self.first.len());
        self.first.extend(first.into_iter().take(room));
    }
}

/// An outcome its readings do not meet ([`Readings::unmet`]).
#[derive(Clone, Debug)]
pub struct Unmet<'a> {
    pub metric: &'a str,
    pub target: &'a str,
    /// Its latest reading; `None`: never measured.
    pub latest: Option<&'a crate::outcomes::Reading>,
}

/// The plan documents and issue files read.
#[derive(Default)]
pub struct Plans {
    pub files: usize,
    /// Issue files (`[issues] include`); each is one of `items` too.
    pub issues: usize,
    pub items: usize,
    /// Every work item, when a window asked for them (`plan-lint report`, `check --since`).
    pub list: Vec<PlanItem>,
    /// The hypotheses written in the documents read, traced to one promise each.
    pub hypotheses: Vec<PlanHypothesis>,
    /// The open items traced to each promise, when every plan document was read and the
    /// repository keeps readings (what `hypothesis-refuted` names); `None` otherwise.
    pub open: Option<HashMap<String, OpenUnder>>,
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
    /// The line (1-based, in the same document) of the `Hypothesis:` it is nested under
    /// ([`crate::scan::markdown::Item::hypothesis`]).
    pub hypothesis: Option<usize>,
}

/// The commits read: how they are described, how many, and where the work went.
pub struct Commits {
    pub describe: String,
    pub count: usize,
    /// Commits per promise, untraced, exempt, exceptions.
    pub tally: Tally,
}

/// Untraced commits walked from before the registry existed (their tree has no
/// promises.toml), in a repository with no adoption point (`[commits] since`): history, told
/// as one story rather than judged one by one.
#[derive(Clone, Debug)]
pub struct BeforeAdoption {
    /// How many.
    pub count: usize,
    /// The newest and the oldest of them (full ids).
    pub newest: String,
    pub oldest: String,
    /// The commit that added promises.toml on HEAD's first-parent line; `None` when it is not
    /// committed yet.
    pub added_by: Option<String>,
}

/// A pull request or issue body (or an issue file), read as a traced source.
#[derive(Clone, Debug)]
pub struct Body {
    /// A pull request's body, or an issue's (open or not).
    pub kind: BodyKind,
    /// How findings name it: `pull request #12`, `issues/0007-search.md`.
    pub what: String,
    /// The text (normalised); spans point into it.
    pub text: String,
    /// The promise ids it names.
    pub refs: Vec<BodyRef>,
    /// For a pull request whose base is known: the promises in play at its base (the registry
    /// the work started from). Work that finishes a promise is not work off the plan.
    pub in_play_then: Option<Vec<String>>,
}

/// What a body belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    PullRequest,
    /// `open`: not closed (`status: closed` front matter, or the tracker's state).
    Issue {
        open: bool,
    },
}

impl Body {
    pub fn is_pull_request(&self) -> bool {
        self.kind == BodyKind::PullRequest
    }
}

/// What listing the work tree's documents found, beside the documents themselves.
#[derive(Clone, Debug, Default)]
pub struct Listing {
    /// `include` patterns written in promises.toml that matched no file: `(table, index)`,
    /// the table being `plans` or `issues`.
    pub unmatched: Vec<(&'static str, usize)>,
}

/// A time window of commits (committer dates, Unix seconds, both ends included): `plan-lint
/// report` and `check --since`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub since: i64,
    pub until: i64,
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
    pub last_activity: HashMap<String, i64>,
    /// When a promise last left play in the window (a registry change from `in-play`), so that
    /// work before it is not counted as shadow work.
    pub left_play: HashMap<String, i64>,
    /// The registry's history on the first-parent line to the window's tip (all time, not only
    /// the window): what changed, revision by revision.
    pub history: RegistryHistory,
    /// Plan items open when the window began and done at its end (plan documents the window
    /// changed, compared with their version at the window's start).
    pub closed: Vec<ClosedItem>,
    /// Promises delivered: every plan item traced to them is done (and there is at least one).
    /// Their work is over; what is left is the outcome, so they are not idle.
    pub delivered: HashSet<String>,
}

/// The latest change to a promise's contract (statement, customer, an outcome's target) in
/// the registry's history, after the revision that wrote it down, or the change a staged
/// registry makes (the pre-commit hook): what `suspect-link` reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractChange {
    /// The commit that made it: its id in full and its committer date (Unix seconds); `None`
    /// when it is staged, not yet committed.
    pub commit: Option<(String, i64)>,
    /// `target of checkout completion 70% → 75%`, `statement`, `customer shopper → ops`.
    pub what: String,
}

/// An item the window closed: its document, its text, and the promises it names now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosedItem {
    pub path: String,
    pub text: String,
    pub promises: Vec<String>,
    /// When the window's change that checked its box was made (none when it could not be read).
    pub time: Option<i64>,
}

/// The registry's history: the commits that changed promises.toml on the first-parent line,
/// oldest first, each read once.
#[derive(Clone, Debug, Default)]
pub struct RegistryHistory {
    pub revisions: Vec<RegistryRevision>,
    /// The line was read to its root (not cut short by the bound on commits read).
    pub complete: bool,
    /// An object the history needs that the repository lacks (a partial clone's tree or
    /// blob), by id: the history is unknown past it, and nothing may be judged by it.
    pub unreadable: Option<String>,
}

/// One revision of the registry: the commit, its date, and what it changed against the
/// revision before (the first one's promises are all `Added`). A revision whose registry does
/// not read (a broken file was committed) changes nothing and keeps the one before.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryRevision {
    /// The commit id, in full.
    pub commit: String,
    /// Committer date, Unix seconds.
    pub time: i64,
    /// Promises in play after it, in declaration order, and the limit then.
    pub in_play: Vec<String>,
    pub limit: usize,
    pub changes: Vec<RegistryChange>,
}

/// What one revision of the registry changed, promise by promise (kept between runs, tagged
/// by kind: `engine/history/store`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum RegistryChange {
    /// A promise first written down, with the status it had then.
    Added { promise: String, status: Status },
    /// A promise taken out of the registry.
    Removed { promise: String },
    /// A status changed: entered play, left play (done or dropped), reopened, …
    Status { promise: String, from: Status, to: Status },
    /// An outcome's target changed (added or removed: `None` on that side), by metric.
    Target { promise: String, metric: String, from: Option<String>, to: Option<String> },
    /// The statement changed.
    Statement { promise: String },
    /// The customer changed.
    Customer { promise: String, from: Option<String>, to: Option<String> },
    /// `[limits] in-play` changed.
    Limit { from: usize, to: usize },
}

impl RegistryChange {
    /// The promise it is about (none for the limit).
    pub fn promise(&self) -> Option<&str> {
        match self {
            RegistryChange::Added { promise, .. }
            | RegistryChange::Removed { promise }
            | RegistryChange::Status { promise, .. }
            | RegistryChange::Target { promise, .. }
            | RegistryChange::Statement { promise }
            | RegistryChange::Customer { promise, .. } => Some(promise),
            RegistryChange::Limit { .. } => None,
        }
    }
}

impl WindowFacts {
    /// `2026-10-01 to 2026-10-28`.
    pub fn describe(&self) -> String {
        format!("{} to {}", crate::when::date(self.window.since), crate::when::date(self.window.until))
    }
}
