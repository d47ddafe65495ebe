//! `croissant.json` (MLCommons Croissant 1.0 with its Responsible-AI `rai:` properties) and
//! `README.md`, a Hugging Face dataset card, for the output shards of a run.
//!
//! Croissant: the dataset (`sc:Dataset`, `conformsTo` `http://mlcommons.org/croissant/1.0`),
//! one `cr:FileObject` per output shard with its SHA-256 (the manifest's, checked by
//! `zeef audit`), a `cr:FileSet` over `output/*.parquet`, a `documents` record set with one
//! `cr:Field` per shard column, and a `sources` record set listing every source with its
//! licence, rights holder and kept volume. What the run cannot know comes from `[publication]`
//! in `zeef.toml` ([`Publication`]: `url`, `creator`, `datePublished`, `version`) or is left
//! out rather than made up, and the dataset card lists what is still missing.

use crate::docs::TO_WRITE;
use crate::figures::Figures;
use crate::manifest::Manifest;
use crate::publication::Publication;
use crate::{Error, Result};
use serde_json::{json, Map, Value};
use std::fmt::Write;
use std::path::Path;

/// The Croissant version the file conforms to.
pub const CONFORMS_TO: &str = "http://mlcommons.org/croissant/1.0";
/// The media type Croissant uses for Parquet.
pub const PARQUET: &str = "application/x-parquet";

/// The JSON-LD context of Croissant 1.0 (the specification's, with the `rai` and `dct`
/// prefixes the RAI extension and `conformsTo` need).
fn context() -> Value {
    json!({
        "@language": "en",
        "@vocab": "https://schema.org/",
        "citeAs": "cr:citeAs",
        "column": "cr:column",
        "conformsTo": "dct:conformsTo",
        "cr": "http://mlcommons.org/croissant/",
        "rai": "http://mlcommons.org/croissant/RAI/",
        "data": {"@id": "cr:data", "@type": "@json"},
        "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
        "dct": "http://purl.org/dc/terms/",
        "examples": {"@id": "cr:examples", "@type": "@json"},
        "extract": "cr:extract",
        "field": "cr:field",
        "fileProperty": "cr:fileProperty",
        "fileObject": "cr:fileObject",
        "fileSet": "cr:fileSet",
        "format": "cr:format",
        "includes": "cr:includes",
        "isLiveDataset": "cr:isLiveDataset",
        "jsonPath": "cr:jsonPath",
        "key": "cr:key",
        "md5": "cr:md5",
        "parentField": "cr:parentField",
        "path": "cr:path",
        "recordSet": "cr:recordSet",
        "references": "cr:references",
        "regex": "cr:regex",
        "repeated": "cr:repeated",
        "replace": "cr:replace",
        "sc": "https://schema.org/",
        "separator": "cr:separator",
        "source": "cr:source",
        "subField": "cr:subField",
        "transform": "cr:transform"
    })
}

/// A licence as Croissant prefers it: the SPDX page of a listed identifier, else the text.
fn licence_ref(id: &str) -> String {
    if id.starts_with("LicenseRef-") || id == "(none)" || id.contains(' ') {
        id.to_string()
    } else {
        format!("https://spdx.org/licenses/{id}.html")
    }
}

/// The Croissant data type of an Arrow column type.
fn data_type(arrow: &str) -> &'static str {
    match arrow {
        "Utf8" | "LargeUtf8" => "sc:Text",
        "Float32" | "Float64" => "sc:Float",
        "Int8" | "Int16" | "Int32" | "Int64" | "UInt8" | "UInt16" | "UInt32" | "UInt64" => {
            "sc:Integer"
        }
        "Boolean" => "sc:Boolean",
        _ => "sc:Text",
    }
}

fn column_description(name: &str) -> String {
    match name {
        "id" => "Stable document id (hash of source and locator).".into(),
        "source" => "The source name in sources.toml.".into(),
        "locator" => "Where the document was read: file and line, offset or record id.".into(),
        "text" => "The cleaned text.".into(),
        "url" => "The URL the document was fetched from, if any.".into(),
        "title" => "The document's title, if any.".into(),
        "date" => "The document's date, if any.".into(),
        "lang" => "Detected language (ISO 639-1).".into(),
        "lang_score" => "Confidence of the language detection.".into(),
        "license" => "SPDX licence expression (or LicenseRef) of the document.".into(),
        "rights_holder" => "Who holds the rights to the text.".into(),
        "agreement_id" => "The consent-ledger agreement the text is used under.".into(),
        "attribution" => "Attribution the licence requires.".into(),
        "priority" => "The source's priority (which copy dedup keeps).".into(),
        "meta" => "Reader metadata (HTTP opt-out headers, content type, ...), JSON.".into(),
        "verdict_stage" | "verdict_reason" | "verdict_detail" => {
            "Empty in output/: set only for excluded documents.".into()
        }
        n if n.starts_with(zeef_core::schema::SIGNAL_PREFIX) => format!(
            "Quality signal `{}` a stage computed.",
            &n[zeef_core::schema::SIGNAL_PREFIX.len()..]
        ),
        _ => String::new(),
    }
}

