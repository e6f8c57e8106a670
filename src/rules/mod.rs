//! The rules: each declared once, in its own file, with its code, default level, summary,
//! documentation, what of the registry it reads, and its checks.
//!
//! A rule receives one item's facts (the registry, a plan document, an issue or pull request
//! body, a commit, a time window) and a [`Ctx`], and pushes findings into a [`Sink`], which
//! applies levels once (defaults, then `[rules]`, then the command line) and drops what is
//! allowed. Rules never read files, touch git or print: the engine (`crate::engine`) gathers
//! the facts and calls them, and the reporters print what they found.
//!
//! Adding a rule: a file here with a `RULE` and its checks (see any rule for the shape, and
//! ARCHITECTURE.md), its code in `crate::code`, and one line in [`rules!`] below. The code list,
//! `plan-lint rules`, `explain`, docs/rules.md and the schema's `[rules]` keys are generated
//! from these declarations.

use crate::code::{Code, Level, Severity};
use crate::facts::{Body, BodyKind, CommitFacts, ContractChange, Judged, Listing, OpenUnder, Readings, WindowFacts};
use crate::finding::Finding;
use crate::registry::{Parts, Registry};
use crate::scan::markdown::Plan;
use crate::source::SourceId;
use crate::tally::Tally;
use std::collections::HashMap;

/// The rule list: one line per rule, in the order of `plan-lint rules`.
macro_rules! rules {
    ($($module:ident),* $(,)?) => {
        $(pub(crate) mod $module;)*
        /// Every rule, in declaration order.
        pub(crate) static RULES: &[&Rule] = &[$(&$module::RULE),*];
    };
}

rules! {
    unknown_promise,
    untraced_item,
    untraced_commit,
    not_in_play,
    open_work_not_in_play,
    too_many_in_play,
    no_outcome,
    malformed_trailer,
    shadow_work,
    idle_promise,
    done_with_open_items,
    over_budget,
    unmatched_pattern,
    unknown_metric,
    unmeasured_outcome,
    outcome_met,
    outcome_regressed,
    hypothesis_invalid,
    hypothesis_unjudged,
    hypothesis_refuted,
    done_unverified,
    unlisted_scope,
    suspect_link,
}

/// A rule's declaration.
pub(crate) struct Rule {
    pub code: Code,
    pub default: Level,
    /// What its findings are about: how the board and docs/rules.md group them.
    pub category: Category,
    /// One line, for `plan-lint rules`.
    pub summary: &'static str,
    /// What it does, why it matters, an example that fails, and the fix (`explain`).
    pub doc: &'static str,
    /// The parts of the registry its findings depend on: a staged registry change re-judges
    /// plan documents only when a part their rules read changed.
    pub reads: Parts,
    pub checks: &'static [Check],
}

/// What a rule's findings are about, declared on each rule: the board's sections and the
/// groups of docs/rules.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "kebab-case")]
pub(crate) enum Category {
    /// Work with no promise, or a trace git does not read.
    Untraced,
    /// Work or readings naming a promise or metric they cannot serve: unknown, or not in play.
    Mistraced,
    /// promises.toml itself: the in-play limit, outcomes, patterns.
    Registry,
    /// Over a window, the work and the plan drifted apart.
    Drift,
    /// Readings of outcomes against their targets.
    Outcomes,
}

impl Category {
    /// Every category, in the order docs/rules.md lists them.
    pub const ALL: &'static [Category] = <Category as strum::VariantArray>::VARIANTS;

    /// `untraced`, `mistraced`, `registry`, `drift`, `outcomes`.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// One line on what its findings are about.
    pub fn about(self) -> &'static str {
        match self {
            Category::Untraced => "work that names no promise, or a trace git will not read",
            Category::Mistraced => {
                "work, readings or hypotheses naming a promise or metric they cannot serve: unknown, or not in play"
            }
            Category::Registry => "promises.toml itself: the in-play limit, outcomes, include patterns",
            Category::Drift => "over a time window, the work and the plan drifted apart",
            Category::Outcomes => {
                "readings of outcomes against their targets and hypotheses; promises delivered but not shown kept"
            }
        }
    }
}

