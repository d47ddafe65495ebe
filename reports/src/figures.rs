//! The report's figures, counted from the shards themselves with polars: the shards are the
//! dataset, so the report cannot drift from them. `run.json` is used only to cross-check.

use crate::manifest::RunContext;
use crate::{Error, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

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

fn pe(e: PolarsError) -> Error {
    Error::Polars(e.to_string())
}

fn shard_paths(dir: &Path) -> Result<Vec<String>> {
    let paths = zeef_core::list_shards(dir).map_err(|e| Error::Format {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect())
}

fn scan(paths: &[String]) -> Result<Option<LazyFrame>> {
    let frames = paths
        .iter()
        .map(|p| LazyFrame::scan_parquet(PlRefPath::new(p.as_str()), ScanArgsParquet::default()))
        .collect::<PolarsResult<Vec<_>>>()
        .map_err(pe)?;
    if frames.is_empty() {
        return Ok(None);
    }
    concat(frames, UnionArgs::default()).map(Some).map_err(pe)
}

/// Rows of one Parquet file, from its footer.
pub fn parquet_rows(path: &Path) -> Result<u64> {
    let df = LazyFrame::scan_parquet(
        PlRefPath::new(path.to_string_lossy().as_ref()),
        ScanArgsParquet::default(),
    )
    .and_then(|lf| lf.select([len().alias("n")]).collect())
    .map_err(pe)?;
    first_u64(&df, "n")
}

fn first_u64(df: &DataFrame, name: &str) -> Result<u64> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::UInt64))
        .map_err(pe)?;
    Ok(c.u64().map_err(pe)?.get(0).unwrap_or(0))
}

const NONE: &str = "(none)";

/// The per-document columns every figure is counted from: no text, so it stays small.
fn base(lf: LazyFrame, kept: bool, signals: &[String]) -> LazyFrame {
    let mut cols = vec![
        lit(kept).alias("kept"),
        col("id"),
        col("source"),
        col("license").fill_null(lit(NONE)).alias("license"),
        col("rights_holder")
            .fill_null(lit(NONE))
            .alias("rights_holder"),
        col("agreement_id")
            .fill_null(lit(NONE))
            .alias("agreement_id"),
        col("lang").fill_null(lit("(unidentified)")).alias("lang"),
        col("url"),
        col("verdict_stage"),
        col("verdict_reason"),
        // \S+ in the regex crate uses Unicode White_Space, as str::split_whitespace does.
        col("text")
            .str()
            .count_matches(lit(r"\S+"), false)
            .cast(DataType::UInt64)
            .alias("words"),
        col("text")
            .str()
            .len_bytes()
            .cast(DataType::UInt64)
            .alias("bytes"),
    ];
    cols.extend(signals.iter().map(|s| col(s.as_str())));
    lf.select(cols)
}

fn volume_aggs() -> [Expr; 3] {
    [
        len().cast(DataType::UInt64).alias("documents"),
        col("words").sum().alias("words"),
        col("bytes").sum().alias("bytes"),
    ]
}

fn str_col<'a>(df: &'a DataFrame, name: &str) -> Result<&'a StringChunked> {
    df.column(name).and_then(|c| c.str()).map_err(pe)
}

fn u64_vec(df: &DataFrame, name: &str) -> Result<Vec<u64>> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::UInt64))
        .map_err(pe)?;
    Ok(c.u64()
        .map_err(pe)?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect())
}

fn volumes(df: &DataFrame) -> Result<Vec<Volume>> {
    let d = u64_vec(df, "documents")?;
    let w = u64_vec(df, "words")?;
    let b = u64_vec(df, "bytes")?;
    Ok(d.into_iter()
        .zip(w)
        .zip(b)
        .map(|((documents, words), bytes)| Volume {
            documents,
            words,
            bytes,
        })
        .collect())
}

fn breakdown(all: &LazyFrame, key: &str) -> Result<Vec<Breakdown>> {
    let df = all
        .clone()
        .group_by([col(key), col("kept")])
        .agg(volume_aggs())
        .sort([key], SortMultipleOptions::default())
        .collect()
        .map_err(pe)?;
    let keys = str_col(&df, key)?;
    let kept = df
        .column("kept")
        .and_then(|c| c.bool())
        .map_err(pe)?
        .clone();
    let vols = volumes(&df)?;
    let mut map: BTreeMap<String, Breakdown> = BTreeMap::new();
    for ((k, is_kept), v) in keys.iter().zip(kept.iter()).zip(vols) {
        let k = k.unwrap_or(NONE).to_string();
        let e = map.entry(k.clone()).or_insert_with(|| Breakdown {
            key: k,
            kept: Volume::default(),
            excluded: Volume::default(),
        });
        if is_kept.unwrap_or(false) {
            e.kept = v;
        } else {
            e.excluded = v;
        }
    }
    Ok(map.into_values().collect())
}

fn f64_vec(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::Float64))
        .map_err(pe)?;
    Ok(c.f64().map_err(pe)?.iter().collect())
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

