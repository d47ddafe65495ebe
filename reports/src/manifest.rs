//! `manifest.json`: what an auditor needs to check that a run folder is the run that was made:
//! every input file and every shard with its SHA-256, and a Merkle root over the shards.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Version of the manifest layout.
pub const MANIFEST_VERSION: &str = "1";

/// One file the run read: configuration, policy, ledger or source data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// `config`, `sources`, `policy`, `ledger` or `data`.
    pub role: String,
    /// The source it belongs to (data files only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The path as the project names it (relative to the project folder where it can be).
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// One output or excluded shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardEntry {
    /// The shard's path inside the run folder (`output/part-00000.parquet`).
    pub path: String,
    /// Rows (documents).
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
}

/// A declared source as the report describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SourceInfo {
    /// The source name.
    pub name: String,
    /// The reader kind (`jsonl`, `warc`, ...).
    pub kind: String,
    /// The declared licence (none when read per record).
    #[serde(default)]
    pub licence: Option<String>,
    /// The declared rights holder.
    #[serde(default)]
    pub rights_holder: Option<String>,
    /// The consent-ledger agreement it is used under.
    #[serde(default)]
    pub agreement: Option<String>,
    /// Its cleaning profile (`web`, `legal`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The per-document stages its documents ran, in order, with every setting as the profile
    /// left it; a stage the profile skips is `{"type": ..., "skipped": true}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<serde_json::Value>,
}

impl SourceInfo {
    /// The category of the EU AI Office's public summary template this source falls under.
    pub fn category(&self) -> &'static str {
        if matches!(self.kind.as_str(), "warc" | "wet") {
            "crawled"
        } else if self.agreement.is_some() {
            "licensed"
        } else {
            "public_datasets"
        }
    }
}

/// What the run was made from, besides its shards: kept in the manifest so reports can be
/// rendered again and audits re-run later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RunContext {
    /// The project folder the run was made from, as given.
    pub project_dir: String,
    /// The resolved configuration, every default filled in.
    pub config: serde_json::Value,
    /// The declared sources.
    pub sources: Vec<SourceInfo>,
    /// Every input file.
    pub inputs: Vec<InputFile>,
    /// The licence policy the run checked against (path from the working folder of the run).
    pub policy: String,
    /// The consent ledger, if a consent stage ran (path from the working folder of the run).
    #[serde(default)]
    pub ledger: Option<String>,
    /// The policy's purpose (`pretraining`, ...).
    #[serde(default)]
    pub purpose: Option<String>,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Layout version.
    pub manifest_version: String,
    /// The zeef version that made the run.
    pub zeef_version: String,
    /// The configuration hash of `run.json`.
    pub config_hash: String,
    /// The date licences and agreements were checked on.
    #[serde(default)]
    pub reference_date: Option<String>,
    /// Inputs and configuration.
    pub run: RunContext,
    /// Every output shard, then every excluded shard, by path.
    pub shards: Vec<ShardEntry>,
    /// How the root is computed.
    pub merkle_scheme: String,
    /// Merkle root over `shards`, hex.
    pub merkle_root: String,
}

/// SHA-256 of a file, hex, and its size; streamed.
pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((hex(&h.finalize()), n))
}

/// SHA-256 of bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The scheme [`merkle_root`] implements, written into the manifest so anyone can recompute it.
pub const MERKLE_SCHEME: &str =
    "sha256; leaf = H(0x00 || path || 0x00 || rows || 0x00 || sha256hex) \
     over shards in manifest order; node = H(0x01 || left || right); an odd last node is \
     carried up unchanged; no shards = H(\"\")";

/// The Merkle root over shard entries.
pub fn merkle_root(shards: &[ShardEntry]) -> String {
    let mut level: Vec<[u8; 32]> = shards
        .iter()
        .map(|s| {
            let mut h = Sha256::new();
            h.update([0u8]);
            h.update(s.path.as_bytes());
            h.update([0u8]);
            h.update(s.rows.to_string().as_bytes());
            h.update([0u8]);
            h.update(s.sha256.as_bytes());
            h.finalize().into()
        })
        .collect();
    if level.is_empty() {
        return hex(&Sha256::digest(b""));
    }
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [l, r] => {
                    let mut h = Sha256::new();
                    h.update([1u8]);
                    h.update(l);
                    h.update(r);
                    h.finalize().into()
                }
                [one] => *one,
                _ => unreachable!("chunks(2) yields one or two"),
            })
            .collect();
    }
    hex(&level[0])
}

