//! The texts diagnostics point into: files by path, commits by id and subject.
//!
//! Every finding and error names its source by [`SourceId`] and marks byte spans in it; reporters
//! turn spans into snippets (human) or line and column numbers (JSON). Keeping the text here, once,
//! means rules never re-read files and reporters never guess what a span meant.

use std::ops::Range;
use std::sync::Arc;

/// What a source is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceKind {
    /// A file, by its path relative to the repository root, with `/` separators.
    File {
        /// Relative to the repository root.
        path: String,
    },
    /// A commit message, by its full id and subject.
    Commit {
        /// The full commit id.
        sha: String,
        /// Its subject line.
        subject: String,
    },
    /// A message not yet committed (the commit-msg hook), by its file.
    Message {
        /// The message file, as git named it.
        path: String,
    },
    /// A pull request or issue body from a tracker, by how to name it: `pull request #12 "Add
    /// search"`.
    Body {
        /// How to name it.
        name: String,
    },
}

/// A text findings point into, with its lines indexed on first use.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Source {
    /// What it is.
    pub kind: SourceKind,
    /// The text.
    pub text: Arc<str>,
    /// Byte offsets where lines start, computed once on first use: positions for thousands of
    /// findings in one large file must not rescan it each time.
    lines: Arc<std::sync::OnceLock<LineIndex>>,
    /// Characters before every [`CHAR_BLOCK`]th byte, computed once, on the first column asked
    /// for on a long line: a column is counted from the block it falls in, not from its line's
    /// start, so a line naming 200,000 ids is not counted again for each (issue 23).
    chars: Arc<std::sync::OnceLock<Vec<usize>>>,
}

/// The bytes between two entries of [`Source::chars`]; columns on shorter lines are counted
/// directly.
const CHAR_BLOCK: usize = 256;

/// The characters in `bytes`, which may start or end inside one: the bytes that start one
/// (every byte but UTF-8's continuation bytes).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl Source {
    /// A source of this kind.
    pub fn new(kind: SourceKind, text: impl Into<Arc<str>>) -> Source {
        Source { kind, text: text.into(), lines: Arc::default(), chars: Arc::default() }
    }

    /// A file's text, by its path relative to the repository root.
    pub fn file(path: impl Into<String>, text: impl Into<Arc<str>>) -> Source {
        Source::new(SourceKind::File { path: path.into() }, text)
    }

    /// Offsets where lines start (the first is 0).
    pub fn line_starts(&self) -> &[usize] {
        self.lines.get_or_init(|| LineIndex::new(&self.text)).starts()
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.lines.get_or_init(|| LineIndex::new(&self.text)).line_of(offset).0
    }

    /// The text of 0-based line `line`, without its line ending (`\n` or `\r\n`); empty past the
    /// last line.
    pub(crate) fn line_text(&self, line: usize) -> &str {
        let starts = self.line_starts();
        let start = starts.get(line).copied().unwrap_or(self.text.len());
        let end = starts.get(line + 1).copied().unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// The name shown above a snippet: the path, or `commit 1a2b3c4 "Add PayPal"`.
    pub fn name(&self) -> String {
        match &self.kind {
            SourceKind::File { path } => path.clone(),
            SourceKind::Commit { sha, subject } => {
                let short: String = subject.chars().take(60).collect();
                let ellipsis = if short.len() < subject.len() { "…" } else { "" };
                format!("commit {} \"{short}{ellipsis}\"", &sha[..sha.len().min(7)])
            }
            SourceKind::Message { path } => format!("commit message ({path})"),
            SourceKind::Body { name } => name.clone(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_starts()[line];
        let column = if offset - start <= CHAR_BLOCK {
            char_starts(&self.text.as_bytes()[start..offset])
        } else {
            self.chars_before(offset) - self.chars_before(start)
        };
        (line + 1, column + 1)
    }

    /// The characters before byte `offset`, from the block index.
    fn chars_before(&self, offset: usize) -> usize {
        let bytes = self.text.as_bytes();
        let blocks = self.chars.get_or_init(|| {
            let mut total = 0;
            let mut out = vec![0];
            for block in bytes.chunks(CHAR_BLOCK) {
                total += char_starts(block);
                out.push(total);
            }
            out
        });
        let block = offset / CHAR_BLOCK;
        blocks[block] + char_starts(&bytes[block * CHAR_BLOCK..offset])
    }
}

/// Byte offsets where the lines of one text start (the first is 0), from one scan of it: the one
/// line index, behind sources' snippets and positions and the editor server's open documents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LineIndex(Vec<usize>);

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        LineIndex(std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect())
    }

    /// Where each line starts.
    pub(crate) fn starts(&self) -> &[usize] {
        &self.0
    }

    /// The 0-based line holding byte `offset` (the last line past the end), and where it starts.
    pub(crate) fn line_of(&self, offset: usize) -> (usize, usize) {
        let line = self.0.partition_point(|&s| s <= offset).saturating_sub(1);
        (line, self.0[line])
    }
}

