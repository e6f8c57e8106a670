//! git's commit-graph (`objects/info/commit-graph`, or the chain of layers under
//! `objects/info/commit-graphs/`), read as git reads it (Documentation/gitformat-commit-graph):
//! each commit's tree, first parent and committer date without inflating the commit, and its
//! changed-path Bloom filter, which says for certain that a path did *not* change against the
//! first parent. `git gc` writes the graph by default; the filters are written by
//! `git commit-graph write --changed-paths` and kept by every later write (`git log -- <path>`
//! uses them the same way).
//!
//! Only what is certain is believed: a file that does not read exactly as the format says is
//! not used at all, a filter that is empty or was computed with settings this reader does not
//! know says "maybe", and a commit the graph does not hold is read from the object store.

use git2::Oid;
use std::path::Path;

/// SHA-1: the only object format the rest of plan-lint reads.
const HASH: usize = 20;
/// A commit's record in `CDAT`: tree, two parent positions, generation and date.
const CDAT_WIDTH: usize = HASH + 16;
/// A parent position meaning "no parent".
const NO_PARENT: u32 = 0x7000_0000;
/// The seeds of git's two Bloom key hashes (bloom.c, `fill_bloom_key`).
const SEEDS: (u32, u32) = (0x293a_e76f, 0x7e64_6e2c);
/// At most this many layers in a chain (git writes a handful).
const MAX_LAYERS: usize = 64;

/// The commit-graph of a repository's object directory: its layers, base first.
pub struct Graph {
    layers: Vec<Layer>,
}

/// One commit as the graph records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commit {
    /// Its root tree.
    pub tree: Oid,
    /// Its first parent's position in the graph.
    pub first_parent: Option<u32>,
    /// Its committer date, Unix seconds.
    pub time: i64,
}

/// A path's Bloom key: its two hashes under each hash version (1 and 2 differ only for bytes
/// over 0x7f, where version 1 sign-extends).
pub struct Key {
    v1: Option<(u32, u32)>,
    v2: (u32, u32),
}

impl Key {
    /// The key of a path from the root, `/`-separated, as git adds changed paths.
    pub fn new(path: &str) -> Key {
        let bytes = path.as_bytes();
        let hash = |seed| murmur3(seed, bytes);
        Key { v1: bytes.is_ascii().then(|| (hash(SEEDS.0), hash(SEEDS.1))), v2: (hash(SEEDS.0), hash(SEEDS.1)) }
    }
}

struct Layer {
    bytes: memmap2::Mmap,
    /// Commits in the layers below.
    base: u32,
    /// Commits in this layer.
    count: u32,
    fanout: usize,
    lookup: usize,
    data: usize,
    bloom: Option<Bloom>,
}

/// A layer's Bloom filters: `BIDX` (each commit's end offset into the data) and `BDAT`.
struct Bloom {
    index: usize,
    /// Where the filters begin (after `BDAT`'s header) and end.
    data: std::ops::Range<usize>,
    version: u32,
    hashes: u32,
}

impl Graph {
    /// The graph git would use in `objects_dir` (the single file first, else the chain), or
    /// `None` when there is none, it is switched off (`core.commitGraph=false`, checked by the
    /// caller), or any layer does not read exactly as the format says.
    pub fn open(objects_dir: &Path) -> Option<Graph> {
        let info = objects_dir.join("info");
        let single = info.join("commit-graph");
        if single.is_file() {
            let layer = Layer::open(&single, 0, &[])?;
            return Some(Graph { layers: vec![layer] });
        }
        let dir = info.join("commit-graphs");
        // Only a regular file of at most a full chain's size is read: a FIFO would block, and
        // a chain of more layers than git writes is not git's.
        let chain = dir.join("commit-graph-chain");
        let meta = std::fs::metadata(&chain).ok()?;
        if !meta.is_file() || meta.len() > (MAX_LAYERS * (2 * HASH + 2)) as u64 {
            return None;
        }
        let chain = std::fs::read_to_string(chain).ok()?;
        let names: Vec<&str> = chain.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        if names.is_empty() || names.len() > MAX_LAYERS {
            return None;
        }
        let mut layers: Vec<Layer> = Vec::new();
        for (i, name) in names.iter().enumerate() {
            if name.len() != 2 * HASH || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let base = layers.last().map_or(0, |l: &Layer| l.base + l.count);
            layers.push(Layer::open(&dir.join(format!("graph-{name}.graph")), base, &names[..i])?);
        }
        Some(Graph { layers })
    }

