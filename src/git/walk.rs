//! The commit walk: git's date-ordered revision walk, reading each commit object exactly once.
//!
//! A history check is bound by inflating commit objects. libgit2's revwalk inflates a commit to
//! learn its parents, and reading the message inflates it again; this walk gets the parents, the
//! committer date and the message from one read, and hands the raw object on. It follows
//! `git rev-list`: a priority queue by committer date (ties in insertion order); excluded tips
//! (`^A`, `A..`, `[commits] since`) make their ancestors uninteresting, and the walk stops once
//! everything left in the queue is uninteresting, after git's five-commit slop for clock skew. A
//! commit walked as interesting and found uninteresting later (skewed dates) is taken back at the
//! end, as git does. Shallow clones stop at the commits listed in `shallow`.
//!
//! Where each commit came from is counted: with `PLAN_LINT_DEBUG_WALK_STATS=1` in the
//! environment, a walk prints `commits read from packs: N, from libgit2: M` to standard error
//! when it ends. A hidden switch for tests and benchmarks (tests/it/walk_git.rs asserts that packed
//! histories are read from the packs, not silently through the libgit2 fallback); it costs two
//! additions per commit and one environment look-up per walk.

use super::commit::Header;
use crate::error::{Error, Result};
use git2::{Odb, Oid};
use std::collections::{BinaryHeap, HashMap, HashSet};

/// git's `SLOP`: how many more commits to walk once only uninteresting ones remain.
const SLOP: usize = 5;

/// What the walk knows of a commit (git's object flags and parsed parents).
#[derive(Default)]
struct Node {
    uninteresting: bool,
    /// Queued once (git's `SEEN`).
    seen: bool,
    /// Known once the commit has been read (git's "parsed").
    parents: Option<Vec<Oid>>,
    /// Committer date, known once read.
    time: i64,
}

/// One walked commit, as read from the object database, with its header parsed once.
pub struct Raw {
    pub oid: Oid,
    pub data: Vec<u8>,
    /// The parsed header; `header.time` is the committer date (Unix seconds). `parents` is
    /// empty unless the walk has a `since` (the walk keeps them otherwise).
    pub header: Header,
}

/// The walk's state: which commits are known, and the queue.
pub struct Walker<'o> {
    odb: Odb<'o>,
    /// Commits stored whole in a pack, read without libgit2 (see [`super::pack`]).
    packs: super::pack::Packs,
    nodes: HashMap<Oid, Node>,
    /// (committer time, insertion order reversed, commit)
    queue: BinaryHeap<(i64, std::cmp::Reverse<u64>, Oid)>,
    /// Raw objects of queued commits, until they are popped.
    pending: HashMap<Oid, (Vec<u8>, Header)>,
    seq: u64,
    shallow: HashSet<Oid>,
    /// An interesting commit at the shallow boundary was walked: with excluded tips, the range
    /// reaches past the history this clone has.
    crossed_shallow: bool,
    limited: bool,
    slop: usize,
    /// Committer date of the last interesting commit walked (git's `date` in `limit_list`).
    last_date: i64,
    /// `--since` (git's `max_age`): older commits are not walked past.
    max_age: Option<i64>,
    /// Leave every parent in the yielded header (windows need the merge structure).
    keep_parents: bool,
    /// Commits read from a pack by [`super::pack`], and through libgit2.
    from_packs: u64,
    from_libgit2: u64,
    /// Commit objects read so far (each at most once, but for commits taken back).
    reads: usize,
}

