//! The promise registry: `promises.toml`, from raw TOML to a validated model that keeps spans.
//!
//! The registry is the team's contract: the vision, its customers, the promises with their status,
//! priority and outcomes, the WIP limit, and how plan-lint reads the rest of the repository. It is
//! read in two steps. Serde turns TOML into a raw model in which every value keeps its span
//! (`toml::Spanned`), rejecting unknown keys and wrong types with the position toml reports. Then
//! [`Registry::from_raw`] checks what types cannot (id syntax, customers that exist, regexes that
//! compile, rule codes that exist) and reports every problem at once, each pointing at its key or
//! value, so a user fixes the file in one pass.

use crate::error::{Error, Result};
use crate::rules::{Code, Level};
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
    Proposed,
    InPlay,
    Done,
    Dropped,
}

impl Status {
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
    Must,
    Should,
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
    rules: BTreeMap<Spanned<String>, Spanned<Level>>,
    #[serde(default)]
    hooks: RawHooks,
    #[serde(default)]
    issues: RawPlans,
    #[serde(default)]
    pull_requests: RawPullRequests,
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
    status: Spanned<Status>,
    priority: Option<Priority>,
    outcomes: Option<Spanned<Vec<RawOutcome>>>,
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
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPlans {
    include: Option<Vec<Spanned<String>>>,
}

/// Days without activity after which a promise in play is idle.
pub const DEFAULT_IDLE_DAYS: u32 = 14;

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

/// Plan documents read when `[plans] include` is not set.
pub const DEFAULT_PLAN_GLOBS: &[&str] = &["ROADMAP.md", "PLAN.md", "plan/**/*.md", "plans/**/*.md"];

/// The registry file's name at the repository root.
pub const FILE_NAME: &str = "promises.toml";

#[derive(Clone, Debug)]
pub struct Outcome {
    pub metric: Option<String>,
    pub baseline: Option<String>,
    pub target: Option<String>,
}

impl Outcome {
    /// Measurable: it names what to watch and where it should get to.
    pub fn is_measurable(&self) -> bool {
        self.metric.as_deref().is_some_and(|m| !m.trim().is_empty())
            && self.target.as_deref().is_some_and(|t| !t.trim().is_empty())
    }
}

#[derive(Clone, Debug)]
pub struct Promise {
    pub id: String,
    pub title: Option<String>,
    pub statement: String,
    pub customer: Option<String>,
    pub status: Status,
    pub priority: Option<Priority>,
    pub outcomes: Vec<Outcome>,
    /// Spans in promises.toml, for labels.
    pub id_span: Range<usize>,
    pub status_span: Range<usize>,
    pub outcomes_span: Range<usize>,
}

/// What plan findings depend on: ids and statuses (in order, as help texts list them), rule
/// levels and plan patterns.
#[derive(Debug, PartialEq, Eq)]
pub struct PlanJudgingKey<'r> {
    promises: Vec<(&'r str, Status)>,
    levels: Vec<(Code, Level)>,
    plan_globs: &'r [String],
    issue_globs: &'r [String],
}

#[derive(Clone, Debug)]
pub struct Customer {
    pub id: String,
    pub description: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Registry {
    pub vision: Option<String>,
    pub in_play_limit: usize,
    /// Where the limit is set, when it is (a label "limit set here").
    pub in_play_limit_span: Option<Range<usize>>,
    pub customers: Vec<Customer>,
    /// In the order the file declares them.
    pub promises: Vec<Promise>,
    pub since: Option<Spanned<String>>,
    pub exempt_subjects: Vec<Regex>,
    pub plan_globs: Vec<String>,
    /// Rule levels set in `[rules]`.
    pub levels: Vec<(Code, Level)>,
    /// Promise positions by id: every reference in every plan and commit is looked up.
    index: std::collections::HashMap<String, usize>,
    /// `[hooks] branch-trailer`: prepare-commit-msg adds `Promise:` from the branch name.
    pub branch_trailer: bool,
    /// `[issues] include`: issue, RFC or ADR files, each one work item (none by default).
    pub issue_globs: Vec<String>,
    /// `[pull-requests] body-traces-commits`: a pull request whose body names a promise in play
    /// traces its commits (for teams that squash-merge with the body as the message).
    pub body_traces_commits: bool,
    /// `[limits] idle-days`: a promise in play with no activity this long is idle.
    pub idle_days: u32,
    /// `[limits] exception-budget`: the largest share (0 to 1) of the work in a window that may be
    /// declared exceptions, with where it is set; `None`: no budget.
    pub exception_budget: Option<(f64, Range<usize>)>,
}

impl Registry {
    pub fn promise(&self, id: &str) -> Option<&Promise> {
        self.index.get(id).map(|&i| &self.promises[i])
    }

    /// Everything in the registry that plan findings depend on. Two registries with the same
    /// key judge every plan alike.
    pub fn plan_judging_key(&self) -> PlanJudgingKey<'_> {
        let mut levels = self.levels.clone();
        levels.sort();
        PlanJudgingKey {
            promises: self.promises.iter().map(|p| (p.id.as_str(), p.status)).collect(),
            levels,
            plan_globs: &self.plan_globs,
            issue_globs: &self.issue_globs,
        }
    }