    /// The position of commit `oid`, if the graph holds it.
    pub fn find(&self, oid: Oid) -> Option<u32> {
        self.layers.iter().rev().find_map(|l| l.find(oid.as_bytes()).map(|i| l.base + i as u32))
    }

    /// How many layers the graph has (a chain's files, or one).
    #[cfg(test)]
    pub fn layers(&self) -> usize {
        self.layers.len()
    }

    /// The commit at `pos`.
    pub fn commit(&self, pos: u32) -> Option<Commit> {
        let (layer, i) = self.at(pos)?;
        let record = layer.bytes.get(layer.data + i * CDAT_WIDTH..layer.data + (i + 1) * CDAT_WIDTH)?;
        let tree = Oid::from_bytes(&record[..HASH]).ok()?;
        let word = |at: usize| u32::from_be_bytes(record[at..at + 4].try_into().expect("four bytes"));
        let parent = word(HASH);
        let first_parent = match parent {
            NO_PARENT => None,
            p if p < layer.base + layer.count => Some(p),
            // A parent beyond this layer's commits: not the format git writes.
            _ => return None,
        };
        let time = (i64::from(word(HASH + 8) & 0b11) << 32) | i64::from(word(HASH + 12));
        Some(Commit { tree, first_parent, time })
    }

    /// The id of the commit at `pos`.
    pub fn oid(&self, pos: u32) -> Option<Oid> {
        let (layer, i) = self.at(pos)?;
        Oid::from_bytes(layer.bytes.get(layer.lookup + i * HASH..layer.lookup + (i + 1) * HASH)?).ok()
    }

    /// Whether the commit at `pos` may have changed the path of `key` against its first
    /// parent: `false` only when its Bloom filter says for certain that it did not.
    pub fn may_have_changed(&self, pos: u32, key: &Key) -> bool {
        let Some((layer, i)) = self.at(pos) else { return true };
        let Some(bloom) = &layer.bloom else { return true };
        let Some(filter) = bloom.filter(&layer.bytes, i) else { return true };
        let (h0, h1) = match bloom.version {
            1 => match key.v1 {
                Some(h) => h,
                None => return true,
            },
            2 => key.v2,
            _ => return true,
        };
        let bits = filter.len() as u64 * 8;
        if bits == 0 {
            return true;
        }
        (0..bloom.hashes).all(|n| {
            let bit = u64::from(h0.wrapping_add(n.wrapping_mul(h1))) % bits;
            filter[(bit / 8) as usize] & (1 << (bit % 8)) != 0
        })
    }

    fn at(&self, pos: u32) -> Option<(&Layer, usize)> {
        let layer = self.layers.iter().find(|l| pos >= l.base && pos - l.base < l.count)?;
        Some((layer, (pos - layer.base) as usize))
    }
}

impl Layer {
    /// A graph file whose layers below are `below` (their hashes, base first, as its `BASE`
    /// chunk must list them), its first commit at position `base`.
    fn open(path: &Path, base: u32, below: &[&str]) -> Option<Layer> {
        // Opening a FIFO would wait for a writer: only a regular file is a graph.
        if !std::fs::metadata(path).ok()?.is_file() {
            return None;
        }
        let file = std::fs::File::open(path).ok()?;
        // SAFETY: git never modifies a commit-graph file in place: it writes a new one and
        // renames it over the old, and a file removed while mapped stays readable. A truncated
        // file would fault, as it does for git, which maps it the same way.
        let bytes = unsafe { memmap2::Mmap::map(&file).ok()? };
        Layer::parse(bytes, base, below)
    }

