//! `datasheet.md` and the EU AI Act public summary of training content (`ai-act-summary.md`,
//! `ai-act-summary.json`), filled from the run; what only a person can know is marked.

use crate::figures::Figures;
use crate::manifest::{Manifest, SourceInfo};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The marker for text only a person can write.
pub const TO_WRITE: &str = "**[to be written by the dataset's steward]**";

/// The configured stage types, in order.
pub(crate) fn stage_types(m: &Manifest) -> Vec<String> {
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

/// What a category of sources holds, and how much of it the run kept.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryShare {
    /// The sources in it.
    pub sources: Vec<String>,
    /// Documents read from them.
    pub documents_read: u64,
    /// Documents kept.
    pub documents_kept: u64,
    /// Words kept.
    pub words_kept: u64,
    /// Bytes of text kept.
    pub bytes_kept: u64,
    /// Kept documents over read documents (`null` when nothing was read).
    pub kept_share_of_read: Option<f64>,
    /// Kept words over all kept words: the category's share of the training data.
    pub share_of_training_data: Option<f64>,
}

/// One section of the AI Office's template, numbered as there.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// The template's number (`2.2.1`).
    pub number: String,
    /// The template's title.
    pub title: String,
    /// What the run could fill in.
    pub from_the_run: serde_json::Map<String, serde_json::Value>,
    /// What only the provider can fill in; empty when the run filled everything.
    pub to_be_completed_by_provider: Vec<String>,
}

/// `ai-act-summary.json`: the public summary of training content (AI Act Art. 53(1)(d)) in the
/// sections of the AI Office's template, each filled from the run or marked for the provider.
#[derive(Debug, Clone, Serialize)]
pub struct AiActSummary {
    /// The template followed.
    pub template: String,
    /// Sections 1.1 to 3.3, in order.
    pub sections: Vec<Section>,
}

/// The template's categories of sources a run can hold, by [`SourceInfo::category`] and
/// whether a licensed source names its rights holder.
fn category_of(s: &SourceInfo) -> &'static str {
    match s.category() {
        "crawled" => "2.3",
        "licensed" if s.rights_holder.is_some() => "2.2.1",
        "licensed" => "2.2.2",
        _ => "2.1",
    }
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
}

fn category_share(f: &Figures, m: &Manifest, number: &str) -> CategoryShare {
    let names: Vec<String> = m
        .run
        .sources
        .iter()
        .filter(|s| category_of(s) == number)
        .map(|s| s.name.clone())
        .collect();
    let mut c = CategoryShare {
        sources: names.clone(),
        documents_read: 0,
        documents_kept: 0,
        words_kept: 0,
        bytes_kept: 0,
        kept_share_of_read: None,
        share_of_training_data: None,
    };
    for b in f.sources.iter().filter(|b| names.contains(&b.key)) {
        c.documents_read += b.kept.documents + b.excluded.documents;
        c.documents_kept += b.kept.documents;
        c.words_kept += b.kept.words;
        c.bytes_kept += b.kept.bytes;
    }
    c.kept_share_of_read = share(c.documents_kept, c.documents_read);
    c.share_of_training_data = share(c.words_kept, f.kept.words);
    c
}

fn top_domains(f: &Figures) -> Vec<crate::figures::Domain> {
    let n = f.crawled_domains.len().div_ceil(10).max(1);
    f.crawled_domains.iter().take(n).cloned().collect()
}

/// The template's size range of a text modality.
fn token_range(tokens: u64) -> &'static str {
    if tokens < 1_000_000_000 {
        "less than 1 billion tokens"
    } else if tokens <= 10_000_000_000_000 {
        "1 billion to 10 trillion tokens"
    } else {
        "more than 10 trillion tokens"
    }
}

fn section(
    number: &str,
    title: &str,
    from_the_run: serde_json::Value,
    provider: &[&str],
) -> Section {
    Section {
        number: number.into(),
        title: title.into(),
        from_the_run: match from_the_run {
            serde_json::Value::Object(o) => o,
            _ => serde_json::Map::new(),
        },
        to_be_completed_by_provider: provider.iter().map(|s| s.to_string()).collect(),
    }
}

