//! The baseline: the findings a repository had when it adopted plan-lint, recorded in
//! `.plan-lint-baseline.json` at its root, so that every entry point fails only on new work.
//!
//! A finding's identity survives edits around it: its rule, and its place without a line
//! number. A finding in a file is known by the file and the trimmed text of the line its primary
//! label starts on (the item's own line), a finding about a commit by the full commit id, any
//! other by its message. Moving an item or editing another line changes neither; editing the
//! item's own text makes it a new finding. Identical findings are counted: an entry with
//! `count` 2 absorbs two, not a third. Findings about a message not yet committed or a
//! tracker's body are never baselined (they have no lasting identity).
//!
//! The file is a small JSON document, sorted, one entry a line, so a change to it reads as a
//! diff (`schema/baseline.schema.json` describes it):
//!
//! ```json
//! {
//!   "version": 1,
//!   "findings": [
//!     {"code":"untraced-item","file":"ROADMAP.md","text":"- [ ] add PayPal"},
//!     {"code":"untraced-commit","commit":"1a2b…"}
//!   ]
//! }
//! ```
//!
//! This module is the model (identity, reading, writing, matching); the engine reads the file
//! where it reads the registry and applies it once, after judging, and decides which entries
//! the run could have matched ([`Applied::absent`]).

use crate::code::Code;
use crate::error::Error;
use crate::finding::Finding;
use crate::source::{Label, Source, SourceKind, Sources};
use std::collections::BTreeMap;

/// The baseline's file name, at the repository root.
pub const FILE_NAME: &str = ".plan-lint-baseline.json";

/// A recorded text is cut to this many characters: a line of a megabyte identifies no better
/// than its first few hundred characters, and the file stays readable.
const MAX_TEXT: usize = 300;

/// Where a finding is, without a line number. The order is the file's order: files (by path,
/// then text), then commits, then findings with no place.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    /// A line of a file: the path and the line's own text, trimmed.
    File {
        /// Relative to the repository root, `/`-separated.
        path: String,
        /// The text of the line the finding's primary label starts on.
        text: String,
    },
    /// A commit, by its full id.
    Commit(String),
    /// No file and no commit: the finding's message.
    Nowhere(String),
}

/// What identifies a finding across runs and edits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// Where (first, so the file sorts by place).
    pub place: Place,
    /// The rule.
    pub code: Code,
}

impl Key {
    /// The identity of `f`, whose labels point into `sources`; `None` for a finding with no
    /// lasting identity (a message being committed, a tracker's body).
    pub fn of(f: &Finding, sources: &Sources) -> Option<Key> {
        let place = match (&f.commit, f.source.map(|id| sources.get(id))) {
            (Some(sha), _) => Place::Commit(sha.clone()),
            (None, Some(src)) => match &src.kind {
                SourceKind::File { path } => Place::File {
                    path: path.clone(),
                    text: match f.labels.first() {
                        Some(label) => line_text(src, label.span.start),
                        None => cut(f.message.trim()),
                    },
                },
                SourceKind::Commit { sha, .. } => Place::Commit(sha.clone()),
                SourceKind::Message { .. } | SourceKind::Body { .. } => return None,
            },
            (None, None) => Place::Nowhere(cut(f.message.trim())),
        };
        Some(Key { place, code: f.code })
    }

    /// Whether this is a commit's finding (the board counts items and commits apart).
    pub fn is_commit(&self) -> bool {
        matches!(self.place, Place::Commit(_))
    }

    /// How a person names it: `ROADMAP.md: - [ ] add PayPal`, `commit 1a2b3c4`.
    pub fn describe(&self) -> String {
        match &self.place {
            Place::File { path, text } => format!("{path}: {text}"),
            Place::Commit(sha) => format!("commit {}", &sha[..sha.len().min(7)]),
            Place::Nowhere(message) => message.clone(),
        }
    }
}

/// The trimmed text of the line holding byte `offset`, cut to [`MAX_TEXT`] characters.
fn line_text(src: &Source, offset: usize) -> String {
    cut(src.line_text(src.line_of(offset)).trim())
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT) {
        Some((at, _)) => text[..at].trim_end().to_string(),
        None => text.to_string(),
    }
}

