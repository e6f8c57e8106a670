//! Differential test of the registry walk against git: on generated first-parent histories with
//! several registry paths (added, changed, deleted and added again, turned into a folder and
//! back, merges bringing changes in), each path's revisions are the commits
//! `git log --first-parent -- <path>` lists, down to the one that added it; one walk for all the
//! paths says what a walk per path says, under any bound; and a walk that meets a known tip
//! stops there with exactly the revisions newer than it.

use super::{Known, Revisions, READ_FROM_GRAPH, TREES_PASSED};
use crate::git::{Oid, Repo, Rng};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::Ordering::SeqCst;

const PATHS: [&str; 6] = [
    "promises.toml",
    "teams/a/promises.toml",
    "teams/b/promises.toml",
    "teams/a/deep/promises.toml",
    "x/promises.toml",
    // Not ASCII: version-1 Bloom filters hash it differently from version 2.
    "équipe/promises.toml",
];

/// Files (path → content) as nested trees.
fn write_tree(repo: &git2::Repository, files: &BTreeMap<String, String>, prefix: &str) -> Oid {
    let mut builder = repo.treebuilder(None).unwrap();
    let mut dirs: BTreeMap<&str, ()> = BTreeMap::new();
    for (path, content) in files.range(prefix.to_string()..) {
        let Some(rest) = path.strip_prefix(prefix) else { break };
        match rest.split_once('/') {
            Some((dir, _)) => {
                dirs.insert(dir, ());
            }
            None => {
                builder.insert(rest, repo.blob(content.as_bytes()).unwrap(), 0o100644).unwrap();
            }
        }
    }
    for dir in dirs.keys() {
        let sub = write_tree(repo, files, &format!("{prefix}{dir}/"));
        builder.insert(*dir, sub, 0o040000).unwrap();
    }
    builder.write().unwrap()
}

/// Put a file at `path`: whatever stood in its way (a file where a folder goes, a folder where
/// the file goes) is taken away.
fn put(files: &mut BTreeMap<String, String>, path: &str, content: String) {
    let mut at = 0;
    while let Some(i) = path[at..].find('/') {
        files.remove(&path[..at + i]);
        at += i + 1;
    }
    let under = format!("{path}/");
    files.retain(|p, _| !p.starts_with(&under));
    files.insert(path.to_string(), content);
}

/// One random change to the files.
fn change(rng: &mut Rng, files: &mut BTreeMap<String, String>, n: usize) {
    let path = PATHS[rng.below(PATHS.len())];
    match rng.below(40) {
        0 => {
            files.remove(path);
        }
        // The path becomes a folder (its changes inside are changes to the path, for git).
        1 => put(files, &format!("{path}/inner"), format!("inner {n}")),
        // A file beside it, or the folder above it turned into a file.
        2 => {
            put(files, &path.rsplit_once('/').map_or("inner".to_string(), |p| format!("{}/inner", p.0)), format!("{n}"))
        }
        3 if path.contains('/') => put(files, path.rsplit_once('/').unwrap().0, format!("{n}")),
        3 | 5 => put(files, &format!("other/{}", rng.below(3)), format!("{n}")),
        // Nothing: a commit with its parent's tree.
        4 => {}
        _ => put(files, path, format!("revision {n}\n")),
    }
}

