//! Which scopes a commit changes, told from its trees: the two root trees are compared entry by
//! entry, and a folder is opened only when its id differs and a member folder lies at or below
//! it. A commit that changes one team's folder reads its root tree, the folders leading to the
//! team and nothing else (a diff reads every changed folder down to its files).
//!
//! Modes are read as git's tree walk reads them (`canon_mode`): `040000` is a folder as `40000`
//! is, `100664` a plain file, and a change of mode alone (made executable, a file become a link
//! to the same text) is a change. A tree that cannot be read (missing from a partial clone,
//! malformed) makes the answer unknown, never "nothing changed".

use super::{Oid, Repo};

/// One entry of a raw tree: its name, id and mode (canonical, as git reads it).
struct Entry<'a> {
    name: &'a [u8],
    id: Oid,
    mode: u32,
    folder: bool,
}

/// A mode as git's tree walk and index read it (`canon_mode`): a regular file is `100644` or
/// `100755` by its owner's execute bit, then links, folders, and anything else a submodule.
fn canon_mode(mode: u32) -> u32 {
    match mode & 0o170000 {
        0o100000 => 0o100000 | if mode & 0o100 != 0 { 0o755 } else { 0o644 },
        0o120000 => 0o120000,
        0o040000 => 0o040000,
        _ => 0o160000,
    }
}

/// The entries of a raw tree object (`<mode> <name>\0<20-byte id>`, repeated), in its order;
/// `None` when anything is malformed (git refuses such a tree too).
fn entries(data: &[u8]) -> Option<Vec<Entry<'_>>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let space = pos + memchr::memchr(b' ', &data[pos..])?;
        let nul = space + 1 + memchr::memchr(0, &data[space + 1..])?;
        let id = Oid::from_bytes(data.get(nul + 1..nul + 21)?).ok()?;
        let digits = &data[pos..space];
        if digits.is_empty() || digits.len() > 7 || !digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
            return None;
        }
        let mode = canon_mode(digits.iter().fold(0, |m, d| m * 8 + u32::from(d - b'0')));
        out.push(Entry { name: &data[space + 1..nul], id, mode, folder: mode == 0o040000 });
        pos = nul + 21;
    }
    Some(out)
}

/// Git's order of tree entries: by name, a folder as if its name ended in `/`.
fn git_order(a: &Entry<'_>, b: &Entry<'_>) -> std::cmp::Ordering {
    let key = |e: &Entry<'_>, i: usize| match e.name.get(i) {
        Some(&c) => Some(c),
        None if e.folder => Some(b'/'),
        None => None,
    };
    let n = a.name.len().max(b.name.len()) + 1;
    (0..n).map(|i| key(a, i).cmp(&key(b, i))).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
}

struct Compare<'a> {
    /// Trees are read with [`Repo::object`]: from the packs the handle keeps (a walk compares
    /// commits in order, so a folder's tree is a delta of one read a moment ago, kept as a
    /// base), else through libgit2 (a loose object).
    repo: &'a Repo,
    members: &'a [String],
    out: Vec<String>,
    /// A tree that had to be read could not be (missing or malformed): the answer is unknown.
    unreadable: bool,
}

impl Compare<'_> {
    /// The raw tree `id` (`None`: no folder there, or it cannot be read, noted in `unreadable`).
    fn tree(&mut self, id: Option<Oid>) -> Option<Vec<u8>> {
        let data = self.repo.object(id?, git2::ObjectType::Tree).filter(|d| entries(d).is_some());
        self.unreadable |= data.is_none();
        data
    }

    fn touch(&mut self, scope: &str) {
        if !self.out.iter().any(|s| s == scope) {
            self.out.push(scope.to_string());
        }
    }

    /// Whether a member is the folder `path` or lies below it.
    fn holds_member(&self, path: &str) -> bool {
        self.members.iter().any(|m| {
            m.len() >= path.len() && m.starts_with(path) && (m.len() == path.len() || m.as_bytes()[path.len()] == b'/')
        })
    }

    /// Compare two folders' trees at `prefix` (`""`, or `a/b/`), governed by `scope`.
    fn compare(&mut self, old: Option<Oid>, new: Option<Oid>, prefix: &str, scope: &str) {
        let (old, new) = (self.tree(old), self.tree(new));
        let (old, new) = (
            old.as_deref().and_then(entries).unwrap_or_default(),
            new.as_deref().and_then(entries).unwrap_or_default(),
        );
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < new.len() {
            let order = match (old.get(i), new.get(j)) {
                (Some(a), Some(b)) => git_order(a, b),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            let (a, b) = match order {
                std::cmp::Ordering::Less => (old.get(i), None),
                std::cmp::Ordering::Greater => (None, new.get(j)),
                std::cmp::Ordering::Equal => (old.get(i), new.get(j)),
            };
            i += usize::from(a.is_some());
            j += usize::from(b.is_some());
            if let (Some(a), Some(b)) = (a, b) {
                if a.id == b.id && a.mode == b.mode {
                    continue;
                }
            }
            let name = a.or(b).map(|e| String::from_utf8_lossy(e.name).into_owned()).unwrap_or_default();
            let path = format!("{prefix}{name}");
            let folder = |e: Option<&Entry<'_>>| e.filter(|e| e.folder).map(|e| e.id);
            let (fa, fb) = (folder(a), folder(b));
            // A file (or submodule) on either side is a changed path of this folder's scope.
            if a.is_some_and(|e| !e.folder) || b.is_some_and(|e| !e.folder) {
                self.touch(scope);
            }
            if fa.is_none() && fb.is_none() {
                continue;
            }
            if self.holds_member(&path) {
                let inner = if self.members.contains(&path) { path.clone() } else { scope.to_string() };
                self.compare(fa, fb, &format!("{path}/"), &inner);
            } else {
                self.touch(scope);
            }
        }
    }
}

