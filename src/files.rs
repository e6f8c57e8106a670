//! Files as sources: the work tree (minus what git ignores) or a git index, read with bounded
//! memory, and the one way a registry is read from bytes, wherever they come from (a file, the
//! index, a tree in history).

use crate::error::{Error, Result};
use crate::git::{Oid, Repo};
use crate::patterns::Patterns;
use crate::registry::{self, Registry};
use crate::source::Source;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Plan documents larger than this are not read: a plan is prose for people, and a file this
/// large is generated or misplaced.
pub const MAX_PLAN_BYTES: u64 = 16 * 1024 * 1024;

/// At most this many files are listed from one sparse index folder's tree.
const MAX_LISTED: usize = 4_000_000;

/// Where the registry and plan documents are read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileSource {
    /// The work tree, minus what git ignores.
    WorkTree,
    /// A git index file: what is staged (the pre-commit hook), `$GIT_INDEX_FILE` or `.git/index`.
    Index(PathBuf),
    /// The index's registry if it has one, else the work tree's (commit-msg and pre-push: the
    /// registry git is committing with).
    IndexOrWorkTree(PathBuf),
    /// A commit's tree (the pre-receive hook: the registry a pushed tip carries); lists nothing.
    Tree(Oid),
}

/// Which directories (relative, `/`-separated) can hold a kept file: shared with the walker.
pub type Descend = std::sync::Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Texts an editor has not saved, by path relative to the root (shared, not copied, between the
/// editor server, the engine's inputs and the files read).
pub type Unsaved = std::sync::Arc<std::collections::BTreeMap<String, String>>;

/// A kept path in an index, by its entry's kind: a regular file is read, a link passed over,
/// anything else (a submodule, 0o160000) neither.
fn staged_kind(kind: u32, path: &str, out: &mut Vec<String>, passed: &mut Vec<(String, String)>) {
    match kind {
        0o100000 => out.push(path.to_string()),
        0o120000 => passed.push((
            path.to_string(),
            "a symbolic link: not read from the index (`plan-lint check` reads it in the work tree)".to_string(),
        )),
        _ => {}
    }
}

/// The directories that can hold a plan document or issue file of `registry`.
pub fn document_dirs(registry: &Registry) -> Descend {
    let (plans, issues) = (registry.plan_globs.clone(), registry.issue_globs.clone());
    std::sync::Arc::new(move |dir: &str| plans.may_match_under(dir) || issues.may_match_under(dir))
}

/// Where files are read from: the work tree (minus ignored files) or a git index.
pub struct Files<'r> {
    root: PathBuf,
    repo: Option<&'r Repo>,
    index: Option<crate::git::index::Index>,
    /// The commit whose tree files come from, for [`FileSource::Tree`].
    tree: Option<Oid>,
    /// Texts an editor has not saved, read instead of the files (the editor server).
    unsaved: Unsaved,
    /// The listing shared with other scopes' runs (`check --all`).
    shared: Option<SharedListing>,
}

/// An index file's size, modification time and inode: git's own test that it is unchanged.
type Stamp = (u64, Option<std::time::SystemTime>, u64);

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let inode = 0;
    Some((m.len(), m.modified().ok(), inode))
}

/// An index the hook read to tell the staged scopes, handed to the run that follows in the same
/// process ([`Files::hand_over`]): taken once, by the next [`Files::open`] of the same file while
/// it is unchanged.
static HANDED: std::sync::Mutex<Option<(PathBuf, Stamp, crate::git::index::Index)>> = std::sync::Mutex::new(None);

fn taken(path: &Path) -> Option<crate::git::index::Index> {
    let (p, at, index) = HANDED.lock().ok()?.take()?;
    (p == path && Some(at) == stamp(path)).then_some(index)
}

/// The index the work-tree listing last read for the tracked files it passed over, by path and
/// stamp: `check --all`'s runs list the work tree once per scope, and read the index once.
static TRACKED: std::sync::Mutex<Option<(PathBuf, Stamp, std::sync::Arc<crate::git::index::Index>)>> =
    std::sync::Mutex::new(None);

/// The index at `path` as [`TRACKED`] keeps it, read again when its stamp changed; `None` when it
/// does not read.
fn tracked(path: &Path) -> Option<std::sync::Arc<crate::git::index::Index>> {
    let at = stamp(path)?;
    let mut kept = TRACKED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    match kept.as_ref() {
        Some((p, s, index)) if p == path && *s == at => Some(std::sync::Arc::clone(index)),
        _ => {
            let index = std::sync::Arc::new(crate::git::index::Index::open(path).ok()?);
            *kept = Some((path.to_path_buf(), at, std::sync::Arc::clone(&index)));
            Some(index)
        }
    }
}

impl<'r> Files<'r> {
    /// Hand the index these files were read from (at `path`) to the next [`Files::open`] of it,
    /// which then does not read and parse it again.
    pub fn hand_over(self, path: &Path) {
        if let (Some(index), Some(at)) = (self.index, stamp(path)) {
            if let Ok(mut handed) = HANDED.lock() {
                *handed = Some((path.to_path_buf(), at, index));
            }
        }
    }

    pub fn open(source: &FileSource, root: &Path, repo: Option<&'r Repo>) -> Result<Files<'r>> {
        let open_index = |path: &Path| match taken(path).map_or_else(|| crate::git::index::Index::open(path), Ok) {
            Ok(index) => Ok(index),
            // Nothing was ever staged.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(crate::git::index::Index::empty()),
            Err(e) => Err(Error::io(format!("could not read the index {}", path.display()), &e)),
        };
        let index = match source {
            FileSource::WorkTree => None,
            FileSource::Index(path) => Some(open_index(path)?),
            FileSource::IndexOrWorkTree(path) => {
                let index = open_index(path)?;
                index.get_path(registry::FILE_NAME).is_some().then_some(index)
            }
            FileSource::Tree(_) => None,
        };
        let tree = match source {
            FileSource::Tree(commit) => Some(*commit),
            _ => None,
        };
        Ok(Files { root: root.to_path_buf(), repo, index, tree, unsaved: Default::default(), shared: None })
    }

    /// Read these texts (by path relative to the root) instead of the files.
    pub fn with_unsaved(mut self, unsaved: Unsaved) -> Files<'r> {
        self.unsaved = unsaved;
        self
    }

