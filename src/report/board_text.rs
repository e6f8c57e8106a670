//! The promise board as text: a terminal page (aligned, coloured on a terminal) and Markdown (for
//! pull request comments and job summaries, with a Mermaid chart).
//!
//! Untrusted text (plan items, commit subjects, reasons) is escaped for each medium: terminal
//! controls become visible stand-ins; Markdown is made inert by [`super::markdown::escape`].

use super::board::{
    outcome_line, priority_name, Board, DriftNote, HealthState, HypothesisVerdict, ItemRef, OutcomeState, PromiseCard,
};
use super::flow::Flow;
use super::human::Style;
use super::markdown::escape as md;
use super::plural;
use crate::escape::line as term;
use crate::registry::Status;
use std::fmt::Write;

/// How many items or commits a list shows before "+N more".
const SHOWN: usize = 3;

struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.wrap("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.wrap("2", t)
    }
    fn status(&self, s: Status, t: &str) -> String {
        match s {
            Status::InPlay => self.wrap("1;32", t),
            Status::Proposed => self.wrap("33", t),
            Status::Done | Status::Dropped => self.wrap("2", t),
        }
    }
}

/// The terminal colour of a health state: red off track or not kept, yellow at risk, cyan
/// delivered, green on track, met or kept, dim unmeasured.
fn health_colour(h: HealthState) -> &'static str {
    match h {
        HealthState::OffTrack | HealthState::NotKept => "1;31",
        HealthState::AtRisk => "1;33",
        HealthState::Delivered => "1;36",
        HealthState::OnTrack | HealthState::Met | HealthState::Kept => "1;32",
        HealthState::Unmeasured => "2",
    }
}

fn outcome_colour(s: OutcomeState) -> &'static str {
    match s {
        OutcomeState::Regressed => "1;31",
        OutcomeState::Slipping | OutcomeState::Stale => "33",
        OutcomeState::Met | OutcomeState::OnTrack => "32",
        OutcomeState::Measured | OutcomeState::Unmeasured => "2",
    }
}

/// The terminal colour of a hypothesis's verdict: green confirmed, red refuted, yellow
/// unjudged, dim pending.
fn verdict_colour(v: HypothesisVerdict) -> &'static str {
    match v {
        HypothesisVerdict::Confirmed => "1;32",
        HypothesisVerdict::Refuted => "1;31",
        HypothesisVerdict::Unjudged => "1;33",
        HypothesisVerdict::Pending => "2",
    }
}

/// The board's title line: `Shop team · Promise board · as of 2026-03-06 · commit 1a2b3c4`.
fn title_line(b: &Board) -> String {
    let mut t = String::new();
    if let Some(n) = &b.name {
        t.push_str(n);
        t.push_str(" · ");
    }
    t.push_str("Promise board · as of ");
    t.push_str(&b.as_of.date);
    if let Some(c) = &b.as_of.commit {
        t.push_str(" · commit ");
        t.push_str(&c[..c.len().min(7)]);
    }
    t
}

/// `Traced to promises in play: 8 of 11 commits (73%)`.
fn traced_line(b: &Board) -> String {
    format!(
        "Traced to promises in play: {} of {} ({:.0}%)",
        b.traced.in_play,
        plural(b.traced.commits, "commit"),
        b.traced.share * 100.0
    )
}

/// `Effort by priority: must 60% of commits (1 of 3 in play, 33%) · could …`; `None` without
/// any traced commit.
fn effort_line(b: &Board) -> Option<String> {
    if b.priorities.iter().all(|p| p.commits == 0) {
        return None;
    }
    let parts: Vec<String> = b
        .priorities
        .iter()
        .map(|p| {
            format!(
                "{} {:.0}% of commits ({} of {} in play, {:.0}%)",
                p.priority,
                p.commit_share * 100.0,
                p.in_play,
                b.in_play.count,
                p.in_play_share * 100.0
            )
        })
        .collect();
    Some(format!("Effort by priority: {}", parts.join(" · ")))
}

/// The other findings grouped by rule, in the order first seen: (title, code, notes).
fn groups(drift: &[DriftNote]) -> Vec<(&'static str, String, Vec<&DriftNote>)> {
    let mut out: Vec<(&'static str, String, Vec<&DriftNote>)> = Vec::new();
    for d in drift {
        match out.iter_mut().find(|(_, code, _)| *code == d.code.name()) {
            Some(g) => g.2.push(d),
            None => out.push((d.title, d.code.name().to_string(), vec![d])),
        }
    }
    out
}

fn heading(s: Status) -> &'static str {
    match s {
        Status::InPlay => "IN PLAY",
        Status::Proposed => "PROPOSED",
        Status::Done => "DONE",
        Status::Dropped => "DROPPED",
    }
}

