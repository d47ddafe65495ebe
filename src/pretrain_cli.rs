//! The pretraining commands: `tokenize`, `export`, `train` and `ablate`.

use crate::config::Project;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use zeef_pretrain::tokenize::{self, DocStream, HeldOut, TokenizeOptions};
use zeef_pretrain::train::{TrainConfig, TrainOptions};

/// The pretraining subcommands.
#[derive(Subcommand)]
pub enum PretrainCommand {
    /// Train (or load) a byte-level BPE tokenizer and write token shards of a run's output.
    Tokenize {
        /// The run folder.
        run: PathBuf,
        /// Tokenizer settings.
        #[command(flatten)]
        tok: TokenizerArgs,
        /// Use this tokenizer.json instead of training one.
        #[arg(long)]
        tokenizer: Option<PathBuf>,
        /// Start a new shard after this many tokens.
        #[arg(long, default_value_t = 100_000_000)]
        shard_tokens: u64,
        /// The tokens folder (default: RUN/tokens).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace an existing tokens folder.
        #[arg(long)]
        force: bool,
    },
    /// Train a GPT on a run's token shards, or resume one.
    Train {
        /// The run folder (tokens from RUN/tokens, results to RUN/train).
        run: PathBuf,
        /// Training settings.
        #[command(flatten)]
        train: TrainArgs,
        /// Continue from the checkpoint in the output folder.
        #[arg(long)]
        resume: bool,
        /// Stop with a checkpoint after this step (to split a run over several jobs).
        #[arg(long)]
        stop_at: Option<u64>,
        /// The tokens folder (default: RUN/tokens).
        #[arg(long)]
        tokens: Option<PathBuf>,
        /// The output folder (default: RUN/train).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write a run's token shards in another trainer's format: `megatron` (Megatron-LM / NeMo
    /// indexed datasets, PREFIX.bin + PREFIX.idx per shard), `llmc` (the llm.c shards
    /// themselves, with their index and manifest) or `hf` (Parquet with an `input_ids` column,
    /// for Hugging Face `datasets`).
    Export {
        /// The run folder (tokens from RUN/tokens).
        run: PathBuf,
        /// The format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// The tokens folder (default: RUN/tokens).
        #[arg(long)]
        tokens: Option<PathBuf>,
        /// The export folder (default: RUN/export/FORMAT).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace an existing export folder.
        #[arg(long)]
        force: bool,
    },
    /// Run two pipeline configs on the same sources, train the same model on each output and
    /// compare validation losses on a common held-out Dutch set.
    Ablate {
        /// The first project's zeef.toml.
        a: PathBuf,
        /// The second project's zeef.toml.
        b: PathBuf,
        /// The ablation folder.
        #[arg(long, default_value = "zeef-ablate")]
        out: PathBuf,
        /// Tokenizer settings.
        #[command(flatten)]
        tok: TokenizerArgs,
        /// Training settings.
        #[command(flatten)]
        train: TrainArgs,
    },
}

/// A token format `zeef export` writes.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Megatron-LM indexed datasets (`MMIDIDX` version 1).
    Megatron,
    /// llm.c `.bin` shards with zeef's `.idx` document index.
    Llmc,
    /// Parquet, one row per document: `id`, `source`, `input_ids` (list of int32).
    Hf,
}

impl ExportFormat {
    fn name(self) -> &'static str {
        match self {
            ExportFormat::Megatron => "megatron",
            ExportFormat::Llmc => "llmc",
            ExportFormat::Hf => "hf",
        }
    }
}

/// Tokenizer settings.
#[derive(Args)]
pub struct TokenizerArgs {
    /// Vocabulary size of a trained tokenizer (special tokens included).
    #[arg(long, default_value_t = 32768)]
    vocab_size: usize,
    /// Merge only pairs seen at least this often.
    #[arg(long, default_value_t = 2)]
    min_frequency: u64,
    /// The fraction of documents held out for validation, chosen by a hash of their id.
    #[arg(long, default_value_t = 0.01)]
    val_fraction: f64,
}

