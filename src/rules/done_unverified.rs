//! `done-unverified`: a promise is done (delivered), its readings do not show it kept, and the
//! team has recorded no verdict.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::Readings;
use crate::finding::Finding;
use crate::registry::{Parts, Promise, Status};
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::DoneUnverified,
    default: Level::Warn,
    category: Category::Outcomes,
    summary: "a promise is done but neither its readings nor a verdict show it kept",
    doc: "\
What it does: once a repository keeps readings (`outcomes.csv`), flags each promise with \
`status = \"done\"` and no `verdict` whose outcomes are not all met by their latest readings \
(progress from baseline to target of 100% or more), listing the readings that fall short and \
the outcomes never measured. A done promise with no measurable outcome is flagged too: nothing \
shows it kept.

Why: `done` says the work shipped. A promise is kept when customers' behaviour changed: the \
readings show it, or the team judged it and wrote down why.

Fails (conversion last read at 10%, target 12%):
    [promises.find-and-buy]
    status = \"done\"
    outcomes = [{ metric = \"search-to-purchase conversion\", baseline = \"8%\", target = \"12%\" }]

Fix: keep measuring until the readings meet the outcomes, or record the team's verdict:
    verdict = { kept = false, reason = \"conversion stalled at 10%\", date = \"2026-11-01\" }",
    reads: Parts::STATUS.or(Parts::OUTCOMES),
    checks: &[Check::Readings(readings)],
};

fn readings(ctx: &Ctx, readings: &Readings, sink: &mut Sink) {
    for p in ctx.registry.promises.iter().filter(|p| p.status == Status::Done && p.verdict.is_none()) {
        let short = shortfalls(p, readings);
        if short.is_empty() {
            continue;
        }
        sink.push(
            Finding::new(
                Code::DoneUnverified,
                format!("`{}` is done, but its readings do not show it kept: {}", p.id, short.join("; ")),
            )
            .at(ctx.registry_source, Label::new(p.status_span.clone(), "delivered; kept?"))
            .help(format!(
                "keep measuring, or record the team's judgement under `{}`: verdict = {{ kept = true, reason = \"…\", \
                 date = \"YYYY-MM-DD\" }} (or kept = false)",
                p.id
            ))
            .promises([p.id.clone()]),
        );
    }
}

/// Each outcome of `p` its latest reading does not meet, in words; `no measurable outcome` when
/// it has none. Empty: the readings show it kept.
fn shortfalls(p: &Promise, readings: &Readings) -> Vec<String> {
    let Some(unmet) = readings.unmet(p) else { return vec!["no measurable outcome".to_string()] };
    unmet
        .iter()
        .map(|u| match u.latest {
            None => format!("`{}` never measured (target {})", u.metric, u.target),
            Some(r) => format!("`{}` {} on {} (target {})", u.metric, r.value, r.date, u.target),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::code::Code;

    const DONE: &str = "[promises.search]\nstatement = \"s\"\nstatus = \"done\"\noutcomes = [\n\
                        { metric = \"conversion\", baseline = \"8%\", target = \"12%\" },\n\
                        { metric = \"calls\", baseline = \"41\", target = \"25\" },\n]\n";

    #[test]
    fn done_with_readings_short_of_the_outcomes_and_no_verdict() {
        let r = readings("2026-03-01,search,conversion,12.5%,\n2026-03-20,search,conversion,10%,\n", None);
        let found = only(readings_findings(DONE, &r), Code::DoneUnverified);
        assert_eq!(codes(&found), ["done-unverified"]);
        assert_eq!(
            found[0].message,
            "`search` is done, but its readings do not show it kept: `conversion` 10% on 2026-03-20 (target 12%); \
             `calls` never measured (target 25)"
        );
        assert!(help(&found[0]).contains("verdict = { kept = true"), "{}", help(&found[0]));
        assert_eq!(found[0].labels[0].text.as_deref(), Some("delivered; kept?"));
        assert_eq!(found[0].promises, ["search"]);
        // No measurable outcome: nothing shows it kept.
        let bare = "[promises.search]\nstatement = \"s\"\nstatus = \"done\"\n";
        let found = only(readings_findings(bare, &readings("", None)), Code::DoneUnverified);
        assert_eq!(found[0].message, "`search` is done, but its readings do not show it kept: no measurable outcome");
    }

    #[test]
    fn met_by_readings_or_judged_by_a_verdict_is_not() {
        let r = readings("2026-03-20,search,conversion,12%,\n2026-03-20,search,calls,24,\n", None);
        assert!(only(readings_findings(DONE, &r), Code::DoneUnverified).is_empty(), "kept: the readings show it");
        let r = readings("2026-03-20,search,conversion,10%,\n", None);
        let judged = format!("{DONE}verdict = {{ kept = false, reason = \"stalled\", date = 2026-03-25 }}\n");
        assert!(only(readings_findings(&judged, &r), Code::DoneUnverified).is_empty(), "the team's verdict");
        // In play: delivered is not claimed yet.
        let in_play = DONE.replace("\"done\"", "\"in-play\"");
        assert!(only(readings_findings(&in_play, &r), Code::DoneUnverified).is_empty());
    }
}
