//! Personal data: recognisers with validators, replaced by typed placeholders or consistent fakes.
//!
//! Two families of recognisers. Numbers and codes:
//! Each recogniser is a regex that finds candidates, plus a validator that decides: a checksum
//! where the number has one (IBAN mod-97, BSN elfproef, card Luhn), a number plan or format
//! where it has none (Dutch phone numbering, licence-plate sidecodes, postcode letter rules).
//! A checksum-bearing number that fails its check is never replaced: it is not that kind of
//! number, and replacing it would hide real text (order numbers, case numbers) for nothing.
//!
//! Names, addresses, places and dates of birth in running text ([`names`], [`places`]): the
//! shape of a Dutch name (initials, tussenvoegsels, known first names) and the words around it
//! (titles, forms of address, `w.g.`, `ten name van`, `wonende te`, `geboren op`), with word
//! lists that keep institutions, offices, laws and headings out (`Hoge Raad`, `Minister van
//! Justitie`, `De Nederlandsche Bank`).
//!
//! Names of people in a public role ([`roles`]: bound to an office in their line, or in a
//! sentence of appointment) are counted apart, in `pii_name_public_role`, and masked or kept
//! by `public_officials`.
//!
//! Speed: one byte pass over the digit runs ([`shapes`]) decides which number regexes can match
//! at all, so a document runs only those; the trigger phrases are one Aho-Corasick pass, and
//! the name scan visits capitalised words only.
//!
//! The stage never excludes a document; it changes the text and counts per kind in signals.

mod names;
mod places;
mod roles;
mod shapes;
#[cfg(test)]
mod spans;
mod words;

use names::{Lead, Names};
pub use names::{LexiconError, NameLexicon};
use places::Trigger;
use std::path::PathBuf;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use xxhash_rust::xxh3::xxh3_64_with_seed;
use zeef_core::{Document, Stage, HASH_SEED};

/// A kind of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    /// E-mail address.
    Email,
    /// Dutch phone number (mobile, landline, +31/0031).
    Phone,
    /// IBAN of a SEPA country, mod-97 checked.
    Iban,
    /// Burgerservicenummer, elfproef checked, only with context or in its dotted format.
    Bsn,
    /// Street, house number and Dutch postcode.
    Postcode,
    /// IPv4 or IPv6 address.
    Ip,
    /// Payment card number, Luhn checked.
    Card,
    /// Dutch licence plate, by sidecode.
    Plate,
    /// Date of birth after `geboren (op)`, `geb.`, `geboortedatum`.
    BirthDate,
    /// Street and house number without a postcode (`Dorpsstraat 14a`).
    Address,
    /// Place of residence or birth (`wonende te Zaandam`, `geboren te Apeldoorn`).
    Place,
    /// Person name (`mr. J.P. de Vries`, `Pauwelina de Vervoordeldonk`, `de heer Van Dam`).
    Name,
    /// A person name in a public role: the name is the apposition of an office in the same line
    /// (`De Minister van Justitie, J. Jansen`, `J. Jansen, voorzitter van de Raad`) or stands in
    /// a sentence of appointment (`benoemd tot lid`, `gevolmachtigden`). Found wherever names
    /// are looked for; replaced or kept by `public_officials`. Not a kind one can list in
    /// `kinds`: it follows `name`.
    #[serde(skip_deserializing)]
    NamePublicRole,
}

impl PiiKind {
    /// Every kind, in the order overlapping matches are preferred.
    pub const ALL: [PiiKind; 13] = [
        PiiKind::Email,
        PiiKind::Iban,
        PiiKind::Card,
        PiiKind::Ip,
        PiiKind::Phone,
        PiiKind::Bsn,
        PiiKind::Postcode,
        PiiKind::Plate,
        PiiKind::BirthDate,
        PiiKind::Address,
        PiiKind::Place,
        PiiKind::Name,
        PiiKind::NamePublicRole,
    ];

    /// The placeholder of redact mode.
    pub fn placeholder(self) -> &'static str {
        match self {
            PiiKind::Email => "<EMAIL>",
            PiiKind::Phone => "<PHONE>",
            PiiKind::Iban => "<IBAN>",
            PiiKind::Bsn => "<BSN>",
            PiiKind::Postcode => "<POSTCODE>",
            PiiKind::Ip => "<IP>",
            PiiKind::Card => "<CARD>",
            PiiKind::Plate => "<PLATE>",
            PiiKind::BirthDate => "<BIRTHDATE>",
            PiiKind::Address => "<ADDRESS>",
            PiiKind::Place => "<PLACE>",
            PiiKind::Name | PiiKind::NamePublicRole => "<NAME>",
        }
    }

    /// The signal holding the count of this kind.
    pub fn signal(self) -> &'static str {
        match self {
            PiiKind::Email => "pii_email",
            PiiKind::Phone => "pii_phone",
            PiiKind::Iban => "pii_iban",
            PiiKind::Bsn => "pii_bsn",
            PiiKind::Postcode => "pii_postcode",
            PiiKind::Ip => "pii_ip",
            PiiKind::Card => "pii_card",
            PiiKind::Plate => "pii_plate",
            PiiKind::BirthDate => "pii_birth_date",
            PiiKind::Address => "pii_address",
            PiiKind::Place => "pii_place",
            PiiKind::Name => "pii_name",
            PiiKind::NamePublicRole => "pii_name_public_role",
        }
    }

    fn priority(self) -> usize {
        PiiKind::ALL.iter().position(|&k| k == self).unwrap_or(0)
    }
}

/// What replaces a found value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiMode {
    /// A typed placeholder: `<EMAIL>`, `<PHONE>`, `<IBAN>`, `<BSN>`, `<POSTCODE>`, `<IP>`,
    /// `<CARD>`, `<PLATE>`, `<BIRTHDATE>`, `<ADDRESS>`, `<PLACE>`, `<NAME>`.
    #[default]
    Redact,
    /// A fake value of the same kind and shape, so the text stays readable: numbers with valid
    /// checksums, documentation IP ranges, `voorbeeld.nl` addresses, plausible Dutch names,
    /// streets and places, dates of the same format. The same value gets the same fake
    /// throughout a document (a person's surname keeps its fake in `mr. B.P. Kiewiet` and a
    /// later `Kiewiet`), and with `pseudonym_key` set the same throughout a run. Deterministic:
    /// seeded by xxh3 of the value and the document id, or of the value and the key.
    /// `pseudonymise` is accepted as another name for this mode.
    #[serde(alias = "pseudonymise")]
    Pseudonym,
}

fn all_kinds() -> Vec<PiiKind> {
    PiiKind::ALL
        .into_iter()
        .filter(|&k| k != PiiKind::NamePublicRole)
        .collect()
}

/// What happens to the names of people named in a public role (see
/// [`PiiKind::NamePublicRole`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicOfficials {
    /// Replaced like every other name (the default).
    #[default]
    Mask,
    /// Left in the text: ministers, state secretaries, chairs, plenipotentiaries and appointed
    /// members named in legislation act in their public role, and their names are part of the
    /// published act. Still counted, in `pii_name_public_role`.
    Keep,
}

fn default_bsn_keywords() -> Vec<String> {
    [
        "bsn",
        "burgerservicenummer",
        "burgerservice-nummer",
        "burger service nummer",
        "burgerservice nummer",
        "sofinummer",
        "sofi-nummer",
        "sofi nummer",
        "sociaal-fiscaal nummer",
        "sociaal fiscaal nummer",
        "persoonsgebonden nummer",
        "citizen service number",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn default_bsn_context_chars() -> usize {
    200
}

fn yes() -> bool {
    true
}

/// Configuration of the personal-data stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PiiConfig {
    /// `redact` (typed placeholders, default) or `pseudonym` (consistent fake values; also
    /// accepted as `pseudonymise`).
    #[serde(default)]
    pub mode: PiiMode,
    /// The kinds looked for. Default all: `email`, `phone`, `iban`, `bsn`, `postcode`, `ip`,
    /// `card`, `plate`, `birth_date`, `address`, `place`, `name`.
    #[serde(default = "all_kinds")]
    pub kinds: Vec<PiiKind>,
    /// A nine-digit number passing the elfproef is a BSN only when one of these words (any case)
    /// stands in the same sentence (see `bsn_context_chars`), or when it is written in the
    /// official `1234.56.782` format. Ordinary nine-digit numbers (order numbers, amounts) pass
    /// the elfproef one time in eleven, so the check alone would eat them.
    #[serde(default = "default_bsn_keywords")]
    pub bsn_keywords: Vec<String>,
    /// The most characters searched for a BSN keyword before a nine-digit number (half that
    /// after it); the search never crosses the end of the sentence. Default 200.
    #[serde(default = "default_bsn_context_chars")]
    pub bsn_context_chars: usize,
    /// Whether a BSN needs a keyword or the dotted format (see `bsn_keywords`). Default true;
    /// false replaces every elfproef-valid nine-digit number.
    #[serde(default = "yes")]
    pub bsn_require_context: bool,
    /// A directory of first-name and surname lists in the layout of the `deduce` lookup lists
    /// (`names/lst_first_name/items.txt`, `names/lst_surname/items.txt`, each with an optional
    /// `exceptions.txt`). Optional: without it names are recognised by shape and context and a
    /// built-in list of common first names; with it more names without a title are found
    /// (`Angelique Hoorn`). A path that does not hold the lists is an error when the stage is
    /// built. The `deduce` lists are GPL/LGPL and are not shipped with zeef.
    #[serde(default)]
    pub name_lexicon_dir: Option<PathBuf>,
    /// In `pseudonym` mode, a secret that makes the fakes the same across the whole run (the
    /// same person gets the same fake name in every document) instead of per document. Anyone
    /// with the key and a candidate value can check whether it was replaced, so keep it out of
    /// published configurations.
    #[serde(default)]
    pub pseudonym_key: Option<String>,
    /// `mask` (default) or `keep` the names of people in a public role: a name that is the
    /// apposition of an office in the same line (`De Minister van Justitie, J. Jansen`,
    /// `De voorzitter: mr. A. de Boer`, `J. Jansen, voorzitter van de commissie`) or stands in
    /// a sentence of appointment (`benoemd tot lid`, `als gevolmachtigden aangewezen`). Such
    /// names are counted in `pii_name_public_role` either way, never in `pii_name`. A role word
    /// elsewhere in the text (`de door de minister genoemde heren ...`) does not make a name
    /// public.
    #[serde(default)]
    pub public_officials: PublicOfficials,
}

impl Default for PiiConfig {
    fn default() -> Self {
        PiiConfig {
            mode: PiiMode::default(),
            kinds: all_kinds(),
            bsn_keywords: default_bsn_keywords(),
            bsn_context_chars: default_bsn_context_chars(),
            bsn_require_context: true,
            name_lexicon_dir: None,
            pseudonym_key: None,
            public_officials: PublicOfficials::default(),
        }
    }
}

/// A validated piece of personal data in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PiiMatch {
    /// Its kind.
    pub kind: PiiKind,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset after the last byte.
    pub end: usize,
}

