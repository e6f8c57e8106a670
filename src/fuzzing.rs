//! Invariants of the parsers that read untrusted text, as functions of arbitrary bytes: the
//! bodies of the libFuzzer targets in `fuzz/` and of the property tests and seed replays in
//! `tests/`. Each panics (a finding) when an invariant breaks; none may panic otherwise.
//!
//! - the trailer parser is total, its spans lie inside the input, and what `plan-lint trailers`
//!   prints parses back to itself; inserting a trailer only ever adds bytes;
//! - message cleanup is total and idempotent;
//! - the Markdown scanner is total and its spans are inside the text, on character boundaries;
//! - the registry loader is total and its errors point inside the file;
//! - tracker bodies and `gh` exports are total and their spans are inside the text;
//! - path patterns compile or name the invalid one, and matching is total (`glob`);
//! - a line repeated into a long paragraph, the shape that was once quadratic, is read by every
//!   scanner without a panic, every trailer being one of its lines (`repeated_lines`).

use crate::registry::Registry;

/// The pack reader on a crafted pack: an index naming eight objects at offsets taken from the
/// input, the rest of the input as the pack. Total (no panic, no hang), and what it reads is
/// within the size a commit may have.
pub fn pack(data: &[u8]) {
    for commit in crate::git::pack::crafted(data).into_iter().flatten() {
        assert!(commit.len() <= 16 << 20);
    }
}
use crate::scan::{body, markdown, message, trailers};
use crate::source::Source;

pub fn trailers(data: &[u8]) {
    for opts in [trailers::Options::interpret(), trailers::Options::log()] {
        let block = trailers::parse(data, &opts);
        assert!(block.range.start <= block.range.end && block.range.end <= data.len() + 1, "{block:?}");
        for t in &block.trailers {
            assert!(t.span.end <= data.len() + 1 && t.value_span.end <= data.len() + 1, "{t:?}");
            assert!(t.span.start <= t.span.end && t.value_span.start <= t.value_span.end, "{t:?}");
        }
        let printed = trailers::render(&block);
        if !printed.is_empty() {
            let again = trailers::parse(&[b"Subject\n\n".as_slice(), &printed].concat(), &opts);
            assert_eq!(trailers::render(&again), printed, "printed trailers do not parse back");
        }
        let inserted = trailers::insert(data, "Promise: a", &opts.comment);
        assert!(inserted.len() > data.len(), "inserting a trailer lost bytes");
    }
    // Cleanup (white space and comments; the scissors cut is decided before it) is idempotent.
    for mode in [message::Cleanup::Strip, message::Cleanup::Whitespace, message::Cleanup::Scissors] {
        let once = message::clean(data, mode, b"#");
        assert_eq!(message::clean(&once, mode, b"#"), once, "cleanup does not settle ({mode:?})");
    }
    // Every reading git could store is total, and none grows the message.
    for (editor, comment) in [(Some(true), Some("auto")), (Some(false), None), (None, Some(";"))] {
        let how = message::Invocation {
            editor,
            status: true,
            comment_char: comment.map(str::to_string),
            ..message::Invocation::default()
        };
        for reading in message::readings(data, &how) {
            assert!(reading.len() <= data.len() + 1, "a reading grew the message");
        }
    }
}

pub fn markdown(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let plan = markdown::scan(&text);
    // The prefilter never skips a document that has something to read.
    if !markdown::may_have_items(text.as_bytes()) {
        assert_eq!(plan, markdown::Plan::default(), "the prefilter would skip a document with items");
    }
    for r in &plan.refs {
        assert!(r.span.start <= r.span.end && r.span.end <= text.len(), "{r:?}");
        assert!(text.is_char_boundary(r.span.start) && text.is_char_boundary(r.span.end), "{r:?}");
    }
    for item in &plan.items {
        assert!(item.span.start <= item.span.end && item.span.end <= text.len(), "{item:?}");
        assert!(item.promises.iter().all(|&i| i < plan.refs.len()), "{item:?}");
    }
    for h in &plan.hypotheses {
        let mut spans = vec![&h.span];
        if let Ok(said) = &h.said {
            spans.extend([&said.metric_span, &said.expect_span]);
        }
        for span in spans {
            assert!(span.start <= span.end && span.end <= text.len(), "{h:?}");
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end), "{h:?}");
        }
        assert!(h.promises.iter().all(|&i| i < plan.refs.len()), "{h:?}");
    }
}

pub fn registry(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let source = Source::file("promises.toml", text.clone());
    match Registry::parse(&source) {
        Ok(r) => {
            for p in &r.promises {
                assert!(crate::registry::is_slug(&p.id), "{}", p.id);
                assert!(p.id_span.end <= text.len() && p.status_span.end <= text.len());
                assert_eq!(r.promise(&p.id).map(|q| &q.id), Some(&p.id));
            }
            assert!(r.in_play_limit >= 1);
        }
        Err(e) => {
            for err in std::iter::once(&e).chain(&e.related) {
                assert!(!err.message.is_empty());
                if let Some((_, label)) = err.snippet.as_deref() {
                    assert!(label.span.start <= label.span.end && label.span.end <= text.len() + 1, "{err:?}");
                }
            }
        }
    }
}