/// Builds the public summary; `crawl_period` is the first and last capture date of the kept
/// crawled documents.
pub fn ai_act(f: &Figures, m: &Manifest, crawl_period: Option<(String, String)>) -> AiActSummary {
    use serde_json::json;
    let stages = stage_types(m);
    let has = |t: &str| stages.iter().any(|s| s == t);
    let excluded_by = |codes: &[&str]| -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for s in f
            .funnel
            .iter()
            .filter(|s| codes.contains(&s.reason.as_str()))
        {
            *out.entry(s.reason.clone()).or_default() += s.volume.documents;
        }
        out
    };
    let tokens = f.tokens.as_ref().map(|t| t.values().sum::<u64>());
    let languages: Vec<serde_json::Value> = f
        .languages
        .iter()
        .filter(|l| l.kept.documents > 0)
        .map(|l| json!({"language": l.key, "documents": l.kept.documents, "words": l.kept.words}))
        .collect();
    let cat = |n: &str| category_share(f, m, n);
    let used = |c: &CategoryShare| !c.sources.is_empty();
    let public = cat("2.1");
    let by_holders = cat("2.2.1");
    let other_private = cat("2.2.2");
    let crawled = cat("2.3");
    let opt_out_codes = [
        "tdm_reserved",
        "robots_noai",
        "domain_opted_out",
        "withdrawn",
    ];
    let consent_codes = [
        "licence_denied",
        "licence_unknown",
        "no_agreement",
        "agreement_withdrawn",
        "agreement_expired",
        "purpose_not_granted",
    ];
    let illegal_codes = ["confidential_marking", "bad_words", "url_blocklisted"];
    let holders: Vec<serde_json::Value> = m
        .run
        .sources
        .iter()
        .filter(|s| category_of(s) == "2.2.1")
        .map(|s| json!({"source": s.name, "rights_holder": s.rights_holder, "agreement": s.agreement, "licence": s.licence}))
        .collect();

    let sections = vec![
        match crate::publication::Publication::of(m).provider {
            Some(p) => section(
                "1.1",
                "Provider identification",
                json!({"provider": p}),
                &["authorised representative, if any"],
            ),
            None => section(
                "1.1",
                "Provider identification",
                json!({}),
                &["provider name and contact details", "authorised representative, if any"],
            ),
        },
        section(
            "1.2",
            "Model identification",
            json!({"dataset": {"zeef_version": m.zeef_version, "configuration_hash": m.config_hash, "merkle_root": m.merkle_root}}),
            &["versioned model name", "model dependencies (models it was fine-tuned from)", "date of placement on the Union market"],
        ),
        section(
            "1.3",
            "Modalities, overall training data size and other characteristics",
            json!({
                "modalities": {"text": true, "image": false, "audio": false, "video": false, "other": false},
                "text_size": {"documents": f.kept.documents, "words": f.kept.words, "bytes": f.kept.bytes, "tokens": tokens,
                              "range": tokens.map(token_range)},
                "languages": languages,
                "licences_and_agreements_checked_on": m.reference_date,
            }),
            &[
                "types of text content (fiction, non-fiction, legal, news, ...)",
                "latest date of data collection, if later than the run",
                "training data of the model not produced by this run",
            ],
        ),
        section(
            "2.1",
            "Publicly available datasets",
            json!({"used": used(&public), "datasets": public}),
            if used(&public) { &["where each dataset can be found (URL)"] } else { &[] },
        ),
        section(
            "2.2",
            "Private non-publicly available datasets obtained from third parties",
            json!({"used": used(&by_holders) || used(&other_private)}),
            &[],
        ),
        section(
            "2.2.1",
            "Datasets commercially licensed by rightsholders or their representatives",
            json!({"used": used(&by_holders), "datasets": by_holders, "licensors": holders}),
            &[],
        ),
        section(
            "2.2.2",
            "Private datasets obtained from other third parties",
            json!({"used": used(&other_private), "datasets": other_private}),
            if used(&other_private) { &["who the datasets were obtained from"] } else { &[] },
        ),
        section(
            "2.3",
            "Data crawled and scraped from online sources",
            json!({
                "used": used(&crawled),
                "datasets": crawled,
                "period_of_collection": crawl_period.map(|(a, b)| json!({"first_capture": a, "last_capture": b})),
                "top_domains_by_size": top_domains(f),
                "domains_listed": "the top 10% of crawled domains by bytes of kept text (at least one)",
            }),
            if used(&crawled) {
                &["crawlers used: name, purpose and how they treat robots.txt", "type of content and online sources crawled"]
            } else {
                &[]
            },
        ),
        section(
            "2.4",
            "User data",
            json!({"used_in_this_dataset": false}),
            &["whether data from user interactions with the model or the provider's other services was used"],
        ),
        section(
            "2.5",
            "Synthetic AI-generated data",
            json!({"used_in_this_dataset": false}),
            &["whether synthetic data was used, and which models generated it"],
        ),
        section(
            "2.6",
            "Other sources of data",
            json!({"used_in_this_dataset": false}),
            &["any other data the model was trained on"],
        ),
        section(
            "3.1",
            "Respect of reservation of rights from the text and data mining exception or limitation",
            json!({
                "opt_out_stage_ran": has("opt_out"),
                "how": "Per document: the TDMRep header and meta tag, robots noai/noimageai directives and the source's declared reservations; every licence is checked against the policy and every agreement against the consent ledger on the reference date.",
                "documents_excluded_for_opt_out": excluded_by(&opt_out_codes),
                "documents_excluded_for_licence_or_consent": excluded_by(&consent_codes),
                "kept_share_of_crawled": crawled.kept_share_of_read,
            }),
            if used(&crawled) {
                &["how robots.txt was respected when crawling", "whether the provider signed the GPAI Code of Practice"]
            } else {
                &["whether the provider signed the GPAI Code of Practice"]
            },
        ),
        section(
            "3.2",
            "Removal of illegal content",
            json!({
                "measures": stages.iter().filter(|s| ["confidential", "bad_words", "url_blocklist", "pii"].contains(&s.as_str())).collect::<Vec<_>>(),
                "documents_excluded": excluded_by(&illegal_codes),
                "personal_data_occurrences_masked": f.pii.values().map(|v| v.1).sum::<u64>(),
            }),
            &["further measures against illegal content (CSAM, terrorist content, ...)"],
        ),
        section(
            "3.3",
            "Other information",
            json!({
                "pipeline_stages": stages,
                "exact_duplicates_removed": f.exact_duplicates,
                "near_duplicates_removed": f.near_duplicates,
                "documents_read": f.read.documents,
                "documents_kept": f.kept.documents,
            }),
            &[],
        ),
    ];
    AiActSummary {
        template: "Template for the Public Summary of Training Content for general-purpose AI models (AI Office, Art. 53(1)(d) AI Act)".into(),
        sections,
    }
}

