//! Rules about the registry itself: the WIP limit (`too-many-in-play`) and outcomes
//! (`no-outcome`).

use super::Code;
use crate::facts::Facts;
use crate::finding::Finding;
use crate::registry::Status;
use crate::source::Label;

pub(super) fn check(facts: &Facts, out: &mut Vec<Finding>) {
    let reg = &facts.registry;
    let src = facts.registry_source;
    let in_play: Vec<_> = reg.in_play().collect();

    if in_play.len() > reg.in_play_limit {
        let mut f = Finding::new(
            Code::TooManyInPlay,
            format!("{} promises are in play; the limit is {}", in_play.len(), reg.in_play_limit),
        )
        .promises(in_play.iter().map(|p| p.id.clone()));
        f.source = Some(src);
        for (i, p) in in_play.iter().enumerate() {
            f = f.label(Label::new(p.status_span.clone(), format!("in play #{}: {}", i + 1, p.id)));
        }
        if let Some(span) = &reg.in_play_limit_span {
            f = f.label(Label::new(span.clone(), "limit set here"));
        }
        let finishing: Vec<&str> = in_play.iter().map(|p| p.id.as_str()).collect();
        out.push(f.help(format!(
            "finish or park {} of them (status = \"done\" or \"proposed\"): too many at once and nothing is finished; in play: {}",
            in_play.len() - reg.in_play_limit,
            finishing.join(", ")
        )));
    }

    for p in reg.promises.iter().filter(|p| p.status == Status::InPlay) {
        if p.outcomes.iter().any(|o| o.is_measurable()) {
            continue;
        }
        let (span, label) = if p.outcomes.is_empty() {
            (p.id_span.clone(), "in play, with no outcome")
        } else {
            (p.outcomes_span.clone(), "no outcome here has both a metric and a target")
        };
        out.push(
            Finding::new(Code::NoOutcome, format!("promise `{}` is in play but has no measurable outcome", p.id))
                .at(src, Label::new(span, label))
                .help(
                    "add the change in customer behaviour that shows it is kept, e.g. \
                     outcomes = [{ metric = \"search-to-purchase conversion\", baseline = \"8%\", target = \"12%\" }]",
                )
                .promises([p.id.clone()]),
        );
    }
}
