//! The registry's history kept between runs (issue 26): `.git/plan-lint/registry-history`
//! holds the history read from each tip, and a later run walks only the commits newer than a
//! kept tip. Over generated histories (the tip moved forward, amended, reset back, another
//! branch, a merge), a run with the kept histories prints byte for byte what a run without them
//! prints, for the board (`report --format json`, Flow) and for `check` (`suspect-link`); a
//! kept file that is garbage, truncated, from another version, names a tip that is not an
//! ancestor or disagrees with the tree is ignored; and a file that cannot be written costs
//! nothing but speed.

use crate::support;

use support::rng::Rng;
use support::{Repo, Run};

const PROMISES: usize = 6;
const STATUSES: [&str; 4] = ["proposed", "in-play", "done", "dropped"];

/// The registry as a generated history has it, changed a little at each revision.
struct Registry {
    rng: Rng,
    /// Per promise: present, status, statement variant, customer, target.
    promises: Vec<(bool, usize, usize, usize, usize)>,
    limit: usize,
    time: i64,
    n: usize,
}

impl Registry {
    fn new(seed: u64) -> Registry {
        let promises = (0..PROMISES).map(|i| (i < 4, i % 3, 0, i % 2, 10 + i)).collect();
        Registry { rng: Rng(seed), promises, limit: 3, time: 1_764_547_200, n: 0 }
    }

    fn text(&self) -> String {
        let mut t = format!(
            "name = \"Generated\"\n\n[limits]\nin-play = {}\n\n[customers.shopper]\ndescription = \"People who buy\"\n\n\
             [customers.ops]\ndescription = \"Support\"\n",
            self.limit
        );
        for (i, &(present, status, statement, customer, target)) in self.promises.iter().enumerate() {
            if present {
                t.push_str(&format!(
                    "\n[promises.p{i}]\nstatement = \"Promise {i}, take {statement}.\"\ncustomer = \"{}\"\n\
                     status = \"{}\"\noutcomes = [{{ metric = \"m{i}\", baseline = \"1%\", target = \"{target}%\" }}]\n",
                    ["shopper", "ops"][customer],
                    STATUSES[status]
                ));
            }
        }
        t
    }

    /// One change to the registry.
    fn change(&mut self) {
        let i = self.rng.below(PROMISES);
        let p = &mut self.promises[i];
        match self.rng.below(8) {
            0 => p.0 = !p.0,
            1 => p.2 += 1,
            2 => p.3 = 1 - p.3,
            3 => p.4 += 1,
            4 => self.limit = 2 + self.rng.below(3),
            _ => p.1 = self.rng.below(STATUSES.len()),
        }
    }

    /// `n` commits: most change the registry (now and then through a revision that does not
    /// read), the others the plan.
    fn commits(&mut self, repo: &mut Repo, n: usize) {
        for _ in 0..n {
            self.n += 1;
            self.time += 7200;
            match self.rng.below(6) {
                0 => {
                    repo.write("PLAN.md", &plan(self.n));
                }
                1 => {
                    repo.write("promises.toml", "[promises.p0\nstatement = ");
                    self.commit(repo, "A registry that does not read");
                    self.time += 60;
                    self.change();
                    repo.write("promises.toml", &self.text());
                }
                _ => {
                    self.change();
                    repo.write("promises.toml", &self.text());
                }
            }
            self.commit(repo, &format!("Change {}", self.n));
        }
    }

    fn commit(&self, repo: &mut Repo, subject: &str) {
        repo.commit_at(&format!("@{} +0000", self.time), "Ada Lovelace <ada@example.com>", &format!("{subject}\n"));
    }
}

/// A plan with open work under every promise (what `suspect-link` judges).
fn plan(n: usize) -> String {
    (0..PROMISES).map(|i| format!("## Part {i}\nPromise: p{i}\n\n- [ ] Step {i}.{n}\n- [x] Done {i}\n\n")).collect()
}

