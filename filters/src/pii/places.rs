//! Places of residence and birth, street addresses and dates of birth, read after the phrases
//! that introduce them (`wonende te`, `woonachtig aan`, `geboren op`, `geboortedatum:`), and
//! street addresses by the shape `<Name>straat 12a` anywhere.

use super::names::{capitalised, word_end};
use super::words::{INSTITUTION_ENDINGS, MONTHS};
use regex::Regex;

/// What a trigger phrase introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// A person's name (title, form of address, `w.g.`, `ten name van`, `namens`).
    Name,
    /// A place of residence or birth.
    Place,
    /// A date of birth (then, optionally, `te <place>`).
    BirthDate,
    /// A street address.
    Address,
}

/// The trigger phrases of places, dates of birth and addresses (lower case, ASCII
/// case-insensitive match).
pub(crate) const CONTEXT_PHRASES: &[(&str, Trigger)] = &[
    ("wonende te ", Trigger::Place),
    ("wonend te ", Trigger::Place),
    ("woonachtig te ", Trigger::Place),
    ("woont te ", Trigger::Place),
    ("wonende in ", Trigger::Place),
    ("wonend in ", Trigger::Place),
    ("woonachtig in ", Trigger::Place),
    ("woont in ", Trigger::Place),
    ("woonplaats ", Trigger::Place),
    ("woonplaats: ", Trigger::Place),
    ("woonplaats te ", Trigger::Place),
    ("geboren te ", Trigger::Place),
    ("geboren in ", Trigger::Place),
    ("geboorteplaats ", Trigger::Place),
    ("geboorteplaats: ", Trigger::Place),
    ("als geboorteplaats ", Trigger::Place),
    ("place of birth: ", Trigger::Place),
    ("geboren op ", Trigger::BirthDate),
    ("geboren ", Trigger::BirthDate),
    ("geboren d.d. ", Trigger::BirthDate),
    ("geb. ", Trigger::BirthDate),
    ("geb ", Trigger::BirthDate),
    ("geboortedatum ", Trigger::BirthDate),
    ("geboortedatum: ", Trigger::BirthDate),
    ("geb.datum ", Trigger::BirthDate),
    ("geb.datum: ", Trigger::BirthDate),
    ("date of birth: ", Trigger::BirthDate),
    ("woonachtig aan ", Trigger::Address),
    ("wonende aan ", Trigger::Address),
    ("wonend aan ", Trigger::Address),
    ("woont aan ", Trigger::Address),
    ("woonachtig op ", Trigger::Address),
    ("wonende op ", Trigger::Address),
    ("op het adres ", Trigger::Address),
    ("woonadres ", Trigger::Address),
    ("woonadres: ", Trigger::Address),
    ("adres: ", Trigger::Address),
    ("huisadres: ", Trigger::Address),
];

/// The end of a place name starting at `at`: a capitalised word (`Zaandam`, `Nieuw-Vennep`,
/// `'s-Hertogenbosch`), a second capitalised word (`Den Haag`, `Zevenbergschen Hoek`), and a
/// connector with another (`Alphen aan den Rijn`, `Bergen op Zoom`, `Wijk bij Duurstede`).
/// Anonymised letters (`wonende te X`) and bracketed placeholders are not places.
pub(crate) fn place_end(text: &str, at: usize) -> Option<usize> {
    let mut p = at;
    for prefix in ["'s-", "'s ", "’s-", "'t "] {
        if text[at..].starts_with(prefix) {
            p = at + prefix.len();
            break;
        }
    }
    let mut end = word_end(text, p);
    if end == p || !capitalised(&text[p..end]) {
        return None;
    }
    // `Den Haag`, `Zevenbergschen Hoek`: one more capitalised word.
    if let Some(rest) = text[end..].strip_prefix(' ') {
        let e = word_end(rest, 0);
        if e > 0 && capitalised(&rest[..e]) && !starts_sentence_word(&rest[..e]) {
            end = end + 1 + e;
        }
    }
    for connector in [
        " aan den ",
        " aan de ",
        " aan het ",
        " aan ",
        " op ",
        " bij ",
        " in ",
        " onder ",
        " over ",
    ] {
        if let Some(rest) = text[end..].strip_prefix(connector) {
            let e = word_end(rest, 0);
            if e > 0 && capitalised(&rest[..e]) {
                end = end + connector.len() + e;
            }
            break;
        }
    }
    Some(end)
}

