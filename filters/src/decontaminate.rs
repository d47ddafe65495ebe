//! Evaluation-set decontamination: documents that share a long word n-gram with an evaluation
//! set are dropped or flagged, so that benchmark scores of the trained model mean something.
//!
//! The n-gram test follows GPT-3 and the Llama/OLMo decontamination reports: 13 words, lower
//! case, punctuation ignored. An evaluation item shorter than 13 words cannot be matched this
//! way and is counted in [`Decontaminate::short_items`].

use flate2::read::GzDecoder;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_64_with_seed;
use zeef_core::{Document, Reason, Stage, HASH_SEED};

/// What happens to a contaminated document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecontaminateMode {
    /// Exclude it (`eval_contamination`).
    #[default]
    Drop,
    /// Keep it and set the signals only.
    Flag,
}

fn d_field() -> String {
    "text".to_string()
}
fn d_ngram() -> usize {
    13
}

/// Configuration of decontamination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecontaminateConfig {
    /// A folder of evaluation sets: every `*.jsonl` and `*.jsonl.gz` file in it (not in
    /// subfolders), one JSON object per line.
    pub eval_dir: PathBuf,
    /// The field holding the evaluation text. Default `text`.
    #[serde(default = "d_field")]
    pub field: String,
    /// n-gram length in words. Default 13.
    #[serde(default = "d_ngram")]
    pub ngram: usize,
    /// `drop` (default) or `flag`.
    #[serde(default)]
    pub mode: DecontaminateMode,
}

/// Drops or flags documents sharing an n-gram with the evaluation sets; sets
/// `decontaminate_ngram_hits` and `eval_contamination` (0/1).
pub struct Decontaminate {
    name: String,
    ngram: usize,
    mode: DecontaminateMode,
    /// n-gram hash → index into `files`.
    grams: HashMap<u64, u32>,
    files: Vec<String>,
    short_items: usize,
}

/// Lower-case words, punctuation ignored, each hashed; n-gram keys hash the window of word
/// hashes, so no n-gram string is ever built.
fn word_hashes(text: &str) -> Vec<u64> {
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| xxh3_64_with_seed(w.as_bytes(), HASH_SEED))
        .collect()
}

fn gram_keys(hashes: &[u64], n: usize) -> impl Iterator<Item = u64> + '_ {
    hashes.windows(n).map(|w| {
        let mut bytes = [0u8; 8 * 32];
        for (i, h) in w.iter().take(32).enumerate() {
            bytes[i * 8..i * 8 + 8].copy_from_slice(&h.to_le_bytes());
        }
        xxh3_64_with_seed(&bytes[..8 * w.len().min(32)], HASH_SEED)
    })
}

impl Decontaminate {
    /// Reads the evaluation sets; fails when the folder or a file cannot be read, a line is not
    /// JSON, or `ngram` is outside 1..=32.
    pub fn new(
        name: impl Into<String>,
        config: DecontaminateConfig,
    ) -> Result<Self, crate::ConfigError> {
        Self::build(name.into(), config).map_err(crate::ConfigError::wrap("decontaminate"))
    }

    fn build(name: String, config: DecontaminateConfig) -> Result<Self, String> {
        if !(1..=32).contains(&config.ngram) {
            return Err(format!(
                "decontaminate: ngram {} is not in 1..=32",
                config.ngram
            ));
        }
        let dir = &config.eval_dir;
        let entries = std::fs::read_dir(dir)
            .map_err(|e| format!("decontaminate eval_dir {}: {e}", dir.display()))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                p.is_file() && (n.ends_with(".jsonl") || n.ends_with(".jsonl.gz"))
            })
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(format!(
                "decontaminate eval_dir {}: no *.jsonl or *.jsonl.gz files",
                dir.display()
            ));
        }
        let mut grams = HashMap::new();
        let mut files = Vec::new();
        let mut short_items = 0;
        for (index, path) in paths.iter().enumerate() {
            files.push(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            for text in read_texts(path, &config.field)? {
                let hashes = word_hashes(&text);
                if hashes.len() < config.ngram {
                    short_items += usize::from(!hashes.is_empty());
                    continue;
                }
                for key in gram_keys(&hashes, config.ngram) {
                    grams.entry(key).or_insert(index as u32);
                }
            }
        }
        Ok(Decontaminate {
            name,
            ngram: config.ngram,
            mode: config.mode,
            grams,
            files,
            short_items,
        })
    }

    /// Evaluation items too short to hold one n-gram (they cannot be matched).
    pub fn short_items(&self) -> usize {
        self.short_items
    }

    /// Distinct n-grams of the evaluation sets.
    pub fn ngrams(&self) -> usize {
        self.grams.len()
    }
}

/// The `field` of every line of a JSONL file; a line that is not a JSON object, or lacks the
/// field, is an error naming the file and line.
fn read_texts(path: &Path, field: &str) -> Result<Vec<String>, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(GzDecoder::new(f))
    } else {
        Box::new(f)
    };
    let mut out = Vec::new();
    for (i, line) in BufReader::new(reader).lines().enumerate() {
        let line = line.map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        let text = v
            .get(field)
            .and_then(|t| t.as_str())
            .ok_or_else(|| format!("{}:{}: no string field {field:?}", path.display(), i + 1))?;
        out.push(text.to_string());
    }
    Ok(out)
}

