//! `unlisted-scope`: a `promises.toml` below the root that the root's `[scopes] members` does
//! not list (whether or not the root has a `[scopes]` table) and `[scopes] ignore` does not set
//! aside. Scopes are listed, not discovered (hooks stay cheap: no walk to find registries), so
//! an unlisted registry would govern nothing, unseen.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::finding::Finding;
use crate::registry::Parts;
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::UnlistedScope,
    default: Level::Deny,
    category: Category::Registry,
    summary: "a promises.toml below the root that `[scopes] members` does not list",
    doc: "\
What it does: flags every promises.toml in the index below the root whose folder the root \
promises.toml neither lists in `[scopes] members` nor sets aside with `[scopes] ignore`, with \
or without a `[scopes]` table.

Why: scopes are listed in the root registry, as cargo's workspace members are, so the hooks \
never walk the tree to find registries. A team's registry that is not listed governs nothing: \
its promises, limits and plans would be silently ignored.

Fails (with teams/ads/promises.toml committed):
    [scopes]
    members = [\"teams/search\"]

Fix: list the folder:
    [scopes]
    members = [\"teams/search\", \"teams/ads\"]
or, for a promises.toml that is no team's registry (a test fixture, an example), ignore its \
folder (glob patterns, matched against the folder and against its promises.toml):
    [scopes]
    ignore = [\"fixtures/**\"]",
    reads: Parts::NONE,
    checks: &[Check::Registry(registry)],
};

fn registry(ctx: &Ctx, sink: &mut Sink) {
    let scopes = &ctx.registry.scopes;
    for dir in &scopes.unlisted {
        let mut f = Finding::new(
            Code::UnlistedScope,
            format!("{dir}/promises.toml is a registry that `[scopes] members` does not list"),
        )
        .help(format!(
            "add \"{dir}\" to `[scopes] members` in the root promises.toml so it governs {dir}/; if it is no \
             team's registry (a fixture, an example), add \"{dir}\" to `[scopes] ignore` instead"
        ));
        f = match scopes.span() {
            Some(span) => f.at(ctx.registry_source, Label::new(span, "not listed here")),
            None => Finding { source: Some(ctx.registry_source), ..f },
        };
        sink.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn an_unlisted_registry_is_named_with_the_fix() {
        let mut r = registry("[scopes]\nmembers = [\"teams/search\"]\n");
        r.scopes.unlisted = vec!["teams/ads".to_string()];
        let found = judge_with(&r, super::registry);
        assert_eq!(codes(&found), ["unlisted-scope"]);
        assert_eq!(found[0].message, "teams/ads/promises.toml is a registry that `[scopes] members` does not list");
        assert!(help(&found[0]).starts_with("add \"teams/ads\" to `[scopes] members`"));
        assert!(help(&found[0]).ends_with("add \"teams/ads\" to `[scopes] ignore` instead"), "{}", help(&found[0]));
    }

    #[test]
    fn a_root_without_scopes_is_told_of_a_registry_below_it_and_an_ignored_folder_is_not_flagged() {
        let r = registry("");
        assert!(r.scopes.is_unlisted("fixtures/demo"), "no `[scopes]`: every registry below is unlisted");
        let r = registry("[scopes]\nignore = [\"fixtures/**\", \"examples/*/promises.toml\"]\n");
        assert!(!r.scopes.is_unlisted("fixtures/demo"));
        assert!(!r.scopes.is_unlisted("fixtures/demo/deeper"));
        assert!(!r.scopes.is_unlisted("examples/shop"), "matched against its promises.toml too");
        assert!(r.scopes.is_unlisted("teams/ads"));
        assert!(r.scopes.members.is_empty() && !r.scopes.any(), "ignoring declares no member");
    }
}
