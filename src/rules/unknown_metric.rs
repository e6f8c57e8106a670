//! `unknown-metric`: a reading in outcomes.csv names a metric its promise does not measure.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::Readings;
use crate::finding::Finding;
use crate::outcomes::Reading;
use crate::registry::{Outcome, Parts, Promise};
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::UnknownMetric,
    default: Level::Deny,
    category: Category::Mistraced,
    summary: "a reading in outcomes.csv names a metric its promise does not measure",
    doc: "\
What it does: flags rows of the readings file (`outcomes.csv`, or `[outcomes] file`) whose \
`metric` is not the metric of any outcome of the promise they name. A row naming an unknown \
promise is `unknown-promise`.

Why: a reading nobody can match to an outcome shows no progress; a misspelt metric is a \
reading lost.

Fails (promises.toml has `metric = \"search-to-purchase conversion\"`):
    date,promise,metric,value,source
    2026-03-02,find-and-buy,conversion,9%,analytics

Fix: name the metric exactly as promises.toml does, or record it with `plan-lint measure`, \
which checks it.",
    reads: Parts::IDS.or(Parts::OUTCOMES),
    checks: &[Check::Readings(readings)],
};

fn readings(ctx: &Ctx, readings: &Readings, sink: &mut Sink) {
    for r in &readings.rows {
        let Some(p) = ctx.registry.promise(&r.promise) else { continue };
        if let Err(found) = outcome(p, r) {
            sink.push((*found).at(readings.source, Label::new(r.span.clone(), "not one of its outcomes")));
        }
    }
}

/// The outcome of `p` that `reading` measures, or this rule's finding that it measures none (not
/// placed: the caller knows where the reading is). `plan-lint measure` asks it before recording
/// a reading, so what it refuses and what `check` flags are one judgement in one wording.
pub(crate) fn outcome<'p>(p: &'p Promise, reading: &Reading) -> Result<&'p Outcome, Box<Finding>> {
    if let Some(o) = p.outcomes.iter().find(|o| o.metric.as_deref() == Some(reading.metric.as_str())) {
        return Ok(o);
    }
    let metrics: Vec<&str> = p.outcomes.iter().filter_map(|o| o.metric.as_deref()).collect();
    let guess = crate::suggest::closest(&reading.metric, metrics.iter().copied());
    let help = match (guess, metrics.is_empty()) {
        (Some(g), _) => format!("did you mean `{g}`? `{}` measures: {}", p.id, metrics.join(", ")),
        (None, true) => format!("`{}` has no outcome with a metric: add one to promises.toml first", p.id),
        (None, false) => format!("`{}` measures: {}", p.id, metrics.join(", ")),
    };
    Err(Box::new(
        Finding::new(Code::UnknownMetric, format!("`{}` is not a metric of `{}`", reading.metric, p.id))
            .help(help)
            .promises([p.id.clone()]),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::code::Code;

    #[test]
    fn a_reading_of_a_metric_its_promise_does_not_measure() {
        let r = readings("2026-03-02,find-and-buy,search-to-purchase convertion,9%,\n", None);
        let found = readings_findings("", &r);
        assert_eq!(codes(&found), ["unknown-metric"]);
        assert_eq!(found[0].message, "`search-to-purchase convertion` is not a metric of `find-and-buy`");
        assert_eq!(
            help(&found[0]),
            "did you mean `search-to-purchase conversion`? `find-and-buy` measures: search-to-purchase conversion"
        );
        assert_eq!(found[0].source, Some(r.source));
        assert_eq!(found[0].labels[0].span, r.rows[0].span);
        assert_eq!(found[0].severity, crate::code::Severity::Error);
        let r = readings("2026-03-02,find-and-buy,weekly revenue,9%,\n", None);
        assert_eq!(help(&readings_findings("", &r)[0]), "`find-and-buy` measures: search-to-purchase conversion");
        let r = readings("2026-03-02,secure-by-default,breaches,0,\n", None);
        assert_eq!(
            help(&readings_findings("", &r)[0]),
            "`secure-by-default` has no outcome with a metric: add one to promises.toml first"
        );
    }

    #[test]
    fn a_metric_of_the_promise_or_an_unknown_promise_is_not() {
        let r = readings("2026-03-02,find-and-buy,search-to-purchase conversion,9%,\n", None);
        assert!(readings_findings("", &r).is_empty());
        let r = readings("2026-03-02,find-and-bye,weekly revenue,9%,\n", None);
        assert_eq!(codes(&readings_findings("", &r)), ["unknown-promise"]);
        assert!(only(readings_findings("", &r), Code::UnknownMetric).is_empty());
    }
}
