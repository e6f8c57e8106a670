//! The index file (`.git/index`, `$GIT_INDEX_FILE`), read the way git reads it on every
//! command: the entries only, without hashing the whole file to verify its trailing checksum
//! (git verifies it only in `git fsck`; libgit2 verifies on every read, which costs more than
//! everything else a hook does once an index holds 100,000 entries).
//!
//! Versions 2, 3 and 4 (path prefix compression) are read; extensions are skipped, but an
//! extension git marks as one a reader must understand (a name not starting with `A`–`Z`) is an
//! error. A split index (`link`) is read joined with the shared index beside it (`split`):
//! reading its own entries as the whole index would see files staged that are not, so a shared
//! index that cannot be read is an error. A sparse index (`sdir`) is read: its
//! folders outside the sparse cone are entries with mode `040000` and a path ending in `/`. Only what the
//! hooks need is kept: each entry's path, object id, mode, stage and size. Anything malformed is
//! an error naming the file, never a panic: the index is input like any other.

use git2::Oid;
use std::path::Path;

mod split;

/// One index entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The path, relative to the work tree, `/`-separated, as stored (bytes).
    pub path: &'a [u8],
    pub id: Oid,
    /// The file mode (`0o100644`, `0o100755`, `0o120000` a link, `0o160000` a gitlink).
    pub mode: u32,
    /// The merge stage: 0 when not conflicted.
    pub stage: u8,
    /// The size recorded when the file was staged (truncated to 32 bits, as git stores it).
    pub file_size: u32,
    /// Added with `git add -N` (intent to add): listed, but not staged; a commit leaves it out.
    pub intent_to_add: bool,
    /// Outside a sparse checkout's cone (skip-worktree): git holds its content here, not in the
    /// work tree, where it is usually absent.
    pub skip_worktree: bool,
}

/// Where each entry's fields are in the file, and its path (owned only in version 4, where
/// paths are prefix-compressed).
struct Slot {
    fields: usize,
    path: std::ops::Range<usize>,
}

/// A parsed index.
pub struct Index {
    data: Vec<u8>,
    slots: Vec<Slot>,
    /// Version 4 paths, reconstructed; `Slot::path` indexes into it.
    names: Vec<u8>,
    version: u32,
    /// Where the extensions start (after the last entry).
    extensions: usize,
}

const HEADER: usize = 12;
const OID: usize = 20;
/// ctime, mtime (8 each), dev, ino, mode, uid, gid, size (4 each), the id, the flags.
const FIXED: usize = 40 + OID + 2;

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The cache-tree extension's nodes, depth first: each a NUL-terminated name (the root's
/// empty), its entry count in ASCII (`-1`: invalidated), a space, its subtree count, a newline,
/// and the tree id when valid; then its subtrees. `None` when malformed, or when the valid
/// folders' paths would take more than `budget` bytes (a deep chain of crafted nodes names
/// paths whose lengths add up to the square of the nodes': the cache only saves reading
/// trees, so an index that costs more to read it than that is read without it).
fn read_cache_tree(body: &[u8], budget: usize, out: &mut std::collections::HashMap<Vec<u8>, Oid>) -> Option<()> {
    // The current node's path, and for each open node: its path's length, subtrees left, and
    // where its last child's name is in `body`.
    let mut path: Vec<u8> = Vec::new();
    let mut stack: Vec<(usize, usize, Option<std::ops::Range<usize>>)> = Vec::new();
    let (mut spent, mut rooted) = (0usize, false);
    let mut at = 0;
    while at < body.len() {
        let nul = at + memchr::memchr(0, &body[at..])?;
        let name = &body[at..nul];
        let named = at..nul;
        let line_end = nul + 1 + memchr::memchr(b'\n', body.get(nul + 1..)?)?;
        let line = std::str::from_utf8(&body[nul + 1..line_end]).ok()?;
        let (count, subtrees) = line.split_once(' ')?;
        let (count, subtrees): (i64, usize) = (count.parse().ok()?, subtrees.parse().ok()?);
        at = line_end + 1;
        match stack.last_mut() {
            // One root, unnamed; a second is malformed.
            None if !rooted && name.is_empty() => rooted = true,
            None => return None,
            Some((len, left, last)) => {
                // A folder's name, as git writes its subtrees: one path part (git looks a
                // folder up part by part, so a name with `/` is one git never finds: trusted
                // here, it would hide a staged change), sorted by length then bytes, once.
                let after = |l: &std::ops::Range<usize>| (l.len(), &body[l.clone()]) < (name.len(), name);
                if name.is_empty() || name.contains(&b'/') || !last.as_ref().is_none_or(after) {
                    return None;
                }
                *last = Some(named);
                *left = left.checked_sub(1)?;
                path.truncate(*len);
                if !path.is_empty() {
                    path.push(b'/');
                }
                path.extend_from_slice(name);
            }
        }
        if count >= 0 {
            let id = Oid::from_bytes(body.get(at..at + OID)?).ok()?;
            at += OID;
            spent = spent.checked_add(path.len() + OID)?;
            if spent > budget {
                return None;
            }
            out.insert(path.clone(), id);
        }
        stack.push((path.len(), subtrees, None));
        while stack.last().is_some_and(|(_, left, _)| *left == 0) {
            stack.pop();
        }
        if let Some((len, _, _)) = stack.last() {
            path.truncate(*len);
        }
    }
    Some(())
}