/// The staged side of [`Repo::scopes_staged`]: the index, its valid cache-tree folders, and
/// HEAD's trees (read through `compare`).
struct Staged<'a> {
    index: &'a super::index::Index,
    cached: std::collections::HashMap<Vec<u8>, Oid>,
}

impl Compare<'_> {
    /// Compare HEAD's folder `head` at `prefix` (`""`, or `a/b/`) with the index's entries
    /// below it, governed by `scope`. A folder whose cache-tree id is HEAD's is not opened.
    fn staged(&mut self, staged: &Staged<'_>, head: Option<Oid>, prefix: &str, scope: &str) {
        let folder = prefix.strip_suffix('/').unwrap_or(prefix);
        if head.is_some() && staged.cached.get(folder.as_bytes()).copied() == head {
            return;
        }
        let data = self.tree(head);
        let old = data.as_deref().and_then(entries).unwrap_or_default();
        let new = children(staged.index, prefix);
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < new.len() {
            let b_entry = new.get(j).map(as_entry);
            let order = match (old.get(i), b_entry.as_ref()) {
                (Some(a), Some(b)) => git_order(a, b),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            let (a, b) = match order {
                std::cmp::Ordering::Less => (old.get(i), None),
                std::cmp::Ordering::Greater => (None, new.get(j)),
                std::cmp::Ordering::Equal => (old.get(i), new.get(j)),
            };
            i += usize::from(a.is_some());
            j += usize::from(b.is_some());
            let name = a.map(|e| e.name).or(b.map(|c| c.name.as_slice())).unwrap_or_default();
            let path = format!("{prefix}{}", String::from_utf8_lossy(name));
            let b = b.map(|c| &c.kind);
            let b_file = matches!(b, Some(Kind::File { .. }));
            match (a, b) {
                // A folder on either side: opened when it may hold a member or a change.
                (a, b) if a.is_some_and(|e| e.folder) || (b.is_some() && !b_file) => {
                    if a.is_some_and(|e| !e.folder) || b_file {
                        self.touch(scope);
                    }
                    let head_folder = a.filter(|e| e.folder).map(|e| e.id);
                    let inner = if self.members.contains(&path) { path.clone() } else { scope.to_string() };
                    match b {
                        Some(Kind::Folder) if self.holds_member(&path) => {
                            self.staged(staged, head_folder, &format!("{path}/"), &inner);
                        }
                        // No member below: one scope for all of it, touched if anything differs
                        // (asked without recursion: a path may be thousands of folders deep).
                        Some(Kind::Folder) => {
                            if !self.out.iter().any(|s| s == scope) && self.differs(staged, head_folder, &path) {
                                self.touch(scope);
                            }
                        }
                        // A sparse index's folder: its tree, as git will commit it.
                        Some(Kind::Sparse(id)) => {
                            if head_folder != Some(*id) {
                                self.compare(head_folder, Some(*id), &format!("{path}/"), &inner);
                            }
                        }
                        // Only in HEAD: everything below it is removed.
                        _ if self.holds_member(&path) => {
                            self.compare(head_folder, None, &format!("{path}/"), &inner);
                        }
                        _ => self.touch(scope),
                    }
                }
                (Some(a), Some(Kind::File { id, mode, stage })) => {
                    if a.id != *id || *stage != 0 || a.mode != canon_mode(*mode) {
                        self.touch(scope);
                    }
                }
                _ => self.touch(scope),
            }
        }
    }
}

