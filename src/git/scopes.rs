//! Which scopes a commit changes, told from its trees: the two root trees are compared entry by
//! entry, and a folder is opened only when its id differs and a member folder lies at or below
//! it. A commit that changes one team's folder reads its root tree, the folders leading to the
//! team and nothing else (a diff reads every changed folder down to its files).

use super::{Oid, Repo};

/// One entry of a raw tree: its name, id and whether it is a folder.
struct Entry<'a> {
    name: &'a [u8],
    id: Oid,
    folder: bool,
}

/// The entries of a raw tree object (`<mode> <name>\0<20-byte id>`, repeated), in its order;
/// the entries before anything malformed.
fn entries(data: &[u8]) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let Some(space) = memchr::memchr(b' ', &data[pos..]).map(|s| pos + s) else { break };
        let Some(nul) = memchr::memchr(0, &data[space + 1..]).map(|n| space + 1 + n) else { break };
        let Some(id) = data.get(nul + 1..nul + 21).and_then(|b| Oid::from_bytes(b).ok()) else { break };
        out.push(Entry { name: &data[space + 1..nul], id, folder: &data[pos..space] == b"40000" });
        pos = nul + 21;
    }
    out
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
    odb: git2::Odb<'a>,
    members: &'a [String],
    out: Vec<String>,
}

impl Compare<'_> {
    fn tree(&self, id: Option<Oid>) -> Option<Vec<u8>> {
        let id = id?;
        self.odb.read(id).ok().filter(|o| o.kind() == git2::ObjectType::Tree).map(|o| o.data().to_vec())
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
        let (old, new) =
            (old.as_deref().map(entries).unwrap_or_default(), new.as_deref().map(entries).unwrap_or_default());
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
                if a.id == b.id && a.folder == b.folder {
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
        let old = data.as_deref().map(entries).unwrap_or_default();
        // The index's entries directly in this folder, and its subfolders (named once).
        let mut new: Vec<Child> = Vec::new();
        for child in staged.index.children(prefix.as_bytes()) {
            new.push(match child {
                Ok(e) => (e.path[prefix.len()..].to_vec(), Some((e.id, e.mode, e.stage))),
                Err(folder) => (folder.to_vec(), None),
            });
        }
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
            let name = a.map(|e| e.name).or(b.map(|(n, _)| n.as_slice())).unwrap_or_default();
            let path = format!("{prefix}{}", String::from_utf8_lossy(name));
            match (a, b) {
                // A folder on either side: opened when it may hold a member or a change.
                (a, b) if a.is_some_and(|e| e.folder) || b.is_some_and(|(_, f)| f.is_none()) => {
                    if a.is_some_and(|e| !e.folder) || b.is_some_and(|(_, f)| f.is_some()) {
                        self.touch(scope);
                    }
                    let head_folder = a.filter(|e| e.folder).map(|e| e.id);
                    let inner = if self.members.contains(&path) { path.clone() } else { scope.to_string() };
                    if b.is_some_and(|(_, f)| f.is_none()) {
                        self.staged(staged, head_folder, &format!("{path}/"), &inner);
                    } else if self.holds_member(&path) {
                        // Only in HEAD: everything below it is removed.
                        self.compare(head_folder, None, &format!("{path}/"), &inner);
                    } else {
                        self.touch(scope);
                    }
                }
                (Some(a), Some((_, Some((id, mode, stage))))) => {
                    let head_mode = mode_of(data.as_deref(), a.name);
                    if a.id != *id || *stage != 0 || head_mode != Some(*mode) {
                        self.touch(scope);
                    }
                }
                _ => self.touch(scope),
            }
        }
    }
}

/// A child of a folder in the index: its name, and for a file its id, mode and stage (`None`:
/// a subfolder).
type Child = (Vec<u8>, Option<(Oid, u32, u8)>);

/// An index child as a tree entry, to order it among HEAD's.
fn as_entry((name, file): &Child) -> Entry<'_> {
    Entry { name, id: file.map_or(Oid::zero(), |f| f.0), folder: file.is_none() }
}