/// Finds personal data and replaces it; sets `pii_<kind>` counts. Never excludes.
pub struct Pii {
    name: String,
    config: PiiConfig,
    enabled: [bool; 13],
    email: Regex,
    iban: Regex,
    card: Regex,
    ipv4: Regex,
    ipv6: Regex,
    phone_intl: Regex,
    phone_national: Regex,
    phone_parens: Regex,
    bsn: Regex,
    postcode: Regex,
    plate: Regex,
    bsn_keywords: AhoCorasick,
    names: Names,
    /// Titles, forms of address, leads, and the phrases before places, dates of birth and
    /// addresses, with what each introduces.
    triggers: AhoCorasick,
    trigger_kinds: Vec<Trigger>,
    birth_date: Regex,
    roles: roles::Roles,
}

/// Section words before a dotted number that make it an article number, not an IPv4 address
/// (Dutch laws number articles `2.3.1.1`).
const SECTION_WORDS: &[&str] = &[
    "artikel",
    "art.",
    "artikelen",
    "lid",
    "hoofdstuk",
    "paragraaf",
    "afdeling",
    "titel",
    "bijlage",
    "onderdeel",
    "versie",
    "version",
    "§",
    "punt",
    "sectie",
    "nr.",
    "nummer",
];

/// Words before an IPv4 address of small numbers that make it one (`IP-adres: 8.8.8.8`).
const NETWORK_WORDS: &[&str] = &[
    "ip",
    "ipv4",
    "adres",
    "address",
    "server",
    "host",
    "dns",
    "router",
    "gateway",
    "netwerk",
    "network",
    "inlog",
    "inlogpoging",
    "login",
    "subnet",
    "proxy",
    "vanaf",
    "from",
];

const SIGNALS: [&str; 13] = [
    "pii_email",
    "pii_phone",
    "pii_iban",
    "pii_bsn",
    "pii_postcode",
    "pii_ip",
    "pii_card",
    "pii_plate",
    "pii_birth_date",
    "pii_address",
    "pii_place",
    "pii_name",
    "pii_name_public_role",
];

fn re(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| format!("pii pattern: {e}"))
}

impl Pii {
    /// The stage named `name`; fails when a BSN keyword list cannot be compiled or the name
    /// lexicon cannot be loaded (see [`LexiconError`]).
    pub fn new(name: impl Into<String>, config: PiiConfig) -> Result<Self, crate::ConfigError> {
        Self::build(name.into(), config).map_err(crate::ConfigError::wrap("pii"))
    }

