//! The promise board: what `plan-lint report` shows, as data. Built once from the facts and the
//! findings of a window; each format (terminal, Markdown, JSON, HTML) only lays it out.
//!
//! The JSON format is this structure serialized (`schema_version` [`SCHEMA_VERSION`], published
//! as schema/report.schema.json); a minor version only adds fields, a major one may change them.

use crate::code::Code;
use crate::facts::{Facts, PlanItem};
use crate::finding::{Finding, Severity};
use crate::registry::{Priority, Status};
use crate::source::SourceKind;
use crate::tally::WEEK;
use crate::when::date;
use serde::Serialize;

/// The board JSON's version, `MAJOR.MINOR`: a minor version only adds fields (readers ignore
/// fields they do not know); a major one may change or remove them. `version` keeps the major.
pub const SCHEMA_VERSION: &str = "1.0";

#[derive(Debug, Serialize)]
pub struct Board {
    pub version: u32,
    /// [`SCHEMA_VERSION`].
    pub schema_version: &'static str,
    /// The registry's `name`: the team or product the board is for.
    pub name: Option<String>,
    /// The scope the board is for, its folder (`teams/search`); `None` for the root's registry
    /// (a repository with one registry has only that).
    pub scope: Option<String>,
    /// The moment the board shows: the window's last day and the commit it was read at.
    pub as_of: AsOf,
    pub window: WindowDates,
    pub vision: Option<String>,
    pub in_play: InPlay,
    /// How much of the window's work traces to a promise in play.
    pub traced: Traced,
    /// What changed in the window: promises that left play, readings taken.
    pub changes: Changes,
    /// Flow from the registry's history (all time, up to the window's end).
    pub flow: super::flow::Flow,
    /// Effort against priority: per priority (must, should, could, none) with promises in play
    /// or commits, its share of the traced commits beside its share of the promises in play.
    pub priorities: Vec<PriorityShare>,
    /// In-play first, then proposed, done, dropped; by priority (must, should, could, none)
    /// within each, then as declared.
    pub promises: Vec<PromiseCard>,
    pub untraced: Untraced,
    /// Work traced to the wrong thing: an unknown id, a promise not in play, an unknown metric.
    pub mistraced: Vec<Mistraced>,
    pub exceptions: Exceptions,
    /// Every other finding of the window: the drift rules (shadow-work, idle-promise,
    /// done-with-open-items, over-budget) and any finding the sections above do not list
    /// (outcome-regressed, unmeasured-outcome, …), so every finding counted is listed.
    pub drift: Vec<DriftNote>,
    /// All findings of the window, by severity.
    pub errors: usize,
    pub warnings: usize,
    /// The Monday starting each week of the window (`YYYY-MM-DD`, UTC), for charts.
    #[serde(serialize_with = "iso_weeks")]
    pub weeks: Vec<i64>,
    /// Untraced commits per week, aligned with `weeks`.
    pub untraced_per_week: Vec<usize>,
    /// Declared exceptions (`Untraced: <reason>`) per week, aligned with `weeks`.
    pub exceptions_per_week: Vec<usize>,
    /// What the baseline still records, when the repository keeps one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Debt>,
}

fn iso_weeks<S: serde::Serializer>(weeks: &[i64], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(weeks.iter().map(|w| date(*w)))
}

/// `as_of`: the window's last day, and the commit the board was read at (when there is one).
#[derive(Debug, Serialize)]
pub struct AsOf {
    pub date: String,
    pub commit: Option<String>,
}

/// Commits in the window that trace to a promise in play, of the commits that need a trace
/// (all but exempt ones: merges, fixups, exempt subjects).
#[derive(Debug, Serialize)]
pub struct Traced {
    /// Commits naming a promise that was in play when they were made: in play now, or until it
    /// left play in the window (a commit naming two counts for each, up to `commits`).
    pub in_play: usize,
    pub commits: usize,
    /// `in_play / commits`, rounded to 4 decimals; 0 without commits.
    pub share: f64,
}

/// What changed in the window.
#[derive(Debug, Serialize)]
pub struct Changes {
    /// Promises whose status changed from in play in the window (the registry's history), oldest
    /// first.
    pub left_play: Vec<LeftPlay>,
    /// Readings dated in the window, newest first, each with the reading before it.
    pub readings: Vec<ReadingChange>,
    /// Promises that entered play in the window (from proposed, reopened, or written down in
    /// play), oldest first.
    pub entered_play: Vec<RegistryNote>,
    /// Every change the registry's history records in the window (statuses, targets,
    /// statements, customers, the limit), oldest first, each with its commit.
    pub registry: Vec<RegistryNote>,
    /// Plan items open when the window began and done at its end.
    pub items_closed: Vec<ClosedRef>,
}

/// A change one commit made to the registry.
#[derive(Debug, Clone, Serialize)]
pub struct RegistryNote {
    /// `added`, `entered-play`, `reopened`, `left-play`, `status`, `target`, `statement`,
    /// `customer`, `removed` or `limit`.
    pub kind: &'static str,
    /// The promise (none for the limit).
    pub promise: Option<String>,
    /// For a target: the outcome's metric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// The value before and after (a status, a target, a customer, the limit), when it has one.
    pub from: Option<String>,
    pub to: Option<String>,
    pub date: String,
    /// The commit id, in full.
    pub commit: String,
}

impl RegistryNote {
    fn new(c: &crate::facts::RegistryChange, commit: &str, time: i64) -> RegistryNote {
        use crate::facts::RegistryChange as C;
        let s = |x: &str| Some(x.to_string());
        let status = |x: Status| s(x.as_str());
        let (kind, metric, from, to) = match c {
            C::Added { status: st, .. } if *st == Status::InPlay => ("entered-play", None, None, status(*st)),
            C::Added { status: st, .. } => ("added", None, None, status(*st)),
            C::Removed { .. } => ("removed", None, None, None),
            C::Status { from, to, .. } => {
                let kind = match (from, to) {
                    (Status::Proposed, Status::InPlay) => "entered-play",
                    (_, Status::InPlay) => "reopened",
                    (Status::InPlay, _) => "left-play",
                    _ => "status",
                };
                (kind, None, status(*from), status(*to))
            }
            C::Target { metric, from, to, .. } => ("target", s(metric), from.clone(), to.clone()),
            C::Statement { .. } => ("statement", None, None, None),
            C::Customer { from, to, .. } => ("customer", None, from.clone(), to.clone()),
            C::Limit { from, to } => ("limit", None, Some(from.to_string()), Some(to.to_string())),
        };
        RegistryNote {
            kind,
            promise: c.promise().map(str::to_string),
            metric,
            from,
            to,
            date: date(time),
            commit: commit.to_string(),
        }
    }

