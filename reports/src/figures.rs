//! The report's figures, counted from the shards themselves: the shards are the dataset, so
//! the report cannot drift from them. `run.json` is used only to cross-check. One streaming
//! pass folds every document into grouped counts; the tests recount the same figures with
//! polars, independently.

use crate::manifest::RunContext;
use crate::{Error, Result};
use parquet::file::reader::{FileReader, SerializedFileReader};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use zeef_core::Document;

/// Documents, words and bytes of one group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    /// Documents.
    pub documents: u64,
    /// Whitespace-separated words of the text as written to the shard.
    pub words: u64,
    /// UTF-8 bytes of the text as written to the shard.
    pub bytes: u64,
}

/// One funnel step: the documents a stage excluded for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelStep {
    /// The stage.
    pub stage: String,
    /// The reason code.
    pub reason: String,
    /// What it excluded.
    #[serde(flatten)]
    pub volume: Volume,
}

/// Kept and excluded volume of one group (source, licence, rights holder, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    /// The group's key (`(none)` where the column is empty).
    pub key: String,
    /// Kept documents.
    pub kept: Volume,
    /// Excluded documents.
    pub excluded: Volume,
}

/// A histogram over fixed bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Bin edges, one more than the counts.
    pub edges: Vec<f64>,
    /// Kept documents per bin.
    pub kept: Vec<u64>,
    /// Excluded documents per bin.
    pub excluded: Vec<u64>,
}

/// A configured threshold on a signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// `stage.key` in `zeef.toml`.
    pub setting: String,
    /// The value.
    pub value: f64,
}

/// The distribution of one quality signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalFigure {
    /// The signal name (column `signal_<name>`).
    pub name: String,
    /// Documents that have a value.
    pub documents: u64,
    /// The histogram.
    pub histogram: Histogram,
    /// The thresholds the configuration sets on it.
    pub thresholds: Vec<Threshold>,
}

/// An excluded document shown for review, its text masked and cut short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// The stage that excluded it.
    pub stage: String,
    /// The reason code.
    pub reason: String,
    /// The document id.
    pub id: String,
    /// Its source.
    pub source: String,
    /// The verdict's sentence, personal data masked.
    pub detail: String,
    /// The first characters of its text, personal data masked.
    pub excerpt: String,
}

/// A web domain of crawled text, by size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// The host, lowercased.
    pub domain: String,
    /// Kept documents from it.
    pub documents: u64,
    /// Kept text bytes from it.
    pub bytes: u64,
}

/// Every figure of the report; `report.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Read = kept + excluded.
    pub read: Volume,
    /// In `output/`.
    pub kept: Volume,
    /// In `excluded/`.
    pub excluded: Volume,
    /// Exclusions per stage (pipeline order) and reason.
    pub funnel: Vec<FunnelStep>,
    /// Per source.
    pub sources: Vec<Breakdown>,
    /// Per licence expression.
    pub licences: Vec<Breakdown>,
    /// Per rights holder.
    pub rights_holders: Vec<Breakdown>,
    /// Per consent agreement.
    pub agreements: Vec<Breakdown>,
    /// Per identified language.
    pub languages: Vec<Breakdown>,
    /// Words per document (bins of powers of two).
    pub length_words: Histogram,
    /// Quality signals.
    pub signals: Vec<SignalFigure>,
    /// Personal data found and masked in kept documents, per kind: (documents, matches).
    pub pii: BTreeMap<String, (u64, u64)>,
    /// Near-duplicate clusters by size (documents in the cluster → clusters).
    pub duplicate_clusters: BTreeMap<u64, u64>,
    /// Exact duplicates removed.
    pub exact_duplicates: u64,
    /// Near duplicates removed.
    pub near_duplicates: u64,
    /// Excluded documents shown for review, a few per reason.
    pub samples: Vec<Sample>,
    /// Domains of kept crawled text, largest first.
    pub crawled_domains: Vec<Domain>,
    /// Training tokens per rights holder, when a tokenisation stage wrote `tokens/manifest.jsonl`.
    pub tokens: Option<BTreeMap<String, u64>>,
    /// The training run in `train/`, when the pretraining stage wrote one.
    pub training: Option<Training>,
    /// Words that stages removed from documents they kept, per source and stage (from
    /// `run.json`: the shards hold only what is left).
    #[serde(default)]
    pub words_removed: Vec<WordsRemoved>,
}