impl Compare<'_> {
    /// Whether the index's entries below `folder` (`a/b`) differ from HEAD's folder `head`: its
    /// folders visited from a work list, not by recursion, each skipped when its cache-tree id
    /// is HEAD's.
    fn differs(&mut self, staged: &Staged<'_>, head: Option<Oid>, folder: &str) -> bool {
        let mut work = vec![(head, format!("{folder}/"))];
        while let Some((head, prefix)) = work.pop() {
            if head.is_some() && staged.cached.get(&prefix.as_bytes()[..prefix.len() - 1]).copied() == head {
                continue;
            }
            let data = self.tree(head);
            if head.is_some() && data.is_none() {
                return true;
            }
            let old = data.as_deref().and_then(entries).unwrap_or_default();
            let new = children(staged.index, &prefix);
            if old.len() != new.len() {
                return true;
            }
            for (a, b) in old.iter().zip(&new) {
                if a.name != b.name.as_slice() {
                    return true;
                }
                match &b.kind {
                    Kind::Folder if a.folder => {
                        work.push((Some(a.id), format!("{prefix}{}/", String::from_utf8_lossy(a.name))))
                    }
                    Kind::Sparse(id) if a.folder && a.id == *id => {}
                    Kind::File { id, mode, stage } if a.id == *id && *stage == 0 && a.mode == canon_mode(*mode) => {}
                    _ => return true,
                }
            }
        }
        false
    }
}

/// A child of a folder in the index: its name, and what it is.
struct Child {
    name: Vec<u8>,
    kind: Kind,
}

enum Kind {
    /// A folder whose entries the index lists.
    Folder,
    /// A sparse index's folder outside the sparse cone, as one entry: its tree id.
    Sparse(Oid),
    File {
        id: Oid,
        mode: u32,
        stage: u8,
    },
}

/// The index's entries directly in the folder `prefix` (`""`, or `a/b/`) and its subfolders,
/// each named once, in the index's order; an entry added with `git add -N` is not staged (git
/// leaves it out of the commit and of `git diff --cached`).
fn children(index: &super::index::Index, prefix: &str) -> Vec<Child> {
    let mut new: Vec<Child> = Vec::new();
    for child in index.children(prefix.as_bytes()) {
        let e = match child {
            Err(folder) => {
                new.push(Child { name: folder.to_vec(), kind: Kind::Folder });
                continue;
            }
            Ok(e) if e.intent_to_add => continue,
            Ok(e) => e,
        };
        let rest = &e.path[prefix.len()..];
        let kind = match rest.strip_suffix(b"/") {
            Some(_) if canon_mode(e.mode) == 0o040000 => Kind::Sparse(e.id),
            _ => Kind::File { id: e.id, mode: e.mode, stage: e.stage },
        };
        let name = rest.strip_suffix(b"/").unwrap_or(rest).to_vec();
        new.push(Child { name, kind });
    }
    new
}

/// An index child as a tree entry, to order it among HEAD's.
fn as_entry(child: &Child) -> Entry<'_> {
    let (id, mode) = match child.kind {
        Kind::Folder => (Oid::zero(), 0o040000),
        Kind::Sparse(id) => (id, 0o040000),
        Kind::File { id, mode, .. } => (id, canon_mode(mode)),
    };
    Entry { name: &child.name, id, mode, folder: mode == 0o040000 }
}

impl Repo {
    /// The id of the entry at `path` (`/`-separated) below the tree `tree`, read folder by
    /// folder (a sparse index's folder entry holds its files this way).
    pub fn entry_in_tree(&self, tree: Oid, path: &str) -> Option<Oid> {
        path.split('/')
            .try_fold(tree, |id, name| super::tree_entry(&self.object(id, git2::ObjectType::Tree)?, name.as_bytes()))
    }

    /// Every file below the tree `tree` (a sparse index's folder entry), as paths relative to
    /// it with their modes, in git's order; at most `max` (the rest is not listed). `None`
    /// when a tree below cannot be read.
    pub fn files_below(&self, tree: Oid, max: usize) -> Option<Vec<(String, u32)>> {
        let tree = self.repo.find_tree(tree).ok()?;
        let mut out = Vec::new();
        let mut unread = false;
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if out.len() >= max {
                return git2::TreeWalkResult::Abort;
            }
            match (entry.kind(), entry.name()) {
                (Some(git2::ObjectType::Tree), _) => {}
                (Some(git2::ObjectType::Blob), Some(name)) => {
                    out.push((format!("{dir}{name}"), entry.filemode() as u32))
                }
                (None, _) => unread = true,
                _ => {}
            }
            git2::TreeWalkResult::Ok
        })
        .ok()
        .filter(|()| !unread)
        .or_else(|| (out.len() >= max).then_some(()))?;
        Some(out)
    }

    /// The scopes whose files `index` stages against HEAD (everything, in a repository without
    /// commits), as [`Repo::scopes_changed`] tells a commit's: what `git diff --cached` lists,
    /// by the scope that governs each path. The cache-tree extension spares reading HEAD's
    /// folders that nothing staged touches. `None` when HEAD, or a tree that must be read,
    /// cannot be (a broken or partial clone): the answer is unknown, not "nothing staged".
    /// `amend`: the commit being made replaces HEAD (`git commit --amend`), so the index is
    /// compared with HEAD's first parent (nothing, when HEAD is a root commit).
    pub fn scopes_staged(&self, index: &super::index::Index, members: &[String], amend: bool) -> Option<Vec<String>> {
        let head = match self.repo.head() {
            Ok(head) => {
                let commit = head.peel_to_commit().ok()?;
                match (amend, commit.parent_ids().next()) {
                    (false, _) => Some(commit.tree_id()),
                    (true, Some(parent)) => Some(self.repo.find_commit(parent).ok()?.tree_id()),
                    (true, None) => None,
                }
            }
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch || e.code() == git2::ErrorCode::NotFound => None,
            Err(_) => return None,
        };
        let mut compare = Compare { repo: self, members, out: Vec::new(), unreadable: false };
        let staged = Staged { index, cached: index.cache_tree() };
        compare.staged(&staged, head, "", "");
        (!compare.unreadable).then_some(compare.out)
    }

    /// The scopes whose files a commit changes against its first parent (against nothing for a
    /// root commit, or when the parent cannot be read): each member folder of `members` (the
    /// deepest holding a changed path) and `""` for a path no member holds, each once, in the
    /// order a diff lists the paths. `None` when the commit, or a tree the comparison opens,
    /// cannot be read (a partial clone's missing trees, a malformed tree): unknown, which a
    /// caller reports, never "changes nothing".
    pub fn scopes_changed(&self, commit: Oid, members: &[String]) -> Option<Vec<String>> {
        let header = |id: Oid| Some(super::commit::Header::parse(&self.object(id, git2::ObjectType::Commit)?));
        let c = header(commit)?;
        let tree = c.tree?;
        let parent = c.first_parent.and_then(header).and_then(|p| p.tree);
        let mut compare = Compare { repo: self, members, out: Vec::new(), unreadable: false };
        compare.compare(parent, Some(tree), "", "");
        (!compare.unreadable).then_some(compare.out)
    }
}

