//! Git's trailer algorithm, over bytes.
//!
//! A commit names its promise in a trailer, and a trailer only counts if *git* reads it as one: a
//! `Promise:` line that git does not see is a promise the team thinks it recorded but did not. So
//! this module follows git's own `trailer.c` step by step (the title paragraph, the ignorable tail
//! of comments and blank lines, the scissors line, the optional `---` divider, the last-paragraph
//! rule, the 25% rule for blocks with a git-generated prefix, continuation lines, unfolding and
//! trimming) rather than libgit2's `git_message_trailers`, which differs in many edge cases.
//!
//! Two callers need two flavours, exactly as in git:
//! - [`Divider::Honour`] is `git interpret-trailers`: a `---` line starts a patch and ends the message;
//! - [`Divider::Ignore`] is `git log --format=%(trailers)`: commit messages may contain `---`.
//!
//! Like git, the input ends at its first NUL byte. The parser never fails: every byte sequence has
//! a trailer block, possibly empty. The differential tests in `tests/it/trailers_git.rs` hold it to
//! the real `git` binary.

use std::ops::Range;

/// The scissors line of `git commit -v`, after the comment string and a space. The newline is
/// part of it: `>8 ---\r\n` is not a scissors line.
const CUT_LINE: &[u8] = b"------------------------ >8 ------------------------\n";

/// Prefixes git itself writes; one of them lets a block pass with only 25% trailer lines.
const GIT_GENERATED_PREFIXES: [&[u8]; 2] = [b"Signed-off-by: ", b"(cherry picked from commit "];

/// Whether a `---` line ends the message (as for `git interpret-trailers`) or not (as for
/// `%(trailers)` in `git log`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Divider {
    /// Stop at a `---` line, as `git interpret-trailers` and `git am` do.
    Honour,
    /// Read past it, as `git log --format=%(trailers)` does.
    Ignore,
}

/// How to read a message: git's options that change where the trailer block is.
#[derive(Clone, Debug)]
pub struct Options {
    /// What a `---` line does.
    pub divider: Divider,
    /// Add a final newline when the input lacks one, as `git interpret-trailers` does when it
    /// reads its input (so a final `---` is a divider there).
    pub complete_line: bool,
    /// `core.commentChar` (git calls it the comment string); `#` unless configured.
    pub comment: Vec<u8>,
}

impl Options {
    /// `git interpret-trailers --parse` with default configuration.
    pub fn interpret() -> Self {
        Options { divider: Divider::Honour, complete_line: true, comment: b"#".to_vec() }
    }

    /// `git log --format=%(trailers:only,unfold)` with default configuration.
    pub fn log() -> Self {
        Options { divider: Divider::Ignore, complete_line: false, comment: b"#".to_vec() }
    }
}

/// One trailer as git reports it with `only,unfold`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trailer {
    /// The key, trimmed, as written (git compares keys case-insensitively).
    pub key: Vec<u8>,
    /// The value, trimmed, continuation lines folded into single spaces.
    pub value: Vec<u8>,
    /// Bytes of the whole trailer in the input, continuation lines included, without the final
    /// newline.
    pub span: Range<usize>,
    /// Bytes of the value in the input (first line only), trimmed.
    pub value_span: Range<usize>,
}

impl Trailer {
    /// The `key: value` line git prints for this trailer, newline included.
    pub fn to_line(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.key.len() + self.value.len() + 3);
        out.extend_from_slice(&self.key);
        out.extend_from_slice(b": ");
        out.extend_from_slice(&self.value);
        out.push(b'\n');
        out
    }

    /// Whether the key is `name`, compared as git does (ASCII case-insensitively).
    pub fn key_is(&self, name: &str) -> bool {
        self.key.eq_ignore_ascii_case(name.as_bytes())
    }
}

