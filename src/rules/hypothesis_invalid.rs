//! `hypothesis-invalid`: a hypothesis (in promises.toml, or a `Hypothesis:` line in a plan)
//! cannot be read, names a metric its promise does not measure, or expects a value that cannot
//! be judged against the outcome.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::finding::Finding;
use crate::registry::{Parts, Promise, Status};
use crate::scan::markdown::{Malformed, Plan};
use crate::source::Label;
use std::ops::Range;

pub(crate) static RULE: Rule = Rule {
    code: Code::HypothesisInvalid,
    default: Level::Deny,
    category: Category::Mistraced,
    summary: "a hypothesis cannot be judged: its form, its promise, its metric or its expected value",
    doc: "\
What it does: flags each hypothesis whose `metric` is not the metric of one of its promise's \
outcomes, or whose expected value cannot be judged against that outcome: not a number, in \
another unit than the outcome's baseline and target, or an outcome without a numeric baseline \
and target (they tell which way is better). A hypothesis is a `[[promises.<id>.hypotheses]]` \
table, or a line of a plan document (a paragraph line or a line of an item) written as

    Hypothesis: <belief> moves <metric> [from <baseline>] to <expected> by <YYYY-MM-DD> [(Promise: <id>)]

The belief is the text before the first ` moves ` (or ` move `), the date the text after the \
last ` by `, the expected value the text after the last ` to ` before it, the metric what is \
between, up to the last ` from ` (the baseline, optional, is not judged); the words match in \
any case. Its promise is its own trailing `(Promise: id)`, else the one its item, section or \
document is traced to, as for plan items. In a plan, a line that cannot be read (no date, a \
date that is not a day, no belief, metric or expected value) is flagged at its line, and so \
is one traced to no promise, to more than one, or to a dropped promise; an unknown promise is \
`unknown-promise`.

Why: a hypothesis is judged by the readings of its metric once its date has passed; one that \
names no outcome, or a value no reading can be compared with, is never confirmed nor refuted.

Fails (the promise measures `checkout completion`, from 61% to 75%):
    [[promises.checkout-v2.hypotheses]]
    metric = \"completion\"
    expect = \"70%\"
    by = \"2027-03-01\"
or, in a plan:
    Hypothesis: one-step payment moves completion to 70% by 2027-03-01 (Promise: checkout-v2)

Fix: name the metric exactly as the promise's outcomes do, expect a value in its unit, and \
write a plan's hypothesis in the form above.",
    reads: Parts::IDS.or(Parts::STATUS).or(Parts::OUTCOMES),
    checks: &[Check::Registry(registry), Check::Plan(plan)],
};

/// The form of a `Hypothesis:` line, for the help of one that cannot be read.
pub(crate) const FORM: &str =
    "write it as `Hypothesis: <belief> moves <metric> from <baseline> to <expected> by YYYY-MM-DD (Promise: <id>)`";

fn registry(ctx: &Ctx, sink: &mut Sink) {
    for p in &ctx.registry.promises {
        for h in &p.hypotheses {
            if let Some((found, label)) = invalid(p, &h.metric, &h.expect, h.metric_span.clone(), h.expect_span.clone()) {
                sink.push(found.at(ctx.registry_source, label).promises([p.id.clone()]));
            }
        }
    }
}