/// What a rule judges, one item at a time.
pub(crate) enum Check {
    /// The registry itself.
    Registry(fn(&Ctx, &mut Sink)),
    /// What listing every document found (only when every document is listed).
    Listing(fn(&Ctx, &Listing, &mut Sink)),
    /// One plan document.
    Plan(fn(&Ctx, &Plan, &mut Sink)),
    /// One plan document again, against each promise's latest contract change in the
    /// registry's history: read only when a plan has open work under a promise whose contract
    /// has no review as it is (`check`, `ci`, the board, the editor server), or a staged
    /// registry's contract changes (the pre-commit hook).
    PlanHistory(fn(&Ctx, &Plan, &HashMap<String, ContractChange>, &mut Sink)),
    /// One issue (an issue file or a tracker's issue body).
    Issue(fn(&Ctx, &Body, &mut Sink)),
    /// One pull request body.
    PullRequest(fn(&Ctx, &Body, &mut Sink)),
    /// One commit, or the message of the commit being made.
    Commit(fn(&Ctx, &CommitFacts, &mut Sink)),
    /// The commits of a time window, with what changed in it.
    Window(fn(&Ctx, &WindowFacts, &Tally, &mut Sink)),
    /// The readings of outcomes (outcomes.csv).
    Readings(fn(&Ctx, &Readings, &mut Sink)),
    /// One hypothesis (from promises.toml or a plan document) as its readings judge it, with the
    /// open plan items traced to each promise when every document was read.
    Hypothesis(fn(&Ctx, &Judged, Option<&HashMap<String, OpenUnder>>, &mut Sink)),
    /// The history walked before the registry existed.
    History(fn(&Ctx, &crate::facts::BeforeAdoption, &mut Sink)),
}

/// What every check may consult besides its item.
pub(crate) struct Ctx<'a> {
    pub registry: &'a Registry,
    /// Where registry findings point.
    pub registry_source: SourceId,
    /// `[pull-requests] body-traces-commits`: the promises in play a pull request's body names,
    /// which trace its commits; empty otherwise.
    pub traced_by_body: &'a [String],
    /// Help texts that are the same for every finding of a run, made once and shared: a plan of
    /// a million untraced items must not hold a million copies.
    shared: std::sync::Mutex<std::collections::HashMap<&'static str, std::sync::Arc<str>>>,
    /// The promises in play for each set of scopes asked about ([`Ctx::in_play_for`]): a
    /// commit's help names them, and tens of thousands of commits touch the same few sets.
    in_play_for: std::sync::Mutex<HashMap<Vec<String>, std::sync::Arc<str>>>,
}

/// At most this many sets of scopes' lists are kept by a [`Ctx`].
const IN_PLAY_FOR_KEPT: usize = 4096;

impl<'a> Ctx<'a> {
    pub fn new(registry: &'a Registry, registry_source: SourceId, traced_by_body: &'a [String]) -> Ctx<'a> {
        Ctx { registry, registry_source, traced_by_body, shared: Default::default(), in_play_for: Default::default() }
    }

    /// The text `make` builds, made once per run under `key` and shared.
    pub fn shared(&self, key: &'static str, make: impl FnOnce() -> String) -> std::sync::Arc<str> {
        let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        shared.entry(key).or_insert_with(|| make().into()).clone()
    }

    /// [`in_play_list_for`] of `scopes`, made once per run for each set of scopes.
    pub fn in_play_for(&self, scopes: &[String]) -> std::sync::Arc<str> {
        let mut kept = self.in_play_for.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(list) = kept.get(scopes) {
            return list.clone();
        }
        if kept.len() >= IN_PLAY_FOR_KEPT {
            kept.clear();
        }
        let list: std::sync::Arc<str> = in_play_list_for(self.registry, scopes).into();
        kept.insert(scopes.to_vec(), list.clone());
        list
    }
}

/// An in-play outcome with numbers in one unit and a reading: where its latest reading stands
/// between baseline (0) and target (1). What `outcome-met` and `outcome-regressed` judge.
pub(crate) struct Standing<'a> {
    pub promise: &'a crate::registry::Promise,
    pub metric: &'a str,
    pub baseline: &'a str,
    pub target: &'a str,
    pub latest: &'a crate::outcomes::Reading,
    pub progress: f64,
}

pub(crate) fn standings<'a>(ctx: &'a Ctx, readings: &'a Readings) -> impl Iterator<Item = Standing<'a>> + 'a {
    ctx.registry.in_play().flat_map(move |p| {
        p.outcomes.iter().filter_map(move |o| {
            let (metric, baseline, target) = (o.metric.as_deref()?, o.baseline.as_deref()?, o.target.as_deref()?);
            let latest = readings.latest(&p.id, metric)?;
            let progress = crate::outcomes::progress(baseline, target, &latest.value)?;
            Some(Standing { promise: p, metric, baseline, target, latest, progress })
        })
    })
}

