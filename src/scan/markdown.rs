//! Plan documents: Markdown in, work items and promise references out, each with its byte span.
//!
//! A plan names promises at three levels, and the nearest one wins:
//! - **item**: a `Promise: id[, id…]` line inside a task-list item, or a trailing
//!   `(Promise: id)` on its first line;
//! - **section**: a `Promise:` line in the paragraph right under a heading, for every item in the
//!   section and its subsections;
//! - **document**: `promise:` / `promises:` in YAML front matter, or a `Promise:` line in a
//!   paragraph before the first heading.
//!
//! Sub-items inherit from the item above them. `Promises:` is accepted as a spelling of the key.
//!
//! A `Hypothesis:` line (a paragraph line, or a line of an item) is what the team expects its
//! work to change, by when ([`Hypothesis`]); it belongs to the promise of its own trailing
//! `(Promise: id)`, else to the one its item, section or document is traced to, as items do.
//! Code blocks, inline code and HTML comments never count: they are where people write examples.
//! The scanner reads CommonMark events from pulldown-cmark with their source offsets, so every
//! span points at the exact text in the file; it records and never judges.

use pulldown_cmark::{Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// Where a reference was written, which decides what it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Front matter or a `Promise:` line before the first heading: the whole document.
    Document,
    /// A `Promise:` line right under a heading: that section.
    Section,
    /// `(Promise: id)` on an item: the item and its sub-items.
    Item,
    /// `(Promise: id)` at the end of a `Hypothesis:` line: that hypothesis.
    Hypothesis,
}

/// One promise id as written in the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The promise id.
    pub id: String,
    /// Where it is named.
    pub span: Range<usize>,
    /// What it covers.
    pub scope: Scope,
}

/// A task-list item: a unit of work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// Checked (`- [x]`).
    pub done: bool,
    /// The first line of the item, without its marker and trailing `(Promise: …)`.
    pub text: String,
    /// The first line's text in the source.
    pub span: Range<usize>,
    /// The references that apply (indices into [`Plan::refs`]): its own, or inherited.
    pub promises: Vec<usize>,
    /// A declared exception (`Untraced: reason` on its own line, or a trailing
    /// `(Untraced: reason)`): work that knowingly serves no promise. The reason may be empty,
    /// which the rules reject.
    pub exception: Option<String>,
    /// The hypothesis it is nested under (an index into [`Plan::hypotheses`]), as references
    /// are: one written on the item's own lines, else on the nearest item above it, else the
    /// latest `Hypothesis:` paragraph before it in its section or a section above, else one
    /// before the first heading. The work that tests it.
    pub hypothesis: Option<usize>,
}

/// What a plan document says: its task items, its promise references and its hypotheses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The task items, in document order.
    pub items: Vec<Item>,
    /// The references; items and hypotheses point at them by index.
    pub refs: Vec<Reference>,
    /// The `Hypothesis:` lines, in document order.
    pub hypotheses: Vec<Hypothesis>,
}

/// A `Hypothesis:` line, as written:
///
/// `Hypothesis: <belief> moves <metric> [from <baseline>] to <expected> by <YYYY-MM-DD> [(Promise: <id>)]`
///
/// The belief is the text before the first ` moves ` (or ` move `), the date the text after the
/// last ` by `, the expected value the text after the last ` to ` before it, and the metric the
/// text between ` moves ` and that ` to `, up to the last ` from ` (the baseline, optional, is
/// recorded and not judged). The words match in any case. Each is found with one search of the
/// line: linear whatever it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hypothesis {
    /// The line from its key to its end (without a trailing `(Promise: …)`).
    pub span: Range<usize>,
    /// The references that apply (indices into [`Plan::refs`]): its own `(Promise: …)`, else
    /// inherited from its item, section or document.
    pub promises: Vec<usize>,
    /// What it says, or why it cannot be read.
    pub said: Result<Said, Malformed>,
}

/// What a well-formed `Hypothesis:` line says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    /// What the team believes moves the metric (the text before ` moves `).
    pub belief: String,
    pub metric: String,
    pub metric_span: Range<usize>,
    /// The baseline written after ` from `, if any.
    pub from: Option<String>,
    /// The value expected, as written (`70%`).
    pub expect: String,
    pub expect_span: Range<usize>,
    /// The day by which it is expected.
    pub by: jiff::civil::Date,
}

/// Why a `Hypothesis:` line cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// No ` by <date>` at its end.
    NoDate,
    /// The text after ` by ` is not a day (`YYYY-MM-DD`): the text, and where it is.
    NotADate(String, Range<usize>),
    /// No ` moves ` (or ` move `) after a belief.
    NoMoves,
    /// No ` to <value>` before ` by `.
    NoExpected,
    /// Nothing between ` moves ` and ` to ` (or ` from `).
    NoMetric,
}

impl Malformed {
    /// Why, in words.
    pub fn why(&self) -> String {
        match self {
            Malformed::NoDate => "it has no date (` by YYYY-MM-DD` at its end)".to_string(),
            Malformed::NotADate(text, _) => format!("`{text}` is not a date (YYYY-MM-DD)"),
            Malformed::NoMoves => "it names no belief (`<belief> moves <metric>`)".to_string(),
            Malformed::NoExpected => "it has no expected value (` to <value>` before ` by `)".to_string(),
            Malformed::NoMetric => "it names no metric (between ` moves ` and ` to `)".to_string(),
        }
    }
}

/// A hypothesis's parts, as offsets in its line ([`read_hypothesis`]).
struct Parts {
    belief: Range<usize>,
    metric: Range<usize>,
    from: Option<Range<usize>>,
    expect: Range<usize>,
    by: jiff::civil::Date,
}

/// The range of `r` in `line` with spaces and tabs around it trimmed.
fn trimmed(line: &str, r: Range<usize>) -> Range<usize> {
    let s = &line[r.clone()];
    let start = r.start + (s.len() - s.trim_start_matches([' ', '\t']).len());
    let end = r.end - (s.len() - s.trim_end_matches([' ', '\t']).len());
    start..end.max(start)
}