/// Hashes the shards of a run folder listed in `run.json`.
pub fn shard_entries(dir: &Path, summary: &zeef_core::RunSummary) -> Result<Vec<ShardEntry>> {
    let mut out = Vec::new();
    for (folder, shards) in [
        ("output", &summary.output_shards),
        ("excluded", &summary.excluded_shards),
    ] {
        for s in shards {
            let rel = format!("{folder}/{}", s.file);
            let (sha256, bytes) = sha256_file(&dir.join(&rel))?;
            out.push(ShardEntry {
                path: rel,
                rows: s.rows,
                bytes,
                sha256,
            });
        }
    }
    Ok(out)
}

/// Builds the manifest of a finished run.
pub fn build(dir: &Path, summary: &zeef_core::RunSummary, run: &RunContext) -> Result<Manifest> {
    let shards = shard_entries(dir, summary)?;
    Ok(Manifest {
        manifest_version: MANIFEST_VERSION.into(),
        zeef_version: summary.zeef_version.clone(),
        config_hash: summary.config_hash.clone(),
        reference_date: summary.reference_date.clone(),
        run: run.clone(),
        merkle_scheme: MERKLE_SCHEME.into(),
        merkle_root: merkle_root(&shards),
        shards,
    })
}

/// Reads `manifest.json` of a run folder.
pub fn load(dir: &Path) -> Result<Manifest> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Format {
        path: path.clone(),
        message: e.to_string(),
    })
}

/// Checks every shard of the manifest against the files of `dir`: present, same bytes, same
/// rows (counted from the Parquet footer), no shard on disk that the manifest does not list,
/// and the Merkle root. Each finding is one readable line naming the shard.
pub fn verify_shards(dir: &Path, manifest: &Manifest) -> Vec<String> {
    let mut findings = Vec::new();
    let mut listed = std::collections::BTreeSet::new();
    for s in &manifest.shards {
        listed.insert(s.path.clone());
        let path = dir.join(&s.path);
        if !path.is_file() {
            findings.push(format!("{}: missing", s.path));
            continue;
        }
        match sha256_file(&path) {
            Ok((sha, bytes)) => {
                if sha != s.sha256 {
                    findings.push(format!(
                        "{}: content changed (SHA-256 {sha}, manifest {}; {bytes} bytes, manifest {})",
                        s.path, s.sha256, s.bytes
                    ));
                }
            }
            Err(e) => findings.push(format!("{}: cannot read: {e}", s.path)),
        }
        match crate::figures::parquet_rows(&path) {
            Ok(rows) if rows != s.rows => {
                findings.push(format!("{}: {rows} rows, manifest says {}", s.path, s.rows))
            }
            Ok(_) => {}
            Err(e) => findings.push(format!("{}: not a readable Parquet shard: {e}", s.path)),
        }
    }
    for folder in ["output", "excluded"] {
        if let Ok(paths) = zeef_core::list_shards(&dir.join(folder)) {
            for p in paths {
                let name = p.file_name().map(|n| n.to_string_lossy().to_string());
                let rel = format!("{folder}/{}", name.unwrap_or_default());
                if !listed.contains(&rel) {
                    findings.push(format!("{rel}: shard not listed in the manifest"));
                }
            }
        }
    }
    let root = merkle_root(&manifest.shards);
    if root != manifest.merkle_root {
        findings.push(format!(
            "manifest.json: Merkle root {} does not match its shard list ({root})",
            manifest.merkle_root
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(path: &str, sha: &str) -> ShardEntry {
        ShardEntry {
            path: path.into(),
            rows: 1,
            bytes: 1,
            sha256: sha.into(),
        }
    }

    #[test]
    fn merkle_root_depends_on_every_leaf_and_order() {
        let a = vec![e("output/a", "1"), e("output/b", "2"), e("excluded/c", "3")];
        let r = merkle_root(&a);
        assert_eq!(r.len(), 64);
        let mut b = a.clone();
        b[2].sha256 = "4".into();
        assert_ne!(merkle_root(&b), r);
        let mut c = a.clone();
        c.swap(0, 1);
        assert_ne!(merkle_root(&c), r);
        let mut d = a.clone();
        d[1].rows = 2;
        assert_ne!(merkle_root(&d), r);
        assert_eq!(merkle_root(&a), r);
        // The SHA-256 of the empty string.
        assert_eq!(
            merkle_root(&[]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
