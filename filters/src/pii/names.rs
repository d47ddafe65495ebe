//! Person names in running Dutch text, by the shape of a Dutch name and its context.
//!
//! A name is read as `[initials | given names] [tussenvoegsel] surname [tussenvoegsel surname]`.
//! Shape alone is enough where it is specific: initials (`J.P. de Vries`), a known first name
//! (`Jan Raas`), a given name with a tussenvoegsel (`Pauwelina de Vervoordeldonk`), a
//! capitalised tussenvoegsel inside a sentence (`achter De Nooijer`). Where it is not (a lone
//! surname), a title, form of address or lead (`mr.`, `mevrouw`, `de heer`, `w.g.`,
//! `ten name van`, `namens`) must stand before it. Words that head institutions, offices, laws
//! and headings (`Raad`, `Minister`, `Wet`) are never part of a name, so `Raad van State`,
//! `Hoge Raad` and `Minister van Justitie` stay.

use super::words::{
    ADDRESS_FORMS, FIRST_NAMES, INSTITUTION_ENDINGS, NAME_LEADS, NOT_NAMES, OPENERS, PLURAL_FORMS,
    ROLE_NOUNS, STREET_ENDINGS, TITLES, TUSSENVOEGSELS,
};
use std::collections::HashSet as StdHashSet;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Sets looked up at every capitalised word: a fast hash.
type HashSet<T> = StdHashSet<T, OneShot>;

/// A hasher for short words: one xxh3 call over the bytes (the streaming xxh3 hasher costs
/// more than the lookup for a five-letter word).
#[derive(Default, Clone, Copy)]
pub(crate) struct OneShot;

pub(crate) struct OneShotHasher(u64);

impl std::hash::BuildHasher for OneShot {
    type Hasher = OneShotHasher;
    fn build_hasher(&self) -> OneShotHasher {
        OneShotHasher(0)
    }
}

impl std::hash::Hasher for OneShotHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxh3_64_with_seed(bytes, self.0);
    }
    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}
use std::path::{Path, PathBuf};

/// Why a name lexicon could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    /// The configured directory does not exist or is not a directory.
    #[error("name lexicon directory {0} does not exist or is not a directory")]
    NoDirectory(PathBuf),
    /// An expected list is missing or unreadable.
    #[error("name lexicon list {path}: {source}")]
    Read {
        /// The list that failed.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A list holds no names.
    #[error("name lexicon list {0} holds no names")]
    Empty(PathBuf),
}

/// First names and surnames from a lexicon directory in the layout of the `deduce` lookup lists:
/// `names/lst_first_name/items.txt` and `names/lst_surname/items.txt`, one name a line, each
/// with an optional `exceptions.txt` of entries that are not to be used.
#[derive(Debug, Default, Clone)]
pub struct NameLexicon {
    first_names: HashSet<String>,
    surnames: HashSet<String>,
}

impl NameLexicon {
    /// Loads the lists under `dir`.
    pub fn load(dir: &Path) -> Result<Self, LexiconError> {
        if !dir.is_dir() {
            return Err(LexiconError::NoDirectory(dir.to_path_buf()));
        }
        let list = |name: &str| -> Result<HashSet<String>, LexiconError> {
            let folder = dir.join("names").join(name);
            let items = folder.join("items.txt");
            let text = std::fs::read_to_string(&items).map_err(|source| LexiconError::Read {
                path: items.clone(),
                source,
            })?;
            let exceptions: HashSet<String> =
                std::fs::read_to_string(folder.join("exceptions.txt"))
                    .map(|t| t.lines().map(|l| l.trim().to_string()).collect())
                    .unwrap_or_default();
            let set: HashSet<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| {
                    l.chars().count() >= 2
                        && !exceptions.contains(*l)
                        && l.chars().next().is_some_and(char::is_uppercase)
                })
                .map(str::to_string)
                .collect();
            if set.is_empty() {
                return Err(LexiconError::Empty(items));
            }
            Ok(set)
        };
        Ok(NameLexicon {
            first_names: list("lst_first_name")?,
            surnames: list("lst_surname")?,
        })
    }
}

