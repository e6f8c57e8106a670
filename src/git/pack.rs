//! Commit and tree objects read straight from the pack files, for the history walks.
//!
//! A history check is bound by inflating commits. libgit2 inflates each object through zlib's
//! streaming API (a fresh stream and Huffman tables per object); a commit stored whole in a
//! pack is one zlib stream of known size, which libdeflate inflates in one call. On git.git's
//! 81,966 commits that is 240 ms against libgit2's 380 ms. Commits and trees in a version-2
//! index's pack are read here, whole or as deltas (OFS_DELTA, REF_DELTA within the packs read,
//! at most 64 deep, the trees resolved lately kept as bases). Anything else (a loose object, a
//! blob or tag, an alternate, a pack this reader does not know, a deeper chain, any
//! inconsistency) is `None`, and the caller reads it through libgit2, so a damaged or unusual
//! repository is reported by libgit2.

use git2::Oid;
use std::path::Path;

/// Pack entry types (git's `object_type`).
const COMMIT: u8 = 1;
const TREE: u8 = 2;
const OFS_DELTA: u8 = 6;
const REF_DELTA: u8 = 7;

/// Commits larger than this are left to libgit2 (no allocation sized by a header alone).
const MAX_COMMIT: usize = 16 << 20;

/// What one commit's delta chain may inflate in all.
const MAX_CHAIN: usize = 64 << 20;

/// After this many bytes of a pack are newly touched, its pages are handed back (they stay in
/// the page cache; touched pages of a mapping count as this process's memory until then):
/// memory stays flat however large the pack, as libgit2's and git's bounded windows keep it.
/// The index is mapped once for the whole process and kept, as git keeps it: its pages are
/// bounded by its size (28 bytes an object), every look-up touches a few of them anywhere in
/// it, and a walk that let them go faulted the same pages in again and again (the half of its
/// system time).
const RELEASE_EVERY: usize = 16 << 20;

/// What is counted as touched: blocks of 64 KiB, as the kernel maps up to that much around a
/// page a read faults in (`fault_around_bytes`). A block counts once until the next release: a
/// walk that reads its trees' delta bases over and over (the registry's history reads the same
/// folder's tree commit after commit) is not made to fault them in again and again, while a
/// walk across the whole pack is.
const BLOCK_SHIFT: u32 = 16;

/// The blocks of a mapping touched since its pages were last handed back.
struct Touched {
    bits: Vec<u64>,
}

impl Touched {
    fn new(len: usize) -> Touched {
        Touched { bits: vec![0; (len >> BLOCK_SHIFT) / 64 + 1] }
    }

    /// Mark the bytes `from..to` touched: how many of their blocks were not.
    fn mark(&mut self, from: usize, to: usize) -> usize {
        // The last byte: `from` itself for an empty range.
        let last = to.saturating_sub(1).max(from);
        let mut fresh = 0;
        for block in from >> BLOCK_SHIFT..=last >> BLOCK_SHIFT {
            if let Some(word) = self.bits.get_mut(block / 64) {
                let bit = 1 << (block % 64);
                if *word & bit == 0 {
                    *word |= bit;
                    fresh += 1;
                }
            }
        }
        fresh
    }

    fn clear(&mut self) {
        self.bits.fill(0);
    }
}

