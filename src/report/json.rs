//! `--format json`: one document, `{ "version", "findings": [...], "summary": {...} }`.
//!
//! Positions are 1-based; columns count characters. For a finding about a commit, `path` is null,
//! `commit` is the full id and the position is inside the commit message. The schema is
//! documented in the README and is stable within a major version.
//!
//! With a baseline, every finding says whether it is `new` or `unchanged` (recorded in the
//! baseline: no failure) in `baselineState`, SARIF's name, and `absent` lists the baseline's
//! entries that matched nothing.

use super::Summary;
use crate::baseline::Place;
use crate::code::Code;
use crate::facts::Facts;
use crate::finding::{Finding, Severity};
use crate::source::SourceKind;
use serde::Serialize;
use std::io::Write as _;

#[derive(Serialize)]
struct Document<'a, F: Serialize> {
    version: u32,
    findings: F,
    summary: &'a Summary,
    skipped: Vec<Skipped<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    absent: Option<Vec<Absent<'a>>>,
    /// With readings: each hypothesis as judged (none declared: left out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hypotheses: Vec<Hypothesis<'a>>,
    /// With readings: each done promise, delivered, and whether it was kept (none: left out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    kept: Vec<Kept<'a>>,
}

/// A hypothesis, where it is written, and where it stands.
#[derive(Serialize)]
struct Hypothesis<'a> {
    /// promises.toml, or the plan document of a `Hypothesis:` line; 1-based line.
    path: String,
    line: usize,
    promise: &'a str,
    metric: &'a str,
    expect: &'a str,
    by: String,
    belief: Option<&'a str>,
    /// `pending`, `confirmed`, `refuted` or `unjudged`.
    judgement: &'static str,
    /// The reading that confirmed it, or those that refuted it.
    readings: Vec<JsonReading<'a>>,
}

#[derive(Serialize)]
struct JsonReading<'a> {
    date: String,
    value: &'a str,
}

/// A done promise: kept by its readings, by the team's verdict, or not known (`kept` null).
#[derive(Serialize)]
struct Kept<'a> {
    promise: &'a str,
    customer: Option<&'a str>,
    kept: Option<bool>,
    /// `verdict`, `readings`, or null.
    by: Option<&'static str>,
    reason: Option<&'a str>,
    date: Option<String>,
}

/// The hypotheses and done promises, judged from the readings (none without readings).
fn judged(facts: &Facts) -> (Vec<Hypothesis<'_>>, Vec<Kept<'_>>) {
    let Some(readings) = &facts.readings else { return (Vec::new(), Vec::new()) };
    let hypotheses = readings
        .hypotheses(&facts.registry, &facts.plans.hypotheses)
        .map(|j| (j.promise, j.hypothesis, facts.sources.get(j.source.unwrap_or(facts.registry_source)), j.judgement))
        .map(|(p, h, source, judged)| Hypothesis {
            path: source.name(),
            line: source.line_of(h.span.start) + 1,
            promise: &p.id,
            metric: &h.metric,
            expect: &h.expect,
            by: h.by.to_string(),
            belief: h.belief.as_deref(),
            judgement: judged.name(),
            readings: judged
                .readings()
                .iter()
                .map(|&r| JsonReading { date: r.date.to_string(), value: &r.value })
                .collect(),
        })
        .collect();
    let done = facts.registry.promises.iter().filter(|p| p.status == crate::registry::Status::Done);
    let kept = done
        .map(|p| {
            let by_readings = readings.unmet(p).is_some_and(|unmet| unmet.is_empty());
            let (kept, by) = match &p.verdict {
                Some(v) => (Some(v.kept), Some("verdict")),
                None if by_readings => (Some(true), Some("readings")),
                None => (None, None),
            };
            Kept {
                promise: &p.id,
                customer: p.customer.as_deref(),
                kept,
                by,
                reason: p.verdict.as_ref().map(|v| v.reason.as_str()),
                date: p.verdict.as_ref().map(|v| v.date.to_string()),
            }
        })
        .collect();
    (hypotheses, kept)
}

/// A baseline entry that matched nothing.
#[derive(Serialize)]
struct Absent<'a> {
    code: Code,
    path: Option<&'a str>,
    commit: Option<&'a str>,
    text: Option<&'a str>,
    count: usize,
    #[serde(rename = "baselineState")]
    baseline_state: &'static str,
}

/// New findings, then those the baseline absorbed, streamed.
struct Findings<'s, 'a> {
    new: &'a [Finding],
    unchanged: &'a [Finding],
    each: &'s dyn Fn(&'a Finding, Option<&'static str>) -> JsonFinding<'a>,
    baseline: bool,
}

impl Serialize for Findings<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let state = |st| self.baseline.then_some(st);
        let new = self.new.iter().map(|f| (self.each)(f, state("new")));
        s.collect_seq(new.chain(self.unchanged.iter().map(|f| (self.each)(f, state("unchanged")))))
    }
}

#[derive(Serialize)]
struct Skipped<'a> {
    path: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: Code,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    path: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    commit: Option<&'a str>,
    promises: &'a [String],
    /// The scope (a listed member's folder); absent for the root scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    #[serde(rename = "baselineState", skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
}

/// Write the document, streaming the findings.
pub fn write<'a>(
    out: &mut dyn std::io::Write,
    facts: &'a Facts,
    findings: &'a [Finding],
    summary: &'a Summary,
) -> std::io::Result<()> {
    let each = |f: &'a Finding, baseline_state: Option<&'static str>| {
        let source = f.source.map(|id| facts.sources.get(id));
        let path = source.and_then(|s| match &s.kind {
            SourceKind::File { path } => Some(path.as_str()),
            SourceKind::Commit { .. } | SourceKind::Message { .. } | SourceKind::Body { .. } => None,
        });
        let (start, end) = match (source, f.labels.first()) {
            (Some(s), Some(l)) => (Some(s.line_col(l.span.start)), Some(s.line_col(l.span.end))),
            _ => (None, None),
        };
        JsonFinding {
            code: f.code,
            severity: f.severity,
            message: &f.message,
            help: f.help.as_deref(),
            path,
            line: start.map(|p| p.0),
            column: start.map(|p| p.1),
            end_line: end.map(|p| p.0),
            end_column: end.map(|p| p.1),
            commit: f.commit.as_deref(),
            promises: &f.promises,
            scope: f.scope.as_deref(),
            baseline_state,
        }
    };
    let skipped = facts.skipped.iter().map(|(path, reason)| Skipped { path, reason }).collect();
    let absent = facts.baseline.as_ref().map(|b| {
        b.absent
            .iter()
            .map(|(key, count)| {
                let (path, commit, text) = match &key.place {
                    Place::File { path, text } => (Some(path.as_str()), None, Some(text.as_str())),
                    Place::Commit(sha) => (None, Some(sha.as_str()), None),
                    Place::Nowhere(text) => (None, None, Some(text.as_str())),
                };
                Absent { code: key.code, path, commit, text, count: *count, baseline_state: "absent" }
            })
            .collect()
    });
    let unchanged = facts.baseline.as_ref().map_or(&[][..], |b| &b.baselined[..]);
    let findings = Findings { new: findings, unchanged, each: &each, baseline: facts.baseline.is_some() };
    let (hypotheses, kept) = judged(facts);
    let doc = Document { version: 1, findings, summary, skipped, absent, hypotheses, kept };
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    out.flush()
}
