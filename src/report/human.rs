//! Human output: miette's graphical diagnostics (code, message, snippet with labels, help) and a
//! closing summary that reads like a product review line.
//!
//! Every piece of untrusted text (file and commit contents, subjects, ids, item text) goes through
//! [`crate::escape`] first, so nothing a commit author wrote can drive the terminal.

use super::count;
use super::{plural, Summary};
use crate::error::Error;
use crate::escape;
use crate::facts::Facts;
use crate::finding::{Finding, Severity};
use crate::source::{Label, Source, SourceKind};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};
use std::fmt;
use std::io::Write as _;

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
    source: Option<Window>,
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

/// Labels on a line longer than this are shown as a location, not a snippet: nobody reads such
/// a line, and drawing under column 100,000 is beyond what a terminal (or the renderer) can do.
const MAX_SNIPPET_LINE: usize = 1000;

/// The part of a source a diagnostic shows: the labelled lines and one line of context on each
/// side, with line numbers as in the whole source. Rendering a window instead of the whole text
/// keeps thousands of findings in one large file from costing a pass over it each.
struct Window {
    name: String,
    text: String,
    /// 0-based line of the window's first line in the whole source.
    first_line: usize,
}

impl miette::SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

impl fmt::Debug for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Window({}, line {})", self.name, self.first_line + 1)
    }
}

/// The escaped window of `source` around `labels`, and the labels remapped onto it; `None` when
/// a labelled line is too long to draw.
fn snippet(source: &Source, labels: &[Label]) -> Option<(Window, Vec<LabeledSpan>)> {
    let len = source.text.len();
    let starts = source.line_starts();
    let first = labels.iter().map(|l| source.line_of(l.span.start.min(len))).min()?;
    let last = labels.iter().map(|l| source.line_of(l.span.end.min(len))).max()?;
    let line_end = |line: usize| starts.get(line + 1).map_or(len, |&s| s.saturating_sub(1));
    for l in labels {
        let line = source.line_of(l.span.start.min(len));
        if line_end(line) - starts[line] > MAX_SNIPPET_LINE {
            return None;
        }
    }
    let from_line = first.saturating_sub(1);
    let to_line = (last + 1).min(starts.len() - 1);
    let from = starts[from_line];
    // Through the newline that ends the last line, so an empty last line still shows.
    let mut to = starts.get(to_line + 1).copied().unwrap_or(len).clamp(from, len);
    while !source.text.is_char_boundary(to) {
        to -= 1;
    }
    // A CR that ends a line (a CRLF file) is the line ending, not content: dropped rather than
    // drawn as `␍` at the end of every line. Offsets after each dropped CR move back by one.
    let raw = &source.text[from..to];
    let line_end_crs: Vec<usize> = raw.match_indices("\r\n").map(|(i, _)| i).collect();
    let without_crs;
    let raw = if line_end_crs.is_empty() {
        raw
    } else {
        without_crs = raw.replace("\r\n", "\n");
        without_crs.as_str()
    };
    let escaped = escape::escape(raw);
    let labels = labels
        .iter()
        .map(|l| {
            let clamp = |o: usize| {
                let o = o.clamp(from, to) - from;
                o - line_end_crs.partition_point(|&cr| cr < o)
            };
            let start = escaped.map(clamp(l.span.start));
            let end = escaped.map(clamp(l.span.end)).max(start);
            LabeledSpan::new_with_span(
                l.text.as_deref().map(|t| escape::line(t).into_owned()),
                SourceSpan::new(start.into(), end - start),
            )
        })
        .collect();
    let name = escape::line(&source.name()).into_owned();
    Some((Window { name, text: escaped.text, first_line: from_line }, labels))
}

/// `path:line:column`, for diagnostics shown without a snippet.
fn location(source: &Source, labels: &[Label]) -> String {
    let (line, col) = labels.first().map_or((1, 1), |l| source.line_col(l.span.start));
    format!("{}:{line}:{col}", escape::line(&source.name()))
}

/// A snippet for `labels` in `source`, or the location appended to `message` when none can be
/// drawn.
fn draw(source: &Source, labels: &[Label], message: &mut String) -> (Option<Window>, Vec<LabeledSpan>) {
    match snippet(source, labels) {
        Some((w, l)) => (Some(w), l),
        None => {
            message.push_str(&format!(" (at {})", location(source, labels)));
            (None, Vec::new())
        }
    }
}

fn finding_diag(facts: &Facts, f: &Finding) -> Diag {
    let mut message = match &f.scope {
        Some(scope) => format!("[{}] {}", escape::line(scope), escape::line(&f.message)),
        None => escape::line(&f.message).into_owned(),
    };
    let (source, labels) = match f.source {
        Some(id) => draw(facts.sources.get(id), &f.labels, &mut message),
        None => (None, Vec::new()),
    };
    Diag {
        code: Some(f.code.name().to_string()),
        severity: match f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        message,
        help: f.help.as_deref().map(|h| escape::line(h).into_owned()),
        source,
        labels,
        related: Vec::new(),
    }
}

