//! `done-with-open-items`: a reference to a promise marked done still covers open task items
//! (once per reference, with the count).

use super::{not_in_play_finding, Category, Check, Ctx, Instead, Rule, Sink};
use crate::code::{Code, Level};
use crate::registry::{Parts, Status};
use crate::scan::markdown::Plan;

pub(crate) static RULE: Rule = Rule {
    code: Code::DoneWithOpenItems,
    default: Level::Warn,
    category: Category::Drift,
    summary: "a promise marked done still has open items in the plan",
    doc: "\
What it does: flags each reference to a promise with `status = \"done\"` that still covers open \
task items (`- [ ]`), once per reference, with the count.

Why: either the promise is not done, or the plan carries dead work. Both mislead whoever reads \
the plan next.

Fails (with `gift-cards` done):
    ## Gift cards
    Promise: gift-cards

    - [ ] balance page

Fix: close the items (`- [x]`), move them to a promise in play, or reopen the promise.",
    reads: Parts::IDS.or(Parts::STATUS),
    checks: &[Check::Plan(plan)],
};

fn plan(ctx: &Ctx, plan: &Plan, sink: &mut Sink) {
    for (r, p, open) in super::references_with_open_items(ctx, plan, Status::Done) {
        let work = super::open_items_serve(open);
        sink.push(not_in_play_finding(ctx, Code::DoneWithOpenItems, &work, p, r.span.clone(), Instead::CloseOrReopen));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn open_items_under_a_done_promise() {
        let found = plan_findings("Promise: checkout\n\n- [ ] receipts\n");
        assert_eq!(codes(&found), ["done-with-open-items"]);
        assert_eq!(found[0].message, "1 open item serves `checkout`, which is done");
    }
}