pub fn body(data: &[u8]) {
    let text = body::normalize(&String::from_utf8_lossy(data));
    for r in body::references(&text) {
        assert!(r.span.start <= r.span.end && r.span.end <= text.len(), "{r:?}");
        assert!(text.is_char_boundary(r.span.start) && text.is_char_boundary(r.span.end), "{r:?}");
        // The span is the source the id was read from: the id itself, or, where Markdown
        // resolved emphasis delimiters, escapes or entities, the wider source range it came
        // from, which holds the id's characters in order unless an entity or escape encoded
        // them (both found by this fuzzer).
        let source = &text[r.span.clone()];
        assert!(!source.is_empty() || r.id.is_empty(), "{r:?}");
        if !source.contains(['&', '\\']) {
            let mut chars = source.chars();
            assert!(r.id.chars().all(|c| chars.any(|s| s == c)), "span {source:?} does not hold id {:?}", r.id);
        }
    }
    let first = body::first_line(&text);
    assert!(first.end <= text.len());
    let _ = body::is_open(&text);
    for t in crate::event::tickets_from_export(&text) {
        let _ = body::references(&body::normalize(&t.body));
    }
}

pub fn glob(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let patterns: Vec<&str> = lines.by_ref().take_while(|l| !l.is_empty()).collect();
    match crate::patterns::Patterns::new(&patterns) {
        Ok(set) => {
            for path in lines {
                let _ = set.is_match(path);
            }
        }
        Err((i, why)) => assert!(i <= patterns.len() && !why.is_empty(), "{i} {why}"),
    }
}

pub fn repeated_lines(data: &[u8]) {
    let Some((&n, line)) = data.split_first() else { return };
    let count = usize::from(n) * 2 + 1;
    let line: Vec<u8> = line.iter().copied().filter(|&b| b != b'\n').take(128).collect();
    let mut message = b"Subject\n\n".to_vec();
    for _ in 0..count {
        message.extend_from_slice(&line);
        message.push(b'\n');
    }
    let block = trailers::parse(&message, &trailers::Options::log());
    assert!(block.trailers.len() <= count, "more trailers than lines");
    let facts = crate::scan::commit::read(None, 1, &message, &[], b"#");
    for (_, span) in &facts.promises {
        assert!(span.start <= span.end && span.end <= facts.text.len(), "{span:?}");
    }
    markdown(&message);
    body(&message);
}

/// The index reader: any bytes give entries or an error, never a panic; every entry's path and
/// id come from inside the file.
pub fn index(data: &[u8]) {
    // Half the inputs get a valid header, so the fuzzer spends its time in the entries.
    let mut bytes = data.to_vec();
    if data.first().is_some_and(|b| b % 2 == 0) {
        let mut header = b"DIRC\0\0\0\x02".to_vec();
        header.extend_from_slice(&(u32::from(data.get(1).copied().unwrap_or(1)) % 8).to_be_bytes());
        header.extend_from_slice(&data[1.min(data.len())..]);
        bytes = header;
    }
    if let Ok(index) = crate::git::index::Index::parse(bytes.clone()) {
        for e in index.iter() {
            assert!(e.path.len() <= bytes.len(), "a path longer than the file");
            let _ = index.get_path(&String::from_utf8_lossy(e.path));
            let _ = index.sparse_folder_of(&String::from_utf8_lossy(e.path));
        }
        // The cache-tree: bounded by the file's size (a few times over), whatever its bytes.
        let folders: usize = index.cache_tree().keys().map(|k| k.len() + 20).sum();
        assert!(folders <= bytes.len().saturating_mul(4).saturating_add(1 << 20), "{folders}");
    }
}

/// The readings file: rows or errors naming a line and column, and what is rendered reads back
/// as the same rows.
pub fn outcomes(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match crate::outcomes::parse(&text) {
        Ok(rows) => {
            for r in &rows {
                assert!(r.span.start <= r.span.end && r.span.end <= text.len(), "{r:?}");
            }
            let again = crate::outcomes::parse(&crate::outcomes::render(&rows)).expect("rendered readings read back");
            let key = |r: &crate::outcomes::Reading| {
                (r.date, r.promise.clone(), r.metric.clone(), r.value.clone(), r.source.clone())
            };
            let mut a: Vec<_> = rows.iter().map(key).collect();
            let mut b: Vec<_> = again.iter().map(key).collect();
            a.sort();
            b.sort();
            assert_eq!(a, b);
            // The whole table too: the other columns' names and values read back as written.
            let table = crate::outcomes::parse_table(&text).expect("read once");
            let again = crate::outcomes::parse_table(&crate::outcomes::render_table(&table)).expect("read back");
            let all = |t: &crate::outcomes::Table| {
                let mut rows: Vec<_> = t.rows.iter().map(|r| (key(r), r.extra.clone())).collect();
                rows.sort();
                (t.extra.clone(), rows)
            };
            assert_eq!(all(&table), all(&again));
        }
        Err(errors) => assert!(!errors.is_empty() && errors.iter().all(|e| !e.message.is_empty())),
    }
    for line in text.lines().take(64) {
        let _ = crate::outcomes::quantity(line);
    }
}
