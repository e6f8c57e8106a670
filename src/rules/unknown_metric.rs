//! `unknown-metric`: a reading in outcomes.csv names a metric its promise does not measure.

use super::{Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::Readings;
use crate::finding::Finding;
use crate::registry::Parts;
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::UnknownMetric,
    default: Level::Deny,
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
        let metrics: Vec<&str> = p.outcomes.iter().filter_map(|o| o.metric.as_deref()).collect();
        if metrics.contains(&r.metric.as_str()) {
            continue;
        }
        let guess = crate::suggest::closest(&r.metric, metrics.iter().copied());
        let help = match (guess, metrics.is_empty()) {
            (Some(g), _) => format!("did you mean `{g}`? `{}` measures: {}", p.id, metrics.join(", ")),
            (None, true) => format!("`{}` has no outcome with a metric: add one to promises.toml first", p.id),
            (None, false) => format!("`{}` measures: {}", p.id, metrics.join(", ")),
        };
        sink.push(
            Finding::new(Code::UnknownMetric, format!("`{}` is not a metric of `{}`", r.metric, r.promise))
                .at(readings.source, Label::new(r.span.clone(), "not one of its outcomes"))
                .help(help)
                .promises([p.id.clone()]),
        );
    }
}
