//! In-process benchmarks for the two scanners, each beside a baseline on the same input so the
//! ratio, not the absolute time, is what to read:
//!
//! - trailers: plan-lint's git-exact parser vs splitting the same messages into lines;
//! - markdown: plan-lint's plan scanner vs pulldown-cmark's bare event stream (the parser it is
//!   built on), on the same documents.
//!
//! `cargo bench --bench scan`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use plan_lint::scan::{markdown, trailers};
use std::hint::black_box;

fn messages() -> Vec<Vec<u8>> {
    (0..1000)
        .map(|i| {
            let mut m = format!("Add the search index ({i})\n\n");
            if i % 3 == 0 {
                m.push_str("The previous version recomputed the whole list on every keystroke.\n\n");
            }
            m.push_str("Promise: find-and-buy\n");
            if i % 2 == 0 {
                m.push_str("Signed-off-by: Ada Lovelace <ada@example.com>\n");
            }
            m.into_bytes()
        })
        .collect()
}

fn documents() -> Vec<String> {
    (0..100)
        .map(|n| {
            let mut s = format!("# Plan {n}\n\nThemes and outcomes for area {n}.\n\n");
            for section in 0..4 {
                s.push_str(&format!("## Section {section}\nPromise: promise-{section:04}\n\n"));
                for item in 0..6 {
                    s.push_str(&format!("- [ ] Speed up the checkout flow ({item}) (Promise: find-and-buy)\n"));
                }
                s.push_str("\nSome prose with `inline code` and a [link](https://example.com).\n\n");
            }
            s
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let msgs = messages();
    let bytes: usize = msgs.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("trailers");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(BenchmarkId::new("baseline", "split lines"), |b| {
        b.iter(|| msgs.iter().map(|m| black_box(m).split(|&c| c == b'\n').count()).sum::<usize>())
    });
    let opts = trailers::Options::log();
    g.bench_function(BenchmarkId::new("plan-lint", "parse"), |b| {
        b.iter(|| msgs.iter().map(|m| trailers::parse(black_box(m), &opts).trailers.len()).sum::<usize>())
    });
    g.finish();

    let docs = documents();
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut g = c.benchmark_group("markdown");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(BenchmarkId::new("baseline", "pulldown-cmark events"), |b| {
        let opts =
            pulldown_cmark::Options::ENABLE_TASKLISTS | pulldown_cmark::Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
        b.iter(|| {
            docs.iter()
                .map(|d| pulldown_cmark::Parser::new_ext(black_box(d), opts).into_offset_iter().count())
                .sum::<usize>()
        })
    });
    g.bench_function(BenchmarkId::new("plan-lint", "scan"), |b| {
        b.iter(|| docs.iter().map(|d| markdown::scan(black_box(d)).items.len()).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
