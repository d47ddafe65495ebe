//! The on-disk form of [`NearDedup`]'s signatures, for sharded runs.
//!
//! On a cluster, task *i* of *N* observes its shard of the documents and writes its signatures
//! with [`NearDedup::save_signatures`]; one task then merges every file with
//! [`NearDedup::merge_signatures`] (in any order) and calls `finish`. Since clustering depends
//! only on the set of signatures, the result is the one a single process would reach.
//!
//! Format version 1, all integers little-endian:
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `ZEEFMHS1` |
//! | 4 | format version (`1`) |
//! | 4 | normalisation version ([`crate::text::NORMALISATION_VERSION`]) |
//! | 4 | `ngram` |
//! | 4 | `bands` |
//! | 4 | `rows` |
//! | 8 | permutation seed ([`crate::minhash::PERMUTATION_SEED`]) |
//! | 8 | document count *n* |
//! | per document | `u32` id length, id (UTF-8), `i32` priority, `u32` licence rank, `bands × rows` × `u32` MinHash values |
//! | 8 | xxh3-64 (seed [`zeef_core::HASH_SEED`]) of every byte before it |
//!
//! A file whose parameters differ from the stage's is refused rather than mixed in: signatures
//! computed with other shingles or permutations are not comparable.

use crate::keep::KeepKey;
use crate::minhash::PERMUTATION_SEED;
use crate::near::NearDedup;
use crate::text::NORMALISATION_VERSION;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;
use xxhash_rust::xxh3::Xxh3;
use zeef_core::{Error, Result, HASH_SEED};

/// Magic bytes that open a signature file.
pub const SIGNATURE_MAGIC: &[u8; 8] = b"ZEEFMHS1";
/// Version of the signature file format this build writes and reads.
pub const SIGNATURE_FORMAT_VERSION: u32 = 1;

/// Longest document id accepted when reading (ids are `source:` + 32 hex digits).
const MAX_ID_BYTES: u32 = 64 * 1024;

/// Writes everything through, hashing it on the way.
pub(crate) struct HashingWriter<W> {
    pub(crate) inner: W,
    pub(crate) hash: Xxh3,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.hash.update(bytes);
        self.inner.write_all(bytes)
    }
}

/// Reads exactly, hashing what it read.
pub(crate) struct HashingReader<R> {
    pub(crate) inner: R,
    pub(crate) hash: Xxh3,
}

impl<R: Read> HashingReader<R> {
    pub(crate) fn take<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        let mut b = [0u8; N];
        self.inner.read_exact(&mut b)?;
        self.hash.update(&b);
        Ok(b)
    }
    pub(crate) fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    pub(crate) fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(self.take()?))
    }
    pub(crate) fn fill(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.inner.read_exact(buf)?;
        self.hash.update(buf);
        Ok(())
    }
    pub(crate) fn bytes(&mut self, n: usize) -> io::Result<Vec<u8>> {
        let mut b = vec![0u8; n];
        self.inner.read_exact(&mut b)?;
        self.hash.update(&b);
        Ok(b)
    }
}

pub(crate) fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Ends a file written through `w`: the checksum, a flush and an fsync.
pub(crate) fn finish_file(w: HashingWriter<BufWriter<File>>) -> io::Result<()> {
    let digest = w.hash.digest();
    let mut inner = w.inner;
    inner.write_all(&digest.to_le_bytes())?;
    let file = inner.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()
}

/// Checks the checksum and that nothing follows it.
pub(crate) fn check_end<R: Read>(mut r: HashingReader<R>) -> io::Result<()> {
    let expected = r.hash.digest();
    let mut stored = [0u8; 8];
    r.inner.read_exact(&mut stored)?;
    if u64::from_le_bytes(stored) != expected {
        return Err(invalid("checksum mismatch: the file is damaged".into()));
    }
    let mut rest = [0u8; 1];
    if r.inner.read(&mut rest)? != 0 {
        return Err(invalid("trailing bytes after the checksum".into()));
    }
    Ok(())
}

impl NearDedup {
    /// The parameters a signature file must match, in file order.
    fn header_params(&self) -> [u32; 4] {
        [
            NORMALISATION_VERSION,
            self.config.ngram as u32,
            self.config.bands as u32,
            self.config.rows as u32,
        ]
    }

