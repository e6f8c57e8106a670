//! The organisation board: many boards' JSON (`plan-lint report --format json`, one per
//! repository or scope) read and combined into one page: the visions, each team's promises in
//! play against its limit, their outcomes and progress, untraced and exception shares, drift,
//! and a link back to each team's own board.
//!
//! A board is read with only the fields this page shows (a newer minor version's fields are
//! ignored, as the schema's versioning promises) and summarised at once, so merging keeps what
//! the output shows and nothing more. A board of an unknown major version is refused, naming the
//! file and the version; malformed JSON is refused naming the file. Every text read from a board
//! is escaped for its medium by the writer that prints it.

use super::board::{HealthState, OutcomeState, SCHEMA_VERSION};
use super::board_html::html;
use super::markdown::{code, escape as md};
use super::plural;
use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The major version this build reads.
const MAJOR: u64 = 1;

/// A board's version fields, read before the rest (a board of another major version may have
/// another shape).
#[derive(Deserialize)]
struct Version {
    schema_version: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
}

/// The fields of a board the organisation page shows.
#[derive(Deserialize)]
struct InBoard {
    name: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    as_of: AsOf,
    window: Window,
    vision: Option<String>,
    in_play: InPlay,
    traced: Traced,
    promises: Vec<InPromise>,
    untraced: Listed,
    exceptions: InExceptions,
    #[serde(default)]
    mistraced: Vec<InFinding>,
    drift: Vec<InFinding>,
    errors: usize,
    warnings: usize,
}

/// A list counted, not kept.
#[derive(Deserialize)]
struct Listed {
    commits: Vec<serde::de::IgnoredAny>,
    items: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct InExceptions {
    commits: Vec<serde::de::IgnoredAny>,
    items: Vec<serde::de::IgnoredAny>,
    share: f64,
    budget: Option<f64>,
}

/// A finding: its code and title as the board wrote them (a newer board may name a rule this
/// build does not know).
#[derive(Deserialize)]
struct InFinding {
    code: String,
    title: String,
}

#[derive(Deserialize)]
struct InPromise {
    id: String,
    title: Option<String>,
    // Boards written before promises had owners have none.
    #[serde(default)]
    owner: Option<String>,
    status: crate::registry::Status,
    priority: Option<crate::registry::Priority>,
    health: Option<Health>,
    outcomes: Vec<Outcome>,
}

#[derive(Debug, Serialize, Deserialize, Clone)]
pub struct AsOf {
    pub date: String,
    pub commit: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, Clone)]
pub struct Window {
    pub since: String,
    pub until: String,
    pub days: i64,
}

#[derive(Debug, Serialize, Deserialize, Clone, Copy)]
pub struct InPlay {
    pub count: usize,
    pub limit: usize,
}

#[derive(Debug, Serialize, Deserialize, Clone, Copy)]
pub struct Traced {
    pub in_play: usize,
    pub commits: usize,
    pub share: f64,
}

#[derive(Debug, Serialize, Deserialize, Clone)]
pub struct Health {
    pub state: HealthState,
    pub reason: String,
}

/// An outcome as the organisation page shows it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Outcome {
    pub metric: Option<String>,
    pub baseline: Option<String>,
    pub target: Option<String>,
    pub latest: Option<Latest>,
    pub progress: Option<f64>,
    pub state: OutcomeState,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Latest {
    pub date: String,
    pub value: String,
}

/// A promise in play on a team's board.
#[derive(Debug, Serialize)]
pub struct Promise {
    pub id: String,
    pub title: Option<String>,
    /// Who answers for it, when the team's registry names one.
    pub owner: Option<String>,
    pub priority: Option<crate::registry::Priority>,
    pub health: Option<Health>,
    pub outcomes: Vec<Outcome>,
}

#[derive(Debug, Serialize)]
pub struct Untraced {
    pub commits: usize,
    pub items: usize,
    /// Untraced commits of the commits that need a trace, 4 decimals.
    pub share: f64,
}

#[derive(Debug, Serialize)]
pub struct Exceptions {
    pub count: usize,
    pub share: f64,
    pub budget: Option<f64>,
}

/// A rule's findings on one board, counted.
#[derive(Debug, Serialize)]
pub struct Drift {
    pub code: String,
    pub title: String,
    pub count: usize,
}

