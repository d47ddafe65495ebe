//! Where documents come from: the source manifest (`sources.toml`) and one streaming reader per
//! source kind.
//!
//! | kind | module | a document is | per-kind keys |
//! |---|---|---|---|
//! | `jsonl` (`ndjson`) | `jsonl` | a line, plain/`.gz`/`.zst`/`.bz2` | `text_field`, `id_field`, `url_field`, `title_field`, `date_field`, `licence_field` |
//! | `parquet` | `parquet` | a row, read in record batches | the same, as column names |
//! | `text` | `text` | a file (title = stem) | — |
//! | `warc`, `wet` | `warc` | a `response` or `conversion` record, a `resource` with an http(s) target (plain, gzip or zstd, by magic bytes) | — |
//! | `mediawiki` (`wikipedia`) | `mediawiki` | an article (ns 0, not a redirect) | `wiki_base_url` |
//!
//! Every kind also takes `max_record_bytes` and `unit_bytes`. Readers never buffer more than
//! one record (bounded by `max_record_bytes`), one Parquet batch or one wiki page. Records that
//! are not documents (WARC requests and metadata, wiki redirects and talk pages) are skipped and
//! counted in [`ReadStats`]. [`check_source`] backs `zeef sources check`; [`work_units`],
//! [`units_for_task`] and [`open_unit`] let N tasks read a source between them.
//!
//! Every reader turns each input record into exactly one [`Document`]: a record it cannot read
//! becomes an excluded document with reason `malformed` and a detail naming the file and line
//! or offset, so nothing is lost without a trace. Only what stops the whole source (a missing
//! file, a permission error) is an [`Error`].
//!
//! ```no_run
//! use zeef_ingest::{SourcesFile, open_source};
//!
//! let sources = SourcesFile::load("sources.toml".as_ref())?;
//! for source in &sources.sources {
//!     for doc in open_source(source, &sources.base_dir)? {
//!         let doc = doc?;
//!         println!("{} {}", doc.id, doc.is_kept());
//!     }
//! }
//! # Ok::<(), zeef_core::Error>(())
//! ```
#![warn(missing_docs)]

mod check;
pub mod html;
mod jsonl;
mod manifest;
mod mediawiki;
mod open;
mod parquet;
mod record;
mod text;
mod units;
mod warc;
pub mod wikitext;

pub use check::{check_source, FileCheck, SourceCheck};
pub use jsonl::JsonlReader;
pub use manifest::{SourceConfig, SourceKind, SourcesFile};
pub use mediawiki::{encode_title, MediawikiReader, DEFAULT_WIKI_BASE};
pub use open::{open_source, open_source_with_stats, resolve_files, Decompression};
pub use parquet::ParquetReader;
pub use record::ReadStats;
pub use text::read_text_file;
pub use units::{open_unit, open_unit_with_stats, units_for_task, work_units, UnitPart, WorkUnit};
pub use warc::WarcReader;

use zeef_core::{Document, Error};

/// A stream of documents from one source.
pub type DocumentStream = Box<dyn Iterator<Item = Result<Document, Error>> + Send>;
