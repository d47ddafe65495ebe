//! Near-duplicate detection: MinHash over word n-grams, LSH banding, union-find clusters.
//!
//! The stage works in the four steps of datatrove's MinHash deduplication, but in memory and
//! with a deterministic cluster step:
//!
//! 1. **signatures** (`observe`, parallel over a batch): each kept document's normalised words
//!    (see [`crate::text`]) are cut into `ngram`-word shingles and reduced to a signature of
//!    `bands × rows` 32-bit minima (see [`crate::minhash`]). The stage keeps the signature and
//!    the document's keep key (id, priority, licence rank), never the text: about 450 bytes per
//!    document plus its id with the defaults.
//! 2. **buckets** (`finish`, parallel over bands): documents whose `rows` minima of a band are
//!    all equal share a bucket. A pair of documents with Jaccard similarity `s` shares at least
//!    one of `bands` buckets with probability `1 − (1 − s^rows)^bands`; for 14 × 8 that is 50 %
//!    at `s ≈ 0.72`, 93 % at 0.8 and 99.96 % at 0.9.
//! 3. **clusters**: members of a bucket are candidate pairs; a candidate pair is merged (union-
//!    find) when the fraction of equal minima over the *whole* signature, an unbiased estimate
//!    of their Jaccard similarity, is at least `min_jaccard`. Exact Jaccard would need both
//!    shingle sets, i.e. the texts, which a streaming global stage does not keep; with 112
//!    hashes the estimate's standard error is at most 0.047. Bucket members are compared in id
//!    order, each with the first [`BUCKET_PEERS`] members, so the edges — and therefore the
//!    connected components — depend only on the set of documents, not on their order or on
//!    thread count and batching.
//! 4. **filter** (`apply`): in each cluster the document with the smallest [`KeepKey`] (highest
//!    source priority, then strongest licence, then lowest id) is kept; the others are excluded
//!    as `near_duplicate`, naming the kept copy, their estimated Jaccard similarity with it, and
//!    the rule that chose it.
//!
//! Clusters are connected components, so a chain `a ≈ b ≈ c` forms one cluster even when `a`
//! and `c` are not similar; the detail then shows a low estimated similarity to the kept copy.
//!
//! For sharded runs, each task's signatures can be written to a versioned file and merged into
//! one stage before `finish` (see [`NearDedup::save_signatures`]).

use crate::config_error::ConfigError;
use crate::keep::{KeepKey, LicenceRank};
use crate::minhash::{estimated_jaccard, MinHasher};
use crate::removal::RemovalList;
use crate::text::Words;
use crate::unionfind::UnionFind;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use xxhash_rust::xxh3::xxh3_64_with_seed;
use zeef_core::{Document, GlobalStage, Result, HASH_SEED};

/// Signal set on every member of a near-duplicate cluster (kept or not): the cluster's size.
pub const NEAR_DUP_CLUSTER_SIZE: &str = "near_dup_cluster_size";

/// Each member of an LSH bucket is verified against at most this many members that precede it
/// in id order, which bounds the work on a bucket of thousands of template pages to linear.
pub const BUCKET_PEERS: usize = 64;

/// Largest accepted `rows`: a band is hashed from a stack buffer of this many minima.
const MAX_ROWS: usize = 64;

/// Configuration of near-duplicate deduplication (`type = "near_dedup"`).
///
/// The defaults are those of FineWeb and GPT-NL (datatrove's `MinhashConfig`): word 5-grams and
/// 14 bands of 8 hashes, which merges pairs from an estimated Jaccard similarity of about 0.7.
/// `preset = "high_recall"` starts from [`NearDedupPreset::HighRecall`] instead; keys given
/// next to `preset` override the preset's values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawNearDedupConfig")]
pub struct NearDedupConfig {
    /// Words per shingle. Texts are compared as sets of runs of this many consecutive
    /// normalised words (lowercased, punctuation removed, numbers as `0`, diacritics folded).
    /// A text shorter than this is one shingle. Default 5.
    pub ngram: usize,
    /// Number of LSH bands. More bands find less similar pairs (and cost more candidate
    /// pairs). Default 14.
    pub bands: usize,
    /// MinHash values per band, at most 64. More rows make a bucket collision rarer for
    /// dissimilar pairs. The signature has `bands × rows` values. Default 8.
    pub rows: usize,
    /// The estimated Jaccard similarity (fraction of equal MinHash values over the whole
    /// signature) a pair of documents sharing a bucket needs to be merged into one cluster,
    /// from 0 to 1; 0 merges every pair that shares a bucket, as datatrove does. Default 0.
    pub min_jaccard: f64,
}

