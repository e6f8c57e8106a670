//! `too-many-in-play`: more promises in play than `[limits] in-play` allows (the WIP limit).

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::finding::Finding;
use crate::registry::Parts;
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::TooManyInPlay,
    default: Level::Deny,
    category: Category::Registry,
    summary: "more promises in play than `[limits] in-play` allows",
    doc: "\
What it does: counts promises with `status = \"in-play\"` and flags the registry when there are \
more than `[limits] in-play` (default 3), labelling each one.

Why: only a few promises should be in play at once; with too many, nothing is finished. The \
limit is the team's WIP limit on promises.

Fails:
    [limits]
    in-play = 2
    # ...three promises with status = \"in-play\"

Fix: finish or park one (status = \"done\" or \"proposed\"), or raise the limit deliberately.",
    reads: Parts::IDS.or(Parts::STATUS).or(Parts::LIMITS),
    checks: &[Check::Registry(registry)],
};

fn registry(ctx: &Ctx, sink: &mut Sink) {
    let reg = ctx.registry;
    let in_play: Vec<_> = reg.in_play().collect();
    if in_play.len() <= reg.in_play_limit {
        return;
    }
    let mut f = Finding::new(
        Code::TooManyInPlay,
        format!("{} promises are in play; the limit is {}", in_play.len(), reg.in_play_limit),
    )
    .promises(in_play.iter().map(|p| p.id.clone()));
    f.source = Some(ctx.registry_source);
    for (i, p) in in_play.iter().enumerate() {
        f = f.label(Label::new(p.status_span.clone(), format!("in play #{}: {}", i + 1, p.id)));
    }
    if let Some(span) = &reg.in_play_limit_span {
        f = f.label(Label::new(span.clone(), "limit set here"));
    }
    let ids: Vec<&str> = in_play.iter().map(|p| p.id.as_str()).collect();
    sink.push(f.help(format!(
        "finish or park {} of them (status = \"done\" or \"proposed\"): too many at once and nothing is finished; in play: {}",
        in_play.len() - reg.in_play_limit,
        ids.join(", ")
    )));
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn over_the_limit_labels_each_promise_and_the_limit() {
        let found = registry_findings("[limits]\nin-play = 1\n");
        let f = found.iter().find(|f| f.code == crate::code::Code::TooManyInPlay).expect("fires");
        assert_eq!(f.message, "2 promises are in play; the limit is 1");
        assert_eq!(f.labels.len(), 3);
        assert!(registry_findings("").iter().all(|f| f.code != crate::code::Code::TooManyInPlay));
    }
}
