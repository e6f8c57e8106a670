//! A commit message read as git reads it: the trailers `git log --format=%(trailers)` sees, the
//! promise ids they name, a declared exception, whether a `---` line hides the trailers from
//! `git interpret-trailers`, and whether the commit needs a trailer at all. Records; never
//! judges.

use super::trailers::{self, Block, Options};
use regex::Regex;
use std::ops::Range;

/// Why a commit needs no trailer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exemption {
    /// A merge commit.
    Merge,
    /// `fixup!`, `squash!` or `amend!`: folded into another commit by `git rebase --autosquash`.
    Autosquash(&'static str),
    /// The subject matches this `[commits] exempt-subjects` pattern.
    Subject(String),
}

/// What one commit message says.
#[derive(Clone, Debug)]
pub struct CommitFacts {
    /// The full id; `None` for a message not yet committed (the commit-msg hook).
    pub sha: Option<String>,
    /// How findings name it: `commit 1a2b3c4`, or `this commit`.
    pub name: String,
    /// The first line, trimmed.
    pub subject: String,
    /// The message (lossy UTF-8); spans below point into it.
    pub text: String,
    /// Why it needs no trailer, if it needs none.
    pub exempt: Option<Exemption>,
    /// Trailers as `git log --format=%(trailers)` reads them.
    pub block: Block,
    /// Promise ids from `Promise` trailers, with spans.
    pub promises: Vec<(String, Range<usize>)>,
    /// Span of a `---` line that hides the trailer block from `git interpret-trailers`/`git am`.
    pub hiding_divider: Option<Range<usize>>,
    /// Where the message proper starts (after leading blank lines).
    pub body_offset: usize,
    /// A declared exception: the reason of an `Untraced:` trailer (possibly empty), with its span.
    pub exception: Option<(String, Range<usize>)>,
    /// The promise ids that were in play in the registry as the commit saw it (its own tree or
    /// its parent's; for the commit being made, HEAD's). `None`: not looked up, because every
    /// promise it names is in play now or unknown.
    pub in_play_then: Option<Vec<String>>,
    /// The promise the work most likely serves, when something says so: the one promise in play
    /// the branch names, a pull request body names or the other commits of a piece of work
    /// name, else the promise of the latest traced commit that touched the same paths. Looked
    /// up only for untraced commits.
    pub likely_promise: Option<Likely>,
    /// When nothing says which promise and the commit looks like upkeep (a `chore:` subject,
    /// only lockfiles and configuration changed): why, completing "it looks like upkeep (…)".
    /// Looked up only for untraced commits.
    pub maintenance: Option<String>,
    /// The commit's tree has no promises.toml: work from before the team adopted plan-lint.
    /// Looked up only for untraced commits; `false` when not looked up.
    pub before_adoption: bool,
    /// With scoped registries, the scopes the commit changes (their promises in play are the
    /// ones to suggest); empty without scopes, or when not told.
    pub scopes: Vec<String>,
}

/// A promise a commit most likely serves, and what says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Likely {
    /// The promise id.
    pub id: String,
    /// Why, completing "…": `the branch names it`, `the latest commit touching src/cart.rs, 1a2b3c4, names it`.
    pub why: String,
}

/// A message's subject as its exemptions are matched: the first line that is not blank, trimmed.
pub fn subject(message: &[u8]) -> String {
    let body = trailers::skip_leading_blank_lines(message);
    body.split(|&c| c == b'\n').next().map(|s| String::from_utf8_lossy(s).trim().to_string()).unwrap_or_default()
}

