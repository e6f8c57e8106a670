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

use crate::error::{Error, Result};
use git2::{Odb, Oid};
use std::collections::{BinaryHeap, HashMap, HashSet};

/// git's `SLOP`: how many more commits to walk once only uninteresting ones remain.
const SLOP: usize = 5;

#[derive(Clone, Copy, Default)]
struct Node {
    uninteresting: bool,
    /// Parsed: its parents are known (and queued).
    parsed: bool,
}

/// One walked commit, as read from the object database.
pub struct Raw {
    pub oid: Oid,
    pub data: Vec<u8>,
}

/// Parents and committer time from a raw commit object's header.
pub fn parse_header(data: &[u8]) -> (Vec<Oid>, i64) {
    let mut parents = Vec::new();
    let mut time = 0;
    for line in data.split(|&c| c == b'\n') {
        if line.is_empty() {
            break;
        }
        if let Some(hex) = line.strip_prefix(b"parent ") {
            if let Some(oid) = std::str::from_utf8(hex).ok().and_then(|h| Oid::from_str(h.trim()).ok()) {
                parents.push(oid);
            }
        } else if let Some(rest) = line.strip_prefix(b"committer ") {
            // "Name <email> 1700000000 +0000": the time follows the last '>'.
            if let Some(gt) = rest.iter().rposition(|&c| c == b'>') {
                let fields = std::str::from_utf8(&rest[gt + 1..]).unwrap_or("");
                time = fields.split_whitespace().next().and_then(|t| t.parse().ok()).unwrap_or(0);
            }
        }
    }
    (parents, time)
}

/// The walk's state: which commits are known, and the queue.
pub struct Walker<'o> {
    odb: &'o Odb<'o>,
    nodes: HashMap<Oid, Node>,
    /// (committer time, insertion order reversed, commit)
    queue: BinaryHeap<(i64, std::cmp::Reverse<u64>, Oid)>,
    /// Raw objects read for dates but not yet popped (tips, parents).
    pending: HashMap<Oid, Vec<u8>>,
    seq: u64,
    /// Parents of popped commits, kept only for limited walks (to propagate uninteresting).
    parents_of_parsed: HashMap<Oid, Vec<Oid>>,
    shallow: HashSet<Oid>,
    limited: bool,
    slop: usize,
}

impl<'o> Walker<'o> {
    /// A walk from `include`, excluding everything reachable from `exclude`.
    pub fn new(odb: &'o Odb<'o>, git_dir: &std::path::Path, include: &[Oid], exclude: &[Oid]) -> Result<Walker<'o>> {
        let shallow = std::fs::read_to_string(git_dir.join("shallow"))
            .map(|s| s.lines().filter_map(|l| Oid::from_str(l.trim()).ok()).collect())
            .unwrap_or_default();
        let mut w = Walker {
            odb,
            nodes: HashMap::new(),
            queue: BinaryHeap::new(),
            pending: HashMap::new(),
            seq: 0,
            parents_of_parsed: HashMap::new(),
            shallow,
            limited: !exclude.is_empty(),
            slop: SLOP,
        };
        for &oid in exclude {
            w.add(oid, true)?;
        }
        for &oid in include {
            w.add(oid, false)?;
        }
        Ok(w)
    }

    fn read(&self, oid: Oid) -> Result<Vec<u8>> {
        let object = self.odb.read(oid).map_err(|e| crate::git::read_error(oid, &e))?;
        if object.kind() != git2::ObjectType::Commit {
            return Err(Error::new(format!("{oid} is a {}, not a commit", object.kind().str())));
        }
        Ok(object.data().to_vec())
    }

    /// Queue a commit (reading it for its date), or mark it uninteresting if already known.
    fn add(&mut self, oid: Oid, uninteresting: bool) -> Result<()> {
        if let Some(node) = self.nodes.get_mut(&oid) {
            if uninteresting && !node.uninteresting {
                self.mark_uninteresting(oid);
            }
            return Ok(());
        }
        let data = self.read(oid)?;
        let (_, time) = parse_header(&data);
        self.nodes.insert(oid, Node { uninteresting, parsed: false });
        self.pending.insert(oid, data);
        self.seq += 1;
        self.queue.push((time, std::cmp::Reverse(self.seq), oid));
        Ok(())
    }

    /// Mark a known commit and its known ancestors uninteresting (git's
    /// `mark_parents_uninteresting`). Ancestors not yet read inherit it when they are queued.
    fn mark_uninteresting(&mut self, oid: Oid) {
        let mut stack = vec![oid];
        while let Some(oid) = stack.pop() {
            let Some(node) = self.nodes.get_mut(&oid) else { continue };
            if node.uninteresting {
                continue;
            }
            node.uninteresting = true;
            if node.parsed {
                if let Some(parents) = self.parents_of_parsed.get(&oid) {
                    stack.extend(parents.iter().copied());
                }
            }
        }
    }

    /// Whether every commit still queued is uninteresting.
    fn everybody_uninteresting(&self) -> bool {
        self.queue.iter().all(|(_, _, oid)| self.nodes.get(oid).is_some_and(|n| n.uninteresting))
    }

    /// The next interesting commit in date order, or `None` when the walk is done.
    pub fn next_commit(&mut self) -> Result<Option<Raw>> {
        loop {
            let Some((_, _, oid)) = self.queue.pop() else { return Ok(None) };
            let data = match self.pending.remove(&oid) {
                Some(d) => d,
                None => self.read(oid)?,
            };
            let uninteresting = self.nodes.get(&oid).is_some_and(|n| n.uninteresting);
            let (parents, _) = parse_header(&data);
            let parents = if self.shallow.contains(&oid) { Vec::new() } else { parents };
            if let Some(node) = self.nodes.get_mut(&oid) {
                node.parsed = true;
            }
            for &p in &parents {
                self.add(p, uninteresting)?;
            }
            if self.limited {
                self.parents_of_parsed.insert(oid, parents);
            }
            if self.limited {
                if self.everybody_uninteresting() {
                    if self.slop == 0 {
                        self.queue.clear();
                    } else {
                        self.slop -= 1;
                    }
                } else {
                    self.slop = SLOP;
                }
            }
            if uninteresting {
                continue;
            }
            return Ok(Some(Raw { oid, data }));
        }
    }

    /// Whether a commit walked as interesting was later found to be uninteresting.
    pub fn is_uninteresting(&self, oid: Oid) -> bool {
        self.nodes.get(&oid).is_some_and(|n| n.uninteresting)
    }
}
