//! `over-budget`: over a time window, commits that declare an exception are a larger share of
//! the work than `[limits] exception-budget` allows.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::WindowFacts;
use crate::finding::Finding;
use crate::registry::Parts;
use crate::source::Label;
use crate::tally::Tally;

pub(crate) static RULE: Rule = Rule {
    code: Code::OverBudget,
    default: Level::Deny,
    category: Category::Drift,
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
    reads: Parts::LIMITS,
    checks: &[Check::Window(window)],
};

fn window(ctx: &Ctx, w: &WindowFacts, tally: &Tally, sink: &mut Sink) {
    let Some((budget, span)) = &ctx.registry.exception_budget else { return };
    // The work that needs a trace: traced, untraced and declared exceptions.
    let work = tally.commits.saturating_sub(tally.exempt);
    if work == 0 {
        return;
    }
    let share = tally.exceptions as f64 / work as f64;
    if share > *budget {
        let found = Finding::new(
                Code::OverBudget,
                format!(
                    "{} of {work} commits from {} are declared exceptions ({:.0}%), over the budget of {:.0}%",
                    tally.exceptions,
                    w.describe(),
                    share * 100.0,
                    budget * 100.0
                ),
            )
            .help("trace that work to the promises it serves, declare a promise for it, or raise the budget deliberately");
        // A budget inherited from an ancestor scope is written in the ancestor's file: no label.
        sink.push(if span.is_empty() {
            Finding { source: Some(ctx.registry_source), ..found }
        } else {
            found.at(ctx.registry_source, Label::new(span.clone(), "the budget"))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::code::Code;
    use crate::tally::Class;

    const BUDGET: &str = "[limits]\nexception-budget = \"10%\"\n";

    /// `exceptions` declared exceptions among 20 commits that need a trace, and 5 exempt.
    fn commits(exceptions: usize) -> crate::tally::Tally {
        let mut all = traced("find-and-buy", 20 - exceptions, 2);
        all.extend(vec![(Class::Exception, 2); exceptions]);
        all.extend(vec![(Class::Exempt, 2); 5]);
        tally(&all)
    }

    #[test]
    fn exceptions_over_the_budget_are_flagged() {
        let found = only(window_findings(BUDGET, &window(28), &commits(3)), Code::OverBudget);
        assert_eq!(codes(&found), ["over-budget"]);
        assert_eq!(
            found[0].message,
            "3 of 20 commits from 2026-03-03 to 2026-03-31 are declared exceptions (15%), over the budget of 10%"
        );
        assert_eq!(found[0].severity, crate::code::Severity::Error);
        assert!(help(&found[0]).contains("raise the budget deliberately"));
        assert_eq!(found[0].labels[0].text.as_deref(), Some("the budget"));
    }

    #[test]
    fn at_the_budget_without_one_or_without_work_is_not() {
        assert!(only(window_findings(BUDGET, &window(28), &commits(2)), Code::OverBudget).is_empty());
        assert!(only(window_findings("", &window(28), &commits(3)), Code::OverBudget).is_empty());
        let exempt = tally(&[(Class::Exempt, 1)]);
        assert!(only(window_findings(BUDGET, &window(28), &exempt), Code::OverBudget).is_empty());
    }
}
