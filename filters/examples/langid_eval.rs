//! Language-identification accuracy on held-out real text in Dutch, Afrikaans, West Frisian,
//! German and English (filters/data/langid/eval.jsonl, see its README):
//! `cargo run --release -p zeef-filters --example langid_eval [-- EVAL.jsonl]`.
//!
//! For single sentences and for 5-sentence paragraphs, and for whatlang alone and with the
//! `stopwords` second opinion, at the default `min_score`: the confusion matrix (true language x
//! detected language, `-` = nothing detected), per true language the share whose "is Dutch"
//! decision is right, per detected label precision and recall, precision / recall / F1 of
//! "kept as Dutch", and throughput. `LANGID_ERRORS=1` also prints the wrong decisions.

use std::collections::BTreeMap;
use std::time::Instant;
use zeef_core::{Document, Stage};
use zeef_filters::{Language, LanguageConfig};

const LANGS: [&str; 5] = ["nl", "af", "fy", "de", "en"];

struct Unit {
    lang: String,
    unit: String,
    src: String,
    text: String,
}

fn load(path: &std::path::Path) -> Result<Vec<Unit>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut units = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        units.push(Unit {
            lang: field("lang"),
            unit: field("unit"),
            src: field("src"),
            text: field("text"),
        });
    }
    Ok(units)
}

struct Outcome {
    detected: String,
    kept: bool,
}

fn run(stage: &Language, units: &[&Unit]) -> Vec<Outcome> {
    units
        .iter()
        .map(|u| {
            let mut doc = Document::new("eval", &u.src, u.text.as_str());
            stage.process(&mut doc);
            Outcome {
                detected: doc.lang.clone().unwrap_or_else(|| "-".to_string()),
                kept: doc.is_kept(),
            }
        })
        .collect()
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "   n/a".to_string()
    } else {
        format!("{:6.1}", 100.0 * a as f64 / b as f64)
    }
}