/// The name recogniser's word lists, built once per stage.
pub(crate) struct Names {
    first_names: HashSet<String>,
    surnames: HashSet<String>,
    not_names: HashSet<&'static str>,
    openers: HashSet<&'static str>,
    /// The openers and tussenvoegsels written with a capital (`Volgens`, `De`).
    openers_capital: HashSet<String>,
    role_nouns: HashSet<&'static str>,
}

/// What stands before a candidate name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lead {
    /// Nothing that marks a name: the shape must say it.
    None,
    /// A title, form of address or `w.g.`: any capitalised word is a name.
    Strong,
    /// A lead that may introduce a person or an organisation (`namens`, `ten name van`,
    /// `naam:`): the words after it need a name's shape, but a capital there is no sentence
    /// start.
    Soft,
    /// After `en` following a name (`zijn broer Ralf en Rubens Barrichello`): a given word of a
    /// name's shape and a surname are enough, one word is not.
    Coordinated,
}

fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
}

/// The end of the word starting at `at`: letters, with `'`, `’` and `-` between letters, and a
/// leading `'` (`'t`, `'s-Hertogenbosch`).
pub(crate) fn word_end(text: &str, at: usize) -> usize {
    let mut end = at;
    let mut pending = false;
    for (i, c) in text[at..].char_indices() {
        if is_word_char(c) {
            end = at + i + c.len_utf8();
            pending = false;
        } else if matches!(c, '\'' | '’' | '-') && !pending && (i == 0 || end > at) {
            pending = true;
        } else {
            break;
        }
    }
    end
}

/// Whether `word` is capitalised with at least one lower-case letter (`Vries`, `IJssel`; not
/// `STE`, not `A`).
pub(crate) fn capitalised(word: &str) -> bool {
    let mut chars = word.trim_start_matches(['\'', '’']).chars();
    chars.next().is_some_and(char::is_uppercase) && word.chars().any(char::is_lowercase)
}

/// Whether the text before `at` ends a sentence or line (so a capitalised word at `at` may be
/// capitalised only for that reason).
pub(crate) fn sentence_initial(text: &str, at: usize) -> bool {
    match text[..at].trim_end_matches([' ', '\t']).chars().next_back() {
        None => true,
        Some(c) => {
            matches!(
                c,
                '.' | '!'
                    | '?'
                    | ':'
                    | ';'
                    | '\n'
                    | '"'
                    | '('
                    | '-'
                    | '*'
                    | '«'
                    | '»'
                    | '\''
                    | '‘'
                    | '“'
                    | '„'
                    | '–'
                    | '—'
                    | '|'
                    | '>'
                    | '['
            ) || c.is_ascii_digit()
                || (c == ',' && text[..at].trim_end().ends_with(",,"))
        }
    }
}

fn skip_spaces(text: &str, at: usize) -> usize {
    at + text[at..].len() - text[at..].trim_start_matches(' ').len()
}

/// One space (or none after an initial's dot) between parts of a name; never a line break.
fn next_part(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    (b.get(at) == Some(&b' ')).then_some(at + 1)
}

/// Whether `word` is a one-word tussenvoegsel in any case (`de`, `Van`, `'t`).
pub(crate) fn is_tussenvoegsel(word: &str) -> bool {
    TUSSENVOEGSELS.iter().any(|t| t.eq_ignore_ascii_case(word))
}

