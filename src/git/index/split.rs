//! A split index (`core.splitIndex`, `git update-index --split-index`): `.git/index` holds the
//! entries changed since the shared index was written, and a `link` extension naming the shared
//! index (`sharedindex.<id>`, beside it) with two EWAH bitmaps over the shared entries: which are
//! deleted, and which are replaced (by this file's first entries, in order, which have empty
//! paths). The rest of this file's entries are added, replacing a shared entry of the same path
//! and stage. This joins the two as git's `merge_base_index` does, into the bytes of one
//! ordinary index, which the common parser then reads. Anything that does not add up (a bit
//! past the shared entries, a replaced entry with a path, a missing shared index) is an error:
//! a split index is never read in part.

use super::{be32, Index, OID};
use std::path::Path;

/// What `data` (an index already parsed as `main`) says of its shared index, when it is split:
/// the shared index's id, and the delete and replace bitmaps (empty when absent).
struct Link<'a> {
    shared: [u8; OID],
    /// The two bitmaps, unread (empty when the extension has none).
    bitmaps: &'a [u8],
}

/// The `link` extension of `main`, if it has one.
fn link_of(main: &Index) -> Result<Option<Link<'_>>, String> {
    let data = &main.data;
    let end = data.len().saturating_sub(OID);
    let mut at = main.extensions;
    while at + 8 <= end {
        let size = be32(data, at + 4).ok_or("truncated extension")? as usize;
        let body = data.get(at + 8..(at + 8).saturating_add(size)).filter(|_| at + 8 + size <= end);
        let body = body.ok_or("a truncated extension")?;
        if &data[at..at + 4] == b"link" {
            let shared: [u8; OID] = body.get(..OID).ok_or("a truncated link extension")?.try_into().unwrap();
            return Ok(Some(Link { shared, bitmaps: &body[OID..] }));
        }
        at += 8 + size;
    }
    Ok(None)
}

/// One EWAH-compressed bitmap as git writes it (`ewah/ewah_io.c`): its size in bits, its
/// number of 64-bit words, the words (big-endian), the position of the last marker word. The
/// positions of its set bits, in order; a bit set at or past `entries` (the shared index's) is
/// an error, so memory stays within the index's size whatever the bitmap says.
fn ewah(rest: &mut &[u8], entries: u64) -> Result<Vec<u64>, String> {
    let bad = || "a malformed bitmap in the link extension".to_string();
    let words = be32(rest, 4).ok_or_else(bad)? as usize;
    let body = rest.get(8..8 + words.checked_mul(8).ok_or_else(bad)?).ok_or_else(bad)?;
    *rest = rest.get(8 + words * 8 + 4..).ok_or_else(bad)?;
    let word = |i: usize| u64::from_be_bytes(body[i * 8..i * 8 + 8].try_into().unwrap());
    let mut set = Vec::new();
    let (mut i, mut position) = (0usize, 0u64);
    while i < words {
        let marker = word(i);
        let run = (marker >> 1) & 0xffff_ffff;
        let literals = (marker >> 33) as usize;
        let past = || "its link extension names entries its shared index does not have".to_string();
        if marker & 1 == 1 && run > 0 {
            let end = position.checked_add(run * 64).filter(|&e| e <= entries).ok_or_else(past)?;
            set.extend(position..end);
        }
        position = position.saturating_add(run * 64);
        for l in 0..literals {
            let w = if i + 1 + l < words { word(i + 1 + l) } else { return Err(bad()) };
            for b in (0..64).filter(|b| w >> b & 1 == 1) {
                let at = position.checked_add(b).filter(|&at| at < entries).ok_or_else(past)?;
                set.push(at);
            }
            position = position.saturating_add(64);
        }
        i += 1 + literals;
    }
    Ok(set)
}

/// An entry of the joined index: its path and stage, and where it is (in the shared index or
/// the split one, and which slot).
type Joined = ((Vec<u8>, u8), (bool, usize));