/// `ROADMAP.md:7 Rank in-stock first, plans/q3.md:12 Status page, +2 more`.
fn items_line(items: &[ItemRef], esc: &dyn Fn(&str) -> String) -> String {
    let mut parts: Vec<String> =
        items.iter().take(SHOWN).map(|i| format!("{}:{} {}", esc(&i.path), i.line, esc(&i.text))).collect();
    if items.len() > SHOWN {
        parts.push(format!("+{} more", items.len() - SHOWN));
    }
    parts.join(", ")
}

/// A bar for the WIP gauge: `■■□` (in play of limit; over the limit in excess marks).
fn gauge(count: usize, limit: usize) -> String {
    let filled = count.min(limit);
    let mut g = "■".repeat(filled) + &"□".repeat(limit - filled);
    if count > limit {
        g.push_str(&"▲".repeat(count - limit));
    }
    g
}

fn commits_line(c: &PromiseCard) -> String {
    match &c.commits.last {
        None => "no commits".to_string(),
        Some(last) => {
            format!("{} (last {last}, {})", plural(c.commits.count, "commit"), plural(c.commits.authors, "author"))
        }
    }
}

pub fn term_page(b: &Board, style: Style) -> String {
    let p = Paint { color: style.color };
    let esc = |s: &str| term(s).into_owned();
    let mut out = String::new();
    let _ = writeln!(out, "{}", p.bold(&esc(&title_line(b))));
    let _ = writeln!(out, "Window {} to {} ({} days)", b.window.since, b.window.until, b.window.days);
    if let Some(v) = &b.vision {
        let _ = writeln!(out, "Vision: {}", esc(v));
    }

    // The summary: where each promise in play (and each done one) stands, and why.
    let judged: Vec<&PromiseCard> = b.promises.iter().filter(|c| c.health.is_some()).collect();
    if !judged.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("SUMMARY"));
        let iw = judged.iter().map(|c| c.id.chars().count()).max().unwrap_or(0);
        // `  track-orders  off track — regressing: …`, continued under the state.
        let indent = " ".repeat((iw + 4).min(style.width / 2));
        let options = textwrap::Options::new(style.width.max(20))
            .subsequent_indent(&indent)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        for c in &judged {
            let Some(h) = &c.health else { continue };
            let line = format!(
                "  {}  {} — {}",
                p.bold(&format!("{:<iw$}", c.id)),
                p.wrap(health_colour(h.state), h.state.label()),
                esc(&h.reason)
            );
            for part in textwrap::wrap(&line, &options) {
                let _ = writeln!(out, "{part}");
            }
        }
    }
    let _ = writeln!(out, "{}", traced_line(b));
    if let Some(line) = effort_line(b) {
        let _ = writeln!(out, "{line}");
    }
    let over = if b.in_play.count > b.in_play.limit { "  over the limit" } else { "" };
    let _ = writeln!(
        out,
        "In play: {} {} of {}{over}",
        gauge(b.in_play.count, b.in_play.limit),
        b.in_play.count,
        b.in_play.limit
    );

    // What changed in the window.
    let ch = &b.changes;
    if ch.any() {
        let _ = writeln!(out, "\n{}", p.bold(&format!("SINCE {}", b.window.since)));
        for l in &ch.left_play {
            let _ = writeln!(out, "  {} left play on {} (now {})", l.promise, l.date, l.status);
        }
        for n in ch.registry_shown() {
            let _ = writeln!(out, "  {}", esc(&n.line()));
        }
        if !ch.items_closed.is_empty() {
            let _ = writeln!(out, "  {} closed:", plural(ch.items_closed.len(), "item"));
        }
        for i in ch.items_closed.iter().take(SHOWN * 2) {
            let _ = writeln!(out, "    {}", esc(&i.line()));
        }
        if ch.items_closed.len() > SHOWN * 2 {
            let _ = writeln!(out, "    +{} more", ch.items_closed.len() - SHOWN * 2);
        }
        if !ch.readings.is_empty() {
            let _ = writeln!(out, "  {}:", plural(ch.readings.len(), "reading"));
        }
        for r in ch.readings.iter().take(SHOWN * 2) {
            let _ = writeln!(out, "    {}", esc(&r.line()));
        }
        if ch.readings.len() > SHOWN * 2 {
            let _ = writeln!(out, "    +{} more", ch.readings.len() - SHOWN * 2);
        }
    }

    let width = b.promises.iter().map(|c| c.id.chars().count()).max().unwrap_or(0);
    let mut current = None;
    for c in &b.promises {
        if current != Some(c.status) {
            current = Some(c.status);
            let _ = writeln!(out, "\n{}", p.status(c.status, heading(c.status)));
        }
        let customer = c.customer.as_deref().map(|s| format!("  for {}", esc(s))).unwrap_or_default();
        let owner = c.owner.as_deref().map(|s| format!("  owner {}", esc(s))).unwrap_or_default();
        let pad = " ".repeat(width + 4);
        let health = c
            .health
            .as_ref()
            .map(|h| format!("  {}", p.wrap(health_colour(h.state), h.state.label())))
            .unwrap_or_default();
        let head = format!(
            "  {}  {:<6}{customer}{owner}{health}",
            p.bold(&format!("{:<width$}", c.id)),
            priority_name(c.priority)
        );
        let _ = writeln!(out, "{}", head.trim_end());
        let _ = writeln!(out, "{pad}{}", p.dim(&esc(&c.statement)));
        for h in &c.hypotheses {
            let why = h.why();
            let why = if why.is_empty() { why } else { format!(" ({})", esc(&why)) };
            let _ = writeln!(
                out,
                "{pad}hypothesis  {}{why}  {}  {}",
                p.wrap(verdict_colour(h.verdict), h.verdict.name()),
                esc(&h.line()),
                p.dim(&esc(&h.written))
            );
            // The work a plan nests under it.
            if !h.open_items.is_empty() {
                let _ = writeln!(out, "{pad}  open     {}", items_line(&h.open_items, &esc));
            }
            if !h.done_items.is_empty() {
                let _ = writeln!(out, "{pad}  done     {}", items_line(&h.done_items, &esc));
            }
        }
        // Not taking work: one line each, and their open items if any are left.
        if c.status != Status::InPlay {
            if !c.open_items.is_empty() {
                let _ = writeln!(out, "{pad}open     {}", items_line(&c.open_items, &esc));
            }
            continue;
        }
        for o in &c.outcomes {
            let (values, baseline, target) = super::board::series(o);
            let bounds: Vec<f64> = baseline.into_iter().chain(target).collect();
            let spark = super::board::sparkline(&values, &bounds);
            let spark = if spark.is_empty() { spark } else { format!("  {spark}") };
            let state = if o.latest.is_some() {
                let stale = if o.stale && o.state != OutcomeState::Stale { ", stale" } else { "" };
                format!("  {}", p.wrap(outcome_colour(o.state), &format!("{}{stale}", o.state.label())))
            } else {
                String::new()
            };
            let _ = writeln!(out, "{pad}outcome  {}{spark}{state}", esc(&outcome_line(o)));
        }
        if c.outcomes.is_empty() {
            let _ = writeln!(out, "{pad}outcome  {}", p.wrap("33", "none: how will you know it is kept?"));
        }
        let items = format!("{} open, {} done", c.open_items.len(), c.done_items.len());
        let open =
            if c.open_items.is_empty() { String::new() } else { format!(": {}", items_line(&c.open_items, &esc)) };
        let _ = writeln!(out, "{pad}items    {items}{open}");
        if !c.done_items.is_empty() {
            let _ = writeln!(out, "{pad}done     {}", items_line(&c.done_items, &esc));
        }
        let _ = writeln!(out, "{pad}commits  {}", commits_line(c));
        if !c.exceptions.is_empty() {
            let _ = writeln!(out, "{pad}except   {}", items_line(&c.exceptions, &esc));
        }
    }

    out.push_str(&flow_term(b, &p, &esc));

    // The findings, after the promises.
    let colour = if b.errors > 0 {
        "1;31"
    } else if b.warnings > 0 {
        "1;33"
    } else {
        "1;32"
    };
    let _ = writeln!(out, "\n{} {}", p.bold("FINDINGS"), p.wrap(colour, &b.verdict()));
    let u = &b.untraced;
    if !u.commits.is_empty() || !u.items.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            p.wrap(
                "1;31",
                &format!(
                    "Untraced work: {}, {} (untraced-commit, untraced-item)",
                    plural(u.commits.len(), "commit"),
                    plural(u.items.len(), "item")
                )
            )
        );
        for c in u.commits.iter().take(SHOWN) {
            let about = c.about();
            let about = if about.is_empty() { String::new() } else { format!(" · {}", esc(&about)) };
            let _ = writeln!(out, "  commit {} {}{about}", &c.sha[..c.sha.len().min(7)], esc(&c.subject));
        }
        if u.commits.len() > SHOWN {
            let _ = writeln!(out, "  +{} more commits", u.commits.len() - SHOWN);
        }
        if !u.items.is_empty() {
            let _ = writeln!(out, "  {}", items_line(&u.items, &esc));
        }
    }
    if !b.mistraced.is_empty() {
        let _ = writeln!(out, "\n{}", p.wrap("1;31", &format!("Mistraced work: {}", b.mistraced.len())));
        for m in b.mistraced.iter().take(SHOWN * 2) {
            let _ = writeln!(out, "  {} ({}): {} ({})", m.title, m.code, esc(&m.message), esc(&m.place));
        }
        if b.mistraced.len() > SHOWN * 2 {
            let _ = writeln!(out, "  +{} more", b.mistraced.len() - SHOWN * 2);
        }
    }
    let e = &b.exceptions;
    if !e.commits.is_empty() || !e.items.is_empty() {
        let budget = e.budget.map(|b| format!(", budget {:.0}%", b * 100.0)).unwrap_or_default();
        let _ = writeln!(
            out,
            "\n{}",
            p.bold(&format!(
                "Exceptions: {} ({:.0}% of commits{budget}), {}",
                plural(e.commits.len(), "commit"),
                e.share * 100.0,
                plural(e.items.len(), "item")
            ))
        );
        for c in e.commits.iter().take(SHOWN) {
            let reason = c.reason.as_deref().unwrap_or("");
            let _ = writeln!(out, "  commit {} {} — {}", &c.sha[..c.sha.len().min(7)], esc(&c.subject), esc(reason));
        }
        for i in e.items.iter().take(SHOWN) {
            let _ = writeln!(
                out,
                "  {}:{} {} — {}",
                esc(&i.path),
                i.line,
                esc(&i.text),
                esc(i.reason.as_deref().unwrap_or(""))
            );
        }
    }
    for (title, code, notes) in groups(&b.drift) {
        let regressed = code == "outcome-regressed";
        let head = format!("{title} ({code})");
        let _ = writeln!(out, "\n{}", p.wrap(if regressed { "1;31" } else { "1;33" }, &head));
        for d in notes {
            let _ = writeln!(out, "  {}", esc(&d.message));
        }
    }
    // With nothing found, no command to list it.
    let closing = if b.errors + b.warnings == 0 {
        "no errors or warnings in the window".to_string()
    } else {
        format!(
            "{}, {} in the window; each one: plan-lint check --since {} --until {}",
            plural(b.errors, "error"),
            plural(b.warnings, "warning"),
            b.window.since,
            b.window.until
        )
    };
    let _ = writeln!(out, "\n{}", p.dim(&closing));
    if let Some(debt) = &b.baseline {
        let _ = writeln!(out, "{}", p.dim(&debt.line()));
    }
    wrap(&out, style.width)
}

