//! Issue 25 + 26: the pre-commit hook's impact analysis across scopes. A staged change to one
//! team's promise lists the open items under it in every scope's plans (named by its short id in
//! its own folder, by its qualified id anywhere), each in the scope of its document, and the
//! unmerged branches whose commits name it, however they name it; another team's promise of
//! the same short id is never listed. A real repository built with `git`, the hook installed by
//! `plan-lint install`, and `git commit` run through it.

use crate::support;

use support::Repo;

const ROOT: &str = r#"vision = "Shoppers find anything they want and buy it in one step."

[scopes]
members = ["teams/search", "teams/checkout"]

[customers.shopper]
description = "People who buy from the store"

[promises.platform]
statement = "A shopper's pages load fast."
customer = "shopper"
status = "in-play"
outcomes = [{ metric = "p95 page load", baseline = "2.1s", target = "1.2s" }]
"#;

const SEARCH: &str = r#"name = "Search"

[promises.find-and-buy]
statement = "A shopper can find a product we stock."
customer = "shopper"
status = "in-play"
outcomes = [{ metric = "search-to-purchase conversion", baseline = "8%", target = "12%" }]

[promises.platform]
statement = "Search's own pages load fast."
customer = "shopper"
status = "in-play"
outcomes = [{ metric = "p95 results page", baseline = "1.5s", target = "0.8s" }]
"#;

const CHECKOUT: &str = r#"name = "Checkout"

[promises.find-and-buy]
statement = "A shopper who found a product buys it in one step."
customer = "shopper"
status = "in-play"
outcomes = [{ metric = "checkout completion", baseline = "61%", target = "75%" }]
"#;

/// Three scopes with plans in each: search's own items under its short ids (`find-and-buy`, and
/// its own `platform`, which the root defines too), checkout's item under search's qualified id
/// beside one under checkout's own `find-and-buy` and one under the root's `platform`, and the
/// root's items under search's qualified id and under the root's `platform`. Three unmerged branches:
/// one naming search's promise by its qualified id, one by the short id in search's folder
/// (search's there), one by the short id in checkout's folder (checkout's own).
fn teams() -> Repo {
    let mut repo = Repo::new();
    repo.write("promises.toml", ROOT)
        .write("teams/search/promises.toml", SEARCH)
        .write("teams/checkout/promises.toml", CHECKOUT)
        .write(
            "ROADMAP.md",
            "# Platform\n\n- [ ] CDN for images (Promise: platform)\n\
             - [ ] Search box in the header (Promise: teams/search/find-and-buy)\n",
        )
        .write(
            "teams/search/ROADMAP.md",
            "# Search\nPromise: find-and-buy\n\n- [x] Trigram index\n- [ ] Rank in-stock first\n\
             - [ ] Cache result pages (Promise: platform)\n",
        )
        .write(
            "teams/checkout/ROADMAP.md",
            "# Checkout\nPromise: find-and-buy\n\n- [ ] One-step pay\n\
             - [ ] Faster search results (Promise: teams/search/find-and-buy)\n\
             - [ ] Lazy product images (Promise: platform)\n",
        );
    repo.commit("Adopt plan-lint in three teams\n\nPromise: platform\n");
    for (branch, file, promise) in [
        ("ranking", "teams/search/src/rank.rs", "teams/search/find-and-buy"),
        ("facets", "teams/search/src/facets.rs", "find-and-buy"),
        ("one-step", "teams/checkout/src/pay.rs", "find-and-buy"),
    ] {
        repo.git(&["checkout", "-q", "-b", branch, "main"]);
        repo.write(file, "// work\n");
        repo.commit(&format!("Work on {branch}\n\nPromise: {promise}\n"));
    }
    repo.git(&["checkout", "-q", "main"]);
    repo.plan_lint(&["install"]).expect_code(0);
    repo
}

/// `git commit` through the installed hooks: whether it succeeded, and what the hooks said (its
/// words joined by single spaces, the report's gutters dropped).
fn git_commit(repo: &Repo, args: &[&str]) -> (bool, String) {
    let (ok, stderr) = repo.git_commit(args);
    (ok, stderr.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" "))
}

const RAISED: &str = "its target of search-to-purchase conversion changed: 12% → 15% (staged)";

