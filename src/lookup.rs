//! `zeef lookup`: answers a rights holder whether a text of theirs, or a near-duplicate of it,
//! is in a run's dataset and under which agreement, without showing any text.
//!
//! The texts are normalised as the run normalised its documents, then compared with every kept
//! document by exact hash and by the run's own MinHash-LSH near-duplicate configuration.

use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use zeef_core::{list_shards, text_hash, Document, GlobalStage, ShardReader, Stage};
use zeef_dedup::{LicenceRank, NearDedup, NearDedupConfig};
use zeef_filters::{Normalise, NormaliseConfig};

const BATCH: usize = 1024;
const QUERY_SOURCE: &str = "lookup query";

/// A kept document that matches a query, described without its text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// `exact` or `near`.
    pub kind: String,
    /// The document id.
    pub id: String,
    /// Its source.
    pub source: String,
    /// Its rights holder.
    pub rights_holder: Option<String>,
    /// The agreement it is in the dataset under.
    pub agreement: Option<String>,
    /// Its licence.
    pub licence: Option<String>,
    /// Estimated Jaccard similarity of the word 5-grams (1 for exact copies).
    pub similarity: f64,
}

/// The answer for one query text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// Where the query came from (`--text`, `FILE`, `FILE:LINE`).
    pub query: String,
    /// Matching kept documents; empty when the text is not in the dataset.
    pub matches: Vec<Match>,
}

/// One text to look up and where it came from.
pub struct Query {
    /// Where it came from.
    pub label: String,
    /// The text.
    pub text: String,
}

/// Reads query texts from a file: JSON Lines with a `text` field (`.jsonl`), else the whole
/// file is one text.
pub fn read_queries(path: &Path) -> Result<Vec<Query>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let is_jsonl = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
    if !is_jsonl {
        return Ok(vec![Query {
            label: path.display().to_string(),
            text,
        }]);
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not JSON", path.display(), i + 1))?;
        let t = v
            .get("text")
            .and_then(|t| t.as_str())
            .or_else(|| v.as_str())
            .with_context(|| format!("{}:{}: no `text` field", path.display(), i + 1))?;
        out.push(Query {
            label: format!("{}:{}", path.display(), i + 1),
            text: t.to_string(),
        });
    }
    Ok(out)
}

/// The settings of the run's stage of type `kind`, if it ran one.
fn stage_config<T: serde::de::DeserializeOwned>(
    config: &serde_json::Value,
    kind: &str,
) -> Result<Option<T>> {
    let Some(stages) = config.get("stage").and_then(|s| s.as_array()) else {
        return Ok(None);
    };
    for s in stages {
        if s.get("type").and_then(|t| t.as_str()) == Some(kind) {
            let mut s = s.clone();
            if let Some(o) = s.as_object_mut() {
                o.remove("type");
            }
            return Ok(Some(
                serde_json::from_value(s)
                    .with_context(|| format!("the manifest's `{kind}` settings"))?,
            ));
        }
    }
    Ok(None)
}

