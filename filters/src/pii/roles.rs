//! Whether a person name stands in a public role: named as the holder of an office in the same
//! line, or in a sentence of appointment. Legislation names ministers, state secretaries,
//! chairs, plenipotentiaries and appointed members on purpose; the `public_officials` setting
//! decides whether such names are kept.
//!
//! The rule is narrow on purpose. A role word must be bound to the name: the office comes right
//! before it with nothing but the office's own title in between (`De Staatssecretaris van
//! Sociale Zaken en Werkgelegenheid, J. F. Hoogervorst`), or right after it
//! (`de heer G. Andreotti, Minister van Buitenlandse Zaken;`), or the sentence appoints someone
//! to a named office (`wordt benoemd tot lid van de Raad`), or the name signs an act (`w.g.`,
//! `(sd.)`, `namens deze,`, `Zijne Excellentie`). A role word elsewhere in the
//! sentence (`de door de minister genoemde heren ...`, `mevrouw X, voorzitter, en ...` of a
//! foundation in a ruling) does not make a name public.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Offices whose holders are named in their public role (lower case).
const OFFICES: &[&str] = &[
    "minister-president",
    "minister",
    "ministers",
    "staatssecretaris",
    "voorzitter",
    "vice-voorzitter",
    "ondervoorzitter",
    "plaatsvervangend voorzitter",
    "secretaris-generaal",
    "secretaris",
    "griffier",
    "gevolmachtigde",
    "gevolmachtigden",
    "ambassadeur",
    "burgemeester",
    "commissaris van de koning",
    "commissaris van de koningin",
    "commissaris der koningin",
    "directeur-generaal",
    "ambtgenoot",
    "president",
    "van wege den koning",
    "van wege de koning",
    // The offices of treaties' plenipotentiaries, in English and French.
    "prime minister",
    "secretary of state",
    "ambassador",
    "plenipotentiary",
    "chairman",
    "chairperson",
    "ministre",
    "président",
    "ambassadeur extraordinaire",
    // Diplomatic forms of address, before a plenipotentiary's name.
    "excellentie",
    "excellency",
    "excellence",
    // Signing an act: `w.g.`, `(sd.)` and `namens deze,` (on the minister's behalf) stand
    // before the name of who signs it in office.
    "w.g.",
    "(w.g.)",
    "(sd.)",
    "(s.)",
    "(get.)",
    "(geteekend)",
    "(getekend)",
    "(signed)",
    "namens deze",
    "voor deze",
];

/// Offices one is appointed to (`benoemd tot lid`, `als voorzitter aangewezen`).
const APPOINTED_TO: &[&str] = &[
    "tot lid",
    "tot leden",
    "als lid",
    "als leden",
    "tot plaatsvervangend lid",
    "tot plaatsvervangende leden",
    "als plaatsvervangend lid",
    "tot voorzitter",
    "als voorzitter",
    "tot vice-voorzitter",
    "tot secretaris",
    "als secretaris",
];

/// Verbs of appointment.
const APPOINTING: &[&str] = &[
    "benoemd",
    "herbenoemd",
    "benoemt",
    "aangewezen",
    "aangesteld",
];

/// Lower-case words that may stand inside an office's title between the office and the name
/// (`Minister van Buitenlandse Zaken`, `Staatssecretaris voor Europese Zaken`) or before the
/// name (`de heer`, `mevrouw`, titles).
const TITLE_WORDS: &[&str] = &[
    "van",
    "voor",
    "de",
    "den",
    "der",
    "het",
    "en",
    "'t",
    "'s",
    "op",
    "zonder",
    "portefeuille",
    "heer",
    "mevrouw",
    "mr.",
    "mr",
    "dr.",
    "dr",
    "prof.",
    "drs.",
    "ir.",
    "ing.",
    "ir",
    "drs",
    "jhr.",
    "mevr.",
    "dhr.",
    "h.e.",
    "z.e.",
    "e.a.",
];

pub(crate) struct Roles {
    offices: AhoCorasick,
    appointed_to: AhoCorasick,
    appointing: AhoCorasick,
}

fn automaton(words: &[&str]) -> Result<AhoCorasick, String> {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(words)
        .map_err(|e| format!("pii roles: {e}"))
}

/// Whether `text[s..e]` is a whole word (no letter or hyphen glued to either side).
fn whole_word(text: &str, s: usize, e: usize) -> bool {
    let before = text[..s].chars().next_back();
    let after = text[e..].chars().next();
    !before.is_some_and(|c| c.is_alphabetic() || c == '-')
        && !after.is_some_and(|c| c.is_alphabetic() || c == '-')
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

/// Whether the stretch between an office and a name holds only the office's title: capitalised
/// words, the connectors and titles of [`TITLE_WORDS`], commas and a colon.
fn only_title(gap: &str) -> bool {
    gap.len() <= 120
        && gap
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | '(' | ')'))
            .map(|w| w.trim_matches(['*', '_']))
            .filter(|w| !w.is_empty())
            .all(|w| {
                w.chars().next().is_some_and(char::is_uppercase)
                    || TITLE_WORDS.iter().any(|t| t.eq_ignore_ascii_case(w))
            })
}

impl Roles {
    pub(crate) fn new() -> Result<Self, String> {
        Ok(Roles {
            offices: automaton(OFFICES)?,
            appointed_to: automaton(APPOINTED_TO)?,
            appointing: automaton(APPOINTING)?,
        })
    }

