//! The index file (`.git/index`, `$GIT_INDEX_FILE`), read the way git reads it on every
//! command: the entries only, without hashing the whole file to verify its trailing checksum
//! (git verifies it only in `git fsck`; libgit2 verifies on every read, which costs more than
//! everything else a hook does once an index holds 100,000 entries).
//!
//! Versions 2, 3 and 4 (path prefix compression) are read; extensions are skipped. Only what the
//! hooks need is kept: each entry's path, object id, mode, stage and size. Anything malformed is
//! an error naming the file, never a panic: the index is input like any other.

use git2::Oid;
use std::path::Path;

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
/// and the tree id when valid; then its subtrees. `None` when malformed.
fn read_cache_tree(body: &[u8], out: &mut std::collections::HashMap<Vec<u8>, Oid>) -> Option<()> {
    // (path of the node, subtrees still to read under it)
    let mut stack: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut at = 0;
    while at < body.len() {
        let nul = at + memchr::memchr(0, &body[at..])?;
        let name = &body[at..nul];
        let line_end = nul + 1 + memchr::memchr(b'\n', body.get(nul + 1..)?)?;
        let line = std::str::from_utf8(&body[nul + 1..line_end]).ok()?;
        let (count, subtrees) = line.split_once(' ')?;
        let (count, subtrees): (i64, usize) = (count.parse().ok()?, subtrees.parse().ok()?);
        at = line_end + 1;
        let path = match stack.last_mut() {
            None => name.to_vec(),
            Some((parent, left)) => {
                *left = left.checked_sub(1)?;
                if parent.is_empty() {
                    name.to_vec()
                } else {
                    [parent.as_slice(), b"/", name].concat()
                }
            }
        };
        if count >= 0 {
            let id = Oid::from_bytes(body.get(at..at + OID)?).ok()?;
            at += OID;
            out.insert(path.clone(), id);
        }
        stack.push((path, subtrees));
        while stack.last().is_some_and(|(_, left)| *left == 0) {
            stack.pop();
        }
        // Bounded: a node claiming more subtrees than bytes left is a lie.
        if stack.len() > body.len() {
            return None;
        }
    }
    Some(())
}

impl Index {
    /// Read and parse the index at `path`. A missing file is `NotFound` (no index yet: nothing
    /// staged).
    pub fn open(path: &Path) -> std::io::Result<Index> {
        let data = std::fs::read(path)?;
        Index::parse(data).map_err(|why| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} is not a git index: {why}", path.display()),
            )
        })
    }

    /// An index with no entries (a repository where nothing was ever staged has no file).
    pub fn empty() -> Index {
        Index { data: Vec::new(), slots: Vec::new(), names: Vec::new(), version: 2, extensions: 0 }
    }

    /// Parse index bytes.
    pub fn parse(data: Vec<u8>) -> Result<Index, String> {
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
        Ok(Index { data, slots, names, version, extensions: at })
    }

    fn entry(&self, slot: &Slot) -> Entry<'_> {
        let f = slot.fields;
        let d = &self.data;
        let path = self.path(slot);
        let flags = u16::from_be_bytes([d[f + 40 + OID], d[f + 41 + OID]]);
        Entry {
            path,
            id: Oid::from_bytes(&d[f + 40..f + 40 + OID]).unwrap_or_else(|_| Oid::zero()),
            mode: be32(d, f + 24).unwrap_or(0),
            stage: ((flags >> 12) & 3) as u8,
            file_size: be32(d, f + 36).unwrap_or(0),
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
                if read_cache_tree(body, &mut out).is_none() {
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
}