/// Words one stage removed from the kept documents of one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WordsRemoved {
    /// The source.
    pub source: String,
    /// The source's cleaning profile, where the manifest records one.
    pub profile: Option<String>,
    /// The stage.
    pub stage: String,
    /// Words removed.
    pub words: u64,
    /// Their share of the words the source's kept documents had before they were removed:
    /// `words / (words kept + every stage's words removed)`.
    pub share: f64,
}

/// [`WordsRemoved`] of every source and stage of a run, in source then pipeline order.
pub fn words_removed(
    summary: &zeef_core::RunSummary,
    profiles: &BTreeMap<String, String>,
) -> Vec<WordsRemoved> {
    let mut out = Vec::new();
    for (source, c) in &summary.sources {
        let before = c.words_kept + c.words_removed();
        for st in &summary.stages {
            let Some(&words) = c.words_removed_by_stage.get(&st.name) else {
                continue;
            };
            if words == 0 {
                continue;
            }
            out.push(WordsRemoved {
                source: source.clone(),
                profile: profiles.get(source).cloned(),
                stage: st.name.clone(),
                words,
                share: words as f64 / before.max(1) as f64,
            });
        }
    }
    out
}

/// What the pretraining stage recorded in `train/`: its metrics and loss curves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Training {
    /// `train/metrics.json` as written (parameters, tokens/s, final losses, device, ...).
    pub metrics: serde_json::Value,
    /// (step, training loss) from `train/loss.jsonl`.
    pub train_loss: Vec<(u64, f64)>,
    /// (step, validation loss) from `train/loss.jsonl`.
    pub val_loss: Vec<(u64, f64)>,
}

fn read_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn shard_paths(dir: &Path) -> Result<Vec<PathBuf>> {
    zeef_core::list_shards(dir).map_err(|e| read_err(dir, e))
}

/// Rows of one Parquet file, from its footer.
pub fn parquet_rows(path: &Path) -> Result<u64> {
    let f = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let reader = SerializedFileReader::new(f).map_err(|e| read_err(path, e))?;
    Ok(u64::try_from(reader.metadata().file_metadata().num_rows()).unwrap_or(0))
}

/// Calls `f` with every document of the shards at `paths`, in order, one batch at a time, so
/// no more than a batch of text is held.
pub(crate) fn for_each_document(
    paths: &[PathBuf],
    mut f: impl FnMut(&Document) -> Result<()>,
) -> Result<()> {
    for p in paths {
        let reader = zeef_core::ShardReader::open(p, READ_BATCH).map_err(|e| read_err(p, e))?;
        for batch in reader {
            for d in &batch.map_err(|e| read_err(p, e))? {
                f(d)?;
            }
        }
    }
    Ok(())
}

const NONE: &str = "(none)";
const UNIDENTIFIED: &str = "(unidentified)";
/// Documents per batch when the shards are read for the figures.
const READ_BATCH: usize = 1024;
/// The length histogram's bins: 0, 1, 2-3, 4-7, ... (the bit length of the word count).
const LENGTH_BINS: usize = 65;

fn length_bin(words: u64) -> usize {
    (64 - words.leading_zeros()) as usize
}

/// Kept and excluded volume of one key.
type Split = (Volume, Volume);