/// Every line of the page fitted to `width` columns: a long line continues under its text,
/// indented past its label. Colour codes take no width.
fn wrap(page: &str, width: usize) -> String {
    let mut out = String::with_capacity(page.len());
    for line in page.lines() {
        if textwrap::core::display_width(line) <= width {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        // Past a label (`outcome  `, `items    `) when there is one.
        let rest = &line[lead..];
        let label =
            rest.find("  ").filter(|&i| i <= 10).map_or(0, |i| i + rest[i..].len() - rest[i..].trim_start().len());
        let indent = " ".repeat((lead + label).min(width / 2));
        let options = textwrap::Options::new(width.max(20))
            .subsequent_indent(&indent)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        for part in textwrap::wrap(line, options) {
            out.push_str(&part);
            out.push('\n');
        }
    }
    out
}

/// Markdown with `code spans` kept as code: the text between backtick pairs is written as a code
/// span ([`super::markdown::code`]: inert, on one line), the rest escaped.
fn md_code(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len() < 3 || parts.len() % 2 == 0 {
        return md(s);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| match i {
            _ if i % 2 == 1 => super::markdown::code(p),
            0 => md(p),
            // Mid-line, after a code span: the space before the text is kept (`md` drops
            // leading white space, which only matters where a text starts a line).
            _ => {
                let rest = p.trim_start_matches([' ', '\t']);
                format!("{}{}", " ".repeat(p.len() - rest.len()), md(rest))
            }
        })
        .collect()
}

/// Promises the Flow section lists one by one (the JSON has them all).
const FLOW_SHOWN: usize = 20;

/// The Flow section for the terminal: the number in play over the registry's revisions against
/// the limit, where it went over, lead times, commits by customer, each promise's history.
fn flow_term(b: &Board, p: &Paint, esc: &dyn Fn(&str) -> String) -> String {
    let f = &b.flow;
    let mut out = String::new();
    let (Some(first), Some(last)) = (f.in_play.first(), f.in_play.last()) else { return out };
    let _ = writeln!(
        out,
        "\n{}",
        p.bold(&format!("FLOW since {} ({})", first.date, plural(f.in_play.len(), "registry revision")))
    );
    let counts: Vec<f64> = f.in_play.iter().map(|x| x.in_play as f64).collect();
    let limits: Vec<f64> = f.in_play.iter().map(|x| x.limit as f64).collect();
    let spark = super::board::sparkline(&counts, &limits);
    let _ = writeln!(
        out,
        "  in play  {spark}{}{} now, limit {}",
        if spark.is_empty() { "" } else { "  " },
        last.in_play,
        last.limit
    );
    // The latest breaches; the JSON has every one.
    let skip = f.breaches.len().saturating_sub(SHOWN);
    if skip > 0 {
        let _ = writeln!(out, "  {}", p.wrap("33", &format!("over the limit {} times; the latest:", f.breaches.len())));
    }
    for x in &f.breaches[skip..] {
        let _ = writeln!(out, "  {}", p.wrap("33", &Flow::breach_line(x)));
    }
    let _ = writeln!(
        out,
        "  lead time  to done: {}; to kept: {}",
        Flow::median(&f.lead_days_done, "done"),
        Flow::median(&f.lead_days_kept, "kept")
    );
    if let Some(shares) = f.customer_shares(esc) {
        let _ = writeln!(out, "  commits by customer: {shares}");
    }
    let width = f.promises.iter().take(FLOW_SHOWN).map(|x| x.promise.chars().count()).max().unwrap_or(0);
    for x in f.promises.iter().take(FLOW_SHOWN) {
        let _ = writeln!(out, "  {:<width$}  {}", x.promise, Flow::promise_line(x));
    }
    if f.promises.len() > FLOW_SHOWN {
        let _ = writeln!(out, "  +{} more", f.promises.len() - FLOW_SHOWN);
    }
    out
}

/// The Flow section in Markdown: the same in text, and the number in play over the last
/// revisions as a Mermaid chart with the limit as a second line.
fn flow_markdown(b: &Board) -> String {
    let f = &b.flow;
    let mut out = String::new();
    let (Some(first), Some(last)) = (f.in_play.first(), f.in_play.last()) else { return out };
    let _ = writeln!(
        out,
        "### Flow\n\nFrom the registry's history since {} ({}): **{} in play now**, limit {}.\n",
        first.date,
        plural(f.in_play.len(), "revision"),
        last.in_play,
        last.limit
    );
    let skip = f.breaches.len().saturating_sub(SHOWN);
    if skip > 0 {
        let _ = writeln!(out, "- ⚠️ Over the limit {} times; the latest:", f.breaches.len());
    }
    for x in &f.breaches[skip..] {
        let _ = writeln!(out, "- ⚠️ {}", Flow::breach_line(x));
    }
    let _ = writeln!(
        out,
        "- Lead time to done: {}; to kept: {}",
        Flow::median(&f.lead_days_done, "done"),
        Flow::median(&f.lead_days_kept, "kept")
    );
    if let Some(shares) = f.customer_shares(md) {
        let _ = writeln!(out, "- Commits by customer: {shares}");
    }
    out.push('\n');
    // The last revisions only: a chart of a thousand points reads as noise.
    let shown = &f.in_play[f.in_play.len().saturating_sub(FLOW_CHART)..];
    if shown.len() >= 2 {
        let dates: Vec<String> = shown.iter().map(|x| format!("\"{}\"", x.date)).collect();
        let counts: Vec<String> = shown.iter().map(|x| x.in_play.to_string()).collect();
        let limits: Vec<String> = shown.iter().map(|x| x.limit.to_string()).collect();
        let max = shown.iter().map(|x| x.in_play.max(x.limit)).max().unwrap_or(1);
        let _ = write!(
            out,
            "```mermaid\nxychart-beta\n    title \"Promises in play after each registry change\"\n    x-axis [{}]\n    y-axis \"promises in play\" 0 --> {}\n    line [{}]\n    line [{}]\n```\n\n*The second line is the limit.*\n\n",
            dates.join(", "),
            max + 1,
            counts.join(", "),
            limits.join(", ")
        );
    }
    out.push_str("| Promise | Proposed | In play | Left play | Days in play | Lead time | Kept |\n|---|---|---|---|---:|---:|---|\n");
    let days = |d: Option<i64>| d.map_or("—".to_string(), |d| plural(d as usize, "day"));
    for x in f.promises.iter().take(FLOW_SHOWN) {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            x.promise,
            x.proposed,
            x.entered_play.as_deref().unwrap_or("—"),
            x.left_play.as_deref().map_or("—".to_string(), |l| format!("{l} ({})", x.status)),
            if x.entered_play.is_some() { x.days_in_play.to_string() } else { "—".to_string() },
            days(x.lead_days_done),
            x.kept.as_deref().map_or("—".to_string(), |k| format!("{k} ({})", days(x.lead_days_kept)))
        );
    }
    if f.promises.len() > FLOW_SHOWN {
        let _ = writeln!(out, "\n{} more in the JSON report.", plural(f.promises.len() - FLOW_SHOWN, "promise"));
    }
    out.push('\n');
    out
}