/// The trailer block of a message and the trailers git reads from it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Block {
    /// Where the block starts and ends in the input (equal when there is no block).
    pub range: Range<usize>,
    /// Where the log message ends: before a `---` divider (when honoured), the scissors line and
    /// the trailing comments and blank lines git drops.
    pub message_end: usize,
    /// The trailers, in order.
    pub trailers: Vec<Trailer>,
}

/// Read the trailers of `input` as git does.
pub fn parse(input: &[u8], opts: &Options) -> Block {
    let completed;
    let input = if opts.complete_line && input.last().is_some_and(|&c| c != b'\n') {
        completed = [input, b"\n"].concat();
        &completed[..]
    } else {
        input
    };
    let buf = Buf::new(input);
    let end = buf.end_of_log_message(opts);
    let start = buf.trailer_block_start(end, &opts.comment);
    let mut trailers = Vec::new();

    // git splits the block into lines (keeping each newline) and glues lines that start with
    // white space to the previous trailer, if the previous line was one.
    let mut joined: Vec<Range<usize>> = Vec::new();
    let mut last_is_trailer = false;
    let mut pos = start;
    while pos < end {
        let line_end = memchr::memchr(b'\n', &buf.bytes[pos..end]).map_or(end, |i| pos + i + 1);
        if last_is_trailer && is_space(buf.bytes[pos]) {
            if let Some(last) = joined.last_mut() {
                last.end = line_end;
            }
        } else {
            joined.push(pos..line_end);
            last_is_trailer = find_separator(&buf.bytes[pos..line_end]).is_some_and(|s| s >= 1);
        }
        pos = line_end;
    }

    for range in joined {
        let text = &buf.bytes[range.clone()];
        if text.starts_with(&opts.comment) {
            continue;
        }
        let Some(sep) = find_separator(text).filter(|&s| s >= 1) else {
            continue;
        };
        let key = trim(&text[..sep]).to_vec();
        let raw_value = &text[sep + 1..];
        let value = unfold(trim(raw_value));
        let first_line = raw_value.split(|&c| c == b'\n').next().unwrap_or_default();
        let lead = first_line.iter().take_while(|&&c| is_space(c)).count();
        let value_start = range.start + sep + 1 + lead;
        let value_end = value_start + trim(&first_line[lead..]).len();
        let mut span_end = range.end;
        while span_end > range.start && buf.bytes[span_end - 1] == b'\n' {
            span_end -= 1;
        }
        trailers.push(Trailer { key, value, span: range.start..span_end, value_span: value_start..value_end });
    }
    Block { range: start..end, message_end: end, trailers }
}

/// Print trailers the way `git interpret-trailers --parse` and `%(trailers:only,unfold)` do.
pub fn render(block: &Block) -> Vec<u8> {
    block.trailers.iter().flat_map(Trailer::to_line).collect()
}

/// Add a trailer line where `git interpret-trailers --trailer` would: after the message's
/// trailer block, or as a new block after a blank line, before the trailing comments.
pub fn insert(msg: &[u8], line: &str, comment: &[u8]) -> Vec<u8> {
    let mut input = msg.to_vec();
    if input.last().is_some_and(|&c| c != b'\n') {
        input.push(b'\n');
    }
    let opts = Options { divider: Divider::Honour, complete_line: false, comment: comment.to_vec() };
    let block = parse(&input, &opts);
    let end = block.message_end.min(input.len());
    let mut out = input[..end].to_vec();
    let has_block = block.range.start < block.range.end;
    if !has_block {
        let last_line = out[..out.len().saturating_sub(1)].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
        let blank = !out.is_empty() && out[last_line..].iter().all(|&c| is_space(c));
        if !blank {
            out.push(b'\n');
        }
    }
    out.extend_from_slice(line.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(&input[end..]);
    out
}

/// The message as `git log` hands it to the trailer parser: leading blank lines skipped (pretty.c
/// starts the message at its subject).
pub fn skip_leading_blank_lines(message: &[u8]) -> &[u8] {
    let mut rest = message;
    loop {
        let len = rest.iter().position(|&c| c == b'\n').map_or(rest.len(), |i| i + 1);
        if len == 0 || !rest[..len].iter().all(|&c| is_space(c)) {
            return rest;
        }
        rest = &rest[len..];
    }
}

/// git's `isspace`: space, tab, newline and carriage return (not vertical tab or form feed).
pub(crate) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// git's `strbuf_trim`.
pub(crate) fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&c| !is_space(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|&c| !is_space(c)).map_or(start, |i| i + 1);
    &s[start..end]
}

