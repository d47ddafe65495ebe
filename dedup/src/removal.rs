//! The removal list: what a deduplication decided, per document id, on disk.
//!
//! It is the last state of a sharded run and what [`crate::ExactDedup`]-style and
//! [`crate::NearDedup`] stages apply: every removed document with the id it duplicates, the part
//! of the keep rule that chose the kept copy, and (near duplicates) the estimated Jaccard
//! similarity to it and the cluster size. Applying it to a shard needs only the list, not the
//! other shards.
//!
//! Format version 1 (`ZEEFRML1`), integers little-endian, strings as `u32` length + UTF-8:
//!
//! | field |
//! |---|
//! | magic `ZEEFRML1`, `u32` format version (`1`), stage name |
//! | `u64` number of kept cluster members *k*; *k* × (id, `u32` cluster size), in id order |
//! | `u64` number of removed documents *r*; *r* × (id, duplicate-of id, `u8` kind (0 exact, 1 near), `u8` keep rule (0 priority, 1 licence, 2 lower id), `f64` similarity (NaN for exact), `u32` cluster size, `u32` licence rank of the removed document), in id order |
//! | `u64` xxh3-64 (seed [`zeef_core::HASH_SEED`]) of every byte before it |

use crate::keep::{KeepKey, KeepRule};
use crate::near::{Cluster, NEAR_DUP_CLUSTER_SIZE};
use crate::state::{check_end, finish_file, invalid, io_err, HashingReader, HashingWriter};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter};
use std::path::Path;
use xxhash_rust::xxh3::Xxh3;
use zeef_core::{Document, Reason, Result, HASH_SEED};

/// Magic bytes that open a removal list file.
pub const REMOVAL_MAGIC: &[u8; 8] = b"ZEEFRML1";
/// Version of the removal list format this build writes and reads.
pub const REMOVAL_FORMAT_VERSION: u32 = 1;

/// Longest string accepted when reading.
const MAX_STRING_BYTES: u32 = 64 * 1024;

/// Which deduplication removed a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateKind {
    /// Same text (`exact_duplicate`).
    Exact,
    /// Near-duplicate cluster (`near_duplicate`).
    Near,
}

/// Why one document is removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Removal {
    /// Id of the kept copy.
    pub duplicate_of: String,
    /// Exact or near duplicate.
    pub kind: DuplicateKind,
    /// The part of the keep rule that chose the kept copy over this one.
    pub rule: KeepRule,
    /// Near duplicates: estimated Jaccard similarity to the kept copy.
    pub similarity: Option<f64>,
    /// Number of documents in the cluster, the kept one included.
    pub cluster_size: u32,
    /// The removed document's own licence rank, as the keep rule saw it.
    pub licence_rank: u32,
}

/// Key of [`zeef_core::Document::meta`] where a removed duplicate names its kept copy.
pub const META_DUPLICATE_OF: &str = "duplicate_of";
/// Key of [`zeef_core::Document::meta`] where a removed duplicate records its licence rank (a
/// decimal number, lower is stronger), so that a later step can apply the keep rule among the
/// removed copies (promoting the best one when the kept copy is withdrawn).
pub const META_LICENCE_RANK: &str = "licence_rank";

/// Records on a removed duplicate which copy was kept and its own licence rank.
pub(crate) fn mark_duplicate(doc: &mut Document, kept: &str, licence_rank: u32) {
    doc.meta
        .insert(META_DUPLICATE_OF.to_string(), kept.to_string());
    doc.meta
        .insert(META_LICENCE_RANK.to_string(), licence_rank.to_string());
}

/// Every decision of one deduplication stage, by document id; see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct RemovalList {
    stage: String,
    kept: HashMap<String, u32>,
    removed: HashMap<String, Removal>,
}

impl RemovalList {
    /// An empty list for the stage named `stage` (the name excluded records carry).
    pub fn new(stage: &str) -> Self {
        RemovalList {
            stage: stage.to_string(),
            kept: HashMap::new(),
            removed: HashMap::new(),
        }
    }

    /// The stage name.
    pub fn stage(&self) -> &str {
        &self.stage
    }

