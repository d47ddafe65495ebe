//! `sources.toml`: every source declared once, with its licence and rights holder.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use zeef_core::{Error, Result};

/// The format a source comes in: one variant per reader module, matched exhaustively in
/// [`crate::open_source`] and [`crate::open_unit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// JSON Lines (NDJSON), plain, `.gz` or `.zst`: one JSON object per line.
    #[serde(alias = "ndjson")]
    Jsonl,
    /// Apache Parquet, any schema with a string column holding the text; read in record batches.
    Parquet,
    /// Plain-text files, plain, `.gz` or `.zst`: one document per file, title = file stem.
    Text,
    /// WARC files (`.warc`, `.warc.gz` with one gzip member per record): every `response`,
    /// `resource` and `conversion` record is a document; HTML is reduced to its main text.
    Warc,
    /// WET files (Common Crawl's extracted text, WARC `conversion` records); the `warc` reader.
    Wet,
    /// MediaWiki XML dumps (`*-pages-articles.xml.bz2` or plain `.xml`): one document per
    /// article (namespace 0), redirects skipped, wiki markup reduced to text.
    #[serde(alias = "wikipedia")]
    Mediawiki,
}

impl SourceKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [SourceKind] = &[
        SourceKind::Jsonl,
        SourceKind::Parquet,
        SourceKind::Text,
        SourceKind::Warc,
        SourceKind::Wet,
        SourceKind::Mediawiki,
    ];

    /// The name used in `sources.toml`.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Jsonl => "jsonl",
            SourceKind::Parquet => "parquet",
            SourceKind::Text => "text",
            SourceKind::Warc => "warc",
            SourceKind::Wet => "wet",
            SourceKind::Mediawiki => "mediawiki",
        }
    }

    /// Whether the kind reads records with named fields (`text_field`, `id_field`, ...).
    fn has_fields(self) -> bool {
        matches!(self, SourceKind::Jsonl | SourceKind::Parquet)
    }
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

fn default_text_field() -> String {
    "text".to_string()
}

fn default_max_record_bytes() -> usize {
    64 << 20
}

fn default_unit_bytes() -> u64 {
    256 << 20
}

/// One source of `sources.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// A short unique name; part of every document id, so never rename a source in use.
    pub name: String,
    /// The input format.
    pub kind: SourceKind,
    /// A file, a folder (every file in it, sorted) or a glob, relative to `sources.toml`.
    pub path: String,
    /// The licence of every record, as an SPDX expression.
    #[serde(default, alias = "license")]
    pub licence: Option<String>,
    /// A record field holding the licence; when a record has it, it overrides `licence`.
    #[serde(default, alias = "license_field")]
    pub licence_field: Option<String>,
    /// Who holds the rights.
    #[serde(default)]
    pub rights_holder: Option<String>,
    /// The consent-ledger agreement this source is used under.
    #[serde(default)]
    pub agreement: Option<String>,
    /// Deduplication keeps the copy from the source with the highest priority.
    #[serde(default)]
    pub priority: i32,
    /// The attribution the licence asks for.
    #[serde(default)]
    pub attribution: Option<String>,
    /// The cleaning profile of the source (`web`, `legal`, `book`, `news`, `reference`, or one
    /// the project defines in `zeef.toml`): which stages run with which settings. Default `web`.
    #[serde(default)]
    pub profile: Option<String>,
    /// The language the source declares (ISO 639-1); language identification still runs.
    #[serde(default)]
    pub language: Option<String>,
    /// The record field (JSONL) or column (Parquet) with the text.
    #[serde(default = "default_text_field")]
    pub text_field: String,
    /// A record field with a stable record id; ids then survive reordering of the file.
    #[serde(default)]
    pub id_field: Option<String>,
    /// A record field with the URL.
    #[serde(default)]
    pub url_field: Option<String>,
    /// A record field with the title.
    #[serde(default)]
    pub title_field: Option<String>,
    /// A record field with the date.
    #[serde(default)]
    pub date_field: Option<String>,
    /// Records longer than this many bytes are excluded as `malformed` without being buffered
    /// (a JSONL line, a text file, a WARC record body, a wiki page's text).
    #[serde(default = "default_max_record_bytes")]
    pub max_record_bytes: usize,
    /// `mediawiki`: the URL prefix of article URLs; the title is appended with spaces as `_`.
    #[serde(default)]
    pub wiki_base_url: Option<String>,
    /// Sharding: plain JSONL files larger than this are cut into byte ranges of about this
    /// size (at newlines), Parquet files into groups of row groups; see [`crate::work_units`].
    #[serde(default = "default_unit_bytes")]
    pub unit_bytes: u64,
}

impl SourceConfig {
    /// A source with defaults for every optional key, as if declared with only these keys.
    pub fn new(name: &str, kind: SourceKind, path: &str, licence: &str) -> Self {
        SourceConfig {
            name: name.to_string(),
            kind,
            path: path.to_string(),
            licence: Some(licence.to_string()),
            licence_field: None,
            rights_holder: None,
            agreement: None,
            priority: 0,
            attribution: None,
            profile: None,
            language: None,
            text_field: default_text_field(),
            id_field: None,
            url_field: None,
            title_field: None,
            date_field: None,
            max_record_bytes: default_max_record_bytes(),
            wiki_base_url: None,
            unit_bytes: default_unit_bytes(),
        }
    }