fn length_histogram(words: &[u64], kept: &[bool]) -> Histogram {
    // Bins 0, 1, 2-3, 4-7, ... up to the longest document.
    let max = words.iter().copied().max().unwrap_or(0);
    let nbins = (64 - max.leading_zeros()) as usize + 1;
    let mut edges = vec![0.0];
    for i in 0..nbins {
        edges.push((1u64 << i) as f64);
    }
    let mut k = vec![0; nbins];
    let mut e = vec![0; nbins];
    for (&w, &is_kept) in words.iter().zip(kept) {
        let i = if w == 0 {
            0
        } else {
            (64 - w.leading_zeros()) as usize
        };
        let i = i.min(nbins - 1);
        if is_kept {
            k[i] += 1;
        } else {
            e[i] += 1;
        }
    }
    Histogram {
        edges,
        kept: k,
        excluded: e,
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

const SAMPLES_PER_REASON: u32 = 3;
const EXCERPT_CHARS: usize = 300;

/// Counts every figure of the run folder `dir` from its shards.
pub fn compute(dir: &Path, stage_order: &[String], ctx: &RunContext) -> Result<Figures> {
    let out_paths = shard_paths(&dir.join("output"))?;
    let exc_paths = shard_paths(&dir.join("excluded"))?;
    let out = scan(&out_paths)?;
    let exc = scan(&exc_paths)?;
    let Some(first) = out.as_ref().or(exc.as_ref()) else {
        return Ok(empty());
    };
    let schema = first.clone().collect_schema().map_err(pe)?;
    let signals: Vec<String> = schema
        .iter_names()
        .filter(|n| n.starts_with(zeef_core::schema::SIGNAL_PREFIX))
        .map(|n| n.to_string())
        .collect();
    // One pass over the shards, one shard at a time: a shard's text is read for its words and
    // bytes and dropped before the next is opened, so the report never holds more than one
    // shard's text. Every group-by then runs on this text-free frame.
    let mut table: Option<DataFrame> = None;
    for (paths, kept) in [(&out_paths, true), (&exc_paths, false)] {
        for p in paths {
            let lf =
                LazyFrame::scan_parquet(PlRefPath::new(p.as_str()), ScanArgsParquet::default())
                    .map_err(pe)?;
            let part = base(lf, kept, &signals).collect().map_err(pe)?;
            match table.as_mut() {
                None => table = Some(part),
                Some(t) => {
                    t.vstack_mut(&part).map_err(pe)?;
                }
            }
        }
    }
    let Some(mut table) = table else {
        return Ok(empty());
    };
    table.rechunk_mut_par();
    let all = table.clone().lazy();

    let totals = all
        .clone()
        .group_by([col("kept")])
        .agg(volume_aggs())
        .collect()
        .map_err(pe)?;
    let mut kept = Volume::default();
    let mut excluded = Volume::default();
    let flags = totals
        .column("kept")
        .and_then(|c| c.bool())
        .map_err(pe)?
        .clone();
    for (flag, v) in flags.iter().zip(volumes(&totals)?) {
        if flag.unwrap_or(false) {
            kept = v;
        } else {
            excluded = v;
        }
    }
    let read = Volume {
        documents: kept.documents + excluded.documents,
        words: kept.words + excluded.words,
        bytes: kept.bytes + excluded.bytes,
    };

    let funnel_df = all
        .clone()
        .filter(col("kept").not())
        .group_by([col("verdict_stage"), col("verdict_reason")])
        .agg(volume_aggs())
        .sort(
            ["verdict_stage", "verdict_reason"],
            SortMultipleOptions::default(),
        )
        .collect()
        .map_err(pe)?;
    let stages = str_col(&funnel_df, "verdict_stage")?;
    let reasons = str_col(&funnel_df, "verdict_reason")?;
    let mut funnel: Vec<FunnelStep> = stages
        .iter()
        .zip(reasons.iter())
        .zip(volumes(&funnel_df)?)
        .map(|((s, r), volume)| FunnelStep {
            stage: s.unwrap_or(NONE).to_string(),
            reason: r.unwrap_or(NONE).to_string(),
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

    let kept_flags: Vec<bool> = table
        .column("kept")
        .and_then(|c| c.bool())
        .map_err(pe)?
        .iter()
        .map(|v| v.unwrap_or(false))
        .collect();
    let words = u64_vec(&table, "words")?;
    let length_words = length_histogram(&words, &kept_flags);

    let mut signal_figures = Vec::new();
    let mut pii = BTreeMap::new();
    let mut duplicate_clusters = BTreeMap::new();
    for col_name in &signals {
        let name = col_name
            .strip_prefix(zeef_core::schema::SIGNAL_PREFIX)
            .unwrap_or(col_name);
        let values = f64_vec(&table, col_name)?;
        if let Some(kind) = name.strip_prefix("pii_") {
            let (mut docs, mut matches) = (0u64, 0u64);
            for (v, &k) in values.iter().zip(&kept_flags) {
                if let (Some(v), true) = (v, k) {
                    if *v > 0.0 {
                        docs += 1;
                        matches += *v as u64;
                    }
                }
            }
            pii.insert(kind.to_string(), (docs, matches));
            continue;
        }
        if name == "near_dup_cluster_size" {
            // Every member of a cluster carries its size: members / size = clusters.
            let mut members: BTreeMap<u64, u64> = BTreeMap::new();
            for v in values.iter().flatten() {
                *members.entry(*v as u64).or_default() += 1;
            }
            for (size, n) in members {
                if size > 1 {
                    duplicate_clusters.insert(size, n / size);
                }
            }
            continue;
        }
        let present: Vec<(f64, bool)> = values
            .iter()
            .zip(&kept_flags)
            .filter_map(|(v, &k)| v.filter(|v| v.is_finite()).map(|v| (v, k)))
            .collect();
        if present.is_empty() {
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
            name: name.to_string(),
            documents: present.len() as u64,
            histogram: histogram(&present, &near),
            thresholds: th,
        });
    }

    let reason_counts = |code: &str| {
        funnel
            .iter()
            .filter(|f| f.reason == code)
            .map(|f| f.volume.documents)
            .sum::<u64>()
    };
    let exact_duplicates = reason_counts("exact_duplicate");
    let near_duplicates = reason_counts("near_duplicate");

    let samples = match &exc {
        Some(lf) => samples(lf, &funnel)?,
        None => Vec::new(),
    };
    let crawled: Vec<&str> = ctx
        .sources
        .iter()
        .filter(|s| s.category() == "crawled")
        .map(|s| s.name.as_str())
        .collect();
    let crawled_domains = domains(&all, &crawled)?;

    Ok(Figures {
        read,
        kept,
        excluded,
        funnel,
        sources: breakdown(&all, "source")?,
        licences: breakdown(&all, "license")?,
        rights_holders: breakdown(&all, "rights_holder")?,
        agreements: breakdown(&all, "agreement_id")?,
        languages: breakdown(&all, "lang")?,
        length_words,
        signals: signal_figures,
        pii,
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
        length_words: length_histogram(&[], &[]),
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

fn samples(exc: &LazyFrame, funnel: &[FunnelStep]) -> Result<Vec<Sample>> {
    let masker = crate::mask::Masker::new()?;
    let mut out = Vec::new();
    for step in funnel {
        let df = exc
            .clone()
            .filter(
                col("verdict_stage")
                    .eq(lit(step.stage.as_str()))
                    .and(col("verdict_reason").eq(lit(step.reason.as_str()))),
            )
            .select([col("id"), col("source"), col("verdict_detail"), col("text")])
            .limit(SAMPLES_PER_REASON)
            .collect()
            .map_err(pe)?;
        let ids = str_col(&df, "id")?;
        let sources = str_col(&df, "source")?;
        let details = str_col(&df, "verdict_detail")?;
        let texts = df
            .column("text")
            .and_then(|c| c.cast(&DataType::String))
            .map_err(pe)?;
        let texts = texts.str().map_err(pe)?;
        for (((id, source), detail), text) in ids
            .iter()
            .zip(sources.iter())
            .zip(details.iter())
            .zip(texts.iter())
        {
            out.push(Sample {
                stage: step.stage.clone(),
                reason: step.reason.clone(),
                id: id.unwrap_or_default().to_string(),
                source: source.unwrap_or_default().to_string(),
                detail: masker.mask(detail.unwrap_or_default(), EXCERPT_CHARS),
                excerpt: masker.mask(text.unwrap_or_default(), EXCERPT_CHARS),
            });
        }
    }
    Ok(out)
}

fn domains(all: &LazyFrame, crawled: &[&str]) -> Result<Vec<Domain>> {
    if crawled.is_empty() {
        return Ok(Vec::new());
    }
    let is_crawled = crawled
        .iter()
        .map(|n| col("source").eq(lit(*n)))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    let df = all
        .clone()
        .filter(col("kept").and(is_crawled).and(col("url").is_not_null()))
        .with_column(
            col("url")
                .str()
                .extract(
                    lit(r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^/:?#]+)"),
                    1,
                )
                .str()
                .to_lowercase()
                .fill_null(lit("(no host)"))
                .alias("domain"),
        )
        .group_by([col("domain")])
        .agg([
            len().cast(DataType::UInt64).alias("documents"),
            col("bytes").sum().alias("bytes"),
        ])
        .sort(
            ["bytes", "domain"],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()
        .map_err(pe)?;
    let d = str_col(&df, "domain")?;
    let docs = u64_vec(&df, "documents")?;
    let bytes = u64_vec(&df, "bytes")?;
    Ok(d.iter()
        .zip(docs)
        .zip(bytes)
        .map(|((d, documents), bytes)| Domain {
            domain: d.unwrap_or_default().to_string(),
            documents,
            bytes,
        })
        .collect())
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
        let l = length_histogram(&[0, 1, 3, 100], &[true, true, false, true]);
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
