//! Property tests for the parsers that read untrusted text: for thousands of generated inputs
//! (soups of meaningful fragments and raw bytes, deterministic per seed) they never panic, every
//! span lies inside the input, and what `plan-lint trailers` prints parses back to itself.
//! `PLAN_LINT_PROPERTY_CASES` raises the count for a longer run.

mod support;

use plan_lint::registry::Registry;
use plan_lint::scan::{markdown, trailers};
use plan_lint::source::Source;
use support::rng::Rng;

const MD: &[&str] = &[
    "# H\n",
    "## S\n",
    "Promise: a\n",
    "Promises: a, b\n",
    "- [ ] x\n",
    "- [x] y (Promise: a)\n",
    "  - [ ] z\n",
    "> ",
    "```\n",
    "`code`",
    "<!--",
    "-->",
    "\n",
    "---\n",
    "promise: [a]\n",
    "(Promise: ",
    ")",
    "\\",
    "*",
    "[l](u)",
    "\t",
    "é",
    "\u{202e}",
    "\r\n",
    "1. [ ] n\n",
    "| a | b |\n",
    "<div>\n",
    "&amp;",
];
const TRAILER: &[&str] = &[
    "Subject\n",
    "\n",
    "Promise: a\n",
    " cont\n",
    "Signed-off-by: A <a@b>\n",
    "# c\n",
    "---\n",
    "key:v\n",
    "(cherry picked from commit x)\n",
    "Promise:\n",
    "\r",
    ": x\n",
    "# ------------------------ >8 ------------------------\n",
];
const TOML: &[&str] = &[
    "[promises.a]\n",
    "statement = \"s\"\n",
    "status = \"in-play\"\n",
    "[limits]\n",
    "in-play = 2\n",
    "[rules]\n",
    "no-outcome = \"deny\"\n",
    "outcomes = [{ metric = \"m\", target = 1 }]\n",
    "[[x]]\n",
    "= \n",
    "\"",
    "[",
    "]",
    "[customers.c]\n",
    "customer = \"c\"\n",
    "[commits]\n",
    "since = \"v1\"\n",
    "exempt-subjects = [\"(\"]\n",
    "\n",
];

fn cases() -> usize {
    std::env::var("PLAN_LINT_PROPERTY_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(3000)
}

fn soup(rng: &mut Rng, fragments: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.below(40) {
        if rng.below(10) == 0 {
            for _ in 0..rng.below(8) {
                out.push(rng.below(256) as u8);
            }
        } else {
            out.extend_from_slice(fragments[rng.below(fragments.len())].as_bytes());
        }
    }
    out
}

#[test]
fn markdown_scan_is_total_and_spans_stay_inside() {
    let mut rng = Rng(0xfeed_beef_1234_5679);
    for _ in 0..cases() {
        let bytes = soup(&mut rng, MD);
        let text = String::from_utf8_lossy(&bytes);
        let plan = markdown::scan(&text);
        for r in &plan.refs {
            assert!(r.span.start <= r.span.end && r.span.end <= text.len(), "{r:?} in {text:?}");
            assert!(text.is_char_boundary(r.span.start) && text.is_char_boundary(r.span.end), "{r:?} in {text:?}");
        }
        for item in &plan.items {
            assert!(item.span.end <= text.len(), "{item:?} in {text:?}");
            assert!(item.promises.iter().all(|&i| i < plan.refs.len()));
        }
    }
}

#[test]
fn trailer_parse_is_total_and_output_reparses_to_itself() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for _ in 0..cases() {
        let msg = soup(&mut rng, TRAILER);
        for opts in [trailers::Options::interpret(), trailers::Options::log()] {
            let block = trailers::parse(&msg, &opts);
            for t in &block.trailers {
                assert!(t.span.end <= msg.len() + 1 && t.value_span.end <= msg.len() + 1, "{t:?}");
            }
            // What `plan-lint trailers` prints, given back as a message body, reads the same.
            let printed = trailers::render(&block);
            if !printed.is_empty() {
                let again = trailers::parse(&[b"Subject\n\n".as_slice(), &printed].concat(), &opts);
                assert_eq!(trailers::render(&again), printed, "message {:?}", String::from_utf8_lossy(&msg));
            }
            let inserted = trailers::insert(&msg, "Promise: a", &opts.comment);
            assert!(inserted.len() > msg.len());
        }
    }
}

#[test]
fn registry_parse_is_total_and_errors_point_inside() {
    let mut rng = Rng(0x5151_7272_9393_aaab);
    for _ in 0..cases() {
        let bytes = soup(&mut rng, TOML);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let source = Source::file("promises.toml", text.clone());
        if let Err(e) = Registry::parse(&source) {
            for err in std::iter::once(&e).chain(&e.related) {
                assert!(!err.message.is_empty());
                if let Some((_, label)) = err.snippet.as_deref() {
                    assert!(label.span.end <= text.len() + 1, "{err:?} in {text:?}");
                }
            }
        }
    }
}
