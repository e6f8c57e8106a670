//! `open-work-not-in-play`: open plan items under a dropped promise, and open issues under a
//! done or dropped one. (Open items under a done promise are `done-with-open-items`; items
//! under a proposed promise are plans, not work.) Split from `not-in-play` so that each code
//! has one meaning and one default level; `not-in-play` in `[rules]` still sets both.

use super::{not_in_play_finding, Category, Check, Ctx, Instead, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::{Body, BodyKind};
use crate::registry::{Parts, Status};
use crate::scan::markdown::Plan;

pub(crate) static RULE: Rule = Rule {
    code: Code::OpenWorkNotInPlay,
    default: Level::Warn,
    category: Category::Mistraced,
    summary: "open plan items or issues serve a promise that is dropped (or, for issues, done)",
    doc: "\
What it does: flags open task items (`- [ ]`) under a *dropped* promise (once per reference, \
with the count) and open issues (`[issues] include` files, tracker bodies) naming a done or \
dropped promise. Open items under a *done* promise are `done-with-open-items`; items under a \
proposed promise are plans, not work, and are fine. This code was split from `not-in-play`, \
which in `[rules]` or on the command line still sets both.

Why: barring explicit exceptions, the team works only on promises in play. Open work under a \
promise the team gave up on is either dead work or a sign the promise is not really dropped.

Fails (with `loyalty` dropped):
    ## Loyalty
    Promise: loyalty

    - [ ] points balance

Fix: close or move the open work, or put the promise back in play (within the limit).",
    reads: Parts::IDS.or(Parts::STATUS),
    checks: &[Check::Plan(plan), Check::Issue(issue)],
};

fn plan(ctx: &Ctx, plan: &Plan, sink: &mut Sink) {
    for (r, p, open) in super::references_with_open_items(ctx, plan, Status::Dropped) {
        let work = super::open_items_serve(open);
        sink.push(not_in_play_finding(ctx, Code::OpenWorkNotInPlay, &work, p, r.span.clone(), Instead::CloseOrMove));
    }
}

fn issue(ctx: &Ctx, body: &Body, sink: &mut Sink) {
    if matches!(body.kind, BodyKind::Issue { open: false }) {
        return;
    }
    for r in &body.refs {
        let Some(p) = ctx.registry.promise(&r.id) else { continue };
        if matches!(p.status, Status::Done | Status::Dropped) {
            let work = format!("{} is open work on", body.what);
            sink.push(not_in_play_finding(ctx, Code::OpenWorkNotInPlay, &work, p, r.span.clone(), Instead::CloseTheIssue));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn open_items_under_a_dropped_promise_warn_once_per_reference() {
        let found = plan_findings("## Loyalty\nPromise: loyalty\n\n- [ ] points\n- [ ] tiers\n- [x] done\n");
        assert_eq!(codes(&found), ["open-work-not-in-play"]);
        assert_eq!(found[0].message, "2 open items serve `loyalty`, which is dropped");
        assert_eq!(found[0].severity, crate::code::Severity::Warning);
        assert!(plan_findings("Promise: loyalty\n\n- [x] points\n").is_empty());
    }
}