/// Training settings: a preset, a TOML file over it, then flags over both.
#[derive(Args)]
pub struct TrainArgs {
    /// Model size preset: tiny, small or gpt2.
    #[arg(long, default_value = "tiny")]
    size: String,
    /// A TOML file of training settings (see the pretraining docs).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Optimiser steps.
    #[arg(long)]
    steps: Option<u64>,
    /// cpu, cuda or cuda:N.
    #[arg(long)]
    device: Option<String>,
    /// f32 or bf16 for the forward pass.
    #[arg(long)]
    dtype: Option<String>,
    /// Seed of the initialisation and batch order.
    #[arg(long)]
    seed: Option<u64>,
}

impl TrainArgs {
    fn config(&self) -> Result<TrainConfig> {
        let mut c = TrainConfig::preset(&self.size)?;
        if let Some(p) = &self.config {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            c = TrainConfig::from_toml(&text, &c)
                .with_context(|| format!("{}: bad training settings", p.display()))?;
        }
        if let Some(s) = self.steps {
            c.max_steps = s;
        }
        if let Some(d) = &self.device {
            c.device = d.clone();
        }
        if let Some(d) = &self.dtype {
            c.dtype = d.clone();
        }
        if let Some(s) = self.seed {
            c.seed = s;
        }
        Ok(c)
    }
}

/// Runs one pretraining command.
pub fn run(cmd: PretrainCommand) -> Result<()> {
    match cmd {
        PretrainCommand::Tokenize {
            run,
            tok,
            tokenizer,
            shard_tokens,
            out,
            force,
        } => {
            let out = out.unwrap_or_else(|| run.join("tokens"));
            let runs = vec![run];
            let loaded = tokenizer
                .as_deref()
                .map(tokenize::load_tokenizer)
                .transpose()?;
            if out.exists() {
                if !force {
                    bail!(
                        "{} exists already (pass --force to replace it)",
                        out.display()
                    );
                }
                std::fs::remove_dir_all(&out)?;
            }
            let held = tokenize::held_out_ids(&runs, &HeldOut::Fraction(tok.val_fraction))?;
            let t = match loaded {
                Some(t) => t,
                None => tokenize::train_on_runs(&runs, &held, tok.vocab_size, tok.min_frequency)?,
            };
            let s = tokenize::tokenize(&runs, &out, &t, &held, &TokenizeOptions { shard_tokens })?;
            println!(
                "tokenized {} documents: {} training tokens, {} validation tokens ({} held-out documents), vocabulary {} ({})",
                s.documents.values().sum::<u64>(),
                s.tokens["train"],
                s.tokens["val"],
                s.documents["val"],
                s.vocab_size,
                s.token_width
            );
            println!("tokens: {}", out.display());
            Ok(())
        }
        PretrainCommand::Train {
            run,
            train,
            resume,
            stop_at,
            tokens,
            out,
        } => {
            let tokens = tokens.unwrap_or_else(|| run.join("tokens"));
            let out = out.unwrap_or_else(|| run.join("train"));
            let opts = TrainOptions {
                resume,
                stop_at,
                verbose: true,
                val_tokens: None,
            };
            let m = zeef_pretrain::train(&tokens, &out, &train.config()?, &opts)?;
            print_metrics(&m, &out);
            Ok(())
        }
        PretrainCommand::Export {
            run,
            format,
            tokens,
            out,
            force,
        } => {
            let tokens = tokens.unwrap_or_else(|| run.join("tokens"));
            let out = out.unwrap_or_else(|| run.join("export").join(format.name()));
            if !tokens.join("tokens.json").is_file() {
                bail!(
                    "{} holds no token shards (run `zeef tokenize {}` first)",
                    tokens.display(),
                    run.display()
                );
            }
            if out.exists() {
                if !force {
                    bail!(
                        "{} exists already (pass --force to replace it)",
                        out.display()
                    );
                }
                std::fs::remove_dir_all(&out)?;
            }
            if let Some(parent) = out.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            match format {
                ExportFormat::Megatron => {
                    let e = zeef_pretrain::megatron::export(&tokens, &out)?;
                    println!(
                        "exported {} Megatron datasets ({}): {} documents, {} tokens",
                        e.shards.len(),
                        e.dtype,
                        e.shards.iter().map(|s| s.documents).sum::<u64>(),
                        e.shards.iter().map(|s| s.tokens).sum::<u64>()
                    );
                    for s in &e.shards {
                        println!("  {} {}", s.split, out.join(&s.prefix).display());
                    }
                }
                ExportFormat::Llmc => {
                    let n = export_llmc(&tokens, &out)?;
                    println!("exported {n} llm.c shards");
                }
                ExportFormat::Hf => {
                    let (files, docs) = export_hf(&tokens, &out)?;
                    println!("exported {docs} documents to {files} Parquet files");
                }
            }
            println!("export: {}", out.display());
            Ok(())
        }
        PretrainCommand::Ablate {
            a,
            b,
            out,
            tok,
            train,
        } => ablate(&a, &b, &out, &tok, &train.config()?),
    }
}