    /// List the work tree once with the other runs that share `shared`.
    pub fn with_shared(mut self, shared: Option<SharedListing>) -> Files<'r> {
        self.shared = shared;
        self
    }

    /// The unsaved text of a path, if an editor holds one.
    pub fn unsaved(&self, rel: &str) -> Option<&str> {
        self.unsaved.get(rel).map(String::as_str)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The index files are read from, if they come from one.
    pub fn index(&self) -> Option<&crate::git::index::Index> {
        self.index.as_ref()
    }

    /// How to name a path in messages.
    pub fn describe(&self, rel: &str) -> String {
        match (&self.index, self.tree) {
            (_, Some(commit)) => format!("{rel} (in {})", &commit.to_string()[..7]),
            (Some(_), None) => format!("{rel} (staged)"),
            (None, None) => self.root.join(rel).display().to_string(),
        }
    }

    /// The bytes of a file, refusing files over [`MAX_PLAN_BYTES`].
    pub fn read(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        let too_large = || std::io::Error::other(format!("larger than {} MiB", MAX_PLAN_BYTES >> 20));
        if let Some(text) = self.unsaved(rel) {
            return Ok(text.as_bytes().to_vec());
        }
        if let (Some(commit), Some(repo)) = (self.tree, self.repo) {
            let blob = repo.file_in_commit(commit, rel)?;
            return repo.blob(blob, MAX_PLAN_BYTES)?.ok_or_else(too_large);
        }
        match (&self.index, self.repo) {
            (Some(index), Some(repo)) => {
                let Some(entry) = index.get_path(rel) else {
                    // A sparse index holds a folder outside its cone as one entry: read its tree.
                    let (rest, tree) = index.sparse_folder_of(rel).ok_or(std::io::ErrorKind::NotFound)?;
                    let blob = repo.entry_in_tree(tree, rest).ok_or(std::io::ErrorKind::NotFound)?;
                    return repo.blob(blob, MAX_PLAN_BYTES)?.ok_or_else(too_large);
                };
                if entry.mode & 0o170000 == 0o120000 {
                    return Err(std::io::Error::other("it is staged as a symbolic link: not read"));
                }
                if u64::from(entry.file_size) > MAX_PLAN_BYTES {
                    return Err(too_large());
                }
                repo.blob(entry.id, u64::MAX)?.ok_or_else(too_large)
            }
            _ => {
                let path = self.root.join(rel);
                if let Some(why) = self.link_leaves(&path) {
                    return Err(std::io::Error::other(format!("it is {why}: not read")));
                }
                match read_limited(&path, MAX_PLAN_BYTES) {
                    Err(Some(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                        self.outside_cone(rel).unwrap_or(Err(e)).and_then(|b| b.ok_or_else(too_large))
                    }
                    Err(Some(e)) => Err(e),
                    Err(None) => Err(too_large()),
                    Ok(bytes) => Ok(bytes),
                }
            }
        }
    }

    /// A file a sparse checkout leaves out of the work tree, as git holds it: the blob of its
    /// skip-worktree index entry, or of its path in a sparse index's folder entry. `None` when
    /// git holds no such file (it is absent, not outside the cone).
    fn outside_cone(&self, rel: &str) -> Option<std::io::Result<Option<Vec<u8>>>> {
        let repo = self.repo?;
        let index = tracked(&repo.index_path(&self.root))?;
        let blob = match index.get_path(rel) {
            Some(e) if e.skip_worktree && e.mode & 0o170000 == 0o100000 => e.id,
            Some(_) => return None,
            None => {
                let (rest, tree) = index.sparse_folder_of(rel)?;
                repo.entry_in_tree(tree, rest)?
            }
        };
        Some(repo.blob(blob, MAX_PLAN_BYTES))
    }

    /// Where `rel` is, its directories resolved, refusing (with why) a path that a symbolic
    /// link on the way (a directory or the file itself) takes out of the work tree or into
    /// `.git`: for a file plan-lint writes as well as reads (`[outcomes] file`). A directory
    /// that does not exist is no refusal: nothing is read there, and nothing can be written.
    pub fn resolve_inside(&self, rel: &str) -> std::result::Result<PathBuf, String> {
        let path = self.root.join(rel);
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return Ok(path);
        };
        let parent = match parent.canonicalize() {
            Ok(p) => p,
            Err(_) => return Ok(path),
        };
        let root = self.root.canonicalize().unwrap_or_else(|_| self.root.clone());
        let git_dir = self.repo.and_then(|r| r.git_dir().canonicalize().ok());
        if !parent.starts_with(&root) || git_dir.is_some_and(|g| parent.starts_with(g)) || in_a_git_dir(&root, &parent)
        {
            return Err(format!(
                "{rel} is under a symbolic link that leaves the repository's work tree (to {})",
                parent.display()
            ));
        }
        let resolved = parent.join(name);
        if let Some(why) = self.link_leaves(&resolved) {
            return Err(format!("{rel} is {why}"));
        }
        Ok(resolved)
    }

    /// [`Files::read`], in the work tree only inside it: see [`Files::resolve_inside`].
    pub fn read_inside(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        if self.index.is_none() && self.tree.is_none() && self.unsaved(rel).is_none() {
            self.resolve_inside(rel).map_err(|why| std::io::Error::other(format!("{why}: not read")))?;
        }
        self.read(rel)
    }

    /// Why a symbolic link at `path` must not be followed: it dangles, or leaves the work tree,
    /// or points into `.git` (where `.git/config` may hold credentials), the repository's or a
    /// nested one's (a clone inside the work tree: `vendor/x/.git/config`). `None` for a regular
    /// file, or a link to one inside the work tree. Nothing is read to decide.
    fn link_leaves(&self, path: &Path) -> Option<&'static str> {
        if !std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return None;
        }
        let Ok(target) = path.canonicalize() else {
            return Some("a symbolic link to nothing");
        };
        let root = self.root.canonicalize().unwrap_or_else(|_| self.root.clone());
        let git_dir = self.repo.and_then(|r| r.git_dir().canonicalize().ok());
        if !target.starts_with(&root) || git_dir.is_some_and(|g| target.starts_with(g)) || in_a_git_dir(&root, &target)
        {
            return Some("a symbolic link that leaves the repository's work tree");
        }
        None
    }

    /// Paths (relative, `/`-separated, sorted) of the files that `keep` accepts, and the ones
    /// passed over with why. A link is never a silent pass: in the work tree, one to a file
    /// inside it is read under its own path, unless its target is itself selected (then it is
    /// the same document, passed over); one that leaves the work tree is passed over. In the
    /// index a link is passed over (`check` reads it in the work tree).
    /// `descend` says which directories (relative, `/`-separated) can hold a kept file; the
    /// work tree walk skips the others.
    /// [`Files::paths`] among `only`, the paths a caller already knows it wants (the pre-commit
    /// hook's staged documents): from an index each is looked up, where listing a large index
    /// would cost more than the rest of the hook.
    pub fn paths_among(
        &self,
        only: &HashSet<String>,
        keep: &dyn Fn(&str) -> bool,
        descend: &Descend,
    ) -> (Vec<String>, Vec<(String, String)>) {
        let Some(index) = &self.index else { return self.paths(&|p| only.contains(p) && keep(p), descend) };
        let mut wanted: Vec<&String> = only.iter().collect();
        wanted.sort_unstable();
        let (mut out, mut passed) = (Vec::new(), Vec::new());
        for path in wanted {
            let Some(entry) = index.get_path(path) else { continue };
            if descend(path.rsplit_once('/').map_or("", |(d, _)| d)) && keep(path) {
                staged_kind(entry.mode & 0o170000, path, &mut out, &mut passed);
            }
        }
        (out, passed)
    }

    pub fn paths(&self, keep: &dyn Fn(&str) -> bool, descend: &Descend) -> (Vec<String>, Vec<(String, String)>) {
        let Some(index) = &self.index else { return self.list(descend, keep).select(self, keep) };
        let (mut out, mut passed) = (Vec::new(), Vec::new());
        // Entries are sorted by path, so a directory's are together: `descend` is asked once per
        // directory, and paths under one no pattern can match are never matched.
        for entry in index.in_dirs(|dir| std::str::from_utf8(dir).is_ok_and(|d| descend(d))) {
            // Regular files and links; no submodules (0o160000).
            let kind = entry.mode & 0o170000;
            let Ok(path) = std::str::from_utf8(entry.path) else { continue };
            if entry.stage != 0 || !keep(path) {
                continue;
            }
            staged_kind(kind, path, &mut out, &mut passed);
        }
        (out, passed)
    }

    /// The plan documents and issue files of `registry`'s scope ([`Files::paths`] with its
    /// patterns), from the listing shared with the other scopes' runs when there is one.
    pub fn documents(&self, registry: &Registry) -> (Vec<String>, Vec<(String, String)>) {
        let keep = |p: &str| registry.is_document(p);
        match &self.shared {
            Some(shared) if self.index.is_none() && self.tree.is_none() && shared.covers(registry) => {
                let shared = &shared.0;
                let parts = shared
                    .parts
                    .get_or_init(|| self.list(&shared.descend, &|p| shared.any_keeps(p)).by_scope(&shared.members));
                parts.get(&registry.scopes.path).map(|listed| listed.select(self, &keep)).unwrap_or_default()
            }
            _ => self.paths(&keep, &document_dirs(registry)),
        }
    }

    /// List the work tree below the directories `descend` allows, as [`Files::paths`] does
    /// before it matches any pattern: the files and links git does not ignore, outside nested
    /// repositories, and the tracked files the walk passed over that `keep` accepts.
    fn list(&self, descend: &Descend, keep: &dyn Fn(&str) -> bool) -> Listed {
        let root = &self.root;
        let mut walk = ignore::WalkBuilder::new(root);
        // git's ignore rules (.gitignore, .git/info/exclude, core.excludesFile), nothing else:
        // hidden files are plan files like any, `.ignore` files are ripgrep's.
        walk.hidden(false).ignore(false).parents(false).git_ignore(true).git_exclude(true).git_global(true);
        walk.follow_links(false).require_git(true);
        let (base, prune) = (root.clone(), descend.clone());
        // A nested repository (a submodule's checkout, a vendored clone) is not this
        // repository's content; git does not descend into it either. It is known by the `.git`
        // its listing holds (asking every directory for one doubled the system calls of a large
        // docs tree), and what was listed under it is dropped.
        let nested = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let found = std::sync::Arc::clone(&nested);
        walk.filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            if e.file_name() == ".git" {
                let dir = e.path().parent().and_then(|d| d.strip_prefix(&base).ok());
                if let (Some(dir), Ok(mut found)) = (dir.filter(|d| !d.as_os_str().is_empty()), found.lock()) {
                    found.push(dir.to_string_lossy().replace('\\', "/") + "/");
                }
                return false;
            }
            if !e.file_type().is_some_and(|t| t.is_dir()) {
                return true;
            }
            let rel = e.path().strip_prefix(&base).map(|r| r.to_string_lossy().replace('\\', "/"));
            rel.is_ok_and(|r| prune(&r))
        });
        // Listed on every core, as ripgrep lists, when a pattern can match below the root (on
        // one thread otherwise: idle walker threads poll for work); judged in path order.
        let below = std::fs::read_dir(root).map_or(true, |entries| {
            entries.flatten().any(|e| {
                e.file_type().is_ok_and(|t| t.is_dir())
                    && e.file_name() != ".git"
                    && e.file_name().to_str().is_some_and(|name| descend(name))
            })
        });
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        let threads = if below { cores } else { 1 };
        let listed = std::sync::Mutex::new(Vec::new());
        walk.threads(threads).build_parallel().run(|| {
            let listed = &listed;
            Box::new(move |entry| {
                let Ok(entry) = entry else { return ignore::WalkState::Continue };
                let kind = entry.file_type();
                let link = kind.is_some_and(|k| k.is_symlink());
                if kind.is_some_and(|k| k.is_file()) || link {
                    if let Ok(rel) = entry.path().strip_prefix(root) {
                        let rel = rel.to_string_lossy().replace('\\', "/");
                        if let Ok(mut l) = listed.lock() {
                            l.push((rel, link));
                        }
                    }
                }
                ignore::WalkState::Continue
            })
        });
        let mut walked = listed.into_inner().unwrap_or_default();
        let nested = nested.lock().map(|n| n.clone()).unwrap_or_default();
        walked.retain(|(rel, _)| !nested.iter().any(|n| rel.starts_with(n.as_str())));
        walked.sort_unstable();
        let tracked = self.tracked_unwalked(&walked, descend, keep);
        Listed { walked, tracked }
    }

    /// The tracked files `keep` accepts below the directories `descend` allows that the walk
    /// passed over: a tracked file is read whatever .gitignore says (git tracks it), and outside
    /// a sparse checkout's cone a file is absent and read from the index. Only those `keep`
    /// accepts are looked for in the work tree (a sparse checkout's other files are thousands).
    /// One under a folder a symbolic link replaced is not there, for git as here: what the link
    /// leads to is not the tracked file.
    fn tracked_unwalked(
        &self,
        walked: &[(String, bool)],
        descend: &Descend,
        keep: &dyn Fn(&str) -> bool,
    ) -> Vec<String> {
        let root = &self.root;
        let repo = self.repo;
        let mut seen: HashSet<&str> = walked.iter().filter(|(_, link)| !link).map(|(rel, _)| rel.as_str()).collect();
        let index = repo.and_then(|r| tracked(&r.index_path(root)));
        let mut unwalked = Vec::new();
        // Sorted by path: `descend` once per directory.
        let mut last_dir: (&str, bool) = ("\0", false);
        let mut added = HashSet::new();
        for entry in index.iter().flat_map(|i| i.iter()) {
            let Ok(rel) = std::str::from_utf8(entry.path) else { continue };
            let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
            if dir != last_dir.0 {
                last_dir = (dir, descend(dir));
            }
            if last_dir.1 && entry.mode & 0o170000 == 0o040000 && entry.skip_worktree {
                // A sparse index's folder outside the cone: its files are in its tree.
                for (below, mode) in repo.and_then(|r| r.files_below(entry.id, MAX_LISTED)).unwrap_or_default() {
                    let file = format!("{rel}{below}");
                    let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
                    if mode & 0o170000 == 0o100000
                        && descend(dir)
                        && keep(&file)
                        && !seen.contains(file.as_str())
                        && added.insert(file.clone())
                    {
                        unwalked.push(file);
                    }
                }
                continue;
            }
            if !last_dir.1
                || entry.stage != 0
                || entry.mode & 0o170000 != 0o100000
                || seen.contains(rel)
                || added.contains(rel)
                || !keep(rel)
            {
                continue;
            }
            let here = std::fs::symlink_metadata(root.join(rel));
            let in_tree = || !rel.match_indices('/').any(|(at, _)| is_link(&root.join(&rel[..at])));
            if (here.as_ref().is_ok_and(std::fs::Metadata::is_file) && in_tree())
                || (entry.skip_worktree && here.is_err())
            {
                seen.insert(rel);
                unwalked.push(rel.to_string());
            }
        }
        unwalked
    }

    /// Where a link in the work tree leads, as a path relative to the root: an error saying why
    /// it is not read when it dangles, leaves the work tree, enters `.git` or is not a file.
    fn link_target(&self, path: &Path) -> std::result::Result<String, String> {
        if let Some(why) = self.link_leaves(path) {
            return Err(format!("{why}: not read"));
        }
        let target = path.canonicalize().map_err(|e| format!("not read: {e}"))?;
        if !target.is_file() {
            return Err("a symbolic link to something that is not a file: not read".into());
        }
        let root = self.root.canonicalize().unwrap_or_else(|_| self.root.clone());
        let rel = target
            .strip_prefix(&root)
            .map_err(|_| "a symbolic link that leaves the work tree: not read".to_string())?;
        Ok(rel.to_string_lossy().replace('\\', "/"))
    }
}

