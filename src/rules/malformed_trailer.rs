//! `malformed-trailer`: text a person meant as a `Promise:` trailer that git does not read as
//! one: a misspelt key in the trailer block, a `Promise:` line outside it, a `---` line that
//! hides the trailers from `git interpret-trailers` and `git am`.

use super::{more, push_listed, Category, Check, Ctx, Rule, Sink, LISTED_PER_COMMIT};
use crate::code::{Code, Level};
use crate::facts::CommitFacts;
use crate::finding::Finding;
use crate::registry::Parts;
use crate::source::Label;
use crate::suggest::distance;
use std::ops::Range;

pub(crate) static RULE: Rule = Rule {
    code: Code::MalformedTrailer,
    default: Level::Warn,
    category: Category::Untraced,
    summary: "text meant as a Promise trailer that git will not read as one",
    doc: "\
What it does: flags a misspelled trailer key (`Promsie:`, `Promises:`), a `Promise:` line that \
is not in the message's final trailer block, and a `---` line that hides the trailers from \
`git interpret-trailers` and `git am`.

Why: git only reads trailers from the last paragraph of a message, and only with the exact key. \
A line that looks like a trace but is not one is the worst kind: everyone believes the work is \
traced.

Fails:
    Add PayPal

    Promise: find-and-buy
    Also fixes the button colour.

Fix: keep the trailers together as the last paragraph, after a blank line:
    Add PayPal

    Also fixes the button colour.

    Promise: find-and-buy

A commit gets at most 100 findings for its lines (and one more for a hiding `---` line): the \
first 100 are listed, and one more finding counts the rest and points at the first of them.",
    reads: Parts::NONE,
    checks: &[Check::Commit(commit)],
};

/// A line meant as a `Promise:` trailer that git does not read as one.
enum Malformed<'a> {
    /// A misspelt key in the trailer block: the line's start, the key as written and the rest
    /// of the line after the colon.
    Key { start: usize, key: &'a str, rest: &'a str },
    /// A `Promise:` line outside the trailer block, and why git does not read it.
    Stray { span: Range<usize>, why: &'static str },
}

impl Malformed<'_> {
    fn start(&self) -> usize {
        match self {
            Malformed::Key { start, .. } => *start,
            Malformed::Stray { span, .. } => span.start,
        }
    }
}

fn commit(_ctx: &Ctx, c: &CommitFacts, sink: &mut Sink) {
    let text = c.text.as_str();
    let trailer_starts: Vec<usize> = c.block.trailers.iter().map(|t| t.span.start).collect();
    push_listed(
        sink,
        malformed(c, &trailer_starts),
        |m| match m {
            Malformed::Key { start, key, rest } => {
                Finding::new(Code::MalformedTrailer, format!("trailer key `{}` is not `Promise`", key.trim()))
                    .label(Label::new(start..start + key.len(), "misspelled key"))
                    .commit_opt(c.sha.as_deref())
                    .help(format!("git matches the key exactly (ignoring case): write `Promise:{rest}`"))
            }
            Malformed::Stray { span, why } => {
                Finding::new(Code::MalformedTrailer, "this Promise line is not a trailer git will read")
                    .label(Label::new(span, why))
                    .commit_opt(c.sha.as_deref())
                    .help("move it into the final paragraph, after a blank line, with only trailer lines around it")
            }
        },
        |n, first| {
            let at = first.start();
            let line = at..at + text[at..].find('\n').unwrap_or(text.len() - at);
            Finding::new(Code::MalformedTrailer, format!("{} lines meant as Promise trailers that git will not read", more(n)))
                .label(Label::new(line, format!("{} from here, not listed", more(n))))
                .commit_opt(c.sha.as_deref())
                .help(format!(
                    "only the first {LISTED_PER_COMMIT} of a commit are listed; keep the trailers together as the last \
                     paragraph, after a blank line, with the exact key `Promise`"
                ))
        },
    );
    if let Some(span) = &c.hiding_divider {
        sink.push(
            Finding::new(
                Code::MalformedTrailer,
                "a `---` line hides the trailers from `git interpret-trailers` and `git am`",
            )
            .label(Label::new(span.clone(), "everything after this line is treated as a patch"))
            .commit_opt(c.sha.as_deref())
            .help("remove the `---` line or move the trailers above it"),
        );
    }
}

