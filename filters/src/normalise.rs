//! Text normalisation: mojibake repair, control characters, Unicode NFC, spaces and line ends.
//!
//! Runs first, so that every later rule (line rules, n-grams, PII patterns) sees one spelling of
//! the same text. It never excludes a document; it records what it changed in signals.

use crate::rejoin::rejoin_wrapped_lines;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
use zeef_core::{Document, Stage};

fn yes() -> bool {
    true
}

fn default_max_blank_lines() -> usize {
    2
}

fn default_rejoin_min_chars() -> usize {
    30
}

/// Configuration of the normalisation stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormaliseConfig {
    /// Repair UTF-8 text that was decoded as Latin-1 or Windows-1252 (`Ã©` → `é`, `â€™` → `’`).
    /// A sequence is repaired only when its bytes decode as valid UTF-8, so genuine text is
    /// never changed. Default true.
    #[serde(default = "yes")]
    pub fix_mojibake: bool,
    /// Remove control characters other than newline and tab (C0, DEL, C1) and the byte-order
    /// mark. Default true.
    #[serde(default = "yes")]
    pub remove_control_chars: bool,
    /// Compose the text to Unicode NFC, so `e` + combining acute and `é` are one spelling.
    /// Default true.
    #[serde(default = "yes")]
    pub nfc: bool,
    /// Replace Unicode space characters (no-break space, thin space, ...) by an ASCII space.
    /// Default true.
    #[serde(default = "yes")]
    pub unify_spaces: bool,
    /// Most consecutive blank lines kept; longer runs are shortened, and blank lines at the start
    /// and end of the text are removed. Line ends become `\n` and trailing spaces and tabs are
    /// removed from every line. Default 2.
    #[serde(default = "default_max_blank_lines")]
    pub max_blank_lines: usize,
    /// Join hard-wrapped lines back into their sentences, so that line rules (C4, FineWeb) judge
    /// sentences, not fragments: a line of at least `rejoin_min_chars` characters that ends
    /// without sentence punctuation and is followed by a line continuing the sentence (lower
    /// case, or after a word such as `de`, `van`, `te`) is joined with a space; in a paragraph
    /// where most breaks are of that kind, all its breaks are. Headings, list items, tables,
    /// quotes and blank lines are never joined. Only newlines change. Default true: text that
    /// is not wrapped has no such breaks and stays as it is.
    #[serde(default = "yes")]
    pub rejoin_wrapped_lines: bool,
    /// The shortest line that can be a wrapped one, in characters: shorter lines without
    /// punctuation are menus, addresses and verse. Default 30.
    #[serde(default = "default_rejoin_min_chars")]
    pub rejoin_min_chars: usize,
}

impl Default for NormaliseConfig {
    fn default() -> Self {
        NormaliseConfig {
            fix_mojibake: true,
            remove_control_chars: true,
            nfc: true,
            unify_spaces: true,
            max_blank_lines: default_max_blank_lines(),
            rejoin_wrapped_lines: true,
            rejoin_min_chars: default_rejoin_min_chars(),
        }
    }
}

/// Normalises text; sets `normalise_mojibake_fixes`, `normalise_control_chars_removed`,
/// `normalise_nfc_changed` (0/1), `normalise_whitespace_changed` (0/1) and
/// `normalise_lines_rejoined`. Never excludes.
pub struct Normalise {
    name: String,
    config: NormaliseConfig,
}

impl Normalise {
    /// The stage named `name`.
    pub fn new(name: impl Into<String>, config: NormaliseConfig) -> Self {
        Normalise {
            name: name.into(),
            config,
        }
    }
}

const SIGNALS: [&str; 5] = [
    "normalise_mojibake_fixes",
    "normalise_control_chars_removed",
    "normalise_nfc_changed",
    "normalise_whitespace_changed",
    "normalise_lines_rejoined",
];

impl Stage for Normalise {
    fn name(&self) -> &str {
        &self.name
    }

