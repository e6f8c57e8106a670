//! `hypothesis-invalid`: a hypothesis in promises.toml names a metric its promise does not
//! measure, or expects a value that cannot be judged against the outcome.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::finding::Finding;
use crate::registry::{Hypothesis, Parts, Promise};
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::HypothesisInvalid,
    default: Level::Deny,
    category: Category::Mistraced,
    summary: "a hypothesis names a metric its promise does not measure, or an expectation that cannot be judged",
    doc: "\
What it does: flags each `[[promises.<id>.hypotheses]]` whose `metric` is not the metric of one \
of the promise's outcomes, or whose `expect` cannot be judged against that outcome: not a \
number, in another unit than the outcome's baseline and target, or an outcome without a \
numeric baseline and target (they tell which way is better).

Why: a hypothesis is judged by the readings of its metric once its date has passed; one that \
names no outcome, or a value no reading can be compared with, is never confirmed nor refuted.

Fails (the promise measures `checkout completion`, from 61% to 75%):
    [[promises.checkout-v2.hypotheses]]
    metric = \"completion\"
    expect = \"70%\"
    by = \"2027-03-01\"

Fix: name the metric exactly as the promise's outcomes do, and expect a value in its unit.",
    reads: Parts::OUTCOMES,
    checks: &[Check::Registry(registry)],
};

fn registry(ctx: &Ctx, sink: &mut Sink) {
    for p in &ctx.registry.promises {
        for h in &p.hypotheses {
            if let Some((found, label)) = invalid(p, h) {
                sink.push(found.at(ctx.registry_source, label).promises([p.id.clone()]));
            }
        }
    }
}

/// This rule's finding about `h` and its label in promises.toml, or `None` when it can be judged.
fn invalid(p: &Promise, h: &Hypothesis) -> Option<(Finding, Label)> {
    let Some(o) = p.outcomes.iter().find(|o| o.metric.as_deref() == Some(h.metric.as_str())) else {
        let metrics: Vec<&str> = p.outcomes.iter().filter_map(|o| o.metric.as_deref()).collect();
        let help = match (crate::suggest::closest(&h.metric, metrics.iter().copied()), metrics.is_empty()) {
            (Some(g), _) => format!("did you mean `{g}`? `{}` measures: {}", p.id, metrics.join(", ")),
            (None, true) => format!("`{}` has no outcome with a metric: add one to promises.toml first", p.id),
            (None, false) => format!("`{}` measures: {}", p.id, metrics.join(", ")),
        };
        return Some((
            Finding::new(
                Code::HypothesisInvalid,
                format!("a hypothesis on `{}` names `{}`, which is not one of its metrics", p.id, h.metric),
            )
            .help(help),
            Label::new(h.metric_span.clone(), "not one of its outcomes"),
        ));
    };
    let why = crate::outcomes::unjudgeable(o.baseline.as_deref(), o.target.as_deref(), &h.expect)?;
    let help = format!(
        "expect a number in the unit of `{}` (baseline {}, target {})",
        h.metric,
        o.baseline.as_deref().unwrap_or("none"),
        o.target.as_deref().unwrap_or("none")
    );
    Some((
        Finding::new(Code::HypothesisInvalid, format!("a hypothesis on `{}` cannot be judged: {why}", p.id)).help(help),
        Label::new(h.expect_span.clone(), "cannot be compared with readings"),
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

    #[test]
    fn a_judgeable_hypothesis_is_not() {
        let found = registry_findings(&hypothesis("search-to-purchase conversion", "10%"));
        assert!(only(found, Code::HypothesisInvalid).is_empty());
    }
}
