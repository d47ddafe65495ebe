//! Deduplication as sharded phases with versioned state on disk, for array jobs.
//!
//! Each phase is a function (or a small object) a runner calls as task *i* of *N*; every file a
//! phase writes is versioned, checksummed, written atomically, and refused when it was made with
//! other parameters. The result is the same as the in-memory stages' ([`crate::ExactDedup`],
//! [`crate::NearDedup`]) for any number of shards, tasks and threads, and for any order the
//! files are listed in, because every phase depends only on the set of documents.
//!
//! Exact duplicates:
//!
//! 1. **hashes**, per input shard: [`ExactHashes::observe`] the shard's kept documents, then
//!    [`ExactHashes::save`] (`ZEEFXH01`: id, priority, licence rank and xxh3-128 of the text
//!    for every document; about 60 bytes each).
//! 2. **removals**, one task: [`exact_removals`] reads every hash file and returns the
//!    [`RemovalList`]; [`RemovalList::save`] it.
//! 3. **apply**, per shard: [`RemovalList::load`], then [`RemovalList::apply`] to each document.
//!
//! Near duplicates (run after the exact removals are applied, so that exact copies do not
//! enter the signatures):
//!
//! 1. **signatures**, per input shard: [`zeef_core::GlobalStage::observe`] the shard, then
//!    [`crate::NearDedup::save_signatures`] (`ZEEFMHS1`, see the signature file format).
//! 2. **buckets**, task *j* of *M*: [`near_edges`] reads every signature file, puts the documents
//!    in id order, hashes the bands of its band range ([`band_range`]) into buckets, verifies
//!    the candidate pairs (`min_jaccard`) and writes the accepted edges (`ZEEFEDG1`).
//! 3. **clusters**, one task: [`near_removals`] reads every signature file and every edge file,
//!    checks that the edge files cover all bands exactly once and were made from the same
//!    documents, forms the connected components with union-find, chooses the kept copy of each
//!    by the keep rule and returns the [`RemovalList`]; [`RemovalList::save`] it.
//! 4. **apply**, per shard: as for exact duplicates.
//!
//! Memory: phases 2 and 3 hold every signature (`4 × bands × rows` bytes, 448 with the
//! defaults) and keep key (id, priority, licence rank) — about 0.5 GB per million documents.

use crate::keep::{KeepKey, LicenceRank};
use crate::near::{NearDedup, NearDedupConfig, NearDedupStats};
use crate::removal::RemovalList;
use crate::state::{check_end, finish_file, invalid, io_err, HashingReader, HashingWriter};
use rayon::prelude::*;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use xxhash_rust::xxh3::Xxh3;
use zeef_core::{text_hash, Document, Error, Result, HASH_SEED};

/// Magic bytes that open an exact-dedup hash file.
pub const HASHES_MAGIC: &[u8; 8] = b"ZEEFXH01";
/// Magic bytes that open an edge file.
pub const EDGES_MAGIC: &[u8; 8] = b"ZEEFEDG1";
/// Version of the hash and edge file formats this build writes and reads.
pub const SHARD_FORMAT_VERSION: u32 = 1;

/// Longest document id accepted when reading.
const MAX_ID_BYTES: u32 = 64 * 1024;

/// The bands task `task` of `tasks` hashes: contiguous, as even as possible, together every band
/// exactly once. A task beyond the number of bands gets an empty range.
pub fn band_range(bands: usize, task: usize, tasks: usize) -> Range<usize> {
    let tasks = tasks.max(1);
    let start = bands * task.min(tasks) / tasks;
    let end = bands * (task + 1).min(tasks) / tasks;
    start..end
}

fn put_key<W: Write>(w: &mut HashingWriter<W>, key: &KeepKey) -> io::Result<()> {
    w.put(&(key.id.len() as u32).to_le_bytes())?;
    w.put(key.id.as_bytes())?;
    w.put(&key.priority.to_le_bytes())?;
    w.put(&key.licence_rank.to_le_bytes())
}