    fn parse(bytes: memmap2::Mmap, base: u32, below: &[&str]) -> Option<Layer> {
        // Header: signature, version 1, hash version 1 (SHA-1), chunks, base graphs.
        let header = bytes.get(..8)?;
        if &header[..4] != b"CGPH" || header[4] != 1 || header[5] != 1 || usize::from(header[7]) != below.len() {
            return None;
        }
        let chunks = usize::from(header[6]);
        // The table of contents: (id, offset) for each chunk and a terminating entry, whose
        // offset ends the last chunk (before the trailing checksum).
        let toc = bytes.get(8..8 + (chunks + 1) * 12)?;
        let entry = |n: usize| {
            let e = &toc[n * 12..n * 12 + 12];
            let offset = usize::try_from(u64::from_be_bytes(e[4..].try_into().expect("eight bytes"))).ok();
            (<[u8; 4]>::try_from(&e[..4]).expect("four bytes"), offset)
        };
        let mut found: Vec<([u8; 4], std::ops::Range<usize>)> = Vec::new();
        for n in 0..chunks {
            let ((id, start), (_, end)) = (entry(n), entry(n + 1));
            let (start, end) = (start?, end?);
            if start > end || end > bytes.len().checked_sub(HASH)? {
                return None;
            }
            found.push((id, start..end));
        }
        let chunk = |id: &[u8; 4]| found.iter().find(|(c, _)| c == id).map(|(_, r)| r.clone());
        let (fanout, lookup, data) = (chunk(b"OIDF")?, chunk(b"OIDL")?, chunk(b"CDAT")?);
        if fanout.len() != 256 * 4 || lookup.len() % HASH != 0 {
            return None;
        }
        let count = lookup.len() / HASH;
        let last_fanout = u32::from_be_bytes(bytes[fanout.end - 4..fanout.end].try_into().expect("four bytes"));
        if data.len() != count * CDAT_WIDTH || usize::try_from(last_fanout).ok()? != count {
            return None;
        }
        if let Some(listed) = chunk(b"BASE") {
            let listed = &bytes[listed];
            let hex: Vec<String> =
                listed.chunks(HASH).map(|h| h.iter().map(|b| format!("{b:02x}")).collect()).collect();
            if listed.len() != below.len() * HASH || hex.iter().zip(below).any(|(h, b)| !h.eq_ignore_ascii_case(b)) {
                return None;
            }
        } else if !below.is_empty() {
            return None;
        }
        let count = u32::try_from(count).ok()?;
        base.checked_add(count)?;
        let bloom = match (chunk(b"BIDX"), chunk(b"BDAT")) {
            (Some(index), Some(data)) if index.len() == count as usize * 4 && data.len() >= 12 => {
                let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("four bytes"));
                let (version, hashes) = (word(data.start), word(data.start + 4));
                Some(Bloom { index: index.start, data: data.start + 12..data.end, version, hashes })
                    .filter(|b| (1..=32).contains(&b.hashes))
            }
            _ => None,
        };
        Some(Layer { base, count, fanout: fanout.start, lookup: lookup.start, data: data.start, bloom, bytes })
    }

    /// The index in this layer of the commit with id `id`.
    fn find(&self, id: &[u8]) -> Option<usize> {
        let fan = |b: usize| -> usize {
            let at = self.fanout + b * 4;
            u32::from_be_bytes(self.bytes[at..at + 4].try_into().expect("four bytes")) as usize
        };
        let first = usize::from(id[0]);
        let (mut lo, mut hi) = (if first == 0 { 0 } else { fan(first - 1) }, fan(first));
        hi = hi.min(self.count as usize);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let at = self.lookup + mid * HASH;
            match self.bytes[at..at + HASH].cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

impl Bloom {
    /// Commit `i`'s filter bytes; `None` when the index does not read.
    fn filter<'a>(&self, bytes: &'a [u8], i: usize) -> Option<&'a [u8]> {
        let end_of = |n: usize| {
            let at = self.index + n * 4;
            u32::from_be_bytes(bytes[at..at + 4].try_into().expect("four bytes")) as usize
        };
        let start = if i == 0 { 0 } else { end_of(i - 1) };
        let end = end_of(i);
        if start > end || self.data.start + end > self.data.end {
            return None;
        }
        bytes.get(self.data.start + start..self.data.start + end)
    }
}