    /// Whether the name at `start..end` is named in a public role; `sentence` is the span of
    /// its sentence.
    pub(crate) fn public(
        &self,
        text: &str,
        start: usize,
        end: usize,
        sentence: (usize, usize),
    ) -> bool {
        self.office_before(text, start)
            || self.office_after(text, end)
            || self.appointed_list(text, start)
            || {
                let s = &text[sentence.0..sentence.1];
                self.appointed_to.find(s).is_some() && self.appointing.find(s).is_some()
                    || self
                        .offices
                        .find_iter(s)
                        .any(|m| s[m.start()..m.end()].eq_ignore_ascii_case("gevolmachtigden"))
            }
    }

    /// A name in a list under a line of appointment (`b. *tot leden:*` then
    /// `de heer mr. G. J. de Haas, te Zwolle;`): each line up to the list's heading ending in a
    /// colon is short, and the heading appoints.
    fn appointed_list(&self, text: &str, start: usize) -> bool {
        let mut line_s = line_start(text, start);
        if line_end(text, start) - line_s > 300 {
            return false;
        }
        for _ in 0..60 {
            if line_s == 0 {
                return false;
            }
            let prev_s = line_start(text, line_s - 1);
            let line = text[prev_s..line_s - 1].trim();
            line_s = prev_s;
            if line.is_empty() {
                continue;
            }
            if line.starts_with('#') || line.len() > 300 {
                return false;
            }
            if line.trim_end_matches(['*', ' ', '_']).ends_with(':') {
                return self.appointed_to.find(line).is_some()
                    || self.appointing.find(line).is_some();
            }
        }
        false
    }

    /// `De Minister van Justitie, J. Jansen`; also across one line break after an office line
    /// ending in a comma or colon (`De Minister van Justitie,\nJ. Jansen`).
    fn office_before(&self, text: &str, start: usize) -> bool {
        let mut from = line_start(text, start);
        if text[from..start].trim().is_empty() && from >= 1 {
            let prev = text[..from - 1].trim_end();
            if prev.ends_with([',', ':']) {
                from = line_start(text, prev.len());
            }
        }
        from = from.max(start.saturating_sub(200));
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let window = &text[from..start];
        let last = self
            .offices
            .find_iter(window)
            .filter(|m| whole_word(text, from + m.start(), from + m.end()))
            .last();
        last.is_some_and(|m| only_title(&window[m.end()..]))
    }

    /// `de heer G. Andreotti, Minister van Buitenlandse Zaken;`, `J. Jansen, voorzitter`: an
    /// office after a comma, then the end of the line or clause, or the office's title.
    fn office_after(&self, text: &str, end: usize) -> bool {
        let Some(rest) = text[end..].strip_prefix(',') else {
            return false;
        };
        let at = end + 1 + (rest.len() - rest.trim_start_matches(' ').len());
        let mut stop = line_end(text, at).min(at + 200);
        while !text.is_char_boundary(stop) {
            stop -= 1;
        }
        let Some(m) = self.offices.find(&text[at..stop]) else {
            return false;
        };
        if m.start() != 0 || !whole_word(text, at, at + m.end()) {
            return false;
        }
        let after = &text[at + m.end()..stop];
        let after = after.trim_start_matches(' ');
        if after.is_empty() || after.starts_with([';', '.', ')']) {
            return true;
        }
        // The office's title: `van`/`voor`/`der`, possibly an article, then a capital.
        let mut words = after.split(' ');
        let first = words.next().unwrap_or("");
        if !matches!(
            first,
            "van" | "voor" | "der" | "bij" | "of" | "for" | "des" | "du"
        ) {
            return false;
        }
        words
            .find(|w| !matches!(*w, "de" | "het" | "den" | "der" | "'t" | "the"))
            .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str, name: &str) -> bool {
        let s = text.find(name).expect("name in text");
        Roles::new()
            .expect("roles")
            .public(text, s, s + name.len(), (0, text.len()))
    }

    #[test]
    fn bound_offices() {
        assert!(public(
            "Gezien het nader rapport van de Staatssecretaris van Sociale Zaken en \
             Werkgelegenheid, J. F. Hoogervorst, uitgebracht",
            "J. F. Hoogervorst"
        ));
        assert!(public("De Minister van Justitie,\nJ. Jansen", "J. Jansen"));
        assert!(public(
            "de heer Giulio Andreotti, Minister van Buitenlandse Zaken;",
            "Giulio Andreotti"
        ));
        assert!(public(
            "Tot lid van de commissie wordt benoemd mr. A.B. de Boer.",
            "A.B. de Boer"
        ));
        // A role word that is not bound to the name.
        assert!(!public(
            "Bij de ruiming waren behalve de door de minister genoemde heren Bastiaansen en \
             Osta ook aanwezig.",
            "Bastiaansen"
        ));
        assert!(!public(
            "door mevrouw M.A.L. van Heck-Bosch, voorzitter, en door ir J.L.H.T. van Heck, \
             secretaris van verzoekster",
            "M.A.L. van Heck-Bosch"
        ));
        assert!(!public(
            "door mevrouw M.A.L. van Heck-Bosch, voorzitter, en door ir J.L.H.T. van Heck, \
             secretaris van verzoekster",
            "J.L.H.T. van Heck"
        ));
        assert!(!public(
            "De rechtbank heeft mr. X. Smit benoemd tot curator over de goederen van A. Jansen.",
            "A. Jansen"
        ));
        assert!(!public("De Ministeries, J. Jansen", "J. Jansen"));
    }
}
