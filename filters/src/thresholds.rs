//! The thresholds of the quality stages, as the stages declare them: which setting bounds which
//! signal, on which side, and which recipe the default comes from. The report draws them on the
//! signal histograms and `zeef calibrate` proposes values for them from text a steward trusts.

/// Which side of its threshold a document's signal must be on to stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// The signal must be at least the threshold.
    Min,
    /// The signal must be at most the threshold.
    Max,
}

/// One threshold of one stage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// The stage type (`gopher_quality`).
    pub stage: &'static str,
    /// The setting in the stage's table. For a list of `[n, value]` pairs (the Gopher n-gram
    /// rules) the setting is the list's name and `n` the entry.
    pub setting: &'static str,
    /// The entry of a `[n, value]` list, or 0 for a plain setting.
    pub n: usize,
    /// The signal the setting bounds.
    pub signal: &'static str,
    /// Which side a kept document is on.
    pub bound: Bound,
    /// Where the default comes from.
    pub recipe: &'static str,
}

const fn t(
    stage: &'static str,
    setting: &'static str,
    signal: &'static str,
    bound: Bound,
    recipe: &'static str,
) -> Threshold {
    Threshold {
        stage,
        setting,
        n: 0,
        signal,
        bound,
        recipe,
    }
}

const fn ngram(setting: &'static str, n: usize, signal: &'static str) -> Threshold {
    Threshold {
        stage: "gopher_repetition",
        setting,
        n,
        signal,
        bound: Bound::Max,
        recipe: "FineWeb-2 nld_Latn",
    }
}

use Bound::{Max, Min};

/// Every threshold of every stage, in stage order.
pub const THRESHOLDS: &[Threshold] = &[
    t("min_length", "min_words", "word_count", Min, "zeef"),
    t(
        "gopher_quality",
        "min_doc_words",
        "gopher_words",
        Min,
        "Gopher",
    ),
    t(
        "gopher_quality",
        "max_doc_words",
        "gopher_words",
        Max,
        "Gopher",
    ),
    t(
        "gopher_quality",
        "min_avg_word_length",
        "gopher_mean_word_length",
        Min,
        "Gopher",
    ),
    t(
        "gopher_quality",
        "max_avg_word_length",
        "gopher_mean_word_length",
        Max,
        "FineWeb-2 nld_Latn",
    ),
    t(
        "gopher_quality",
        "max_symbol_word_ratio",
        "gopher_hash_ratio",
        Max,
        "Gopher",
    ),
    t(
        "gopher_quality",
        "max_symbol_word_ratio",
        "gopher_ellipsis_ratio",
        Max,
        "Gopher",
    ),
    t(
        "gopher_quality",
        "max_bullet_lines_ratio",
        "gopher_bullet_lines_ratio",
        Max,
        "Gopher",
    ),
    t(
        "gopher_quality",
        "max_ellipsis_lines_ratio",
        "gopher_ellipsis_lines_ratio",
        Max,
        "Gopher",
    ),
    t(
        "gopher_quality",
        "min_alpha_words_ratio",
        "gopher_alpha_words_ratio",
        Min,
        "FineWeb-2 nld_Latn",
    ),
    t(
        "gopher_quality",
        "min_stop_words",
        "gopher_stop_words",
        Min,
        "Gopher",
    ),
    t(
        "gopher_repetition",
        "dup_para_frac",
        "gopher_dup_para_frac",
        Max,
        "Gopher",
    ),
    t(
        "gopher_repetition",
        "dup_para_char_frac",
        "gopher_dup_para_char_frac",
        Max,
        "Gopher",
    ),
    t(
        "gopher_repetition",
        "dup_line_frac",
        "gopher_dup_line_frac",
        Max,
        "FineWeb-2 nld_Latn",
    ),
    t(
        "gopher_repetition",
        "dup_line_char_frac",
        "gopher_dup_line_char_frac",
        Max,
        "Gopher",
    ),
    ngram("top_n_grams", 2, "gopher_top_2_gram"),
    ngram("top_n_grams", 3, "gopher_top_3_gram"),
    ngram("top_n_grams", 4, "gopher_top_4_gram"),
    ngram("dup_n_grams", 5, "gopher_dup_5_gram"),
    ngram("dup_n_grams", 6, "gopher_dup_6_gram"),
    ngram("dup_n_grams", 7, "gopher_dup_7_gram"),
    ngram("dup_n_grams", 8, "gopher_dup_8_gram"),
    ngram("dup_n_grams", 9, "gopher_dup_9_gram"),
    ngram("dup_n_grams", 10, "gopher_dup_10_gram"),
    t("c4", "min_num_sentences", "c4_sentences", Min, "C4"),
    t(
        "fineweb_quality",
        "line_punct_thr",
        "fineweb_line_punct_ratio",
        Min,
        "FineWeb-2 nld_Latn",
    ),
    t(
        "fineweb_quality",
        "short_line_thr",
        "fineweb_short_line_ratio",
        Max,
        "FineWeb",
    ),
    t(
        "fineweb_quality",
        "char_duplicates_ratio",
        "fineweb_char_dup_ratio",
        Max,
        "FineWeb",
    ),
    t(
        "fineweb_quality",
        "new_line_ratio",
        "fineweb_new_line_ratio",
        Max,
        "FineWeb-2 nld_Latn",
    ),
    t("bad_words", "max_ratio", "bad_words_ratio", Max, "LDNOOBW"),
];