/// The lines of `c` meant as `Promise` trailers that git does not read as one, in order.
fn malformed<'a>(c: &'a CommitFacts, trailer_starts: &'a [usize]) -> impl Iterator<Item = Malformed<'a>> + 'a {
    let text = c.text.as_str();
    // Only a line whose first colon comes within its first 17 bytes (a key of at most 16) can
    // be meant as a trailer: the message's colons are visited (a few), not each of its lines,
    // and a line once, at its first colon.
    let bytes = text.as_bytes();
    let mut seen_line = None;
    memchr::memchr_iter(b':', bytes).filter_map(move |colon| {
        let from = colon.saturating_sub(17);
        let start = match memchr::memrchr(b'\n', &bytes[from..colon]) {
            Some(i) => from + i + 1,
            None if from == 0 => 0,
            None => return None,
        };
        if colon - start > 16 || seen_line.replace(start) == Some(start) {
            return None;
        }
        let line = &text[start..memchr::memchr(b'\n', &bytes[colon..]).map_or(text.len(), |i| colon + i)];
        if start < c.body_offset || line.starts_with("    ") || line.starts_with('\t') {
            return None;
        }
        let key = &line[..colon - start];
        let key_trimmed = key.trim();
        if key_trimmed.is_empty() || key_trimmed.contains(char::is_whitespace) {
            return None;
        }
        let is_promise = key_trimmed.eq_ignore_ascii_case("promise");
        let misspelled = !is_promise
            && (5..=10).contains(&key_trimmed.len())
            && shares_enough_of_promise(key_trimmed)
            && distance(key_trimmed, "promise") <= 2;
        let is_trailer = trailer_starts.binary_search(&start).is_ok();
        if misspelled && (is_trailer || c.block.range.contains(&start)) {
            Some(Malformed::Key { start, key, rest: &line[key.len() + 1..] })
        } else if is_promise && !is_trailer {
            let why = if start < c.body_offset + c.subject.len() + 1 {
                "the subject line is never a trailer"
            } else {
                "git reads trailers only from the last paragraph of the message"
            };
            Some(Malformed::Stray { span: start..start + line.trim_end().len(), why })
        } else {
            None
        }
    })
}