/// What a listing of the work tree found before any pattern was matched ([`Files::list`]).
#[derive(Debug, Default)]
struct Listed {
    /// The files and links the walk found (relative path, whether a link), sorted.
    walked: Vec<(String, bool)>,
    /// The tracked files the walk passed over.
    tracked: Vec<String>,
}

impl Listed {
    /// The paths `keep` accepts, and the links passed over with why, as [`Files::paths`] returns
    /// them. A listing made below more directories than `keep`'s patterns can match in (for
    /// several scopes) selects the same paths: a path a pattern matches lies only below
    /// directories it can match in ([`crate::patterns::Patterns::may_match_under`]).
    fn select(&self, files: &Files, keep: &dyn Fn(&str) -> bool) -> (Vec<String>, Vec<(String, String)>) {
        let (mut out, mut passed) = (Vec::new(), Vec::new());
        for (rel, link) in &self.walked {
            if !keep(rel) {
                continue;
            }
            if !link {
                out.push(rel.clone());
                continue;
            }
            match files.link_target(&files.root.join(rel)) {
                Err(why) => passed.push((rel.clone(), why)),
                Ok(target) if keep(&target) => {
                    passed.push((rel.clone(), format!("a symbolic link to {target}, which is read as itself")))
                }
                Ok(_) => out.push(rel.clone()),
            }
        }
        out.extend(self.tracked.iter().filter(|rel| keep(rel)).cloned());
        out.sort();
        passed.sort();
        (out, passed)
    }