fn get_key<R: Read>(r: &mut HashingReader<R>, i: u64) -> io::Result<KeepKey> {
    let len = r.u32()?;
    if len > MAX_ID_BYTES {
        return Err(invalid(format!("document {i}: id of {len} bytes")));
    }
    let id = String::from_utf8(r.bytes(len as usize)?)
        .map_err(|_| invalid(format!("document {i}: id is not UTF-8")))?;
    let priority = i32::from_le_bytes(r.take()?);
    let licence_rank = r.u32()?;
    Ok(KeepKey {
        priority,
        licence_rank,
        id,
    })
}

fn open_checked(
    path: &Path,
    magic: &[u8; 8],
    what: &str,
) -> io::Result<HashingReader<BufReader<File>>> {
    let mut r = HashingReader {
        inner: BufReader::new(File::open(path)?),
        hash: Xxh3::with_seed(HASH_SEED),
    };
    let m: [u8; 8] = r.take()?;
    if &m != magic {
        return Err(invalid(format!("not a zeef {what} file (bad magic)")));
    }
    let version = r.u32()?;
    if version != SHARD_FORMAT_VERSION {
        return Err(invalid(format!(
            "{what} format version {version}; this build reads version {SHARD_FORMAT_VERSION}"
        )));
    }
    Ok(r)
}

/// A phase called with arguments that cannot work, named after the file or stage concerned.
fn usage(path: &Path, message: String) -> Error {
    Error::Config {
        path: path.to_path_buf(),
        message,
    }
}

fn atomic_write(path: &Path, write: impl FnOnce(&Path) -> io::Result<()>) -> Result<()> {
    let tmp = path.with_extension("tmp");
    write(&tmp).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

/// Phase 1 of sharded exact deduplication: the text hash and keep key of every kept document
/// of one shard.
pub struct ExactHashes {
    rank: LicenceRank,
    entries: Vec<(u128, KeepKey)>,
}

impl ExactHashes {
    /// Ranking licences with `rank` (the same ranking as the in-memory stage).
    pub fn new(rank: LicenceRank) -> Self {
        ExactHashes {
            rank,
            entries: Vec::new(),
        }
    }

    /// Hashes the kept documents of `docs`, in parallel.
    pub fn observe(&mut self, docs: &[Document]) {
        let keyed: Vec<(u128, KeepKey)> = docs
            .par_iter()
            .filter(|d| d.is_kept())
            .map(|d| (text_hash(&d.text), KeepKey::of(d, &self.rank)))
            .collect();
        self.entries.extend(keyed);
    }

    /// Number of documents hashed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no document was hashed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Writes the hashes to `path` (`ZEEFXH01`: magic, `u32` version, `u64` count, per
    /// document `u128` hash, `u32` id length, id, `i32` priority, `u32` licence rank; then the
    /// xxh3-64 checksum), atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        atomic_write(path, |tmp| {
            let mut w = HashingWriter {
                inner: BufWriter::new(File::create(tmp)?),
                hash: Xxh3::with_seed(HASH_SEED),
            };
            w.put(HASHES_MAGIC)?;
            w.put(&SHARD_FORMAT_VERSION.to_le_bytes())?;
            w.put(&(self.entries.len() as u64).to_le_bytes())?;
            for (hash, key) in &self.entries {
                w.put(&hash.to_le_bytes())?;
                put_key(&mut w, key)?;
            }
            finish_file(w)
        })
    }

    fn read(path: &Path) -> io::Result<Vec<(u128, KeepKey)>> {
        let mut r = open_checked(path, HASHES_MAGIC, "hash")?;
        let n = r.u64()?;
        let mut out = Vec::new();
        for i in 0..n {
            let hash = u128::from_le_bytes(r.take()?);
            out.push((hash, get_key(&mut r, i)?));
        }
        check_end(r)?;
        Ok(out)
    }
}