/// Reads initials at `at` (`J.`, `J.P.`, `J. F.`, `Th.`, `Chr.`); returns their end (after the
/// last dot) and count.
fn initials(text: &str, at: usize) -> Option<(usize, usize)> {
    let mut i = at;
    let mut n = 0;
    let mut end = at;
    loop {
        let rest = &text[i..];
        let mut chars = rest.chars();
        let first = chars.next()?;
        if !first.is_uppercase() {
            break;
        }
        let mut len = first.len_utf8();
        // Two-letter and three-letter initials of Dutch names.
        for multi in [
            "Th", "Chr", "Ph", "Ch", "Joh", "Jac", "IJ", "Fr", "Wm", "Hk", "Gerh",
        ] {
            if rest.starts_with(multi) && rest[multi.len()..].starts_with('.') {
                len = multi.len();
                break;
            }
        }
        if !rest[len..].starts_with('.') {
            break;
        }
        n += 1;
        end = i + len + 1;
        i = end;
        // `J. F. Hoogervorst`: a single space may separate initials.
        if text[i..].starts_with(' ')
            && text[i + 1..].chars().next().is_some_and(char::is_uppercase)
            && text[i + 1..]
                .chars()
                .nth(1)
                .is_some_and(|c| c == '.' || c == 'h' || c == 'J')
        {
            i += 1;
        }
        if n > 8 {
            break;
        }
    }
    (n > 0).then_some((end, n))
}

/// Reads a tussenvoegsel at `at` followed by a space; returns the end of the space. A
/// capitalised one (`Van der`, `De`) is read when `capital_ok`.
fn tussenvoegsel(text: &str, at: usize, capital_ok: bool) -> Option<(usize, bool)> {
    let rest = &text[at..];
    // Every tussenvoegsel starts with one of these (checked first: this runs at every word).
    if !rest
        .as_bytes()
        .first()
        .is_some_and(|b| b"vVdDtTiIoOuU'lLeE".contains(b))
    {
        return None;
    }
    let b = rest.as_bytes();
    for tv in TUSSENVOEGSELS {
        // The space after it first: one byte compare rules out most words.
        if b.get(tv.len()) != Some(&b' ') {
            continue;
        }
        let Some(head) = rest.get(..tv.len()) else {
            continue;
        };
        let exact = head == *tv;
        let capital = !exact
            && capital_ok
            && head.as_bytes()[0].is_ascii_uppercase()
            && head.eq_ignore_ascii_case(tv);
        if (exact || capital) && rest[tv.len()..].starts_with(' ') {
            return Some((at + tv.len() + 1, capital));
        }
    }
    None
}