/// Revisions the Markdown chart shows, the latest.
const FLOW_CHART: usize = 60;

/// A health state's mark in Markdown, where there is no colour: a coloured circle and the words.
fn md_health(h: HealthState) -> String {
    let mark = match h {
        HealthState::OffTrack | HealthState::NotKept => "🔴",
        HealthState::AtRisk => "🟠",
        HealthState::Delivered => "🔵",
        HealthState::OnTrack | HealthState::Met | HealthState::Kept => "🟢",
        HealthState::Unmeasured => "⚪",
    };
    format!("{mark} **{}**", h.label())
}

/// `ROADMAP.md:7 Rank in-stock first; plans/q3.md:12 Status page; 2 more`, escaped for Markdown.
fn md_items(items: &[ItemRef]) -> String {
    let mut parts: Vec<String> =
        items.iter().take(SHOWN).map(|i| format!("{}:{} {}", md(&i.path), i.line, md(&i.text))).collect();
    if items.len() > SHOWN {
        parts.push(format!("{} more", items.len() - SHOWN));
    }
    parts.join("; ")
}

/// The hypotheses of each promise (a table: verdict, what is expected by when, the latest
/// reading, where it is written, the work a plan nests under it), then all the open and done
/// items of each promise that has any. Empty when no promise has a hypothesis.
fn hypotheses_markdown(b: &Board) -> String {
    let with: Vec<&PromiseCard> = b.promises.iter().filter(|c| !c.hypotheses.is_empty()).collect();
    if with.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "### Hypotheses\n\n| Promise | Verdict | Hypothesis | Written | Work under it |\n|---|---|---|---|---|\n",
    );
    for c in &with {
        for h in &c.hypotheses {
            let word = match h.verdict {
                HypothesisVerdict::Refuted => format!("🔴 **{}**", h.verdict.name()),
                HypothesisVerdict::Pending => h.verdict.name().to_string(),
                _ => format!("**{}**", h.verdict.name()),
            };
            let why = h.why();
            let why = if why.is_empty() { why } else { format!(" ({})", md(&why)) };
            let mut work = Vec::new();
            if !h.open_items.is_empty() {
                work.push(format!("open: {}", md_items(&h.open_items)));
            }
            if !h.done_items.is_empty() {
                work.push(format!("done: {}", md_items(&h.done_items)));
            }
            let work = if work.is_empty() { "—".to_string() } else { work.join("<br>") };
            let _ = writeln!(out, "| `{}` | {word}{why} | {} | {} | {work} |", c.id, md(&h.line()), md(&h.written));
        }
    }
    out.push_str("\nAll the work under each promise:\n\n");
    for c in &with {
        let list = md_items;
        let mut parts = Vec::new();
        if !c.open_items.is_empty() {
            parts.push(format!("{} open: {}", c.open_items.len(), list(&c.open_items)));
        }
        if !c.done_items.is_empty() {
            parts.push(format!("{} done: {}", c.done_items.len(), list(&c.done_items)));
        }
        let work = if parts.is_empty() { "no items".to_string() } else { parts.join(" · ") };
        let _ = writeln!(out, "- `{}`: {work}", c.id);
    }
    out.push('\n');
    out
}