fn error_diag(e: &Error) -> Diag {
    let mut message = escape::line(&e.message).into_owned();
    let (source, labels) = match e.snippet.as_deref() {
        Some((s, l)) => draw(s, std::slice::from_ref(l), &mut message),
        None => (None, Vec::new()),
    };
    Diag {
        code: None,
        severity: miette::Severity::Error,
        message,
        help: e.help.as_deref().map(|h| escape::line(h).into_owned()),
        source,
        labels,
        related: Vec::new(),
    }
}

fn render_diag(style: Style, d: &Diag) -> String {
    // A renderer failure (or panic) on one hostile input costs that diagnostic its drawing, not
    // the whole report: it falls back to plain lines.
    let plain = || {
        let mut s = format!("{}: {}\n", d.code.as_deref().unwrap_or("error"), d.message);
        if let Some(h) = &d.help {
            s.push_str(&format!("  help: {h}\n"));
        }
        s
    };
    let _quiet = crate::panic::QuietPanics::new();
    let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut out = String::new();
        style.handler().render_report(&mut out, d).map(|()| out)
    }));
    match rendered {
        Ok(Ok(out)) => out,
        _ => plain(),
    }
}

/// Where a finding is, for grouping: its file (or message, or body), every commit together, or
/// nowhere (the registry's limits, the plan as a whole).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    Source(usize),
    Commits,
    Nowhere,
}

fn place(facts: &Facts, f: &Finding) -> Place {
    match f.source {
        Some(id) if matches!(facts.sources.get(id).kind, SourceKind::Commit { .. }) => Place::Commits,
        Some(id) => Place::Source(id.0),
        None => Place::Nowhere,
    }
}

fn place_name(facts: &Facts, place: Place) -> String {
    match place {
        Place::Source(id) => escape::line(&facts.sources.get(crate::source::SourceId(id)).name()).into_owned(),
        Place::Commits => "commits".to_string(),
        Place::Nowhere => "the plan as a whole".to_string(),
    }
}

fn severity_word(s: Severity, n: usize) -> String {
    let word = match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("{} {word}{}", count(n), if n == 1 { "" } else { "s" })
}

/// Every finding grouped by code and place, errors first, each group under a heading with its
/// count (at most `limit` findings drawn, then how many more and how to see them); then, when
/// there is more than one group, the count for each code; the notes on skipped files; the
/// summary. Each diagnostic is written as it is drawn.
pub fn write(
    out: &mut dyn std::io::Write,
    facts: &Facts,
    findings: &[Finding],
    summary: &Summary,
    style: Style,
    limit: Option<usize>,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    // Group order: errors first, then by code, then by where (files in the order they were read).
    let key = |f: &Finding| (std::cmp::Reverse(f.severity), f.code, place(facts, f));
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| key(&findings[i]));
    let mut groups: Vec<(std::ops::Range<usize>, Place)> = Vec::new();
    for (at, &i) in order.iter().enumerate() {
        match groups.last_mut() {
            Some((range, _)) if key(&findings[order[range.start]]) == key(&findings[i]) => range.end = at + 1,
            _ => groups.push((at..at + 1, place(facts, &findings[i]))),
        }
    }
    let shown = limit.map_or(findings.len(), |l| l.min(findings.len()));
    let headed = findings.len() > 1;
    for (range, where_) in &groups {
        if range.start >= shown {
            break;
        }
        let first = &findings[order[range.start]];
        if headed {
            let n = range.len();
            writeln!(
                out,
                "── {} · {} · {}\n",
                first.code.name(),
                place_name(facts, *where_),
                severity_word(first.severity, n)
            )?;
        }
        for &i in &order[range.start..range.end.min(shown)] {
            out.write_all(render_diag(style, &finding_diag(facts, &findings[i])).as_bytes())?;
            out.write_all(b"\n")?;
        }
    }
    if shown < findings.len() {
        writeln!(
            out,
            "… and {} more findings not shown: `plan-lint check --max-findings 0` shows them all, `--format json` lists them.\n",
            count(findings.len() - shown)
        )?;
    }
    if groups.len() > 1 {
        writeln!(out, "findings by rule:")?;
        let mut at = 0;
        while at < groups.len() {
            let first = &findings[order[groups[at].0.start]];
            let same = groups[at..]
                .iter()
                .take_while(|(r, _)| {
                    let f = &findings[order[r.start]];
                    (f.code, f.severity) == (first.code, first.severity)
                })
                .count();
            let n: usize = groups[at..at + same].iter().map(|(r, _)| r.len()).sum();
            let places = match same {
                1 => place_name(facts, groups[at].1),
                k => format!("{} places", count(k)),
            };
            let word = severity_word(first.severity, n);
            let (number, word) = word.split_once(' ').unwrap_or((&word, ""));
            writeln!(out, "  {:<24} {number:>7} {word:<8} in {places}", first.code.name())?;
            at += same;
        }
        writeln!(out)?;
    }
    for (path, reason) in &facts.skipped {
        writeln!(out, "note: skipped {}: {reason}", escape::line(path))?;
    }
    if let Some(applied) = facts.baseline.as_ref().filter(|b| !b.absent.is_empty()) {
        out.write_all(absent_note(applied).as_bytes())?;
    }
    out.write_all(summary_line(summary).as_bytes())?;
    out.flush()
}

