//! The promise board as one self-contained HTML file: inline CSS, an inline SVG chart of the
//! traced commits per promise per week (stacked bars), no script, no external asset, so it can be
//! attached to a CI run, mailed or opened from disk.
//!
//! Every text from the repository is HTML-escaped ([`html`]), attributes included.

use super::board::{outcome_line, priority_name, Board, DriftNote, HealthState, ItemRef, OutcomeState, PromiseCard};
use super::plural;
use crate::registry::Status;
use crate::when::date;
use std::fmt::Write;

/// Colour-blind-safe palette (Okabe–Ito).
const PALETTE: [&str; 8] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

/// A promise's colour, derived from its id (FNV-1a), so it keeps its colour from run to run
/// whatever else is on the board.
fn colour(id: &str) -> &'static str {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    PALETTE[(hash % PALETTE.len() as u64) as usize]
}

/// Text as HTML, safe in element content and in quoted attributes.
/// Escaped, with `code spans` (as rule messages write ids and keys) shown as code: the text is
/// escaped first, so a backtick pair only ever wraps escaped text.
pub fn html_code(s: &str) -> String {
    let escaped = dates_whole(&html(s));
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len() < 3 || parts.len() % 2 == 0 {
        return escaped;
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| match i % 2 {
            // An id (a slug) stays on one line; other code (a metric, a command) may wrap.
            1 if !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') => {
                format!("<code class=\"id\">{p}</code>")
            }
            1 => format!("<code>{p}</code>"),
            _ => p.to_string(),
        })
        .collect()
}

/// Escaped text for element content, each `YYYY-MM-DD` date in it kept on one line (browsers
/// break after its hyphens on a narrow screen).
fn text(s: &str) -> String {
    dates_whole(&html(s))
}