/// One team's board, summarised.
#[derive(Debug, Serialize)]
pub struct Team {
    /// The board's name, or its file's name without `.json`.
    pub label: String,
    /// The file, as given.
    pub file: String,
    /// The link to the team's own board (`--link`).
    pub url: Option<String>,
    pub name: Option<String>,
    pub scope: Option<String>,
    pub vision: Option<String>,
    pub as_of: AsOf,
    pub window: Window,
    pub schema_version: String,
    pub in_play: InPlay,
    pub promises: Vec<Promise>,
    pub traced: Traced,
    pub untraced: Untraced,
    pub exceptions: Exceptions,
    pub drift: Vec<Drift>,
    pub errors: usize,
    pub warnings: usize,
}

/// Sums over every board.
#[derive(Debug, Serialize, Default)]
pub struct Totals {
    pub boards: usize,
    pub in_play: usize,
    pub limit: usize,
    pub over_limit: usize,
    pub commits: usize,
    pub traced: usize,
    pub traced_share: f64,
    pub untraced: usize,
    pub untraced_share: f64,
    pub exceptions: usize,
    pub exceptions_share: f64,
    pub errors: usize,
    pub warnings: usize,
    pub drift: usize,
}

/// The organisation board: `board merge --format json` is this, serialized.
#[derive(Debug, Serialize)]
pub struct Org {
    pub kind: &'static str,
    pub schema_version: &'static str,
    pub visions: Vec<String>,
    pub totals: Totals,
    pub boards: Vec<Team>,
}

/// Rounded to 4 decimals; 0 for a share of nothing.
fn share(n: usize, of: usize) -> f64 {
    if of == 0 {
        return 0.0;
    }
    ((n as f64 / of as f64) * 10_000.0).round() / 10_000.0
}

/// How much of serde's message on a board it cannot read is shown.
const MAX_ERROR: usize = 240;

/// `file`'s board (its bytes), summarised; `file` names it in errors and is its label when the
/// board has no name.
pub fn read(file: &str, bytes: &[u8]) -> Result<Team, Error> {
    let shown = crate::escape::line(file);
    let malformed = |e: serde_json::Error| {
        // serde quotes the value it could not read: a 50 MB string is not echoed whole.
        let mut why = e.to_string();
        if why.chars().count() > MAX_ERROR {
            why = why.chars().take(MAX_ERROR).collect();
            why = format!("{why}… at line {} column {}", e.line(), e.column());
        }
        Error::new(format!("{shown} is not a plan-lint board: {}", crate::escape::line(&why)))
            .with_help("make it with `plan-lint report --format json --output FILE`")
    };
    // serde would read a struct from an array too: a board is an object.
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return Err(Error::new(format!("{shown} is not a plan-lint board: not a JSON object"))
            .with_help("make it with `plan-lint report --format json --output FILE`"));
    }
    let version: Version = serde_json::from_slice(bytes).map_err(malformed)?;
    let schema_version = match (&version.schema_version, &version.version) {
        (Some(serde_json::Value::String(s)), _) => s.clone(),
        (None, Some(serde_json::Value::Number(n))) => format!("{n}.0"),
        (None, None) => {
            return Err(Error::new(format!("{shown} is not a plan-lint board: it has no `schema_version`"))
                .with_help("make it with `plan-lint report --format json --output FILE`"))
        }
        (Some(v), _) | (None, Some(v)) => {
            return Err(Error::new(format!(
                "{shown} has a version plan-lint cannot read: {}",
                crate::escape::line(&v.to_string())
            )))
        }
    };
    let major = schema_version.split('.').next().and_then(|m| m.parse::<u64>().ok());
    if major != Some(MAJOR) {
        return Err(Error::new(format!(
            "{shown} is a board of schema version {}; this plan-lint reads version {MAJOR}.x",
            crate::escape::line(&schema_version)
        ))
        .with_help("merge it with a plan-lint that reads that version, or make the board again with this one"));
    }
    let b: InBoard = serde_json::from_slice(bytes).map_err(malformed)?;
    // Counts and shares that contradict each other would be drawn as 1,667% or -250%.
    let contradiction = if b.traced.in_play > b.traced.commits {
        Some(format!("traced.in_play ({}) is more than traced.commits ({})", b.traced.in_play, b.traced.commits))
    } else if b.untraced.commits.len() > b.traced.commits {
        Some(format!(
            "{} untraced commits are more than traced.commits ({})",
            b.untraced.commits.len(),
            b.traced.commits
        ))
    } else {
        [("traced.share", b.traced.share), ("exceptions.share", b.exceptions.share)]
            .into_iter()
            .find(|(_, x)| !(0.0..=1.0).contains(x))
            .map(|(what, x)| format!("{what} ({x}) is not between 0 and 1"))
    };
    if let Some(why) = contradiction {
        return Err(Error::new(format!("{shown} is not a plan-lint board: {why}"))
            .with_help("make it with `plan-lint report --format json --output FILE`"));
    }
    let stem = std::path::Path::new(file).file_stem().map_or_else(|| file.to_string(), |s| s.to_string_lossy().into());
    let mut drift: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for f in b.drift.into_iter().chain(b.mistraced) {
        drift.entry(f.code).or_insert_with(|| (f.title, 0)).1 += 1;
    }
    let untraced_commits = b.untraced.commits.len();
    let needs_trace = b.traced.commits;
    Ok(Team {
        label: b.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or(stem),
        file: file.to_string(),
        url: None,
        name: b.name,
        scope: b.scope,
        vision: b.vision,
        as_of: b.as_of,
        window: b.window,
        schema_version,
        in_play: b.in_play,
        promises: b
            .promises
            .into_iter()
            .filter(|p| p.status == crate::registry::Status::InPlay)
            .map(|p| Promise {
                id: p.id,
                title: p.title,
                owner: p.owner,
                priority: p.priority,
                health: p.health,
                outcomes: p
                    .outcomes
                    .into_iter()
                    .map(|o| Outcome { progress: o.progress.filter(|p| p.is_finite()), ..o })
                    .collect(),
            })
            .collect(),
        traced: b.traced,
        untraced: Untraced {
            commits: untraced_commits,
            items: b.untraced.items.len(),
            share: share(untraced_commits, needs_trace),
        },
        exceptions: Exceptions {
            count: b.exceptions.commits.len().saturating_add(b.exceptions.items.len()),
            share: b.exceptions.share,
            budget: b.exceptions.budget.filter(|b| b.is_finite()),
        },
        drift: drift.into_iter().map(|(code, (title, count))| Drift { code, title, count }).collect(),
        errors: b.errors,
        warnings: b.warnings,
    })
}

