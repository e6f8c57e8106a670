//! `--format json`: one document, `{ "version", "findings": [...], "summary": {...} }`.
//!
//! Positions are 1-based; columns count characters. For a finding about a commit, `path` is null,
//! `commit` is the full id and the position is inside the commit message. The schema is
//! documented in the README and is stable within a major version.

use super::Summary;
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
}

/// Write the document, streaming the findings.
pub fn write<'a>(
    out: &mut dyn std::io::Write,
    facts: &'a Facts,
    findings: &'a [Finding],
    summary: &'a Summary,
) -> std::io::Result<()> {
    let each = |f: &'a Finding| {
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
        }
    };
    let skipped = facts.skipped.iter().map(|(path, reason)| Skipped { path, reason }).collect();
    let doc = Document { version: 1, findings: super::Stream::new(findings, &each), summary, skipped };
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    out.flush()
}
