//! `unlisted-scope`: a `promises.toml` below the root that the root's `[scopes] members` does
//! not list. Scopes are listed, not discovered (hooks stay cheap: no walk to find registries),
//! so an unlisted registry would govern nothing, unseen.

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
What it does: in a repository whose root promises.toml has a `[scopes]` table, flags every \
promises.toml in the index below the root whose folder `[scopes] members` does not list.

Why: scopes are listed in the root registry, as cargo's workspace members are, so the hooks \
never walk the tree to find registries. A team's registry that is not listed governs nothing: \
its promises, limits and plans would be silently ignored.

Fails (with teams/ads/promises.toml committed):
    [scopes]
    members = [\"teams/search\"]

Fix: list the folder:
    [scopes]
    members = [\"teams/search\", \"teams/ads\"]",
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
            "add \"{dir}\" to `[scopes] members` in the root promises.toml so it governs {dir}/, or delete it"
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
    }
}