/// A first-parent line of `n` commits with merges; its tip.
fn history(repo: &git2::Repository, n: usize, seed: u64) -> Oid {
    let mut rng = Rng(seed);
    let mut files = BTreeMap::new();
    let mut line: Vec<(Oid, BTreeMap<String, String>)> = Vec::new();
    let commit = |files: &BTreeMap<String, String>, parents: &[Oid], i: usize| {
        let tree = repo.find_tree(write_tree(repo, files, "")).unwrap();
        let sig =
            git2::Signature::new("A", "a@example.com", &git2::Time::new(1_700_000_000 + i as i64 * 60, 0)).unwrap();
        let parents: Vec<git2::Commit> = parents.iter().map(|p| repo.find_commit(*p).unwrap()).collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(None, &sig, &sig, &format!("c{i}\n"), &tree, &refs).unwrap()
    };
    for i in 0..n {
        let parents: Vec<Oid> = line.last().map(|l| l.0).into_iter().collect();
        let oid = if i > 4 && rng.below(8) == 0 {
            // A side branch from an older commit of the line, merged: the merge's tree is the
            // side's, the line's, or the line's with a change of its own.
            let (base, mut side) = line[rng.below(line.len())].clone();
            let mut side_tip = base;
            for j in 0..1 + rng.below(3) {
                change(&mut rng, &mut side, 10_000 + i * 10 + j);
                side_tip = commit(&side, &[side_tip], i);
            }
            match rng.below(3) {
                0 => files = side,
                1 => {}
                _ => change(&mut rng, &mut files, i),
            }
            commit(&files, &[parents[0], side_tip], i)
        } else {
            change(&mut rng, &mut files, i);
            commit(&files, &parents, i)
        };
        line.push((oid, files.clone()));
    }
    line.last().unwrap().0
}

