//! Speed and quality benchmark of exact + near-duplicate deduplication on a JSONL corpus.
//!
//! ```text
//! cargo run --release -p zeef-dedup --example near_dedup_bench -- INPUT.jsonl REMOVED_OUT.txt \
//!     [--preset fineweb|high_recall] [--bands 14] [--rows 8] [--ngram 5] [--min-jaccard 0] \
//!     [--threads N] [--batch 1024] [--details DETAILS.tsv]
//! ```
//!
//! `--details` also writes `id, stage, detail` of every excluded document, tab-separated.
//!
//! INPUT.jsonl has one `{"id": ..., "text": ...}` object per line. The stages run through the
//! [`GlobalStage`] API as the runner drives them: pass 1 lets `exact_dedup` observe every
//! document; pass 2 re-reads the file, applies `exact_dedup` and lets `near_dedup` observe what
//! is kept; pass 3 re-reads it and applies both. The ids of every excluded document go to
//! REMOVED_OUT.txt, one per line (the format `eval_dedup.py` reads). Printed: documents per
//! second of wall time and per CPU-second (user + system of the whole process), for the
//! signatures alone and for the whole dedup, and the peak RSS (VmHWM).

use rayon::prelude::*;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::sync::Arc;
use std::time::Instant;
use zeef_core::{apply_batch, Document, GlobalStage};
use zeef_dedup::{
    ExactDedup, ExactDedupConfig, LicenceRank, NearDedup, NearDedupConfig, NearDedupPreset,
};

type BoxError = Box<dyn std::error::Error>;

#[derive(serde::Deserialize)]
struct Record {
    id: String,
    text: String,
}

/// CPU seconds (user + system) of this process so far, from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return f64::NAN;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    // Field 14 is index 11 after the state field (field 3 is index 0).
    (ticks(11) + ticks(12)) / 100.0
}

/// Peak resident set size in MB (10^6 bytes), from `/proc/self/status`.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb * 1024.0 / 1e6)
}