/// The dataset's name: the project folder's name (so runs of one project into different
/// folders describe themselves alike), else the run folder's.
fn dataset_name(dir: &Path, m: &Manifest) -> String {
    if let Some(n) = Publication::of(m).name {
        return n;
    }
    let named = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty() && n != "." && n != "..")
    };
    named(Path::new(&m.run.project_dir))
        .or_else(|| dir.canonicalize().ok().as_deref().and_then(named))
        .unwrap_or_else(|| "zeef-dataset".into())
}

fn languages(f: &Figures) -> Vec<String> {
    let v: Vec<String> = f
        .languages
        .iter()
        .filter(|l| l.kept.documents > 0 && l.key.len() <= 3 && l.key != "und")
        .map(|l| l.key.clone())
        .collect();
    if v.is_empty() {
        vec!["nl".into()]
    } else {
        v
    }
}

/// Builds `croissant.json` for the run folder `dir`.
pub fn croissant(dir: &Path, f: &Figures, m: &Manifest) -> Result<Value> {
    let name = dataset_name(dir, m);
    let outputs: Vec<_> = m
        .shards
        .iter()
        .filter(|s| s.path.starts_with("output/"))
        .collect();
    let mut distribution: Vec<Value> = outputs
        .iter()
        .map(|s| {
            json!({
                "@type": "cr:FileObject",
                "@id": s.path,
                "name": s.path,
                "description": format!("{} documents", s.rows),
                "contentUrl": s.path,
                "contentSize": format!("{} B", s.bytes),
                "encodingFormat": PARQUET,
                "sha256": s.sha256,
            })
        })
        .collect();
    distribution.push(json!({
        "@type": "cr:FileSet",
        "@id": "output-shards",
        "name": "output-shards",
        "description": "Every output shard: the kept documents.",
        "encodingFormat": PARQUET,
        "includes": "output/*.parquet",
    }));

    let first = outputs.first().map(|s| dir.join(&s.path));
    let schema = match &first {
        Some(p) => zeef_core::ShardReader::open(p, 1)
            .map_err(|e| Error::Format {
                path: p.clone(),
                message: e.to_string(),
            })?
            .schema(),
        None => zeef_core::schema::shard_schema([]),
    };
    let fields: Vec<Value> = schema
        .fields()
        .iter()
        .map(|c| {
            let col = c.name();
            json!({
                "@type": "cr:Field",
                "@id": format!("documents/{col}"),
                "name": col,
                "description": column_description(col),
                "dataType": data_type(&format!("{:?}", c.data_type())),
                "source": {"fileSet": {"@id": "output-shards"}, "extract": {"column": col}},
            })
        })
        .collect();
    let source_rows: Vec<Value> = m
        .run
        .sources
        .iter()
        .map(|s| {
            let b = f.sources.iter().find(|b| b.key == s.name);
            json!({
                "sources/name": s.name,
                "sources/kind": s.kind,
                "sources/license": s.licence.clone().unwrap_or_else(|| "per record".into()),
                "sources/rights_holder": s.rights_holder.clone().unwrap_or_default(),
                "sources/documents_kept": b.map_or(0, |b| b.kept.documents),
                "sources/words_kept": b.map_or(0, |b| b.kept.words),
            })
        })
        .collect();
    let src_field = |n: &str, t: &str, d: &str| json!({"@type": "cr:Field", "@id": format!("sources/{n}"), "name": n, "dataType": t, "description": d});
    let record_sets = vec![
        json!({
            "@type": "cr:RecordSet",
            "@id": "documents",
            "name": "documents",
            "description": "One record per kept document.",
            "key": {"@id": "documents/id"},
            "field": fields,
        }),
        json!({
            "@type": "cr:RecordSet",
            "@id": "sources",
            "name": "sources",
            "description": "The sources the documents come from, with their declared licence and what the run kept of them.",
            "key": {"@id": "sources/name"},
            "field": [
                src_field("name", "sc:Text", "The source name (the documents' `source` column)."),
                src_field("kind", "sc:Text", "How it was read (jsonl, parquet, warc, ...)."),
                src_field("license", "sc:Text", "Declared licence (SPDX), or `per record`."),
                src_field("rights_holder", "sc:Text", "Declared rights holder."),
                src_field("documents_kept", "sc:Integer", "Documents kept."),
                src_field("words_kept", "sc:Integer", "Words kept."),
            ],
            "data": source_rows,
        }),
    ];

    let mut licences: Vec<String> = f
        .licences
        .iter()
        .filter(|l| l.kept.documents > 0)
        .map(|l| licence_ref(&l.key))
        .collect();
    licences.dedup();
    let stages = crate::docs::stage_types(m);
    let crawled = m.run.sources.iter().any(|s| s.category() == "crawled");
    let mut d = Map::new();
    d.insert("@context".into(), context());
    d.insert("@type".into(), json!("sc:Dataset"));
    d.insert("name".into(), json!(name));
    d.insert(
        "description".into(),
        json!(format!(
            "{} documents ({} words) of licensed text in {}, kept from {} documents read from {} sources by the zeef pipeline (configuration hash {}, Merkle root {}).",
            f.kept.documents,
            f.kept.words,
            languages(f).join(", "),
            f.read.documents,
            m.run.sources.len(),
            m.config_hash,
            m.merkle_root
        )),
    );
    d.insert("conformsTo".into(), json!(CONFORMS_TO));
    let publication = Publication::of(m);
    if let Some(u) = &publication.url {
        d.insert("url".into(), json!(u));
    }
    if let Some(c) = &publication.creator {
        let mut creator = Map::new();
        creator.insert("@type".into(), json!("sc:Organization"));
        creator.insert("name".into(), json!(c));
        if let Some(u) = &publication.creator_url {
            creator.insert("url".into(), json!(u));
        }
        d.insert("creator".into(), Value::Object(creator));
    }
    if let Some(v) = &publication.date_published {
        d.insert("datePublished".into(), json!(v));
    }
    if let Some(v) = &publication.version {
        d.insert("version".into(), json!(v));
    }
    d.insert("license".into(), json!(licences));
    d.insert("inLanguage".into(), json!(languages(f)));
    d.insert("isLiveDataset".into(), json!(false));
    d.insert(
        "keywords".into(),
        json!(["Dutch", "pretraining", "licensed text", "text corpus"]),
    );
    d.insert(
        "rai:dataCollection".into(),
        json!(format!(
            "Read from {} input files of {} declared sources (each listed with its SHA-256 in manifest.json); licences checked against the policy{} on {}.",
            m.run.inputs.iter().filter(|i| i.role == "data").count(),
            m.run.sources.len(),
            if m.run.ledger.is_some() { " and agreements against the consent ledger" } else { "" },
            m.reference_date.as_deref().unwrap_or("the day of the run")
        )),
    );
    let curated = m.run.sources.iter().any(|s| s.category() != "crawled");
    let mut types = Vec::new();
    if crawled {
        types.push("Web Scraping");
    }
    if curated {
        types.push("Document analysis");
    }
    d.insert("rai:dataCollectionType".into(), json!(types));
    d.insert(
        "rai:dataPreprocessingProtocol".into(),
        json!(f
            .funnel
            .iter()
            .map(|s| format!(
                "{}: {} documents excluded ({})",
                s.stage, s.volume.documents, s.reason
            ))
            .chain(std::iter::once(format!(
                "stages in order: {}",
                stages.join(" → ")
            )))
            .collect::<Vec<_>>()),
    );
    let pii: u64 = f.pii.values().map(|v| v.1).sum();
    d.insert(
        "rai:personalSensitiveInformation".into(),
        json!(format!(
            "{pii} occurrences of personal data in kept documents were replaced by placeholders or fakes (kinds in report.html)."
        )),
    );
    d.insert(
        "rai:dataReleaseMaintenancePlan".into(),
        json!("A rights holder's withdrawal gives a new dataset version (`zeef withdraw`); `zeef audit` re-checks every kept document against the policy and the consent ledger."),
    );
    d.insert("distribution".into(), json!(distribution));
    d.insert("recordSet".into(), json!(record_sets));
    Ok(Value::Object(d))
}