const STATS: (&str, &str) = ("PLAN_LINT_DEBUG_HISTORY_STATS", "1");

const REPORT: &[&str] = &["report", "--format", "json", "--since", "2025-11-01", "--until", "2026-06-01"];
const CHECK: &[&str] = &["check", "--format", "json", "--no-commits"];

fn runs(repo: &Repo) -> Vec<Run> {
    runs_of(repo, &[REPORT, CHECK])
}

fn runs_of(repo: &Repo, commands: &[&[&str]]) -> Vec<Run> {
    commands
        .iter()
        .map(|args| {
            let run = support::run_with(repo.path(), args, &[STATS], None);
            assert!(matches!(run.code, 0 | 1), "{args:?}: {}{}", run.stdout, run.stderr);
            run
        })
        .collect()
}

fn cache(repo: &Repo) -> std::path::PathBuf {
    repo.path().join(".git/plan-lint/registry-history")
}

/// How many commits the board's history walk read (the first `registry history` line).
fn commits_read(run: &Run) -> usize {
    let line = run.stderr.lines().find(|l| l.starts_with("registry history: ")).expect("the history was read");
    line["registry history: ".len()..].split(' ').next().unwrap().parse().unwrap()
}

/// Runs with the kept histories and without any print the same; the kept file is left as the
/// runs with it left it. Returns the commits the board's walk read with them.
fn same_with_and_without(repo: &Repo, label: &str) -> usize {
    same_with_and_without_for(repo, label, &[REPORT, CHECK])
}

fn same_with_and_without_for(repo: &Repo, label: &str, commands: &[&[&str]]) -> usize {
    let warm = runs_of(repo, commands);
    let kept = std::fs::read(cache(repo)).expect("the history is kept");
    std::fs::remove_dir_all(repo.path().join(".git/plan-lint")).unwrap();
    let cold = runs_of(repo, commands);
    for (w, c) in warm.iter().zip(&cold) {
        assert!(w.code == c.code && w.stdout == c.stdout, "{label}: with and without the kept history differ");
    }
    std::fs::write(cache(repo), kept).unwrap();
    commits_read(&warm[0])
}