impl Names {
    pub(crate) fn new(lexicon: Option<&NameLexicon>) -> Self {
        let mut first_names: HashSet<String> = FIRST_NAMES.iter().map(|s| s.to_string()).collect();
        let mut surnames = HashSet::default();
        if let Some(lex) = lexicon {
            first_names.extend(lex.first_names.iter().cloned());
            surnames.extend(lex.surnames.iter().cloned());
        }
        let not_names: HashSet<&'static str> = NOT_NAMES.iter().copied().collect();
        for n in &not_names {
            first_names.remove(*n);
        }
        Names {
            first_names,
            surnames,
            not_names,
            openers: OPENERS.iter().copied().collect(),
            role_nouns: ROLE_NOUNS.iter().copied().collect(),
            openers_capital: OPENERS
                .iter()
                .chain(["de", "den", "der", "het", "een"].iter())
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().chain(c).collect())
                        .unwrap_or_default()
                })
                .collect(),
        }
    }

    fn is_first_name(&self, word: &str) -> bool {
        self.first_names.contains(word)
    }

    /// A word that can be (part of) a surname: capitalised, not an institution word, not a
    /// nationality adjective (`Spaanse`, `Belgische`), not a street.
    fn surname_word(&self, word: &str) -> bool {
        if !capitalised(word) || self.not_names.contains(word) {
            return false;
        }
        // Only the first letter is upper case in a word that got here, so the endings compare
        // as they are; `tail` is the word without its capital.
        let lower = word;
        // Adjectives of nationality and region (`Spaanse`, `Noord-Ierse`, `Belgische`,
        // `Zuid-Hollandse`), not surnames such as `Willemse` or `Janse`.
        if [
            "aanse", "ndse", "sche", "ese", "itse", "ierse", "ense", "edse", "orse", "rkse",
            "olse", "ijnse", "gse", "aarse", "serse", "iële", "ican", "ish",
        ]
        .iter()
        .any(|e| lower.ends_with(e))
        {
            return false;
        }
        // Nouns of nationality (`Nederlander`, `Nederlanders`, `IJslanders`, `Belgiërs`).
        if ["lander", "landers", "iërs", "anderschap"]
            .iter()
            .any(|e| lower.ends_with(e))
        {
            return false;
        }
        if STREET_ENDINGS
            .iter()
            .chain(INSTITUTION_ENDINGS)
            .any(|e| lower.ends_with(e) && lower.len() > e.len() + 2)
        {
            return false;
        }
        // A tussenvoegsel or function word is not a surname (`Wetten van De Morgan` is not
        // `Wetten van De`, `Mevr. A. En als ...` not `A. En`).
        if is_tussenvoegsel(word) || self.openers_capital.contains(word) {
            return false;
        }
        // Every part of a double name is capitalised or a tussenvoegsel (`Post-van Dijk`).
        word.split('-').all(|p| {
            p.is_empty()
                || capitalised(p)
                || is_tussenvoegsel(p)
                || p.chars().all(char::is_uppercase)
        }) && word
            .split('-')
            .next()
            .is_some_and(|p| !self.not_names.contains(p))
    }

    /// Reads a surname at `at`: a capitalised word, a double name whose second part follows a
    /// tussenvoegsel (`Koster-de Graaf`, `Zijlaard-Van Moorsel`), and one further
    /// `tussenvoegsel surname` (`van Overbeek de Meyer`, `de Mey van Streefkerk`).
    fn surname(&self, text: &str, at: usize) -> Option<usize> {
        let end = word_end(text, at);
        let word = &text[at..end];
        if end == at || !self.surname_word(word) {
            return None;
        }
        let mut end = end;
        // `Koster-de Graaf`: the word ends in a tussenvoegsel part; the surname goes on.
        if let Some(last) = word.rsplit('-').next() {
            if word.contains('-') && is_tussenvoegsel(last) {
                let next = next_part(text, end)?;
                let e = word_end(text, next);
                if !self.surname_word(&text[next..e]) {
                    return None;
                }
                end = e;
            }
        }
        // One more lower-case `tussenvoegsel surname`, not `te` (`te Voorthuizen` is a place).
        if let Some(next) = next_part(text, end) {
            if let Some((after, false)) = tussenvoegsel(text, next, false) {
                let tv = text[next..after].trim_end();
                if tv != "te" {
                    let e = word_end(text, after);
                    if e > after
                        && self.surname_word(&text[after..e])
                        && !text[e..].starts_with('.')
                    {
                        end = e;
                    }
                }
            }
        }
        Some(end)
    }

    /// The name starting at `at` (a word start), if the shape and `lead` make it one; returns its
    /// end. Titles at `at` are skipped by the caller.
    /// Whether a shape-only parse at `at` can be skipped at once: a capitalised function word
    /// or institution word not followed by a dot (`De`, `Het`, `Volgens`, `Minister`), which
    /// is most capitalised words in running text.
    pub(crate) fn cannot_start(&self, text: &str, at: usize) -> bool {
        let e = word_end(text, at);
        let w = &text[at..e];
        if text[e..].starts_with('.') {
            return false; // initials
        }
        if self.not_names.contains(w) {
            return true;
        }
        let tv_head = matches!(w, "Van" | "Ter" | "Ten");
        !tv_head
            && w.len() <= 12
            && (self.surnames.is_empty() || !matches!(w, "De" | "Den" | "Der"))
            && self.openers_capital.contains(w)
    }

    pub(crate) fn parse(&self, text: &str, at: usize, lead: Lead) -> Option<(usize, usize)> {
        self.parse_name(text, at, lead, &mut false)
    }

    /// As [`Names::parse`]; sets `weak` when only the shape `Word tussenvoegsel Surname` with an
    /// unknown given word made it a name, so that its surname is not looked for elsewhere.
    pub(crate) fn parse_name(
        &self,
        text: &str,
        at: usize,
        lead: Lead,
        weak: &mut bool,
    ) -> Option<(usize, usize)> {
        let strong = lead == Lead::Strong;
        let initial_here = lead == Lead::None && sentence_initial(text, at);
        let start = at;
        // Initials.
        if let Some((end, n)) = initials(text, at) {
            let init = &text[at..end];
            if matches!(
                init,
                "N.V."
                    | "B.V."
                    | "C.V."
                    | "V.O.F."
                    | "U.A."
                    | "E.G."
                    | "E.U."
                    | "V.S."
                    | "Z.K.H."
                    | "H.K.H."
                    | "N.B."
                    | "P.S."
                    | "U.S."
                    | "H.S."
                    | "U.K."
                    | "S.A."
                    | "A.G."
            ) && !strong
            {
                return None;
            }
            let mut p = if text[end..].starts_with(' ') {
                end + 1
            } else {
                end
            };
            if let Some((after, _)) = tussenvoegsel(text, p, true) {
                p = after;
            }
            let mut e = self.surname(text, p)?;
            // A second surname without hyphen after initials (`E.M.H. Hirsch Ballin`,
            // `F. Korthals Altes`, `T. Sánchez Gómez`), when nothing capitalised follows it.
            if let Some(n) = next_part(text, e) {
                let e2 = word_end(text, n);
                if e2 > n
                    && self.surname_word(&text[n..e2])
                    && !self.is_first_name(&text[n..e2])
                    && !text[e2..].starts_with(['.', '-', ':'])
                    && !next_part(text, e2)
                        .is_some_and(|m| text[m..].chars().next().is_some_and(char::is_uppercase))
                {
                    e = e2;
                }
            }
            // A single initial at a line start is as often a list item or heading (`B. Waardering
            // van activa`, `A. Where ...`) as a name. It is taken as a name there only when the
            // name fills the line and the line before ends with a comma (a signature under
            // `De Minister van Justitie,`), or with a lexicon surname; and elsewhere a single
            // initial's surname is not looked for in the rest of the document.
            if n == 1 && !strong {
                *weak = true;
                if line_start(text, at) && !self.surnames.contains(&text[p..e]) {
                    let rest_of_line = text[e..].split('\n').next().unwrap_or("");
                    let line_before = text[..at].trim_end().rsplit('\n').next().unwrap_or("");
                    let signature = rest_of_line.trim_matches([' ', ',', '.', ';']).is_empty()
                        && text[..at].trim_end().ends_with(',')
                        && !line_before.is_empty();
                    if !signature {
                        return None;
                    }
                }
            }
            return Some((start, e));
        }
        // Given names: capitalised words before a tussenvoegsel or the surname.
        let mut words: Vec<(usize, usize)> = Vec::new();
        let mut p = at;
        while words.len() < 4 {
            if tussenvoegsel(text, p, true).is_some() {
                break;
            }
            let e = word_end(text, p);
            if e == p {
                break;
            }
            let w = &text[p..e];
            if !(self.surname_word(w) || self.is_first_name(w) && !self.not_names.contains(w)) {
                break;
            }
            // `Koster-de Graaf`: a double surname whose second part follows a tussenvoegsel
            // ends the name.
            if w.contains('-') && w.rsplit('-').next().is_some_and(is_tussenvoegsel) {
                if let Some(end) = self.surname(text, p) {
                    words.push((p, end));
                    p = end;
                    break;
                }
            }
            words.push((p, e));
            match next_part(text, e) {
                Some(n) if text[n..].chars().next().is_some_and(char::is_uppercase) => p = n,
                Some(n) if tussenvoegsel(text, n, false).is_some() => {
                    p = n;
                    break;
                }
                _ => {
                    p = e;
                    break;
                }
            }
        }
        // A capitalised word before `de Vries` is a given name when it is a known first name,
        // or inside a sentence (where Dutch capitalises only names); at a sentence start it may
        // be any word (`Wijzigt de Overgangswet`).
        let first_word_ok = |w: &str| -> bool {
            strong || self.is_first_name(w) || (!self.not_names.contains(w) && !initial_here)
        };
        // Tussenvoegsel and surname.
        if let Some((after, capital)) = tussenvoegsel(text, p, true) {
            // `Boerenbruiloft van Pieter`: a first name after a tussenvoegsel is not a surname.
            let surname = Some(after)
                .filter(|&a| !self.is_first_name(&text[a..word_end(text, a)]))
                .and_then(|a| self.surname(text, a));
            if let Some(e) = surname {
                if let Some(&(s, e0)) = words.first() {
                    let w = &text[s..e0];
                    if !strong && !self.is_first_name(w) {
                        // Only the shape says it: the given word must look like one, not
                        // like the nouns of treaties and laws (`Regering van Canada`,
                        // `Conferentie van de Partijen`, `Statuut van Rome`).
                        *weak = true;
                        if !given_name_shape(w)
                            || words.len() > 1
                            || w.contains('-')
                            || foreign_line(text, at)
                        {
                            return None;
                        }
                    }
                    return first_word_ok(w).then_some((start, e));
                }
                // No given name: `Van der Schans`, `De Nooijer`, `mr. van den Veen`.
                if strong {
                    return Some((start, e));
                }
                // Only a capital `Van` starts a surname on its own (`Van der Schans`). A capital
                // `De` is as often an article in a title (`de Hoge Verdragsluitende Partijen`,
                // `De Partijen` in a table) as a surname, so `De Nooijer` needs the lexicon;
                // `Ter Apel` and `Ten Boer` are places.
                let tv = text[p..after].trim_end();
                let head = tv.split(' ').next().unwrap_or("");
                if capital && head == "Van" {
                    // At a sentence start `Van` is as often the preposition of a heading
                    // (`Van de Bewindvoerders`, `Van Nederlanders`): only the shape says it
                    // there, so the name is weak (dropped when the document writes the word in
                    // lower case, and its surname not looked for elsewhere).
                    if sentence_initial(text, at) {
                        *weak = true;
                    }
                    return Some((start, e));
                }
                if capital && self.surnames.contains(&text[after..e]) {
                    return Some((start, e));
                }
                return None;
            }
        }
        match words.len() {
            0 => None,
            1 => {
                let (s, e) = words[0];
                let w = &text[s..e];
                (strong && (self.surname_word(w) || self.is_first_name(w))).then_some((start, e))
            }
            _ => {
                let (s, e0) = words[0];
                let last = words[words.len() - 1];
                let first = &text[s..e0];
                let last_text = &text[last.0..last.1];
                let surname_ok = self.surname_word(last_text.split(' ').next().unwrap_or(""));
                // A married name (`Zijlaard-Van Moorsel`, `Post-van Dijk`) is a person's.
                let married = words.len() >= 2
                    && last_text.contains('-')
                    && last_text.contains(' ')
                    && !self.not_names.contains(first);
                let evidence = strong
                    || married
                    || (lead == Lead::Coordinated && given_name_shape(first))
                    || (self.is_first_name(first)
                        && !(sentence_initial(text, at)
                            && self.openers.contains(first.to_lowercase().as_str())));
                (surname_ok && evidence).then_some((start, last.1))
            }
        }
    }

    /// Names coordinated with the one ending at `end`: `, Y en Z` after a plural form of address
    /// (`de heren X, Y en Z`, `mrs. A en B`: any capitalised word, as after a title), or
    /// `en Y Z` after a name with a strong lead, where `Y Z` needs a given name's shape and a
    /// surname.
    pub(crate) fn coordinated(
        &self,
        text: &str,
        mut end: usize,
        plural: bool,
    ) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for _ in 0..20 {
            let rest = &text[end..];
            let sep = if rest.starts_with(", en ") {
                5
            } else if rest.starts_with(" en ") {
                4
            } else if plural && rest.starts_with(", ") {
                2
            } else {
                break;
            };
            let at = skip_titles(text, end + sep);
            let lead = if plural {
                Lead::Strong
            } else {
                Lead::Coordinated
            };
            match self.parse(text, at, lead) {
                Some((s, e)) => {
                    out.push((s, e));
                    end = e;
                }
                None => break,
            }
        }
        out
    }

    /// Whether the word before the capitalised word at `at` is a noun of a person's role or
    /// relation written in lower case (`zijn broer Ralf`, `premier Rutte`,
    /// `country-gitarist Chet Atkins`), so that one capitalised word there is a name.
    pub(crate) fn role_noun_before(&self, text: &str, at: usize) -> bool {
        let b = text.as_bytes();
        if at < 3 || b[at - 1] != b' ' {
            return false;
        }
        let end = at - 1;
        let mut ws = end;
        while ws > 0 && (b[ws - 1].is_ascii_lowercase() || b[ws - 1] == b'-' || b[ws - 1] >= 0x80) {
            ws -= 1;
        }
        if ws == end || (ws > 0 && b[ws - 1].is_ascii_alphanumeric()) {
            return false;
        }
        let Some(word) = text.get(ws..end) else {
            return false;
        };
        let part = word.rsplit('-').next().unwrap_or(word);
        self.role_nouns.contains(part) || (part.len() >= 6 && part.ends_with("ist"))
    }

    /// Surnames found in a document, to find their other mentions (`de heer Van Dam ... Van Dam
    /// heeft niet gereageerd`).
    pub(crate) fn surname_of<'t>(&self, name: &'t str) -> Option<&'t str> {
        let last = name.rsplit([' ', '.']).next()?;
        // `Clemens van Alexandrië`: a surname after a bare `van` is often a place.
        if name[..name.len() - last.len()].ends_with(" van ") {
            return None;
        }
        (last.chars().count() >= 4
            && capitalised(last)
            && !self.is_first_name(last)
            && !self.not_names.contains(last))
        .then_some(last)
    }
}