    /// The listing split by the scope that governs each path (`members`' deepest holding it,
    /// `""` for the root): a scope's documents are among its own paths only.
    fn by_scope(self, members: &[String]) -> std::collections::HashMap<String, Listed> {
        let mut parts: std::collections::HashMap<String, Listed> = std::collections::HashMap::new();
        let scope = |rel: &str| registry::Scopes::governing(members, rel).to_string();
        for walked in self.walked {
            parts.entry(scope(&walked.0)).or_default().walked.push(walked);
        }
        for tracked in self.tracked {
            parts.entry(scope(&tracked)).or_default().tracked.push(tracked);
        }
        parts
    }
}

/// One listing of the work tree for every scope's run of `check --all`: walked once below the
/// directories any scope's patterns can match in, then each run selects its own documents from
/// the paths its scope governs, as its own listing would have found them.
#[derive(Clone)]
pub struct SharedListing(std::sync::Arc<Shared>);

struct Shared {
    /// The members of the registries it lists for.
    members: Vec<String>,
    /// The scopes it lists for, each with its document patterns (plans', issues').
    scopes: Vec<(String, Patterns, Patterns)>,
    /// Any of their directories.
    descend: Descend,
    parts: std::sync::OnceLock<std::collections::HashMap<String, Listed>>,
}

impl SharedListing {
    /// A listing for the scopes of these registries (the root's, `members`' own), made when
    /// the first of their runs asks.
    fn new(members: &[String], registries: &[&Registry]) -> SharedListing {
        let members = members.to_vec();
        let scopes =
            registries.iter().map(|r| (r.scopes.path.clone(), r.plan_globs.clone(), r.issue_globs.clone())).collect();
        let dirs: Vec<Descend> = registries.iter().map(|r| document_dirs(r)).collect();
        let descend: Descend = std::sync::Arc::new(move |dir: &str| dirs.iter().any(|d| d(dir)));
        SharedListing(std::sync::Arc::new(Shared { members, scopes, descend, parts: std::sync::OnceLock::new() }))
    }

    /// Whether `registry`'s documents are found in this listing: it is one of the scopes'
    /// registries it was made for (same members, same patterns).
    fn covers(&self, registry: &Registry) -> bool {
        registry.scopes.any()
            && self.0.members == registry.scopes.members
            && self.0.scopes.iter().any(|(scope, plans, issues)| {
                *scope == registry.scopes.path && *plans == registry.plan_globs && *issues == registry.issue_globs
            })
    }
}

impl Shared {
    /// Whether `path` is a document of the scope that governs it.
    fn any_keeps(&self, path: &str) -> bool {
        let scope = registry::Scopes::governing(&self.members, path);
        self.scopes.iter().any(|(s, plans, issues)| s == scope && (plans.is_match(path) || issues.is_match(path)))
    }
}

impl std::fmt::Debug for SharedListing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedListing").field("scopes", &self.0.scopes.len()).finish_non_exhaustive()
    }
}

/// Whether `path` is a symbolic link (not followed).
/// Whether `path` (canonical, inside the canonical `root`) lies in a git directory: a folder
/// named `.git` anywhere below the root, the repository's own or a nested clone's (git refuses
/// to track any path through one, in any case).
fn in_a_git_dir(root: &Path, path: &Path) -> bool {
    path.strip_prefix(root).is_ok_and(|rel| rel.components().any(|c| c.as_os_str().eq_ignore_ascii_case(".git")))
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// A file's bytes with one open: `Err(None)` when it is larger than `limit`.
pub(crate) fn read_limited(path: &Path, limit: u64) -> std::result::Result<Vec<u8>, Option<std::io::Error>> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(Some)?;
    let len = file.metadata().map_err(Some)?.len();
    if len > limit {
        return Err(None);
    }
    let mut bytes = Vec::with_capacity(len as usize + 1);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(Some)?;
    if bytes.len() as u64 > limit {
        return Err(None);
    }
    Ok(bytes)
}

/// The most plan-lint reads of any one input given on the command line or by git (a message, an
/// event file, an issue body, `--config`): far above any real one, and a bound on memory for
/// `/dev/zero` or a runaway pipe.
pub const MAX_INPUT_BYTES: u64 = MAX_PLAN_BYTES;

/// The bytes of `path` (`-`: standard input), refusing more than [`MAX_INPUT_BYTES`] with an
/// error naming `what` it was meant to be. Reads at most one byte past the limit, whatever the
/// file claims its size is (`/dev/zero` claims 0).
pub fn read_input(path: &Path, what: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let limit = MAX_INPUT_BYTES + 1;
    let stdin = path.as_os_str() == "-";
    let shown = if stdin { "standard input".to_string() } else { path.display().to_string() };
    let read = if stdin {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    read.map_err(|e| Error::io(format!("could not read {shown}"), &e))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Error::new(format!("{shown} is larger than {} MiB: not {what}", MAX_INPUT_BYTES >> 20)));
    }
    Ok(bytes)
}

/// A path relative to the root when it is inside it, else as given.
fn display_path(root: &Path, path: &Path) -> String {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    match canon(path).strip_prefix(canon(root)) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => path.display().to_string(),
    }
}