/// The grouped counts the figures are made of, folded one document at a time. Everything here
/// is a count per key, except the signal values the histograms bin (one number per document
/// and signal) and a few sample documents per exclusion reason.
struct Tally {
    kept: Volume,
    excluded: Volume,
    /// (stage, reason) of excluded documents.
    funnel: BTreeMap<(String, String), Volume>,
    /// By source, licence, rights holder, agreement and language.
    groups: [BTreeMap<String, Split>; 5],
    length_kept: [u64; LENGTH_BINS],
    length_excluded: [u64; LENGTH_BINS],
    max_words: u64,
    /// Signal names, in shard column order.
    signals: Vec<String>,
    /// Per signal: its finite values with whether the document was kept.
    values: Vec<Vec<(f64, bool)>>,
    /// Per `pii_*` kind: kept documents with a match, and matches.
    pii: BTreeMap<String, (u64, u64)>,
    /// Near-duplicate cluster size → documents carrying it.
    cluster_members: BTreeMap<u64, u64>,
    /// (stage, reason) → its first excluded documents: id, source, detail, text.
    samples: BTreeMap<(String, String), Vec<[String; 4]>>,
    /// Host of kept crawled documents → (documents, bytes).
    domains: BTreeMap<String, (u64, u64)>,
    crawled: BTreeSet<String>,
    host: Regex,
}

fn add(v: &mut Volume, words: u64, bytes: u64) {
    v.documents += 1;
    v.words += words;
    v.bytes += bytes;
}

impl Tally {
    fn new(signals: Vec<String>, crawled: BTreeSet<String>) -> Result<Self> {
        let host = Regex::new(r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^/:?#]+)")
            .map_err(|e| Error::Mismatch(format!("host pattern: {e}")))?;
        let pii = signals
            .iter()
            .filter_map(|s| s.strip_prefix("pii_"))
            .map(|k| (k.to_string(), (0, 0)))
            .collect();
        Ok(Tally {
            kept: Volume::default(),
            excluded: Volume::default(),
            funnel: BTreeMap::new(),
            groups: Default::default(),
            length_kept: [0; LENGTH_BINS],
            length_excluded: [0; LENGTH_BINS],
            max_words: 0,
            values: vec![Vec::new(); signals.len()],
            signals,
            pii,
            cluster_members: BTreeMap::new(),
            samples: BTreeMap::new(),
            domains: BTreeMap::new(),
            crawled,
            host,
        })
    }

    fn observe(&mut self, d: &Document) {
        let kept = d.is_kept();
        let words = d.word_count() as u64;
        let bytes = d.text.len() as u64;
        add(
            if kept {
                &mut self.kept
            } else {
                &mut self.excluded
            },
            words,
            bytes,
        );
        let keys = [
            d.source.as_str(),
            d.license.as_deref().unwrap_or(NONE),
            d.rights_holder.as_deref().unwrap_or(NONE),
            d.agreement_id.as_deref().unwrap_or(NONE),
            d.lang.as_deref().unwrap_or(UNIDENTIFIED),
        ];
        for (map, key) in self.groups.iter_mut().zip(keys) {
            if !map.contains_key(key) {
                map.insert(key.to_string(), Split::default());
            }
            if let Some(split) = map.get_mut(key) {
                add(if kept { &mut split.0 } else { &mut split.1 }, words, bytes);
            }
        }
        let bin = length_bin(words);
        if kept {
            self.length_kept[bin] += 1;
        } else {
            self.length_excluded[bin] += 1;
        }
        self.max_words = self.max_words.max(words);
        for (name, values) in self.signals.iter().zip(self.values.iter_mut()) {
            let Some(v) = d.signal(name) else {
                continue;
            };
            if let Some(kind) = name.strip_prefix("pii_") {
                if kept && v > 0.0 {
                    let e = self.pii.entry(kind.to_string()).or_default();
                    e.0 += 1;
                    e.1 += v as u64;
                }
            } else if name == "near_dup_cluster_size" {
                *self.cluster_members.entry(v as u64).or_default() += 1;
            } else if v.is_finite() {
                values.push((v, kept));
            }
        }
        if let Some(e) = d.exclusion() {
            let key = (e.stage.clone(), e.reason.code().to_string());
            let samples = self.samples.entry(key.clone()).or_default();
            if samples.len() < SAMPLES_PER_REASON {
                samples.push([
                    d.id.clone(),
                    d.source.clone(),
                    e.detail.clone(),
                    d.text.clone(),
                ]);
            }
            add(self.funnel.entry(key).or_default(), words, bytes);
        }
        if kept && self.crawled.contains(&d.source) {
            if let Some(url) = &d.url {
                let host = self
                    .host
                    .captures(url)
                    .and_then(|c| c.get(1))
                    .map_or_else(|| "(no host)".to_string(), |m| m.as_str().to_lowercase());
                let e = self.domains.entry(host).or_default();
                e.0 += 1;
                e.1 += bytes;
            }
        }
    }
}

const BINS: usize = 20;

fn histogram(values: &[(f64, bool)], extra: &[f64]) -> Histogram {
    let lo = values
        .iter()
        .map(|v| v.0)
        .chain(extra.iter().copied())
        .fold(f64::INFINITY, f64::min);
    let hi = values
        .iter()
        .map(|v| v.0)
        .chain(extra.iter().copied())
        .fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return Histogram {
            edges: vec![0.0, 1.0],
            kept: vec![0],
            excluded: vec![0],
        };
    }
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let width = (hi - lo) / BINS as f64;
    let edges = (0..=BINS).map(|i| lo + width * i as f64).collect();
    let mut kept = vec![0; BINS];
    let mut excluded = vec![0; BINS];
    for &(v, k) in values {
        let i = (((v - lo) / width) as usize).min(BINS - 1);
        if k {
            kept[i] += 1;
        } else {
            excluded[i] += 1;
        }
    }
    Histogram {
        edges,
        kept,
        excluded,
    }
}

