//! `idle-promise` against a real history: a promise in play whose plan items are all done is
//! delivered, awaiting its outcome, not idle (issue 31); one with open items and no work is.

use crate::support;

use support::Repo;

#[test]
fn a_delivered_promise_is_not_idle_but_one_with_open_items_is() {
    let registry = "[limits]\nidle-days = 14\n\n\
[promises.search]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", baseline = \"1\", target = \"2\" }]\n\n\
[promises.orders]\nstatement = \"o\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", baseline = \"1\", target = \"2\" }]\n";
    let mut repo = Repo::new();
    let ada = "Ada Lovelace <ada@example.com>";
    repo.write("promises.toml", registry)
        .write("plans/search.md", "# Search\nPromise: search\n\n- [x] Rank\n- [x] Facets\n")
        .write("plans/orders.md", "# Orders\nPromise: orders\n\n- [x] Status page\n- [ ] E-mails\n");
    repo.commit_at("2026-01-02T09:00:00Z", ada, "Plan and ship\n\nPromise: search\nPromise: orders\n");

    for format in ["json", "term"] {
        let run = repo.plan_lint(&["check", "--format", format, "--since", "2026-01-10", "--until", "2026-03-01"]);
        run.expect_code(0);
        let out = &run.stdout;
        assert!(out.contains("idle-promise"), "{format}: orders has an open item and no work: {out}");
        assert!(out.contains("orders"), "{out}");
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(out).unwrap();
            let idle: Vec<&str> = v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["code"] == "idle-promise")
                .flat_map(|f| f["promises"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()))
                .collect();
            assert_eq!(idle, ["orders"], "search is delivered (every item done): {out}");
        }
    }
}
