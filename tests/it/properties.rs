//! Property tests for the parsers that read untrusted text: for thousands of generated inputs
//! (soups of meaningful fragments and raw bytes, deterministic per seed) they never panic, every
//! span lies inside the input, and what `plan-lint trailers` prints parses back to itself (the
//! invariants are `plan_lint::fuzzing`, shared with the libFuzzer targets in `fuzz/`).
//! `PLAN_LINT_PROPERTY_CASES` raises the count for a longer run.

use crate::support;

use plan_lint::fuzzing;
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

/// Body, TOML and Markdown fragments mixed: what tracker bodies look like.
fn body_soup(rng: &mut Rng) -> Vec<u8> {
    let mut out = soup(rng, MD);
    out.extend(soup(rng, TRAILER));
    out
}

#[test]
fn markdown_scan_is_total_and_spans_stay_inside() {
    let mut rng = Rng(0xfeed_beef_1234_5679);
    for _ in 0..cases() {
        fuzzing::markdown(&soup(&mut rng, MD));
    }
}

#[test]
fn trailer_parse_is_total_and_output_reparses_to_itself() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for _ in 0..cases() {
        fuzzing::trailers(&soup(&mut rng, TRAILER));
    }
}

#[test]
fn registry_parse_is_total_and_errors_point_inside() {
    let mut rng = Rng(0x5151_7272_9393_aaab);
    for _ in 0..cases() {
        fuzzing::registry(&soup(&mut rng, TOML));
    }
}

#[test]
fn bodies_are_total_and_references_are_their_ids() {
    let mut rng = Rng(0x7777_1111_2222_3333);
    for _ in 0..cases() {
        fuzzing::body(&body_soup(&mut rng));
    }
}

/// Every seed of the fuzz targets (`fuzz/seeds/<target>/`), and every crash the fuzzers ever
/// found (kept there as regressions), replayed on the stable toolchain.
#[test]
fn fuzz_seeds_replay() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    type Target = fn(&[u8]);
    let targets: [(&str, Target); 9] = [
        ("trailers", fuzzing::trailers),
        ("markdown", fuzzing::markdown),
        ("registry", fuzzing::registry),
        ("body", fuzzing::body),
        ("glob", fuzzing::glob),
        ("repeated_lines", fuzzing::repeated_lines),
        ("index", fuzzing::index),
        ("outcomes", fuzzing::outcomes),
        ("pack", fuzzing::pack),
    ];
    for (name, target) in targets {
        let dir = root.join(name);
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            target(&std::fs::read(&path).unwrap());
            n += 1;
        }
        assert!(n >= 3, "{name}: only {n} seeds");
    }
}