/// The llm.c shards, their indexes, the manifest and the tokenizer, hard-linked where the file
/// system allows (they are never modified in place), else copied.
fn export_llmc(tokens: &Path, out: &Path) -> Result<usize> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "llmc".into());
    let tmp = out.with_file_name(format!(".{name}.partial"));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let mut files = Vec::new();
    for split in ["train", "val"] {
        files.extend(zeef_pretrain::format::list_split(tokens, split)?);
    }
    let shards = files.len();
    let extra: Vec<PathBuf> = files.iter().map(|f| f.with_extension("idx")).collect();
    files.extend(extra);
    for f in ["manifest.jsonl", "tokenizer.json", "tokens.json"] {
        files.push(tokens.join(f));
    }
    for src in files {
        let dst = tmp.join(src.file_name().context("a token file without a name")?);
        if std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst)
                .with_context(|| format!("cannot copy {} to {}", src.display(), dst.display()))?;
        }
    }
    std::fs::rename(&tmp, out)
        .with_context(|| format!("cannot move {} to {}", tmp.display(), out.display()))?;
    Ok(shards)
}

/// One Parquet file per token shard (`train_000000.parquet`, ...), one row per document in
/// shard order: its `id` and `source` from the manifest and its token ids, end-of-text first.
fn export_hf(tokens: &Path, out: &Path) -> Result<(usize, u64)> {
    use arrow_array::builder::{Int32Builder, ListBuilder};
    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use std::collections::HashMap;
    use std::sync::Arc;
    use zeef_pretrain::format::{list_split, read_index, ShardFile};

    let manifest_path = tokens.join("manifest.jsonl");
    let text = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read {}", manifest_path.display()))?;
    #[derive(serde::Deserialize)]
    struct Line {
        id: String,
        shard: String,
        doc: u64,
        source: String,
    }
    let mut by_shard: HashMap<String, Vec<Line>> = HashMap::new();
    for (i, l) in text.lines().enumerate() {
        let l: Line = serde_json::from_str(l).with_context(|| {
            format!(
                "{}:{}: not a manifest line with a `doc` (tokenize again with this zeef)",
                manifest_path.display(),
                i + 1
            )
        })?;
        by_shard.entry(l.shard.clone()).or_default().push(l);
    }
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "hf".into());
    let tmp = out.with_file_name(format!(".{name}.partial"));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("source", DataType::Utf8, false),
        Field::new(
            "input_ids",
            DataType::List(Arc::new(Field::new("item", DataType::Int32, true))),
            false,
        ),
    ]));
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(
            parquet::basic::ZstdLevel::default(),
        ))
        .build();
    let (mut files, mut docs) = (0, 0u64);
    for split in ["train", "val"] {
        for bin in list_split(tokens, split)? {
            let shard_name = bin
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let shard = ShardFile::open(&bin)?;
            let offsets = read_index(&bin)?;
            let mut lines = by_shard.remove(&shard_name).unwrap_or_default();
            lines.sort_by_key(|l| l.doc);
            if lines.len() + 1 != offsets.len()
                || lines.iter().enumerate().any(|(i, l)| l.doc != i as u64)
            {
                bail!(
                    "{}: the manifest names {} of its {} documents",
                    bin.display(),
                    lines.len(),
                    offsets.len() - 1
                );
            }
            let dst = tmp.join(format!("{}.parquet", shard_name.trim_end_matches(".bin")));
            let f = std::fs::File::create(&dst)
                .with_context(|| format!("cannot create {}", dst.display()))?;
            let mut w =
                parquet::arrow::ArrowWriter::try_new(f, schema.clone(), Some(props.clone()))?;
            for (chunk, lines) in offsets
                .windows(2)
                .collect::<Vec<_>>()
                .chunks(1024)
                .zip(lines.chunks(1024))
            {
                let mut ids = ListBuilder::new(Int32Builder::new());
                let mut buf = Vec::new();
                for w in chunk {
                    buf.resize((w[1] - w[0]) as usize, 0);
                    shard.read_into(w[0], &mut buf)?;
                    for &t in &buf {
                        ids.values()
                            .append_value(i32::try_from(t).context("a token id above 2^31 - 1")?);
                    }
                    ids.append(true);
                }
                let cols: Vec<ArrayRef> = vec![
                    Arc::new(StringArray::from_iter_values(
                        lines.iter().map(|l| l.id.as_str()),
                    )),
                    Arc::new(StringArray::from_iter_values(
                        lines.iter().map(|l| l.source.as_str()),
                    )),
                    Arc::new(ids.finish()),
                ];
                w.write(&RecordBatch::try_new(schema.clone(), cols)?)?;
                docs += lines.len() as u64;
            }
            w.close()?;
            files += 1;
        }
    }
    std::fs::rename(&tmp, out)
        .with_context(|| format!("cannot move {} to {}", tmp.display(), out.display()))?;
    Ok((files, docs))
}