/// Whether `a` and `b` are one board given twice: the same registry's name and scope, read at
/// the same commit over the same window. Boards read at no commit (an empty repository's) are
/// never taken for one another.
pub fn same_board(a: &Team, b: &Team) -> bool {
    a.as_of.commit.is_some()
        && (&a.name, &a.scope, &a.as_of.commit, &a.window.since, &a.window.until)
            == (&b.name, &b.scope, &b.as_of.commit, &b.window.since, &b.window.until)
}

/// The boards in one: their visions each once, the totals, the boards in the order given.
pub fn merge(boards: Vec<Team>) -> Org {
    let mut visions: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut t = Totals { boards: boards.len(), ..Totals::default() };
    let mut exception_commits = 0;
    for b in &boards {
        if let Some(v) = &b.vision {
            if seen.insert(v.as_str()) {
                visions.push(v.clone());
            }
        }
        // Saturating: a hand-edited board's counts may be anything.
        let add = |total: &mut usize, n: usize| *total = total.saturating_add(n);
        add(&mut t.in_play, b.in_play.count);
        add(&mut t.limit, b.in_play.limit);
        add(&mut t.over_limit, usize::from(b.in_play.count > b.in_play.limit));
        add(&mut t.commits, b.traced.commits);
        add(&mut t.traced, b.traced.in_play);
        add(&mut t.untraced, b.untraced.commits);
        add(&mut t.exceptions, b.exceptions.count);
        add(&mut exception_commits, (b.exceptions.share * b.traced.commits as f64).round() as usize);
        add(&mut t.errors, b.errors);
        add(&mut t.warnings, b.warnings);
        add(&mut t.drift, b.drift.iter().fold(0, |n: usize, d| n.saturating_add(d.count)));
    }
    t.traced_share = share(t.traced, t.commits);
    t.untraced_share = share(t.untraced, t.commits);
    t.exceptions_share = share(exception_commits, t.commits);
    Org { kind: "organisation", schema_version: SCHEMA_VERSION, visions, totals: t, boards }
}

/// A percentage, whole: `45%`.
fn pct(x: f64) -> String {
    // `+ 0.0` makes a negative zero (-0.004 rounded) positive: `0%`, never `-0%`.
    format!("{:.0}%", (x * 100.0).round() + 0.0)
}

/// The latest date any board is as of.
fn as_of(org: &Org) -> Option<&str> {
    org.boards.iter().map(|b| b.as_of.date.as_str()).max()
}