/// Read a commit message: `parents` decides whether it is a merge, `exempt_subjects` are the
/// registry's patterns, `comment` git's comment string for `git log` (`#` unless configured).
pub fn read(
    sha: Option<String>,
    parents: usize,
    message: &[u8],
    exempt_subjects: &[Regex],
    comment: &[u8],
) -> CommitFacts {
    // The fast validation first: nearly every message is UTF-8 (the lossy path is slower).
    let text = match std::str::from_utf8(message) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(message).into_owned(),
    };
    let body = trailers::skip_leading_blank_lines(text.as_bytes());
    let body_offset = text.len() - body.len();
    let log = Options { comment: comment.to_vec(), ..Options::log() };
    let mut block = trailers::parse(body, &log);
    for t in &mut block.trailers {
        t.span = t.span.start + body_offset..t.span.end + body_offset;
        t.value_span = t.value_span.start + body_offset..t.value_span.end + body_offset;
    }
    block.range = block.range.start + body_offset..block.range.end + body_offset;

    let mut promises = Vec::new();
    for t in block.trailers.iter().filter(|t| t.key_is("promise")) {
        // The value as written in the message (first line), split on commas; ids on
        // continuation lines fall back to the whole trailer's span.
        // Matched in order, in one pass: searching the line for each id made a trailer of
        // many ids quadratic.
        let value = String::from_utf8_lossy(&t.value);
        let first_line = &text[t.value_span.clone()];
        let mut on_line = Vec::new();
        let mut off = t.value_span.start;
        for part in first_line.split(',') {
            let id = part.trim();
            if !id.is_empty() {
                let at = off + (part.len() - part.trim_start().len());
                on_line.push((id, at..at + id.len()));
            }
            off += part.len() + 1;
        }
        let mut next = 0;
        for id in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let span = match on_line.get(next) {
                Some((written, span)) if *written == id => {
                    next += 1;
                    span.clone()
                }
                _ => t.span.clone(),
            };
            promises.push((id.to_string(), span));
        }
    }

    // With the divider honoured (git interpret-trailers, git am), are these trailers still seen?
    // Only a trace is worth a warning: trailers of other kinds hidden from `git am` are not
    // plan-lint's business (issue 13).
    let traces = block.trailers.iter().any(|t| t.key_is("promise") || t.key_is("untraced"));
    // The searcher is built once, not for every commit of a history.
    static DIVIDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"---"));
    let hiding_divider = if !traces || DIVIDER.find(body).is_none() {
        None
    } else {
        let seen = trailers::parse(body, &Options { comment: comment.to_vec(), ..Options::interpret() });
        if seen.trailers.is_empty() {
            divider_line(body).map(|r| r.start + body_offset..r.end + body_offset)
        } else {
            None
        }
    };

    let subject = subject(body);
    let exempt = if parents > 1 {
        Some(Exemption::Merge)
    } else if let Some(prefix) = ["fixup!", "squash!", "amend!"].into_iter().find(|p| subject.starts_with(p)) {
        Some(Exemption::Autosquash(prefix))
    } else {
        exempt_subjects.iter().find(|re| re.is_match(&subject)).map(|re| Exemption::Subject(re.as_str().to_string()))
    };
    let name = match &sha {
        Some(sha) => format!("commit {}", &sha[..sha.len().min(7)]),
        None => "this commit".to_string(),
    };
    let exception = block
        .trailers
        .iter()
        .find(|t| t.key_is("untraced"))
        .map(|t| (String::from_utf8_lossy(&t.value).trim().to_string(), t.span.clone()));
    CommitFacts {
        sha,
        name,
        subject,
        text,
        exempt,
        block,
        promises,
        hiding_divider,
        body_offset,
        exception,
        in_play_then: None,
        likely_promise: None,
        maintenance: None,
        before_adoption: false,
        scopes: Vec::new(),
    }
}

/// The first `---` line that git's divider rule would stop at.
fn divider_line(body: &[u8]) -> Option<Range<usize>> {
    let mut off = 0;
    for line in body.split(|&c| c == b'\n') {
        // git's rule: `---` followed by white space, the newline included.
        if line.starts_with(b"---") && line.get(3).is_none_or(|&c| trailers::is_space(c)) {
            return Some(off..off + line.len());
        }
        off += line.len() + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_exceptions_and_exemptions() {
        let c = read(Some("a".repeat(40)), 1, b"\n\nAdd\n\nPromise: a, b\nUntraced: x\n", &[], b"#");
        assert_eq!(c.name, "commit aaaaaaa");
        assert_eq!(c.promises.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(&c.text[c.promises[1].1.clone()], "b");
        assert_eq!(c.exception.as_ref().map(|e| e.0.as_str()), Some("x"));
        assert_eq!(c.body_offset, 2);
        assert_eq!(read(None, 2, b"Merge\n", &[], b"#").exempt, Some(Exemption::Merge));
        let deps = [Regex::new("^deps:").unwrap()];
        assert_eq!(read(None, 1, b"deps: bump\n", &deps, b"#").exempt, Some(Exemption::Subject("^deps:".into())));
        let hidden = read(None, 1, b"Add\n\n---\nnotes\n\nPromise: a\n", &[], b"#");
        assert!(hidden.hiding_divider.is_some());
    }
}
