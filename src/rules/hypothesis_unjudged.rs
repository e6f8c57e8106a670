//! `hypothesis-unjudged`: a hypothesis's date has passed and nothing was measured since.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::{Judged, OpenUnder};
use crate::finding::Finding;
use crate::outcomes::Judgement;
use crate::registry::{Parts, Status};
use crate::source::Label;
use std::collections::HashMap;

pub(crate) static RULE: Rule = Rule {
    code: Code::HypothesisUnjudged,
    default: Level::Warn,
    category: Category::Outcomes,
    summary: "a hypothesis's date has passed with no reading of its metric since (with a window)",
    doc: "\
What it does: once a repository keeps readings (`outcomes.csv`), flags each hypothesis \
(`[[promises.<id>.hypotheses]]`, or a `Hypothesis:` line in a plan) of a promise in play or done whose `by` date is before the \
end of the window and whose metric has no reading on or after that date. Like \
`unmeasured-outcome` it needs a window (`check --since`, `plan-lint report`): the calendar \
says the date has passed.

Why: a hypothesis is how a team learns whether its work changes customer behaviour; one never \
measured teaches nothing, and the work goes on unexamined.

Fails (with no reading of `checkout completion` since 2027-03-01, checked after it):
    [[promises.checkout-v2.hypotheses]]
    metric = \"checkout completion\"
    expect = \"70%\"
    by = \"2027-03-01\"

Fix: measure it:
    plan-lint measure checkout-v2 \"checkout completion\" 68%",
    reads: Parts::STATUS.or(Parts::OUTCOMES),
    checks: &[Check::Hypothesis(hypothesis)],
};

fn hypothesis(ctx: &Ctx, j: &Judged, _open: Option<&HashMap<String, OpenUnder>>, sink: &mut Sink) {
    let (p, h) = (j.promise, j.hypothesis);
    if j.judgement != Judgement::Unjudged || !matches!(p.status, Status::InPlay | Status::Done) {
        return;
    }
    sink.push(
        Finding::new(
            Code::HypothesisUnjudged,
            format!(
                "a hypothesis on `{}` is unjudged: `{}` was expected at {} by {}, and nothing was measured since",
                p.id, h.metric, h.expect, h.by
            ),
        )
        .at(j.source.unwrap_or(ctx.registry_source), Label::new(h.span.clone(), "measure it"))
        .help(format!("record a reading: plan-lint measure {} \"{}\" <value>", p.id, h.metric))
        .promises([p.id.clone()]),
    );
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::code::Code;

    const HYPOTHESIS: &str = "[[promises.find-and-buy.hypotheses]]\nmetric = \"search-to-purchase conversion\"\n\
                                  expect = \"10%\"\nby = 2026-03-01\nbelief = \"typo-tolerant search\"\n";
    const CONV: &str = "find-and-buy,search-to-purchase conversion";

    #[test]
    fn a_date_passed_with_no_reading_since() {
        let r = readings(&format!("2026-02-20,{CONV},9%,\n"), Some("2026-03-31"));
        let found = only(readings_findings(HYPOTHESIS, &r), Code::HypothesisUnjudged);
        assert_eq!(codes(&found), ["hypothesis-unjudged"]);
        assert_eq!(
            found[0].message,
            "a hypothesis on `find-and-buy` is unjudged: `search-to-purchase conversion` was expected at 10% by \
             2026-03-01, and nothing was measured since"
        );
        assert_eq!(
            help(&found[0]),
            "record a reading: plan-lint measure find-and-buy \"search-to-purchase conversion\" <value>"
        );
        assert_eq!(found[0].labels[0].text.as_deref(), Some("measure it"));
        assert_eq!(found[0].promises, ["find-and-buy"]);
    }

    /// Issue 26: a plan's hypothesis is asked for the same way, at its line.
    #[test]
    fn written_in_a_plan() {
        let plan = "- [ ] Hypothesis: typo tolerance moves search-to-purchase conversion to 10% by 2026-03-01 \
                    (Promise: find-and-buy)\n";
        let r = readings(&format!("2026-02-20,{CONV},9%,\n"), Some("2026-03-31"));
        let found = only(planned_findings("", &r, plan, None), Code::HypothesisUnjudged);
        assert_eq!(codes(&found), ["hypothesis-unjudged"]);
        assert_eq!(found[0].source, Some(crate::source::SourceId(2)));
        assert_eq!(found[0].labels[0].span.start, plan.find("Hypothesis").unwrap());
        let r = readings(&format!("2026-03-02,{CONV},9%,\n"), Some("2026-03-31"));
        assert!(only(planned_findings("", &r, plan, None), Code::HypothesisUnjudged).is_empty(), "judged");
    }

    #[test]
    fn a_reading_since_a_date_not_passed_or_no_window_is_not() {
        let r = readings(&format!("2026-03-02,{CONV},9%,\n"), Some("2026-03-31"));
        assert!(only(readings_findings(HYPOTHESIS, &r), Code::HypothesisUnjudged).is_empty(), "judged");
        let r = readings("", Some("2026-02-28"));
        assert!(only(readings_findings(HYPOTHESIS, &r), Code::HypothesisUnjudged).is_empty(), "not yet due");
        let r = readings("", None);
        assert!(only(readings_findings(HYPOTHESIS, &r), Code::HypothesisUnjudged).is_empty(), "no calendar");
        // A dropped or proposed promise's hypotheses are not asked for; a done one's are.
        for (status, flagged) in [("dropped", false), ("proposed", false), ("done", true)] {
            let extra = format!(
                "[promises.rewards]\nstatement = \"s\"\nstatus = \"{status}\"\n\
                 outcomes = [{{ metric = \"m\", baseline = \"1\", target = \"2\" }}]\n\
                 [[promises.rewards.hypotheses]]\nmetric = \"m\"\nexpect = \"2\"\nby = \"2026-03-01\"\n"
            );
            let r = readings(&format!("2026-03-02,{CONV},9%,\n"), Some("2026-03-31"));
            let found = only(readings_findings(&extra, &r), Code::HypothesisUnjudged);
            assert_eq!(found.len(), usize::from(flagged), "{status}: {found:?}");
        }
    }
}
