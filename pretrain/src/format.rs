//! Token shards in llm.c's `.bin` layout, plus a document index beside each shard.
//!
//! A shard `NAME.bin` is a header of 256 little-endian int32 — `[0]` magic 20240520,
//! `[1]` version (1: tokens are uint16, 2: tokens are uint32), `[2]` token count — followed
//! by the tokens, little-endian. Every document starts with the end-of-text token, as in
//! llm.c and nanoGPT, so a loader that knows nothing of the index still sees the boundaries.
//!
//! The index `NAME.idx` has the same 256-int32 header with magic 20240521, version 1 and
//! the document count `n`, followed by `n + 1` little-endian uint64 token offsets: document
//! `i` is tokens `offsets[i]..offsets[i + 1]` of the shard.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Magic number of a token shard (llm.c's).
pub const SHARD_MAGIC: i32 = 20240520;
/// Magic number of a document index.
pub const INDEX_MAGIC: i32 = 20240521;
/// Header size in bytes: 256 int32.
pub const HEADER_BYTES: u64 = 256 * 4;

/// Width of a stored token id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenWidth {
    /// uint16, version 1: vocabularies up to 65,536.
    U16,
    /// uint32, version 2.
    U32,
}

impl TokenWidth {
    /// The narrowest width that holds ids below `vocab_size`.
    pub fn for_vocab(vocab_size: usize) -> Self {
        if vocab_size <= 1 << 16 {
            TokenWidth::U16
        } else {
            TokenWidth::U32
        }
    }

    fn version(self) -> i32 {
        match self {
            TokenWidth::U16 => 1,
            TokenWidth::U32 => 2,
        }
    }

    /// Bytes per token.
    pub fn bytes(self) -> u64 {
        match self {
            TokenWidth::U16 => 2,
            TokenWidth::U32 => 4,
        }
    }
}

fn header(magic: i32, version: i32, count: u64) -> Result<Vec<u8>> {
    let count = i32::try_from(count).context("more than 2^31 entries in one shard")?;
    let mut h = vec![0u8; HEADER_BYTES as usize];
    h[0..4].copy_from_slice(&magic.to_le_bytes());
    h[4..8].copy_from_slice(&version.to_le_bytes());
    h[8..12].copy_from_slice(&count.to_le_bytes());
    Ok(h)
}

fn read_header(f: &mut File, path: &Path) -> Result<[i32; 3]> {
    let mut h = vec![0u8; HEADER_BYTES as usize];
    f.read_exact(&mut h)
        .with_context(|| format!("{}: shorter than its header", path.display()))?;
    let word = |i: usize| i32::from_le_bytes([h[4 * i], h[4 * i + 1], h[4 * i + 2], h[4 * i + 3]]);
    Ok([word(0), word(1), word(2)])
}

/// Writes one shard and its index, streaming; tokens go to a temporary name until finished.
pub struct ShardWriter {
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<File>,
    width: TokenWidth,
    tokens: u64,
    offsets: Vec<u64>,
}

impl ShardWriter {
    /// Starts `path` (a `.bin` file); the index goes beside it as `.idx`.
    pub fn create(path: &Path, width: TokenWidth) -> Result<Self> {
        let tmp = tmp_name(path);
        let f = File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut out = BufWriter::new(f);
        // Placeholder header; the count is known at the end.
        out.write_all(&header(SHARD_MAGIC, width.version(), 0)?)?;
        Ok(ShardWriter {
            path: path.to_path_buf(),
            tmp,
            out,
            width,
            tokens: 0,
            offsets: vec![0],
        })
    }

    /// Tokens written so far.
    pub fn tokens(&self) -> u64 {
        self.tokens
    }

    /// Appends one document's tokens; returns its token range in the shard.
    pub fn push_document(&mut self, ids: &[u32]) -> Result<(u64, u64)> {
        let start = self.tokens;
        let mut buf = Vec::with_capacity(ids.len() * self.width.bytes() as usize);
        for &id in ids {
            match self.width {
                TokenWidth::U16 => {
                    let v = u16::try_from(id).context("token id does not fit uint16")?;
                    buf.extend_from_slice(&v.to_le_bytes());
                }
                TokenWidth::U32 => buf.extend_from_slice(&id.to_le_bytes()),
            }
        }
        self.out.write_all(&buf)?;
        self.tokens += ids.len() as u64;
        self.offsets.push(self.tokens);
        Ok((start, self.tokens))
    }

    /// Writes the header's count and the index, and moves the shard into place.
    pub fn finish(mut self) -> Result<u64> {
        self.out.flush()?;
        let mut f = self
            .out
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", self.tmp.display()))?;
        f.seek(SeekFrom::Start(0))?;
        f.write_all(&header(SHARD_MAGIC, self.width.version(), self.tokens)?)?;
        f.sync_all()?;
        drop(f);

        let idx_path = self.path.with_extension("idx");
        let idx_tmp = tmp_name(&idx_path);
        let docs = (self.offsets.len() - 1) as u64;
        let mut idx = header(INDEX_MAGIC, 1, docs)?;
        for o in &self.offsets {
            idx.extend_from_slice(&o.to_le_bytes());
        }
        std::fs::write(&idx_tmp, &idx)
            .with_context(|| format!("cannot write {}", idx_tmp.display()))?;
        std::fs::rename(&idx_tmp, &idx_path)?;
        std::fs::rename(&self.tmp, &self.path)?;
        Ok(self.tokens)
    }
}