/// Hugging Face's size category of a row count.
pub fn size_category(n: u64) -> &'static str {
    match n {
        0..1_000 => "n<1K",
        1_000..10_000 => "1K<n<10K",
        10_000..100_000 => "10K<n<100K",
        100_000..1_000_000 => "100K<n<1M",
        1_000_000..10_000_000 => "1M<n<10M",
        10_000_000..100_000_000 => "10M<n<100M",
        100_000_000..1_000_000_000 => "100M<n<1B",
        1_000_000_000..10_000_000_000 => "1B<n<10B",
        10_000_000_000..100_000_000_000 => "10B<n<100B",
        100_000_000_000..1_000_000_000_000 => "100B<n<1T",
        _ => "n>1T",
    }
}

/// The Hub's licence identifier of an SPDX id (lowercase; `other` for what the Hub does not
/// list).
fn hub_licence(spdx: &str) -> String {
    const HUB: &[&str] = &[
        "apache-2.0",
        "mit",
        "cc0-1.0",
        "cc-by-4.0",
        "cc-by-sa-4.0",
        "cc-by-nc-4.0",
        "cc-by-nc-sa-4.0",
        "cc-by-nd-4.0",
        "cc-by-nc-nd-4.0",
        "cc-by-3.0",
        "cc-by-sa-3.0",
        "cc-by-2.0",
        "cc-by-sa-2.0",
        "gpl-3.0",
        "lgpl-3.0",
        "gpl-2.0",
        "agpl-3.0",
        "mpl-2.0",
        "bsd-2-clause",
        "bsd-3-clause",
        "odc-by",
        "odbl",
        "pddl",
        "openrail",
        "unlicense",
        "wtfpl",
        "cdla-permissive-2.0",
        "cdla-sharing-1.0",
        "etalab-2.0",
    ];
    let l = spdx.to_ascii_lowercase();
    let l = l.strip_suffix("-only").unwrap_or(&l).to_string();
    if HUB.contains(&l.as_str()) {
        l
    } else {
        "other".into()
    }
}

