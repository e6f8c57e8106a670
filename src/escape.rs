//! Untrusted text made safe to print: commit messages, plan files and PR bodies can carry
//! terminal control sequences (colours, cursor moves, OSC 8 links, a BEL, a CR that rewrites the
//! line) and bidirectional overrides that make code read differently than it runs.
//!
//! Every such character becomes a visible stand-in: C0 controls their Unicode control picture
//! (ESC shows as `␛`), DEL `␡`, C1 controls and bidi controls `�`. Tabs and newlines stay. Spans
//! computed on the original text are remapped with [`Escaped::map`].

use std::borrow::Cow;

/// Text with its controls replaced, and where the replacements shifted offsets.
pub struct Escaped {
    pub text: String,
    /// (original offset just after a replaced char, total growth so far)
    shifts: Vec<(usize, usize)>,
}

impl Escaped {
    /// The offset in the escaped text of `offset` in the original.
    pub fn map(&self, offset: usize) -> usize {
        let i = self.shifts.partition_point(|&(o, _)| o <= offset);
        offset + if i == 0 { 0 } else { self.shifts[i - 1].1 }
    }
}

/// The visible stand-in for a character no medium may print raw: C0 controls (but tab and
/// newline), DEL, C1 controls, and the bidirectional controls that reorder what a reader sees
/// (embeddings, overrides, isolates, and the marks LRM, RLM and ALM). Every reporter uses it,
/// whatever its own escaping: terminal, Markdown, HTML, GitHub workflow commands.
pub(crate) fn stand_in(c: char) -> Option<char> {
    match c {
        '\t' | '\n' => None,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{061c}' => Some('\u{fffd}'),
        _ => None,
    }
}

/// Escape `text`, keeping a map from original to escaped offsets.
pub fn escape(text: &str) -> Escaped {
    let mut out = String::with_capacity(text.len());
    let mut shifts = Vec::new();
    let mut growth = 0;
    for (i, c) in text.char_indices() {
        match stand_in(c) {
            Some(s) => {
                out.push(s);
                growth += s.len_utf8() - c.len_utf8();
                shifts.push((i + c.len_utf8(), growth));
            }
            None => out.push(c),
        }
    }
    Escaped { text: out, shifts }
}

/// Escape a one-line string (messages, names): newlines are shown as `␊` too.
pub fn line(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| c != '\n' && stand_in(c).is_none()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if c == '\n' { '\u{240a}' } else { stand_in(c).unwrap_or(c) }).collect())
}

/// A path as a URI path: every byte outside the unreserved set and `/` percent-encoded (SARIF's
/// artifact locations, the editor server's `file:` URIs).
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_and_spans_follow() {
        let text = "a\x1b[31mb\n\u{202e}c";
        let e = escape(text);
        assert_eq!(e.text, "a␛[31mb\n\u{fffd}c");
        let b = text.find('b').unwrap();
        assert_eq!(&e.text[e.map(b)..e.map(b) + 1], "b");
        let c = text.find('c').unwrap();
        assert_eq!(&e.text[e.map(c)..e.map(c) + 1], "c");
        assert_eq!(e.map(0), 0);
        assert_eq!(line("x\ny\x07"), "x␊y␇");
        assert!(matches!(line("plain"), Cow::Borrowed(_)));
    }
}