#[cfg(test)]
mod tests {
    use super::hostile::{git, git_staged, members};
    use super::*;

    /// Paths around member folders: nested members, a sibling whose name extends a member's,
    /// files beside folders that sort between them.
    const PATHS: [&str; 11] = [
        "README.md",
        "teams/x/plan.md",
        "teams/x/sub/plan.md",
        "teams/x/sub/deep/a.md",
        "teams/x-y/plan.md",
        "teams/x.md",
        "teams/y/plan.md",
        "teams/y/promises.toml",
        "teams/xy/plan.md",
        "teams-x/plan.md",
        "z/teams/x/plan.md",
    ];

    /// The generator of the cases: the same seed, the same cases.
    fn xorshift(seed: u64) -> impl FnMut() -> u64 {
        let mut rng = crate::git::Rng(seed);
        move || rng.next()
    }

    /// The scopes a diff's paths fall in, as the engine read them before (`Scopes::governing`
    /// over every path `git diff` lists): the reference the tree comparison must equal.
    fn by_diff(repo: &Repo, commit: Oid, members: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in repo.change_of(commit, usize::MAX).expect("a commit").paths {
            let s = crate::registry::Scopes::governing(members, &p).to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }

    /// Generated histories over paths around member folders (nested members, a sibling whose
    /// name extends a member's, a file where a member's folder was, files beside folders that
    /// sort between them): for every commit, the tree comparison names the scopes the diff's
    /// paths do, in the same order.
    #[test]
    fn the_scopes_a_commit_changes_are_those_of_its_diff() {
        let dir = tempfile::tempdir().unwrap();
        let git = git2::Repository::init(dir.path()).unwrap();
        let sig = git2::Signature::new("A", "a@example.com", &git2::Time::new(1_700_000_000, 0)).unwrap();
        // And files where a member's folder (or a folder below one) would be.
        let paths: Vec<&str> = PATHS.iter().copied().chain(["teams/x", "teams/y/sub"]).collect();
        let members = members();
        let repo = Repo::open(dir.path()).unwrap();
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let mut parent: Option<Oid> = None;
        let mut compared = 0;
        for round in 0..300 {
            let mut index = git2::Index::new().unwrap();
            for (i, p) in paths.iter().enumerate() {
                let bits = next();
                if bits % 3 == 0 {
                    continue;
                }
                // A file where another path needs a folder is left out (git cannot hold both).
                let conflicts = paths.iter().enumerate().any(|(j, q)| {
                    j < i && bits % 3 != 0 && (q.starts_with(&format!("{p}/")) || p.starts_with(&format!("{q}/")))
                });
                if conflicts && index.get_path(std::path::Path::new(p), 0).is_none() {
                    let holds = |a: &str, b: &str| a.starts_with(&format!("{b}/"));
                    let taken = index.iter().any(|e| {
                        let e = String::from_utf8_lossy(&e.path).into_owned();
                        holds(&e, p) || holds(p, &e)
                    });
                    if taken {
                        continue;
                    }
                }
                let blob = git.blob(format!("{}", bits % 4).as_bytes()).unwrap();
                let entry = git2::IndexEntry {
                    ctime: git2::IndexTime::new(0, 0),
                    mtime: git2::IndexTime::new(0, 0),
                    dev: 0,
                    ino: 0,
                    mode: 0o100644,
                    uid: 0,
                    gid: 0,
                    file_size: 0,
                    id: blob,
                    flags: 0,
                    flags_extended: 0,
                    path: p.as_bytes().to_vec(),
                };
                index.add(&entry).unwrap();
            }
            let tree = git.find_tree(index.write_tree_to(&git).unwrap()).unwrap();
            let parents: Vec<git2::Commit<'_>> = parent.iter().map(|p| git.find_commit(*p).unwrap()).collect();
            let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
            let commit = git.commit(None, &sig, &sig, &format!("Round {round}\n"), &tree, &refs).unwrap();
            let expected = by_diff(&repo, commit, &members);
            assert_eq!(repo.scopes_changed(commit, &members), Some(expected.clone()), "round {round}");
            compared += usize::from(expected.len() > 1);
            parent = Some(commit);
        }
        assert!(compared > 50, "most commits change several scopes ({compared})");
        // Packed as `git gc --aggressive` packs (trees as deltas of trees), read from the tip
        // down as the walk reads them: the trees come from the packs, and say the same.
        let out = std::process::Command::new("git")
            .args(["update-ref", "refs/heads/main"])
            .arg(parent.unwrap().to_string())
            .current_dir(dir.path())
            .status()
            .unwrap();
        assert!(out.success());
        let out = std::process::Command::new("git")
            .args(["repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=250"])
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .unwrap();
        assert!(out.success());
        let repo = Repo::open(dir.path()).unwrap();
        let (mut at, mut walked) = (parent, 0);
        while let Some(commit) = at {
            let expected = by_diff(&repo, commit, &members);
            assert_eq!(repo.scopes_changed(commit, &members), Some(expected), "packed, commit {commit}");
            at = git.find_commit(commit).unwrap().parent_ids().next();
            walked += 1;
        }
        assert_eq!(walked, 300);
        let kept = repo.packs.borrow().as_ref().map_or(0, super::super::pack::Packs::trees_kept);
        assert!(kept > 100, "trees read from the packs: {kept}");
    }

    /// Staged changes made with the real `git` (files added, changed, removed from the index,
    /// made executable; some rounds committed, so the cache-tree is valid, some not): the
    /// scopes read from the index and HEAD's trees are those of `git diff --cached`'s paths.
    #[test]
    fn the_scopes_a_staged_change_touches_are_those_git_diff_cached_lists() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| git(dir.path(), args);
        git(&["init", "-q"]);
        let members = members();
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let (mut compared, mut several) = (0, 0);
        for round in 0..60 {
            for p in PATHS {
                let file = dir.path().join(p);
                match next() % 6 {
                    0 => {
                        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                        std::fs::write(&file, format!("{round}\n")).unwrap();
                        git(&["add", p]);
                    }
                    1 if file.exists() => {
                        git(&["rm", "-q", "--cached", "--ignore-unmatch", p]);
                    }
                    2 if file.exists() => {
                        use std::os::unix::fs::PermissionsExt;
                        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
                        git(&["add", p]);
                    }
                    _ => {}
                }
            }
            let expected = git_staged(dir.path());
            let listed = String::from_utf8(git(&["diff", "--cached", "--name-only"])).unwrap();
            let repo = Repo::open(&dir.path().join(".git")).unwrap();
            let index = crate::git::index::Index::open(&dir.path().join(".git/index")).unwrap();
            assert_eq!(repo.scopes_staged(&index, &members, false), Some(expected.clone()), "round {round}: {listed}");
            compared += 1;
            several += usize::from(expected.len() > 1);
            if round % 3 == 2 && !listed.is_empty() {
                git(&["commit", "-q", "-m", "Round"]);
                let index = crate::git::index::Index::open(&dir.path().join(".git/index")).unwrap();
                assert!(index.cache_tree().contains_key(&b""[..]), "a commit leaves a valid cache-tree");
            }
        }
        assert!(compared == 60 && several > 10, "{several} rounds staged several scopes");
    }
}