/// The index at `path` (parsed as `main`) joined with its shared index, as one index; `main`
/// itself when it is not split.
pub(super) fn join(main: Index, path: &Path) -> Result<Index, String> {
    let Some(link) = link_of(&main)? else { return Ok(main) };
    if link.shared == [0; OID] {
        return Ok(main);
    }
    let hex: String = link.shared.iter().map(|b| format!("{b:02x}")).collect();
    let name = format!("sharedindex.{hex}");
    let shared_path = path.parent().map_or_else(|| Path::new(&name).to_path_buf(), |d| d.join(&name));
    let shared = std::fs::read(&shared_path)
        .map_err(|e| format!("it is a split index whose shared index {name} cannot be read ({e})"))?;
    let shared = Index::parse_entries(shared)?;
    if link_of(&shared)?.is_some() {
        return Err(format!("its shared index {name} is itself split"));
    }
    let n = shared.slots.len();
    let (delete, replace) = match link.bitmaps {
        [] => (Vec::new(), Vec::new()),
        mut rest => (ewah(&mut rest, n as u64)?, ewah(&mut rest, n as u64)?),
    };
    let replaced = replace.len();
    if replaced > main.slots.len() {
        return Err("its link extension replaces more entries than it holds".into());
    }
    // Each entry of the joined index: (from the shared index?, slot), in the shared order.
    let mut base: Vec<Option<(bool, usize)>> = (0..n).map(|i| Some((true, i))).collect();
    for (k, &p) in replace.iter().enumerate() {
        if !main.path(&main.slots[k]).is_empty() {
            return Err("a replaced entry of its split index has a path".into());
        }
        base[p as usize] = Some((false, k));
    }
    for &p in &delete {
        if base[p as usize].is_some_and(|(shared_side, _)| !shared_side) {
            return Err("its link extension marks an entry both replaced and deleted".into());
        }
        base[p as usize] = None;
    }
    let base: Vec<(bool, usize)> = base.into_iter().flatten().collect();
    // Each kept entry's path and stage: a replacement keeps the shared entry's path.
    let mut joined: Vec<Joined> = base
        .into_iter()
        .map(|(shared_side, slot)| {
            let path = if shared_side {
                shared.path(&shared.slots[slot])
            } else {
                shared.path(&shared.slots[replace[slot] as usize])
            };
            let stage =
                if shared_side { shared.entry(&shared.slots[slot]) } else { main.entry(&main.slots[slot]) }.stage;
            ((path.to_vec(), stage), (shared_side, slot))
        })
        .collect();
    // The added entries, merged in by path and stage: one of the same path and stage replaces
    // the shared one.
    for slot in replaced..main.slots.len() {
        let path = main.path(&main.slots[slot]);
        if path.is_empty() {
            return Err("an added entry of its split index has no path".into());
        }
        let key = (path.to_vec(), main.entry(&main.slots[slot]).stage);
        match joined.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => joined[i].1 = (false, slot),
            Err(i) => joined.insert(i, (key, (false, slot))),
        }
    }
    Index::parse_entries(write(&main, &shared, &joined))
}

/// The bytes of one ordinary index (version 3 when an entry has extended flags, else 2) holding
/// `joined`'s entries and `main`'s extensions but the link; its checksum is not computed (the
/// parser does not read it).
fn write(main: &Index, shared: &Index, joined: &[Joined]) -> Vec<u8> {
    let fields = |&(shared_side, slot): &(bool, usize)| {
        let index = if shared_side { shared } else { main };
        let at = index.slots[slot].fields;
        &index.data[at..at + 40 + OID + 2]
    };
    let extended = |f: &[u8]| f[40 + OID] & 0x40 != 0;
    let version: u32 = if joined.iter().any(|(_, e)| extended(fields(e))) { 3 } else { 2 };
    let mut out = Vec::with_capacity(main.data.len() + shared.data.len());
    out.extend_from_slice(b"DIRC");
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&(joined.len() as u32).to_be_bytes());
    for ((path, _), e) in joined {
        let start = out.len();
        let f = fields(e);
        out.extend_from_slice(&f[..40 + OID]);
        let flags = u16::from_be_bytes([f[40 + OID], f[41 + OID]]);
        let flags = (flags & 0xf000) | path.len().min(0xfff) as u16;
        out.extend_from_slice(&flags.to_be_bytes());
        if extended(f) {
            let (index, slot) = if e.0 { (shared, e.1) } else { (main, e.1) };
            let at = index.slots[slot].fields + 40 + OID + 2;
            out.extend_from_slice(&index.data[at..at + 2]);
        }
        out.extend_from_slice(path);
        let len = out.len() - start;
        out.resize(start + ((len + 8) & !7), 0);
    }
    let end = main.data.len().saturating_sub(OID);
    let mut at = main.extensions;
    while at + 8 <= end {
        let size = be32(&main.data, at + 4).unwrap_or(0) as usize;
        let next = (at + 8 + size).min(end);
        if &main.data[at..at + 4] != b"link" {
            out.extend_from_slice(&main.data[at..next]);
        }
        at = next;
    }
    out.extend_from_slice(&[0; OID]);
    out
}
