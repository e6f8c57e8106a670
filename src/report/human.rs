//! Human output: miette's graphical diagnostics (code, message, snippet with labels, help) and a
//! closing summary that reads like a product review line.
//!
//! Every piece of untrusted text (file and commit contents, subjects, ids, item text) goes through
//! [`crate::escape`] first, so nothing a commit author wrote can drive the terminal.

use super::{plural, Summary};
use crate::error::Error;
use crate::escape;
use crate::facts::Facts;
use crate::finding::{Finding, Severity};
use crate::source::{Label, Source};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use std::fmt;

/// How to draw: colour and width are decided once by the CLI.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Style {
    fn handler(self) -> GraphicalReportHandler {
        let theme = if self.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
            .with_context_lines(1)
            .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
    }
}

/// One diagnostic ready for miette, built from a finding or an error.
#[derive(Debug)]
struct Diag {
    code: Option<String>,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Diag>,
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }
}

/// The escaped source and its labels, remapped onto the escaped text.
fn snippet(source: &Source, labels: &[Label]) -> (NamedSource<String>, Vec<LabeledSpan>) {
    let escaped = escape::escape(&source.text);
    let labels = labels
        .iter()
        .map(|l| {
            let start = escaped.map(l.span.start.min(source.text.len()));
            let end = escaped.map(l.span.end.min(source.text.len())).max(start);
            LabeledSpan::new_with_span(
                l.text.as_deref().map(|t| escape::line(t).into_owned()),
                SourceSpan::new(start.into(), end - start),
            )
        })
        .collect();
    let name = escape::line(&source.name()).into_owned();
    (NamedSource::new(name, escaped.text).with_language("text"), labels)
}

fn finding_diag(facts: &Facts, f: &Finding) -> Diag {
    let (source, labels) = match f.source {
        Some(id) => {
            let (s, l) = snippet(facts.sources.get(id), &f.labels);
            (Some(s), l)
        }
        None => (None, Vec::new()),
    };
    Diag {
        code: Some(f.code.name().to_string()),
        severity: match f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        message: escape::line(&f.message).into_owned(),
        help: f.help.as_deref().map(|h| escape::line(h).into_owned()),
        source,
        labels,
        related: Vec::new(),
    }
}

fn error_diag(e: &Error) -> Diag {
    let (source, labels) = match e.snippet.as_deref() {
        Some((s, l)) => {
            let (s, l) = snippet(s, std::slice::from_ref(l));
            (Some(s), l)
        }
        None => (None, Vec::new()),
    };
    Diag {
        code: None,
        severity: miette::Severity::Error,
        message: escape::line(&e.message).into_owned(),
        help: e.help.as_deref().map(|h| escape::line(h).into_owned()),
        source,
        labels,
        related: Vec::new(),
    }
}

fn render_diag(style: Style, d: &Diag) -> String {
    let mut out = String::new();
    if style.handler().render_report(&mut out, d).is_err() {
        out = format!("{}\n", d.message);
    }
    out
}

/// Every finding, then the summary.
pub fn render(facts: &Facts, findings: &[Finding], summary: &Summary, style: Style) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&render_diag(style, &finding_diag(facts, f)));
        out.push('\n');
    }
    for (path, reason) in &facts.skipped {
        out.push_str(&format!("note: skipped {}: {reason}\n", escape::line(path)));
    }
    out.push_str(&summary_line(summary));
    out
}

/// An error that stopped the run, for standard error.
pub fn render_error(e: &Error, style: Style) -> String {
    let mut out = String::new();
    for (i, e) in std::iter::once(e).chain(&e.related).enumerate() {
        let d = error_diag(e);
        if i > 0 {
            out.push('\n');
        }
        // A bare message reads better as one line than as a framed report.
        if d.source.is_none() {
            out.push_str(&format!("error: {}\n", d.message));
            if let Some(h) = &d.help {
                out.push_str(&format!("  help: {h}\n"));
            }
        } else {
            out.push_str(&render_diag(style, &d));
        }
    }
    out
}

fn summary_line(s: &Summary) -> String {
    let verdict = match (s.errors, s.warnings) {
        (0, 0) => "plan-lint: all traced".to_string(),
        (e, w) => format!("plan-lint: {}, {}", plural(e, "error"), plural(w, "warning")),
    };
    let mut parts = vec![verdict, format!("{} with {}", plural(s.files, "plan file"), plural(s.items, "item"))];
    match (&s.commits, &s.range) {
        (Some(n), Some(range)) => parts.push(format!("{} ({})", plural(*n, "commit"), escape::line(range))),
        _ => parts.push("commits not checked".to_string()),
    }
    let in_play = if s.in_play.is_empty() { "none".to_string() } else { s.in_play.join(", ") };
    parts.push(format!("in play {} of {}: {in_play}", s.in_play.len(), s.in_play_limit));
    format!("{}\n", parts.join(" · "))
}
