//! `unmeasured-outcome`: an outcome of a promise in play has no reading in the last
//! `[limits] measure-days` days.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::Readings;
use crate::finding::Finding;
use crate::registry::{Parts, Status};
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::UnmeasuredOutcome,
    default: Level::Warn,
    category: Category::Outcomes,
    summary: "an outcome of an in-play promise has no reading in the last `[limits] measure-days` days",
    doc: "\
What it does: once a repository keeps readings (`outcomes.csv`, or `[outcomes] file`), flags \
each outcome of an in-play promise whose latest reading is older than `[limits] measure-days` \
(default 30) at the end of the window, or that has none. Like the drift rules it needs a \
window (`check --since`, `plan-lint report`); repositories without a readings file are not \
flagged.

Why: a promise is judged by whether customers' behaviour changes; an outcome nobody measures \
cannot say whether it is kept.

Fix: record a reading:
    plan-lint measure find-and-buy \"search-to-purchase conversion\" 9.1%",
    reads: Parts::STATUS.or(Parts::OUTCOMES).or(Parts::LIMITS),
    checks: &[Check::Readings(readings)],
};

fn readings(ctx: &Ctx, readings: &Readings, sink: &mut Sink) {
    let Some(today) = readings.today else { return };
    let days = i64::from(ctx.registry.measure_days);
    for p in ctx.registry.promises.iter().filter(|p| p.status == Status::InPlay) {
        for o in p.outcomes.iter().filter(|o| o.is_measurable()) {
            let Some(metric) = o.metric.as_deref() else { continue };
            let latest = readings.latest(&p.id, metric);
            let age = latest.map(|r| i64::from((today - r.date).get_days()));
            if age.is_some_and(|a| a <= days) {
                continue;
            }
            let message = match (latest, age) {
                (Some(r), Some(a)) => format!("`{metric}` of `{}` was last measured {a} days ago ({})", p.id, r.date),
                _ => format!("`{metric}` of `{}` has never been measured", p.id),
            };
            sink.push(
                Finding::new(Code::UnmeasuredOutcome, message)
                    .at(ctx.registry_source, Label::new(p.outcomes_span.clone(), "measured how lately?"))
                    .help(format!("record a reading: plan-lint measure {} \"{metric}\" <value>", p.id))
                    .promises([p.id.clone()]),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::code::Code;

    const CONV: &str = "find-and-buy,search-to-purchase conversion";

    #[test]
    fn an_outcome_never_or_not_lately_measured() {
        let found = only(readings_findings("", &readings("", Some("2026-03-31"))), Code::UnmeasuredOutcome);
        assert_eq!(codes(&found), ["unmeasured-outcome"]);
        assert_eq!(found[0].message, "`search-to-purchase conversion` of `find-and-buy` has never been measured");
        assert_eq!(
            help(&found[0]),
            "record a reading: plan-lint measure find-and-buy \"search-to-purchase conversion\" <value>"
        );
        assert_eq!(found[0].promises, ["find-and-buy"]);
        let r = readings(&format!("2026-02-28,{CONV},9%,\n"), Some("2026-03-31"));
        let found = only(readings_findings("", &r), Code::UnmeasuredOutcome);
        assert_eq!(
            found[0].message,
            "`search-to-purchase conversion` of `find-and-buy` was last measured 31 days ago (2026-02-28)"
        );
    }

    #[test]
    fn a_recent_reading_or_no_window_is_not() {
        let r = readings(&format!("2026-03-01,{CONV},9%,\n"), Some("2026-03-31"));
        assert!(only(readings_findings("", &r), Code::UnmeasuredOutcome).is_empty());
        let r = readings(&format!("2026-02-28,{CONV},9%,\n"), Some("2026-03-31"));
        assert!(only(readings_findings("[limits]\nmeasure-days = 31\n", &r), Code::UnmeasuredOutcome).is_empty());
        assert!(only(readings_findings("", &readings("", None)), Code::UnmeasuredOutcome).is_empty());
    }
}