#[test]
fn a_kept_history_gives_what_a_fresh_walk_gives_wherever_the_tip_goes() {
    for seed in [3u64, 17, 2026] {
        let mut repo = Repo::new();
        repo.write("PLAN.md", &plan(0));
        let mut g = Registry::new(seed);
        repo.write("promises.toml", &g.text());
        g.commit(&mut repo, "Adopt promises");
        g.commits(&mut repo, 30);
        let total: usize = repo.git(&["rev-list", "--count", "HEAD"]).trim().parse().unwrap();
        // Nothing kept yet: a full walk, to the commit that added the registry.
        let first = runs(&repo);
        assert_eq!(commits_read(&first[0]), total, "seed {seed}");
        assert!(cache(&repo).exists(), "seed {seed}: the history is kept");
        assert_eq!(same_with_and_without(&repo, "the same tip"), 0, "seed {seed}: nothing walked");

        // The tip moved forward: only the new commits are read.
        g.commits(&mut repo, 5);
        assert_eq!(same_with_and_without(&repo, "forward"), 5 + count_unreadable(&repo, 5), "seed {seed}");

        // The tip amended with another registry: from the amended commit's parent on, kept.
        g.change();
        repo.write("promises.toml", &g.text());
        repo.git(&["commit", "-q", "-a", "--amend", "-m", "Amended"]);
        same_with_and_without(&repo, "amended");

        // Reset back below every kept tip: walked in full, and kept again.
        repo.git(&["reset", "-q", "--hard", "HEAD~8"]);
        same_with_and_without(&repo, "reset back");

        // Another branch from further back, then back to main, then the branch merged.
        repo.git(&["checkout", "-q", "-b", "side", "HEAD~3"]);
        g.commits(&mut repo, 4);
        same_with_and_without(&repo, "another branch");
        repo.git(&["checkout", "-q", "main"]);
        assert_eq!(same_with_and_without(&repo, "back to main"), 0, "seed {seed}: main's tip is kept");
        let merge = repo.git(&["merge", "-q", "--no-ff", "-X", "theirs", "-m", "Merge side", "side"]);
        let _ = merge;
        assert_eq!(same_with_and_without(&repo, "merged"), 1, "seed {seed}: the merge's first parent is kept");

        // A file that cannot be trusted is ignored: the runs print what runs without it print.
        let good = std::fs::read_to_string(cache(&repo)).unwrap();
        let fresh = {
            std::fs::remove_file(cache(&repo)).unwrap();
            runs(&repo)
        };
        let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
        let dangling = repo.git(&["commit-tree", "-m", "dangling", "HEAD^{tree}"]).trim().to_string();
        // The control: the kept history of HEAD, made up, is believed (its tip and its entry at
        // the tip agree with the repository); each case below makes up the same history.
        std::fs::write(cache(&repo), entry_changed(&good, &head, |e| e)).unwrap();
        assert_ne!(runs(&repo)[0].stdout, fresh[0].stdout, "seed {seed}: the kept history is read");
        let hostile = [
            ("garbage", "\u{0}\u{1}not a history at all".to_string()),
            ("truncated", good[..good.len() / 2].to_string()),
            ("another version", good.replacen("registry-history ", "registry-history 0.0.0-other ", 1)),
            ("a tip that is not an ancestor", entry_changed(&good, &head, |e| e.replace(&head, &dangling))),
            (
                "a tip whose registry is another",
                entry_changed(&good, &head, |e| {
                    let blob = e.find("\"blob\":\"").unwrap() + "\"blob\":\"".len();
                    format!("{}{}{}", &e[..blob], "0".repeat(39) + "1", &e[blob + 40..])
                }),
            ),
            ("an object id in capitals", entry_changed(&good, &head, |e| e.replace(&head, &head.to_uppercase()))),
            ("a negative count", entry_changed(&good, &head, |e| e.replacen("\"read\":", "\"read\":-", 1))),
        ];
        for (what, text) in hostile {
            std::fs::write(cache(&repo), &text).unwrap();
            let got = runs(&repo);
            for (g, f) in got.iter().zip(&fresh) {
                assert!(g.code == f.code && g.stdout == f.stdout, "seed {seed}: {what}: not as without it");
                assert!(!g.stderr.contains("plan-lint:"), "seed {seed}: {what}: no error, no note\n{}", g.stderr);
            }
        }
        // Replaced by a good one.
        std::fs::remove_file(cache(&repo)).unwrap();
        runs(&repo);
        let kept = std::fs::read_to_string(cache(&repo)).unwrap();
        assert!(kept.starts_with("plan-lint registry-history "), "{}", &kept[..40.min(kept.len())]);
    }
}