/// Whether a split index's `link` extension is joined with its shared index, or refused.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Split {
    Joined,
    Refused,
}

/// The extensions from `at` to the end of `data` (the checksum cut off): an error for one git
/// requires a reader to understand (its name does not start with `A`–`Z`) but for the sparse
/// index's `sdir`, which only says folders may be entries.
fn mandatory_understood(data: &[u8], mut at: usize, split: Split) -> Result<(), String> {
    while at + 8 <= data.len() {
        let name = &data[at..at + 4];
        if !name[0].is_ascii_uppercase() && name != b"sdir" && !(name == b"link" && split == Split::Joined) {
            let shown: String = name.iter().map(|&b| if b.is_ascii_graphic() { b as char } else { '?' }).collect();
            return Err(if name == b"link" {
                "it is a split index (`core.splitIndex`), whose entries live in another file; \
                 `git config core.splitIndex false && git update-index --no-split-index` joins it"
                    .to_string()
            } else {
                format!("it has an extension `{shown}` that a reader must understand")
            });
        }
        let size = be32(data, at + 4).unwrap_or(u32::MAX) as usize;
        at = at.saturating_add(8).saturating_add(size);
    }
    Ok(())
}

impl Index {
    /// Read and parse the index at `path`. A missing file is `NotFound` (no index yet: nothing
    /// staged).
    pub fn open(path: &Path) -> std::io::Result<Index> {
        let data = std::fs::read(path)?;
        Index::parse_with(data, Split::Joined).and_then(|index| split::join(index, path)).map_err(|why| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} is not a git index plan-lint reads: {why}", path.display()),
            )
        })
    }

    /// An index with no entries (a repository where nothing was ever staged has no file).
    pub fn empty() -> Index {
        Index { data: Vec::new(), slots: Vec::new(), names: Vec::new(), version: 2, extensions: 0 }
    }

    /// Parse index bytes; a split index is an error (its shared index is found beside its
    /// file: [`Index::open`] reads it).
    pub fn parse(data: Vec<u8>) -> Result<Index, String> {
        Index::parse_with(data, Split::Refused)
    }

    /// Parse index bytes whose `link` extension, if any, is joined after ([`split::join`]).
    fn parse_entries(data: Vec<u8>) -> Result<Index, String> {
        Index::parse_with(data, Split::Joined)
    }

    fn parse_with(data: Vec<u8>, split: Split) -> Result<Index, String> {
        if data.len() < HEADER + OID || &data[..4] != b"DIRC" {
            return Err("no index signature".into());
        }
        let version = be32(&data, 4).ok_or("truncated header")?;
        if !(2..=4).contains(&version) {
            return Err(format!("index version {version} is not supported"));
        }
        let count = be32(&data, 8).ok_or("truncated header")? as usize;
        let end = data.len() - OID;
        // Each entry takes at least FIXED + 1 bytes: a count beyond that is a lie, not memory
        // to reserve.
        if count > end / (FIXED + 1) {
            return Err("more entries than the file can hold".into());
        }
        let mut slots = Vec::with_capacity(count);
        let mut names = Vec::new();
        let mut previous: std::ops::Range<usize> = 0..0;
        let mut at = HEADER;
        for _ in 0..count {
            let flags_at = at + 40 + OID;
            let flags =
                u16::from_be_bytes(data.get(flags_at..flags_at + 2).ok_or("truncated entry")?.try_into().unwrap());
            let extended = flags & 0x4000 != 0;
            if extended && version < 3 {
                return Err("an extended entry in a version 2 index".into());
            }
            let name_at = flags_at + 2 + if extended { 2 } else { 0 };
            if version == 4 {
                // A varint: how many bytes of the previous path to drop; then the rest of the
                // path, NUL-terminated.
                let (mut strip, mut i) = (0usize, name_at);
                loop {
                    let b = *data.get(i).ok_or("truncated path")?;
                    i += 1;
                    strip =
                        strip.checked_mul(128).and_then(|s| s.checked_add(usize::from(b & 0x7f))).ok_or("bad path")?;
                    if b & 0x80 == 0 {
                        break;
                    }
                    strip = strip.checked_add(1).ok_or("bad path")?;
                }
                let nul = memchr::memchr(0, data.get(i..end).ok_or("truncated path")?).ok_or("unterminated path")?;
                let keep = previous.len().checked_sub(strip).ok_or("bad path prefix")?;
                let start = names.len();
                names.extend_from_within(previous.start..previous.start + keep);
                names.extend_from_slice(&data[i..i + nul]);
                previous = start..names.len();
                slots.push(Slot { fields: at, path: previous.clone() });
                at = i + nul + 1;
            } else {
                // memchr: a large index's paths are most of what a hook reads.
                let nul = data.get(name_at..end).and_then(|rest| memchr::memchr(0, rest)).ok_or("unterminated path")?;
                slots.push(Slot { fields: at, path: name_at..name_at + nul });
                // Padded with 1 to 8 NULs to a multiple of 8 from the entry's start.
                let len = name_at + nul - at;
                at += (len + 8) & !7;
            }
            if at > end {
                return Err("truncated entry".into());
            }
        }
        mandatory_understood(&data[..end], at, split)?;
        Ok(Index { data, slots, names, version, extensions: at })
    }

    fn entry(&self, slot: &Slot) -> Entry<'_> {
        let f = slot.fields;
        let d = &self.data;
        let path = self.path(slot);
        let flags = u16::from_be_bytes([d[f + 40 + OID], d[f + 41 + OID]]);
        // Version 3 and later: a second flags word when the first says so; bit 13 intent to add.
        let extended = if flags & 0x4000 != 0 { u16::from_be_bytes([d[f + 42 + OID], d[f + 43 + OID]]) } else { 0 };
        Entry {
            path,
            id: Oid::from_bytes(&d[f + 40..f + 40 + OID]).unwrap_or_else(|_| Oid::zero()),
            mode: be32(d, f + 24).unwrap_or(0),
            stage: ((flags >> 12) & 3) as u8,
            file_size: be32(d, f + 36).unwrap_or(0),
            intent_to_add: extended & 0x2000 != 0,
            skip_worktree: extended & 0x4000 != 0,
        }
    }

    /// The folders whose tree git has recorded in the index's cache-tree extension (`TREE`) and
    /// not invalidated since (staging a path invalidates each folder that holds it): each
    /// folder's path (`""` the root, else `a/b`) and tree id. Empty when the index has no such
    /// extension or it does not read: it only saves reading trees.
    pub fn cache_tree(&self) -> std::collections::HashMap<Vec<u8>, Oid> {
        let mut out = std::collections::HashMap::new();
        let end = self.data.len().saturating_sub(OID);
        let mut at = self.extensions;
        while at + 8 <= end {
            let Some(size) = be32(&self.data, at + 4) else { break };
            let Some(body) =
                self.data.get(at + 8..(at + 8).saturating_add(size as usize)).filter(|_| at + 8 + size as usize <= end)
            else {
                break;
            };
            if &self.data[at..at + 4] == b"TREE" {
                // Each valid folder's path and id, at most a few times the index's own size.
                let budget = self.data.len().saturating_mul(4).saturating_add(1 << 20);
                if read_cache_tree(body, budget, &mut out).is_none() {
                    out.clear();
                }
                break;
            }
            at += 8 + size as usize;
        }
        out
    }

    /// Every entry, in the index's order (by path, then stage).
    pub fn iter(&self) -> impl Iterator<Item = Entry<'_>> + '_ {
        self.slots.iter().map(|s| self.entry(s))
    }

    /// The entries in the directories `want` accepts (the path before the last `/`, empty at
    /// the root), in order. Entries are sorted by path, so `want` is asked once per directory,
    /// and the rest of an entry is read only when its directory is wanted.
    pub fn in_dirs<'a>(&'a self, mut want: impl FnMut(&[u8]) -> bool + 'a) -> impl Iterator<Item = Entry<'a>> + 'a {
        let mut last: (&[u8], bool) = (b"\0", false);
        self.slots.iter().filter_map(move |slot| {
            let path = self.path(slot);
            let dir = path.iter().rposition(|&b| b == b'/').map_or(&path[..0], |i| &path[..i]);
            if dir != last.0 {
                last = (dir, want(dir));
            }
            last.1.then(|| self.entry(slot))
        })
    }

    fn path(&self, slot: &Slot) -> &[u8] {
        if self.version == 4 {
            &self.names[slot.path.clone()]
        } else {
            &self.data[slot.path.clone()]
        }
    }

    /// What lies directly in the folder `prefix` (`""`, or `a/b/`), in order: each file's entry
    /// (every stage), and each subfolder's name once (`Err`). The entries below a subfolder are
    /// skipped with a search, not visited: a folder's children cost their number, not the
    /// size of everything under it.
    pub fn children(&self, prefix: &[u8]) -> Vec<Result<Entry<'_>, &[u8]>> {
        let mut out = Vec::new();
        let mut i = self.slots.partition_point(|s| self.path(s) < prefix);
        while let Some(slot) = self.slots.get(i) {
            let path = self.path(slot);
            if !path.starts_with(prefix) {
                break;
            }
            let rest = &path[prefix.len()..];
            match memchr::memchr(b'/', rest) {
                // A sparse index's folder entry (`dir/`): an entry of its own.
                Some(slash) if slash + 1 == rest.len() => {
                    out.push(Ok(self.entry(slot)));
                    i += 1;
                }
                Some(slash) => {
                    let folder = &path[..prefix.len() + slash + 1];
                    out.push(Err(&rest[..slash]));
                    i += self.slots[i..].partition_point(|s| {
                        let p = self.path(s);
                        p < folder || p.starts_with(folder)
                    });
                }
                None => {
                    out.push(Ok(self.entry(slot)));
                    i += 1;
                }
            }
        }
        out
    }

    /// In a sparse index, the folder entry outside the sparse cone that holds `path` (`teams/x/`
    /// for `teams/x/a.md`, which has no entry of its own): the rest of the path below it and
    /// the folder's tree id.
    pub fn sparse_folder_of<'p>(&self, path: &'p str) -> Option<(&'p str, Oid)> {
        let bytes = path.as_bytes();
        let slashes = bytes.iter().enumerate().filter(|&(_, &b)| b == b'/').map(|(i, _)| i);
        slashes.into_iter().find_map(|i| {
            let folder = &bytes[..=i];
            let at = self.slots.partition_point(|s| self.path(s) < folder);
            let entry = self.slots.get(at).map(|s| self.entry(s)).filter(|e| e.path == folder)?;
            (entry.mode & 0o170000 == 0o040000).then(|| (&path[i + 1..], entry.id))
        })
    }

    /// The entry for `path` at stage 0.
    pub fn get_path(&self, path: &str) -> Option<Entry<'_>> {
        let key = path.as_bytes();
        // Entries are sorted by path bytes, then stage.
        let i = self.slots.partition_point(|s| self.path(s) < key);
        self.slots[i..].iter().map(|s| self.entry(s)).take_while(|e| e.path == key).find(|e| e.stage == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_indexes_are_errors_not_panics() {
        for bytes in [&b""[..], b"DIRC", b"DIRC\0\0\0\x02\0\0\0\x01", b"XXXX\0\0\0\x02\0\0\0\0aaaaaaaaaaaaaaaaaaaa"] {
            assert!(Index::parse(bytes.to_vec()).is_err());
        }
        let mut huge = b"DIRC\0\0\0\x02\xff\xff\xff\xff".to_vec();
        huge.extend([0u8; 20]);
        assert!(Index::parse(huge).is_err(), "a count the file cannot hold");
        let empty = {
            let mut b = b"DIRC\0\0\0\x02\0\0\0\0".to_vec();
            b.extend([0u8; 20]);
            b
        };
        assert_eq!(Index::parse(empty).unwrap().iter().count(), 0);
    }

    /// An index with no entries and a `TREE` extension of `body`.
    fn with_tree(body: &[u8]) -> Index {
        let mut b = b"DIRC\0\0\0\x02\0\0\0\0TREE".to_vec();
        b.extend((body.len() as u32).to_be_bytes());
        b.extend(body);
        b.extend([0u8; 20]);
        Index::parse(b).unwrap()
    }

    /// The cache-tree names each valid folder by its path; an invalidated one (`-1`) is left
    /// out, and anything malformed (cut anywhere, a count that lies) reads as no cache, never
    /// a panic.
    #[test]
    fn the_cache_tree_names_valid_folders_and_a_malformed_one_reads_as_none() {
        let id = |b: u8| [b; 20];
        let mut body = Vec::new();
        body.extend(b"\x002 2\n");
        body.extend(id(1));
        body.extend(b"a\0-1 1\n");
        body.extend(b"b\x001 0\n");
        body.extend(id(2));
        body.extend(b"c\x001 0\n");
        body.extend(id(3));
        let tree = with_tree(&body).cache_tree();
        let oid = |b: u8| Oid::from_bytes(&id(b)).unwrap();
        let mut got: Vec<(String, Oid)> = tree.into_iter().map(|(p, o)| (String::from_utf8(p).unwrap(), o)).collect();
        got.sort();
        assert_eq!(got, vec![(String::new(), oid(1)), ("a/b".into(), oid(2)), ("c".into(), oid(3))]);
        for cut in 0..body.len() {
            let partial = with_tree(&body[..cut]).cache_tree();
            assert!(partial.len() <= 3, "cut at {cut}");
        }
        assert!(with_tree(b"\x001 99999999999\n").cache_tree().len() <= 1);
        assert!(with_tree(b"\x00x y\n").cache_tree().is_empty());
    }
    /// A chain of valid cache-tree folders, each one deeper: their paths add up to the square
    /// of the chain's length. Past a budget a few times the index's size the cache is not used
    /// (it only spares reading trees), so crafted bytes cannot take memory beyond that.
    #[test]
    fn a_cache_tree_whose_paths_outgrow_the_index_is_not_used() {
        let node = |body: &mut Vec<u8>, subtrees: usize| {
            body.extend(format!("d\x001 {subtrees}\n").as_bytes());
            body.extend([7u8; 20]);
        };
        let chain = |n: usize| {
            let mut body = b"\x001 1\n".to_vec();
            body.extend([7u8; 20]);
            for i in 0..n {
                node(&mut body, usize::from(i + 1 < n));
            }
            body
        };
        assert_eq!(with_tree(&chain(100)).cache_tree().len(), 101, "a real depth is read");
        let deep = with_tree(&chain(2_000));
        assert!(deep.cache_tree().is_empty(), "4 MB of paths from a 52 kB extension");
    }

    /// A split index (`core.splitIndex`) keeps most entries in a shared file: it is read
    /// joined, entry for entry what `git ls-files --stage` lists, over generated changes
    /// (added, changed, removed, conflicted, `git add -N`, in index versions 2, 3 and 4, with
    /// and without a fresh shared index). Parsed alone (no file to find the shared one beside)
    /// it is refused; any other extension a reader must understand is refused too; a sparse
    /// index's `sdir` is read.
    #[test]
    fn a_split_index_is_read_joined_as_git_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(["-c", "user.name=A", "-c", "user.email=a@example.com", "-c", "splitIndex.maxPercentChange=30"])
                .args(args)
                .current_dir(dir.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env_remove("GIT_INDEX_FILE")
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap()
        };
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        git(&["init", "-q", "-b", "main"]);
        for i in 0..60 {
            write(&format!("d{}/f{i}", i % 4), "x\n");
        }
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "Files"]);
        let ours = || {
            let index = Index::open(&dir.path().join(".git/index")).unwrap();
            let mut out = String::new();
            for e in index.iter() {
                out += &format!("{:o} {} {}\t{}\n", e.mode, e.id, e.stage, String::from_utf8_lossy(e.path));
            }
            out
        };
        let ita = || {
            let index = Index::open(&dir.path().join(".git/index")).unwrap();
            index
                .iter()
                .filter(|e| e.intent_to_add)
                .map(|e| String::from_utf8_lossy(e.path).into_owned())
                .collect::<Vec<_>>()
        };
        let mut rng = crate::git::Rng(0x5eed_1234);
        let mut splits = 0;
        for version in ["2", "3", "4"] {
            git(&["update-index", "--index-version", version]);
            git(&["update-index", "--split-index"]);
            for step in 0..40 {
                let name = format!("d{}/f{}", rng.below(5), rng.below(80));
                match rng.below(6) {
                    0 | 1 => {
                        write(&name, &format!("{step}\n"));
                        git(&["add", &name]);
                    }
                    2 => {
                        let _ = std::fs::remove_file(dir.path().join(&name));
                        git(&["add", "-A", "--ignore-errors", "--", ":(glob)**"]);
                    }
                    3 => {
                        write(&format!("new/{name}"), "n\n");
                        git(&["add", "-N", &format!("new/{name}")]);
                    }
                    4 => {
                        // A conflict: three stages of one path, then resolved.
                        let blob = git(&["hash-object", "-w", "--stdin"]).trim().to_string();
                        let info = format!(
                            "100644 {blob} 1\tc/{step}\n100644 {blob} 2\tc/{step}\n100644 {blob} 3\tc/{step}\n"
                        );
                        write("info.txt", &info);
                        let out = std::process::Command::new("git")
                            .args(["update-index", "--index-info"])
                            .current_dir(dir.path())
                            .stdin(std::fs::File::open(dir.path().join("info.txt")).unwrap())
                            .output()
                            .unwrap();
                        assert!(out.status.success());
                        std::fs::remove_file(dir.path().join("info.txt")).unwrap();
                    }
                    _ => {
                        git(&["update-index", "--split-index"]);
                    }
                }
                let listed = std::fs::read(dir.path().join(".git/index")).unwrap();
                if Index::parse(listed).is_err() {
                    splits += 1;
                }
                assert_eq!(ours(), git(&["ls-files", "--stage"]), "index version {version}, step {step}");
                let mut git_ita: Vec<String> =
                    git(&["diff", "--name-only", "--diff-filter=A"]).lines().map(String::from).collect();
                git_ita.sort();
                let mut our_ita = ita();
                our_ita.sort();
                assert_eq!(our_ita, git_ita, "intent to add, step {step}");
            }
        }
        assert!(splits > 100, "the cases were split indexes: {splits}");
        // Any byte of the link extension changed: read or refused, never a panic, never more
        // entries than the two files hold.
        git(&["update-index", "--split-index"]);
        write("d0/changed", "c\n");
        git(&["add", "d0/changed"]);
        let data = std::fs::read(dir.path().join(".git/index")).unwrap();
        let link = data.windows(4).rposition(|w| w == b"link").expect("a link extension");
        let bound = git(&["ls-files", "--stage"]).lines().count() + data.len() / 62;
        for _ in 0..300 {
            let mut bad = data.clone();
            let at = link + 8 + OID + rng.below(data.len() - OID - link - 8 - OID);
            bad[at] ^= 1 << rng.below(8);
            std::fs::write(dir.path().join(".git/index.bad"), &bad).unwrap();
            if let Ok(index) = Index::open(&dir.path().join(".git/index.bad")) {
                assert!(index.iter().count() <= bound);
            }
        }
        let err = Index::parse(std::fs::read(dir.path().join(".git/index")).unwrap()).err().expect("refused alone");
        assert!(err.contains("split index"), "{err}");
        // Its shared index gone: an error, not the rest read as the whole.
        for shared in std::fs::read_dir(dir.path().join(".git")).unwrap().flatten() {
            if shared.file_name().to_string_lossy().starts_with("sharedindex.") {
                std::fs::remove_file(shared.path()).unwrap();
            }
        }
        let err = Index::open(&dir.path().join(".git/index")).err().expect("refused without its shared index");
        assert!(err.to_string().contains("shared index"), "{err}");
        let mut b = b"DIRC\0\0\0\x02\0\0\0\0abcd\0\0\0\0".to_vec();
        b.extend([0u8; 20]);
        assert!(Index::parse(b).err().unwrap().contains("`abcd`"));
        let mut b = b"DIRC\0\0\0\x02\0\0\0\0sdir\0\0\0\0".to_vec();
        b.extend([0u8; 20]);
        assert!(Index::parse(b).is_ok());
    }

    /// Folder names git never writes, and so never looks up, make the cache-tree unused: a
    /// name with `/`, an empty one below the root, a named root, a name twice, siblings out of
    /// git's order (by length, then bytes).
    #[test]
    fn a_cache_tree_with_names_git_would_not_write_is_not_used() {
        let valid = |name: &str, subtrees: usize| {
            let mut v = format!("{name}\x001 {subtrees}\n").into_bytes();
            v.extend([9u8; 20]);
            v
        };
        let of = |nodes: &[(&str, usize)]| nodes.iter().flat_map(|(n, s)| valid(n, *s)).collect::<Vec<u8>>();
        assert_eq!(with_tree(&of(&[("", 2), ("b", 0), ("aa", 0)])).cache_tree().len(), 3, "git's order");
        for nodes in [
            &[("", 1), ("teams/x", 0)][..],
            &[("", 1), ("", 0)],
            &[("teams", 0)],
            &[("", 2), ("x", 0), ("x", 0)],
            &[("", 2), ("aa", 0), ("b", 0)],
        ] {
            assert!(with_tree(&of(nodes)).cache_tree().is_empty(), "{nodes:?}");
        }
    }
}
