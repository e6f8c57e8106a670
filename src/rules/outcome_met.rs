//! `outcome-met`: an outcome's latest reading reaches its target while the promise is in play.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::Readings;
use crate::finding::Finding;
use crate::registry::Parts;
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::OutcomeMet,
    default: Level::Warn,
    category: Category::Outcomes,
    summary: "an outcome's latest reading reaches its target while the promise is still in play",
    doc: "\
What it does: flags an outcome of an in-play promise whose latest reading is at or past its \
target (progress from baseline to target of 100% or more; baseline, target and reading must be \
numbers in one unit).

Why: a kept promise still in play takes a place within the WIP limit that another promise \
could use.

Fix: mark the promise done (`status = \"done\"`), or raise the target if the team wants more.",
    reads: Parts::STATUS.or(Parts::OUTCOMES),
    checks: &[Check::Readings(readings)],
};

fn readings(ctx: &Ctx, readings: &Readings, sink: &mut Sink) {
    for st in super::standings(ctx, readings).filter(|st| st.progress >= 1.0) {
        let (p, metric, latest) = (st.promise, st.metric, st.latest);
        sink.push(
            Finding::new(
                Code::OutcomeMet,
                format!("`{metric}` of `{}` reached its target: {} on {} (target {})", p.id, latest.value, latest.date, st.target),
            )
            .at(ctx.registry_source, Label::new(p.status_span.clone(), "still in play"))
            .help(format!("mark `{}` done to free its place in play, or raise the target", p.id))
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
    fn a_latest_reading_at_the_target_is_met() {
        let r = readings(&format!("2026-03-01,{CONV},9%,\n2026-03-20,{CONV},12%,ga\n"), None);
        let found = only(readings_findings("", &r), Code::OutcomeMet);
        assert_eq!(codes(&found), ["outcome-met"]);
        assert_eq!(
            found[0].message,
            "`search-to-purchase conversion` of `find-and-buy` reached its target: 12% on 2026-03-20 (target 12%)"
        );
        assert_eq!(help(&found[0]), "mark `find-and-buy` done to free its place in play, or raise the target");
        assert_eq!(found[0].labels[0].text.as_deref(), Some("still in play"));
        assert_eq!(found[0].promises, ["find-and-buy"]);
    }

    #[test]
    fn short_of_the_target_or_met_only_earlier_is_not() {
        let r = readings(&format!("2026-03-01,{CONV},11.9%,\n"), None);
        assert!(only(readings_findings("", &r), Code::OutcomeMet).is_empty());
        let r = readings(&format!("2026-03-01,{CONV},12.5%,\n2026-03-20,{CONV},11%,\n"), None);
        assert!(only(readings_findings("", &r), Code::OutcomeMet).is_empty());
        // Another unit: no progress can be told.
        let r = readings(&format!("2026-03-01,{CONV},20 a day,\n"), None);
        assert!(only(readings_findings("", &r), Code::OutcomeMet).is_empty());
    }
}
