//! `no-outcome`: a promise in play has no measurable outcome (a metric and a target).

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::finding::Finding;
use crate::registry::{Parts, Status};
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::NoOutcome,
    default: Level::Warn,
    category: Category::Registry,
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
    reads: Parts::STATUS.or(Parts::OUTCOMES),
    checks: &[Check::Registry(registry)],
};

fn registry(ctx: &Ctx, sink: &mut Sink) {
    for p in ctx.registry.promises.iter().filter(|p| p.status == Status::InPlay) {
        if p.outcomes.iter().any(|o| o.is_measurable()) {
            continue;
        }
        let (span, label) = if p.outcomes.is_empty() {
            (p.id_span.clone(), "in play, with no outcome")
        } else {
            (p.outcomes_span.clone(), "no outcome here has both a metric and a target")
        };
        sink.push(
            Finding::new(Code::NoOutcome, format!("promise `{}` is in play but has no measurable outcome", p.id))
                .at(ctx.registry_source, Label::new(span, label))
                .help(
                    "add the change in customer behaviour that shows it is kept, e.g. \
                     outcomes = [{ metric = \"search-to-purchase conversion\", baseline = \"8%\", target = \"12%\" }]",
                )
                .promises([p.id.clone()]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn a_promise_in_play_needs_a_metric_and_a_target() {
        let found = registry_findings("");
        let f = found.iter().find(|f| f.code == crate::code::Code::NoOutcome).expect("fires");
        assert_eq!(f.message, "promise `secure-by-default` is in play but has no measurable outcome");
        assert_eq!(f.severity, crate::code::Severity::Warning);
    }
}
