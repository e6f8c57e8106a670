//! Reporters: findings and facts in, text out. They print and never decide the exit code.

pub mod board;
pub mod board_html;
pub mod board_text;
pub mod flow;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod org;
pub mod sarif;

use crate::facts::Facts;
use crate::finding::{Finding, Severity};

/// The closing numbers every format shows.
#[derive(Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// Error-level findings.
    pub errors: usize,
    /// Warning-level findings.
    pub warnings: usize,
    /// Plan documents read (the registry not counted).
    pub files: usize,
    /// Issue files read (`[issues] include`).
    pub issues: usize,
    /// Tracker bodies checked, by name (`pull request #12`).
    pub bodies: Vec<String>,
    /// Files the patterns selected that were not read (binary, too large, unreadable), listed
    /// in the JSON report's `skipped`.
    #[serde(skip)]
    pub skipped: usize,
    /// Work items read (plan items and issue files).
    pub items: usize,
    /// Commits checked; `None` when commits were not checked.
    pub commits: Option<usize>,
    /// The range the commits came from, as the user would write it.
    pub range: Option<String>,
    /// Of the commits checked, those that declare an exception (`Untraced: <reason>`).
    #[serde(skip)]
    pub exceptions: usize,
    /// The promises in play.
    pub in_play: Vec<String>,
    /// `[limits] in-play`.
    pub in_play_limit: usize,
    /// Findings the baseline absorbed (not counted above); absent without a baseline file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baselined: Option<usize>,
    /// Baseline entries that matched nothing (`plan-lint baseline --update` drops them);
    /// absent without a baseline file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub absent: Option<usize>,
}

impl Summary {
    /// The numbers of a run.
    pub fn new(facts: &Facts, findings: &[Finding]) -> Summary {
        Summary {
            errors: findings.iter().filter(|f| f.severity == Severity::Error).count(),
            warnings: findings.iter().filter(|f| f.severity == Severity::Warning).count(),
            files: facts.plans.files,
            issues: facts.plans.issues,
            bodies: facts.bodies.clone(),
            items: facts.plans.items,
            skipped: facts.skipped.len(),
            commits: facts.commits.as_ref().map(|c| c.count),
            range: facts.commits.as_ref().map(|c| c.describe.clone()),
            exceptions: facts.commits.as_ref().map_or(0, |c| c.tally.exceptions),
            in_play: facts.registry.in_play().map(|p| p.id.clone()).collect(),
            in_play_limit: facts.registry.in_play_limit,
            baselined: facts.baseline.as_ref().map(|b| b.baselined.len()),
            absent: facts.baseline.as_ref().map(crate::baseline::Applied::absent_count),
        }
    }
}

/// A sequence serialized as it is iterated: reporters stream findings into the writer instead
/// of building the whole document first (a million findings must not cost gigabytes).
pub(crate) struct Stream<'s, 'a, T, R: serde::Serialize> {
    items: &'a [T],
    each: &'s dyn Fn(&'a T) -> R,
}

impl<'s, 'a, T, R: serde::Serialize> Stream<'s, 'a, T, R> {
    pub(crate) fn new(items: &'a [T], each: &'s dyn Fn(&'a T) -> R) -> Self {
        Stream { items, each }
    }
}

impl<T, R: serde::Serialize> serde::Serialize for Stream<'_, '_, T, R> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.items.iter().map(|x| (self.each)(x)))
    }
}

/// `1 error`, `2 errors`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", count(n))
    }
}

/// Thousands separated, as people read counts: every count a report prints, one format.
pub(crate) use crate::number::count;

/// Where a file-based report (SARIF, GitLab Code Quality, JUnit) places a finding: its file and
/// region (1-based line and column, in code points, the end after the last character), or, for
/// a finding about a commit or tracker body (not a file), the first line of the registry, the
/// contract it breaks, with the thing it is about named in `about`.
pub(crate) struct Placed {
    pub path: String,
    /// (line, column, end line, end column); `None` when placed on the registry's first line.
    pub region: Option<(usize, usize, usize, usize)>,
    /// The commit or body the finding is about, when not a file.
    pub about: Option<String>,
}

pub(crate) fn place(facts: &crate::facts::Facts, f: &crate::finding::Finding) -> Placed {
    use crate::source::SourceKind;
    let source = f.source.map(|id| facts.sources.get(id));
    match (source, f.labels.first()) {
        (Some(src), Some(label)) if matches!(src.kind, SourceKind::File { .. }) => {
            let (line, col) = src.line_col(label.span.start);
            let (end_line, end_col) = src.line_col(label.span.end);
            // An empty label still covers one character.
            let end_col = if (end_line, end_col) == (line, col) { col + 1 } else { end_col };
            Placed { path: src.name(), region: Some((line, col, end_line, end_col)), about: None }
        }
        _ => {
            let registry = facts.sources.get(facts.registry_source);
            let path = match &registry.kind {
                SourceKind::File { path } => path.clone(),
                _ => crate::registry::FILE_NAME.to_string(),
            };
            Placed { path, region: None, about: source.map(|s| s.name()) }
        }
    }
}

/// FNV-1a, 64 bits: a stable fingerprint without a hashing dependency.
pub(crate) fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// A finding's fingerprint, stable across runs: its code, place, commit and message, hashed (no
/// line numbers, so an edit above it does not make it a new finding).
pub(crate) fn fingerprint(f: &crate::finding::Finding, path: &str) -> String {
    format!("{:016x}", fnv1a(&format!("{}\0{}\0{}\0{}", f.code, path, f.commit.as_deref().unwrap_or(""), f.message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 24: the summary line said "7616 errors" where the groups said "7,616".
    #[test]
    fn every_count_has_one_format() {
        assert_eq!(plural(7616, "error"), "7,616 errors");
        assert_eq!(plural(1, "error"), "1 error");
        assert_eq!(plural(0, "item"), "0 items");
        assert_eq!(plural(1_234_567, "commit"), "1,234,567 commits");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
    }
}
