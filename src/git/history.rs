//! What the rest of the crate asks of history, in the domain's words: a file as a commit (or
//! HEAD) saw it, what a commit changed, what is staged against HEAD, the entries a window
//! watches, the commits a bounded look-back recognises (read from the packs, messages only),
//! the branches a push lands beside. libgit2's types stay behind this wall; object ids cross it as [`Oid`].

use super::walk::{Raw, Walker};
use super::{Oid, Repo};
use crate::error::Result;
use git2::Repository;
use std::path::Path;

/// A tree of history (HEAD's, or a commit's), to look entries up in.
pub struct Tree<'r>(git2::Tree<'r>);

impl Tree<'_> {
    /// The id of the entry at `path` (`/`-separated), whatever its kind.
    pub fn entry(&self, path: &str) -> Option<Oid> {
        self.0.get_path(Path::new(path)).ok().map(|e| e.id())
    }
}

/// What an object a ref update names turns out to be.
pub enum Peeled {
    Commit(Oid),
    /// A tag to a tree or a blob, or a tree or a blob itself: the kind, as git names it.
    Other(&'static str),
}

/// Commits the registry walk read from the commit-graph, in this test process.
#[cfg(test)]
static READ_FROM_GRAPH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Parents' trees the registry walk did not read, their filters certain, in this test process.
#[cfg(test)]
static TREES_PASSED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// What the registry walk needs of a commit: its tree, date and first parent (with its
/// position in the commit-graph, when it has one there).
struct Step {
    tree: Option<Oid>,
    time: i64,
    first_parent: Option<(Oid, Option<u32>)>,
}

/// What a commit changed against its first parent.
pub struct Change {
    pub parent: Option<Oid>,
    /// The paths it touched (new side, else old), at most the limit asked for.
    pub paths: Vec<String>,
}

/// Up to this many watched paths are looked up in each tree; beyond, a diff limited to them
/// ([`Repo::changes_in`]).
pub const WATCHED_LOOKUP: usize = 64;

/// The entries a window watches (the registry, the plan documents), looked up tree by tree.
pub struct Watched<'r> {
    repo: &'r Repository,
    odb: Option<git2::Odb<'r>>,
    paths: &'r [String],
}

impl Watched<'_> {
    /// The blob (or zero) at each watched path of a tree. Names at the root are found in the
    /// raw tree object (libgit2 would parse every entry of it); deeper paths through libgit2.
    pub fn entries(&self, tree: Option<Oid>) -> Vec<Oid> {
        let Some(id) = tree else { return vec![Oid::zero(); self.paths.len()] };
        let raw = if self.paths.iter().all(|p| !p.contains('/')) {
            self.odb.as_ref().and_then(|odb| odb.read(id).ok()).filter(|o| o.kind() == git2::ObjectType::Tree)
        } else {
            None
        };
        if let Some(raw) = raw {
            let data = raw.data();
            return self
                .paths
                .iter()
                .map(|p| super::tree_entry(data, p.as_bytes()).unwrap_or_else(Oid::zero))
                .collect();
        }
        let tree = self.repo.find_tree(id).ok();
        self.paths
            .iter()
            .map(|p| tree.as_ref().and_then(|t| t.get_path(Path::new(p)).ok()).map_or_else(Oid::zero, |e| e.id()))
            .collect()
    }
}

/// The paths a diff touches (new side, else old), at most `limit`.
fn touched(diff: &git2::Diff<'_>, limit: usize) -> Vec<String> {
    diff.deltas()
        .filter_map(|d| d.new_file().path().or(d.old_file().path()).and_then(Path::to_str).map(str::to_string))
        .take(limit)
        .collect()
}

/// Diff options limited to exactly these paths.
fn only(paths: &[String]) -> git2::DiffOptions {
    let mut options = git2::DiffOptions::new();
    for p in paths {
        options.pathspec(p);
    }
    options.disable_pathspec_match(true);
    options
}

impl Repo {
    /// The repository at `git_dir`, opened again (a second handle, for another thread).
    pub fn open(git_dir: &Path) -> Option<Repo> {
        Repository::open(git_dir).ok().map(Repo::new)
    }

