//! What only the dataset's publisher knows: where and when it is published, by whom, and who
//! provides the model trained on it. Read from `[publication]` in `zeef.toml` (carried in
//! `manifest.json` with the rest of the configuration), it fills Croissant's `url`, `creator`,
//! `datePublished` and `version`, the dataset card, and section 1.1 of the AI Act summary. A
//! field left out stays marked for a person to write; nothing is made up.

use serde::{Deserialize, Serialize};

use crate::manifest::Manifest;

/// `[publication]` in `zeef.toml`; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// The dataset's name (default: the project folder's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the dataset is published (an `http://` or `https://` URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The dataset's version (e.g. `1.0.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The publication date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_published: Option<String>,
    /// The organisation (or person) that made the dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<String>,
    /// The creator's web page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_url: Option<String>,
    /// How to reach the dataset's maintainers (an e-mail address or a web page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The provider of the model trained on it, with contact details (AI Act summary 1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

fn is_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace))
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u32>().ok());
    matches!(
        (num(0..4), num(5..7), num(8..10)),
        (Some(_), Some(1..=12), Some(1..=31))
    )
}

impl Publication {
    /// The publication of a run, from the configuration its manifest carries (empty when the
    /// project has no `[publication]`, or an older manifest has none).
    pub fn of(m: &Manifest) -> Self {
        m.run
            .config
            .get("publication")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }

    /// What is wrong with it, one message per field; empty when it is valid.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        for (key, v) in [("url", &self.url), ("creator_url", &self.creator_url)] {
            if let Some(v) = v {
                if !is_url(v) {
                    p.push(format!(
                        "publication.{key} = {v:?} is not an http:// or https:// URL"
                    ));
                }
            }
        }
        if let Some(d) = &self.date_published {
            if !is_iso_date(d) {
                p.push(format!(
                    "publication.date_published = {d:?} is not a date written YYYY-MM-DD"
                ));
            }
        }
        for (key, v) in [
            ("name", &self.name),
            ("version", &self.version),
            ("creator", &self.creator),
            ("contact", &self.contact),
            ("provider", &self.provider),
        ] {
            if v.as_deref().is_some_and(|s| s.trim().is_empty()) {
                p.push(format!("publication.{key} is empty (leave it out instead)"));
            }
        }
        p
    }

    /// The names of Croissant's publisher fields that are still missing.
    pub fn missing_croissant_fields(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.url.is_none() {
            v.push("url");
        }
        if self.creator.is_none() {
            v.push("creator");
        }
        if self.date_published.is_none() {
            v.push("datePublished");
        }
        if self.version.is_none() {
            v.push("version");
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_urls_and_dates() {
        let ok = Publication {
            url: Some("https://huggingface.co/datasets/gpt-nl/corpus".into()),
            date_published: Some("2026-12-04".into()),
            creator: Some("TNO".into()),
            ..Default::default()
        };
        assert!(ok.problems().is_empty());
        assert_eq!(ok.missing_croissant_fields(), vec!["version"]);

        let bad = Publication {
            url: Some("huggingface.co/datasets/x".into()),
            creator_url: Some("https://".into()),
            date_published: Some("4 december 2026".into()),
            provider: Some("  ".into()),
            ..Default::default()
        };
        let p = bad.problems();
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p[0].contains("publication.url"), "{p:?}");
        assert!(p[2].contains("YYYY-MM-DD"), "{p:?}");
        assert!(!is_iso_date("2026-13-01"));
        assert!(is_iso_date("2026-02-28"));
    }
}