/// Named settings of [`NearDedupConfig`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NearDedupPreset {
    /// FineWeb and GPT-NL (datatrove's `MinhashConfig`): word 5-grams, 14 bands × 8 rows, no
    /// verification. The default.
    Fineweb,
    /// Word 3-grams, 22 bands × 5 rows (110 hashes, 50 % bucket-collision chance at Jaccard
    /// ≈ 0.54), candidate pairs merged only from an estimated Jaccard of 0.7. A word edit
    /// breaks every shingle that contains it, `ngram` of them, so copies with scattered small
    /// edits keep much more of their 3-grams than of their 5-grams, while distinct texts on the
    /// same topic or from the same template share few of either; the low LSH threshold finds
    /// the edited copies and the verification keeps the template pairs apart.
    HighRecall,
}

impl NearDedupPreset {
    /// The preset's settings.
    pub fn config(self) -> NearDedupConfig {
        match self {
            NearDedupPreset::Fineweb => NearDedupConfig {
                ngram: 5,
                bands: 14,
                rows: 8,
                min_jaccard: 0.0,
            },
            NearDedupPreset::HighRecall => NearDedupConfig {
                ngram: 3,
                bands: 22,
                rows: 5,
                min_jaccard: 0.7,
            },
        }
    }
}

impl Default for NearDedupConfig {
    fn default() -> Self {
        NearDedupPreset::Fineweb.config()
    }
}

/// The configuration as written: a preset and the keys that override it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNearDedupConfig {
    preset: Option<NearDedupPreset>,
    ngram: Option<usize>,
    bands: Option<usize>,
    rows: Option<usize>,
    min_jaccard: Option<f64>,
}

impl From<RawNearDedupConfig> for NearDedupConfig {
    fn from(raw: RawNearDedupConfig) -> Self {
        let base = raw.preset.unwrap_or(NearDedupPreset::Fineweb).config();
        NearDedupConfig {
            ngram: raw.ngram.unwrap_or(base.ngram),
            bands: raw.bands.unwrap_or(base.bands),
            rows: raw.rows.unwrap_or(base.rows),
            min_jaccard: raw.min_jaccard.unwrap_or(base.min_jaccard),
        }
    }
}

impl NearDedupConfig {
    /// Checks every value, naming the first bad key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=64).contains(&self.ngram) {
            return Err(ConfigError::new("ngram", "must be from 1 to 64 words"));
        }
        if !(1..=1024).contains(&self.bands) {
            return Err(ConfigError::new("bands", "must be from 1 to 1024"));
        }
        if !(1..=MAX_ROWS).contains(&self.rows) {
            return Err(ConfigError::new(
                "rows",
                format!("must be from 1 to {MAX_ROWS}"),
            ));
        }
        if self.bands * self.rows > 4096 {
            return Err(ConfigError::new(
                "bands",
                "bands × rows must be at most 4096 hashes",
            ));
        }
        if !(0.0..=1.0).contains(&self.min_jaccard) {
            return Err(ConfigError::new("min_jaccard", "must be from 0 to 1"));
        }
        Ok(())
    }

    /// Number of MinHash values per signature.
    pub fn hashes(&self) -> usize {
        self.bands * self.rows
    }
}

/// One near-duplicate cluster after [`GlobalStage::finish`].
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The member that is kept.
    pub kept: KeepKey,
    /// The members that are excluded, in keep-key order, each with its estimated Jaccard
    /// similarity to the kept member.
    pub removed: Vec<(KeepKey, f64)>,
}

impl Cluster {
    /// Number of documents in the cluster, the kept one included.
    pub fn size(&self) -> usize {
        self.removed.len() + 1
    }
}

/// What the stage counted, for logs and reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NearDedupStats {
    /// Documents observed (signatures held).
    pub documents: u64,
    /// Kept documents that were observed but have no words after normalisation: they are never
    /// near-duplicates.
    pub without_words: u64,
    /// Candidate pairs whose similarity was estimated (0 when `min_jaccard` is 0).
    pub pairs_compared: u64,
    /// Candidate pairs not merged because their estimate was below `min_jaccard`.
    pub pairs_rejected: u64,
    /// Clusters of two or more documents.
    pub clusters: u64,
    /// Documents to exclude (cluster members that are not kept).
    pub duplicates: u64,
}

