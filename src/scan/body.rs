//! Pull request and issue bodies: which promises they name.
//!
//! A body is Markdown written in a tracker's text box. It names its promises the way a commit does,
//! in a `Promise:` trailer block at its end, or the way a plan document does, in front matter
//! (`promise: id`) or a `Promise:` line before its first heading (see [`super::markdown`]). Both
//! are read; an id named twice counts once.
//!
//! Trackers store CRLF line ends; bodies are normalised to LF first ([`normalize`]) so spans and
//! line numbers mean the same as in files. HTML comments (where templates keep their
//! instructions, often with a sample `Promise:` line) are blanked before the trailer block is
//! looked for, and code never counts.

use super::markdown::{self, Scope};
use super::trailers::{self, Options};
use std::ops::Range;

/// One promise id named by a body, with its span in the (normalised) text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyRef {
    /// The promise id.
    pub id: String,
    /// Where it is named.
    pub span: Range<usize>,
}

/// CRLF and lone CR become LF.
pub fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// The promise ids a body names, in order of appearance.
pub fn references(text: &str) -> Vec<BodyRef> {
    let mut refs: Vec<BodyRef> = markdown::scan(text)
        .refs
        .into_iter()
        .filter(|r| r.scope == Scope::Document)
        .map(|r| BodyRef { id: r.id, span: r.span })
        .collect();

    // The trailer block, read as `git log` reads a message whose subject is absent: a body has
    // no title paragraph, so one is supplied and the spans shifted back.
    const TITLE: &[u8] = b"-\n\n";
    let mut masked = Vec::with_capacity(TITLE.len() + text.len());
    masked.extend_from_slice(TITLE);
    masked.extend_from_slice(&mask_html_comments(text));
    // No comment lines in a body: `#` starts a Markdown heading there.
    let opts = Options { comment: b"\0".to_vec(), ..Options::log() };
    let block = trailers::parse(&masked, &opts);
    for t in block.trailers.iter().filter(|t| t.key_is("promise") || t.key_is("promises")) {
        let start = t.value_span.start - TITLE.len();
        let value = &text[start..t.value_span.end - TITLE.len()];
        let mut off = 0;
        for part in value.split(',') {
            let id = part.trim();
            if !id.is_empty() {
                let at = start + off + (part.len() - part.trim_start().len());
                refs.push(BodyRef { id: id.to_string(), span: at..at + id.len() });
            }
            off += part.len() + 1;
        }
    }
    refs.sort_by_key(|r| r.span.start);
    refs.dedup_by(|a, b| a.span == b.span);
    // The same id named twice (front matter and trailer) counts once, at its first place.
    let mut seen = std::collections::HashSet::new();
    refs.retain(|r| seen.insert(r.id.clone()));
    refs
}

/// The text with every HTML comment (`<!-- … -->`, or to the end when unclosed) replaced by
/// spaces, newlines kept, so offsets do not move.
fn mask_html_comments(text: &str) -> Vec<u8> {
    let mut out = text.as_bytes().to_vec();
    let mut from = 0;
    while let Some(open) = text[from..].find("<!--").map(|i| from + i) {
        let close = text[open + 4..].find("-->").map_or(text.len(), |i| open + 4 + i + 3);
        for b in &mut out[open..close] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        from = close;
    }
    out
}

/// Whether an issue is still open: not when its front matter says `status:` (or `state:`)
/// `closed`, `done` or `resolved`.
pub fn is_open(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("---\n") else { return true };
    for line in rest.split('\n') {
        if line.trim_end() == "---" || line.trim_end() == "..." {
            break;
        }
        if let Some((key, value)) = line.split_once(':') {
            let key = key.trim();
            if key.eq_ignore_ascii_case("status") || key.eq_ignore_ascii_case("state") {
                let value = value.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
                return !matches!(value.as_str(), "closed" | "done" | "resolved");
            }
        }
    }
    true
}

/// The span of the body's first non-blank line (where "names no promise" is drawn), or an empty
/// span at 0.
pub fn first_line(text: &str) -> Range<usize> {
    let mut off = 0;
    for line in text.split('\n') {
        if !line.trim().is_empty() {
            return off..off + line.trim_end().len();
        }
        off += line.len() + 1;
    }
    0..0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<(String, String)> {
        references(text).into_iter().map(|r| (r.id, text[r.span].to_string())).collect()
    }

    #[test]
    fn trailer_block_front_matter_and_document_line() {
        let body = "Adds PayPal.\n\n## Notes\nMore.\n\nPromise: find-and-buy, fast-checkout\n";
        assert_eq!(
            ids(body),
            [("find-and-buy".into(), "find-and-buy".into()), ("fast-checkout".into(), "fast-checkout".into())]
        );
        assert_eq!(ids("---\npromise: a\n---\n\n# Title\n\nPromise: a\n"), [("a".into(), "a".into())]);
        assert_eq!(ids("Promise: only-line\n"), [("only-line".into(), "only-line".into())]);
        assert_eq!(ids("Promise: x\n\nthen prose\n"), [("x".into(), "x".into())], "a document-level line");
    }

    #[test]
    fn comments_code_and_crlf() {
        let template = normalize("Text\r\n\r\nPromise: real\r\n\r\n<!-- Promise: sample -->\r\n");
        assert_eq!(ids(&template), [("real".into(), "real".into())]);
        assert!(ids("Text\n\n```\nPromise: code\n```\n").is_empty());
        assert!(ids("Text\n\n<!--\nPromise: x\n").is_empty(), "unclosed comment");
        assert!(ids("").is_empty());
    }

    #[test]
    fn front_matter_status_closes() {
        assert!(is_open("no front matter\nstatus: closed\n"));
        assert!(!is_open("---\ntitle: x\nstatus: Closed\n---\nbody"));
        assert!(is_open("---\nstatus: open\n---\n"));
        assert!(is_open("---\ntitle: x\n---\nstatus: done\n"));
    }

    #[test]
    fn first_line_skips_blank_lines() {
        let t = "\n  \nTitle here  \nmore";
        assert_eq!(&t[first_line(t)], "Title here");
        assert_eq!(first_line(""), 0..0);
    }
}
