//! The promise registry: `promises.toml`, from raw TOML to a validated model that keeps spans.
//!
//! The registry is the team's contract: the vision, its customers, the promises with their status,
//! priority and outcomes, the WIP limit, and how plan-lint reads the rest of the repository. It is
//! read in two steps. Serde turns TOML into a raw model in which every value keeps its span
//! (`toml::Spanned`), rejecting unknown keys and wrong types with the position toml reports. Then
//! [`Registry::from_raw`] checks what types cannot (id syntax, customers that exist, regexes that
//! compile, rule codes that exist) and reports every problem at once, each pointing at its key or
//! value, so a user fixes the file in one pass.

use crate::code::{Code, Level};
use crate::error::{Error, Result};
use crate::patterns::Patterns;
use crate::source::{Label, Source};
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// Where a promise stands. Only `in-play` promises take work; `proposed` ones are plans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A plan, not yet work.
    Proposed,
    /// Being worked on (counts against the WIP limit).
    InPlay,
    /// Kept.
    Done,
    /// Given up.
    Dropped,
}

impl Status {
    /// The kebab-case name, as written in promises.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::InPlay => "in-play",
            Status::Done => "done",
            Status::Dropped => "dropped",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Knock it out of the park (`must`), get it done (`should`), nice to have (`could`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Priority {
    /// Knock it out of the park.
    Must,
    /// Get it done.
    Should,
    /// Nice to have.
    Could,
}

/// A baseline or target: teams write `"8%"`, `12` or `0.4`; all are kept as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Integer(i64),
    Float(f64),
}

impl Scalar {
    fn into_string(self) -> String {
        match self {
            Scalar::Text(s) => s,
            Scalar::Integer(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRegistry {
    name: Option<String>,
    vision: Option<String>,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    customers: BTreeMap<Spanned<String>, RawCustomer>,
    #[serde(default)]
    promises: BTreeMap<Spanned<String>, RawPromise>,
    #[serde(default)]
    commits: RawCommits,
    #[serde(default)]
    plans: RawPlans,
    #[serde(default)]
    // Levels are read in `from_raw`, after the rule's name: `since = "…"` under `[rules]` is a
    // key in the wrong table before it is a bad level.
    rules: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    hooks: RawHooks,
    #[serde(default)]
    issues: RawPlans,
    #[serde(default)]
    pull_requests: RawPullRequests,
    #[serde(default)]
    outcomes: RawOutcomes,
    scopes: Option<Spanned<RawScopes>>,
}

/// `[scopes] members = ["teams/search", …]`: the folders, relative to the root, that hold a
/// scoped registry of their own (only in the root registry); `ignore = ["fixtures/**"]`: folders
/// whose promises.toml is no team's registry (a fixture, an example).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawScopes {
    #[serde(default)]
    members: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOutcomes {
    file: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPullRequests {
    body_traces_commits: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawHooks {
    branch_trailer: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLimits {
    in_play: Option<Spanned<i64>>,
    idle_days: Option<Spanned<i64>>,
    exception_budget: Option<Spanned<Scalar>>,
    measure_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCustomer {
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPromise {
    statement: Spanned<String>,
    title: Option<String>,
    customer: Option<Spanned<String>>,
    owner: Option<Spanned<String>>,
    status: Spanned<Status>,
    priority: Option<Priority>,
    outcomes: Option<Spanned<Vec<RawOutcome>>>,
    hypotheses: Option<Vec<Spanned<RawHypothesis>>>,
    verdict: Option<Spanned<RawVerdict>>,
    reviewed: Option<String>,
}

/// `[[promises.<id>.hypotheses]]`: we believe this work moves `metric` to `expect` by `by`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawHypothesis {
    metric: Spanned<String>,
    expect: Spanned<Scalar>,
    // Text (`"2027-03-01"`) or a TOML date (`2027-03-01`): read in `from_raw`.
    by: Spanned<toml::Value>,
    belief: Option<String>,
}

/// `verdict = { kept = true, reason = "…", date = "2026-11-01" }`: the team's own judgement.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawVerdict {
    kept: bool,
    reason: Spanned<String>,
    date: Spanned<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOutcome {
    metric: Option<String>,
    baseline: Option<Scalar>,
    target: Option<Scalar>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCommits {
    since: Option<Spanned<String>>,
    #[serde(default)]
    exempt_subjects: Vec<Spanned<String>>,
    exempt_releases: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPlans {
    include: Option<Vec<Spanned<String>>>,
}

/// Days without activity after which a promise in play is idle.
pub const DEFAULT_IDLE_DAYS: u32 = 14;
/// Days after which an outcome's latest reading is too old (`unmeasured-outcome`).
pub const DEFAULT_MEASURE_DAYS: u32 = 30;
/// Where readings of outcomes are kept, relative to the root (`[outcomes] file` overrides).
pub const DEFAULT_OUTCOMES_FILE: &str = "outcomes.csv";

/// `"10%"`, `0.1` or `10` (a percentage when above 1): a share between 0 and 1.
fn parse_share(v: Scalar) -> Option<f64> {
    let share = match v {
        Scalar::Text(t) => {
            let t = t.trim();
            match t.strip_suffix('%') {
                Some(p) => p.trim().parse::<f64>().ok()? / 100.0,
                None => t.parse::<f64>().ok()?,
            }
        }
        Scalar::Integer(i) if (0..=100).contains(&i) => i as f64 / 100.0,
        Scalar::Integer(_) => return None,
        Scalar::Float(f) => f,
    };
    (0.0..=1.0).contains(&share).then_some(share)
}

/// The default WIP limit: "only a few promises in play at once".
pub const DEFAULT_IN_PLAY_LIMIT: usize = 3;

/// The release commits the common release tools make with their default messages, exempt unless
/// `[commits] exempt-releases = false`: the tool, the subject pattern, and an example subject.
/// Each pattern allows the ` (#12)` GitHub appends when a release pull request is squash-merged.
pub const RELEASE_SUBJECTS: &[(&str, &str, &str)] = &[
    (
        "a version alone (`npm version`, `yarn version`, `pnpm version`)",
        r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?( \(#\d+\))?$",
        "2.0.3",
    ),
    ("semantic-release (@semantic-release/git)", r"^chore\(release\): ", "chore(release): 2.0.3 [skip ci]"),
    (
        "changesets (its GitHub Action's pull request)",
        r"^Version Packages( \([^)]*\))?( \(#\d+\))?$",
        "Version Packages",
    ),
    (
        "changesets (`changeset version` with `commit: true`)",
        r"^RELEASING: Releasing \d+ package",
        "RELEASING: Releasing 2 package(s)",
    ),
    (
        "release-please",
        r"^chore(\([^)]+\))?: release( [\w./@-]+)?( v?\d+\.\d+\.\d+[0-9A-Za-z.+-]*)?( \(#\d+\))?$",
        "chore(main): release 2.0.3",
    ),
    ("cargo release (its current default)", r"^chore: Release\b", "chore: Release my-crate version 2.0.3"),
    ("cargo release (its earlier default)", r"^\(cargo-release\) ", "(cargo-release) version 2.0.3"),
];

/// Plan documents read when `[plans] include` is not set.
pub const DEFAULT_PLAN_GLOBS: &[&str] = &["ROADMAP.md", "PLAN.md", "plan/**/*.md", "plans/**/*.md"];

/// Text left to be filled in: empty, `...`/`…`, `?`, `TODO`, `TBD`, `<…>`, or trailing off in
/// an ellipsis (`share of customers who ...`).
pub fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    t.is_empty()
        || t.chars().all(|c| matches!(c, '.' | '…' | '?' | '-' | '_' | ' '))
        || ["todo", "tbd", "tbc", "fixme", "xxx", "n/a"]
            .iter()
            .any(|w| lower == *w || lower.starts_with(&format!("{w}:")))
        || (t.starts_with('<') && t.ends_with('>'))
        || t.ends_with("...")
        || t.ends_with('…')
}

/// The registry file's name at the repository root.
pub const FILE_NAME: &str = "promises.toml";

/// A measurable outcome: a change in customer behaviour.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outcome {
    /// What is measured.
    pub metric: Option<String>,
    /// Where it starts.
    pub baseline: Option<String>,
    /// Where it should get to.
    pub target: Option<String>,
}

impl Outcome {
    /// Measurable: it names what to watch and where it should get to, neither left as a
    /// placeholder (`...`, `TODO`, `TBD`, a metric that trails off in `...`).
    pub fn is_measurable(&self) -> bool {
        let real = |v: Option<&str>| v.is_some_and(|v| !is_placeholder(v));
        real(self.metric.as_deref()) && real(self.target.as_deref())
    }
}

/// A hypothesis the work on a promise tests: "we believe `belief` moves `metric` to `expect`
/// by `by`". Judged from the readings once its date has passed (`hypothesis-*` rules).
#[derive(Clone, Debug)]
pub struct Hypothesis {
    /// One of the promise's outcome metrics (`hypothesis-invalid` otherwise).
    pub metric: String,
    /// The value expected, as written (`70%`), in the outcome's unit.
    pub expect: String,
    /// The day by which it is expected.
    pub by: jiff::civil::Date,
    /// The belief, in the team's words (optional).
    pub belief: Option<String>,
    /// The hypothesis's table, its metric and its expected value in promises.toml.
    pub span: Range<usize>,
    pub metric_span: Range<usize>,
    pub expect_span: Range<usize>,
}

impl Hypothesis {
    /// What the hypothesis says, without where it is written (what a registry change compares).
    fn said(&self) -> (&str, &str, jiff::civil::Date, Option<&str>) {
        (&self.metric, &self.expect, self.by, self.belief.as_deref())
    }
}

/// The team's verdict on a promise: kept or not, why, and when it was judged. `done` says the
/// work shipped; a verdict (or readings that meet the outcomes) says the promise was kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub kept: bool,
    pub reason: String,
    pub date: jiff::civil::Date,
}

/// A customer promise.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Promise {
    /// The id, a lowercase kebab-case slug (`find-and-buy`).
    pub id: String,
    /// A short title.
    pub title: Option<String>,
    /// The promise, from the customer's side.
    pub statement: String,
    /// The customer group it serves (a `[customers]` id).
    pub customer: Option<String>,
    /// Who answers for it: a person (`Ana Ruiz`) or a team handle (`@search-team`), as written.
    pub owner: Option<String>,
    /// Where it stands.
    pub status: Status,
    /// How much it matters.
    pub priority: Option<Priority>,
    /// The outcomes that show it is kept.
    pub outcomes: Vec<Outcome>,
    /// The hypotheses its work tests, in file order.
    pub(crate) hypotheses: Vec<Hypothesis>,
    /// The team's verdict: kept or not.
    pub(crate) verdict: Option<Verdict>,
    /// `reviewed = "<fingerprint>"`: the contract (statement, customer, targets) its open work
    /// was last reviewed against ([`Promise::fingerprint`]; rule `suspect-link`).
    pub reviewed: Option<String>,
    /// Spans in promises.toml, for labels.
    pub id_span: Range<usize>,
    /// Span of `status`.
    pub status_span: Range<usize>,
    /// Span of `outcomes`.
    pub outcomes_span: Range<usize>,
}

impl Promise {
    /// In play or proposed (it takes or will take work) with no review recorded of its
    /// contract as it is now (`reviewed` absent, or another fingerprint).
    pub fn contract_unreviewed(&self) -> bool {
        matches!(self.status, Status::InPlay | Status::Proposed)
            && self.reviewed.as_deref() != Some(self.fingerprint().as_str())
    }

    /// The promise's contract as 8 hex digits: its statement, customer and outcome targets
    /// (FNV-1a, 64 bits folded to 32; stable across versions). What `reviewed` records.
    pub fn fingerprint(&self) -> String {
        let mut targets: Vec<(&str, &str)> = self
            .outcomes
            .iter()
            .map(|o| (o.metric.as_deref().unwrap_or(""), o.target.as_deref().unwrap_or("")))
            .collect();
        targets.sort_unstable();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for &b in bytes.iter().chain(&[0u8]) {
                h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        eat(self.statement.trim().as_bytes());
        eat(self.customer.as_deref().unwrap_or("").as_bytes());
        for (metric, target) in targets {
            eat(metric.as_bytes());
            eat(target.as_bytes());
        }
        format!("{:08x}", (h >> 32) ^ (h & 0xffff_ffff))
    }
}

/// The parts of the registry a rule can read. Each rule declares what it reads; the pre-commit
/// hook compares a staged registry with HEAD's part by part and re-judges the plans only when a
/// part their rules read has changed ([`Registry::changes`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Parts(u16);

impl Parts {
    /// No part.
    pub const NONE: Parts = Parts(0);
    /// Which promise ids exist, in declaration order.
    pub const IDS: Parts = Parts(1);
    /// Each promise's status.
    pub const STATUS: Parts = Parts(1 << 1);
    /// Titles, statements, customers, priorities.
    pub const DESCRIPTIONS: Parts = Parts(1 << 2);
    /// Outcomes.
    pub const OUTCOMES: Parts = Parts(1 << 3);
    /// `[limits]`.
    pub const LIMITS: Parts = Parts(1 << 4);
    /// `[commits]`, `[hooks]`, `[pull-requests]`.
    pub const COMMITS: Parts = Parts(1 << 5);
    /// `[plans]` and `[issues]` patterns: which documents exist.
    pub const PATTERNS: Parts = Parts(1 << 6);
    /// `[rules]`: levels.
    pub const LEVELS: Parts = Parts(1 << 7);
    /// The vision and customers.
    pub const OTHER: Parts = Parts(1 << 8);

    /// Both.
    pub const fn or(self, other: Parts) -> Parts {
        Parts(self.0 | other.0)
    }

    /// The parts in both.
    pub const fn and(self, other: Parts) -> Parts {
        Parts(self.0 & other.0)
    }

    /// Whether any part is in both.
    pub const fn intersects(self, other: Parts) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether `self` has no part outside `other`.
    pub const fn within(self, other: Parts) -> bool {
        self.0 & !other.0 == 0
    }
}

/// What changed between two registries ([`Registry::changes`]).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// The parts that differ.
    pub parts: Parts,
    /// When ids are unchanged: the promises whose status differs.
    pub statuses: Vec<String>,
}

/// A customer group.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Customer {
    /// The id, a slug.
    pub id: String,
    /// Who they are.
    pub description: Option<String>,
}

/// The promise registry (`promises.toml`), validated, with spans for labels.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Registry {
    /// The team or product the registry is for (`name`), shown on the board.
    pub name: Option<String>,
    /// The product's vision.
    pub vision: Option<String>,
    /// `[limits] in-play`: the WIP limit on promises.
    pub in_play_limit: usize,
    /// Where the limit is set, when it is (a label "limit set here").
    pub in_play_limit_span: Option<Range<usize>>,
    /// `[customers]`.
    pub customers: Vec<Customer>,
    /// In the order the file declares them.
    pub promises: Vec<Promise>,
    /// `[commits] since`: history before this commit is never checked.
    pub(crate) since: Option<Spanned<String>>,
    /// Subjects that need no trailer: the release tools' (`RELEASE_SUBJECTS`, unless
    /// `[commits] exempt-releases = false`), then `[commits] exempt-subjects`.
    pub(crate) exempt_subjects: ExemptSubjects,
    /// `[plans] include`, compiled.
    pub(crate) plan_globs: Patterns,
    /// Rule levels set in `[rules]`.
    pub levels: Vec<(Code, Level)>,
    /// Promise positions by id: every reference in every plan and commit is looked up.
    index: std::collections::HashMap<String, usize>,
    /// `[hooks] branch-trailer`: prepare-commit-msg adds `Promise:` from the branch name.
    pub branch_trailer: bool,
    /// `[issues] include`: issue, RFC or ADR files, each one work item (none by default).
    pub(crate) issue_globs: Patterns,
    /// `[pull-requests] body-traces-commits`: a pull request whose body names a promise in play
    /// traces its commits (for teams that squash-merge with the body as the message).
    pub body_traces_commits: bool,
    /// `[limits] idle-days`: a promise in play with no activity this long is idle.
    pub idle_days: u32,
    /// `[limits] measure-days`: how recent an outcome's latest reading must be.
    pub measure_days: u32,
    /// `[outcomes] file`: the readings file, relative to the root.
    pub outcomes_file: String,
    /// `[limits] exception-budget`: the largest share (0 to 1) of the work in a window that may be
    /// declared exceptions, with where it is set; `None`: no budget.
    pub exception_budget: Option<(f64, Range<usize>)>,
    /// Which of `[limits] idle-days` and `measure-days` the file sets (the others are inherited
    /// from an ancestor scope).
    idle_days_set: bool,
    measure_days_set: bool,
    in_play_limit_set: bool,
    /// The scopes: what this registry governs among the root's listed members (see [`Scopes`]).
    pub(crate) scopes: Scopes,
}

/// Where a registry sits among the scopes of a repository: its own folder (`""` for the root),
/// every listed member (the root's `[scopes] members`, with where each is written in the root
/// registry), and the promises of the other scopes, by qualified id, for resolving references
/// to them. A repository with one root registry has no members and no other promises.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scopes {
    /// This registry's folder, relative to the root, `/`-separated; `""` for the root.
    pub path: String,
    /// Every listed member, in the order the root lists them.
    pub members: Vec<String>,
    /// Where each member is written in the root registry (the root's own registry only).
    pub member_spans: Vec<Range<usize>>,
    /// Every scope's promises, their ids qualified (`teams/search/find-and-buy`; a root
    /// promise keeps its bare id): the other scopes' are those whose scope is not `path`.
    others: std::sync::Arc<AllPromises>,
    /// `[scopes] ignore`: folders (or their promises.toml) whose registry is nobody's, not an
    /// `unlisted-scope` finding.
    pub ignore: Patterns,
    /// `promises.toml` files below the root that `members` does not list (found in the index
    /// by the engine, for the root's run).
    pub unlisted: Vec<String>,
}

/// Every scope's promises, their ids qualified, read once and shared by every scope's registry
/// (each sees the others' through it, never its own): one copy, not one per scope.
#[derive(Debug, Default)]
pub(crate) struct AllPromises {
    /// Each promise's scope, and the promise with its id qualified.
    promises: Vec<(String, Promise)>,
    /// Short id (as its file writes it) → positions in `promises`.
    short: std::collections::HashMap<String, Vec<usize>>,
    /// Qualified id → position in `promises`.
    index: std::collections::HashMap<String, usize>,
}

impl AllPromises {
    /// `(scope, promise)` for every scope's promises, the promise's id as its file writes it.
    pub(crate) fn new<'a>(all: impl IntoIterator<Item = (&'a str, &'a Promise)>) -> std::sync::Arc<AllPromises> {
        let mut known = AllPromises::default();
        for (scope, p) in all {
            let at = known.promises.len();
            known.short.entry(p.id.clone()).or_default().push(at);
            let mut p = p.clone();
            p.id = Scopes::qualify(scope, &p.id);
            known.index.insert(p.id.clone(), at);
            known.promises.push((scope.to_string(), p));
        }
        std::sync::Arc::new(known)
    }
}

impl Scopes {
    /// The scope that governs `path` (relative, `/`-separated): the deepest listed member whose
    /// folder holds it; `""` (the root) otherwise.
    pub fn governing<'a>(members: &'a [String], path: &str) -> &'a str {
        members
            .iter()
            .filter(|m| path.len() > m.len() && path.starts_with(m.as_str()) && path.as_bytes()[m.len()] == b'/')
            .max_by_key(|m| m.len())
            .map_or("", String::as_str)
    }

    /// `id` as written in scope `scope`, qualified: `scope/id`, or `id` for the root.
    pub fn qualify(scope: &str, id: &str) -> String {
        if scope.is_empty() {
            id.to_string()
        } else {
            format!("{scope}/{id}")
        }
    }

    /// Where `[scopes] members` is written, for a label.
    pub fn span(&self) -> Option<Range<usize>> {
        let first = self.member_spans.first()?;
        Some(first.start..self.member_spans.last().map_or(first.end, |l| l.end))
    }

    /// Whether the repository has scoped registries.
    pub fn any(&self) -> bool {
        !self.members.is_empty()
    }

    /// Whether the promises.toml in folder `dir` (relative, `/`-separated) is no scope's: not a
    /// listed member, not under `[scopes] ignore`.
    pub fn is_unlisted(&self, dir: &str) -> bool {
        !self.members.iter().any(|m| m == dir)
            && !self.ignore.is_match(dir)
            && !self.ignore.is_match(&format!("{dir}/{FILE_NAME}"))
    }
}

impl Registry {
    /// The promise with this id: one of this scope's own (by its id, or qualified with the
    /// scope's folder), else another scope's by its qualified id, else another scope's by its
    /// short id when exactly one other scope defines it ([`Registry::definitions`] names them
    /// when several do).
    pub fn promise(&self, id: &str) -> Option<&Promise> {
        if let Some(&i) = self.index.get(id) {
            return Some(&self.promises[i]);
        }
        if !self.scopes.any() {
            return None;
        }
        let own = id
            .strip_prefix(self.scopes.path.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            .filter(|_| !self.scopes.path.is_empty());
        if let Some(&i) = own.and_then(|short| self.index.get(short)) {
            return Some(&self.promises[i]);
        }
        let others = &self.scopes.others.promises;
        let other = |i: &usize| others[*i].0 != self.scopes.path;
        if let Some(i) = self.scopes.others.index.get(id).filter(|i| other(i)) {
            return Some(&others[*i].1);
        }
        let mut short = self.scopes.others.short.get(id).into_iter().flatten().filter(|i| other(i));
        match (short.next(), short.next()) {
            (Some(i), None) => Some(&others[*i].1),
            _ => None,
        }
    }

    /// Where this registry is, relative to the root: `promises.toml`, or a member's
    /// `teams/search/promises.toml`.
    pub(crate) fn file_path(&self) -> String {
        match self.scopes.path.as_str() {
            "" => FILE_NAME.to_string(),
            scope => format!("{scope}/{FILE_NAME}"),
        }
    }

    /// Whether this scope itself declares `id` (as its file writes it).
    pub(crate) fn index_has(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// The promises in play a commit changing `scopes` can name: this registry's own, then those
    /// of the other scopes among `scopes` (by qualified id), each once.
    pub(crate) fn in_play_for<'a>(&'a self, scopes: &'a [String]) -> impl Iterator<Item = &'a Promise> + 'a {
        let members = &self.scopes.members;
        let others = self.scopes.others.promises.iter().filter(|(s, _)| *s != self.scopes.path).map(|(_, p)| p);
        let others = others.filter(move |p| {
            p.status == Status::InPlay
                && !self.scopes.path.eq(Scopes::governing(members, &p.id))
                && scopes.iter().any(|s| s == Scopes::governing(members, &p.id))
        });
        self.in_play().chain(others)
    }

    /// The other scopes' promises, their ids qualified (`teams/search/find-and-buy`; a root
    /// promise's is bare), in the order the root lists the scopes: what this scope can name.
    pub(crate) fn others(&self) -> impl Iterator<Item = &Promise> {
        self.scopes.others.promises.iter().filter(|(s, _)| *s != self.scopes.path).map(|(_, p)| p)
    }

    /// The qualified ids of every scope's promise whose short id is `id`, when a short id is
    /// ambiguous (more than one scope defines it and this scope does not): what an error names.
    pub fn definitions(&self, id: &str) -> Vec<&str> {
        if self.index.contains_key(id) {
            return Vec::new();
        }
        let others = &self.scopes.others.promises;
        let Some(at) = self.scopes.others.short.get(id) else { return Vec::new() };
        let defined: Vec<&str> =
            at.iter().filter(|&&i| others[i].0 != self.scopes.path).map(|&i| others[i].1.id.as_str()).collect();
        if defined.len() > 1 {
            defined
        } else {
            Vec::new()
        }
    }

    /// This registry as a listed member at `path` (relative to the root) sees it: its document
    /// patterns and readings file under its folder (its name matched as written, glob
    /// characters and all). A pattern that does not compile there is an error, never the
    /// member's patterns left unrebased (they would select no document: a team's plans unread).
    pub(crate) fn into_member(mut self, path: &str) -> Result<Registry, Error> {
        let rebase = |p: &Patterns| -> Result<Patterns, Error> {
            p.under(path).map_err(|(i, why)| {
                let shown = p.texts().get(i).map(|t| crate::escape::line(t)).unwrap_or_default();
                Error::new(format!("pattern `{shown}` cannot be read under `{}/`: {why}", crate::escape::line(path)))
                    .with_help("name the member's folder plainly")
            })
        };
        self.plan_globs = rebase(&self.plan_globs)?;
        self.issue_globs = rebase(&self.issue_globs)?;
        self.outcomes_file = format!("{path}/{}", self.outcomes_file);
        self.scopes.path = path.to_string();
        Ok(self)
    }

    /// Take from `ancestor` (the nearest ancestor scope first, then the next) what this scope
    /// does not set: the vision, the customers, and each `[limits]` key.
    pub(crate) fn inherit(&mut self, ancestor: &Registry) {
        if self.vision.is_none() {
            self.vision.clone_from(&ancestor.vision);
        }
        if self.customers.is_empty() {
            self.customers.clone_from(&ancestor.customers);
        }
        if !self.in_play_limit_set && ancestor.in_play_limit_set {
            (self.in_play_limit, self.in_play_limit_set) = (ancestor.in_play_limit, true);
        }
        if !self.idle_days_set && ancestor.idle_days_set {
            (self.idle_days, self.idle_days_set) = (ancestor.idle_days, true);
        }
        if !self.measure_days_set && ancestor.measure_days_set {
            (self.measure_days, self.measure_days_set) = (ancestor.measure_days, true);
        }
        if self.exception_budget.is_none() {
            // The share only: the budget's label is in the ancestor's file.
            self.exception_budget = ancestor.exception_budget.as_ref().map(|(b, _)| (*b, 0..0));
        }
    }

    /// A member that declares no customers of its own serves its ancestors': each of its
    /// promises must name one of those, as a registry that declares them requires (every
    /// problem at once, each at its promise in `source`).
    pub(crate) fn check_inherited_customers(&self, source: &Source) -> Result<()> {
        let names: Vec<&str> = self.customers.iter().map(|c| c.id.as_str()).collect();
        let mut errors = Vec::new();
        for p in &self.promises {
            let at = |label: &'static str, message: String| {
                Error::new(message).at(source, Label::new(p.id_span.clone(), label))
            };
            match &p.customer {
                None => errors.push(at("no customer", format!("promise `{}` names no customer", p.id)).with_help(format!(
                    "every promise serves one customer group once any is declared (here, in an ancestor registry); add `customer = \"{}\"`",
                    names[0]
                ))),
                Some(c) if !names.contains(&c.as_str()) => {
                    let e = at("its customer is not declared", format!("promise `{}` names unknown customer `{c}`", p.id));
                    errors.push(e.with_help(match crate::suggest::closest(c, names.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`? declared customers: {}", names.join(", ")),
                        None => format!("declared customers: {}", names.join(", ")),
                    }));
                }
                Some(_) => {}
            }
        }
        Error::many(errors).map_or(Ok(()), Err)
    }

    /// Know every scope's promises ([`AllPromises`], this scope's own among them, never
    /// resolved through it) and every listed member, so references to the others resolve.
    pub(crate) fn know_scopes(&mut self, members: &[String], all: &std::sync::Arc<AllPromises>) {
        self.scopes.members = members.to_vec();
        self.scopes.others = std::sync::Arc::clone(all);
    }

    /// What differs from `before`, part by part (see [`Parts`]).
    pub(crate) fn changes(&self, before: &Registry) -> Changes {
        let mut parts = Parts::NONE;
        let mut set = |differs: bool, part: Parts| {
            if differs {
                parts = parts.or(part);
            }
            parts
        };
        let ids = |r: &Registry| r.promises.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
        let same_ids = ids(self) == ids(before);
        set(!same_ids, Parts::IDS);
        let mut statuses = Vec::new();
        if same_ids {
            for (a, b) in self.promises.iter().zip(&before.promises) {
                if a.status != b.status {
                    statuses.push(a.id.clone());
                }
                set(
                    a.title != b.title
                        || a.statement != b.statement
                        || a.customer != b.customer
                        || a.owner != b.owner
                        || a.priority != b.priority,
                    Parts::DESCRIPTIONS,
                );
                let same_hypotheses = a.hypotheses.len() == b.hypotheses.len()
                    && a.hypotheses.iter().zip(&b.hypotheses).all(|(x, y)| x.said() == y.said());
                set(
                    a.outcomes != b.outcomes || !same_hypotheses || a.verdict != b.verdict || a.reviewed != b.reviewed,
                    Parts::OUTCOMES,
                );
            }
            set(!statuses.is_empty(), Parts::STATUS);
        } else {
            // Every other part of a promise is unknown to compare: count them all changed.
            set(true, Parts::STATUS.or(Parts::DESCRIPTIONS).or(Parts::OUTCOMES));
        }
        set(
            self.in_play_limit != before.in_play_limit
                || self.idle_days != before.idle_days
                || self.measure_days != before.measure_days
                || self.exception_budget.as_ref().map(|b| b.0) != before.exception_budget.as_ref().map(|b| b.0),
            Parts::LIMITS,
        );
        set(
            self.since.as_ref().map(|s| s.get_ref()) != before.since.as_ref().map(|s| s.get_ref())
                || self.exempt_subjects != before.exempt_subjects
                || self.branch_trailer != before.branch_trailer
                || self.body_traces_commits != before.body_traces_commits
                || self.outcomes_file != before.outcomes_file,
            Parts::COMMITS,
        );
        set(self.plan_globs != before.plan_globs || self.issue_globs != before.issue_globs, Parts::PATTERNS);
        let sorted = |r: &Registry| {
            let mut l = r.levels.clone();
            l.sort();
            l
        };
        set(sorted(self) != sorted(before), Parts::LEVELS);
        let customers =
            |r: &Registry| r.customers.iter().map(|c| (c.id.clone(), c.description.clone())).collect::<Vec<_>>();
        let parts = set(
            self.name != before.name || self.vision != before.vision || customers(self) != customers(before),
            Parts::OTHER,
        );
        Changes { parts, statuses }
    }

    /// The one promise in play that `branch` names as a whole word (`find-and-buy/paypal`,
    /// `feat/find-and-buy-paypal`, not `refind-and-buyer`); `None` when none or several do.
    pub fn promise_of_branch(&self, branch: &str) -> Option<&Promise> {
        let names = |id: &str| {
            let b = branch.as_bytes();
            branch.match_indices(id).any(|(i, _)| {
                let before = i == 0 || !b[i - 1].is_ascii_alphanumeric();
                let end = i + id.len();
                before && (end == b.len() || !b[end].is_ascii_alphanumeric())
            })
        };
        let mut named = self.in_play().filter(|p| names(&p.id));
        let first = named.next()?;
        named.next().is_none().then_some(first)
    }

    /// Whether `path` is a plan document or an issue file (the registry's patterns select it).
    pub fn is_document(&self, path: &str) -> bool {
        (self.plan_globs.is_match(path) || self.issue_globs.is_match(path))
            && (!self.scopes.any() || Scopes::governing(&self.scopes.members, path) == self.scopes.path)
    }

    /// Whether a plan document or issue file can lie under `dir` (relative, `/`-separated).
    pub fn may_hold_documents(&self, dir: &str) -> bool {
        self.plan_globs.may_match_under(dir) || self.issue_globs.may_match_under(dir)
    }

    /// The promises in play, in declaration order.
    pub fn in_play(&self) -> impl Iterator<Item = &Promise> {
        self.promises.iter().filter(|p| p.status == Status::InPlay)
    }

    /// Parse and validate the registry text; every problem is reported, each at its position.
    pub fn parse(source: &Source) -> Result<Registry> {
        let (raw, mut errors) = deserialize_all(source)?;
        match Registry::from_raw(raw, source) {
            // Checks past types run on what deserialized; with type errors they add to them.
            Err(mut e) => {
                let related = std::mem::take(&mut e.related);
                errors.push(e);
                errors.extend(related);
            }
            Ok(registry) if errors.is_empty() => return Ok(registry),
            Ok(_) => {}
        }
        // In file order, as the user fixes them.
        errors.sort_by_key(|e| e.snippet.as_ref().map_or(0, |s| s.1.span.start));
        Err(Error::many(errors).expect("an error"))
    }

    fn from_raw(raw: RawRegistry, source: &Source) -> Result<Registry> {
        let mut errors = Vec::new();
        let at = |span: Range<usize>, label: &'static str, message: String| {
            Error::new(message).at(source, Label::new(span, label))
        };

        let customers: Vec<Customer> = raw
            .customers
            .into_iter()
            .map(|(id, c)| {
                if !is_slug(id.get_ref()) {
                    errors.push(slug_error(source, &id, "customer"));
                }
                Customer { id: id.into_inner(), description: c.description }
            })
            .collect();

        let mut promises: Vec<(Spanned<String>, RawPromise)> = raw.promises.into_iter().collect();
        promises.sort_by_key(|(id, _)| id.span().start);
        let mut out_promises = Vec::with_capacity(promises.len());
        for (id, p) in promises {
            if !is_slug(id.get_ref()) {
                errors.push(slug_error(source, &id, "promise"));
            }
            if p.statement.get_ref().trim().is_empty() {
                errors.push(
                    at(
                        p.statement.span(),
                        "empty statement",
                        format!("promise `{}` has an empty statement", id.get_ref()),
                    )
                    .with_help("state the end-user outcome, e.g. \"A shopper can find and buy a product we stock.\""),
                );
            }
            match &p.customer {
                Some(c) if !customers.is_empty() && !customers.iter().any(|k| &k.id == c.get_ref()) => {
                    let names: Vec<&str> = customers.iter().map(|k| k.id.as_str()).collect();
                    let mut e = at(c.span(), "not a declared customer", format!("unknown customer `{}`", c.get_ref()));
                    e = e.with_help(match crate::suggest::closest(c.get_ref(), names.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`? declared customers: {}", names.join(", ")),
                        None => format!("declared customers: {}", names.join(", ")),
                    });
                    errors.push(e);
                }
                None if !customers.is_empty() => errors.push(
                    at(id.span(), "no customer", format!("promise `{}` names no customer", id.get_ref())).with_help(
                        format!(
                            "every promise serves one customer group once any is declared; add `customer = \"{}\"`",
                            customers[0].id
                        ),
                    ),
                ),
                _ => {}
            }
            let owner = match p.owner {
                Some(o) if o.get_ref().trim().is_empty() => {
                    errors.push(
                        at(o.span(), "empty owner", format!("promise `{}` has an empty owner", id.get_ref()))
                            .with_help(
                                "name a person or a team handle, e.g. `owner = \"@search-team\"`, or leave the key out",
                            ),
                    );
                    None
                }
                o => o.map(|o| o.into_inner().trim().to_string()),
            };
            let outcomes_span = p.outcomes.as_ref().map_or(id.span(), Spanned::span);
            let mut hypotheses = Vec::new();
            for h in p.hypotheses.unwrap_or_default() {
                let span = h.span();
                let h = h.into_inner();
                let by = match date_of(source, &h.by, "`by`") {
                    Ok(d) => d,
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                };
                let expect_span = h.expect.span();
                hypotheses.push(Hypothesis {
                    metric_span: h.metric.span(),
                    metric: h.metric.into_inner(),
                    expect: h.expect.into_inner().into_string(),
                    expect_span,
                    by,
                    belief: h.belief,
                    span,
                });
            }
            let verdict = match p.verdict.map(Spanned::into_inner) {
                None => None,
                Some(v) => {
                    if v.reason.get_ref().trim().is_empty() {
                        errors.push(
                            at(
                                v.reason.span(),
                                "empty reason",
                                format!("the verdict on `{}` gives no reason", id.get_ref()),
                            )
                            .with_help("say what showed it, e.g. \"conversion held at 12% for a quarter\""),
                        );
                    }
                    match date_of(source, &v.date, "the verdict's `date`") {
                        Ok(date) => Some(Verdict { kept: v.kept, reason: v.reason.into_inner(), date }),
                        Err(e) => {
                            errors.push(e);
                            None
                        }
                    }
                }
            };
            out_promises.push(Promise {
                id_span: id.span(),
                status_span: p.status.span(),
                outcomes_span,
                id: id.into_inner(),
                title: p.title,
                statement: p.statement.into_inner(),
                customer: p.customer.map(Spanned::into_inner),
                owner,
                status: p.status.into_inner(),
                priority: p.priority,
                outcomes: p
                    .outcomes
                    .map(Spanned::into_inner)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|o| Outcome {
                        metric: o.metric,
                        baseline: o.baseline.map(Scalar::into_string),
                        target: o.target.map(Scalar::into_string),
                    })
                    .collect(),
                hypotheses,
                verdict,
                reviewed: p.reviewed.map(|r| r.trim().to_string()),
            });
        }

        let mut in_play_limit = DEFAULT_IN_PLAY_LIMIT;
        let mut in_play_limit_span = None;
        if let Some(limit) = raw.limits.in_play {
            match usize::try_from(*limit.get_ref()) {
                Ok(n) if n >= 1 => in_play_limit = n,
                _ => errors.push(
                    at(limit.span(), "must be 1 or more", "`[limits] in-play` must be a positive number".into())
                        .with_help("a WIP limit of a few promises (2 to 4) keeps work finishing"),
                ),
            }
            in_play_limit_span = Some(limit.span());
        }

        let (idle_days_set, measure_days_set) = (raw.limits.idle_days.is_some(), raw.limits.measure_days.is_some());
        let mut measure_days = DEFAULT_MEASURE_DAYS;
        if let Some(days) = raw.limits.measure_days {
            match u32::try_from(*days.get_ref()) {
                Ok(n) if n >= 1 => measure_days = n,
                _ => errors.push(at(
                    days.span(),
                    "not a positive number",
                    "`[limits] measure-days` must be a positive number of days".to_string(),
                )),
            }
        }
        let outcomes_file = match raw.outcomes.file {
            Some(f)
                if f.get_ref().is_empty()
                    || f.get_ref().starts_with('/')
                    || f.get_ref().split('/').any(|s| s == "..") =>
            {
                errors.push(at(
                    f.span(),
                    "outside the repository",
                    "`[outcomes] file` is a path relative to the repository root, inside it".to_string(),
                ));
                DEFAULT_OUTCOMES_FILE.to_string()
            }
            Some(f) => f.into_inner(),
            None => DEFAULT_OUTCOMES_FILE.to_string(),
        };
        let mut idle_days = DEFAULT_IDLE_DAYS;
        if let Some(days) = raw.limits.idle_days {
            match u32::try_from(*days.get_ref()) {
                Ok(n) if n >= 1 => idle_days = n,
                _ => errors.push(at(
                    days.span(),
                    "must be 1 or more",
                    "`[limits] idle-days` must be a positive number of days".into(),
                )),
            }
        }
        let exception_budget = match raw.limits.exception_budget {
            None => None,
            Some(b) => {
                let span = b.span();
                match parse_share(b.into_inner()) {
                    Some(share) => Some((share, span)),
                    None => {
                        errors.push(
                            at(span, "not a share", "`[limits] exception-budget` must be a share of the work".into())
                                .with_help("write a percentage, e.g. \"10%\", or a fraction between 0 and 1, e.g. 0.1"),
                        );
                        None
                    }
                }
            }
        };

        // The release tools' commits first (unless turned off), then the team's own patterns.
        let mut exempt_subjects =
            ExemptSubjects { releases: raw.commits.exempt_releases.unwrap_or(true), ..ExemptSubjects::default() };
        for pattern in raw.commits.exempt_subjects {
            match Regex::new(pattern.get_ref()) {
                Ok(re) => exempt_subjects.own.push(re),
                Err(e) => errors.push(at(
                    pattern.span(),
                    "not a valid regex",
                    format!("invalid regex in `[commits] exempt-subjects`: {}", one_line(&e.to_string())),
                )),
            }
        }

        let mut globs = |table: &str, globs: Vec<Spanned<String>>| -> Patterns {
            let texts: Vec<&str> = globs.iter().map(|g| g.get_ref().as_str()).collect();
            match Patterns::new(&texts) {
                Ok(p) => p.with_spans(globs.iter().map(|g| g.span()).collect()),
                Err((i, why)) => {
                    let span = globs.get(i).map_or(0..0, |g| g.span());
                    let shown =
                        globs.get(i).map_or(String::new(), |g| format!(" `{}`", crate::escape::line(g.get_ref())));
                    errors.push(at(
                        span,
                        "invalid pattern",
                        format!("invalid pattern{shown} in `[{table}] include`: {why}"),
                    ));
                    Patterns::default()
                }
            }
        };
        let plan_globs = match raw.plans.include {
            Some(g) => globs("plans", g),
            None => Patterns::new(DEFAULT_PLAN_GLOBS).expect("the default patterns are valid"),
        };
        let issue_globs = globs("issues", raw.issues.include.unwrap_or_default());

        let mut levels = Vec::new();
        for (code, level) in raw.rules {
            match Code::resolve(code.get_ref()) {
                Some(codes) => {
                    let all = [Level::Allow, Level::Warn, Level::Deny];
                    match all.into_iter().find(|l| level.get_ref().as_str() == Some(l.as_str())) {
                        Some(l) => levels.extend(codes.into_iter().map(|c| (c, l))),
                        None => {
                            let written = level
                                .get_ref()
                                .as_str()
                                .map_or_else(|| source.text[level.span()].to_string(), str::to_string);
                            let guess = crate::suggest::closest(&written, all.iter().map(|l| l.as_str()));
                            let help = match guess {
                                Some(g) => format!("did you mean `{g}`? allowed: allow, warn, deny"),
                                None => "allowed: allow, warn, deny".to_string(),
                            };
                            errors.push(
                                at(level.span(), "not an allowed value", format!("`{written}` is not a rule level"))
                                    .with_help(help),
                            );
                        }
                    }
                }
                None => {
                    let mut e =
                        at(code.span(), "no such rule", format!("unknown rule `{}` in `[rules]`", code.get_ref()));
                    if let Some(table) = table_of(code.get_ref()) {
                        e = e.with_help(format!("`{}` is a key of {table}, not a rule", code.get_ref()));
                    } else if let Some(s) = crate::suggest::closest(code.get_ref(), Code::ALL.iter().map(|c| c.name()))
                    {
                        e = e.with_help(format!("did you mean `{s}`? `plan-lint rules` lists every rule"));
                    } else {
                        e = e.with_help("`plan-lint rules` lists every rule");
                    }
                    errors.push(e);
                }
            }
        }

        let scopes = members(raw.scopes, source, &mut errors);

        if let Some(e) = Error::many(errors) {
            return Err(e);
        }
        let index = out_promises.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect();
        Ok(Registry {
            index,
            name: raw.name,
            vision: raw.vision,
            in_play_limit,
            in_play_limit_span: in_play_limit_span.clone(),
            customers,
            promises: out_promises,
            since: raw.commits.since,
            exempt_subjects,
            plan_globs,
            levels,
            branch_trailer: raw.hooks.branch_trailer.unwrap_or(true),
            issue_globs,
            body_traces_commits: raw.pull_requests.body_traces_commits.unwrap_or(false),
            idle_days,
            measure_days,
            outcomes_file,
            exception_budget,
            idle_days_set,
            measure_days_set,
            in_play_limit_set: in_play_limit_span.is_some(),
            scopes,
        })
    }
}

/// Promise and customer ids: lowercase kebab-case slugs, so they survive trailers, branch names
/// and URLs unchanged.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// The slug a user probably meant: `Find_And Buy` -> `find-and-buy`.
pub fn to_slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// `--scope` names a folder that is not a listed member.
pub(crate) fn unknown_scope(scope: &str, members: &[String]) -> Error {
    let shown = crate::escape::line(scope);
    let e = Error::new(format!("`{shown}` is not a scope: `[scopes] members` in promises.toml does not list it"));
    match crate::suggest::closest(scope, members.iter().map(String::as_str)) {
        Some(s) => e.with_help(format!("did you mean `{s}`? scopes: {}", members.join(", "))),
        None if members.is_empty() => {
            e.with_help("this repository has one registry; list scopes in `[scopes] members`")
        }
        None => e.with_help(format!("scopes: {}", members.join(", "))),
    }
}

/// A listed member has no registry: it cannot be judged, and a commit naming its promises
/// could not be told from a typo; an error (exit 2), as a missing root registry is.
pub(crate) fn missing_member(member: &str) -> Error {
    let shown = crate::escape::line(member);
    Error::new(format!("`{shown}` is listed in `[scopes] members` but has no {FILE_NAME}")).with_help(format!(
        "create {shown}/{FILE_NAME} (`plan-lint init` in that folder scaffolds one), or take `{shown}` out of `[scopes] members`"
    ))
}

/// The root's `[scopes] members`, validated: folders relative to the root, inside it, each
/// listed once, written plainly (`teams/search`, not `./teams/search/`).
fn members(raw: Option<Spanned<RawScopes>>, source: &Source, errors: &mut Vec<Error>) -> Scopes {
    let mut scopes = Scopes::default();
    let raw = raw.map(Spanned::into_inner).unwrap_or_default();
    let texts: Vec<&str> = raw.ignore.iter().map(|g| g.get_ref().as_str()).collect();
    match Patterns::new(&texts) {
        Ok(p) => scopes.ignore = p.with_spans(raw.ignore.iter().map(|g| g.span()).collect()),
        Err((i, why)) => {
            let (span, shown) = raw
                .ignore
                .get(i)
                .map_or((0..0, String::new()), |g| (g.span(), format!(" `{}`", crate::escape::line(g.get_ref()))));
            errors.push(
                Error::new(format!("invalid pattern{shown} in `[scopes] ignore`: {why}"))
                    .at(source, Label::new(span, "invalid pattern")),
            );
        }
    }
    for m in raw.members {
        let path = m.get_ref();
        let plain = !path.is_empty()
            && !path.starts_with('/')
            && !path.contains('\\')
            && path.split('/').all(|s| !s.is_empty() && s != "." && s != ".." && !s.eq_ignore_ascii_case(".git"));
        let why = if !plain {
            Some(format!(
                "`[scopes] members` are folders relative to the repository root, written plainly: `{}` is not",
                crate::escape::line(path)
            ))
        } else if scopes.members.contains(path) {
            Some(format!("`{path}` is listed twice in `[scopes] members`"))
        } else {
            None
        };
        match why {
            Some(message) => errors.push(
                Error::new(message)
                    .at(source, Label::new(m.span(), "not a member folder"))
                    .with_help("write each member once, as a folder path such as \"teams/search\""),
            ),
            None => {
                scopes.member_spans.push(m.span());
                scopes.members.push(m.into_inner());
            }
        }
    }
    scopes
}

fn slug_error(source: &Source, id: &Spanned<String>, what: &str) -> Error {
    let suggestion = to_slug(id.get_ref());
    let mut e = Error::new(format!("{what} id `{}` is not a lowercase kebab-case slug", id.get_ref()))
        .at(source, Label::new(id.span(), "not a slug"));
    if !suggestion.is_empty() {
        e = e.with_help(format!("write it as `{suggestion}`: lowercase letters, digits and single hyphens"));
    }
    e
}

/// A date written as text (`"2027-03-01"`) or as a TOML date (`2027-03-01`); `what` names the
/// key in the error.
fn date_of(source: &Source, value: &Spanned<toml::Value>, what: &str) -> Result<jiff::civil::Date> {
    let parsed = match value.get_ref() {
        toml::Value::String(s) => s.trim().parse::<jiff::civil::Date>().ok(),
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.date.and_then(|d| {
            jiff::civil::Date::new(i16::try_from(d.year).ok()?, i8::try_from(d.month).ok()?, i8::try_from(d.day).ok()?)
                .ok()
        }),
        _ => None,
    };
    parsed.ok_or_else(|| {
        Error::new(format!("{what} must be a date (YYYY-MM-DD)"))
            .at(source, Label::new(value.span(), "not a date"))
            .with_help("write the day, e.g. \"2027-03-01\"")
    })
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Deserialize the raw model, collecting every type error instead of stopping at the first: toml's
/// deserializer stops at one, so each failing entry is taken out of the parsed document and the
/// rest tried again, until the remainder deserializes. Syntax errors come first, all of them, and
/// end the pass (the document's shape is unknown past them).
fn deserialize_all(source: &Source) -> Result<(RawRegistry, Vec<Error>)> {
    use toml::de::{DeTable, DeValue};
    let (table, syntax) = DeTable::parse_recoverable(&source.text);
    if let Some(e) = Error::many(syntax.iter().map(|e| toml_error(source, e)).collect()) {
        return Err(e);
    }
    /// The entry to take out for an error at `at`: the deepest table entry whose key is `at` or
    /// whose value holds it (a table's span may be its header only, so every table is searched),
    /// with the span of the table holding it. `None` when the error is about the whole document.
    type Entry = (Range<usize>, String, Range<usize>);
    fn innermost(table: &DeTable<'_>, holder: Range<usize>, at: &Range<usize>) -> Option<Entry> {
        let mut best = None;
        for (key, value) in table.iter() {
            let nested = match value.get_ref() {
                DeValue::Table(t) => innermost(t, value.span(), at),
                DeValue::Array(items) => items.iter().find_map(|item| match item.get_ref() {
                    DeValue::Table(t) => innermost(t, item.span(), at),
                    _ => None,
                }),
                _ => None,
            };
            if nested.is_some() {
                return nested;
            }
            let span = value.span();
            if key.span() == *at || (span.start <= at.start && at.end <= span.end && span.end > span.start) {
                best = Some((key.span(), key.get_ref().to_string(), holder.clone()));
            }
        }
        best
    }
    /// Take out the entry whose key is at `key_span`; true when found.
    fn take_out(table: &mut DeTable<'_>, key_span: &Range<usize>) -> bool {
        if let Some(key) = table.keys().find(|k| k.span() == *key_span).cloned() {
            return table.remove(&key).is_some();
        }
        for (_, value) in table.iter_mut() {
            let hit = match value.get_mut() {
                DeValue::Table(t) => take_out(t, key_span),
                DeValue::Array(items) => items.iter_mut().any(|item| match item.get_mut() {
                    DeValue::Table(t) => take_out(t, key_span),
                    _ => false,
                }),
                _ => false,
            };
            if hit {
                return true;
            }
        }
        false
    }
    let span = table.span();
    let mut doc = table.into_inner();
    let mut errors = Vec::new();
    // Keys taken out, by name and the span of the table that held them: a later "missing" for one
    // of them is the same problem again.
    let mut taken: Vec<(String, Range<usize>)> = Vec::new();
    // Each round takes one entry out, so this ends; the bound keeps a crafted file's cost linear
    // in what is reported.
    for _ in 0..200 {
        let de = toml::de::Deserializer::from(toml::Spanned::new(span.clone(), doc.clone()));
        let err = match RawRegistry::deserialize(de) {
            Ok(raw) => return Ok((raw, errors)),
            Err(err) => err,
        };
        let Some(at) = err.span() else { break };
        let Some((key_span, key, holder)) = innermost(&doc, span.clone(), &at) else { break };
        // "`statement` is missing" after `statment` was taken out of the same table is the same
        // problem again, as is a required key taken out for its value.
        let missing = err.message().strip_prefix("missing field ").map(|m| m.trim_matches('`'));
        let repeated = missing.is_some_and(|missing| {
            taken.iter().any(|(name, table)| {
                *table == at && (name == missing || crate::suggest::closest(name, [missing]).is_some())
            })
        });
        if !repeated {
            errors.push(toml_error(source, &err));
        }
        taken.push((key, holder));
        if !take_out(&mut doc, &key_span) {
            break;
        }
    }
    Err(Error::many(errors).unwrap_or_else(|| Error::new(format!("invalid {}", source.name()))))
}

/// A TOML syntax or type error, at the position toml reports.
fn toml_error(source: &Source, err: &toml::de::Error) -> Error {
    let raw = one_line(err.message());
    let (message, help) = plain_words(&raw);
    let mut e = Error::new(format!("invalid {}: {message}", source.name()));
    if let Some(span) = err.span() {
        e = e.at(source, Label::new(span, label_for(&raw)));
    }
    match help {
        Some(h) => e.with_help(h),
        None if raw.contains("unknown field") => e.with_help("see the registry reference in the README for every key"),
        None => e,
    }
}

/// Every key of every table, for "did you mean" and "this key belongs in another table".
const KEYS: &[(&str, &[&str])] = &[
    (
        "the top level",
        &[
            "name",
            "vision",
            "limits",
            "customers",
            "promises",
            "commits",
            "plans",
            "issues",
            "rules",
            "hooks",
            "pull-requests",
            "outcomes",
            "scopes",
        ],
    ),
    ("[limits]", &["in-play", "idle-days", "exception-budget", "measure-days"]),
    ("[outcomes]", &["file"]),
    ("[commits]", &["since", "exempt-subjects", "exempt-releases"]),
    ("[plans]", &["include"]),
    ("[issues]", &["include"]),
    ("[hooks]", &["branch-trailer"]),
    ("[pull-requests]", &["body-traces-commits"]),
    ("[scopes]", &["members", "ignore"]),
    (
        "a promise",
        &[
            "title",
            "statement",
            "customer",
            "owner",
            "status",
            "priority",
            "outcomes",
            "hypotheses",
            "verdict",
            "reviewed",
        ],
    ),
    ("a customer", &["description"]),
    ("an outcome", &["metric", "baseline", "target"]),
    ("a hypothesis", &["metric", "expect", "by", "belief"]),
    ("a verdict", &["kept", "reason", "date"]),
];

/// The subjects that need no trailer. The release tools' patterns are compiled only for a
/// subject that could be a release commit, not when the registry is read: their Unicode classes
/// cost more to compile than the commit hooks spend on everything else, and most subjects
/// cannot match them.
#[derive(Clone, Debug, Default)]
pub(crate) struct ExemptSubjects {
    /// [`RELEASE_SUBJECTS`] first (`[commits] exempt-releases`, on unless turned off).
    releases: bool,
    /// `[commits] exempt-subjects`, compiled when read (an invalid one is an error there).
    own: Vec<Regex>,
    all: std::sync::OnceLock<Vec<Regex>>,
}

impl ExemptSubjects {
    /// Every pattern, in order: the release tools', then the team's own.
    pub(crate) fn all(&self) -> &[Regex] {
        self.all.get_or_init(|| {
            let mut all = if self.releases { release_subjects() } else { Vec::new() };
            all.extend(self.own.iter().cloned());
            all
        })
    }

    /// The patterns that can match `subject` ([`crate::scan::commit::subject`]), in order:
    /// [`ExemptSubjects::all`] when it could be a release tool's, else the team's own.
    pub(crate) fn for_subject(&self, subject: &str) -> &[Regex] {
        if self.releases && could_be_release(subject) {
            self.all()
        } else {
            &self.own
        }
    }
}

/// Whether `subject` starts as one of [`RELEASE_SUBJECTS`] can (each is anchored at the start):
/// a version (`v` or a digit, Unicode's included), or one of their literal beginnings.
fn could_be_release(subject: &str) -> bool {
    subject.starts_with('v')
        || subject.chars().next().is_some_and(char::is_numeric)
        || ["chore", "Version Packages", "RELEASING: ", "(cargo-release) "].iter().any(|p| subject.starts_with(p))
}

impl PartialEq for ExemptSubjects {
    fn eq(&self, other: &ExemptSubjects) -> bool {
        self.releases == other.releases && self.own.iter().map(Regex::as_str).eq(other.own.iter().map(Regex::as_str))
    }
}

/// [`RELEASE_SUBJECTS`], compiled once.
fn release_subjects() -> Vec<Regex> {
    static COMPILED: std::sync::OnceLock<Vec<Regex>> = std::sync::OnceLock::new();
    COMPILED
        .get_or_init(|| {
            RELEASE_SUBJECTS.iter().map(|(_, re, _)| Regex::new(re).expect("the release patterns are valid")).collect()
        })
        .clone()
}

/// The table a key belongs to, when it belongs to exactly one.
pub(crate) fn table_of(key: &str) -> Option<&'static str> {
    let mut tables = KEYS.iter().filter(|(_, keys)| keys.contains(&key)).map(|(t, _)| *t);
    let first = tables.next()?;
    tables.next().is_none().then_some(first)
}

/// serde's messages in the words of someone editing promises.toml, with help: "did you mean",
/// the key's right table, the allowed values.
fn plain_words(raw: &str) -> (String, Option<String>) {
    let ticked = |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_string).collect() };
    if let Some(rest) = raw.strip_prefix("unknown field ") {
        let names = ticked(rest);
        let (Some(key), expected) = (names.first(), &names[1.min(names.len())..]) else {
            return (raw.to_string(), None);
        };
        let message = format!("unknown key `{key}`");
        let guess = crate::suggest::closest(key, expected.iter().map(String::as_str));
        let help = match (guess, table_of(key)) {
            (Some(g), _) => format!("did you mean `{g}`? the keys here are: {}", expected.join(", ")),
            (None, Some(table)) => format!("`{key}` is a key of {table}, not of this table"),
            (None, None) => format!("the keys here are: {}", expected.join(", ")),
        };
        return (message, Some(help));
    }
    if let Some(rest) = raw.strip_prefix("unknown variant ") {
        let names = ticked(rest);
        let (Some(value), allowed) = (names.first(), &names[1.min(names.len())..]) else {
            return (raw.to_string(), None);
        };
        let guess = crate::suggest::closest(value, allowed.iter().map(String::as_str));
        let message = format!("`{value}` is not an allowed value");
        let help = match guess {
            Some(g) => format!("did you mean `{g}`? allowed: {}", allowed.join(", ")),
            None => format!("allowed: {}", allowed.join(", ")),
        };
        return (message, Some(help));
    }
    if let Some(rest) = raw.strip_prefix("missing field ") {
        let names = ticked(rest);
        if let Some(key) = names.first() {
            return (format!("`{key}` is missing"), Some(format!("add `{key} = …` to this table")));
        }
    }
    if let Some(rest) = raw.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            let what = |t: &str| -> String {
                let t = t.trim();
                let words = if ["i64", "u64", "u32", "usize", "i32", "u8", "integer"].iter().any(|n| t.contains(n)) {
                    "a whole number"
                } else if t.contains("sequence") {
                    "a list (`[\"a\", \"b\"]`)"
                } else if t.contains("boolean") {
                    "`true` or `false`"
                } else if t.contains("string") {
                    "text in quotes"
                } else if t.contains("map") || t.contains("struct") || t.contains("table") {
                    "a table"
                } else if t.contains("float") || t.contains("f64") {
                    "a number"
                } else {
                    return t.to_string();
                };
                words.to_string()
            };
            let found = found.split_whitespace().next().unwrap_or(found);
            let found = if found.contains("string") { "text".to_string() } else { what(found) };
            return (format!("expected {}, found {found}", what(expected)), None);
        }
    }
    (raw.to_string(), None)
}

