//! "Kept as Dutch" per language and sentence length on held-out real sentences in Dutch,
//! Afrikaans, West Frisian, German and English (filters/data/langid/sentences.jsonl, see its
//! README): `cargo run --release -p zeef-filters --example langid_sentences [-- FILE.jsonl]`.
//!
//! `LANGUAGE_CONFIG='{"allowed": ["nl", "fy"]}'` sets options of the stage (the keys of its
//! `zeef.toml` table); `LANGID_ERRORS=1` prints the wrong decisions, `LANGID_ERRORS=all` every
//! decision.

use std::collections::BTreeMap;
use zeef_core::{Document, Stage};
use zeef_filters::{Language, LanguageConfig};

const LANGS: [&str; 5] = ["nl", "af", "fy", "de", "en"];
const BUCKETS: [&str; 3] = ["5-9", "10-14", "15+"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/langid/sentences.jsonl")
        });
    let config: LanguageConfig = match std::env::var("LANGUAGE_CONFIG") {
        Ok(json) => serde_json::from_str(&json).map_err(|e| format!("LANGUAGE_CONFIG: {e}"))?,
        Err(_) => LanguageConfig::default(),
    };
    let show = std::env::var("LANGID_ERRORS").ok();
    let show_all = show.as_deref() == Some("all");
    let stage = Language::new("language", config);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    // (lang, bucket) -> (right, total); lang -> detected label -> count.
    let mut cells: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    let mut labels: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let (lang, bucket) = (field("lang"), field("bucket"));
        let mut doc = Document::new("eval", field("src"), field("text"));
        stage.process(&mut doc);
        let right = doc.is_kept() == (lang == "nl");
        let cell = cells.entry((lang.clone(), bucket)).or_default();
        cell.0 += usize::from(right);
        cell.1 += 1;
        let detected = doc.lang.clone().unwrap_or_else(|| "-".into());
        *labels
            .entry(lang.clone())
            .or_default()
            .entry(detected.clone())
            .or_default() += 1;
        if show_all || (show.is_some() && !right) {
            let t: String = field("text").chars().take(160).collect();
            println!(
                "{} {lang} -> {detected} {:.2} [{}] {t}",
                if right { "OK " } else { "ERR" },
                doc.lang_score.unwrap_or(0.0),
                field("src")
            );
        }
    }
    let pct = |(a, b): (usize, usize)| {
        if b == 0 {
            "n/a".to_string()
        } else {
            format!("{:.1}% ({a}/{b})", 100.0 * a as f64 / b as f64)
        }
    };
    println!(
        "{}: right = Dutch kept, every other language excluded",
        path.display()
    );
    print!("{:<4}", "lang");
    for b in BUCKETS {
        print!(" {b:>20}");
    }
    println!(" {:>20}  detected as", "all");
    let mut totals: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for l in LANGS {
        print!("{l:<4}");
        let mut all = (0, 0);
        for b in BUCKETS {
            let c = cells
                .get(&(l.to_string(), b.to_string()))
                .copied()
                .unwrap_or((0, 0));
            all = (all.0 + c.0, all.1 + c.1);
            let t = totals.entry(b).or_default();
            *t = (t.0 + c.0, t.1 + c.1);
            print!(" {:>20}", pct(c));
        }
        let detected: Vec<String> = labels
            .get(l)
            .map(|m| m.iter().map(|(k, n)| format!("{k} {n}")).collect())
            .unwrap_or_default();
        println!(" {:>20}  {}", pct(all), detected.join(", "));
    }
    print!("{:<4}", "all");
    let mut all = (0, 0);
    for b in BUCKETS {
        let c = totals.get(b).copied().unwrap_or((0, 0));
        all = (all.0 + c.0, all.1 + c.1);
        print!(" {:>20}", pct(c));
    }
    println!(" {:>20}", pct(all));
    Ok(())
}
