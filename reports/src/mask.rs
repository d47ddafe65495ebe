//! Personal data masking for what the report quotes: excluded documents may have left the run
//! before the personal-data stage, so their text is masked here again before anyone sees it.

use crate::{Error, Result};
use zeef_filters::{Pii, PiiConfig};

/// Replaces personal data with placeholders (`<EMAIL>`, `<PHONE>`, ...).
pub struct Masker {
    pii: Pii,
}

impl Masker {
    /// A masker for every kind the personal-data stage knows, erring towards masking.
    pub fn new() -> Result<Self> {
        let config = PiiConfig {
            // A quoted sample needs no context words before a nine-digit number is hidden.
            bsn_require_context: false,
            ..PiiConfig::default()
        };
        let pii = Pii::new("report", config).map_err(Error::Mask)?;
        Ok(Masker { pii })
    }

    /// `text` with personal data masked, cut to at most `max_chars` characters (`…` marks a
    /// cut). Masking comes first, so a cut never leaves half an address readable.
    pub fn mask(&self, text: &str, max_chars: usize) -> String {
        let mut out = String::with_capacity(text.len().min(max_chars * 4));
        let mut at = 0;
        for m in self.pii.find(text) {
            if m.start < at || m.end > text.len() {
                continue;
            }
            out.push_str(&text[at..m.start]);
            out.push_str(m.kind.placeholder());
            at = m.end;
        }
        out.push_str(&text[at..]);
        let flat: String = out.split_whitespace().collect::<Vec<_>>().join(" ");
        match flat.char_indices().nth(max_chars) {
            Some((i, _)) => format!("{}…", &flat[..i]),
            None => flat,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_before_cutting() {
        let m = Masker::new().expect("masker");
        let s = m.mask("Mail jan.jansen@voorbeeld.nl of bel 06-12345678 nu.", 1000);
        assert!(!s.contains("jansen"), "{s}");
        assert!(!s.contains("12345678"), "{s}");
        assert!(s.contains("<EMAIL>"), "{s}");
        let cut = m.mask("Schrijf naar piet.pietersen@example.org alstublieft", 12);
        assert!(!cut.contains("piet.p"), "{cut}");
        assert!(cut.ends_with('…'));
    }
}