fn length_histogram(kept: &[u64], excluded: &[u64], max_words: u64) -> Histogram {
    // Bins 0, 1, 2-3, 4-7, ... up to the longest document.
    let nbins = length_bin(max_words) + 1;
    let mut edges = vec![0.0];
    for i in 0..nbins {
        edges.push((1u64 << i) as f64);
    }
    let counts = |c: &[u64]| (0..nbins).map(|i| c.get(i).copied().unwrap_or(0)).collect();
    Histogram {
        edges,
        kept: counts(kept),
        excluded: counts(excluded),
    }
}

/// The configured thresholds on `signal` in a resolved configuration, as the stages declare
/// them ([`zeef_filters::THRESHOLDS`]).
pub fn thresholds(config: &serde_json::Value, signal: &str) -> Vec<Threshold> {
    let stages = config
        .get("stage")
        .or_else(|| config.get("stages"))
        .and_then(|s| s.as_array());
    let mut out = Vec::new();
    let Some(stages) = stages else {
        return out;
    };
    for t in zeef_filters::THRESHOLDS
        .iter()
        .filter(|t| t.signal == signal)
    {
        for st in stages {
            if st.get("type").and_then(|k| k.as_str()) != Some(t.stage) {
                continue;
            }
            if let Some(value) = t.value_in(st) {
                out.push(Threshold {
                    setting: t.key(),
                    value,
                });
            }
        }
    }
    out
}

const SAMPLES_PER_REASON: usize = 3;
const EXCERPT_CHARS: usize = 300;

fn breakdown(map: BTreeMap<String, Split>) -> Vec<Breakdown> {
    map.into_iter()
        .map(|(key, (kept, excluded))| Breakdown {
            key,
            kept,
            excluded,
        })
        .collect()
}

