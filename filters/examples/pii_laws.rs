//! The personal-data stage on a corpus of Dutch legislation: how much it masks, outside and
//! inside signature blocks, and its single-thread speed:
//! `cargo run --release -p zeef-filters --example pii_laws -- [laws.jsonl.zst] [KINDS]`.
//!
//! Laws name no private persons in their articles, so nearly every span masked outside a
//! signature block is a false alarm; the ministers and officials who sign are named on purpose.
//! A span is counted as part of a signature block when its line holds nothing else but
//! signing words (`w.g.`, `(geteekend)`, an office such as `De Minister van Justitie,`, a role
//! such as `voorzitter`). KINDS is an optional comma-separated list of kinds (default all).
//! `PII_PUBLIC_OFFICIALS=keep` runs the stage with `public_officials = "keep"`: names in a
//! public role are then left in the text and counted apart, not as masked spans.
//! CPU time comes from `/proc/thread-self/schedstat` (Linux), wall time elsewhere; reading and
//! parsing the file are not timed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use zeef_core::{Document, Stage};
use zeef_filters::{Pii, PiiConfig, PiiKind, PublicOfficials};

mod common;
use common::Clock;

/// Whether the span `start..end` stands on a line of its own but for signing words.
fn in_signature(text: &str, start: usize, end: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let before = text[line_start..start].trim();
    let after = text[end..line_end].trim();
    let lower_before = before.to_lowercase();
    let office = [
        "de minister",
        "minister",
        "de staatssecretaris",
        "staatssecretaris",
        "van wege",
        "voorzitter",
        "de voorzitter",
        "de directeur",
        "directeur",
    ];
    let before_ok = before.is_empty()
        || [
            "w.g.",
            "(w.g.)",
            "get.",
            "(get.)",
            "(geteekend)",
            "(getekend)",
            "w.g",
        ]
        .contains(&lower_before.as_str())
        || (office.iter().any(|o| lower_before.starts_with(o)) && before.ends_with(','))
        || before.chars().all(|c| !c.is_alphanumeric());
    let after_ok = after
        .trim_matches(|c: char| !c.is_alphanumeric())
        .split_whitespace()
        .all(|w| {
            matches!(
                w.to_lowercase()
                    .trim_matches(|c: char| !c.is_alphanumeric()),
                "voorzitter" | "secretaris" | "secretarisgoedgekeurd" | "griffier" | "w.g" | ""
            )
        });
    before_ok && after_ok
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "/work/shared/data/laws/laws.jsonl.zst".to_string());
    let mut config = PiiConfig::default();
    if let Some(kinds) = args.next() {
        let list: Vec<String> = kinds.split(',').map(|k| format!("\"{k}\"")).collect();
        config.kinds = serde_json::from_str(&format!("[{}]", list.join(",")))
            .map_err(|e| format!("kinds {kinds}: {e}"))?;
    }
    let keep = match std::env::var("PII_PUBLIC_OFFICIALS").as_deref() {
        Ok("keep") => true,
        Ok("mask") | Err(_) => false,
        Ok(other) => return Err(format!("PII_PUBLIC_OFFICIALS: {other} (keep or mask)").into()),
    };
    if keep {
        config.public_officials = PublicOfficials::Keep;
    }
    let stage = Pii::new("pii", config)?;
    let file = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
    let reader = BufReader::new(zstd::Decoder::new(file).map_err(|e| format!("{path}: {e}"))?);
    let clock = Clock::start();
    let (mut docs, mut bytes, mut words, mut cpu_ns) = (0u64, 0u64, 0u64, 0u64);
    let mut outside: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut inside: BTreeMap<&'static str, u64> = BTreeMap::new();
    // Names in a public role that the stage left in the text (`keep`), outside and inside.
    let mut kept = [0u64; 2];
    let mut samples: Vec<String> = Vec::new();
    // PII_LAWS_SPANS=FILE writes every span outside signature blocks, for inspection.
    let mut dump = std::env::var_os("PII_LAWS_SPANS")
        .map(|p| std::fs::File::create(p).map(std::io::BufWriter::new))
        .transpose()
        .map_err(|e| format!("PII_LAWS_SPANS: {e}"))?;
    for line in reader.lines() {
        let line = line.map_err(|e| format!("{path}: {e}"))?;
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let (Some(id), Some(text)) = (v["id"].as_str(), v["text"].as_str()) else {
            continue;
        };
        docs += 1;
        bytes += text.len() as u64;
        words += text.split_whitespace().count() as u64;
        let mut doc = Document::new("laws", id, text);
        let t0 = clock.now();
        stage.process(&mut doc);
        cpu_ns += clock.now() - t0;
        for m in stage.find(text) {
            let kind: &'static str = m.kind.signal();
            let signature = in_signature(text, m.start, m.end);
            if keep && m.kind == PiiKind::NamePublicRole {
                kept[usize::from(signature)] += 1;
                continue;
            }
            if signature {
                *inside.entry(kind).or_default() += 1;
            } else {
                *outside.entry(kind).or_default() += 1;
                if let Some(f) = dump.as_mut() {
                    use std::io::Write;
                    let a = text[..m.start]
                        .char_indices()
                        .rev()
                        .nth(40)
                        .map_or(0, |(i, _)| i);
                    writeln!(
                        f,
                        "{kind}\t{}\t{id}\t{}",
                        &text[m.start..m.end].replace('\n', " "),
                        text[a..m.start].replace('\n', " ")
                    )
                    .map_err(|e| e.to_string())?;
                }
                if samples.len() < 40 && docs % 7 == 0 {
                    let a = text[..m.start]
                        .char_indices()
                        .rev()
                        .nth(30)
                        .map_or(0, |(i, _)| i);
                    let b = text[m.end..]
                        .char_indices()
                        .nth(20)
                        .map_or(text.len(), |(i, _)| m.end + i);
                    samples.push(format!(
                        "{id} {kind}: {}[[{}]]{}",
                        text[a..m.start].replace('\n', " "),
                        &text[m.start..m.end],
                        text[m.end..b].replace('\n', " ")
                    ));
                }
            }
        }
    }
    let per10k = |n: u64| n as f64 * 10_000.0 / words.max(1) as f64;
    println!(
        "{docs} documents, {:.1} MB, {words} words; pii stage {:.1} s CPU, {:.1} MB per CPU-second",
        bytes as f64 / 1e6,
        cpu_ns as f64 / 1e9,
        bytes as f64 / 1e6 / (cpu_ns as f64 / 1e9).max(1e-9)
    );
    println!("kind              outside  per 10k words  in signature blocks");
    let kinds: std::collections::BTreeSet<&str> =
        outside.keys().chain(inside.keys()).copied().collect();
    for k in kinds {
        let o = outside.get(k).copied().unwrap_or(0);
        let i = inside.get(k).copied().unwrap_or(0);
        println!("{k:<17} {o:>7}  {:>13.3}  {i:>8}", per10k(o));
    }
    let o: u64 = outside.values().sum();
    let i: u64 = inside.values().sum();
    println!("{:<17} {o:>7}  {:>13.3}  {i:>8}", "all masked", per10k(o));
    if keep {
        println!(
            "{:<17} {:>7}  {:>13.3}  {:>8}",
            "kept public role",
            kept[0],
            per10k(kept[0]),
            kept[1]
        );
    }
    let names = PiiKind::ALL
        .iter()
        .map(|k| k.signal())
        .collect::<Vec<_>>()
        .join(" ");
    println!("kinds looked for: {names}");
    println!("sample of spans outside signature blocks:");
    for s in samples {
        println!("  {s}");
    }
    Ok(())
}