/// The mode of the entry `name` in a raw tree, as a number (`100644`, `40000` → octal).
fn mode_of(tree: Option<&[u8]>, name: &[u8]) -> Option<u32> {
    let data = tree?;
    let mut pos = 0;
    while pos < data.len() {
        let space = pos + memchr::memchr(b' ', &data[pos..])?;
        let nul = space + 1 + memchr::memchr(0, &data[space + 1..])?;
        if &data[space + 1..nul] == name {
            let text = std::str::from_utf8(&data[pos..space]).ok()?;
            return u32::from_str_radix(text, 8).ok();
        }
        pos = nul + 21;
    }
    None
}

impl Repo {
    /// The scopes whose files `index` stages against HEAD (everything, in a repository without
    /// commits), as [`Repo::scopes_changed`] tells a commit's: what `git diff --cached` lists,
    /// by the scope that governs each path. The cache-tree extension spares reading HEAD's
    /// folders that nothing staged touches.
    pub fn scopes_staged(&self, index: &super::index::Index, members: &[String]) -> Vec<String> {
        let head = self.repo.head().ok().and_then(|h| h.peel_to_tree().ok()).map(|t| t.id());
        let Ok(odb) = self.repo.odb() else { return Vec::new() };
        let mut compare = Compare { odb, members, out: Vec::new() };
        let staged = Staged { index, cached: index.cache_tree() };
        compare.staged(&staged, head, "", "");
        compare.out
    }

    /// The scopes whose files a commit changes against its first parent (against nothing for a
    /// root commit, or when the parent cannot be read): each member folder of `members` (the
    /// deepest holding a changed path) and `""` for a path no member holds, each once, in the
    /// order a diff lists the paths. `None` when the commit cannot be read.
    pub fn scopes_changed(&self, commit: Oid, members: &[String]) -> Option<Vec<String>> {
        let c = self.repo.find_commit(commit).ok()?;
        let tree = c.tree_id();
        let parent = c.parent_id(0).ok().and_then(|p| self.repo.find_commit(p).ok()).map(|p| p.tree_id());
        let mut compare = Compare { odb: self.repo.odb().ok()?, members, out: Vec::new() };
        compare.compare(parent, Some(tree), "", "");
        Some(compare.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let paths = [
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
            "teams/x",
            "teams/y/sub",
        ];
        let members: Vec<String> = ["teams/x", "teams/x/sub", "teams/y"].iter().map(|s| s.to_string()).collect();
        let repo = Repo::open(dir.path()).unwrap();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
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
    }

    /// Staged changes made with the real `git` (files added, changed, removed from the index,
    /// made executable; some rounds committed, so the cache-tree is valid, some not): the
    /// scopes read from the index and HEAD's trees are those of `git diff --cached`'s paths.
    #[test]
    fn the_scopes_a_staged_change_touches_are_those_git_diff_cached_lists() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(["-c", "user.name=A", "-c", "user.email=a@example.com", "-c", "core.fileMode=true"])
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap()
        };
        git(&["init", "-q"]);
        let paths = [
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
        let members: Vec<String> = ["teams/x", "teams/x/sub", "teams/y"].iter().map(|s| s.to_string()).collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut compared, mut several) = (0, 0);
        for round in 0..60 {
            for p in &paths {
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
            let listed = git(&["diff", "--cached", "--name-only", "--no-renames"]);
            let mut expected: Vec<String> = Vec::new();
            for p in listed.lines() {
                let s = crate::registry::Scopes::governing(&members, p).to_string();
                if !expected.contains(&s) {
                    expected.push(s);
                }
            }
            let repo = Repo::open(&dir.path().join(".git")).unwrap();
            let index = crate::git::index::Index::open(&dir.path().join(".git/index")).unwrap();
            assert_eq!(repo.scopes_staged(&index, &members), expected, "round {round}: {listed}");
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