/// Read a hypothesis from `line[value..end]` (the text after its key, up to a trailing
/// `(Promise: …)`): its parts as offsets in `line`, or why it cannot be read (a date's range in
/// `line`). A constant number of searches over a lowercased copy (ASCII lowercasing keeps every
/// offset), so linear in the line whatever it holds.
fn read_hypothesis(line: &str, value: usize, end: usize) -> Result<Parts, Malformed> {
    let lower = line[..end].to_ascii_lowercase();
    let find = |r: Range<usize>, word: &str| lower[r.clone()].find(word).map(|i| r.start + i);
    let rfind = |r: Range<usize>, word: &str| lower[r.clone()].rfind(word).map(|i| r.start + i);
    let whole = trimmed(line, value..end);
    let by_at = rfind(whole.clone(), " by ").ok_or(Malformed::NoDate)?;
    let date = trimmed(line, by_at + 4..whole.end);
    let date_text = &line[date.clone()];
    if date_text.is_empty() {
        return Err(Malformed::NoDate);
    }
    let shaped = date_text.len() == 10
        && date_text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let by = shaped.then(|| date_text.parse::<jiff::civil::Date>().ok()).flatten();
    let by = by.ok_or_else(|| Malformed::NotADate(date_text.to_string(), date))?;
    let head = whole.start..by_at;
    let (moves_at, moves_len) = match (find(head.clone(), " moves "), find(head.clone(), " move ")) {
        (Some(a), Some(b)) if b < a => (b, 6),
        (Some(a), _) => (a, 7),
        (None, Some(b)) => (b, 6),
        (None, None) => return Err(Malformed::NoMoves),
    };
    let belief = trimmed(line, head.start..moves_at);
    // After ` moves`, keeping the space before the next word: ` to ` and ` from ` are found right
    // after it too (an empty metric).
    let rest = moves_at + moves_len - 1..head.end;
    let to_at = rfind(rest.clone(), " to ").ok_or(Malformed::NoExpected)?;
    let expect = trimmed(line, to_at + 4..rest.end);
    if expect.is_empty() {
        return Err(Malformed::NoExpected);
    }
    let (metric, from) = match rfind(rest.start..to_at, " from ") {
        Some(f) => (trimmed(line, rest.start..f), Some(trimmed(line, f + 6..to_at))),
        None => (trimmed(line, rest.start..to_at), None),
    };
    if metric.is_empty() {
        return Err(Malformed::NoMetric);
    }
    Ok(Parts { belief, metric, from, expect, by })
}

/// A lone CR (old Mac line ends) becomes LF, in place: CommonMark reads it as a line end, and
/// line numbers must too. Offsets do not move (one byte for one byte); CRLF is left alone.
pub fn normalize_line_ends(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut bytes = text.into_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// pulldown-cmark 0.13.6 (the newest) does not close a fenced block whose closing fence is
/// followed by a tab (```` ```\t ````, `~~~ \t`), which CommonMark allows; every later fence
/// then flips and the items after it are lost. The white space after a line that is only a
/// fence means the same with spaces, so its tabs become spaces (one byte for one byte: offsets do
/// not move). `None` when nothing needs it.
fn fence_tabs(text: &str) -> Option<String> {
    if !text.contains('\t') {
        return None;
    }
    let mut bytes: Option<Vec<u8>> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        // After container prefixes: indentation and block-quote markers.
        let inner = body.trim_start_matches([' ', '>', '\t']);
        let prefix = body.len() - inner.len();
        let fence = inner.len() - inner.trim_start_matches('`').len();
        let fence = if fence >= 3 { fence } else { inner.len() - inner.trim_start_matches('~').len() };
        let rest = &inner[fence..];
        if fence >= 3 && rest.contains('\t') && rest.bytes().all(|b| b == b' ' || b == b'\t') {
            let bytes = bytes.get_or_insert_with(|| text.as_bytes().to_vec());
            bytes[at + prefix + fence..at + body.len()].fill(b' ');
        }
        at += line.len();
    }
    bytes.map(|b| String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// A task box alone on its line (`- [ ]`, nothing after it on the line) is text to cmark-gfm:
/// no box is drawn, and the item holds a paragraph `[ ]` that the next lines continue (lazily)
/// or nest under. pulldown-cmark 0.13.6 reads an empty task item instead and ends the item
/// there: a list indented under it becomes code, a continuation line a paragraph of its own,
/// and the task items in them are lost or found where GitHub has none (issue 23). Its brackets
/// become parentheses (one byte for one byte: offsets do not move), so pulldown-cmark reads the
/// paragraph cmark-gfm reads; a box alone was never a task item. `None` when nothing needs it.
fn lone_boxes(text: &str) -> Option<String> {
    if !text.contains(']') {
        return None;
    }
    let mut bytes: Option<Vec<u8>> = None;
    let mut at = 0;
    // Lines end at LF, CR or CRLF, as CommonMark's do.
    for line in text.split_inclusive(['\n', '\r']) {
        if let Some(open) = lone_box(line.trim_end_matches(['\n', '\r'])) {
            let bytes = bytes.get_or_insert_with(|| text.as_bytes().to_vec());
            bytes[at + open] = b'(';
            bytes[at + open + 2] = b')';
        }
        at += line.len();
    }
    bytes.map(|b| String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Where the `[` of a task box alone on `line` is: after block-quote markers, indentation and at
/// least one list marker (`-`, `*`, `+`, `1.`, `1)`) with white space after it, and followed by
/// nothing but spaces or tabs.
fn lone_box(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut i = 0;
    let mut marker = false;
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'>') {
            i += 1;
        }
        let digits = b[i..].iter().take(10).take_while(|c| c.is_ascii_digit()).count();
        let end = match b.get(i) {
            Some(b'-' | b'*' | b'+') => i + 1,
            _ if (1..=9).contains(&digits) && matches!(b.get(i + digits), Some(b'.' | b')')) => i + digits + 1,
            _ => break,
        };
        if !matches!(b.get(end), Some(b' ' | b'\t')) {
            break;
        }
        i = end;
        marker = true;
    }
    let boxed = b.len() >= i + 3
        && b[i] == b'['
        && matches!(b[i + 1], b' ' | b'\t' | b'x' | b'X')
        && b[i + 2] == b']'
        && b[i + 3..].iter().all(|&c| c == b' ' || c == b'\t');
    (marker && boxed).then_some(i)
}

/// Whether a document can hold a task item or a promise reference: it has a task box (`[`, white
/// space or `x`, `]`: no item without one, and exceptions live in items) or the word `promise`
/// or `hypothesis` in any case, written as plain text (references and hypotheses are read only
/// from a literal key). A document
/// with neither scans to an empty plan, so most pages of a large documentation tree need no
/// CommonMark parse; vectorised search. The GFM differential test and the fuzz target check
/// that skipping never changes a result.
pub fn may_have_items(text: &[u8]) -> bool {
    let mut at = 0;
    while let Some(i) = memchr::memchr(b'[', &text[at..]) {
        let i = at + i;
        if matches!(text.get(i + 1), Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | b'x' | b'X'))
            && text.get(i + 2) == Some(&b']')
        {
            return true;
        }
        at = i + 1;
    }
    // `promise` in any case: searched in a lowercased copy, a block at a time, the blocks
    // overlapping by the word's length so none is split unseen.
    static FINDERS: std::sync::OnceLock<[memchr::memmem::Finder<'static>; 2]> = std::sync::OnceLock::new();
    let finders =
        FINDERS.get_or_init(|| [memchr::memmem::Finder::new(b"promise"), memchr::memmem::Finder::new(b"hypothesis")]);
    const BLOCK: usize = 8192;
    const OVERLAP: usize = 9;
    let mut lower = [0u8; BLOCK];
    let mut start = 0;
    while start < text.len() {
        let end = (start + BLOCK).min(text.len());
        let block = &mut lower[..end - start];
        block.copy_from_slice(&text[start..end]);
        block.make_ascii_lowercase();
        if finders.iter().any(|f| f.find(block).is_some()) {
            return true;
        }
        if end == text.len() {
            break;
        }
        start = end - OVERLAP;
    }
    false
}

/// GitHub's extensions that decide where items are: task boxes, front matter, and tables (a table
/// ends at a list, where a paragraph would run on: an empty item after a table starts a list
/// there, on GitHub; issue 23).
const OPTIONS: Options =
    Options::ENABLE_TASKLISTS.union(Options::ENABLE_YAML_STYLE_METADATA_BLOCKS).union(Options::ENABLE_TABLES);

/// Scan one plan document. Total: any text gives a plan, possibly empty.
pub fn scan(text: &str) -> Plan {
    let fenced = fence_tabs(text);
    let text = fenced.as_deref().unwrap_or(text);
    let unboxed = lone_boxes(text);
    let text = unboxed.as_deref().unwrap_or(text);
    let mut s = Scanner { source: text, ..Scanner::default() };
    for (event, range) in Parser::new_ext(text, OPTIONS).into_offset_iter() {
        s.event(event, range);
    }
    s.plan
}

/// A heading of a document (the editor server's outline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Its text, inline markup dropped.
    pub text: String,
    /// The whole heading in the source.
    pub span: Range<usize>,
}

/// The headings of a document, in order (ATX and setext; none inside code or front matter).
pub fn headings(text: &str) -> Vec<Heading> {
    let mut out: Vec<Heading> = Vec::new();
    let mut open = false;
    for (event, range) in Parser::new_ext(text, OPTIONS).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                out.push(Heading { level: level as u8, text: String::new(), span: range });
                open = true;
            }
            Event::End(TagEnd::Heading(_)) => open = false,
            Event::Text(t) | Event::Code(t) if open => {
                if let Some(h) = out.last_mut() {
                    h.text.push_str(&t);
                }
            }
            _ => {}
        }
    }
    out
}