impl Stage for Decontaminate {
    fn name(&self) -> &str {
        &self.name
    }

    fn signals(&self) -> Vec<&'static str> {
        vec!["decontaminate_ngram_hits", "eval_contamination"]
    }

    fn process(&self, doc: &mut Document) {
        let hashes = word_hashes(&doc.text);
        let mut hits = 0usize;
        let mut first_file: Option<u32> = None;
        if hashes.len() >= self.ngram {
            for key in gram_keys(&hashes, self.ngram) {
                if let Some(&f) = self.grams.get(&key) {
                    hits += 1;
                    first_file.get_or_insert(f);
                }
            }
        }
        doc.set_signal("decontaminate_ngram_hits", hits as f64);
        doc.set_signal("eval_contamination", f64::from(u8::from(hits > 0)));
        if hits > 0 && self.mode == DecontaminateMode::Drop {
            let file = first_file
                .and_then(|f| self.files.get(f as usize))
                .map_or("?", String::as_str);
            doc.exclude(
                &self.name,
                Reason::EvalContamination,
                format!(
                    "{hits} {}-grams shared with the evaluation sets (first in {file})",
                    self.ngram
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{check_stage, demo_doc, demo_docs};
    use std::io::Write;

    /// An evaluation folder holding one paragraph of a real rechtspraak ruling (reformatted:
    /// other case, punctuation and line breaks) and a short item.
    fn eval_dir(tag: &str) -> (PathBuf, String) {
        let ruling = demo_doc("ECLI:NL:CBB:2001:AA9497").text;
        let para = ruling
            .split("\n\n")
            .find(|p| p.split_whitespace().count() > 40)
            .expect("a long paragraph")
            .to_string();
        let dir =
            std::env::temp_dir().join(format!("zeef-decontaminate-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let mut f = std::fs::File::create(dir.join("vragen.jsonl")).expect("create");
        let item = serde_json::json!({ "text": para.to_uppercase().replace(',', " ,") });
        writeln!(f, "{item}").expect("write");
        writeln!(
            f,
            "{}",
            serde_json::json!({ "text": "Wat is de hoofdstad?" })
        )
        .expect("write");
        (dir, para)
    }

    #[test]
    fn drops_or_flags_documents_sharing_a_13_gram() {
        let (dir, _) = eval_dir("drop");
        let config = DecontaminateConfig {
            eval_dir: dir.clone(),
            field: "text".into(),
            ngram: 13,
            mode: DecontaminateMode::Drop,
        };
        let stage = Decontaminate::new("decontaminate", config.clone()).expect("build");
        assert_eq!(stage.short_items(), 1);
        let mut ruling = demo_doc("ECLI:NL:CBB:2001:AA9497");
        stage.process(&mut ruling);
        let e = ruling.exclusion().expect("contaminated");
        assert_eq!(e.reason, Reason::EvalContamination);
        assert!(e.detail.contains("vragen.jsonl"), "{}", e.detail);
        let mut other = demo_doc("arch-0010");
        stage.process(&mut other);
        assert!(other.is_kept());
        assert_eq!(other.signal("decontaminate_ngram_hits"), Some(0.0));

        let flag = Decontaminate::new(
            "decontaminate",
            DecontaminateConfig {
                mode: DecontaminateMode::Flag,
                ..config
            },
        )
        .expect("build");
        let mut ruling = demo_doc("ECLI:NL:CBB:2001:AA9497");
        flag.process(&mut ruling);
        assert!(ruling.is_kept());
        assert_eq!(ruling.signal("eval_contamination"), Some(1.0));
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn bad_eval_sets_are_configuration_errors() {
        let cfg = |p: &str| DecontaminateConfig {
            eval_dir: p.into(),
            field: "text".into(),
            ngram: 13,
            mode: DecontaminateMode::Drop,
        };
        assert!(Decontaminate::new("d", cfg("/no/such/dir")).is_err());
        let dir =
            std::env::temp_dir().join(format!("zeef-decontaminate-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("x.jsonl"), "{\"text\": \"ok\"}\nnot json\n").expect("write");
        let err = Decontaminate::new("d", cfg(&dir.to_string_lossy()))
            .err()
            .expect("a bad evaluation set is an error");
        assert_eq!(err.stage, "decontaminate");
        assert!(err.message.contains("x.jsonl:2"), "{err}");
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn keeps_the_contract() {
        let (dir, _) = eval_dir("contract");
        let config = DecontaminateConfig {
            eval_dir: dir.clone(),
            field: "text".into(),
            ngram: 13,
            mode: DecontaminateMode::Drop,
        };
        check_stage(
            &|| Box::new(Decontaminate::new("decontaminate", config.clone()).expect("build")),
            demo_docs().to_vec(),
        );
        std::fs::remove_dir_all(dir).ok();
    }
}
