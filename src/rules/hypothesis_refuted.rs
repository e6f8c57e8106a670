//! `hypothesis-refuted`: the readings since a hypothesis's date fall short of it while work
//! still builds on it.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::Readings;
use crate::finding::Finding;
use crate::outcomes::Judgement;
use crate::registry::{Parts, Status};
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::HypothesisRefuted,
    default: Level::Warn,
    category: Category::Outcomes,
    summary: "the readings since a hypothesis's date fall short of it, and its promise still takes work",
    doc: "\
What it does: flags each hypothesis (`[[promises.<id>.hypotheses]]`) of a promise in play or \
proposed whose metric has readings on or after its `by` date, none of them reaching `expect` \
(at or past it, the way the outcome improves from baseline to target). A reading before the \
date does not count: the date is the test. Done and dropped promises are not flagged: their \
work is over (`done-unverified` asks whether a done promise was kept).

Why: the work planned on the promise was built on the belief; the readings say it did not \
move customers as expected. Carrying on unchanged wastes the work still to come.

Fails (readings of 64% and 66% since 2027-03-01):
    [[promises.checkout-v2.hypotheses]]
    metric = \"checkout completion\"
    expect = \"70%\"
    by = \"2027-03-01\"

Fix: decide, and write it down: continue (a new hypothesis with a later date, and this one \
kept as history or removed), pivot (change the plan's open items), or drop the promise.",
    reads: Parts::STATUS.or(Parts::OUTCOMES),
    checks: &[Check::Readings(readings)],
};

fn readings(ctx: &Ctx, readings: &Readings, sink: &mut Sink) {
    for (p, h, judged) in readings.hypotheses(ctx.registry) {
        let Judgement::Refuted { count, latest } = judged else { continue };
        if !matches!(p.status, Status::InPlay | Status::Proposed) {
            continue;
        }
        let mut shown: Vec<String> = latest.iter().map(|r| format!("{} on {}", r.value, r.date)).collect();
        if count > latest.len() {
            shown.insert(0, format!("{} earlier", count - latest.len()));
        }
        sink.push(
            Finding::new(
                Code::HypothesisRefuted,
                format!(
                    "a hypothesis on `{}` is refuted: `{}` was expected at {} by {}; since then {}",
                    p.id,
                    h.metric,
                    h.expect,
                    h.by,
                    shown.join(", ")
                ),
            )
            .at(ctx.registry_source, Label::new(h.span.clone(), "refuted by the readings"))
            .help(format!(
                "`{}` is {}: decide whether to continue (a new hypothesis), pivot (change the open items) or drop it",
                p.id, p.status
            ))
            .promises([p.id.clone()]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::code::Code;

    const HYPOTHESIS: &str = "[[promises.find-and-buy.hypotheses]]\nmetric = \"search-to-purchase conversion\"\n\
                              expect = \"10%\"\nby = \"2026-03-01\"\n";
    const CONV: &str = "find-and-buy,search-to-purchase conversion";

    #[test]
    fn readings_since_the_date_all_short_of_it() {
        let rows = format!(
            "2026-02-20,{CONV},11%,\n2026-03-02,{CONV},9%,\n2026-03-09,{CONV},9.1%,\n2026-03-16,{CONV},9.4%,\n\
             2026-03-23,{CONV},9.9%,\n"
        );
        let found = only(readings_findings(HYPOTHESIS, &readings(&rows, None)), Code::HypothesisRefuted);
        assert_eq!(codes(&found), ["hypothesis-refuted"]);
        assert_eq!(
            found[0].message,
            "a hypothesis on `find-and-buy` is refuted: `search-to-purchase conversion` was expected at 10% by \
             2026-03-01; since then 1 earlier, 9.1% on 2026-03-09, 9.4% on 2026-03-16, 9.9% on 2026-03-23"
        );
        assert_eq!(
            help(&found[0]),
            "`find-and-buy` is in-play: decide whether to continue (a new hypothesis), pivot (change the open \
             items) or drop it"
        );
        assert_eq!(found[0].labels[0].text.as_deref(), Some("refuted by the readings"));
        assert_eq!(found[0].promises, ["find-and-buy"]);
    }

    #[test]
    fn a_reading_reaching_it_or_none_since_is_not() {
        let r = readings(&format!("2026-03-02,{CONV},9%,\n2026-03-09,{CONV},10%,\n"), None);
        assert!(only(readings_findings(HYPOTHESIS, &r), Code::HypothesisRefuted).is_empty(), "confirmed");
        let r = readings(&format!("2026-02-02,{CONV},9%,\n"), Some("2026-03-31"));
        assert!(only(readings_findings(HYPOTHESIS, &r), Code::HypothesisRefuted).is_empty(), "unjudged");
        // Lower is better: at or under the expectation confirms it.
        let extra = "[promises.calls]\nstatement = \"s\"\nstatus = \"in-play\"\n\
                     outcomes = [{ metric = \"calls\", baseline = \"41 a day\", target = \"25 a day\" }]\n\
                     [[promises.calls.hypotheses]]\nmetric = \"calls\"\nexpect = \"30 a day\"\nby = \"2026-03-01\"\n";
        let r = readings("2026-03-02,calls,calls,29 a day,\n", None);
        assert!(only(readings_findings(extra, &r), Code::HypothesisRefuted).is_empty());
        let r = readings("2026-03-02,calls,calls,31 a day,\n", None);
        assert_eq!(codes(&only(readings_findings(extra, &r), Code::HypothesisRefuted)), ["hypothesis-refuted"]);
        // Done or dropped: the work is over, nothing builds on it any more.
        for status in ["done", "dropped"] {
            let over = extra.replace("\"in-play\"", &format!("\"{status}\""));
            assert!(only(readings_findings(&over, &r), Code::HypothesisRefuted).is_empty(), "{status}");
        }
    }
}
