//! The registry histories kept between runs, in the git directory
//! (`<common dir>/plan-lint/registry-history`, shared by linked worktrees).
//!
//! A commit id names its whole history, so a history read from a tip never goes stale: a later
//! run from a descendant walks only the commits newer than a kept tip and appends what they
//! changed. Each entry is a path's history from one tip (a few tips per path are kept, newest
//! first), with what a later walk needs to tell whether it can stand on it: the file's entry at
//! the tip (a walk that meets the tip with another entry there does not use it), how many
//! commits it read, and whether it reached the commit that added the file (a history cut short
//! by a bound is used only from the same tip, with the same bound).
//!
//! The file is keyed by plan-lint's version, written atomically, never in a bare repository
//! (a server's), and never trusted to be well formed: a file that does not read, whole and
//! valid, is ignored, and any problem reading or writing it only costs speed.

use crate::atomic::{self, Mode};
use crate::facts::{RegistryHistory, RegistryRevision};
use crate::git::{Known, Oid, Repo};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::PathBuf;

const HEADER: &str = concat!("plan-lint registry-history ", env!("CARGO_PKG_VERSION"), "\n");

/// A larger file is not read (it was not written by plan-lint, or by one gone wrong).
const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// At most this many tips are kept per path.
const KEEP: usize = 3;

/// A path's history from one tip.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub tip: Oid,
    /// The file's entry at the tip.
    pub blob: Oid,
    /// How many commits the walk read back (to the commit that added the file when complete).
    pub read: usize,
    /// The bound it was read with (what an incomplete history means).
    pub limit: usize,
    pub complete: bool,
    /// The last revision's registry that read (none when no revision read): the next revision
    /// is compared with it.
    pub before: Option<Oid>,
    pub history: RegistryHistory,
}

impl Entry {
    /// How far below a newer tip this history may be met for a walk bounded by `limit`: a
    /// complete one while the walk would still reach the file's first commit within the bound, an
    /// incomplete one only from its own tip and bound.
    fn within(&self, limit: usize) -> Option<usize> {
        if self.complete {
            limit.checked_sub(self.read)
        } else {
            (self.limit == limit && self.read == limit).then_some(0)
        }
    }
}

pub(crate) struct Store {
    /// None: nothing is read or written (a bare repository).
    file: Option<PathBuf>,
    /// (path, entry), newest first per path.
    entries: Vec<(String, Entry)>,
    /// Whether the kept histories are used ([`Store::load_unbelieved`]).
    believed: bool,
}

impl Store {
    /// The histories kept in `repo`'s git directory; none when there are none, the file does
    /// not read, or the repository is bare.
    pub fn load(repo: &Repo) -> Store {
        if repo.is_bare() {
            return Store { file: None, entries: Vec::new(), believed: true };
        }
        let file = repo.common_dir().join("plan-lint").join("registry-history");
        let entries = read(&file).unwrap_or_default();
        Store { file: Some(file), entries, believed: true }
    }

    /// The histories kept, to be written again with what this run reads, but none of them
    /// believed: a run that judges (`check`, `ci`, the editor server; `suspect-link` can deny)
    /// walks for itself, so an edited file cannot change a verdict.
    pub fn load_unbelieved(repo: &Repo) -> Store {
        let mut store = Store::load(repo);
        store.believed = false;
        store
    }

    /// The tips whose history of `path` a walk bounded by `limit` may stop at.
    pub fn known(&self, path: &str, limit: usize) -> Vec<Known> {
        if !self.believed {
            return Vec::new();
        }
        self.of(path).filter_map(|e| Some(Known { tip: e.tip, blob: e.blob, within: e.within(limit)? })).collect()
    }

    /// The history of `path` from `tip`, for a walk bounded by `limit` that met it `k` commits
    /// down.
    pub fn get(&self, path: &str, tip: Oid, limit: usize, k: usize) -> Option<&Entry> {
        self.of(path).filter(|_| self.believed).find(|e| e.tip == tip && e.within(limit).is_some_and(|w| k <= w))
    }