/// Phase 2 of sharded exact deduplication: reads every hash file (in any order) and returns
/// what to remove, for the stage named `stage`. In every group of documents with the same text
/// the smallest keep key is kept.
pub fn exact_removals(stage: &str, hash_files: &[PathBuf]) -> Result<RemovalList> {
    let mut all = Vec::new();
    for path in hash_files {
        all.extend(ExactHashes::read(path).map_err(io_err(path))?);
    }
    all.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let groups: Vec<Vec<KeepKey>> = all
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|g| g.len() > 1)
        .map(|g| g.iter().map(|(_, k)| k.clone()).collect())
        .collect();
    Ok(RemovalList::from_exact_groups(stage, &groups))
}

/// What one bucket task found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EdgeStats {
    /// Documents whose signatures were read.
    pub documents: u64,
    /// Bands this task hashed.
    pub bands: u64,
    /// Edges written (accepted candidate pairs not already connected).
    pub edges: u64,
    /// Candidate pairs whose similarity was estimated.
    pub pairs_compared: u64,
    /// Candidate pairs rejected by `min_jaccard`.
    pub pairs_rejected: u64,
}

/// A near-dedup stage holding the signatures of `signature_files`, in id order.
fn load_signatures(
    stage: &str,
    config: &NearDedupConfig,
    signature_files: &[PathBuf],
) -> Result<NearDedup> {
    config
        .validate()
        .map_err(|e| usage(Path::new(stage), e.to_string()))?;
    // Licence ranks come from the files; the closure is never asked.
    let rank: LicenceRank = Arc::new(|_| 0);
    let mut near = NearDedup::new(stage, config.clone(), rank);
    for path in signature_files {
        near.merge_signatures(path)?;
    }
    near.sort_by_id();
    Ok(near)
}

/// xxh3-64 of the ids in order: two tasks agree on document indices only if this agrees.
fn id_fingerprint(near: &NearDedup) -> u64 {
    let mut h = Xxh3::with_seed(HASH_SEED);
    for k in &near.keys {
        h.update(&(k.id.len() as u32).to_le_bytes());
        h.update(k.id.as_bytes());
    }
    h.digest()
}

fn edge_params(config: &NearDedupConfig) -> [u64; 4] {
    [
        config.ngram as u64,
        config.bands as u64,
        config.rows as u64,
        config.min_jaccard.to_bits(),
    ]
}

/// Phase 2 of sharded near deduplication, task `task` of `tasks`: reads every signature file
/// (in any order), finds and verifies the candidate pairs of the bands in
/// [`band_range`]`(bands, task, tasks)`, and writes them to `out` (`ZEEFEDG1`: magic, `u32`
/// version, `u64` × 4 ngram, bands, rows and `min_jaccard` bits, `u32` task, `u32` tasks,
/// `u64` documents, `u64` id fingerprint, `u64` pairs compared, `u64` pairs rejected, `u64`
/// edge count, edges as two `u32` document indices in id order; then the checksum).
pub fn near_edges(
    stage: &str,
    config: &NearDedupConfig,
    signature_files: &[PathBuf],
    task: usize,
    tasks: usize,
    out: &Path,
) -> Result<EdgeStats> {
    if tasks == 0 || task >= tasks {
        return Err(usage(
            out,
            format!("bucket task {task} of {tasks}: the task must be below the number of tasks"),
        ));
    }
    let near = load_signatures(stage, config, signature_files)?;
    let bands = band_range(config.bands, task, tasks);
    let (edges, compared, rejected) = near.edges(bands.clone());
    let fingerprint = id_fingerprint(&near);
    atomic_write(out, |tmp| {
        let mut w = HashingWriter {
            inner: BufWriter::new(File::create(tmp)?),
            hash: Xxh3::with_seed(HASH_SEED),
        };
        w.put(EDGES_MAGIC)?;
        w.put(&SHARD_FORMAT_VERSION.to_le_bytes())?;
        for p in edge_params(config) {
            w.put(&p.to_le_bytes())?;
        }
        w.put(&(task as u32).to_le_bytes())?;
        w.put(&(tasks as u32).to_le_bytes())?;
        for v in [
            near.keys.len() as u64,
            fingerprint,
            compared,
            rejected,
            edges.len() as u64,
        ] {
            w.put(&v.to_le_bytes())?;
        }
        let mut buf = Vec::with_capacity(8 * edges.len());
        for (x, y) in &edges {
            buf.extend_from_slice(&x.to_le_bytes());
            buf.extend_from_slice(&y.to_le_bytes());
        }
        w.put(&buf)?;
        finish_file(w)
    })?;
    Ok(EdgeStats {
        documents: near.keys.len() as u64,
        bands: bands.len() as u64,
        edges: edges.len() as u64,
        pairs_compared: compared,
        pairs_rejected: rejected,
    })
}

