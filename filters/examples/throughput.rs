//! Single-thread throughput of each cleaning stage and of the whole chain on the bundled demo
//! corpus: `cargo run --release -p zeef-filters --example throughput`.

use flate2::read::GzDecoder;
use std::io::{BufRead, BufReader};
use std::time::Instant;
use zeef_core::{Document, Stage};
use zeef_filters::*;

fn demo() -> Vec<Document> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/demo");
    let mut docs = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(f) = std::fs::File::open(dir.join(format!("{name}.jsonl.gz"))) else {
            continue;
        };
        for line in BufReader::new(GzDecoder::new(f))
            .lines()
            .map_while(Result::ok)
        {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                if let (Some(id), Some(text)) = (v["id"].as_str(), v["text"].as_str()) {
                    docs.push(Document::new(name.clone(), id, text));
                }
            }
        }
    }
    docs
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let docs = demo();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let eval = std::env::temp_dir().join("zeef-throughput-eval");
    std::fs::create_dir_all(&eval).map_err(|e| e.to_string())?;
    let item = serde_json::json!({ "text": docs.first().map(|d| d.text.as_str()).unwrap_or("") });
    std::fs::write(eval.join("eval.jsonl"), format!("{item}\n")).map_err(|e| e.to_string())?;
    let stages: Vec<Box<dyn Stage>> = vec![
        Box::new(Normalise::new("normalise", NormaliseConfig::default())),
        Box::new(Pii::new("pii", PiiConfig::default())?),
        Box::new(GopherQuality::new(
            "gopher_quality",
            GopherQualityConfig::default(),
        )),
        Box::new(GopherRepetition::new(
            "gopher_repetition",
            GopherRepetitionConfig::default(),
        )?),
        Box::new(C4::new("c4", C4Config::default())?),
        Box::new(FinewebQuality::new(
            "fineweb_quality",
            FinewebQualityConfig::default(),
        )),
        Box::new(BadWords::new("bad_words", BadWordsConfig::default())),
        Box::new(UrlBlocklist::new(
            "url_blocklist",
            UrlBlocklistConfig::default(),
        )?),
        Box::new(Confidential::new(
            "confidential",
            ConfidentialConfig::default(),
        )),
        Box::new(Decontaminate::new(
            "decontaminate",
            DecontaminateConfig {
                eval_dir: eval.clone(),
                field: "text".into(),
                ngram: 13,
                mode: DecontaminateMode::Flag,
            },
        )?),
    ];
    let rounds = 20;
    println!(
        "{} documents, {:.2} MB of text, {rounds} rounds, 1 thread",
        docs.len(),
        bytes as f64 / 1e6
    );
    let mut total = 0.0;
    for stage in &stages {
        let start = Instant::now();
        for _ in 0..rounds {
            for d in &docs {
                // Every stage sees every document (none skipped), so the figure is per byte read.
                let mut d = d.clone();
                stage.process(&mut d);
            }
        }
        let secs = start.elapsed().as_secs_f64();
        total += secs;
        println!(
            "{:<18} {:>8.1} MB/s",
            stage.name(),
            (bytes * rounds) as f64 / 1e6 / secs
        );
    }
    println!(
        "{:<18} {:>8.1} MB/s (all stages in sequence, clone cost included)",
        "chain",
        (bytes * rounds) as f64 / 1e6 / total
    );
    std::fs::remove_dir_all(eval).ok();
    Ok(())
}