/// A source's index in a run's sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceId(pub(crate) usize);

/// All sources of one run.
#[derive(Debug, Default)]
pub struct Sources {
    all: Vec<Source>,
}

impl Sources {
    pub fn add(&mut self, source: Source) -> SourceId {
        self.all.push(source);
        SourceId(self.all.len() - 1)
    }

    pub fn get(&self, id: SourceId) -> &Source {
        &self.all[id.0]
    }

    /// Append `other`'s sources; `other`'s ids move by the number returned.
    pub(crate) fn append(&mut self, other: Sources) -> usize {
        let offset = self.all.len();
        self.all.extend(other.all);
        offset
    }
}

impl SourceId {
    /// This id after its sources were appended at `offset` ([`Sources::append`]).
    pub(crate) fn moved(self, offset: usize) -> SourceId {
        SourceId(self.0 + offset)
    }
}

/// A span with the text of the label drawn under it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Label {
    /// The byte range it marks.
    pub span: Range<usize>,
    /// What it says there.
    pub text: Option<std::borrow::Cow<'static, str>>,
}

impl Label {
    /// A label over `span` saying `text`.
    pub fn new(span: Range<usize>, text: impl Into<std::borrow::Cow<'static, str>>) -> Label {
        Label { span, text: Some(text.into()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_without_its_ending() {
        let source = Source::file("a.md", "one\r\n  two  \n\nlast");
        assert_eq!([0, 1, 2, 3, 4].map(|l| source.line_text(l)), ["one", "  two  ", "", "last", ""]);
        assert_eq!(source.line_text(source.line_of(8)), "  two  ");
    }

    #[test]
    fn one_line_index_for_sources_and_open_documents() {
        let index = LineIndex::new("ab\n\ncd\n");
        assert_eq!(index.starts(), [0, 3, 4, 7]);
        assert_eq!(
            [0, 2, 3, 4, 6, 7, 99].map(|o| index.line_of(o)),
            [(0, 0), (0, 0), (1, 3), (2, 4), (2, 4), (3, 7), (3, 7)]
        );
        assert_eq!(LineIndex::new("").line_of(5), (0, 0));
        // A source and an open document read lines from it alike.
        let source = Source::file("a", "ab\n\ncd\n");
        assert_eq!(source.line_starts(), index.starts());
        assert_eq!(source.line_of(4), 2);
    }

    /// The plain scan the line index must agree with.
    // 1-based line and column (in characters) of byte `offset` in `text`; offsets past the end or
    // inside a character are clamped to the nearest boundary before it.
    fn line_col(text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, text[line_start..offset].chars().count() + 1)
    }

    #[test]
    fn line_and_column_are_one_based_characters() {
        let text = "ab\ncé d\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 6), (2, 3)); // after the two-byte é
        assert_eq!(line_col(text, 5), (2, 2)); // inside é: clamped
        assert_eq!(line_col(text, 99), (3, 1));
        let src = Source::file("x", text);
        for off in 0..text.len() + 3 {
            assert_eq!(src.line_col(off), line_col(text, off), "offset {off}");
        }
    }

    #[test]
    fn columns_on_long_lines_are_counted_from_the_block_index() {
        // Lines longer than a block, with characters of one to four bytes across block edges.
        let mut text = String::from("short\n");
        for i in 0..3000 {
            text.push_str(["a, ", "é, ", "日本, ", "🦀, "][i % 4]);
        }
        text.push_str("\nnext\n");
        text.push_str(&"x".repeat(3 * CHAR_BLOCK));
        let src = Source::file("x", text.as_str());
        for off in (0..text.len() + 3).step_by(7).chain([CHAR_BLOCK, 2 * CHAR_BLOCK, text.len()]) {
            assert_eq!(src.line_col(off), line_col(&text, off), "offset {off}");
        }
    }
}
