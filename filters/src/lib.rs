//! Per-document cleaning stages. Each is a [`zeef_core::Stage`] with a serde config struct whose
//! field docs are the user documentation, and typed exclusion reasons.
//!
//! | stage | type | what it does |
//! |---|---|---|
//! | [`Normalise`] | `normalise` | mojibake repair, control characters, NFC, whitespace, hard-wrapped lines rejoined |
//! | [`Language`] | `language` | language identification |
//! | [`MinLength`] | `min_length` | minimum number of words |
//! | [`GopherQuality`] | `gopher_quality` | Gopher word, symbol, line and stop-word rules |
//! | [`GopherRepetition`] | `gopher_repetition` | Gopher duplicate lines, paragraphs, n-grams |
//! | [`C4`] | `c4` | C4 line rules: removes boilerplate lines; lorem ipsum, code, too few sentences |
//! | [`FinewebQuality`] | `fineweb_quality` | FineWeb line punctuation, short lines, duplicates, lists |
//! | [`Pii`] | `pii` | e-mail, phone, IBAN, BSN, postcode, IP, card, plate; names, addresses, places, dates of birth → placeholders or consistent pseudonyms |
//! | [`BadWords`] | `bad_words` | share of words on the LDNOOBW Dutch list |
//! | [`UrlBlocklist`] | `url_blocklist` | the document URL's domain on a blocklist |
//! | [`Confidential`] | `confidential` | classification markings (Staatsgeheim, Stg. Geheim, ...) |
//! | [`Decontaminate`] | `decontaminate` | 13-grams shared with evaluation sets |
//!
//! ```
//! use zeef_core::{Document, Stage};
//! use zeef_filters::{Pii, PiiConfig};
//!
//! let pii = Pii::new("pii", PiiConfig::default()).expect("default config builds");
//! let mut doc = Document::new("s", "f:1", "Mail naar jan@voorbeeld.nl of bel 06-12345678.");
//! pii.process(&mut doc);
//! assert_eq!(doc.text, "Mail naar <EMAIL> of bel <PHONE>.");
//! assert_eq!(doc.signal("pii_phone"), Some(1.0));
//! ```
#![warn(missing_docs)]

mod blocklist;
mod c4;
mod confidential;
#[cfg(test)]
mod contract;
mod decontaminate;
mod error;
mod fineweb;
mod gopher;
mod language;
mod length;
mod normalise;
mod pii;
mod rejoin;
mod text;
mod thresholds;

pub use blocklist::{BadWords, BadWordsConfig, UrlBlocklist, UrlBlocklistConfig};
pub use c4::{C4Config, C4};
pub use confidential::{Confidential, ConfidentialConfig};
pub use decontaminate::{Decontaminate, DecontaminateConfig, DecontaminateMode};
pub use error::ConfigError;
pub use fineweb::{FinewebQuality, FinewebQualityConfig};
pub use gopher::{GopherQuality, GopherQualityConfig, GopherRepetition, GopherRepetitionConfig};
pub use language::{Language, LanguageConfig, SecondOpinion};
pub use length::{MinLength, MinLengthConfig};
pub use normalise::{Normalise, NormaliseConfig};
pub use pii::{
    LexiconError, NameLexicon, Pii, PiiConfig, PiiKind, PiiMatch, PiiMode, PublicOfficials,
};
pub use thresholds::{Bound, Threshold, THRESHOLDS};