/// `Promise:` or `Promises:` (any case) and spaces or tabs around the key: the offset just
/// after the colon.
fn key_end(s: &str, at: usize) -> Option<usize> {
    keyword_colon(s, at, b"promise", true)
}

/// A `Promise: ids` line: the value's offset in the line.
fn promise_line(line: &str) -> Option<usize> {
    key_end(line, 0)
}

/// `Untraced:` (any case, spaces around the key) at `at`: the offset just after the colon.
fn untraced_end(s: &str, at: usize) -> Option<usize> {
    keyword_colon(s, at, b"untraced", false)
}

/// `word` (any case, optionally followed by `s`) between spaces or tabs and a colon, at `at`:
/// the offset just after the colon. Hand-written rather than a regex: this runs in every hook,
/// where compiling a case-insensitive Unicode regex would cost more than the scan.
fn keyword_colon(s: &str, at: usize, word: &[u8], plural: bool) -> Option<usize> {
    let b = s.as_bytes();
    let blank = |i: &mut usize| {
        while *i < b.len() && (b[*i] == b' ' || b[*i] == b'\t') {
            *i += 1;
        }
    };
    let mut i = at;
    blank(&mut i);
    if b.len() < i + word.len() || !b[i..i + word.len()].eq_ignore_ascii_case(word) {
        return None;
    }
    i += word.len();
    if plural && i < b.len() && (b[i] == b's' || b[i] == b'S') {
        i += 1;
    }
    blank(&mut i);
    (i < b.len() && b[i] == b':').then_some(i + 1)
}

/// An item's declared exception: a trailing `(Untraced: reason)` on its first line (the marker's
/// start and the reason), else an `Untraced: reason` line.
fn exception(first: &str, lines: &[&str]) -> Option<(Option<usize>, String)> {
    let trimmed = first.trim_end_matches([' ', '\t']);
    if let Some(inner) = trimmed.strip_suffix(')') {
        if let Some(open) = inner.rfind('(') {
            if let Some(value) = untraced_end(inner, open + 1) {
                return Some((Some(open), inner[value..].trim().to_string()));
            }
        }
    }
    lines.iter().find_map(|l| untraced_end(l, 0).map(|v| (None, l[v..].trim().to_string())))
}

/// A trailing `(Promise: ids)` on a line: the whole marker's start, and the value's range.
fn trailing_marker(line: &str) -> Option<(usize, Range<usize>)> {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let inner = trimmed.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let value_start = key_end(inner, open + 1)?;
    let value = &inner[value_start..];
    if value.contains('(') {
        return None;
    }
    Some((open, value_start..inner.len()))
}

/// Text of a block gathered from events, with a map back to source offsets.
#[derive(Default)]
struct Collector {
    text: String,
    /// (offset in `text`, offset in source, length in text, length in source)
    segs: Vec<(usize, usize, usize, usize)>,
    /// Ranges of `text` that must not count (inline code, HTML).
    opaque: Vec<Range<usize>>,
}

impl Collector {
    fn push(&mut self, s: &str, src: Range<usize>, opaque: bool) {
        let start = self.text.len();
        self.text.push_str(s);
        self.segs.push((start, src.start, s.len(), src.len()));
        if opaque {
            self.opaque.push(start..self.text.len());
        }
    }