/// 32-bit MurmurHash3 as git's `murmur3_seeded_v2` computes it (bytes read unsigned; for ASCII
/// the same as version 1).
fn murmur3(mut seed: u32, data: &[u8]) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let k = u32::from_le_bytes(block.try_into().expect("four bytes"));
        seed ^= k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        seed = seed.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let k = tail.iter().rev().fold(0u32, |k, &b| (k << 8) | u32::from(b));
        seed ^= k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
    }
    // git hashes lengths as 32 bits.
    seed ^= data.len() as u32;
    seed ^= seed >> 16;
    seed = seed.wrapping_mul(0x85eb_ca6b);
    seed ^= seed >> 13;
    seed = seed.wrapping_mul(0xc2b2_ae35);
    seed ^ (seed >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// git's own test vectors (t/helper/test-bloom.c, t0095-bloom.sh).
    #[test]
    fn murmur3_is_gits() {
        assert_eq!(murmur3(0, b""), 0x0000_0000);
        assert_eq!(murmur3(0, b"Hello world!"), 0x627b_0c2c);
        assert_eq!(murmur3(0, b"The quick brown fox jumps over the lazy dog"), 0x2e4f_f723);
        // The key of the empty path, as `test-tool bloom generate_filter ""` prints its hashes.
        let key = Key::new("");
        let (h0, h1) = key.v2;
        let hashes: Vec<u32> = (0..7).map(|i| h0.wrapping_add(i * h1)).collect();
        assert_eq!(hashes, [0x5615800c, 0x5b966560, 0x61174ab4, 0x66983008, 0x6c19155c, 0x7199fab0, 0x771ae004]);
    }

    /// A damaged graph file (cut short anywhere, bytes changed anywhere) never panics: it is
    /// refused, or read for what it says.
    #[test]
    fn a_damaged_graph_is_refused_or_read_never_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env_remove("GIT_DIR")
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}");
        };
        git(&["init", "-q"]);
        for i in 0..40 {
            std::fs::write(dir.path().join(format!("f{}", i % 7)), format!("{i}")).unwrap();
            git(&["add", "."]);
            git(&["-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-qm", &format!("c{i}")]);
        }
        git(&["commit-graph", "write", "--reachable", "--changed-paths"]);
        let objects = dir.path().join(".git/objects");
        let path = objects.join("info/commit-graph");
        let good = std::fs::read(&path).unwrap();
        let graph = Graph::open(&objects).expect("git's graph reads");
        let ids: Vec<Oid> = (0..40).filter_map(|p| graph.oid(p)).collect();
        assert_eq!(ids.len(), 40);
        assert!(ids.iter().all(|id| graph.find(*id).is_some()));
        drop(graph);
        let mut rng = crate::git::Rng(7);
        let mut refused = 0;
        for n in 0..400 {
            let mut bytes = good.clone();
            if n % 2 == 0 {
                bytes.truncate(rng.below(good.len()));
            } else {
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(bytes.len());
                    bytes[at] = rng.below(256) as u8;
                }
            }
            std::fs::remove_file(&path).unwrap();
            std::fs::write(&path, &bytes).unwrap();
            let Some(graph) = Graph::open(&objects) else {
                refused += 1;
                continue;
            };
            let key = Key::new("f3");
            for pos in 0..45 {
                let _ = (graph.commit(pos), graph.oid(pos), graph.may_have_changed(pos, &key));
            }
            for id in &ids {
                let _ = graph.find(*id);
            }
        }
        assert!(refused > 100, "cut-short files are refused ({refused})");
    }

    /// A FIFO where git keeps a chain or a layer is not a graph, and is never opened: opening
    /// it would wait for a writer that never comes.
    #[test]
    fn a_fifo_is_no_graph_and_never_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let objects = dir.path().join("objects");
        let graphs = objects.join("info/commit-graphs");
        std::fs::create_dir_all(&graphs).unwrap();
        let mkfifo = |path: &Path| {
            let status = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
            assert!(status.success());
        };
        let open_in_time = |objects: &Path| {
            let (tx, rx) = std::sync::mpsc::channel();
            let objects = objects.to_path_buf();
            std::thread::spawn(move || tx.send(Graph::open(&objects).is_none()).unwrap());
            rx.recv_timeout(std::time::Duration::from_secs(20)).expect("opening returns, not waiting on a FIFO")
        };
        // The chain itself a FIFO.
        mkfifo(&graphs.join("commit-graph-chain"));
        assert!(open_in_time(&objects), "a FIFO chain is no graph");
        // A chain naming a layer that is a FIFO.
        std::fs::remove_file(graphs.join("commit-graph-chain")).unwrap();
        let name = "0123456789abcdef0123456789abcdef01234567";
        std::fs::write(graphs.join("commit-graph-chain"), format!("{name}\n")).unwrap();
        mkfifo(&graphs.join(format!("graph-{name}.graph")));
        assert!(open_in_time(&objects), "a FIFO layer is no graph");
    }
}
