//! `--format github`: one GitHub Actions workflow command per finding, so findings appear as
//! annotations on the pull request, then the summary.
//!
//! Untrusted text (commit messages, plan files, ids) can never issue a workflow command: a
//! command must start a line, and every newline and carriage return in a message is encoded
//! (`%0A`, `%0D`), `%` first (`%25`), as GitHub's toolkit does; property values also encode `:` and
//! `,`. Terminal control characters are shown as visible stand-ins. GitHub shows only the first
//! ten errors and ten warnings of a step as annotations; every finding is still printed.

use super::Summary;
use crate::escape;
use crate::facts::Facts;
use crate::finding::{Finding, Severity};
use crate::source::SourceKind;
use std::io::Write as _;

/// GitHub's `escapeData`, after every control and bidi character but CR and LF (which it
/// encodes) is made visible: a file name or message can carry ESC, BEL or U+202E.
pub fn escape_data(s: &str) -> String {
    let visible: String =
        s.chars().map(|c| if c == '\r' || c == '\n' { c } else { crate::escape::stand_in(c).unwrap_or(c) }).collect();
    visible.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// GitHub's `escapeProperty`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Write one workflow command per finding (at most `limit`, then a notice saying how many were
/// left out), then the summary line.
pub fn write(
    out: &mut dyn std::io::Write,
    facts: &Facts,
    findings: &[Finding],
    summary: &Summary,
    limit: Option<usize>,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    let shown = limit.map_or(findings.len(), |l| l.min(findings.len()));
    for f in &findings[..shown] {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let source = f.source.map(|id| facts.sources.get(id));
        let mut props = Vec::new();
        let mut subject = String::new();
        if let Some(src) = source {
            match &src.kind {
                SourceKind::File { path } => {
                    props.push(format!("file={}", escape_property(path)));
                    if let Some(label) = f.labels.first() {
                        let (line, col) = src.line_col(label.span.start);
                        let (end_line, end_col) = src.line_col(label.span.end);
                        props.push(format!("line={line},col={col},endLine={end_line},endColumn={end_col}"));
                    }
                }
                SourceKind::Commit { subject: s, .. } => subject = format!(" (\"{s}\")"),
                SourceKind::Message { .. } | SourceKind::Body { .. } => {}
            }
        }
        props.push(format!("title={}", escape_property(&format!("plan-lint {}", f.code))));
        let mut message = format!("{}{subject}", f.message);
        if let Some(help) = &f.help {
            message = format!("{message}\nhelp: {help}");
        }
        // Visible stand-ins for controls (the newline we add ourselves is kept), then GitHub's
        // encoding, which makes the whole annotation one line.
        let message: Vec<String> = message.split('\n').map(|l| escape::line(l).into_owned()).collect();
        writeln!(out, "::{command} {}::{}", props.join(","), escape_data(&message.join("\n")))?;
    }
    if shown < findings.len() {
        let left = findings.len() - shown;
        writeln!(
            out,
            "::notice title=plan-lint::{}",
            escape_data(&format!("{left} more findings are not annotated (GitHub shows only the first ones); the SARIF file and the job summary count them all"))
        )?;
    }
    // The files passed over, before the summary line that points at them: a notice each, at
    // most [`MAX_SKIPPED_NOTICES`], then how many more.
    for (path, reason) in facts.skipped.iter().take(MAX_SKIPPED_NOTICES) {
        let text = format!("skipped {}: {}", escape::line(path), escape::line(reason));
        writeln!(
            out,
            "::notice file={},title=plan-lint skipped a file::{}",
            escape_property(path),
            escape_data(&text)
        )?;
    }
    if facts.skipped.len() > MAX_SKIPPED_NOTICES {
        let left = facts.skipped.len() - MAX_SKIPPED_NOTICES;
        let text = format!("{left} more files skipped; the JSON report's `skipped` lists them all");
        writeln!(out, "::notice title=plan-lint skipped files::{}", escape_data(&text))?;
    }
    out.write_all(super::human::summary_line(summary).as_bytes())?;
    out.flush()
}

/// Skipped files named one by one in the GitHub format.
pub const MAX_SKIPPED_NOTICES: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_github() {
        assert_eq!(escape_data("50% done\r\n::set-output name=x::y"), "50%25 done%0D%0A::set-output name=x::y");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
