//! The rules: every code declared once, with its default level and documentation, and the
//! evaluation of facts into findings.
//!
//! Codes are stable kebab-case names: users write them in `[rules]`, on the command line and in
//! CI filters, so a code is never renamed. Each rule lives in its own file and only reads
//! [`Facts`]; it never reads files or prints. Levels (allow / warn / deny) are applied in one
//! place, [`Levels::apply`], as findings are collected.

pub mod bodies;
pub mod commits;
mod drift;
pub mod plans;
mod registry;

use crate::facts::Facts;
use crate::finding::{Finding, Severity};
use crate::registry::Registry;
use serde::Deserialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

/// Every rule code. The declaration order is the order of `plan-lint rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    UnknownPromise,
    UntracedItem,
    UntracedCommit,
    NotInPlay,
    TooManyInPlay,
    NoOutcome,
    MalformedTrailer,
    ShadowWork,
    IdlePromise,
    DoneWithOpenItems,
    OverBudget,
}

impl Code {
    pub const ALL: &'static [Code] = &[
        Code::UnknownPromise,
        Code::UntracedItem,
        Code::UntracedCommit,
        Code::NotInPlay,
        Code::TooManyInPlay,
        Code::NoOutcome,
        Code::MalformedTrailer,
        Code::ShadowWork,
        Code::IdlePromise,
        Code::DoneWithOpenItems,
        Code::OverBudget,
    ];

    pub fn rule(self) -> &'static Rule {
        RULES.iter().find(|r| r.code == self).expect("every code has a rule")
    }

    pub fn name(self) -> &'static str {
        self.rule().name
    }

    pub fn from_name(name: &str) -> Option<Code> {
        RULES.iter().find(|r| r.name == name).map(|r| r.code)
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

/// A rule's declaration: code, name, default level, one-line summary and documentation.
pub struct Rule {
    pub code: Code,
    pub name: &'static str,
    pub default: Level,
    pub summary: &'static str,
    /// What it does, why it matters, an example that fails, and the fix.
    pub doc: &'static str,
}

pub static RULES: &[Rule] = &[
    Rule {
        code: Code::UnknownPromise,
        name: "unknown-promise",
        default: Level::Deny,
        summary: "a plan or commit names a promise id that is not in the registry",
        doc: "\
What it does: flags every promise id in a plan item, section, document or commit trailer that \
promises.toml does not declare, and suggests the closest declared id.

Why: a trace to a promise that does not exist is no trace at all. Typos (`find-and-by`) silently \
disconnect work from the outcome it was meant to move.

Fails:
    - [ ] typo-tolerant search (Promise: find-and-by)

Fix: name a declared id, or declare the promise in promises.toml:
    - [ ] typo-tolerant search (Promise: find-and-buy)",
    },
    Rule {
        code: Code::UntracedItem,
        name: "untraced-item",
        default: Level::Deny,
        summary: "a work item names no promise, directly or through its section or document",
        doc: "\
What it does: flags task-list items (`- [ ]`, `- [x]`) in plan documents that name no promise \
themselves and inherit none from a parent item, their section or the document.

Why: every piece of work, however small, should say which customer promise it supports. Work \
that supports none is either an exception (say so) or should not be done.

Fails:
    ## Checkout
    - [ ] add PayPal

Fix: name the promise on the item, or once for the whole section (an item that knowingly \
serves no promise says why: `- [ ] bump CI image (Untraced: runner upkeep)`):
    ## Checkout
    Promise: find-and-buy

    - [ ] add PayPal",
    },
    Rule {
        code: Code::UntracedCommit,
        name: "untraced-commit",
        default: Level::Deny,
        summary: "a commit has no Promise trailer and is not exempt",
        doc: "\
What it does: flags commits in the checked range whose message has no `Promise:` trailer, as \
`git log --format=%(trailers)` reads it. Merge commits, fixup!/squash!/amend! commits and \
subjects matching `[commits] exempt-subjects` are exempt. A commit that knowingly serves no \
promise declares an exception with a reason, `Untraced: <reason>`, which `plan-lint report` \
lists and `[limits] exception-budget` caps.

Why: the commit is where work happens; a trailer is the cheapest, most durable way to say \
which promise it serves, and git tooling can query it.

Fails:
    Add PayPal button

Fix: end the message with a trailer block (a blank line, then the trailer):
    Add PayPal button

    Promise: find-and-buy",
    },
    Rule {
        code: Code::NotInPlay,
        name: "not-in-play",
        default: Level::Deny,
        summary: "work on a promise that is not in play (errors for commits, warnings for open items)",
        doc: "\
What it does: flags commits whose trailer names a promise that is proposed, done or dropped, and \
open plan items under a dropped promise (a done one is `done-with-open-items`). Open items for \
proposed promises are plans, not work, and are fine. Unless you set a level for this rule, \
commit findings are errors and item findings are warnings.

Why: barring explicit exceptions, the team works only on promises currently in play; that is \
what keeps the WIP limit meaningful.

Fails (with `checkout-v2` proposed):
    Promise: checkout-v2

Fix: put the promise in play (within the limit), or trace the work to the in-play promise it \
really serves.",
    },
    Rule {
        code: Code::TooManyInPlay,
        name: "too-many-in-play",
        default: Level::Deny,
        summary: "more promises in play than `[limits] in-play` allows",
        doc: "\
What it does: counts promises with `status = \"in-play\"` and flags the registry when there are \
more than `[limits] in-play` (default 3), labelling each one.

Why: only a few promises should be in play at once; with too many, nothing is finished. The \
limit is the team's WIP limit on promises.

Fails:
    [limits]
    in-play = 2
    # ...three promises with status = \"in-play\"

Fix: finish or park one (status = \"done\" or \"proposed\"), or raise the limit deliberately.",
    },
    Rule {
        code: Code::NoOutcome,
        name: "no-outcome",
        default: Level::Warn,
        summary: "an in-play promise has no measurable outcome (a metric and a target)",
        doc: "\
What it does: flags in-play promises without at least one outcome that names both a `metric` \
and a `target`.

Why: a promise is judged by a change in customer behaviour, not by features shipped. Without a \
metric and a target nobody can tell whether it is kept.

Fails:
    [promises.find-and-buy]
    statement = \"A shopper can find and buy a product we stock.\"
    status = \"in-play\"

Fix:
    outcomes = [{ metric = \"search-to-purchase conversion\", baseline = \"8%\", target = \"12%\" }]",
    },
    Rule {
        code: Code::MalformedTrailer,
        name: "malformed-trailer",
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
    },
    Rule {
        code: Code::ShadowWork,
        name: "shadow-work",
        default: Level::Warn,
        summary: "commits in the window trace to a promise that is not in play",
        doc: "\
What it does: over a time window (`plan-lint report`, or `check --since`), sums the commits \
whose trailers name a promise that is proposed, done or dropped, one finding per promise, at \
its status in promises.toml.

Why: work the plan does not show is shadow work. One commit on a parked promise is an accident \
(`not-in-play` catches it); a steady stream means the team is really working on something the \
plan says it is not, and the WIP limit is fiction.

Fails (over the last 28 days):
    12 commits trace to `gift-cards` from 2026-10-01 to 2026-10-28, which is proposed

Fix: put the promise in play (within the limit, parking another), or stop the work.",
    },
    Rule {
        code: Code::IdlePromise,
        name: "idle-promise",
        default: Level::Warn,
        summary: "a promise in play has had no commit and no plan activity for `[limits] idle-days`",
        doc: "\
What it does: over a time window of at least `[limits] idle-days` days (default 14) ending now, \
flags each promise in play with no commit naming it and no commit changing a plan document \
that holds its items.

Why: a promise in play takes a slot of the WIP limit. If nobody works on it, it blocks a promise \
that would be worked on, and the board overstates what the team is doing.

Fails:
    status = \"in-play\"   # and nothing traced to it for three weeks

Fix: park it (`status = \"proposed\"`) to free the slot, or pick it up.",
    },
    Rule {
        code: Code::DoneWithOpenItems,
        name: "done-with-open-items",
        default: Level::Warn,
        summary: "a promise marked done still has open items in the plan",
        doc: "\
What it does: flags each reference to a promise with `status = \"done\"` that still covers open \
task items (`- [ ]`), once per reference, with the count.

Why: either the promise is not done, or the plan carries dead work. Both mislead whoever reads \
the plan next.

Fails (with `gift-cards` done):
    ## Gift cards
    Promise: gift-cards

    - [ ] balance page

Fix: close the items (`- [x]`), move them to a promise in play, or reopen the promise.",
    },
    Rule {
        code: Code::OverBudget,
        name: "over-budget",
        default: Level::Deny,
        summary: "declared exceptions exceed `[limits] exception-budget` of the work in the window",
        doc: "\
What it does: over a time window, counts commits that declare an exception (`Untraced: <reason>` \
trailer) against all commits that need a trace, and flags the registry when their share is \
above `[limits] exception-budget` (e.g. \"10%\"; no budget, no check).

Why: barring explicit exceptions, the team works only on promises in play. Exceptions are \
allowed, with a reason, but only as exceptions: a budget keeps them from becoming the norm.

Fails (budget 10%, 3 of 20 commits are exceptions):
    Untraced: bump CI runners

Fix: trace the work to the promise it really serves, declare a promise for it, or raise the \
budget deliberately.",
    },
];

/// The level for each code: defaults, then `[rules]`, then the command line.
#[derive(Clone, Debug, Default)]
pub struct Levels {
    set: Vec<(Code, Level)>,
}

impl Levels {
    pub fn set(&mut self, code: Code, level: Level) {
        self.set.retain(|(c, _)| *c != code);
        self.set.push((code, level));
    }

    pub fn get(&self, code: Code) -> Option<Level> {
        self.set.iter().find(|(c, _)| *c == code).map(|&(_, l)| l)
    }

    /// Give a finding its severity; `None` when the level is `allow`.
    pub fn apply(&self, mut finding: Finding) -> Option<Finding> {
        finding.severity = match self.get(finding.code).unwrap_or(finding.default_level) {
            Level::Allow => return None,
            Level::Warn => Severity::Warning,
            Level::Deny => Severity::Error,
        };
        Some(finding)
    }
}

/// Which facts to judge: a hook checks only what it is about.
#[derive(Clone, Copy, Debug)]
pub struct Parts {
    pub registry: bool,
    pub plans: bool,
    pub commits: bool,
    pub bodies: bool,
}

impl Parts {
    pub const ALL: Parts = Parts { registry: true, plans: true, commits: true, bodies: true };
    pub const COMMITS: Parts = Parts { registry: false, plans: false, commits: true, bodies: false };
    pub const FILES: Parts = Parts { registry: true, plans: true, commits: false, bodies: false };
    /// Only tracker bodies (`check --issue`).
    pub const BODIES: Parts = Parts { registry: false, plans: false, commits: false, bodies: true };
}

/// Evaluate every rule over the facts, in a stable order: registry, plans, commits.
pub fn evaluate(facts: &Facts, levels: &Levels) -> Vec<Finding> {
    evaluate_parts(facts, levels, Parts::ALL)
}

pub fn evaluate_parts(facts: &Facts, levels: &Levels, parts: Parts) -> Vec<Finding> {
    let mut out = Vec::new();
    if parts.registry {
        registry::check(facts, &mut out);
    }
    if parts.plans {
        plans::check(facts, &mut out);
    }
    if parts.commits {
        commits::check(facts, &mut out);
        drift::check(facts, &mut out);
    }
    if parts.bodies {
        out.extend(facts.bodies.findings.iter().cloned());
    }
    out.into_iter().filter_map(|f| levels.apply(f)).collect()
}

/// The levels in force: defaults, then the registry's `[rules]`, then `extra` (the command line).
pub fn levels_for(registry: &crate::registry::Registry, extra: &[(Code, Level)]) -> Levels {
    let mut levels = Levels::default();
    for &(code, level) in registry.levels.iter().chain(extra) {
        levels.set(code, level);
    }
    levels
}

/// The "did you mean" help for an unknown id, listing what is in play.
pub(crate) fn unknown_id_help(registry: &Registry, id: &str) -> String {
    let ids = registry.promises.iter().map(|p| p.id.as_str());
    let guess = crate::suggest::closest(id, ids).or_else(|| {
        let slug = crate::registry::to_slug(id);
        registry.promise(&slug).map(|p| p.id.as_str())
    });
    let in_play = in_play_list(registry);
    match guess {
        Some(g) => format!("did you mean `{g}`? promises in play: {in_play}"),
        None => format!("promises in play: {in_play}; declare new promises in promises.toml"),
    }
}

/// `a, b, c`, or `none` when nothing is in play.
pub(crate) fn in_play_list(registry: &Registry) -> String {
    let ids: Vec<&str> = registry.in_play().map(|p| p.id.as_str()).collect();
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_unique() {
        let names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                "unknown-promise",
                "untraced-item",
                "untraced-commit",
                "not-in-play",
                "too-many-in-play",
                "no-outcome",
                "malformed-trailer",
                "shadow-work",
                "idle-promise",
                "done-with-open-items",
                "over-budget"
            ]
        );
        assert_eq!(RULES.len(), Code::ALL.len());
        for c in Code::ALL {
            assert_eq!(Code::from_name(c.name()), Some(*c));
            let doc = c.rule().doc;
            assert!(doc.contains("What it does") && doc.contains("Why") && doc.contains("Fix"), "{c}");
        }
    }
}