#[cfg(test)]
mod hostile {
    use super::*;
    use std::path::Path;

    /// Run the real `git` in `dir` (hermetic), its standard output.
    pub(super) fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=A", "-c", "user.email=a@example.com", "-c", "core.fileMode=true"])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }

    pub(super) fn members() -> Vec<String> {
        ["teams/x", "teams/x/sub", "teams/y"].iter().map(|s| s.to_string()).collect()
    }

    /// The scopes of `-z` separated paths, in order, each once.
    fn scopes_of(listed: &[u8], members: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in listed.split(|&b| b == 0).filter(|p| !p.is_empty()) {
            let s = crate::registry::Scopes::governing(members, &String::from_utf8_lossy(p)).to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }

    /// What `git diff --cached` says the index stages, by scope.
    pub(super) fn git_staged(dir: &Path) -> Vec<String> {
        scopes_of(&git(dir, &["diff", "--cached", "--name-only", "--no-renames", "-z"]), &members())
    }

    /// What `git diff-tree` says commit `rev` changes against its first parent, by scope.
    fn git_changed(dir: &Path, rev: &str) -> Vec<String> {
        let listed = git(
            dir,
            &[
                "diff-tree",
                "-r",
                "--root",
                "--no-renames",
                "--name-only",
                "-z",
                "--no-commit-id",
                "-m",
                "--first-parent",
                rev,
            ],
        );
        scopes_of(&listed, &members())
    }

    fn ours_staged(dir: &Path) -> Vec<String> {
        let repo = Repo::open(&dir.join(".git")).unwrap();
        let index = crate::git::index::Index::open(&dir.join(".git/index")).unwrap();
        repo.scopes_staged(&index, &members(), false).unwrap()
    }

    fn ours_changed(dir: &Path, rev: &str) -> Option<Vec<String>> {
        let repo = Repo::open(&dir.join(".git")).unwrap();
        let id = Oid::from_str(String::from_utf8(git(dir, &["rev-parse", rev])).unwrap().trim()).unwrap();
        repo.scopes_changed(id, &members())
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }

    /// A repository with a file in each scope, committed.
    fn base() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q", "-b", "main"]);
        for p in [
            "README.md",
            "teams/x/plan.md",
            "teams/x/sub/plan.md",
            "teams/y/plan.md",
            "teams/x-y/a.md",
            "teams/x.y/a.md",
        ] {
            write(d, p, "one\n");
        }
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", "Base"]);
        dir
    }

