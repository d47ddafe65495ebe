//! `zeef audit DIR`: checks that a run folder is the run its manifest describes, and that every
//! document it keeps may still be used today.

use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeef_core::{Document, RunSummary, ShardReader, Stage};
use zeef_licensing::{ConsentStage, Date, Ledger, LicenceStage, Policy};

/// Reads `run.json` of a run folder.
pub fn load_summary(dir: &Path) -> Result<RunSummary> {
    let path = dir.join("run.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a zeef run summary", path.display()))
}

/// What to audit against.
pub struct AuditOptions {
    /// The licence policy (default: the one the manifest names).
    pub policy: Option<PathBuf>,
    /// The consent ledger (default: the one the manifest names).
    pub ledger: Option<PathBuf>,
    /// The day to check consent on (default: today).
    pub date: Date,
}

/// The outcome of an audit.
pub struct AuditReport {
    /// What was checked, one line each.
    pub checked: Vec<String>,
    /// Problems, one readable line each; empty when the run passes.
    pub findings: Vec<String>,
}

const BATCH: usize = 1024;
const IDS_SHOWN: usize = 3;

/// Audits the run folder `dir`.
pub fn audit(dir: &Path, opts: &AuditOptions) -> Result<AuditReport> {
    let manifest = zeef_reports::manifest::load(dir)?;
    let mut checked = Vec::new();
    let mut findings = zeef_reports::manifest::verify_shards(dir, &manifest);
    checked.push(format!(
        "{} shards against manifest.json (SHA-256, rows, Merkle root {})",
        manifest.shards.len(),
        manifest.merkle_root
    ));
    if dir.join("croissant.json").is_file() {
        findings.extend(zeef_reports::croissant::verify(dir));
        checked.push("croissant.json: every file object's SHA-256 against its shard".into());
    }

    match load_summary(dir) {
        Ok(summary) => {
            if summary.config_hash != manifest.config_hash {
                findings.push(format!(
                    "run.json: configuration hash {} differs from the manifest's {}",
                    summary.config_hash, manifest.config_hash
                ));
            }
            let rows = |prefix: &str| -> u64 {
                manifest
                    .shards
                    .iter()
                    .filter(|s| s.path.starts_with(prefix))
                    .map(|s| s.rows)
                    .sum()
            };
            let (kept, excluded) = (rows("output/"), rows("excluded/"));
            let t = &summary.totals;
            if kept != t.documents_kept || excluded != t.documents_excluded {
                findings.push(format!(
                    "run.json: {} kept and {} excluded, the manifest's shards hold {kept} and {excluded}",
                    t.documents_kept, t.documents_excluded
                ));
            }
            if kept + excluded != t.documents_read {
                findings.push(format!(
                    "conservation: {} documents read, {kept} kept + {excluded} excluded in the shards",
                    t.documents_read
                ));
            }
            checked.push(format!(
                "conservation: read {} = kept {kept} + excluded {excluded}",
                t.documents_read
            ));
        }
        Err(e) => findings.push(format!("run.json: {e:#}")),
    }

    let policy_path = opts
        .policy
        .clone()
        .unwrap_or_else(|| PathBuf::from(&manifest.run.policy));
    let policy = Arc::new(Policy::load(&policy_path)?);
    let ledger_path = opts
        .ledger
        .clone()
        .or_else(|| manifest.run.ledger.as_ref().map(PathBuf::from));
    let mut stages: Vec<Box<dyn Stage>> = vec![Box::new(LicenceStage::new(
        "licence",
        policy.as_ref().clone(),
    ))];
    if let Some(l) = &ledger_path {
        let ledger = Ledger::load(l)?;
        stages.push(Box::new(ConsentStage::new(
            "consent",
            Arc::new(ledger),
            policy.clone(),
            opts.date.clone(),
        )));
    }
    checked.push(format!(
        "every kept document against {}{} as of {}",
        policy_path.display(),
        ledger_path
            .as_ref()
            .map(|l| format!(" and {}", l.display()))
            .unwrap_or_default(),
        opts.date
    ));

    // (shard, reason, detail) → ids: one line per distinct problem, not per document.
    let mut problems: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
    let mut documents = 0u64;
    for shard in manifest
        .shards
        .iter()
        .filter(|s| s.path.starts_with("output/"))
    {
        let path = dir.join(&shard.path);
        if !path.is_file() {
            continue;
        }
        let reader = match ShardReader::open(&path, BATCH) {
            Ok(r) => r,
            Err(_) => continue, // already a finding of verify_shards
        };
        for batch in reader {
            let Ok(mut batch) = batch else { break };
            for doc in &mut batch {
                documents += 1;
                recheck(&stages, doc);
                if let Some(e) = doc.exclusion() {
                    problems
                        .entry((
                            shard.path.clone(),
                            e.reason.code().to_string(),
                            e.detail.clone(),
                        ))
                        .or_default()
                        .push(doc.id.clone());
                }
            }
        }
    }
    checked.push(format!("{documents} kept documents re-checked"));
    for ((shard, reason, detail), ids) in problems {
        let shown: Vec<&str> = ids.iter().take(IDS_SHOWN).map(String::as_str).collect();
        findings.push(format!(
            "{shard}: {} kept document(s) no longer allowed ({reason}: {detail}); e.g. {}",
            ids.len(),
            shown.join(", ")
        ));
    }
    Ok(AuditReport { checked, findings })
}

fn recheck(stages: &[Box<dyn Stage>], doc: &mut Document) {
    for s in stages {
        s.process(doc);
        if !doc.is_kept() {
            return;
        }
    }
}