/// Streams the corpus in batches of parsed documents.
fn for_each_batch(
    path: &str,
    batch: usize,
    mut f: impl FnMut(&mut [Document]) -> Result<(), BoxError>,
) -> Result<u64, BoxError> {
    let mut lines = BufReader::with_capacity(1 << 20, File::open(path)?).lines();
    let mut n = 0u64;
    loop {
        let raw: Vec<String> = lines.by_ref().take(batch).collect::<Result<_, _>>()?;
        if raw.is_empty() {
            return Ok(n);
        }
        let mut docs: Vec<Document> = raw
            .par_iter()
            .enumerate()
            .map(|(i, line)| -> Result<Document, serde_json::Error> {
                let r: Record = serde_json::from_str(line)?;
                Ok(Document {
                    id: r.id,
                    text: r.text,
                    source: "bench".into(),
                    locator: format!("{path}:{}", n + i as u64 + 1),
                    ..Document::default()
                })
            })
            .collect::<Result<_, _>>()?;
        n += docs.len() as u64;
        f(&mut docs)?;
    }
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T, BoxError> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{name} needs a value").into()),
    }
}

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 || args[0].starts_with('-') || args[1].starts_with('-') {
        return Err(
            "usage: near_dedup_bench INPUT.jsonl REMOVED_OUT.txt [--preset P] [--bands B] \
                    [--rows R] [--ngram N] [--min-jaccard J] [--threads T] [--batch N] [--details FILE]"
                .into(),
        );
    }
    let (input, removed_out) = (&args[0], &args[1]);
    let preset = match arg(&args, "--preset", String::from("fineweb"))?.as_str() {
        "fineweb" => NearDedupPreset::Fineweb,
        "high_recall" => NearDedupPreset::HighRecall,
        other => return Err(format!("unknown preset {other}: fineweb or high_recall").into()),
    };
    let base = preset.config();
    let config = NearDedupConfig {
        bands: arg(&args, "--bands", base.bands)?,
        rows: arg(&args, "--rows", base.rows)?,
        ngram: arg(&args, "--ngram", base.ngram)?,
        min_jaccard: arg(&args, "--min-jaccard", base.min_jaccard)?,
    };
    config.validate()?;
    let batch: usize = arg(&args, "--batch", 1024)?;
    let threads: usize = arg(&args, "--threads", 0)?;
    if threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()?;
    }
    println!(
        "input {input}; exact + near dedup, {}-grams, {} bands × {} rows, min_jaccard {}, {} threads",
        config.ngram,
        config.bands,
        config.rows,
        config.min_jaccard,
        rayon::current_num_threads()
    );

    let rank: LicenceRank = Arc::new(|_| 0);
    let mut exact = ExactDedup::new("exact_dedup", ExactDedupConfig {}, rank.clone());
    let mut near = NearDedup::new("near_dedup", config, rank);
    let (wall0, cpu0) = (Instant::now(), cpu_seconds());

    // Pass 1: exact dedup observes everything.
    let docs = for_each_batch(input, batch, |b| Ok(exact.observe(b)?))?;
    exact.finish()?;
    let (wall1, cpu1) = (wall0.elapsed().as_secs_f64(), cpu_seconds() - cpu0);

    // Pass 2: exact dedup applies; near dedup observes (computes signatures of) what is kept.
    let (mut sig_wall, mut sig_cpu, mut observed) = (0.0, 0.0, 0u64);
    for_each_batch(input, batch, |b| {
        apply_batch(&exact, b);
        observed += b.iter().filter(|d| d.is_kept()).count() as u64;
        let (w, c) = (Instant::now(), cpu_seconds());
        near.observe(b)?;
        sig_wall += w.elapsed().as_secs_f64();
        sig_cpu += cpu_seconds() - c;
        Ok(())
    })?;
    let (w, c) = (Instant::now(), cpu_seconds());
    near.finish()?;
    let (cluster_wall, cluster_cpu) = (w.elapsed().as_secs_f64(), cpu_seconds() - c);
    let (wall2, cpu2) = (wall0.elapsed().as_secs_f64(), cpu_seconds() - cpu0);

    // Pass 3: both apply; the excluded ids are written.
    let mut out = BufWriter::new(File::create(removed_out)?);
    let details_path: String = arg(&args, "--details", String::new())?;
    let mut details = if details_path.is_empty() {
        None
    } else {
        Some(BufWriter::new(File::create(&details_path)?))
    };
    let (mut exact_removed, mut near_removed) = (0u64, 0u64);
    for_each_batch(input, batch, |b| {
        apply_batch(&exact, b);
        apply_batch(&near, b);
        for d in b.iter() {
            if let Some(e) = d.exclusion() {
                if e.stage == "exact_dedup" {
                    exact_removed += 1;
                } else {
                    near_removed += 1;
                }
                writeln!(out, "{}", d.id)?;
                if let Some(w) = details.as_mut() {
                    writeln!(w, "{}\t{}\t{}", d.id, e.stage, e.detail)?;
                }
            }
        }
        Ok(())
    })?;
    out.flush()?;
    if let Some(mut w) = details {
        w.flush()?;
    }
    let (wall, cpu) = (wall0.elapsed().as_secs_f64(), cpu_seconds() - cpu0);

    let stats = near.stats();
    println!(
        "documents {docs}; exact duplicates removed {exact_removed}; near duplicates removed \
         {near_removed} in {} clusters; pairs compared {}, rejected {}; no words {}",
        stats.clusters, stats.pairs_compared, stats.pairs_rejected, stats.without_words
    );
    println!(
        "pass 1 (read + exact observe): {wall1:.2} s wall, {cpu1:.2} CPU-s; pass 2 (read + exact \
         apply + signatures + clusters): {:.2} s wall, {:.2} CPU-s",
        wall2 - wall1,
        cpu2 - cpu1
    );
    println!(
        "signatures ({observed} docs): {sig_wall:.2} s wall, {sig_cpu:.2} CPU-s = {:.0} docs/s, \
         {:.0} docs per CPU-s",
        observed as f64 / sig_wall,
        observed as f64 / sig_cpu
    );
    println!("buckets + clusters: {cluster_wall:.3} s wall, {cluster_cpu:.2} CPU-s");
    println!(
        "whole dedup (3 passes incl. JSON reading): {wall:.2} s wall, {cpu:.2} CPU-s = {:.0} docs/s, \
         {:.0} docs per CPU-s",
        docs as f64 / wall,
        docs as f64 / cpu
    );
    println!("peak RSS (VmHWM) {:.1} MB", peak_rss_mb());
    Ok(())
}