/// The one way a registry is read from bytes, wherever they come from: strict UTF-8 (an error
/// naming the line and column otherwise), then parsed and validated.
pub fn parse_registry(name: &str, bytes: Vec<u8>) -> Result<(Registry, Source)> {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = Source::file(name, String::from_utf8_lossy(e.as_bytes()).into_owned());
            let (line, col) = lossy.line_col(at);
            return Err(Error::new(format!("{} is not valid UTF-8 (line {line}, column {col})", lossy.name()))
                .with_help("TOML files must be UTF-8; re-save the file as UTF-8"));
        }
    };
    let source = Source::file(name, text);
    let registry = Registry::parse(&source)?;
    Ok((registry, source))
}

/// What a missing `promises.toml` means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Absent {
    /// The command needs one: an error that says how to make one.
    Fails,
    /// The repository is not using plan-lint (the hooks, the editor server): `Ok(None)`.
    NotUsing,
}

/// Read and validate the registry: `config` from disk when given, else `promises.toml` from
/// `files` (the work tree or the index). `Ok(None)` when there is none and that means
/// [`Absent::NotUsing`].
pub fn read_registry(files: &Files, config: Option<&Path>, absent: Absent) -> Result<Option<(Registry, Source)>> {
    let (name, bytes) = match config {
        Some(path) => {
            let bytes = read_limited(path, MAX_PLAN_BYTES).map_err(|e| match e {
                Some(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Error::new(format!("no promise registry at {}", path.display()))
                }
                Some(e) => Error::io(format!("could not read {}", path.display()), &e),
                None => Error::new(format!(
                    "{} is larger than {} MiB: not a promise registry",
                    path.display(),
                    MAX_PLAN_BYTES >> 20
                )),
            })?;
            (display_path(files.root(), path), bytes)
        }
        None => match files.read(registry::FILE_NAME) {
            Ok(bytes) => (registry::FILE_NAME.to_string(), bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && absent == Absent::NotUsing => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::new(format!(
                "no promise registry at {}",
                files.describe(registry::FILE_NAME)
            ))
            .with_help(
                "create promises.toml at the repository root (`plan-lint init` scaffolds one), or pass --config PATH",
            )),
            Err(e) => return Err(Error::io(format!("could not read {}", files.describe(registry::FILE_NAME)), &e)),
        },
    };
    parse_registry(&name, bytes).map(Some)
}

/// The registry in a tree of history, if it has one that reads (a broken one reads as none: it
/// was judged when it was committed).
pub fn registry_in_tree(repo: &Repo, tree: &crate::git::Tree) -> Option<Registry> {
    registry_in_blob(repo, tree.entry(registry::FILE_NAME)?)
}

/// The registry stored in a blob, if it reads (a broken one, or one over [`MAX_PLAN_BYTES`],
/// reads as none).
pub fn registry_in_blob(repo: &Repo, blob: Oid) -> Option<Registry> {
    let bytes = repo.blob(blob, MAX_PLAN_BYTES).ok()??;
    parse_registry(registry::FILE_NAME, bytes).ok().map(|(r, _)| r)
}

/// The registry that judges `scope` (a listed member's folder, `""` for the root), from the
/// root registry just read: the member's own `promises.toml` as a member sees it, with what it
/// does not set inherited from its ancestors (nearest first, then the root), and every other
/// scope's promises known by their qualified ids. A repository without `[scopes] members` has
/// only the root. A listed member without a `promises.toml` cannot be judged: an error that
/// names it (exit 2), as a missing root registry is.
pub fn scoped(files: &Files, root: Registry, root_source: Source, scope: &str) -> Result<(Registry, Source)> {
    let members = &root.scopes.members;
    if scope.is_empty() && members.is_empty() {
        return Ok((root, root_source));
    }
    if !scope.is_empty() && !members.iter().any(|m| m == scope) {
        return Err(registry::unknown_scope(scope, members));
    }
    Scoped::read(files, root, root_source)?.registry(scope)
}

/// The root registry and every listed member's, read once: each scope's registry is made from
/// them when its run asks ([`Scoped::registry`]), so several scopes' runs (`check --all`) read
/// and parse each file once, and hold one scope's registry at a time.
#[derive(Debug)]
pub struct Scoped {
    root: Registry,
    root_source: Source,
    /// Each member's folder, its registry as a member sees it, and its text.
    read: Vec<(String, Registry, Source)>,
    /// Every scope's promises, as each file declares them.
    all: std::sync::Arc<registry::AllPromises>,
}

impl Scoped {
    /// Read every member the root lists; the errors [`scoped`] gives for any scope.
    pub fn read(files: &Files, root: Registry, root_source: Source) -> Result<Scoped> {
        let mut read = Vec::with_capacity(root.scopes.members.len());
        for m in &root.scopes.members {
            let rel = format!("{m}/{}", registry::FILE_NAME);
            // A member's folder may be a link inside the work tree, never one out of it.
            let bytes = files.read_inside(&rel).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => registry::missing_member(m),
                _ => Error::io(format!("could not read {}", files.describe(&rel)), &e),
            })?;
            let (member, source) = parse_member(&rel, bytes)?;
            if member.scopes.any() {
                return Err(Error::new(format!("{rel} lists `[scopes] members`")).with_help(
                    "every scope is listed in the root promises.toml; move the members there, as paths from the root",
                ));
            }
            read.push((m.clone(), member.into_member(m)?, source));
        }
        let all = registry::AllPromises::new(
            root.promises
                .iter()
                .map(|p| ("", p))
                .chain(read.iter().flat_map(|(m, r, _)| r.promises.iter().map(move |p| (m.as_str(), p)))),
        );
        Ok(Scoped { root, root_source, read, all })
    }

    /// The registries each scope's documents are listed with, before any inherits: the root's,
    /// then each member's.
    pub fn listing(&self) -> SharedListing {
        let registries: Vec<&Registry> =
            std::iter::once(&self.root).chain(self.read.iter().map(|(_, r, _)| r)).collect();
        SharedListing::new(&self.root.scopes.members, &registries)
    }

    /// The scopes the root lists (`[scopes] members`).
    pub fn members(&self) -> &[String] {
        &self.root.scopes.members
    }

    /// The registry that judges `scope` ([`scoped`]).
    pub fn registry(&self, scope: &str) -> Result<(Registry, Source)> {
        let members = &self.root.scopes.members;
        if scope.is_empty() {
            let mut root = self.root.clone();
            root.know_scopes(members, &self.all);
            return Ok((root, self.root_source.clone()));
        }
        let Some((_, own, source)) = self.read.iter().find(|(m, _, _)| m == scope) else {
            return Err(registry::unknown_scope(scope, members));
        };
        let mut registry = own.clone();
        // Ancestors, nearest first: listed members whose folder holds this one, then the root.
        let mut ancestors: Vec<&(String, Registry, Source)> =
            self.read.iter().filter(|(m, _, _)| scope.starts_with(&format!("{m}/"))).collect();
        ancestors.sort_by_key(|(m, _, _)| std::cmp::Reverse(m.len()));
        let own_customers = !registry.customers.is_empty();
        for (_, a, _) in ancestors {
            registry.inherit(a);
        }
        registry.inherit(&self.root);
        if !own_customers && !registry.customers.is_empty() {
            registry.check_inherited_customers(source)?;
        }
        registry.know_scopes(members, &self.all);
        Ok((registry, source.clone()))
    }
}