    fn newline(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    /// Whether `r` overlaps an opaque range. The ranges are pushed in text order and never
    /// overlap, so a binary search finds the only candidate (linear scans made a paragraph of
    /// many `Promise:` lines quadratic).
    fn is_opaque(&self, r: &Range<usize>) -> bool {
        let i = self.opaque.partition_point(|o| o.end <= r.start);
        self.opaque.get(i).is_some_and(|o| o.start < r.end && r.start < o.end)
    }

    /// Source span of a range of the collected text. Exact where the text is the source (plain
    /// text); otherwise the whole event (escapes, entities).
    fn map(&self, r: Range<usize>) -> Range<usize> {
        // Segments are pushed in text order: the first one that can hold `off` is found by
        // binary search.
        let find = |off: usize, end: bool| -> usize {
            let i = if end {
                self.segs.partition_point(|&(t, _, tl, _)| t + tl < off)
            } else {
                self.segs.partition_point(|&(t, _, tl, _)| t + tl <= off)
            };
            for &(t, s, tl, sl) in self.segs.get(i..).into_iter().flatten() {
                let inside = if end { off > t && off <= t + tl } else { off >= t && off < t + tl };
                if inside {
                    return if tl == sl {
                        s + (off - t)
                    } else if end {
                        s + sl
                    } else {
                        s
                    };
                }
                if t > off {
                    break;
                }
            }
            self.segs.last().map_or(0, |&(_, s, _, sl)| s + sl)
        };
        let start = find(r.start, false);
        (start..find(r.end, true).max(start)).clone()
    }

    /// Lines of the collected text with their offsets.
    fn lines(&self) -> impl Iterator<Item = (usize, &str)> {
        let mut off = 0;
        self.text.split('\n').map(move |line| {
            let start = off;
            off += line.len() + 1;
            (start, line)
        })
    }

    /// The ids listed in `value`, which sits at `value_start` in the collected text.
    fn ids(&self, value: &str, value_start: usize) -> Vec<(String, Range<usize>)> {
        let mut out = Vec::new();
        let mut off = value_start;
        for part in value.split(',') {
            let lead = part.len() - part.trim_start().len();
            let id = part.trim();
            let range = off + lead..off + lead + id.len();
            off += part.len() + 1;
            if !id.is_empty() && !self.is_opaque(&range) {
                out.push((id.to_string(), self.map(range)));
            }
        }
        out
    }

    /// References on `Promise:` lines. The key must be written as plain text: `P*romise*:` or
    /// `&#80;romise:` render as the word, but nobody writes a key that way, and a key that is
    /// always literal lets a document without the word skip the parse (`may_have_items`).
    fn promise_lines(&self) -> Vec<(String, Range<usize>)> {
        let mut out = Vec::new();
        for (start, line) in self.lines() {
            if let Some(value_start) = promise_line(line) {
                if self.is_opaque(&(start..start + value_start)) {
                    continue;
                }
                // The source is never shorter than the text it gives; equal only where the text
                // is the source itself, in one piece.
                let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
                let key = start + lead..start + value_start;
                if self.map(key.clone()).len() != key.len() {
                    continue;
                }
                out.extend(self.ids(&line[value_start..], start + value_start));
            }
        }
        out
    }
}

/// A `Hypothesis:` line found in a block: its line's index there, the hypothesis with no
/// promises yet, and the ids of its own trailing `(Promise: …)`.
type FoundHypothesis = (usize, Hypothesis, Vec<(String, Range<usize>)>);

impl Collector {
    /// The `Hypothesis:` lines (the key written as plain text, as `Promise:` is): for each, the
    /// index of its line, the hypothesis with no promises yet, and the ids of its own trailing
    /// `(Promise: …)`.
    fn hypotheses(&self) -> Vec<FoundHypothesis> {
        let mut out = Vec::new();
        for (n, (start, line)) in self.lines().enumerate() {
            let Some(value) = keyword_colon(line, 0, b"hypothesis", false) else { continue };
            let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
            let key = start + lead..start + value;
            if self.is_opaque(&key) || self.map(key.clone()).len() != key.len() {
                continue;
            }
            let (mut end, mut own) = (line.len(), Vec::new());
            if let Some((open, ids)) = trailing_marker(line) {
                if open >= value && !self.is_opaque(&(start + open..start + line.len())) {
                    own = self.ids(&line[ids.clone()], start + ids.start);
                    end = open;
                }
            }
            let at = |r: Range<usize>| self.map(start + r.start..start + r.end);
            let span = at(trimmed(line, lead..end));
            let said = match read_hypothesis(line, value, end) {
                Ok(p) => Ok(Said {
                    belief: line[p.belief].to_string(),
                    metric: line[p.metric.clone()].to_string(),
                    metric_span: at(p.metric),
                    from: p.from.map(|f| line[f].to_string()),
                    expect: line[p.expect.clone()].to_string(),
                    expect_span: at(p.expect),
                    by: p.by,
                }),
                Err(Malformed::NotADate(text, r)) => Err(Malformed::NotADate(text, at(r))),
                Err(e) => Err(e),
            };
            out.push((n, Hypothesis { span, promises: Vec::new(), said }, own));
        }
        out
    }
}

/// The paragraph being collected outside items, and what it may declare.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ParaKind {
    Section,
    Document,
    Other,
}

struct ItemFrame {
    task: Option<bool>,
    /// Where the task box (`[ ]`) ends in the source.
    marker_end: usize,
    col: Collector,
    analysed: bool,
    /// Own references (indices into the plan's refs).
    refs: Vec<usize>,
    /// The last hypothesis written on its own lines, else the item above's (an index into the
    /// plan's hypotheses).
    hypothesis: Option<usize>,
}

#[derive(Default)]
struct Scanner<'t> {
    /// The document, for positions between events.
    source: &'t str,
    plan: Plan,
    /// (heading level, references declared for the section)
    headings: Vec<(u8, Vec<usize>)>,
    doc_refs: Vec<usize>,
    /// (heading level, the latest hypothesis of a paragraph in that section so far), and the
    /// latest before the first heading: what the items after them are nested under.
    section_hypotheses: Vec<(u8, usize)>,
    doc_hypothesis: Option<usize>,
    seen_heading: bool,
    after_heading: bool,
    in_heading: bool,
    code_depth: usize,
    in_metadata: bool,
    in_inline_comment: bool,
    para: Option<(ParaKind, Collector)>,
    items: Vec<ItemFrame>,
}