    fn build(name: String, config: PiiConfig) -> Result<Self, String> {
        let lexicon = match &config.name_lexicon_dir {
            Some(dir) => Some(NameLexicon::load(dir).map_err(|e| format!("pii: {e}"))?),
            None => None,
        };
        let mut phrases: Vec<String> = names::lead_phrases();
        let mut trigger_kinds = vec![Trigger::Name; phrases.len()];
        for (p, kind) in places::CONTEXT_PHRASES {
            phrases.push((*p).to_string());
            trigger_kinds.push(*kind);
        }
        // A full DFA: built once per stage, it runs over every byte of every document, where
        // it is about twice as fast as the default automaton.
        let triggers = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&phrases)
            .map_err(|e| format!("pii triggers: {e}"))?;
        let mut enabled = [false; 13];
        for k in &config.kinds {
            enabled[k.priority()] = true;
        }
        enabled[PiiKind::NamePublicRole.priority()] = enabled[PiiKind::Name.priority()];
        let bsn_keywords = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(config.bsn_keywords.iter().filter(|k| !k.is_empty()))
            .map_err(|e| format!("pii bsn_keywords: {e}"))?;
        Ok(Pii {
            name,
            enabled,
            email: re(
                r"(?i-u)(?-u:\b)[a-z0-9][a-z0-9._%+\-]{0,63}@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?-u:\b)",
            )?,
            // ASCII word boundaries throughout: a Unicode `\b` keeps the regex engine off its
            // fast DFA on non-ASCII (Dutch) text, and every pattern here is ASCII.
            // Candidate starts only; the country's length is then read with `iban_at`.
            iban: re(r"(?-u:\b)[A-Z]{2}[0-9]{2} ?[0-9A-Z]")?,
            card: re(r"(?-u:\b)[0-9](?:[ \-]?[0-9]){12,18}(?-u:\b)")?,
            ipv4: re(r"(?-u:\b)(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?-u:\b)")?,
            ipv6: re(r"(?i-u)[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}")?,
            // Separators: one space or dash, or a dash between spaces (`06 - 123 456 78`).
            phone_intl: re(
                r"(?:\+|(?-u:\b)00)31(?: - |[ \-])?(?:\(0\) ?|0)?[1-9](?: - |[ \-])?(?:[0-9](?: - |[ \-])?){7}[0-9](?-u:\b)",
            )?,
            phone_national: re(r"(?-u:\b)0[1-9](?:(?: - |[ \-])?[0-9]){8}(?-u:\b)")?,
            // `(020) 123 45 67`, `(06) 12 34 56 78`, `(0111) 12 34 56`.
            phone_parens: re(
                r"\(0[1-9][0-9]{0,2}\)(?: - |[ \-])?[0-9](?:(?: - |[ \-])?[0-9]){5,7}(?-u:\b)",
            )?,
            bsn: re(
                r"(?-u:\b)(?:[0-9]{9}|[0-9]{4}\.[0-9]{2}\.[0-9]{3}|[0-9]{3}[. ][0-9]{3}[. ][0-9]{3})(?-u:\b)",
            )?,
            postcode: re(
                r"(?-u:\b)[0-9]{1,5}(?: ?[a-zA-Z]|-[0-9]{1,4}| ?hs| ?bis)?,? +[1-9][0-9]{3} ?[A-Z]{2}(?-u:\b)",
            )?,
            plate: re(concat!(
                r"(?-u:\b)(?:[A-Z]{2}-[0-9]{2}-[0-9]{2}|[0-9]{2}-[0-9]{2}-[A-Z]{2}|[0-9]{2}-[A-Z]{2}-[0-9]{2}",
                r"|[A-Z]{2}-[0-9]{2}-[A-Z]{2}|[A-Z]{2}-[A-Z]{2}-[0-9]{2}|[0-9]{2}-[A-Z]{2}-[A-Z]{2}",
                r"|[0-9]{2}-[A-Z]{3}-[0-9]|[0-9]-[A-Z]{3}-[0-9]{2}|[A-Z]{2}-[0-9]{3}-[A-Z]",
                r"|[A-Z]-[0-9]{3}-[A-Z]{2}|[A-Z]{3}-[0-9]{2}-[A-Z]|[A-Z]-[0-9]{2}-[A-Z]{3}",
                r"|[0-9]-[A-Z]{2}-[0-9]{3}|[0-9]{3}-[A-Z]{2}-[0-9])(?-u:\b)"
            ))?,
            bsn_keywords,
            names: Names::new(lexicon.as_ref()),
            triggers,
            trigger_kinds,
            birth_date: places::date_regex()?,
            roles: roles::Roles::new()?,
            config,
        })
    }

    fn on(&self, kind: PiiKind) -> bool {
        self.enabled[kind.priority()]
    }

    /// The validated personal data in `text`, non-overlapping, in text order. Where two
    /// recognisers claim overlapping text, the earlier match wins, and at the same start the
    /// kind listed first in [`PiiKind::ALL`]. Names in a public role come as
    /// [`PiiKind::NamePublicRole`], whether `public_officials` keeps them or not.
    pub fn find(&self, text: &str) -> Vec<PiiMatch> {
        let mut found = self.find_all(text);
        for m in &mut found {
            if m.kind == PiiKind::Name {
                let sentence = (
                    sentence_start(text, back_chars(text, m.start, 400), m.start),
                    sentence_end(text, m.end, forward_chars(text, m.end, 300)),
                );
                if self.roles.public(text, m.start, m.end, sentence) {
                    m.kind = PiiKind::NamePublicRole;
                }
            }
        }
        found
    }

    fn find_all(&self, text: &str) -> Vec<PiiMatch> {
        let mut found = Vec::new();
        let shapes = shapes::Shapes::of(text);
        self.find_in_context(text, &mut found);
        if self.on(PiiKind::Name) {
            self.find_names(text, &mut found);
        }
        let mut push = |kind, start, end| found.push(PiiMatch { kind, start, end });
        if self.on(PiiKind::Email) && text.contains('@') {
            for m in self.email.find_iter(text) {
                push(PiiKind::Email, m.start(), m.end());
            }
        }
        if !shapes.digit {
            return resolve(found);
        }
        if self.on(PiiKind::Iban) && shapes.iban {
            for m in self.iban.find_iter(text) {
                if let Some(end) = iban_at(text, m.start()) {
                    push(PiiKind::Iban, m.start(), end);
                }
            }
        }
        // `(start, end, value)` of every match of `re` on the lines of the runs `at`.
        let on_lines = |re: &'_ Regex, at: &'_ [usize]| -> Vec<(usize, usize)> {
            shapes::lines_of(text, at)
                .flat_map(|(ls, le)| {
                    re.find_iter(&text[ls..le])
                        .map(move |m| (ls + m.start(), ls + m.end()))
                })
                .collect()
        };
        if self.on(PiiKind::Card) && shapes.card {
            for (s, e) in on_lines(&self.card, &shapes.card_at) {
                if valid_card(&text[s..e]) && !in_iban_shape(text, s) {
                    push(PiiKind::Card, s, e);
                }
            }
        }
        if self.on(PiiKind::Ip) {
            for (s, e) in on_lines(&self.ipv4, &shapes.ipv4_at) {
                if valid_ipv4(&text[s..e]) && self.ipv4_context_ok(text, s, e) {
                    push(PiiKind::Ip, s, e);
                }
            }
            if shapes.ipv6 {
                for m in self.ipv6.find_iter(text) {
                    if valid_ipv6(text, m.start(), m.end()) {
                        push(PiiKind::Ip, m.start(), m.end());
                    }
                }
            }
        }
        if self.on(PiiKind::Phone) && shapes.phone {
            for (s, e) in on_lines(&self.phone_intl, &shapes.phone_at) {
                if valid_phone(&text[s..e]) {
                    push(PiiKind::Phone, s, e);
                }
            }
            let national = on_lines(&self.phone_national, &shapes.phone_at);
            for (s, e) in national
                .into_iter()
                .chain(on_lines(&self.phone_parens, &shapes.phone_at))
            {
                if !preceded_by_number(text, s)
                    && valid_phone(&text[s..e])
                    && !in_iban_shape(text, s)
                {
                    push(PiiKind::Phone, s, e);
                }
            }
        }
        if self.on(PiiKind::Bsn) && shapes.bsn {
            for (s, e) in on_lines(&self.bsn, &shapes.bsn_at) {
                let value = &text[s..e];
                if !preceded_by_number(text, s)
                    && elfproef(value)
                    && !in_iban_shape(text, s)
                    && (!self.config.bsn_require_context
                        || is_dotted_bsn(value)
                        || self.bsn_context(text, s, e))
                {
                    push(PiiKind::Bsn, s, e);
                }
            }
        }
        if self.on(PiiKind::Postcode) && shapes.postcode {
            for (s, e) in on_lines(&self.postcode, &shapes.postcode_at) {
                if let Some(start) = address_start(text, s, &text[s..e]) {
                    if !places::institutional(text, start) {
                        push(PiiKind::Postcode, start, e);
                    }
                }
            }
        }
        if self.on(PiiKind::Plate) && shapes.plate {
            for m in self.plate.find_iter(text) {
                if valid_plate(m.as_str()) && !touches_dash_word(text, m.start(), m.end()) {
                    push(PiiKind::Plate, m.start(), m.end());
                }
            }
        }
        if self.on(PiiKind::Address) {
            let b = text.as_bytes();
            for number in 2..b.len() {
                // A house number after a space after a lower-case letter: the end of a word
                // that may end like a street (`Dorpsstraat 14a`). A byte scan: this runs over
                // every document with a digit.
                if !(b'1'..=b'9').contains(&b[number])
                    || b[number - 1] != b' '
                    || !b[number - 2].is_ascii_lowercase()
                {
                    continue;
                }
                let word_end = number - 1;
                // Every street ending ends in one of these letters.
                if !matches!(
                    b[number - 2],
                    b't' | b'n' | b'g' | b'e' | b'k' | b'l' | b'd' | b'f'
                ) {
                    continue;
                }
                let Some(ending) = words::STREET_ENDINGS
                    .iter()
                    .find(|e| text[..word_end].ends_with(*e))
                else {
                    continue;
                };
                let ending_start = word_end - ending.len();
                let word_start = text[..ending_start]
                    .char_indices()
                    .rev()
                    .find(|(_, c)| !(c.is_alphabetic() || matches!(c, '\'' | '-')))
                    .map_or(0, |(i, c)| i + c.len_utf8());
                if word_start == ending_start {
                    continue; // the ending alone (`straat 5`)
                }
                if let (Some(s), Some(e)) = (
                    places::street_start(text, word_start),
                    places::house_number_end(text, number),
                ) {
                    // Followed by a postcode: the postcode recogniser decides, and one that
                    // fails its letter rules (`3512 SS`) leaves the whole address alone.
                    if !places::postcode_follows(text, e) && !places::institutional(text, s) {
                        push(PiiKind::Address, s, e);
                    }
                }
            }
        }
        resolve(found)
    }

    /// Names, places, dates of birth and addresses after their trigger phrases.
    fn find_in_context(&self, text: &str, found: &mut Vec<PiiMatch>) {
        for m in self.triggers.find_iter(text) {
            let glued = text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
            if glued {
                continue;
            }
            let kind = self.trigger_kinds[m.pattern().as_usize()];
            let at =
                m.end() + text[m.end()..].len() - text[m.end()..].trim_start_matches(' ').len();
            match kind {
                Trigger::Name => {
                    if !self.on(PiiKind::Name) {
                        continue;
                    }
                    let phrase = &text[m.start()..m.end()];
                    // A title written without its dot is one only before a capital
                    // (`mr J. Schepel`), so `ing` or `ir` in other words' places are not.
                    let undotted_title = phrase.ends_with(' ')
                        && !phrase.contains('.')
                        && words::TITLES.contains(&phrase.trim_end().to_lowercase().as_str());
                    if undotted_title && !text[at..].chars().next().is_some_and(char::is_uppercase)
                    {
                        continue;
                    }
                    // `namens`, `ten name van`, `ondertekend door` are as often followed by an
                    // organisation or a country (`namens Japan`, `namens de Regering`) as by a
                    // person, so after them the name must have its own shape; titles, forms of
                    // address and `w.g.` vouch for any capitalised word.
                    let lower = phrase.to_lowercase();
                    let lead = if words::NAME_LEADS
                        .iter()
                        .any(|l| lower.trim_end() == *l && !l.starts_with("w.g") && *l != "get.")
                    {
                        Lead::Soft
                    } else {
                        Lead::Strong
                    };
                    let plural =
                        words::PLURAL_FORMS.contains(&lower.trim_end()) || lower.starts_with("mrs");
                    let at = names::skip_titles(text, at);
                    if let Some((s, e)) = self.names.parse(text, at, lead) {
                        found.push(PiiMatch {
                            kind: PiiKind::Name,
                            start: s,
                            end: e,
                        });
                        if lead == Lead::Strong {
                            for (s, e) in self.names.coordinated(text, e, plural) {
                                found.push(PiiMatch {
                                    kind: PiiKind::Name,
                                    start: s,
                                    end: e,
                                });
                            }
                        }
                    }
                }
                Trigger::Place => {
                    if self.on(PiiKind::Place) {
                        if let Some(e) = places::place_end(text, at) {
                            found.push(PiiMatch {
                                kind: PiiKind::Place,
                                start: at,
                                end: e,
                            });
                        }
                    }
                }
                Trigger::BirthDate => {
                    let mut p = at;
                    for skip in ["op ", "d.d. ", ": "] {
                        if text[p..].starts_with(skip) {
                            p += skip.len();
                        }
                    }
                    if let Some(d) = self.birth_date.find(&text[p..]) {
                        if self.on(PiiKind::Name) {
                            self.name_born(text, m.start(), found);
                        }
                        let e = p + d.end();
                        if self.on(PiiKind::BirthDate) {
                            found.push(PiiMatch {
                                kind: PiiKind::BirthDate,
                                start: p,
                                end: e,
                            });
                        }
                        self.place_after(text, e, found);
                    }
                }
                Trigger::Address => {
                    if !self.on(PiiKind::Address) {
                        continue;
                    }
                    let mut p = at;
                    for skip in ["de ", "het ", "den ", "De "] {
                        if text[p..].starts_with(skip) {
                            p += skip.len();
                            break;
                        }
                    }
                    if let Some(e) = self.street_after(text, p) {
                        found.push(PiiMatch {
                            kind: PiiKind::Address,
                            start: p,
                            end: e,
                        });
                        self.place_after(text, e, found);
                    }
                }
            }
        }
    }

    /// The subject of `X werd geboren op <date>` when it is a name and nothing else
    /// (`Chester Burton Atkins werd geboren op 20 juni 1924`): who is born is a person.
    fn name_born(&self, text: &str, trigger: usize, found: &mut Vec<PiiMatch>) {
        let Some(verb) = ["werd ", "is ", "was "]
            .iter()
            .find(|v| text[..trigger].ends_with(*v))
        else {
            return;
        };
        let subject_end = trigger - verb.len() - 1;
        if !text.is_char_boundary(subject_end) || text.as_bytes()[subject_end] != b' ' {
            return;
        }
        let floor = back_chars(text, subject_end, 80);
        let s = sentence_start(text, floor, subject_end);
        let s = s + text[s..].len() - text[s..].trim_start().len();
        if s == floor && floor > 0 {
            return;
        }
        if let Some((a, e)) = self.names.parse(text, s, Lead::Strong) {
            if e == subject_end {
                found.push(PiiMatch {
                    kind: PiiKind::Name,
                    start: a,
                    end: e,
                });
            }
        }
    }

    /// `te <place>` or `in <place>` right after a date of birth or an address.
    fn place_after(&self, text: &str, at: usize, found: &mut Vec<PiiMatch>) {
        if !self.on(PiiKind::Place) {
            return;
        }
        for lead in [" te ", " in "] {
            if let Some(rest) = text.get(at..).and_then(|r| r.strip_prefix(lead)) {
                let p = text.len() - rest.len();
                if let Some(e) = places::place_end(text, p) {
                    found.push(PiiMatch {
                        kind: PiiKind::Place,
                        start: p,
                        end: e,
                    });
                }
            }
        }
    }

    /// A street name of capitalised words and connectors at `at`, followed by a house number;
    /// returns the end of the number (`Laan van Meerdervoort 1021`).
    fn street_after(&self, text: &str, at: usize) -> Option<usize> {
        let first = names::word_end(text, at);
        if first == at
            || !names::capitalised(&text[at..first])
            || NOT_STREETS.contains(&text[at..first].to_lowercase().as_str())
        {
            return None;
        }
        let mut p = first;
        for _ in 0..5 {
            let rest = text[p..].strip_prefix(' ')?;
            let q = p + 1;
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return places::house_number_end(text, q);
            }
            let e = names::word_end(text, q);
            if e == q {
                return None;
            }
            p = e;
        }
        None
    }

    /// Person names by shape, anywhere, and the other mentions of their surnames.
    fn find_names(&self, text: &str, found: &mut Vec<PiiMatch>) {
        // Names by shape, and whether only a weak shape made them one.
        let mut shaped: Vec<(PiiMatch, bool)> = Vec::new();
        let mut next_free = 0;
        let b = text.as_bytes();
        for i in 0..b.len() {
            // Word starts only: an upper-case ASCII letter or the first byte of a non-ASCII
            // character, after a byte that cannot be inside a word or a dotted abbreviation.
            let c = b[i];
            if i < next_free || !(c.is_ascii_uppercase() || c >= 0xC0) {
                continue;
            }
            if i > 0 {
                let p = b[i - 1];
                if p.is_ascii_alphanumeric()
                    || matches!(p, b'.' | b'-' | b'\'' | b'@' | b'_' | b'/')
                    || p >= 0x80
                {
                    continue;
                }
            }
            if c >= 0xC0 && !text[i..].chars().next().is_some_and(char::is_uppercase) {
                continue;
            }
            if self.names.cannot_start(text, i) {
                continue;
            }
            if self.names.role_noun_before(text, i) {
                if let Some((s, e)) = self.names.parse(text, i, Lead::Strong) {
                    shaped.push((
                        PiiMatch {
                            kind: PiiKind::Name,
                            start: s,
                            end: e,
                        },
                        false,
                    ));
                    next_free = e;
                    for (s, e) in self.names.coordinated(text, e, false) {
                        shaped.push((
                            PiiMatch {
                                kind: PiiKind::Name,
                                start: s,
                                end: e,
                            },
                            false,
                        ));
                        next_free = e;
                    }
                    continue;
                }
            }
            let mut weak = false;
            if let Some((s, e)) = self.names.parse_name(text, i, Lead::None, &mut weak) {
                let m = PiiMatch {
                    kind: PiiKind::Name,
                    start: s,
                    end: e,
                };
                shaped.push((m, weak));
                next_free = e;
            }
        }
        if shaped.is_empty() && !found.iter().any(|m| m.kind == PiiKind::Name) {
            return;
        }
        // A capitalised word that the same document also writes in lower case is a noun
        // (`de Administratie` beside `administratie`), not a surname: names that only their
        // shape made names are dropped for it, and such words are not looked for elsewhere.
        let nouns = lower_case_mentions(
            text,
            shaped
                .iter()
                .filter(|(_, weak)| *weak)
                .flat_map(|(m, _)| {
                    let name = &text[m.start..m.end];
                    [name.split(' ').next(), name.rsplit(' ').next()]
                })
                .flatten()
                .chain(
                    found
                        .iter()
                        .filter(|m| m.kind == PiiKind::Name)
                        .chain(shaped.iter().map(|(m, _)| m))
                        .filter_map(|m| self.names.surname_of(&text[m.start..m.end])),
                ),
        );
        // A tussenvoegsel (`Van Dam`) is written in lower case everywhere; it says nothing.
        let noun = |w: &str| !names::is_tussenvoegsel(w) && nouns.contains(&w.to_lowercase());
        shaped.retain(|(m, weak)| {
            let name = &text[m.start..m.end];
            !weak
                || !(name.rsplit(' ').next().is_some_and(noun)
                    || name.split(' ').next().is_some_and(noun))
        });
        // Other mentions of a surname found above (`de heer Van Dam ... Van Dam heeft`), from
        // names that more than their shape made names.
        let mut surnames: Vec<&str> = found
            .iter()
            .filter(|m| m.kind == PiiKind::Name)
            .chain(shaped.iter().filter(|(_, weak)| !weak).map(|(m, _)| m))
            .filter_map(|m| self.names.surname_of(&text[m.start..m.end]))
            .filter(|s| !noun(s))
            .collect();
        found.extend(shaped.iter().map(|(m, _)| *m));
        if surnames.is_empty() {
            return;
        }
        surnames.sort_unstable();
        surnames.dedup();
        // Every occurrence of every surname: one automaton pass for several (a document full
        // of signatures names hundreds), a plain search for one.
        let mut occurrences: Vec<(usize, usize)> = Vec::new();
        match surnames[..] {
            [s] => occurrences.extend(text.match_indices(s).map(|(i, _)| (i, i + s.len()))),
            _ => {
                if let Ok(ac) = per_document_automaton(&surnames) {
                    occurrences
                        .extend(ac.find_overlapping_iter(text).map(|m| (m.start(), m.end())));
                }
            }
        }
        {
            for (i, end) in occurrences {
                let before = text[..i].chars().next_back();
                let after = text[end..].chars().next();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '-')
                    || after.is_some_and(|c| c.is_alphanumeric() || c == '-')
                {
                    continue;
                }
                // Take a capitalised tussenvoegsel with it (`Van Dam`, `Van den Heuvel`).
                let mut start = i;
                for tv in [
                    "Van der ", "Van den ", "Van de ", "Van 't ", "Van ", "De ", "Ter ", "Ten ",
                ] {
                    if text[..i].ends_with(tv) {
                        start = i - tv.len();
                        break;
                    }
                }
                // Inside a longer proper noun (`Hoge Verdragsluitende Partijen`) it is not the
                // surname.
                let prev_word = text[..start].strip_suffix(' ').map(|t| {
                    let ws = t
                        .rfind(|c: char| !c.is_alphabetic())
                        .map_or(0, |k| k + t[k..].chars().next().map_or(1, char::len_utf8));
                    &t[ws..]
                });
                let glued_before = prev_word.is_some_and(names::capitalised)
                    && !prev_word.is_some_and(|w| {
                        words::TITLES.contains(&w.to_lowercase().as_str())
                            || words::ADDRESS_FORMS
                                .iter()
                                .any(|f| f.ends_with(&w.to_lowercase()))
                    });
                let glued_after = text[end..]
                    .strip_prefix(' ')
                    .is_some_and(|t| t.chars().next().is_some_and(char::is_uppercase));
                if glued_before || glued_after {
                    continue;
                }
                found.push(PiiMatch {
                    kind: PiiKind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// Whether a BSN keyword stands in the sentence of the number at `start..end`, at most
    /// `bsn_context_chars` characters before it or half that after it.
    fn bsn_context(&self, text: &str, start: usize, end: usize) -> bool {
        let from = sentence_start(
            text,
            back_chars(text, start, self.config.bsn_context_chars),
            start,
        );
        let to = sentence_end(
            text,
            end,
            forward_chars(text, end, self.config.bsn_context_chars / 2),
        );
        self.bsn_keywords.is_match(&text[from..start]) || self.bsn_keywords.is_match(&text[end..to])
    }

    fn ipv4_context_ok(&self, text: &str, start: usize, end: usize) -> bool {
        // Part of a longer dotted number (`1.2.3.4.5`, a version or an article number)?
        let b = text.as_bytes();
        let dotted_before = start >= 2 && b[start - 1] == b'.' && b[start - 2].is_ascii_digit();
        let dotted_after =
            end + 1 < b.len() && b[end] == b'.' && b.get(end + 1).is_some_and(u8::is_ascii_digit);
        if dotted_before || dotted_after {
            return false;
        }
        let before = text[back_chars(text, start, 16)..start].to_lowercase();
        let last_word = before.split_whitespace().last().unwrap_or("");
        if SECTION_WORDS.contains(&last_word) {
            return false;
        }
        // Legal numbering (`2.3.1.4`, `onder 1.2.3.4 en 1.2.3.5`) uses small numbers and no 0;
        // an address of only such octets needs a word of networking before it.
        let small = text[start..end]
            .split('.')
            .all(|o| o.parse::<u8>().is_ok_and(|v| (1..=31).contains(&v)));
        !small || {
            let window = text[back_chars(text, start, 60)..start].to_lowercase();
            window
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| NETWORK_WORDS.contains(&w))
        }
    }

    /// The text with every match replaced, and the count per kind.
    fn replace(&self, text: &str, doc_id: &str, found: &[PiiMatch]) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        let mut fakes: HashMap<(PiiKind, &str), String> = HashMap::new();
        for m in found {
            out.push_str(&text[at..m.start]);
            let value = &text[m.start..m.end];
            // A person keeps one fake whether a line names them in a public role or not.
            let kind = match m.kind {
                PiiKind::NamePublicRole => PiiKind::Name,
                k => k,
            };
            match self.config.mode {
                PiiMode::Redact => out.push_str(m.kind.placeholder()),
                PiiMode::Pseudonym => {
                    let salt = match &self.config.pseudonym_key {
                        Some(key) => format!("key\u{0}{key}"),
                        None => doc_id.to_string(),
                    };
                    let fake = fakes
                        .entry((kind, value))
                        .or_insert_with(|| fake(kind, value, &salt));
                    out.push_str(fake);
                }
            }
            at = m.end;
        }
        out.push_str(&text[at..]);
        out
    }
}

impl Stage for Pii {
    fn name(&self) -> &str {
        &self.name
    }

    fn signals(&self) -> Vec<&'static str> {
        SIGNALS.to_vec()
    }

    fn process(&self, doc: &mut Document) {
        let mut found = self.find(&doc.text);
        let mut counts = [0usize; 13];
        for m in &found {
            counts[m.kind.priority()] += 1;
        }
        if self.config.public_officials == PublicOfficials::Keep {
            found.retain(|m| m.kind != PiiKind::NamePublicRole);
        }
        if !found.is_empty() {
            doc.text = self.replace(&doc.text, &doc.id, &found);
        }
        for kind in PiiKind::ALL {
            doc.set_signal(kind.signal(), counts[kind.priority()] as f64);
        }
    }
}

