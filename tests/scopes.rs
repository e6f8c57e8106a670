//! Scoped registries in one repository: a root registry listing two teams' folders in
//! `[scopes] members`, each with its own promises and limits. A real repository built with the
//! `git` binary, the real binary, whole-output snapshots.
//!
//! The three teams: the root (the vision, the customers, `[limits] in-play = 2`, `platform`),
//! teams/search (inherits the vision; its own limit of 1; `find-and-buy`) and teams/checkout
//! (its own vision; `find-and-buy` again, and `wallets`, proposed). Each has a plan.

mod support;

use support::{snapshot, Repo};

const ROOT: &str = r#"vision = "Shoppers find anything they want and buy it in one step."

[scopes]
members = ["teams/search", "teams/checkout"]

[limits]
in-play = 2

[customers.shopper]
description = "People who buy from the store"

[promises.platform]
statement = "A shopper's pages load fast."
customer = "shopper"
status = "in-play"
outcomes = [{ metric = "p95 page load", baseline = "2.1s", target = "1.2s" }]
"#;

const SEARCH: &str = r#"name = "Search"

[limits]
in-play = 1

[promises.find-and-buy]
statement = "A shopper can find a product we stock."
customer = "shopper"
status = "in-play"
outcomes = [{ metric = "search-to-purchase conversion", baseline = "8%", target = "12%" }]
"#;

const CHECKOUT: &str = r#"name = "Checkout"
vision = "Paying takes one step."

[promises.find-and-buy]
statement = "A shopper who found a product buys it in one step."
customer = "shopper"
status = "in-play"
outcomes = [{ metric = "checkout completion", baseline = "61%", target = "75%" }]

[promises.wallets]
statement = "A shopper can pay with a saved wallet."
customer = "shopper"
status = "proposed"
"#;

/// The three teams, clean: every plan item and commit traced within its scope.
fn teams() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", ROOT)
        .write("teams/search/promises.toml", SEARCH)
        .write("teams/checkout/promises.toml", CHECKOUT)
        .write("ROADMAP.md", "# Platform\n\n- [ ] CDN for images (Promise: platform)\n")
        .write("teams/search/ROADMAP.md", "# Search\nPromise: find-and-buy\n\n- [x] Trigram index\n- [ ] Rank in-stock first\n")
        .write(
            "teams/checkout/ROADMAP.md",
            "# Checkout\nPromise: find-and-buy\n\n- [ ] One-step pay\n- [ ] Faster search results (Promise: teams/search/find-and-buy)\n",
        );
    repo.commit("Adopt plan-lint in three teams\n\nPromise: platform\n");
    repo.write("teams/search/src/rank.rs", "// rank\n").write("teams/checkout/src/pay.rs", "// pay\n");
    repo.commit("Rank in-stock results and show them at checkout\n\nPromise: teams/search/find-and-buy\n");
    repo
}

fn check(repo: &Repo, args: &[&str]) -> support::Run {
    let mut all = vec!["check", "--commits", "HEAD"];
    all.extend_from_slice(args);
    repo.plan_lint(&all)
}

#[test]
fn every_scope_of_a_clean_repository_is_clean() {
    let repo = teams();
    let run = check(&repo, &["--all"]);
    run.expect_code(0);
    snapshot("scopes-clean", &run.stdout);
}
