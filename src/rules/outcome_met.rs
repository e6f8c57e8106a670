//! `outcome-met`: an outcome's latest reading reaches its target while the promise is in play.

use super::{Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::Readings;
use crate::finding::Finding;
use crate::registry::Parts;
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::OutcomeMet,
    default: Level::Warn,
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