impl<'o> Walker<'o> {
    /// A walk from the tips, excluding everything reachable from the excluded ones
    /// (`(commit, excluded)`, in command-line order).
    ///
    /// With `since` (Unix seconds), only commits dated at or after it are walked, as `git
    /// rev-list --since` does. Without excluded tips (git's streaming walk) a commit older than
    /// that is dropped and its parents are never queued, so the walk ends at the window's edge;
    /// with them (git's `limit_list`) it is uninteresting, with its ancestors, and the
    /// five-commit slop decides when to stop. Either way a commit reached only through an older
    /// one is not walked, whatever its own date (clock skew), exactly as git decides. A walk
    /// with `since` yields every parent in the header (windows read the merge structure).
    pub fn new(
        odb: Odb<'o>,
        git_dir: &std::path::Path,
        tips: &[(Oid, bool)],
        since: Option<i64>,
    ) -> Result<Walker<'o>> {
        Walker::open(odb, git_dir, tips, since, since.is_some())
    }

    /// A walk like [`Walker::new`] without `since`, yielding every parent in each header: for a
    /// caller that needs the graph of the commits it walked (the server hook).
    pub fn with_parents(odb: Odb<'o>, git_dir: &std::path::Path, tips: &[(Oid, bool)]) -> Result<Walker<'o>> {
        Walker::open(odb, git_dir, tips, None, true)
    }

    fn open(
        odb: Odb<'o>,
        git_dir: &std::path::Path,
        tips: &[(Oid, bool)],
        since: Option<i64>,
        keep_parents: bool,
    ) -> Result<Walker<'o>> {
        let shallow = std::fs::read_to_string(git_dir.join("shallow"))
            .map(|s| s.lines().filter_map(|l| Oid::from_str(l.trim()).ok()).collect())
            .unwrap_or_default();
        let mut w = Walker {
            odb,
            packs: super::pack::Packs::open(git_dir),
            nodes: HashMap::new(),
            queue: BinaryHeap::new(),
            pending: HashMap::new(),
            seq: 0,
            shallow,
            crossed_shallow: false,
            limited: tips.iter().any(|&(_, excluded)| excluded),
            slop: SLOP,
            last_date: i64::MAX,
            max_age: since,
            keep_parents,
            from_packs: 0,
            from_libgit2: 0,
            reads: 0,
        };
        // As git's prepare_revision_walk: read each tip, flag and propagate the excluded ones,
        // queue each once, in the order given (it decides ties between equal dates).
        for &(oid, excluded) in tips {
            w.parse(oid)?;
            if excluded {
                w.nodes.entry(oid).or_default().uninteresting = true;
                w.mark_parents_uninteresting(oid);
            }
            w.enqueue(oid);
        }
        Ok(w)
    }

    /// Read a commit once: its parents (none past a shallow boundary) and date; the raw object
    /// is kept until the commit is popped.
    fn parse(&mut self, oid: Oid) -> Result<()> {
        if self.nodes.get(&oid).is_some_and(|n| n.parents.is_some()) {
            return Ok(());
        }
        let data = self.read(oid)?;
        let mut header = Header::parse(&data);
        let parents = if self.keep_parents { header.parents.clone() } else { std::mem::take(&mut header.parents) };
        let parents = if self.shallow.contains(&oid) { Vec::new() } else { parents };
        let node = self.nodes.entry(oid).or_default();
        node.parents = Some(parents);
        node.time = header.time;
        self.pending.insert(oid, (data, header));
        Ok(())
    }

    /// A commit's raw object: from a pack directly (whole or as deltas, [`super::pack`]),
    /// else through libgit2 (loose objects, alternates, a push's quarantine).
    fn read(&mut self, oid: Oid) -> Result<Vec<u8>> {
        self.reads += 1;
        if let Some(data) = self.packs.read_commit(oid) {
            self.from_packs += 1;
            return Ok(data);
        }
        self.from_libgit2 += 1;
        let object = self.odb.read(oid).map_err(|e| crate::git::read_error(oid, &e))?;
        if object.kind() != git2::ObjectType::Commit {
            return Err(Error::new(format!("{oid} is a {}, not a commit", object.kind().str())));
        }
        Ok(object.data().to_vec())
    }

    /// Queue a read commit unless it was queued before.
    fn enqueue(&mut self, oid: Oid) {
        let node = self.nodes.entry(oid).or_default();
        if node.seen {
            return;
        }
        node.seen = true;
        let time = node.time;
        self.seq += 1;
        self.queue.push((time, std::cmp::Reverse(self.seq), oid));
    }

    /// git's `mark_parents_uninteresting`: flag the parents, and through every commit already
    /// read, their ancestors. Commits not read yet keep the flag for when they are.
    fn mark_parents_uninteresting(&mut self, oid: Oid) {
        let mut stack: Vec<Oid> = self.nodes.get(&oid).and_then(|n| n.parents.clone()).unwrap_or_default();
        while let Some(p) = stack.pop() {
            let node = self.nodes.entry(p).or_default();
            if node.uninteresting {
                continue;
            }
            node.uninteresting = true;
            if let Some(parents) = &node.parents {
                stack.extend(parents.iter().copied());
            }
        }
    }

    /// git's `process_parents` for a popped commit.
    fn add_parents(&mut self, oid: Oid, uninteresting: bool) -> Result<()> {
        let parents = self.nodes.get(&oid).and_then(|n| n.parents.clone()).unwrap_or_default();
        for p in parents {
            if uninteresting {
                self.nodes.entry(p).or_default().uninteresting = true;
                self.parse(p)?;
                self.mark_parents_uninteresting(p);
            } else {
                self.parse(p)?;
            }
            self.enqueue(p);
        }
        Ok(())
    }

    /// Whether every commit still queued is uninteresting.
    fn everybody_uninteresting(&self) -> bool {
        self.queue.iter().all(|(_, _, oid)| self.nodes.get(oid).is_some_and(|n| n.uninteresting))
    }

    /// git's `still_interesting`: the slop left after popping an uninteresting commit.
    fn still_interesting(&self) -> usize {
        let Some((newest, _, _)) = self.queue.peek() else { return 0 };
        if self.last_date < *newest || !self.everybody_uninteresting() {
            SLOP
        } else {
            self.slop.saturating_sub(1)
        }
    }

    /// The next interesting commit in date order, or `None` when the walk is done.
    pub fn next_commit(&mut self) -> Result<Option<Raw>> {
        loop {
            let Some((date, _, oid)) = self.queue.pop() else { return Ok(None) };
            if self.max_age.is_some_and(|since| date < since) {
                if !self.limited {
                    // git's streaming walk: `continue` before the parents are processed.
                    self.pending.remove(&oid);
                    continue;
                }
                self.nodes.entry(oid).or_default().uninteresting = true;
            }
            let uninteresting = self.nodes.get(&oid).is_some_and(|n| n.uninteresting);
            self.add_parents(oid, uninteresting)?;
            let (data, header) = match self.pending.remove(&oid) {
                Some(read) => read,
                None => {
                    let data = self.read(oid)?;
                    let header = Header::parse(&data);
                    (data, header)
                }
            };
            if !self.limited {
                // Without exclusions nothing needs remembering once a commit is walked.
                if let Some(node) = self.nodes.get_mut(&oid) {
                    node.parents = Some(Vec::new());
                }
                return Ok(Some(Raw { oid, data, header }));
            }
            if self.nodes.get(&oid).is_some_and(|n| n.uninteresting) {
                self.mark_parents_uninteresting(oid);
                // Only what is left can still be interesting; stop once it cannot, with slop.
                self.slop = self.still_interesting();
                if self.slop == 0 {
                    self.queue.clear();
                    self.pending.clear();
                }
                continue;
            }
            self.last_date = date;
            if self.shallow.contains(&oid) {
                self.crossed_shallow = true;
            }
            return Ok(Some(Raw { oid, data, header }));
        }
    }

    /// Whether the walk, limited by excluded tips, yielded a commit at the shallow boundary that
    /// is still interesting at the end: the range goes on past the history this clone has.
    pub fn crossed_shallow(&self) -> bool {
        self.crossed_shallow
            && self.shallow.iter().any(|oid| self.nodes.get(oid).is_some_and(|n| n.seen && !n.uninteresting))
    }

    /// Unmap the packs once the walk is over: later reads (suggestions, commits taken back) go
    /// through libgit2, whose own mapping of the same index would otherwise count twice.
    pub fn close_packs(&mut self) {
        self.packs = super::pack::Packs::none();
    }

    /// How many commit objects the walk has read.
    pub fn reads(&self) -> usize {
        self.reads
    }

    /// Whether a commit walked as interesting was later found to be uninteresting.
    pub fn is_uninteresting(&self, oid: Oid) -> bool {
        self.nodes.get(&oid).is_some_and(|n| n.uninteresting)
    }
}

impl Drop for Walker<'_> {
    /// `PLAN_LINT_DEBUG_WALK_STATS=1`: where the commits came from (see the module docs).
    fn drop(&mut self) {
        if std::env::var_os("PLAN_LINT_DEBUG_WALK_STATS").is_some_and(|v| v == "1") {
            use std::io::Write;
            let (packs, libgit2) = (self.from_packs, self.from_libgit2);
            let _ = writeln!(std::io::stderr(), "commits read from packs: {packs}, from libgit2: {libgit2}");
        }
    }
}