/// Renders the dataset card `README.md` (YAML front matter the Hub reads, then prose).
pub fn dataset_card(dir: &Path, f: &Figures, m: &Manifest) -> String {
    let name = dataset_name(dir, m);
    let publication = Publication::of(m);
    let mut spdx: Vec<&str> = f
        .licences
        .iter()
        .filter(|l| l.kept.documents > 0)
        .map(|l| l.key.as_str())
        .collect();
    spdx.sort_unstable();
    let mut hub: Vec<String> = spdx.iter().map(|l| hub_licence(l)).collect();
    hub.sort();
    hub.dedup();
    if hub.is_empty() {
        hub.push("other".into());
    }
    let langs = languages(f);
    let mut d = String::from("---\n");
    let _ = writeln!(d, "pretty_name: {name}");
    let _ = writeln!(d, "license:");
    for l in &hub {
        let _ = writeln!(d, "- {l}");
    }
    if hub.iter().any(|l| l == "other") {
        let _ = writeln!(d, "license_name: see-sources");
        let _ = writeln!(
            d,
            "license_details: \"Per document (the license column); per source in croissant.json and below.\""
        );
    }
    let _ = writeln!(d, "language:");
    for l in &langs {
        let _ = writeln!(d, "- {l}");
    }
    let _ = writeln!(d, "size_categories:\n- {}", size_category(f.kept.documents));
    let _ = writeln!(
        d,
        "task_categories:\n- text-generation\ntask_ids:\n- language-modeling"
    );
    let _ = writeln!(
        d,
        "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: output/*.parquet"
    );
    d.push_str("---\n\n");
    let _ = writeln!(d, "# {name}\n");
    let _ = writeln!(
        d,
        "{} documents ({} words, {} bytes of text) of licensed text, kept from {} documents \
         read, by the zeef pipeline (zeef {}, configuration hash `{}`). Every shard is listed \
         with its SHA-256 in `manifest.json` and `croissant.json` (Merkle root `{}`); \
         `zeef audit` checks them.\n",
        f.kept.documents,
        f.kept.words,
        f.kept.bytes,
        f.read.documents,
        m.zeef_version,
        m.config_hash,
        m.merkle_root
    );
    let _ = writeln!(d, "## Sources\n");
    let _ = writeln!(
        d,
        "| source | kind | licence | rights holder | kept documents | kept words |"
    );
    let _ = writeln!(d, "|---|---|---|---|---:|---:|");
    for s in &m.run.sources {
        let b = f.sources.iter().find(|b| b.key == s.name);
        let _ = writeln!(
            d,
            "| {} | {} | {} | {} | {} | {} |",
            s.name,
            s.kind,
            s.licence.as_deref().unwrap_or("per record"),
            s.rights_holder.as_deref().unwrap_or("–"),
            b.map_or(0, |b| b.kept.documents),
            b.map_or(0, |b| b.kept.words)
        );
    }
    let _ = writeln!(d, "\n## Processing\n");
    let _ = writeln!(
        d,
        "Stages, in order: {}.\n",
        crate::docs::stage_types(m).join(" → ")
    );
    let _ = writeln!(
        d,
        "Excluded documents are not in this dataset; `excluded/` holds them with their reason, \
         and `report.html` shows the funnel. Personal data found in the text was replaced by \
         placeholders or fakes ({} occurrences).\n",
        f.pii.values().map(|v| v.1).sum::<u64>()
    );
    let _ = writeln!(d, "## Loading\n");
    let _ = writeln!(
        d,
        "The card's `configs` point at the output shards, so the folder (or the repository it is \
         published to) loads as it is:\n\n```python\nfrom datasets import load_dataset\nds = load_dataset(\"path/to/this/folder\", split=\"train\")\n```\n"
    );
    let _ = writeln!(d, "## Licences and withdrawal\n");
    let _ = writeln!(
        d,
        "Each document carries its licence, rights holder and agreement. Licences of the kept \
         text: {}. A rights holder's withdrawal gives a new version of the dataset \
         (`zeef withdraw`).\n",
        if spdx.is_empty() {
            "none".to_string()
        } else {
            spdx.join(", ")
        }
    );
    let missing = publication.missing_croissant_fields();
    let _ = writeln!(d, "## Publication\n");
    if let Some(c) = &publication.creator {
        let _ = writeln!(d, "- Made by: {c}");
    }
    if let Some(c) = &publication.contact {
        let _ = writeln!(d, "- Contact: {c}");
    }
    if let Some(u) = &publication.url {
        let _ = writeln!(d, "- Published at: <{u}>");
    }
    if let Some(v) = &publication.date_published {
        let _ = writeln!(d, "- Published on: {v}");
    }
    if let Some(v) = &publication.version {
        let _ = writeln!(d, "- Version: {v}");
    }
    if publication.creator.is_none() || publication.contact.is_none() {
        let _ = writeln!(
            d,
            "- Who made the dataset and how to reach them (`creator`, `contact` in `[publication]`): {TO_WRITE}"
        );
    }
    let _ = writeln!(d, "- Intended uses and uses to avoid: {TO_WRITE}");
    if !missing.is_empty() {
        let _ = writeln!(
            d,
            "- Not yet in croissant.json (`[publication]` in zeef.toml): {}: {TO_WRITE}",
            missing.join(", ")
        );
    }
    d
}

