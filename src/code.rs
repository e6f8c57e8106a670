//! Rule codes and levels: the names users write in `[rules]`, on the command line and in CI
//! filters. A leaf module: it imports nothing of this crate, so the registry, findings, rules
//! and reporters can all name a code without depending on each other.
//!
//! A code is stable forever once released. Its kebab-case name is derived from the variant
//! (strum), so no list of names is kept by hand; everything else about a rule (default level,
//! summary, documentation, the check) is declared once, in its file under `src/rules/`.

use std::fmt;

/// A rule's code. The declaration order is the order of `plan-lint rules` and `docs/rules.md`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "kebab-case")]
#[non_exhaustive]
pub enum Code {
    /// A plan, commit or body names a promise id the registry does not declare.
    UnknownPromise,
    /// A work item names no promise.
    UntracedItem,
    /// A commit has no `Promise:` trailer and is not exempt.
    UntracedCommit,
    /// A commit or pull request is work on a promise that is not in play.
    NotInPlay,
    /// Open plan items or open issues serve a promise that is dropped (or, for issues, done).
    OpenWorkNotInPlay,
    /// More promises in play than the limit.
    TooManyInPlay,
    /// A promise in play has no measurable outcome.
    NoOutcome,
    /// Text meant as a `Promise:` trailer that git will not read as one.
    MalformedTrailer,
    /// Commits in a window trace to a promise that is not in play.
    ShadowWork,
    /// A promise in play had no activity for `[limits] idle-days`.
    IdlePromise,
    /// A promise marked done still has open items.
    DoneWithOpenItems,
    /// Declared exceptions exceed `[limits] exception-budget`.
    OverBudget,
    /// An `include` pattern in promises.toml matches no file.
    UnmatchedPattern,
    /// A reading in outcomes.csv names a metric its promise does not measure.
    UnknownMetric,
    /// An outcome of a promise in play has no recent reading.
    UnmeasuredOutcome,
    /// An outcome's latest reading reaches its target while the promise is still in play.
    OutcomeMet,
    /// An outcome's latest reading is further from the target than the baseline.
    OutcomeRegressed,
    /// A hypothesis names a metric its promise does not measure, or an expectation that cannot
    /// be judged.
    HypothesisInvalid,
    /// A hypothesis's date has passed with no reading since.
    HypothesisUnjudged,
    /// The readings since a hypothesis's date fall short of it while work still builds on it.
    HypothesisRefuted,
    /// A promise is done, its readings do not show it kept, and no verdict is recorded.
    DoneUnverified,
    /// A `promises.toml` below the root that `[scopes] members` does not list.
    UnlistedScope,
    /// An open plan item serves a promise whose contract changed since it was planned, and the
    /// change is not reviewed.
    SuspectLink,
}

/// Names kept for codes that were split: setting the old name sets every code it became.
const ALIASES: &[(&str, &[Code])] = &[
    // `not-in-play` once covered open items and issues too (split in 0.2).
    ("not-in-play", &[Code::NotInPlay, Code::OpenWorkNotInPlay]),
];

impl Code {
    /// Every code, in declaration order.
    pub const ALL: &'static [Code] = <Code as strum::VariantArray>::VARIANTS;

    /// The stable kebab-case name, e.g. `untraced-commit`.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The code with this exact name (aliases not included).
    pub fn from_name(name: &str) -> Option<Code> {
        name.parse().ok()
    }

    /// The codes a name sets in `[rules]` or `--allow/--warn/--deny`: one code, or every code an
    /// alias stands for.
    pub fn resolve(name: &str) -> Option<Vec<Code>> {
        if let Some((_, codes)) = ALIASES.iter().find(|(alias, _)| *alias == name) {
            return Some(codes.to_vec());
        }
        Code::from_name(name).map(|c| vec![c])
    }

    /// The aliases, with the codes each stands for (for `plan-lint rules` and the docs).
    pub fn aliases() -> &'static [(&'static str, &'static [Code])] {
        ALIASES
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// How a code's findings count: not at all, as warnings, or as errors (exit 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning.
    Warn,
    /// Reported as an error.
    Deny,
}

impl Level {
    /// `allow`, `warn` or `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

/// How bad a reported finding is, once levels are applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported; does not fail the run.
    Warning,
    /// Fails the run (exit 1).
    Error,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable() {
        let names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                "unknown-promise",
                "untraced-item",
                "untraced-commit",
                "not-in-play",
                "open-work-not-in-play",
                "too-many-in-play",
                "no-outcome",
                "malformed-trailer",
                "shadow-work",
                "idle-promise",
                "done-with-open-items",
                "over-budget",
                "unmatched-pattern",
                "unknown-metric",
                "unmeasured-outcome",
                "outcome-met",
                "outcome-regressed",
                "hypothesis-invalid",
                "hypothesis-unjudged",
                "hypothesis-refuted",
                "done-unverified",
                "unlisted-scope",
                "suspect-link",
            ]
        );
        for c in Code::ALL {
            assert_eq!(Code::from_name(c.name()), Some(*c));
        }
    }

    #[test]
    fn the_old_not_in_play_sets_both_halves() {
        assert_eq!(Code::resolve("not-in-play"), Some(vec![Code::NotInPlay, Code::OpenWorkNotInPlay]));
        assert_eq!(Code::resolve("no-outcome"), Some(vec![Code::NoOutcome]));
        assert_eq!(Code::resolve("no-outcomes"), None);
    }
}