/// A repository with two teams' registries beside the root's, each with its own history: every
/// scope's runs print the same with the kept histories (all three read in one walk, kept
/// together) and without.
#[test]
fn every_scope_s_kept_history_gives_what_a_fresh_walk_gives() {
    let mut repo = Repo::new();
    let teams = ["teams/a", "teams/b"];
    let mut gens = [Registry::new(11), Registry::new(23), Registry::new(37)];
    let scopes = "\n[scopes]\nmembers = [\"teams/a\", \"teams/b\"]\n";
    let write = |repo: &Repo, gens: &[Registry; 3]| {
        repo.write("promises.toml", &(gens[0].text() + scopes));
        for (team, g) in teams.iter().zip(&gens[1..]) {
            repo.write(&format!("{team}/promises.toml"), &g.text());
        }
    };
    repo.write("PLAN.md", &plan(0)).write("teams/a/PLAN.md", &plan(1)).write("teams/b/PLAN.md", &plan(2));
    write(&repo, &gens);
    gens[0].commit(&mut repo, "Adopt promises in two teams");
    let step = |repo: &mut Repo, gens: &mut [Registry; 3], n: usize| {
        for i in 0..n {
            let which = (i * 7 + n) % 4;
            if which < 3 {
                gens[which].change();
            } else {
                repo.write("teams/a/PLAN.md", &plan(i + 10));
            }
            write(repo, gens);
            gens[0].time += 3600;
            gens[0].commit(repo, &format!("Scoped change {i}"));
        }
    };
    step(&mut repo, &mut gens, 24);
    // The board first: it believes the kept histories (the count of commits read is its own);
    // `check` walks for itself, every scope in one walk.
    let commands: [&[&str]; 3] = [
        REPORT,
        &["report", "--scope", "teams/a", "--format", "json", "--since", "2025-11-01", "--until", "2026-06-01"],
        &["check", "--all", "--format", "json", "--no-commits"],
    ];
    // One walk reads every scope's registry history: the members' runs find theirs read.
    let first = runs_of(&repo, &commands);
    let walks = first[2].stderr.lines().filter(|l| l.starts_with("registry history: ")).count();
    assert_eq!(walks, 1, "{}", first[2].stderr);
    let kept = std::fs::read_to_string(cache(&repo)).unwrap();
    for path in ["promises.toml", "teams/a/promises.toml", "teams/b/promises.toml"] {
        assert!(kept.contains(&format!("{{\"path\":\"{path}\"")), "{path} is kept");
    }
    assert_eq!(same_with_and_without_for(&repo, "the same tip", &commands), 0);
    step(&mut repo, &mut gens, 6);
    assert_eq!(same_with_and_without_for(&repo, "forward", &commands), 6);
    repo.git(&["reset", "-q", "--hard", "HEAD~9"]);
    same_with_and_without_for(&repo, "reset back", &commands);
    step(&mut repo, &mut gens, 3);
    assert_eq!(same_with_and_without_for(&repo, "forward again", &commands), 3);
}

/// How many of the last `n` commits on the first-parent line came with a registry that does not
/// read just before them (each such change is two commits).
fn count_unreadable(repo: &Repo, n: usize) -> usize {
    let log = repo.git(&["log", "--first-parent", "--format=%s", &format!("-{}", 2 * n)]);
    let mut changes = 0;
    let mut extra = 0;
    for subject in log.lines() {
        if subject.starts_with("Change ") {
            changes += 1;
            if changes > n {
                break;
            }
        } else if subject == "A registry that does not read" {
            extra += 1;
        }
    }
    extra
}

/// The kept file with the root registry's entry at `tip` made up (promise `p1` renamed `zz` in
/// its history) and then changed by `how`.
fn entry_changed(good: &str, tip: &str, how: impl Fn(String) -> String) -> String {
    let at = good.find(&format!("{{\"path\":\"promises.toml\",\"tip\":\"{tip}\"")).expect("the tip is kept");
    let end = good[at + 1..].find("{\"path\":").map_or(good.len() - 1, |e| at + 1 + e - 1);
    let entry = how(good[at..end].replace("\"p1\"", "\"zz\""));
    format!("{}{entry}{}", &good[..at], &good[end..])
}

