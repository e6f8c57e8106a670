//! `untraced-item`: a work item (a task-list item, or an issue file or body) names no promise,
//! directly or through its section or document, and declares no exception with a reason.

use super::{in_play_list, Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::Body;
use crate::finding::Finding;
use crate::registry::Parts;
use crate::scan::body::first_line;
use crate::scan::markdown::Plan;
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::UntracedItem,
    default: Level::Deny,
    category: Category::Untraced,
    summary: "a work item names no promise, directly or through its section or document",
    doc: "\
What it does: flags task-list items (`- [ ]`, `- [x]`) in plan documents that name no promise \
themselves and inherit none from a parent item, their section or the document.

Why: every piece of work, however small, should say which customer promise it supports. Work \
that supports none is either an exception (say so) or should not be done.

Fails:
    ## Checkout
    - [ ] add PayPal

Fix: name the promise on the item, or once for the whole section (an item that knowingly \
serves no promise says why: `- [ ] bump CI image (Untraced: runner upkeep)`):
    ## Checkout
    Promise: find-and-buy

    - [ ] add PayPal",
    reads: Parts::STATUS,
    checks: &[Check::Plan(plan), Check::Issue(issue)],
};

fn plan(ctx: &Ctx, plan: &Plan, sink: &mut Sink) {
    for item in plan.items.iter().filter(|i| i.promises.is_empty()) {
        match item.exception.as_deref() {
            Some("") => sink.push(
                Finding::new(Code::UntracedItem, format!("work item declares an exception without a reason: {}", item.text))
                    .label(Label::new(item.span.clone(), "no reason given"))
                    .help("say why it serves no promise: `(Untraced: <reason>)`, or name the promise it serves"),
            ),
            Some(_) => {}
            None => sink.push(
                Finding::new(Code::UntracedItem, format!("work item names no promise: {}", item.text))
                    .label(Label::new(item.span.clone(), "untraced"))
                    .help(ctx.shared("untraced-item", || {
                        format!(
                            "end the item with `(Promise: <id>)`, or put a `Promise: <id>` line right under its heading; \
                             promises in play: {}",
                            in_play_list(ctx.registry)
                        )
                    })),
            ),
        }
    }
}

fn issue(ctx: &Ctx, body: &Body, sink: &mut Sink) {
    if body.refs.is_empty() {
        sink.push(
            Finding::new(Code::UntracedItem, format!("{} names no promise", body.what))
                .label(Label::new(first_line(&body.text), "which promise does this serve?"))
                .help(format!(
                    "end it with a blank line and `Promise: <id>`, or add `promise: <id>` front matter; \
                     promises in play: {}",
                    in_play_list(ctx.registry)
                )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn an_item_with_no_promise_and_no_reason_is_untraced() {
        let found = plan_findings("- [ ] add PayPal\n- [ ] bump CI (Untraced: upkeep)\n- [ ] odd (Untraced:)\n");
        assert_eq!(codes(&found), ["untraced-item", "untraced-item"]);
        assert_eq!(found[0].message, "work item names no promise: add PayPal");
        assert!(found[1].message.contains("without a reason"));
        assert!(plan_findings("Promise: find-and-buy\n\n- [ ] add PayPal\n").is_empty());
    }
}