/// Words that start the next clause after a place rather than continue its name.
fn starts_sentence_word(w: &str) -> bool {
    matches!(
        w,
        "Appellant"
            | "Appellante"
            | "Verweerder"
            | "Verweerster"
            | "De"
            | "Het"
            | "Een"
            | "Hij"
            | "Zij"
            | "Ik"
    )
}

/// Dates of birth: `3 maart 1961`, `03-03-1961`, `3/3/1961`, `1961-03-03`.
pub(crate) fn date_regex() -> Result<Regex, String> {
    let months = MONTHS.join("|");
    Regex::new(&format!(
        r"^(?i:[0-3]?[0-9] (?:{months}) [12][0-9]{{3}})|^[0-3]?[0-9][-/.][01]?[0-9][-/.][12][0-9]{{3}}|^[12][0-9]{{3}}-[01][0-9]-[0-3][0-9]"
    ))
    .map_err(|e| format!("pii date pattern: {e}"))
}

/// The end of a house number and its addition at `at` (`12`, `14a`, `33-2`, `101 bis`, `12 hs`,
/// `5-B`); `None` when the number is part of something else (`12.5`, `1:3`, a year).
pub(crate) fn house_number_end(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = at;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == at || i - at > 5 {
        return None;
    }
    let n: u32 = text[at..i].parse().ok()?;
    if (1800..=2100).contains(&n) && i - at == 4 {
        return None; // `Afsluitdijk 1932`: a year
    }
    if matches!(b.get(i), Some(b'.' | b':' | b',' | b'/'))
        && b.get(i + 1).is_some_and(u8::is_ascii_digit)
    {
        return None;
    }
    let letter_end = |j: usize| -> bool { !b.get(j).is_some_and(|c| c.is_ascii_alphanumeric()) };
    // Additions.
    if b.get(i).is_some_and(u8::is_ascii_alphabetic) && letter_end(i + 1) {
        return Some(i + 1);
    }
    if b.get(i) == Some(&b'-') {
        let mut j = i + 1;
        while j < b.len() && b[j].is_ascii_alphanumeric() && j - i <= 4 {
            j += 1;
        }
        if j > i + 1 && letter_end(j) {
            return Some(j);
        }
    }
    for add in [" bis", " hs", " HS", "-hs", " huis", " boven", " BIS"] {
        if text[i..].starts_with(add) && letter_end(i + add.len()) {
            return Some(i + add.len());
        }
    }
    if b.get(i) == Some(&b' ')
        && b.get(i + 1).is_some_and(u8::is_ascii_uppercase)
        && letter_end(i + 2)
        && !matches!(b.get(i + 2), Some(b'.'))
    {
        return Some(i + 2);
    }
    Some(i)
}

/// Whether a postcode (`, 3512 AB`, valid or not) follows at `at`.
pub(crate) fn postcode_follows(text: &str, at: usize) -> bool {
    let rest = text[at..].trim_start_matches(',').trim_start_matches(' ');
    let b = rest.as_bytes();
    b.len() >= 6 && b[..4].iter().all(u8::is_ascii_digit) && {
        let l = if b[4] == b' ' { 5 } else { 4 };
        b.get(l..l + 2)
            .is_some_and(|x| x.iter().all(u8::is_ascii_uppercase))
    }
}

/// Words that may stand inside a street name between capitalised words.
const CONNECTORS: &[&str] = &[
    "van", "de", "der", "den", "het", "'t", "ter", "ten", "la", "le", "du",
];