fn label_for(message: &str) -> &'static str {
    if message.contains("unknown field") {
        "unknown key"
    } else if message.contains("missing field") {
        "in this table"
    } else if message.contains("unknown variant") {
        "not an allowed value"
    } else if message.contains("invalid type") {
        "wrong type"
    } else {
        "here"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Registry> {
        Registry::parse(&Source::file("promises.toml", text))
    }

    #[test]
    fn branch_names_name_a_promise_as_a_whole_word() {
        let r = parse("[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\n[promises.track]\nstatement = \"s\"\nstatus = \"in-play\"\n").unwrap();
        let of = |b: &str| r.promise_of_branch(b).map(|p| p.id.as_str());
        assert_eq!(of("find-and-buy/paypal"), Some("find-and-buy"));
        assert_eq!(of("feat/find-and-buy-paypal"), Some("find-and-buy"));
        assert_eq!(of("find-and-buy"), Some("find-and-buy"));
        assert_eq!(of("refind-and-buyer"), None);
        assert_eq!(of("main"), None);
        assert_eq!(of("find-and-buy/track"), None, "two promises: no guess");
    }

    #[test]
    fn release_patterns_are_compiled_only_for_a_subject_that_could_be_a_release() {
        let r = parse("[commits]\nexempt-subjects = [\"^deps:\"]\n").unwrap();
        let compiled = |r: &Registry| r.exempt_subjects.all.get().is_some();
        assert!(!compiled(&r), "reading the registry compiles no release pattern");
        let own: Vec<&str> = r.exempt_subjects.for_subject("Add search").iter().map(Regex::as_str).collect();
        assert_eq!(own, ["^deps:"]);
        assert!(!compiled(&r), "a subject no release pattern can match compiles none");
        for (_, pattern, example) in RELEASE_SUBJECTS {
            let patterns = r.exempt_subjects.for_subject(example);
            assert!(patterns.iter().any(|re| re.as_str() == *pattern && re.is_match(example)), "{example}");
        }
        assert!(compiled(&r));
        assert_eq!(r.exempt_subjects.for_subject("٣.1.0").len(), RELEASE_SUBJECTS.len() + 1, "a Unicode digit");
    }

    #[test]
    fn release_commits_are_exempt_unless_turned_off_and_exempt_subjects_extend_the_list() {
        let exempt = |r: &Registry, subject: &str| {
            let all = r.exempt_subjects.all().iter().any(|re| re.is_match(subject));
            let filtered = r.exempt_subjects.for_subject(subject).iter().any(|re| re.is_match(subject));
            assert_eq!(all, filtered, "{subject}: the release prefilter must not change the answer");
            all
        };
        let r = parse("[commits]\nexempt-subjects = [\"^deps:\"]\n").unwrap();
        let releases = [
            "2.0.3",
            "v2.0.3",
            "2.0.4-0",
            "1.0.0-rc.1+build.5",
            "chore(release): 2.0.3 [skip ci]",
            "chore(release): publish",
            "Version Packages",
            "Version Packages (beta)",
            "Version Packages (#41)",
            "RELEASING: Releasing 2 package(s)",
            "chore(main): release 2.0.3",
            "chore(main): release my-lib 2.0.3 (#88)",
            "chore: release main",
            "chore: Release my-crate version 2.0.3",
            "chore: Release",
            "(cargo-release) version 2.0.3",
        ];
        for subject in releases.iter().chain(RELEASE_SUBJECTS.iter().map(|(_, _, example)| example)) {
            assert!(exempt(&r, subject), "{subject}");
        }
        assert!(exempt(&r, "deps: bump serde"), "the team's own pattern extends the list");
        for work in ["Add search", "2.0.3 broke checkout: fix it", "Bump to 2.0.3 and fix search", "chore: tidy"] {
            assert!(!exempt(&r, work), "{work}");
        }
        // `exempt-releases = false`: the team's patterns replace the list.
        let own = parse("[commits]\nexempt-releases = false\nexempt-subjects = [\"^deps:\"]\n").unwrap();
        assert!(releases.iter().all(|s| !exempt(&own, s)));
        assert!(exempt(&own, "deps: bump serde"));
        assert!(own.changes(&r).parts.intersects(Parts::COMMITS), "turning the list off re-judges commits");
    }

    #[test]
    fn slugs() {
        assert!(is_slug("find-and-buy"));
        assert!(is_slug("a1"));
        for bad in ["", "Find", "a--b", "-a", "a-", "a_b", "á"] {
            assert!(!is_slug(bad), "{bad}");
        }
        assert_eq!(to_slug("Find_And Buy"), "find-and-buy");
    }

    #[test]
    fn a_full_registry_keeps_declaration_order() {
        let r = parse(
            r#"
vision = "v"
[limits]
in-play = 2
[customers.shopper]
description = "d"
[promises.zeta]
statement = "z"
customer = "shopper"
status = "in-play"
outcomes = [{ metric = "m", baseline = "1%", target = 2 }]
[promises.alpha]
statement = "a"
customer = "shopper"
status = "done"
priority = "could"
[rules]
no-outcome = "deny"
"#,
        )
        .unwrap();
        assert_eq!(r.promises.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["zeta", "alpha"]);
        assert_eq!(r.in_play_limit, 2);
        assert_eq!(r.promises[0].outcomes[0].target.as_deref(), Some("2"));
        assert!(r.promises[0].outcomes[0].is_measurable());
        assert_eq!(r.levels, vec![(Code::NoOutcome, Level::Deny)]);
    }

    #[test]
    fn hypotheses_and_verdicts_with_dates_as_text_or_toml() {
        let text = "[promises.checkout-v2]\nstatement = \"s\"\nstatus = \"done\"\n\
                    outcomes = [{ metric = \"completion\", baseline = \"61%\", target = \"75%\" }]\n\
                    verdict = { kept = false, reason = \"stalled at 66%\", date = 2027-04-01 }\n\
                    [[promises.checkout-v2.hypotheses]]\nmetric = \"completion\"\nexpect = \"70%\"\nby = \"2027-03-01\"\n\
                    belief = \"one-step payment\"\n[[promises.checkout-v2.hypotheses]]\nmetric = \"completion\"\n\
                    expect = 72\nby = 2027-06-01\n";
        let r = parse(text).unwrap();
        let p = &r.promises[0];
        let day = |d: &str| d.parse::<jiff::civil::Date>().unwrap();
        assert_eq!(p.hypotheses.len(), 2);
        assert_eq!((p.hypotheses[0].expect.as_str(), p.hypotheses[0].by), ("70%", day("2027-03-01")));
        assert_eq!(p.hypotheses[0].belief.as_deref(), Some("one-step payment"));
        assert_eq!(&text[p.hypotheses[0].metric_span.clone()], "\"completion\"");
        assert_eq!((p.hypotheses[1].expect.as_str(), p.hypotheses[1].by), ("72", day("2027-06-01")));
        assert_eq!(p.verdict, Some(Verdict { kept: false, reason: "stalled at 66%".into(), date: day("2027-04-01") }));
        // A changed hypothesis or verdict is a change of the outcomes part.
        let later = parse(&text.replace("2027-06-01", "2027-07-01")).unwrap();
        assert_eq!(later.changes(&r).parts, Parts::OUTCOMES);
        let judged = parse(&text.replace("kept = false", "kept = true")).unwrap();
        assert_eq!(judged.changes(&r).parts, Parts::OUTCOMES);
        // Not a date, an empty reason, an unknown key: each at its place.
        let bad = text.replace("by = \"2027-03-01\"", "by = \"March\"").replace("stalled at 66%", " ");
        let err = parse(&bad).unwrap_err();
        let all: Vec<&Error> = std::iter::once(&err).chain(err.related.iter()).collect();
        let messages: Vec<&str> = all.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, ["the verdict on `checkout-v2` gives no reason", "`by` must be a date (YYYY-MM-DD)"]);
        let err = parse(&text.replace("belief", "beleif")).unwrap_err();
        assert!(err.help.as_deref().unwrap().starts_with("did you mean `belief`?"), "{err:?}");
    }

    /// Issue 31: an owner per promise, a person or a team handle; empty or not text is an error
    /// at its value, and a changed owner is a change of the descriptions part.
    #[test]
    fn an_owner_is_text_at_its_place() {
        let text = "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\nowner = \" @search-team \"\n[promises.b]\nstatement = \"t\"\nstatus = \"proposed\"\n";
        let r = parse(text).unwrap();
        let owners: Vec<Option<&str>> = r.promises.iter().map(|p| p.owner.as_deref()).collect();
        assert_eq!(owners, [Some("@search-team"), None]);
        let renamed = parse(&text.replace("@search-team", "Ana Ruiz")).unwrap();
        assert_eq!(renamed.promises[0].owner.as_deref(), Some("Ana Ruiz"));
        assert_eq!(renamed.changes(&r).parts, Parts::DESCRIPTIONS);
        assert_eq!(renamed.promises[0].fingerprint(), r.promises[0].fingerprint(), "not part of the contract");
        for (bad, message, at) in [
            ("owner = \"  \"", "promise `a` has an empty owner", "\"  \""),
            ("owner = 7", "invalid promises.toml: expected text in quotes, found a whole number", "7"),
            (
                "owner = [\"ana\"]",
                "invalid promises.toml: expected text in quotes, found a list (`[\"a\", \"b\"]`)",
                "[\"ana\"]",
            ),
        ] {
            let bad_text = text.replace("owner = \" @search-team \"", bad);
            let err = parse(&bad_text).unwrap_err();
            assert_eq!(err.message, message, "{bad}");
            let (_, label) = err.snippet.as_deref().unwrap();
            assert_eq!(&bad_text[label.span.clone()], at, "{bad}");
        }
        let err = parse(&text.replace("owner", "ownr")).unwrap_err();
        assert!(err.help.as_deref().unwrap().starts_with("did you mean `owner`?"), "{err:?}");
    }

    #[test]
    fn every_problem_is_reported_with_its_span() {
        let text = "[customers.shopper]\n[promises.Bad_Id]\nstatement = \"s\"\nstatus = \"in-play\"\ncustomer = \"shoper\"\n[rules]\nno-outcomes = \"deny\"\n";
        let err = parse(text).unwrap_err();
        let all: Vec<&Error> = std::iter::once(&err).chain(err.related.iter()).collect();
        assert_eq!(all.len(), 3, "{all:#?}");
        let (_, label) = all[1].snippet.as_deref().unwrap();
        assert_eq!(&text[label.span.clone()], "\"shoper\"");
        assert!(all[1].help.as_deref().unwrap().contains("did you mean `shopper`?"));
        assert!(all[2].help.as_deref().unwrap().contains("did you mean `no-outcome`?"));
    }

    #[test]
    fn unknown_keys_and_wrong_types_point_at_the_key() {
        let text = "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\nstatsu = 1\n";
        let err = parse(text).unwrap_err();
        let (_, label) = err.snippet.as_deref().unwrap();
        assert!(text[label.span.clone()].contains("statsu"), "{:?}", &text[label.span.clone()]);
        let err = parse("[promises.a]\nstatement = \"s\"\nstatus = \"playing\"\n").unwrap_err();
        assert_eq!(err.message, "invalid promises.toml: `playing` is not an allowed value");
        assert_eq!(err.help.as_deref(), Some("allowed: proposed, in-play, done, dropped"));
        // A misspelt key gets the closest one, a key of another table says where it belongs.
        let err = parse("[promises.a]\nstatment = \"s\"\nstatus = \"in-play\"\n").unwrap_err();
        assert_eq!(err.message, "invalid promises.toml: unknown key `statment`");
        assert!(err.help.as_deref().unwrap().starts_with("did you mean `statement`?"), "{err:?}");
        assert!(err.related.is_empty(), "a misspelt required key is one problem, not two: {err:?}");
        let err = parse("[rules]\nsince = \"deny\"\n").unwrap_err();
        assert_eq!(err.help.as_deref(), Some("`since` is a key of [commits], not a rule"));
        let err = parse("[limits]\nin-play = \"three\"\n").unwrap_err();
        assert_eq!(err.message, "invalid promises.toml: expected a whole number, found text");
    }
}

#[cfg(test)]
mod scope_tests {
    use super::*;

    #[test]
    fn members_must_be_plain_folders_listed_once() {
        let parse = |m: &str| Registry::parse(&Source::file("promises.toml", format!("[scopes]\nmembers = {m}\n")));
        let r = parse("[\"teams/search\", \"teams/checkout\"]").unwrap();
        assert_eq!(r.scopes.members, ["teams/search", "teams/checkout"]);
        for bad in [
            "[\"/abs\"]",
            "[\"../up\"]",
            "[\"a//b\"]",
            "[\"./a\"]",
            "[\"a/\"]",
            "[\"\"]",
            "[\"a/.git\"]",
            "[\".GIT/x\"]",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.message.contains("written plainly"), "{bad}: {err:?}");
        }
        let err = parse("[\"a\", \"a\"]").unwrap_err();
        assert_eq!(err.message, "`a` is listed twice in `[scopes] members`");
        let err = parse("[\"a\"]\nmember = 1").unwrap_err();
        assert!(err.help.as_deref().unwrap().starts_with("did you mean `members`?"), "{err:?}");
    }
}
