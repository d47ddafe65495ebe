//! Byte-level BPE tokenizer training and token shards from a run's output.

use crate::format::{ShardWriter, TokenWidth};
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokenizers::models::bpe::{BpeTrainerBuilder, BPE};
use tokenizers::models::TrainerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{AddedToken, Tokenizer};
use zeef_core::{list_shards, Document, ShardReader};

/// The token that starts every document in a token shard.
pub const END_OF_TEXT: &str = "<|endoftext|>";

/// Documents of one or more shard folders, in folder then shard order, read in batches.
pub struct DocStream {
    shards: std::vec::IntoIter<PathBuf>,
    reader: Option<ShardReader>,
    batch: std::vec::IntoIter<Document>,
}

impl DocStream {
    /// The documents of the `output/` folders of `runs`.
    pub fn outputs(runs: &[PathBuf]) -> Result<Self> {
        let mut shards = Vec::new();
        for run in runs {
            let dir = run.join("output");
            if !dir.is_dir() {
                bail!(
                    "{} has no output/ folder: is it a finished zeef run?",
                    run.display()
                );
            }
            shards.extend(list_shards(&dir)?);
        }
        Ok(DocStream {
            shards: shards.into_iter(),
            reader: None,
            batch: Vec::new().into_iter(),
        })
    }
}

impl Iterator for DocStream {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(d) = self.batch.next() {
                return Some(Ok(d));
            }
            if let Some(r) = &mut self.reader {
                match r.next() {
                    Some(Ok(b)) => {
                        self.batch = b.into_iter();
                        continue;
                    }
                    Some(Err(e)) => return Some(Err(e.into())),
                    None => self.reader = None,
                }
            }
            let p = self.shards.next()?;
            match ShardReader::open(p, 1024) {
                Ok(r) => self.reader = Some(r),
                Err(e) => return Some(Err(e.into())),
            }
        }
    }
}

/// Which documents are held out for validation.
#[derive(Debug, Clone)]
pub enum HeldOut {
    /// A fraction of documents, chosen by a hash of the id (stable across runs and configs).
    Fraction(f64),
    /// Exactly these document ids.
    Ids(BTreeSet<String>),
}

/// The position of a document id in [0, 1), from a hash, for the held-out choice.
pub fn id_unit(id: &str) -> f64 {
    (xxhash_rust::xxh3::xxh3_64(id.as_bytes()) >> 11) as f64 / (1u64 << 53) as f64
}

/// Settles a held-out choice into ids: by fraction, with at least one document held out and
/// one left for training when there are two or more.
pub fn held_out_ids(runs: &[PathBuf], held_out: &HeldOut) -> Result<BTreeSet<String>> {
    let fraction = match held_out {
        HeldOut::Ids(ids) => return Ok(ids.clone()),
        HeldOut::Fraction(f) => *f,
    };
    if !(0.0..1.0).contains(&fraction) {
        bail!("the validation fraction must be in [0, 1), not {fraction}");
    }
    let mut ids = BTreeSet::new();
    let mut lowest: Option<(f64, String)> = None;
    let mut total = 0u64;
    for d in DocStream::outputs(runs)? {
        let d = d?;
        total += 1;
        let u = id_unit(&d.id);
        if u < fraction {
            ids.insert(d.id.clone());
        }
        if lowest.as_ref().is_none_or(|(l, _)| u < *l) {
            lowest = Some((u, d.id));
        }
    }
    if ids.is_empty() && total >= 2 && fraction > 0.0 {
        if let Some((_, id)) = lowest {
            ids.insert(id);
        }
    }
    Ok(ids)
}

/// Trains a byte-level BPE tokenizer (GPT-2 style, lossless) on `texts`.
pub fn train_tokenizer<I>(texts: I, vocab_size: usize, min_frequency: u64) -> Result<Tokenizer>
where
    I: Iterator<Item = String> + Send,
{
    if vocab_size < 257 {
        bail!("the vocabulary needs at least 257 entries (256 bytes and end-of-text), not {vocab_size}");
    }
    let mut tok = Tokenizer::new(BPE::default());
    tok.with_pre_tokenizer(Some(ByteLevel::new(false, true, true)));
    tok.with_decoder(Some(ByteLevel::new(false, true, true)));
    let mut trainer: TrainerWrapper = BpeTrainerBuilder::new()
        .vocab_size(vocab_size)
        .min_frequency(min_frequency)
        .show_progress(false)
        .special_tokens(vec![AddedToken::from(END_OF_TEXT, true)])
        .initial_alphabet(ByteLevel::alphabet().into_iter().collect())
        .build()
        .into();
    tok.train(&mut trainer, texts)
        .map_err(|e| anyhow!("tokenizer training failed: {e}"))?;
    Ok(tok)
}

