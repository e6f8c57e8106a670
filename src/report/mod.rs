//! Reporters: findings and facts in, text out. They print and never decide the exit code.

pub mod board;
pub mod board_html;
pub mod board_text;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use crate::facts::Facts;
use crate::finding::{Finding, Severity};

/// The closing numbers every format shows.
#[derive(Debug, serde::Serialize)]
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
    /// The promises in play.
    pub in_play: Vec<String>,
    /// `[limits] in-play`.
    pub in_play_limit: usize,
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
            in_play: facts.registry.in_play().map(|p| p.id.clone()).collect(),
            in_play_limit: facts.registry.in_play_limit,
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
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