/// Sorts by start (then priority) and keeps the matches that do not overlap an earlier one.
fn resolve(mut found: Vec<PiiMatch>) -> Vec<PiiMatch> {
    found.sort_by_key(|m| (m.start, m.kind.priority(), std::cmp::Reverse(m.end)));
    let mut out: Vec<PiiMatch> = Vec::with_capacity(found.len());
    for m in found {
        if out.last().is_none_or(|last| m.start >= last.end) {
            out.push(m);
        }
    }
    out
}

/// An automaton built for one document: an NFA, which builds in a fraction of a DFA's time
/// for the few words of one text.
fn per_document_automaton<P: AsRef<[u8]>>(
    words: &[P],
) -> Result<AhoCorasick, aho_corasick::BuildError> {
    AhoCorasickBuilder::new()
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(words)
}

/// Which of `words` the text also writes in lower case as a whole word (`Administratie` when
/// `administratie` occurs): one pass over the text for all of them.
fn lower_case_mentions<'a>(
    text: &str,
    words: impl Iterator<Item = &'a str>,
) -> std::collections::HashSet<String> {
    let mut wanted: Vec<String> = words
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut out = std::collections::HashSet::new();
    let whole_word = |i: usize, len: usize| {
        let before = text[..i].chars().next_back();
        let after = text[i + len..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    };
    // Several words: one automaton pass; one: a plain search, which costs no automaton build.
    if wanted.len() > 1 {
        if let Ok(ac) = per_document_automaton(&wanted) {
            for m in ac.find_overlapping_iter(text) {
                if whole_word(m.start(), m.end() - m.start()) {
                    out.insert(wanted[m.pattern().as_usize()].clone());
                }
            }
        }
        return out;
    }
    for w in wanted {
        if text
            .match_indices(w.as_str())
            .any(|(i, _)| whole_word(i, w.len()))
        {
            out.insert(w);
        }
    }
    out
}

/// Abbreviations whose dot does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "bijv", "resp", "vgl", "nrs", "jl", "enz", "etc", "o.a", "m.b.t",
];