/// Counts every figure of the run folder `dir` from its shards, in one streaming pass over
/// them: the output shards, then the excluded shards.
pub fn compute(dir: &Path, stage_order: &[String], ctx: &RunContext) -> Result<Figures> {
    let out_paths = shard_paths(&dir.join("output"))?;
    let exc_paths = shard_paths(&dir.join("excluded"))?;
    let Some(first) = out_paths.first().or(exc_paths.first()) else {
        return Ok(empty());
    };
    let schema = zeef_core::ShardReader::open(first, 1)
        .map_err(|e| read_err(first, e))?
        .schema();
    let signals: Vec<String> = schema
        .fields()
        .iter()
        .filter_map(|f| f.name().strip_prefix(zeef_core::schema::SIGNAL_PREFIX))
        .map(str::to_string)
        .collect();
    let crawled = ctx
        .sources
        .iter()
        .filter(|s| s.category() == "crawled")
        .map(|s| s.name.clone())
        .collect();
    let mut t = Tally::new(signals, crawled)?;
    for paths in [&out_paths, &exc_paths] {
        for_each_document(paths, |d| {
            t.observe(d);
            Ok(())
        })?;
    }

    let read = Volume {
        documents: t.kept.documents + t.excluded.documents,
        words: t.kept.words + t.excluded.words,
        bytes: t.kept.bytes + t.excluded.bytes,
    };
    let mut funnel: Vec<FunnelStep> = std::mem::take(&mut t.funnel)
        .into_iter()
        .map(|((stage, reason), volume)| FunnelStep {
            stage,
            reason,
            volume,
        })
        .collect();
    let pos = |s: &str| {
        stage_order
            .iter()
            .position(|o| o == s)
            .unwrap_or(usize::MAX)
    };
    funnel.sort_by(|a, b| {
        (pos(&a.stage), &a.stage, &a.reason).cmp(&(pos(&b.stage), &b.stage, &b.reason))
    });

    let mut signal_figures = Vec::new();
    for (name, present) in t.signals.iter().zip(&t.values) {
        if name.starts_with("pii_") || name == "near_dup_cluster_size" || present.is_empty() {
            continue;
        }
        let th = thresholds(&ctx.config, name);
        let marks: Vec<f64> = th.iter().map(|t| t.value).collect();
        // A threshold far outside the data (max_doc_words = 100000) would squash the bars.
        let (lo, hi) = present
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v.0), b.max(v.0))
            });
        let span = (hi - lo).max(1.0);
        let near: Vec<f64> = marks
            .into_iter()
            .filter(|m| *m >= lo - span && *m <= hi + span)
            .collect();
        signal_figures.push(SignalFigure {
            name: name.clone(),
            documents: present.len() as u64,
            histogram: histogram(present, &near),
            thresholds: th,
        });
    }
    // Every member of a cluster carries its size: members / size = clusters.
    let duplicate_clusters = t
        .cluster_members
        .iter()
        .filter(|(size, _)| **size > 1)
        .map(|(size, n)| (*size, n / size))
        .collect();

    let reason_counts = |code: &str| {
        funnel
            .iter()
            .filter(|f| f.reason == code)
            .map(|f| f.volume.documents)
            .sum::<u64>()
    };
    let exact_duplicates = reason_counts("exact_duplicate");
    let near_duplicates = reason_counts("near_duplicate");

    let masker = crate::mask::Masker::new()?;
    let mut samples = Vec::new();
    for step in &funnel {
        let key = (step.stage.clone(), step.reason.clone());
        for [id, source, detail, text] in t.samples.remove(&key).unwrap_or_default() {
            samples.push(Sample {
                stage: step.stage.clone(),
                reason: step.reason.clone(),
                id,
                source,
                detail: masker.mask(&detail, EXCERPT_CHARS),
                excerpt: masker.mask(&text, EXCERPT_CHARS),
            });
        }
    }
    let mut crawled_domains: Vec<Domain> = std::mem::take(&mut t.domains)
        .into_iter()
        .map(|(domain, (documents, bytes))| Domain {
            domain,
            documents,
            bytes,
        })
        .collect();
    crawled_domains.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.domain.cmp(&b.domain)));
    let [sources, licences, rights_holders, agreements, languages] = std::mem::take(&mut t.groups);

    Ok(Figures {
        read,
        kept: t.kept,
        excluded: t.excluded,
        funnel,
        sources: breakdown(sources),
        licences: breakdown(licences),
        rights_holders: breakdown(rights_holders),
        agreements: breakdown(agreements),
        languages: breakdown(languages),
        length_words: length_histogram(&t.length_kept, &t.length_excluded, t.max_words),
        signals: signal_figures,
        pii: t.pii,
        duplicate_clusters,
        exact_duplicates,
        near_duplicates,
        samples,
        crawled_domains,
        tokens: tokens(dir),
        training: training(dir),
        words_removed: Vec::new(),
    })
}

