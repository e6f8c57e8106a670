//! `unmatched-pattern`: an `include` pattern written in promises.toml (`[plans]` or `[issues]`)
//! matches no file, so a typo switches a check off unseen.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::Listing;
use crate::finding::Finding;
use crate::registry::Parts;
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::UnmatchedPattern,
    default: Level::Warn,
    category: Category::Registry,
    summary: "an `include` pattern in promises.toml matches no file",
    doc: "\
What it does: after listing the work tree, flags each pattern written in `[plans] include` or \
`[issues] include` that matched no file (files git ignores are never matched). The default \
patterns, used when `include` is not written, are never flagged.

Why: a pattern that matches nothing reads no plan. A typo (`plan/**/*.md` for `plans/`) or a \
moved directory turns the check off while every run still says \"all traced\".

Fails:
    [plans]
    include = [\"roadmap/**/*.md\"]   # the directory is `roadmaps/`

Fix: correct the pattern (globset syntax: `*`, `**`, `?`, `[ab]`, `{a,b}`), or remove it.",
    reads: Parts::PATTERNS,
    checks: &[Check::Listing(listing)],
};

fn listing(ctx: &Ctx, listing: &Listing, sink: &mut Sink) {
    for &(table, i) in &listing.unmatched {
        let patterns = if table == "plans" { &ctx.registry.plan_globs } else { &ctx.registry.issue_globs };
        let (Some(pattern), Some(span)) = (patterns.texts().get(i), patterns.span(i)) else { continue };
        sink.push(
            Finding::new(Code::UnmatchedPattern, format!("`[{table}] include` pattern `{pattern}` matches no file"))
                .at(ctx.registry_source, Label::new(span, "matches no file"))
                .help("correct the pattern (globset syntax: `*`, `**`, `?`, `[ab]`, `{a,b}`) or remove it; files git ignores are never read"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::facts::Listing;

    #[test]
    fn a_written_pattern_that_matched_nothing_is_named() {
        let registry = registry("[plans]\ninclude = [\"ROADMAP.md\", \"roadmap/**/*.md\"]\n");
        let found = judge_with(&registry, |ctx, sink| {
            super::listing(ctx, &Listing { unmatched: vec![("plans", 1)] }, sink)
        });
        assert_eq!(codes(&found), ["unmatched-pattern"]);
        assert_eq!(found[0].message, "`[plans] include` pattern `roadmap/**/*.md` matches no file");
        assert_eq!(found[0].severity, crate::code::Severity::Warning);
    }
}