/// Whether the `.`, `!` or `?` at `i` ends a sentence: followed by white space and a capital,
/// and not the dot of an initial, title or abbreviation (`mr. J. de Vries`, `bijv. Het`).
fn ends_sentence(text: &str, i: usize) -> bool {
    let b = text.as_bytes();
    if !matches!(b[i], b'.' | b'!' | b'?') {
        return false;
    }
    let after = &text[i + 1..];
    let trimmed = after.trim_start();
    if trimmed.len() == after.len() || !trimmed.chars().next().is_some_and(char::is_uppercase) {
        return false;
    }
    if b[i] != b'.' {
        return true;
    }
    let word: &str = text[..i]
        .rsplit(|c: char| !c.is_alphanumeric() && c != '.')
        .next()
        .unwrap_or("");
    word.chars().filter(|c| c.is_alphabetic()).count() >= 4
        && !ABBREVIATIONS.contains(&word.to_lowercase().as_str())
        || word.chars().all(|c| c.is_ascii_digit()) && !word.is_empty()
}

/// The start of the sentence holding `at`, not before `floor`.
fn sentence_start(text: &str, floor: usize, at: usize) -> usize {
    let window = &text[floor..at];
    if let Some(p) = window.rfind("\n\n") {
        return floor + p + 2;
    }
    for (i, _) in window.char_indices().rev() {
        if ends_sentence(text, floor + i) {
            return floor + i + 1;
        }
    }
    floor
}

/// The end of the sentence holding `at`, not after `ceiling`.
fn sentence_end(text: &str, at: usize, ceiling: usize) -> usize {
    let window = &text[at..ceiling];
    let mut end = ceiling;
    if let Some(p) = window.find("\n\n") {
        end = at + p;
    }
    for (i, _) in text[at..end].char_indices() {
        if ends_sentence(text, at + i) {
            return at + i + 1;
        }
    }
    end
}

/// Byte offset `n` characters before `at` (or 0).
fn back_chars(text: &str, at: usize, n: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// Byte offset `n` characters after `at` (or the end).
fn forward_chars(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

/// Whether the match continues a number written with separators (`12 345 678 901` contains
/// `345 678 901`, which is not a BSN or phone number on its own).
fn preceded_by_number(text: &str, start: usize) -> bool {
    let b = text.as_bytes();
    (start >= 2
        && matches!(b[start - 1], b' ' | b'-' | b'.' | b'+' | b'/')
        && b[start - 2].is_ascii_digit())
        || (start >= 1 && b[start - 1] == b'+')
}

fn digits(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// IBAN length per SEPA country (ISO 13616 registry).
fn iban_length(country: &str) -> Option<usize> {
    Some(match country {
        "NO" => 15,
        "BE" => 16,
        "DK" | "FI" | "FO" | "GL" | "NL" => 18,
        "SI" => 19,
        "AT" | "EE" | "LT" | "LU" => 20,
        "CH" | "HR" | "LI" | "LV" => 21,
        "BG" | "DE" | "GB" | "IE" | "VA" => 22,
        "GI" => 23,
        "AD" | "CZ" | "ES" | "RO" | "SE" | "SK" => 24,
        "PT" => 25,
        "IS" => 26,
        "FR" | "GR" | "IT" | "MC" | "SM" => 27,
        "CY" | "HU" | "PL" => 28,
        "MT" => 31,
        _ => return None,
    })
}

/// Reads an IBAN starting at `start`: as many characters as the country's IBAN has, each group
/// separated by at most one space, followed by a non-alphanumeric; returns its end when the
/// mod-97 check holds. Reading by the country's length (rather than a greedy pattern) keeps a
/// following capitalised word from being glued to the number.
fn iban_at(text: &str, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let len = iban_length(text.get(start..start + 2)?)?;
    let mut chars = Vec::with_capacity(len);
    let mut i = start;
    while chars.len() < len {
        match b.get(i) {
            Some(&c) if c.is_ascii_uppercase() || c.is_ascii_digit() => {
                chars.push(c);
                i += 1;
            }
            Some(b' ')
                if !chars.is_empty() && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) =>
            {
                i += 1;
            }
            _ => return None,
        }
    }
    if b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    (iban_mod97(&chars) == Some(1)).then_some(i)
}

/// ISO 7064 mod 97-10 over the rearranged IBAN (country and check digits moved to the end,
/// letters as 10..35).
fn iban_mod97(iban: &[u8]) -> Option<u32> {
    if iban.len() < 5 {
        return None;
    }
    let mut rem: u32 = 0;
    for &c in iban[4..].iter().chain(&iban[..4]) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return None,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    Some(rem)
}

/// Whether a number is the account part of an IBAN-shaped token (`NL91 ABNA 0417 1643 00`,
/// `GB29 NWBK 6016 …`), valid or not: an IBAN that fails mod-97 must not be half-replaced as a
/// card, phone number or BSN (a Dutch account number looks like a landline number).
fn in_iban_shape(text: &str, start: usize) -> bool {
    let b = text.as_bytes();
    let mut i = start;
    while i > 0 && start - i < 24 {
        let c = b[i - 1];
        if c.is_ascii_uppercase() || c.is_ascii_digit() || (c == b' ' && i >= 2 && b[i - 2] != b' ')
        {
            i -= 1;
        } else {
            break;
        }
    }
    // Try each position of the run as the IBAN's start.
    (i..start).any(|j| {
        (j == 0 || !b[j - 1].is_ascii_alphanumeric())
            && b.get(j..j + 4).is_some_and(|p| {
                p[..2].iter().all(u8::is_ascii_uppercase) && p[2..].iter().all(u8::is_ascii_digit)
            })
    })
}

/// Luhn checksum, a plausible issuer prefix (2–6), 13–19 digits, one kind of separator.
fn valid_card(s: &str) -> bool {
    let d = digits(s);
    if !(13..=19).contains(&d.len()) || !(2..=6).contains(&d[0]) {
        return false;
    }
    let has_space = s.contains(' ');
    let has_dash = s.contains('-');
    if has_space && has_dash {
        return false;
    }
    luhn(&d)
}

fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = u32::from(x);
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                x
            }
        })
        .sum();
    sum % 10 == 0
}

