//! Markdown for people reading GitHub: the CI job summary (`GITHUB_STEP_SUMMARY`) and pull
//! request comments.
//!
//! Untrusted text (commit subjects, ids from trailers, file content, bodies) is escaped so that it
//! stays text: HTML special characters become entities, every other ASCII punctuation character
//! is backslash-escaped (CommonMark allows it for all of them, so no Markdown construct, link,
//! table cell or code span can start), line ends become spaces, and `@` cannot start a mention.
//! Only registry ids, which are validated slugs, go into the Mermaid chart.

use super::{plural, Summary};
use crate::facts::Facts;
use crate::finding::{Finding, Severity};
use crate::registry::Status;
use crate::source::SourceKind;
use std::fmt::Write;

/// At most this many findings are listed; the job log has all of them.
pub const MAX_ROWS: usize = 100;

/// Untrusted text as inert Markdown, on one line.
///
/// Only what could start a construct is escaped, so ordinary punctuation reads as written
/// (`batteries-included, fast` stays so): HTML's `&`, `<` and `>` become entities; `\\`, `` ` ``,
/// `*`, `[`, `]`, `|`, `~` and `$` (GitHub's math) are backslash-escaped everywhere; `_` where it
/// could open or close emphasis (not inside a word); `:` before `//` and the `.` of `www.`, which
/// GitHub would autolink; a block marker (`#`, `-`, `+`, `=`, `>`, `1.`, `1)`) at the start.
/// Leading white space is dropped, line ends become spaces, controls visible stand-ins, and `@`
/// cannot start a mention.
/// tests/it/report.rs renders generated text through cmark-gfm and finds it back whole.
pub fn escape(text: &str) -> String {
    // Leading white space is dropped: where the text starts a line, four spaces would start a
    // code block (and Markdown drops fewer anyway).
    let chars: Vec<char> = text.trim_start_matches([' ', '\t', '\n', '\r']).chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    // Where the text starts a line, a block marker would start a block: the first character,
    // or the `.`/`)` after leading digits.
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let word = |i: usize| chars.get(i).is_some_and(|c| c.is_alphanumeric());
    // In a heading, a run of `#` at the end (after a space) would be read as its closing
    // sequence and dropped: the `#`s after the last other character are escaped.
    let closing = chars.iter().rposition(|c| !matches!(c, '#' | ' ' | '\t' | '\n' | '\r')).map_or(0, |i| i + 1);
    for (i, &c) in chars.iter().enumerate() {
        let at_start = i == 0 && matches!(c, '#' | '-' | '+' | '=')
            || (digits > 0 && i == digits && matches!(c, '.' | ')'))
            || (c == '#' && i >= closing);
        let autolink = (c == ':' && chars.get(i + 1) == Some(&'/') && chars.get(i + 2) == Some(&'/'))
            || (c == '.'
                && i >= 3
                && chars[i - 3..i].iter().map(|c| c.to_ascii_lowercase()).eq("www".chars())
                && !(i >= 4 && word(i - 4)));
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A word joiner after `@` keeps it from mentioning anyone.
            '@' => out.push_str("@\u{2060}"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if crate::escape::stand_in(c).is_some() => out.push(crate::escape::stand_in(c).unwrap_or('\u{FFFD}')),
            '\\' | '`' | '*' | '[' | ']' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '_' if !(i > 0 && word(i - 1) && word(i + 1)) => out.push_str("\\_"),
            c if at_start || autolink => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Untrusted text as an inert code span (`` `text` ``), on one line: controls, bidi controls and
/// line ends become what [`escape`] makes of them (a CR would end the line, and the span with
/// it), and the fence is longer than any run of backticks inside, so the span ends where it
/// should. Not for table cells (a `|` would split the cell) nor at the start of a line (three
/// backticks there open a code block). An empty text is two backticks.
pub fn code(text: &str) -> String {
    if text.is_empty() {
        return "\\`\\`".to_string();
    }
    let inner: String = text
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c => crate::escape::stand_in(c).unwrap_or(c),
        })
        .collect();
    let (mut run, mut longest) = (0, 0);
    for c in inner.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A space on each side is stripped by the reader: padding keeps a leading or trailing
    // backtick or space as written.
    let pad = if inner.starts_with(['`', ' ']) || inner.ends_with(['`', ' ']) { " " } else { "" };
    format!("{fence}{pad}{inner}{pad}{fence}")
}

/// The job summary: verdict, what was checked, promises in play versus the limit, the work
/// traced per promise (table and chart), and the findings.
pub fn job_summary(facts: &Facts, findings: &[Finding], summary: &Summary, context: &str) -> String {
    let mut out = String::new();
    let verdict = match (summary.errors, summary.warnings) {
        (0, 0) => "✅ all traced".to_string(),
        (0, w) => format!("⚠️ {}", plural(w, "warning")),
        (e, w) => format!("❌ {}, {}", plural(e, "error"), plural(w, "warning")),
    };
    let _ = writeln!(out, "## plan-lint: {verdict}\n");
    let mut checked = Vec::new();
    if !context.is_empty() {
        checked.push(escape(context));
    }
    if let (Some(n), Some(range)) = (summary.commits, &summary.range) {
        checked.push(format!("{} \\({}\\)", plural(n, "commit"), escape(range)));
    }
    if summary.files + summary.issues > 0 {
        checked.push(format!("{} with {}", plural(summary.files, "plan file"), plural(summary.items, "item")));
    }
    if summary.issues > 0 {
        checked.push(plural(summary.issues, "issue file"));
    }
    if context.is_empty() {
        checked.extend(summary.bodies.iter().map(|b| escape(b)));
    }
    if !checked.is_empty() {
        let _ = writeln!(out, "Checked: {}.\n", checked.join(" · "));
    }

    // Promises in play, and the work this run traced to each.
    let registry = &facts.registry;
    let tally = facts.commits.as_ref().map(|c| &c.tally);
    let in_play: Vec<_> = registry.in_play().collect();
    let over = if in_play.len() > registry.in_play_limit { " — over the limit" } else { "" };
    let _ = writeln!(out, "### Promises in play: {} of {}{over}\n", in_play.len(), registry.in_play_limit);
    if !in_play.is_empty() {
        out.push_str("| Promise | Priority | Customer | Commits here |\n|---|---|---|---:|\n");
        for p in &in_play {
            let commits = tally.and_then(|t| t.promises.get(&p.id)).map_or(0, |w| w.commits);
            let priority = p.priority.map_or("—", |pr| match pr {
                crate::registry::Priority::Must => "must",
                crate::registry::Priority::Should => "should",
                crate::registry::Priority::Could => "could",
            });
            let _ = writeln!(
                out,
                "| `{}` {} | {priority} | {} | {commits} |",
                p.id,
                escape(&p.statement),
                p.customer.as_deref().map_or("—".to_string(), escape)
            );
        }
        out.push('\n');
    }
    if let Some(t) = tally.filter(|t| t.commits > 0) {
        // Work on promises that are not in play, or not declared at all: drift, shown by name.
        let elsewhere: Vec<String> = t
            .promises
            .iter()
            .filter(|(id, _)| registry.promise(id).is_none_or(|p| p.status != Status::InPlay))
            .map(|(id, w)| {
                let status = registry.promise(id).map_or("unknown".to_string(), |p| p.status.to_string());
                format!("{} \\({status}\\): {}", escape(id), w.commits)
            })
            .collect();
        if !elsewhere.is_empty() {
            let _ = writeln!(out, "Commits on promises not in play: {}.\n", elsewhere.join(", "));
        }
        let _ = writeln!(
            out,
            "{} traced, {} untraced, {} exempt, {} declared exceptions.\n",
            plural(t.traced(), "commit"),
            t.untraced,
            t.exempt,
            t.exceptions
        );
        out.push_str(&pie(facts, t));
    }

    if findings.is_empty() {
        return out;
    }
    let _ = writeln!(out, "### Findings ({})\n", findings.len());
    out.push_str("| | Rule | Where | Message |\n|---|---|---|---|\n");
    for f in findings.iter().take(MAX_ROWS) {
        let icon = match f.severity {
            Severity::Error => "❌ error",
            Severity::Warning => "⚠️ warning",
        };
        let source = f.source.map(|id| facts.sources.get(id));
        let place = match source {
            Some(src) => match &src.kind {
                SourceKind::File { path } => match f.labels.first() {
                    Some(l) => format!("{}:{}", escape(path), src.line_col(l.span.start).0),
                    None => escape(path),
                },
                _ => escape(&src.name()),
            },
            None => String::new(),
        };
        let mut message = escape(&f.message);
        if let Some(help) = &f.help {
            let _ = write!(message, "<br>*{}*", escape(help));
        }
        let _ = writeln!(out, "| {icon} | `{}` | {place} | {message} |", f.code);
    }
    if findings.len() > MAX_ROWS {
        let _ = writeln!(out, "\n…and {} more: the job log lists every finding.", findings.len() - MAX_ROWS);
    }
    out.push('\n');
    out
}

/// A Mermaid pie of the commits per declared promise, untraced and exempt ones included.
fn pie(facts: &Facts, t: &crate::tally::Tally) -> String {
    let mut slices: Vec<(String, usize)> = facts
        .registry
        .promises
        .iter()
        .filter_map(|p| t.promises.get(&p.id).map(|w| (p.id.clone(), w.commits)))
        .collect();
    let unknown: usize =
        t.promises.iter().filter(|(id, _)| facts.registry.promise(id).is_none()).map(|(_, w)| w.commits).sum();
    for (name, n) in [("unknown ids", unknown), ("untraced", t.untraced), ("exceptions", t.exceptions)] {
        if n > 0 {
            slices.push((name.to_string(), n));
        }
    }
    if slices.is_empty() {
        return String::new();
    }
    let mut out = String::from("```mermaid\npie showData title Commits per promise\n");
    for (name, n) in slices {
        let _ = writeln!(out, "    \"{name}\" : {n}");
    }
    out.push_str("```\n\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_text_inert() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("<img src=x>"), "&lt;img src=x&gt;");
        assert_eq!(escape("[x](javascript:1)"), "\\[x\\](javascript:1)");
        assert_eq!(escape("efficient, batteries-included \"fast\""), "efficient, batteries-included \"fast\"");
        assert_eq!(escape("see https://x.example or www.x.example"), "see https\\://x.example or www\\.x.example");
        assert_eq!(escape("- item"), "\\- item");
        assert_eq!(escape("12. item"), "12\\. item");
        assert_eq!(escape("snake_case _em_"), "snake_case \\_em\\_");
        assert_eq!(escape("team #42 #"), "team #42 \\#");
        assert_eq!(escape("@team\nnext"), "@\u{2060}team next");
        assert_eq!(escape("`code` **b**"), "\\`code\\` \\*\\*b\\*\\*");
        assert_eq!(escape("\u{1b}[31m"), "\u{241b}\\[31m");
        assert_eq!(escape("pay \u{202e}1000\u{202c}"), "pay \u{FFFD}1000\u{FFFD}");
    }

    #[test]
    fn code_spans_hold_no_controls_and_end_where_they_should() {
        assert_eq!(code("find-and-buy"), "`find-and-buy`");
        assert_eq!(code("a\r# b\n<c>"), "`a # b <c>`");
        assert_eq!(code("\u{1b}]8;;x\u{7}\0\u{85}\u{202e}"), "`\u{241b}]8;;x\u{2407}\u{2400}\u{FFFD}\u{FFFD}`");
        assert_eq!(code("a`b``c"), "```a`b``c```");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code(" x"), "`  x `");
        assert_eq!(code(""), "\\`\\`");
    }
}