/// A value inline: text as is, a flat object as `key value, ...`, a list of scalars joined.
fn inline(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(t) => t.clone(),
        Value::Null => "–".into(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) if a.is_empty() => "none".into(),
        Value::Array(a) => a.iter().map(inline).collect::<Vec<_>>().join(", "),
        Value::Object(o) if o.is_empty() => "none".into(),
        Value::Object(o) => o
            .iter()
            .map(|(k, v)| format!("{} {}", k.replace('_', " "), inline(v)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// One bullet per key; a list of objects gets one sub-bullet per element.
fn bullet(d: &mut String, k: &str, v: &serde_json::Value) {
    let key = k.replace('_', " ");
    match v.as_array() {
        Some(a) if a.iter().any(|x| x.is_object()) => {
            let _ = writeln!(d, "- {key}:");
            for x in a {
                let _ = writeln!(d, "  - {}", inline(x));
            }
        }
        _ => {
            let _ = writeln!(d, "- {key}: {}", inline(v));
        }
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
        "In the sections of the {}; filled from the zeef run. Items marked {TO_WRITE} are for the provider.\n",
        s.template
    );
    let parts = [
        ("1", "1. General information"),
        ("2", "2. List of data sources"),
        ("3", "3. Data processing aspects"),
    ];
    for (prefix, heading) in parts {
        let _ = writeln!(d, "## {heading}\n");
        for sec in s.sections.iter().filter(|x| x.number.starts_with(prefix)) {
            let level = if sec.number.matches('.').count() > 1 {
                "####"
            } else {
                "###"
            };
            let _ = writeln!(d, "{level} {} {}\n", sec.number, sec.title);
            if let Some(c) = sec.from_the_run.get("datasets") {
                if let Ok(c) = serde_json::from_value::<CategoryShareView>(c.clone()) {
                    let _ = writeln!(
                        d,
                        "Sources: {}. Read {} documents, kept {} ({}); {} words, {} bytes kept: {} of the training data.\n",
                        if c.sources.is_empty() { "none".into() } else { c.sources.join(", ") },
                        c.documents_read,
                        c.documents_kept,
                        pct(c.kept_share_of_read),
                        c.words_kept,
                        c.bytes_kept,
                        pct(c.share_of_training_data),
                    );
                }
            }
            for (k, v) in sec.from_the_run.iter().filter(|(k, _)| *k != "datasets") {
                if k == "top_domains_by_size" {
                    let list = v.as_array().cloned().unwrap_or_default();
                    if list.is_empty() {
                        let _ = writeln!(d, "- top domains by size: none");
                    } else {
                        let _ = writeln!(d, "- top domains by size:");
                    }
                    for dom in list {
                        let _ = writeln!(
                            d,
                            "  - {} ({} documents, {} bytes)",
                            dom["domain"].as_str().unwrap_or_default(),
                            dom["documents"],
                            dom["bytes"]
                        );
                    }
                    continue;
                }
                bullet(&mut d, k, v);
            }
            for p in &sec.to_be_completed_by_provider {
                let _ = writeln!(d, "- {p}: {TO_WRITE}");
            }
            d.push('\n');
        }
    }
    d
}

#[derive(serde::Deserialize)]
struct CategoryShareView {
    sources: Vec<String>,
    documents_read: u64,
    documents_kept: u64,
    words_kept: u64,
    bytes_kept: u64,
    kept_share_of_read: Option<f64>,
    share_of_training_data: Option<f64>,
}

fn pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{:.1}%", 100.0 * x))
}