/// Prints the tables for one unit kind and one configuration; returns (TP, FP, FN, TN) of
/// "kept as Dutch".
fn report(units: &[&Unit], out: &[Outcome], show_errors: bool) -> (usize, usize, usize, usize) {
    // Columns: the five languages, every other detected language lumped as "other", and "-" for
    // nothing detected.
    let mut cols: Vec<String> = LANGS.iter().map(|s| s.to_string()).collect();
    cols.push("other".to_string());
    cols.push("-".to_string());
    let column = |d: &str| -> &str {
        if LANGS.contains(&d) || d == "-" {
            LANGS.iter().find(|l| **l == d).copied().unwrap_or("-")
        } else {
            "other"
        }
    };
    let mut matrix: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (u, o) in units.iter().zip(out) {
        *matrix
            .entry((u.lang.as_str(), column(&o.detected)))
            .or_default() += 1;
    }
    print!("    true\\detected");
    for c in &cols {
        print!(" {c:>5}");
    }
    println!(" | kept-as-nl  decision-acc");
    let (mut tp, mut fp, mut fneg, mut tn) = (0, 0, 0, 0);
    for l in LANGS {
        let idx: Vec<usize> = (0..units.len()).filter(|&i| units[i].lang == l).collect();
        if idx.is_empty() {
            continue;
        }
        print!("    {l:>15}");
        for c in &cols {
            print!(" {:>5}", matrix.get(&(l, c.as_str())).copied().unwrap_or(0));
        }
        let kept = idx.iter().filter(|&&i| out[i].kept).count();
        let right = if l == "nl" { kept } else { idx.len() - kept };
        if l == "nl" {
            tp += kept;
            fneg += idx.len() - kept;
        } else {
            fp += kept;
            tn += idx.len() - kept;
        }
        println!(" | {kept:>4}/{:<4}  {}%", idx.len(), pct(right, idx.len()));
    }
    print!("    label precision");
    for c in &cols {
        let predicted = out.iter().filter(|o| column(&o.detected) == c).count();
        let right = matrix.get(&(c.as_str(), c.as_str())).copied().unwrap_or(0);
        print!(" {}", &pct(right, predicted)[1..]);
    }
    println!();
    print!("    label recall   ");
    for c in &cols {
        let actual = units.iter().filter(|u| &u.lang == c).count();
        let right = matrix.get(&(c.as_str(), c.as_str())).copied().unwrap_or(0);
        print!(" {}", &pct(right, actual)[1..]);
    }
    println!();
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fneg).max(1) as f64;
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    println!(
        "    is-Dutch: precision {:.1}%  recall {:.1}%  F1 {:.3}  accuracy {}%  (TP {tp} FP {fp} FN {fneg} TN {tn})",
        100.0 * p,
        100.0 * r,
        f1,
        pct(tp + tn, units.len()).trim()
    );
    if show_errors {
        for (u, o) in units.iter().zip(out) {
            if o.kept != (u.lang == "nl") {
                let t: String = u.text.chars().take(160).collect();
                println!("      ERR {} -> {} [{}] {t}", u.lang, o.detected, u.src);
            }
        }
    }
    (tp, fp, fneg, tn)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/langid/eval.jsonl")
        });
    let units = load(&path)?;
    let show_errors = std::env::var_os("LANGID_ERRORS").is_some();
    let defaults = LanguageConfig::default();
    println!(
        "{}: {} units; default allowed {:?}, min_score {}, default second_opinion {:?}",
        path.display(),
        units.len(),
        defaults.allowed,
        defaults.min_score,
        defaults.second_opinion
    );
    // Each row adds one part of the default: whatlang over all its languages, over the default
    // candidates only, with the stopword second opinion, with the marker-word first pass.
    let configs = [
        (
            "whatlang, all languages",
            serde_json::json!({ "second_opinion": "none", "candidates": ["*"], "first_pass": false }),
        ),
        (
            "whatlang",
            serde_json::json!({ "second_opinion": "none", "first_pass": false }),
        ),
        (
            "whatlang + stopwords",
            serde_json::json!({ "second_opinion": "stopwords", "first_pass": false }),
        ),
        ("+ first pass (default)", serde_json::json!({})),
    ];
    let mut summary = Vec::new();
    for kind in ["sentence", "paragraph"] {
        let sel: Vec<&Unit> = units.iter().filter(|u| u.unit == kind).collect();
        let bytes: usize = sel.iter().map(|u| u.text.len()).sum();
        for (name, options) in &configs {
            let name = *name;
            // The options as a `[[stage]]` table of zeef.toml sets them.
            let config: LanguageConfig =
                serde_json::from_value(options.clone()).map_err(|e| e.to_string())?;
            let stage = Language::new("language", config);
            println!(
                "\n== {kind}s ({} units, mean {} bytes), {name}",
                sel.len(),
                bytes / sel.len().max(1)
            );
            let out = run(&stage, &sel);
            let (tp, fp, fneg, tn) = report(&sel, &out, show_errors);
            // Throughput: repeat until at least 0.5 s has passed.
            let start = Instant::now();
            let mut reps = 0usize;
            while start.elapsed().as_secs_f64() < 0.5 {
                std::hint::black_box(run(&stage, &sel));
                reps += 1;
            }
            let secs = start.elapsed().as_secs_f64();
            let docs_s = (reps * sel.len()) as f64 / secs;
            let mb_s = (reps * bytes) as f64 / secs / 1e6;
            println!("    throughput (1 thread): {docs_s:.0} units/s, {mb_s:.2} MB/s");
            summary.push((kind, name, tp, fp, fneg, tn, docs_s, mb_s));
        }
    }
    println!(
        "\n== summary: \"kept as Dutch\" at min_score {}",
        defaults.min_score
    );
    println!(
        "    {:<10} {:<24} {:>9} {:>9} {:>9} {:>8} {:>10} {:>8}",
        "unit", "config", "precision", "recall", "accuracy", "FP", "units/s", "MB/s"
    );
    for (kind, name, tp, fp, fneg, tn, docs_s, mb_s) in summary {
        println!(
            "    {:<10} {:<24} {:>8}% {:>8}% {:>8}% {:>8} {:>10.0} {:>8.2}",
            kind,
            name,
            pct(tp, tp + fp).trim(),
            pct(tp, tp + fneg).trim(),
            pct(tp + tn, tp + fp + fneg + tn).trim(),
            fp,
            docs_s,
            mb_s
        );
    }
    Ok(())
}