/// The `Hypothesis:` lines of a plan document: read, traced to one promise in the registry that
/// is not dropped, and judgeable against its outcome, as the registry's are.
fn plan(ctx: &Ctx, plan: &Plan, sink: &mut Sink) {
    for h in &plan.hypotheses {
        let said = match &h.said {
            Ok(said) => said,
            Err(malformed) => {
                let span = match malformed {
                    Malformed::NotADate(_, span) => span.clone(),
                    _ => h.span.clone(),
                };
                sink.push(
                    Finding::new(Code::HypothesisInvalid, format!("this hypothesis cannot be read: {}", malformed.why()))
                        .label(Label::new(span, "not a hypothesis plan-lint can judge"))
                        .help(FORM),
                );
                continue;
            }
        };
        let ids: Vec<&str> = h.promises.iter().filter_map(|&r| plan.refs.get(r)).map(|r| r.id.as_str()).collect();
        let id = match ids.as_slice() {
            [id] => *id,
            [] => {
                sink.push(
                    Finding::new(Code::HypothesisInvalid, "this hypothesis names no promise")
                        .label(Label::new(h.span.clone(), "no promise"))
                        .help(format!(
                            "end it with `(Promise: <id>)`, or write it under a section traced to a promise; \
                             promises in play: {}",
                            super::in_play_list(ctx.registry)
                        )),
                );
                continue;
            }
            many => {
                sink.push(
                    Finding::new(
                        Code::HypothesisInvalid,
                        format!("this hypothesis is traced to {} promises: {}", many.len(), many.join(", ")),
                    )
                    .label(Label::new(h.span.clone(), "one promise"))
                    .help("a hypothesis moves one promise's metric: end it with `(Promise: <id>)`")
                    .promises(many.iter().map(|id| id.to_string())),
                );
                continue;
            }
        };
        // An unknown id is `unknown-promise`'s, at the reference.
        let Some(p) = ctx.registry.promise(id) else { continue };
        if p.status == Status::Dropped {
            sink.push(
                Finding::new(Code::HypothesisInvalid, format!("a hypothesis on `{id}`, which is dropped"))
                    .label(Label::new(h.span.clone(), format!("{id} is dropped")))
                    .help(format!(
                        "nothing built on a dropped promise is judged: remove the hypothesis, trace it to a promise \
                         in play ({}), or put `{id}` back in play",
                        super::in_play_list(ctx.registry)
                    ))
                    .promises([id.to_string()]),
            );
            continue;
        }
        if let Some((found, label)) =
            invalid(p, &said.metric, &said.expect, said.metric_span.clone(), said.expect_span.clone())
        {
            sink.push(found.label(label).promises([p.id.clone()]));
        }
    }
}

