//! `hypothesis-refuted`: the readings since a hypothesis's date fall short of it while work
//! still builds on it.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::{Judged, OpenUnder};
use crate::finding::Finding;
use crate::outcomes::Judgement;
use crate::registry::{Parts, Status};
use crate::source::Label;
use std::collections::HashMap;

pub(crate) static RULE: Rule = Rule {
    code: Code::HypothesisRefuted,
    default: Level::Warn,
    category: Category::Outcomes,
    summary: "the readings since a hypothesis's date fall short of it, and its promise still takes work",
    doc: "\
What it does: flags each hypothesis (`[[promises.<id>.hypotheses]]`, or a `Hypothesis:` line \
in a plan) of a promise in play or proposed whose metric has readings on or after its `by` date, none of them reaching `expect` \
(at or past it, the way the outcome improves from baseline to target). A reading before the \
date does not count: the date is the test. Done and dropped promises are not flagged: their \
work is over (`done-unverified` asks whether a done promise was kept). When every plan \
document was read, it names the open work still built on it: how many open items are traced \
to the promise and where the first three are, or that there are none.

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
    checks: &[Check::Hypothesis(hypothesis)],
};

fn hypothesis(ctx: &Ctx, j: &Judged, open: Option<&HashMap<String, OpenUnder>>, sink: &mut Sink) {
    let (p, h) = (j.promise, j.hypothesis);
    let Judgement::Refuted { count, latest } = &j.judgement else { return };
    if !matches!(p.status, Status::InPlay | Status::Proposed) {
        return;
    }
    let mut shown: Vec<String> = latest.iter().map(|r| format!("{} on {}", r.value, r.date)).collect();
    if *count > latest.len() {
        shown.insert(0, format!("{} earlier", count - latest.len()));
    }
    let decide = "decide whether to continue (a new hypothesis), pivot (change the open items) or drop it";
    let (work, help) = match open.map(|o| o.get(&p.id)) {
        None => (String::new(), format!("`{}` is {}: {decide}", p.id, p.status)),
        Some(None) => (
            "; no open items build on it".to_string(),
            format!("no open items: record a verdict or a new hypothesis (`{}` is {})", p.id, p.status),
        ),
        Some(Some(under)) => {
            let mut places: Vec<String> = under.first.iter().map(|(path, line)| format!("{path}:{line}")).collect();
            if under.count > places.len() {
                places.push(format!("{} more", under.count - places.len()));
            }
            (
                format!("; {} on it ({})", items(under.count), places.join(", ")),
                format!("`{}` is {}: {decide}", p.id, p.status),
            )
        }
    };
    sink.push(
        Finding::new(
            Code::HypothesisRefuted,
            format!(
                "a hypothesis on `{}` is refuted: `{}` was expected at {} by {}; since then {}{work}",
                p.id,
                h.metric,
                h.expect,
                h.by,
                shown.join(", ")
            ),
        )
        .at(j.source.unwrap_or(ctx.registry_source), Label::new(h.span.clone(), "refuted by the readings"))
        .help(help)
        .promises([p.id.clone()]),
    );
}

/// `1 open item still builds`, `3 open items still build`.
fn items(n: usize) -> String {
    if n == 1 {
        "1 open item still builds".to_string()
    } else {
        format!("{n} open items still build")
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

    /// Issue 26: a plan's hypothesis is judged on the same path, labelled at its line, and the
    /// finding names the open work still built on the promise, or that there is none.
    #[test]
    fn written_in_a_plan_with_the_open_work_under_it() {
        use crate::facts::OpenUnder;
        let plan = "## Search\nPromise: find-and-buy\n\
                    Hypothesis: typo tolerance moves search-to-purchase conversion to 10% by 2026-03-01\n";
        let r = readings(&format!("2026-03-09,{CONV},9.1%,\n"), None);
        let under = |count, first: &[(&str, usize)]| {
            let mut o = OpenUnder::default();
            o.add(count, first.iter().map(|(p, l)| (p.to_string(), *l)));
            std::collections::HashMap::from([("find-and-buy".to_string(), o)])
        };
        let expected = "a hypothesis on `find-and-buy` is refuted: `search-to-purchase conversion` was expected at \
                        10% by 2026-03-01; since then 9.1% on 2026-03-09";
        let open = under(5, &[("ROADMAP.md", 4), ("ROADMAP.md", 5), ("plans/search.md", 2), ("plans/x.md", 9)]);
        let found = only(planned_findings("", &r, plan, Some(&open)), Code::HypothesisRefuted);
        assert_eq!(codes(&found), ["hypothesis-refuted"]);
        assert_eq!(
            found[0].message,
            format!("{expected}; 5 open items still build on it (ROADMAP.md:4, ROADMAP.md:5, plans/search.md:2, 2 more)")
        );
        assert_eq!(found[0].source, Some(crate::source::SourceId(2)), "in the plan");
        assert!(plan[found[0].labels[0].span.clone()].starts_with("Hypothesis: typo tolerance"));
        let open = under(1, &[("ROADMAP.md", 4)]);
        let found = only(planned_findings("", &r, plan, Some(&open)), Code::HypothesisRefuted);
        assert_eq!(found[0].message, format!("{expected}; 1 open item still builds on it (ROADMAP.md:4)"));
        // None open: say so; not known (not every document read): say nothing of it.
        let found = only(planned_findings("", &r, plan, Some(&Default::default())), Code::HypothesisRefuted);
        assert_eq!(found[0].message, format!("{expected}; no open items build on it"));
        assert_eq!(help(&found[0]), "no open items: record a verdict or a new hypothesis (`find-and-buy` is in-play)");
        let found = only(planned_findings("", &r, plan, None), Code::HypothesisRefuted);
        assert_eq!(found[0].message, expected);
        // The registry's, beside it, stays in promises.toml.
        let found = only(planned_findings(HYPOTHESIS, &r, plan, None), Code::HypothesisRefuted);
        let sources: Vec<_> = found.iter().map(|f| f.source).collect();
        assert_eq!(sources, [Some(crate::source::SourceId(0)), Some(crate::source::SourceId(2))]);
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