/// A git directory plan-lint cannot write into: the runs print what they print, with no error,
/// and nothing is written.
#[test]
fn a_history_that_cannot_be_kept_costs_nothing_but_speed() {
    let mut repo = Repo::new();
    repo.write("PLAN.md", &plan(0));
    let mut g = Registry::new(5);
    repo.write("promises.toml", &g.text());
    g.commit(&mut repo, "Adopt promises");
    g.commits(&mut repo, 12);
    let fresh = runs(&repo);
    std::fs::remove_dir_all(repo.path().join(".git/plan-lint")).unwrap();
    // Where the folder would go, a file.
    std::fs::write(repo.path().join(".git/plan-lint"), "in the way").unwrap();
    let got = runs(&repo);
    for (g, f) in got.iter().zip(&fresh) {
        assert!(g.code == f.code && g.stdout == f.stdout, "not as with a kept history");
        assert!(!g.stderr.contains("plan-lint:"), "{}", g.stderr);
    }
    assert_eq!(std::fs::read_to_string(repo.path().join(".git/plan-lint")).unwrap(), "in the way");
    std::fs::remove_file(repo.path().join(".git/plan-lint")).unwrap();
    // A read-only git directory (not for root, who may write anywhere).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let git_dir = repo.path().join(".git");
        std::fs::set_permissions(&git_dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(git_dir.join("probe"), "x").is_err() {
            let got = runs(&repo);
            for (g, f) in got.iter().zip(&fresh) {
                assert!(g.code == f.code && g.stdout == f.stdout, "read-only: not as with a kept history");
                assert!(!g.stderr.contains("plan-lint:"), "{}", g.stderr);
            }
            assert!(!git_dir.join("plan-lint").exists());
        }
        let _ = std::fs::remove_file(git_dir.join("probe"));
        std::fs::set_permissions(&git_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A registry not committed yet has no history to keep: nothing is written.
#[test]
fn nothing_is_kept_for_a_registry_not_committed() {
    let mut repo = Repo::new();
    repo.write("README.md", "# Shop\n");
    repo.commit("Start\n");
    repo.write("PLAN.md", &plan(0)).write("promises.toml", &Registry::new(1).text());
    let run = support::run_with(repo.path(), CHECK, &[STATS], None);
    assert!(matches!(run.code, 0 | 1), "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("registry history: 0 commits read"), "{}", run.stderr);
    assert!(!repo.path().join(".git/plan-lint").exists());
}

/// The kept history is the board's: a `check` (what CI and the editor server run, and what a
/// team can set to deny `suspect-link`) walks for itself, so a kept file edited to leave a
/// contract change out cannot hide the open items planned against the old contract.
#[test]
fn a_made_up_kept_history_cannot_hide_a_suspect_link_from_check() {
    let mut repo = Repo::new();
    let registry = |target: &str| {
        format!(
            "[rules]\nsuspect-link = \"deny\"\n\n[promises.a]\nstatement = \"A shopper can pay.\"\nstatus = \"in-play\"\n\
             outcomes = [{{ metric = \"paid\", baseline = \"1%\", target = \"{target}\" }}]\n"
        )
    };
    repo.write("promises.toml", &registry("5%")).write("PLAN.md", "# Plan\n\n- [ ] Pay by card (Promise: a)\n");
    repo.commit("Adopt\n\nPromise: a\n");
    repo.write("promises.toml", &registry("7%"));
    repo.commit("Raise the target\n\nPromise: a\n");
    let check = || repo.plan_lint(&["check", "--no-commits"]);
    let honest = check();
    honest.expect_code(1);
    assert!(honest.stdout.contains("suspect-link"), "{}", honest.stdout);
    // The board keeps the history; the kept file is then edited to leave the target change out.
    repo.plan_lint(&["report", "--format", "json"]).expect_code(0);
    let kept = std::fs::read_to_string(cache(&repo)).expect("the board keeps the history");
    assert!(kept.contains("\"kind\":\"target\""), "{kept}");
    let at = kept.find("{\"kind\":\"target\"").unwrap();
    let end = at + kept[at..].find('}').unwrap() + 1;
    let made_up = format!("{}{}{}", &kept[..at], "{\"kind\":\"limit\",\"from\":3,\"to\":3}", &kept[end..]);
    std::fs::write(cache(&repo), &made_up).unwrap();
    let after = check();
    assert_eq!((after.code, &after.stdout), (honest.code, &honest.stdout), "the kept file changed check's verdict");
}
