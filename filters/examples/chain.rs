//! Single-thread CPU time of each stage of the cleaning chain on a JSONL file, in chain order and
//! with excluded documents skipping later stages, as `zeef run` does:
//! `cargo run --release -p zeef-filters --example chain -- FILE.jsonl [ROUNDS]`.
//!
//! The chain is the one `shared/bench/dt_filter.py` runs in datatrove (language, Gopher
//! repetition, Gopher quality, C4, FineWeb, PII), with zeef's normalisation first. Reading and
//! parsing the file is not timed. CPU time comes from `/proc/thread-self/schedstat` where there
//! is one (Linux), so a loaded machine inflates the figures less than wall time would.
//! `LANGUAGE_CONFIG='{"max_bytes": 2048}'` sets options of the language stage.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use zeef_core::{Document, Stage};
use zeef_filters::*;

mod common;
use common::Clock;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: chain FILE.jsonl [ROUNDS]".to_string())?;
    let rounds: usize = args
        .next()
        .map_or(Ok(1), |r| r.parse())
        .map_err(|e| format!("{e}"))?;
    let file = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
    let mut docs = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("{path}: {e}"))?;
        let v: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| format!("{path}:{}: {e}", i + 1))?;
        let id = v["id"]
            .as_str()
            .map_or_else(|| (i + 1).to_string(), str::to_string);
        docs.push(Document::new("bench", id, v["text"].as_str().unwrap_or("")));
    }
    let bytes = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
    // The language stage's options as JSON (the keys of its `zeef.toml` table), to compare them.
    let language: LanguageConfig = match std::env::var("LANGUAGE_CONFIG") {
        Ok(json) => serde_json::from_str(&json).map_err(|e| format!("LANGUAGE_CONFIG: {e}"))?,
        Err(_) => LanguageConfig::default(),
    };
    let stages: Vec<Box<dyn Stage>> = vec![
        Box::new(Normalise::new("normalise", NormaliseConfig::default())),
        Box::new(Language::new("language", language)),
        Box::new(GopherRepetition::new(
            "gopher_repetition",
            GopherRepetitionConfig::default(),
        )?),
        Box::new(GopherQuality::new(
            "gopher_quality",
            GopherQualityConfig::default(),
        )),
        Box::new(C4::new("c4", C4Config::default())?),
        Box::new(FinewebQuality::new(
            "fineweb_quality",
            FinewebQualityConfig::default(),
        )),
        Box::new(Pii::new("pii", PiiConfig::default())?),
    ];
    let clock = Clock::start();
    let mut cpu = vec![0u64; stages.len()];
    let mut excluded: BTreeMap<String, usize> = BTreeMap::new();
    let mut kept = 0;
    for round in 0..rounds {
        let mut batch: Vec<Document> = docs.clone();
        // Stage by stage over the whole file, so the clock is read twice per stage, not per
        // document; the per-document result is the same as running all stages per document.
        for (k, stage) in stages.iter().enumerate() {
            let t = clock.now();
            for d in batch.iter_mut().filter(|d| d.is_kept()) {
                stage.process(d);
            }
            cpu[k] += clock.now() - t;
        }
        if round == 0 {
            for d in &batch {
                match d.exclusion() {
                    Some(e) => *excluded.entry(e.stage.clone()).or_default() += 1,
                    None => kept += 1,
                }
            }
        }
    }
    println!(
        "{}: {} documents, {:.2} MB, {rounds} round(s), 1 thread; kept {kept}",
        path,
        docs.len(),
        bytes as f64 / 1e6
    );
    let total: u64 = cpu.iter().sum();
    for (stage, ns) in stages.iter().zip(&cpu) {
        println!(
            "{:<18} {:>7.3} CPU-s per round  excluded {}",
            stage.name(),
            *ns as f64 / 1e9 / rounds as f64,
            excluded.get(stage.name()).copied().unwrap_or(0)
        );
    }
    let per_round = total as f64 / 1e9 / rounds as f64;
    println!(
        "{:<18} {:>7.3} CPU-s per round  {:.1} MB per CPU-s (stages only)",
        "chain",
        per_round,
        bytes as f64 / 1e6 / per_round
    );
    Ok(())
}