fn shares_enough_of_promise(key: &str) -> bool {
    let mut counts = [0i8; 26];
    for b in b"promise" {
        counts[usize::from(b - b'a')] += 1;
    }
    let mut shared = 0;
    for b in key.bytes().map(|b| b.to_ascii_lowercase()) {
        if b.is_ascii_lowercase() && counts[usize::from(b - b'a')] > 0 {
            counts[usize::from(b - b'a')] -= 1;
            shared += 1;
        }
    }
    shared + 2 >= key.chars().count().max(7)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    /// The cheap filter never rejects a key the edit distance accepts.
    #[test]
    fn the_filter_keeps_every_key_within_two_edits() {
        let mut rng = 0x1234_5678_u64;
        let letters = b"promiseaxyzPROMISE-_";
        for _ in 0..200_000 {
            rng = rng.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let len = 5 + (rng >> 60) as usize % 6;
            let key: String = (0..len).map(|i| letters[((rng >> (i * 5)) % letters.len() as u64) as usize] as char).collect();
            if crate::suggest::distance(&key, "promise") <= 2 {
                assert!(super::shares_enough_of_promise(&key), "{key}");
            }
        }
        // Exactly two edits away, sharing exactly `max(len, 7) - 2` letters: the filter's edge.
        for key in ["prmse", "xromisx", "Promsie", "promis", "Premise", "PROMİSE", "romise", "promises"] {
            assert!(crate::suggest::distance(key, "promise") <= 2, "{key}");
            assert!(super::shares_enough_of_promise(key), "{key}");
        }
        for key in ["Signed-off-by", "Reviewed", "Acked-by", "Fixes", "Cc"] {
            assert!(!super::shares_enough_of_promise(key), "{key}");
        }
    }

    /// The lines the rule flags, found from the message's colons, are exactly those a walk of
    /// every line finds (the rule as first written), on messages built from lines at the
    /// edges: keys of 16 and 17 bytes, several colons, indented, CRLF, the subject, non-ASCII.
    #[test]
    fn colons_find_the_lines_a_walk_of_every_line_finds() {
        use crate::facts::CommitFacts;
        fn every_line(c: &CommitFacts) -> Vec<(usize, bool)> {
            let trailer_starts: Vec<usize> = c.block.trailers.iter().map(|t| t.span.start).collect();
            let mut off = 0;
            let mut out = Vec::new();
            for line in c.text.split('\n') {
                let start = off;
                off += line.len() + 1;
                if start < c.body_offset || line.starts_with("    ") || line.starts_with('\t') {
                    continue;
                }
                let Some((key, _)) = line.split_once(':').filter(|(k, _)| k.len() <= 16) else { continue };
                let key = key.trim();
                if key.is_empty() || key.contains(char::is_whitespace) {
                    continue;
                }
                let is_promise = key.eq_ignore_ascii_case("promise");
                let misspelled = !is_promise
                    && (5..=10).contains(&key.len())
                    && super::shares_enough_of_promise(key)
                    && crate::suggest::distance(key, "promise") <= 2;
                let is_trailer = trailer_starts.binary_search(&start).is_ok();
                if misspelled && (is_trailer || c.block.range.contains(&start)) {
                    out.push((start, true));
                } else if is_promise && !is_trailer {
                    out.push((start, false));
                }
            }
            out
        }
        let lines = [
            "Promise: a", "promise : b", "  Promise: c", "    Promise: d", "\tPromise: e", "Promsie: f", "Premise:g",
            "Sixteen-bytes-ke: v", "Seventeen-bytes-k: v", "Promise: h\r", "a:b:Promise: c", "Promise:: x", ":",
            "", " ", "Prose that says Promise: later", "https://example.com/a:b", "Prómise: y", "Promise\u{e9}: z",
            "Signed-off-by: A <a@example.com>", "Promise : x: y", "   :Promise", "PROMISE:q", "12345678901234567:",
            "Promise         : 16", "Promise          : 17", "   Promsie      : 16", "Subject: Promise: x", "Prom:ise: x",
        ];
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            let mut message = String::new();
            rng = rng.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let count = 1 + (rng >> 59) as usize;
            for i in 0..count {
                let pick = ((rng >> (i % 12 * 5)) as usize).wrapping_add(i * 7) % lines.len();
                message.push_str(lines[pick]);
                message.push('\n');
            }
            if rng & 1 == 0 {
                message.pop();
            }
            let c = crate::scan::commit::read(None, 1, message.as_bytes(), &[], b"#");
            let starts: Vec<usize> = c.block.trailers.iter().map(|t| t.span.start).collect();
            let found: Vec<(usize, bool)> =
                super::malformed(&c, &starts).map(|m| (m.start(), matches!(m, super::Malformed::Key { .. }))).collect();
            assert_eq!(found, every_line(&c), "{message:?}");
        }
    }

    #[test]
    fn misspelt_keys_and_stray_lines_are_flagged() {
        let found = commit_findings("Add PayPal\n\nPromsie: find-and-buy\n");
        assert!(codes(&found).contains(&"malformed-trailer"), "{found:?}");
        assert_eq!(found.iter().find(|f| f.code == crate::code::Code::MalformedTrailer).unwrap().message,
            "trailer key `Promsie` is not `Promise`");
        let found = commit_findings("Add PayPal\n\nPromise: find-and-buy\nAlso fixes colours.\n");
        assert!(found.iter().any(|f| f.message == "this Promise line is not a trailer git will read"));
    }

    #[test]
    fn a_commit_lists_the_first_hundred_stray_lines_and_counts_the_rest() {
        let message = format!("Add PayPal\n\n{}Also fixes colours.\n", "Promise: find-and-buy\n".repeat(300));
        let found: Vec<_> =
            commit_findings(&message).into_iter().filter(|f| f.code == crate::code::Code::MalformedTrailer).collect();
        assert_eq!(found.len(), 101);
        assert_eq!(found[100].message, "200 more lines meant as Promise trailers that git will not read");
        let span = found[100].labels[0].span.clone();
        assert_eq!(span.start, 12 + 100 * 22);
        assert_eq!(&message[span], "Promise: find-and-buy");
    }
}
