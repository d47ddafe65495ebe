//! Megatron-LM indexed datasets (`megatron.core.datasets.indexed_dataset`) from the token
//! shards, so a Megatron or NeMo training reads zeef's tokens with `--data-path PREFIX`.
//!
//! One dataset per token shard, under the shard's name: `train_000000.bin` gives the prefix
//! `train_000000` (`train_000000.bin` + `train_000000.idx` in the export folder).
//!
//! - `PREFIX.bin`: the tokens, little-endian, nothing else: the llm.c shard without its
//!   1024-byte header. Tokens are `uint16` (dtype code 8) when the shard stores uint16, else
//!   `int32` (code 4, Megatron's type for vocabularies of 65,500 and more).
//! - `PREFIX.idx`: the 9 bytes `MMIDIDX\x00\x00`, version `1` as uint64, the dtype code as
//!   uint8, the sequence count `n` and the document-index count `n + 1` as uint64, then `n`
//!   int32 sequence lengths (in tokens), `n` int64 sequence pointers (in bytes into the
//!   `.bin`), and `n + 1` int64 document indices `0, 1, ..., n`; all little-endian.
//!
//! Every document is one sequence, so Megatron's document `i` of a shard is the llm.c index's
//! document `i`, and the manifest's `start..end` token range of a document is the same
//! range in both files (the `.bin` here has no header: its byte pointer is `start` times the
//! token width). Its `doc` field is the sequence number in the `.idx`, which is what a
//! withdrawal needs to find and mask a document in an exported dataset. As in the llm.c
//! shards, every document starts with the end-of-text token; Megatron's own preprocessing
//! appends it at the end instead, which changes nothing for training on packed sequences.

use crate::format::{list_split, read_index, ShardFile, TokenWidth, HEADER_BYTES};
use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The first 9 bytes of a Megatron `.idx` file.
pub const INDEX_HEADER: &[u8; 9] = b"MMIDIDX\x00\x00";
/// Megatron's dtype code of `uint16`.
pub const DTYPE_UINT16: u8 = 8;
/// Megatron's dtype code of `int32`.
pub const DTYPE_INT32: u8 = 4;

/// One exported dataset.
#[derive(Debug, Clone, Serialize)]
pub struct MegatronShard {
    /// The path prefix, relative to the export folder (`train_000000`).
    pub prefix: String,
    /// `train` or `val`.
    pub split: String,
    /// Documents (= sequences).
    pub documents: u64,
    /// Tokens.
    pub tokens: u64,
}

/// What `export.json` in the export folder records.
#[derive(Debug, Clone, Serialize)]
pub struct MegatronExport {
    /// The layout, in words.
    pub format: String,
    /// `uint16` or `int32`.
    pub dtype: String,
    /// The datasets.
    pub shards: Vec<MegatronShard>,
}

/// Writes one Megatron dataset per token shard of `tokens` into `out` (created; it must not
/// exist), with `export.json`. Writes into a temporary folder first, so `out` appears
/// complete or not at all.
pub fn export(tokens: &Path, out: &Path) -> Result<MegatronExport> {
    if out.exists() {
        bail!("{} exists already", out.display());
    }
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "megatron".into());
    let tmp = out.with_file_name(format!(".{name}.partial"));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let mut shards = Vec::new();
    let mut dtype = None;
    for split in ["train", "val"] {
        for bin in list_split(tokens, split)? {
            let prefix = bin
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .context("a shard without a name")?;
            let (shard, code) = export_shard(&bin, &tmp.join(&prefix))?;
            if dtype.is_some_and(|d| d != code) {
                bail!(
                    "{}: its token width differs from the other shards",
                    bin.display()
                );
            }
            dtype = Some(code);
            shards.push(MegatronShard {
                prefix,
                split: split.to_string(),
                ..shard
            });
        }
    }
    if shards.is_empty() {
        bail!(
            "{}: no token shards (run `zeef tokenize` first)",
            tokens.display()
        );
    }
    let summary = MegatronExport {
        format: "Megatron-LM indexed dataset (MMIDIDX version 1): PREFIX.bin tokens, PREFIX.idx \
                 sequence lengths, pointers and document indices; one sequence per document"
            .into(),
        dtype: match dtype {
            Some(DTYPE_UINT16) => "uint16".into(),
            _ => "int32".into(),
        },
        shards,
    };
    std::fs::write(
        tmp.join("export.json"),
        serde_json::to_vec_pretty(&summary)?,
    )?;
    std::fs::rename(&tmp, out)
        .with_context(|| format!("cannot move {} to {}", tmp.display(), out.display()))?;
    Ok(summary)
}

