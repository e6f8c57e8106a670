//! The plan scanner against GitHub's own Markdown parser (issue 13): cmark-gfm, through its
//! Python binding `cmarkgfm`, renders generated documents, and every task box it draws must be
//! a task item of plan-lint's, in the same order and with the same state. The corpus mixes
//! lists (bullets, numbers, nesting, empty boxes, a box alone on its line, empty items, tabs and
//! spaces mixed in indentation, siblings at shallower indents), fences (closed by spaces or tabs,
//! info strings, unclosed), block quotes, HTML blocks, tables, tabs, and LF, CRLF and CR line
//! ends.
//!
//! One difference is deliberate and left out of the corpus: items in block quotes. cmark-gfm
//! draws no box there, github.com does, and a plan quoting a list means its items (issue 13:
//! "items inside block quotes are items"); a unit test in `src/scan/markdown.rs` pins that reading.
//!
//! Three shapes plan-lint once read unlike cmark-gfm are read as it reads them (issue 23), and
//! the corpus holds each: a box alone on its line (`- [ ]`, which pulldown-cmark 0.13.6 reads as
//! an empty task item that ends there, so a list indented under it became code), an item's text
//! over a line that is only `-` (a setext heading in the item, whose box cmark-gfm draws), and an
//! empty item after a table (which starts a list there, where a paragraph would run on).
//!
//! `.ci/run` installs cmarkgfm and sets PLAN_LINT_REQUIRE_CMARKGFM, so the test cannot skip
//! there. `PLAN_LINT_GFM_SEED` and `PLAN_LINT_GFM_COUNT` run other or more documents.

use crate::support;

use std::process::Command;
use support::rng::Rng;

/// A generated document, built from blocks that interact.
fn document(rng: &mut Rng) -> String {
    let blocks = [
        "- [ ] open item",
        "- [x] done item",
        "* [ ] star item",
        "1. [ ] numbered item",
        "- [ ]",
        "- [x]",
        "- [ ]\n  text on the next line",
        "- parent\n  - [ ] nested item\n    - [x] deeper item",
        "- [ ] item (Promise: a)\n  - [ ] sub item",
        "```\n- [ ] in code\n```",
        "```\n- [ ] in code\n```\t",
        "~~~ \n- [ ] in tilde code\n~~~ \t",
        "```rust\nlet x = 1;\n```",
        "- item\n  ```\n  - [ ] code in item\n  ```\t\n- [ ] after",
        "> ```\n> quoted code\n> ```\t",
        "<div>\n- [ ] in html\n</div>",
        "| a | b |\n|---|---|\n| [ ] | x |",
        "# Heading\nPromise: a",
        "Some paragraph with [ ] brackets.",
        "-\t[ ] tab after marker",
        "- [ ]\ttab after box",
        "  - [ ] indented two",
        "    - [ ] indented four (code)",
        "- [X] capital x",
        "- [ ] item\n\n  continued paragraph",
        "+ [ ] plus item",
        // Empty list items (issue 23): after a line of text, a lone `-` is a setext underline
        // and the item above becomes a heading, whose box cmark-gfm still draws; after a table
        // it starts a list.
        "-",
        "- ",
        "    - ",
        "  -",
        "* ",
        "1.",
        "-\t",
        "- [x] Tests\n    - ",
        "- [ ] Feature\n  ===",
        "-\n\t- [ ] under an empty item",
        "- \n    - [x] under an empty item",
        "| a |\n|---|\n-\n\t- [ ] under an empty item after a table",
        // Tabs and spaces mixed in indentation.
        "\t- [ ] tab-indented item",
        " \t- [x] space and tab",
        "  \t- [ ] two spaces and a tab",
        "- parent\n\t- [ ] tab child",
        "- parent\n \t- [x] space and tab child",
        "- [ ] parent\n\t\t- [ ] two tabs",
        // Siblings at shallower indents than the item before them.
        "  - [x] Docs update(s):",
        "   - [ ] three spaces",
        " - [x] one space",
        "- [ ] a\n  - [ ] b\n - [x] shallower sibling",
        "- [ ] a\n    - [ ] b\n  - [x] between",
    ];
    let mut parts = Vec::new();
    for _ in 0..1 + rng.below(6) {
        parts.push(blocks[rng.below(blocks.len())]);
    }
    let text = parts.join(if rng.below(2) == 0 { "\n\n" } else { "\n" }) + "\n";
    match rng.below(6) {
        0 => text.replace('\n', "\r\n"),
        1 => text.replace('\n', "\r"),
        _ => text,
    }
}

fn cmarkgfm_available() -> bool {
    support::tool_available("cmarkgfm", "PLAN_LINT_REQUIRE_CMARKGFM")
}

/// The task boxes cmark-gfm renders for each document: `true` checked, `false` open.
fn gfm_boxes(docs: &[String]) -> Vec<Vec<bool>> {
    let dir = tempfile::tempdir().unwrap();
    for (i, d) in docs.iter().enumerate() {
        std::fs::write(dir.path().join(format!("{i}.md")), d).unwrap();
    }
    let script = r#"
import sys, re, json, cmarkgfm
from cmarkgfm.cmark import Options
out = []
for i in range(int(sys.argv[2])):
    text = open(f"{sys.argv[1]}/{i}.md", encoding="utf-8", newline="").read()
    html = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
    out.append([("checked" in m) for m in re.findall(r'<input type="checkbox"[^>]*>', html)])
print(json.dumps(out))
"#;
    let out = Command::new("python3")
        .args(["-c", script, dir.path().to_str().unwrap(), &docs.len().to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_plan_scanner_reads_task_items_as_github_does() {
    if !cmarkgfm_available() {
        return;
    }
    let seed: u64 = std::env::var("PLAN_LINT_GFM_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x6f6d_6172_6b21);
    let count: usize = std::env::var("PLAN_LINT_GFM_COUNT").ok().and_then(|s| s.parse().ok()).unwrap_or(600);
    let mut rng = Rng(seed);
    let docs: Vec<String> = (0..count).map(|_| document(&mut rng)).collect();
    let expected = gfm_boxes(&docs);
    let mut differ = Vec::new();
    let mut prefiltered = 0;
    for (doc, gfm) in docs.iter().zip(&expected) {
        let text = plan_lint::scan::markdown::normalize_line_ends(doc.clone());
        let plan = plan_lint::scan::markdown::scan(&text);
        let ours: Vec<bool> = plan.items.iter().map(|i| i.done).collect();
        // Issue 15: the prefilter skips only documents that scan to nothing.
        if !plan_lint::scan::markdown::may_have_items(text.as_bytes()) {
            assert_eq!(plan, Default::default(), "the prefilter would skip a document with items: {doc:?}");
            prefiltered += 1;
        }
        if &ours != gfm {
            differ.push(format!("--- {doc:?}\n    cmark-gfm {gfm:?}\n    plan-lint {ours:?}"));
        }
    }
    assert!(differ.is_empty(), "{} of {count} documents differ:\n{}", differ.len(), differ.join("\n"));
    let boxes: usize = expected.iter().map(Vec::len).sum();
    assert!(boxes > count, "the corpus draws task boxes ({boxes})");
    assert!(prefiltered > 0, "the corpus has documents the prefilter skips");
    println!("{count} documents, {boxes} task boxes");
}