    /// Number of removed documents.
    pub fn len(&self) -> usize {
        self.removed.len()
    }

    /// Whether nothing is removed.
    pub fn is_empty(&self) -> bool {
        self.removed.is_empty()
    }

    /// Why the document `id` is removed, if it is.
    pub fn get(&self, id: &str) -> Option<&Removal> {
        self.removed.get(id)
    }

    /// The removed ids in id order, each with its removal.
    pub fn removed(&self) -> Vec<(&str, &Removal)> {
        let mut v: Vec<(&str, &Removal)> =
            self.removed.iter().map(|(k, r)| (k.as_str(), r)).collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    /// The list of near-duplicate clusters (as [`crate::NearDedup`] builds them).
    pub(crate) fn from_near_clusters(stage: &str, clusters: &[Cluster]) -> Self {
        let mut list = RemovalList::new(stage);
        // Kept members first: should an id have been observed twice, it stays kept.
        for c in clusters {
            list.kept
                .entry(c.kept.id.clone())
                .or_insert(c.size() as u32);
        }
        for c in clusters {
            for (key, jaccard) in &c.removed {
                if list.kept.contains_key(&key.id) {
                    continue;
                }
                list.removed.entry(key.id.clone()).or_insert(Removal {
                    duplicate_of: c.kept.id.clone(),
                    kind: DuplicateKind::Near,
                    rule: c.kept.rule_over(key),
                    similarity: Some(*jaccard),
                    cluster_size: c.size() as u32,
                    licence_rank: key.licence_rank,
                });
            }
        }
        list
    }

    /// The list of exact-duplicate groups: each group is the keep keys of documents with the
    /// same text, two or more.
    pub(crate) fn from_exact_groups(stage: &str, groups: &[Vec<KeepKey>]) -> Self {
        let mut list = RemovalList::new(stage);
        for g in groups {
            let Some(kept) = g.iter().min() else {
                continue;
            };
            for key in g {
                if key.id == kept.id {
                    continue;
                }
                list.removed.entry(key.id.clone()).or_insert(Removal {
                    duplicate_of: kept.id.clone(),
                    kind: DuplicateKind::Exact,
                    rule: kept.rule_over(key),
                    similarity: None,
                    cluster_size: g.len() as u32,
                    licence_rank: key.licence_rank,
                });
            }
        }
        list
    }

    /// Applies the decision for `doc`: excludes it as `exact_duplicate` or `near_duplicate`
    /// (naming the kept copy and the rule; the kept id and the document's licence rank also go
    /// to its meta as [`META_DUPLICATE_OF`] and [`META_LICENCE_RANK`]), and sets [`NEAR_DUP_CLUSTER_SIZE`] on every member
    /// of a near-duplicate cluster. Documents the list does not name are left alone.
    pub fn apply(&self, doc: &mut Document) {
        if let Some(&size) = self.kept.get(&doc.id) {
            doc.set_signal(NEAR_DUP_CLUSTER_SIZE, f64::from(size));
            return;
        }
        let Some(r) = self.removed.get(&doc.id) else {
            return;
        };
        // A document another stage excluded in between keeps that reason, and no dedup meta.
        if doc.is_kept() {
            mark_duplicate(doc, &r.duplicate_of, r.licence_rank);
        }
        match r.kind {
            DuplicateKind::Exact => doc.exclude(
                &self.stage,
                Reason::ExactDuplicate,
                format!(
                    "duplicate of {} (kept by {})",
                    r.duplicate_of,
                    r.rule.as_str()
                ),
            ),
            DuplicateKind::Near => {
                doc.set_signal(NEAR_DUP_CLUSTER_SIZE, f64::from(r.cluster_size));
                doc.exclude(
                    &self.stage,
                    Reason::NearDuplicate,
                    format!(
                        "near-duplicate of {} (estimated Jaccard {:.2}; kept by {})",
                        r.duplicate_of,
                        r.similarity.unwrap_or(f64::NAN),
                        r.rule.as_str()
                    ),
                );
            }
        }
    }

    /// Writes the list to `path` atomically (a temporary file next to it, then a rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("tmp");
        self.write(&tmp).map_err(io_err(&tmp))?;
        std::fs::rename(&tmp, path).map_err(io_err(path))
    }