/// Every finding, then the summary, as a string.
pub fn render(facts: &Facts, findings: &[Finding], summary: &Summary, style: Style) -> String {
    let mut out = Vec::new();
    write(&mut out, facts, findings, summary, style, None).expect("writing to memory");
    String::from_utf8(out).expect("the report is UTF-8")
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

/// The baseline's entries that matched nothing (the first ten), and how to drop them.
fn absent_note(applied: &crate::baseline::Applied) -> String {
    let n = applied.absent_count();
    let (entries, match_, them) = if n == 1 { ("entry", "matches", "it") } else { ("entries", "match", "them") };
    let mut note = format!(
        "note: {} baseline {entries} {match_} nothing (fixed, or gone): `plan-lint baseline --update` drops {them} from {}\n",
        count(n),
        crate::baseline::FILE_NAME
    );
    for (key, _) in applied.absent.iter().take(10) {
        note.push_str(&format!("  {} {}\n", key.code, escape::line(&key.describe())));
    }
    if applied.absent.len() > 10 {
        note.push_str(&format!("  … and {} more\n", count(applied.absent.len() - 10)));
    }
    note
}

/// The pre-commit hook's one line for a staged file's findings older than the change (not
/// reported: `check` lists them).
pub fn older_line(path: &str, n: usize) -> String {
    format!("plan-lint: {} still has {}: plan-lint check\n", escape::line(path), plural(n, "older finding"))
}

pub(crate) fn summary_line(s: &Summary) -> String {
    let verdict = match (s.errors, s.warnings) {
        // Recorded findings remain: nothing new, but not all traced.
        (0, 0) if s.baselined.is_some_and(|n| n > 0) => "plan-lint: no new findings".to_string(),
        // A declared exception is not a trace: say so, the count follows with the commits.
        (0, 0) if s.exceptions > 0 => "plan-lint: all traced or declared exceptions".to_string(),
        (0, 0) => "plan-lint: all traced".to_string(),
        (e, w) => format!("plan-lint: {}, {}", plural(e, "error"), plural(w, "warning")),
    };
    let files = match s.issues {
        0 => plural(s.files, "plan file"),
        n => format!("{} and {}", plural(s.files, "plan file"), plural(n, "issue file")),
    };
    let mut parts = vec![verdict];
    // A run that only read tracker bodies, or only commits (a hook judging a message or a
    // push), read no files: say nothing about them. A run that read nothing at all says so.
    if s.files + s.issues > 0 || (s.bodies.is_empty() && s.commits.is_none()) {
        parts.push(format!("{files} with {}", plural(s.items, "item")));
    }
    // A file passed over is never silent: "all traced" is about what was read.
    if s.skipped > 0 {
        parts.push(format!("{} skipped (see the notes above)", plural(s.skipped, "file")));
    }
    if !s.bodies.is_empty() {
        parts.push(s.bodies.iter().map(|b| escape::line(b).into_owned()).collect::<Vec<_>>().join(", "));
    }
    match (&s.commits, &s.range) {
        (Some(n), Some(range)) if s.exceptions > 0 => parts.push(format!(
            "{} ({}), {} of them {} (`Untraced:`)",
            plural(*n, "commit"),
            escape::line(range),
            count(s.exceptions),
            if s.exceptions == 1 { "a declared exception" } else { "declared exceptions" }
        )),
        (Some(n), Some(range)) => parts.push(format!("{} ({})", plural(*n, "commit"), escape::line(range))),
        _ => parts.push("commits not checked".to_string()),
    }
    // A line, not a wall: past eight, say how many more.
    let in_play = match s.in_play.len() {
        0 => "none".to_string(),
        n if n <= 8 => s.in_play.join(", "),
        n => format!("{}, … (+{})", s.in_play[..8].join(", "), n - 8),
    };
    parts.push(format!("in play {} of {}: {in_play}", s.in_play.len(), s.in_play_limit));
    if let Some(n) = s.baselined {
        parts.push(format!("{} baselined", count(n)));
    }
    format!("{}\n", parts.join(" · "))
}
