//! The pre-commit hook's one cache: for a plan document's content (its blob id), the promises
//! its open items serve.
//!
//! When a commit changes promise statuses, only documents with open items under those promises
//! can judge differently; the cache lets the hook know which without reading the others. It is
//! content-addressed, so an entry can never be stale: a changed document has a new blob id. It
//! lives in the git directory (`plan-lint/open-items`, shared by linked worktrees), is keyed by
//! plan-lint's version (a new scanner may read documents differently), is written atomically,
//! and any problem reading or writing it only costs speed: the hook then reads the documents.

use crate::atomic::{self, Mode};
use crate::git::Oid;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

const HEADER: &str = concat!("plan-lint open-items ", env!("CARGO_PKG_VERSION"), "\n");

pub struct OpenItems {
    path: PathBuf,
    map: HashMap<Oid, Vec<String>>,
    dirty: bool,
}

impl OpenItems {
    /// The cache of the repository whose common git directory is `git_dir`; empty when absent,
    /// unreadable or from another version.
    pub fn load(git_dir: &Path) -> OpenItems {
        let path = git_dir.join("plan-lint").join("open-items");
        let mut map = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(&path) {
            if let Some(body) = text.strip_prefix(HEADER) {
                for line in body.lines() {
                    let (oid, ids) = line.split_once(' ').unwrap_or((line, ""));
                    let Ok(oid) = Oid::from_str(oid) else {
                        map.clear();
                        break;
                    };
                    map.insert(oid, ids.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect());
                }
            }
        }
        OpenItems { path, map, dirty: false }
    }

    /// The promises the open items of this content serve, if known.
    pub fn get(&self, oid: Oid) -> Option<&[String]> {
        self.map.get(&oid).map(Vec::as_slice)
    }

    pub fn insert(&mut self, oid: Oid, mut ids: Vec<String>) {
        ids.sort();
        ids.dedup();
        if self.map.get(&oid) != Some(&ids) {
            self.map.insert(oid, ids);
            self.dirty = true;
        }
    }

    /// Write the entries for `keep` (the documents now in the index), if anything changed.
    /// Failures are ignored: the cache only saves time.
    /// The entries outside `keep` are kept too while there are at most `others` of them: in a
    /// repository with scopes, each scope's run knows only its own documents, and must not drop
    /// the other scopes' entries.
    pub fn save(mut self, keep: &HashSet<Oid>, others: usize) {
        let before = self.map.len();
        if self.map.keys().filter(|oid| !keep.contains(*oid)).nth(others).is_some() {
            self.map.retain(|oid, _| keep.contains(oid));
        }
        if !self.dirty && self.map.len() == before {
            return;
        }
        let mut entries: Vec<(&Oid, &Vec<String>)> = self.map.iter().collect();
        entries.sort();
        let mut text = String::from(HEADER);
        for (oid, ids) in entries {
            text.push_str(&format!("{oid} {}\n", ids.join(",")));
        }
        let Some(dir) = self.path.parent() else { return };
        let _ = std::fs::create_dir_all(dir).and_then(|()| atomic::write(&self.path, text.as_bytes(), Mode::Plain));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_version_and_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let a = Oid::hash_object(git2::ObjectType::Blob, b"a").unwrap();
        let b = Oid::hash_object(git2::ObjectType::Blob, b"b").unwrap();
        let mut cache = OpenItems::load(dir.path());
        cache.insert(a, vec!["y".into(), "x".into(), "x".into()]);
        cache.insert(b, vec![]);
        cache.save(&[a, b].into_iter().collect(), 0);
        let cache = OpenItems::load(dir.path());
        assert_eq!(cache.get(a), Some(&["x".to_string(), "y".to_string()][..]));
        assert_eq!(cache.get(b), Some(&[][..]));
        cache.save(&[a].into_iter().collect(), 0);
        assert!(OpenItems::load(dir.path()).get(b).is_none(), "entries outside the index are dropped");
        let mut cache = OpenItems::load(dir.path());
        cache.insert(b, vec!["z".into()]);
        cache.save(&[a].into_iter().collect(), 1);
        assert_eq!(OpenItems::load(dir.path()).get(b), Some(&["z".to_string()][..]), "another scope's entry is kept");
        OpenItems::load(dir.path()).save(&HashSet::new(), 1);
        assert!(OpenItems::load(dir.path()).get(a).is_none(), "past the bound, only `keep` stays");

        let file = dir.path().join("plan-lint/open-items");
        std::fs::write(&file, "plan-lint open-items 0.0.0-other\nabc x\n").unwrap();
        assert!(OpenItems::load(dir.path()).get(a).is_none());
        std::fs::write(&file, format!("{HEADER}not-an-oid x\n")).unwrap();
        assert!(OpenItems::load(dir.path()).map.is_empty());
    }
}