/// A file's bytes: mapped, or (for the fuzz target) owned.
enum Bytes {
    Map(memmap2::Mmap),
    /// An index, mapped once for every reader in the process ([`shared_index`]).
    Shared(std::sync::Arc<memmap2::Mmap>),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Map(m) => m,
            Bytes::Shared(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

impl Bytes {
    /// Hand a mapping's pages back; the next read faults them in again from the page cache.
    fn release(&self) {
        if let Bytes::Map(m) = self {
            // SAFETY: a read-only mapping of a file nobody writes in place (see `Pack::open`):
            // dropping its pages loses nothing, a later read finds the same bytes in the file,
            // and no reference into it outlives `Packs::read_commit`.
            unsafe {
                let _ = m.unchecked_advise(memmap2::UncheckedAdvice::DontNeed);
            }
        }
    }
}

struct Pack {
    idx: Bytes,
    pack: Bytes,
    /// Objects in the index.
    count: usize,
    /// The blocks of the pack touched since the last release.
    pack_touched: Touched,
}

/// The packs of a repository's object directory, mapped once.
pub struct Packs {
    packs: Vec<Pack>,
    inflate: libdeflater::Decompressor,
    /// Blocks of the mappings touched since their pages were last handed back.
    fresh: usize,
    /// Trees resolved lately, and any object resolved as a delta's base, by pack and offset,
    /// with their type: the bases of the next deltas. A history walk reads a folder's tree
    /// commit after commit, each stored as a delta against a newer one, so a chain ends at a
    /// tree read a moment ago (libgit2 caches no delta base over 1 KiB: a 50-team folder's tree
    /// is resolved from its chain's start every time). A base is resolved once, as git's delta
    /// base cache resolves it: commits that are deltas on one long chain of large objects (a
    /// crafted push) do not each resolve the chain again.
    trees: std::collections::HashMap<(usize, u64), (u8, Vec<u8>), foldhash::fast::FixedState>,
    /// The bytes `trees` holds; it is emptied past [`TREES_KEPT`].
    trees_bytes: usize,
    /// How many times the mappings' pages were handed back (for tests).
    #[cfg(test)]
    releases: usize,
    /// How many entries were resolved from the pack, not found kept (for tests).
    #[cfg(test)]
    resolved: usize,
}

/// At most this many bytes of resolved trees are kept.
const TREES_KEPT: usize = 2 << 20;

impl Packs {
    /// Map every pack with a version-2 index under `objects/pack` of `git_dir`; packs that
    /// cannot be opened or do not look right are skipped (libgit2 reads their objects).
    pub fn open(git_dir: &Path) -> Packs {
        let mut packs = Vec::new();
        let dir = git_dir.join("objects").join("pack");
        let mut idx_paths: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "idx")).collect()
            })
            .unwrap_or_default();
        idx_paths.sort();
        for idx_path in idx_paths {
            if let Some(pack) = Pack::open(&idx_path) {
                packs.push(pack);
            }
        }
        Packs { packs, ..Packs::none() }
    }

    /// No packs: every read is left to libgit2.
    pub fn none() -> Packs {
        Packs {
            packs: Vec::new(),
            inflate: libdeflater::Decompressor::new(),
            fresh: 0,
            trees: std::collections::HashMap::default(),
            trees_bytes: 0,
            #[cfg(test)]
            releases: 0,
            #[cfg(test)]
            resolved: 0,
        }
    }

    /// The raw commit `oid`, if a pack holds it (whole or as deltas); `None` otherwise.
    pub fn read_commit(&mut self, oid: Oid) -> Option<Vec<u8>> {
        self.read(oid, COMMIT)
    }

    /// The raw tree `oid`, if a pack holds it (whole or as deltas, resolved from the trees read
    /// lately where it can); `None` otherwise.
    pub fn read_tree(&mut self, oid: Oid) -> Option<Vec<u8>> {
        self.read(oid, TREE)
    }

    /// The object `oid` if a pack holds it and it is of type `kind`.
    fn read(&mut self, oid: Oid, kind: u8) -> Option<Vec<u8>> {
        if self.fresh << BLOCK_SHIFT > RELEASE_EVERY {
            self.release();
        }
        let id = oid.as_bytes();
        let (pack, offset) = self.packs.iter().enumerate().find_map(|(i, p)| Some((i, p.offset_of(id)?)))?;
        let mut budget = MAX_CHAIN;
        let (found, data) = self.entry(pack, offset, 0, &mut budget)?;
        (found == kind).then_some(data)
    }

    /// How many resolved trees are kept as bases (for tests).
    #[cfg(test)]
    pub fn trees_kept(&self) -> usize {
        self.trees.values().filter(|(kind, _)| *kind == TREE).count()
    }

    /// The object at `offset` of pack `pack`: its type and content, a delta applied to its base
    /// (at most `MAX_DEPTH` deep, as git's pack-objects writes them).
    fn entry(&mut self, pack: usize, offset: u64, depth: usize, budget: &mut usize) -> Option<(u8, Vec<u8>)> {
        if let Some((kind, data)) = self.trees.get(&(pack, offset)) {
            return Some((*kind, data.clone()));
        }
        let found = self.resolve(pack, offset, depth, budget)?;
        #[cfg(test)]
        {
            self.resolved += 1;
        }
        if found.0 == TREE || depth > 0 {
            if self.trees_bytes + found.1.len() > TREES_KEPT {
                (self.trees, self.trees_bytes) = (std::collections::HashMap::default(), 0);
            }
            self.trees_bytes += found.1.len();
            self.trees.insert((pack, offset), found.clone());
        }
        Some(found)
    }

    /// [`Packs::entry`], read from the pack.
    fn resolve(&mut self, pack: usize, offset: u64, depth: usize, budget: &mut usize) -> Option<(u8, Vec<u8>)> {
        const MAX_DEPTH: usize = 64;
        let start = usize::try_from(offset).ok()?;
        let p = self.packs.get_mut(pack)?;
        // The entry's header (a type, a size, a base's offset or id) is read first.
        self.fresh += p.pack_touched.mark(start, start.saturating_add(32).min(p.pack.len()));
        let head = p.pack.get(start..)?;
        // The entry's header: type and size, 4 bits then 7 per byte.
        let mut byte = *head.first()?;
        let kind = (byte >> 4) & 7;
        let mut size = usize::from(byte & 15);
        let mut shift = 4;
        let mut at = 1;
        while byte & 0x80 != 0 {
            byte = *head.get(at)?;
            if shift > 60 {
                return None;
            }
            size |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            at += 1;
        }
        // A chain's objects together stay within the budget: a crafted pack cannot make one
        // look-up hold gigabytes.
        if size > MAX_COMMIT || size > *budget {
            return None;
        }
        *budget -= size;
        let base = match kind {
            OFS_DELTA => {
                // The base's distance back, big-endian 7-bit groups, each but the last plus one.
                let mut byte = *head.get(at)?;
                at += 1;
                let mut back = u64::from(byte & 0x7f);
                while byte & 0x80 != 0 {
                    byte = *head.get(at)?;
                    at += 1;
                    back = back.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7f);
                }
                Some((pack, offset.checked_sub(back).filter(|&b| b > 0)?))
            }
            REF_DELTA => {
                let id: [u8; 20] = head.get(at..at + 20)?.try_into().ok()?;
                at += 20;
                Some(self.packs.iter().enumerate().find_map(|(i, p)| Some((i, p.offset_of(&id)?)))?)
            }
            COMMIT | TREE => None,
            // Blobs and tags are not what the walks read.
            _ => return None,
        };
        let mut out = vec![0; size];
        // What the entry's stream may span: at most its size and zlib's framing.
        let p = &mut self.packs[pack];
        self.fresh += p.pack_touched.mark(start, start.saturating_add(at + size + 64).min(p.pack.len()));
        let got = self.inflate.zlib_decompress(p.pack.get(start + at..)?, &mut out).ok()?;
        if got != size {
            return None;
        }
        match base {
            None => Some((kind, out)),
            Some(_) if depth >= MAX_DEPTH => None,
            Some((base_pack, base_offset)) => {
                let (base_kind, base) = self.entry(base_pack, base_offset, depth + 1, budget)?;
                Some((base_kind, apply_delta(&base, &out)?))
            }
        }
    }

    /// Hand the mapped pages back (touched pages of a mapping count as this process's memory).
    fn release(&mut self) {
        self.fresh = 0;
        #[cfg(test)]
        {
            self.releases += 1;
        }
        for p in self.packs.iter_mut() {
            p.pack.release();
            p.pack_touched.clear();
        }
    }

    /// One pack from bytes (the fuzz target): `None` if the index does not look right.
    pub fn from_bytes(idx: Vec<u8>, pack: Vec<u8>) -> Packs {
        let packs = Pack::new(Bytes::Owned(idx), Bytes::Owned(pack)).into_iter().collect();
        Packs { packs, ..Packs::none() }
    }
}