    /// `checkout-v2: target of checkout completion 70% → 75% (2026-02-03, commit 1a2b3c4)`:
    /// plain text the renderers escape.
    pub fn line(&self) -> String {
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        let what = match self.kind {
            "added" => format!("proposed (as {})", or_dash(&self.to)),
            "entered-play" if self.from.is_none() => "entered play (written down in play)".to_string(),
            "entered-play" => "entered play".to_string(),
            "reopened" => format!("reopened from {}", or_dash(&self.from)),
            "left-play" => format!("left play: {}", or_dash(&self.to)),
            "target" => match (&self.from, &self.to) {
                (None, _) => format!("outcome {} added, target {}", or_dash(&self.metric), or_dash(&self.to)),
                (_, None) => format!("outcome {} removed (target was {})", or_dash(&self.metric), or_dash(&self.from)),
                (Some(f), Some(t)) => format!("target of {} changed: {f} → {t}", or_dash(&self.metric)),
            },
            "statement" => "statement changed".to_string(),
            "customer" => format!("customer changed: {} → {}", or_dash(&self.from), or_dash(&self.to)),
            "removed" => "taken out of the registry".to_string(),
            "limit" => format!("in-play limit changed: {} → {}", or_dash(&self.from), or_dash(&self.to)),
            _ => format!("status changed: {} → {}", or_dash(&self.from), or_dash(&self.to)),
        };
        let who = self.promise.as_deref().map_or_else(String::new, |p| format!("{p}: "));
        format!("{who}{what} ({}, commit {})", self.date, short(&self.commit))
    }
}

/// A commit id cut to 7 characters, as git abbreviates it.
pub fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

/// An item the window closed.
#[derive(Debug, Serialize)]
pub struct ClosedRef {
    pub path: String,
    pub text: String,
    pub promises: Vec<String>,
    /// The day the change that checked its box was made (UTC), when it could be read.
    pub date: Option<String>,
}

impl ClosedRef {
    /// `plans/q1.md: Ship one-step payment (checkout-v2) on 2026-02-09`.
    pub fn line(&self) -> String {
        let promises =
            if self.promises.is_empty() { String::new() } else { format!(" ({})", self.promises.join(", ")) };
        let date = self.date.as_deref().map(|d| format!(" on {d}")).unwrap_or_default();
        format!("{}: {}{promises}{date}", self.path, self.text)
    }
}

impl Changes {
    /// Readings the page lists.
    const SHOWN: usize = 10;

    /// Whether the window changed anything the page lists.
    pub fn any(&self) -> bool {
        !(self.left_play.is_empty()
            && self.readings.is_empty()
            && self.registry.is_empty()
            && self.items_closed.is_empty())
    }

    /// The registry changes the page lists besides `left_play` (which says when each left).
    pub fn registry_shown(&self) -> impl Iterator<Item = &RegistryNote> {
        self.registry.iter().filter(|n| n.kind != "left-play")
    }

    /// The readings the page lists, and `N more reading(s)` for the rest, if any (the
    /// renderers escape and wrap it).
    pub fn readings_shown(&self) -> (&[ReadingChange], Option<String>) {
        let shown = &self.readings[..self.readings.len().min(Self::SHOWN)];
        let n = self.readings.len() - shown.len();
        (shown, (n > 0).then(|| format!("{n} more {}", if n == 1 { "reading" } else { "readings" })))
    }
}

#[derive(Debug, Serialize)]
pub struct LeftPlay {
    pub promise: String,
    pub date: String,
    /// Its status now.
    pub status: Status,
}

#[derive(Debug, Serialize)]
pub struct ReadingChange {
    pub promise: String,
    pub metric: String,
    pub date: String,
    pub value: String,
    /// The reading before it, when there is one.
    pub previous: Option<String>,
    /// `value − previous` in their unit (`+1.3%`), when both are numbers in one unit.
    pub delta: Option<String>,
}

impl ReadingChange {
    /// `find-and-buy search-to-purchase conversion 9.8% on 2026-02-09 (+1.3% from 8.5%)`.
    pub fn line(&self) -> String {
        let from = match (&self.delta, &self.previous) {
            (Some(d), Some(p)) => format!(" ({d} from {p})"),
            (None, Some(p)) => format!(" (from {p})"),
            _ => " (first reading)".to_string(),
        };
        format!("{} {} {} on {}{from}", self.promise, self.metric, self.value, self.date)
    }
}

/// One priority's share of the work and of the promises in play.
#[derive(Debug, Serialize)]
pub struct PriorityShare {
    /// `must`, `should`, `could`, or `none`.
    pub priority: &'static str,
    /// Commits in the window naming a promise of this priority.
    pub commits: usize,
    /// Of the commits naming any promise, rounded to 4 decimals.
    pub commit_share: f64,
    pub in_play: usize,
    /// Of the promises in play, rounded to 4 decimals.
    pub in_play_share: f64,
}

/// Where a promise stands, in a lead's words: the state and why.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    pub state: HealthState,
    /// `regressing: order-status calls 40 → 44, baseline 41`.
    pub reason: String,
}

/// The health of a promise (README, "The promise board", has the rule). In play: `met`,
/// `off-track`, `delivered` (every item done, outcome not met yet), `at-risk`, `unmeasured`,
/// `on-track`. Done: `kept`, `not-kept`, `unmeasured`.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum HealthState {
    OnTrack,
    AtRisk,
    OffTrack,
    Met,
    Delivered,
    Kept,
    NotKept,
    Unmeasured,
}

impl HealthState {
    /// The words shown: `off track`, `delivered, awaiting outcome`.
    pub fn label(self) -> &'static str {
        match self {
            HealthState::OnTrack => "on track",
            HealthState::AtRisk => "at risk",
            HealthState::OffTrack => "off track",
            HealthState::Met => "met",
            HealthState::Delivered => "delivered, awaiting outcome",
            HealthState::Kept => "kept",
            HealthState::NotKept => "not kept",
            HealthState::Unmeasured => "unmeasured",
        }
    }
    /// The kebab-case name (the JSON value, the HTML class).
    pub fn name(self) -> &'static str {
        match self {
            HealthState::OnTrack => "on-track",
            HealthState::AtRisk => "at-risk",
            HealthState::OffTrack => "off-track",
            HealthState::Met => "met",
            HealthState::Delivered => "delivered",
            HealthState::Kept => "kept",
            HealthState::NotKept => "not-kept",
            HealthState::Unmeasured => "unmeasured",
        }
    }
}

/// Where one outcome stands by its readings.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum OutcomeState {
    /// The latest reading is at or past the target.
    Met,
    /// The latest reading is worse than the baseline.
    Regressed,
    /// The latest reading moved away from the target since the reading before it.
    Slipping,
    /// The latest reading is older than `[limits] measure-days`.
    Stale,
    /// On its way: between the baseline and the target, not slipping.
    OnTrack,
    /// Measured, with no numeric baseline to judge progress by (and short of a bounded target).
    Measured,
    /// No reading, or none comparable with the baseline and target.
    Unmeasured,
}

impl OutcomeState {
    /// The word shown beside the outcome.
    pub fn label(self) -> &'static str {
        match self {
            OutcomeState::Met => "met",
            OutcomeState::Regressed => "regressed",
            OutcomeState::Slipping => "slipping",
            OutcomeState::Stale => "stale",
            OutcomeState::OnTrack => "on track",
            OutcomeState::Measured => "measured",
            OutcomeState::Unmeasured => "unmeasured",
        }
    }
}