    /// Write a raw tree object (no checks: as a broken tool or an old git would).
    fn mktree(d: &Path, body: &[u8]) -> String {
        use std::io::Write;
        let mut child = std::process::Command::new("git")
            .args(["hash-object", "-t", "tree", "-w", "--literally", "--stdin"])
            .current_dir(d)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(body).unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap().trim().to_string()
    }

    fn raw_entry(mode: &str, name: &[u8], hex: &str) -> Vec<u8> {
        let mut v = format!("{mode} ").into_bytes();
        v.extend(name);
        v.push(0);
        v.extend(Oid::from_str(hex).unwrap().as_bytes());
        v
    }

    /// `teams/x/<name>` as one raw entry of `mode`, in a root tree whose folders are written
    /// with `folder` (`40000`, or an old tool's `040000`).
    fn teams_x(d: &Path, folder: &str, mode: &str, name: &[u8], id: &str) -> String {
        let x = mktree(d, &raw_entry(mode, name, id));
        mktree(d, &raw_entry(folder, b"teams", &mktree(d, &raw_entry(folder, b"x", &x))))
    }

    fn commit_tree(d: &Path, tree: &str, parent: Option<&str>) -> String {
        let mut args = vec!["commit-tree", tree, "-m", "c"];
        args.extend(parent.map(|p| ["-p", p]).into_iter().flatten());
        String::from_utf8(git(d, &args)).unwrap().trim().to_string()
    }

    fn blob(d: &Path, text: &str) -> String {
        write(d, "tmp", text);
        String::from_utf8(git(d, &["hash-object", "-w", "tmp"])).unwrap().trim().to_string()
    }

