//! Issue 25 (an organisation board across repositories) and issue 31 (the report's published
//! schema): `plan-lint report --format json` is versioned and valid against
//! schema/report.schema.json (checked by the real check-jsonschema, which is shown to reject a
//! broken board), and `plan-lint board merge` combines three real repositories' boards into one
//! page: HTML rendered by headless Chromium (a section and a chart per team, nothing past the
//! edge at 390 px), Markdown and JSON snapshotted, unknown major versions and malformed files
//! refused with exit 2 naming the file.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{run_in, snapshot, tool_available, Repo, Run};

const WINDOW: [&str; 4] = ["--since", "2026-02-01", "--until", "2026-03-06"];
const ADA: &str = "Ada Lovelace <ada@example.com>";
const BOB: &str = "Bob Byte <bob@example.com>";

/// A team with readings, an untraced commit and a declared exception.
fn search() -> Repo {
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        r#"name = "Search team"
vision = "Shoppers find anything they want to buy."

[limits]
in-play = 2
exception-budget = "20%"
measure-days = 365

[promises.find-and-buy]
title = "Find and buy"
statement = "A shopper can find and buy a product we stock."
status = "in-play"
priority = "must"
outcomes = [{ metric = "search conversion", baseline = "8%", target = "12%" }]

[promises.filters]
statement = "A shopper can filter results."
status = "in-play"
priority = "should"
outcomes = [{ metric = "filter use", baseline = "5%", target = "15%" }]
"#,
    )
    .write(
        "ROADMAP.md",
        "# Search\n\n## Ranking\nPromise: find-and-buy\n\n- [x] Trigram index\n- [ ] Rank in stock first\n",
    )
    .write(
        "outcomes.csv",
        "date,promise,metric,value,source\n2026-02-09,find-and-buy,search conversion,8.5%,analytics\n\
         2026-03-02,find-and-buy,search conversion,10.4%,analytics\n2026-02-16,filters,filter use,6%,analytics\n",
    );
    repo.commit_at("2026-02-02T09:00:00Z", ADA, "Plan the quarter\n\nPromise: find-and-buy\n");
    for (date, who, message) in [
        ("2026-02-10", BOB, "Filter by brand\n\nPromise: filters\n"),
        ("2026-02-17", ADA, "Rank by stock\n\nPromise: find-and-buy\n"),
        ("2026-02-24", BOB, "Fix typo\n"),
        ("2026-03-02", ADA, "Bump CI runners\n\nUntraced: the old image is end-of-life\n"),
    ] {
        repo.write("work.txt", message);
        repo.commit_at(&format!("{date}T10:00:00Z"), who, message);
    }
    repo
}

/// A team over its limit, with a hypothesis, an owner written as markup, a regressed outcome and a
/// commit naming an unknown promise.
fn payments() -> Repo {
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        r#"name = "Payments team"
vision = "Shoppers find anything they want to buy."

[limits]
in-play = 1
measure-days = 365

[promises.checkout-v2]
statement = "A shopper can pay in one step with a saved wallet."
owner = "@payments <i>core</i>"
status = "in-play"
priority = "must"
outcomes = [{ metric = "checkout completion", baseline = "61%", target = "75%" }]

[[promises.checkout-v2.hypotheses]]
belief = "one-step payment moves checkout completion"
metric = "checkout completion"
expect = "70%"
by = "2026-03-01"

[promises.wallets]
statement = "A shopper can keep a wallet."
status = "in-play"
priority = "could"
outcomes = [{ metric = "wallet share", baseline = "10%", target = "30%" }]
"#,
    )
    .write(
        "outcomes.csv",
        "date,promise,metric,value,source\n2026-02-20,checkout-v2,checkout completion,60%,analytics\n\
         2026-02-25,wallets,wallet share,12%,analytics\n",
    );
    repo.commit_at("2026-02-03T09:00:00Z", BOB, "Adopt promises\n\nPromise: checkout-v2\n");
    for (date, message) in [
        ("2026-02-12", "Wallet storage\n\nPromise: wallets\n"),
        ("2026-02-19", "One-step pay\n\nPromise: checkout-v2\n"),
        ("2026-02-26", "Gift card tender\n\nPromise: gift-cards\n"),
    ] {
        repo.write("work.txt", message);
        repo.commit_at(&format!("{date}T10:00:00Z"), BOB, message);
    }
    repo
}