/// Member registries as last parsed, by path, with the bytes they were parsed from: each scope's
/// run of `check --all` reads every member's registry, and parses it only once.
static MEMBERS: std::sync::Mutex<Vec<Member>> = std::sync::Mutex::new(Vec::new());

/// A member registry's path, its bytes, and what they parsed to.
type Member = (String, Vec<u8>, Registry, Source);

/// At most this many member registries are kept in [`MEMBERS`].
const MEMBERS_KEPT: usize = 1_000;

/// [`parse_registry`] for a member's registry, kept for the next run when it reads.
fn parse_member(rel: &str, bytes: Vec<u8>) -> Result<(Registry, Source)> {
    let same = |(path, b, _, _): &&Member| path == rel && *b == bytes;
    if let Some((_, _, registry, source)) = MEMBERS.lock().ok().and_then(|m| m.iter().find(same).cloned()) {
        return Ok((registry, source));
    }
    let (registry, source) = parse_registry(rel, bytes.clone())?;
    if let Ok(mut kept) = MEMBERS.lock() {
        kept.retain(|(path, _, _, _)| path != rel);
        if kept.len() < MEMBERS_KEPT {
            kept.push((rel.to_string(), bytes, registry.clone(), source.clone()));
        }
    }
    Ok((registry, source))
}

/// The folders of the `promises.toml` files in `index` below `root` that `scopes` neither
/// lists nor ignores: registries that would otherwise govern nothing, unseen. One pass over
/// the index's entries (read already by the hooks), comparing each path's last bytes. The
/// registry file the run reads (`in_use`: `--config product/promises.toml`, or a root
/// promises.toml that links to one below it) is the root's, never unlisted.
pub(crate) fn unlisted_scopes(
    index: &crate::git::index::Index,
    scopes: &registry::Scopes,
    root: &Path,
    in_use: &Path,
) -> Vec<String> {
    let suffix = format!("/{}", registry::FILE_NAME);
    let mut unlisted: Vec<String> = index
        .iter()
        .filter(|e| e.stage == 0 && e.path.ends_with(suffix.as_bytes()))
        .filter_map(|e| std::str::from_utf8(e.path).ok()?.strip_suffix(suffix.as_str()).map(str::to_string))
        .filter(|dir| scopes.is_unlisted(dir))
        .collect();
    if !unlisted.is_empty() {
        if let Ok(in_use) = std::fs::canonicalize(in_use) {
            let file = |dir: &str| std::fs::canonicalize(root.join(dir).join(registry::FILE_NAME)).ok();
            unlisted.retain(|dir| file(dir).as_deref() != Some(in_use.as_path()));
        }
    }
    unlisted
}

#[cfg(test)]
mod scope_tests {
    use super::*;

    /// A work tree of three registries: the root (vision, customers, limits, `find-and-buy`),
    /// teams/search (its own `find-and-buy`, in-play limit 1, inherits the rest), and
    /// teams/checkout (its own vision, `pay` and a second `find-and-buy`).
    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "promises.toml",
            "vision = \"Shoppers find and buy.\"\n[scopes]\nmembers = [\"teams/search\", \"teams/checkout\"]\n\
             [limits]\nin-play = 4\nidle-days = 7\nexception-budget = \"10%\"\n[customers.shopper]\n\
             [promises.platform]\nstatement = \"s\"\nstatus = \"in-play\"\ncustomer = \"shopper\"\n",
        );
        write(
            "teams/search/promises.toml",
            "[limits]\nin-play = 1\n[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\ncustomer = \"shopper\"\n",
        );
        write(
            "teams/checkout/promises.toml",
            "vision = \"Paying is one step.\"\n[limits]\nidle-days = 30\n\
             [promises.pay]\nstatement = \"s\"\nstatus = \"in-play\"\ncustomer = \"shopper\"\n\
             [promises.find-and-buy]\nstatement = \"s\"\nstatus = \"proposed\"\ncustomer = \"shopper\"\n",
        );
        dir
    }

    fn load(dir: &Path, scope: &str) -> Result<(Registry, Source)> {
        let files = Files::open(&FileSource::WorkTree, dir, None)?;
        let (root, text) = read_registry(&files, None, Absent::Fails)?.expect("a registry");
        scoped(&files, root, text, scope)
    }

    #[test]
    fn a_scope_inherits_what_it_does_not_set_from_the_root() {
        let dir = tree();
        let (search, source) = load(dir.path(), "teams/search").unwrap();
        assert_eq!(source.name(), "teams/search/promises.toml");
        assert_eq!(search.vision.as_deref(), Some("Shoppers find and buy."), "inherited");
        assert_eq!(search.customers.len(), 1, "inherited");
        // Its promises must name one of the customers it inherits.
        std::fs::write(
            dir.path().join("teams/search/promises.toml"),
            "[promises.find-and-buy]\nstatement = \"s\"\nstatus = \"in-play\"\ncustomer = \"shoper\"\n\
             [promises.facets]\nstatement = \"s\"\nstatus = \"in-play\"\n",
        )
        .unwrap();
        let err = load(dir.path(), "teams/search").unwrap_err();
        let all: Vec<&str> = std::iter::once(&err).chain(&err.related).map(|e| e.message.as_str()).collect();
        assert_eq!(
            all,
            ["promise `find-and-buy` names unknown customer `shoper`", "promise `facets` names no customer"]
        );
        assert!(err.help.as_deref().unwrap().starts_with("did you mean `shopper`?"), "{err:?}");
        assert_eq!(search.in_play_limit, 1, "its own");
        assert_eq!(search.idle_days, 7, "inherited");
        assert_eq!(search.exception_budget.as_ref().map(|b| b.0), Some(0.1), "inherited");
        assert_eq!(search.measure_days, crate::registry::DEFAULT_MEASURE_DAYS, "set nowhere: the default");
        let (checkout, _) = load(dir.path(), "teams/checkout").unwrap();
        assert_eq!(checkout.vision.as_deref(), Some("Paying is one step."), "its own");
        assert_eq!((checkout.in_play_limit, checkout.idle_days), (4, 30));
        // Documents and readings are the member's own folder's.
        assert!(search.is_document("teams/search/ROADMAP.md"));
        assert!(!search.is_document("ROADMAP.md"));
        assert!(!search.is_document("teams/checkout/ROADMAP.md"));
        assert_eq!(search.outcomes_file, "teams/search/outcomes.csv");
        let (root, _) = load(dir.path(), "").unwrap();
        assert!(root.is_document("ROADMAP.md"));
        assert!(!root.is_document("teams/search/plan/q1.md"), "governed by the member");
    }

    #[test]
    fn ids_resolve_own_first_then_qualified_then_short_when_one_scope_defines_them() {
        let dir = tree();
        let (search, _) = load(dir.path(), "teams/search").unwrap();
        let id = |r: &Registry, q: &str| r.promise(q).map(|p| (p.id.clone(), p.status));
        assert_eq!(id(&search, "find-and-buy").unwrap().0, "find-and-buy", "its own");
        assert_eq!(id(&search, "teams/search/find-and-buy").unwrap().0, "find-and-buy", "its own, qualified");
        assert_eq!(
            id(&search, "teams/checkout/find-and-buy"),
            Some(("teams/checkout/find-and-buy".to_string(), crate::registry::Status::Proposed))
        );
        assert_eq!(id(&search, "pay").unwrap().0, "teams/checkout/pay", "one scope defines it");
        assert_eq!(id(&search, "platform").unwrap().0, "platform", "the root's keeps its bare id");
        assert!(search.definitions("find-and-buy").is_empty(), "its own: not ambiguous here");
        let (root, _) = load(dir.path(), "").unwrap();
        assert!(root.promise("find-and-buy").is_none(), "two members define it, the root does not");
        assert_eq!(root.definitions("find-and-buy"), ["teams/search/find-and-buy", "teams/checkout/find-and-buy"]);
        assert_eq!(id(&root, "teams/search/find-and-buy").unwrap().0, "teams/search/find-and-buy");
        assert!(root.promise("teams/search/pay").is_none());
        assert_eq!(root.in_play().count(), 1, "only its own promises count against its limit");
    }

    #[test]
    fn the_nearest_listed_member_governs_a_path() {
        let members = ["teams/search".to_string(), "teams/search/ads".to_string(), "teams".to_string()];
        let of = |p: &str| crate::registry::Scopes::governing(&members, p);
        assert_eq!(of("teams/search/plan/q1.md"), "teams/search");
        assert_eq!(of("teams/search/ads/ROADMAP.md"), "teams/search/ads");
        assert_eq!(of("teams/searching/ROADMAP.md"), "teams");
        assert_eq!(of("ROADMAP.md"), "");
        assert_eq!(of("teams"), "", "the folder itself is not a path below it");
    }

    #[test]
    fn a_listed_member_without_a_registry_and_an_unknown_scope_are_errors() {
        let dir = tree();
        std::fs::remove_file(dir.path().join("teams/checkout/promises.toml")).unwrap();
        let err = load(dir.path(), "").unwrap_err();
        assert_eq!(err.message, "`teams/checkout` is listed in `[scopes] members` but has no promises.toml");
        let dir = tree();
        let err = load(dir.path(), "teams/serch").unwrap_err();
        assert_eq!(err.message, "`teams/serch` is not a scope: `[scopes] members` in promises.toml does not list it");
        assert!(err.help.as_deref().unwrap().starts_with("did you mean `teams/search`?"), "{err:?}");
        // Members are listed in the root only.
        std::fs::write(dir.path().join("teams/search/promises.toml"), "[scopes]\nmembers = [\"x\"]\n").unwrap();
        let err = load(dir.path(), "").unwrap_err();
        assert_eq!(err.message, "teams/search/promises.toml lists `[scopes] members`");
    }

    /// A member's folder that a symbolic link takes out of the work tree is refused (its
    /// registry is never read from there); one that links inside the work tree is read.
    #[cfg(unix)]
    #[test]
    fn a_member_folder_linked_out_of_the_work_tree_is_refused() {
        let dir = tree();
        let outside = tempfile::tempdir().unwrap();
        std::fs::rename(dir.path().join("teams/checkout"), outside.path().join("checkout")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("checkout"), dir.path().join("teams/checkout")).unwrap();
        let err = load(dir.path(), "").unwrap_err();
        assert!(err.message.starts_with("could not read"), "{err:?}");
        let said = format!("{err:?}");
        assert!(said.contains("symbolic link that leaves the repository's work tree"), "{said}");
        std::fs::remove_file(dir.path().join("teams/checkout")).unwrap();
        std::fs::rename(outside.path().join("checkout"), dir.path().join("shared-checkout")).unwrap();
        std::os::unix::fs::symlink("../shared-checkout", dir.path().join("teams/checkout")).unwrap();
        let (checkout, _) = load(dir.path(), "teams/checkout").unwrap();
        assert_eq!(checkout.vision.as_deref(), Some("Paying is one step."), "read through a link inside");
    }

    #[test]
    fn one_root_registry_is_read_as_it_always_was() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("promises.toml"), "[promises.a]\nstatement = \"s\"\nstatus = \"in-play\"\n")
            .unwrap();
        let (r, _) = load(dir.path(), "").unwrap();
        assert!(!r.scopes.any() && r.scopes.unlisted.is_empty());
        assert!(r.is_document("plan/x.md"));
        assert!(load(dir.path(), "teams/a").is_err());
    }
}