/// Writes `prefix.bin` and `prefix.idx` from one llm.c shard; returns its counts and the
/// dtype code.
pub fn export_shard(bin: &Path, prefix: &Path) -> Result<(MegatronShard, u8)> {
    let shard = ShardFile::open(bin)?;
    let offsets = read_index(bin)?;
    if offsets.first() != Some(&0) || offsets.last() != Some(&shard.len()) {
        bail!(
            "{}: its document index does not cover its {} tokens",
            bin.display(),
            shard.len()
        );
    }
    let (code, width) = match shard.width() {
        TokenWidth::U16 => (DTYPE_UINT16, 2u64),
        TokenWidth::U32 => (DTYPE_INT32, 4u64),
    };
    // The token bytes are already little-endian uint16 or (ids below 2^31) int32.
    let data = with_ext(prefix, "bin");
    let mut src = File::open(bin).with_context(|| format!("cannot open {}", bin.display()))?;
    src.seek(SeekFrom::Start(HEADER_BYTES))?;
    let mut dst = BufWriter::new(
        File::create(&data).with_context(|| format!("cannot create {}", data.display()))?,
    );
    if shard.width() == TokenWidth::U32 {
        let mut buf = vec![0u8; 4 << 20];
        loop {
            let n = src.read(&mut buf)?;
            if n == 0 {
                break;
            }
            if buf[..n]
                .chunks_exact(4)
                .any(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) > i32::MAX as u32)
            {
                bail!(
                    "{}: a token id above 2^31 - 1 does not fit Megatron's int32",
                    bin.display()
                );
            }
            dst.write_all(&buf[..n])?;
        }
    } else {
        std::io::copy(&mut src, &mut dst)?;
    }
    dst.flush()?;

    let n = offsets.len() as u64 - 1;
    let mut idx = Vec::with_capacity(34 + (n as usize) * 20 + 8);
    idx.extend_from_slice(INDEX_HEADER);
    idx.extend_from_slice(&1u64.to_le_bytes());
    idx.push(code);
    idx.extend_from_slice(&n.to_le_bytes());
    idx.extend_from_slice(&(n + 1).to_le_bytes());
    for w in offsets.windows(2) {
        let len = i32::try_from(w[1] - w[0])
            .with_context(|| format!("{}: a document of more than 2^31 tokens", bin.display()))?;
        idx.extend_from_slice(&len.to_le_bytes());
    }
    for &o in &offsets[..offsets.len() - 1] {
        idx.extend_from_slice(&((o * width) as i64).to_le_bytes());
    }
    for d in 0..=n {
        idx.extend_from_slice(&(d as i64).to_le_bytes());
    }
    let idx_path = with_ext(prefix, "idx");
    std::fs::write(&idx_path, idx)
        .with_context(|| format!("cannot write {}", idx_path.display()))?;
    Ok((
        MegatronShard {
            prefix: prefix.display().to_string(),
            split: String::new(),
            documents: n,
            tokens: shard.len(),
        },
        code,
    ))
}

