//! The counts of a run (`run.json`) and the conservation check.

use crate::{Document, Error, Result, ShardInfo};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counts for one source, or for the whole run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Documents that entered.
    pub documents_read: u64,
    /// Documents in `output/`.
    pub documents_kept: u64,
    /// Documents in `excluded/`.
    pub documents_excluded: u64,
    /// Text bytes that entered.
    pub bytes_read: u64,
    /// Text bytes in `output/` (after cleaning).
    pub bytes_kept: u64,
    /// Whitespace-separated words that entered.
    #[serde(default)]
    pub words_read: u64,
    /// Whitespace-separated words in `output/`.
    pub words_kept: u64,
    /// Excluded documents per reason code.
    pub excluded_by_reason: BTreeMap<String, u64>,
    /// Words that stages removed from documents they kept (C4 line rules, personal data
    /// replaced, ...), per stage name: text lost although its document was kept.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub words_removed_by_stage: BTreeMap<String, u64>,
    /// Input records that are not documents and were passed over, per kind (`warc_request`,
    /// `warc_resource` for a crawler's log, `wiki_redirect`, ...): read, but neither kept nor
    /// excluded, so outside `documents_read`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub records_skipped: BTreeMap<String, u64>,
}

impl Counts {
    fn read(&mut self, doc: &Document, words: u64) {
        self.documents_read += 1;
        self.bytes_read += doc.text.len() as u64;
        self.words_read += words;
    }

    /// Adds another set of counts (another task's, another chunk's) to these.
    pub fn add(&mut self, from: &Counts) {
        self.documents_read += from.documents_read;
        self.documents_kept += from.documents_kept;
        self.documents_excluded += from.documents_excluded;
        self.bytes_read += from.bytes_read;
        self.bytes_kept += from.bytes_kept;
        self.words_read += from.words_read;
        self.words_kept += from.words_kept;
        for (k, v) in &from.excluded_by_reason {
            *self.excluded_by_reason.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &from.words_removed_by_stage {
            *self.words_removed_by_stage.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &from.records_skipped {
            *self.records_skipped.entry(k.clone()).or_default() += v;
        }
    }

    /// Words removed from kept documents by all stages together.
    pub fn words_removed(&self) -> u64 {
        self.words_removed_by_stage.values().sum()
    }

    fn settle(&mut self, doc: &Document, words: u64) {
        match doc.exclusion() {
            None => {
                self.documents_kept += 1;
                self.bytes_kept += doc.text.len() as u64;
                self.words_kept += words;
            }
            Some(e) => {
                self.documents_excluded += 1;
                *self
                    .excluded_by_reason
                    .entry(e.reason.code().to_string())
                    .or_default() += 1;
            }
        }
    }

    /// `read = kept + excluded`, and the per-reason counts add up to the excluded count.
    pub fn conserved(&self) -> bool {
        self.documents_read == self.documents_kept + self.documents_excluded
            && self.excluded_by_reason.values().sum::<u64>() == self.documents_excluded
    }
}

fn holder_key(doc: &Document) -> String {
    doc.rights_holder.clone().unwrap_or_else(|| "(none)".into())
}

fn agreement_key(doc: &Document) -> String {
    doc.agreement_id.clone().unwrap_or_else(|| "(none)".into())
}

/// What one configured stage did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageCounts {
    /// The configured name.
    pub name: String,
    /// The stage type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Documents it excluded, per reason.
    pub excluded_by_reason: BTreeMap<String, u64>,
    /// Words it removed from documents it kept (line rules, replacements).
    #[serde(default)]
    pub words_removed: u64,
    /// Bytes it removed from documents it kept.
    #[serde(default)]
    pub bytes_removed: u64,
}

/// The machine-readable summary of a run, written as `run.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// The zeef version that made the run.
    pub zeef_version: String,
    /// xxh3-64 of the resolved configuration, hex.
    pub config_hash: String,
    /// The date licences and agreements were checked on, if a consent stage ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_date: Option<String>,
    /// Totals over all sources.
    #[serde(flatten)]
    pub totals: Counts,
    /// Counts per source name.
    pub sources: BTreeMap<String, Counts>,
    /// Counts per rights holder: the basis of compensation shares.
    #[serde(default)]
    pub rights_holders: BTreeMap<String, Counts>,
    /// Counts per consent-ledger agreement (documents without one under `(none)`).
    #[serde(default)]
    pub agreements: BTreeMap<String, Counts>,
    /// Counts per stage, in pipeline order (`ingest` first).
    pub stages: Vec<StageCounts>,
    /// Output shards.
    pub output_shards: Vec<ShardInfo>,
    /// Excluded shards.
    pub excluded_shards: Vec<ShardInfo>,
}

impl RunSummary {
    /// Counts a document entering the run.
    pub fn read(&mut self, doc: &Document) {
        let words = doc.word_count() as u64;
        self.totals.read(doc, words);
        self.sources
            .entry(doc.source.clone())
            .or_default()
            .read(doc, words);
    }

    /// Counts `words` and `bytes` that stage `stage` removed from a document of `source` that
    /// it kept.
    pub fn removed(&mut self, stage: &str, source: &str, words: u64, bytes: u64) {
        let s = self.stage_mut(stage, stage);
        s.words_removed += words;
        s.bytes_removed += bytes;
        if words == 0 {
            return;
        }
        for c in [
            &mut self.totals,
            self.sources.entry(source.to_string()).or_default(),
        ] {
            *c.words_removed_by_stage
                .entry(stage.to_string())
                .or_default() += words;
        }
    }

