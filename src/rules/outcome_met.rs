//! `outcome-met`: an outcome's latest reading reaches its target while the promise is in play.

use super::{Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::Readings;
use crate::finding::Finding;
use crate::registry::{Parts, Status};
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
    for p in ctx.registry.promises.iter().filter(|p| p.status == Status::InPlay) {
        for o in &p.outcomes {
            let (Some(metric), Some(baseline), Some(target)) = (&o.metric, &o.baseline, &o.target) else { continue };
            let Some(latest) = readings.latest(&p.id, metric) else { continue };
            let Some(progress) = crate::outcomes::progress(baseline, target, &latest.value) else { continue };
            if progress < 1.0 {
                continue;
            }
            sink.push(
                Finding::new(
                    Code::OutcomeMet,
                    format!("`{metric}` of `{}` reached its target: {} on {} (target {target})", p.id, latest.value, latest.date),
                )
                .at(ctx.registry_source, Label::new(p.status_span.clone(), "still in play"))
                .help(format!("mark `{}` done to free its place in play, or raise the target", p.id))
                .promises([p.id.clone()]),
            );
        }
    }
}