    /// When `before` judges plans exactly as this registry does except for some promises'
    /// statuses, those promises' ids: only documents that mention them can judge differently.
    /// `None` when anything else plan findings depend on differs.
    pub fn status_changes(&self, before: &Registry) -> Option<Vec<String>> {
        let (a, b) = (self.plan_judging_key(), before.plan_judging_key());
        if a.levels != b.levels || a.plan_globs != b.plan_globs || a.issue_globs != b.issue_globs {
            return None;
        }
        if a.promises.len() != b.promises.len() || a.promises.iter().zip(&b.promises).any(|(x, y)| x.0 != y.0) {
            return None;
        }
        Some(a.promises.iter().zip(&b.promises).filter(|(x, y)| x.1 != y.1).map(|(x, _)| x.0.to_string()).collect())
    }

    pub fn in_play(&self) -> impl Iterator<Item = &Promise> {
        self.promises.iter().filter(|p| p.status == Status::InPlay)
    }

    /// Parse and validate the registry text; every problem is reported, each at its position.
    pub fn parse(source: &Source) -> Result<Registry> {
        let raw: RawRegistry = toml::from_str(&source.text).map_err(|e| toml_error(source, &e))?;
        Registry::from_raw(raw, source)
    }

    fn from_raw(raw: RawRegistry, source: &Source) -> Result<Registry> {
        let mut errors = Vec::new();
        let at =
            |span: Range<usize>, label: &str, message: String| Error::new(message).at(source, Label::new(span, label));

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
            let outcomes_span = p.outcomes.as_ref().map_or(id.span(), Spanned::span);
            out_promises.push(Promise {
                id_span: id.span(),
                status_span: p.status.span(),
                outcomes_span,
                id: id.into_inner(),
                title: p.title,
                statement: p.statement.into_inner(),
                customer: p.customer.map(Spanned::into_inner),
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

        let mut exempt_subjects = Vec::new();
        for pattern in raw.commits.exempt_subjects {
            match Regex::new(pattern.get_ref()) {
                Ok(re) => exempt_subjects.push(re),
                Err(e) => errors.push(at(
                    pattern.span(),
                    "not a valid regex",
                    format!("invalid regex in `[commits] exempt-subjects`: {}", one_line(&e.to_string())),
                )),
            }
        }

        let mut globs = |table: &str, globs: Vec<Spanned<String>>| -> Vec<String> {
            globs
                .into_iter()
                .filter_map(|g| match crate::glob::Glob::new(g.get_ref()) {
                    Ok(_) => Some(g.into_inner()),
                    Err(why) => {
                        errors.push(at(
                            g.span(),
                            "invalid pattern",
                            format!("invalid pattern in `[{table}] include`: {why}"),
                        ));
                        None
                    }
                })
                .collect()
        };
        let plan_globs = match raw.plans.include {
            Some(g) => globs("plans", g),
            None => DEFAULT_PLAN_GLOBS.iter().map(|s| s.to_string()).collect(),
        };
        let issue_globs = globs("issues", raw.issues.include.unwrap_or_default());

        let mut levels = Vec::new();
        for (code, level) in raw.rules {
            match Code::from_name(code.get_ref()) {
                Some(c) => levels.push((c, level.into_inner())),
                None => {
                    let mut e =
                        at(code.span(), "no such rule", format!("unknown rule `{}` in `[rules]`", code.get_ref()));
                    if let Some(s) = crate::suggest::closest(code.get_ref(), Code::ALL.iter().map(|c| c.name())) {
                        e = e.with_help(format!("did you mean `{s}`? `plan-lint rules` lists every rule"));
                    } else {
                        e = e.with_help("`plan-lint rules` lists every rule");
                    }
                    errors.push(e);
                }
            }
        }

        if let Some(e) = Error::many(errors) {
            return Err(e);
        }
        let index = out_promises.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect();
        Ok(Registry {
            index,
            vision: raw.vision,
            in_play_limit,
            in_play_limit_span,
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
            exception_budget,
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

fn slug_error(source: &Source, id: &Spanned<String>, what: &str) -> Error {
    let suggestion = to_slug(id.get_ref());
    let mut e = Error::new(format!("{what} id `{}` is not a lowercase kebab-case slug", id.get_ref()))
        .at(source, Label::new(id.span(), "not a slug"));
    if !suggestion.is_empty() {
        e = e.with_help(format!("write it as `{suggestion}`: lowercase letters, digits and single hyphens"));
    }
    e
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A TOML syntax or type error, at the position toml reports.
fn toml_error(source: &Source, err: &toml::de::Error) -> Error {
    let message = one_line(err.message());
    let mut e = Error::new(format!("invalid {}: {message}", source.name()));
    if let Some(span) = err.span() {
        e = e.at(source, Label::new(span, label_for(&message)));
    }
    if message.contains("unknown field") {
        e = e.with_help("see the registry reference in the README for every key");
    } else if message.contains("unknown variant") && message.contains("in-play") {
        e = e.with_help("status is one of proposed, in-play, done, dropped");
    }
    e
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
        assert!(err.message.contains("unknown variant"), "{}", err.message);
    }
}