/// The rule declaring `code`.
pub(crate) fn rule(code: Code) -> &'static Rule {
    RULES.iter().find(|r| r.code == code).copied().unwrap_or_else(|| unreachable!("every code has a rule: {code}"))
}

/// Whether `code` is judged only with a time window: the drift rules, and `unmeasured-outcome`
/// and `hypothesis-unjudged`, which read the calendar. A run without one cannot tell that such a finding is gone.
pub(crate) fn needs_window(code: Code) -> bool {
    matches!(code, Code::UnmeasuredOutcome | Code::HypothesisUnjudged)
        || rule(code).checks.iter().any(|c| matches!(c, Check::Window(_)))
}

/// The default level of `code`.
pub(crate) fn default_level(code: Code) -> Level {
    rule(code).default
}

/// The parts of the registry that plan and issue findings depend on: what their rules declare
/// they read, plus the levels and the patterns that every finding depends on. Outcomes are left
/// out: in a plan they decide only whether a `Hypothesis:` line names a metric its promise
/// measures, in its unit (`hypothesis-invalid`), and an outcome edit must not make the
/// pre-commit hook judge every plan again; a staged plan is judged in full, and `check` and
/// `ci` judge every plan.
pub(crate) fn plan_reads() -> Parts {
    let in_plans = |r: &Rule| match r.code {
        Code::HypothesisInvalid => r.reads.and(Parts::IDS.or(Parts::STATUS)),
        _ => r.reads,
    };
    RULES
        .iter()
        .filter(|r| r.checks.iter().any(|c| matches!(c, Check::Plan(_) | Check::Issue(_))))
        .fold(Parts::LEVELS.or(Parts::PATTERNS), |parts, r| parts.or(in_plans(r)))
}

/// The level for each code: the rule's default, then `[rules]`, then the command line.
#[derive(Clone, Debug, Default)]
pub(crate) struct Levels {
    set: Vec<(Code, Level)>,
}

impl Levels {
    /// The levels in force: defaults, then the registry's `[rules]`, then `extra` (the command
    /// line).
    pub fn new(registry: &Registry, extra: &[(Code, Level)]) -> Levels {
        let mut levels = Levels::default();
        for &(code, level) in registry.levels.iter().chain(extra) {
            levels.set.retain(|(c, _)| *c != code);
            levels.set.push((code, level));
        }
        levels
    }

    pub fn get(&self, code: Code) -> Level {
        self.set.iter().find(|(c, _)| *c == code).map_or_else(|| default_level(code), |&(_, l)| l)
    }
}

/// Where findings go: levels are applied here, once; what is allowed is dropped. A focus (the
/// pre-commit hook re-judging a document for a status change) keeps only the findings about
/// the promises it names.
pub(crate) struct Sink<'l> {
    levels: &'l Levels,
    focus: Option<&'l [String]>,
    findings: Vec<Finding>,
}

impl<'l> Sink<'l> {
    pub fn new(levels: &'l Levels) -> Sink<'l> {
        Sink { levels, focus: None, findings: Vec::new() }
    }

    /// Keep only findings about one of `ids`.
    pub fn focused(levels: &'l Levels, ids: &'l [String]) -> Sink<'l> {
        Sink { levels, focus: Some(ids), findings: Vec::new() }
    }

    pub fn push(&mut self, mut finding: Finding) {
        if self.focus.is_some_and(|ids| !finding.promises.iter().any(|p| ids.contains(p))) {
            return;
        }
        finding.severity = match self.levels.get(finding.code) {
            Level::Allow => return,
            Level::Warn => Severity::Warning,
            Level::Deny => Severity::Error,
        };
        // Kept until the report: a million findings should not each carry spare label slots.
        finding.labels.shrink_to_fit();
        self.findings.push(finding);
    }

    /// Whether nothing was found so far.
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// The findings so far, in rule order (the order of `plan-lint rules`), leaving the sink
    /// empty.
    pub fn take(&mut self) -> Vec<Finding> {
        let mut found = std::mem::take(&mut self.findings);
        // A document of a million findings leaves up to half its array unused; shrinking a
        // large allocation is done in place.
        if found.capacity() > 4096 && found.capacity() > found.len() + found.len() / 8 {
            found.shrink_to_fit();
        }
        found
    }
}