fn tmp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp"))
}

/// A token shard opened for random reads; nothing is loaded up front.
pub struct ShardFile {
    path: PathBuf,
    file: File,
    width: TokenWidth,
    tokens: u64,
}

impl ShardFile {
    /// Opens and checks a `.bin` shard.
    pub fn open(path: &Path) -> Result<Self> {
        let mut file =
            File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let [magic, version, count] = read_header(&mut file, path)?;
        if magic != SHARD_MAGIC {
            bail!("{}: not a token shard (magic {magic})", path.display());
        }
        let width = match version {
            1 => TokenWidth::U16,
            2 => TokenWidth::U32,
            v => bail!("{}: unknown token shard version {v}", path.display()),
        };
        let tokens = u64::try_from(count)
            .with_context(|| format!("{}: negative token count", path.display()))?;
        let len = file.metadata()?.len();
        if len != HEADER_BYTES + tokens * width.bytes() {
            bail!(
                "{}: {len} bytes, but the header says {tokens} tokens",
                path.display()
            );
        }
        Ok(ShardFile {
            path: path.to_path_buf(),
            file,
            width,
            tokens,
        })
    }

    /// Tokens in the shard.
    pub fn len(&self) -> u64 {
        self.tokens
    }

    /// Whether the shard has no tokens.
    pub fn is_empty(&self) -> bool {
        self.tokens == 0
    }

    /// The token width.
    pub fn width(&self) -> TokenWidth {
        self.width
    }

    /// Reads tokens `start..start + out.len()` into `out`.
    pub fn read_into(&self, start: u64, out: &mut [u32]) -> Result<()> {
        let n = out.len() as u64;
        if start + n > self.tokens {
            bail!(
                "{}: tokens {start}..{} past its end {}",
                self.path.display(),
                start + n,
                self.tokens
            );
        }
        let w = self.width.bytes();
        let mut buf = vec![0u8; (n * w) as usize];
        self.file
            .read_exact_at(&mut buf, HEADER_BYTES + start * w)
            .with_context(|| format!("cannot read {}", self.path.display()))?;
        match self.width {
            TokenWidth::U16 => {
                for (o, c) in out.iter_mut().zip(buf.chunks_exact(2)) {
                    *o = u32::from(u16::from_le_bytes([c[0], c[1]]));
                }
            }
            TokenWidth::U32 => {
                for (o, c) in out.iter_mut().zip(buf.chunks_exact(4)) {
                    *o = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                }
            }
        }
        Ok(())
    }

    /// Every token of the shard.
    pub fn read_all(&self) -> Result<Vec<u32>> {
        let mut v = vec![0u32; self.tokens as usize];
        self.read_into(0, &mut v)?;
        Ok(v)
    }
}

/// Reads the document offsets of a shard's `.idx` file.
pub fn read_index(bin_path: &Path) -> Result<Vec<u64>> {
    let path = bin_path.with_extension("idx");
    let mut f = File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    let [magic, _version, count] = read_header(&mut f, &path)?;
    if magic != INDEX_MAGIC {
        bail!("{}: not a document index (magic {magic})", path.display());
    }
    let n = usize::try_from(count).context("negative document count")? + 1;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    if buf.len() != n * 8 {
        bail!("{}: truncated document index", path.display());
    }
    Ok(buf
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect())
}

/// The shards of one split (`train` or `val`) in a tokens folder, sorted by name.
pub fn list_split(dir: &Path, split: &str) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let p = entry?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with(&format!("{split}_")) && name.ends_with(".bin") {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_round_trip_both_widths() -> Result<()> {
        let dir = tempfile::tempdir()?;
        for (width, ids) in [
            (TokenWidth::U16, vec![0u32, 1, 65535, 7]),
            (TokenWidth::U32, vec![0u32, 70000, 1 << 31, 9]),
        ] {
            let p = dir.path().join("train_000000.bin");
            let mut w = ShardWriter::create(&p, width)?;
            assert_eq!(w.push_document(&ids[..1])?, (0, 1));
            assert_eq!(w.push_document(&ids[1..])?, (1, 4));
            assert_eq!(w.finish()?, 4);
            let s = ShardFile::open(&p)?;
            assert_eq!(s.width(), width);
            assert_eq!(s.read_all()?, ids);
            assert_eq!(read_index(&p)?, vec![0, 1, 4]);
        }
        Ok(())
    }

    #[test]
    fn uint16_rejects_large_ids_and_reader_rejects_bad_files() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let p = dir.path().join("x.bin");
        let mut w = ShardWriter::create(&p, TokenWidth::U16)?;
        assert!(w.push_document(&[70000]).is_err());
        std::fs::write(&p, b"not a shard")?;
        assert!(ShardFile::open(&p).is_err());
        Ok(())
    }
}
