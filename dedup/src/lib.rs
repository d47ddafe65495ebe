//! Deduplication stages. They run over all kept documents of a run (see
//! [`zeef_core::GlobalStage`]) and choose the copy to keep by a rule that does not depend on
//! the order documents arrive in: highest source priority, then the strongest licence, then
//! the lowest id.
//!
//! - [`ExactDedup`] (`exact_dedup`): byte-identical texts, by xxh3-128.
//! - [`NearDedup`] (`near_dedup`): near-duplicates by MinHash-LSH over word 5-grams, clustered
//!   with union-find; its signatures can be saved per shard and merged for sharded runs.
//! - [`LineDedup`] (`line_dedup`): lines or paragraphs repeated across documents (boilerplate),
//!   removed from the text; the documents are kept.
//!
//! Near-duplicate settings are named by [`NearDedupPreset`]: `fineweb` (the default, word
//! 5-grams, 14 × 8, as FineWeb and GPT-NL) and `high_recall` (word 3-grams, 22 × 5, verified
//! from an estimated Jaccard of 0.7), which finds copies with more scattered edits; see
//! BENCHMARKS.md for both on a labelled corpus.
//!
//! # Sharded runs
//!
//! For array jobs (Slurm and the like) every deduplication also runs as phases with versioned,
//! checksummed state files, each phase callable as task *i* of *N* ([`sharded`] has the
//! details and file formats). A runner calls, in order:
//!
//! | phase | tasks | call | writes |
//! |---|---|---|---|
//! | exact hashes | one per input shard | [`sharded::ExactHashes::observe`] per batch, [`sharded::ExactHashes::save`] | `ZEEFXH01` |
//! | exact removals | 1 | [`sharded::exact_removals`], [`RemovalList::save`] | `ZEEFRML1` |
//! | near signatures | one per input shard | [`RemovalList::apply`] (exact) to each document, [`GlobalStage::observe`](zeef_core::GlobalStage::observe) per batch, [`NearDedup::save_signatures`] | `ZEEFMHS1` |
//! | near buckets | *M*, each a band range | [`sharded::near_edges`]`(…, task, M, out)` | `ZEEFEDG1` |
//! | near clusters | 1 | [`sharded::near_removals`], [`RemovalList::save`] | `ZEEFRML1` |
//! | apply | one per input shard | [`RemovalList::load`], [`RemovalList::apply`] to each document (exact, then near) | — |
//!
//! The removal list names, for every removed document, the id it duplicates, the part of the
//! keep rule that chose the kept copy ([`KeepRule`]) and, for near duplicates, the estimated
//! Jaccard similarity and cluster size. The result equals the in-memory stages' result for any
//! number of shards, bucket tasks and threads, and any order of the file lists.
//!
//! Every hash they compute or persist is xxh3 with [`zeef_core::HASH_SEED`] over UTF-8 bytes,
//! and their results are the same for any thread count and batching.
//!
//! ```
//! use std::sync::Arc;
//! use zeef_core::{Document, GlobalStage, Reason};
//! use zeef_dedup::{LicenceRank, NearDedup, NearDedupConfig};
//!
//! let rank: LicenceRank = Arc::new(|_| 0);
//! let mut stage = NearDedup::new("near_dedup", NearDedupConfig::default(), rank);
//! let text = "De Raad van State heeft op verzoek van de minister advies uitgebracht over het \
//!             wetsvoorstel tot wijziging van de Wet op het hoger onderwijs en wetenschappelijk \
//!             onderzoek in verband met de invoering van een nieuw stelsel van studiefinanciering.";
//! let mut docs = vec![
//!     Document::new("kranten", "a.jsonl:1", text),
//!     Document::new("archief", "b.jsonl:7", text.replace("nieuw", "ander")),
//! ];
//! docs[0].priority = 5;
//! stage.observe(&docs).unwrap();
//! stage.finish().unwrap();
//! for d in &mut docs {
//!     stage.apply(d);
//! }
//! assert!(docs[0].is_kept());
//! assert_eq!(docs[1].exclusion().map(|e| e.reason), Some(Reason::NearDuplicate));
//! assert_eq!(docs[1].signal("near_dup_cluster_size"), Some(2.0));
//! ```
#![warn(missing_docs)]

mod config_error;
mod exact;
mod keep;
mod line;
mod minhash;
mod near;
mod removal;
pub mod sharded;
mod state;
mod text;
mod unionfind;

pub use config_error::ConfigError;
pub use exact::{ExactDedup, ExactDedupConfig};
pub use keep::{KeepKey, KeepRule, LicenceRank};
pub use line::{LineDedup, LineDedupConfig, LineDedupStats, LineUnit, LINE_DEDUP_LINES_REMOVED};
pub use minhash::PERMUTATION_SEED;
pub use near::{
    Cluster, NearDedup, NearDedupConfig, NearDedupPreset, NearDedupStats, BUCKET_PEERS,
    NEAR_DUP_CLUSTER_SIZE,
};
pub use removal::{
    DuplicateKind, Removal, RemovalList, META_DUPLICATE_OF, META_LICENCE_RANK,
    REMOVAL_FORMAT_VERSION, REMOVAL_MAGIC,
};
pub use state::{SIGNATURE_FORMAT_VERSION, SIGNATURE_MAGIC};
pub use text::NORMALISATION_VERSION;