    fn of<'s, 'p>(&'s self, path: &'p str) -> impl Iterator<Item = &'s Entry> + use<'s, 'p> {
        self.entries.iter().filter(move |(p, _)| p == path).map(|(_, e)| e)
    }

    /// Keep `entry` as `path`'s newest, in place of one from the same tip that says as much.
    /// A history with nothing to tell (no file at the tip, a commit that could not be read) is
    /// not kept (`false`).
    pub fn put(&mut self, path: &str, entry: Entry) -> bool {
        if entry.blob.is_zero() || (!entry.complete && entry.read != entry.limit) {
            return false;
        }
        self.entries.retain(|(p, e)| {
            p != path || e.tip != entry.tip || e.complete != entry.complete || (!e.complete && e.limit != entry.limit)
        });
        self.entries.insert(0, (path.to_string(), entry));
        true
    }

    /// Write the entries of `paths` (at most [`KEEP`] each). Failures are ignored: the file only
    /// saves time.
    pub fn save(self, paths: &[String]) {
        let Some(file) = self.file else { return };
        let mut count: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut stored = Vec::new();
        for (path, e) in &self.entries {
            let n = count.entry(path.as_str()).or_default();
            if paths.contains(path) && *n < KEEP {
                *n += 1;
                stored.push(Stored::from(path, e));
            }
        }
        let Ok(json) = serde_json::to_vec(&stored) else { return };
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend(json);
        let Some(dir) = file.parent() else { return };
        let _ = std::fs::create_dir_all(dir).and_then(|()| atomic::write(&file, &bytes, Mode::Plain));
    }
}

/// The entries in `file`; `None` when it is absent, too large, from another version, or does
/// not read whole.
fn read(file: &std::path::Path) -> Option<Vec<(String, Entry)>> {
    let mut bytes = Vec::new();
    std::fs::File::open(file).ok()?.take(MAX_BYTES + 1).read_to_end(&mut bytes).ok()?;
    if bytes.len() as u64 > MAX_BYTES {
        return None;
    }
    let body = bytes.strip_prefix(HEADER.as_bytes())?;
    let stored: Vec<Stored> = serde_json::from_slice(body).ok()?;
    stored.into_iter().map(Stored::into_entry).collect()
}

/// An entry as written: object ids in hex, changes tagged by kind.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    path: String,
    tip: String,
    blob: String,
    read: usize,
    limit: usize,
    complete: bool,
    before: Option<String>,
    revisions: Vec<RegistryRevision>,
}

/// An object id as plan-lint writes it: 40 lowercase hex digits, nothing else.
fn oid(hex: &str) -> Option<Oid> {
    let canonical = hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    canonical.then(|| Oid::from_str(hex).ok()).flatten()
}

impl Stored {
    fn from(path: &str, e: &Entry) -> Stored {
        Stored {
            path: path.to_string(),
            tip: e.tip.to_string(),
            blob: e.blob.to_string(),
            read: e.read,
            limit: e.limit,
            complete: e.complete,
            before: e.before.map(|b| b.to_string()),
            revisions: e.history.revisions.clone(),
        }
    }

    fn into_entry(self) -> Option<(String, Entry)> {
        let before = match self.before {
            Some(b) => Some(oid(&b)?),
            None => None,
        };
        // Each commit id as plan-lint writes it, or the entry is not believed.
        let mut revisions = self.revisions;
        for r in &mut revisions {
            r.commit = oid(&r.commit)?.to_string();
        }
        let entry = Entry {
            tip: oid(&self.tip)?,
            blob: oid(&self.blob)?,
            read: self.read,
            limit: self.limit,
            complete: self.complete,
            before,
            history: RegistryHistory { revisions, complete: self.complete, unreadable: None },
        };
        Some((self.path, entry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(tip: Oid) -> Entry {
        Entry { tip, blob: tip, read: 3, limit: 100, complete: true, before: None, history: RegistryHistory::default() }
    }

    /// A bare repository (a server's, where the pre-receive hook runs) is never written into;
    /// another is, and reads back what was kept.
    #[test]
    fn nothing_is_kept_in_a_bare_repository() {
        let tip = Oid::hash_object(git2::ObjectType::Blob, b"a").unwrap();
        let paths = ["promises.toml".to_string()];
        for bare in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let git = if bare { git2::Repository::init_bare(dir.path()) } else { git2::Repository::init(dir.path()) };
            let git_dir = git.unwrap().path().to_path_buf();
            let repo = Repo::open(&git_dir).unwrap();
            let mut store = Store::load(&repo);
            store.put("promises.toml", entry(tip));
            store.save(&paths);
            assert_eq!(git_dir.join("plan-lint").exists(), !bare, "bare: {bare}");
            let known = Store::load(&repo).known("promises.toml", 100);
            let want = if bare { vec![] } else { vec![Known { tip, blob: tip, within: 97 }] };
            assert_eq!(known, want, "bare: {bare}");
        }
    }
}
