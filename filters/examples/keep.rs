//! What a cleaning chain keeps of a corpus, in documents and in words:
//! `zstdcat laws.jsonl.zst | cargo run --release -p zeef-filters --example keep -- CHAIN.json`.
//!
//! `CHAIN.json` is a list of stage tables as `zeef.toml` writes them, in JSON
//! (`[{"type": "normalise"}, {"type": "c4", "min_num_sentences": 3}]`); without it the demo's
//! cleaning chain runs with its defaults. Records are JSONL on standard input with a `text`
//! field. Documents count as Dutch when at least 15% of their words are common Dutch function
//! words that English, French and German do not share: the same stop-word test a reviewer uses
//! to leave the English and French treaties among the laws out of the Dutch figures.
//!
//! Prints documents and words kept of the Dutch documents, the exclusions per stage and reason,
//! and the words the line-level stages removed from documents they kept.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::BufRead;
use zeef_core::{Document, Stage};
use zeef_filters::*;

const DUTCH: &[&str] = &[
    "de", "het", "een", "van", "en", "op", "te", "dat", "die", "voor", "zijn", "met", "niet",
    "aan", "worden", "wordt", "bij", "door", "naar", "ook", "als", "deze", "of", "om", "tot",
    "uit", "over", "kan", "artikel", "wij", "hij", "zij", "ik", "geen", "nog", "maar", "dan",
];

fn is_dutch(text: &str) -> bool {
    let (mut n, mut nl) = (0usize, 0usize);
    for w in text.split_whitespace().take(2000) {
        n += 1;
        let w = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        nl += usize::from(DUTCH.contains(&w.as_str()));
    }
    n > 0 && nl * 100 >= n * 15
}

fn build(v: &Value) -> Result<Box<dyn Stage>, Box<dyn std::error::Error>> {
    let kind = v["type"].as_str().ok_or("a stage without a `type`")?;
    let mut cfg = v.clone();
    if let Some(o) = cfg.as_object_mut() {
        o.remove("type");
    }
    fn de<T: serde::de::DeserializeOwned>(kind: &str, v: Value) -> Result<T, String> {
        serde_json::from_value(v).map_err(|e| format!("{kind}: {e}"))
    }
    Ok(match kind {
        "normalise" => Box::new(Normalise::new(kind, de(kind, cfg)?)),
        "language" => Box::new(Language::new(kind, de(kind, cfg)?)),
        "min_length" => Box::new(MinLength::new(kind, de(kind, cfg)?)),
        "confidential" => Box::new(Confidential::new(kind, de(kind, cfg)?)),
        "gopher_quality" => Box::new(GopherQuality::new(kind, de(kind, cfg)?)),
        "gopher_repetition" => Box::new(GopherRepetition::new(kind, de(kind, cfg)?)?),
        "c4" => Box::new(C4::new(kind, de(kind, cfg)?)?),
        "fineweb_quality" => Box::new(FinewebQuality::new(kind, de(kind, cfg)?)),
        "bad_words" => Box::new(BadWords::new(kind, de(kind, cfg)?)),
        "pii" => Box::new(Pii::new(kind, de(kind, cfg)?)?),
        other => return Err(format!("stage type {other} is not a cleaning stage").into()),
    })
}

fn words(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let chain: Value = match std::env::args().nth(1) {
        Some(p) => {
            let s = std::fs::read_to_string(&p).map_err(|e| format!("{p}: {e}"))?;
            serde_json::from_str(&s).map_err(|e| format!("{p}: {e}"))?
        }
        None => serde_json::json!([
            {"type": "normalise"}, {"type": "language", "allowed": ["nl"], "min_score": 0.5},
            {"type": "confidential"}, {"type": "gopher_quality"}, {"type": "gopher_repetition"},
            {"type": "c4"}, {"type": "fineweb_quality"}, {"type": "bad_words"}, {"type": "pii"}
        ]),
    };
    let stages: Vec<Box<dyn Stage>> = chain
        .as_array()
        .ok_or("the chain is a JSON list of stage tables")?
        .iter()
        .map(build)
        .collect::<Result<_, _>>()?;
    let (mut docs, mut dutch, mut kept) = (0u64, 0u64, 0u64);
    let (mut words_in, mut words_out, mut words_in_kept) = (0u64, 0u64, 0u64);
    let mut excluded: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut removed: BTreeMap<String, u64> = BTreeMap::new();
    let mut excluded_other = 0u64;
    // `KEEP_SHOW=reason` prints the start of the first Dutch documents excluded for it.
    let show = std::env::var("KEEP_SHOW").ok();
    let mut shown = 0;
    // `KEEP_IDS=FILE` writes the `id` and verdict (`kept` or the reason) of every document, a
    // line each, to score a corpus with ground truth.
    let mut ids = match std::env::var("KEEP_IDS") {
        Ok(p) => Some(std::fs::File::create(&p).map_err(|e| format!("{p}: {e}"))?),
        Err(_) => None,
    };
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.map_err(|e| format!("stdin: {e}"))?;
        let v: Value = serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", i + 1))?;
        let text = v["text"].as_str().unwrap_or_default();
        docs += 1;
        let nl = is_dutch(text);
        let mut d = Document::new("keep", format!("stdin:{}", i + 1), text);
        let w0 = words(text);
        let mut cut = Vec::new();
        for s in &stages {
            let before = words(&d.text);
            s.process(&mut d);
            if !d.is_kept() {
                break;
            }
            cut.push((s.name().to_string(), before.saturating_sub(words(&d.text))));
        }
        if let Some(f) = ids.as_mut() {
            use std::io::Write;
            let verdict = d.exclusion().map_or("kept", |e| e.reason.code());
            writeln!(f, "{}\t{verdict}", v["id"].as_str().unwrap_or_default())
                .map_err(|e| e.to_string())?;
        }
        if !nl {
            excluded_other += u64::from(!d.is_kept());
            continue;
        }
        dutch += 1;
        words_in += w0;
        match d.exclusion() {
            Some(e) => {
                if show.as_deref() == Some(e.reason.code()) && shown < 5 {
                    shown += 1;
                    let start: String = d.text.chars().take(600).collect();
                    println!("--- {} ({})\n{start}\n", e.detail, v["id"]);
                }
                let k = excluded
                    .entry(format!("{} {}", e.stage, e.reason.code()))
                    .or_default();
                k.0 += 1;
                k.1 += w0;
            }
            None => {
                kept += 1;
                words_in_kept += w0;
                words_out += words(&d.text);
                for (s, n) in cut {
                    *removed.entry(s).or_default() += n;
                }
            }
        }
    }
    let pct = |a: u64, b: u64| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "{docs} documents, {dutch} Dutch ({} of the others excluded)",
        excluded_other
    );
    println!(
        "Dutch kept: {kept} of {dutch} documents ({:.1}%), {words_out} of {words_in} words ({:.1}%)",
        pct(kept, dutch),
        pct(words_out, words_in)
    );
    println!(
        "words removed from kept Dutch documents: {:.1}% of their words",
        pct(words_in_kept - words_out.min(words_in_kept), words_in_kept)
    );
    for (s, n) in &removed {
        if *n > 0 {
            println!(
                "  {s:<20} {n:>10} words removed ({:.2}%)",
                pct(*n, words_in_kept)
            );
        }
    }
    println!("Dutch documents excluded:");
    for (k, (n, w)) in &excluded {
        println!("  {k:<45} {n:>6} documents {w:>10} words");
    }
    Ok(())
}