/// git's `find_separator` with the default separator `:`. `Some(0)` means the line starts with
/// the separator, which callers treat as "not a trailer".
pub(crate) fn find_separator(line: &[u8]) -> Option<usize> {
    let mut whitespace_found = false;
    for (i, &c) in line.iter().enumerate() {
        if c == 0 {
            break;
        }
        if c == b':' {
            return Some(i);
        }
        if !whitespace_found && (c.is_ascii_alphanumeric() || c == b'-') {
            continue;
        }
        if i != 0 && (c == b' ' || c == b'\t') {
            whitespace_found = true;
            continue;
        }
        break;
    }
    None
}

/// git's `unfold_value`: every newline and the white space after it become one space.
fn unfold(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        let c = value[i];
        i += 1;
        if c == b'\n' {
            while i < value.len() && is_space(value[i]) {
                i += 1;
            }
            out.push(b' ');
        } else {
            out.push(c);
        }
    }
    trim(&out).to_vec()
}

/// The input up to its first NUL, read with C-string semantics: past the end is a NUL.
struct Buf<'a> {
    bytes: &'a [u8],
}

impl<'a> Buf<'a> {
    fn new(input: &'a [u8]) -> Self {
        let len = memchr::memchr(0, input).unwrap_or(input.len());
        Buf { bytes: &input[..len] }
    }