impl Pack {
    fn open(idx_path: &Path) -> Option<Pack> {
        let idx = shared_index(idx_path)?;
        let pack = map(&idx_path.with_extension("pack"))?;
        // The index names its pack: its trailer holds the pack's checksum, the pack's last 20
        // bytes. An index mapped earlier by another reader and a pack put at the same path since
        // (or any other pair that does not belong together) would find objects at the wrong
        // offsets: such a pack is left to libgit2, which checks the same.
        let named = idx.len().checked_sub(40).and_then(|at| idx.get(at..at + 20));
        if named.is_none() || named != pack.len().checked_sub(20).and_then(|at| pack.get(at..)) {
            return None;
        }
        Pack::new(Bytes::Shared(idx), Bytes::Map(pack))
    }

    fn new(idx: Bytes, pack: Bytes) -> Option<Pack> {
        // Version 2: "\xfftOc", 2, fan-out, ids, CRCs, 32-bit offsets, 64-bit offsets.
        if idx.get(..8)? != b"\xfftOc\x00\x00\x00\x02" || pack.get(..4)? != b"PACK" {
            return None;
        }
        let count = be32(&idx, 8 + 255 * 4)? as usize;
        let tables = 8usize.checked_add(1024)?.checked_add(count.checked_mul(28)?)?;
        if idx.len() < tables {
            return None;
        }
        let pack_touched = Touched::new(pack.len());
        Some(Pack { idx, pack, count, pack_touched })
    }

    /// Where `id` starts in the pack, by the index's fan-out and a search of its bucket.
    fn offset_of(&self, id: &[u8]) -> Option<u64> {
        let idx = &self.idx[..];
        let first = usize::from(*id.first()?);
        let lo = if first == 0 { 0 } else { be32(idx, 8 + (first - 1) * 4)? as usize };
        let hi = (be32(idx, 8 + first * 4)? as usize).min(self.count);
        let ids = 8 + 1024;
        // Ids compared by their first eight bytes as one number, the rest only when those tie.
        let prefix = |bytes: &[u8]| Some(u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?));
        let (key, rest) = (prefix(id)?, id.get(8..)?);
        let (mut a, mut b) = (lo, hi);
        // Ids are hashes, spread evenly: the first probes guess where the key lies from its
        // value between the bounds' (at first the fan-out bucket's range), a few cache lines
        // where halving reads a dozen; then halving, so a crafted index costs at most these
        // guesses more than a binary search.
        let mut bounds = (u64::from(id[0]) << 56, (u64::from(id[0]) << 56) | (u64::MAX >> 8));
        let mut guesses = 3;
        while a < b {
            let m = if guesses > 0 && bounds.1 > bounds.0 {
                guesses -= 1;
                let (along, span) = (u128::from(key.saturating_sub(bounds.0)), u128::from(bounds.1 - bounds.0) + 1);
                let at = usize::try_from(along * (b - a) as u128 / span).unwrap_or(usize::MAX);
                a + at.min(b - a - 1)
            } else {
                a + (b - a) / 2
            };
            let entry = idx.get(ids + 20 * m..ids + 20 * m + 20)?;
            let here = prefix(entry)?;
            match here.cmp(&key).then_with(|| entry[8..].cmp(rest)) {
                std::cmp::Ordering::Less => (a, bounds.0) = (m + 1, here),
                std::cmp::Ordering::Greater => (b, bounds.1) = (m, here),
                std::cmp::Ordering::Equal => {
                    let offsets = ids + 24 * self.count;
                    let small = be32(idx, offsets + 4 * m)?;
                    if small & 0x8000_0000 == 0 {
                        return Some(u64::from(small));
                    }
                    let large = offsets + 4 * self.count + 8 * (small & 0x7fff_ffff) as usize;
                    return Some(u64::from_be_bytes(idx.get(large..large + 8)?.try_into().ok()?));
                }
            }
        }
        None
    }
}