/// `metric: baseline → latest → target (45%)`.
fn outcome_line(o: &Outcome) -> String {
    let metric = o.metric.as_deref().unwrap_or("(no metric)");
    let latest = o.latest.as_ref().map(|l| format!(" → {}", l.value)).unwrap_or_default();
    let progress = o.progress.map(|p| format!(" ({})", pct(p))).unwrap_or_default();
    format!(
        "{metric}: {}{latest} → {}{progress}",
        o.baseline.as_deref().unwrap_or("—"),
        o.target.as_deref().unwrap_or("(no target)")
    )
}

const CSS: &str = "
*,*::before,*::after{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5rem auto;max-width:68rem;padding:0 1rem;color:#1b1f24;background:#fff;overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
.meta,.muted{color:#57606a}.bad{color:#d1242f}.warn{color:#9a6700}
.id,.badge,.nw,.state{white-space:nowrap}
.state{font-weight:600;font-size:.85rem}.state.regressed{color:#d1242f}.state.met,.state.on-track{color:#1a7f37}.state.slipping,.state.stale{color:#9a6700}.state.unmeasured,.state.measured{color:#57606a}
.badge{display:inline-block;font-size:.8rem;font-weight:600;border-radius:1rem;padding:.05rem .6rem;color:#fff;background:#6e7781}
.badge.on-track,.badge.met,.badge.kept{background:#1a7f37}.badge.at-risk{background:#9a6700}.badge.off-track,.badge.not-kept{background:#d1242f}.badge.delivered{background:#0969da}
.gauge span{display:inline-block;width:1.1rem;height:1.1rem;margin-right:.2rem;border-radius:3px;background:#d0d7de;vertical-align:middle}
.gauge span.on{background:#1a7f37}.gauge span.over{background:#cf222e}
ul.promises{list-style:none;padding:0;margin:.5rem 0}ul.promises>li{padding:.35rem 0;border-bottom:1px solid #eaeef2}
ul.promises .head{display:flex;flex-wrap:wrap;gap:.2rem .6rem;align-items:baseline}
.progress{height:.5rem;background:#eaeef2;border-radius:.25rem;margin:.2rem 0;max-width:220px}.progress span{display:block;height:100%;background:#1a7f37;border-radius:.25rem}.progress.back{background:#ffebe9}.progress.back span{background:#d1242f}
section.team{border:1px solid #d0d7de;border-radius:8px;padding:.2rem 1rem .8rem;margin:1rem 0}section.team h2{border:0;margin:.6rem 0 .2rem}
table.overview{border-collapse:collapse;margin:.5rem 0;width:100%}table.overview th,table.overview td{text-align:left;padding:.2rem .6rem .2rem 0;border-bottom:1px solid #eaeef2;vertical-align:top}table.overview th{color:#57606a;font-weight:600}
svg{max-width:100%;height:auto;display:block}
.legend{display:flex;flex-wrap:wrap;gap:.2rem 1rem}.legend span{white-space:nowrap}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;border-radius:2px}
code{font-size:.9em;background:#f6f8fa;padding:.05rem .25rem;border-radius:4px}
@media (max-width:40rem){table.overview thead{display:none}table.overview,table.overview tbody,table.overview tr,table.overview td{display:block}table.overview tr{border-bottom:1px solid #d0d7de;padding:.3rem 0}table.overview td{border:0;padding:.1rem 0}}
";

/// The colours of a team's work bar: traced to promises in play, declared exceptions, untraced,
/// the rest (traced to something not in play).
const TRACED: &str = "#1a7f37";
const EXCEPTION: &str = "#0969da";
const UNTRACED: &str = "#d1242f";
const OTHER: &str = "#8c959f";

/// A team's commits as one bar, in four parts that add up to its commits needing a trace.
fn work_bar(b: &Team) -> String {
    let total = b.traced.commits;
    let exceptions = ((b.exceptions.share * total as f64).round() as usize).min(total);
    let traced = b.traced.in_play.min(total);
    let untraced = b.untraced.commits.min(total.saturating_sub(traced));
    let exceptions = exceptions.min(total.saturating_sub(traced + untraced));
    let other = total.saturating_sub(traced + untraced + exceptions);
    let mut svg = format!(
        "<svg class=\"work\" viewBox=\"0 0 300 18\" width=\"300\" height=\"18\" role=\"img\" aria-label=\"{} commits: {traced} traced to promises in play, {exceptions} exceptions, {untraced} untraced, {other} other\">",
        total
    );
    if total == 0 {
        svg.push_str("<rect x=\"0\" y=\"0\" width=\"300\" height=\"18\" fill=\"#eaeef2\"/>");
    }
    let mut x = 0.0;
    for (n, colour, what) in [
        (traced, TRACED, "traced"),
        (exceptions, EXCEPTION, "exceptions"),
        (untraced, UNTRACED, "untraced"),
        (other, OTHER, "other"),
    ] {
        if n == 0 {
            continue;
        }
        let w = 300.0 * n as f64 / total as f64;
        let _ = write!(
            svg,
            "<rect data-part=\"{what}\" x=\"{x:.1}\" y=\"0\" width=\"{w:.1}\" height=\"18\" fill=\"{colour}\"><title>{n} {what}</title></rect>"
        );
        x += w;
    }
    svg.push_str("</svg>");
    svg
}

/// The in-play gauge: a square per promise in play or free place, red past the limit.
fn gauge(p: InPlay) -> String {
    let mut g = String::new();
    // A hand-edited board could claim millions: the gauge draws at most 30 squares.
    for i in 0..p.count.max(p.limit).min(30) {
        let class = if i >= p.limit {
            "over"
        } else if i < p.count {
            "on"
        } else {
            ""
        };
        let _ = write!(g, "<span class=\"{class}\"></span>");
    }
    g
}

/// One self-contained HTML page: an overview table, then a section per team with its gauge,
/// its work bar, its promises in play with their outcomes, and its drift.
pub fn html_page(org: &Org) -> String {
    let mut out = String::new();
    let date = as_of(org).map(html).unwrap_or_default();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Organisation board · as of {date}</title><style>{CSS}</style></head><body>\n<header><h1>Organisation board</h1>\
         <p class=\"meta\" id=\"as-of\">{} · as of <span class=\"nw\">{date}</span></p>",
        plural(org.totals.boards, "board")
    );
    for v in &org.visions {
        let _ = write!(out, "<p class=\"vision\">{}</p>", html(v));
    }
    let t = &org.totals;
    let _ = write!(
        out,
        "</header>\n<section id=\"overview\"><h2>Overview</h2><p id=\"totals\"><strong>In play:</strong> {} against limits of {}{} · \
         <strong>traced to promises in play:</strong> {} of {} ({}) · <strong>untraced:</strong> {} · <strong>exceptions:</strong> {} · \
         <strong>drift:</strong> {}</p>",
        t.in_play,
        t.limit,
        if t.over_limit > 0 {
            format!(" <span class=\"bad\">({} over {})</span>", plural(t.over_limit, "team"), if t.over_limit == 1 { "its limit" } else { "their limits" })
        } else {
            String::new()
        },
        t.traced,
        plural(t.commits, "commit"),
        pct(t.traced_share),
        pct(t.untraced_share),
        pct(t.exceptions_share),
        plural(t.drift, "finding"),
    );
    let _ = write!(
        out,
        "<p class=\"legend\"><span><i style=\"background:{TRACED}\"></i>traced to promises in play</span><span><i style=\"background:{EXCEPTION}\"></i>exceptions</span>\
         <span><i style=\"background:{UNTRACED}\"></i>untraced</span><span><i style=\"background:{OTHER}\"></i>other</span></p>"
    );
    out.push_str(
        "<table class=\"overview\"><thead><tr><th>Team</th><th>In play</th><th>Traced</th><th>Untraced</th><th>Exceptions</th><th>Drift</th></tr></thead><tbody>",
    );
    for (i, b) in org.boards.iter().enumerate() {
        let drift = b.drift.iter().fold(0, |n: usize, d| n.saturating_add(d.count));
        let _ = write!(
            out,
            "<tr><td><a href=\"#team-{i}\">{}</a></td><td class=\"{}\">{} of {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html(&b.label),
            if b.in_play.count > b.in_play.limit { "bad" } else { "" },
            b.in_play.count,
            b.in_play.limit,
            pct(b.traced.share),
            pct(b.untraced.share),
            pct(b.exceptions.share),
            drift
        );
    }
    out.push_str("</tbody></table></section>\n");
    for (i, b) in org.boards.iter().enumerate() {
        team_html(&mut out, i, b);
    }
    out.push_str("</body></html>\n");
    out
}

fn team_html(out: &mut String, i: usize, b: &Team) {
    let title = match &b.url {
        Some(u) => format!("<a href=\"{}\">{}</a>", html(u), html(&b.label)),
        None => html(&b.label),
    };
    let commit = b
        .as_of
        .commit
        .as_deref()
        .map(|c| {
            format!(
                " · commit <code class=\"nw\">{}</code>",
                html(&c[..c.char_indices().nth(7).map_or(c.len(), |(i, _)| i)])
            )
        })
        .unwrap_or_default();
    let scope = b.scope.as_deref().map(|s| format!(" · scope <code>{}</code>", html(s))).unwrap_or_default();
    let _ = write!(
        out,
        "<section class=\"team\" id=\"team-{i}\" data-team=\"{}\"><h2>{title}</h2><p class=\"meta\">As of <span class=\"nw\">{}</span>{commit}{scope} · \
         window <span class=\"nw\">{}</span> to <span class=\"nw\">{}</span></p>",
        html(&b.label),
        html(&b.as_of.date),
        html(&b.window.since),
        html(&b.window.until)
    );
    let _ = write!(
        out,
        "<p class=\"gauge\">{} <strong>In play: {} of {}</strong>{}</p>",
        gauge(b.in_play),
        b.in_play.count,
        b.in_play.limit,
        if b.in_play.count > b.in_play.limit { " <span class=\"bad\">over the limit</span>" } else { "" }
    );
    let _ = write!(
        out,
        "{}<p>Traced to promises in play: {} of {} ({}) · untraced: {} ({}){} · exceptions: {}{}</p>",
        work_bar(b),
        b.traced.in_play,
        plural(b.traced.commits, "commit"),
        pct(b.traced.share),
        plural(b.untraced.commits, "commit"),
        pct(b.untraced.share),
        if b.untraced.items > 0 { format!(" and {}", plural(b.untraced.items, "item")) } else { String::new() },
        pct(b.exceptions.share),
        b.exceptions.budget.map(|x| format!(" (budget {})", pct(x))).unwrap_or_default()
    );
    if !b.promises.is_empty() {
        out.push_str("<ul class=\"promises\">");
        for p in &b.promises {
            let badge = p
                .health
                .as_ref()
                .map(|h| format!("<span class=\"badge {}\">{}</span>", h.state.name(), h.state.label()))
                .unwrap_or_default();
            let why = p
                .health
                .as_ref()
                .map(|h| format!("<span class=\"muted\">{}</span>", html(&h.reason)))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<li data-promise=\"{id}\"><div class=\"head\">{badge}<code class=\"id\">{id}</code>{title}{owner}{why}</div>",
                id = html(&p.id),
                title = p.title.as_deref().map(|t| format!("<span>{}</span>", html(t))).unwrap_or_default(),
                owner = p
                    .owner
                    .as_deref()
                    .map(|o| format!("<span class=\"muted owner\">owner {}</span>", html(o)))
                    .unwrap_or_default(),
            );
            for o in &p.outcomes {
                let bar = match o.progress {
                    Some(x) if x < 0.0 => format!(
                        "<div class=\"progress back\"><span style=\"width:{:.0}%\"></span></div>",
                        (-x).min(1.0) * 100.0
                    ),
                    Some(x) => format!(
                        "<div class=\"progress\"><span style=\"width:{:.0}%\"></span></div>",
                        x.min(1.0) * 100.0
                    ),
                    None => String::new(),
                };
                let _ = write!(
                    out,
                    "<div class=\"outcome\">{} <span class=\"state {}\">{}</span>{bar}</div>",
                    html(&outcome_line(o)),
                    o.state.label().replace(' ', "-"),
                    o.state.label()
                );
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    } else {
        out.push_str("<p class=\"muted\">No promise in play.</p>");
    }
    if !b.drift.is_empty() {
        out.push_str("<p><strong>Drift and findings:</strong></p><ul class=\"drift\">");
        for d in &b.drift {
            let _ = write!(out, "<li>{} <code class=\"id\">{}</code>: {}</li>", html(&d.title), html(&d.code), d.count);
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>\n");
}

/// The page in Markdown: an overview table, then a section per team. Every text from a board
/// is escaped ([`md`], [`code`]); links are `<…>` destinations that cannot close early.
pub fn markdown_page(org: &Org) -> String {
    let mut out = String::new();
    let t = &org.totals;
    let _ = writeln!(out, "# Organisation board\n");
    let _ = writeln!(out, "{} · as of {}\n", plural(t.boards, "board"), md(as_of(org).unwrap_or("—")));
    for v in &org.visions {
        let _ = writeln!(out, "> {}\n", md(v));
    }
    let _ = writeln!(
        out,
        "**In play:** {} against limits of {}{} · **traced to promises in play:** {} of {} ({}) · **untraced:** {} · **exceptions:** {} · **drift:** {}\n",
        t.in_play,
        t.limit,
        if t.over_limit > 0 { format!(" ({} over)", plural(t.over_limit, "team")) } else { String::new() },
        t.traced,
        plural(t.commits, "commit"),
        pct(t.traced_share),
        pct(t.untraced_share),
        pct(t.exceptions_share),
        plural(t.drift, "finding")
    );
    out.push_str(
        "| Team | In play | Traced | Untraced | Exceptions | Drift |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for b in &org.boards {
        let drift = b.drift.iter().fold(0, |n: usize, d| n.saturating_add(d.count));
        let over = if b.in_play.count > b.in_play.limit { " ⚠" } else { "" };
        let _ = writeln!(
            out,
            "| {} | {} of {}{over} | {} | {} | {} | {} |",
            link(&b.label, b.url.as_deref()),
            b.in_play.count,
            b.in_play.limit,
            pct(b.traced.share),
            pct(b.untraced.share),
            pct(b.exceptions.share),
            drift
        );
    }
    for b in &org.boards {
        let _ = writeln!(out, "\n## {}\n", link(&b.label, b.url.as_deref()));
        let commit = b
            .as_of
            .commit
            .as_deref()
            .map(|c| format!(" · commit {}", code(&c[..c.char_indices().nth(7).map_or(c.len(), |(i, _)| i)])))
            .unwrap_or_default();
        let scope = b.scope.as_deref().map(|s| format!(" · scope {}", code(s))).unwrap_or_default();
        let _ = writeln!(out, "As of {}{commit}{scope}\n", md(&b.as_of.date));
        let _ = writeln!(
            out,
            "In play: {} of {}{} · traced to promises in play: {} of {} ({}) · untraced: {} ({}) · exceptions: {}\n",
            b.in_play.count,
            b.in_play.limit,
            if b.in_play.count > b.in_play.limit { " (over the limit)" } else { "" },
            b.traced.in_play,
            plural(b.traced.commits, "commit"),
            pct(b.traced.share),
            plural(b.untraced.commits, "commit"),
            pct(b.untraced.share),
            pct(b.exceptions.share)
        );
        for p in &b.promises {
            let health =
                p.health.as_ref().map(|h| format!(" **{}**: {}", h.state.label(), md(&h.reason))).unwrap_or_default();
            let owner = p.owner.as_deref().map(|o| format!(" (owner {})", md(o))).unwrap_or_default();
            let _ = writeln!(out, "- {}{owner}{health}", code(&p.id));
            for o in &p.outcomes {
                let _ = writeln!(out, "  - {} ({})", md(&outcome_line(o)), o.state.label());
            }
        }
        if b.promises.is_empty() {
            out.push_str("No promise in play.\n");
        }
        if !b.drift.is_empty() {
            out.push('\n');
            for d in &b.drift {
                let _ = writeln!(out, "- {} ({}): {}", md(&d.title), code(&d.code), d.count);
            }
        }
    }
    out
}

/// `[label](<url>)`, or the label alone. The URL (checked to be http(s) or relative when given)
/// has `<`, `>`, `|`, `\\` and spaces percent-encoded, so the destination cannot end early
/// nor the table row, and `&` written `&amp;`, so no character reference makes a scheme.
fn link(label: &str, url: Option<&str>) -> String {
    match url {
        Some(u) => {
            let dest: String = u
                .chars()
                .map(|c| match c {
                    '<' => "%3C".into(),
                    '>' => "%3E".into(),
                    ' ' => "%20".into(),
                    // A table cell ends at `|`, `\` escapes the `>` that closes the link, and
                    // `&colon;` is a `:` to a CommonMark reader (`javascript&colon;…`): none
                    // stays what it is.
                    '|' => "%7C".into(),
                    '\\' => "%5C".into(),
                    '&' => "&amp;".into(),
                    '\n' | '\r' | '\t' => String::new(),
                    c if crate::escape::stand_in(c).is_some() => String::new(),
                    c => c.to_string(),
                })
                .collect();
            format!("[{}](<{dest}>)", md(label))
        }
        None => md(label),
    }
}

/// Whether `url` may be a link: `http://`, `https://`, or a relative path (no scheme), with no
/// control character. A `javascript:` link on a page a lead opens is not a link.
pub fn safe_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let scheme = lower.split_once(':').map(|(s, _)| s).filter(|s| !s.contains(['/', '?', '#']));
    let allowed = match scheme {
        Some(s) => s == "http" || s == "https",
        None => true,
    };
    allowed && !url.is_empty() && url.chars().all(|c| !c.is_control() && crate::escape::stand_in(c).is_none())
}

#[cfg(test)]
mod tests {
    #[test]
    fn org_links_are_http_or_relative() {
        assert!(super::safe_url("https://example.com/board.html"));
        assert!(super::safe_url("boards/web.html"));
        assert!(!super::safe_url("javascript:alert(1)"));
        assert!(!super::safe_url("JavaScript:alert(1)"));
        assert!(!super::safe_url("data:text/html,x"));
        assert!(!super::safe_url("https://example.com/\n"));
    }

    #[test]
    fn org_unknown_major_versions_and_garbage_are_refused() {
        let e = super::read("a.json", br#"{"schema_version":"2.0"}"#).err().unwrap();
        assert!(e.message.contains("a.json") && e.message.contains("2.0"), "{}", e.message);
        let e = super::read("b.json", b"{not json").err().unwrap();
        assert!(e.message.contains("b.json is not a plan-lint board"), "{}", e.message);
        let e = super::read("c.json", b"[]").err().unwrap();
        assert!(e.message.contains("c.json"), "{}", e.message);
    }

    /// Counts a hand-edited board may carry: the totals saturate, the page is drawn, nothing
    /// panics (debug builds check overflow).
    /// Counts and shares a board cannot hold together (more traced than commits, a share below 0
    /// or above 1) are refused, never drawn as 1,667% or -250%; a progress just below 0 is `0%`.
    #[test]
    fn org_contradicting_counts_and_shares_are_refused() {
        let board = |traced: &str, untraced: &str, exceptions: &str| {
            format!(
                r#"{{"schema_version":"1.0","name":"x","as_of":{{"date":"2026-01-01","commit":null}},
                "window":{{"since":"2026-01-01","until":"2026-01-02","days":1}},"vision":null,
                "in_play":{{"count":1,"limit":2}},"traced":{traced},"promises":[],
                "untraced":{{"commits":{untraced},"items":[]}},
                "exceptions":{{"commits":[],"items":[],"share":{exceptions},"budget":null}},
                "drift":[],"errors":0,"warnings":0}}"#
            )
        };
        let ok = r#"{"in_play":2,"commits":3,"share":0.6667}"#;
        let read = |b: String| super::read("a.json", b.as_bytes()).map(|_| ()).map_err(|e| e.to_string());
        assert_eq!(read(board(ok, "[1]", "0.5")), Ok(()));
        for (traced, untraced, exceptions, why) in [
            (
                r#"{"in_play":50,"commits":3,"share":0.5}"#,
                "[]",
                "0",
                "traced.in_play (50) is more than traced.commits (3)",
            ),
            (ok, "[1,2,3,4]", "0", "4 untraced commits are more than traced.commits (3)"),
            (r#"{"in_play":1,"commits":3,"share":5}"#, "[]", "0", "traced.share (5) is not between 0 and 1"),
            (ok, "[]", "-2.5", "exceptions.share (-2.5) is not between 0 and 1"),
        ] {
            let err = read(board(traced, untraced, exceptions)).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
        assert_eq!(
            (super::pct(-0.004), super::pct(0.456), super::pct(-0.5)),
            ("0%".into(), "46%".into(), "-50%".into())
        );
    }

    /// serde quotes what it could not read: a huge string is cut, the place kept.
    #[test]
    fn org_a_huge_value_is_not_echoed_whole() {
        let huge = "A".repeat(1 << 20);
        let board = format!(r#"{{"schema_version":"1.0","in_play":{{"count":"{huge}"}}}}"#);
        let err = super::read("a.json", board.as_bytes()).map(|_| ()).expect_err("refused").to_string();
        assert!(err.len() < 600 && err.contains("at line 1 column"), "{}", &err[..err.len().min(700)]);
    }

    #[test]
    fn org_hostile_counts_saturate() {
        let max = usize::MAX;
        let board = format!(
            r#"{{"schema_version":"1.0","name":"x","as_of":{{"date":"2026-01-01","commit":null}},
            "window":{{"since":"2026-01-01","until":"2026-01-02","days":1}},"vision":null,
            "in_play":{{"count":{max},"limit":0}},"traced":{{"in_play":{max},"commits":{max},"share":1}},
            "promises":[],"untraced":{{"commits":[],"items":[]}},
            "exceptions":{{"commits":[],"items":[],"share":1,"budget":null}},
            "drift":[],"errors":{max},"warnings":{max}}}"#
        );
        let teams =
            vec![super::read("a.json", board.as_bytes()).unwrap(), super::read("b.json", board.as_bytes()).unwrap()];
        let org = super::merge(teams);
        assert_eq!((org.totals.in_play, org.totals.errors, org.totals.over_limit), (max, max, 2));
        assert!(super::html_page(&org).contains("In play: 18446744073709551615 of 0"));
        assert!(!super::markdown_page(&org).is_empty());
    }
}