/// One edge file's header and edges.
struct EdgeFile {
    task: u32,
    tasks: u32,
    documents: u64,
    fingerprint: u64,
    compared: u64,
    rejected: u64,
    edges: Vec<(u32, u32)>,
}

fn read_edges(path: &Path, config: &NearDedupConfig) -> io::Result<EdgeFile> {
    let mut r = open_checked(path, EDGES_MAGIC, "edge")?;
    let names = ["ngram", "bands", "rows", "min_jaccard"];
    for (name, want) in names.iter().zip(edge_params(config)) {
        let got = r.u64()?;
        if got != want {
            let show = |v: u64| {
                if *name == "min_jaccard" {
                    f64::from_bits(v).to_string()
                } else {
                    v.to_string()
                }
            };
            return Err(invalid(format!(
                "{name} is {} in the file but {} in this stage",
                show(got),
                show(want)
            )));
        }
    }
    let task = r.u32()?;
    let tasks = r.u32()?;
    let documents = r.u64()?;
    let fingerprint = r.u64()?;
    let compared = r.u64()?;
    let rejected = r.u64()?;
    let n = r.u64()?;
    let mut edges = Vec::new();
    for _ in 0..n {
        let x = r.u32()?;
        let y = r.u32()?;
        if u64::from(x.max(y)) >= documents {
            return Err(invalid(format!(
                "edge ({x}, {y}) beyond the {documents} documents"
            )));
        }
        edges.push((x, y));
    }
    check_end(r)?;
    Ok(EdgeFile {
        task,
        tasks,
        documents,
        fingerprint,
        compared,
        rejected,
        edges,
    })
}

/// Phase 3 of sharded near deduplication: reads every signature file and every edge file (in
/// any order), checks that the edge files are tasks 0..N of one N made from these documents,
/// and returns what to remove for the stage named `stage`, with the stage's counts.
pub fn near_removals(
    stage: &str,
    config: &NearDedupConfig,
    signature_files: &[PathBuf],
    edge_files: &[PathBuf],
) -> Result<(RemovalList, NearDedupStats)> {
    let mut near = load_signatures(stage, config, signature_files)?;
    let fingerprint = id_fingerprint(&near);
    let n = near.keys.len() as u64;
    let mut seen: Vec<bool> = Vec::new();
    let mut edges = Vec::new();
    for path in edge_files {
        let f = read_edges(path, config).map_err(io_err(path))?;
        let bad = |message: String| Error::Io {
            path: path.clone(),
            source: invalid(message),
        };
        if f.documents != n || f.fingerprint != fingerprint {
            return Err(bad(format!(
                "made from {} documents that are not the {n} of the signature files",
                f.documents
            )));
        }
        if seen.is_empty() {
            seen = vec![false; f.tasks as usize];
        }
        if f.tasks as usize != seen.len() || f.task >= f.tasks {
            return Err(bad(format!(
                "task {} of {}, but another edge file is of {} tasks",
                f.task,
                f.tasks,
                seen.len()
            )));
        }
        if std::mem::replace(&mut seen[f.task as usize], true) {
            return Err(bad(format!("task {} is given twice", f.task)));
        }
        near.stats.pairs_compared += f.compared;
        near.stats.pairs_rejected += f.rejected;
        edges.extend(f.edges);
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(usage(
            Path::new(stage),
            format!(
                "the edge file of bucket task {missing} of {} is missing",
                seen.len()
            ),
        ));
    }
    if seen.is_empty() && n > 0 {
        return Err(usage(Path::new(stage), "no edge files given".into()));
    }
    near.cluster_edges(&edges);
    Ok((near.removal_list().clone(), near.stats()))
}