    fn signals(&self) -> Vec<&'static str> {
        SIGNALS.to_vec()
    }

    fn process(&self, doc: &mut Document) {
        let c = &self.config;
        let mut fixes = 0;
        if c.fix_mojibake {
            // Double-encoded text (`ÃƒÂ©`) needs a pass per layer; three layers is already rare.
            for _ in 0..3 {
                match fix_mojibake(&doc.text) {
                    (Cow::Owned(s), n) => {
                        doc.text = s;
                        fixes += n;
                    }
                    (Cow::Borrowed(_), _) => break,
                }
            }
        }
        let mut removed = 0;
        if c.remove_control_chars {
            if let (Cow::Owned(s), n) = remove_control_chars(&doc.text) {
                doc.text = s;
                removed = n;
            }
        }
        let mut nfc_changed = false;
        if c.nfc && is_nfc_quick(doc.text.chars()) != IsNormalized::Yes {
            let composed: String = doc.text.nfc().collect();
            nfc_changed = composed != doc.text;
            doc.text = composed;
        }
        let mut ws_changed = false;
        if let Cow::Owned(s) = normalise_whitespace(&doc.text, c.unify_spaces, c.max_blank_lines) {
            ws_changed = s != doc.text;
            doc.text = s;
        }
        let mut rejoined = 0;
        if c.rejoin_wrapped_lines {
            if let (Cow::Owned(s), n) = rejoin_wrapped_lines(&doc.text, c.rejoin_min_chars) {
                doc.text = s;
                rejoined = n;
            }
        }
        doc.set_signal(SIGNALS[0], fixes as f64);
        doc.set_signal(SIGNALS[1], removed as f64);
        doc.set_signal(SIGNALS[2], f64::from(u8::from(nfc_changed)));
        doc.set_signal(SIGNALS[3], f64::from(u8::from(ws_changed)));
        doc.set_signal(SIGNALS[4], rejoined as f64);
    }
}

/// The byte a character stood for when UTF-8 bytes were decoded as Windows-1252 or Latin-1.
///
/// Latin-1 maps bytes 0x80–0xFF to U+0080–U+00FF; Windows-1252 puts typographic characters at
/// 0x80–0x9F. Decoders leave the five bytes Windows-1252 does not define as C1 controls, so both
/// readings are accepted.
fn cp1252_byte(c: char) -> Option<u8> {
    let b = match c {
        '\u{80}'..='\u{FF}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(b)
}

/// Repairs mis-decoded UTF-8 sequences; returns the text and the number of characters repaired.
///
/// A sequence is a lead byte (0xC2–0xF4) followed by the continuation bytes (0x80–0xBF) it needs,
/// each written as the Windows-1252/Latin-1 character for that byte. It is replaced only when the
/// bytes are valid UTF-8 (no overlong forms, no surrogates): genuine Dutch text puts an accented
/// letter next to an ASCII letter, and an ASCII byte is never a continuation byte, so `café` or
/// `Noël` can never match. Only text about mojibake itself (a literal `Ã©`) would be changed.
pub(crate) fn fix_mojibake(text: &str) -> (Cow<'_, str>, usize) {
    if text.is_ascii() {
        return (Cow::Borrowed(text), 0);
    }
    let mut out: Option<String> = None;
    let mut fixes = 0;
    let mut copied = 0; // bytes of `text` already in `out`
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let Some(lead) = cp1252_byte(c) else { continue };
        let need = match lead {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => continue,
        };
        let mut bytes = [lead, 0, 0, 0];
        let mut end = i + c.len_utf8();
        let mut ok = true;
        let mut look = iter.clone();
        for slot in bytes.iter_mut().take(need).skip(1) {
            match look.next() {
                Some((j, d)) => match cp1252_byte(d) {
                    Some(b @ 0x80..=0xBF) => {
                        *slot = b;
                        end = j + d.len_utf8();
                    }
                    _ => {
                        ok = false;
                        break;
                    }
                },
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if !ok {
            continue;
        }
        let Ok(decoded) = std::str::from_utf8(&bytes[..need]) else {
            continue;
        };
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[copied..i]);
        buf.push_str(decoded);
        copied = end;
        fixes += 1;
        iter = look;
    }
    match out {
        None => (Cow::Borrowed(text), 0),
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            (Cow::Owned(buf), fixes)
        }
    }
}

/// Control characters other than `\n`, `\t` and `\r` (line ends are handled with whitespace),
/// plus the byte-order mark, which editors leave at the start of files and inside joined ones.
fn is_removable_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r')) || c == '\u{FEFF}'
}

fn remove_control_chars(text: &str) -> (Cow<'_, str>, usize) {
    // ASCII controls are checked bytewise; non-ASCII text needs the char walk for C1 and BOM.
    let any = if text.is_ascii() {
        text.bytes()
            .any(|b| (b < 0x20 && !matches!(b, b'\n' | b'\t' | b'\r')) || b == 0x7F)
    } else {
        text.chars().any(is_removable_control)
    };
    if !any {
        return (Cow::Borrowed(text), 0);
    }
    let mut removed = 0;
    let kept: String = text
        .chars()
        .filter(|&c| {
            let drop = is_removable_control(c);
            removed += usize::from(drop);
            !drop
        })
        .collect();
    (Cow::Owned(kept), removed)
}