fn print_metrics(m: &zeef_pretrain::Metrics, out: &Path) {
    println!(
        "trained {} parameters for {} steps ({} tokens): train loss {:.4}, validation loss {:.4} (perplexity {:.2}), {:.0} tokens/s on {}",
        m.parameters,
        m.steps,
        m.tokens_seen,
        m.final_train_loss,
        m.final_val_loss,
        m.final_val_perplexity,
        m.tokens_per_s,
        m.device
    );
    println!("results: {}", out.display());
}

#[derive(Serialize)]
struct AblationSide {
    config: String,
    documents_kept: u64,
    train_tokens: u64,
    val_loss: f64,
    val_perplexity: f64,
    train_loss: f64,
}

#[derive(Serialize)]
struct Ablation {
    a: AblationSide,
    b: AblationSide,
    held_out_documents: usize,
    held_out_tokens: u64,
    /// Whether both outputs gave the held-out documents the same tokens.
    held_out_identical: bool,
    tokens_per_model: u64,
    train: TrainConfig,
}

fn ablate(a: &Path, b: &Path, out: &Path, tok: &TokenizerArgs, config: &TrainConfig) -> Result<()> {
    if out.exists() {
        bail!("{} exists already", out.display());
    }
    let pa = Project::load(a)?;
    let pb = Project::load(b)?;
    let sources = |p: &Project| -> Result<String> {
        let path = p.sources_path();
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    if pa.dir != pb.dir && sources(&pa)? != sources(&pb)? {
        bail!(
            "{} and {} read different sources: an ablation compares configs on the same sources",
            a.display(),
            b.display()
        );
    }
    let (ra, rb) = (out.join("a"), out.join("b"));
    for (p, config, dir) in [(&pa, a, &ra), (&pb, b, &rb)] {
        eprintln!("zeef: running {}", config.display());
        crate::runner::run_tasks(p, config, Some(dir.as_path()), 1)?;
    }

    // The held-out set: documents both configs kept, chosen by id hash, out of both trainings.
    let mut kept_a = BTreeSet::new();
    for d in DocStream::outputs(std::slice::from_ref(&ra))? {
        kept_a.insert(d?.id);
    }
    let mut common = Vec::new();
    for d in DocStream::outputs(std::slice::from_ref(&rb))? {
        let d = d?;
        if kept_a.contains(&d.id) {
            common.push(d.id);
        }
    }
    let mut held: BTreeSet<String> = common
        .iter()
        .filter(|id| tokenize::id_unit(id) < tok.val_fraction)
        .cloned()
        .collect();
    if held.is_empty() {
        if let Some(id) = common
            .iter()
            .min_by(|x, y| tokenize::id_unit(x).total_cmp(&tokenize::id_unit(y)))
        {
            held.insert(id.clone());
        }
    }
    if held.is_empty() {
        bail!("the two configs kept no document in common: there is no common held-out set");
    }

    let both = vec![ra.clone(), rb.clone()];
    eprintln!("zeef: training one tokenizer on both outputs");
    let t = tokenize::train_on_runs(&both, &held, tok.vocab_size, tok.min_frequency)?;
    let opts = TokenizeOptions::default();
    let sa = tokenize::tokenize(
        std::slice::from_ref(&ra),
        &ra.join("tokens"),
        &t,
        &held,
        &opts,
    )?;
    let sb = tokenize::tokenize(
        std::slice::from_ref(&rb),
        &rb.join("tokens"),
        &t,
        &held,
        &opts,
    )?;
    let val_a = std::fs::read(ra.join("tokens/val_000000.bin")).unwrap_or_default();
    let val_b = std::fs::read(rb.join("tokens/val_000000.bin")).unwrap_or_default();

    // Both models are judged on A's held-out tokens, so the yardstick is the same bytes.
    let mut sides = Vec::new();
    for (label, dir, s, path) in [("A", &ra, &sa, a), ("B", &rb, &sb, b)] {
        eprintln!("zeef: training on {label}'s output");
        let opts = TrainOptions {
            resume: false,
            stop_at: None,
            verbose: false,
            val_tokens: Some(ra.join("tokens")),
        };
        let m = zeef_pretrain::train(&dir.join("tokens"), &dir.join("train"), config, &opts)?;
        sides.push(AblationSide {
            config: path.display().to_string(),
            documents_kept: s.documents.values().sum(),
            train_tokens: s.tokens["train"],
            val_loss: m.final_val_loss,
            val_perplexity: m.final_val_perplexity,
            train_loss: m.final_train_loss,
        });
    }
    let (Some(side_b), Some(side_a)) = (sides.pop(), sides.pop()) else {
        bail!("internal error: two trainings expected");
    };
    let report = Ablation {
        a: side_a,
        b: side_b,
        held_out_documents: held.len(),
        held_out_tokens: sa.tokens["val"],
        held_out_identical: !val_a.is_empty() && val_a == val_b,
        tokens_per_model: config.max_steps * (config.batch_size * config.block_size) as u64,
        train: config.clone(),
    };
    crate::runner::write_atomic(
        &out.join("ablation.json"),
        &serde_json::to_vec_pretty(&report)?,
    )?;
    println!(
        "common held-out set: {} documents, {} tokens; {} training tokens per model",
        report.held_out_documents, report.held_out_tokens, report.tokens_per_model
    );
    for (l, s) in [("A", &report.a), ("B", &report.b)] {
        println!(
            "{l} {}: {} documents kept, {} training tokens, validation loss {:.4} (perplexity {:.2})",
            s.config, s.documents_kept, s.train_tokens, s.val_loss, s.val_perplexity
        );
    }
    let diff = report.b.val_loss - report.a.val_loss;
    println!(
        "B - A validation loss: {diff:+.4} ({})",
        if diff < 0.0 {
            "B is better"
        } else if diff > 0.0 {
            "A is better"
        } else {
            "no difference"
        }
    );
    println!("report: {}", out.join("ablation.json").display());
    Ok(())
}