    /// Checks the keys against the kind: a key that the kind ignores is an error, so a
    /// misplaced `text_field` on a WARC source does not pass silently.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let name = &self.name;
        let kind = self.kind;
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(format!(
                "source name `{name}` must be non-empty and use only ASCII letters, digits, `-`, `_` or `.`"
            ));
        }
        if self.licence.is_none() && self.licence_field.is_none() {
            return Err(format!(
                "source `{name}` declares neither `licence` nor `licence_field`"
            ));
        }
        let field_keys = [
            ("licence_field", self.licence_field.is_some()),
            ("id_field", self.id_field.is_some()),
            ("url_field", self.url_field.is_some()),
            ("title_field", self.title_field.is_some()),
            ("date_field", self.date_field.is_some()),
            ("text_field", self.text_field != default_text_field()),
        ];
        if !kind.has_fields() {
            if let Some((key, _)) = field_keys.iter().find(|(_, set)| *set) {
                return Err(format!(
                    "source `{name}`: `{key}` does not apply to kind `{kind}` (only to jsonl and parquet)"
                ));
            }
        }
        if self.wiki_base_url.is_some() && kind != SourceKind::Mediawiki {
            return Err(format!(
                "source `{name}`: `wiki_base_url` does not apply to kind `{kind}` (only to mediawiki)"
            ));
        }
        if self.max_record_bytes == 0 || self.unit_bytes == 0 {
            return Err(format!(
                "source `{name}`: `max_record_bytes` and `unit_bytes` must be positive"
            ));
        }
        Ok(())
    }
}

/// A parsed `sources.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcesFile {
    /// The folder relative paths are resolved against.
    pub base_dir: PathBuf,
    /// The sources, in manifest order (which is also output order).
    pub sources: Vec<SourceConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    source: Vec<SourceConfig>,
}

impl SourcesFile {
    /// Reads and validates a manifest.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let base_dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        Self::parse(&text, base_dir).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses a manifest's text; errors name the key and the line.
    pub fn parse(text: &str, base_dir: PathBuf) -> std::result::Result<Self, String> {
        let raw: Raw = toml::from_str(text).map_err(|e| e.to_string())?;
        let sources = raw.source;
        let mut seen = std::collections::BTreeSet::new();
        for s in &sources {
            s.validate()?;
            if !seen.insert(s.name.as_str()) {
                return Err(format!("source name `{}` is declared twice", s.name));
            }
        }
        Ok(SourcesFile { base_dir, sources })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_key_and_line() {
        let text = "[[source]]\nname = \"a\"\nkind = \"jsonl\"\npath = \"x.jsonl\"\nlicence = \"CC0-1.0\"\nlicnse = \"oops\"\n";
        let err = SourcesFile::parse(text, PathBuf::from(".")).expect_err("unknown key");
        assert!(err.contains("licnse"), "{err}");
        assert!(err.contains("line 6"), "{err}");
    }

    #[test]
    fn defaults_and_duplicates() {
        let text = "[[source]]\nname = \"a\"\nkind = \"jsonl\"\npath = \"x.jsonl\"\nlicense = \"CC0-1.0\"\n";
        let m = SourcesFile::parse(text, PathBuf::from(".")).expect("parse");
        assert_eq!(m.sources[0].text_field, "text");
        assert_eq!(m.sources[0].licence.as_deref(), Some("CC0-1.0"));
        let twice = format!("{text}{text}");
        let err = SourcesFile::parse(&twice, PathBuf::from(".")).expect_err("duplicate");
        assert!(err.contains("twice"), "{err}");
    }

    #[test]
    fn every_kind_parses_and_options_must_fit_the_kind() {
        for kind in SourceKind::ALL {
            let text = format!(
                "[[source]]\nname = \"a\"\nkind = \"{kind}\"\npath = \"x\"\nlicence = \"CC0-1.0\"\n"
            );
            let m = SourcesFile::parse(&text, PathBuf::from(".")).expect("parse");
            assert_eq!(m.sources[0].kind, *kind);
            assert_eq!(
                m.sources[0],
                SourceConfig::new("a", *kind, "x", "CC0-1.0"),
                "{kind}"
            );
        }
        for (alias, kind) in [
            ("ndjson", SourceKind::Jsonl),
            ("wikipedia", SourceKind::Mediawiki),
        ] {
            let text = format!(
                "[[source]]\nname = \"a\"\nkind = \"{alias}\"\npath = \"x\"\nlicence = \"CC0-1.0\"\n"
            );
            let m = SourcesFile::parse(&text, PathBuf::from(".")).expect("parse");
            assert_eq!(m.sources[0].kind, kind);
        }
        let text = "[[source]]\nname = \"a\"\nkind = \"warc\"\npath = \"x\"\nlicence = \"CC0-1.0\"\ntext_field = \"body\"\n";
        let err = SourcesFile::parse(text, PathBuf::from(".")).expect_err("misplaced");
        assert!(
            err.contains("`text_field` does not apply to kind `warc`"),
            "{err}"
        );
        let text = "[[source]]\nname = \"a\"\nkind = \"jsonl\"\npath = \"x\"\nlicence = \"CC0-1.0\"\nwiki_base_url = \"https://x/\"\n";
        let err = SourcesFile::parse(text, PathBuf::from(".")).expect_err("misplaced");
        assert!(err.contains("wiki_base_url"), "{err}");
        let text =
            "[[source]]\nname = \"a\"\nkind = \"html\"\npath = \"x\"\nlicence = \"CC0-1.0\"\n";
        let err = SourcesFile::parse(text, PathBuf::from(".")).expect_err("unknown kind");
        assert!(err.contains("html") && err.contains("line 3"), "{err}");
    }
}
