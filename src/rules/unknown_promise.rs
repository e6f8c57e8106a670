//! `unknown-promise`: a plan, an issue, a pull request or a commit names a promise id that
//! promises.toml does not declare.

use super::{Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::{Body, CommitFacts, Readings};
use crate::finding::Finding;
use crate::registry::Parts;
use crate::scan::markdown::{Plan, Scope};
use crate::source::Label;
use std::ops::Range;

pub(crate) static RULE: Rule = Rule {
    code: Code::UnknownPromise,
    default: Level::Deny,
    summary: "a plan or commit names a promise id that is not in the registry",
    doc: "\
What it does: flags every promise id in a plan item, section, document or commit trailer that \
promises.toml does not declare, and suggests the closest declared id.

Why: a trace to a promise that does not exist is no trace at all. Typos (`find-and-by`) silently \
disconnect work from the outcome it was meant to move.

Fails:
    - [ ] typo-tolerant search (Promise: find-and-by)

Fix: name a declared id, or declare the promise in promises.toml:
    - [ ] typo-tolerant search (Promise: find-and-buy)",
    reads: Parts::IDS.or(Parts::STATUS),
    checks: &[
        Check::Plan(plan),
        Check::Issue(body),
        Check::PullRequest(body),
        Check::Commit(commit),
        Check::Readings(readings),
    ],
};

/// The one wording of this diagnostic: `what` names the place (`item`, `commit 1a2b3c4`).
pub(crate) fn finding(ctx: &Ctx, what: &str, id: &str, span: Range<usize>) -> Finding {
    Finding::new(Code::UnknownPromise, format!("{what} names unknown promise `{id}`"))
        .label(Label::new(span, "not in promises.toml"))
        .help(super::unknown_id_help(ctx.registry, id))
        .promises([id.to_string()])
}

fn plan(ctx: &Ctx, plan: &Plan, sink: &mut Sink) {
    for r in plan.refs.iter().filter(|r| ctx.registry.promise(&r.id).is_none()) {
        let scope = match r.scope {
            Scope::Document => "document",
            Scope::Section => "section",
            Scope::Item => "item",
        };
        sink.push(finding(ctx, scope, &r.id, r.span.clone()));
    }
}

fn body(ctx: &Ctx, body: &Body, sink: &mut Sink) {
    for r in body.refs.iter().filter(|r| ctx.registry.promise(&r.id).is_none()) {
        sink.push(finding(ctx, &body.what, &r.id, r.span.clone()));
    }
}

fn commit(ctx: &Ctx, c: &CommitFacts, sink: &mut Sink) {
    if c.exempt.is_some() || (c.promises.is_empty() && c.exception.is_some()) {
        return;
    }
    for (id, span) in c.promises.iter().filter(|(id, _)| ctx.registry.promise(id).is_none()) {
        sink.push(finding(ctx, &c.name, id, span.clone()).commit_opt(c.sha.as_deref()));
    }
}

fn readings(ctx: &Ctx, readings: &Readings, sink: &mut Sink) {
    for r in readings.rows.iter().filter(|r| ctx.registry.promise(&r.promise).is_none()) {
        sink.push(
            Finding::new(Code::UnknownPromise, format!("a reading of {} names unknown promise `{}`", r.date, r.promise))
                .at(readings.source, Label::new(r.span.clone(), "not in promises.toml"))
                .help(super::unknown_id_help(ctx.registry, &r.promise))
                .promises([r.promise.clone()]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn a_misspelt_id_is_named_with_the_closest_one() {
        let found = plan_findings("- [ ] search (Promise: find-and-by)\n");
        assert_eq!(codes(&found), ["unknown-promise"]);
        assert_eq!(found[0].message, "item names unknown promise `find-and-by`");
        assert!(found[0].help.as_deref().unwrap().starts_with("did you mean `find-and-buy`?"));
        let found = commit_findings("Add search\n\nPromise: find-and-by\n");
        assert_eq!(codes(&found), ["unknown-promise"]);
    }
}