/// Judge the registry.
pub(crate) fn judge_registry(ctx: &Ctx, sink: &mut Sink) {
    for check in RULES.iter().flat_map(|r| r.checks) {
        if let Check::Registry(f) = check {
            f(ctx, sink);
        }
    }
}

/// Judge what listing every document found.
pub(crate) fn judge_listing(ctx: &Ctx, listing: &Listing, sink: &mut Sink) {
    for check in RULES.iter().flat_map(|r| r.checks) {
        if let Check::Listing(f) = check {
            f(ctx, listing, sink);
        }
    }
}

/// Judge one plan document against the contract changes in the registry's history.
pub(crate) fn judge_plan_history(ctx: &Ctx, plan: &Plan, changes: &HashMap<String, ContractChange>, sink: &mut Sink) {
    for check in RULES.iter().flat_map(|r| r.checks) {
        if let Check::PlanHistory(f) = check {
            f(ctx, plan, changes, sink);
        }
    }
}

/// Judge one plan document.
pub(crate) fn judge_plan(ctx: &Ctx, plan: &Plan, sink: &mut Sink) {
    for check in RULES.iter().flat_map(|r| r.checks) {
        if let Check::Plan(f) = check {
            f(ctx, plan, sink);
        }
    }
}

/// Judge one issue or pull request body.
pub(crate) fn judge_body(ctx: &Ctx, body: &Body, sink: &mut Sink) {
    for check in RULES.iter().flat_map(|r| r.checks) {
        match (check, body.kind) {
            (Check::Issue(f), BodyKind::Issue { .. }) | (Check::PullRequest(f), BodyKind::PullRequest) => {
                f(ctx, body, sink)
            }
            _ => {}
        }
    }
}

/// Judge one commit.
pub(crate) fn judge_commit(ctx: &Ctx, commit: &CommitFacts, sink: &mut Sink) {
    for check in RULES.iter().flat_map(|r| r.checks) {
        if let Check::Commit(f) = check {
            f(ctx, commit, sink);
        }
    }
}

/// Judge a time window.
pub(crate) fn judge_readings(ctx: &Ctx, readings: &Readings, sink: &mut Sink) {
    for rule in RULES {
        for check in rule.checks {
            if let Check::Readings(f) = check {
                f(ctx, readings, sink);
            }
        }
    }
}

/// Judge one hypothesis as its readings judge it.
pub(crate) fn judge_hypothesis(ctx: &Ctx, judged: &Judged, open: Option<&HashMap<String, OpenUnder>>, sink: &mut Sink) {
    for check in RULES.iter().flat_map(|r| r.checks) {
        if let Check::Hypothesis(f) = check {
            f(ctx, judged, open, sink);
        }
    }
}

/// Judge the untraced history from before the registry existed.
pub(crate) fn judge_history(ctx: &Ctx, before: &crate::facts::BeforeAdoption, sink: &mut Sink) {
    for check in RULES.iter().flat_map(|r| r.checks) {
        if let Check::History(f) = check {
            f(ctx, before, sink);
        }
    }
}

pub(crate) fn judge_window(ctx: &Ctx, window: &WindowFacts, tally: &Tally, sink: &mut Sink) {
    for check in RULES.iter().flat_map(|r| r.checks) {
        if let Check::Window(f) = check {
            f(ctx, window, tally, sink);
        }
    }
}

/// Each reference in `plan` to a promise with `status` that covers open items, with how many
/// (one finding per reference, however many items). The open items are counted per reference
/// in one pass, and only when such a reference exists: counting per reference by scanning the
/// items made a plan of many references quadratic.
pub(crate) fn references_with_open_items<'a>(
    ctx: &'a Ctx,
    plan: &'a Plan,
    status: crate::registry::Status,
) -> Vec<(&'a crate::scan::markdown::Reference, &'a crate::registry::Promise, usize)> {
    let mut counts: Option<Vec<usize>> = None;
    let mut out = Vec::new();
    for (idx, r) in plan.refs.iter().enumerate() {
        let Some(p) = ctx.registry.promise(&r.id).filter(|p| p.status == status) else { continue };
        let counts = counts.get_or_insert_with(|| {
            let mut open = vec![0; plan.refs.len()];
            for item in plan.items.iter().filter(|i| !i.done) {
                for &r in &item.promises {
                    if let Some(n) = open.get_mut(r) {
                        *n += 1;
                    }
                }
            }
            open
        });
        if counts[idx] > 0 {
            out.push((r, p, counts[idx]));
        }
    }
    out
}

