//! A minimum document length.

use serde::{Deserialize, Serialize};
use zeef_core::{Document, Reason, Stage};

fn default_min_words() -> usize {
    50
}

/// Configuration of the minimum-length rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinLengthConfig {
    /// Documents with fewer whitespace-separated words are excluded (`too_short`).
    /// Default 50, the Gopher quality rule's minimum.
    #[serde(default = "default_min_words")]
    pub min_words: usize,
}

impl Default for MinLengthConfig {
    fn default() -> Self {
        MinLengthConfig {
            min_words: default_min_words(),
        }
    }
}

/// Excludes documents shorter than a number of words; sets `word_count`.
pub struct MinLength {
    name: String,
    config: MinLengthConfig,
}

impl MinLength {
    /// The rule named `name`.
    pub fn new(name: impl Into<String>, config: MinLengthConfig) -> Self {
        MinLength {
            name: name.into(),
            config,
        }
    }
}

impl Stage for MinLength {
    fn name(&self) -> &str {
        &self.name
    }

    fn signals(&self) -> Vec<&'static str> {
        vec!["word_count"]
    }

    fn process(&self, doc: &mut Document) {
        let words = doc.word_count();
        doc.set_signal("word_count", words as f64);
        if words < self.config.min_words {
            doc.exclude(
                &self.name,
                Reason::TooShort,
                format!("{words} words < min_words {}", self.config.min_words),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_words_and_excludes_short_text() {
        let stage = MinLength::new("min_length", MinLengthConfig { min_words: 5 });
        let mut short = Document::new("s", "f:1", "Wij gebruiken cookies.");
        stage.process(&mut short);
        let e = short.exclusion().expect("excluded");
        assert_eq!(e.reason, Reason::TooShort);
        assert_eq!(e.detail, "3 words < min_words 5");
        let mut long = Document::new("s", "f:2", "De Tweede Kamer stemde dinsdag in met de wet.");
        stage.process(&mut long);
        assert!(long.is_kept());
        assert_eq!(long.signal("word_count"), Some(9.0));
    }

    #[test]
    fn keeps_the_contract() {
        crate::contract::check_stage(
            &|| Box::new(MinLength::new("min_length", MinLengthConfig::default())),
            crate::contract::demo_docs().to_vec(),
        );
    }
}