#[test]
fn a_staged_change_to_a_team_s_promise_lists_its_items_and_branches_in_every_scope() {
    let repo = teams();
    repo.write("teams/search/promises.toml", &SEARCH.replace("target = \"12%\"", "target = \"15%\""));
    repo.git(&["add", "."]);
    let (ok, said) = git_commit(&repo, &["-q", "-m", "Raise the target", "-m", "Promise: teams/search/find-and-buy"]);
    assert!(ok, "a warning does not block: {said}");
    // Search's own item, by the short id, in search's scope.
    assert!(
        said.contains(&format!(
            "[teams/search] open item planned against an earlier `find-and-buy`: {RAISED}: Rank in-stock first"
        )),
        "{said}"
    );
    // Checkout's item naming search's qualified id, in checkout's scope, at its path.
    assert!(
        said.contains(&format!(
            "[teams/checkout] open item planned against an earlier `teams/search/find-and-buy`: {RAISED}: \
             Faster search results"
        )),
        "{said}"
    );
    assert!(said.contains("[teams/checkout/ROADMAP.md:5:7]"), "where checkout's item is: {said}");
    // Its review is recorded in search's registry.
    assert!(
        said.replace(' ', "").contains("under[promises.find-and-buy]inteams/search/promises.toml"),
        "where the review goes: {said}"
    );
    // The root's item naming it: the root's, so no scope before it.
    assert!(
        said.contains(&format!(
            "suspect-link ⚠ open item planned against an earlier `teams/search/find-and-buy`: {RAISED}: \
             Search box in the header"
        )),
        "{said}"
    );
    assert!(said.contains("─[ROADMAP.md:4:7]"), "where the root's item is: {said}");
    // Not checkout's own `find-and-buy`, nor anything under `platform`, nor the done item.
    assert_eq!(said.matches("(staged): ").count(), 3, "{said}");
    assert!(!said.contains("(staged): One-step pay") && !said.contains("(staged): Lazy product images"), "{said}");
    // The branches naming search's promise, by its qualified id or by the short id in search's
    // folder (each listed by its qualified id); not the branch naming checkout's own
    // `find-and-buy` in checkout's folder.
    for branch in ["ranking", "facets"] {
        assert!(
            said.contains(&format!(
                "plan-lint: branch `{branch}` has commits for `teams/search/find-and-buy`, whose contract this \
                 commit changes"
            )),
            "{branch}: {said}"
        );
    }
    assert!(!said.contains("branch `one-step`"), "checkout's own promise: {said}");
}

/// A change to the root's promise reaches a team's item naming it by its bare id; a team that
/// raises `suspect-link` to deny is blocked by items in another scope's plans too.
#[test]
fn a_staged_change_to_the_root_s_promise_lists_a_team_s_items_under_it() {
    let repo = teams();
    repo.write("promises.toml", &ROOT.replace("target = \"1.2s\"", "target = \"0.9s\""));
    repo.git(&["add", "."]);
    let (ok, said) = git_commit(&repo, &["-q", "-m", "Faster pages", "-m", "Promise: platform"]);
    assert!(ok, "{said}");
    let moved = "its target of p95 page load changed: 1.2s → 0.9s (staged)";
    assert!(
        said.contains(&format!(
            "[teams/checkout] open item planned against an earlier `platform`: {moved}: Lazy product images"
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "suspect-link ⚠ open item planned against an earlier `platform`: {moved}: CDN for images"
        )),
        "{said}"
    );
    assert!(said.replace(' ', "").contains("under[promises.platform]inpromises.toml"), "the root's: {said}");
    assert_eq!(said.matches("(staged): ").count(), 2, "not search's own `platform`: {said}");
    assert!(!said.contains("(staged): Cache result pages"), "{said}");
    assert!(!said.contains("branch `"), "no branch names `platform`: {said}");

    // Search raises the level: its next change is blocked by checkout's item alone, found
    // through the open-items cache the first commit wrote (checkout's plan is known there to
    // name `teams/search/find-and-buy`, read as checkout reads it).
    repo.write("teams/search/ROADMAP.md", "# Search\nPromise: find-and-buy\n\n- [x] Trigram index\n");
    repo.write("ROADMAP.md", "# Platform\n\n- [ ] CDN for images (Promise: platform)\n");
    repo.write("teams/search/promises.toml", &format!("{SEARCH}\n[rules]\nsuspect-link = \"deny\"\n"));
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Suspect links block", "-m", "Promise: teams/search/find-and-buy"]);
    let denied =
        format!("{}\n[rules]\nsuspect-link = \"deny\"\n", SEARCH.replace("target = \"12%\"", "target = \"15%\""));
    repo.write("teams/search/promises.toml", &denied);
    repo.git(&["add", "."]);
    let (ok, said) = git_commit(&repo, &["-q", "-m", "Raise the target", "-m", "Promise: teams/search/find-and-buy"]);
    assert!(!ok, "blocked at deny: {said}");
    assert!(
        said.contains(&format!(
            "[teams/checkout] open item planned against an earlier `teams/search/find-and-buy`: {RAISED}: \
             Faster search results"
        )),
        "{said}"
    );
    assert_eq!(said.matches("(staged): ").count(), 1, "checkout's alone: {said}");
    assert!(said.contains("commit blocked"), "{said}");
}