/// A team whose name is hostile markup, with a recorded baseline of its early untraced work.
fn mobile() -> Repo {
    let mut repo = Repo::new();
    repo.write(
        "promises.toml",
        r#"name = "Mobile <b>team</b> & [friends](javascript:alert(1))"
vision = "Shoppers buy from their phone."

[limits]
in-play = 3

[promises.app-checkout]
statement = "A shopper can pay in the app."
status = "in-play"
outcomes = [{ metric = "app conversion", baseline = "2%", target = "4%" }]
"#,
    )
    .write("ROADMAP.md", "# App\n\n- [ ] add PayPal\n- [ ] pay in app (Promise: app-checkout)\n");
    repo.commit_at("2026-02-04T09:00:00Z", ADA, "Start\n");
    repo.write("app.txt", "1\n");
    repo.commit_at("2026-02-11T09:00:00Z", ADA, "App checkout screen\n\nPromise: app-checkout\n");
    repo.plan_lint(&["baseline"]).expect_code(0);
    repo.commit_at("2026-02-18T09:00:00Z", ADA, "Record the baseline\n\nPromise: app-checkout\n");
    repo.write("app.txt", "2\n");
    repo.commit_at("2026-02-25T09:00:00Z", BOB, "Untraced tweak\n");
    repo
}

fn board_json(repo: &Repo) -> String {
    let run = repo.plan_lint(&[&["report", "--format", "json"][..], &WINDOW].concat());
    run.expect_code(0);
    run.stdout
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `check-jsonschema` against the published schema: whether `file` is valid, and its output.
pub(crate) fn validate(file: &Path) -> (bool, String) {
    let out = Command::new("check-jsonschema")
        .arg("--schemafile")
        .arg(root().join("schema/report.schema.json"))
        .arg(file)
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// The three repositories' boards, written as `search.json`, `payments.json`, `mobile.json` in
/// a fresh directory.
fn three_boards() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, repo) in [("search", search()), ("payments", payments()), ("mobile", mobile())] {
        std::fs::write(dir.path().join(format!("{name}.json")), board_json(&repo)).unwrap();
    }
    dir
}

fn merge(dir: &Path, extra: &[&str]) -> Run {
    let args = [&["board", "merge", "search.json", "payments.json", "mobile.json"][..], extra].concat();
    run_in(dir, &args)
}

const LINKS: [&str; 4] =
    ["--link", "search=https://example.com/search/board.html", "--link", "Payments team=boards/payments.html"];

/// Every shape of board (an empty repository, findings, readings, a hypothesis, a baseline) and
/// the merged organisation board are valid against schema/report.schema.json, which names every
/// rule; a broken board is not (the validator can fail).
#[test]
fn boards_and_the_organisation_board_follow_the_published_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("schema/report.schema.json")).unwrap()).unwrap();
    let empty = Repo::new();
    empty.write("promises.toml", "[promises.a]\nstatement = \"s\"\nstatus = \"proposed\"\n");
    let rules = empty.plan_lint(&["rules"]).stdout;
    let names: Vec<&str> =
        rules.lines().take_while(|l| !l.is_empty()).map(|l| l.split_whitespace().next().unwrap()).collect();
    let listed: Vec<&str> = schema["definitions"]["board"]["properties"]["drift"]["items"]["properties"]["code"]
        ["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(listed, names, "the schema names every rule");

    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, repo) in [("empty", empty), ("search", search()), ("payments", payments()), ("mobile", mobile())] {
        let text = board_json(&repo);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!((&v["version"], &v["schema_version"]), (&serde_json::json!(1), &serde_json::json!("1.0")), "{name}");
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, &text).unwrap();
        files.push((name, path, v));
    }
    // The shapes are there: findings, readings and progress, a hypothesis's promise, a baseline.
    let by = |n: &str| &files.iter().find(|f| f.0 == n).unwrap().2;
    assert_eq!(by("empty")["promises"][0]["id"], "a");
    assert_eq!(by("search")["untraced"]["commits"][0]["subject"], "Fix typo");
    assert_eq!(by("search")["promises"][0]["outcomes"][0]["progress"], 0.6, "rounded, not 0.6000000000000001");
    assert_eq!(by("search")["weeks"][0], "2026-01-26", "weeks are ISO dates");
    assert_eq!(by("payments")["promises"][0]["outcomes"][0]["state"], "regressed");
    assert!(by("mobile")["baseline"].is_object(), "{}", by("mobile"));
    let boards = three_boards();
    let merged = merge(boards.path(), &["--format", "json"]);
    merged.expect_code(0);
    let org = dir.path().join("org.json");
    std::fs::write(&org, &merged.stdout).unwrap();

    if !tool_available("check-jsonschema", "PLAN_LINT_REQUIRE_CHECK_JSONSCHEMA") {
        return;
    }
    for (name, path, _) in &files {
        let (ok, out) = validate(path);
        assert!(ok, "{name}: {out}");
    }
    let (ok, out) = validate(&org);
    assert!(ok, "the organisation board: {out}");
    // Positive controls: a progress that is not a number, an unknown field, a team with no label.
    let search = std::fs::read_to_string(dir.path().join("search.json")).unwrap();
    for (what, broken) in [
        ("progress as text", search.replacen("\"progress\": 0.6", "\"progress\": \"60%\"", 1)),
        ("an undocumented field", search.replacen("\"errors\":", "\"errorz\": 1, \"errors\":", 1)),
        ("another major version", search.replacen("\"schema_version\": \"1.0\"", "\"schema_version\": \"2.0\"", 1)),
        ("a team with no label", merged.stdout.replacen("\"label\":", "\"labels\":", 1)),
    ] {
        assert_ne!(broken, search, "{what}: the broken copy differs");
        let path = dir.path().join("broken.json");
        std::fs::write(&path, broken).unwrap();
        assert!(!validate(&path).0, "the schema accepted {what}");
    }
}

