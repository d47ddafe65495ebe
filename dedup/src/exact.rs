//! Exact deduplication by xxh3-128 of the text.

use crate::keep::{KeepKey, LicenceRank};
use crate::removal::mark_duplicate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use zeef_core::{text_hash, Document, GlobalStage, Reason, Result};

/// Configuration of exact deduplication.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExactDedupConfig {}

/// Keeps one copy of each distinct text; the others are excluded as `exact_duplicate` with the
/// id of the kept copy and the rule that chose it.
pub struct ExactDedup {
    name: String,
    rank: LicenceRank,
    best: HashMap<u128, KeepKey>,
}

impl ExactDedup {
    /// The stage named `name`, ranking licences with `rank`.
    pub fn new(name: impl Into<String>, _config: ExactDedupConfig, rank: LicenceRank) -> Self {
        ExactDedup {
            name: name.into(),
            rank,
            best: HashMap::new(),
        }
    }
}

impl GlobalStage for ExactDedup {
    fn name(&self) -> &str {
        &self.name
    }

    fn observe(&mut self, docs: &[Document]) -> Result<()> {
        let keyed: Vec<(u128, KeepKey)> = docs
            .par_iter()
            .filter(|d| d.is_kept())
            .map(|d| (text_hash(&d.text), KeepKey::of(d, &self.rank)))
            .collect();
        for (hash, key) in keyed {
            match self.best.get_mut(&hash) {
                Some(best) if key < *best => *best = key,
                Some(_) => {}
                None => {
                    self.best.insert(hash, key);
                }
            }
        }
        Ok(())
    }

    fn apply(&self, doc: &mut Document) {
        let Some(best) = self.best.get(&text_hash(&doc.text)) else {
            return;
        };
        if best.id != doc.id && doc.is_kept() {
            let mine = KeepKey::of(doc, &self.rank);
            mark_duplicate(doc, &best.id, mine.licence_rank);
            doc.exclude(
                &self.name,
                Reason::ExactDuplicate,
                format!(
                    "duplicate of {} (kept by {})",
                    best.id,
                    best.why_kept_over(&mine)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn rank() -> LicenceRank {
        Arc::new(|l: Option<&str>| match l {
            Some("CC0-1.0") => 0,
            Some("CC-BY-SA-4.0") => 1,
            _ => 2,
        })
    }

    fn doc(source: &str, n: u32, text: &str, priority: i32, licence: &str) -> Document {
        let mut d = Document::new(source, format!("f:{n}"), text);
        d.priority = priority;
        d.license = Some(licence.into());
        d
    }

    fn run(mut docs: Vec<Document>, batch: usize) -> Vec<Document> {
        let mut stage = ExactDedup::new("exact_dedup", ExactDedupConfig {}, rank());
        for chunk in docs.chunks(batch) {
            stage.observe(chunk).expect("observe");
        }
        for d in &mut docs {
            stage.apply(d);
        }
        docs
    }

    #[test]
    fn keeps_by_priority_then_licence_then_id() {
        let docs = vec![
            doc("news", 1, "Zelfde tekst.", 1, "CC-BY-SA-4.0"),
            doc("laws", 2, "Zelfde tekst.", 5, "LicenseRef-X"),
            doc("wiki", 3, "Andere tekst.", 1, "CC-BY-SA-4.0"),
            doc("pd", 4, "Andere tekst.", 1, "CC0-1.0"),
            doc("a", 5, "Derde.", 1, "CC0-1.0"),
            doc("b", 6, "Derde.", 1, "CC0-1.0"),
        ];
        let out = run(docs.clone(), 2);
        let kept: Vec<&str> = out
            .iter()
            .filter(|d| d.is_kept())
            .map(|d| d.source.as_str())
            .collect();
        assert_eq!(kept, vec!["laws", "pd", "a"]);
        let detail = |i: usize| out[i].exclusion().expect("excluded").detail.clone();
        assert_eq!(
            detail(0),
            format!(
                "duplicate of {} (kept by higher source priority)",
                docs[1].id
            )
        );
        assert_eq!(
            detail(2),
            format!("duplicate of {} (kept by stronger licence)", docs[3].id)
        );
        assert_eq!(
            detail(5),
            format!("duplicate of {} (kept by lower id)", docs[4].id)
        );
        // The choice does not depend on arrival order or batching.
        let mut reversed = docs.clone();
        reversed.reverse();
        let mut back = run(reversed, 1);
        back.reverse();
        assert_eq!(back, out);
    }
}