/// The baseline as debt: what `.plan-lint-baseline.json` still records.
#[derive(Debug, Serialize)]
pub struct Debt {
    /// Recorded findings in files (plan items, the registry) that are still there.
    pub items: usize,
    /// Recorded commits (outside a time window the board cannot tell which are gone).
    pub commits: usize,
    /// Recorded findings that match nothing any more.
    pub absent: usize,
    /// What the file recorded when the window began (its trend): findings in files, commits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_start: Option<DebtThen>,
}

/// The baseline's debt when the window began.
#[derive(Debug, Serialize)]
pub struct DebtThen {
    pub items: usize,
    pub commits: usize,
}

impl Debt {
    /// One line, `Baseline: 12 items and 3 commits remain in `.plan-lint-baseline.json``: no
    /// repository text, only numbers and code spans.
    pub fn line(&self) -> String {
        let mut line = format!(
            "Baseline: {} and {} remain in `{}`",
            crate::report::plural(self.items, "item"),
            crate::report::plural(self.commits, "commit"),
            crate::baseline::FILE_NAME
        );
        if let Some(then) = &self.at_start {
            line.push_str(&format!(
                " (at the window's start: {} and {})",
                crate::report::plural(then.items, "item"),
                crate::report::plural(then.commits, "commit")
            ));
        }
        if self.absent > 0 {
            line.push_str(&format!(
                "; {} no longer found (`plan-lint baseline --update` drops {})",
                crate::report::plural(self.absent, "recorded finding"),
                if self.absent == 1 { "it" } else { "them" }
            ));
        }
        line
    }
}

/// One piece of mistraced work: what is wrong, and where.
#[derive(Debug, Serialize)]
pub struct Mistraced {
    pub code: Code,
    /// What the rule means, in plain words.
    pub title: &'static str,
    pub severity: Severity,
    pub message: String,
    /// `commit 1a2b3c4 "Subject"` or `plans/q3.md:12`.
    pub place: String,
    pub promises: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct WindowDates {
    pub since: String,
    pub until: String,
    pub days: i64,
}

#[derive(Debug, Serialize)]
pub struct InPlay {
    pub count: usize,
    pub limit: usize,
}

#[derive(Debug, Serialize)]
pub struct OutcomeRow {
    pub metric: Option<String>,
    pub baseline: Option<String>,
    pub target: Option<String>,
    /// Every reading of this outcome, oldest first.
    pub measurements: Vec<Measurement>,
    /// The newest reading.
    pub latest: Option<Latest>,
    /// (latest − baseline) / (target − baseline), rounded to 4 decimals: 1.0 reached, below 0
    /// the wrong way; `None` without numbers in one unit.
    pub progress: Option<f64>,
    /// Where it stands by its readings.
    pub state: OutcomeState,
    /// The latest reading is older than `[limits] measure-days` before the window's end.
    pub stale: bool,
    /// Why, in words: `regressing: order-status calls 40 → 44, baseline 41`.
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct Measurement {
    pub date: String,
    pub value: String,
    pub source: String,
}

#[derive(Debug, Serialize)]
pub struct Latest {
    pub date: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct ItemRef {
    pub path: String,
    pub line: usize,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CommitWork {
    pub count: usize,
    /// The newest commit's date, `YYYY-MM-DD`.
    pub last: Option<String>,
    pub authors: usize,
    /// Commits per week of the window, aligned with [`Board::weeks`].
    pub per_week: Vec<usize>,
}

#[derive(Debug, Serialize)]
pub struct PromiseCard {
    pub id: String,
    pub title: Option<String>,
    pub statement: String,
    pub customer: Option<String>,
    /// Who answers for it (the registry's `owner`): a person or a team handle; `None` unset.
    pub owner: Option<String>,
    pub status: Status,
    pub priority: Option<Priority>,
    pub outcomes: Vec<OutcomeRow>,
    /// Its hypotheses (the registry's, then those written in plans), judged as the rules judge
    /// them, each with the items a plan nests under it. All the promise's items are in
    /// `open_items` and `done_items`.
    pub hypotheses: Vec<HypothesisRow>,
    pub open_items: Vec<ItemRef>,
    pub done_items: Vec<ItemRef>,
    pub commits: CommitWork,
    /// Items in its sections that declare an exception.
    pub exceptions: Vec<ItemRef>,
    /// Where it stands (promises in play and done ones; `None` for proposed and dropped).
    pub health: Option<Health>,
}

/// A hypothesis on a promise: what is expected by when, the latest reading, and the verdict.
#[derive(Debug, Serialize)]
pub struct HypothesisRow {
    /// The belief, in the team's words, when written.
    pub belief: Option<String>,
    /// One of the promise's outcome metrics.
    pub metric: String,
    /// The value expected, as written (`70%`).
    pub expect: String,
    /// The day by which it is expected, `YYYY-MM-DD`.
    pub by: String,
    /// Where it is written: `promises.toml:17`, `plans/q1.md:5`.
    pub written: String,
    /// The newest reading of its metric for the promise.
    pub latest: Option<Latest>,
    pub verdict: HypothesisVerdict,
    /// The reading that decided it: the first on or after its date that reached the
    /// expectation (confirmed), or the latest that fell short (refuted).
    pub judged_by: Option<Latest>,
    /// The promise's items a plan nests under it (on its item, under its item, or after it in
    /// its section), open and done; empty for the registry's.
    pub open_items: Vec<ItemRef>,
    pub done_items: Vec<ItemRef>,
}

/// Where a hypothesis stands by the readings as of the window's last day.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum HypothesisVerdict {
    /// A reading on or after its date reached the expectation.
    Confirmed,
    /// Readings on or after its date, none reaching it.
    Refuted,
    /// Its date has passed and nothing was measured since.
    Unjudged,
    /// Its date has not come (or the calendar is unknown) and nothing since it says more.
    Pending,
}

impl HypothesisVerdict {
    /// The word shown, also the JSON value and the HTML class.
    pub fn name(self) -> &'static str {
        match self {
            HypothesisVerdict::Confirmed => "confirmed",
            HypothesisVerdict::Refuted => "refuted",
            HypothesisVerdict::Unjudged => "unjudged",
            HypothesisVerdict::Pending => "pending",
        }
    }
}

impl HypothesisRow {
    /// `typo-tolerant search: expects search conversion at 10% by 2026-06-30; latest 10.4% on
    /// 2026-03-02`: plain text the renderers escape.
    pub fn line(&self) -> String {
        let belief = self.belief.as_deref().map(|b| format!("{b}: ")).unwrap_or_default();
        let latest = match &self.latest {
            Some(l) => format!("latest {} on {}", l.value, l.date),
            None => "not measured yet".to_string(),
        };
        format!("{belief}expects {} at {} by {}; {latest}", self.metric, self.expect, self.by)
    }