/// Three real repositories' boards in one page, in every format: each team's promises in play
/// against its limit, outcomes and progress, untraced and exception shares, drift, links back.
#[test]
fn three_repositories_merge_into_one_organisation_board() {
    let dir = three_boards();
    let json = merge(dir.path(), &[&["--format", "json"][..], &LINKS].concat());
    json.expect_code(0);
    snapshot("org_board/json", &json.stdout);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["kind"], "organisation");
    assert_eq!(v["schema_version"], "1.0");
    assert_eq!(
        v["visions"],
        serde_json::json!(["Shoppers find anything they want to buy.", "Shoppers buy from their phone."]),
        "one vision shared by two teams is shown once"
    );
    let labels: Vec<&str> = v["boards"].as_array().unwrap().iter().map(|b| b["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Search team", "Payments team", "Mobile <b>team</b> & [friends](javascript:alert(1))"]);
    assert_eq!(v["boards"][0]["url"], "https://example.com/search/board.html", "linked by its file's name");
    assert_eq!(v["boards"][1]["url"], "boards/payments.html", "linked by its board's name");
    assert_eq!(v["boards"][2]["url"], serde_json::Value::Null);
    assert_eq!(v["boards"][1]["in_play"], serde_json::json!({"count": 2, "limit": 1}));
    assert_eq!(v["totals"]["over_limit"], 1);
    assert_eq!(v["boards"][0]["promises"][0]["outcomes"][0]["progress"], 0.6);
    assert_eq!(v["boards"][0]["untraced"]["commits"], 1);
    assert_eq!(v["boards"][0]["exceptions"]["count"], 1);
    assert_eq!(v["boards"][1]["promises"][0]["health"]["state"], "off-track");
    assert_eq!(v["boards"][1]["promises"][0]["owner"], "@payments <i>core</i>", "each promise's owner");
    assert_eq!(v["boards"][0]["promises"][0]["owner"], serde_json::Value::Null);
    let drift: Vec<&str> =
        v["boards"][1]["drift"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(drift.contains(&"unknown-promise") && drift.contains(&"too-many-in-play"), "{drift:?}");

    let markdown = merge(dir.path(), &[&["--format", "markdown"][..], &LINKS].concat());
    markdown.expect_code(0);
    snapshot("org_board/markdown", &markdown.stdout);
    assert!(markdown.stdout.contains("## [Search team](<https://example.com/search/board.html>)"));
    assert!(!markdown.stdout.contains("<b>") && !markdown.stdout.contains("[friends]("), "{}", markdown.stdout);
    assert!(
        markdown.stdout.contains("- `checkout-v2` (owner @\u{2060}payments &lt;i&gt;core&lt;/i&gt;) **off track**"),
        "{}",
        markdown.stdout
    );

    let out = dir.path().join("org.html");
    let html = merge(dir.path(), &[&["-o", out.to_str().unwrap()][..], &LINKS].concat());
    html.expect_code(0);
    assert_eq!(html.stdout, "", "the page goes to the file");
    let page = std::fs::read_to_string(&out).unwrap();
    assert_eq!(page.matches("<section class=\"team\"").count(), 3);
    assert!(page.contains("<a href=\"https://example.com/search/board.html\">Search team</a>"), "{page}");
    assert!(page.contains("Mobile &lt;b&gt;team&lt;/b&gt; &amp; [friends](javascript:alert(1))"), "{page}");
    assert!(!page.contains("<b>") && !page.contains("href=\"javascript"), "untrusted text stays text");
    assert!(page.contains("<span class=\"muted owner\">owner @payments &lt;i&gt;core&lt;/i&gt;</span>"), "{page}");
    assert!(!page.contains("<i>core"), "the owner stays text");
    // A board written before promises had owners merges as before.
    let payments = std::fs::read_to_string(dir.path().join("payments.json")).unwrap();
    let without: String =
        payments.lines().filter(|l| !l.trim_start().starts_with("\"owner\":")).collect::<Vec<_>>().join("\n");
    assert_ne!(without, payments);
    std::fs::write(dir.path().join("payments.json"), without).unwrap();
    let older = merge(dir.path(), &["--format", "json"]);
    older.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&older.stdout).unwrap();
    assert_eq!(v["boards"][1]["promises"][0]["owner"], serde_json::Value::Null, "{}", older.stdout);
    assert!(!page.contains("<script") && !page.contains("src="), "no script, no external asset");
}

