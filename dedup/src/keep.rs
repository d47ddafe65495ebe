//! The keep rule shared by every deduplicator.

use std::cmp::Ordering;
use std::sync::Arc;
use zeef_core::Document;

/// Ranks a licence expression, lower is stronger (see the licence policy's allow order).
pub type LicenceRank = Arc<dyn Fn(Option<&str>) -> u32 + Send + Sync>;

/// What the keep rule compares. The smallest key is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeepKey {
    /// Source priority (higher wins).
    pub priority: i32,
    /// Licence rank (lower wins).
    pub licence_rank: u32,
    /// Document id (lower wins): the final tie-break, so the choice never depends on order.
    pub id: String,
}

impl KeepKey {
    /// The key of a document.
    pub fn of(doc: &Document, rank: &LicenceRank) -> Self {
        KeepKey {
            priority: doc.priority,
            licence_rank: rank(doc.license.as_deref()),
            id: doc.id.clone(),
        }
    }

    /// Which part of the keep rule chose `self` over `other`.
    pub fn rule_over(&self, other: &KeepKey) -> KeepRule {
        if self.priority != other.priority {
            KeepRule::HigherPriority
        } else if self.licence_rank != other.licence_rank {
            KeepRule::StrongerLicence
        } else {
            KeepRule::LowerId
        }
    }

    /// Why `self` was kept over `other`, in words for the excluded record's detail.
    pub fn why_kept_over(&self, other: &KeepKey) -> &'static str {
        self.rule_over(other).as_str()
    }
}

impl Ord for KeepKey {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .priority
            .cmp(&self.priority)
            .then(self.licence_rank.cmp(&other.licence_rank))
            .then_with(|| self.id.cmp(&other.id))
    }
}

impl PartialOrd for KeepKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The part of the keep rule that decided between two copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeepRule {
    /// The kept copy's source has a higher priority.
    HigherPriority,
    /// Same priority; the kept copy's licence ranks stronger.
    StrongerLicence,
    /// Same priority and licence rank; the kept copy has the lower id.
    LowerId,
}

impl KeepRule {
    /// The rule in words, as the excluded record's detail gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            KeepRule::HigherPriority => "higher source priority",
            KeepRule::StrongerLicence => "stronger licence",
            KeepRule::LowerId => "lower id",
        }
    }

    pub(crate) fn code(self) -> u8 {
        self as u8
    }

    pub(crate) fn from_code(code: u8) -> Option<Self> {
        [
            KeepRule::HigherPriority,
            KeepRule::StrongerLicence,
            KeepRule::LowerId,
        ]
        .get(usize::from(code))
        .copied()
    }
}