    fn write(&self, path: &Path) -> io::Result<()> {
        let mut w = HashingWriter {
            inner: BufWriter::new(File::create(path)?),
            hash: Xxh3::with_seed(HASH_SEED),
        };
        let put_str = |w: &mut HashingWriter<BufWriter<File>>, s: &str| -> io::Result<()> {
            w.put(&(s.len() as u32).to_le_bytes())?;
            w.put(s.as_bytes())
        };
        w.put(REMOVAL_MAGIC)?;
        w.put(&REMOVAL_FORMAT_VERSION.to_le_bytes())?;
        put_str(&mut w, &self.stage)?;
        let mut kept: Vec<(&String, &u32)> = self.kept.iter().collect();
        kept.sort();
        w.put(&(kept.len() as u64).to_le_bytes())?;
        for (id, size) in kept {
            put_str(&mut w, id)?;
            w.put(&size.to_le_bytes())?;
        }
        let removed = self.removed();
        w.put(&(removed.len() as u64).to_le_bytes())?;
        for (id, r) in removed {
            put_str(&mut w, id)?;
            put_str(&mut w, &r.duplicate_of)?;
            let kind = match r.kind {
                DuplicateKind::Exact => 0u8,
                DuplicateKind::Near => 1,
            };
            w.put(&[kind, r.rule.code()])?;
            w.put(&r.similarity.unwrap_or(f64::NAN).to_le_bytes())?;
            w.put(&r.cluster_size.to_le_bytes())?;
            w.put(&r.licence_rank.to_le_bytes())?;
        }
        finish_file(w)
    }

    /// Reads a list written by [`Self::save`], refusing a damaged or foreign file.
    pub fn load(path: &Path) -> Result<Self> {
        Self::read(path).map_err(io_err(path))
    }

    fn read(path: &Path) -> io::Result<Self> {
        let mut r = HashingReader {
            inner: BufReader::new(File::open(path)?),
            hash: Xxh3::with_seed(HASH_SEED),
        };
        let get_str = |r: &mut HashingReader<BufReader<File>>| -> io::Result<String> {
            let len = r.u32()?;
            if len > MAX_STRING_BYTES {
                return Err(invalid(format!("string of {len} bytes")));
            }
            String::from_utf8(r.bytes(len as usize)?)
                .map_err(|_| invalid("string is not UTF-8".into()))
        };
        let magic: [u8; 8] = r.take()?;
        if &magic != REMOVAL_MAGIC {
            return Err(invalid("not a zeef removal list (bad magic)".into()));
        }
        let version = r.u32()?;
        if version != REMOVAL_FORMAT_VERSION {
            return Err(invalid(format!(
                "removal list format version {version}; this build reads version {REMOVAL_FORMAT_VERSION}"
            )));
        }
        let mut list = RemovalList::new(&get_str(&mut r)?);
        for _ in 0..r.u64()? {
            let id = get_str(&mut r)?;
            let size = r.u32()?;
            list.kept.insert(id, size);
        }
        for _ in 0..r.u64()? {
            let id = get_str(&mut r)?;
            let duplicate_of = get_str(&mut r)?;
            let [kind, rule]: [u8; 2] = r.take()?;
            let kind = match kind {
                0 => DuplicateKind::Exact,
                1 => DuplicateKind::Near,
                k => return Err(invalid(format!("{id}: unknown duplicate kind {k}"))),
            };
            let rule = KeepRule::from_code(rule)
                .ok_or_else(|| invalid(format!("{id}: unknown keep rule {rule}")))?;
            let similarity = f64::from_le_bytes(r.take()?);
            let cluster_size = r.u32()?;
            let licence_rank = r.u32()?;
            list.removed.insert(
                id,
                Removal {
                    duplicate_of,
                    kind,
                    rule,
                    similarity: (!similarity.is_nan()).then_some(similarity),
                    cluster_size,
                    licence_rank,
                },
            );
        }
        check_end(r)?;
        Ok(list)
    }
}