/// A pack or index file, mapped, read without read-ahead (look-ups jump about the index, and
/// the walks about the pack).
fn map(path: &Path) -> Option<memmap2::Mmap> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: pack and index files are never modified in place: git writes new ones and renames
    // them into place, and a file removed while mapped stays readable. A truncated file would
    // fault, as it does for git itself, which maps them the same way.
    let map = unsafe { memmap2::Mmap::map(&file).ok()? };
    let _ = map.advise(memmap2::Advice::Random);
    Some(map)
}

/// The indexes this process has mapped, by path, for as long as a reader holds one.
static INDEXES: std::sync::Mutex<Vec<(std::path::PathBuf, std::sync::Weak<memmap2::Mmap>)>> =
    std::sync::Mutex::new(Vec::new());

/// The index at `path`, mapped once for every reader in the process: the walks that run at once
/// (the commits, the registry's history, the scopes of commits with findings) touch its pages
/// once between them. An index is named by its pack's hash, so one path is one content.
fn shared_index(path: &Path) -> Option<std::sync::Arc<memmap2::Mmap>> {
    let mut kept = INDEXES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    kept.retain(|(_, held)| held.strong_count() > 0);
    if let Some(held) = kept.iter().find(|(p, _)| p == path).and_then(|(_, held)| held.upgrade()) {
        return Some(held);
    }
    let mapped = std::sync::Arc::new(map(path)?);
    kept.push((path.to_path_buf(), std::sync::Arc::downgrade(&mapped)));
    Some(mapped)
}

/// git's delta format: the base's size and the result's (7-bit little-endian groups), then
/// instructions: copy a range of the base (`0x80` and which offset and size bytes follow) or
/// insert the next 1 to 127 bytes. `None` for anything that does not add up.
fn apply_delta(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    let mut varint = || -> Option<usize> {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let byte = *delta.get(at)?;
            at += 1;
            if shift > 56 {
                return None;
            }
            value |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
    };
    let (base_size, size) = (varint()?, varint()?);
    if base_size != base.len() || size > MAX_COMMIT {
        return None;
    }
    let mut out = Vec::with_capacity(size);
    while at < delta.len() {
        let op = delta[at];
        at += 1;
        if op & 0x80 != 0 {
            let mut field = |bits: u8, count: usize| -> Option<usize> {
                let mut value = 0usize;
                for i in 0..count {
                    if bits & (1 << i) != 0 {
                        value |= usize::from(*delta.get(at)?) << (8 * i);
                        at += 1;
                    }
                }
                Some(value)
            };
            let offset = field(op & 0x0f, 4)?;
            let len = match field((op >> 4) & 0x07, 3)? {
                0 => 0x10000,
                n => n,
            };
            out.extend_from_slice(base.get(offset..offset.checked_add(len)?)?);
        } else if op != 0 {
            let len = usize::from(op);
            out.extend_from_slice(delta.get(at..at + len)?);
            at += len;
        } else {
            return None;
        }
        if out.len() > size {
            return None;
        }
    }
    (out.len() == size).then_some(out)
}

/// A crafted pack (the fuzz target's, and its seeds'): the input's first 16 bytes are eight
/// offsets (big-endian u16) of objects named `[i; 20]`, the rest is the pack after its header.
/// What each of the eight reads as.
pub fn crafted(data: &[u8]) -> Vec<Option<Vec<u8>>> {
    if data.len() < 16 {
        return Vec::new();
    }
    let (offsets, body) = data.split_at(16);
    let offsets = offsets.chunks(2).map(|o| u32::from(u16::from_be_bytes([o[0], o[1]])));
    let mut packs = eight_objects(body, offsets);
    (0..8u8).map(|i| Oid::from_bytes(&[i; 20]).ok().and_then(|oid| packs.read_commit(oid))).collect()
}