    /// The receiving repository of a push, as git's environment describes it to a pre-receive
    /// hook (the quarantine's object directory included); the reason when it cannot be opened.
    pub fn open_from_env() -> std::result::Result<Repo, String> {
        Repository::open_from_env()
            .map(|r| Repo { from_env: true, ..Repo::new(r) })
            .map_err(|e| e.message().to_string())
    }

    /// The git directory (`.git`, or a linked worktree's own).
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// The common git directory, shared by linked worktrees.
    pub fn common_dir(&self) -> &Path {
        self.repo.commondir()
    }

    /// A shallow clone: history stops at the commits `shallow` lists.
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// HEAD resolves (the branch is born).
    pub fn has_head(&self) -> bool {
        self.repo.head().is_ok()
    }

    /// The commit HEAD points at.
    pub fn head_commit(&self) -> Option<Oid> {
        self.repo.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id())
    }

    /// HEAD's tree.
    pub fn head_tree(&self) -> Option<Tree<'_>> {
        self.repo.head().ok().and_then(|h| h.peel_to_tree().ok()).map(Tree)
    }

    /// A commit's tree.
    pub fn commit_tree(&self, commit: Oid) -> Option<Tree<'_>> {
        self.repo.find_commit(commit).and_then(|c| c.tree()).ok().map(Tree)
    }

    /// The id of a commit's tree.
    pub fn tree_of(&self, commit: Oid) -> Option<Oid> {
        self.repo.find_commit(commit).ok().map(|c| c.tree_id())
    }

    /// The entry at `path` in a commit's tree, if it has one; the reason when the commit or its
    /// tree cannot be read.
    pub fn entry_in_commit(&self, commit: Oid, path: &str) -> std::result::Result<Option<Oid>, String> {
        let tree = self.repo.find_commit(commit).and_then(|c| c.tree()).map_err(|e| e.message().to_string())?;
        Ok(tree.get_path(Path::new(path)).ok().map(|e| e.id()))
    }

    /// The entries at `path` as a commit saw them: in its tree and in its first parent's (those
    /// that exist).
    pub fn entries_as_seen_by(&self, commit: Oid, path: &str) -> Vec<Oid> {
        let Ok(commit) = self.repo.find_commit(commit) else { return Vec::new() };
        let trees = [commit.tree().ok(), commit.parent(0).ok().and_then(|p| p.tree().ok())];
        trees.into_iter().flatten().filter_map(|t| t.get_path(Path::new(path)).ok().map(|e| e.id())).collect()
    }

    /// A file of a commit's tree, as a blob id: `NotFound` when the tree has no such path.
    pub fn file_in_commit(&self, commit: Oid, path: &str) -> std::io::Result<Oid> {
        self.entry_in_commit(commit, path)
            .map_err(std::io::Error::other)?
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }

    /// A blob's bytes; `Ok(None)` when it is larger than `max` bytes.
    pub fn blob(&self, id: Oid, max: u64) -> std::io::Result<Option<Vec<u8>>> {
        let blob = self.repo.find_blob(id).map_err(|e| std::io::Error::other(e.message().to_string()))?;
        Ok((blob.size() as u64 <= max).then(|| blob.content().to_vec()))
    }

    /// Whether the object database holds `id` (a partial clone may lack it, and plan-lint
    /// fetches nothing).
    pub fn has_object(&self, id: Oid) -> bool {
        self.repo.odb().is_ok_and(|odb| odb.exists(id))
    }

    /// What the object `oid` peels to; the reason when it cannot be read.
    pub fn peel(&self, oid: Oid) -> std::result::Result<Peeled, String> {
        let object = self.repo.find_object(oid, None).map_err(|e| e.message().to_string())?;
        Ok(match object.peel_to_commit() {
            Ok(c) => Peeled::Commit(c.id()),
            Err(_) => Peeled::Other(object.kind().map_or("non-commit", |k| k.str())),
        })
    }

    /// The commits the repository's branches point at (`refs/heads/`, nested names included),
    /// sorted. Only branches: a tag (pushed freely) or a forge's pull request ref must not make
    /// its commits known to a push that puts them on a new branch (the pre-receive hook). A
    /// branch that does not point at a commit is left out: what it would hide is judged instead.
    pub fn branch_tips(&self) -> Vec<Oid> {
        let Ok(odb) = self.repo.odb() else { return Vec::new() };
        let Ok(refs) = self.repo.references_glob("refs/heads/*") else { return Vec::new() };
        let mut tips: Vec<Oid> = refs
            .flatten()
            .filter_map(|r| r.resolve().ok()?.target())
            .filter(|&oid| odb.read_header(oid).is_ok_and(|(_, kind)| kind == git2::ObjectType::Commit))
            .collect();
        tips.sort();
        tips.dedup();
        tips
    }

    /// The trailers of a commit as `git log` reads them (see [`super::commit_trailers`]).
    pub fn trailers_of(&self, oid: Oid) -> Result<crate::scan::trailers::Block> {
        super::commit_trailers(&self.repo, oid)
    }

    /// The paths staged against HEAD (HEAD's tree to the repository's index), at most `limit`.
    pub fn staged_against_head(&self, limit: usize) -> Vec<String> {
        let head_tree = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok()).and_then(|c| c.tree().ok());
        let staged = self
            .repo
            .index()
            .ok()
            .and_then(|index| self.repo.diff_tree_to_index(head_tree.as_ref(), Some(&index), None).ok());
        staged.map(|d| touched(&d, limit)).unwrap_or_default()
    }

    /// What a commit changed against its first parent; `None` when it cannot be read.
    pub fn change_of(&self, commit: Oid, limit: usize) -> Option<Change> {
        let c = self.repo.find_commit(commit).ok()?;
        let tree = c.tree().ok();
        let parent = c.parent(0).ok();
        let parent_tree = parent.as_ref().and_then(|p| p.tree().ok());
        let diff = self.repo.diff_tree_to_tree(parent_tree.as_ref(), tree.as_ref(), None).ok();
        Some(Change { parent: parent.map(|p| p.id()), paths: diff.map(|d| touched(&d, limit)).unwrap_or_default() })
    }

    /// Each of `paths` a commit changed against its first parent: (path, blob before, blob
    /// after); `None` when the commit cannot be read.
    pub fn changes_in(&self, commit: Oid, paths: &[String]) -> Option<Vec<(String, Oid, Oid)>> {
        let commit = self.repo.find_commit(commit).ok()?;
        let (Ok(tree), parent) = (commit.tree(), commit.parent(0).ok().and_then(|p| p.tree().ok())) else {
            return None;
        };
        let diff = self.repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut only(paths))).ok()?;
        Some(
            diff.deltas()
                .filter_map(|d| {
                    let path = d.new_file().path().and_then(|p| p.to_str())?;
                    Some((path.to_string(), d.old_file().id(), d.new_file().id()))
                })
                .collect(),
        )
    }

    /// One walk back from `from` (in `git log` order, at most `lookback` commits): the commits
    /// `recognise` accepts (given a commit's parent count and raw message), newest first, with
    /// their committer dates. Each commit is read once, straight from the packs, and nothing
    /// else is: a history nobody traced costs a read of each message.
    pub fn recognised_back<T>(
        &self,
        from: &[Oid],
        lookback: usize,
        mut recognise: impl FnMut(usize, &[u8]) -> Option<T>,
    ) -> Vec<(T, Oid, i64)> {
        let mut out = Vec::new();
        let tips: Vec<(Oid, bool)> = from.iter().map(|&oid| (oid, false)).collect();
        if tips.is_empty() || lookback == 0 {
            return out;
        }
        let Ok(mut walker) = self.walk(&tips, None) else { return out };
        for _ in 0..lookback {
            let Ok(Some(raw)) = walker.next_commit() else { break };
            let h = &raw.header;
            if let Some(value) = recognise(h.parent_count, raw.data.get(h.message..).unwrap_or_default()) {
                out.push((value, raw.oid, h.time));
            }
        }
        out
    }

    /// A commit object as the walk reads it, read again.
    pub fn raw_commit(&self, oid: Oid) -> Result<Raw> {
        if let Some(data) = self.object(oid, git2::ObjectType::Commit) {
            let header = super::commit::Header::parse(&data);
            return Ok(Raw { oid, data, header });
        }
        let odb = self.repo.odb()?;
        let obj = odb.read(oid).map_err(|e| super::read_error(oid, &e))?;
        Ok(Raw { oid, data: obj.data().to_vec(), header: super::commit::Header::parse(obj.data()) })
    }

    /// A walk of history from `tips` (see [`Walker::new`]).
    pub fn walk(&self, tips: &[(Oid, bool)], since: Option<i64>) -> Result<Walker<'_>> {
        Walker::new(self.repo.odb()?, self.repo.commondir(), tips, since)
    }

    /// The entries at `paths` (sorted), tree by tree.
    pub fn watched<'r>(&'r self, paths: &'r [String]) -> Watched<'r> {
        Watched { repo: &self.repo, odb: self.repo.odb().ok(), paths }
    }
}

