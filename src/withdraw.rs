//! `zeef withdraw`: remove what a rights holder withdrew from a finished dataset, as a new
//! version.
//!
//! The old version is read, never changed. The new version holds every other document exactly
//! as it was; the withdrawn documents move to `excluded/` with reason `withdrawn`; and where a
//! withdrawn document was the kept copy of a duplicate cluster, the best remaining copy by the
//! dedup keep rule (highest source priority, then the strongest licence as the dedup stage
//! ranked it, then lowest id) that is not withdrawn itself is promoted to `output/`.

use crate::runner::write_atomic;
use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use zeef_core::{
    read_all, Document, Exclusion, Reason, RunSummary, ShardLimits, ShardReader, ShardWriter,
    StageCounts, Verdict,
};
use zeef_dedup::{KeepKey, META_DUPLICATE_OF, META_LICENCE_RANK};
use zeef_licensing::{host, Date, Ledger};

/// What to withdraw.
#[derive(Debug, Clone)]
pub enum Selector {
    /// Every document under this consent-ledger agreement.
    Agreement(String),
    /// Every document of this rights holder.
    RightsHolder(String),
    /// These document ids.
    Ids(BTreeSet<String>),
    /// Every document whose URL is on this domain or a subdomain of it.
    Domain(String),
}

impl Selector {
    fn matches(&self, d: &Document) -> bool {
        match self {
            Selector::Agreement(a) => d.agreement_id.as_deref() == Some(a.as_str()),
            Selector::RightsHolder(r) => d.rights_holder.as_deref() == Some(r.as_str()),
            Selector::Ids(ids) => ids.contains(&d.id),
            Selector::Domain(dom) => d
                .url
                .as_deref()
                .and_then(host)
                .is_some_and(|h| h == *dom || h.ends_with(&format!(".{dom}"))),
        }
    }

    fn describe(&self) -> String {
        match self {
            Selector::Agreement(a) => format!("agreement {a}"),
            Selector::RightsHolder(r) => format!("rights holder {r}"),
            Selector::Ids(ids) => format!("{} listed document ids", ids.len()),
            Selector::Domain(d) => format!("domain {d}"),
        }
    }
}

/// The withdrawal report (`withdrawal.json`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct WithdrawalReport {
    /// What was withdrawn.
    pub selector: String,
    /// The date recorded.
    pub date: String,
    /// The version withdrawn from, and the new one.
    pub from_version: String,
    /// The new version.
    pub to_version: String,
    /// Kept documents removed.
    pub documents_removed: u64,
    /// Their words.
    pub words_removed: u64,
    /// Their text bytes.
    pub bytes_removed: u64,
    /// Removed documents per source.
    pub removed_by_source: BTreeMap<String, u64>,
    /// Output shards of the old version that held removed documents, with how many.
    pub shards_affected: BTreeMap<String, u64>,
    /// Duplicates promoted in place of a removed kept copy: promoted id → removed id.
    pub promoted: BTreeMap<String, String>,
    /// Token shards and checkpoints that used removed text (from the run's token manifest).
    pub token_shards_affected: Vec<String>,
    /// Whether the run had been tokenized at all.
    pub tokenized: bool,
    /// Agreements marked withdrawn in the ledger.
    pub ledger_updated: Vec<String>,
}

/// The id a dedup exclusion names as the kept copy: the one the dedup stages record in the
/// document's meta, or (for versions written before they did) the one its detail names.
fn duplicate_of(d: &Document) -> Option<&str> {
    let e = d.exclusion()?;
    if !matches!(e.reason, Reason::ExactDuplicate | Reason::NearDuplicate) {
        return None;
    }
    if let Some(kept) = d.meta.get(META_DUPLICATE_OF) {
        return Some(kept);
    }
    let rest = e
        .detail
        .strip_prefix("duplicate of ")
        .or_else(|| e.detail.strip_prefix("near-duplicate of "))?;
    rest.split([' ', ';', ')']).next()
}

/// The keep key of a removed duplicate: source priority, the licence rank the dedup stage
/// recorded (weakest when it recorded none), id.
fn keep_key(d: &Document) -> KeepKey {
    KeepKey {
        priority: d.priority,
        licence_rank: d
            .meta
            .get(META_LICENCE_RANK)
            .and_then(|r| r.parse().ok())
            .unwrap_or(u32::MAX),
        id: d.id.clone(),
    }
}