/// Loads a tokenizer saved as `tokenizer.json`; it must know the end-of-text token.
pub fn load_tokenizer(path: &Path) -> Result<Tokenizer> {
    let tok = Tokenizer::from_file(path)
        .map_err(|e| anyhow!("cannot load the tokenizer {}: {e}", path.display()))?;
    if tok.token_to_id(END_OF_TEXT).is_none() {
        bail!(
            "{}: the tokenizer has no {END_OF_TEXT} token",
            path.display()
        );
    }
    Ok(tok)
}

/// Trains a tokenizer on the training documents of `runs` (held-out ones excluded).
pub fn train_on_runs(
    runs: &[PathBuf],
    held_out: &BTreeSet<String>,
    vocab_size: usize,
    min_frequency: u64,
) -> Result<Tokenizer> {
    let error: Arc<Mutex<Option<anyhow::Error>>> = Arc::default();
    let sink = Arc::clone(&error);
    let held_out = held_out.clone();
    let texts = DocStream::outputs(runs)?.filter_map(move |d| match d {
        Ok(d) if held_out.contains(&d.id) => None,
        Ok(d) => Some(d.text),
        Err(e) => {
            if let Ok(mut slot) = sink.lock() {
                slot.get_or_insert(e);
            }
            None
        }
    });
    let tok = train_tokenizer(texts, vocab_size, min_frequency)?;
    let failed = error
        .lock()
        .map_err(|_| anyhow!("a reader panicked"))?
        .take();
    match failed {
        Some(e) => Err(e.context("cannot read the documents to train the tokenizer")),
        None => Ok(tok),
    }
}

/// Encodes texts to token ids (no special tokens added).
pub fn encode(tok: &Tokenizer, text: &str) -> Result<Vec<u32>> {
    Ok(tok
        .encode_fast(text, false)
        .map_err(|e| anyhow!("cannot encode: {e}"))?
        .get_ids()
        .to_vec())
}

/// Decodes token ids to text.
pub fn decode(tok: &Tokenizer, ids: &[u32]) -> Result<String> {
    tok.decode(ids, false)
        .map_err(|e| anyhow!("cannot decode: {e}"))
}

/// Options of [`tokenize`].
#[derive(Debug, Clone)]
pub struct TokenizeOptions {
    /// Start a new shard once one holds this many tokens (documents are never split).
    pub shard_tokens: u64,
}

impl Default for TokenizeOptions {
    fn default() -> Self {
        TokenizeOptions {
            shard_tokens: 100_000_000,
        }
    }
}

/// One shard of a tokens folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardSummary {
    /// File name in the tokens folder.
    pub name: String,
    /// `train` or `val`.
    pub split: String,
    /// Tokens.
    pub tokens: u64,
    /// Documents.
    pub documents: u64,
}

/// Tokens and documents of one rights holder.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct HolderCounts {
    /// Documents.
    pub documents: u64,
    /// Tokens in the training split.
    pub train_tokens: u64,
    /// Tokens in the validation split.
    pub val_tokens: u64,
}

/// What `tokens/tokens.json` records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokensSummary {
    /// The shard layout (see the token format documentation).
    pub format: String,
    /// Vocabulary size, special tokens included.
    pub vocab_size: usize,
    /// `uint16` or `uint32`.
    pub token_width: String,
    /// The id of the end-of-text token that starts every document.
    pub eot_id: u32,
    /// Documents per split.
    pub documents: BTreeMap<String, u64>,
    /// Tokens per split.
    pub tokens: BTreeMap<String, u64>,
    /// The shards.
    pub shards: Vec<ShardSummary>,
}

struct Split {
    name: &'static str,
    index: usize,
    writer: Option<ShardWriter>,
    docs_in_shard: u64,
    shards: Vec<ShardSummary>,
    documents: u64,
    tokens: u64,
}

impl Split {
    fn new(name: &'static str) -> Self {
        Split {
            name,
            index: 0,
            writer: None,
            docs_in_shard: 0,
            shards: Vec::new(),
            documents: 0,
            tokens: 0,
        }
    }

    fn close(&mut self) -> Result<()> {
        if let Some(w) = self.writer.take() {
            let tokens = w.finish()?;
            self.shards.push(ShardSummary {
                name: format!("{}_{:06}.bin", self.name, self.index),
                split: self.name.to_string(),
                tokens,
                documents: self.docs_in_shard,
            });
            self.index += 1;
            self.docs_in_shard = 0;
        }
        Ok(())
    }

    /// Writes one document; returns (shard name, number in the shard, start, end).
    fn push(
        &mut self,
        dir: &Path,
        width: TokenWidth,
        limit: u64,
        ids: &[u32],
    ) -> Result<(String, u64, u64, u64)> {
        if self.writer.as_ref().is_some_and(|w| w.tokens() >= limit) {
            self.close()?;
        }
        let name = format!("{}_{:06}.bin", self.name, self.index);
        if self.writer.is_none() {
            self.writer = Some(ShardWriter::create(&dir.join(&name), width)?);
        }
        let w = self
            .writer
            .as_mut()
            .expect("a shard writer was just opened");
        let (start, end) = w.push_document(ids)?;
        let doc = self.docs_in_shard;
        self.docs_in_shard += 1;
        self.documents += 1;
        self.tokens += end - start;
        Ok((name, doc, start, end))
    }
}