/// One revision of a file at the root of the tree, on a first-parent line: the commit that
/// changed it against its first parent, its committer date, and the blob it left there (zero
/// when the commit removed the file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Revision {
    pub commit: Oid,
    pub time: i64,
    pub blob: Oid,
}

/// A file's revisions on a first-parent line, newest first, and whether the line was read to
/// its root (not cut short by the limit or an unreadable commit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revisions {
    pub list: Vec<Revision>,
    pub complete: bool,
    /// The file's entry at the tip (zero when the tip has none).
    pub blob: Oid,
    /// How many commits the walk read back for this file (its steps along the line): a walk
    /// from a newer tip that meets this one's tip `k` commits down would have ended at `k +
    /// read` ([`Known`]).
    pub read: usize,
    /// The history stopped at a known tip (`Known::tip`), `k` commits down: `list` holds only
    /// the revisions newer than it, the rest is the known tip's.
    pub met: Option<(Oid, usize)>,
    /// A tree on the way that could not be read (a partial clone lacks it): the history past
    /// it is unknown, not ended.
    pub unreadable: Option<Oid>,
}

/// A tip whose history of a file is known already (kept from an earlier run): the walk stops
/// there for that file, when it meets it at most `within` commits down and the file's entry
/// there is `blob` (a known history that disagrees with the tree is not met).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Known {
    pub tip: Oid,
    pub blob: Oid,
    pub within: usize,
}