fn git(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// What git says the path's revisions are: `git log --first-parent` limited to the path, down
/// to the commit whose first parent does not have it (or the root commit).
fn git_revisions(dir: &Path, tip: Oid, path: &str) -> Vec<String> {
    if !git(dir, &["cat-file", "-e", &format!("{tip}:{path}")]).0 {
        return Vec::new();
    }
    let (ok, log) = git(dir, &["log", "--first-parent", "--format=%H", &tip.to_string(), "--", path]);
    assert!(ok);
    let mut out = Vec::new();
    for c in log.lines() {
        out.push(c.to_string());
        if !git(dir, &["cat-file", "-e", &format!("{c}^1:{path}")]).0 {
            break;
        }
    }
    out
}

fn commits(r: &Revisions) -> Vec<String> {
    r.list.iter().map(|r| r.commit.to_string()).collect()
}

/// What a history exercised: revisions made by merges, histories that begin after the root
/// commit (the file added again, or late), walks that met a known tip.
#[derive(Default, Debug)]
struct Seen {
    merges: usize,
    later_adds: usize,
    met: usize,
    /// Paths a commit's filter said for certain it did not change.
    certain: usize,
}

fn check(dir: &Path, seed: u64, seen_all: &mut Seen) {
    let repo = Repo::open(&dir.join(".git")).unwrap();
    let tip = repo.head_commit().unwrap();
    let paths: Vec<String> = PATHS.iter().map(|p| p.to_string()).collect();
    let none = vec![Vec::new(); paths.len()];
    let all = repo.revisions_of_all(tip, &paths, &none, usize::MAX);
    let mut seen = 0;
    for (path, got) in paths.iter().zip(&all) {
        let want = git_revisions(dir, tip, path);
        assert_eq!(commits(got), want, "seed {seed}, {path}");
        assert!(got.complete && got.met.is_none(), "seed {seed}, {path}");
        seen += want.len();
        for c in &want {
            seen_all.merges += usize::from(git(dir, &["rev-parse", "-q", "--verify", &format!("{c}^2")]).0);
        }
        seen_all.later_adds +=
            usize::from(want.last().is_some_and(|c| git(dir, &["rev-parse", "-q", "--verify", &format!("{c}^1")]).0));
        // One walk for all says what a walk per path says, under any bound.
        for limit in [0, 1, 2, 7, 30, 100, usize::MAX] {
            let one = repo.revisions_of(tip, path, limit);
            let of_all = repo.revisions_of_all(tip, &paths, &none, limit);
            let i = paths.iter().position(|p| p == path).unwrap();
            assert_eq!(of_all[i], one, "seed {seed}, {path}, limit {limit}");
        }
    }
    assert!(seen > 10, "seed {seed}: the history changed the paths ({seen} revisions)");
    // A walk that meets a known tip stops there: its revisions are the ones newer than the tip,
    // and the tip's own walk has the rest.
    let (_, line) = git(dir, &["rev-list", "--first-parent", &tip.to_string()]);
    let line: Vec<Oid> = line.lines().map(|l| Oid::from_str(l).unwrap()).collect();
    for k in [0, 1, 5, line.len() / 2, line.len() - 1] {
        let at = line[k];
        let from_at = repo.revisions_of_all(at, &paths, &none, usize::MAX);
        let known: Vec<Vec<Known>> = from_at
            .iter()
            .map(|r| {
                vec![
                    Known { tip: at, blob: r.blob, within: usize::MAX },
                    Known { tip: line[0], blob: Oid::zero(), within: 0 },
                ]
            })
            .collect();
        let met = repo.revisions_of_all(tip, &paths, &known, usize::MAX);
        for ((path, full), (m, older)) in paths.iter().zip(&all).zip(met.iter().zip(&from_at)) {
            let newer: Vec<String> =
                commits(full).into_iter().take_while(|c| line[..k].iter().any(|l| l.to_string() == *c)).collect();
            if m.met.is_some() {
                assert_eq!(m.met, Some((at, k)), "seed {seed}, {path}, k {k}");
                seen_all.met += 1;
                assert_eq!(commits(m), newer, "seed {seed}, {path}, k {k}");
                let mut joined = commits(m);
                joined.extend(commits(older));
                assert_eq!(joined, commits(full), "seed {seed}, {path}, k {k}");
            } else {
                // Not met only when the history ends before the tip (it was added after it).
                assert_eq!(m, full, "seed {seed}, {path}, k {k}: not met, walked in full");
                assert_eq!(full.list.len(), newer.len(), "seed {seed}, {path}, k {k}: the history reaches the tip");
            }
        }
    }
}

#[test]
fn each_path_s_revisions_are_git_s_and_one_walk_reads_them_all() {
    let mut seen = Seen::default();
    for seed in [1u64, 7, 42, 1234, 99991] {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let tip = history(&repo, 160, seed);
        repo.reference("refs/heads/main", tip, true, "test").unwrap();
        repo.set_head("refs/heads/main").unwrap();
        check(dir.path(), seed, &mut seen);
        // The same history read from the packs.
        assert!(git(dir.path(), &["repack", "-adq"]).0);
        assert!(git(dir.path(), &["prune-packed"]).0);
        check(dir.path(), seed, &mut seen);
        // And through git's commit-graph: plain, with changed-path filters of each version, and
        // as a chain of two layers (the older commits in the base).
        let info = dir.path().join(".git/objects/info");
        let older = git(dir.path(), &["rev-parse", &format!("{tip}~40")]).1;
        for (version, layers, filters) in [("1", 1, false), ("1", 1, true), ("2", 1, true), ("2", 2, true)] {
            let _ = std::fs::remove_file(info.join("commit-graph"));
            let _ = std::fs::remove_dir_all(info.join("commit-graphs"));
            let version = format!("commitGraph.changedPathsVersion={version}");
            let mut write = vec!["-c", &version, "commit-graph", "write", "--reachable"];
            if filters {
                write.push("--changed-paths");
            }
            if layers == 2 {
                assert!(git(dir.path(), &["update-ref", "refs/heads/main", older.trim()]).0);
                assert!(git(dir.path(), &[&write[..], &["--split"]].concat()).0);
                assert!(git(dir.path(), &["update-ref", "refs/heads/main", &tip.to_string()]).0);
                write.push("--split=no-merge");
            }
            assert!(git(dir.path(), &write).0, "{write:?}");
            let graph = super::super::graph::Graph::open(&dir.path().join(".git/objects")).expect("the graph reads");
            assert_eq!(graph.layers(), layers, "{write:?}");
            let before = (READ_FROM_GRAPH.load(SeqCst), TREES_PASSED.load(SeqCst));
            check(dir.path(), seed, &mut seen);
            assert!(READ_FROM_GRAPH.load(SeqCst) > before.0 + 100, "{write:?}: commits read from the graph");
            if filters {
                assert!(TREES_PASSED.load(SeqCst) > before.1 + 100, "{write:?}: trees passed by their filters");
                filters_never_miss_a_change(dir.path(), &graph, &mut seen);
            } else {
                assert_eq!(TREES_PASSED.load(SeqCst), before.1, "{write:?}: no filters, no tree passed");
            }
        }
    }
    assert!(seen.merges > 0 && seen.later_adds > 0 && seen.met > 10, "{seen:?}");
    assert!(seen.certain > 1_000, "{seen:?}: filters said for certain that paths did not change");
}

/// Every path a commit changed against its first parent (as `git diff-tree` lists them, with
/// their folders) may have changed by the commit's filter; and filters do say "certainly not"
/// for paths each commit left alone (counted in `seen.certain`).
fn filters_never_miss_a_change(dir: &Path, graph: &super::super::graph::Graph, seen: &mut Seen) {
    use super::super::graph::Key;
    let (_, all) = git(dir, &["rev-list", "--all"]);
    let mut probes: Vec<String> = PATHS.iter().map(|p| p.to_string()).collect();
    probes.extend(["teams", "teams/a", "équipe", "other/0", "absent/path"].map(String::from));
    for commit in all.lines() {
        let pos = graph.find(Oid::from_str(commit).unwrap()).expect("every commit is in the graph");
        let parent = format!("{commit}^1");
        let has_parent = git(dir, &["rev-parse", "-q", "--verify", &parent]).0;
        let diff = ["-c", "core.quotepath=off", "diff-tree", "--no-commit-id", "-r", "-t", "--name-only"];
        let trees = if has_parent { [parent.as_str(), commit] } else { ["--root", commit] };
        let (ok, changed) = git(dir, &[&diff[..], &trees[..]].concat());
        assert!(ok);
        let changed: std::collections::HashSet<&str> = changed.lines().collect();
        for path in &changed {
            assert!(graph.may_have_changed(pos, &Key::new(path)), "{commit} changed {path}: its filter must say so");
        }
        for probe in probes.iter().filter(|p| !changed.contains(p.as_str())) {
            seen.certain += usize::from(!graph.may_have_changed(pos, &Key::new(probe)));
        }
    }
}

/// A revision's time is its commit's, as `git log --format=%ct` prints it, also through a
/// commit-graph, which keeps only 34 bits of it: dates after the year 2514 are not cut short.
#[test]
fn revision_times_are_the_commits_own_beyond_the_graphs_34_bits() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], date: &str| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env_remove("GIT_DIR")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    run(&["init", "-q", "-b", "main"], "@0 +0000");
    // 2^34 s is in the year 2514: one revision before it, two after it.
    for (i, date) in ["@1700000000 +0000", "@17179869190 +0000", "@20000000000 +0000"].iter().enumerate() {
        std::fs::write(dir.path().join("promises.toml"), format!("# {i}\n")).unwrap();
        run(&["add", "promises.toml"], date);
        run(&["-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-qm", &format!("c{i}")], date);
    }
    let (ok, want) = git(dir.path(), &["log", "--format=%ct", "--", "promises.toml"]);
    assert!(ok);
    let want: Vec<i64> = want.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(want, [20_000_000_000, 17_179_869_190, 1_700_000_000], "git keeps the dates");
    let times = |repo: &Repo| {
        let all = repo.revisions_of_all(repo.head_commit().unwrap(), &["promises.toml".into()], &[Vec::new()], 10);
        all[0].list.iter().map(|r| r.time).collect::<Vec<i64>>()
    };
    assert_eq!(times(&Repo::open(&dir.path().join(".git")).unwrap()), want, "without a graph");
    assert!(git(dir.path(), &["commit-graph", "write", "--reachable", "--changed-paths"]).0);
    let before = READ_FROM_GRAPH.load(SeqCst);
    assert_eq!(times(&Repo::open(&dir.path().join(".git")).unwrap()), want, "through the graph");
    assert!(READ_FROM_GRAPH.load(SeqCst) > before, "the walk read the graph");
}