    /// The counts of stage `name`, added at the end if the summary has none yet.
    fn stage_mut(&mut self, name: &str, kind: &str) -> &mut StageCounts {
        let i = match self.stages.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                self.stages.push(StageCounts {
                    name: name.to_string(),
                    kind: kind.to_string(),
                    ..StageCounts::default()
                });
                self.stages.len() - 1
            }
        };
        &mut self.stages[i]
    }

    /// Adds the counts of another part of the same run (a task, a chunk): documents, words,
    /// reasons and removals. Shards are not merged: the runner places them.
    pub fn merge(&mut self, from: &RunSummary) {
        self.totals.add(&from.totals);
        for (map, other) in [
            (&mut self.sources, &from.sources),
            (&mut self.rights_holders, &from.rights_holders),
            (&mut self.agreements, &from.agreements),
        ] {
            for (k, c) in other {
                map.entry(k.clone()).or_default().add(c);
            }
        }
        for s in &from.stages {
            let stage = self.stage_mut(&s.name, &s.kind);
            for (k, v) in &s.excluded_by_reason {
                *stage.excluded_by_reason.entry(k.clone()).or_default() += v;
            }
            stage.words_removed += s.words_removed;
            stage.bytes_removed += s.bytes_removed;
        }
    }

    /// Counts a document leaving the run, kept or excluded.
    pub fn settle(&mut self, doc: &Document) {
        let words = if doc.is_kept() {
            doc.word_count() as u64
        } else {
            0
        };
        self.totals.settle(doc, words);
        self.sources
            .entry(doc.source.clone())
            .or_default()
            .settle(doc, words);
        self.rights_holders
            .entry(holder_key(doc))
            .or_default()
            .settle(doc, words);
        self.agreements
            .entry(agreement_key(doc))
            .or_default()
            .settle(doc, words);
        if let Some(e) = doc.exclusion() {
            let stage = self.stage_mut(&e.stage, &e.stage);
            *stage
                .excluded_by_reason
                .entry(e.reason.code().to_string())
                .or_default() += 1;
        }
    }

    /// Forgets where documents went (kept, excluded, shards) but keeps what was read, so a new
    /// version of a dataset can settle the same documents again.
    pub fn reset_outcomes(&mut self) {
        let reset = |c: &mut Counts| {
            c.documents_kept = 0;
            c.documents_excluded = 0;
            c.bytes_kept = 0;
            c.words_kept = 0;
            c.excluded_by_reason.clear();
            c.words_removed_by_stage.clear();
        };
        reset(&mut self.totals);
        self.sources.values_mut().for_each(reset);
        self.rights_holders.values_mut().for_each(reset);
        self.agreements.values_mut().for_each(reset);
        for s in &mut self.stages {
            s.excluded_by_reason.clear();
            s.words_removed = 0;
            s.bytes_removed = 0;
        }
        self.output_shards.clear();
        self.excluded_shards.clear();
    }

    /// Checks `in = kept + excluded` for the run and every source, and that the shard row
    /// counts match; an error names what does not add up.
    pub fn check_conservation(&self) -> Result<()> {
        let mut problems = Vec::new();
        if !self.totals.conserved() {
            problems.push(format!(
                "run: read {} != kept {} + excluded {}",
                self.totals.documents_read,
                self.totals.documents_kept,
                self.totals.documents_excluded
            ));
        }
        for (name, c) in &self.sources {
            if !c.conserved() {
                problems.push(format!(
                    "source {name}: read {} != kept {} + excluded {}",
                    c.documents_read, c.documents_kept, c.documents_excluded
                ));
            }
        }
        let rows = |s: &[ShardInfo]| s.iter().map(|s| s.rows).sum::<u64>();
        if rows(&self.output_shards) != self.totals.documents_kept {
            problems.push(format!(
                "output shards hold {} rows, {} documents were kept",
                rows(&self.output_shards),
                self.totals.documents_kept
            ));
        }
        if rows(&self.excluded_shards) != self.totals.documents_excluded {
            problems.push(format!(
                "excluded shards hold {} rows, {} documents were excluded",
                rows(&self.excluded_shards),
                self.totals.documents_excluded
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Conservation(problems.join("; ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reason;

    #[test]
    fn conservation_holds_and_catches_a_lost_document() {
        let mut s = RunSummary::default();
        let a = Document::new("a", "f:1", "een twee drie");
        let mut b = Document::new("b", "f:2", "vier");
        b.exclude("min_length", Reason::TooShort, "1 word");
        s.read(&a);
        s.read(&b);
        s.settle(&a);
        s.settle(&b);
        s.output_shards.push(ShardInfo {
            file: "o".into(),
            rows: 1,
        });
        s.excluded_shards.push(ShardInfo {
            file: "e".into(),
            rows: 1,
        });
        s.check_conservation().expect("conserved");
        assert_eq!(s.totals.words_kept, 3);
        assert_eq!(s.stages[0].excluded_by_reason["too_short"], 1);

        let c = Document::new("b", "f:3", "verloren");
        s.read(&c);
        let err = s.check_conservation().expect_err("lost document");
        assert!(err.to_string().contains("source b"), "{err}");
    }
}