/// Names, each with its place in an answer.
type Wanted = std::collections::HashMap<Vec<u8>, usize, foldhash::fast::FixedState>;

/// The files a walk follows, as a tree of their path components: node 0 is the root tree, each
/// node a name in its parent's tree, and every file a node. A folder is read once per commit for
/// all the files below it, and only when its id differs from the child commit's.
struct PathTree {
    /// (name, parent node) per node; node 0 (the root) has no name.
    nodes: Vec<(Vec<u8>, usize)>,
    /// Each node's children, in node order.
    children: Vec<Vec<usize>>,
    /// Each node's children's names with their place among the children: what a folder's tree
    /// is searched for.
    wanted: Vec<Wanted>,
    /// Each file's node.
    files: Vec<usize>,
}

impl PathTree {
    fn new(names: &[String]) -> PathTree {
        let mut t = PathTree {
            nodes: vec![(Vec::new(), 0)],
            children: vec![Vec::new()],
            wanted: Vec::new(),
            files: Vec::new(),
        };
        for name in names {
            let mut at = 0;
            for part in name.split('/') {
                let found = t.children[at].iter().copied().find(|&c| t.nodes[c].0 == part.as_bytes());
                at = found.unwrap_or_else(|| {
                    t.nodes.push((part.as_bytes().to_vec(), at));
                    t.children.push(Vec::new());
                    t.children[at].push(t.nodes.len() - 1);
                    t.nodes.len() - 1
                });
            }
            t.files.push(at);
        }
        t.wanted = t
            .children
            .iter()
            .map(|kids| kids.iter().enumerate().map(|(i, &c)| (t.nodes[c].0.clone(), i)).collect())
            .collect();
        t
    }

