//! `zeef trace ID`: the life of one document in a run, without its text.

use anyhow::{bail, Result};
use std::fmt::Write;
use std::path::Path;
use zeef_core::{list_shards, Document, Reason, ShardReader};
use zeef_licensing::{Date, Decision, Ledger, Policy};

const BATCH: usize = 1024;

/// Where a document was found.
struct Found {
    doc: Document,
    shard: String,
    row: usize,
}

/// Renders the life of document `id` in the run folder `dir`.
pub fn trace(dir: &Path, id: &str) -> Result<String> {
    let mut found: Option<Found> = None;
    // Documents whose verdict names this one as the copy that was kept.
    let mut duplicates: Vec<(String, String)> = Vec::new();
    let needle = format!("of {id} ");
    for folder in ["output", "excluded"] {
        for path in list_shards(&dir.join(folder))? {
            let name = format!(
                "{folder}/{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            let mut row = 0usize;
            for batch in ShardReader::open(&path, BATCH)? {
                for doc in batch? {
                    if doc.id == id && found.is_none() {
                        found = Some(Found {
                            doc,
                            shard: name.clone(),
                            row,
                        });
                    } else if let Some(e) = doc.exclusion() {
                        if matches!(e.reason, Reason::ExactDuplicate | Reason::NearDuplicate)
                            && e.detail.contains(&needle)
                        {
                            duplicates.push((doc.id.clone(), e.reason.code().to_string()));
                        }
                    }
                    row += 1;
                }
            }
        }
    }
    let Some(Found { doc, shard, row }) = found else {
        bail!(
            "no document {id} in {} (neither output/ nor excluded/)",
            dir.display()
        );
    };
    let manifest = zeef_reports::manifest::load(dir).ok();
    let mut s = String::new();
    let _ = writeln!(s, "document {}", doc.id);
    let _ = writeln!(s, "  source        {}", doc.source);
    let _ = writeln!(s, "  locator       {}", doc.locator);
    if let Some(m) = &manifest {
        let files: Vec<&str> = m
            .run
            .inputs
            .iter()
            .filter(|i| i.source.as_deref() == Some(doc.source.as_str()))
            .map(|i| i.path.as_str())
            .collect();
        let _ = writeln!(s, "  source files  {}", files.join(", "));
        if let Some(src) = m.run.sources.iter().find(|x| x.name == doc.source) {
            let skipped: Vec<&str> = src
                .stages
                .iter()
                .filter(|st| st["skipped"].as_bool() == Some(true))
                .filter_map(|st| st["type"].as_str())
                .collect();
            let _ = writeln!(
                s,
                "  profile       {}{} (every setting: manifest.json, run.sources)",
                src.profile.as_deref().unwrap_or("web"),
                if skipped.is_empty() {
                    String::new()
                } else {
                    format!(", skips {}", skipped.join(", "))
                }
            );
        }
    }
    if let Ok(summary) = crate::audit::load_summary(dir) {
        if let Some(c) = summary.sources.get(&doc.source) {
            let cut: Vec<String> = c
                .words_removed_by_stage
                .iter()
                .map(|(st, n)| format!("{st} {n}"))
                .collect();
            if !cut.is_empty() {
                let _ = writeln!(
                    s,
                    "  words removed from the source's kept documents: {}",
                    cut.join(", ")
                );
            }
        }
    }
    for (k, v) in [
        ("url", &doc.url),
        ("title", &doc.title),
        ("date", &doc.date),
    ] {
        if let Some(v) = v {
            let _ = writeln!(s, "  {k:<13} {v}");
        }
    }
    let _ = writeln!(
        s,
        "  language      {} (score {})",
        doc.lang.as_deref().unwrap_or("unidentified"),
        doc.lang_score
            .map_or("–".to_string(), |v| format!("{v:.3}"))
    );
    let _ = writeln!(
        s,
        "  text          {} words, {} bytes (as written to the shard; not shown)",
        doc.word_count(),
        doc.text.len()
    );
    let _ = writeln!(s, "rights");
    let _ = writeln!(
        s,
        "  licence       {}",
        doc.license.as_deref().unwrap_or("(none)")
    );
    let _ = writeln!(
        s,
        "  rights holder {}",
        doc.rights_holder.as_deref().unwrap_or("(none)")
    );
    let _ = writeln!(
        s,
        "  agreement     {}",
        doc.agreement_id.as_deref().unwrap_or("(none)")
    );
    if let Some(m) = &manifest {
        if let Ok(policy) = Policy::load(Path::new(&m.run.policy)) {
            let decision = match policy.decide(doc.license.as_deref()) {
                Decision::Allowed => "allowed".to_string(),
                Decision::Denied(why) => format!("denied: {why}"),
                Decision::Unknown(why) => format!("unknown: {why}"),
            };
            let _ = writeln!(s, "  policy today  {decision}");
        }
        if let (Some(l), Some(a)) = (&m.run.ledger, &doc.agreement_id) {
            if let Ok(ledger) = Ledger::load(Path::new(l)) {
                let purpose = m.run.purpose.as_deref().unwrap_or("pretraining");
                let status = match ledger.agreements.get(a) {
                    None => "not in the consent ledger".to_string(),
                    Some(ag) => match ag.check(purpose, &Date::today()) {
                        Ok(()) => format!("valid today for {purpose}"),
                        Err((r, why)) => format!("{}: {why}", r.code()),
                    },
                };
                let _ = writeln!(s, "  ledger today  {status}");
            }
        }
        if let Some(d) = &m.reference_date {
            let _ = writeln!(s, "  checked on    {d} (the run's reference date)");
        }
    }
    let _ = writeln!(s, "signals");
    if doc.signals.is_empty() {
        let _ = writeln!(s, "  (none)");
    }
    for (k, v) in &doc.signals {
        let _ = writeln!(s, "  {k:<32} {v}");
    }
    let _ = writeln!(s, "verdict");
    match doc.exclusion() {
        None => {
            let _ = writeln!(s, "  kept: passed every stage");
        }
        Some(e) => {
            let _ = writeln!(
                s,
                "  excluded by {}: {} ({})",
                e.stage,
                e.reason.code(),
                e.reason.description()
            );
            let _ = writeln!(s, "  {}", e.detail);
        }
    }
    let _ = writeln!(s, "dedup");
    match doc.signal(zeef_dedup::NEAR_DUP_CLUSTER_SIZE) {
        Some(n) => {
            let _ = writeln!(s, "  near-duplicate cluster of {n} documents");
        }
        None => {
            let _ = writeln!(s, "  in no near-duplicate cluster");
        }
    }
    if let Some(e) = doc
        .exclusion()
        .filter(|e| matches!(e.reason, Reason::ExactDuplicate | Reason::NearDuplicate))
    {
        let _ = writeln!(s, "  {}", e.detail);
    }
    for (other, reason) in &duplicates {
        let _ = writeln!(s, "  {other} was excluded as its {reason}");
    }
    let _ = writeln!(s, "stored in");
    let _ = writeln!(s, "  {shard}, row {row}");
    Ok(s)
}