#[cfg(test)]
mod hand_over_tests {
    use super::*;

    /// An index handed over is taken once, and only while the file is unchanged: one that git
    /// wrote again since (a new file, renamed into place) is read afresh.
    #[test]
    fn a_handed_index_is_taken_once_and_never_stale() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let mut cmd = std::process::Command::new("git");
            cmd.args(args).current_dir(dir.path()).env_remove("GIT_DIR").env_remove("GIT_INDEX_FILE");
            let out = cmd.output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        };
        git(&["init", "-q"]);
        std::fs::write(dir.path().join("a.md"), "a\n").unwrap();
        git(&["add", "a.md"]);
        let path = dir.path().join(".git/index");
        let open = || Files::open(&FileSource::Index(path.clone()), dir.path(), None).unwrap();
        open().hand_over(&path);
        assert!(taken(&path).is_some(), "unchanged: taken");
        assert!(taken(&path).is_none(), "taken once");
        open().hand_over(&path);
        std::fs::write(dir.path().join("b.md"), "b\n").unwrap();
        git(&["add", "b.md"]);
        assert!(taken(&path).is_none(), "written again since: not taken");
        let files = open();
        assert!(files.index().unwrap().get_path("b.md").is_some(), "the new index is read");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=A", "-c", "user.email=a@example.com"])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Every scope's documents from the listing the scopes share are what its own listing finds:
    /// links (read as themselves, read for another scope, dangling), a tracked file git
    /// ignores, an ignored one it does not track, a nested repository, a file deleted from the
    /// work tree, and then, in a sparse checkout with a sparse index, the files outside the cone.
    #[test]
    fn a_shared_listing_finds_each_scopes_documents_as_its_own_listing_does() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        let write = |rel: &str, text: &str| {
            std::fs::create_dir_all(root.join(rel).parent().unwrap()).unwrap();
            std::fs::write(root.join(rel), text).unwrap();
        };
        let registry = |extra: &str| format!("{extra}[promises.p]\nstatement = \"s\"\nstatus = \"in-play\"\n");
        write(
            "promises.toml",
            &registry(
                "[scopes]\nmembers = [\"teams/a\", \"teams/a/sub\", \"teams/b\"]\n[plans]\ninclude = [\"**/*.md\"]\n",
            ),
        );
        write("teams/a/promises.toml", &registry(""));
        write(
            "teams/a/sub/promises.toml",
            &registry("[plans]\ninclude = [\"deep/*/x.md\"]\n[issues]\ninclude = [\"rfcs/*.md\"]\n"),
        );
        write("teams/b/promises.toml", &registry("[issues]\ninclude = [\"notes/**/*.md\"]\n"));
        write(".gitignore", "ignored/\n");
        for rel in [
            "ROADMAP.md",
            "docs/a.md",
            "src/x.md",
            "teams/a/ROADMAP.md",
            "teams/a/plans/q1.md",
            "teams/a/src/notes.md",
            "teams/a/plans/ignored/t.md",
            "teams/a/plans/ignored/u.md",
            "teams/a/sub/deep/k/x.md",
            "teams/a/sub/deep/k/y.md",
            "teams/a/sub/rfcs/r1.md",
            "teams/a/sub/plans/p.md",
            "teams/b/PLAN.md",
            "teams/b/notes/n.md",
            "teams/b/plans/p.md",
            "teams/b/plans/gone.md",
        ] {
            write(rel, "- [ ] work (Promise: p)\n");
        }
        #[cfg(unix)]
        for (link, target) in [
            ("teams/a/plans/link.md", "../ROADMAP.md"),
            ("teams/b/plans/to-a.md", "../../a/plans/q1.md"),
            ("teams/b/plans/dangling.md", "nowhere.md"),
        ] {
            std::os::unix::fs::symlink(target, root.join(link)).unwrap();
        }
        git(root, &["add", "."]);
        git(root, &["add", "-f", "teams/a/plans/ignored/t.md"]);
        git(root, &["commit", "-q", "-m", "plans"]);
        std::fs::remove_file(root.join("teams/b/plans/gone.md")).unwrap();
        write("teams/b/plans/vendor/v.md", "- [ ] theirs\n");
        git(&root.join("teams/b/plans/vendor"), &["init", "-q"]);
        let repo = Repo::discover(root).unwrap();
        let scopes: Vec<String> = ["", "teams/a", "teams/a/sub", "teams/b"].map(String::from).to_vec();
        let compare = || {
            let files = Files::open(&FileSource::WorkTree, root, Some(&repo)).unwrap();
            let (top, text) = read_registry(&files, None, Absent::Fails).unwrap().unwrap();
            let all = Scoped::read(&files, top, text).unwrap();
            let built: Vec<(Registry, Source)> = scopes.iter().map(|s| all.registry(s).unwrap()).collect();
            let shared = all.listing();
            let with = Files::open(&FileSource::WorkTree, root, Some(&repo)).unwrap().with_shared(Some(shared.clone()));
            let mut found = Vec::new();
            for (scope, (r, _)) in scopes.iter().zip(&built) {
                assert!(shared.covers(r), "{scope}: listed for");
                let alone = files.paths(&|p| r.is_document(p), &document_dirs(r));
                assert_eq!(with.documents(r), alone, "{scope}");
                found.push(alone);
            }
            assert!(shared.0.parts.get().is_some(), "listed once, for all");
            found
        };
        let found = compare();
        let [top, a, sub, b] = &found[..] else { unreachable!() };
        assert_eq!(top.0, ["ROADMAP.md", "docs/a.md", "src/x.md"]);
        assert_eq!(a.0, ["teams/a/ROADMAP.md", "teams/a/plans/ignored/t.md", "teams/a/plans/q1.md"]);
        assert_eq!(sub.0, ["teams/a/sub/deep/k/x.md", "teams/a/sub/rfcs/r1.md"]);
        #[cfg(unix)]
        {
            assert_eq!(b.0, ["teams/b/PLAN.md", "teams/b/notes/n.md", "teams/b/plans/p.md", "teams/b/plans/to-a.md"]);
            let passed: Vec<&str> = a.1.iter().chain(&b.1).map(|(p, _)| p.as_str()).collect();
            assert_eq!(passed, ["teams/a/plans/link.md", "teams/b/plans/dangling.md"]);
        }
        git(root, &["config", "index.sparse", "true"]);
        git(root, &["sparse-checkout", "set", "--cone", "teams/a"]);
        assert!(!root.join("docs/a.md").exists() && !root.join("teams/b/PLAN.md").exists(), "outside the cone");
        let found = compare();
        assert_eq!(found[0].0, ["ROADMAP.md", "docs/a.md", "src/x.md"], "read from the index's folders");
        assert_eq!(&found[3].0[..2], ["teams/b/PLAN.md", "teams/b/notes/n.md"]);
    }

    /// The tracked files the walk passed over are looked for in the work tree only when they
    /// are documents (a sparse checkout's thousands of others are never touched), and never
    /// through a folder a symbolic link replaced: out of the work tree, or into `.git`.
    #[cfg(unix)]
    #[test]
    fn tracked_files_are_looked_for_only_as_documents_and_never_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        std::fs::create_dir_all(root.join("old")).unwrap();
        std::fs::create_dir_all(root.join("notes")).unwrap();
        for (path, text) in [
            (".gitignore", "old/\nnotes/\n"),
            ("old/A.md", "- [ ] a\n"),
            ("old/code.rs", "fn main() {}\n"),
            ("notes/config", "- [ ] n\n"),
        ] {
            std::fs::write(root.join(path), text).unwrap();
        }
        git(root, &["add", ".gitignore"]);
        git(root, &["add", "-f", "old/A.md", "old/code.rs", "notes/config"]);
        git(root, &["commit", "-q", "-m", "tracked, ignored"]);
        let repo = Repo::discover(root).unwrap();
        let files = Files::open(&FileSource::WorkTree, root, Some(&repo)).unwrap();
        let all: Descend = std::sync::Arc::new(|_: &str| true);
        let keep = |p: &str| p.ends_with(".md") || p.starts_with("notes/");
        assert_eq!(files.list(&all, &keep).tracked, ["notes/config", "old/A.md"], "only documents");
        let outside = tempfile::tempdir().unwrap();
        std::fs::rename(root.join("old"), outside.path().join("old")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("old"), root.join("old")).unwrap();
        std::fs::remove_dir_all(root.join("notes")).unwrap();
        std::os::unix::fs::symlink(".git", root.join("notes")).unwrap();
        assert!(files.list(&all, &keep).tracked.is_empty(), "behind links: not the tracked files");
        let (listed, _) = files.paths(&keep, &all);
        assert!(listed.is_empty(), "{listed:?}");
    }

    /// A file git tracks is listed whatever .gitignore says; the index that tells is kept between
    /// listings ([`TRACKED`]) and read again once git writes it: a long-lived process (the
    /// editor server) lists what git tracks now.
    #[test]
    fn tracked_files_under_an_ignore_rule_are_listed_as_the_index_is_now() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        std::fs::create_dir(root.join("old")).unwrap();
        for (path, text) in
            [(".gitignore", "old/\n"), ("PLAN.md", "- [ ] a\n"), ("old/A.md", "- [ ] b\n"), ("old/B.md", "- [ ] c\n")]
        {
            std::fs::write(root.join(path), text).unwrap();
        }
        git(root, &["add", ".gitignore", "PLAN.md"]);
        git(root, &["add", "-f", "old/A.md"]);
        let repo = Repo::discover(root).unwrap();
        let list = || {
            let files = Files::open(&FileSource::WorkTree, root, Some(&repo)).unwrap();
            let all: Descend = std::sync::Arc::new(|_: &str| true);
            files.paths(&|p| p.ends_with(".md"), &all).0
        };
        assert_eq!(list(), ["PLAN.md", "old/A.md"]);
        assert_eq!(list(), ["PLAN.md", "old/A.md"], "the same, from the kept index");
        git(root, &["add", "-f", "old/B.md"]);
        assert_eq!(list(), ["PLAN.md", "old/A.md", "old/B.md"], "git wrote the index again");
        git(root, &["rm", "-q", "--cached", "old/A.md"]);
        assert_eq!(list(), ["PLAN.md", "old/B.md"]);
    }
}
