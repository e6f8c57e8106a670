//! `outcome-regressed`: an outcome's latest reading is further from the target than the
//! baseline was.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::Readings;
use crate::finding::Finding;
use crate::registry::Parts;
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::OutcomeRegressed,
    default: Level::Warn,
    category: Category::Outcomes,
    summary: "an outcome's latest reading is further from the target than its baseline",
    doc: "\
What it does: flags an outcome of an in-play promise whose latest reading has moved from the \
baseline away from the target (progress below 0%; baseline, target and reading must be numbers \
in one unit).

Why: the work in play is meant to change customer behaviour toward the target; moving the \
other way is the signal to look at what shipped.

Fix: look at what changed since the baseline; the promise's outcome stays as the team agreed.",
    reads: Parts::STATUS.or(Parts::OUTCOMES),
    checks: &[Check::Readings(readings)],
};

fn readings(ctx: &Ctx, readings: &Readings, sink: &mut Sink) {
    for st in super::standings(ctx, readings).filter(|st| st.progress < 0.0) {
        let (p, metric, latest) = (st.promise, st.metric, st.latest);
        sink.push(
            Finding::new(
                Code::OutcomeRegressed,
                format!(
                    "`{metric}` of `{}` moved away from its target: {} on {} (baseline {}, target {})",
                    p.id, latest.value, latest.date, st.baseline, st.target
                ),
            )
            .at(ctx.registry_source, Label::new(p.outcomes_span.clone(), "worse than the baseline"))
            .help("look at what shipped since the baseline was measured")
            .promises([p.id.clone()]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::code::Code;

    const CONV: &str = "find-and-buy,search-to-purchase conversion";

    #[test]
    fn a_latest_reading_behind_the_baseline_regressed() {
        let r = readings(&format!("2026-03-01,{CONV},9%,\n2026-03-20,{CONV},7.5%,\n"), None);
        let found = only(readings_findings("", &r), Code::OutcomeRegressed);
        assert_eq!(codes(&found), ["outcome-regressed"]);
        assert_eq!(
            found[0].message,
            "`search-to-purchase conversion` of `find-and-buy` moved away from its target: 7.5% on 2026-03-20 \
             (baseline 8%, target 12%)"
        );
        assert_eq!(help(&found[0]), "look at what shipped since the baseline was measured");
        assert_eq!(found[0].labels[0].text.as_deref(), Some("worse than the baseline"));
        assert_eq!(found[0].promises, ["find-and-buy"]);
    }

    #[test]
    fn at_the_baseline_or_recovered_is_not() {
        let r = readings(&format!("2026-03-01,{CONV},8%,\n"), None);
        assert!(only(readings_findings("", &r), Code::OutcomeRegressed).is_empty());
        let r = readings(&format!("2026-03-01,{CONV},7%,\n2026-03-20,{CONV},8.5%,\n"), None);
        assert!(only(readings_findings("", &r), Code::OutcomeRegressed).is_empty());
    }
}