/// Near-duplicate deduplication as a [`GlobalStage`]; see the module documentation.
pub struct NearDedup {
    name: String,
    pub(crate) config: NearDedupConfig,
    rank: LicenceRank,
    hasher: MinHasher,
    /// The keep key of every observed document with words, in arrival order.
    pub(crate) keys: Vec<KeepKey>,
    /// Their signatures, `config.hashes()` values each, flat.
    pub(crate) sigs: Vec<u32>,
    clusters: Vec<Cluster>,
    removals: RemovalList,
    pub(crate) stats: NearDedupStats,
}

impl NearDedup {
    /// The stage named `name`, ranking licences with `rank`.
    ///
    /// # Panics
    /// If `config` does not pass [`NearDedupConfig::validate`]; validate it when loading the
    /// configuration.
    pub fn new(name: impl Into<String>, config: NearDedupConfig, rank: LicenceRank) -> Self {
        if let Err(e) = config.validate() {
            panic!("invalid near_dedup configuration: {e}");
        }
        let name = name.into();
        NearDedup {
            removals: RemovalList::new(&name),
            name,
            hasher: MinHasher::new(config.ngram, config.hashes()),
            config,
            rank,
            keys: Vec::new(),
            sigs: Vec::new(),
            clusters: Vec::new(),
            stats: NearDedupStats::default(),
        }
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &NearDedupConfig {
        &self.config
    }

    /// The clusters, ordered by the id of their kept member; empty before `finish`.
    pub fn clusters(&self) -> &[Cluster] {
        &self.clusters
    }

    /// What to remove, by document id; empty before `finish`.
    pub fn removal_list(&self) -> &RemovalList {
        &self.removals
    }

    /// What the stage counted so far.
    pub fn stats(&self) -> NearDedupStats {
        self.stats
    }

    /// Computes the signatures of `docs` in parallel, flat, without storing them, and whether
    /// each document has any words (a signature of a text without words is meaningless).
    fn signatures(&self, docs: &[&Document]) -> (Vec<u32>, Vec<bool>) {
        let h = self.hasher.len();
        let mut flat = vec![0u32; docs.len() * h];
        let has_words: Vec<bool> = flat
            .par_chunks_mut(h)
            .zip(docs.par_iter())
            .map_init(
                || (Words::default(), Vec::new()),
                |(words, keys), (out, doc)| self.hasher.signature(&doc.text, words, keys, out) > 0,
            )
            .collect();
        (flat, has_words)
    }

    /// Groups of document indices that share an LSH bucket in one of `bands`, each sorted by
    /// id; in a canonical order (band, then bucket hash, then ids).
    fn buckets(&self, bands: Range<usize>) -> Vec<Vec<u32>> {
        let h = self.config.hashes();
        let rows = self.config.rows;
        let n = self.keys.len();
        let sigs = &self.sigs;
        let keys = &self.keys;
        bands
            .into_par_iter()
            .flat_map_iter(|band| {
                let mut buf = [0u8; 4 * MAX_ROWS];
                let mut entries: Vec<(u64, u32)> = (0..n)
                    .map(|d| {
                        let start = d * h + band * rows;
                        for (i, v) in sigs[start..start + rows].iter().enumerate() {
                            buf[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
                        }
                        (xxh3_64_with_seed(&buf[..4 * rows], HASH_SEED), d as u32)
                    })
                    .collect();
                entries.sort_unstable();
                let mut groups = Vec::new();
                let mut i = 0;
                while i < entries.len() {
                    let mut j = i + 1;
                    while j < entries.len() && entries[j].0 == entries[i].0 {
                        j += 1;
                    }
                    if j - i > 1 {
                        let mut g: Vec<u32> = entries[i..j].iter().map(|e| e.1).collect();
                        g.sort_by(|&x, &y| keys[x as usize].id.cmp(&keys[y as usize].id));
                        groups.push(g);
                    }
                    i = j;
                }
                groups
            })
            .collect()
    }

    fn sig(&self, d: u32) -> &[u32] {
        let h = self.config.hashes();
        &self.sigs[d as usize * h..(d as usize + 1) * h]
    }

    /// Puts the held documents in id order, so that document indices (which edge files
    /// persist) depend only on the set of documents, not on the order they were observed or
    /// their signature files merged in.
    pub(crate) fn sort_by_id(&mut self) {
        let h = self.config.hashes();
        let mut order: Vec<u32> = (0..self.keys.len() as u32).collect();
        order.sort_by(|&x, &y| self.keys[x as usize].id.cmp(&self.keys[y as usize].id));
        if order.iter().enumerate().all(|(i, &d)| i as u32 == d) {
            return;
        }
        // In place, cycle by cycle (position `j` takes what was at `order[j]`): a second copy of
        // every signature would be the largest allocation of a bucket or cluster task.
        let mut done = vec![false; order.len()];
        let mut held = vec![0u32; h];
        for start in 0..order.len() {
            if done[start] {
                continue;
            }
            held.copy_from_slice(&self.sigs[start * h..(start + 1) * h]);
            let held_key = std::mem::take(&mut self.keys[start]);
            let mut j = start;
            loop {
                done[j] = true;
                let from = order[j] as usize;
                if from == start {
                    self.sigs[j * h..(j + 1) * h].copy_from_slice(&held);
                    self.keys[j] = held_key;
                    break;
                }
                self.sigs.copy_within(from * h..(from + 1) * h, j * h);
                self.keys[j] = std::mem::take(&mut self.keys[from]);
                j = from;
            }
        }
    }

    /// The verified candidate pairs of the bands in `bands`, as edges between document
    /// indices: a spanning forest of what those bands connect (an edge is left out when its two
    /// ends are already connected, which cannot change the components). Also returns the pairs
    /// compared and rejected.
    pub(crate) fn edges(&self, bands: Range<usize>) -> (Vec<(u32, u32)>, u64, u64) {
        let mut uf = UnionFind::new(self.keys.len());
        let verify = self.config.min_jaccard > 0.0;
        let (mut compared, mut rejected) = (0u64, 0u64);
        let mut edges = Vec::new();
        for group in self.buckets(bands) {
            if !verify {
                for &m in &group[1..] {
                    if uf.union(group[0], m) {
                        edges.push((group[0], m));
                    }
                }
                continue;
            }
            for j in 1..group.len() {
                for i in 0..j.min(BUCKET_PEERS) {
                    let (x, y) = (group[i], group[j]);
                    if uf.find(x) == uf.find(y) {
                        continue;
                    }
                    compared += 1;
                    if estimated_jaccard(self.sig(x), self.sig(y)) >= self.config.min_jaccard {
                        uf.union(x, y);
                        edges.push((x, y));
                    } else {
                        rejected += 1;
                    }
                }
            }
        }
        (edges, compared, rejected)
    }

    /// Builds the clusters from the held signatures and frees them.
    fn cluster(&mut self) {
        self.sort_by_id();
        let (edges, compared, rejected) = self.edges(0..self.config.bands);
        self.stats.pairs_compared += compared;
        self.stats.pairs_rejected += rejected;
        self.cluster_edges(&edges);
    }

    /// Builds the clusters as the connected components of `edges` (document indices after
    /// [`Self::sort_by_id`]) and frees the signatures.
    pub(crate) fn cluster_edges(&mut self, edges: &[(u32, u32)]) {
        let n = self.keys.len();
        let mut uf = UnionFind::new(n);
        for &(x, y) in edges {
            uf.union(x, y);
        }
        // Components of two or more, each gathered by its root.
        let mut members: Vec<(u32, u32)> =
            (0..n as u32).map(|d| (uf.find(d), d)).collect::<Vec<_>>();
        members.sort_unstable();
        let mut clusters = Vec::new();
        for component in members.chunk_by(|a, b| a.0 == b.0) {
            if component.len() < 2 {
                continue;
            }
            let docs: Vec<u32> = component.iter().map(|&(_, d)| d).collect();
            let kept = docs
                .iter()
                .copied()
                .min_by(|&x, &y| self.keys[x as usize].cmp(&self.keys[y as usize]))
                .unwrap_or(docs[0]);
            let mut removed: Vec<(KeepKey, f64)> = docs
                .iter()
                .filter(|&&d| d != kept)
                .map(|&d| {
                    (
                        self.keys[d as usize].clone(),
                        estimated_jaccard(self.sig(d), self.sig(kept)),
                    )
                })
                .collect();
            removed.sort_by(|a, b| a.0.cmp(&b.0));
            clusters.push(Cluster {
                kept: self.keys[kept as usize].clone(),
                removed,
            });
        }
        clusters.sort_by(|a, b| a.kept.id.cmp(&b.kept.id));
        self.stats.clusters = clusters.len() as u64;
        self.stats.duplicates = clusters.iter().map(|c| c.removed.len() as u64).sum();
        self.removals = RemovalList::from_near_clusters(&self.name, &clusters);
        self.clusters = clusters;
        self.keys = Vec::new();
        self.sigs = Vec::new();
    }
}

impl GlobalStage for NearDedup {
    fn name(&self) -> &str {
        &self.name
    }

    fn signals(&self) -> Vec<&'static str> {
        vec![NEAR_DUP_CLUSTER_SIZE]
    }

    fn observe(&mut self, docs: &[Document]) -> Result<()> {
        let kept: Vec<&Document> = docs.iter().filter(|d| d.is_kept()).collect();
        let (flat, has_words) = self.signatures(&kept);
        let h = self.hasher.len();
        for (i, doc) in kept.iter().enumerate() {
            if has_words[i] {
                self.sigs.extend_from_slice(&flat[i * h..(i + 1) * h]);
                self.keys.push(KeepKey::of(doc, &self.rank));
                self.stats.documents += 1;
            } else {
                self.stats.without_words += 1;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.cluster();
        Ok(())
    }

    fn apply(&self, doc: &mut Document) {
        self.removals.apply(doc);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::minhash::SplitMix64;
    use std::collections::BTreeSet;
    use std::sync::Arc;
    use zeef_core::Reason;

    fn rank() -> LicenceRank {
        Arc::new(|l: Option<&str>| match l {
            Some("CC0-1.0") => 0,
            Some("CC-BY-4.0") => 1,
            _ => 2,
        })
    }

    /// A lowercase word spelling `n` in base 26 (digits would all normalise to `0`).
    pub(crate) fn word(mut n: u64) -> String {
        let mut w = String::from("w");
        loop {
            w.push((b'a' + (n % 26) as u8) as char);
            n /= 26;
            if n == 0 {
                return w;
            }
        }
    }

    /// `n` pseudo-random words; distinct seeds give texts that share no 5-gram.
    fn words(seed: u64, n: usize) -> Vec<String> {
        let mut r = SplitMix64::new(seed);
        (0..n).map(|_| word(r.next_u64() % 50_000)).collect()
    }

    fn shingles(text: &str) -> BTreeSet<String> {
        let w: Vec<&str> = text.split(' ').collect();
        w.windows(5).map(|g| g.join(" ")).collect()
    }

    fn jaccard(a: &str, b: &str) -> f64 {
        let (x, y) = (shingles(a), shingles(b));
        x.intersection(&y).count() as f64 / x.union(&y).count() as f64
    }

    fn doc(source: &str, n: usize, text: &str, priority: i32, licence: &str) -> Document {
        let mut d = Document::new(source, format!("f:{n}"), text);
        d.priority = priority;
        d.license = Some(licence.into());
        d
    }

    fn run(
        config: &NearDedupConfig,
        docs: &[Document],
        batch: usize,
    ) -> (Vec<Document>, NearDedup) {
        let mut stage = NearDedup::new("near_dedup", config.clone(), rank());
        for chunk in docs.chunks(batch.max(1)) {
            stage.observe(chunk).expect("observe");
        }
        stage.finish().expect("finish");
        let mut out = docs.to_vec();
        zeef_core::apply_batch(&stage, &mut out);
        (out, stage)
    }

    #[test]
    fn config_defaults_validation_and_unknown_fields() {
        let c = NearDedupConfig::default();
        assert_eq!((c.ngram, c.bands, c.rows, c.min_jaccard), (5, 14, 8, 0.0));
        assert_eq!(c.hashes(), 112);
        assert!(c.validate().is_ok());
        let bad = |f: fn(&mut NearDedupConfig)| {
            let mut c = NearDedupConfig::default();
            f(&mut c);
            c.validate().expect_err("invalid").field
        };
        assert_eq!(bad(|c| c.rows = 0), "rows");
        assert_eq!(bad(|c| c.rows = 65), "rows");
        assert_eq!(bad(|c| c.bands = 0), "bands");
        assert_eq!(bad(|c| c.ngram = 0), "ngram");
        assert_eq!(bad(|c| c.min_jaccard = 1.5), "min_jaccard");
        let parsed: NearDedupConfig =
            serde_json::from_str(r#"{"bands": 18, "rows": 6}"#).expect("parse");
        assert_eq!((parsed.bands, parsed.rows, parsed.ngram), (18, 6, 5));
        assert!(serde_json::from_str::<NearDedupConfig>(r#"{"band": 18}"#).is_err());
        // A preset gives the starting values; keys next to it override them.
        let parsed: NearDedupConfig =
            serde_json::from_str(r#"{"preset": "high_recall"}"#).expect("parse");
        assert_eq!(parsed, NearDedupPreset::HighRecall.config());
        assert_eq!(
            (parsed.ngram, parsed.bands, parsed.rows, parsed.min_jaccard),
            (3, 22, 5, 0.7)
        );
        let parsed: NearDedupConfig =
            serde_json::from_str(r#"{"preset": "high_recall", "min_jaccard": 0.8}"#)
                .expect("parse");
        assert_eq!((parsed.ngram, parsed.min_jaccard), (3, 0.8));
        let parsed: NearDedupConfig =
            serde_json::from_str(r#"{"preset": "fineweb"}"#).expect("parse");
        assert_eq!(parsed, NearDedupConfig::default());
        assert!(serde_json::from_str::<NearDedupConfig>(r#"{"preset": "fast"}"#).is_err());
        // What is written reads back as the same settings.
        let back: NearDedupConfig =
            serde_json::from_str(&serde_json::to_string(&parsed).expect("write")).expect("read");
        assert_eq!(back, parsed);
    }

    #[test]
    fn keeps_by_the_keep_rule_and_explains_it() {
        let base = words(1, 400);
        let variant = |every: usize| -> String {
            base.iter()
                .enumerate()
                .map(|(i, w)| if i % every == 7 { "ander" } else { w.as_str() })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let other = words(2, 400).join(" ");
        let docs = vec![
            doc("web", 1, &variant(100), 1, "CC-BY-4.0"),
            doc("laws", 2, &base.join(" "), 9, "LicenseRef-X"),
            doc("news", 3, &variant(150), 1, "CC0-1.0"),
            doc("other", 4, &other, 1, "CC0-1.0"),
            doc("other", 5, &format!("{other} extra"), 1, "CC0-1.0"),
        ];
        let (out, stage) = run(&NearDedupConfig::default(), &docs, 2);
        let kept: Vec<usize> = (0..5).filter(|&i| out[i].is_kept()).collect();
        let lower_id = if docs[3].id < docs[4].id { 3 } else { 4 };
        assert_eq!(kept, vec![1, lower_id]);
        let e = out[0].exclusion().expect("excluded");
        assert_eq!(e.reason, Reason::NearDuplicate);
        assert_eq!(e.stage, "near_dedup");
        let j = estimated_jaccard_of(&docs[0].text, &docs[1].text);
        assert_eq!(
            e.detail,
            format!(
                "near-duplicate of {} (estimated Jaccard {j:.2}; kept by higher source priority)",
                docs[1].id
            )
        );
        assert!(out[7 - lower_id]
            .exclusion()
            .expect("excluded")
            .detail
            .ends_with("kept by lower id)"));
        for i in [0, 1, 2] {
            assert_eq!(out[i].signal(NEAR_DUP_CLUSTER_SIZE), Some(3.0), "doc {i}");
        }
        assert_eq!(stage.clusters().len(), 2);
        assert_eq!(stage.stats().duplicates, 3);
    }

    fn estimated_jaccard_of(a: &str, b: &str) -> f64 {
        let h = MinHasher::new(5, 112);
        let sig = |t: &str| {
            let mut out = vec![0; 112];
            h.signature(t, &mut Words::default(), &mut Vec::new(), &mut out);
            out
        };
        estimated_jaccard(&sig(a), &sig(b))
    }

    /// Pairs of a random text and an edited copy, at true Jaccard similarities from 0.2 to 1.
    fn graded_pairs() -> (Vec<Document>, Vec<f64>) {
        let mut docs = Vec::new();
        let mut truth = Vec::new();
        let mut r = SplitMix64::new(99);
        for p in 0..120u64 {
            let base = words(1000 + p, 300);
            // Replace a random subset of words: each replacement breaks up to 5 shingles.
            let rate = (p % 30) as f64 / 200.0;
            let edited: Vec<String> = base
                .iter()
                .map(|w| {
                    if (r.next_u64() % 10_000) as f64 / 10_000.0 < rate {
                        format!("x{}", word(r.next_u64() % 1_000_000))
                    } else {
                        w.clone()
                    }
                })
                .collect();
            let (a, b) = (base.join(" "), edited.join(" "));
            truth.push(jaccard(&a, &b));
            docs.push(doc("a", p as usize, &a, 1, "CC0-1.0"));
            docs.push(doc("b", p as usize, &b, 1, "CC0-1.0"));
        }
        (docs, truth)
    }

    #[test]
    fn no_pair_below_the_threshold_is_merged() {
        let (docs, truth) = graded_pairs();
        let config = NearDedupConfig {
            bands: 28,
            rows: 4,
            min_jaccard: 0.7,
            ..NearDedupConfig::default()
        };
        let (out, stage) = run(&config, &docs, 64);
        for cluster in stage.clusters() {
            assert_eq!(cluster.size(), 2, "unrelated texts were merged");
            for (_, j) in &cluster.removed {
                assert!(*j >= 0.7, "merged at estimated Jaccard {j}");
            }
        }
        let (mut below, mut above) = (0, 0);
        for (p, &j) in truth.iter().enumerate() {
            let merged = !out[2 * p].is_kept() || !out[2 * p + 1].is_kept();
            // The estimate from 112 hashes has a standard error below 0.05: allow 3 of them.
            if j < 0.55 {
                assert!(!merged, "pair {p} with Jaccard {j:.3} was merged");
                below += 1;
            }
            if j > 0.85 {
                assert!(merged, "pair {p} with Jaccard {j:.3} was missed");
                above += 1;
            }
        }
        assert!(below > 20 && above > 10, "{below} below, {above} above");
    }

    #[test]
    fn same_result_for_any_threads_batching_and_order() {
        let (mut docs, _) = graded_pairs();
        // A chain and a three-way tie make the cluster step non-trivial.
        let base = words(7, 300).join(" ");
        docs.push(doc("c", 1, &base, 2, "CC-BY-4.0"));
        docs.push(doc("c", 2, &format!("{base} een"), 2, "CC0-1.0"));
        docs.push(doc("c", 3, &format!("{base} een twee"), 2, "CC0-1.0"));
        for config in [
            NearDedupConfig::default(),
            NearDedupConfig {
                bands: 28,
                rows: 4,
                min_jaccard: 0.6,
                ..NearDedupConfig::default()
            },
        ] {
            let pool = |n| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .expect("pool")
            };
            let (one, _) = pool(1).install(|| run(&config, &docs, 1));
            let (two, _) = pool(2).install(|| run(&config, &docs, 64));
            assert_eq!(one, two);
            let mut reversed = docs.clone();
            reversed.reverse();
            let (mut back, _) = pool(2).install(|| run(&config, &reversed, 7));
            back.reverse();
            assert_eq!(one, back);
            assert!(one.iter().any(|d| !d.is_kept()));
        }
    }

    #[test]
    fn sorting_by_id_moves_each_signature_with_its_document() {
        // Ids in an order with cycles of several lengths and fixed points.
        let docs: Vec<Document> = [7, 3, 9, 0, 5, 1, 8, 2, 6, 4, 11, 10]
            .iter()
            .map(|&n| doc("s", n, &words(n as u64, 40).join(" "), 0, "CC0-1.0"))
            .collect();
        let mut stage = NearDedup::new("near_dedup", NearDedupConfig::default(), rank());
        stage.observe(&docs).expect("observe");
        let h = stage.config.hashes();
        let before: Vec<(String, Vec<u32>)> = (0..docs.len())
            .map(|i| {
                (
                    stage.keys[i].id.clone(),
                    stage.sigs[i * h..(i + 1) * h].to_vec(),
                )
            })
            .collect();
        stage.sort_by_id();
        let mut expected = before;
        expected.sort();
        let after: Vec<(String, Vec<u32>)> = (0..docs.len())
            .map(|i| {
                (
                    stage.keys[i].id.clone(),
                    stage.sigs[i * h..(i + 1) * h].to_vec(),
                )
            })
            .collect();
        assert_eq!(after, expected);
    }

    #[test]
    fn skips_excluded_documents_and_texts_without_words() {
        let text = words(3, 100).join(" ");
        let mut docs = vec![
            doc("a", 1, &text, 1, "CC0-1.0"),
            doc("b", 2, &text, 5, "CC0-1.0"),
            doc("c", 3, "!!! ...", 1, "CC0-1.0"),
            doc("d", 4, "", 1, "CC0-1.0"),
        ];
        docs[1].exclude("licence", Reason::LicenceDenied, "test");
        let (out, stage) = run(&NearDedupConfig::default(), &docs, 10);
        assert!(out[0].is_kept());
        assert_eq!(out[0].signal(NEAR_DUP_CLUSTER_SIZE), None);
        assert_eq!(
            out[1].exclusion().map(|e| e.reason),
            Some(Reason::LicenceDenied)
        );
        assert!(out[2].is_kept() && out[3].is_kept());
        assert_eq!(stage.stats().documents, 1);
        assert_eq!(stage.stats().without_words, 2);
        // An empty batch is fine.
        let (none, _) = run(&NearDedupConfig::default(), &[], 4);
        assert!(none.is_empty());
    }

    #[test]
    fn signatures_merged_from_shards_give_the_same_clusters() {
        let (docs, _) = graded_pairs();
        let config = NearDedupConfig {
            min_jaccard: 0.5,
            ..NearDedupConfig::default()
        };
        let (whole, single) = run(&config, &docs, 16);
        let dir = tempfile::tempdir().expect("tempdir");
        let mut merged = NearDedup::new("near_dedup", config.clone(), rank());
        // Four tasks, each seeing every fourth document, merged in reverse order.
        let mut paths = Vec::new();
        for task in 0..4 {
            let mut stage = NearDedup::new("near_dedup", config.clone(), rank());
            let mine: Vec<Document> = docs.iter().skip(task).step_by(4).cloned().collect();
            stage.observe(&mine).expect("observe");
            let path = dir.path().join(format!("sig-{task}.zmh"));
            stage.save_signatures(&path).expect("save");
            paths.push(path);
        }
        for path in paths.iter().rev() {
            merged.merge_signatures(path).expect("merge");
        }
        merged.finish().expect("finish");
        assert_eq!(merged.clusters(), single.clusters());
        assert!(!single.clusters().is_empty());
        let mut out = docs.clone();
        zeef_core::apply_batch(&merged, &mut out);
        assert_eq!(out, whole);

        // A file made with other parameters, or damaged, is refused.
        let mut other = NearDedup::new(
            "near_dedup",
            NearDedupConfig {
                bands: 16,
                rows: 7,
                ..config.clone()
            },
            rank(),
        );
        let err = other.merge_signatures(&paths[0]).expect_err("refused");
        assert!(err.to_string().contains("bands is 14 in the file"), "{err}");
        let mut bytes = std::fs::read(&paths[1]).expect("read");
        let mid = bytes.len() / 2;
        bytes[mid] ^= 1;
        let damaged = dir.path().join("damaged.zmh");
        std::fs::write(&damaged, &bytes).expect("write");
        let mut fresh = NearDedup::new("near_dedup", config.clone(), rank());
        let err = fresh.merge_signatures(&damaged).expect_err("refused");
        assert!(err.to_string().contains("checksum"), "{err}");
        // A refused file adds nothing, though its documents were read before the checksum.
        assert_eq!((fresh.keys.len(), fresh.sigs.len()), (0, 0));
        assert_eq!(fresh.stats().documents, 0);
        std::fs::write(&damaged, &bytes[..mid]).expect("write");
        assert!(fresh.merge_signatures(&damaged).is_err());
        assert_eq!((fresh.keys.len(), fresh.sigs.len()), (0, 0));
        std::fs::write(&damaged, b"PAR1 not ours").expect("write");
        let err = fresh.merge_signatures(&damaged).expect_err("refused");
        assert!(err.to_string().contains("magic"), "{err}");
    }

    #[test]
    fn signature_file_layout_is_stable() {
        let mut stage = NearDedup::new(
            "near_dedup",
            NearDedupConfig {
                bands: 2,
                rows: 2,
                ..NearDedupConfig::default()
            },
            rank(),
        );
        let mut d = doc("s", 1, "een twee drie vier vijf zes", 3, "CC-BY-4.0");
        d.id = "s:1".into();
        stage.observe(&[d]).expect("observe");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("one.zmh");
        stage.save_signatures(&path).expect("save");
        let b = std::fs::read(&path).expect("read");
        assert_eq!(&b[..8], b"ZEEFMHS1");
        let u32_at = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        assert_eq!(
            [u32_at(8), u32_at(12), u32_at(16), u32_at(20), u32_at(24)],
            [1, 1, 5, 2, 2]
        );
        assert_eq!(&b[28..36], &zeef_core::HASH_SEED.to_le_bytes());
        assert_eq!(&b[36..44], &1u64.to_le_bytes());
        assert_eq!(u32_at(44), 3);
        assert_eq!(&b[48..51], b"s:1");
        assert_eq!(&b[51..55], &3i32.to_le_bytes());
        assert_eq!(u32_at(55), 1);
        assert_eq!(b.len(), 59 + 4 * 4 + 8);
    }
}