fn with_ext(prefix: &Path, ext: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Reads the documents of a Megatron dataset back (for checks): every sequence's tokens.
pub fn read_dataset(prefix: &Path) -> Result<Vec<Vec<u32>>> {
    let idx_path = with_ext(prefix, "idx");
    let idx =
        std::fs::read(&idx_path).with_context(|| format!("cannot read {}", idx_path.display()))?;
    let bad = |what: &str| anyhow::anyhow!("{}: {what}", idx_path.display());
    if idx.len() < 34 || &idx[..9] != INDEX_HEADER {
        return Err(bad("not a Megatron index (no MMIDIDX header)"));
    }
    let u64_at = |o: usize| -> Result<u64> {
        let b = idx.get(o..o + 8).ok_or_else(|| bad("cut short"))?;
        Ok(u64::from_le_bytes(b.try_into()?))
    };
    if u64_at(9)? != 1 {
        return Err(bad("not version 1"));
    }
    let width = match idx[17] {
        DTYPE_UINT16 => 2usize,
        DTYPE_INT32 => 4,
        c => return Err(bad(&format!("dtype code {c} is not written by zeef"))),
    };
    let n = usize::try_from(u64_at(18)?)?;
    let lengths = 34;
    let pointers = lengths + 4 * n;
    let data = std::fs::read(with_ext(prefix, "bin"))?;
    let mut docs = Vec::with_capacity(n);
    for i in 0..n {
        let lb = idx
            .get(lengths + 4 * i..lengths + 4 * i + 4)
            .ok_or_else(|| bad("cut short"))?;
        let len = usize::try_from(i32::from_le_bytes(lb.try_into()?))?;
        let ptr = usize::try_from(u64_at(pointers + 8 * i)?)?;
        let bytes = data
            .get(ptr..ptr + len * width)
            .ok_or_else(|| bad("a pointer past the end of the .bin"))?;
        docs.push(
            bytes
                .chunks_exact(width)
                .map(|c| match width {
                    2 => u32::from(u16::from_le_bytes([c[0], c[1]])),
                    _ => u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                })
                .collect(),
        );
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::ShardWriter;

    #[test]
    fn every_document_reads_back_in_both_widths() -> Result<()> {
        let dir = tempfile::tempdir()?;
        for (width, docs) in [
            (
                TokenWidth::U16,
                vec![vec![0u32, 17, 65535], vec![0, 4], vec![0]],
            ),
            (
                TokenWidth::U32,
                vec![vec![0u32, 70000], vec![0, 1 << 30, 3]],
            ),
        ] {
            let bin = dir.path().join(format!("train_{width:?}.bin"));
            let mut w = ShardWriter::create(&bin, width)?;
            for d in &docs {
                w.push_document(d)?;
            }
            w.finish()?;
            let prefix = dir.path().join(format!("m_{width:?}"));
            let (s, code) = export_shard(&bin, &prefix)?;
            assert_eq!(s.documents, docs.len() as u64);
            assert_eq!(code, if width == TokenWidth::U16 { 8 } else { 4 });
            assert_eq!(read_dataset(&prefix)?, docs);
            let idx = std::fs::read(with_ext(&prefix, "idx"))?;
            let n = docs.len();
            assert_eq!(idx.len(), 34 + 4 * n + 8 * n + 8 * (n + 1));
            // The last document index is the sequence count.
            let last = &idx[idx.len() - 8..];
            assert_eq!(u64::from_le_bytes(last.try_into()?), n as u64);
        }
        Ok(())
    }

    #[test]
    fn an_id_above_int32_is_an_error_not_a_wrapped_token() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let bin = dir.path().join("train_000000.bin");
        let mut w = ShardWriter::create(&bin, TokenWidth::U32)?;
        w.push_document(&[0, 1 << 31])?;
        w.finish()?;
        let err = export_shard(&bin, &dir.path().join("m"))
            .expect_err("2^31 does not fit int32")
            .to_string();
        assert!(err.contains("int32"), "{err}");
        Ok(())
    }
}