#[derive(Serialize)]
struct ManifestLine<'a> {
    id: &'a str,
    shard: &'a str,
    split: &'a str,
    /// The document's number in its shard: its entry in the `.idx` (and a Megatron export's
    /// sequence number).
    doc: u64,
    start: u64,
    end: u64,
    tokens: u64,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rights_holder: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agreement_id: Option<&'a str>,
}

/// The key under which documents without a rights holder are counted.
pub const UNKNOWN_HOLDER: &str = "(unknown)";

/// Tokenizes the output of `runs` into `out`: token shards, their document indexes,
/// `manifest.jsonl`, `rights_holders.json`, `tokens.json` and `tokenizer.json`.
/// Writes into a temporary folder first, so `out` appears complete or not at all.
pub fn tokenize(
    runs: &[PathBuf],
    out: &Path,
    tok: &Tokenizer,
    held_out: &BTreeSet<String>,
    opts: &TokenizeOptions,
) -> Result<TokensSummary> {
    if out.exists() {
        bail!("{} exists already", out.display());
    }
    let eot = tok
        .token_to_id(END_OF_TEXT)
        .context("the tokenizer has no end-of-text token")?;
    let vocab_size = tok.get_vocab_size(true);
    let width = TokenWidth::for_vocab(vocab_size);
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tokens".into());
    let tmp = out.with_file_name(format!(".{name}.partial"));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    tok.save(tmp.join("tokenizer.json"), false)
        .map_err(|e| anyhow!("cannot save the tokenizer: {e}"))?;

    let mut manifest = std::io::BufWriter::new(std::fs::File::create(tmp.join("manifest.jsonl"))?);
    let mut train = Split::new("train");
    let mut val = Split::new("val");
    let mut holders: BTreeMap<String, HolderCounts> = BTreeMap::new();
    let limit = opts.shard_tokens.max(1);

    let mut stream = DocStream::outputs(runs)?;
    loop {
        let mut batch = Vec::with_capacity(512);
        for d in stream.by_ref().take(512) {
            batch.push(d?);
        }
        if batch.is_empty() {
            break;
        }
        let texts: Vec<&str> = batch.iter().map(|d| d.text.as_str()).collect();
        let encodings = tok
            .encode_batch_fast(texts, false)
            .map_err(|e| anyhow!("cannot encode: {e}"))?;
        for (d, enc) in batch.iter().zip(encodings) {
            let mut ids = Vec::with_capacity(enc.get_ids().len() + 1);
            ids.push(eot);
            ids.extend_from_slice(enc.get_ids());
            let is_val = held_out.contains(&d.id);
            let split = if is_val { &mut val } else { &mut train };
            let (shard, doc, start, end) = split.push(&tmp, width, limit, &ids)?;
            let holder = d.rights_holder.as_deref().unwrap_or(UNKNOWN_HOLDER);
            let h = holders.entry(holder.to_string()).or_default();
            h.documents += 1;
            if is_val {
                h.val_tokens += end - start;
            } else {
                h.train_tokens += end - start;
            }
            serde_json::to_writer(
                &mut manifest,
                &ManifestLine {
                    id: &d.id,
                    shard: &shard,
                    split: split.name,
                    doc,
                    start,
                    end,
                    tokens: end - start,
                    source: &d.source,
                    rights_holder: d.rights_holder.as_deref(),
                    agreement_id: d.agreement_id.as_deref(),
                },
            )?;
            manifest.write_all(b"\n")?;
        }
    }
    train.close()?;
    val.close()?;
    manifest.flush()?;
    drop(manifest);

    let summary = TokensSummary {
        format: "llm.c .bin (256 x int32 header, then tokens) with .idx document offsets".into(),
        vocab_size,
        token_width: match width {
            TokenWidth::U16 => "uint16".into(),
            TokenWidth::U32 => "uint32".into(),
        },
        eot_id: eot,
        documents: BTreeMap::from([
            ("train".to_string(), train.documents),
            ("val".to_string(), val.documents),
        ]),
        tokens: BTreeMap::from([
            ("train".to_string(), train.tokens),
            ("val".to_string(), val.tokens),
        ]),
        shards: train.shards.into_iter().chain(val.shards).collect(),
    };
    std::fs::write(
        tmp.join("rights_holders.json"),
        serde_json::to_vec_pretty(&holders)?,
    )?;
    std::fs::write(
        tmp.join("tokens.json"),
        serde_json::to_vec_pretty(&summary)?,
    )?;
    std::fs::rename(&tmp, out)
        .with_context(|| format!("cannot move {} to {}", tmp.display(), out.display()))?;
    Ok(summary)
}
