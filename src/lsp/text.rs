//! Open documents: their text, edits applied as the client sends them, and positions converted
//! between the protocol's (line, UTF-16 or UTF-8 unit) and byte offsets.

use crate::source::LineIndex;
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};
use std::path::{Path, PathBuf};

/// How the client counts characters in a line (negotiated at `initialize`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16 code units: the protocol's default.
    Utf16,
    /// Bytes.
    Utf8,
}

/// Byte offsets where lines start, for one text (the sources' line index), with the protocol's
/// positions.
pub struct Lines {
    index: LineIndex,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        Lines { index: LineIndex::new(text) }
    }

    /// The line (0-based) holding `offset`, and where it starts.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        self.index.line_of(offset)
    }

    /// Where line `line` (0-based) starts; the end of the text past the last line.
    pub fn start(&self, text: &str, line: usize) -> usize {
        self.index.starts().get(line).copied().unwrap_or(text.len())
    }

    /// The text of line `line` (0-based) without its line end; empty past the end.
    pub fn line<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let starts = self.index.starts();
        let Some(&start) = starts.get(line) else { return "" };
        let end = starts.get(line + 1).map_or(text.len(), |&e| e - 1);
        text[start..end.max(start)].trim_end_matches('\r')
    }

    /// The protocol position of a byte offset (clamped to the text, and to a character
    /// boundary).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (line, start) = self.line_of(offset);
        let character = units(&text[start..offset], enc);
        Position { line: line as u32, character: character as u32 }
    }

    /// The byte offset of a protocol position: past the end of a line is its end, past the
    /// last line is the end of the text (as the protocol asks).
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let Some(&start) = self.index.starts().get(pos.line as usize) else { return text.len() };
        let line = self.line(text, pos.line as usize);
        start + byte_of_unit(line, pos.character as usize, enc)
    }

    /// The range of a byte span.
    pub fn range(&self, text: &str, span: std::ops::Range<usize>, enc: Encoding) -> Range {
        Range { start: self.position(text, span.start, enc), end: self.position(text, span.end, enc) }
    }
}

/// How many units `s` is.
pub fn units(s: &str, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => s.len(),
        Encoding::Utf16 => s.chars().map(char::len_utf16).sum(),
    }
}

/// The byte offset in `line` of unit `unit` (a unit inside a character rounds down to it).
fn byte_of_unit(line: &str, unit: usize, enc: Encoding) -> usize {
    let mut seen = 0;
    for (i, c) in line.char_indices() {
        let len = match enc {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
        if seen + len > unit {
            return i;
        }
        seen += len;
    }
    line.len()
}

/// The byte offset in `line` of its `chars`-th character (the engine's columns count
/// characters).
pub fn byte_of_char(line: &str, chars: usize) -> usize {
    line.char_indices().nth(chars).map_or(line.len(), |(i, _)| i)
}

/// An open document.
pub struct Doc {
    pub text: String,
    pub version: i32,
    pub language: String,
    /// Its file, when the URI is a `file:` URI.
    pub path: Option<PathBuf>,
}

impl Doc {
    /// Apply the client's changes in order (full text, or a range replaced).
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, enc: Encoding) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let lines = Lines::new(&self.text);
                    let start = lines.offset(&self.text, range.start, enc);
                    let end = lines.offset(&self.text, range.end, enc).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
            }
        }
    }
}

/// The file a `file:` URI names (percent-decoded); `None` for other schemes.
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'?' | b'#', _, _) => break,
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(out)))
    }
    #[cfg(not(unix))]
    {
        Some(PathBuf::from(String::from_utf8_lossy(&out).into_owned()))
    }
}

/// The `file:` URI of an absolute path, percent-encoded as clients write it.
pub fn path_to_uri(path: &Path) -> String {
    format!("file://{}", crate::escape::uri_path(&path.to_string_lossy()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_or_bytes() {
        let text = "a😀b\nsé\n";
        let lines = Lines::new(text);
        assert_eq!(lines.position(text, 5, Encoding::Utf16), Position { line: 0, character: 3 });
        assert_eq!(lines.position(text, 5, Encoding::Utf8), Position { line: 0, character: 5 });
        assert_eq!(lines.offset(text, Position { line: 0, character: 3 }, Encoding::Utf16), 5);
        // Inside the surrogate pair: the character's start.
        assert_eq!(lines.offset(text, Position { line: 0, character: 2 }, Encoding::Utf16), 1);
        assert_eq!(lines.offset(text, Position { line: 1, character: 9 }, Encoding::Utf16), 10);
        assert_eq!(lines.offset(text, Position { line: 7, character: 0 }, Encoding::Utf16), text.len());
    }

    #[test]
    fn incremental_edits_apply_in_order() {
        let mut doc =
            Doc { text: "- [ ] one\n- [ ] two\n".into(), version: 1, language: "markdown".into(), path: None };
        let at = |l, c| Position { line: l, character: c };
        doc.apply(
            vec![
                TextDocumentContentChangeEvent {
                    range: Some(Range { start: at(0, 9), end: at(0, 9) }),
                    range_length: None,
                    text: " (Promise: x)".into(),
                },
                TextDocumentContentChangeEvent {
                    range: Some(Range { start: at(1, 6), end: at(1, 9) }),
                    range_length: None,
                    text: "2".into(),
                },
            ],
            Encoding::Utf16,
        );
        assert_eq!(doc.text, "- [ ] one (Promise: x)\n- [ ] 2\n");
    }

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/a b/ROADMAP é.md");
        let uri = path_to_uri(path);
        assert_eq!(uri, "file:///tmp/a%20b/ROADMAP%20%C3%A9.md");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(path));
        assert_eq!(uri_to_path("untitled:Untitled-1"), None);
    }
}
