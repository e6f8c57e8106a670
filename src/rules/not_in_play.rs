//! `not-in-play`: a commit or a pull request is work on a promise that is proposed, done or
//! dropped. A commit is judged by the registry as it was when it was made
//! ([`CommitFacts::in_play_then`]): finishing a promise never turns its history red.

use super::{in_play_list, not_in_play_finding, not_listed, push_listed, Category, Check, Ctx, Instead, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::{Body, CommitFacts};
use crate::finding::Finding;
use crate::registry::{Parts, Promise, Status};
use std::ops::Range;

pub(crate) static RULE: Rule = Rule {
    code: Code::NotInPlay,
    default: Level::Deny,
    category: Category::Mistraced,
    summary: "a commit or pull request is work on a promise that is not in play",
    doc: "\
What it does: flags commits whose `Promise:` trailer, and pull requests whose body, names a \
promise that is proposed, done or dropped. A commit is judged by the registry as it was when \
it was made (its own tree or its parent's): a commit made while the promise was in play, or the \
commit that marks it done, is fine. Open items and issues are `open-work-not-in-play`.

Why: barring explicit exceptions, the team works only on promises currently in play; that is \
what keeps the WIP limit meaningful.

Fails (with `checkout-v2` proposed):
    Promise: checkout-v2

Fix: put the promise in play (within the limit), or trace the work to the in-play promise it \
really serves.

A commit gets at most 100 of these findings: the first 100 ids are listed, and one more finding \
counts the rest and points at the first of them.",
    reads: Parts::IDS.or(Parts::STATUS),
    checks: &[Check::Commit(commit), Check::PullRequest(pull_request)],
};

/// `what` (`commit 1a2b3c4`, `pull request #12`) is work on `p`.
fn finding(ctx: &Ctx, what: &str, p: &Promise, span: Range<usize>) -> Finding {
    not_in_play_finding(ctx, Code::NotInPlay, &format!("{what} is work on"), p, span, Instead::Retrace)
}

fn commit(ctx: &Ctx, c: &CommitFacts, sink: &mut Sink) {
    if c.exempt.is_some() {
        return;
    }
    let parked = c.promises.iter().filter_map(|(id, span)| {
        let p = ctx.registry.promise(id).filter(|p| p.status != Status::InPlay)?;
        let in_play_then = c.in_play_then.as_ref().is_some_and(|then| then.contains(id));
        (!in_play_then).then_some((p, span))
    });
    push_listed(
        sink,
        parked,
        |(p, span)| finding(ctx, &c.name, p, span.clone()).commit_opt(c.sha.as_deref()),
        |n, (_, span)| {
            let help = format!(
                "only the first {} of a commit are listed; trace the work to a promise in play ({})",
                super::LISTED_PER_COMMIT,
                in_play_list(ctx.registry)
            );
            not_listed(Code::NotInPlay, c, n, "promises that are not in play", span.clone(), help)
        },
    );
}

fn pull_request(ctx: &Ctx, body: &Body, sink: &mut Sink) {
    // In play at the pull request's base: the pull request may be what finished it.
    let then = |id: &str| body.in_play_then.as_ref().is_some_and(|ids| ids.iter().any(|t| t == id));
    for r in &body.refs {
        if let Some(p) = ctx.registry.promise(&r.id).filter(|p| p.status != Status::InPlay && !then(&p.id)) {
            sink.push(finding(ctx, &body.what, p, r.span.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn work_on_a_parked_promise_is_flagged_unless_it_was_in_play_then() {
        let found = commit_findings("Gift cards\n\nPromise: gift-cards\n");
        assert_eq!(codes(&found), ["not-in-play"]);
        assert_eq!(found[0].message, "this commit is work on `gift-cards`, which is proposed");
        let mut facts = commit_facts("Gift cards\n\nPromise: gift-cards\n");
        facts.in_play_then = Some(vec!["gift-cards".to_string()]);
        assert!(judge_commit(&facts).is_empty());
    }

    #[test]
    fn a_commit_lists_the_first_hundred_and_counts_the_rest() {
        let message = format!("Work\n\n{}", "Promise: gift-cards\n".repeat(250));
        let found = commit_findings(&message);
        assert_eq!(found.len(), 101);
        assert!(found.iter().all(|f| f.code.name() == "not-in-play"));
        assert_eq!(found[100].message, "this commit names 150 more promises that are not in play");
        let at = found[100].labels[0].span.start;
        assert_eq!(at, message.match_indices("gift-cards").nth(100).unwrap().0);
    }
}