pub fn markdown_page(b: &Board) -> String {
    let mut out = String::new();
    let name = b.name.as_deref().map(|n| format!("{} · ", md(n))).unwrap_or_default();
    let _ = writeln!(out, "## {name}Promise board: {} to {}\n", b.window.since, b.window.until);
    let commit = b.as_of.commit.as_deref().map(|c| format!(" · commit `{}`", &c[..c.len().min(7)])).unwrap_or_default();
    let _ = writeln!(out, "As of {}{commit} · {} days\n", b.as_of.date, b.window.days);
    if let Some(v) = &b.vision {
        let _ = writeln!(out, "**Vision:** {}\n", md(v));
    }
    let judged: Vec<&PromiseCard> = b.promises.iter().filter(|c| c.health.is_some()).collect();
    if !judged.is_empty() {
        out.push_str("| Health | Promise | Why |\n|---|---|---|\n");
        for c in &judged {
            let Some(h) = &c.health else { continue };
            let _ = writeln!(out, "| {} | `{}` | {} |", md_health(h.state), c.id, md(&h.reason));
        }
        out.push('\n');
    }
    let over = if b.in_play.count > b.in_play.limit { " — over the limit" } else { "" };
    let _ = writeln!(
        out,
        "**Traced to promises in play:** {} of {} ({:.0}%) · **In play:** {} of {}{over}\n",
        b.traced.in_play,
        plural(b.traced.commits, "commit"),
        b.traced.share * 100.0,
        b.in_play.count,
        b.in_play.limit
    );
    let ch = &b.changes;
    if ch.any() {
        let _ = writeln!(out, "### Since {}\n", b.window.since);
        for l in &ch.left_play {
            let _ = writeln!(out, "- `{}` left play on {} (now {})", l.promise, l.date, l.status);
        }
        for n in ch.registry_shown() {
            let _ = writeln!(out, "- {}", md(&n.line()));
        }
        for i in ch.items_closed.iter().take(SHOWN * 2) {
            let _ = writeln!(out, "- closed: {}", md(&i.line()));
        }
        if ch.items_closed.len() > SHOWN * 2 {
            let _ = writeln!(out, "- {} more closed", ch.items_closed.len() - SHOWN * 2);
        }
        let (shown, more) = ch.readings_shown();
        for r in shown {
            let _ = writeln!(out, "- {}", md(&r.line()));
        }
        if let Some(more) = more {
            let _ = writeln!(out, "- {more}");
        }
        out.push('\n');
    }
    if effort_line(b).is_some() {
        out.push_str("| Priority | Share of commits | Promises in play |\n|---|---:|---:|\n");
        for p in &b.priorities {
            let _ = writeln!(
                out,
                "| {} | {:.0}% ({}) | {:.0}% ({} of {}) |",
                p.priority,
                p.commit_share * 100.0,
                p.commits,
                p.in_play_share * 100.0,
                p.in_play,
                b.in_play.count
            );
        }
        out.push('\n');
    }
    out.push_str(
        "| Promise | Status | Health | Priority | Customer | Owner | Outcomes | Items open / done | Commits | Last |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---:|---:|---|\n");
    for c in &b.promises {
        let outcomes: Vec<String> = c
            .outcomes
            .iter()
            .map(|o| {
                let state = if o.latest.is_some() {
                    let stale = if o.stale && o.state != OutcomeState::Stale { ", stale" } else { "" };
                    format!(" *{}{stale}*", o.state.label())
                } else {
                    String::new()
                };
                format!("{}{state}", md(&outcome_line(o)))
            })
            .collect();
        let _ = writeln!(
            out,
            "| `{}` {} | {} | {} | {} | {} | {} | {} | {} / {} | {} | {} |",
            c.id,
            md(&c.statement),
            c.status,
            c.health.as_ref().map_or("—", |h| h.state.label()),
            priority_name(c.priority),
            c.customer.as_deref().map_or("—".to_string(), md),
            c.owner.as_deref().map_or("—".to_string(), md),
            if outcomes.is_empty() { "—".to_string() } else { outcomes.join("<br>") },
            c.open_items.len(),
            c.done_items.len(),
            c.commits.count,
            c.commits.last.as_deref().unwrap_or("—"),
        );
    }
    out.push('\n');
    // Outcomes with readings: where each stands, and a line of its readings.
    let measured: Vec<(&PromiseCard, &super::board::OutcomeRow)> = b
        .promises
        .iter()
        .flat_map(|c| c.outcomes.iter().map(move |o| (c, o)))
        .filter(|(_, o)| o.latest.is_some())
        .collect();
    if !measured.is_empty() {
        out.push_str("### Outcomes\n\n| Promise | Metric | Baseline | Latest | Target | Progress | State |\n|---|---|---:|---:|---:|---:|---|\n");
        for (c, o) in &measured {
            let latest = o.latest.as_ref().map(|l| format!("{} ({})", md(&l.value), l.date)).unwrap_or_default();
            let stale = if o.stale && o.state != OutcomeState::Stale { ", stale" } else { "" };
            let state = if o.state == OutcomeState::Regressed {
                format!("🔴 **{}**{stale}", o.state.label())
            } else {
                format!("{}{stale}", o.state.label())
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} | {state} |",
                c.id,
                md(o.metric.as_deref().unwrap_or("—")),
                o.baseline.as_deref().map_or("—".to_string(), md),
                latest,
                o.target.as_deref().map_or("—".to_string(), md),
                o.progress.map_or("—".to_string(), |p| format!("{:.0}%", p * 100.0)),
            );
        }
        out.push('\n');
        for (c, o) in &measured {
            let (values, baseline, target) = super::board::series(o);
            if values.len() < 2 {
                continue;
            }
            let (_, unit, _, _) = super::board::points(o);
            // Mermaid has no escaping: the metric and unit reach it as plain words only.
            let plain = |s: &str| -> String {
                s.chars()
                    .map(|c| if c.is_alphanumeric() || " %-.,/€$£".contains(c) { c } else { ' ' })
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let metric = plain(o.metric.as_deref().unwrap_or("outcome"));
            let dates: Vec<String> = o.measurements.iter().map(|m| format!("\"{}\"", m.date)).collect();
            let nums: Vec<String> = values.iter().map(|v| format!("{v}")).collect();
            let unit = plain(&unit);
            let axis = if unit.is_empty() { metric.clone() } else { format!("{metric} ({unit})") };
            let _ = write!(
                out,
                "```mermaid\nxychart-beta\n    title \"{}: {metric}\"\n    x-axis [{}]\n    y-axis \"{axis}\"\n    line [{}]\n",
                c.id,
                dates.join(", "),
                nums.join(", ")
            );
            for v in [baseline, target].into_iter().flatten() {
                let _ = writeln!(out, "    line [{}]", vec![format!("{v}"); values.len()].join(", "));
            }
            out.push_str("```\n\n");
            let labels = [baseline.map(|_| "baseline"), target.map(|_| "target")];
            let labels: Vec<&str> = labels.into_iter().flatten().collect();
            if !labels.is_empty() {
                let _ = writeln!(
                    out,
                    "*The {} {}.*\n",
                    labels.join(" and "),
                    if labels.len() == 1 { "is the flat line" } else { "are the flat lines" }
                );
            }
        }
    }
    out.push_str(&hypotheses_markdown(b));
    // Commits per promise that had any, in board order: ids are registry slugs, safe in Mermaid.
    let worked: Vec<&PromiseCard> = b.promises.iter().filter(|c| c.commits.count > 0).collect();
    if !worked.is_empty() {
        let ids: Vec<String> = worked.iter().map(|c| format!("\"{}\"", c.id)).collect();
        let counts: Vec<String> = worked.iter().map(|c| c.commits.count.to_string()).collect();
        let max = worked.iter().map(|c| c.commits.count).max().unwrap_or(1);
        let _ = write!(
            out,
            "```mermaid\nxychart-beta\n    title \"Commits per promise, {} to {}\"\n    x-axis [{}]\n    y-axis \"commits\" 0 --> {}\n    bar [{}]\n```\n\n",
            b.window.since,
            b.window.until,
            ids.join(", "),
            max,
            counts.join(", ")
        );
    }
    out.push_str(&flow_markdown(b));
    let _ = writeln!(out, "### Findings\n\n**{}**\n", b.verdict());
    let u = &b.untraced;
    if !u.commits.is_empty() || !u.items.is_empty() {
        let _ = writeln!(out, "#### Untraced work (`untraced-commit`, `untraced-item`)\n");
        for c in &u.commits {
            let about = c.about();
            let about = if about.is_empty() { String::new() } else { format!(" · {}", md_code(&about)) };
            let _ = writeln!(out, "- commit `{}` {}{about}", &c.sha[..c.sha.len().min(7)], md(&c.subject));
        }
        for i in &u.items {
            let _ = writeln!(out, "- {}:{} {}", md(&i.path), i.line, md(&i.text));
        }
        out.push('\n');
    }
    let e = &b.exceptions;
    if !e.commits.is_empty() || !e.items.is_empty() {
        let budget = e.budget.map(|b| format!(", budget {:.0}%", b * 100.0)).unwrap_or_default();
        let _ = writeln!(out, "#### Exceptions ({:.0}% of commits{budget})\n", e.share * 100.0);
        for c in &e.commits {
            let _ = writeln!(
                out,
                "- commit `{}` {}: *{}*",
                &c.sha[..c.sha.len().min(7)],
                md(&c.subject),
                md(c.reason.as_deref().unwrap_or(""))
            );
        }
        for i in &e.items {
            let _ = writeln!(
                out,
                "- {}:{} {}: *{}*",
                md(&i.path),
                i.line,
                md(&i.text),
                md(i.reason.as_deref().unwrap_or(""))
            );
        }
        out.push('\n');
    }
    if !b.mistraced.is_empty() {
        let _ = writeln!(out, "#### Mistraced work\n");
        for m in &b.mistraced {
            let _ = writeln!(out, "- {} (`{}`): {} ({})", m.title, m.code, md_code(&m.message), md(&m.place));
        }
        out.push('\n');
    }
    for (title, code, notes) in groups(&b.drift) {
        let mark = if code == "outcome-regressed" { "🔴 " } else { "" };
        let _ = writeln!(out, "#### {mark}{title} (`{code}`)\n");
        for d in notes {
            let _ = writeln!(out, "- {}", md_code(&d.message));
        }
        out.push('\n');
    }
    if let Some(debt) = &b.baseline {
        // Numbers and code spans only: nothing to escape.
        let _ = writeln!(out, "{}\n", debt.line());
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn code_spans_in_markdown_keep_the_space_after_them() {
        assert_eq!(
            super::md_code("2 commits trace to `gift-cards` from 2026-02-01"),
            "2 commits trace to `gift-cards` from 2026-02-01"
        );
        assert_eq!(super::md_code("`a` - `b`"), "`a` \\- `b`");
    }
}
