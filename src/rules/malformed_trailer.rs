//! `malformed-trailer`: text a person meant as a `Promise:` trailer that git does not read as
//! one: a misspelt key in the trailer block, a `Promise:` line outside it, a `---` line that
//! hides the trailers from `git interpret-trailers` and `git am`.

use super::{Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::CommitFacts;
use crate::finding::Finding;
use crate::registry::Parts;
use crate::source::Label;
use crate::suggest::distance;

pub(crate) static RULE: Rule = Rule {
    code: Code::MalformedTrailer,
    default: Level::Warn,
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

    Promise: find-and-buy",
    reads: Parts::NONE,
    checks: &[Check::Commit(commit)],
};

fn commit(_ctx: &Ctx, c: &CommitFacts, sink: &mut Sink) {
    let text = c.text.as_str();
    let trailer_starts: Vec<usize> = c.block.trailers.iter().map(|t| t.span.start).collect();
    let mut off = 0;
    for line in text.split('\n') {
        let start = off;
        off += line.len() + 1;
        // Before the message, or quoted (indented as a code block, as `git merge --squash`
        // quotes the squashed messages): not meant as this commit's trailer.
        if start < c.body_offset || line.starts_with("    ") || line.starts_with('\t') {
            continue;
        }
        let Some((key, _)) = line.split_once(':').filter(|(k, _)| k.len() <= 16) else {
            continue;
        };
        let key_trimmed = key.trim();
        if key_trimmed.is_empty() || key_trimmed.contains(char::is_whitespace) {
            continue;
        }
        let is_promise = key_trimmed.eq_ignore_ascii_case("promise");
        // Only keys that could be a misspelling are measured (this runs on every line of history).
        let misspelled = !is_promise
            && (5..=10).contains(&key_trimmed.len())
            && shares_enough_of_promise(key_trimmed)
            && distance(key_trimmed, "promise") <= 2;
        if !is_promise && !misspelled {
            continue;
        }
        let line_span = start..start + line.trim_end().len();
        // Sorted: a binary search keeps a message of many trailer lines linear.
        let is_trailer = trailer_starts.binary_search(&start).is_ok();
        if misspelled && (is_trailer || c.block.range.contains(&start)) {
            sink.push(
                Finding::new(Code::MalformedTrailer, format!("trailer key `{key_trimmed}` is not `Promise`"))
                    .label(Label::new(start..start + key.len(), "misspelled key"))
                    .commit_opt(c.sha.as_deref())
                    .help(format!(
                        "git matches the key exactly (ignoring case): write `Promise:{}`",
                        &line[key.len() + 1..]
                    )),
            );
        } else if is_promise && !is_trailer {
            let why = if start < c.body_offset + c.subject.len() + 1 {
                "the subject line is never a trailer"
            } else {
                "git reads trailers only from the last paragraph of the message"
            };
            sink.push(
                Finding::new(Code::MalformedTrailer, "this Promise line is not a trailer git will read")
                    .label(Label::new(line_span, why))
                    .commit_opt(c.sha.as_deref())
                    .help("move it into the final paragraph, after a blank line, with only trailer lines around it"),
            );
        }
    }
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

/// A necessary condition for being within two edits of `promise`, without allocating: each edit
/// (insertion, deletion, substitution, transposition) loses at most one letter the two words
/// share, so a key sharing fewer than `max(len, 7) - 2` letters with it (as multisets, any case)
/// is further away. Most keys of a history (`Signed-off-by`, `Reviewed-by`) fail it at once.
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

    #[test]
    fn misspelt_keys_and_stray_lines_are_flagged() {
        let found = commit_findings("Add PayPal\n\nPromsie: find-and-buy\n");
        assert!(codes(&found).contains(&"malformed-trailer"), "{found:?}");
        assert_eq!(found.iter().find(|f| f.code == crate::code::Code::MalformedTrailer).unwrap().message,
            "trailer key `Promsie` is not `Promise`");
        let found = commit_findings("Add PayPal\n\nPromise: find-and-buy\nAlso fixes colours.\n");
        assert!(found.iter().any(|f| f.message == "this Promise line is not a trailer git will read"));
    }
}