/// Whether an unknown capitalised word can be a given name: four letters or more, not ending
/// like a Dutch or French noun (`Regering`, `Conferentie`, `Gouvernement`, `Statuut`, `Leden`).
fn given_name_shape(word: &str) -> bool {
    let lower = word.to_lowercase();
    lower.chars().count() >= 4
        && ![
            "ing", "tie", "sie", "ment", "heid", "schap", "uut", "um", "ij", "age", "eur", "teit",
            "ité", "ée", "ief", "aat", "eel", "ent", "ant", "ers", "en", "eer", "el", "ie", "ees",
            "ioen", "ster", "erk", "ord", "ood", "ies", "eg", "ug", "ht", "ld", "rd", "nd", "isch",
            "ijk", "ale", "ele", "ene", "ère", "ance", "ence", "ure", "ion", "uur", "eer", "oer",
            "ive", "aire", "akte", "anda",
        ]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Function words of the other languages of treaties and their annexes (Spanish, French,
/// German, English, Italian, Portuguese).
const FOREIGN_WORDS: &[&str] = &[
    "el", "los", "las", "y", "por", "para", "con", "les", "des", "et", "pour", "avec", "dans",
    "est", "sur", "une", "und", "die", "das", "für", "mit", "zur", "zum", "the", "and", "of",
    "for", "with", "il", "della", "dos", "em",
];

/// Whether the line around `at` is written in another language: two or more of its words
/// within 150 bytes are foreign function words. There `Cartagena de Indias`,
/// `Generalitat de Catalunya` and `Cour de Justice` have the shape of a Dutch
/// `given name, tussenvoegsel, surname` without being one.
fn foreign_line(text: &str, at: usize) -> bool {
    let mut from = at.saturating_sub(150);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let mut to = (at + 150).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    let line_from = text[from..at].rfind('\n').map_or(from, |i| from + i + 1);
    let line_to = text[at..to].find('\n').map_or(to, |i| at + i);
    text[line_from..line_to]
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| FOREIGN_WORDS.contains(w))
        .nth(1)
        .is_some()
}

fn line_start(text: &str, at: usize) -> bool {
    text[..at]
        .trim_end_matches([' ', '\t', '*', '#', '-'])
        .chars()
        .next_back()
        .is_none_or(|c| c == '\n')
}

/// Whether the word before `at` is a title (`mr.`, `drs`, `prof.`); returns its start.
pub(crate) fn title_at(text: &str, at: usize) -> Option<usize> {
    let e = word_end(text, at);
    if e == at {
        return None;
    }
    let w = text[at..e].to_lowercase();
    let dotted = text[e..].starts_with('.');
    let after = if dotted { e + 1 } else { e };
    let is_title = TITLES.contains(&w.as_str())
        || (dotted && matches!(w.as_str(), "ll" | "dr" | "mr"))
        || (w == "ll" && text[e..].starts_with(".m"));
    if !is_title {
        return None;
    }
    // Without a dot a title must be followed by a space and a capital or another title
    // (`mr J. Schepel`, `mr ing. R`), so the words `ing` or `ma` in prose are not titles.
    if text[after..].starts_with(' ') {
        let next = skip_spaces(text, after);
        let c = text[next..].chars().next()?;
        if dotted || c.is_uppercase() || title_at(text, next).is_some() {
            return Some(next);
        }
        // A lower-case tussenvoegsel after a dotted title: `mr. van den Veen`.
        if dotted && tussenvoegsel(text, next, false).is_some() {
            return Some(next);
        }
    }
    None
}

/// Skips any titles at `at` (`mr. drs.`, `prof. dr.`, `mr ing.`); returns where the name starts.
pub(crate) fn skip_titles(text: &str, mut at: usize) -> usize {
    for _ in 0..5 {
        match title_at(text, at) {
            Some(next) => at = next,
            None => break,
        }
    }
    at
}

/// The phrases that make the next words a name (titles, forms of address, leads), for the
/// stage's trigger automaton.
pub(crate) fn lead_phrases() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in TITLES {
        out.push(format!("{t}."));
        out.push(format!("{t} "));
    }
    for f in ADDRESS_FORMS.iter().chain(PLURAL_FORMS) {
        out.push(format!("{f} "));
    }
    for l in NAME_LEADS {
        out.push(format!("{l} "));
        if l.ends_with('.') {
            out.push((*l).to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::new(None)
    }

    fn parse(text: &str) -> Option<&str> {
        names().parse(text, 0, Lead::None).map(|(s, e)| &text[s..e])
    }

    #[test]
    fn shapes() {
        assert_eq!(parse("J.P. de Vries kwam"), Some("J.P. de Vries"));
        assert_eq!(parse("J. F. Hoogervorst,"), Some("J. F. Hoogervorst"));
        assert_eq!(
            parse("W.A. van Overbeek de Meyer, advocaat"),
            Some("W.A. van Overbeek de Meyer")
        );
        assert_eq!(parse("Jan Raas nu"), Some("Jan Raas"));
        assert_eq!(parse("Van der Schans hield"), Some("Van der Schans"));
        assert_eq!(
            parse("Hendrika Post-van Dijk, wonende"),
            Some("Hendrika Post-van Dijk")
        );
        assert_eq!(parse("Raad van State gehoord"), None);
        assert_eq!(parse("De Nederlandsche Bank kan"), None);
        assert_eq!(parse("N.V. Settlement Bank"), None);
        assert_eq!(parse("Volgens de Minister"), None);
        assert_eq!(parse("Tegen de Spaanse krant"), None);
        assert_eq!(parse("Jan van Galenstraat 4"), None);
    }

    #[test]
    fn bad_lexicon_path_is_a_clear_error() {
        let err =
            NameLexicon::load(Path::new("/nonexistent/deduce")).expect_err("no such directory");
        assert!(err.to_string().contains("/nonexistent/deduce"), "{err}");
        let dir = std::env::temp_dir().join(format!("zeef-lexicon-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let err = NameLexicon::load(&dir).expect_err("no lists");
        assert!(err.to_string().contains("lst_first_name"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