/// Findings of one kind a commit gets at most, for what a message can repeat without bound
/// (ids, `Promise:` lines): the first are listed, the rest counted in one more finding. A
/// message naming 200,000 ids is one mistake; 200,000 findings held until the report took
/// gigabytes and a report nobody reads (issue 23).
pub(crate) const LISTED_PER_COMMIT: usize = 100;

/// Push `one(x)` for each of the first [`LISTED_PER_COMMIT`] of `items`, and, when more follow,
/// `rest(count, first)` for the rest: how many, and the first not listed (where it points).
/// Linear, and nothing is built for what is not listed.
pub(crate) fn push_listed<T>(
    sink: &mut Sink,
    items: impl IntoIterator<Item = T>,
    one: impl Fn(T) -> Finding,
    rest: impl FnOnce(usize, T) -> Finding,
) {
    let mut items = items.into_iter();
    for item in items.by_ref().take(LISTED_PER_COMMIT) {
        sink.push(one(item));
    }
    if let Some(first) = items.next() {
        sink.push(rest(1 + items.count(), first));
    }
}

/// `1 more`, `12,345 more`: the count of findings not listed.
pub(crate) fn more(n: usize) -> String {
    format!("{} more", crate::number::count(n))
}

/// `1 open item serves`, `3 open items serve`.
pub(crate) fn open_items_serve(n: usize) -> String {
    if n == 1 {
        "1 open item serves".to_string()
    } else {
        format!("{n} open items serve")
    }
}

/// The "did you mean" help for an unknown id, listing what is in play.
pub(crate) fn unknown_id_help(registry: &Registry, id: &str) -> String {
    let ids = registry.promises.iter().map(|p| p.id.as_str());
    let guess = crate::suggest::closest(id, ids).or_else(|| {
        let slug = crate::registry::to_slug(id);
        registry.promise(&slug).map(|p| p.id.as_str())
    });
    let in_play = in_play_list(registry);
    match guess {
        Some(g) => format!("did you mean `{g}`? promises in play: {in_play}"),
        None => format!("promises in play: {in_play}; declare new promises in promises.toml"),
    }
}

/// What work on a promise that is not in play can do instead: the fix each finding about it
/// offers, worded here once, beside the promises that are in play.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Instead {
    /// Open items under a done promise: close them, move them, or reopen the promise.
    CloseOrReopen,
    /// Open items under a dropped promise: close or move them, or put it back in play.
    CloseOrMove,
    /// An open issue on a done or dropped promise: close it, retrace it, or put it back.
    CloseTheIssue,
    /// A commit or pull request on a promise not in play: retrace it, or put it in play.
    Retrace,
}

/// The one finding about work on a promise that is not in play: "`work` `id`, which is
/// `status`", the reference labelled with the status, and help naming the way out and the
/// promises in play (`not-in-play`, `open-work-not-in-play`, `done-with-open-items`).
pub(crate) fn not_in_play_finding(
    ctx: &Ctx,
    code: Code,
    work: &str,
    p: &crate::registry::Promise,
    span: std::ops::Range<usize>,
    instead: Instead,
) -> Finding {
    let (id, in_play) = (&p.id, in_play_list(ctx.registry));
    let help = match instead {
        Instead::CloseOrReopen => {
            format!("close the items (`- [x]`), move them to a promise in play ({in_play}), or reopen `{id}`")
        }
        Instead::CloseOrMove => {
            format!("close or move the open work, or put `{id}` back in play; promises in play: {in_play}")
        }
        Instead::CloseTheIssue => {
            format!("close the issue, trace it to a promise in play ({in_play}), or put `{id}` back in play")
        }
        Instead::Retrace => {
            format!("trace the work to a promise in play ({in_play}), or put `{id}` in play within the limit")
        }
    };
    Finding::new(code, format!("{work} `{id}`, which is {}", p.status))
        .label(crate::source::Label::new(span, format!("{id} is {}", p.status)))
        .help(help)
        .promises([id.clone()])
}

/// The finding that counts what a commit names past the first [`LISTED_PER_COMMIT`]: "`name`
/// names N more `what`", at the first not listed, with `help`.
pub(crate) fn not_listed(
    code: Code,
    commit: &CommitFacts,
    n: usize,
    what: &str,
    span: std::ops::Range<usize>,
    help: String,
) -> Finding {
    Finding::new(code, format!("{} names {} {what}", commit.name, more(n)))
        .label(crate::source::Label::new(span, format!("{} from here, not listed", more(n))))
        .help(help)
        .commit_opt(commit.sha.as_deref())
}