fn valid_ipv4(s: &str) -> bool {
    s.split('.').all(|o| {
        !o.is_empty()
            && (o == "0" || !o.starts_with('0'))
            && o.parse::<u16>().is_ok_and(|v| v <= 255)
    })
}

/// An IPv6 candidate is accepted when it parses, is not glued to other word characters, and
/// has a decimal digit (so `a::b` in prose is not an address).
fn valid_ipv6(text: &str, start: usize, end: usize) -> bool {
    let s = &text[start..end];
    let b = text.as_bytes();
    let glued = |c: u8| c.is_ascii_alphanumeric() || c == b':' || c == b'.';
    let glued_after = match b.get(end) {
        Some(&b'.') => b.get(end + 1).is_some_and(u8::is_ascii_digit),
        Some(&c) => glued(c),
        None => false,
    };
    if (start > 0 && glued(b[start - 1])) || glued_after {
        return false;
    }
    s.bytes().any(|c| c.is_ascii_digit())
        && s.matches(':').count() >= 2
        && s.parse::<std::net::Ipv6Addr>().is_ok()
}

/// The Dutch numbering plan: after the trunk prefix (`0`, `+31`, `0031`, and an optional
/// `(0)`), nine digits whose first is an area code (1–5, 7), mobile (6) or a non-geographic
/// personal range (85, 88, 91). Service numbers (0800, 0900) are not personal data.
fn valid_phone(s: &str) -> bool {
    let mut d = digits(s);
    let intl = s.starts_with('+') || s.starts_with("00");
    if intl {
        let skip = if s.starts_with('+') { 2 } else { 4 };
        d.drain(..skip.min(d.len()));
        // `+31 (0)20 …` and the common mistake `+31 06 …` repeat the trunk prefix.
        if d.len() == 10 && d.first() == Some(&0) {
            d.remove(0);
        }
    } else {
        if d.first() != Some(&0) {
            return false;
        }
        d.remove(0);
    }
    if d.len() != 9 {
        return false;
    }
    // `06-12-2023 14` is a date followed by a number, not a phone number.
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !intl && looks_like_date(&compact) {
        return false;
    }
    match d[0] {
        1..=7 => true,
        8 => matches!(d[1], 5 | 8),
        9 => d[1] == 1,
        _ => false,
    }
}

fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[2] == b'-'
        && b[5] == b'-'
        && b[..2]
            .iter()
            .chain(&b[3..5])
            .chain(&b[6..10])
            .all(u8::is_ascii_digit)
}

/// The elfproef: 9·d1 + 8·d2 + … + 2·d8 − d9 is a multiple of 11 (and the number is not 0).
fn elfproef(s: &str) -> bool {
    let d = digits(s);
    if d.len() != 9 || d.iter().all(|&x| x == 0) {
        return false;
    }
    let sum: i32 = d[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(&x, w)| i32::from(x) * w)
        .sum::<i32>()
        - i32::from(d[8]);
    sum % 11 == 0
}

fn is_dotted_bsn(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11 && b[4] == b'.' && b[7] == b'.'
}

/// Words that may stand inside a street name between capitalised words.
const STREET_CONNECTORS: &[&str] = &[
    "van", "de", "der", "den", "het", "'t", "op", "aan", "in", "bij", "ter", "te", "'s", "en",
    "la", "le", "du",
];

/// Words before a number that make it an organisation's box, not a home address.
const NOT_STREETS: &[&str] = &["postbus", "antwoordnummer", "pb", "box", "artikel", "lid"];

/// For a `house number, postcode` match, the start of the street name before it, when there is
/// one; `None` when there is no street (a bare number and postcode is not an address) or when
/// the postcode letters are not allowed (`SA`, `SD`, `SS` are never issued).
fn address_start(text: &str, start: usize, m: &str) -> Option<usize> {
    let letters = m.get(m.len().checked_sub(2)?..)?;
    if matches!(letters, "SA" | "SD" | "SS") {
        return None;
    }
    // Walk back over up to five words of the street name.
    let before = &text[..start];
    let mut street_start = None;
    let mut rest = before.trim_end_matches(' ');
    if rest.len() == before.len() {
        return None; // the number is glued to a word
    }
    for n in 0..5 {
        let word_start = rest.rfind(|c: char| c.is_whitespace()).map_or(0, |i| i + 1);
        let word = &rest[word_start..];
        let alpha = !word.is_empty()
            && word
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '.'))
            && word.chars().any(char::is_alphabetic);
        if !alpha {
            break;
        }
        let lower = word.to_lowercase();
        if n == 0 && NOT_STREETS.contains(&lower.as_str()) {
            return None;
        }
        let capital = word.chars().next().is_some_and(char::is_uppercase);
        let connector = STREET_CONNECTORS.contains(&lower.as_str());
        // The word next to the number is part of the street whatever its case
        // (`Laan van Meerdervoort`, `Jan van Galenstraat`); further back only capitalised words
        // and connectors are.
        if n > 0 && !capital && !connector {
            break;
        }
        if capital || n == 0 {
            street_start = Some(word_start);
        }
        if word_start == 0 {
            break;
        }
        rest = rest[..word_start].trim_end_matches(' ');
        if rest.ends_with([',', '.', ':', ';', '(']) {
            break;
        }
    }
    let s = street_start?;
    let first = text[s..].chars().next()?;
    first.is_uppercase().then_some(s)
}

/// Letters used on Dutch plates since sidecode 4: consonants without C, Q, W and Y.
fn valid_plate(s: &str) -> bool {
    let letters: String = s.chars().filter(char::is_ascii_uppercase).collect();
    letters.chars().all(|c| "BDFGHJKLMNPRSTVXZ".contains(c))
        && !letters.contains("SS")
        && !letters.contains("SD")
}

/// A plate-shaped token inside a longer dashed code (`X-12-34-BB-5`) is not a plate.
fn touches_dash_word(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    (start > 0 && b[start - 1] == b'-') || (end < b.len() && b[end] == b'-')
}

/// A splitmix64 stream, seeded per value and document.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn digit(&mut self) -> u8 {
        self.below(10) as u8
    }
}

/// A random stream for `value`, salted by the document id or the run's pseudonym key.
fn seeded(value: &str, salt: &str) -> Rng {
    let mut key = Vec::with_capacity(value.len() + salt.len() + 1);
    key.extend_from_slice(value.as_bytes());
    key.push(0);
    key.extend_from_slice(salt.as_bytes());
    Rng(xxh3_64_with_seed(&key, HASH_SEED))
}

fn pick<'a>(list: &[&'a str], rng: &mut Rng) -> &'a str {
    list.get(rng.below(list.len() as u64) as usize)
        .copied()
        .unwrap_or("")
}

/// The street part of an address (`Laan van Meerdervoort 1021` → `Laan van Meerdervoort`).
fn street_of(address: &str) -> &str {
    address
        .find(|c: char| c.is_ascii_digit())
        .map_or(address, |i| address[..i].trim_end())
}

/// A plausible Dutch name of the same build: initials stay initials (as many), given names
/// become given names, the surname (with its tussenvoegsel) another surname. Each part is keyed
/// on its own (the surname lower-cased), so `mr. B.P. Kiewiet` and a later `Kiewiet` get the
/// same fake surname.
fn fake_name(value: &str, salt: &str) -> String {
    let tokens: Vec<&str> = value.split(' ').filter(|t| !t.is_empty()).collect();
    let Some(&last) = tokens.last() else {
        return String::new();
    };
    // The surname begins at the first lower-case tussenvoegsel, a leading capitalised one
    // (`Van der Schans`), or else at the last word.
    let tv = |t: &str| {
        words::TUSSENVOEGSELS
            .iter()
            .any(|v| v.split(' ').next() == Some(&t.to_lowercase()))
    };
    let surname_at = tokens
        .iter()
        .position(|t| tv(t) && t.chars().next().is_some_and(char::is_lowercase))
        .or_else(|| tokens.first().filter(|t| tv(t)).map(|_| 0))
        .unwrap_or(tokens.len() - 1);
    let surname_key = last.to_lowercase();
    let mut surname = pick(words::FAKE_SURNAMES, &mut seeded(&surname_key, salt)).to_string();
    let mut out: Vec<String> = Vec::new();
    for t in &tokens[..surname_at] {
        if t.contains('.') {
            let n = t.matches('.').count().max(1);
            let mut rng = seeded(&format!("{t}\u{0}{surname_key}"), salt);
            let letters: String = (0..n)
                .map(|_| {
                    format!(
                        "{}.",
                        char::from(b"ABCDEFGHJKLMNPRSTVW"[rng.below(19) as usize])
                    )
                })
                .collect();
            out.push(letters);
        } else {
            out.push(pick(words::FIRST_NAMES, &mut seeded(t, salt)).to_string());
        }
    }
    if out.is_empty() && value.chars().next().is_some_and(char::is_uppercase) {
        // A surname standing alone keeps its capital (`Van Dam` → `De Jong`).
        let mut c = surname.chars();
        if let Some(f) = c.next() {
            surname = f.to_uppercase().chain(c).collect();
        }
    }
    out.push(surname);
    out.join(" ")
}