/// A pack of eight objects named `[i; 20]` at `offsets`, `body` its entries after the header.
fn eight_objects(body: &[u8], offsets: impl Iterator<Item = u32>) -> Packs {
    let mut pack = b"PACK\x00\x00\x00\x02\x00\x00\x00\x08".to_vec();
    pack.extend_from_slice(body);
    let mut idx = b"\xfftOc\x00\x00\x00\x02".to_vec();
    // Fan-out: one id starting with each of 0x00 to 0x07.
    for b in 0..256u32 {
        idx.extend_from_slice(&(b + 1).min(8).to_be_bytes());
    }
    for i in 0..8u8 {
        idx.extend_from_slice(&[i; 20]);
    }
    idx.extend_from_slice(&[0; 32]);
    for at in offsets.take(8) {
        idx.extend_from_slice(&at.to_be_bytes());
    }
    Packs::from_bytes(idx, pack)
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "A")
            .env("GIT_AUTHOR_EMAIL", "a@example.com")
            .env("GIT_COMMITTER_NAME", "A")
            .env("GIT_COMMITTER_EMAIL", "a@example.com")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Every tree of a packed repository's history, stored as deltas by an aggressive repack,
    /// reads byte for byte as libgit2 reads it when read commit after commit from the tip (the
    /// order the registry walk reads them), the chains resolved from trees read before.
    #[test]
    fn trees_read_as_libgit2_reads_them_their_bases_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        git(p, &["init", "-q"]);
        std::fs::create_dir_all(p.join("teams")).unwrap();
        for i in 0..80 {
            // A folder of 60 files, one changed per commit: its tree is a delta of the next.
            std::fs::write(p.join(format!("teams/t{:02}", i % 60)), format!("{i}\n")).unwrap();
            git(p, &["add", "-A"]);
            git(p, &["commit", "-q", "-m", &format!("Commit {i}")]);
        }
        git(p, &["repack", "-a", "-d", "-f", "--depth=50", "--window=250", "-q"]);
        let repo = git2::Repository::open(p).unwrap();
        let odb = repo.odb().unwrap();
        let mut packs = Packs::open(repo.path());
        let mut walk = repo.revwalk().unwrap();
        walk.push_head().unwrap();
        let mut read = 0;
        for oid in walk {
            let root = repo.find_commit(oid.unwrap()).unwrap().tree().unwrap();
            let teams = root.get_name("teams").unwrap().id();
            for tree in [root.id(), teams] {
                assert_eq!(packs.read_tree(tree), Some(odb.read(tree).unwrap().data().to_vec()), "{tree}");
                read += 1;
            }
        }
        assert_eq!(read, 160);
        assert!(packs.trees.len() >= 100, "trees kept as bases: {}", packs.trees.len());
        // A commit is no tree, and a tree no commit.
        let head = repo.head().unwrap().target().unwrap();
        assert_eq!(packs.read_tree(head), None);
        assert_eq!(packs.read_commit(repo.find_commit(head).unwrap().tree_id()), None);
    }

    /// A repository written by `git fast-import` (its own pack and index, no repack) with one
    /// commit per message, on `main`.
    fn imported(p: &Path, messages: impl Iterator<Item = String>) -> git2::Repository {
        git(p, &["init", "-q"]);
        let mut stream = String::new();
        for (i, message) in messages.enumerate() {
            stream.push_str(&format!(
                "commit refs/heads/main\ncommitter A <a@example.com> {} +0000\ndata {}\n{message}\n",
                1_700_000_000 + i,
                message.len()
            ));
        }
        let mut child = std::process::Command::new("git")
            .args(["fast-import", "--quiet"])
            .current_dir(p)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), stream.as_bytes()).unwrap();
        assert!(child.wait().unwrap().success());
        git2::Repository::open(p).unwrap()
    }

    /// Every commit of `main`, read through `packs` and compared with libgit2's reading: how
    /// many.
    fn read_all(repo: &git2::Repository, packs: &mut Packs) -> usize {
        let odb = repo.odb().unwrap();
        let mut walk = repo.revwalk().unwrap();
        walk.push(repo.refname_to_id("refs/heads/main").unwrap()).unwrap();
        let mut read = 0;
        for oid in walk {
            let oid = oid.unwrap();
            let data = packs.read_commit(oid).expect("packed");
            assert_eq!(data, odb.read(oid).unwrap().data(), "{oid}");
            read += 1;
        }
        read
    }

    /// A walk across a pack larger than [`RELEASE_EVERY`] hands the mapped pages back as it
    /// goes (memory stays flat however large the pack), however small what it inflates at a
    /// time.
    #[test]
    fn a_walk_across_a_large_pack_hands_the_pages_back() {
        let dir = tempfile::tempdir().unwrap();
        // Commits of 96 KiB of text that does not compress: a pack of about 2.5 times
        // RELEASE_EVERY.
        let n = 5 * RELEASE_EVERY / 2 / (96 << 10);
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut noise = |len: usize| -> String {
            (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    char::from(b'!' + (state % 90) as u8)
                })
                .collect()
        };
        let repo = imported(dir.path(), (0..n).map(|i| format!("Commit {i}\n\n{}\n", noise(96 << 10))));
        let mut packs = Packs::open(repo.path());
        assert_eq!(read_all(&repo, &mut packs), n);
        assert!(packs.releases >= 2, "{} releases over {n} reads of 96 KiB", packs.releases);
    }

    /// Reading the same part of a pack over and over touches no new pages, and so hands none
    /// back: the registry history's walk reads a folder's delta bases and the index's same
    /// pages commit after commit, and faulting them in again after every few hundred reads
    /// cost a quarter of its time.
    #[test]
    fn reads_of_what_is_touched_already_hand_nothing_back() {
        let dir = tempfile::tempdir().unwrap();
        let repo = imported(dir.path(), (0..200).map(|i| format!("Commit {i}\n\nPromise: find-and-buy\n")));
        let mut packs = Packs::open(repo.path());
        // 200 small commits, read 100 times: 20,000 reads, as many as 16 KiB a read would count
        // 300 MiB touched.
        for _ in 0..100 {
            assert_eq!(read_all(&repo, &mut packs), 200);
        }
        assert_eq!(packs.releases, 0);
    }

    /// The walks that run at once map a pack's index once between them (its pages count once
    /// towards the process's memory), and it is let go with the last of them.
    #[test]
    fn readers_at_once_share_one_mapping_of_the_index() {
        let dir = tempfile::tempdir().unwrap();
        // Enough objects that fast-import keeps its pack (below 100 it unpacks them).
        let repo = imported(dir.path(), (0..200).map(|i| format!("Commit {i}\n")));
        let index = |packs: &Packs| match &packs.packs[0].idx {
            Bytes::Shared(m) => std::sync::Arc::clone(m),
            _ => panic!("the index is not shared"),
        };
        let (mut one, mut two) = (Packs::open(repo.path()), Packs::open(repo.path()));
        assert!(std::sync::Arc::ptr_eq(&index(&one), &index(&two)));
        assert_eq!(read_all(&repo, &mut one), 200);
        assert_eq!(read_all(&repo, &mut two), 200);
        let held = std::sync::Arc::downgrade(&index(&one));
        drop((one, two));
        assert!(held.upgrade().is_none(), "the index stays mapped with no reader");
    }

    /// An index is used only with the pack it names (its trailer holds the pack's checksum): a
    /// pack replaced at the same path while an earlier reader holds the index, or any index
    /// beside the wrong pack, would send every look-up to the wrong offset. Such a pack is left
    /// to libgit2.
    #[test]
    fn an_index_beside_another_pack_is_not_used() {
        let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let first = imported(one.path(), (0..200).map(|i| format!("Commit {i}\n")));
        imported(two.path(), (0..200).map(|i| format!("Another commit {i}\n")));
        let pack_of = |dir: &Path| {
            let packs = dir.join(".git/objects/pack");
            let mut found = std::fs::read_dir(&packs).unwrap().flatten().map(|e| e.path());
            found.find(|p| p.extension().is_some_and(|x| x == "pack")).unwrap()
        };
        let (mine, theirs) = (pack_of(one.path()), pack_of(two.path()));
        let mut held = Packs::open(first.path());
        assert_eq!(held.packs.len(), 1);
        assert_eq!(read_all(&first, &mut held), 200);
        // The other repository's pack put in place of this one's, same name, while the index is
        // held: the new reader maps the held index and the new pack.
        std::fs::remove_file(&mine).unwrap();
        std::fs::copy(&theirs, &mine).unwrap();
        let fresh = Packs::open(first.path());
        assert!(fresh.packs.is_empty(), "an index used with a pack it does not name");
    }

    /// An index of `ids` (sorted, unique) in version 2's layout, each object at an offset of
    /// its own (past 2 GiB for some, in the 64-bit table), and a pack holding only a header.
    fn index_of(ids: &[[u8; 20]]) -> (Vec<u8>, Vec<u64>) {
        let offset = |i: usize| if i % 7 == 3 { (1u64 << 33) + i as u64 } else { 12 + 100 * i as u64 };
        let mut idx = b"\xfftOc\x00\x00\x00\x02".to_vec();
        for b in 0..256 {
            let below = ids.iter().filter(|id| usize::from(id[0]) <= b).count();
            idx.extend_from_slice(&u32::try_from(below).unwrap().to_be_bytes());
        }
        ids.iter().for_each(|id| idx.extend_from_slice(id));
        ids.iter().for_each(|_| idx.extend_from_slice(&[0; 4]));
        let mut large = Vec::new();
        for i in 0..ids.len() {
            let at = offset(i);
            if at >> 31 == 0 {
                idx.extend_from_slice(&u32::try_from(at).unwrap().to_be_bytes());
            } else {
                idx.extend_from_slice(&(0x8000_0000 | u32::try_from(large.len()).unwrap()).to_be_bytes());
                large.push(at);
            }
        }
        large.iter().for_each(|at| idx.extend_from_slice(&at.to_be_bytes()));
        (idx, (0..ids.len()).map(offset).collect())
    }

    /// The index's search finds every id at its offset and no id it lacks, whether the ids are
    /// spread as hashes are (where it guesses well) or crowded at one end of their bucket,
    /// sharing long prefixes, or all in one bucket (where its guesses are poor and it halves).
    #[test]
    fn the_index_is_searched_right_however_its_ids_lie() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let id_of = |words: [u64; 3]| -> [u8; 20] {
            let mut id = [0; 20];
            id[..8].copy_from_slice(&words[0].to_be_bytes());
            id[8..16].copy_from_slice(&words[1].to_be_bytes());
            id[16..].copy_from_slice(&words[2].to_be_bytes()[..4]);
            id
        };
        let mut layouts: Vec<(&str, Vec<[u8; 20]>)> = Vec::new();
        layouts.push(("spread", (0..5000).map(|_| id_of([next(), next(), next()])).collect()));
        // Crowded at the bottom of each bucket, and one bucket at its very top.
        layouts.push(("crowded", (0..3000).map(|i| id_of([(i % 256) << 56 | (next() % 1000), next(), 0])).collect()));
        layouts.push(("top", (0..3000).map(|_| id_of([u64::MAX - next() % 5000, next(), 0])).collect()));
        // Equal in their first eight bytes, told apart only by the rest.
        layouts.push(("prefixes", (0..3000).map(|i| id_of([0x42 << 56 | (i % 3), next(), next()])).collect()));
        // Exponentially skewed within one bucket.
        layouts.push(("skewed", (0..60).map(|i| id_of([0x80 << 56 | (1u64 << (i % 56)), i, 0])).collect()));
        layouts.push(("one", vec![id_of([7, 7, 7])]));
        for (name, mut ids) in layouts {
            ids.sort_unstable();
            ids.dedup();
            let (idx, offsets) = index_of(&ids);
            let pack = Pack::new(Bytes::Owned(idx), Bytes::Owned(b"PACK\0\0\0\x02\0\0\0\0".to_vec())).unwrap();
            for (id, &at) in ids.iter().zip(&offsets) {
                assert_eq!(pack.offset_of(id), Some(at), "{name}: {id:02x?}");
                // Just below and just above it: found only if that is an id too.
                for other in [
                    u128::from_be_bytes(id[..16].try_into().unwrap()) - 1,
                    u128::from_be_bytes(id[..16].try_into().unwrap()) + 1,
                ] {
                    let mut probe = *id;
                    probe[..16].copy_from_slice(&other.to_be_bytes());
                    let found = pack.offset_of(&probe);
                    assert_eq!(found, ids.binary_search(&probe).ok().map(|i| offsets[i]), "{name}: {probe:02x?}");
                }
            }
        }
    }

    /// Every commit of a packed repository (some stored as deltas by an aggressive repack,
    /// a few loose) reads byte for byte as libgit2 reads it, or (loose) is left to libgit2.
    #[test]
    fn commits_read_as_libgit2_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        git(p, &["init", "-q"]);
        let commit = |i: usize| {
            std::fs::write(p.join("f"), format!("{i}\n")).unwrap();
            git(p, &["add", "f"]);
            // Distinct prose (as real messages are), so the normal pack stores commits whole.
            let mut x = i as u64 * 2_654_435_761 + 1;
            let words: Vec<String> = (0..40 + i % 30)
                .map(|_| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    format!("w{:x}", x >> 44)
                })
                .collect();
            // The second batch repeats itself: the aggressive repack stores those as deltas.
            let body = if i < 40 { words.join(" ") } else { "The same long line again and again.\n".repeat(20) };
            git(p, &["commit", "-q", "-m", &format!("Commit {i}\n\n{body}\nPromise: x")]);
        };
        // Two packs: one as `git gc` writes it, one repacked aggressively (commits as deltas).
        (0..40).for_each(commit);
        git(p, &["repack", "-a", "-d", "-q"]);
        (40..70).for_each(commit);
        git(p, &["repack", "-d", "-f", "--depth=50", "--window=250", "-q"]);
        for i in 0..3 {
            git(p, &["commit", "-q", "--allow-empty", "-m", &format!("Loose {i}")]);
        }
        // The fixture holds what it claims: commits stored as deltas (verify-pack shows a depth).
        let mut deltas = 0;
        for e in std::fs::read_dir(p.join(".git/objects/pack")).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "idx") {
                let out = Command::new("git").arg("verify-pack").arg("-v").arg(&path).output().unwrap();
                let text = String::from_utf8_lossy(&out.stdout).into_owned();
                deltas += text
                    .lines()
                    .filter(|l| l.split_whitespace().nth(1) == Some("commit"))
                    .filter(|l| l.split_whitespace().count() >= 7)
                    .count();
            }
        }
        assert!(deltas >= 10, "{deltas} commits stored as deltas");
        let repo = git2::Repository::open(p).unwrap();
        let odb = repo.odb().unwrap();
        let mut packs = Packs::open(repo.path());
        assert_eq!(packs.packs.len(), 2);
        let mut walk = repo.revwalk().unwrap();
        walk.push_head().unwrap();
        let (mut direct, mut left) = (0, 0);
        for oid in walk {
            let oid = oid.unwrap();
            let expected = odb.read(oid).unwrap().data().to_vec();
            match packs.read_commit(oid) {
                Some(data) => {
                    assert_eq!(data, expected, "{oid}");
                    direct += 1;
                }
                None => left += 1,
            }
        }
        // Deltas are resolved here too; only the loose commits are libgit2's.
        assert_eq!((direct, left), (70, 3), "read {direct} from the packs, left {left} to libgit2");
        // Not a commit, or not there at all: left to libgit2.
        let tree = repo.head().unwrap().peel_to_tree().unwrap().id();
        assert_eq!(packs.read_commit(tree), None);
        assert_eq!(packs.read_commit(Oid::from_bytes(&[0xab; 20]).unwrap()), None);
    }

    /// The fuzz seed (fuzz/seeds/pack) reads as it was built: a commit stored whole, the same
    /// commit and a line more through an offset delta, the pack's own header as nothing.
    #[test]
    fn the_crafted_seed_reads_a_commit_and_its_delta() {
        let seed = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/pack/commit_and_delta")).unwrap();
        let read = crafted(&seed);
        let commit = read[0].clone().expect("the whole commit");
        assert!(commit.starts_with(b"tree ") && commit.ends_with(b"Promise: x\n"));
        assert_eq!(read[1].as_deref(), Some([commit.as_slice(), b"more\n"].concat().as_slice()));
        assert_eq!(read[4], None, "offset 0 is the pack's header");
        assert_eq!(read[5].as_deref(), Some(commit.as_slice()));
        // Cut short, the delta's base is still there but the delta is not.
        let cut = crafted(&seed[..60]);
        assert_eq!((cut[0].is_some(), cut[1].is_some()), (false, false), "the commit itself is cut too");
    }

    /// Two commits stored as deltas on the end of one chain of large commits (each copying the
    /// one before and adding a byte, as a crafted push can: a few bytes each in the pack, 48 KiB
    /// each resolved): the chain is resolved for the first, and its end kept as a base for the
    /// second, as git keeps delta bases; resolving it for every commit let a 40 KB pack of a
    /// 16 MB commit cost a quarter of a second per commit read.
    #[test]
    fn a_chain_of_bases_is_resolved_once_for_the_deltas_on_its_end() {
        let mut z = libdeflater::Compressor::new(libdeflater::CompressionLvl::default());
        let mut zlib = |data: &[u8]| {
            let mut out = vec![0; z.zlib_compress_bound(data.len())];
            let n = z.zlib_compress(data, &mut out).unwrap();
            out.truncate(n);
            out
        };
        let varint = |mut n: usize| {
            let mut out = Vec::new();
            loop {
                let byte = (n & 0x7f) as u8;
                n >>= 7;
                if n == 0 {
                    out.push(byte);
                    return out;
                }
                out.push(byte | 0x80);
            }
        };
        // An entry's header: type and size, 4 bits then 7 per byte.
        let header = |kind: u8, size: usize| {
            let mut out = vec![(kind << 4) | (size & 15) as u8];
            let mut rest = size >> 4;
            while rest > 0 {
                *out.last_mut().unwrap() |= 0x80;
                out.push((rest & 0x7f) as u8);
                rest >>= 7;
            }
            out
        };
        // The distance back to a base, as OFS_DELTA writes it.
        let back = |mut n: u64| {
            let mut out = vec![(n & 0x7f) as u8];
            n >>= 7;
            while n > 0 {
                n -= 1;
                out.insert(0, 0x80 | (n & 0x7f) as u8);
                n >>= 7;
            }
            out
        };
        let mut commit = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\n".to_vec();
        commit.extend(std::iter::repeat_n(b'x', 48 << 10));
        let mut entries: Vec<Vec<u8>> = Vec::new();
        let at = |entries: &[Vec<u8>]| 12 + entries.iter().map(Vec::len).sum::<usize>() as u64;
        entries.push([header(COMMIT, commit.len()), zlib(&commit)].concat());
        let mut current = commit.clone();
        let delta_on = |base: &[u8], tail: &[u8]| {
            // Copy the whole base (offset 0, a three-byte size), then insert `tail`.
            let mut d = [varint(base.len()), varint(base.len() + tail.len())].concat();
            d.push(0x80 | 0x10 | 0x20 | 0x40);
            d.extend_from_slice(&(base.len() as u32).to_le_bytes()[..3]);
            d.push(tail.len() as u8);
            d.extend_from_slice(tail);
            d
        };
        let mut base = 12;
        for _ in 0..5 {
            let d = delta_on(&current, b"y");
            let here = at(&entries);
            entries.push([header(OFS_DELTA, d.len()), back(here - base), zlib(&d)].concat());
            (base, current) = (here, [current.as_slice(), b"y"].concat());
        }
        for tail in [b"\nfirst\n", b"\nsecnd\n"] {
            let d = delta_on(&current, tail);
            let here = at(&entries);
            entries.push([header(OFS_DELTA, d.len()), back(here - base), zlib(&d)].concat());
        }
        let offsets = (0..entries.len()).map(|i| at(&entries[..i]) as u32);
        let mut packs = eight_objects(&entries.concat(), offsets);
        let first = packs.read_commit(Oid::from_bytes(&[6; 20]).unwrap()).expect("the first commit on the chain");
        assert_eq!(first, [current.as_slice(), b"\nfirst\n"].concat());
        assert_eq!(packs.resolved, 7, "the commit and the six entries of its chain");
        let second = packs.read_commit(Oid::from_bytes(&[7; 20]).unwrap()).expect("the second");
        assert_eq!(second, [current.as_slice(), b"\nsecnd\n"].concat());
        assert_eq!(packs.resolved, 8, "the chain's end was kept: only the second itself resolved");
    }

    /// A damaged index or pack is skipped or read as nothing, never a panic.
    #[test]
    fn damaged_packs_are_left_to_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        let packdir = dir.path().join("objects/pack");
        std::fs::create_dir_all(&packdir).unwrap();
        std::fs::write(packdir.join("pack-a.idx"), b"\xfftOc\x00\x00\x00\x02short").unwrap();
        std::fs::write(packdir.join("pack-a.pack"), b"PACK").unwrap();
        let mut idx = b"\xfftOc\x00\x00\x00\x02".to_vec();
        idx.extend(std::iter::repeat_n([0xff, 0xff, 0xff, 0xff], 256).flatten());
        std::fs::write(packdir.join("pack-b.idx"), &idx).unwrap();
        std::fs::write(packdir.join("pack-b.pack"), b"PACK").unwrap();
        let mut packs = Packs::open(dir.path());
        assert!(packs.packs.is_empty(), "both refused: too short for their counts");
        assert_eq!(packs.read_commit(Oid::from_bytes(&[0; 20]).unwrap()), None);
    }
}
