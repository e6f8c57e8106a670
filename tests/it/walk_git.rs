//! Differential test: plan-lint's commit walk against `git rev-list`, on a random history with
//! branches, merges and committer dates that go backwards (clock skew), for every range form
//! `check --commits` takes, with the objects loose, packed, or packed as deltas. Same commits,
//! same order. And the packed cases are read from the packs: a pack reader that read nothing
//! would still match git (libgit2 reads what it leaves), so the walk's own count is asserted.

use crate::support;

use git2::{Oid, Repository, Signature, Time};
use std::process::Command;
use support::rng::Rng;
use support::{git_env, run_with};

/// A history of `n` commits on four branches with merges, dates mostly rising, sometimes skewed.
fn random_history(repo: &Repository, n: usize, seed: u64) -> Vec<Oid> {
    let mut rng = Rng(seed);
    let tree = repo.find_tree(repo.treebuilder(None).unwrap().write().unwrap()).unwrap();
    let mut tips: Vec<Option<Oid>> = vec![None; 4];
    let mut all = Vec::new();
    let mut time = 1_700_000_000i64;
    for i in 0..n {
        time += 60;
        // One commit in twelve is dated in the past, as from a machine with a wrong clock.
        let when = if rng.below(12) == 0 { time - 60 * (1 + rng.below(40) as i64) } else { time };
        let sig = Signature::new("A", "a@example.com", &Time::new(when, 0)).unwrap();
        let b = rng.below(4);
        let mut parents: Vec<Oid> = tips[b].into_iter().collect();
        if parents.is_empty() && i > 0 {
            parents.push(all[rng.below(all.len())]);
        }
        if rng.below(6) == 0 {
            let other = rng.below(4);
            if let Some(t) = tips[other] {
                if !parents.contains(&t) {
                    parents.push(t);
                }
            }
        }
        let parents: Vec<git2::Commit> = parents.iter().map(|p| repo.find_commit(*p).unwrap()).collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        let oid = repo.commit(None, &sig, &sig, &format!("c{i}\n"), &tree, &refs).unwrap();
        tips[b] = Some(oid);
        all.push(oid);
    }
    for (b, tip) in tips.iter().enumerate() {
        if let Some(t) = tip {
            repo.reference(&format!("refs/heads/b{b}"), *t, true, "test").unwrap();
        }
    }
    all
}

/// `check --commits` over the branches walks every commit of the history once; the walk's count
/// (`PLAN_LINT_DEBUG_WALK_STATS=1`, src/git/walk.rs) says each came from the packs when the
/// history is packed, whole or as deltas, and each through libgit2 when it is loose.
fn assert_read_from(dir: &std::path::Path, packed: bool, seed: u64) {
    std::fs::write(
        dir.join("promises.toml"),
        "[promises.p]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", baseline = \"1\", target = \"2\" }]\n",
    )
    .unwrap();
    let tips = "b0 b1 b2 b3";
    let count = rev_list(dir, &tips.split(' ').map(str::to_string).collect::<Vec<_>>()).len();
    assert!(count > 300, "seed {seed}: the history was not built ({count} commits)");
    let run =
        run_with(dir, &["check", "--commits", tips, "--format", "json"], &[("PLAN_LINT_DEBUG_WALK_STATS", "1")], None);
    // Every commit is untraced: findings, exit 1, whichever reader read them.
    run.expect_code(1);
    let (packs, libgit2) = if packed { (count, 0) } else { (0, count) };
    let want = format!("commits read from packs: {packs}, from libgit2: {libgit2}");
    assert!(
        run.stderr.lines().any(|l| l == want),
        "seed {seed} ({}): want `{want}` on stderr, got:\n{}",
        if packed { "packed" } else { "loose" },
        run.stderr
    );
    std::fs::remove_file(dir.join("promises.toml")).unwrap();
}

fn rev_list(dir: &std::path::Path, args: &[String]) -> Vec<String> {
    let out = git_env(Command::new("git"), dir).arg("rev-list").args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

#[test]
fn walk_matches_git_rev_list() {
    for seed in [3u64, 77, 1234, 99991, 5, 808, 4242, 31337, 123456, 7777777] {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let all = random_history(&repo, 400, seed);
        // Loose, packed as `git gc` packs, or repacked hard (commits stored as deltas): the walk
        // reads commits from packs itself, so it is compared with git over each.
        let repack: &[&str] = match seed % 3 {
            0 => &[],
            1 => &["repack", "-a", "-d", "-q"],
            _ => &["repack", "-a", "-d", "-q", "-f", "--depth=50", "--window=250"],
        };
        if !repack.is_empty() {
            let out = git_env(Command::new("git"), dir.path()).args(repack).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        assert_read_from(dir.path(), !repack.is_empty(), seed);
        let ours = plan_lint::__private::Repo::discover(dir.path()).unwrap();
        let since = all[120].to_string();
        let cases: Vec<(String, Option<String>)> = vec![
            ("b0".into(), None),
            ("b1..b0".into(), None),
            ("b0..b1".into(), None),
            ("b2...b3".into(), None),
            ("^b1 ^b2 b0".into(), None),
            ("b3 b1".into(), None),
            ("b0".into(), Some(since.clone())),
            ("b2..b3".into(), Some(since.clone())),
        ];
        for (spec, since) in cases {
            let since_oid = since.as_deref().map(|s| Oid::from_str(s).unwrap());
            let got: Vec<String> =
                ours.range(Some(&spec), since_oid).unwrap().oids.iter().map(|o| o.to_string()).collect();
            let mut args: Vec<String> = spec.split_whitespace().map(str::to_string).collect();
            if let Some(s) = &since {
                args.push(format!("^{s}"));
            }
            let want = rev_list(dir.path(), &args);
            let mut got_sorted = got.clone();
            let mut want_sorted = want.clone();
            got_sorted.sort();
            want_sorted.sort();
            let extra: Vec<&String> = got.iter().filter(|g| !want.contains(g)).collect();
            let missing: Vec<&String> = want.iter().filter(|w| !got.contains(w)).collect();
            assert_eq!(
                got_sorted, want_sorted,
                "seed {seed}, range {spec:?} since {since:?}: different commits\nextra (ours only): {extra:?}\nmissing (git only): {missing:?}"
            );
            assert_eq!(got, want, "seed {seed}, range {spec:?} since {since:?}: same commits, different order");
        }
        // `--since` windows (issue 15): the walk stops at the window's edge by git's own rule,
        // with or without exclusions, over skewed dates. Edges fall at the date of commits
        // across the history, so some land among skewed ones.
        let time_of = |oid: Oid| repo.find_commit(oid).unwrap().committer().when().seconds();
        for edge in [50usize, 199, 200, 333, 398] {
            let at = time_of(all[edge]);
            for spec in ["b0", "b3 b1", "b1..b0", "^b1 ^b2 b0", "b2...b3"] {
                let got: Vec<String> =
                    ours.range_since(Some(spec), None, Some(at)).unwrap().oids.iter().map(|o| o.to_string()).collect();
                let mut args: Vec<String> = spec.split_whitespace().map(str::to_string).collect();
                args.push(format!("--since=@{at}"));
                let want = rev_list(dir.path(), &args);
                assert_eq!(got, want, "seed {seed}, range {spec:?} --since=@{at}");
            }
        }
    }
}
