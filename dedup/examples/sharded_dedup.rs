//! Runs one phase of sharded exact + near deduplication over JSONL shards, as one task of an
//! array job would, and prints its CPU-seconds and peak RSS.
//!
//! ```text
//! sharded_dedup exact-hashes  SHARD.jsonl OUT.zxh
//! sharded_dedup exact-removals OUT.zrl HASHES.zxh...
//! sharded_dedup signatures    SHARD.jsonl EXACT.zrl OUT.zmh [--preset P]
//! sharded_dedup buckets       TASK TASKS OUT.zme SIGNATURES.zmh... [--preset P]
//! sharded_dedup clusters      OUT.zrl TASKS SIGNATURES.zmh... [--preset P]
//! sharded_dedup apply         SHARD.jsonl EXACT.zrl NEAR.zrl REMOVED_OUT.txt
//! ```
//!
//! `clusters` reads the edge files `OUT.zrl` sits next to as `edges-TASK.zme` for TASK in
//! 0..TASKS. SHARD.jsonl has one `{"id": ..., "text": ...}` per line; `apply` appends the ids
//! of the removed documents of its shard to REMOVED_OUT.txt (the format `eval_dedup.py`
//! reads). P is `fineweb` (default) or `high_recall`.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use zeef_core::{Document, GlobalStage};
use zeef_dedup::sharded::{exact_removals, near_edges, near_removals, ExactHashes};
use zeef_dedup::{LicenceRank, NearDedup, NearDedupConfig, NearDedupPreset, RemovalList};

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
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return f64::NAN;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
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

/// Streams a JSONL shard in batches of 1024 documents.
fn for_each_batch(
    path: &str,
    mut f: impl FnMut(&mut [Document]) -> Result<(), BoxError>,
) -> Result<u64, BoxError> {
    let mut lines = BufReader::with_capacity(1 << 20, File::open(path)?).lines();
    let mut n = 0u64;
    loop {
        let raw: Vec<String> = lines.by_ref().take(1024).collect::<Result<_, _>>()?;
        if raw.is_empty() {
            return Ok(n);
        }
        let mut docs = Vec::with_capacity(raw.len());
        for line in &raw {
            let r: Record = serde_json::from_str(line)?;
            docs.push(Document {
                id: r.id,
                text: r.text,
                source: "bench".into(),
                ..Document::default()
            });
        }
        n += docs.len() as u64;
        f(&mut docs)?;
    }
}

fn config(args: &[String]) -> Result<NearDedupConfig, BoxError> {
    let preset = match args.iter().position(|a| a == "--preset") {
        None => "fineweb",
        Some(i) => args.get(i + 1).map_or("", String::as_str),
    };
    match preset {
        "fineweb" => Ok(NearDedupPreset::Fineweb.config()),
        "high_recall" => Ok(NearDedupPreset::HighRecall.config()),
        other => Err(format!("unknown preset {other:?}: fineweb or high_recall").into()),
    }
}

/// The positional arguments, without `--preset P`.
fn positional(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
        } else if a == "--preset" {
            skip = true;
        } else {
            out.push(a.clone());
        }
    }
    out
}

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = config(&args)?;
    let p = positional(&args);
    let need = |n: usize| -> Result<(), BoxError> {
        if p.len() < n {
            Err(format!(
                "{}: too few arguments (see the example's documentation)",
                p[0]
            )
            .into())
        } else {
            Ok(())
        }
    };
    if p.is_empty() {
        return Err("usage: sharded_dedup PHASE ARGS... (see the example's documentation)".into());
    }
    let rank: LicenceRank = Arc::new(|_| 0);
    let (wall0, cpu0) = (Instant::now(), cpu_seconds());
    let docs: u64 = match p[0].as_str() {
        "exact-hashes" => {
            need(3)?;
            let mut hashes = ExactHashes::new(rank);
            let n = for_each_batch(&p[1], |b| {
                hashes.observe(b);
                Ok(())
            })?;
            hashes.save(Path::new(&p[2]))?;
            n
        }
        "exact-removals" => {
            need(3)?;
            let files: Vec<PathBuf> = p[2..].iter().map(PathBuf::from).collect();
            let list = exact_removals("exact_dedup", &files)?;
            list.save(Path::new(&p[1]))?;
            println!("exact duplicates: {}", list.len());
            list.len() as u64
        }
        "signatures" => {
            need(4)?;
            let exact = RemovalList::load(Path::new(&p[2]))?;
            let mut near = NearDedup::new("near_dedup", config, rank);
            let n = for_each_batch(&p[1], |b| {
                b.iter_mut().for_each(|d| exact.apply(d));
                near.observe(b)?;
                Ok(())
            })?;
            near.save_signatures(Path::new(&p[3]))?;
            n
        }
        "buckets" => {
            need(5)?;
            let (task, tasks): (usize, usize) = (p[1].parse()?, p[2].parse()?);
            let files: Vec<PathBuf> = p[4..].iter().map(PathBuf::from).collect();
            let s = near_edges("near_dedup", &config, &files, task, tasks, Path::new(&p[3]))?;
            println!(
                "bands {}, edges {}, pairs compared {}, rejected {}",
                s.bands, s.edges, s.pairs_compared, s.pairs_rejected
            );
            s.documents
        }
        "clusters" => {
            need(4)?;
            let out = Path::new(&p[1]);
            let tasks: usize = p[2].parse()?;
            let dir = out.parent().unwrap_or(Path::new("."));
            let edges: Vec<PathBuf> = (0..tasks)
                .map(|t| dir.join(format!("edges-{t}.zme")))
                .collect();
            let files: Vec<PathBuf> = p[3..].iter().map(PathBuf::from).collect();
            let (list, stats) = near_removals("near_dedup", &config, &files, &edges)?;
            list.save(out)?;
            println!(
                "near duplicates: {} in {} clusters",
                stats.duplicates, stats.clusters
            );
            stats.documents
        }
        "apply" => {
            need(5)?;
            let exact = RemovalList::load(Path::new(&p[2]))?;
            let near = RemovalList::load(Path::new(&p[3]))?;
            let mut out = BufWriter::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&p[4])?,
            );
            let n = for_each_batch(&p[1], |b| {
                for d in b.iter_mut() {
                    exact.apply(d);
                    near.apply(d);
                    if !d.is_kept() {
                        writeln!(out, "{}", d.id)?;
                    }
                }
                Ok(())
            })?;
            out.flush()?;
            n
        }
        other => return Err(format!("unknown phase {other}").into()),
    };
    let (wall, cpu) = (wall0.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
    println!(
        "{}: {docs} documents, {wall:.2} s wall, {cpu:.2} CPU-s, peak RSS {:.1} MB",
        p[0],
        peak_rss_mb()
    );
    Ok(())
}