impl Threshold {
    /// `stage.setting`, or `stage.setting[n]` for a list entry.
    pub fn key(&self) -> String {
        if self.n == 0 {
            format!("{}.{}", self.stage, self.setting)
        } else {
            format!("{}.{}[{}]", self.stage, self.setting, self.n)
        }
    }

    /// Its value in a stage table (JSON, as the configuration serialises it), if set there.
    pub fn value_in(&self, stage: &serde_json::Value) -> Option<f64> {
        let v = stage.get(self.setting)?;
        if self.n == 0 {
            return v.as_f64();
        }
        v.as_array()?.iter().find_map(|pair| {
            let p = pair.as_array()?;
            (p.first()?.as_u64()? == self.n as u64)
                .then(|| p.get(1)?.as_f64())
                .flatten()
        })
    }

    /// Whether a signal value passes a threshold value.
    pub fn passes(&self, signal: f64, threshold: f64) -> bool {
        match self.bound {
            Bound::Min => signal >= threshold,
            Bound::Max => signal <= threshold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;
    use zeef_core::Stage;

    /// Every declared signal is one its stage sets, and every setting is one of its config.
    #[test]
    fn thresholds_name_real_signals_and_settings() {
        let signals = |kind: &str| -> Vec<&'static str> {
            match kind {
                "min_length" => MinLength::new("s", MinLengthConfig::default()).signals(),
                "gopher_quality" => {
                    GopherQuality::new("s", GopherQualityConfig::default()).signals()
                }
                "gopher_repetition" => {
                    let c = GopherRepetitionConfig {
                        top_n_grams: (2..=4).map(|n| (n, 0.2)).collect(),
                        dup_n_grams: (5..=10).map(|n| (n, 0.2)).collect(),
                        ..GopherRepetitionConfig::default()
                    };
                    GopherRepetition::new("s", c)
                        .map(|s| s.signals())
                        .unwrap_or_default()
                }
                "c4" => C4::new("s", C4Config::default())
                    .map(|s| s.signals())
                    .unwrap_or_default(),
                "fineweb_quality" => {
                    FinewebQuality::new("s", FinewebQualityConfig::default()).signals()
                }
                "bad_words" => BadWords::new("s", BadWordsConfig::default()).signals(),
                _ => Vec::new(),
            }
        };
        let config = |kind: &str| -> serde_json::Value {
            match kind {
                "min_length" => serde_json::to_value(MinLengthConfig::default()),
                "gopher_quality" => serde_json::to_value(GopherQualityConfig::default()),
                "gopher_repetition" => serde_json::to_value(GopherRepetitionConfig::default()),
                "c4" => serde_json::to_value(C4Config::default()),
                "fineweb_quality" => serde_json::to_value(FinewebQualityConfig::default()),
                "bad_words" => serde_json::to_value(BadWordsConfig::default()),
                _ => Ok(serde_json::Value::Null),
            }
            .unwrap_or_default()
        };
        for t in THRESHOLDS {
            assert!(
                signals(t.stage).contains(&t.signal),
                "{}: {}",
                t.key(),
                t.signal
            );
            assert!(
                t.value_in(&config(t.stage)).is_some(),
                "{} has no default",
                t.key()
            );
        }
    }
}