/// The recorded findings: each identity with how many identical findings it absorbs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    /// Sorted by place, then rule.
    pub entries: BTreeMap<Key, usize>,
}

/// One entry as the file writes it.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<usize>,
}

#[derive(serde::Deserialize)]
struct RawFile {
    version: u32,
    findings: Vec<RawEntry>,
}

impl Baseline {
    /// Every finding with a lasting identity, counted.
    pub fn of(findings: &[Finding], sources: &Sources) -> Baseline {
        let mut b = Baseline::default();
        b.add(findings, sources);
        b
    }

    /// Record `findings` too (`plan-lint baseline --add`).
    pub fn add(&mut self, findings: &[Finding], sources: &Sources) {
        for key in findings.iter().filter_map(|f| Key::of(f, sources)) {
            *self.entries.entry(key).or_default() += 1;
        }
    }

    /// Findings recorded, in all.
    pub fn total(&self) -> usize {
        self.entries.values().sum()
    }

    /// Findings recorded about commits.
    pub fn commits(&self) -> usize {
        self.entries.iter().filter(|(k, _)| k.is_commit()).map(|(_, n)| n).sum()
    }

    /// Read the file's text (`name` is how errors name it). Every problem is an error: a
    /// baseline read wrongly would hide findings or fail on recorded ones.
    pub fn parse(name: &str, bytes: &[u8]) -> Result<Baseline, Error> {
        let fix = "fix it, or delete it and run `plan-lint baseline` to record the findings again";
        let text =
            std::str::from_utf8(bytes).map_err(|_| Error::new(format!("{name} is not valid UTF-8")).with_help(fix))?;
        let raw: RawFile = serde_json::from_str(text).map_err(|e| {
            let source = Source::file(name, text.to_string());
            let offset =
                source.line_starts().get(e.line().saturating_sub(1)).map_or(0, |s| s + e.column().saturating_sub(1));
            let offset = offset.min(text.len());
            let mut err = Error::new(format!("{name} is not a plan-lint baseline: {e}")).with_help(fix);
            if e.line() > 0 {
                err = err.at(&source, Label::new(offset..offset, "here"));
            }
            err
        })?;
        if raw.version != 1 {
            return Err(Error::new(format!(
                "{name} is baseline version {}; this plan-lint reads version 1",
                raw.version
            ))
            .with_help("upgrade plan-lint, or record the baseline again with this one"));
        }
        let mut b = Baseline::default();
        for (i, e) in raw.findings.into_iter().enumerate() {
            let bad = |why: String| Error::new(format!("{name}: entry {} {why}", i + 1)).with_help(fix);
            let code = Code::from_name(&e.code).ok_or_else(|| {
                let names = Code::ALL.iter().map(|c| c.name());
                let hint = crate::suggest::closest(&e.code, names)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                bad(format!("names unknown rule `{}`{hint}", e.code))
            })?;
            let place = match (e.file, e.commit, e.text) {
                (Some(path), None, Some(text)) => Place::File { path, text },
                (None, Some(sha), None) if is_commit_id(&sha) => Place::Commit(sha),
                (None, Some(sha), None) => return Err(bad(format!("has `commit` `{sha}`, not a full commit id"))),
                (None, None, Some(text)) => Place::Nowhere(text),
                _ => return Err(bad("needs `file` and `text`, or `commit` alone, or `text` alone".to_string())),
            };
            let count = match e.count {
                None => 1,
                Some(0) => return Err(bad("has `count` 0; an entry absorbs at least one finding".to_string())),
                Some(n) => n,
            };
            let slot = b.entries.entry(Key { place, code }).or_default();
            *slot = slot.saturating_add(count);
        }
        Ok(b)
    }

