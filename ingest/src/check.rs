//! `zeef sources check`: what a source's `path` matches, how big it is, and the problems a run
//! would meet, found before the run.

use crate::open::{display_path, resolve_files, Decompression};
use crate::{work_units, SourceConfig, SourceKind};
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};
use zeef_core::{Error, Result};

/// One file of a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileCheck {
    /// The file.
    pub path: PathBuf,
    /// The path as locators show it (relative to the manifest's folder).
    pub shown: String,
    /// Its size on disk.
    pub bytes: u64,
    /// What is wrong with it, if anything (the run would exclude records or stop on it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// What [`check_source`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceCheck {
    /// The source's name.
    pub name: String,
    /// Its kind.
    pub kind: SourceKind,
    /// The files its path matches, sorted.
    pub files: Vec<FileCheck>,
    /// Their total size on disk.
    pub bytes: u64,
    /// The number of work units the source splits into (see [`crate::work_units`]).
    pub units: usize,
}

impl SourceCheck {
    /// The files with a problem, as `file: problem` lines.
    pub fn problems(&self) -> Vec<String> {
        self.files
            .iter()
            .filter_map(|f| f.problem.clone())
            .collect()
    }

    /// Whether no file has a problem.
    pub fn is_ok(&self) -> bool {
        self.files.iter().all(|f| f.problem.is_none())
    }
}

impl std::fmt::Display for SourceCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} ({}): {} file(s), {} bytes, {} work unit(s){}",
            self.name,
            self.kind,
            self.files.len(),
            self.bytes,
            self.units,
            if self.is_ok() { "" } else { ", PROBLEMS:" }
        )?;
        for p in self.problems() {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

/// Checks a source without reading it through: the files its path matches and their sizes,
/// whether each can be opened, whether compressed files start with their format's magic bytes,
/// whether the kind's format is recognisable at the start of the file, and for Parquet whether
/// every file has the text column.
///
/// A path that matches nothing is an `Err` (as for a run); a problem with one file is reported
/// in [`FileCheck::problem`].
pub fn check_source(source: &SourceConfig, base_dir: &Path) -> Result<SourceCheck> {
    source.validate().map_err(|message| Error::Config {
        path: base_dir.join(&source.path),
        message,
    })?;
    let files = resolve_files(source, base_dir)?;
    let mut out = Vec::with_capacity(files.len());
    for path in files {
        let shown = display_path(&path, base_dir);
        let (bytes, problem) = match std::fs::metadata(&path) {
            Ok(m) => (m.len(), check_file(source, &path, &shown).err()),
            Err(e) => (0, Some(format!("{shown}: {e}"))),
        };
        out.push(FileCheck {
            path,
            shown,
            bytes,
            problem,
        });
    }
    let units = work_units(source, base_dir)?.len();
    Ok(SourceCheck {
        name: source.name.clone(),
        kind: source.kind,
        bytes: out.iter().map(|f| f.bytes).sum(),
        files: out,
        units,
    })
}

fn check_file(source: &SourceConfig, path: &Path, shown: &str) -> std::result::Result<(), String> {
    let mut head = [0u8; 8];
    let mut f = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
    let n = f.read(&mut head).map_err(|e| format!("{shown}: {e}"))?;
    let head = &head[..n];
    let compression = Decompression::from_path(path);
    if n == 0 {
        return Ok(());
    }
    if matches!(source.kind, SourceKind::Warc | SourceKind::Wet) {
        // The WARC reader goes by the first bytes, not the name.
        return match crate::warc::packing(head) {
            crate::warc::Packing::Plain if !head.starts_with(b"WARC/") => Err(format!(
                "{shown}: not a WARC file (neither `WARC/` nor gzip or zstd magic bytes at its start)"
            )),
            _ => Ok(()),
        };
    }
    let magic_ok = match compression {
        Decompression::Gzip => head.starts_with(&[0x1f, 0x8b]),
        Decompression::Zstd => head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]),
        Decompression::Bzip2 => head.starts_with(b"BZh"),
        Decompression::None => true,
    };
    if !magic_ok {
        return Err(format!(
            "{shown}: the name says {compression:?} but the file does not start with its magic bytes"
        ));
    }
    match source.kind {
        SourceKind::Parquet => {
            if !head.starts_with(b"PAR1") {
                return Err(format!("{shown}: not a Parquet file (no PAR1 magic)"));
            }
            crate::parquet::check_text_column(source, path, shown)
        }
        SourceKind::Jsonl | SourceKind::Text => Ok(()),
        SourceKind::Mediawiki => {
            if compression == Decompression::None && !head.starts_with(b"<") {
                return Err(format!(
                    "{shown}: not an XML file (does not start with `<`)"
                ));
            }
            Ok(())
        }
        SourceKind::Warc | SourceKind::Wet => Ok(()),
    }
}