    /// Each node's entry id in the tree `root` (zero where there is none), reading only the
    /// folders whose id differs from `before` (the child commit's entries); the id of a folder
    /// that cannot be read (a partial clone's missing tree) as the error: not read as empty.
    fn entries(
        &self,
        odb: &git2::Odb<'_>,
        packs: &mut super::pack::Packs,
        root: Option<Oid>,
        before: Option<&[Oid]>,
    ) -> Result<Vec<Oid>, Oid> {
        let mut ids = vec![Oid::zero(); self.nodes.len()];
        ids[0] = root.unwrap_or_else(Oid::zero);
        // Nodes come after their parents: a folder's id is known before its children are looked up.
        for n in 0..self.nodes.len() {
            let kids = &self.children[n];
            if kids.is_empty() || ids[n].is_zero() {
                continue;
            }
            if let Some(before) = before.filter(|b| b[n] == ids[n]) {
                for &c in kids {
                    ids[c] = before[c];
                }
                continue;
            }
            // From the packs (delta bases kept), else through libgit2.
            let tree = packs.read_tree(ids[n]).or_else(|| {
                odb.read(ids[n]).ok().filter(|o| o.kind() == git2::ObjectType::Tree).map(|o| o.data().to_vec())
            });
            // The parent said it is a tree (below): one that does not read is missing.
            let Some(tree) = tree else { return Err(ids[n]) };
            for (&c, entry) in kids.iter().zip(entries_named(&tree, &self.wanted[n])) {
                // A folder on a path that is not a tree there (a file, a submodule) holds nothing.
                let folder = !self.children[c].is_empty();
                ids[c] = entry.filter(|&(_, tree)| tree || !folder).map_or_else(Oid::zero, |(id, _)| id);
            }
        }
        Ok(ids)
    }
}

/// A tree entry's mode for a tree (`40000`; zero-padded as some old tools wrote it).
fn is_tree_mode(mode: &[u8]) -> bool {
    mode == b"40000" || mode == b"040000"
}

/// The entries `names` (each with its place in the answer) in a raw tree object, each with
/// whether it is a tree: a few looked up one by one (the entries are sorted, each lookup stops
/// early), many in one pass over the tree.
fn entries_named(data: &[u8], names: &Wanted) -> Vec<Option<(Oid, bool)>> {
    let mut out = vec![None; names.len()];
    if names.len() <= 4 {
        for (name, i) in names {
            out[*i] = super::tree_entry_and_mode(data, name).map(|(id, mode)| (id, is_tree_mode(mode)));
        }
        return out;
    }
    let mut pos = 0;
    while pos < data.len() {
        let Some(space) = memchr::memchr(b' ', &data[pos..]).map(|i| pos + i) else { break };
        let Some(nul) = memchr::memchr(0, &data[space + 1..]).map(|i| space + 1 + i) else { break };
        let Some(id) = data.get(nul + 1..nul + 21) else { break };
        if let Some(&i) = names.get(&data[space + 1..nul]) {
            out[i] = Oid::from_bytes(id).ok().map(|id| (id, is_tree_mode(&data[pos..space])));
        }
        pos = nul + 21;
    }
    out
}

impl Repo {
    /// The revisions of the file `name` at a path from the root (the registry's revisions):
    /// the commits on the first-parent line from `tip` whose tree holds another entry at `name`
    /// than their first parent's (another blob: a change of mode alone leaves the content, and
    /// so the registry, as it was), newest first, back to the one that added it, reading at most
    /// `limit` commits (none when `tip` has no such file). See [`Repo::revisions_of_all`].
    pub fn revisions_of(&self, tip: Oid, name: &str, limit: usize) -> Revisions {
        self.revisions_of_all(tip, &[name.to_string()], &[Vec::new()], limit).swap_remove(0)
    }

