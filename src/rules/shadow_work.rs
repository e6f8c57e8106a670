//! `shadow-work`: over a time window, commits trace to a promise that is not in play (one
//! finding per promise, at its status in promises.toml). Work done while the promise was still
//! in play is not counted.

use super::{in_play_list, Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::WindowFacts;
use crate::finding::Finding;
use crate::registry::{Parts, Status};
use crate::source::Label;
use crate::tally::Tally;

pub(crate) static RULE: Rule = Rule {
    code: Code::ShadowWork,
    default: Level::Warn,
    category: Category::Drift,
    summary: "commits in the window trace to a promise that is not in play",
    doc: "\
What it does: over a time window (`plan-lint report`, or `check --since`), sums the commits \
whose trailers name a promise that is proposed, done or dropped, one finding per promise, at \
its status in promises.toml.

Why: work the plan does not show is shadow work. One commit on a parked promise is an accident \
(`not-in-play` catches it); a steady stream means the team is really working on something the \
plan says it is not, and the WIP limit is fiction.

Fails (over the last 28 days):
    12 commits trace to `gift-cards` from 2026-10-01 to 2026-10-28, which is proposed

Fix: put the promise in play (within the limit, parking another), or stop the work.",
    reads: Parts::IDS.or(Parts::STATUS),
    checks: &[Check::Window(window)],
};

fn window(ctx: &Ctx, w: &WindowFacts, tally: &Tally, sink: &mut Sink) {
    let registry = ctx.registry;
    for p in registry.promises.iter().filter(|p| p.status != Status::InPlay) {
        let Some(work) = tally.promises.get(&p.id) else { continue };
        let n = match w.left_play.get(&p.id) {
            Some(&left) => work.times.iter().filter(|&&t| t > left).count(),
            None => work.commits,
        };
        if n == 0 {
            continue;
        }
        let commits = if n == 1 { "1 commit traces".to_string() } else { format!("{n} commits trace") };
        sink.push(
            Finding::new(Code::ShadowWork, format!("{commits} to `{}` from {}, which is {}", p.id, w.describe(), p.status))
                .at(ctx.registry_source, Label::new(p.status_span.clone(), format!("{} is {}", p.id, p.status)))
                .help(format!(
                    "put `{}` in play (within the limit of {}, parking another), or stop the work; in play: {}",
                    p.id,
                    registry.in_play_limit,
                    in_play_list(registry)
                ))
                .promises([p.id.clone()]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::code::Code;

    #[test]
    fn commits_on_a_promise_not_in_play_are_shadow_work() {
        let mut commits = traced("gift-cards", 2, 5);
        commits.extend(traced("find-and-buy", 4, 5));
        let found = only(window_findings("", &window(28), &tally(&commits)), Code::ShadowWork);
        assert_eq!(codes(&found), ["shadow-work"]);
        assert_eq!(found[0].message, "2 commits trace to `gift-cards` from 2026-03-03 to 2026-03-31, which is proposed");
        assert_eq!(
            help(&found[0]),
            "put `gift-cards` in play (within the limit of 3, parking another), or stop the work; in play: \
             find-and-buy, secure-by-default"
        );
        assert_eq!(found[0].labels[0].text.as_deref(), Some("gift-cards is proposed"));
        assert_eq!(found[0].promises, ["gift-cards"]);
        let found = only(window_findings("", &window(28), &tally(&traced("loyalty", 1, 5))), Code::ShadowWork);
        assert_eq!(found[0].message, "1 commit traces to `loyalty` from 2026-03-03 to 2026-03-31, which is dropped");
    }

    #[test]
    fn work_in_play_or_before_it_left_play_is_not() {
        assert!(only(window_findings("", &window(28), &tally(&traced("find-and-buy", 4, 5))), Code::ShadowWork)
            .is_empty());
        // gift-cards left play 3 days ago; the work was before.
        let mut w = window(28);
        w.left_play.insert("gift-cards".to_string(), days_ago(3));
        assert!(only(window_findings("", &w, &tally(&traced("gift-cards", 2, 5))), Code::ShadowWork).is_empty());
        let found = only(window_findings("", &w, &tally(&traced("gift-cards", 1, 1))), Code::ShadowWork);
        assert_eq!(found.len(), 1, "work after it left play counts");
    }
}