/// Withdraws `selector` from the dataset in `run`, writing the new version to `out`.
pub fn withdraw(
    run: &Path,
    out: &Path,
    selector: &Selector,
    date: &Date,
    ledger_path: Option<&Path>,
) -> Result<WithdrawalReport> {
    let summary_path = run.join("run.json");
    let text = std::fs::read_to_string(&summary_path)
        .with_context(|| format!("{} is not a zeef run folder", run.display()))?;
    let mut summary: RunSummary = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a zeef run summary", summary_path.display()))?;
    if out.exists() {
        bail!(
            "{} exists already; a new version needs a new folder",
            out.display()
        );
    }

    let mut report = WithdrawalReport {
        selector: selector.describe(),
        date: date.to_string(),
        from_version: run.display().to_string(),
        to_version: out.display().to_string(),
        ..WithdrawalReport::default()
    };
    if let Some(lp) = ledger_path {
        let mut ledger = Ledger::load(lp)?;
        let ids: Vec<String> = match selector {
            Selector::Agreement(a) => vec![a.clone()],
            Selector::RightsHolder(r) => ledger
                .agreements
                .values()
                .filter(|a| &a.rights_holder == r)
                .map(|a| a.agreement_id.clone())
                .collect(),
            _ => Vec::new(),
        };
        for id in &ids {
            if !ledger.withdraw(id, date) {
                bail!("{}: no agreement {id}", lp.display());
            }
        }
        if !ids.is_empty() {
            ledger.save(lp)?;
        }
        report.ledger_updated = ids;
    }

    let detail = format!("withdrawn on {date}: {}", selector.describe());
    let mark = |d: &mut Document| {
        d.verdict = Verdict::Excluded(Exclusion {
            stage: "withdraw".into(),
            reason: Reason::Withdrawn,
            detail: detail.clone(),
        });
    };

    // Kept documents: every one not selected stays as it is.
    let out_shards = zeef_core::list_shards(&run.join("output"))?;
    let schema = match out_shards.first() {
        Some(p) => ShardReader::open(p, 1)?.schema(),
        None => bail!("{} has no output shards", run.display()),
    };
    let limits = ShardLimits {
        rows_per_shard: summary
            .output_shards
            .iter()
            .map(|s| s.rows as usize)
            .max()
            .unwrap_or(200_000)
            .max(1),
        ..ShardLimits::default()
    };
    let mut output = ShardWriter::new(out.join("output"), "part", schema.clone(), limits)?;
    let mut removed_ids = BTreeSet::new();
    let mut withdrawn_docs = Vec::new();
    for path in &out_shards {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for batch in ShardReader::open(path, 1024)? {
            let (mut gone, stay): (Vec<Document>, Vec<Document>) =
                batch?.into_iter().partition(|d| selector.matches(d));
            output.write(&stay)?;
            for d in &mut gone {
                report.documents_removed += 1;
                report.words_removed += d.word_count() as u64;
                report.bytes_removed += d.text.len() as u64;
                *report
                    .removed_by_source
                    .entry(d.source.clone())
                    .or_default() += 1;
                *report.shards_affected.entry(name.clone()).or_default() += 1;
                removed_ids.insert(d.id.clone());
                mark(d);
            }
            withdrawn_docs.extend(gone);
        }
    }

    // Excluded documents: duplicates of a removed kept copy compete for promotion.
    let mut excluded = read_all(&run.join("excluded"))?;
    let mut best: BTreeMap<String, usize> = BTreeMap::new();
    for (i, d) in excluded.iter().enumerate() {
        let Some(of) = duplicate_of(d) else {
            continue;
        };
        if !removed_ids.contains(of) || selector.matches(d) {
            continue;
        }
        let better = |j: usize| keep_key(d) < keep_key(&excluded[j]);
        match best.get(of) {
            Some(&j) if !better(j) => {}
            _ => {
                best.insert(of.to_string(), i);
            }
        }
    }
    let promoted_at: BTreeMap<usize, String> =
        best.iter().map(|(of, &i)| (i, of.clone())).collect();
    let new_kept: BTreeMap<String, String> = best
        .iter()
        .map(|(of, &i)| (of.clone(), excluded[i].id.clone()))
        .collect();
    let mut promoted = Vec::new();
    let mut still_excluded = Vec::new();
    for (i, mut d) in excluded.drain(..).enumerate() {
        if let Some(of) = promoted_at.get(&i) {
            report.promoted.insert(d.id.clone(), of.clone());
            d.verdict = Verdict::Keep;
            d.meta.remove(META_DUPLICATE_OF);
            d.meta.remove(META_LICENCE_RANK);
            promoted.push(d);
            continue;
        }
        if selector.matches(&d) {
            // Already excluded for another reason: it stays, but is not a candidate.
            still_excluded.push(d);
            continue;
        }
        // Other duplicates of a removed copy now point at the promoted one.
        let target =
            duplicate_of(&d).and_then(|of| new_kept.get(of).map(|n| (of.to_string(), n.clone())));
        if let Some((of, new)) = target {
            if let Verdict::Excluded(e) = &mut d.verdict {
                e.detail = e.detail.replacen(&of, &new, 1);
            }
            if d.meta.contains_key(META_DUPLICATE_OF) {
                d.meta.insert(META_DUPLICATE_OF.to_string(), new);
            }
        }
        still_excluded.push(d);
    }
    output.write(&promoted)?;
    let output_shards = output.finish()?;
    let mut excl = ShardWriter::new(out.join("excluded"), "part", schema, ShardLimits::default())?;
    excl.write(&still_excluded)?;
    excl.write(&withdrawn_docs)?;
    let excluded_shards = excl.finish()?;

    // The token manifest, when the run was tokenized, names the token shards of each document.
    let token_manifest = run.join("tokens/manifest.jsonl");
    if token_manifest.is_file() {
        report.tokenized = true;
        let text = std::fs::read_to_string(&token_manifest)?;
        let mut shards = BTreeSet::new();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("{}: bad line", token_manifest.display()))?;
            if v["id"].as_str().is_some_and(|id| removed_ids.contains(id)) {
                if let Some(s) = v["shard"].as_str() {
                    shards.insert(s.to_string());
                }
            }
        }
        report.token_shards_affected = shards.into_iter().collect();
    }

    // The new version's summary: same documents read, settled again.
    summary.reset_outcomes();
    if !summary.stages.iter().any(|s| s.name == "withdraw") {
        summary.stages.push(StageCounts {
            name: "withdraw".into(),
            kind: "withdraw".into(),
            ..StageCounts::default()
        });
    }
    for dir in ["output", "excluded"] {
        for d in read_all(&out.join(dir))? {
            summary.settle(&d);
        }
    }
    summary.output_shards = output_shards;
    summary.excluded_shards = excluded_shards;
    summary.check_conservation()?;
    write_atomic(&out.join("run.json"), &serde_json::to_vec_pretty(&summary)?)?;
    // The new version gets the full reports and its own manifest, made from the same inputs.
    match zeef_reports::manifest::load(run) {
        Ok(m) => {
            zeef_reports::write_all(out, &summary, &m.run)
                .with_context(|| format!("cannot write the reports of {}", out.display()))?;
        }
        Err(_) => write_atomic(
            &out.join("report.html"),
            zeef_reports::render_html(&summary).as_bytes(),
        )?,
    }
    write_atomic(
        &out.join("withdrawal.json"),
        &serde_json::to_vec_pretty(&report)?,
    )?;
    Ok(report)
}

