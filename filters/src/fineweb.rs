//! The FineWeb quality rules (Penedo et al. 2024), as datatrove's `FineWebQualityFilter`, with
//! the FineWeb-2 `nld_Latn` thresholds.

use crate::text::{char_len, find_duplicates, ratio, round4, token_count};
use serde::{Deserialize, Serialize};
use zeef_core::{Document, Reason, Stage};

fn d_line_punct_thr() -> f64 {
    0.102
}
fn d_short_line_thr() -> f64 {
    0.67
}
fn d_short_line_length() -> usize {
    30
}
fn d_char_duplicates_ratio() -> f64 {
    0.1
}
fn d_new_line_ratio() -> f64 {
    0.154
}
fn d_stop_chars() -> Vec<String> {
    [".", "'", "\"", "!", "?"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Configuration of the FineWeb quality rules. Defaults: FineWeb-2 `nld_Latn` where it tunes a
/// value, FineWeb otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinewebQualityConfig {
    /// Smallest fraction of non-blank lines ending in one of `stop_chars`. Default 0.102
    /// (FineWeb-2 nld).
    #[serde(default = "d_line_punct_thr")]
    pub line_punct_thr: f64,
    /// Do not exclude a document none of whose lines end in punctuation (for sources without
    /// punctuation, such as transcripts). Default false.
    #[serde(default)]
    pub line_punct_exclude_zero: bool,
    /// The line ends counted as punctuation. Default `.`, `'`, `"`, `!`, `?` (FineWeb).
    #[serde(default = "d_stop_chars")]
    pub stop_chars: Vec<String>,
    /// Largest fraction of non-blank lines of at most `short_line_length` characters. Default
    /// 0.67.
    #[serde(default = "d_short_line_thr")]
    pub short_line_thr: f64,
    /// What a short line is, in characters. Default 30.
    #[serde(default = "d_short_line_length")]
    pub short_line_length: usize,
    /// Largest fraction of the characters (newlines not counted) in lines that repeat an
    /// earlier line. Default 0.1.
    #[serde(default = "d_char_duplicates_ratio")]
    pub char_duplicates_ratio: f64,
    /// Most newlines per word (punctuation tokens counted as words, as datatrove): higher is a
    /// list or a menu. Default 0.154 (FineWeb-2 nld).
    #[serde(default = "d_new_line_ratio")]
    pub new_line_ratio: f64,
}

impl Default for FinewebQualityConfig {
    fn default() -> Self {
        FinewebQualityConfig {
            line_punct_thr: d_line_punct_thr(),
            line_punct_exclude_zero: false,
            stop_chars: d_stop_chars(),
            short_line_thr: d_short_line_thr(),
            short_line_length: d_short_line_length(),
            char_duplicates_ratio: d_char_duplicates_ratio(),
            new_line_ratio: d_new_line_ratio(),
        }
    }
}

const SIGNALS: [&str; 4] = [
    "fineweb_line_punct_ratio",
    "fineweb_short_line_ratio",
    "fineweb_char_dup_ratio",
    "fineweb_new_line_ratio",
];

/// The FineWeb rules: line punctuation, short lines, duplicated line characters, newlines per
/// word.
pub struct FinewebQuality {
    name: String,
    config: FinewebQualityConfig,
}

impl FinewebQuality {
    /// The stage named `name`.
    pub fn new(name: impl Into<String>, config: FinewebQualityConfig) -> Self {
        FinewebQuality {
            name: name.into(),
            config,
        }
    }
}

impl Stage for FinewebQuality {
    fn name(&self) -> &str {
        &self.name
    }

    fn signals(&self) -> Vec<&'static str> {
        SIGNALS.to_vec()
    }

    fn process(&self, doc: &mut Document) {
        let c = &self.config;
        let text = doc.text.as_str();
        // datatrove drops lines that are blank after stripping, but measures the others
        // unstripped; after `normalise` they have no trailing spaces anyway.
        let lines = || text.split('\n').filter(|l| !l.trim().is_empty());
        let n_lines = lines().count();
        if n_lines == 0 {
            // Nothing to measure; datatrove excludes as "empty", which `min_length` covers.
            for s in SIGNALS {
                doc.set_signal(s, 0.0);
            }
            return;
        }
        let punct = lines()
            .filter(|l| c.stop_chars.iter().any(|s| l.ends_with(s.as_str())))
            .count();
        let short = lines()
            .filter(|l| char_len(l) <= c.short_line_length)
            .count();
        let (_, dup_chars) = find_duplicates(lines());
        let non_newline_chars = char_len(text) - text.matches('\n').count();
        let words = token_count(text);
        let newlines = text.matches('\n').count();

        let punct_ratio = ratio(punct, n_lines).unwrap_or(0.0);
        let short_ratio = ratio(short, n_lines).unwrap_or(0.0);
        let dup_ratio = ratio(dup_chars, non_newline_chars).unwrap_or(0.0);
        let nl_ratio = ratio(newlines, words).unwrap_or(0.0);
        for (s, v) in SIGNALS
            .iter()
            .zip([punct_ratio, short_ratio, dup_ratio, nl_ratio])
        {
            doc.set_signal(s, round4(v));
        }

        let fail = if punct_ratio < c.line_punct_thr && !(punct == 0 && c.line_punct_exclude_zero) {
            Some((
                Reason::FinewebLinePunctuation,
                format!(
                    "{punct} of {n_lines} lines end in punctuation ({punct_ratio:.4} < {})",
                    c.line_punct_thr
                ),
            ))
        } else if short_ratio > c.short_line_thr {
            Some((
                Reason::FinewebShortLines,
                format!(
                    "{short} of {n_lines} lines have at most {} characters ({short_ratio:.4} > {})",
                    c.short_line_length, c.short_line_thr
                ),
            ))
        } else if dup_ratio > c.char_duplicates_ratio {
            Some((
                Reason::FinewebCharDuplicates,
                format!(
                    "{dup_ratio:.4} of the characters are in repeated lines > {}",
                    c.char_duplicates_ratio
                ),
            ))
        } else if words > 0 && nl_ratio > c.new_line_ratio {
            Some((
                Reason::FinewebListRatio,
                format!(
                    "{newlines} newlines for {words} words ({nl_ratio:.4} > {})",
                    c.new_line_ratio
                ),
            ))
        } else {
            None
        };
        if let Some((reason, detail)) = fail {
            doc.exclude(&self.name, reason, detail);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{check_stage, demo_doc, demo_docs, real_docs};

    fn reason(text: &str) -> Option<Reason> {
        let mut d = Document::new("s", "f:1", text);
        FinewebQuality::new("fineweb_quality", FinewebQualityConfig::default()).process(&mut d);
        d.exclusion().map(|e| e.reason)
    }

    #[test]
    fn rules_on_dutch_examples() {
        let news = demo_doc("arch-0010").text;
        assert_eq!(reason(&news), None);
        // Every line without final punctuation: the news text with its full stops removed.
        let unpunctuated: String = news
            .lines()
            .map(|l| l.trim_end_matches(['.', '?', '!', '\'', '"']))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(reason(&unpunctuated), Some(Reason::FinewebLinePunctuation));
        // arch-0018: a navigation menu: short lines without punctuation.
        assert_eq!(
            reason(&demo_doc("arch-0018").text),
            Some(Reason::FinewebLinePunctuation)
        );
        // Short punctuated lines: the news text cut into three-word lines.
        let short: String = news
            .split_whitespace()
            .collect::<Vec<_>>()
            .chunks(3)
            .map(|c| format!("{}.\n", c.join(" ")))
            .collect();
        assert_eq!(reason(&short), Some(Reason::FinewebShortLines));
        // arch-0013: one sentence repeated 30 times.
        assert_eq!(
            reason(&demo_doc("arch-0013").text),
            Some(Reason::FinewebCharDuplicates)
        );
        // A list: four long words of the news text per line, each ending in a stop.
        let list: String = news
            .split_whitespace()
            .filter(|w| w.chars().count() >= 8 && w.chars().all(char::is_alphabetic))
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| format!("{}.\n", c.join(" ")))
            .collect();
        assert_eq!(reason(&list), Some(Reason::FinewebListRatio));
    }

    #[test]
    fn real_prose_passes() {
        let stage = FinewebQuality::new("fineweb_quality", FinewebQualityConfig::default());
        let mut excluded = Vec::new();
        for doc in real_docs() {
            let mut d = doc.clone();
            stage.process(&mut d);
            if let Some(e) = d.exclusion() {
                excluded.push(format!("{} {} {}", d.locator, e.reason, e.detail));
            }
        }
        println!("{excluded:#?}");
        assert!(
            excluded
                .iter()
                .all(|e| !e.starts_with("WR-P-P-H") && !e.starts_with("ECLI")),
            "{excluded:#?}"
        );
    }

    #[test]
    fn keeps_the_contract() {
        check_stage(
            &|| {
                Box::new(FinewebQuality::new(
                    "fineweb_quality",
                    FinewebQualityConfig::default(),
                ))
            },
            demo_docs().to_vec(),
        );
    }
}
