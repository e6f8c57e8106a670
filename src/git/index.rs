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
}

const HEADER: usize = 12;
const OID: usize = 20;
/// ctime, mtime (8 each), dev, ino, mode, uid, gid, size (4 each), the id, the flags.
const FIXED: usize = 40 + OID + 2;

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
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
        Index { data: Vec::new(), slots: Vec::new(), names: Vec::new(), version: 2 }
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
        Ok(Index { data, slots, names, version })
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
}