/// A date of the same format (`3 maart 1961`, `03-03-1961`, `1961-03-03`).
fn fake_date(value: &str, rng: &mut Rng) -> String {
    let day = 1 + rng.below(28);
    let month = 1 + rng.below(12);
    let year = 1935 + rng.below(70);
    let lower = value.to_lowercase();
    if words::MONTHS.iter().any(|m| lower.contains(m)) {
        let name = words::MONTHS
            .get(month as usize - 1)
            .copied()
            .unwrap_or("januari");
        return format!("{day} {name} {year}");
    }
    if value.len() >= 5 && value.as_bytes()[4] == b'-' {
        return format!("{year}-{month:02}-{day:02}");
    }
    let sep = value.chars().find(|c| !c.is_ascii_digit()).unwrap_or('-');
    format!("{day:02}{sep}{month:02}{sep}{year}")
}

/// Writes `new` digits into the shape of `original` (separators kept, digits replaced in order).
fn reshape(original: &str, new: &[u8]) -> String {
    let mut it = new.iter();
    original
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                it.next().map_or(c, |&d| char::from(b'0' + d))
            } else {
                c
            }
        })
        .collect()
}

const PLATE_LETTERS: &[u8] = b"BDFGHJKLNPRTVXZ";

/// A fake of the same kind and shape. Fakes are chosen from ranges that belong to no one where
/// such ranges exist (documentation IP blocks, `voorbeeld.nl`, bank code `ZEEF`).
fn fake(kind: PiiKind, value: &str, salt: &str) -> String {
    let mut rng = seeded(value, salt);
    match kind {
        PiiKind::Name | PiiKind::NamePublicRole => fake_name(value, salt),
        PiiKind::Place => pick(words::FAKE_PLACES, &mut rng).to_string(),
        PiiKind::Address => {
            let street = pick(words::FAKE_STREETS, &mut seeded(street_of(value), salt));
            format!("{street} {}", 1 + rng.below(150))
        }
        PiiKind::BirthDate => fake_date(value, &mut rng),
        PiiKind::Email => format!("persoon{:06x}@voorbeeld.nl", rng.next() & 0xFF_FFFF),
        PiiKind::Phone => {
            // Keep the prefix and area code, replace the last seven digits.
            let mut d = digits(value);
            let n = d.len();
            for x in d.iter_mut().skip(n.saturating_sub(7)) {
                *x = rng.digit();
            }
            reshape(value, &d)
        }
        PiiKind::Iban => {
            let mut bban = b"ZEEF".to_vec();
            bban.extend((0..10).map(|_| b'0' + rng.digit()));
            let mut probe = bban.clone();
            probe.splice(0..0, *b"NL00");
            let check = 98 - iban_mod97(&probe).unwrap_or(0);
            let mut iban = format!("NL{check:02}").into_bytes();
            iban.extend(bban);
            let iban = String::from_utf8_lossy(&iban).into_owned();
            if value.contains(' ') {
                iban.as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                iban
            }
        }
        PiiKind::Bsn => loop {
            let mut d: Vec<u8> = (0..8).map(|_| rng.digit()).collect();
            d[0] = 1 + rng.below(9) as u8;
            let sum: u32 = d
                .iter()
                .zip((2..=9u32).rev())
                .map(|(&x, w)| u32::from(x) * w)
                .sum();
            let check = sum % 11;
            if check < 10 {
                d.push(check as u8);
                break reshape(value, &d);
            }
        },
        PiiKind::Card => {
            let n = digits(value).len();
            let mut d: Vec<u8> = (0..n.saturating_sub(1)).map(|_| rng.digit()).collect();
            if let Some(first) = d.first_mut() {
                *first = 4;
            }
            let check = (0..10u8)
                .find(|&c| {
                    let mut t = d.clone();
                    t.push(c);
                    luhn(&t)
                })
                .unwrap_or(0);
            d.push(check);
            reshape(value, &d)
        }
        PiiKind::Postcode => {
            let mut letter =
                || char::from(PLATE_LETTERS[rng.below(PLATE_LETTERS.len() as u64) as usize]);
            // No S among the letters, so never the unissued SA, SD, SS.
            let (a, b) = (letter(), letter());
            format!(
                "Voorbeeldstraat {}, {} {a}{b}",
                1 + rng.below(200),
                1000 + rng.below(9000)
            )
        }
        PiiKind::Ip => {
            if value.contains(':') {
                format!("2001:db8::{:x}", rng.below(0xFFFF) + 1)
            } else {
                format!("192.0.2.{}", 1 + rng.below(254))
            }
        }
        PiiKind::Plate => {
            let mut letter =
                || char::from(PLATE_LETTERS[rng.below(PLATE_LETTERS.len() as u64) as usize]);
            let (a, b, c) = (letter(), letter(), letter());
            let n = 100 + rng.below(900);
            format!("{a}{b}-{n}-{c}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{check_stage, demo_doc, demo_docs, real_docs};

    fn stage() -> Pii {
        Pii::new("pii", PiiConfig::default()).expect("pii")
    }

    fn redact(text: &str) -> String {
        let mut d = Document::new("s", "f:1", text);
        stage().process(&mut d);
        d.text
    }

    #[test]
    fn validators() {
        assert!(elfproef("111222333"));
        assert!(elfproef("234567892"));
        assert!(!elfproef("123456789"));
        assert!(!elfproef("000000000"));
        assert_eq!(iban_at("NL91ABNA0417164300", 0), Some(18));
        assert_eq!(iban_at("NL44 RABO 0123 4567 89 t.n.v.", 0), Some(22));
        assert_eq!(iban_at("NL92ABNA0417164300", 0), None);
        assert_eq!(iban_at("NL91ABNA04171643001", 0), None);
        assert!(luhn(&digits("4111 1111 1111 1111")));
        assert!(!luhn(&digits("4111 1111 1111 1112")));
        assert!(valid_phone("06-12345678"));
        assert!(valid_phone("+31 (0)20 123 4567"));
        assert!(!valid_phone("0800-1234567"));
        assert!(!valid_phone("06-12-2023 14"));
        assert!(valid_plate("GB-123-X"));
        assert!(!valid_plate("AB-123-C"));
    }

    #[test]
    fn planted_archive_cases() {
        let cases = [
            ("arch-0004", "<BSN>", "111222333"),
            ("arch-0008", "<EMAIL>", "e.deboer@post.voorbeeld.nl"),
            ("arch-0008", "<PHONE>", "+31 20 123 4567"),
            ("arch-0009", "<IBAN>", "NL91ABNA0417164300"),
            ("arch-0012", "<POSTCODE> Utrecht", "3512 AB"),
            ("arch-0016", "via <PHONE> of <PHONE>", "06-12345678"),
            ("arch-0027", "e-mail <EMAIL>", "annemarie.bakker"),
            (
                "arch-0033",
                "(burgerservicenummer <BSN>) is overdag bereikbaar op <PHONE>",
                "06 87654321",
            ),
            ("arch-0034", "op <IBAN> t.n.v.", "RABO"),
        ];
        let stage = stage();
        for (id, expect, gone) in cases {
            let mut d = demo_doc(id);
            stage.process(&mut d);
            assert!(d.text.contains(expect), "{id}: {expect} not in output");
            assert!(!d.text.contains(gone), "{id}: {gone} still in output");
        }
        // Decoys: invalid checksums stay.
        for (id, keep) in [
            ("arch-0023", "NL92ABNA0417164300"),
            ("arch-0030", "BSN 123456789"),
        ] {
            let mut d = demo_doc(id);
            stage.process(&mut d);
            assert!(d.text.contains(keep), "{id}: decoy {keep} was replaced");
            assert_eq!(d.signal("pii_iban"), Some(0.0));
            assert_eq!(d.signal("pii_bsn"), Some(0.0));
        }
        let mut d = demo_doc("arch-0012");
        stage.process(&mut d);
        assert!(
            d.text.contains("familie Schreuders, <POSTCODE> Utrecht"),
            "{}",
            d.text
        );
        assert_eq!(d.signal("pii_postcode"), Some(1.0));
    }

    #[test]
    fn real_text_is_left_alone() {
        // The demo README lists the naive pattern hits in the real sources: PO-box postcodes of
        // courts and ministries (organisations, no house address: kept) and, in the Afrikaans
        // government text, one e-mail address and office phone/fax numbers (replaced: they are
        // what they look like).
        let stage = stage();
        let mut changed = Vec::new();
        for doc in real_docs().chain(demo_docs().iter().filter(|d| d.source == "afrikaans")) {
            let mut d = doc.clone();
            stage.process(&mut d);
            // Names of people in the real sources (judges, authors, ministers) are what the
            // name recogniser is for; this test is about the number recognisers.
            let numbers: f64 = SIGNALS[..8].iter().filter_map(|s| d.signal(s)).sum();
            if numbers > 0.0 {
                let hits: Vec<String> = SIGNALS[..8]
                    .iter()
                    .filter_map(|s| d.signal(s).filter(|&v| v > 0.0).map(|v| format!("{s}={v}")))
                    .collect();
                changed.push(format!("{} {}", d.locator, hits.join(" ")));
            }
        }
        assert_eq!(
            changed,
            vec![
                "afribooms-train-s0045-s0088 pii_email=1",
                "afribooms-train-s0529-s0572 pii_phone=3",
                "afribooms-train-s0573-s0616 pii_phone=1",
            ],
            "{changed:#?}"
        );
    }

    #[test]
    fn pseudonyms_are_consistent_and_valid() {
        let config = PiiConfig {
            mode: PiiMode::Pseudonym,
            ..PiiConfig::default()
        };
        let stage = Pii::new("pii", config).expect("pii");
        let text = "Mail jan@voorbeeld.nl of jan@voorbeeld.nl, bel 06-12345678, \
                    IBAN NL91ABNA0417164300, BSN 111222333, kaart 4111 1111 1111 1111, \
                    Kerkstraat 12, 3512 AB Utrecht, server 192.168.1.20, auto GB-123-X.";
        let mut a = Document::new("s", "f:1", text);
        stage.process(&mut a);
        let mut b = Document::new("s", "f:1", text);
        stage.process(&mut b);
        assert_eq!(a.text, b.text, "deterministic");
        let mut other = Document::new("s", "f:2", text);
        stage.process(&mut other);
        assert_ne!(a.text, other.text, "seeded per document");
        let fakes: Vec<&str> = a
            .text
            .split_whitespace()
            .filter(|w| w.contains("@voorbeeld.nl"))
            .collect();
        assert_eq!(fakes.len(), 2);
        assert_eq!(
            fakes[0].trim_end_matches(','),
            fakes[1].trim_end_matches(',')
        );
        // The fakes are themselves valid, so downstream tools see the same kinds.
        let again = stage.find(&a.text);
        let kinds: Vec<PiiKind> = again.iter().map(|m| m.kind).collect();
        assert_eq!(
            kinds,
            vec![
                PiiKind::Email,
                PiiKind::Email,
                PiiKind::Phone,
                PiiKind::Iban,
                PiiKind::Bsn,
                PiiKind::Card,
                PiiKind::Postcode,
                PiiKind::Ip,
                PiiKind::Plate
            ],
            "{}",
            a.text
        );
        assert!(!a.text.contains("111222333") && !a.text.contains("0417164300"));
    }

    #[test]
    fn separators_and_neighbours() {
        assert_eq!(redact("Bel 020-1234567."), "Bel <PHONE>.");
        assert_eq!(redact("Bel (020) 123 45 67!"), "Bel <PHONE>!");
        assert_eq!(redact("Bel 0031 6 1234 5678"), "Bel <PHONE>");
        assert_eq!(redact("op 06-12-2023 14 mensen"), "op 06-12-2023 14 mensen");
        assert_eq!(
            redact("artikel 2.3.1.1 en 10.0.0.1"),
            "artikel 2.3.1.1 en <IP>"
        );
        assert_eq!(redact("adres fe80::1ff:fe23:4567:890a."), "adres <IP>.");
        assert_eq!(redact("om 12:30:45 uur"), "om 12:30:45 uur");
        assert_eq!(
            redact("Postbus 20302, 2500 EH Den Haag"),
            "Postbus 20302, 2500 EH Den Haag"
        );
        assert_eq!(
            redact("woont aan de Laan van Meerdervoort 12a, 2517 AB Den Haag"),
            "woont aan de <POSTCODE> Den Haag"
        );
    }

    /// The labelled set `data/pii_cases.tsv`: every valid item must be replaced, no invalid
    /// (checksum or format) or out-of-context item may be. Prints precision and recall per kind.
    #[test]
    fn labelled_set() {
        let stage = stage();
        let mut stats: std::collections::BTreeMap<&str, [usize; 4]> = Default::default(); // tp fn fp tn
        let mut failures = Vec::new();
        for line in include_str!("../../data/pii_cases.tsv")
            .lines()
            .skip_while(|l| l.starts_with('#'))
            .skip(1)
        {
            let cols: Vec<&str> = line.split('\t').collect();
            let [kind, label, value, text] = cols[..] else {
                panic!("bad row {line}");
            };
            let mut d = Document::new("cases", line, text);
            stage.process(&mut d);
            let replaced = !d.text.contains(value);
            let placeholder = format!("<{}>", kind.to_uppercase());
            let s = stats.entry(kind).or_default();
            match (label, replaced) {
                ("valid", true) if d.text.contains(&placeholder) => s[0] += 1,
                ("valid", _) => {
                    s[1] += 1;
                    failures.push(format!("missed {kind} {value}: {}", d.text));
                }
                (_, true) => {
                    s[2] += 1;
                    failures.push(format!("replaced {label} {kind} {value}: {}", d.text));
                }
                (_, false) => s[3] += 1,
            }
            if label != "valid" && d.text != text {
                failures.push(format!(
                    "changed text around {label} {kind} {value}: {}",
                    d.text
                ));
            }
        }
        println!("kind      valid  invalid  precision  recall");
        let (mut tp, mut fneg, mut fp) = (0, 0, 0);
        for (kind, [t, f, p, n]) in &stats {
            let precision = *t as f64 / (*t + *p).max(1) as f64;
            let recall = *t as f64 / (*t + *f).max(1) as f64;
            println!(
                "{kind:<9} {:>5}  {:>7}  {precision:>9.3}  {recall:>6.3}",
                t + f,
                p + n
            );
            tp += t;
            fneg += f;
            fp += p;
        }
        println!(
            "all       {:>5}  precision {:.3}  recall {:.3}",
            tp + fneg,
            tp as f64 / (tp + fp).max(1) as f64,
            tp as f64 / (tp + fneg).max(1) as f64
        );
        assert!(stats.len() == 8, "every kind has cases: {:?}", stats.keys());
        assert!(failures.is_empty(), "{failures:#?}");
    }

    /// The byte pass that gates the number regexes must never hide a candidate: on every
    /// labelled text, every pattern that matches has its flag set.
    #[test]
    fn shape_flags_never_hide_a_candidate() {
        let stage = stage();
        let mut texts: Vec<String> = include_str!("../../data/pii_cases.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split('\t').nth(3).map(str::to_string))
            .collect();
        texts.extend(
            include_str!("../../data/pii/spans.tsv")
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| {
                    l.split_once('\t')
                        .map(|(_, t)| t.replace("[[", "").replace("]]", ""))
                }),
        );
        texts.extend(demo_docs().iter().map(|d| d.text.clone()));
        let mut checked = 0;
        for text in &texts {
            let f = shapes::Shapes::of(text);
            let gates = [
                (&stage.iban, f.iban, "iban"),
                (&stage.card, f.card, "card"),
                (&stage.ipv4, f.ipv4, "ipv4"),
                (&stage.ipv6, f.ipv6, "ipv6"),
                (&stage.phone_intl, f.phone, "phone_intl"),
                (&stage.phone_national, f.phone, "phone_national"),
                (&stage.phone_parens, f.phone, "phone_parens"),
                (&stage.bsn, f.bsn, "bsn"),
                (&stage.postcode, f.postcode, "postcode"),
                (&stage.plate, f.plate, "plate"),
            ];
            for (re, flag, name) in gates {
                if re.is_match(text) {
                    checked += 1;
                    // An IPv6 candidate without a decimal digit is never valid.
                    let digitless = name == "ipv6"
                        && re
                            .find_iter(text)
                            .all(|m| !m.as_str().bytes().any(|b| b.is_ascii_digit()));
                    assert!(flag || digitless, "{name} hidden in {text:?}");
                }
            }
            // The patterns searched on the lines of their runs find what a whole-text search
            // finds.
            for (re, at, name) in [
                (&stage.card, &f.card_at, "card"),
                (&stage.ipv4, &f.ipv4_at, "ipv4"),
                (&stage.phone_intl, &f.phone_at, "phone_intl"),
                (&stage.phone_national, &f.phone_at, "phone_national"),
                (&stage.phone_parens, &f.phone_at, "phone_parens"),
                (&stage.bsn, &f.bsn_at, "bsn"),
                (&stage.postcode, &f.postcode_at, "postcode"),
            ] {
                let whole: Vec<(usize, usize)> =
                    re.find_iter(text).map(|m| (m.start(), m.end())).collect();
                let lines: Vec<(usize, usize)> = shapes::lines_of(text, at)
                    .flat_map(|(ls, le)| {
                        re.find_iter(&text[ls..le])
                            .map(move |m| (ls + m.start(), ls + m.end()))
                    })
                    .collect();
                assert_eq!(whole, lines, "{name} in {text:?}");
            }
        }
        assert!(checked > 100, "{checked} candidates checked");
    }

    #[test]
    fn keeps_the_contract() {
        check_stage(&|| Box::new(stage()), demo_docs().to_vec());
    }
}