fn empty() -> Figures {
    Figures {
        read: Volume::default(),
        kept: Volume::default(),
        excluded: Volume::default(),
        funnel: Vec::new(),
        sources: Vec::new(),
        licences: Vec::new(),
        rights_holders: Vec::new(),
        agreements: Vec::new(),
        languages: Vec::new(),
        length_words: length_histogram(&[], &[], 0),
        signals: Vec::new(),
        pii: BTreeMap::new(),
        duplicate_clusters: BTreeMap::new(),
        exact_duplicates: 0,
        near_duplicates: 0,
        samples: Vec::new(),
        crawled_domains: Vec::new(),
        tokens: None,
        training: None,
        words_removed: Vec::new(),
    }
}

/// Training tokens per rights holder from `tokens/manifest.jsonl` (one JSON object a line with
/// `rights_holder`, `tokens` and `split`), when a tokenisation stage wrote one. Held-out
/// validation documents are not trained on, so they are not counted.
fn tokens(dir: &Path) -> Option<BTreeMap<String, u64>> {
    let text = std::fs::read_to_string(dir.join("tokens/manifest.jsonl")).ok()?;
    let mut map = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        if v.get("split").and_then(|s| s.as_str()) == Some("val") {
            continue;
        }
        let holder = v
            .get("rights_holder")
            .and_then(|h| h.as_str())
            .unwrap_or(NONE);
        let n = v.get("tokens").and_then(|t| t.as_u64()).unwrap_or(0);
        *map.entry(holder.to_string()).or_default() += n;
    }
    Some(map)
}

/// The training run in `train/` (`metrics.json` and `loss.jsonl`), when there is one. A line
/// the stage did not write whole (a run killed mid-write) is skipped, not fatal.
fn training(dir: &Path) -> Option<Training> {
    let metrics = std::fs::read_to_string(dir.join("train/metrics.json")).ok()?;
    let metrics: serde_json::Value = serde_json::from_str(&metrics).ok()?;
    let mut train_loss = Vec::new();
    let mut val_loss = Vec::new();
    if let Ok(log) = std::fs::read_to_string(dir.join("train/loss.jsonl")) {
        for v in log
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        {
            let Some(step) = v.get("step").and_then(|s| s.as_u64()) else {
                continue;
            };
            if let Some(l) = v.get("loss").and_then(|l| l.as_f64()) {
                train_loss.push((step, l));
            }
            if let Some(l) = v.get("val_loss").and_then(|l| l.as_f64()) {
                val_loss.push((step, l));
            }
        }
    }
    Some(Training {
        metrics,
        train_loss,
        val_loss,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_put_every_value_in_a_bin() {
        let h = histogram(&[(0.0, true), (0.5, false), (1.0, true)], &[]);
        assert_eq!(h.edges.len(), BINS + 1);
        assert_eq!(h.kept.iter().sum::<u64>(), 2);
        assert_eq!(h.excluded.iter().sum::<u64>(), 1);
        let mut kept = [0; LENGTH_BINS];
        let mut excluded = [0; LENGTH_BINS];
        for (w, k) in [(0, true), (1, true), (3, false), (100, true)] {
            if k {
                kept[length_bin(w)] += 1;
            } else {
                excluded[length_bin(w)] += 1;
            }
        }
        let l = length_histogram(&kept, &excluded, 100);
        assert_eq!(l.kept.iter().sum::<u64>(), 3);
        assert_eq!(l.excluded, {
            let mut v = vec![0; l.kept.len()];
            v[2] = 1;
            v
        });
    }

    #[test]
    fn thresholds_come_from_the_resolved_config() {
        let c = serde_json::json!({"stage": [{"type": "gopher_quality", "min_doc_words": 50, "max_doc_words": 100000}]});
        let t = thresholds(&c, "gopher_words");
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].setting, "gopher_quality.min_doc_words");
        assert!(thresholds(&c, "word_count").is_empty());
    }
}