    /// A change of mode alone is a change, as `git diff` lists it: a file made executable (by
    /// `git commit`), a file become a link whose target is its text (same blob).
    #[test]
    fn a_change_of_mode_alone_changes_its_scope() {
        let dir = base();
        let d = dir.path();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.join("teams/x/sub/plan.md"), std::fs::Permissions::from_mode(0o755)).unwrap();
        git(d, &["commit", "-q", "-am", "Executable"]);
        assert_eq!(git_changed(d, "HEAD"), ["teams/x/sub"]);
        assert_eq!(ours_changed(d, "HEAD"), Some(git_changed(d, "HEAD")));
        let one = blob(d, "one\n");
        let file = commit_tree(d, &teams_x(d, "40000", "100644", b"plan.md", &one), None);
        let link = commit_tree(d, &teams_x(d, "40000", "120000", b"plan.md", &one), Some(&file));
        assert_eq!(git_changed(d, &link), ["teams/x"]);
        assert_eq!(ours_changed(d, &link), Some(git_changed(d, &link)));
    }

    /// Modes as git's tree walk reads them: an old tool's zero-padded `040000` is a folder (a
    /// member below it is reached), `100664` is a plain file (no change from `100644`), in a
    /// commit and against the index.
    #[test]
    fn modes_are_read_as_git_reads_them() {
        let dir = base();
        let d = dir.path();
        let (one, two) = (blob(d, "one\n"), blob(d, "two\n"));
        let a = commit_tree(d, &teams_x(d, "040000", "100644", b"plan.md", &one), None);
        let b = commit_tree(d, &teams_x(d, "040000", "100644", b"plan.md", &two), Some(&a));
        assert_eq!(git_changed(d, &b), ["teams/x"]);
        assert_eq!(ours_changed(d, &b), Some(git_changed(d, &b)));
        let c = commit_tree(d, &teams_x(d, "40000", "100664", b"plan.md", &two), Some(&b));
        assert_eq!(git_changed(d, &c), Vec::<String>::new());
        assert_eq!(ours_changed(d, &c), Some(git_changed(d, &c)));
        // HEAD holds `100664`; the index the same blob as `100644`, its folder's cache-tree
        // invalidated by staging it again.
        git(d, &["reset", "-q", "--hard", &c]);
        git(d, &["rm", "-q", "--cached", "teams/x/plan.md"]);
        git(d, &["add", "teams/x/plan.md"]);
        assert_eq!(git_staged(d), Vec::<String>::new());
        assert_eq!(ours_staged(d), git_staged(d));
    }

    /// A tree the comparison must open that is missing (a partial clone, a broken repository)
    /// makes the answer unknown, for a commit and for a staged change, never "nothing".
    #[test]
    fn a_missing_tree_makes_the_scopes_unknown() {
        let dir = base();
        let d = dir.path();
        let missing = "1234567890123456789012345678901234567890";
        let root = mktree(d, &raw_entry("40000", b"teams", &mktree(d, &raw_entry("40000", b"x", missing))));
        let broken = commit_tree(d, &root, Some("HEAD"));
        assert_eq!(ours_changed(d, &broken), None);
        git(d, &["update-ref", "HEAD", &broken]);
        write(d, "teams/x/plan.md", "staged\n");
        git(d, &["add", "teams/x/plan.md"]);
        let repo = Repo::open(&d.join(".git")).unwrap();
        let index = crate::git::index::Index::open(&d.join(".git/index")).unwrap();
        assert_eq!(repo.scopes_staged(&index, &members(), false), None);
    }

    /// A sparse index (`git sparse-checkout --sparse-index`) holds a folder outside the cone
    /// as one entry, `teams/x/` with its tree id: compared as a tree, not as a file named `x/`.
    /// HEAD moved back with `reset --soft`, so that folder's tree is not HEAD's.
    #[test]
    fn a_sparse_index_folder_is_compared_as_its_tree() {
        let dir = base();
        let d = dir.path();
        write(d, "teams/x/sub/plan.md", "sub\n");
        git(d, &["commit", "-q", "-am", "Sub"]);
        git(d, &["sparse-checkout", "init", "--cone", "--sparse-index"]);
        git(d, &["sparse-checkout", "set", "teams/y"]);
        let index = crate::git::index::Index::open(&d.join(".git/index")).unwrap();
        assert!(index.iter().any(|e| e.path == b"teams/x/" && e.mode == 0o040000), "a sparse folder entry");
        git(d, &["reset", "-q", "--soft", "HEAD~1"]);
        assert_eq!(git_staged(d), ["teams/x/sub"]);
        assert_eq!(ours_staged(d), git_staged(d));
        write(d, "teams/y/plan.md", "in the cone\n");
        git(d, &["add", "teams/y/plan.md"]);
        assert_eq!(ours_staged(d), git_staged(d));
    }

    /// `git add -N` lists a path without staging it: `git diff --cached` and the commit leave it
    /// out, and so does the staged change's scope.
    #[test]
    fn an_intent_to_add_entry_is_not_staged() {
        let dir = base();
        let d = dir.path();
        write(d, "teams/y/new.md", "new\n");
        git(d, &["add", "-N", "teams/y/new.md"]);
        write(d, "teams/x/plan.md", "staged\n");
        git(d, &["add", "teams/x/plan.md"]);
        assert_eq!(git_staged(d), ["teams/x"]);
        assert_eq!(ours_staged(d), git_staged(d));
    }

    /// States that held: a merge's conflict (stages 1 to 3), index version 4, skip-worktree and
    /// assume-unchanged entries, a submodule (gitlink) inside a member and one where a member's
    /// folder was, a name that is not UTF-8, an unborn branch with staged files.
    #[test]
    fn other_index_states_and_trees_agree_with_git() {
        let dir = base();
        let d = dir.path();
        git(d, &["checkout", "-q", "-b", "other"]);
        write(d, "teams/x/plan.md", "other\n");
        git(d, &["commit", "-q", "-am", "Other"]);
        git(d, &["checkout", "-q", "main"]);
        write(d, "teams/x/plan.md", "main\n");
        git(d, &["commit", "-q", "-am", "Main"]);
        let merged = std::process::Command::new("git").args(["merge", "-q", "other"]).current_dir(d).output().unwrap();
        assert!(!merged.status.success(), "a conflict");
        assert_eq!(git_staged(d), ["teams/x"]);
        assert_eq!(ours_staged(d), git_staged(d));
        git(d, &["merge", "--abort"]);
        write(d, "teams/x/sub/plan.md", "v4\n");
        git(d, &["add", "-A"]);
        git(d, &["update-index", "--index-version", "4"]);
        git(d, &["update-index", "--skip-worktree", "teams/y/plan.md"]);
        git(d, &["update-index", "--assume-unchanged", "README.md"]);
        assert_eq!(ours_staged(d), git_staged(d));
        git(d, &["commit", "-q", "-m", "V4"]);
        let head = String::from_utf8(git(d, &["rev-parse", "HEAD"])).unwrap().trim().to_string();
        git(d, &["update-index", "--add", "--cacheinfo", &format!("160000,{head},teams/x/sub/module")]);
        git(d, &["update-index", "--add", "--cacheinfo", &format!("160000,{head},teams/y-z")]);
        assert_eq!(ours_staged(d), git_staged(d));
        git(d, &["commit", "-q", "-m", "Modules"]);
        assert_eq!(ours_changed(d, "HEAD"), Some(git_changed(d, "HEAD")));
        let one = blob(d, "one\n");
        let odd = mktree(d, &raw_entry("40000", b"teams", &mktree(d, &raw_entry("100644", b"x\xff", &one))));
        let odd = commit_tree(d, &odd, Some("HEAD"));
        assert_eq!(ours_changed(d, &odd), Some(git_changed(d, &odd)));
        git(d, &["checkout", "-q", "--orphan", "unborn"]);
        assert_eq!(ours_staged(d), git_staged(d));
    }
    /// A path 2,040 folders deep (`git diff` reads 2,048): the staged side asks whether a
    /// folder no member lies below differs without recursing, so a deep path neither
    /// overflows the stack (here a 2 MiB test thread's) nor changes the answer.
    #[test]
    fn a_path_thousands_of_folders_deep_is_compared_without_recursion() {
        let dir = base();
        let d = dir.path();
        let one = blob(d, "one\n");
        let deep = |under: &str| format!("{under}{}/f", vec!["a"; 2_040].join("/"));
        for path in [deep(""), deep("teams/x/")] {
            git(d, &["update-index", "--add", "--cacheinfo", &format!("100644,{one},{path}")]);
            assert_eq!(ours_staged(d), git_staged(d));
            git(d, &["commit", "-q", "-m", "Deep"]);
            git(d, &["update-index", "--cacheinfo", &format!("100755,{one},{path}")]);
            assert_eq!(ours_staged(d), git_staged(d));
            git(d, &["commit", "-q", "-m", "Deep, executable"]);
            assert_eq!(ours_changed(d, "HEAD"), Some(git_changed(d, "HEAD")));
        }
    }
    /// A crafted cache-tree that names `teams/x` as one folder under the root, with HEAD's id:
    /// git looks folders up part by part and never finds it, so `git diff --cached` and the
    /// commit see the staged change below; skipping `teams/x` on its word would hide it. Such
    /// a cache-tree is not used.
    #[test]
    fn a_cache_tree_git_would_not_find_cannot_hide_a_staged_change() {
        let dir = base();
        let d = dir.path();
        let head_x = String::from_utf8(git(d, &["rev-parse", "HEAD:teams/x"])).unwrap();
        write(d, "teams/x/plan.md", "staged\n");
        git(d, &["add", "teams/x/plan.md"]);
        let index = std::fs::read(d.join(".git/index")).unwrap();
        let tree_at = index.windows(4).rposition(|w| w == b"TREE").unwrap();
        let mut body = b"\0-1 1\nteams/x\x000 0\n".to_vec();
        body.extend(Oid::from_str(head_x.trim()).unwrap().as_bytes());
        let mut crafted = index[..tree_at].to_vec();
        crafted.extend(b"TREE");
        crafted.extend((body.len() as u32).to_be_bytes());
        crafted.extend(&body);
        // A null checksum: git (since 2.40, `index.skipHash`) reads the file unverified.
        crafted.extend([0u8; 20]);
        std::fs::write(d.join(".git/index"), crafted).unwrap();
        assert_eq!(git_staged(d), ["teams/x"]);
        assert_eq!(ours_staged(d), git_staged(d));
    }
    /// For `git commit --amend`, the index against HEAD's parent, as `git diff --cached HEAD~1`
    /// lists it (and against nothing when HEAD is a root commit).
    #[test]
    fn an_amend_compares_the_index_with_head_s_parent() {
        let dir = base();
        let d = dir.path();
        let repo = Repo::open(&d.join(".git")).unwrap();
        let index = || crate::git::index::Index::open(&d.join(".git/index")).unwrap();
        let all = scopes_of(
            &git(d, &["diff", "--cached", "--name-only", "-z", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"]),
            &members(),
        );
        assert_eq!(repo.scopes_staged(&index(), &members(), true), Some(all));
        write(d, "teams/y/plan.md", "two\n");
        git(d, &["commit", "-q", "-am", "Y"]);
        write(d, "teams/x/sub/plan.md", "two\n");
        git(d, &["add", "-A"]);
        let listed = git(d, &["diff", "--cached", "--name-only", "-z", "HEAD~1"]);
        assert_eq!(scopes_of(&listed, &members()), ["teams/x/sub", "teams/y"]);
        assert_eq!(repo.scopes_staged(&index(), &members(), true), Some(scopes_of(&listed, &members())));
        assert_eq!(repo.scopes_staged(&index(), &members(), false), Some(vec!["teams/x/sub".to_string()]));
    }
}