impl Scanner<'_> {
    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if let Event::Start(tag) = &event {
            let is_para = matches!(tag, Tag::Paragraph);
            let after_heading = std::mem::take(&mut self.after_heading);
            if is_para && self.items.is_empty() && self.code_depth == 0 {
                let kind = match (after_heading, self.seen_heading) {
                    (true, _) => ParaKind::Section,
                    (false, false) => ParaKind::Document,
                    _ => ParaKind::Other,
                };
                self.para = Some((kind, Collector::default()));
            }
        }
        match event {
            // A heading inside an item is the item's text, not a section: `- [ ] Feature` over a
            // line that is only `-` (an empty item, to the eye) is a setext heading in its item,
            // and cmark-gfm draws the item's box (issue 23).
            Event::Start(Tag::Heading { .. }) if !self.items.is_empty() => {}
            Event::End(TagEnd::Heading(_)) if !self.items.is_empty() => {
                if let Some(frame) = self.items.last_mut() {
                    frame.col.newline();
                }
            }
            Event::Start(Tag::Heading { level, .. }) => {
                let level = level as u8;
                while self.headings.last().is_some_and(|(l, _)| *l >= level) {
                    self.headings.pop();
                }
                while self.section_hypotheses.last().is_some_and(|(l, _)| *l >= level) {
                    self.section_hypotheses.pop();
                }
                self.headings.push((level, Vec::new()));
                self.seen_heading = true;
                self.in_heading = true;
            }
            Event::End(TagEnd::Heading(_)) => {
                self.in_heading = false;
                self.after_heading = true;
            }
            // Code blocks, and tables (whose cells are not lines): nothing in them counts.
            Event::Start(Tag::CodeBlock(_) | Tag::Table(_)) => self.code_depth += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::Table) => self.code_depth = self.code_depth.saturating_sub(1),
            Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)) => self.in_metadata = true,
            Event::End(TagEnd::MetadataBlock(_)) => self.in_metadata = false,
            Event::Start(Tag::Item) => self.items.push(ItemFrame {
                task: None,
                marker_end: range.start,
                col: Collector::default(),
                analysed: false,
                refs: Vec::new(),
                hypothesis: None,
            }),
            Event::TaskListMarker(checked) => {
                if let Some(frame) = self.items.last_mut() {
                    frame.task = Some(checked);
                    frame.marker_end = range.end;
                }
            }
            Event::Start(Tag::List(_)) => {
                // The item above a nested list is complete enough: its own lines come first.
                if let Some(i) = self.items.len().checked_sub(1) {
                    self.analyse_item(i);
                }
            }
            Event::End(TagEnd::Item) => {
                if let Some(i) = self.items.len().checked_sub(1) {
                    self.analyse_item(i);
                }
                self.items.pop();
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some(frame) = self.items.last_mut() {
                    frame.col.newline();
                } else if let Some((kind, col)) = self.para.take() {
                    let scope = match kind {
                        ParaKind::Section => Some(Scope::Section),
                        ParaKind::Document => Some(Scope::Document),
                        ParaKind::Other => None,
                    };
                    for (id, span) in scope.map(|_| col.promise_lines()).unwrap_or_default() {
                        let idx = self.add_ref(id, span, scope.unwrap_or(Scope::Document));
                        match scope {
                            Some(Scope::Section) => {
                                if let Some((_, refs)) = self.headings.last_mut() {
                                    refs.push(idx);
                                }
                            }
                            _ => self.doc_refs.push(idx),
                        }
                    }
                    let found = col.hypotheses();
                    if !found.is_empty() {
                        let inherited = self.inherited(self.items.len());
                        let last = self.add_hypotheses(found, false, &inherited);
                        match self.headings.last() {
                            Some(&(level, _)) => self.section_hypotheses.push((level, last)),
                            None => self.doc_hypothesis = Some(last),
                        }
                    }
                }
            }
            Event::Text(t) => {
                if self.in_metadata {
                    self.front_matter(&t, range);
                } else if self.code_depth == 0 && !self.in_heading {
                    let opaque = self.in_inline_comment;
                    if let Some(col) = self.collector() {
                        col.push(&t, range, opaque);
                    }
                }
            }
            Event::Code(t) => {
                if let Some(col) = self.collector() {
                    let shown = format!("`{t}`");
                    col.push(&shown, range, true);
                }
            }
            Event::InlineHtml(h) => {
                if h.starts_with("<!--") {
                    self.in_inline_comment = !h.contains("-->");
                } else if h.contains("-->") {
                    self.in_inline_comment = false;
                }
                if let Some(col) = self.collector() {
                    col.push(&h, range, true);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(col) = self.collector() {
                    col.text.push('\n');
                }
            }
            _ => {}
        }
    }

    fn collector(&mut self) -> Option<&mut Collector> {
        if self.in_heading || self.code_depth > 0 {
            return None;
        }
        match self.items.last_mut() {
            Some(frame) if !frame.analysed => Some(&mut frame.col),
            Some(_) => None,
            None => self.para.as_mut().map(|(_, c)| c),
        }
    }

    fn add_ref(&mut self, id: String, span: Range<usize>, scope: Scope) -> usize {
        self.plan.refs.push(Reference { id, span, scope });
        self.plan.refs.len() - 1
    }

    /// Read an item's own lines: its references, and if it is a task, the work item itself.
    fn analyse_item(&mut self, i: usize) {
        if self.items[i].analysed {
            return;
        }
        self.items[i].analysed = true;
        let col = std::mem::take(&mut self.items[i].col);
        let mut found = col.promise_lines();
        let first = col.lines().next().map(|(_, l)| l).unwrap_or("");
        let mut text = first.trim().to_string();
        if let Some((open, value)) = trailing_marker(first) {
            if !col.is_opaque(&(open..first.len())) {
                found.extend(col.ids(&first[value.clone()], value.start));
                text = first[..open].trim().to_string();
            }
        }
        let lines: Vec<&str> = col.lines().map(|(_, l)| l).collect();
        let exception = match exception(first, &lines) {
            Some((Some(open), reason)) if !col.is_opaque(&(open..first.len())) => {
                text = first[..open].trim().to_string();
                Some(reason)
            }
            Some((None, reason)) => Some(reason),
            _ => None,
        };
        let own: Vec<usize> = found.into_iter().map(|(id, span)| self.add_ref(id, span, Scope::Item)).collect();
        self.items[i].refs = own.clone();
        let hypotheses = col.hypotheses();
        if !hypotheses.is_empty() {
            let inherited = if own.is_empty() { self.inherited(i) } else { own.clone() };
            self.items[i].hypothesis = Some(self.add_hypotheses(hypotheses, true, &inherited));
        } else {
            // The item above's (its own or its own above's), found once per item.
            self.items[i].hypothesis = i.checked_sub(1).and_then(|p| self.items[p].hypothesis);
        }

        let Some(done) = self.items[i].task else {
            return;
        };
        // A box with no text after it on its line is not a task item for GitHub's cmark-gfm (it
        // renders `[ ]` as text), whether or not text follows on the next line.
        if first.trim().is_empty() {
            return;
        }
        let lead = first.len() - first.trim_start().len();
        let span = col.map(lead..lead + first.trim().len());
        if self.source.get(self.items[i].marker_end..span.start).is_some_and(|gap| gap.contains(['\n', '\r'])) {
            return;
        }
        let promises = if !own.is_empty() { own } else { self.inherited(i) };
        let hypothesis = self.items[i]
            .hypothesis
            .or_else(|| self.section_hypotheses.last().map(|&(_, h)| h))
            .or(self.doc_hypothesis);
        self.plan.items.push(Item { done, text, span, promises, exception, hypothesis });
    }

    /// The references that apply at the item `i` deep (or, with `i` the depth, outside any
    /// item) without its own: the nearest item above's, else the sections', else the document's.
    fn inherited(&self, i: usize) -> Vec<usize> {
        self.items[..i]
            .iter()
            .rev()
            .map(|f| &f.refs)
            .chain(self.headings.iter().rev().map(|(_, r)| r))
            .chain(std::iter::once(&self.doc_refs))
            .find(|r| !r.is_empty())
            .cloned()
            .unwrap_or_default()
    }

    /// Record the hypotheses found in a block (at least one): each belongs to its own
    /// `(Promise: …)`, else to `inherited`. In an item (`in_item`), the first line's marker is
    /// the item's own reference, already in `inherited`. The index of the last one recorded.
    fn add_hypotheses(&mut self, found: Vec<FoundHypothesis>, in_item: bool, inherited: &[usize]) -> usize {
        for (n, mut h, own) in found {
            let own: Vec<usize> = if in_item && n == 0 {
                Vec::new()
            } else {
                own.into_iter().map(|(id, span)| self.add_ref(id, span, Scope::Hypothesis)).collect()
            };
            h.promises = if own.is_empty() { inherited.to_vec() } else { own };
            self.plan.hypotheses.push(h);
        }
        self.plan.hypotheses.len().saturating_sub(1)
    }

    /// `promise: id`, `promises: [a, b]`, `promises: a, b` or a `promises:` list in front matter.
    fn front_matter(&mut self, text: &str, range: Range<usize>) {
        let exact = text.len() == range.len();
        let mut in_list = false;
        let mut off = 0;
        for line in text.split('\n') {
            let line_start = off;
            off += line.len() + 1;
            let mut values: Vec<(usize, &str)> = Vec::new();
            let lower = line.to_ascii_lowercase();
            let key = ["promises:", "promise:"].into_iter().find(|k| lower.starts_with(k));
            if let Some(key) = key {
                let rest = &line[key.len()..];
                let trimmed = rest.trim();
                in_list = trimmed.is_empty();
                let inner = trimmed.trim_start_matches('[').trim_end_matches(']');
                let base = line_start + key.len() + rest.find(inner).unwrap_or(0);
                let mut o = 0;
                for part in inner.split(',') {
                    values.push((base + o, part));
                    o += part.len() + 1;
                }
            } else if in_list && line.trim_start().starts_with("- ") {
                let lead = line.len() - line.trim_start().len() + 2;
                values.push((line_start + lead, &line[lead..]));
            } else if !line.starts_with([' ', '\t']) {
                in_list = false;
            }
            for (at, part) in values {
                let lead = part.len() - part.trim_start().len();
                let id = part.trim().trim_matches(|c| c == '"' || c == '\'');
                if id.is_empty() {
                    continue;
                }
                let start = at + lead + part.trim_start().find(id).unwrap_or(0);
                let span = if exact { range.start + start..range.start + start + id.len() } else { range.clone() };
                let idx = self.add_ref(id.to_string(), span, Scope::Document);
                self.doc_refs.push(idx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_have_levels_text_and_spans() {
        let text = "---\npromise: x\n---\n# Plan\n\n```\n# not\n```\n\nSearch `v2`\n----\n\n### Deep\n";
        let found = headings(text);
        let got: Vec<(u8, &str, &str)> =
            found.iter().map(|h| (h.level, h.text.as_str(), text[h.span.clone()].trim_end())).collect();
        assert_eq!(got, [(1, "Plan", "# Plan"), (2, "Search v2", "Search `v2`\n----"), (3, "Deep", "### Deep")]);
    }

    /// A key is read only as plain text; the prefilter relies on it.
    #[test]
    fn the_promise_key_is_read_only_as_plain_text() {
        let ids = |doc: &str| scan(doc).refs.into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids("# A\nPromise: find-and-buy\n\n- [ ] x\n"), ["find-and-buy"]);
        assert_eq!(ids("# A\nPROMISES: a, b\n\n- [ ] x\n"), ["a", "b"]);
        for written in ["P*romise*: a", "P*romise: a\nP*romise: b", "&#80;romise: a", "Pro<b>mise</b>: a"] {
            let doc = format!("# A\n{written}\n\n- [ ] x\n");
            assert!(ids(&doc).is_empty(), "{written:?} read as a key");
            assert!(!may_have_items(written.as_bytes()), "{written:?}");
        }
        assert!(may_have_items(b"no box here, but a proMISE"));
        assert!(may_have_items(b"- [x] done"));
        assert!(!may_have_items(b"[link](x) and [y]: z"));
    }

    /// Issue 13: "items inside block quotes are items" (github.com renders their boxes, though
    /// cmark-gfm alone does not; the differential test leaves block quotes out for that reason).
    #[test]
    fn items_in_block_quotes_are_items() {
        let plan = scan("> ## Quoted plan\n> Promise: a\n>\n> - [ ] quoted item\n> - [x] quoted done\n");
        assert_eq!(
            plan.items.iter().map(|i| (i.text.as_str(), i.done)).collect::<Vec<_>>(),
            [("quoted item", false), ("quoted done", true)]
        );
    }

    #[test]
    fn a_closing_fence_followed_by_a_tab_closes_the_block() {
        for text in [
            "```\ncode\n```\t\n\n- [ ] after\n",
            "~~~\ncode\n~~~ \t\n\n- [ ] after\n",
            "- x\n  ```\n  code\n  ```\t\n- [ ] after\n",
            "> ```\n> code\n> ```\t\n\n- [ ] after\n",
        ] {
            let plan = scan(text);
            assert_eq!(plan.items.len(), 1, "{text:?}");
            assert_eq!(plan.items[0].text, "after", "{text:?}");
            assert_eq!(&text[plan.items[0].span.clone()], "after", "offsets do not move: {text:?}");
        }
        assert!(fence_tabs("no tabs\n").is_none());
        assert!(fence_tabs("a\tb\n```js\t\n").is_none(), "an info string is not touched");
    }

    fn ids(plan: &Plan, item: &Item) -> Vec<String> {
        item.promises.iter().map(|&i| plan.refs[i].id.clone()).collect()
    }

    #[test]
    fn declared_exceptions() {
        let plan = scan("- [ ] bump CI image (Untraced: infrastructure upkeep)\n- [ ] own line\n  untraced : legal asked\n- [ ] empty (Untraced:)\n- [ ] `(Untraced: code)`\n");
        let ex: Vec<Option<&str>> = plan.items.iter().map(|i| i.exception.as_deref()).collect();
        assert_eq!(ex, [Some("infrastructure upkeep"), Some("legal asked"), Some(""), None]);
        assert_eq!(plan.items[0].text, "bump CI image");
    }

    #[test]
    fn items_and_inheritance() {
        let text = "\
# Roadmap

## Search
Promise: find-and-buy

- [ ] typo-tolerant search
- [x] search index (Promise: promote-products)
  - [ ] sub-task
- [ ] with its own line
  Promise: track-orders, find-and-buy

### Subsection
- [ ] inherits the section

## Loose
- [ ] untraced
- plain bullet, not work
";
        let plan = scan(text);
        let got: Vec<(bool, &str, Vec<String>)> =
            plan.items.iter().map(|i| (i.done, i.text.as_str(), ids(&plan, i))).collect();
        assert_eq!(
            got,
            vec![
                (false, "typo-tolerant search", vec!["find-and-buy".to_string()]),
                (true, "search index", vec!["promote-products".to_string()]),
                (false, "sub-task", vec!["promote-products".to_string()]),
                (false, "with its own line", vec!["track-orders".to_string(), "find-and-buy".to_string()]),
                (false, "inherits the section", vec!["find-and-buy".to_string()]),
                (false, "untraced", vec![]),
            ]
        );
        for r in &plan.refs {
            assert_eq!(&text[r.span.clone()], r.id, "{r:?}");
        }
        let item = &plan.items[0];
        assert_eq!(&text[item.span.clone()], "typo-tolerant search");
    }

    #[test]
    fn document_level_from_front_matter_and_leading_paragraph() {
        let text = "---\ntitle: x\npromises:\n  - find-and-buy\n  - \"track-orders\"\n---\n\n- [ ] a\n";
        let plan = scan(text);
        assert_eq!(ids(&plan, &plan.items[0]), ["find-and-buy", "track-orders"]);
        assert!(plan.refs.iter().all(|r| text[r.span.clone()] == r.id && r.scope == Scope::Document));

        let text = "---\npromise: [a, b]\n---\n- [ ] x\n";
        let plan = scan(text);
        assert_eq!(ids(&plan, &plan.items[0]), ["a", "b"]);

        let text = "Intro.\nPromise: find-and-buy\n\n# H\n- [ ] x\n";
        let plan = scan(text);
        assert_eq!(ids(&plan, &plan.items[0]), ["find-and-buy"]);
    }

    #[test]
    fn code_and_comments_never_count() {
        let text = "\
# H

```
Promise: in-a-code-block
- [ ] not an item
```

- [ ] item with `Promise: inline-code`
- [ ] item <!-- Promise: in-a-comment -->
<!--
- [ ] hidden
Promise: hidden
-->
";
        let plan = scan(text);
        assert_eq!(plan.items.len(), 2, "{plan:#?}");
        assert!(plan.refs.is_empty(), "{:#?}", plan.refs);
    }

    #[test]
    fn a_promise_paragraph_must_be_right_under_the_heading() {
        let text = "# H\n\nSome prose.\n\nPromise: late\n\n- [ ] x\n";
        let plan = scan(text);
        assert!(plan.items[0].promises.is_empty());
        assert!(plan.refs.is_empty());
    }

    #[test]
    fn key_forms() {
        assert_eq!(promise_line("Promise: a"), Some(8));
        assert_eq!(promise_line("  promises\t: a"), Some(12));
        assert_eq!(promise_line("PROMISE:a"), Some(8));
        assert_eq!(promise_line("Promised: a"), None);
        assert_eq!(promise_line("Promise a"), None);
        assert_eq!(trailing_marker("Do it (Promise: a, b)  "), Some((6, 15..20)));
        assert_eq!(trailing_marker("Do it (see: a)"), None);
        assert_eq!(trailing_marker("Do it (Promise: a"), None);
    }

    #[test]
    fn hostile_markdown_is_total() {
        for text in
            ["", "- [", "- [ ]", "> - [ ] quoted (Promise: a", "#\n-[x]", "- [ ] (Promise: )", &"> ".repeat(500)]
        {
            let plan = scan(text);
            for r in &plan.refs {
                assert!(r.span.end <= text.len());
            }
        }
    }

    fn said(h: &Hypothesis) -> &Said {
        h.said.as_ref().unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// Issue 26: `Hypothesis:` lines in paragraphs and items, each with its parts at their
    /// place and the promise it belongs to: its own marker, else its item's, section's or
    /// document's.
    #[test]
    fn items_are_nested_under_the_hypothesis_above_them() {
        let text = "\
Hypothesis: a faster page moves bounce rate to 30% by 2027-01-01

- [ ] Compress images

## Checkout
Promise: checkout-v2

- [x] Before any bet of the section

Hypothesis: one-step payment moves checkout completion to 70% by 2027-03-01

- [ ] One-step form
- [ ] Hypothesis: saved cards move checkout completion to 72% by 2027-04-01
  - [x] Card vault
    - [ ] Vault audit

### Deeper
- [ ] Under the section's bet still

Hypothesis: a deeper search moves checkout completion to 71% by 2027-05-01

- [ ] Under the deeper bet

## Search
- [ ] No bet here
";
        let plan = scan(text);
        let got: Vec<(&str, Option<&str>)> = plan
            .items
            .iter()
            .map(|i| (i.text.as_str(), i.hypothesis.map(|h| said(&plan.hypotheses[h]).belief.as_str())))
            .collect();
        assert_eq!(
            got,
            [
                ("Compress images", Some("a faster page")),
                ("Before any bet of the section", Some("a faster page")),
                ("One-step form", Some("one-step payment")),
                ("Hypothesis: saved cards move checkout completion to 72% by 2027-04-01", Some("saved cards")),
                ("Card vault", Some("saved cards")),
                ("Vault audit", Some("saved cards")),
                ("Under the section's bet still", Some("one-step payment")),
                ("Under the deeper bet", Some("a deeper search")),
                ("No bet here", Some("a faster page")),
            ]
        );
    }

    #[test]
    fn hypotheses_and_their_promises() {
        let text = "\
---
promise: doc-level
---
Hypothesis: a faster page moves bounce rate to 30% by 2027-01-01

## Checkout
Promise: checkout-v2
Hypothesis: one-step payment moves checkout completion from 61% to 70% by 2027-03-01

- [ ] Hypothesis: saved cards move checkout completion to 72% by 2027-04-01 (Promise: wallet)
- plain bullet
  Hypothesis: Wallets MOVE time from search to purchase from 5 min TO 3 min BY 2027-05-01 (Promise: search)

`Hypothesis: in code moves x to 1 by 2027-01-01`

```
Hypothesis: in a block moves x to 1 by 2027-01-01
```
";
        let plan = scan(text);
        type Got<'a> = (Vec<String>, &'a str, &'a str, Option<&'a str>, &'a str, String);
        let got: Vec<Got> = plan
            .hypotheses
            .iter()
            .map(|h| {
                let s = said(h);
                let ids = h.promises.iter().map(|&i| plan.refs[i].id.clone()).collect();
                (ids, s.belief.as_str(), s.metric.as_str(), s.from.as_deref(), s.expect.as_str(), s.by.to_string())
            })
            .collect();
        let v = |id: &str| vec![id.to_string()];
        assert_eq!(
            got,
            [
                (v("doc-level"), "a faster page", "bounce rate", None, "30%", "2027-01-01".to_string()),
                (v("checkout-v2"), "one-step payment", "checkout completion", Some("61%"), "70%", "2027-03-01".into()),
                (v("wallet"), "saved cards", "checkout completion", None, "72%", "2027-04-01".into()),
                (v("search"), "Wallets", "time from search to purchase", Some("5 min"), "3 min", "2027-05-01".into()),
            ]
        );
        for h in &plan.hypotheses {
            let s = said(h);
            assert_eq!(&text[s.metric_span.clone()], s.metric);
            assert_eq!(&text[s.expect_span.clone()], s.expect);
            assert!(text[h.span.clone()].starts_with("Hypothesis: ") && text[h.span.clone()].ends_with("-01"));
        }
        // The item's own marker is the item's reference; the bullet's line has one of its own.
        let scopes: Vec<(&str, Scope)> = plan.refs.iter().map(|r| (r.id.as_str(), r.scope)).collect();
        assert_eq!(
            scopes,
            [
                ("doc-level", Scope::Document),
                ("checkout-v2", Scope::Section),
                ("wallet", Scope::Item),
                ("search", Scope::Hypothesis)
            ]
        );
        assert_eq!(plan.items.len(), 1, "a hypothesis in a task item is work too");
    }

    #[test]
    fn malformed_hypotheses_say_why() {
        let why = |line: &str| {
            let plan = scan(&format!("{line}\n"));
            assert_eq!(plan.hypotheses.len(), 1, "{line}");
            plan.hypotheses[0].said.clone().err()
        };
        assert_eq!(why("Hypothesis: a moves b to 5%"), Some(Malformed::NoDate));
        assert_eq!(why("Hypothesis: a moves b to 5% by"), Some(Malformed::NoDate));
        assert_eq!(why("Hypothesis: a moves b to 5% by June"), Some(Malformed::NotADate("June".into(), 31..35)));
        assert_eq!(
            why("Hypothesis: a moves b to 5% by 2027-02-30"),
            Some(Malformed::NotADate("2027-02-30".into(), 31..41))
        );
        assert_eq!(why("Hypothesis: a moves b up by 2027-02-01"), Some(Malformed::NoExpected));
        assert_eq!(why("Hypothesis: a moves b to  by 2027-02-01"), Some(Malformed::NoExpected));
        assert_eq!(why("Hypothesis: b to 5% by 2027-02-01"), Some(Malformed::NoMoves));
        assert_eq!(why("Hypothesis: a moves to 5% by 2027-02-01"), Some(Malformed::NoMetric));
        assert_eq!(why("Hypothesis: a moves from 1% to 5% by 2027-02-01"), Some(Malformed::NoMetric));
        assert_eq!(why("Hypothesis: a moves b to 5% by 2027-02-01"), None);
        assert!(scan("Hypotheses: a moves b to 5% by 2027-02-01\n").hypotheses.is_empty());
        assert!(scan("The hypothesis: a moves b to 5% by 2027-02-01\n").hypotheses.is_empty());
        for doc in [
            "Hypothesis:",
            "Hypothesis: by",
            "Hypothesis:  moves  to  by ",
            "- Hypothesis: x (Promise: a",
            "Hypothesis: \u{e9} moves \u{e9} to \u{e9} by \u{e9}",
        ] {
            for h in scan(doc).hypotheses {
                assert!(h.span.end <= doc.len() && h.said.is_err(), "{doc:?}");
            }
        }
        assert!(may_have_items(b"Some prose.\n\nHYPOTHESIS: a moves b to 1 by 2027-01-01\n"));
    }

    /// Issue 23: an item's text over a line that is only `-` (an empty item, to the eye) is a
    /// setext heading in the item; cmark-gfm draws its box, and the heading is no section.
    #[test]
    fn an_item_over_an_empty_item_is_an_item() {
        let text = "## Work\nPromise: a\n\n- [ ] Feature\n  - [x] Tests\n    - \n  - [x] Docs update(s):\n- [ ] Feature\n  ===\n- [ ] after\n";
        let plan = scan(text);
        let got: Vec<(bool, &str, Vec<String>)> =
            plan.items.iter().map(|i| (i.done, i.text.as_str(), ids(&plan, i))).collect();
        let a = || vec!["a".to_string()];
        assert_eq!(
            got,
            [
                (false, "Feature", a()),
                (true, "Tests", a()),
                (true, "Docs update(s):", a()),
                (false, "Feature", a()),
                (false, "after", a()),
            ]
        );
        assert_eq!(&text[plan.items[1].span.clone()], "Tests");
    }

    /// Issue 23: a box alone on its line is a paragraph `[ ]` to cmark-gfm, which the lines after
    /// it continue or nest under; pulldown-cmark ended the item there.
    #[test]
    fn a_list_under_a_box_alone_is_nested_in_its_item() {
        let plan = scan("- [ ]\n\n  \t- [x] nested under a lone box\n- [x]\n    - [ ] four spaces in\n");
        let got: Vec<(bool, &str)> = plan.items.iter().map(|i| (i.done, i.text.as_str())).collect();
        assert_eq!(got, [(true, "nested under a lone box"), (false, "four spaces in")]);
        assert_eq!(lone_box("> 1. - [x] \t"), Some(7));
        for line in ["- [ ] text", "[ ]", "- [y]", "-[ ]", "- [ ]x", "1234567890. [ ]"] {
            assert_eq!(lone_box(line), None, "{line:?}");
        }
        assert!(lone_boxes("- [ ] text\n").is_none());
        assert_eq!(lone_boxes("- [x]\r\n* [ ]\rx\n").as_deref(), Some("- (x)\r\n* ( )\rx\n"));
    }

    /// Issue 23: a table ends at a list, as on GitHub (a paragraph runs on over an empty item),
    /// and nothing in its cells counts.
    #[test]
    fn an_empty_item_after_a_table_starts_a_list() {
        let plan = scan("## S\n| a | b |\n|---|---|\n| Promise: x | y |\n-\t\n\t- [ ] under it\n");
        assert_eq!(plan.items.iter().map(|i| i.text.as_str()).collect::<Vec<_>>(), ["under it"]);
        assert!(plan.refs.is_empty(), "{:?}", plan.refs);
    }
}