/// A link given on the command line stays one link in the Markdown page as a CommonMark reader
/// (GitHub's cmark-gfm) renders it: a character reference does not make `javascript:` of it, a
/// `|` does not split the table row, a `\` does not unclose the destination.
#[test]
fn markdown_links_stay_one_harmless_link_as_github_renders_them() {
    if !tool_available("cmarkgfm", "PLAN_LINT_REQUIRE_CMARKGFM") {
        return;
    }
    let dir = three_boards();
    let link = "search=javascript&colon;alert(1)|b|c\\";
    let run = merge(dir.path(), &["--format", "markdown", "--link", link]);
    run.expect_code(0);
    let script = r#"
import sys, re, json, cmarkgfm
html = cmarkgfm.github_flavored_markdown_to_html(sys.stdin.read())
rows = [r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if "Search team" in r]
print(json.dumps({"hrefs": re.findall(r'href="([^"]*)"', html),
                  "cells": [len(re.findall(r"<td[ >]", r)) for r in rows],
                  "header": len(re.findall(r"<th[ >]", html.split("</tr>")[0]))}))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(run.stdout.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hrefs: Vec<&str> = v["hrefs"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
    assert!(
        hrefs.iter().any(|h| h.starts_with("javascript&amp;colon;alert(1)%7Cb%7Cc%5C")),
        "{hrefs:?}\n{}",
        run.stdout
    );
    assert!(hrefs.iter().all(|h| !h.to_lowercase().starts_with("javascript:")), "{hrefs:?}");
    let cells = v["cells"].as_array().unwrap();
    assert!(!cells.is_empty() && cells.iter().all(|c| *c == v["header"]), "{v}\n{}", run.stdout);
}

/// Files that are not boards this build reads: exit 2, naming the file (and the version), and
/// never a panic; a link must name a board and be http(s) or relative.
#[test]
fn unknown_major_versions_and_malformed_boards_are_refused() {
    let dir = three_boards();
    let search = std::fs::read_to_string(dir.path().join("search.json")).unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("future.json", &search.replacen("\"schema_version\": \"1.0\"", "\"schema_version\": \"2.3\"", 1));
    write(
        "newer.json",
        &search.replacen("\"schema_version\": \"1.0\"", "\"schema_version\": \"1.7\", \"later\": [1]", 1),
    );
    write("old.json", &search.replacen("  \"schema_version\": \"1.0\",\n", "", 1));
    write("cut.json", &search[..search.len() / 2]);
    write("list.json", "[1, 2]");
    write("shape.json", &search.replacen("\"in_play\": {", "\"in_play\": [{", 1));
    write("nul.json", "\u{0}\u{1b}[31m");
    let refused = |args: &[&str], says: &[&str]| {
        let run = run_in(dir.path(), &[&["board", "merge"][..], args].concat());
        run.expect_code(2);
        assert_eq!(run.stdout, "");
        for s in says {
            assert!(run.stderr.contains(s), "{s:?} not in:\n{}", run.stderr);
        }
        assert!(!run.stderr.contains("panicked") && !run.stderr.contains('\u{1b}'), "{}", run.stderr);
    };
    refused(
        &["search.json", "future.json"],
        &["error: future.json is a board of schema version 2.3; this plan-lint reads version 1.x"],
    );
    refused(&["cut.json"], &["error: cut.json is not a plan-lint board: EOF while parsing"]);
    refused(&["list.json"], &["error: list.json is not a plan-lint board"]);
    refused(&["shape.json"], &["error: shape.json is not a plan-lint board"]);
    refused(&["nul.json"], &["error: nul.json is not a plan-lint board"]);
    refused(&["missing.json"], &["error: could not read missing.json"]);
    refused(&["search.json", "--link", "nobody=https://example.com"], &["error: --link nobody names no board"]);
    refused(&["search.json", "--link", "search=javascript:alert(1)"], &["neither http(s) nor a relative path"]);
    refused(&["search.json", "--link", "search"], &["--link search is not NAME=URL"]);
    // One board given twice, under any name, would count its commits twice.
    write("copy.json", &search);
    for twice in [&["search.json", "mobile.json", "./search.json"][..], &["search.json", "copy.json"]] {
        refused(twice, &["are the same board (commit ", "its commits would be counted twice"]);
    }
    // Counts that contradict each other would be drawn as 1,667%.
    write("over.json", &search.replacen("\"traced\": {\n    \"in_play\": ", "\"traced\": {\n    \"in_play\": 9", 1));
    refused(&["over.json"], &["error: over.json is not a plan-lint board: traced.in_play (9"]);
    // Not read until memory runs out.
    #[cfg(target_os = "linux")]
    refused(&["/dev/zero"], &["error: /dev/zero is not a plan-lint board: larger than 256 MiB"]);
    // A newer minor version (fields added) and a board from before `schema_version` are read
    // (each with another board: the two are one board, and refused together above's way).
    for (file, version) in [("newer.json", "1.7"), ("old.json", "1.0")] {
        let run = run_in(dir.path(), &["board", "merge", file, "mobile.json", "--format", "json"]);
        run.expect_code(0);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(v["boards"][0]["schema_version"], version);
    }
}

/// A script that measures the page as Chromium lays it out: its scroll and client widths, any
/// element past the right edge, badges, ids and dates broken over two lines, and each team's
/// section (its height and its chart's drawn parts).
const MEASURE: &str = r#"<script>
(function () {
  const d = document;
  const out = { scroll: d.documentElement.scrollWidth, client: d.documentElement.clientWidth, broken: [], wide: [], teams: [] };
  const lines = e => {
    const r = d.createRange();
    r.selectNodeContents(e);
    return new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size;
  };
  for (const e of d.querySelectorAll('.badge, code.id, .nw')) if (lines(e) > 1) out.broken.push(e.textContent);
  for (const e of d.body.querySelectorAll('*')) {
    const right = e.getBoundingClientRect().right + (parseFloat(getComputedStyle(e).marginRight) || 0);
    if (right > out.client + 0.5) out.wide.push(e.tagName + '.' + e.className + ' ' + Math.round(right));
  }
  for (const s of d.querySelectorAll('section.team')) {
    const chart = s.querySelector('svg.work');
    const rects = chart ? [...chart.querySelectorAll('rect')].filter(r => r.getBoundingClientRect().width > 0) : [];
    out.teams.push({ team: s.dataset.team, height: Math.round(s.getBoundingClientRect().height),
      chart: chart ? Math.round(chart.getBoundingClientRect().width) : 0, parts: rects.length,
      promises: s.querySelectorAll('li[data-promise]').length });
  }
  (window.frameElement ? parent.document : d).body.setAttribute('data-measure', JSON.stringify(out));
})();
</script>"#;

/// The organisation page in real headless Chromium: a visible section per team with its work
/// chart and its promises, at 1280 px and in a 390 px frame (a phone) with nothing past the
/// edge; the charts' colours cover a real area of the screenshot, and hiding the charts takes
/// it away.
#[test]
fn the_organisation_page_renders_in_chromium_on_a_desk_and_a_phone() {
    if !tool_available("chromium", "PLAN_LINT_REQUIRE_CHROMIUM") {
        return;
    }
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
        .expect("tool_available found it");
    let dir = three_boards();
    let run = merge(dir.path(), &LINKS);
    run.expect_code(0);
    let html = run.stdout;
    let profile = tempfile::tempdir().unwrap();
    let headless = |page: &Path, extra: &[&str]| {
        let mut cmd = Command::new(chromium);
        cmd.args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
            .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(format!("file://{}", page.display()));
        cmd.output().unwrap()
    };
    let framed = |html: &str| {
        let escaped = html.replace('&', "&amp;").replace('"', "&quot;");
        format!(
            "<!DOCTYPE html><html><head><style>body{{margin:0}}iframe{{border:0;width:390px;height:4000px}}</style></head>\
             <body><iframe srcdoc=\"{escaped}\"></iframe></body></html>"
        )
    };
    let measured = html.replacen("</body>", &format!("{MEASURE}</body>"), 1);
    for (width, page) in [(1280, measured.clone()), (390, framed(&measured))] {
        let path = profile.path().join(format!("org-{width}.html"));
        std::fs::write(&path, page).unwrap();
        let out = headless(&path, &["--window-size=1280,3000", "--dump-dom"]);
        let dom = String::from_utf8_lossy(&out.stdout);
        let attr = dom.split("data-measure=\"").nth(1).and_then(|s| s.split('"').next());
        let Some(attr) = attr else { panic!("{width}: nothing measured:\n{}", String::from_utf8_lossy(&out.stderr)) };
        let json = attr.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        let m: serde_json::Value = serde_json::from_str(&json).unwrap();
        let (scroll, client) = (m["scroll"].as_u64().unwrap(), m["client"].as_u64().unwrap());
        assert!(client <= width && client + 20 >= width, "at {width}: measured at {client} px");
        assert!(scroll <= client, "at {width}: {scroll} px wide in {client}: {}", m["wide"]);
        assert_eq!(m["wide"], serde_json::json!([]), "at {width}: past the viewport");
        assert_eq!(m["broken"], serde_json::json!([]), "at {width}: broken over two lines");
        let teams = m["teams"].as_array().unwrap();
        assert_eq!(teams.len(), 3, "{m}");
        for (t, promises) in teams.iter().zip([2, 2, 1]) {
            assert!(t["height"].as_u64().unwrap() > 100, "at {width}: {t}");
            assert!(t["chart"].as_u64().unwrap() >= 200, "at {width}: the chart is drawn: {t}");
            assert!(t["parts"].as_u64().unwrap() >= 2, "at {width}: the chart has its parts: {t}");
            assert_eq!(t["promises"], promises, "at {width}: {t}");
        }
        assert_eq!(teams[2]["team"], "Mobile <b>team</b> & [friends](javascript:alert(1))");
    }

    // The charts are on screen: their traced green and untraced red cover a real area, and
    // hiding the charts (one CSS rule, in a copy) takes that area away.
    let shoot = |name: &str, page: &str| {
        let path = profile.path().join(format!("{name}.html"));
        std::fs::write(&path, page).unwrap();
        let shot = profile.path().join(format!("{name}.png"));
        let out = headless(
            &path,
            &["--window-size=1280,3000", "--hide-scrollbars", &format!("--screenshot={}", shot.display())],
        );
        assert!(shot.is_file(), "no screenshot: {}", String::from_utf8_lossy(&out.stderr));
        support::colour_counts(&shot)
    };
    let shown = shoot("shown", &html);
    let hidden = shoot("hidden", &html.replacen("</head>", "<style>svg.work{visibility:hidden}</style></head>", 1));
    for colour in ["1a7f37", "d1242f"] {
        let (with, without) = (shown.get(colour).copied().unwrap_or(0), hidden.get(colour).copied().unwrap_or(0));
        assert!(with >= without + 300, "#{colour} bars are not visible: {with} pixels shown, {without} hidden");
    }
}