/// Checks `croissant.json` against the shards: its `conformsTo`, every file object's SHA-256
/// against its file, and every output shard listed. Returns findings, one line each (an
/// unreadable file is one).
pub fn verify(dir: &Path) -> Vec<String> {
    let path = dir.join("croissant.json");
    let v: Value = match std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => return vec![format!("croissant.json: {e}")],
    };
    let mut findings = Vec::new();
    if v["conformsTo"] != CONFORMS_TO {
        findings.push(format!("croissant.json: conformsTo is not {CONFORMS_TO}"));
    }
    let mut listed = std::collections::BTreeSet::new();
    for o in v["distribution"].as_array().into_iter().flatten() {
        if o["@type"] != "cr:FileObject" {
            continue;
        }
        let Some(url) = o["contentUrl"].as_str() else {
            findings.push("croissant.json: a FileObject without contentUrl".into());
            continue;
        };
        listed.insert(url.to_string());
        // Only files inside the run folder are checked; a published URL is the publisher's.
        if url.contains("://") || url.starts_with('/') || url.contains("..") {
            continue;
        }
        match crate::manifest::sha256_file(&dir.join(url)) {
            Ok((sha, _)) if Some(sha.as_str()) == o["sha256"].as_str() => {}
            Ok((sha, _)) => findings.push(format!(
                "croissant.json: {url}: SHA-256 {} recorded, the file's is {sha}",
                o["sha256"].as_str().unwrap_or("(none)")
            )),
            Err(e) => findings.push(format!("croissant.json: {url}: {e}")),
        }
    }
    if let Ok(paths) = zeef_core::list_shards(&dir.join("output")) {
        for p in paths {
            let rel = format!(
                "output/{}",
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            );
            if !listed.contains(&rel) {
                findings.push(format!("croissant.json: {rel} is not in its distribution"));
            }
        }
    }
    findings
}