    /// The file's text: sorted, one entry a line.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n  \"version\": 1,\n  \"findings\": [");
        for (i, (key, &count)) in self.entries.iter().enumerate() {
            let (file, commit, text) = match &key.place {
                Place::File { path, text } => (Some(path.clone()), None, Some(text.clone())),
                Place::Commit(sha) => (None, Some(sha.clone()), None),
                Place::Nowhere(text) => (None, None, Some(text.clone())),
            };
            let raw =
                RawEntry { code: key.code.name().to_string(), file, commit, text, count: (count > 1).then_some(count) };
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            out.push_str(&serde_json::to_string(&raw).expect("an entry serializes"));
        }
        out.push_str(if self.entries.is_empty() { "]\n}\n" } else { "\n  ]\n}\n" });
        out
    }
}

/// A full commit id: 40 (SHA-1) or 64 (SHA-256) lowercase hexadecimal digits.
fn is_commit_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A baseline applied to a run: what it absorbed, and what of it matched nothing.
#[derive(Debug)]
pub struct Applied {
    /// What the file recorded.
    pub recorded: Baseline,
    /// The findings it absorbed (`unchanged`), in the run's order: no failure.
    pub baselined: Vec<Finding>,
    /// Entries that absorbed fewer findings than they count, with how many fewer, among the
    /// places this run judged in full (the engine drops the others): `absent`.
    pub absent: Vec<(Key, usize)>,
    /// With a time window: what the file recorded at the window's start (the commit HEAD's
    /// first-parent line had then), `(findings in files, commits)`; `None` when it did not
    /// exist then or could not be read.
    pub at_start: Option<(usize, usize)>,
}

impl Applied {
    /// How many recorded findings matched nothing.
    pub fn absent_count(&self) -> usize {
        self.absent.iter().map(|(_, n)| n).sum()
    }

    /// The baseline as `plan-lint baseline --update` leaves it: without what matched nothing.
    pub fn updated(&self) -> Baseline {
        let mut b = self.recorded.clone();
        for (key, n) in &self.absent {
            if let Some(count) = b.entries.get_mut(key) {
                *count = count.saturating_sub(*n);
                if *count == 0 {
                    b.entries.remove(key);
                }
            }
        }
        b
    }
}