    /// What follows the verdict: `71% on 2026-03-05`, `nothing measured since 2026-05-01`,
    /// `until 2026-05-01`.
    pub fn why(&self) -> String {
        match (self.verdict, &self.judged_by) {
            (HypothesisVerdict::Unjudged, _) => format!("nothing measured since {}", self.by),
            (HypothesisVerdict::Pending, _) => format!("until {}", self.by),
            (_, Some(r)) => format!("{} on {}", r.value, r.date),
            (_, None) => String::new(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CommitRef {
    pub sha: String,
    pub subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Untraced commits: the author's e-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Untraced commits: the key of a trailer meant as `Promise` that git will not read
    /// (`Promsie`), when the commit has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub misspelt: Option<String>,
    /// Untraced commits: the promise it most likely serves, when something says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub likely: Option<LikelyRef>,
}

/// The promise an untraced commit most likely serves, and why (`the branch names it`).
#[derive(Debug, Serialize)]
pub struct LikelyRef {
    pub id: String,
    pub why: String,
}

impl CommitRef {
    /// What the board says of an untraced commit after its subject, plain text (the renderers
    /// escape it; a misspelt key is a code span): `by a@example.com on 2026-02-03; trailer
    /// misspelt: `Promsie:`; likely: checkout-v2 (the branch names it)`. Empty when nothing is known.
    pub fn about(&self) -> String {
        let mut parts = Vec::new();
        match (&self.author, &self.date) {
            (Some(a), Some(d)) => parts.push(format!("by {a} on {d}")),
            (Some(a), None) => parts.push(format!("by {a}")),
            (None, Some(d)) => parts.push(format!("on {d}")),
            (None, None) => {}
        }
        if let Some(key) = &self.misspelt {
            // A backtick in the key would end the code span early: left out.
            parts.push(format!("trailer misspelt: `{}:`", key.replace('`', "")));
        }
        if let Some(l) = &self.likely {
            parts.push(format!("likely: {} ({})", l.id, l.why));
        }
        parts.join("; ")
    }
}

#[derive(Debug, Serialize)]
pub struct Untraced {
    pub commits: Vec<CommitRef>,
    pub items: Vec<ItemRef>,
}

#[derive(Debug, Serialize)]
pub struct Exceptions {
    pub commits: Vec<CommitRef>,
    pub items: Vec<ItemRef>,
    /// Declared exceptions as a share of the commits that need a trace.
    pub share: f64,
    /// `[limits] exception-budget`, when set.
    pub budget: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct DriftNote {
    pub code: Code,
    /// What the rule means, in plain words (`Outcomes moving away from their target`).
    pub title: &'static str,
    pub severity: Severity,
    pub message: String,
    pub promises: Vec<String>,
}

/// Whether `code`'s rule declares `category` (the board's sections follow the declarations).
fn in_category(code: Code, category: crate::rules::Category) -> bool {
    crate::rules::rule(code).category == category
}

impl Board {
    pub fn new(facts: &Facts, findings: &[Finding]) -> Board {
        let registry = &facts.registry;
        let window = facts.window.as_ref().map(|w| w.window).unwrap_or_default();
        let tally = facts.commits.as_ref().map(|c| &c.tally);
        let first_week = crate::tally::week_start(window.since);
        let weeks: Vec<i64> = (0..).map(|i| first_week + i * WEEK).take_while(|&w| w <= window.until).collect();
        let today = facts.readings.as_ref().and_then(|r| r.today);
        let measure_days = i64::from(registry.measure_days);
        let item_ref = |i: &PlanItem| ItemRef {
            path: i.path.clone(),
            line: i.line,
            text: i.text.clone(),
            reason: i.exception.clone(),
        };

        // Each promise's judged hypotheses, gathered once.
        let mut judged: std::collections::HashMap<&str, Vec<HypothesisRow>> = std::collections::HashMap::new();
        for j in facts.hypotheses() {
            judged.entry(j.promise.id.as_str()).or_default().push(hypothesis_row(facts, &j));
        }
        let mut promises: Vec<PromiseCard> = registry
            .promises
            .iter()
            .map(|p| {
                let mine = |i: &&PlanItem| i.promises.iter().any(|id| id == &p.id);
                let items: Vec<&PlanItem> = facts.plans.list.iter().filter(mine).collect();
                let work = tally.and_then(|t| t.promises.get(&p.id));
                PromiseCard {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    statement: p.statement.clone(),
                    customer: p.customer.clone(),
                    owner: p.owner.clone(),
                    status: p.status,
                    priority: p.priority,
                    hypotheses: judged
                        .remove(p.id.as_str())
                        .unwrap_or_default()
                        .into_iter()
                        .map(|mut h| {
                            // Where it is written, `path:line`, as the items say it.
                            let at = h.written.rsplit_once(':').and_then(|(p, l)| Some((p, l.parse::<usize>().ok()?)));
                            let under = |i: &&&PlanItem| {
                                i.exception.is_none()
                                    // An item whose first line is the hypothesis is the bet, not work under it.
                                    && at.is_some_and(|(path, line)| {
                                        i.hypothesis == Some(line) && i.line != line && i.path == path
                                    })
                            };
                            h.open_items =
                                items.iter().filter(under).filter(|i| !i.done).map(|i| item_ref(i)).collect();
                            h.done_items = items.iter().filter(under).filter(|i| i.done).map(|i| item_ref(i)).collect();
                            h
                        })
                        .collect(),
                    outcomes: p
                        .outcomes
                        .iter()
                        .map(|o| {
                            let mut readings: Vec<&crate::outcomes::Reading> = facts
                                .readings
                                .iter()
                                .flat_map(|r| &r.rows)
                                .filter(|r| r.promise == p.id && Some(&r.metric) == o.metric.as_ref())
                                .collect();
                            readings.sort_by_key(|r| (r.date, r.line));
                            let latest = readings.last();
                            let progress_of = |r: &crate::outcomes::Reading| match (&o.baseline, &o.target) {
                                (Some(b), Some(t)) => crate::outcomes::progress(b, t, &r.value),
                                _ => None,
                            };
                            let progress = latest.and_then(|l| progress_of(l));
                            let previous = readings.len().checked_sub(2).and_then(|i| readings.get(i)).copied();
                            // Only work in play is expected to be measured lately (as `unmeasured-outcome`).
                            let stale = match (today, latest) {
                                (Some(today), Some(l)) if p.status == Status::InPlay => {
                                    i64::from((today - l.date).get_days()) > measure_days
                                }
                                _ => false,
                            };
                            let metric = o.metric.as_deref().unwrap_or("(no metric)");
                            let or_dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "—".into());
                            let (state, reason) = match (latest, progress) {
                                (None, _) => (OutcomeState::Unmeasured, format!("not measured yet: {metric}")),
                                // No progress to compute (no numeric baseline): a bounded
                                // target (`under 20 ms`) still says whether it is met.
                                (Some(l), None) => {
                                    match o.target.as_deref().and_then(|t| crate::outcomes::reaches_bound(t, &l.value))
                                    {
                                        Some(true) => (
                                            OutcomeState::Met,
                                            format!("{metric} {} (target {})", l.value, or_dash(&o.target)),
                                        ),
                                        _ if stale => (
                                            OutcomeState::Stale,
                                            format!("stale: {metric} last measured {} ({})", l.date, l.value),
                                        ),
                                        Some(false) => (
                                            OutcomeState::Measured,
                                            format!("{metric} {}, target {}", l.value, or_dash(&o.target)),
                                        ),
                                        None => (
                                            OutcomeState::Measured,
                                            format!(
                                                "{metric} {}, target {} (no numeric baseline to measure progress from)",
                                                l.value,
                                                or_dash(&o.target)
                                            ),
                                        ),
                                    }
                                }
                                (Some(l), Some(p)) if p >= 1.0 => {
                                    (OutcomeState::Met, format!("{metric} {} (target {})", l.value, or_dash(&o.target)))
                                }
                                (Some(l), Some(p)) if p < 0.0 => (
                                    OutcomeState::Regressed,
                                    format!(
                                        "regressing: {metric} {} → {}, baseline {}",
                                        previous.map_or_else(|| or_dash(&o.baseline), |r| r.value.clone()),
                                        l.value,
                                        or_dash(&o.baseline)
                                    ),
                                ),
                                (Some(l), Some(_)) if stale => (
                                    OutcomeState::Stale,
                                    format!("stale: {metric} last measured {} ({})", l.date, l.value),
                                ),
                                (Some(l), Some(p))
                                    if previous.and_then(progress_of).is_some_and(|before| p < before) =>
                                {
                                    (
                                        OutcomeState::Slipping,
                                        format!(
                                            "slipping: {metric} {} → {}, target {}",
                                            previous.map_or_else(String::new, |r| r.value.clone()),
                                            l.value,
                                            or_dash(&o.target)
                                        ),
                                    )
                                }
                                (Some(l), Some(p)) => (
                                    OutcomeState::OnTrack,
                                    format!(
                                        "{:.0}% of the way: {metric} {} → {} → {}",
                                        p * 100.0,
                                        or_dash(&o.baseline),
                                        l.value,
                                        or_dash(&o.target)
                                    ),
                                ),
                            };
                            OutcomeRow {
                                metric: o.metric.clone(),
                                baseline: o.baseline.clone(),
                                target: o.target.clone(),
                                latest: latest.map(|l| Latest { date: l.date.to_string(), value: l.value.clone() }),
                                progress: progress.map(round4),
                                state,
                                stale,
                                reason,
                                measurements: readings
                                    .iter()
                                    .map(|r| Measurement {
                                        date: r.date.to_string(),
                                        value: r.value.clone(),
                                        source: r.source.clone(),
                                    })
                                    .collect(),
                            }
                        })
                        .collect(),
                    open_items: items
                        .iter()
                        .filter(|i| !i.done && i.exception.is_none())
                        .map(|i| item_ref(i))
                        .collect(),
                    done_items: items.iter().filter(|i| i.done && i.exception.is_none()).map(|i| item_ref(i)).collect(),
                    exceptions: items.iter().filter(|i| i.exception.is_some()).map(|i| item_ref(i)).collect(),
                    commits: CommitWork {
                        count: work.map_or(0, |w| w.commits),
                        last: work.filter(|w| w.commits > 0).map(|w| date(w.last)),
                        authors: work.map_or(0, |w| w.authors.len()),
                        per_week: weeks
                            .iter()
                            .map(|wk| work.and_then(|w| w.weeks.get(wk)).copied().unwrap_or(0))
                            .collect(),
                    },
                    health: None,
                }
            })
            .collect();
        for c in &mut promises {
            c.health = health(c);
            // A hypothesis's metric is one of its promise's outcomes: its latest reading is the
            // outcome's (found once per outcome, not once per hypothesis).
            for h in &mut c.hypotheses {
                let outcome = c.outcomes.iter().find(|o| o.metric.as_deref() == Some(h.metric.as_str()));
                h.latest = outcome
                    .and_then(|o| o.latest.as_ref())
                    .map(|l| Latest { date: l.date.clone(), value: l.value.clone() });
            }
        }
        let flow = super::flow::Flow::new(facts, window, &promises);
        let status_rank = |s: Status| match s {
            Status::InPlay => 0,
            Status::Proposed => 1,
            Status::Done => 2,
            Status::Dropped => 3,
        };
        let priority_rank = |p: Option<Priority>| p.map_or(3, |p| p as u8);
        promises.sort_by_key(|c| (status_rank(c.status), priority_rank(c.priority)));

        let commit_ref = |f: &Finding| {
            let subject = f
                .source
                .map(|id| match &facts.sources.get(id).kind {
                    SourceKind::Commit { subject, .. } => subject.clone(),
                    _ => String::new(),
                })
                .unwrap_or_default();
            let sha = f.commit.clone().unwrap_or_default();
            let by = tally.and_then(|t| t.untraced_by.iter().find(|u| u.sha == sha));
            let likely =
                tally.and_then(|t| t.likely.get(&sha)).map(|(id, why)| LikelyRef { id: id.clone(), why: why.clone() });
            // A malformed trailer on the same commit whose key is not `Promise`: the misspelling
            // is the first thing to say.
            let misspelt = findings
                .iter()
                .filter(|m| m.code == Code::MalformedTrailer && m.commit.as_deref() == Some(sha.as_str()))
                .find_map(|m| {
                    let rest = m.message.strip_prefix("trailer key `")?;
                    rest.split_once("` is not `Promise`").map(|(key, _)| key.to_string())
                });
            CommitRef {
                sha: sha.clone(),
                subject,
                reason: None,
                date: by.map(|u| date(u.time)),
                author: by.map(|u| u.author.clone()),
                misspelt,
                likely,
            }
        };
        // The board shows all the window's work, baselined or not (the chart counts it all);
        // only its error and warning counts leave what the baseline absorbed out.
        let baselined = facts.baseline.iter().flat_map(|b| &b.baselined);
        let untraced = Untraced {
            commits: findings
                .iter()
                .chain(baselined.clone())
                .filter(|f| f.code == Code::UntracedCommit && f.commit.is_some())
                .map(commit_ref)
                .collect(),
            items: facts
                .plans
                .list
                .iter()
                .filter(|i| i.promises.is_empty() && i.exception.is_none())
                .map(item_ref)
                .collect(),
        };
        let declared = tally.map(|t| t.declared.clone()).unwrap_or_default();
        let exceptions = Exceptions {
            commits: declared
                .iter()
                .map(|d| CommitRef {
                    sha: d.sha.clone(),
                    subject: d.subject.clone(),
                    reason: Some(d.reason.clone()),
                    date: Some(date(d.time)),
                    author: None,
                    misspelt: None,
                    likely: None,
                })
                .collect(),
            items: facts
                .plans
                .list
                .iter()
                .filter(|i| i.exception.is_some() && i.promises.is_empty())
                .map(item_ref)
                .collect(),
            share: tally.map_or(0.0, |t| {
                let work = t.commits.saturating_sub(t.exempt);
                if work == 0 {
                    0.0
                } else {
                    t.exceptions as f64 / work as f64
                }
            }),
            budget: registry.exception_budget.as_ref().map(|(b, _)| *b),
        };
        let mistraced = findings
            .iter()
            .chain(baselined)
            .filter(|f| in_category(f.code, crate::rules::Category::Mistraced))
            .map(|f| {
                let source = f.source.map(|id| facts.sources.get(id));
                let place = match (source, f.labels.first()) {
                    (Some(s), Some(l)) if matches!(s.kind, SourceKind::File { .. }) => {
                        format!("{}:{}", s.name(), s.line_col(l.span.start).0)
                    }
                    (Some(s), _) => s.name(),
                    (None, _) => String::new(),
                };
                Mistraced {
                    code: f.code,
                    title: title(f.code),
                    severity: f.severity,
                    message: f.message.clone(),
                    place,
                    promises: f.promises.clone(),
                }
            })
            .collect();
        // Every counted finding is listed somewhere: the drift rules here, and any finding no
        // section above lists (untraced work and mistraced work have their own).
        let listed_above = |f: &Finding| {
            in_category(f.code, crate::rules::Category::Mistraced)
                || (f.code == Code::UntracedCommit && f.commit.is_some())
                || (f.code == Code::UntracedItem
                    && f.source.zip(f.labels.first()).is_some_and(|(id, l)| {
                        let s = facts.sources.get(id);
                        let line = s.line_col(l.span.start).0;
                        untraced.items.iter().any(|i| i.path == s.name() && i.line == line)
                    }))
        };
        let drift = findings
            .iter()
            .filter(|f| in_category(f.code, crate::rules::Category::Drift) || !listed_above(f))
            .map(|f| DriftNote {
                code: f.code,
                title: title(f.code),
                severity: f.severity,
                message: f.message.clone(),
                promises: f.promises.clone(),
            })
            .collect();
        let traced = {
            let needing = tally.map_or(0, |t| t.commits.saturating_sub(t.exempt));
            // In play when made: work on a promise in play now, and work on one that left play
            // in the window from before it left (finishing a promise is not shadow work).
            let left = facts.window.as_ref().map(|w| &w.left_play);
            let in_play: usize = registry
                .promises
                .iter()
                .map(|p| match tally.and_then(|t| t.promises.get(&p.id)) {
                    None => 0,
                    Some(w) if p.status == Status::InPlay => w.commits,
                    Some(w) => left
                        .and_then(|l| l.get(&p.id))
                        .map_or(0, |&until| w.times.iter().filter(|&&t| t <= until).count()),
                })
                .sum::<usize>()
                .min(needing);
            Traced {
                in_play,
                commits: needing,
                share: if needing == 0 { 0.0 } else { round4(in_play as f64 / needing as f64) },
            }
        };
        let priorities = {
            let share = |n: usize, of: usize| if of == 0 { 0.0 } else { round4(n as f64 / of as f64) };
            let levels = [Some(Priority::Must), Some(Priority::Should), Some(Priority::Could), None];
            let counts: Vec<(Option<Priority>, usize, usize)> = levels
                .iter()
                .map(|&level| {
                    let mine = promises.iter().filter(|c| c.priority == level);
                    let commits = mine.clone().map(|c| c.commits.count).sum();
                    (level, commits, mine.filter(|c| c.status == Status::InPlay).count())
                })
                .collect();
            let (all_commits, all_in_play) = counts.iter().fold((0, 0), |(c, p), x| (c + x.1, p + x.2));
            counts
                .into_iter()
                .filter(|&(_, commits, in_play)| commits > 0 || in_play > 0)
                .map(|(level, commits, in_play)| PriorityShare {
                    priority: level.map_or("none", |p| priority_name(Some(p))),
                    commits,
                    commit_share: share(commits, all_commits),
                    in_play,
                    in_play_share: share(in_play, all_in_play),
                })
                .collect()
        };
        let changes = {
            let (since, until) = (date(window.since), date(window.until));
            let mut left_play: Vec<LeftPlay> = facts
                .window
                .iter()
                .flat_map(|w| &w.left_play)
                .filter_map(|(id, &t)| {
                    let p = registry.promises.iter().find(|p| &p.id == id)?;
                    Some(LeftPlay { promise: id.clone(), date: date(t), status: p.status })
                })
                .collect();
            left_play.sort_by(|a, b| (&a.date, &a.promise).cmp(&(&b.date, &b.promise)));
            let mut readings: Vec<ReadingChange> = Vec::new();
            for c in &promises {
                for o in &c.outcomes {
                    for (i, m) in o.measurements.iter().enumerate() {
                        if m.date < since || m.date > until {
                            continue;
                        }
                        let previous = i.checked_sub(1).and_then(|j| o.measurements.get(j));
                        let q = crate::outcomes::quantity;
                        let delta = previous.and_then(|p| match (q(&p.value), q(&m.value)) {
                            (Some(a), Some(b)) if a.unit == b.unit => {
                                // Halved first, so the difference of numbers near the
                                // largest double stays finite; left out when it is not.
                                let d = (b.number / 2.0 - a.number / 2.0) * 2.0;
                                let sign = if d < 0.0 { "−" } else { "+" };
                                d.is_finite().then(|| format!("{sign}{}", with_unit(d.abs(), &a.unit)))
                            }
                            _ => None,
                        });
                        readings.push(ReadingChange {
                            promise: c.id.clone(),
                            metric: o.metric.clone().unwrap_or_default(),
                            date: m.date.clone(),
                            value: m.value.clone(),
                            previous: previous.map(|p| p.value.clone()),
                            delta,
                        });
                    }
                }
            }
            readings.sort_by(|a, b| b.date.cmp(&a.date));
            let registry: Vec<RegistryNote> = facts
                .window
                .iter()
                .flat_map(|w| w.history.revisions.iter().enumerate())
                // The registry's first revision writes every promise down: its adoption, not a
                // change (the Flow section counts from it).
                .filter(|&(i, r)| i > 0 && r.time >= window.since && r.time <= window.until)
                .map(|(_, r)| r)
                .flat_map(|r| r.changes.iter().map(|c| RegistryNote::new(c, &r.commit, r.time)))
                .collect();
            let entered_play =
                registry.iter().filter(|n| matches!(n.kind, "entered-play" | "reopened")).cloned().collect();
            let items_closed = facts
                .window
                .iter()
                .flat_map(|w| &w.closed)
                .map(|c| ClosedRef {
                    path: c.path.clone(),
                    text: c.text.clone(),
                    promises: c.promises.clone(),
                    date: c.time.map(crate::when::date),
                })
                .collect();
            Changes { left_play, readings, entered_play, registry, items_closed }
        };
        Board {
            version: 1,
            schema_version: SCHEMA_VERSION,
            changes,
            flow,
            priorities,
            name: registry.name.clone(),
            scope: Some(registry.scopes.path.clone()).filter(|p| !p.is_empty()),
            as_of: AsOf { date: date(window.until), commit: None },
            traced,
            window: WindowDates {
                since: date(window.since),
                until: date(window.until),
                days: (window.until - window.since) / crate::when::DAY,
            },
            vision: registry.vision.clone(),
            in_play: InPlay { count: registry.in_play().count(), limit: registry.in_play_limit },
            promises,
            untraced,
            mistraced,
            exceptions,
            drift,
            errors: findings.iter().filter(|f| f.severity == Severity::Error).count(),
            warnings: findings.iter().filter(|f| f.severity == Severity::Warning).count(),
            untraced_per_week: weeks
                .iter()
                .map(|wk| tally.and_then(|t| t.untraced_weeks.get(wk)).copied().unwrap_or(0))
                .collect(),
            exceptions_per_week: weeks
                .iter()
                .map(|&wk| declared.iter().filter(|d| crate::tally::week_start(d.time) == wk).count())
                .collect(),
            weeks,
            baseline: facts.baseline.as_ref().map(|b| {
                let absent_commits: usize = b.absent.iter().filter(|(k, _)| k.is_commit()).map(|(_, n)| n).sum();
                let commits = b.recorded.commits().saturating_sub(absent_commits);
                let absent_items = b.absent_count().saturating_sub(absent_commits);
                Debt {
                    items: (b.recorded.total() - b.recorded.commits()).saturating_sub(absent_items),
                    commits,
                    absent: b.absent_count(),
                    at_start: b.at_start.map(|(items, commits)| DebtThen { items, commits }),
                }
            }),
        }
    }
}

/// A judged hypothesis as the board shows it: where it is written, the latest reading of its
/// metric, the verdict and the reading that decided it.
fn hypothesis_row(facts: &Facts, j: &crate::facts::Judged) -> HypothesisRow {
    use crate::outcomes::Judgement;
    let h = j.hypothesis;
    let source = facts.sources.get(j.source.unwrap_or(facts.registry_source));
    let reading = |r: &crate::outcomes::Reading| Latest { date: r.date.to_string(), value: r.value.clone() };
    let verdict = match j.judgement {
        Judgement::Confirmed(_) => HypothesisVerdict::Confirmed,
        Judgement::Refuted { .. } => HypothesisVerdict::Refuted,
        Judgement::Unjudged => HypothesisVerdict::Unjudged,
        Judgement::Pending => HypothesisVerdict::Pending,
    };
    HypothesisRow {
        belief: h.belief.clone(),
        metric: h.metric.clone(),
        expect: h.expect.clone(),
        by: h.by.to_string(),
        written: format!("{}:{}", source.name(), source.line_col(h.span.start).0),
        // Filled from the promise's outcome of that metric.
        latest: None,
        verdict,
        judged_by: j.judgement.readings().last().map(|r| reading(r)),
        // Filled from the promise's items.
        open_items: Vec::new(),
        done_items: Vec::new(),
    }
}

/// Rounded to 4 decimals (`0.45`, not `0.4500000000000002`), when that stays finite.
fn round4(x: f64) -> f64 {
    let r = (x * 10_000.0).round() / 10_000.0;
    if r.is_finite() {
        r
    } else {
        x
    }
}

/// What a rule's findings mean, in the words a lead uses; the code follows it on the board.
pub fn title(code: Code) -> &'static str {
    match code {
        Code::UnknownPromise => "Unknown promise ids",
        Code::UntracedItem => "Work items that name no promise",
        Code::UntracedCommit => "Commits that name no promise",
        Code::NotInPlay => "Work on a promise not in play",
        Code::OpenWorkNotInPlay => "Open work under a promise not in play",
        Code::TooManyInPlay => "More promises in play than the limit",
        Code::NoOutcome => "Promises in play with no measurable outcome",
        Code::MalformedTrailer => "Trailers git will not read",
        Code::ShadowWork => "Work on promises that are not in play",
        Code::IdlePromise => "Promises in play with no recent activity",
        Code::DoneWithOpenItems => "Done promises with open items",
        Code::OverBudget => "More exceptions than the budget allows",
        Code::UnmatchedPattern => "Patterns that match no file",
        Code::UnknownMetric => "Readings of a metric no promise measures",
        Code::UnmeasuredOutcome => "Outcomes not measured lately",
        Code::OutcomeMet => "Outcomes that reached their target",
        Code::OutcomeRegressed => "Outcomes moving away from their target",
        Code::HypothesisInvalid => "Hypotheses that cannot be judged",
        Code::HypothesisUnjudged => "Hypotheses past their date, not measured since",
        Code::HypothesisRefuted => "Hypotheses the readings refuted, with work still on them",
        Code::DoneUnverified => "Done promises not shown to be kept",
        Code::UnlistedScope => "Team registries the root does not list",
        Code::SuspectLink => "Open work planned against an earlier version of its promise",
    }
}

/// A promise's health from its outcomes' states and its items (the README's rule). In play:
/// every outcome met is `met`; any regressed is `off-track`; every item done (at least one) is
/// `delivered`; any slipping, stale or not yet measured while another is, or no outcome at all,
/// is `at-risk`; none measured (or measured with no numeric baseline) is `unmeasured`; otherwise
/// `on-track`. Done: every outcome met is `kept`; any measured and short of its target is
/// `not-kept`; otherwise `unmeasured`.
fn health(c: &PromiseCard) -> Option<Health> {
    let has = |s: OutcomeState| c.outcomes.iter().find(|o| o.state == s);
    let all = |s: OutcomeState| !c.outcomes.is_empty() && c.outcomes.iter().all(|o| o.state == s);
    let why = |o: &OutcomeRow| o.reason.clone();
    let h = |state, reason| Some(Health { state, reason });
    match c.status {
        Status::InPlay => {
            if c.outcomes.is_empty() {
                return h(HealthState::AtRisk, "no measurable outcome: how will you know it is kept?".into());
            }
            if all(OutcomeState::Met) {
                return h(HealthState::Met, why(&c.outcomes[0]));
            }
            if let Some(o) = has(OutcomeState::Regressed) {
                return h(HealthState::OffTrack, why(o));
            }
            if c.open_items.is_empty() && !c.done_items.is_empty() {
                let worst = c.outcomes.iter().find(|o| o.state != OutcomeState::Met).unwrap_or(&c.outcomes[0]);
                return h(
                    HealthState::Delivered,
                    format!("{} done; {}", super::plural(c.done_items.len(), "item"), why(worst)),
                );
            }
            if let Some(o) = has(OutcomeState::Slipping).or_else(|| has(OutcomeState::Stale)) {
                return h(HealthState::AtRisk, why(o));
            }
            // Readings with no numeric baseline say where it is, not how far it came.
            if c.outcomes.iter().all(|o| matches!(o.state, OutcomeState::Unmeasured | OutcomeState::Measured)) {
                let o = has(OutcomeState::Measured).unwrap_or(&c.outcomes[0]);
                return h(HealthState::Unmeasured, why(o));
            }
            if let Some(o) = has(OutcomeState::Unmeasured) {
                return h(HealthState::AtRisk, why(o));
            }
            // On track: the outcome furthest from its target says how far.
            let o = c
                .outcomes
                .iter()
                .filter(|o| o.state == OutcomeState::OnTrack)
                .min_by(|a, b| a.progress.unwrap_or(0.0).total_cmp(&b.progress.unwrap_or(0.0)))
                .or_else(|| has(OutcomeState::Measured))
                .unwrap_or(&c.outcomes[0]);
            h(HealthState::OnTrack, why(o))
        }
        Status::Done => {
            if all(OutcomeState::Met) {
                return h(HealthState::Kept, why(&c.outcomes[0]));
            }
            let short = c.outcomes.iter().find(|o| {
                o.progress.is_some_and(|p| p < 1.0)
                    || o.target
                        .as_deref()
                        .zip(o.latest.as_ref())
                        .and_then(|(t, l)| crate::outcomes::reaches_bound(t, &l.value))
                        == Some(false)
            });
            match short {
                Some(o) => h(
                    HealthState::NotKept,
                    format!(
                        "{} {}, target {}",
                        o.metric.as_deref().unwrap_or("(no metric)"),
                        o.latest.as_ref().map_or("", |l| l.value.as_str()),
                        o.target.as_deref().unwrap_or("—")
                    ),
                ),
                None if c.outcomes.is_empty() => h(HealthState::Unmeasured, "no measurable outcome".into()),
                None => h(
                    HealthState::Unmeasured,
                    c.outcomes.iter().find(|o| o.state != OutcomeState::Met).map_or_else(String::new, why),
                ),
            }
        }
        Status::Proposed | Status::Dropped => None,
    }
}

/// `must`, `should`, `could`, or `—`.
pub fn priority_name(p: Option<Priority>) -> &'static str {
    match p {
        Some(Priority::Must) => "must",
        Some(Priority::Should) => "should",
        Some(Priority::Could) => "could",
        None => "—",
    }
}

/// `metric: baseline → target`, and with readings `metric: baseline → latest → target (45%)`.
pub fn outcome_line(o: &OutcomeRow) -> String {
    let metric = o.metric.as_deref().unwrap_or("(no metric)");
    let now = match (&o.latest, o.progress) {
        (Some(l), Some(p)) => format!(" → {} ({:.0}%, {})", l.value, p * 100.0, l.date),
        (Some(l), None) => format!(" → {} ({})", l.value, l.date),
        _ => String::new(),
    };
    match (&o.baseline, &o.target) {
        (Some(b), Some(t)) => format!("{metric}: {b}{now} → {t}"),
        (None, Some(t)) => format!("{metric}:{now} → {t}"),
        (Some(b), None) => format!("{metric}: {b}{now} → (no target)"),
        (None, None) => format!("{metric}{now} (no target)"),
    }
}

/// The numbers of an outcome's readings, oldest first (readings that are not a number in the
/// target's unit are left out), and its baseline and target as numbers when they are.
pub fn series(o: &OutcomeRow) -> (Vec<f64>, Option<f64>, Option<f64>) {
    let q = |t: &Option<String>| t.as_deref().and_then(crate::outcomes::quantity);
    let (baseline, target) = (q(&o.baseline), q(&o.target));
    let unit = target.as_ref().or(baseline.as_ref()).map(|t| t.unit.clone());
    let values = o
        .measurements
        .iter()
        .filter_map(|m| crate::outcomes::quantity(&m.value))
        .filter(|v| unit.as_ref().is_none_or(|u| *u == v.unit))
        .map(|v| v.number)
        .collect();
    (values, baseline.map(|b| b.number), target.map(|t| t.number))
}

/// An outcome's readings for a chart (see [`points`]): (day number, value) pairs, the unit, the
/// baseline and the target.
pub type Points = (Vec<(i64, f64)>, String, Option<f64>, Option<f64>);

/// An outcome's readings for a chart: (day number, value) oldest first, in the unit of its
/// target (or baseline), the unit, and the baseline and target as numbers. Day numbers count
/// from 1970-01-01, so readings are spaced by time.
pub fn points(o: &OutcomeRow) -> Points {
    let q = |t: &Option<String>| t.as_deref().and_then(crate::outcomes::quantity);
    let (baseline, target) = (q(&o.baseline), q(&o.target));
    let unit = target.as_ref().or(baseline.as_ref()).map(|t| t.unit.clone());
    let points = o
        .measurements
        .iter()
        .filter_map(|m| Some((day_number(&m.date)?, crate::outcomes::quantity(&m.value)?)))
        .filter(|(_, v)| unit.as_ref().is_none_or(|u| *u == v.unit))
        .map(|(d, v)| (d, v.number))
        .collect::<Vec<_>>();
    let unit = unit.or_else(|| o.measurements.iter().find_map(|m| crate::outcomes::quantity(&m.value)).map(|q| q.unit));
    (points, unit.unwrap_or_default(), baseline.map(|b| b.number), target.map(|t| t.number))
}

/// Days from 1970-01-01 to a `YYYY-MM-DD` date.
pub fn day_number(d: &str) -> Option<i64> {
    let date: jiff::civil::Date = d.parse().ok()?;
    let epoch = jiff::civil::date(1970, 1, 1);
    Some(i64::from((date - epoch).get_days()))
}

/// A number with its unit, as a reading writes it: `8%`, `41 a day`, `€4.1`; at most two
/// decimals, and very large or small numbers in exponent form.
pub fn with_unit(n: f64, unit: &str) -> String {
    let number = if n != 0.0 && (n.abs() >= 1e9 || n.abs() < 1e-3) {
        format!("{n:.2e}")
    } else {
        let s = format!("{n:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    match unit.chars().next() {
        None => number,
        Some('%') => format!("{number}%"),
        Some(c) if c.is_alphabetic() => format!("{number} {unit}"),
        Some(_) => format!("{unit}{number}"),
    }
}

/// A unicode sparkline of `values` (`▁▂▃▄▅▆▇█`), empty for fewer than two; scaled, as the HTML
/// chart is, over the values and `also` (the baseline and the target), so its height says where
/// the readings are between them.
pub fn sparkline(values: &[f64], also: &[f64]) -> String {
    if values.len() < 2 {
        return String::new();
    }
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (lo, hi) = values.iter().chain(also).fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    values
        .iter()
        // Halved first, so the span of numbers near the largest double stays finite.
        .map(|&v| {
            if hi > lo {
                BARS[(((v / 2.0 - lo / 2.0) / (hi / 2.0 - lo / 2.0)) * 7.0).round() as usize]
            } else {
                BARS[3]
            }
        })
        .collect()
}

impl Board {
    /// The verdict, one line: `✖ 7 errors · 5 warnings · in play 3 of 3 · untraced 4 · mistraced 2`.
    pub fn verdict(&self) -> String {
        let mark = if self.errors > 0 {
            "✖"
        } else if self.warnings > 0 {
            "▲"
        } else {
            "✔"
        };
        format!(
            "{mark} {} · {} · in play {} of {} · untraced {} · mistraced {}",
            super::plural(self.errors, "error"),
            super::plural(self.warnings, "warning"),
            self.in_play.count,
            self.in_play.limit,
            self.untraced.commits.len() + self.untraced.items.len(),
            self.mistraced.len()
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn board_sparklines_scale_over_the_baseline_and_target() {
        assert_eq!(super::sparkline(&[8.5, 9.8, 10.4], &[]), "▁▆█");
        assert_eq!(super::sparkline(&[8.5, 9.8, 10.4], &[8.0, 12.0]), "▂▄▅");
        assert_eq!(super::sparkline(&[1.0], &[0.0, 2.0]), "");
    }

    #[test]
    fn board_bounded_targets_are_reached_in_their_direction() {
        assert_eq!(crate::outcomes::reaches_bound("under 20 ms", "6.8 ms"), Some(true));
        assert_eq!(crate::outcomes::reaches_bound("under 20 ms", "21 ms"), Some(false));
        assert_eq!(crate::outcomes::reaches_bound("at least 60%", "61%"), Some(true));
        assert_eq!(crate::outcomes::reaches_bound("at least 60%", "6 ms"), None, "another unit");
        assert_eq!(crate::outcomes::reaches_bound("20 ms", "6 ms"), None, "no bound");
    }
}
