//! Files as sources: the work tree (minus what git ignores) or a git index, read with bounded
//! memory, and the one way a registry is read from bytes, wherever they come from (a file, the
//! index, a tree in history).

use crate::error::{Error, Result};
use crate::git::Repo;
use crate::registry::{self, Registry};
use crate::source::Source;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Plan documents larger than this are not read: a plan is prose for people, and a file this
/// large is generated or misplaced.
pub const MAX_PLAN_BYTES: u64 = 16 * 1024 * 1024;

/// Where the registry and plan documents are read from.
#[derive(Clone, Debug)]
pub enum FileSource {
    /// The work tree, minus what git ignores.
    WorkTree,
    /// A git index file: what is staged (the pre-commit hook), `$GIT_INDEX_FILE` or `.git/index`.
    Index(PathBuf),
    /// The index's registry if it has one, else the work tree's (commit-msg and pre-push: the
    /// registry git is committing with).
    IndexOrWorkTree(PathBuf),
}

/// Where files are read from: the work tree (minus ignored files) or a git index.
pub struct Files<'r> {
    root: PathBuf,
    repo: Option<&'r Repo>,
    index: Option<git2::Index>,
}

impl<'r> Files<'r> {
    pub fn open(source: &FileSource, root: &Path, repo: Option<&'r Repo>) -> Result<Files<'r>> {
        let open_index = |path: &Path| {
            git2::Index::open(path)
                .map_err(|e| Error::new(format!("could not read the index {}: {}", path.display(), e.message())))
        };
        let index = match source {
            FileSource::WorkTree => None,
            FileSource::Index(path) => Some(open_index(path)?),
            FileSource::IndexOrWorkTree(path) => {
                let index = open_index(path)?;
                index.get_path(Path::new(registry::FILE_NAME), 0).is_some().then_some(index)
            }
        };
        Ok(Files { root: root.to_path_buf(), repo, index })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The index files are read from, if they come from one.
    pub fn index(&self) -> Option<&git2::Index> {
        self.index.as_ref()
    }

    /// How to name a path in messages.
    pub fn describe(&self, rel: &str) -> String {
        match self.index {
            Some(_) => format!("{rel} (staged)"),
            None => self.root.join(rel).display().to_string(),
        }
    }

    /// The bytes of a file, refusing files over [`MAX_PLAN_BYTES`].
    pub fn read(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        let too_large = || std::io::Error::other(format!("larger than {} MiB", MAX_PLAN_BYTES >> 20));
        match (&self.index, self.repo) {
            (Some(index), Some(repo)) => {
                let entry = index.get_path(Path::new(rel), 0).ok_or(std::io::ErrorKind::NotFound)?;
                if entry.mode & 0o170000 == 0o120000 {
                    return Err(std::io::Error::other("it is staged as a symbolic link: not read"));
                }
                if u64::from(entry.file_size) > MAX_PLAN_BYTES {
                    return Err(too_large());
                }
                let blob = repo.repo.find_blob(entry.id).map_err(|e| std::io::Error::other(e.message().to_string()))?;
                Ok(blob.content().to_vec())
            }
            _ => {
                let path = self.root.join(rel);
                if let Some(why) = self.link_leaves(&path) {
                    return Err(std::io::Error::other(format!("it is {why}: not read")));
                }
                read_limited(&path, MAX_PLAN_BYTES).map_err(|e| match e {
                    Some(e) => e,
                    None => too_large(),
                })
            }
        }
    }

    /// Why a symbolic link at `path` must not be followed: it dangles, or leaves the work tree,
    /// or points into `.git` (where `.git/config` may hold credentials). `None` for a regular
    /// file, or a link to one inside the work tree. Nothing is read to decide.
    fn link_leaves(&self, path: &Path) -> Option<&'static str> {
        if !std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return None;
        }
        let Ok(target) = path.canonicalize() else {
            return Some("a symbolic link to nothing");
        };
        let root = self.root.canonicalize().unwrap_or_else(|_| self.root.clone());
        let git_dir = self.repo.and_then(|r| r.repo.path().canonicalize().ok());
        if !target.starts_with(&root)
            || git_dir.is_some_and(|g| target.starts_with(g))
            || target.starts_with(root.join(".git"))
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
    pub fn paths(
        &self,
        keep: &dyn Fn(&str) -> bool,
        descend: &dyn Fn(&str) -> bool,
    ) -> (Vec<String>, Vec<(String, String)>) {
        let mut out = Vec::new();
        let mut passed = Vec::new();
        if let Some(index) = &self.index {
            for entry in index.iter() {
                // Regular files and links; no submodules (0o160000).
                let kind = entry.mode & 0o170000;
                let stage = (entry.flags >> 12) & 0x3;
                let Ok(path) = std::str::from_utf8(&entry.path) else { continue };
                if stage != 0 || !keep(path) {
                    continue;
                }
                match kind {
                    0o100000 => out.push(path.to_string()),
                    0o120000 => passed.push((
                        path.to_string(),
                        "a symbolic link: not read from the index (`plan-lint check` reads it in the work tree)"
                            .to_string(),
                    )),
                    _ => {}
                }
            }
        } else {
            let root = &self.root;
            let repo = self.repo;
            // A tracked file is read whatever .gitignore says (git tracks it): the index is read
            // only when a kept file is ignored, which is rare, so most runs never read it.
            let tracked: std::cell::OnceCell<HashSet<Vec<u8>>> = std::cell::OnceCell::new();
            let is_tracked = |rel: &str| {
                tracked
                    .get_or_init(|| {
                        repo.and_then(|r| r.repo.index().ok())
                            .map(|index| index.iter().map(|e| e.path).collect())
                            .unwrap_or_default()
                    })
                    .contains(rel.as_bytes())
            };
            let walker = walkdir::WalkDir::new(root).follow_links(false).into_iter().filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                if e.file_name() == ".git" {
                    return false;
                }
                if e.file_type().is_dir() {
                    let rel = e.path().strip_prefix(root).map(|r| r.to_string_lossy().replace('\\', "/"));
                    if rel.is_ok_and(|r| !descend(&r)) {
                        return false;
                    }
                }
                // A nested repository (a submodule's checkout, a vendored clone) is not this
                // repository's content; git does not descend into it either.
                if e.file_type().is_dir() && e.path().join(".git").exists() {
                    return false;
                }
                match (repo, e.file_type().is_dir(), e.path().strip_prefix(root)) {
                    (Some(repo), true, Ok(rel)) => !repo.is_ignored(rel),
                    _ => true,
                }
            });
            for entry in walker.flatten() {
                let link = entry.file_type().is_symlink();
                if !entry.file_type().is_file() && !link {
                    continue;
                }
                let Ok(rel) = entry.path().strip_prefix(root) else { continue };
                let rel = rel.to_string_lossy().replace('\\', "/");
                if !keep(&rel) {
                    continue;
                }
                if link {
                    match self.link_target(entry.path()) {
                        Err(why) => passed.push((rel, why)),
                        Ok(target) if keep(&target) => {
                            passed.push((rel, format!("a symbolic link to {target}, which is read as itself")))
                        }
                        Ok(_) => out.push(rel),
                    }
                    continue;
                }
                let untracked_and_ignored = repo.is_some_and(|r| r.is_ignored(Path::new(&rel)) && !is_tracked(&rel));
                if !untracked_and_ignored {
                    out.push(rel);
                }
            }
        }
        out.sort();
        passed.sort();
        (out, passed)
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

/// Read and validate the registry: `config` from disk when given, else `promises.toml` from
/// `files` (the work tree or the index). `Ok(None)` when there is none and `optional`.
pub fn read_registry(files: &Files, config: Option<&Path>, optional: bool) -> Result<Option<(Registry, Source)>> {
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
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && optional => return Ok(None),
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
pub fn registry_in_tree(repo: &Repo, tree: &git2::Tree) -> Option<Registry> {
    let entry = tree.get_path(Path::new(registry::FILE_NAME)).ok()?;
    registry_in_blob(repo, entry.id())
}

/// The registry stored in a blob, if it reads.
pub fn registry_in_blob(repo: &Repo, blob: git2::Oid) -> Option<Registry> {
    let blob = repo.repo.find_blob(blob).ok()?;
    if blob.size() as u64 > MAX_PLAN_BYTES {
        return None;
    }
    parse_registry(registry::FILE_NAME, blob.content().to_vec()).ok().map(|(r, _)| r)
}
