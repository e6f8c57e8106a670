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
    let doc = Document { version: 1, findings, summary, skipped, absent };
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    out.flush()
}