/// Split `findings` into the new ones (returned, in order) and those `recorded` absorbs; every
/// entry that absorbed fewer than its count is listed as absent (the engine keeps only those
/// the run could have matched).
pub fn apply(recorded: Baseline, findings: Vec<Finding>, sources: &Sources) -> (Vec<Finding>, Applied) {
    let mut left = recorded.entries.clone();
    let mut new = Vec::new();
    let mut baselined = Vec::new();
    for f in findings {
        let slot = Key::of(&f, sources).and_then(|k| left.get_mut(&k)).filter(|n| **n > 0);
        match slot {
            Some(n) => {
                *n -= 1;
                baselined.push(f);
            }
            None => new.push(f),
        }
    }
    let absent = left.into_iter().filter(|(_, n)| *n > 0).collect();
    (new, Applied { recorded, baselined, absent, at_start: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Label;

    fn item(sources: &mut Sources, path: &str, text: &str, line: usize) -> Finding {
        let src = Source::file(path, text.to_string());
        let start = src.line_starts()[line];
        let id = sources.add(src);
        Finding::new(Code::UntracedItem, "work item names no promise")
            .at(id, Label::new(start + 6..start + 8, "untraced"))
    }

    #[test]
    fn a_line_is_known_by_its_text_not_its_number() {
        let mut sources = Sources::default();
        let before = item(&mut sources, "ROADMAP.md", "- [ ] add PayPal\n", 0);
        let moved = item(&mut sources, "ROADMAP.md", "# Plan\n\n  - [ ] add PayPal  \n", 2);
        let edited = item(&mut sources, "ROADMAP.md", "- [ ] add PayPal and Klarna\n", 0);
        let elsewhere = item(&mut sources, "plans/q3.md", "- [ ] add PayPal\n", 0);
        let key = |f: &Finding| Key::of(f, &sources).unwrap();
        assert_eq!(key(&before), key(&moved));
        assert_ne!(key(&before), key(&edited));
        assert_ne!(key(&before), key(&elsewhere));
        assert_eq!(key(&before).place, Place::File { path: "ROADMAP.md".into(), text: "- [ ] add PayPal".into() });
    }

    #[test]
    fn a_count_absorbs_that_many_identical_findings_and_no_more() {
        let mut sources = Sources::default();
        let two: Vec<Finding> = (0..2).map(|_| item(&mut sources, "a.md", "- [ ] x\n", 0)).collect();
        let recorded = Baseline::of(&two, &sources);
        assert_eq!(recorded.total(), 2);
        let three: Vec<Finding> = (0..3).map(|_| item(&mut sources, "a.md", "- [ ] x\n", 0)).collect();
        let (new, applied) = apply(recorded.clone(), three, &sources);
        assert_eq!((new.len(), applied.baselined.len(), applied.absent_count()), (1, 2, 0));
        let (new, applied) = apply(recorded, two[..1].to_vec(), &sources);
        assert_eq!((new.len(), applied.baselined.len(), applied.absent_count()), (0, 1, 1));
        assert_eq!(applied.updated().total(), 1);
    }

    #[test]
    fn the_file_round_trips_sorted_one_entry_a_line() {
        let mut sources = Sources::default();
        let sha = "a".repeat(40);
        let findings = vec![
            item(&mut sources, "b.md", "- [ ] \"quoted\" \u{7}\n", 0),
            Finding::new(Code::UntracedCommit, "commit has no Promise trailer").commit(&sha),
            item(&mut sources, "a.md", "- [ ] x\n", 0),
            item(&mut sources, "a.md", "- [ ] x\n", 0),
        ];
        let b = Baseline::of(&findings, &sources);
        let text = b.to_json();
        assert_eq!(
            text,
            format!(
                "{{\n  \"version\": 1,\n  \"findings\": [\n    \
                 {{\"code\":\"untraced-item\",\"file\":\"a.md\",\"text\":\"- [ ] x\",\"count\":2}},\n    \
                 {{\"code\":\"untraced-item\",\"file\":\"b.md\",\"text\":\"- [ ] \\\"quoted\\\" \\u0007\"}},\n    \
                 {{\"code\":\"untraced-commit\",\"commit\":\"{sha}\"}}\n  ]\n}}\n"
            )
        );
        assert_eq!(Baseline::parse("x", text.as_bytes()).unwrap(), b);
        assert_eq!(Baseline::default().to_json(), "{\n  \"version\": 1,\n  \"findings\": []\n}\n");
        assert_eq!(Baseline::parse("x", Baseline::default().to_json().as_bytes()).unwrap(), Baseline::default());
    }

    #[test]
    fn a_bad_file_is_an_error_that_says_what_is_wrong() {
        let err = |text: &str| Baseline::parse(".plan-lint-baseline.json", text.as_bytes()).unwrap_err().message;
        assert!(err("{").contains("not a plan-lint baseline"));
        assert!(err(r#"{"version": 2, "findings": []}"#).contains("version 2"));
        let entry = |e: &str| err(&format!(r#"{{"version": 1, "findings": [{e}]}}"#));
        assert!(
            entry(r#"{"code": "untraced-itme", "file": "a", "text": "b"}"#).contains("did you mean `untraced-item`")
        );
        assert!(entry(r#"{"code": "untraced-commit", "commit": "abc"}"#).contains("not a full commit id"));
        assert!(entry(r#"{"code": "untraced-item", "file": "a"}"#).contains("needs `file` and `text`"));
        assert!(entry(r#"{"code": "untraced-item", "file": "a", "text": "b", "count": 0}"#).contains("count"));
        assert!(entry(r#"{"code": "untraced-item", "file": "a", "text": "b", "line": 3}"#).contains("unknown field"));
        assert!(Baseline::parse("x", b"\xff").unwrap_err().message.contains("UTF-8"));
    }

    #[test]
    fn a_long_line_is_cut_on_a_character_boundary() {
        let mut sources = Sources::default();
        let long = format!("- [ ] {}\n", "é".repeat(1000));
        let f = item(&mut sources, "a.md", &long, 0);
        let Place::File { text, .. } = Key::of(&f, &sources).unwrap().place else { panic!() };
        assert_eq!(text.chars().count(), MAX_TEXT);
    }
}