/// Unicode space separators other than the ASCII space.
fn is_odd_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Line ends to `\n`, trailing spaces and tabs removed, blank-line runs capped, blank lines at
/// both ends removed. Borrowed when nothing changes (the common case for clean sources), so a
/// clean document costs one scan and no allocation.
fn normalise_whitespace(text: &str, unify_spaces: bool, max_blank: usize) -> Cow<'_, str> {
    if is_clean(text, unify_spaces, max_blank) {
        return Cow::Borrowed(text);
    }
    let unified;
    let text = if text.contains('\r') {
        unified = text.replace("\r\n", "\n").replace('\r', "\n");
        unified.as_str()
    } else {
        text
    };
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0usize;
    let mut started = false;
    for line in text.split('\n') {
        let line = if unify_spaces {
            line.trim_end_matches(|c: char| c == ' ' || c == '\t' || is_odd_space(c))
        } else {
            line.trim_end_matches([' ', '\t'])
        };
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if started {
            out.push('\n');
            for _ in 0..blank_run.min(max_blank) {
                out.push('\n');
            }
        }
        blank_run = 0;
        started = true;
        if unify_spaces && !line.is_ascii() {
            out.extend(line.chars().map(|c| if is_odd_space(c) { ' ' } else { c }));
        } else {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

/// Whether [`normalise_whitespace`] would leave the text as it is.
fn is_clean(text: &str, unify_spaces: bool, max_blank: usize) -> bool {
    if text.starts_with('\n') || text.contains('\r') {
        return false;
    }
    if unify_spaces && !text.is_ascii() && text.chars().any(is_odd_space) {
        return false;
    }
    let mut newlines = 0usize;
    let mut prev = b'\n';
    for &b in text.as_bytes() {
        if b == b'\n' {
            // A line ending in a space or tab, including a whitespace-only line.
            if prev == b' ' || prev == b'\t' {
                return false;
            }
            newlines += 1;
            if newlines > max_blank + 1 {
                return false;
            }
        } else {
            newlines = 0;
        }
        prev = b;
    }
    !matches!(prev, b' ' | b'\t' | b'\n') || text.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{check_stage, demo_docs};

    fn run(text: &str) -> Document {
        let stage = Normalise::new("normalise", NormaliseConfig::default());
        let mut d = Document::new("s", "f:1", text);
        stage.process(&mut d);
        d
    }

    #[test]
    fn repairs_mojibake_only_when_it_decodes() {
        let d = run("De cafÃ© van Ã©Ã©n Ã¼bergrote â€œheerâ€\u{9d} en NoÃ«l.");
        assert_eq!(d.text, "De café van één übergrote “heer” en Noël.");
        assert_eq!(d.signal("normalise_mojibake_fixes"), Some(7.0));
        // Genuine text with accents and Latin-1 punctuation is left alone.
        let genuine = "Één café, «Noël» à 5 € — ‘zoo’ ¿ Ã la carte ©2024.";
        let d = run(genuine);
        assert_eq!(d.text, genuine);
        assert_eq!(d.signal("normalise_mojibake_fixes"), Some(0.0));
        // Double encoding is undone layer by layer.
        assert_eq!(run("ÃƒÂ©").text, "é");
        // A no-break space read as Latin-1.
        assert_eq!(run("10Â\u{a0}km").text, "10 km");
    }

    #[test]
    fn removes_controls_composes_and_cleans_whitespace() {
        let d = run(
            "\u{feff}Artikel 1\u{0}\u{7}\r\nDe Minister\u{85} \r\n\r\n\r\n\r\n\r\nbesluit:\t \n",
        );
        assert_eq!(d.text, "Artikel 1\nDe Minister\n\n\nbesluit:");
        assert_eq!(d.signal("normalise_control_chars_removed"), Some(4.0));
        assert_eq!(d.signal("normalise_whitespace_changed"), Some(1.0));
        let d = run("e\u{301}e\u{308}n"); // decomposed "éën"
        assert_eq!(d.text, "éën");
        assert_eq!(d.signal("normalise_nfc_changed"), Some(1.0));
        let d = run("art.\u{a0}5 lid\u{2009}2\nen\ttab");
        assert_eq!(d.text, "art. 5 lid 2\nen\ttab");
        let d = run("\n\n  \nEerste regel\n   \nTweede\r");
        assert_eq!(d.text, "Eerste regel\n\nTweede");
    }

    #[test]
    fn clean_dutch_is_untouched() {
        for doc in demo_docs().iter().filter(|d| d.source == "alpino").take(10) {
            let mut d = doc.clone();
            Normalise::new("normalise", NormaliseConfig::default()).process(&mut d);
            assert_eq!(d.text, doc.text, "{}", doc.id);
            assert_eq!(d.signal("normalise_mojibake_fixes"), Some(0.0));
        }
    }

    #[test]
    fn keeps_the_contract() {
        check_stage(
            &|| Box::new(Normalise::new("normalise", NormaliseConfig::default())),
            demo_docs().to_vec(),
        );
    }
}