    /// [`Repo::revisions_of`] for several files in one walk, one [`Revisions`] per name: each
    /// commit is read once (from the packs when it can) for all of them, a folder's tree only
    /// when it differs from the child's, and the walk ends when every file's history has (at
    /// the commit that added it, the root, or a tip in `known[i]`, whose history of file `i`
    /// is known). Memory grows with the revisions, not the history.
    pub fn revisions_of_all(&self, tip: Oid, names: &[String], known: &[Vec<Known>], limit: usize) -> Vec<Revisions> {
        self.revisions_of_all_as_found(tip, names, known, limit, &mut |_, _| {})
    }

    /// [`Repo::revisions_of_all`], telling `found` each revision (the name's index, the
    /// revision) as the walk finds it, newest first: the caller parses them while it walks on.
    pub fn revisions_of_all_as_found(
        &self,
        tip: Oid,
        names: &[String],
        known: &[Vec<Known>],
        limit: usize,
        found: &mut dyn FnMut(usize, Revision),
    ) -> Vec<Revisions> {
        let none =
            Revisions { list: Vec::new(), complete: false, blob: Oid::zero(), read: 0, met: None, unreadable: None };
        let mut out = vec![none; names.len()];
        let Ok(odb) = self.repo.odb() else { return out };
        let mut packs = super::pack::Packs::open(self.repo.commondir());
        let read = |packs: &mut super::pack::Packs, oid: Oid| -> Option<super::commit::Header> {
            let data = match packs.read_commit(oid) {
                Some(data) => data,
                None => odb.read(oid).ok().filter(|o| o.kind() == git2::ObjectType::Commit)?.data().to_vec(),
            };
            Some(super::commit::Header::parse(&data))
        };
        let paths = PathTree::new(names);
        let meets = |i: usize, at: Oid, blob: Oid, k: usize| {
            known.get(i).into_iter().flatten().any(|n| n.tip == at && n.blob == blob && k <= n.within)
        };
        // git's commit-graph, when there is one: a commit it holds is not inflated, and with
        // changed-path filters a commit that certainly left every file alone is passed without
        // reading its parent's tree.
        let graph = self.commit_graph();
        let keys: Vec<super::graph::Key> = names.iter().map(|n| super::graph::Key::new(n)).collect();
        // A commit's header, from the graph when it holds it (with its position), else read.
        let header_of = |packs: &mut super::pack::Packs, oid: Oid, pos: Option<u32>| -> Option<(Step, Option<u32>)> {
            if let Some((g, pos)) = graph.as_ref().zip(pos.or_else(|| graph.as_ref()?.find(oid))) {
                let c = g.commit(pos)?;
                #[cfg(test)]
                READ_FROM_GRAPH.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let first_parent = match c.first_parent {
                    Some(p) => Some((g.oid(p)?, Some(p))),
                    None => None,
                };
                return Some((Step { tree: Some(c.tree), time: c.time, first_parent }, Some(pos)));
            }
            let h = read(packs, oid)?;
            Some((Step { tree: h.tree, time: h.time, first_parent: h.first_parent.map(|p| (p, None)) }, None))
        };
        // A revision's time as its commit says it: the graph keeps 34 bits of it (git reads a
        // date after the year 2514 cut short there too), so a commit found through the graph is
        // read for its date. Revisions are few; the walk's other commits are not read.
        let exact_time = |packs: &mut super::pack::Packs, commit: Oid, time: i64, at: Option<u32>| match at {
            Some(_) => read(packs, commit).map_or(time, |h| h.time),
            None => time,
        };
        // The commit being looked at, with its tree's entries; its parent is read next.
        let Some((header, mut at)) = header_of(&mut packs, tip, None) else { return out };
        let (mut commit, mut time, mut tree) = (tip, header.time, header.tree);
        let mut ids = match paths.entries(&odb, &mut packs, tree, None) {
            Ok(ids) => ids,
            Err(missing) => {
                out.iter_mut().for_each(|o| o.unreadable = Some(missing));
                return out;
            }
        };
        let mut parent = header.first_parent;
        // Each file's entry at `commit`, while its history is still being read.
        let mut open: Vec<Option<Oid>> = paths.files.iter().map(|&n| Some(ids[n])).collect();
        for (i, o) in out.iter_mut().enumerate() {
            let blob = ids[paths.files[i]];
            o.blob = blob;
            // A file the tip does not have has no history to tell.
            if blob.is_zero() || meets(i, tip, blob, 0) {
                o.complete = blob.is_zero();
                o.met = (!blob.is_zero()).then_some((tip, 0));
                open[i] = None;
            }
        }
        let mut ended = limit;
        for step in 0..limit {
            if open.iter().all(Option::is_none) {
                return out;
            }
            let Some((p, p_at)) = parent else {
                for (i, (o, blob)) in out.iter_mut().zip(&open).enumerate() {
                    if let Some(blob) = *blob {
                        let time = exact_time(&mut packs, commit, time, at);
                        o.list.push(Revision { commit, time, blob });
                        found(i, Revision { commit, time, blob });
                        (o.complete, o.read) = (true, step + 1);
                    }
                }
                return out;
            };
            let Some((h, h_at)) = header_of(&mut packs, p, p_at) else {
                ended = step;
                break;
            };
            // Every file still read is certainly as the parent has it: its tree is not read.
            let unchanged = match (&graph, at) {
                (Some(g), Some(pos)) => {
                    open.iter().zip(&keys).all(|(o, key)| o.is_none() || !g.may_have_changed(pos, key))
                }
                _ => false,
            };
            #[cfg(test)]
            TREES_PASSED.fetch_add(usize::from(unchanged && h.tree != tree), std::sync::atomic::Ordering::SeqCst);
            if h.tree != tree && !unchanged {
                match paths.entries(&odb, &mut packs, h.tree, Some(&ids)) {
                    Ok(read) => ids = read,
                    Err(missing) => {
                        // Not the file's absence: what the parent holds is unknown.
                        for (o, blob) in out.iter_mut().zip(&open) {
                            if blob.is_some() {
                                o.unreadable = Some(missing);
                            }
                        }
                        ended = step;
                        break;
                    }
                }
                tree = h.tree;
            }
            for (i, o) in out.iter_mut().enumerate() {
                let Some(blob) = open[i] else { continue };
                let parent_blob = if unchanged { blob } else { ids[paths.files[i]] };
                if parent_blob != blob {
                    let time = exact_time(&mut packs, commit, time, at);
                    o.list.push(Revision { commit, time, blob });
                    found(i, Revision { commit, time, blob });
                    // The commit that added it: an older life of the file (deleted, added again)
                    // is not this one's history, and the walk ends here rather than at the root.
                    if parent_blob.is_zero() {
                        (o.complete, o.read, open[i]) = (true, step + 1, None);
                        continue;
                    }
                }
                open[i] = Some(parent_blob);
                if meets(i, p, parent_blob, step + 1) {
                    (o.met, open[i]) = (Some((p, step + 1)), None);
                }
            }
            (commit, time, parent, at) = (p, h.time, h.first_parent, h_at);
        }
        // Cut short: by the limit, or a commit that could not be read (fewer read).
        for (o, blob) in out.iter_mut().zip(&open) {
            if blob.is_some() {
                o.read = ended;
            }
        }
        out
    }

    /// git's commit-graph as git would use it: not in a shallow clone or with grafts or
    /// replaced objects (git ignores the graph there too), nor with `core.commitGraph=false`.
    fn commit_graph(&self) -> Option<super::graph::Graph> {
        let off = self.config().and_then(|c| c.get_bool("core.commitGraph").ok()) == Some(false);
        let common = self.repo.commondir();
        let replaced = self.repo.references_glob("refs/replace/*").ok().is_some_and(|mut r| r.next().is_some());
        if off || self.repo.is_shallow() || common.join("info/grafts").exists() || replaced {
            return None;
        }
        super::graph::Graph::open(&common.join("objects"))
    }

    /// A bare repository (a server's): nothing of plan-lint's is written into it.
    pub fn is_bare(&self) -> bool {
        self.repo.is_bare()
    }
}

/// libgit2 keeps the objects it reads: right for a few trees and blobs (the pre-commit hook
/// compares many paths with HEAD's trees), never for history ([`super::tune_for_reading`]).
pub fn cache_objects() {
    git2::opts::enable_caching(true);
}

#[cfg(test)]
mod tests;
