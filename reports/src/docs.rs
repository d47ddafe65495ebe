//! `datasheet.md` and the EU AI Act public summary of training content (`ai-act-summary.md`,
//! `ai-act-summary.json`), filled from the run; what only a person can know is marked.

use crate::figures::Figures;
use crate::manifest::{Manifest, SourceInfo};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The marker for text only a person can write.
pub const TO_WRITE: &str = "**[to be written by the dataset's steward]**";

fn stage_types(m: &Manifest) -> Vec<String> {
    m.run
        .config
        .get("stage")
        .and_then(|s| s.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.get("type").and_then(|t| t.as_str()).map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn source_line(s: &SourceInfo, f: &Figures) -> String {
    let b = f.sources.iter().find(|b| b.key == s.name);
    format!(
        "| {} | {} | {} | {} | {} | {} | {} |",
        s.name,
        s.kind,
        s.licence.as_deref().unwrap_or("per record"),
        s.rights_holder.as_deref().unwrap_or("–"),
        s.agreement.as_deref().unwrap_or("–"),
        b.map_or(0, |b| b.kept.documents),
        b.map_or(0, |b| b.kept.words),
    )
}

/// Renders `datasheet.md` (after Gebru et al., *Datasheets for Datasets*).
pub fn datasheet(f: &Figures, m: &Manifest) -> String {
    let mut d = String::new();
    let _ = writeln!(d, "# Datasheet\n");
    let _ = writeln!(
        d,
        "Filled from the run by zeef {} (configuration hash `{}`, Merkle root `{}`). \
         Sections marked {TO_WRITE} need a person.\n",
        m.zeef_version, m.config_hash, m.merkle_root
    );
    let _ = writeln!(d, "## Motivation\n");
    let _ = writeln!(
        d,
        "- Purpose the data may be used for (from the licence policy): {}",
        m.run.purpose.as_deref().unwrap_or("(not declared)")
    );
    let _ = writeln!(d, "- Why the dataset was created, and by whom: {TO_WRITE}");
    let _ = writeln!(d, "- Who funded it: {TO_WRITE}\n");
    let _ = writeln!(d, "## Composition\n");
    let _ = writeln!(
        d,
        "{} documents, {} words, {} bytes of text kept, of {} documents read.\n",
        f.kept.documents, f.kept.words, f.kept.bytes, f.read.documents
    );
    let _ = writeln!(
        d,
        "| source | kind | licence | rights holder | agreement | kept documents | kept words |"
    );
    let _ = writeln!(d, "|---|---|---|---|---|---:|---:|");
    for s in &m.run.sources {
        let _ = writeln!(d, "{}", source_line(s, f));
    }
    let _ = writeln!(d, "\nLanguages (kept documents):\n");
    for l in f.languages.iter().filter(|l| l.kept.documents > 0) {
        let _ = writeln!(d, "- {}: {} documents", l.key, l.kept.documents);
    }
    let pii: u64 = f.pii.values().map(|v| v.1).sum();
    let _ = writeln!(
        d,
        "\nPersonal data: {pii} occurrences found in kept documents were replaced by \
         placeholders or fakes (see report.html for the kinds). Whether the data still relates \
         to identifiable people in other ways: {TO_WRITE}\n"
    );
    let _ = writeln!(d, "Is anything missing that should be there, or is the sample representative of a larger set: {TO_WRITE}\n");
    let _ = writeln!(d, "## Collection\n");
    let _ = writeln!(
        d,
        "Read from {} input files (listed with SHA-256 in manifest.json). Licences and \
         agreements checked on {}.",
        m.run.inputs.iter().filter(|i| i.role == "data").count(),
        m.reference_date.as_deref().unwrap_or("(no consent stage)")
    );
    let _ = writeln!(
        d,
        "How the sources were obtained, over which period, and who was involved: {TO_WRITE}\n"
    );
    let _ = writeln!(d, "## Preprocessing\n");
    let _ = writeln!(d, "Stages, in order: {}.\n", stage_types(m).join(" → "));
    let _ = writeln!(d, "| stage | reason | documents excluded |");
    let _ = writeln!(d, "|---|---|---:|");
    for s in &f.funnel {
        let _ = writeln!(d, "| {} | {} | {} |", s.stage, s.reason, s.volume.documents);
    }
    let _ = writeln!(
        d,
        "\nThe raw input is kept by its owners; every excluded document is in `excluded/` with its reason.\n"
    );
    let _ = writeln!(d, "## Uses\n");
    let _ = writeln!(d, "- Intended uses: {TO_WRITE}");
    let _ = writeln!(d, "- Uses to avoid: {TO_WRITE}");
    let _ = writeln!(
        d,
        "- Conditions of the agreements (consent ledger): {TO_WRITE}\n"
    );
    let _ = writeln!(d, "## Distribution\n");
    let _ = writeln!(
        d,
        "Licences of the kept text: {}.",
        f.licences
            .iter()
            .filter(|l| l.kept.documents > 0)
            .map(|l| l.key.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(d, "To whom and how it is distributed: {TO_WRITE}\n");
    let _ = writeln!(d, "## Maintenance\n");
    let _ = writeln!(
        d,
        "A rights holder's withdrawal produces a new dataset version (`zeef withdraw`); `zeef audit` \
         re-checks every kept document against the policy and the consent ledger as of the day it runs, \
         and `zeef lookup` answers whether a text is in the dataset."
    );
    let _ = writeln!(d, "Who maintains it and how to reach them: {TO_WRITE}");
    d
}

/// One category of the public summary's data sources.
#[derive(Debug, Clone, Serialize)]
pub struct SourceCategory {
    /// The template's category.
    pub category: String,
    /// Sources in it.
    pub sources: Vec<String>,
    /// Kept documents.
    pub documents: u64,
    /// Kept words.
    pub words: u64,
    /// Kept bytes.
    pub bytes: u64,
}

/// `ai-act-summary.json`: the sections of the AI Office's template for the public summary of
/// training content (AI Act Art. 53(1)(d)), filled from the run.
#[derive(Debug, Clone, Serialize)]
pub struct AiActSummary {
    /// 1. General information.
    pub general_information: BTreeMap<String, serde_json::Value>,
    /// 2. List of data sources, by category.
    pub data_sources: Vec<SourceCategory>,
    /// 2.3 Crawled data: the top domains by size (the top 10%, at least one).
    pub top_crawled_domains: Vec<crate::figures::Domain>,
    /// 3. Relevant data processing aspects.
    pub data_processing: BTreeMap<String, serde_json::Value>,
    /// Fields only the provider can fill.
    pub to_be_completed_by_provider: Vec<String>,
}

const CATEGORIES: [(&str, &str); 3] = [
    ("public_datasets", "Publicly available datasets"),
    (
        "licensed",
        "Private non-publicly available datasets obtained from third parties (licensed)",
    ),
    ("crawled", "Data crawled and scraped from online sources"),
];

fn top_domains(f: &Figures) -> Vec<crate::figures::Domain> {
    let n = f.crawled_domains.len().div_ceil(10).max(1);
    f.crawled_domains.iter().take(n).cloned().collect()
}

/// Builds the public summary.
pub fn ai_act(f: &Figures, m: &Manifest) -> AiActSummary {
    use serde_json::json;
    let stages = stage_types(m);
    let mut general = BTreeMap::new();
    general.insert("provider".into(), json!(TO_WRITE));
    general.insert("model_name".into(), json!(TO_WRITE));
    general.insert(
        "modalities".into(),
        json!({"text": true, "image": false, "audio": false, "video": false}),
    );
    general.insert(
        "training_data_size".into(),
        json!({"documents": f.kept.documents, "words": f.kept.words, "bytes": f.kept.bytes,
               "tokens": f.tokens.as_ref().map(|t| t.values().sum::<u64>())}),
    );
    general.insert(
        "languages".into(),
        json!(f
            .languages
            .iter()
            .filter(|l| l.kept.documents > 0)
            .map(
                |l| json!({"language": l.key, "documents": l.kept.documents, "words": l.kept.words})
            )
            .collect::<Vec<_>>()),
    );
    general.insert(
        "data_collected_until".into(),
        json!(m.reference_date.clone()),
    );
    let data_sources = CATEGORIES
        .iter()
        .map(|(code, title)| {
            let names: Vec<String> = m
                .run
                .sources
                .iter()
                .filter(|s| s.category() == *code)
                .map(|s| s.name.clone())
                .collect();
            let (mut documents, mut words, mut bytes) = (0, 0, 0);
            for b in f.sources.iter().filter(|b| names.contains(&b.key)) {
                documents += b.kept.documents;
                words += b.kept.words;
                bytes += b.kept.bytes;
            }
            SourceCategory {
                category: (*title).to_string(),
                sources: names,
                documents,
                words,
                bytes,
            }
        })
        .collect();
    let has = |t: &str| stages.iter().any(|s| s == t);
    let excluded_by = |codes: &[&str]| -> u64 {
        f.funnel
            .iter()
            .filter(|s| codes.contains(&s.reason.as_str()))
            .map(|s| s.volume.documents)
            .sum()
    };
    let mut processing = BTreeMap::new();
    processing.insert(
        "opt_out_measures".into(),
        json!({
            "text_and_data_mining_reservations_honoured": has("opt_out"),
            "how": "Per document: the TDMRep header and meta tag, robots noai/noimageai directives and the source's declared reservations; every licence is checked against the policy and every agreement against the consent ledger on the reference date.",
            "documents_excluded_for_opt_out": excluded_by(&["tdm_reserved", "robots_noai", "domain_opted_out", "withdrawn"]),
            "documents_excluded_for_licence_or_consent": excluded_by(&["licence_denied", "licence_unknown", "no_agreement", "agreement_withdrawn", "agreement_expired", "purpose_not_granted"]),
            "robots_txt_respected_when_crawling": TO_WRITE,
        }),
    );
    processing.insert(
        "illegal_content_removal".into(),
        json!({
            "measures": stages.iter().filter(|s| ["confidential", "bad_words", "url_blocklist", "pii"].contains(&s.as_str())).collect::<Vec<_>>(),
            "documents_excluded": excluded_by(&["confidential_marking", "bad_words", "url_blocklisted"]),
            "personal_data_occurrences_masked": f.pii.values().map(|v| v.1).sum::<u64>(),
            "other_measures": TO_WRITE,
        }),
    );
    processing.insert("pipeline_stages".into(), json!(stages));
    AiActSummary {
        general_information: general,
        data_sources,
        top_crawled_domains: top_domains(f),
        data_processing: processing,
        to_be_completed_by_provider: vec![
            "provider, model name and version".into(),
            "other training data not produced by this run (synthetic, user data)".into(),
            "robots.txt handling of any crawl that produced the crawled sources".into(),
            "further measures against illegal content".into(),
        ],
    }
}

/// Renders the public summary as Markdown.
pub fn ai_act_md(s: &AiActSummary) -> String {
    let mut d = String::new();
    let _ = writeln!(
        d,
        "# Public summary of training content (EU AI Act, Art. 53(1)(d))\n"
    );
    let _ = writeln!(
        d,
        "Following the sections of the AI Office's template; filled from the zeef run. Items marked \
         {TO_WRITE} are for the provider.\n"
    );
    let _ = writeln!(d, "## 1. General information\n");
    for (k, v) in &s.general_information {
        let v = match v {
            serde_json::Value::String(t) => t.clone(),
            other => format!("`{other}`"),
        };
        let _ = writeln!(d, "- {}: {v}", k.replace('_', " "));
    }
    let _ = writeln!(d, "\n## 2. List of data sources\n");
    let _ = writeln!(d, "| category | sources | documents | words | bytes |");
    let _ = writeln!(d, "|---|---|---:|---:|---:|");
    for c in &s.data_sources {
        let _ = writeln!(
            d,
            "| {} | {} | {} | {} | {} |",
            c.category,
            if c.sources.is_empty() {
                "none".to_string()
            } else {
                c.sources.join(", ")
            },
            c.documents,
            c.words,
            c.bytes
        );
    }
    let _ = writeln!(d, "\nUser data and synthetic data: {TO_WRITE}\n");
    let _ = writeln!(d, "### Crawled data: top domains by size\n");
    if s.top_crawled_domains.is_empty() {
        let _ = writeln!(d, "No crawled source in this run.");
    }
    for dom in &s.top_crawled_domains {
        let _ = writeln!(
            d,
            "- {} ({} documents, {} bytes)",
            dom.domain, dom.documents, dom.bytes
        );
    }
    let _ = writeln!(d, "\n## 3. Data processing\n");
    for (k, v) in &s.data_processing {
        let _ = writeln!(d, "### {}\n", k.replace('_', " "));
        match v {
            serde_json::Value::Object(o) => {
                for (kk, vv) in o {
                    let vv = match vv {
                        serde_json::Value::String(t) => t.clone(),
                        other => other.to_string(),
                    };
                    let _ = writeln!(d, "- {}: {vv}", kk.replace('_', " "));
                }
            }
            other => {
                let _ = writeln!(d, "{other}");
            }
        }
        d.push('\n');
    }
    d
}