/// `a, b, c`, or `none` when nothing is in play.
/// [`in_play_list`] for a commit that changes `scopes` (scoped registries): the promises in
/// play in those scopes too, by qualified id.
pub(crate) fn in_play_list_for(registry: &Registry, scopes: &[String]) -> String {
    let ids: Vec<&str> = registry.in_play_for(scopes).map(|p| p.id.as_str()).collect();
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.join(", ")
    }
}

pub(crate) fn in_play_list(registry: &Registry) -> String {
    let ids: Vec<&str> = registry.in_play().map(|p| p.id.as_str()).collect();
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.join(", ")
    }
}

/// Shared fixtures for the rules' unit tests: one registry, and helpers that scan text and
/// judge it with every rule at default levels.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::source::Source;

    pub const REGISTRY: &str = r#"
[promises.find-and-buy]
statement = "A shopper can find and buy a product we stock."
status = "in-play"
outcomes = [{ metric = "search-to-purchase conversion", baseline = "8%", target = "12%" }]
[promises.secure-by-default]
statement = "A shopper's account is safe without effort."
status = "in-play"
[promises.gift-cards]
statement = "A shopper can give a gift card."
status = "proposed"
[promises.checkout]
statement = "A shopper can pay in one step."
status = "done"
verdict = { kept = true, reason = "one-step payments are most of them", date = "2026-01-15" }
[promises.loyalty]
statement = "A shopper earns points."
status = "dropped"
"#;

    pub fn registry(extra: &str) -> Registry {
        Registry::parse(&Source::file("promises.toml", format!("{extra}\n{REGISTRY}"))).expect("fixture registry")
    }

    fn judge(extra: &str, f: impl FnOnce(&Ctx, &mut Sink)) -> Vec<Finding> {
        judge_with(&registry(extra), f)
    }

    /// Judge with a given registry, at its levels.
    pub fn judge_with(registry: &Registry, f: impl FnOnce(&Ctx, &mut Sink)) -> Vec<Finding> {
        let levels = Levels::new(registry, &[]);
        let ctx = Ctx::new(registry, SourceId(0), &[]);
        let mut sink = Sink::new(&levels);
        f(&ctx, &mut sink);
        sink.take()
    }

    pub fn registry_findings(extra: &str) -> Vec<Finding> {
        judge(extra, judge_registry)
    }

    pub fn plan_findings(text: &str) -> Vec<Finding> {
        let plan = crate::scan::markdown::scan(text);
        judge("", |ctx, sink| judge_plan(ctx, &plan, sink))
    }

    pub fn commit_facts(message: &str) -> CommitFacts {
        crate::scan::commit::read(None, 1, message.as_bytes(), &[], b"#")
    }

    pub fn judge_commit(facts: &CommitFacts) -> Vec<Finding> {
        judge("", |ctx, sink| super::judge_commit(ctx, facts, sink))
    }

    pub fn commit_findings(message: &str) -> Vec<Finding> {
        judge_commit(&commit_facts(message))
    }

    pub fn codes(found: &[Finding]) -> Vec<&'static str> {
        found.iter().map(|f| f.code.name()).collect()
    }

    /// A body of `kind` named `what`, with this text, judged with the fixture registry.
    pub fn body_findings(what: &str, kind: BodyKind, text: &str) -> Vec<Finding> {
        let body = Body {
            kind,
            what: what.to_string(),
            text: text.to_string(),
            refs: crate::scan::body::references(text),
            in_play_then: None,
        };
        judge("", |ctx, sink| judge_body(ctx, &body, sink))
    }

    /// The end of every fixture window: 2026-03-31 00:00 UTC.
    pub const NOW: i64 = 1_774_915_200;

    /// `n` days before [`NOW`], Unix seconds.
    pub fn days_ago(n: i64) -> i64 {
        NOW - n * crate::when::DAY
    }

    /// A window of the `days` days before [`NOW`]; it covers idleness when it reaches back the
    /// default `[limits] idle-days` (14).
    pub fn window(days: i64) -> WindowFacts {
        WindowFacts {
            window: crate::facts::Window { since: days_ago(days), until: NOW },
            covers_idle: days >= 14,
            ..WindowFacts::default()
        }
    }

    /// What these commits add up to: each a class and how many days before [`NOW`].
    pub fn tally(commits: &[(crate::tally::Class, i64)]) -> Tally {
        let mut tally = Tally::default();
        for (class, days) in commits {
            tally.add(class, days_ago(*days), "ada@example.com", 1);
        }
        tally
    }

    /// `n` commits traced to `id`, `days` days ago.
    pub fn traced(id: &str, n: usize, days: i64) -> Vec<(crate::tally::Class<'_>, i64)> {
        vec![(crate::tally::Class::Traced(vec![id]), days); n]
    }

    /// Judge a window with the fixture registry and `extra` before it, at default levels.
    pub fn window_findings(extra: &str, window: &WindowFacts, tally: &Tally) -> Vec<Finding> {
        judge(extra, |ctx, sink| judge_window(ctx, window, tally, sink))
    }

    /// outcomes.csv of these rows (`date,promise,metric,value,source`, header added), judged as
    /// of `today` (`None`: without a window).
    pub fn readings(rows: &str, today: Option<&str>) -> Readings {
        let text = format!("date,promise,metric,value,source\n{rows}");
        Readings {
            path: "outcomes.csv".to_string(),
            source: SourceId(1),
            rows: crate::outcomes::parse(&text).expect("fixture readings"),
            today: today.map(|d| d.parse().expect("fixture date")),
        }
    }

    /// Judge readings with the fixture registry and `extra` before it, at default levels: the
    /// readings, then each hypothesis in the registry (no open items known).
    pub fn readings_findings(extra: &str, readings: &Readings) -> Vec<Finding> {
        planned_findings(extra, readings, "", None)
    }

    /// [`readings_findings`], with the hypotheses of a plan document (`plan`, source 2) and the
    /// open items traced to each promise.
    pub fn planned_findings(
        extra: &str,
        readings: &Readings,
        plan: &str,
        open: Option<&HashMap<String, OpenUnder>>,
    ) -> Vec<Finding> {
        let planned = planned(plan);
        judge(extra, |ctx, sink| {
            judge_readings(ctx, readings, sink);
            for judged in readings.hypotheses(ctx.registry, &planned) {
                judge_hypothesis(ctx, &judged, open, sink);
            }
        })
    }

    /// The well-formed hypotheses of a plan document traced to one promise, as the engine
    /// gathers them (source 2).
    pub fn planned(plan: &str) -> Vec<crate::facts::PlanHypothesis> {
        let scanned = crate::scan::markdown::scan(plan);
        scanned
            .hypotheses
            .iter()
            .filter_map(|h| crate::facts::PlanHypothesis::written(&scanned, h))
            .map(|(promise, hypothesis)| crate::facts::PlanHypothesis { promise, hypothesis, source: SourceId(2) })
            .collect()
    }

    /// The findings of one code.
    pub fn only(found: Vec<Finding>, code: Code) -> Vec<Finding> {
        found.into_iter().filter(|f| f.code == code).collect()
    }

    /// The help of a finding, or "".
    pub fn help(f: &Finding) -> &str {
        f.help.as_deref().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_exactly_one_rule_in_code_order() {
        let codes: Vec<Code> = RULES.iter().map(|r| r.code).collect();
        assert_eq!(codes, Code::ALL);
        for r in RULES {
            assert!(r.doc.contains("What it does") && r.doc.contains("Why") && r.doc.contains("Fix"), "{}", r.code);
            assert!(!r.checks.is_empty(), "{}", r.code);
        }
    }

    /// The board's sections are categories: what it lists as mistraced and as drift.
    #[test]
    fn each_rule_declares_its_category() {
        let of = |category: Category| -> Vec<&str> {
            RULES.iter().filter(|r| r.category == category).map(|r| r.code.name()).collect()
        };
        assert_eq!(
            of(Category::Mistraced),
            ["unknown-promise", "not-in-play", "open-work-not-in-play", "unknown-metric", "hypothesis-invalid"]
        );
        assert_eq!(
            of(Category::Drift),
            ["shadow-work", "idle-promise", "done-with-open-items", "over-budget", "suspect-link"]
        );
        assert_eq!(of(Category::Untraced), ["untraced-item", "untraced-commit", "malformed-trailer"]);
        assert_eq!(of(Category::Registry), ["too-many-in-play", "no-outcome", "unmatched-pattern", "unlisted-scope"]);
        assert_eq!(
            of(Category::Outcomes),
            [
                "unmeasured-outcome",
                "outcome-met",
                "outcome-regressed",
                "hypothesis-unjudged",
                "hypothesis-refuted",
                "done-unverified"
            ]
        );
        assert_eq!(rule(Code::OverBudget).category, Category::Drift);
        assert_eq!(Category::Mistraced.name(), "mistraced");
    }

    /// Plan rules read ids and statuses, not descriptions; outcomes only for a plan's
    /// hypotheses, which an outcome edit does not make the pre-commit hook judge again.
    #[test]
    fn plan_rules_read_ids_and_statuses_but_not_outcomes() {
        assert!(rule(Code::HypothesisInvalid).reads.intersects(Parts::OUTCOMES));
        let reads = plan_reads();
        assert!(reads.intersects(Parts::IDS) && reads.intersects(Parts::STATUS));
        assert!(!reads.intersects(Parts::OUTCOMES) && !reads.intersects(Parts::DESCRIPTIONS));
    }

    /// Work on a promise that is not in play is worded in one place: what the work is, the
    /// promise's status, a label at the reference, and help naming what is in play.
    #[test]
    fn work_on_a_promise_not_in_play_is_worded_once() {
        use testing::*;
        let in_play = "find-and-buy, secure-by-default";
        let cases = [
            (
                plan_findings("Promise: checkout\n\n- [ ] receipts\n"),
                "1 open item serves `checkout`, which is done",
                "checkout is done",
                format!("close the items (`- [x]`), move them to a promise in play ({in_play}), or reopen `checkout`"),
            ),
            (
                plan_findings("Promise: loyalty\n\n- [ ] points\n"),
                "1 open item serves `loyalty`, which is dropped",
                "loyalty is dropped",
                format!("close or move the open work, or put `loyalty` back in play; promises in play: {in_play}"),
            ),
            (
                body_findings("issue #4", BodyKind::Issue { open: true }, "Points\n\nPromise: loyalty\n"),
                "issue #4 is open work on `loyalty`, which is dropped",
                "loyalty is dropped",
                format!("close the issue, trace it to a promise in play ({in_play}), or put `loyalty` back in play"),
            ),
            (
                body_findings("pull request #9", BodyKind::PullRequest, "Cards\n\nPromise: gift-cards\n"),
                "pull request #9 is work on `gift-cards`, which is proposed",
                "gift-cards is proposed",
                format!(
                    "trace the work to a promise in play ({in_play}), or put `gift-cards` in play within the limit"
                ),
            ),
            (
                commit_findings("Cards\n\nPromise: gift-cards\n"),
                "this commit is work on `gift-cards`, which is proposed",
                "gift-cards is proposed",
                format!(
                    "trace the work to a promise in play ({in_play}), or put `gift-cards` in play within the limit"
                ),
            ),
        ];
        for (found, message, label, help_text) in cases {
            assert_eq!(found.len(), 1, "{message}: {found:?}");
            assert_eq!(found[0].message, message);
            assert_eq!(found[0].labels[0].text.as_deref(), Some(label), "{message}");
            assert_eq!(help(&found[0]), help_text, "{message}");
            let id = label.split(' ').next().unwrap();
            assert_eq!(found[0].promises, [id], "{message}");
        }
        // A reading naming an unknown promise has the one wording of `unknown-promise`, in the
        // readings file.
        let r = testing::readings("2026-03-02,find-and-bye,m,1,\n", None);
        let found = readings_findings("", &r);
        assert_eq!(codes(&found), ["unknown-promise"]);
        assert_eq!(found[0].message, "a reading of 2026-03-02 names unknown promise `find-and-bye`");
        assert_eq!(found[0].source, Some(r.source));
        assert_eq!(found[0].labels[0].text.as_deref(), Some("not in promises.toml"));
        assert_eq!(help(&found[0]), format!("did you mean `find-and-buy`? promises in play: {in_play}"));
    }

    #[test]
    fn levels_apply_once_in_the_sink() {
        let registry = testing::registry("[rules]\nnot-in-play = \"allow\"\n");
        let levels = Levels::new(&registry, &[(Code::UntracedItem, Level::Warn)]);
        assert_eq!(levels.get(Code::OpenWorkNotInPlay), Level::Allow, "the old name sets both halves");
        assert_eq!(levels.get(Code::NotInPlay), Level::Allow);
        let mut sink = Sink::new(&levels);
        sink.push(Finding::new(Code::UntracedItem, "x"));
        sink.push(Finding::new(Code::NotInPlay, "y"));
        sink.push(Finding::new(Code::UnknownPromise, "z"));
        let found = sink.take();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(found[1].severity, Severity::Error);
    }
}