/// Wraps each `YYYY-MM-DD` in escaped text in `<span class="nw">`. Escaped text has no tags of
/// its own, so the spans only ever wrap text.
fn dates_whole(escaped: &str) -> String {
    let b = escaped.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let is_date = |i: usize| {
        digits(i..i + 4)
            && b.get(i + 4) == Some(&b'-')
            && digits(i + 5..i + 7)
            && b.get(i + 7) == Some(&b'-')
            && digits(i + 8..i + 10)
            && !(i > 0 && b[i - 1].is_ascii_digit())
            && !b.get(i + 10).is_some_and(u8::is_ascii_digit)
    };
    let mut out = String::with_capacity(escaped.len());
    let mut last = 0;
    let mut i = 0;
    while i + 10 <= b.len() {
        if is_date(i) {
            out.push_str(&escaped[last..i]);
            out.push_str("<span class=\"nw\">");
            out.push_str(&escaped[i..i + 10]);
            out.push_str("</span>");
            i += 10;
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&escaped[last..]);
    out
}

pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if crate::escape::stand_in(c).is_some() => out.push(crate::escape::stand_in(c).unwrap_or('\u{FFFD}')),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "
*,*::before,*::after{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5rem auto;max-width:68rem;padding:0 1rem;color:#1b1f24;background:#fff;overflow-wrap:break-word}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}h3{font-size:1rem;margin:1.2rem 0 .3rem}
.team{font-weight:600;color:#57606a;margin:0}.meta{color:#57606a}
.id,.tag,.badge,.nw,.state{white-space:nowrap}
.gauge span{display:inline-block;width:1.1rem;height:1.1rem;margin-right:.2rem;border-radius:3px;background:#d0d7de;vertical-align:middle}
.gauge span.on{background:#1a7f37}.gauge span.over{background:#cf222e}
.badge{display:inline-block;font-size:.8rem;font-weight:600;border-radius:1rem;padding:.05rem .6rem;color:#fff;background:#6e7781}
.badge.on-track,.badge.met,.badge.kept{background:#1a7f37}.badge.at-risk{background:#9a6700}.badge.off-track,.badge.not-kept{background:#d1242f}.badge.delivered{background:#0969da}
ul.health{list-style:none;padding:0;margin:.5rem 0}ul.health li{display:flex;flex-wrap:wrap;gap:.2rem .6rem;align-items:baseline;padding:.35rem 0;border-bottom:1px solid #eaeef2}
ul.health .why{flex:1 1 16rem;min-width:0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(20rem,100%),1fr));gap:1rem}
.card{border:1px solid #d0d7de;border-left:6px solid #d0d7de;border-radius:8px;padding:.8rem 1rem;min-width:0}.card h3{margin:0;font-size:1rem;display:flex;flex-wrap:wrap;gap:.3rem;align-items:baseline}
.card.on-track,.card.met,.card.kept{border-left-color:#1a7f37}.card.at-risk{border-left-color:#bf8700}.card.off-track,.card.not-kept{border-left-color:#d1242f}.card.delivered{border-left-color:#0969da}.card.unmeasured{border-left-color:#8c959f}
.tag{font-size:.75rem;border-radius:1rem;padding:.05rem .5rem;background:#eaeef2}
ul{margin:.3rem 0;padding-left:1.2rem}li{margin:.1rem 0}.muted{color:#57606a}.warn{color:#9a6700}.bad{color:#d1242f}
.hv{font-weight:600;font-size:.8rem;border-radius:.3rem;padding:0 .35rem;white-space:nowrap;background:#eaeef2;color:#57606a}.hv.confirmed{background:#dafbe1;color:#116329}.hv.refuted{background:#ffebe9;color:#a40e26}.hv.unjudged{background:#fff8c5;color:#7d4e00}
.state{font-weight:600;font-size:.85rem}.state.regressed{color:#d1242f}.state.met,.state.on-track{color:#1a7f37}.state.slipping,.state.stale{color:#9a6700}.state.unmeasured{color:#57606a}
.verdict{font-weight:600;font-size:.9rem;padding:.2rem .5rem;border-radius:.3rem;display:inline-block}.verdict.bad{background:#ffebe9;color:#a40e26}.verdict.warn{background:#fff8c5;color:#7d4e00}.verdict.good{background:#dafbe1;color:#116329}
details#findings>summary{cursor:pointer}details#findings>summary h2{display:inline-block;border:0;margin:1.5rem 0 .5rem}
table.effort{border-collapse:collapse;margin:.5rem 0}table.effort th,table.effort td{text-align:left;padding:.15rem .8rem .15rem 0;font-size:.9rem}table.effort td{white-space:nowrap}table.effort th{font-weight:600;color:#57606a}.bar{display:inline-block;height:.6rem;width:0;background:#0969da;border-radius:2px;vertical-align:middle}
table.compact{border-collapse:collapse;margin:.3rem 0}table.compact td{padding:.2rem .6rem;border-bottom:1px solid #eaeef2;vertical-align:top}
.progress{height:.5rem;background:#eaeef2;border-radius:.25rem;margin:.2rem 0;max-width:220px}.progress span{display:block;height:100%;background:#1a7f37;border-radius:.25rem}.progress.back{background:#ffebe9}.progress.back span{background:#d1242f}
svg{max-width:100%;height:auto}svg.trend{display:block;margin:.2rem 0 .4rem}
.legend{display:flex;flex-wrap:wrap;gap:.2rem 1rem;align-items:center}.legend span{white-space:nowrap}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;border-radius:2px}
code{font-size:.9em;background:#f6f8fa;padding:.05rem .25rem;border-radius:4px}
@media (max-width:40rem){body{margin:1rem auto}table.compact,table.compact tbody,table.compact tr,table.compact td{display:block}table.compact tr{border-bottom:1px solid #d0d7de;padding:.3rem 0}table.compact td{border:0;padding:.1rem 0}}
";

fn items(list: &[ItemRef]) -> String {
    let mut out = String::from("<ul>");
    for i in list.iter().take(8) {
        let reason = i.reason.as_deref().map(|r| format!(" — <em>{}</em>", html(r))).unwrap_or_default();
        let _ = write!(out, "<li><code>{}:{}</code> {}{reason}</li>", html(&i.path), i.line, text(&i.text));
    }
    if list.len() > 8 {
        let _ = write!(out, "<li class=\"muted\">+{} more</li>", list.len() - 8);
    }
    out.push_str("</ul>");
    out
}

/// An outcome's progress bar and a chart of its readings: dates along x spaced by time (the
/// window's start marked), values in the metric's unit along y, the baseline and the target as
/// labelled dashed lines, each reading a point with its date and value on hover. Numbers, dates
/// and the unit (escaped) reach the SVG, never other text from the readings.
/// An outcome's readings over time, with its baseline and target as labelled lines, where the
/// window starts, and `marks` (the promise entering play: label and date) as vertical lines, so
/// a lead sees what moved after the work began.
fn outcome_chart(o: &super::board::OutcomeRow, since: &str, marks: &[(&str, &str)]) -> String {
    use super::board::with_unit;
    let mut out = String::new();
    if let Some(p) = o.progress {
        // Moving the wrong way fills a red bar by how far back it went: visible, not an empty bar.
        let width = (p.abs().min(1.0) * 100.0).round();
        let class = if p < 0.0 { " back" } else { "" };
        let _ = write!(
            out,
            "<div class=\"progress{class}\" role=\"progressbar\" aria-valuenow=\"{:.0}\" aria-valuemin=\"0\" aria-valuemax=\"100\"><span style=\"width:{width}%\"></span></div>",
            p * 100.0
        );
    }
    let (points, unit, baseline, target) = super::board::points(o);
    if points.len() < 2 {
        return out;
    }
    let (w, h, left, right, top, bottom) = (320.0, 150.0, 64.0, 52.0, 10.0, 22.0);
    let values = points.iter().map(|p| p.1).chain(baseline).chain(target);
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    // Halved first, so the span of numbers near the largest double stays finite.
    let span = if hi > lo { hi / 2.0 - lo / 2.0 } else { 1.0 };
    let y = |v: f64| h - bottom - (v / 2.0 - lo / 2.0) / span * (h - top - bottom);
    let start = super::board::day_number(since).filter(|&d| d < points[0].0);
    let marks: Vec<(&str, &str, i64)> =
        marks.iter().filter_map(|&(label, date)| Some((label, date, super::board::day_number(date)?))).collect();
    let last = marks.iter().map(|m| m.2).fold(points[points.len() - 1].0, i64::max);
    let first = marks.iter().map(|m| m.2).chain(start).fold(points[0].0, i64::min);
    let days = (last - first).max(1) as f64;
    let x = |d: i64| left + (d - first) as f64 / days * (w - left - right);
    let _ = write!(
        out,
        "<svg class=\"trend\" role=\"img\" aria-label=\"readings over time\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"10\" fill=\"#57606a\">"
    );
    // The y axis: its bounds in the metric's unit.
    for v in [lo, hi] {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 4.0,
            y(v) + 3.0,
            html(&with_unit(v, &unit))
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{:.1}\" stroke=\"#d0d7de\"/><line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#d0d7de\"/>",
        h - bottom,
        w - right,
        h - bottom,
        h - bottom
    );
    // The x axis: the first and last dates, and where the window starts.
    let date_of = |d: i64| {
        jiff::civil::date(1970, 1, 1).checked_add(jiff::Span::new().days(d)).map(|d| d.to_string()).unwrap_or_default()
    };
    let _ = write!(
        out,
        "<text x=\"{left}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        h - 6.0,
        date_of(first),
        w - right,
        h - 6.0,
        date_of(last)
    );
    if let Some(s) = start {
        let _ = write!(
            out,
            "<line class=\"window\" x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{top}\" y2=\"{1:.1}\" stroke=\"#8c959f\" stroke-dasharray=\"1 2\"><title>the window starts {since}</title></line>",
            x(s),
            h - bottom
        );
    }
    for (value, label, colour) in [(baseline, "baseline", "#8c959f"), (target, "target", "#1a7f37")] {
        if let Some(v) = value {
            let _ = write!(
                out,
                "<line class=\"{label}\" x1=\"{left}\" x2=\"{end:.1}\" y1=\"{at:.1}\" y2=\"{at:.1}\" stroke=\"{colour}\" stroke-dasharray=\"4 3\"/><text x=\"{tx:.1}\" y=\"{ty:.1}\" fill=\"{colour}\">{label}</text>",
                end = w - right,
                tx = w - right + 3.0,
                at = y(v),
                ty = y(v) + 3.0
            );
        }
    }
    for &(label, date, d) in &marks {
        let class = label.split(' ').next().unwrap_or(label);
        let _ = write!(
            out,
            "<line class=\"mark {class}\" x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{top}\" y2=\"{1:.1}\" stroke=\"#8250df\" stroke-dasharray=\"2 2\"><title>{2} {3}</title></line><text x=\"{4:.1}\" y=\"{5:.1}\" fill=\"#8250df\">{6}</text>",
            x(d),
            h - bottom,
            html(label),
            html(date),
            x(d) + 2.0,
            top + 8.0,
            if class == "entered" { "▶" } else { "✔" }
        );
    }
    let line = if o.state == OutcomeState::Regressed { "#d1242f" } else { "#0969da" };
    let coords: Vec<String> = points.iter().map(|&(d, v)| format!("{:.1},{:.1}", x(d), y(v))).collect();
    let _ =
        write!(out, "<polyline fill=\"none\" stroke=\"{line}\" stroke-width=\"2\" points=\"{}\"/>", coords.join(" "));
    for &(d, v) in &points {
        let _ = write!(
            out,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{line}\"><title>{}: {}</title></circle>",
            x(d),
            y(v),
            date_of(d),
            html(&with_unit(v, &unit))
        );
    }
    out.push_str("</svg>");
    out
}

/// The Flow section: promises in play after each revision of the registry as a step line
/// against the limit (dashed), spaced by time, a mark where it went over; lead times, commits by
/// customer, and each promise's history.
fn flow(b: &Board) -> String {
    use super::flow::Flow;
    let f = &b.flow;
    let mut out = String::new();
    let (Some(first), Some(last)) = (f.in_play.first(), f.in_play.last()) else { return out };
    let _ = write!(
        out,
        "<section id=\"flow\"><h2>Flow</h2><p>From the registry's history since <span class=\"nw\">{}</span> ({}): <strong>{} in play now</strong>, limit {}.</p>",
        first.date,
        plural(f.in_play.len(), "revision"),
        last.in_play,
        last.limit
    );
    let day = |d: &str| super::board::day_number(d).unwrap_or(0);
    let (start, end) = (day(&first.date), day(&b.window.until).max(day(&last.date)));
    let (w, h, left, right, top, bottom) = (640.0, 160.0, 36.0, 44.0, 10.0, 22.0);
    let max = f.in_play.iter().map(|x| x.in_play.max(x.limit)).max().unwrap_or(1).max(1) as f64;
    let x = |d: i64| left + (d - start) as f64 / (end - start).max(1) as f64 * (w - left - right);
    let y = |v: usize| h - bottom - v as f64 / max * (h - top - bottom);
    let _ = write!(
        out,
        "<svg id=\"flow-chart\" role=\"img\" aria-label=\"promises in play over time, and the limit\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"10\" fill=\"#57606a\">\
         <line x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{b0:.1}\" stroke=\"#d0d7de\"/><line x1=\"{left}\" x2=\"{r:.1}\" y1=\"{b0:.1}\" y2=\"{b0:.1}\" stroke=\"#d0d7de\"/>\
         <text x=\"{lx:.1}\" y=\"{t0:.1}\" text-anchor=\"end\">{max}</text><text x=\"{lx:.1}\" y=\"{b3:.1}\" text-anchor=\"end\">0</text>\
         <text x=\"{left}\" y=\"{dy:.1}\">{}</text><text x=\"{r:.1}\" y=\"{dy:.1}\" text-anchor=\"end\">{}</text>",
        first.date,
        (&b.window.until).max(&last.date),
        b0 = h - bottom,
        r = w - right,
        lx = left - 4.0,
        t0 = top + 3.0,
        b3 = h - bottom + 3.0,
        dy = h - 6.0,
    );
    // Step lines: each value holds until the next revision, the last until the window's end.
    let steps = |value: &dyn Fn(&super::flow::InPlayPoint) -> usize| -> String {
        let mut pts = Vec::new();
        for (i, p) in f.in_play.iter().enumerate() {
            let next = f.in_play.get(i + 1).map_or(end, |n| day(&n.date));
            pts.push(format!("{:.1},{:.1}", x(day(&p.date)), y(value(p))));
            pts.push(format!("{:.1},{:.1}", x(next), y(value(p))));
        }
        pts.join(" ")
    };
    let _ = write!(
        out,
        "<polyline class=\"limit\" fill=\"none\" stroke=\"#cf222e\" stroke-width=\"2\" stroke-dasharray=\"6 4\" points=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#cf222e\">limit</text>",
        steps(&|p| p.limit),
        w - right + 3.0,
        y(last.limit) + 3.0
    );
    let _ = write!(
        out,
        "<polyline class=\"in-play\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"3\" points=\"{}\"/>",
        steps(&|p| p.in_play)
    );
    for p in &f.breaches {
        let _ = write!(
            out,
            "<circle class=\"breach\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"#cf222e\"><title>{}</title></circle>",
            x(day(&p.date)),
            y(p.in_play),
            html(&Flow::breach_line(p))
        );
    }
    out.push_str("</svg><ul>");
    // The latest breaches in words (each one is marked on the chart).
    let skip = f.breaches.len().saturating_sub(10);
    if skip > 0 {
        let _ = write!(out, "<li class=\"bad\">Over the limit {} times; the latest:</li>", f.breaches.len());
    }
    for p in &f.breaches[skip..] {
        let _ = write!(out, "<li class=\"bad\">{}</li>", text(&Flow::breach_line(p)));
    }
    let _ = write!(
        out,
        "<li>Lead time to done: {}; to kept: {}</li>",
        Flow::median(&f.lead_days_done, "done"),
        Flow::median(&f.lead_days_kept, "kept")
    );
    if let Some(shares) = f.customer_shares(html) {
        let _ = write!(out, "<li>Commits by customer: {shares}</li>");
    }
    out.push_str("</ul><ul class=\"flow-promises\">");
    for p in &f.promises {
        let _ = write!(out, "<li><code class=\"id\">{}</code> {}</li>", html(&p.promise), text(&Flow::promise_line(p)));
    }
    out.push_str("</ul></section>");
    out
}

/// A health badge: the state's words on its colour.
fn badge(h: HealthState) -> String {
    format!("<span class=\"badge {}\">{}</span>", h.name(), h.label())
}

/// An outcome's state as a coloured word: `regressed`, `met`, `stale`.
fn state(o: &super::board::OutcomeRow) -> String {
    if o.latest.is_none() {
        return String::new();
    }
    let class = match o.state {
        OutcomeState::Met => "met",
        OutcomeState::Regressed => "regressed",
        OutcomeState::Slipping => "slipping",
        OutcomeState::Stale => "stale",
        OutcomeState::OnTrack => "on-track",
        OutcomeState::Measured => "measured",
        OutcomeState::Unmeasured => "unmeasured",
    };
    let stale = if o.stale && o.state != OutcomeState::Stale { ", stale" } else { "" };
    format!(" <span class=\"state {class}\">{}{stale}</span>", o.state.label())
}

/// ` Owner: @search-team.` after the statement, when the registry names one.
fn owner(c: &PromiseCard) -> String {
    c.owner
        .as_deref()
        .map(|o| format!(" <span class=\"muted\">Owner: <span class=\"owner\">{}</span>.</span>", html(o)))
        .unwrap_or_default()
}

/// A promise's hypotheses: each verdict as a coloured word, then what is expected by when,
/// the latest reading, and where it is written. The items under the promise test them.
fn hypotheses(c: &PromiseCard) -> String {
    if c.hypotheses.is_empty() {
        return String::new();
    }
    let mut out = String::from("<strong>Hypotheses</strong><ul class=\"hyps\">");
    for h in &c.hypotheses {
        let why = h.why();
        let why = if why.is_empty() { why } else { format!(" <span class=\"muted\">({})</span>", text(&why)) };
        let _ = write!(
            out,
            "<li><span class=\"hv {v}\">{v}</span>{why} {line} <span class=\"muted\">{written}</span>",
            v = h.verdict.name(),
            line = text(&h.line()),
            written = html(&h.written),
        );
        // The work a plan nests under it.
        if !h.open_items.is_empty() {
            out.push_str(&items(&h.open_items));
        }
        if !h.done_items.is_empty() {
            let _ = write!(
                out,
                "<details class=\"done\"><summary>{} done</summary>{}</details>",
                h.done_items.len(),
                items(&h.done_items)
            );
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    out
}

fn card(c: &PromiseCard, since: &str, flow: &super::flow::Flow, closed: &[super::board::ClosedRef]) -> String {
    let mut out = String::new();
    let status = c.status.as_str();
    let health = c.health.as_ref().map_or("", |h| h.state.name());
    let _ = write!(
        out,
        "<div class=\"card {status} {health}\" data-promise=\"{id}\"><h3><code class=\"id\">{id}</code>{title}<span class=\"tag\">{status}</span><span class=\"tag\">{prio}</span>{badge}</h3>\
         <p>{statement}{customer}{owner}</p>",
        id = html(&c.id),
        title = c.title.as_deref().map(|t| format!(" <span>{}</span>", html(t))).unwrap_or_default(),
        prio = priority_name(c.priority),
        badge = c.health.as_ref().map(|h| badge(h.state)).unwrap_or_default(),
        statement = html(&c.statement),
        customer = c.customer.as_deref().map(|s| format!(" <span class=\"muted\">For {}.</span>", html(s))).unwrap_or_default(),
        owner = owner(c),
    );
    if let Some(h) = &c.health {
        let _ = write!(out, "<p class=\"why\">{}</p>", text(&h.reason));
    }
    // Where the promise first entered play (from the registry's history) and where the window
    // closed its items (ship markers), marked on each outcome's chart.
    let entered = flow.promises.iter().find(|f| f.promise == c.id).and_then(|f| f.entered_play.as_deref());
    let mut marks: Vec<(&str, &str)> = entered.map(|d| ("entered play", d)).into_iter().collect();
    let shipped = closed.iter().filter(|i| i.promises.contains(&c.id)).filter_map(|i| i.date.as_deref());
    marks.extend(shipped.map(|d| ("item closed", d)));
    if !c.outcomes.is_empty() {
        out.push_str("<strong>Outcomes</strong><ul>");
        for o in &c.outcomes {
            let _ = write!(out, "<li>{}{}{}</li>", text(&outcome_line(o)), state(o), outcome_chart(o, since, &marks));
        }
        out.push_str("</ul>");
    } else if c.status == Status::InPlay {
        out.push_str("<p class=\"warn\">No measurable outcome: how will you know it is kept?</p>");
    }
    out.push_str(&hypotheses(c));
    let _ = write!(
        out,
        "<p><strong>Commits</strong> {}{}</p>",
        c.commits.count,
        c.commits
            .last
            .as_deref()
            .map(|l| format!(
                " <span class=\"muted\">(last <span class=\"nw\">{l}</span>, {})</span>",
                plural(c.commits.authors, "author")
            ))
            .unwrap_or_default()
    );
    let _ = write!(out, "<p><strong>Items</strong> {} open, {} done</p>", c.open_items.len(), c.done_items.len());
    if !c.open_items.is_empty() {
        out.push_str(&items(&c.open_items));
    }
    if !c.done_items.is_empty() {
        let _ = write!(
            out,
            "<details class=\"done\"><summary>{} done</summary>{}</details>",
            c.done_items.len(),
            items(&c.done_items)
        );
    }
    if !c.exceptions.is_empty() {
        out.push_str("<p><strong>Exceptions</strong></p>");
        out.push_str(&items(&c.exceptions));
    }
    out.push_str("</div>");
    out
}

/// The other findings grouped by rule: a plain title, then the code, then each message.
fn finding_groups(drift: &[DriftNote]) -> String {
    let mut out = String::new();
    let mut seen: Vec<crate::code::Code> = Vec::new();
    for d in drift {
        if seen.contains(&d.code) {
            continue;
        }
        seen.push(d.code);
        let class = if d.code == crate::code::Code::OutcomeRegressed { "bad" } else { "warn" };
        let _ =
            write!(out, "<h3 class=\"{class}\" data-code=\"{}\">{} <code>{}</code></h3><ul>", d.code, d.title, d.code);
        for n in drift.iter().filter(|n| n.code == d.code) {
            let _ = write!(out, "<li>{}</li>", html_code(&n.message));
        }
        out.push_str("</ul>");
    }
    out
}

/// Stacked bars: one per week, a segment per promise with commits that week (in its colour, from
/// its id), then work on promises not in play (shadow work: hatched), declared exceptions (amber)
/// and untraced commits (grey), each its own series.
fn chart(b: &Board) -> String {
    let weeks = b.weeks.len();
    let worked = |c: &&PromiseCard| c.commits.per_week.iter().any(|&n| n > 0);
    let series: Vec<&PromiseCard> = b.promises.iter().filter(worked).filter(|c| c.status == Status::InPlay).collect();
    let shadow: Vec<&PromiseCard> = b.promises.iter().filter(worked).filter(|c| c.status != Status::InPlay).collect();
    let untraced = |i: usize| b.untraced_per_week.get(i).copied().unwrap_or(0);
    let excepted = |i: usize| b.exceptions_per_week.get(i).copied().unwrap_or(0);
    let any_untraced = (0..weeks).any(|i| untraced(i) > 0);
    let any_excepted = (0..weeks).any(|i| excepted(i) > 0);
    if (series.is_empty() && shadow.is_empty() && !any_untraced && !any_excepted) || weeks == 0 {
        return "<p class=\"muted\">No commits in the window.</p>".to_string();
    }
    let (w, h, left, bottom, top) = (760.0, 260.0, 40.0, 30.0, 10.0);
    let totals: Vec<usize> = (0..weeks)
        .map(|i| series.iter().chain(&shadow).map(|c| c.commits.per_week[i]).sum::<usize>() + untraced(i) + excepted(i))
        .collect();
    // Rounded up to a multiple of 3, so the three grid lines fall on whole numbers.
    let max = ((*totals.iter().max().unwrap_or(&1)).max(1).div_ceil(3) * 3) as f64;
    let slot = (w - left) / weeks as f64;
    let bar = (slot * 0.7).min(60.0);
    // A date label is about 70 units wide: every k-th week is labelled when they are narrower.
    let every = (75.0 / slot).ceil().max(1.0) as usize;
    let mut svg = format!(
        "<svg id=\"chart\" role=\"img\" aria-label=\"Commits per promise per week\" viewBox=\"0 0 {w} {h}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">\
         <defs><pattern id=\"shadow\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"6\" fill=\"#fff\" fill-opacity=\"0.6\"/></pattern></defs>"
    );
    // Axis and three grid lines.
    for k in 0..=3 {
        let v = max * f64::from(k) / 3.0;
        let y = h - bottom - (h - bottom - top) * f64::from(k) / 3.0;
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{w}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d0d7de\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#57606a\">{:.0}</text>",
            left - 6.0,
            y + 4.0,
            v
        );
    }
    for (i, week) in b.weeks.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = h - bottom;
        let week = date(*week);
        let mut segment = |svg: &mut String, n: usize, attrs: String, fill: &str, what: String, hatched: bool| {
            if n == 0 {
                return;
            }
            let height = (h - bottom - top) * n as f64 / max;
            y -= height;
            let _ = write!(
                svg,
                "<rect {attrs} x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{height:.1}\" fill=\"{fill}\"><title>{what}: {n} in the week of {week}</title></rect>"
            );
            if hatched {
                let _ = write!(
                    svg,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{height:.1}\" fill=\"url(#shadow)\" pointer-events=\"none\"/>"
                );
            }
        };
        for c in &series {
            let id = html(&c.id);
            segment(&mut svg, c.commits.per_week[i], format!("data-promise=\"{id}\""), colour(&c.id), id, false);
        }
        for c in &shadow {
            let id = html(&c.id);
            let what = format!("{id} ({}, shadow work)", c.status);
            segment(
                &mut svg,
                c.commits.per_week[i],
                format!("data-promise=\"{id}\" data-shadow=\"1\""),
                colour(&c.id),
                what,
                true,
            );
        }
        let n = excepted(i);
        segment(&mut svg, n, format!("data-exceptions=\"{n}\""), "#bf8700", "declared exceptions".into(), false);
        let n = untraced(i);
        segment(&mut svg, n, format!("data-untraced=\"{n}\""), "#8c959f", "untraced".into(), false);
        if i % every == 0 {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#57606a\">{week}</text>",
                x + bar / 2.0,
                h - bottom + 16.0,
            );
        }
    }
    svg.push_str("</svg><p class=\"legend\">Weeks start on Monday. ");
    for c in &series {
        let _ = write!(
            svg,
            "<span><i style=\"background:{}\"></i><code class=\"id\">{}</code></span>",
            colour(&c.id),
            html(&c.id)
        );
    }
    for c in &shadow {
        let _ = write!(
            svg,
            "<span><i style=\"background:{};background-image:repeating-linear-gradient(45deg,transparent 0 2px,rgba(255,255,255,.6) 2px 4px)\"></i><code class=\"id\">{}</code> ({}, shadow work)</span>",
            colour(&c.id),
            html(&c.id),
            c.status
        );
    }
    if any_excepted {
        svg.push_str("<span><i style=\"background:#bf8700\"></i>declared exceptions</span>");
    }
    if any_untraced {
        svg.push_str("<span><i style=\"background:#8c959f\"></i>untraced</span>");
    }
    svg.push_str("</p>");
    svg
}

pub fn page(b: &Board) -> String {
    let mut out = String::new();
    let name = b.name.as_deref().map(|n| format!("{} · ", html(n))).unwrap_or_default();
    let title = format!("{name}Promise board · as of {}", b.as_of.date);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{CSS}</style></head><body>\n<header>"
    );
    if let Some(n) = &b.name {
        let _ = write!(out, "<p class=\"team\" id=\"team\">{}</p>", html(n));
    }
    let commit = b
        .as_of
        .commit
        .as_deref()
        .map(|c| format!(" · commit <code class=\"nw\">{}</code>", html(&c[..c.len().min(7)])))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<h1>Promise board</h1><p class=\"meta\" id=\"as-of\">As of <span class=\"nw\">{}</span>{commit} · window <span class=\"nw\">{}</span> to <span class=\"nw\">{}</span> ({} days)</p>",
        b.as_of.date, b.window.since, b.window.until, b.window.days
    );
    if let Some(v) = &b.vision {
        let _ = write!(out, "<p class=\"meta\">{}</p>", html(v));
    }
    out.push_str("</header>");

    // The summary: each promise in play and each done one, its health and why.
    out.push_str("<section id=\"summary\">");
    let judged: Vec<&PromiseCard> = b.promises.iter().filter(|c| c.health.is_some()).collect();
    if !judged.is_empty() {
        out.push_str("<ul class=\"health\">");
        for c in judged {
            let Some(h) = &c.health else { continue };
            let _ = write!(
                out,
                "<li data-promise=\"{id}\" data-health=\"{state}\">{badge}<code class=\"id\">{id}</code><span class=\"why\">{why}</span></li>",
                id = html(&c.id),
                state = h.state.name(),
                badge = badge(h.state),
                why = text(&h.reason),
            );
        }
        out.push_str("</ul>");
    }
    let _ = write!(
        out,
        "<p id=\"traced\"><strong>Traced to promises in play:</strong> {} of {} ({:.0}%)</p>",
        b.traced.in_play,
        plural(b.traced.commits, "commit"),
        b.traced.share * 100.0
    );
    // Effort against priority: each priority's share of the commits beside its share of the
    // promises in play.
    if b.priorities.iter().any(|p| p.commits > 0) {
        out.push_str("<table class=\"effort\" id=\"effort\"><thead><tr><th>Priority</th><th>Commits</th><th>In play</th></tr></thead><tbody>");
        for p in &b.priorities {
            let _ = write!(
                out,
                "<tr><td>{}</td><td><span class=\"bar\" style=\"width:{:.1}rem\"></span> {:.0}%</td><td>{:.0}% <span class=\"muted\">({} of {})</span></td></tr>",
                p.priority,
                p.commit_share * 6.0,
                p.commit_share * 100.0,
                p.in_play_share * 100.0,
                p.in_play,
                b.in_play.count
            );
        }
        out.push_str("</tbody></table>");
    }
    let mut gauge = String::new();
    for i in 0..b.in_play.count.max(b.in_play.limit) {
        let class = if i >= b.in_play.limit {
            "over"
        } else if i < b.in_play.count {
            "on"
        } else {
            ""
        };
        let _ = write!(gauge, "<span class=\"{class}\"></span>");
    }
    let _ = write!(
        out,
        "<p class=\"gauge\" id=\"wip\">{gauge} <strong>In play: {} of {}</strong>{}</p></section>",
        b.in_play.count,
        b.in_play.limit,
        if b.in_play.count > b.in_play.limit { " <span class=\"bad\">over the limit</span>" } else { "" }
    );
    let ch = &b.changes;
    if ch.any() {
        let _ = write!(out, "<section id=\"changes\"><h2>Since <span class=\"nw\">{}</span></h2><ul>", b.window.since);
        for l in &ch.left_play {
            let _ = write!(
                out,
                "<li><code class=\"id\">{}</code> left play on <span class=\"nw\">{}</span> (now {})</li>",
                html(&l.promise),
                l.date,
                l.status
            );
        }
        for n in ch.registry_shown() {
            let _ = write!(out, "<li class=\"reg\">{}</li>", text(&n.line()));
        }
        for i in &ch.items_closed {
            let _ = write!(out, "<li class=\"closed\">closed: {}</li>", text(&i.line()));
        }
        let (shown, more) = ch.readings_shown();
        for r in shown {
            let _ = write!(out, "<li>{}</li>", text(&r.line()));
        }
        if let Some(more) = more {
            let _ = write!(out, "<li class=\"muted\">{more}</li>");
        }
        out.push_str("</ul></section>");
    }
    for status in [Status::InPlay, Status::Proposed, Status::Done, Status::Dropped] {
        let cards: Vec<&PromiseCard> = b.promises.iter().filter(|c| c.status == status).collect();
        if cards.is_empty() {
            continue;
        }
        let _ = write!(out, "<h2>{}</h2>", html(&format!("{} ({})", heading(status), cards.len())));
        if status == Status::InPlay {
            out.push_str("<div class=\"cards\">");
            for c in cards {
                out.push_str(&card(c, &b.window.since, &b.flow, &b.changes.items_closed));
            }
            out.push_str("</div>");
            continue;
        }
        // Not taking work: a compact row each.
        out.push_str("<table class=\"compact\"><tbody>");
        for c in cards {
            let _ = write!(
                out,
                "<tr data-promise=\"{id}\"><td><code class=\"id\">{id}</code>{badge}</td><td>{statement}{owner}{hypotheses}{open_items}</td><td>{prio}</td><td>{open} open, {done} done</td><td>{commits}</td></tr>",
                id = html(&c.id),
                badge = c.health.as_ref().map(|h| format!(" {}", badge(h.state))).unwrap_or_default(),
                statement = html(&c.statement),
                owner = owner(c),
                hypotheses = hypotheses(c),
                // Open items left under a promise not in play are worth seeing.
                open_items = if c.open_items.is_empty() { String::new() } else { items(&c.open_items) },
                prio = priority_name(c.priority),
                open = c.open_items.len(),
                done = c.done_items.len(),
                commits = plural(c.commits.count, "commit"),
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("<h2>Work per week</h2>");
    out.push_str(&chart(b));
    out.push_str(&flow(b));

    // The findings, folded: the verdict says how many; opening shows each.
    let verdict = if b.errors > 0 {
        "bad"
    } else if b.warnings > 0 {
        "warn"
    } else {
        "good"
    };
    let _ = write!(
        out,
        "<details id=\"findings\"><summary><h2>Findings <span class=\"verdict {verdict}\" id=\"verdict\">{}</span></h2></summary>",
        html(&b.verdict())
    );
    let u = &b.untraced;
    if !u.commits.is_empty() || !u.items.is_empty() {
        let _ = write!(
            out,
            "<h3 class=\"bad\">Untraced work <code>untraced-commit</code> <code>untraced-item</code></h3><ul>"
        );
        for c in &u.commits {
            let about = c.about();
            let about = if about.is_empty() {
                String::new()
            } else {
                format!(" <span class=\"muted\">{}</span>", html_code(&about))
            };
            let _ = write!(
                out,
                "<li>commit <code>{}</code> {}{about}</li>",
                html(&c.sha[..c.sha.len().min(7)]),
                text(&c.subject)
            );
        }
        out.push_str("</ul>");
        if !u.items.is_empty() {
            out.push_str(&items(&u.items));
        }
    }
    if !b.mistraced.is_empty() {
        out.push_str("<h3 class=\"bad\" id=\"mistraced\">Mistraced work</h3><ul>");
        for m in &b.mistraced {
            let _ = write!(
                out,
                "<li>{} <code>{}</code>: {} <span class=\"muted\">{}</span></li>",
                m.title,
                m.code,
                html_code(&m.message),
                html(&m.place)
            );
        }
        out.push_str("</ul>");
    }
    let e = &b.exceptions;
    if !e.commits.is_empty() || !e.items.is_empty() {
        let budget = e.budget.map(|b| format!(", budget {:.0}%", b * 100.0)).unwrap_or_default();
        let _ = write!(
            out,
            "<h3>Exceptions <span class=\"muted\">({:.0}% of commits{budget})</span></h3><ul>",
            e.share * 100.0
        );
        for c in &e.commits {
            let _ = write!(
                out,
                "<li>commit <code>{}</code> {} — <em>{}</em></li>",
                html(&c.sha[..c.sha.len().min(7)]),
                html(&c.subject),
                html(c.reason.as_deref().unwrap_or(""))
            );
        }
        out.push_str("</ul>");
        if !e.items.is_empty() {
            out.push_str(&items(&e.items));
        }
    }
    out.push_str(&finding_groups(&b.drift));
    out.push_str("</details>");
    if let Some(debt) = &b.baseline {
        let _ = write!(out, "<p id=\"baseline\">{}</p>", html_code(&debt.line()));
    }
    let _ = writeln!(
        out,
        "<p class=\"muted\">{}, {} in the window. Generated by plan-lint {} from the registry, the plans and git history.</p></body></html>",
        plural(b.errors, "error"),
        plural(b.warnings, "warning"),
        env!("CARGO_PKG_VERSION")
    );
    // Line breaks between blocks, so the page reads (and diffs) as text too. Safe: repository
    // text is escaped, so these tags only ever close our own elements.
    out.replace("</h2>", "</h2>\n")
        .replace("</h3>", "</h3>\n")
        .replace("</ul>", "</ul>\n")
        .replace("</svg>", "</svg>\n")
        .replace("</p>", "</p>\n")
}

fn heading(s: Status) -> &'static str {
    match s {
        Status::InPlay => "In play",
        Status::Proposed => "Proposed",
        Status::Done => "Done",
        Status::Dropped => "Dropped",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn html_escapes_markup_and_controls() {
        assert_eq!(super::html("<script>\"x\" & 'y'\u{1b}"), "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;\u{241b}");
        assert_eq!(super::html("a\u{202e}b\u{2066}c"), "a\u{FFFD}b\u{FFFD}c");
    }

    #[test]
    fn board_dates_stay_whole() {
        assert_eq!(super::text("on 2026-03-02 (<b>)"), "on <span class=\"nw\">2026-03-02</span> (&lt;b&gt;)");
        assert_eq!(
            super::text("12026-03-02 2026-03-022 2026-3-02 2026-03-0"),
            "12026-03-02 2026-03-022 2026-3-02 2026-03-0"
        );
        assert_eq!(
            super::html_code("`2026-01-01`→2026-01-02"),
            "<code><span class=\"nw\">2026-01-01</span></code>→<span class=\"nw\">2026-01-02</span>"
        );
        assert_eq!(super::text("é2026-01-01"), "é<span class=\"nw\">2026-01-01</span>");
    }
}