    fn at(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn starts_with(&self, i: usize, prefix: &[u8]) -> bool {
        self.bytes.get(i..).is_some_and(|s| s.starts_with(prefix))
    }

    /// `starts_with_mem`: the prefix must also fit in the first `limit` bytes.
    fn starts_with_within(&self, i: usize, limit: usize, prefix: &[u8]) -> bool {
        prefix.len() <= limit && self.starts_with(i, prefix)
    }

    fn next_line(&self, i: usize) -> usize {
        self.bytes.get(i..).and_then(|s| memchr::memchr(b'\n', s)).map_or(self.bytes.len().max(i), |p| i + p + 1)
    }

    /// trailer.c's `is_blank_line`: only white space up to the newline (or the end).
    fn is_blank_line(&self, mut i: usize) -> bool {
        while self.at(i) != 0 && self.at(i) != b'\n' && is_space(self.at(i)) {
            i += 1;
        }
        self.at(i) == 0 || self.at(i) == b'\n'
    }

    /// Start of the last line of `bytes[..len]`, a final newline counting as part of that line.
    fn last_line(&self, len: usize) -> Option<usize> {
        match len {
            0 => None,
            1 => Some(0),
            _ => Some(memchr::memrchr(b'\n', &self.bytes[..len - 1]).map_or(0, |i| i + 1)),
        }
    }

    fn end_of_log_message(&self, opts: &Options) -> usize {
        let mut end = self.bytes.len();
        if opts.divider == Divider::Honour {
            let mut s = 0;
            while self.at(s) != 0 {
                if self.starts_with(s, b"---") && is_space(self.at(s + 3)) {
                    end = s;
                    break;
                }
                s = self.next_line(s);
            }
        }
        end - self.ignored_log_message_bytes(end, &opts.comment)
    }

    /// wt-status.c's `wt_status_locate_end`: the message ends at the scissors line.
    fn locate_scissors(&self, len: usize, comment: &[u8]) -> usize {
        let mut pattern = Vec::with_capacity(comment.len() + CUT_LINE.len() + 2);
        pattern.push(b'\n');
        pattern.extend_from_slice(comment);
        pattern.push(b' ');
        pattern.extend_from_slice(CUT_LINE);
        if self.bytes.starts_with(&pattern[1..]) {
            return 0;
        }
        // memmem, not a window compared at every byte: this runs on every commit of a history,
        // so the searcher is built once per thread and comment string, not once per message.
        thread_local! {
            static FINDER: std::cell::RefCell<Option<memchr::memmem::Finder<'static>>> =
                const { std::cell::RefCell::new(None) };
        }
        let found = FINDER.with(|f| {
            let mut f = f.borrow_mut();
            if f.as_ref().is_none_or(|finder| finder.needle() != pattern.as_slice()) {
                *f = Some(memchr::memmem::Finder::new(&pattern).into_owned());
            }
            f.as_ref().and_then(|finder| finder.find(self.bytes))
        });
        match found {
            Some(p) if p + 1 < len => p + 1,
            _ => len,
        }
    }

    /// commit.c's `ignored_log_message_bytes`: the trailing run of comments, blank lines and an
    /// old-style `Conflicts:` block, plus everything from the scissors line on.
    fn ignored_log_message_bytes(&self, len: usize, comment: &[u8]) -> usize {
        let cutoff = self.locate_scissors(len, comment);
        let mut boc = 0; // beginning of the trailing run; 0 means "none", as in git
        let mut bol = 0;
        let mut in_old_conflicts_block = false;
        while bol < cutoff {
            let next = memchr::memchr(b'\n', &self.bytes[bol..len]).map_or(len, |i| bol + i + 1);
            if self.starts_with_within(bol, cutoff - bol, comment) || self.at(bol) == b'\n' {
                if boc == 0 {
                    boc = bol;
                }
            } else if self.starts_with(bol, b"Conflicts:\n") {
                in_old_conflicts_block = true;
                if boc == 0 {
                    boc = bol;
                }
            } else if in_old_conflicts_block && self.at(bol) == b'\t' {
                // a path in the conflicts block
            } else if boc != 0 {
                boc = 0;
                in_old_conflicts_block = false;
            }
            bol = next;
        }
        if boc != 0 {
            len - boc
        } else {
            len - cutoff
        }
    }

    /// trailer.c's `find_trailer_block_start`: scanning up from the end, the last paragraph is the
    /// block if all of its lines are trailers, or if it has a git-generated trailer and at least a
    /// quarter of its lines are trailers. The title paragraph never is.
    fn trailer_block_start(&self, len: usize, comment: &[u8]) -> usize {
        let mut s = 0;
        while s < len {
            if self.starts_with_within(s, len - s, comment) {
                s = self.next_line(s);
                continue;
            }
            if self.is_blank_line(s) {
                break;
            }
            s = self.next_line(s);
        }
        let end_of_title = s;

        let mut only_spaces = true;
        let mut recognized_prefix = false;
        let (mut trailer_lines, mut non_trailer_lines, mut possible_continuation_lines) = (0usize, 0usize, 0usize);
        let mut l = self.last_line(len);
        while let Some(bol) = l.filter(|&b| b >= end_of_title) {
            l = self.last_line(bol);
            if self.starts_with_within(bol, len - bol, comment) {
                non_trailer_lines += possible_continuation_lines;
                possible_continuation_lines = 0;
                continue;
            }
            if self.is_blank_line(bol) {
                if only_spaces {
                    continue;
                }
                non_trailer_lines += possible_continuation_lines;
                if (recognized_prefix && trailer_lines * 3 >= non_trailer_lines)
                    || (trailer_lines > 0 && non_trailer_lines == 0)
                {
                    return self.next_line(bol);
                }
                return len;
            }
            only_spaces = false;

            if GIT_GENERATED_PREFIXES.iter().any(|p| self.starts_with(bol, p)) {
                trailer_lines += 1;
                possible_continuation_lines = 0;
                recognized_prefix = true;
                continue;
            }
            let first = self.at(bol);
            if find_separator(&self.bytes[bol..]).is_some_and(|s| s >= 1) && !is_space(first) {
                trailer_lines += 1;
                possible_continuation_lines = 0;
            } else if is_space(first) {
                possible_continuation_lines += 1;
            } else {
                non_trailer_lines += 1 + possible_continuation_lines;
                possible_continuation_lines = 0;
            }
        }
        len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interpret(msg: &str) -> String {
        String::from_utf8(render(&parse(msg.as_bytes(), &Options::interpret()))).unwrap()
    }

    fn log(msg: &str) -> String {
        String::from_utf8(render(&parse(msg.as_bytes(), &Options::log()))).unwrap()
    }

    #[test]
    fn table() {
        let cases: &[(&str, &str)] = &[
            ("Subject\n\nPromise: find-and-buy\n", "Promise: find-and-buy\n"),
            ("Subject only\n", ""),
            ("Promise: title-is-never-a-trailer\n", ""),
            ("Subject\n\nbody\nPromise: x\n", ""),
            ("Subject\n\nPromise: x\nSigned-off-by: A <a@b>\n", "Promise: x\nSigned-off-by: A <a@b>\n"),
            ("S\n\nprose one\nprose two\nprose three\nSigned-off-by: A <a@b>\n", "Signed-off-by: A <a@b>\n"),
            ("S\n\np1\np2\np3\np4\nSigned-off-by: A <a@b>\n", ""),
            ("S\n\nPromise: a,\n  b\n", "Promise: a, b\n"),
            ("S\n\nPromise:\nAcked-by: z\n", "Promise: \nAcked-by: z\n"),
            ("S\n\nPromise : spaced\n", "Promise: spaced\n"),
            ("S\n\nPromise: x\r\n", "Promise: x\n"),
            ("S\n\nPromise: x\n# a comment\n\n", "Promise: x\n"),
            ("S\n\nPromise: x\n---\ndiff\n", "Promise: x\n"),
            ("S\n\nbody\n---\nPromise: x\n", ""),
            ("S\n\nPromise: x\n# ------------------------ >8 ------------------------\nPromise: y\n", "Promise: x\n"),
            ("S\n\nPromise: a\0\nPromise: b\n", "Promise: a\n"),
        ];
        for (msg, want) in cases {
            assert_eq!(&interpret(msg), want, "message: {msg:?}");
        }
    }

    #[test]
    fn divider_only_for_interpret() {
        let msg = "S\n\nbody\n---\n\nPromise: x\n";
        assert_eq!(interpret(msg), "");
        assert_eq!(log(msg), "Promise: x\n");
    }

    #[test]
    fn spans_point_at_the_input() {
        let msg = b"Subject\n\nPromise:  find-and-buy \nAcked-by: q\n";
        let block = parse(msg, &Options::log());
        let t = &block.trailers[0];
        assert_eq!(&msg[t.span.clone()], b"Promise:  find-and-buy ");
        assert_eq!(&msg[t.value_span.clone()], b"find-and-buy");
        assert!(block.trailers[1].key_is("acked-BY"));
    }

    #[test]
    fn insertion_follows_git() {
        let t = |m: &str| String::from_utf8(insert(m.as_bytes(), "Promise: a", b"#")).unwrap();
        assert_eq!(t("Subject\n"), "Subject\n\nPromise: a\n");
        assert_eq!(t("Subject"), "Subject\n\nPromise: a\n");
        assert_eq!(t(""), "\nPromise: a\n");
        assert_eq!(t("Subject\n\nAcked-by: b\n"), "Subject\n\nAcked-by: b\nPromise: a\n");
        assert_eq!(t("\n# Please enter the commit message\n"), "\nPromise: a\n# Please enter the commit message\n");
    }

    #[test]
    fn leading_blank_lines_are_skipped_for_log() {
        assert_eq!(skip_leading_blank_lines(b"\n \nS\n"), b"S\n");
        assert_eq!(skip_leading_blank_lines(b""), b"");
    }
}
