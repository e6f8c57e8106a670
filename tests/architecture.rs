//! The shape of the code, checked: the top-level modules import each other without a cycle,
//! and the one-way flow holds (sources → facts → rules → sink → reporters): only the engine
//! imports both the sources and the rules; rules never touch git, files or reporters; scanners
//! and codes import nothing that judges or reads. ARCHITECTURE.md describes the same map.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules it names (`crate::x`, `crate::{x, y::z}`).
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap();
            let first = rel.components().next().unwrap().as_os_str().to_string_lossy().to_string();
            let module = first.trim_end_matches(".rs").to_string();
            if module == "lib" || module == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Unit tests may reach anywhere; comments name modules without importing them.
            let code: String = text
                .split("#[cfg(test)]")
                .next()
                .unwrap()
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let deps = graph.entry(module.clone()).or_default();
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + "crate::".len()..];
                let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                    group[..group.find('}').unwrap_or(group.len())]
                        .split(',')
                        .map(|s| s.trim().split("::").next().unwrap_or(""))
                        .collect()
                } else {
                    vec![rest.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or("")]
                };
                for name in names.into_iter().filter(|n| !n.is_empty() && *n != module) {
                    deps.insert(name.to_string());
                }
            }
        }
    }
    graph
}

fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut c = path[at..].to_vec();
            c.push(node.to_string());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for dep in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(dep, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn top_level_modules_import_each_other_without_a_cycle() {
    let graph = imports();
    assert!(graph.len() > 15, "the module map was not read: {graph:?}");
    assert_eq!(cycle(&graph), None, "{graph:#?}");
    // The check itself finds a cycle when there is one.
    let mut broken = graph.clone();
    broken.entry("code".into()).or_default().insert("rules".into());
    assert!(cycle(&broken).is_some());
}

#[test]
fn the_flow_is_one_way() {
    let graph = imports();
    let deps = |m: &str| graph.get(m).cloned().unwrap_or_default();
    // Only the engine calls the rules (the CLI lists their declarations for `rules` and
    // `explain`, and reporters read them for SARIF, but neither judges).
    for (file, text) in sources_outside(&["engine.rs", "rules"]) {
        let builds_facts = text.match_indices("Facts {").any(|(i, _)| {
            let before = text[..i].trim_end();
            !before.ends_with(|c: char| c.is_alphanumeric() || c == '_') && !before.ends_with("struct")
        });
        assert!(!builds_facts, "{file} builds `Facts` by hand: only the engine gathers facts");
        for call in ["rules::judge", "Sink::", "Levels::new"] {
            assert!(!text.contains(call), "{file} calls `{call}`: only the engine gathers facts and calls the rules");
        }
    }
    for forbidden in ["git", "files", "engine", "report", "cli"] {
        assert!(!deps("rules").contains(forbidden), "rules import {forbidden}");
        assert!(!deps("facts").contains(forbidden), "facts import {forbidden}");
        assert!(!deps("scan").contains(forbidden), "scanners import {forbidden}");
    }
    for forbidden in ["engine", "git", "files", "cli"] {
        assert!(!deps("report").contains(forbidden), "reporters import {forbidden}");
    }
    assert!(deps("code").is_empty(), "code is a leaf: {:?}", deps("code"));
    assert!(deps("scan").iter().all(|d| d == "suggest"), "scanners import only helpers: {:?}", deps("scan"));
}

/// Every source file outside the given files or directories of `src/`, with its text (tests and
/// comments removed).
fn sources_outside(except: &[&str]) -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(&src).unwrap().to_string_lossy().to_string();
            if except.iter().any(|e| rel == *e || rel.starts_with(&format!("{e}/"))) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap();
                let code: Vec<&str> = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
                out.push((rel, code.join("\n")));
            }
        }
    }
    assert!(out.len() > 20, "the sources were not read");
    out
}