/// Looks up `queries` in the run folder `dir`.
pub fn lookup(dir: &Path, queries: &[Query]) -> Result<Vec<Answer>> {
    let manifest = zeef_reports::manifest::load(dir)?;
    let config = &manifest.run.config;
    let normalise = stage_config::<NormaliseConfig>(config, "normalise")?
        .map(|c| Normalise::new("normalise", c));
    let near_config = stage_config::<NearDedupConfig>(config, "near_dedup")?.unwrap_or_default();
    near_config
        .validate()
        .map_err(|e| anyhow::anyhow!("near_dedup settings: {e}"))?;
    // Every member ranks the same: clusters, not keep decisions, are what is asked for.
    let rank: LicenceRank = Arc::new(|_| 0);
    let mut near = NearDedup::new("lookup", near_config, rank);

    let qdocs: Vec<Document> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let mut d = Document::new(QUERY_SOURCE, format!("query:{i}"), q.text.clone());
            d.id = format!("\u{0}query:{i:08}");
            d.priority = i32::MIN;
            if let Some(n) = &normalise {
                n.process(&mut d);
            }
            d
        })
        .collect();
    let mut by_hash: HashMap<u128, Vec<usize>> = HashMap::new();
    for (i, d) in qdocs.iter().enumerate() {
        by_hash.entry(text_hash(&d.text)).or_default().push(i);
    }
    near.observe(&qdocs)?;

    let mut answers: Vec<Answer> = queries
        .iter()
        .map(|q| Answer {
            query: q.label.clone(),
            matches: Vec::new(),
        })
        .collect();
    for path in list_shards(&dir.join("output"))? {
        for batch in ShardReader::open(&path, BATCH)? {
            let batch = batch?;
            for d in &batch {
                if let Some(qs) = by_hash.get(&text_hash(&d.text)) {
                    for &q in qs {
                        answers[q].matches.push(describe(d, "exact", 1.0));
                    }
                }
            }
            near.observe(&batch)?;
        }
    }
    near.finish()?;
    // Query → (document id, similarity) of its near-duplicate clusters.
    let mut wanted: HashMap<String, Vec<(usize, f64)>> = HashMap::new();
    for c in near.clusters() {
        let members: Vec<(&str, f64)> = std::iter::once((c.kept.id.as_str(), 1.0))
            .chain(c.removed.iter().map(|(k, j)| (k.id.as_str(), *j)))
            .collect();
        for (qid, qj) in &members {
            let Some(q) = qid
                .strip_prefix("\u{0}query:")
                .and_then(|n| n.parse::<usize>().ok())
            else {
                continue;
            };
            for (id, _) in &members {
                if id.starts_with("\u{0}query:") {
                    continue;
                }
                // The estimate is the query's similarity to the cluster's kept member, the
                // one every member was merged against.
                wanted.entry((*id).to_string()).or_default().push((q, *qj));
            }
        }
    }
    if !wanted.is_empty() {
        // A second pass fetches the few matching documents' metadata, so memory stays bounded.
        for path in list_shards(&dir.join("output"))? {
            for batch in ShardReader::open(&path, BATCH)? {
                for d in batch? {
                    let Some(hits) = wanted.get(&d.id) else {
                        continue;
                    };
                    for &(q, sim) in hits {
                        if !answers[q].matches.iter().any(|m| m.id == d.id) {
                            answers[q].matches.push(describe(&d, "near", sim));
                        }
                    }
                }
            }
        }
    }
    for a in &mut answers {
        a.matches.sort_by(|x, y| {
            y.similarity
                .total_cmp(&x.similarity)
                .then_with(|| x.id.cmp(&y.id))
        });
    }
    Ok(answers)
}

fn describe(d: &Document, kind: &str, similarity: f64) -> Match {
    Match {
        kind: kind.into(),
        id: d.id.clone(),
        source: d.source.clone(),
        rights_holder: d.rights_holder.clone(),
        agreement: d.agreement_id.clone(),
        licence: d.license.clone(),
        similarity: (similarity * 100.0).round() / 100.0,
    }
}

/// Renders answers for a person.
pub fn render(answers: &[Answer]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for a in answers {
        if a.matches.is_empty() {
            let _ = writeln!(s, "{}: not in the dataset", a.query);
            continue;
        }
        let _ = writeln!(
            s,
            "{}: IN THE DATASET ({} document(s))",
            a.query,
            a.matches.len()
        );
        for m in &a.matches {
            let _ = writeln!(
                s,
                "  {} copy {} (similarity {:.2}) from source {}, rights holder {}, agreement {}, licence {}",
                m.kind,
                m.id,
                m.similarity,
                m.source,
                m.rights_holder.as_deref().unwrap_or("(none)"),
                m.agreement.as_deref().unwrap_or("(none)"),
                m.licence.as_deref().unwrap_or("(none)")
            );
        }
    }
    let found = answers.iter().filter(|a| !a.matches.is_empty()).count();
    let _ = writeln!(s, "{found} of {} text(s) found", answers.len());
    s
}