/// This rule's finding about a hypothesis of `p` and its label (at its metric or its expected
/// value, where it is written), or `None` when it can be judged.
fn invalid(
    p: &Promise,
    metric: &str,
    expect: &str,
    metric_span: Range<usize>,
    expect_span: Range<usize>,
) -> Option<(Finding, Label)> {
    let Some(o) = p.outcomes.iter().find(|o| o.metric.as_deref() == Some(metric)) else {
        let metrics: Vec<&str> = p.outcomes.iter().filter_map(|o| o.metric.as_deref()).collect();
        let help = match (crate::suggest::closest(metric, metrics.iter().copied()), metrics.is_empty()) {
            (Some(g), _) => format!("did you mean `{g}`? `{}` measures: {}", p.id, metrics.join(", ")),
            (None, true) => format!("`{}` has no outcome with a metric: add one to promises.toml first", p.id),
            (None, false) => format!("`{}` measures: {}", p.id, metrics.join(", ")),
        };
        return Some((
            Finding::new(
                Code::HypothesisInvalid,
                format!("a hypothesis on `{}` names `{metric}`, which is not one of its metrics", p.id),
            )
            .help(help),
            Label::new(metric_span, "not one of its outcomes"),
        ));
    };
    let why = crate::outcomes::unjudgeable(o.baseline.as_deref(), o.target.as_deref(), expect)?;
    let help = format!(
        "expect a number in the unit of `{metric}` (baseline {}, target {})",
        o.baseline.as_deref().unwrap_or("none"),
        o.target.as_deref().unwrap_or("none")
    );
    Some((
        Finding::new(Code::HypothesisInvalid, format!("a hypothesis on `{}` cannot be judged: {why}", p.id)).help(help),
        Label::new(expect_span, "cannot be compared with readings"),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::code::{Code, Severity};

    fn hypothesis(metric: &str, expect: &str) -> String {
        format!("[[promises.find-and-buy.hypotheses]]\nmetric = \"{metric}\"\nexpect = \"{expect}\"\nby = \"2026-03-01\"\n")
    }

    #[test]
    fn a_metric_the_promise_does_not_measure_with_the_closest() {
        let extra = hypothesis("search-to-purchase convertion", "10%");
        let found = only(registry_findings(&extra), Code::HypothesisInvalid);
        assert_eq!(codes(&found), ["hypothesis-invalid"]);
        assert_eq!(
            found[0].message,
            "a hypothesis on `find-and-buy` names `search-to-purchase convertion`, which is not one of its metrics"
        );
        assert_eq!(
            help(&found[0]),
            "did you mean `search-to-purchase conversion`? `find-and-buy` measures: search-to-purchase conversion"
        );
        assert_eq!(found[0].severity, Severity::Error);
        assert_eq!(found[0].promises, ["find-and-buy"]);
        assert_eq!(found[0].source, Some(crate::source::SourceId(0)), "in promises.toml");
        let text = format!("{extra}\n{REGISTRY}");
        assert_eq!(&text[found[0].labels[0].span.clone()], "\"search-to-purchase convertion\"");
    }

    #[test]
    fn an_expectation_no_reading_can_be_compared_with() {
        let found = only(registry_findings(&hypothesis("search-to-purchase conversion", "10 a day")), Code::HypothesisInvalid);
        assert_eq!(
            found[0].message,
            "a hypothesis on `find-and-buy` cannot be judged: `10 a day` is in `a day`, but the outcome is measured in `%`"
        );
        assert_eq!(
            help(&found[0]),
            "expect a number in the unit of `search-to-purchase conversion` (baseline 8%, target 12%)"
        );
        let found = only(registry_findings(&hypothesis("search-to-purchase conversion", "more")), Code::HypothesisInvalid);
        assert!(found[0].message.ends_with("`more` is not a number"), "{}", found[0].message);
    }

    /// The messages, helps and labelled text of the plan's `hypothesis-invalid` findings.
    fn in_plan(text: &str) -> Vec<(String, String, String)> {
        let found = only(plan_findings(text), Code::HypothesisInvalid);
        found.iter().map(|f| (f.message.clone(), help(f).to_string(), text[f.labels[0].span.clone()].to_string())).collect()
    }

    /// Issue 26: a plan's `Hypothesis:` line is judged as the registry's, at its line; one that
    /// cannot be read, or names no promise, or a dropped one, says so with the form to write.
    #[test]
    fn hypotheses_in_a_plan() {
        let conv = "search-to-purchase conversion";
        let ok = format!("Hypothesis: typo tolerance moves {conv} from 8% to 10% by 2026-03-01 (Promise: find-and-buy)\n");
        assert!(in_plan(&ok).is_empty(), "{:?}", in_plan(&ok));
        let text = format!(
            "## Search\nPromise: find-and-buy\nHypothesis: typo tolerance moves {conv}s to 10% by 2026-03-01\n\n\
             Hypothesis: a moves {conv} to 10 a day by 2026-03-01 (Promise: find-and-buy)\n\n\
             - [ ] Hypothesis: typo tolerance moves {conv} to 10% by March (Promise: find-and-buy)\n"
        );
        let got = in_plan(&text);
        assert_eq!(
            got,
            [
                (
                    format!("a hypothesis on `find-and-buy` names `{conv}s`, which is not one of its metrics"),
                    format!("did you mean `{conv}`? `find-and-buy` measures: {conv}"),
                    format!("{conv}s"),
                ),
                (
                    "a hypothesis on `find-and-buy` cannot be judged: `10 a day` is in `a day`, but the outcome is \
                     measured in `%`"
                        .to_string(),
                    format!("expect a number in the unit of `{conv}` (baseline 8%, target 12%)"),
                    "10 a day".to_string(),
                ),
                (
                    "this hypothesis cannot be read: `March` is not a date (YYYY-MM-DD)".to_string(),
                    super::FORM.to_string(),
                    "March".to_string(),
                ),
            ]
        );
        let got = in_plan("# Loose\nHypothesis: a moves b to 1 by 2026-03-01\n\nHypothesis: a moves b to 1%\n");
        let messages: Vec<&str> = got.iter().map(|(m, _, _)| m.as_str()).collect();
        assert_eq!(
            messages,
            ["this hypothesis names no promise", "this hypothesis cannot be read: it has no date (` by YYYY-MM-DD` at its end)"]
        );
        assert_eq!(got[1].2, "Hypothesis: a moves b to 1%", "labelled at the line");
        assert!(got[0].1.starts_with("end it with `(Promise: <id>)`"), "{}", got[0].1);
        let got = in_plan("Hypothesis: points move m to 2 by 2026-03-01 (Promise: loyalty)\n");
        assert_eq!(got[0].0, "a hypothesis on `loyalty`, which is dropped");
        let got = in_plan("## S\nPromise: find-and-buy, checkout\nHypothesis: a moves b to 1 by 2026-03-01\n");
        assert_eq!(got[0].0, "this hypothesis is traced to 2 promises: find-and-buy, checkout");
        // An unknown promise is `unknown-promise`'s, at the reference, named as a hypothesis's.
        let found = plan_findings("Hypothesis: a moves b to 1 by 2026-03-01 (Promise: find-and-bye)\n");
        assert_eq!(codes(&found), ["unknown-promise"]);
        assert_eq!(found[0].message, "hypothesis names unknown promise `find-and-bye`");
    }

    #[test]
    fn a_judgeable_hypothesis_is_not() {
        let found = registry_findings(&hypothesis("search-to-purchase conversion", "10%"));
        assert!(only(found, Code::HypothesisInvalid).is_empty());
    }
}