/// Reads an ids file: one document id per line, `#` comments.
pub fn read_ids(path: &Path) -> Result<BTreeSet<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

/// The default folder of the new version: `RUN-withdrawn-DATE`.
pub fn default_out(run: &Path, date: &Date) -> PathBuf {
    let name = run
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    run.with_file_name(format!("{name}-withdrawn-{date}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duplicate(id: &str, priority: i32, detail: &str, meta: &[(&str, &str)]) -> Document {
        let mut d = Document::new("archief", id, "Tekst van het document.");
        d.id = id.to_string();
        d.priority = priority;
        d.exclude("near_dedup", Reason::NearDuplicate, detail);
        for (k, v) in meta {
            d.meta.insert(k.to_string(), v.to_string());
        }
        d
    }

    #[test]
    fn reads_the_kept_id_from_meta_and_else_from_the_detail() {
        let detail = "near-duplicate of laws:aa (estimated Jaccard 0.91; kept by lower id)";
        let old = duplicate("archief:bb", 1, detail, &[]);
        assert_eq!(duplicate_of(&old), Some("laws:aa"));
        let new = duplicate("archief:bb", 1, detail, &[(META_DUPLICATE_OF, "laws:cc")]);
        assert_eq!(duplicate_of(&new), Some("laws:cc"));
        let mut other = new.clone();
        other.verdict = Verdict::Excluded(Exclusion {
            stage: "language".into(),
            reason: Reason::WrongLanguage,
            detail: "fr".into(),
        });
        assert_eq!(duplicate_of(&other), None);
    }

    #[test]
    fn promotion_follows_priority_then_licence_rank_then_id() {
        let d = "duplicate of laws:aa (kept by higher source priority)";
        let weak_low_id = duplicate("a:1", 1, d, &[(META_LICENCE_RANK, "3")]);
        let strong_high_id = duplicate("a:2", 1, d, &[(META_LICENCE_RANK, "0")]);
        let unranked = duplicate("a:0", 1, d, &[]);
        let higher_priority = duplicate("a:9", 2, d, &[(META_LICENCE_RANK, "5")]);
        let mut order = [&unranked, &weak_low_id, &higher_priority, &strong_high_id];
        order.sort_by_key(|d| keep_key(d));
        let ids: Vec<&str> = order.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a:9", "a:2", "a:1", "a:0"]);
    }
}
