//! The language stage alone on a JSONL file (field `text`; `-` reads standard input): documents
//! per detected language, kept, and single-thread CPU time:
//! `zstdcat /work/shared/data/laws/laws.jsonl.zst | cargo run --release -p zeef-filters
//! --example language_file -- - [ROUNDS]`.
//!
//! Reading and parsing are not timed. CPU time comes from `/proc/thread-self/schedstat` where
//! there is one (Linux). `LANGUAGE_CONFIG='{"first_pass": false}'` sets options of the stage.
//! MB are the bytes of the documents' texts (the stage reads at most `max_bytes` of each).
//! `LANGUAGE_LABELS=FILE` writes `id`, language, score and kept (0/1) of every document, tab
//! separated, to compare two settings.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use zeef_core::{Document, Stage};
use zeef_filters::{Language, LanguageConfig};

mod common;
use common::Clock;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: language_file FILE.jsonl|- [ROUNDS]".to_string())?;
    let rounds: usize = args
        .next()
        .map_or(Ok(1), |r| r.parse())
        .map_err(|e| format!("{e}"))?;
    let config: LanguageConfig = match std::env::var("LANGUAGE_CONFIG") {
        Ok(json) => serde_json::from_str(&json).map_err(|e| format!("LANGUAGE_CONFIG: {e}"))?,
        Err(_) => LanguageConfig::default(),
    };
    let input: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?)
    };
    let mut docs = Vec::new();
    for (i, line) in BufReader::new(input).lines().enumerate() {
        let line = line.map_err(|e| format!("{path}: {e}"))?;
        let v: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| format!("{path}:{}: {e}", i + 1))?;
        let id = v["id"]
            .as_str()
            .map_or_else(|| (i + 1).to_string(), str::to_string);
        docs.push(Document::new("file", id, v["text"].as_str().unwrap_or("")));
    }
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let stage = Language::new("language", config);
    let clock = Clock::start();
    let mut ns = 0u64;
    let mut langs: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for round in 0..rounds {
        let mut batch = docs.clone();
        let t = clock.now();
        for d in &mut batch {
            stage.process(d);
        }
        ns += clock.now() - t;
        if round == 0 {
            if let Ok(out) = std::env::var("LANGUAGE_LABELS") {
                let mut tsv = String::new();
                for d in &batch {
                    tsv.push_str(&format!(
                        "{}\t{}\t{:.3}\t{}\n",
                        d.locator,
                        d.lang.as_deref().unwrap_or("-"),
                        d.lang_score.unwrap_or(0.0),
                        u8::from(d.is_kept())
                    ));
                }
                std::fs::write(&out, tsv).map_err(|e| format!("{out}: {e}"))?;
            }
            for d in &batch {
                let e = langs
                    .entry(d.lang.clone().unwrap_or_else(|| "-".into()))
                    .or_default();
                e.0 += 1;
                e.1 += usize::from(d.is_kept());
            }
        }
    }
    let secs = ns as f64 / 1e9 / rounds as f64;
    let kept: usize = langs.values().map(|v| v.1).sum();
    println!(
        "{path}: {} documents, {:.1} MB of text, {rounds} round(s), 1 thread; kept {kept}",
        docs.len(),
        bytes as f64 / 1e6
    );
    let mut by_count: Vec<_> = langs.into_iter().collect();
    by_count.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    let line: Vec<String> = by_count
        .iter()
        .map(|(l, (n, k))| format!("{l} {n} (kept {k})"))
        .collect();
    println!("detected: {}", line.join(", "));
    println!(
        "language stage: {secs:.3} CPU-s per round, {:.1} MB per CPU-s, {:.0} documents per CPU-s",
        bytes as f64 / 1e6 / secs,
        docs.len() as f64 / secs
    );
    Ok(())
}
