//! Traced work: how many commits serve each promise, when, and by how many people.
//!
//! Findings say what is wrong; the tally says where the work went. The CI job summary shows the
//! work a pull request traces to each promise, and `plan-lint report` shows activity per promise
//! over time. It is built by the commit workers chunk by chunk ([`Tally::merge`]) and never holds
//! a commit's text: per promise it keeps counts, a per-author count and a per-week count.

use std::collections::BTreeMap;

/// Seconds in a week.
pub const WEEK: i64 = 7 * 24 * 3600;

/// The Monday 00:00 UTC starting the week of `t` (1970-01-05 was a Monday): the key of
/// [`Work::weeks`].
pub fn week_start(t: i64) -> i64 {
    const MONDAY: i64 = 4 * 24 * 3600;
    (t - MONDAY).div_euclid(WEEK) * WEEK + MONDAY
}

/// What one commit contributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Class<'a> {
    /// Names these promise ids in `Promise:` trailers (the registry's, each once; possibly none).
    Traced(Vec<&'a str>),
    /// A declared exception (`Untraced: <reason>`).
    Exception,
    /// Needs no trailer (merge, fixup!, an exempt subject).
    Exempt,
    /// Names no promise and is not exempt.
    Untraced,
}

/// Work on one promise.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Work {
    pub commits: usize,
    /// Committer time (Unix seconds) of the newest commit, 0 when none.
    pub last: i64,
    /// Commits per author e-mail.
    pub authors: BTreeMap<String, usize>,
    /// Commits per week (the key is the week's start, Unix seconds).
    pub weeks: BTreeMap<i64, usize>,
    /// Each commit's time, unordered (drift rules count commits after a status change).
    #[serde(skip)]
    pub times: Vec<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Every commit counted, whatever its class.
    pub commits: usize,
    pub untraced: usize,
    pub exempt: usize,
    pub exceptions: usize,
    /// Per promise of the registry named in a trailer (each commit counted once per promise).
    pub promises: BTreeMap<String, Work>,
    /// The declared exceptions, newest first once merged in walk order.
    pub declared: Vec<Declared>,
    /// Untraced commits per week (the key is the week's start), for the board's chart.
    pub untraced_weeks: BTreeMap<i64, usize>,
    /// Who made each untraced commit and when, for the board's list (not serialised).
    #[serde(skip)]
    pub untraced_by: Vec<UntracedBy>,
    /// The promise each untraced commit most likely serves, when something says so (by full
    /// id): `(promise, why)`. Filled after the walk for the few looked up.
    #[serde(skip)]
    pub likely: BTreeMap<String, (String, String)>,
}

/// An untraced commit's author (e-mail) and committer time, Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UntracedBy {
    pub sha: String,
    pub author: String,
    pub time: i64,
}

/// A commit that declares it serves no promise (`Untraced: <reason>`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Declared {
    pub sha: String,
    pub subject: String,
    pub reason: String,
    /// Committer time, Unix seconds.
    pub time: i64,
}

impl Tally {
    /// Count one commit (`sign` 1), or take one back (`sign` -1) that the walk yielded before
    /// skewed dates showed it is outside the range, as git does.
    pub fn add(&mut self, class: &Class<'_>, time: i64, author: &str, sign: isize) {
        let bump = |n: &mut usize| *n = n.saturating_add_signed(sign);
        bump(&mut self.commits);
        match class {
            Class::Untraced => {
                bump(&mut self.untraced);
                bump(self.untraced_weeks.entry(week_start(time)).or_default());
            }
            Class::Exempt => bump(&mut self.exempt),
            Class::Exception => bump(&mut self.exceptions),
            Class::Traced(ids) => {
                for id in ids {
                    let work = match self.promises.get_mut(*id) {
                        Some(w) => w,
                        None => self.promises.entry(id.to_string()).or_default(),
                    };
                    bump(&mut work.commits);
                    if sign > 0 {
                        work.last = work.last.max(time);
                        work.times.push(time);
                    } else if let Some(i) = work.times.iter().position(|&t| t == time) {
                        work.times.swap_remove(i);
                    }
                    // Look up before inserting: one allocation per author, not per commit.
                    match work.authors.get_mut(author) {
                        Some(n) => bump(n),
                        None => bump(work.authors.entry(author.to_string()).or_default()),
                    }
                    bump(work.weeks.entry(week_start(time)).or_default());
                }
            }
        }
    }

    /// Add another tally (a worker's chunk) to this one.
    pub fn merge(&mut self, other: Tally) {
        self.declared.extend(other.declared);
        self.untraced_by.extend(other.untraced_by);
        self.likely.extend(other.likely);
        self.commits += other.commits;
        self.untraced += other.untraced;
        for (k, n) in other.untraced_weeks {
            *self.untraced_weeks.entry(k).or_default() += n;
        }
        self.untraced_weeks.retain(|_, n| *n > 0);
        self.exempt += other.exempt;
        self.exceptions += other.exceptions;
        for (id, w) in other.promises {
            let mine = self.promises.entry(id).or_default();
            mine.commits += w.commits;
            mine.last = mine.last.max(w.last);
            mine.times.extend(w.times);
            for (a, n) in w.authors {
                *mine.authors.entry(a).or_default() += n;
            }
            for (k, n) in w.weeks {
                *mine.weeks.entry(k).or_default() += n;
            }
        }
        self.promises.retain(|_, w| w.commits > 0);
        for w in self.promises.values_mut() {
            w.authors.retain(|_, n| *n > 0);
            w.weeks.retain(|_, n| *n > 0);
        }
    }

    /// Commits that name at least one promise.
    pub fn traced(&self) -> usize {
        self.commits.saturating_sub(self.untraced + self.exempt + self.exceptions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_merges_and_takes_back() {
        let mut a = Tally::default();
        a.add(&Class::Traced(vec!["x", "y"]), WEEK * 3 + 5, "ada@example.com", 1);
        a.add(&Class::Untraced, 0, "bob@example.com", 1);
        let mut b = Tally::default();
        b.add(&Class::Traced(vec!["x"]), WEEK * 4, "bob@example.com", 1);
        b.add(&Class::Exempt, 0, "bob@example.com", 1);
        a.merge(b);
        assert_eq!((a.commits, a.untraced, a.exempt, a.traced()), (4, 1, 1, 2));
        let x = &a.promises["x"];
        assert_eq!((x.commits, x.last, x.authors.len(), x.weeks.len()), (2, WEEK * 4, 2, 2));
        assert_eq!(week_start(1_767_225_600), 1_767_225_600 - 3 * 24 * 3600, "2026-01-01 is a Thursday");
        a.add(&Class::Traced(vec!["y"]), WEEK * 3 + 5, "ada@example.com", -1);
        a.merge(Tally::default());
        assert!(!a.promises.contains_key("y"), "{a:?}");
        assert_eq!(a.commits, 3);
    }
}