/// The start of the street name that ends at `word_end` (the end of the word with the street
/// ending, or of the last word of a street named after a trigger): walks back over capitalised
/// words and connectors (`Burgemeester de Withstraat`, `Prins Hendrikkade`); `None` when the
/// word itself is not capitalised or is only the ending (`straat 5`).
pub(crate) fn street_start(text: &str, word_start: usize) -> Option<usize> {
    let word = &text[word_start..word_end(text, word_start)];
    if !capitalised(word) {
        return None;
    }
    let mut start = word_start;
    let mut p = word_start;
    for _ in 0..4 {
        let before = &text[..p];
        let Some(prev) = before.strip_suffix(' ') else {
            break;
        };
        let ws = prev
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_alphabetic() || matches!(c, '\'' | '-' | '.')))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let w = &prev[ws..];
        if w.is_empty() {
            break;
        }
        let lower = w.to_lowercase();
        let connector = CONNECTORS.contains(&lower.as_str());
        if capitalised(w) && !connector && !w.ends_with('.') {
            start = ws;
        } else if capitalised(w) && connector {
            // `Van Baerlestraat`: a capitalised connector starts the street only when the word
            // after it is capitalised too; `Op de Hoofdweg` starts at `Hoofdweg`.
            if text[p..].chars().next().is_some_and(char::is_uppercase) {
                start = ws;
            } else {
                break;
            }
        } else if !connector {
            break;
        }
        p = ws;
    }
    Some(start)
}

/// Capitalised words and abbreviations that name an organisation: an address right after one is
/// the organisation's (`ROC Leiden | Bargelaan 190`, `Ministry of Foreign Affairs,
/// Bezuidenhoutseweg 67`), not a person's home.
const ORGANISATIONS: &[&str] = &[
    "ROC",
    "AOC",
    "MBO",
    "HBO",
    "College",
    "Hogeschool",
    "Universiteit",
    "University",
    "School",
    "Academie",
    "Opleidingen",
    "Ministerie",
    "Ministry",
    "Gemeente",
    "Provincie",
    "Stichting",
    "Instituut",
    "Bureau",
    "Dienst",
    "Museum",
    "Rijksmuseum",
    "Ziekenhuis",
    "Centrum",
    "Raad",
    "Rechtbank",
    "Gerechtshof",
    "Kamer",
    "Bank",
    "Vereniging",
    "Autoriteit",
    "Inspectie",
    "Directie",
    "Hoofddirectie",
    "Agentschap",
    "Ambassade",
    "Consulaat",
    "Kantoor",
    "B.V.",
    "N.V.",
    "BV",
    "NV",
];

/// Whether the street address starting at `at` belongs to an organisation: an organisation's
/// word stands on its line within the 80 bytes before it, with no sentence end between (so
/// `Jan Jansen, werkzaam bij de Gemeente. Hij woont aan de Dorpsstraat 5` is not).
pub(crate) fn institutional(text: &str, at: usize) -> bool {
    let mut from = at.saturating_sub(80);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let window = &text[from..at];
    let window = window.rsplit('\n').next().unwrap_or(window);
    let window = window.rsplit(". ").next().unwrap_or(window);
    window
        .split(|c: char| !(c.is_alphanumeric() || c == '.'))
        .map(|w| w.trim_end_matches('.'))
        .any(|w| {
            ORGANISATIONS.contains(&w)
                || ORGANISATIONS.contains(&format!("{w}.").as_str())
                || w.chars().next().is_some_and(char::is_uppercase)
                    && INSTITUTION_ENDINGS
                        .iter()
                        .any(|e| w.len() > e.len() + 2 && w.ends_with(e))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places() {
        fn end(t: &str) -> Option<&str> {
            place_end(t, 0).map(|e| &t[..e])
        }
        assert_eq!(end("Alphen aan den Rijn en"), Some("Alphen aan den Rijn"));
        assert_eq!(end("'s-Hertogenbosch,"), Some("'s-Hertogenbosch"));
        assert_eq!(end("Den Haag."), Some("Den Haag"));
        assert_eq!(
            end("Zevenbergschen Hoek, appellante"),
            Some("Zevenbergschen Hoek")
        );
        assert_eq!(end("X, verzoekers"), None);
        assert_eq!(end("[woonplaats]"), None);
    }

    #[test]
    fn house_numbers() {
        fn end(t: &str) -> Option<&str> {
            house_number_end(t, 0).map(|e| &t[..e])
        }
        assert_eq!(end("14a te"), Some("14a"));
        assert_eq!(end("33-2 verbleef"), Some("33-2"));
        assert_eq!(end("101 bis in"), Some("101 bis"));
        assert_eq!(end("1932 gesloten"), None);
        assert_eq!(end("12.5 procent"), None);
    }
}