    /// Writes the signatures observed so far (call it before `finish`, which frees them) to
    /// `path`, atomically: a temporary file next to it, then a rename.
    pub fn save_signatures(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("tmp");
        self.write_signatures(&tmp).map_err(io_err(&tmp))?;
        std::fs::rename(&tmp, path).map_err(io_err(path))
    }

    fn write_signatures(&self, path: &Path) -> io::Result<()> {
        let mut w = HashingWriter {
            inner: BufWriter::new(File::create(path)?),
            hash: Xxh3::with_seed(HASH_SEED),
        };
        w.put(SIGNATURE_MAGIC)?;
        w.put(&SIGNATURE_FORMAT_VERSION.to_le_bytes())?;
        for p in self.header_params() {
            w.put(&p.to_le_bytes())?;
        }
        w.put(&PERMUTATION_SEED.to_le_bytes())?;
        w.put(&(self.keys.len() as u64).to_le_bytes())?;
        let h = self.config.hashes();
        let mut buf = Vec::with_capacity(4 * h);
        for (i, key) in self.keys.iter().enumerate() {
            w.put(&(key.id.len() as u32).to_le_bytes())?;
            w.put(key.id.as_bytes())?;
            w.put(&key.priority.to_le_bytes())?;
            w.put(&key.licence_rank.to_le_bytes())?;
            buf.clear();
            for v in &self.sigs[i * h..(i + 1) * h] {
                buf.extend_from_slice(&v.to_le_bytes());
            }
            w.put(&buf)?;
        }
        finish_file(w)
    }

    /// Adds the signatures in a file written by [`Self::save_signatures`] (by this or another
    /// process, with the same `ngram`, `bands` and `rows`) to those observed. Files may be merged
    /// in any order; each document must be in exactly one of them.
    pub fn merge_signatures(&mut self, path: &Path) -> Result<()> {
        // Straight into the held signatures, not through a copy of the file's: a task merging
        // every file of a run would otherwise hold the largest file twice.
        let (keys, sigs) = (self.keys.len(), self.sigs.len());
        match self.read_signatures(path) {
            Ok(()) => {
                self.stats.documents += (self.keys.len() - keys) as u64;
                Ok(())
            }
            Err(e) => {
                // A damaged file adds nothing.
                self.keys.truncate(keys);
                self.sigs.truncate(sigs);
                Err(io_err(path)(e))
            }
        }
    }

    fn read_signatures(&mut self, path: &Path) -> io::Result<()> {
        let mut r = HashingReader {
            inner: BufReader::new(File::open(path)?),
            hash: Xxh3::with_seed(HASH_SEED),
        };
        let magic: [u8; 8] = r.take()?;
        if &magic != SIGNATURE_MAGIC {
            return Err(invalid("not a zeef signature file (bad magic)".into()));
        }
        let version = r.u32()?;
        if version != SIGNATURE_FORMAT_VERSION {
            return Err(invalid(format!(
                "signature format version {version}; this build reads version {SIGNATURE_FORMAT_VERSION}"
            )));
        }
        let names = ["normalisation version", "ngram", "bands", "rows"];
        for (name, want) in names.iter().zip(self.header_params()) {
            let got = r.u32()?;
            if got != want {
                return Err(invalid(format!(
                    "{name} is {got} in the file but {want} in this stage"
                )));
            }
        }
        let seed = r.u64()?;
        if seed != PERMUTATION_SEED {
            return Err(invalid(format!(
                "permutation seed {seed:#x} in the file, {PERMUTATION_SEED:#x} in this build"
            )));
        }
        let n = r.u64()?;
        let h = self.config.hashes();
        let mut raw = vec![0u8; 4 * h];
        for i in 0..n {
            let len = r.u32()?;
            if len > MAX_ID_BYTES {
                return Err(invalid(format!("document {i}: id of {len} bytes")));
            }
            let id = String::from_utf8(r.bytes(len as usize)?)
                .map_err(|_| invalid(format!("document {i}: id is not UTF-8")))?;
            let priority = i32::from_le_bytes(r.take()?);
            let licence_rank = r.u32()?;
            self.keys.push(KeepKey {
                priority,
                licence_rank,
                id,
            });
            r.fill(&mut raw)?;
            self.sigs.extend(
                raw.chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
        }
        check_end(r)
    }
}
