//! Training: batches from token shards, AdamW with warm-up and cosine decay, gradient
//! clipping, validation loss at intervals, checkpoints that a run resumes from.

use crate::format::{list_split, ShardFile};
use crate::kernels::{self, AdamStep};
use crate::model::{Gpt, ModelConfig, Rng};
use crate::tokenize::TokensSummary;
use anyhow::{bail, Context, Result};
use candle_core::{DType, Device, Tensor};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Everything a training run is set up with. Every field has a default (the `tiny` preset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Transformer blocks.
    pub n_layer: usize,
    /// Attention heads.
    pub n_head: usize,
    /// Embedding width.
    pub n_embd: usize,
    /// Context length in tokens.
    pub block_size: usize,
    /// Sequences per step.
    pub batch_size: usize,
    /// Optimiser steps.
    pub max_steps: u64,
    /// Steps of linear learning-rate warm-up.
    pub warmup_steps: u64,
    /// Peak learning rate.
    pub learning_rate: f64,
    /// Learning rate at the end of the cosine decay.
    pub min_lr: f64,
    /// Standard deviation of the initial weights (GPT-2: 0.02; residual projections get it
    /// divided by sqrt(2 * n_layer)). Narrow models learn faster from about 1/sqrt(n_embd).
    pub init_std: f64,
    /// Decoupled weight decay (matrices only; not biases, norms or position embeddings).
    pub weight_decay: f64,
    /// AdamW beta1.
    pub beta1: f64,
    /// AdamW beta2.
    pub beta2: f64,
    /// AdamW epsilon.
    pub eps: f64,
    /// Clip the global gradient norm to this (0: no clipping).
    pub grad_clip: f64,
    /// Evaluate the validation loss every this many steps (and at the end).
    pub eval_interval: u64,
    /// At most this many validation batches per evaluation (0: the whole validation split).
    pub eval_batches: usize,
    /// Log the training loss every this many steps.
    pub log_interval: u64,
    /// Write a checkpoint every this many steps (and at the end).
    pub checkpoint_interval: u64,
    /// Seed of the initialisation and the batch order.
    pub seed: u64,
    /// `cpu`, `cuda` or `cuda:N`.
    pub device: String,
    /// The forward pass's type: `f32` or `bf16` (weights and optimiser stay f32).
    pub dtype: String,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            n_layer: 2,
            n_head: 2,
            n_embd: 64,
            block_size: 64,
            batch_size: 8,
            max_steps: 200,
            // Short warm-up, high peak rate and 1/sqrt(64) initial weights: at GPT-2's 0.02
            // and 3e-3 the 64-wide model sits on the unigram plateau for some 150 steps.
            warmup_steps: 5,
            learning_rate: 1e-2,
            min_lr: 1e-3,
            init_std: 0.125,
            weight_decay: 0.1,
            beta1: 0.9,
            beta2: 0.95,
            eps: 1e-8,
            grad_clip: 1.0,
            eval_interval: 50,
            eval_batches: 20,
            log_interval: 10,
            checkpoint_interval: 100,
            seed: 1337,
            device: "cpu".into(),
            dtype: "f32".into(),
        }
    }
}

/// Named model sizes.
pub const PRESETS: &[&str] = &["tiny", "small", "gpt2"];

impl TrainConfig {
    /// A named size: `tiny` (a few hundred thousand parameters with a small vocabulary),
    /// `small` (about 10M plus embeddings), `gpt2` (GPT-2 small, about 125M with a 50k vocabulary).
    pub fn preset(name: &str) -> Result<Self> {
        let base = TrainConfig::default();
        Ok(match name {
            "tiny" => base,
            "small" => TrainConfig {
                n_layer: 6,
                n_head: 6,
                n_embd: 384,
                block_size: 256,
                batch_size: 16,
                max_steps: 5000,
                warmup_steps: 200,
                learning_rate: 1e-3,
                min_lr: 1e-4,
                init_std: 0.02,
                eval_interval: 250,
                checkpoint_interval: 1000,
                ..base
            },
            "gpt2" => TrainConfig {
                n_layer: 12,
                n_head: 12,
                n_embd: 768,
                block_size: 1024,
                batch_size: 8,
                max_steps: 20000,
                warmup_steps: 700,
                learning_rate: 6e-4,
                min_lr: 6e-5,
                init_std: 0.02,
                eval_interval: 500,
                checkpoint_interval: 1000,
                ..base
            },
            other => bail!(
                "unknown size preset {other:?} (known: {})",
                PRESETS.join(", ")
            ),
        })
    }

    /// Reads a TOML file of fields; missing fields come from `base`.
    pub fn from_toml(text: &str, base: &TrainConfig) -> Result<Self> {
        let mut merged = toml::Value::try_from(base)?;
        let over: toml::Value = toml::from_str(text)?;
        if let (Some(m), toml::Value::Table(o)) = (merged.as_table_mut(), over) {
            for (k, v) in o {
                m.insert(k, v);
            }
        }
        Ok(merged.try_into()?)
    }

    /// The learning rate at `step` (0-based): linear warm-up, then cosine decay to `min_lr`.
    pub fn lr_at(&self, step: u64) -> f64 {
        if step < self.warmup_steps {
            return self.learning_rate * (step + 1) as f64 / self.warmup_steps as f64;
        }
        if step >= self.max_steps {
            return self.min_lr;
        }
        let span = (self.max_steps - self.warmup_steps).max(1) as f64;
        let ratio = (step - self.warmup_steps) as f64 / span;
        let coeff = 0.5 * (1.0 + (std::f64::consts::PI * ratio).cos());
        self.min_lr + coeff * (self.learning_rate - self.min_lr)
    }

    fn check(&self) -> Result<()> {
        if self.batch_size == 0 || self.block_size == 0 || self.max_steps == 0 {
            bail!("batch_size, block_size and max_steps must be positive");
        }
        Ok(())
    }
}

/// Parses `cpu`, `cuda` or `cuda:N`.
pub fn device(name: &str) -> Result<Device> {
    match name {
        "cpu" => Ok(Device::Cpu),
        "cuda" => cuda(0),
        other => match other.strip_prefix("cuda:").map(str::parse::<usize>) {
            Some(Ok(n)) => cuda(n),
            _ => bail!("unknown device {other:?} (cpu, cuda or cuda:N)"),
        },
    }
}

fn cuda(n: usize) -> Result<Device> {
    if !candle_core::utils::cuda_is_available() {
        bail!("this zeef was built without the `cuda` feature, or no CUDA device is present");
    }
    Device::new_cuda(n).map_err(|e| {
        anyhow::anyhow!(
            "no usable CUDA device {n} (driver, GPU or CUDA 13 libraries missing?): {e}"
        )
    })
}

/// Parses `f32` or `bf16`.
pub fn dtype(name: &str) -> Result<DType> {
    match name {
        "f32" => Ok(DType::F32),
        "bf16" => Ok(DType::BF16),
        other => bail!("unknown dtype {other:?} (f32 or bf16)"),
    }
}

/// Token shards of one split, read in windows.
pub struct TokenSource {
    shards: Vec<ShardFile>,
}

impl TokenSource {
    /// The `split` shards of a tokens folder.
    pub fn open(tokens: &Path, split: &str) -> Result<Self> {
        let shards = list_split(tokens, split)?
            .iter()
            .map(|p| ShardFile::open(p))
            .collect::<Result<Vec<_>>>()?;
        Ok(TokenSource { shards })
    }

    /// All tokens.
    pub fn len(&self) -> u64 {
        self.shards.iter().map(ShardFile::len).sum()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A random batch of `batch` windows of `t + 1` tokens (inputs and shifted targets).
    fn random_batch(&self, rng: &mut Rng, batch: usize, t: usize) -> Result<(Vec<u32>, Vec<u32>)> {
        let usable: Vec<&ShardFile> = self.shards.iter().filter(|s| s.len() > t as u64).collect();
        let total: u64 = usable.iter().map(|s| s.len() - t as u64).sum();
        if total == 0 {
            bail!("no training shard holds more than {t} tokens: lower block_size or add text");
        }
        let (mut x, mut y) = (Vec::with_capacity(batch * t), Vec::with_capacity(batch * t));
        let mut window = vec![0u32; t + 1];
        for _ in 0..batch {
            let mut at = rng.below(total);
            for s in &usable {
                let n = s.len() - t as u64;
                if at < n {
                    s.read_into(at, &mut window)?;
                    break;
                }
                at -= n;
            }
            x.extend_from_slice(&window[..t]);
            y.extend_from_slice(&window[1..]);
        }
        Ok((x, y))
    }

    /// Consecutive non-overlapping windows of `t + 1` tokens, up to `max` (0: all).
    pub fn windows(&self, t: usize, max: usize) -> Result<Vec<Vec<u32>>> {
        let mut out = Vec::new();
        for s in &self.shards {
            let mut at = 0u64;
            while at + (t as u64) < s.len() {
                if max > 0 && out.len() >= max {
                    return Ok(out);
                }
                let mut w = vec![0u32; t + 1];
                s.read_into(at, &mut w)?;
                out.push(w);
                at += t as u64;
            }
        }
        Ok(out)
    }
}

/// Mean validation loss over fixed windows of the validation split.
pub fn evaluate(model: &Gpt, windows: &[Vec<u32>], batch: usize) -> Result<f64> {
    if windows.is_empty() {
        bail!("the validation split has no full window");
    }
    let t = windows[0].len() - 1;
    let mut sum = 0.0;
    for chunk in windows.chunks(batch.max(1)) {
        let x: Vec<u32> = chunk.iter().flat_map(|w| w[..t].to_vec()).collect();
        let y: Vec<u32> = chunk.iter().flat_map(|w| w[1..].to_vec()).collect();
        let x = Tensor::from_vec(x, (chunk.len(), t), model.device())?;
        let y = Tensor::from_vec(y, (chunk.len(), t), model.device())?;
        let l = model.loss(&x, &y)?.to_scalar::<f32>()? as f64;
        sum += l * chunk.len() as f64;
    }
    Ok(sum / windows.len() as f64)
}

/// AdamW with decoupled weight decay; its moments are part of the checkpoint.
struct AdamW {
    m: HashMap<String, Tensor>,
    v: HashMap<String, Tensor>,
}

impl AdamW {
    fn new(model: &Gpt) -> Result<Self> {
        let mut m = HashMap::new();
        let mut v = HashMap::new();
        for (name, var) in &model.params {
            m.insert(name.clone(), var.as_tensor().zeros_like()?);
            v.insert(name.clone(), var.as_tensor().zeros_like()?);
        }
        Ok(AdamW { m, v })
    }

    /// One update; `step` counts from 1. Returns the gradient norm before clipping.
    fn step(
        &mut self,
        model: &Gpt,
        grads: &candle_core::backprop::GradStore,
        cfg: &TrainConfig,
        lr: f64,
        step: u64,
    ) -> Result<f64> {
        let mut sq = 0.0f64;
        let mut gs = Vec::with_capacity(model.params.len());
        for (name, var) in &model.params {
            let Some(g) = grads.get(var.as_tensor()) else {
                bail!("no gradient for {name}");
            };
            sq += if model.fused() {
                kernels::sum_sq(g)?
            } else {
                g.sqr()?
                    .sum_all()?
                    .to_dtype(DType::F64)?
                    .to_scalar::<f64>()?
            };
            gs.push((name, var, g));
        }
        let norm = sq.sqrt();
        if !norm.is_finite() {
            bail!("the gradient norm is {norm} at step {step}: lower the learning rate");
        }
        let scale = if cfg.grad_clip > 0.0 && norm > cfg.grad_clip {
            cfg.grad_clip / (norm + 1e-6)
        } else {
            1.0
        };
        let bc1 = 1.0 - cfg.beta1.powi(step as i32);
        let bc2 = 1.0 - cfg.beta2.powi(step as i32);
        for (name, var, g) in gs {
            let (Some(m), Some(v)) = (self.m.get(name), self.v.get(name)) else {
                bail!("no optimiser state for {name}");
            };
            let decays = var.rank() >= 2 && name != "wpe";
            let wd = if decays { cfg.weight_decay } else { 0.0 };
            if model.fused() {
                let s = AdamStep {
                    grad_scale: scale,
                    beta1: cfg.beta1,
                    beta2: cfg.beta2,
                    bc1,
                    bc2,
                    eps: cfg.eps,
                    lr,
                    weight_decay: wd,
                };
                kernels::adamw_in_place(var.as_tensor(), m, v, g, s)?;
                continue;
            }
            let g = (g * scale)?;
            let m = ((m * cfg.beta1)? + (&g * (1.0 - cfg.beta1))?)?;
            let v = ((v * cfg.beta2)? + (g.sqr()? * (1.0 - cfg.beta2))?)?;
            let update = ((&m / bc1)? / ((&v / bc2)?.sqrt()? + cfg.eps)?)?;
            let p = var.as_tensor();
            let p = if wd > 0.0 {
                (p * (1.0 - lr * wd))?
            } else {
                p.clone()
            };
            var.set(&(p - (update * lr)?)?)?;
            self.m.insert(name.clone(), m);
            self.v.insert(name.clone(), v);
        }
        Ok(norm)
    }
}

/// What `train/checkpoint.json` records beside `checkpoint.safetensors`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CheckpointState {
    /// Steps done.
    pub step: u64,
    /// Training loss of the last step.
    pub loss: f64,
    /// The last validation loss, if evaluated.
    pub val_loss: Option<f64>,
    /// Training tokens seen.
    pub tokens_seen: u64,
    /// The batch generator's state, so a resumed run draws the batches an unbroken run would.
    pub rng: Rng,
    /// The model shape.
    pub model: ModelConfig,
    /// The run's settings.
    pub config: TrainConfig,
}

/// What `train/metrics.json` records at the end of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Metrics {
    /// Parameters.
    pub parameters: usize,
    /// The model shape.
    pub model: ModelConfig,
    /// Steps done in total.
    pub steps: u64,
    /// Training tokens seen in total.
    pub tokens_seen: u64,
    /// Training tokens per second over the steps of this invocation (evaluation excluded).
    pub tokens_per_s: f64,
    /// Model FLOPs per second implied by that throughput.
    pub model_flops_per_s: f64,
    /// The last training loss.
    pub final_train_loss: f64,
    /// The final validation loss.
    pub final_val_loss: f64,
    /// Its perplexity.
    pub final_val_perplexity: f64,
    /// The device.
    pub device: String,
    /// The forward pass's type.
    pub dtype: String,
    /// The step this invocation started from (non-zero when resumed).
    pub resumed_from: u64,
}

/// Options of [`train`] beyond the config.
#[derive(Debug, Clone, Default)]
pub struct TrainOptions {
    /// Continue from the checkpoint in the output folder.
    pub resume: bool,
    /// Stop (with a checkpoint) after this step, before `max_steps`: a run split over jobs.
    pub stop_at: Option<u64>,
    /// Print progress to stderr.
    pub verbose: bool,
    /// Take the validation split from this tokens folder instead (a common yardstick for
    /// models trained on different data; it must use the same tokenizer).
    pub val_tokens: Option<PathBuf>,
}

/// Trains on `tokens` (a tokens folder), writing to `out`; on resume the config comes from
/// the checkpoint, except `max_steps`, which may be raised.
pub fn train(
    tokens: &Path,
    out: &Path,
    config: &TrainConfig,
    opts: &TrainOptions,
) -> Result<Metrics> {
    let summary: TokensSummary =
        serde_json::from_slice(&std::fs::read(tokens.join("tokens.json")).with_context(|| {
            format!(
                "{} is not a tokens folder (run zeef tokenize)",
                tokens.display()
            )
        })?)?;
    let ckpt_json = out.join("checkpoint.json");
    let ckpt_st = out.join("checkpoint.safetensors");
    let resumed: Option<CheckpointState> = if opts.resume {
        let text = std::fs::read(&ckpt_json)
            .with_context(|| format!("no checkpoint to resume from at {}", ckpt_json.display()))?;
        Some(serde_json::from_slice(&text)?)
    } else {
        if ckpt_json.exists() {
            bail!(
                "{} has a checkpoint: resume it, or train into another folder",
                out.display()
            );
        }
        None
    };
    let cfg = match &resumed {
        Some(s) => TrainConfig {
            max_steps: config.max_steps.max(s.config.max_steps),
            ..s.config.clone()
        },
        None => config.clone(),
    };
    cfg.check()?;
    let model_cfg = ModelConfig {
        vocab_size: summary.vocab_size,
        block_size: cfg.block_size,
        n_layer: cfg.n_layer,
        n_head: cfg.n_head,
        n_embd: cfg.n_embd,
    };
    if let Some(s) = &resumed {
        if s.model != model_cfg {
            bail!(
                "the checkpoint's model {:?} does not match {model_cfg:?}",
                s.model
            );
        }
    }
    let dev = device(&cfg.device)?;
    let compute = dtype(&cfg.dtype)?;
    if compute == DType::BF16 && dev.is_cpu() {
        // candle's CPU backend has no bf16 matmul: fail before the first step, not inside it.
        bail!("--dtype bf16 needs a CUDA device (candle has no bf16 matmul on CPU); use --dtype f32 on CPU");
    }
    let mut model = Gpt::new(model_cfg, cfg.seed, cfg.init_std, &dev, compute)?;
    let mut opt = AdamW::new(&model)?;
    let mut rng = Rng(cfg.seed ^ 0xD1B5_4A32_D192_ED03);
    let (mut step, mut loss, mut val_loss, mut tokens_seen) = (0u64, f64::NAN, None, 0u64);
    if let Some(s) = &resumed {
        let tensors = candle_core::safetensors::load(&ckpt_st, &dev)
            .with_context(|| format!("cannot read {}", ckpt_st.display()))?;
        model.load(&tensors)?;
        for name in model.params.keys() {
            for (prefix, map) in [("opt.m.", &mut opt.m), ("opt.v.", &mut opt.v)] {
                let Some(t) = tensors.get(&format!("{prefix}{name}")) else {
                    bail!("the checkpoint has no optimiser state for {name}");
                };
                map.insert(name.clone(), t.clone());
            }
        }
        (step, loss, val_loss, tokens_seen, rng) =
            (s.step, s.loss, s.val_loss, s.tokens_seen, s.rng);
    }
    let resumed_from = step;

    let train_src = TokenSource::open(tokens, "train")?;
    let val_dir = opts.val_tokens.as_deref().unwrap_or(tokens);
    let val_windows = TokenSource::open(val_dir, "val")?
        .windows(cfg.block_size, cfg.eval_batches * cfg.batch_size)?;
    if val_windows.is_empty() {
        bail!(
            "the validation split has fewer than {} tokens: hold out more documents or lower block_size",
            cfg.block_size + 1
        );
    }
    std::fs::create_dir_all(out)?;
    let log_path = out.join("loss.jsonl");
    let mut log = open_log(&log_path, step)?;
    let (b, t) = (cfg.batch_size, cfg.block_size);
    let end = opts.stop_at.map_or(cfg.max_steps, |s| s.min(cfg.max_steps));
    let mut train_time = 0.0f64;
    let mut tokens_here = 0u64;
    let mut last_ckpt = step;
    while step < end {
        let started = Instant::now();
        let lr = cfg.lr_at(step);
        let (x, y) = train_src.random_batch(&mut rng, b, t)?;
        let x = Tensor::from_vec(x, (b, t), &dev)?;
        let y = Tensor::from_vec(y, (b, t), &dev)?;
        let l = model.loss(&x, &y)?;
        let grads = l.backward()?;
        loss = l.to_scalar::<f32>()? as f64;
        let norm = opt.step(&model, &grads, &cfg, lr, step + 1)?;
        step += 1;
        tokens_seen += (b * t) as u64;
        tokens_here += (b * t) as u64;
        train_time += started.elapsed().as_secs_f64();
        if step % cfg.log_interval.max(1) == 0 || step == end {
            writeln!(
                log,
                "{}",
                serde_json::json!({"step": step, "loss": loss, "lr": lr, "grad_norm": norm, "tokens": tokens_seen})
            )?;
            if opts.verbose {
                eprintln!("step {step}/{}: loss {loss:.4}, lr {lr:.2e}", cfg.max_steps);
            }
        }
        let final_step = step == end;
        if step % cfg.eval_interval.max(1) == 0 || final_step {
            let v = evaluate(&model, &val_windows, b)?;
            val_loss = Some(v);
            writeln!(
                log,
                "{}",
                serde_json::json!({"step": step, "val_loss": v, "val_perplexity": v.exp()})
            )?;
            if opts.verbose {
                eprintln!(
                    "step {step}: validation loss {v:.4}, perplexity {:.2}",
                    v.exp()
                );
            }
        }
        if step % cfg.checkpoint_interval.max(1) == 0 || final_step {
            log.flush()?;
            let state = CheckpointState {
                step,
                loss,
                val_loss,
                tokens_seen,
                rng,
                model: model_cfg,
                config: cfg.clone(),
            };
            save_checkpoint(out, &model, &opt, &state)?;
            last_ckpt = step;
        }
    }
    log.flush()?;
    if last_ckpt != step {
        bail!("internal error: the run ended without a checkpoint");
    }
    let final_val = match val_loss {
        Some(v) => v,
        None => evaluate(&model, &val_windows, b)?,
    };
    let tokens_per_s = if train_time > 0.0 {
        tokens_here as f64 / train_time
    } else {
        0.0
    };
    let metrics = Metrics {
        parameters: model_cfg.parameters(),
        model: model_cfg,
        steps: step,
        tokens_seen,
        tokens_per_s,
        model_flops_per_s: tokens_per_s * model_cfg.flops_per_token(),
        final_train_loss: loss,
        final_val_loss: final_val,
        final_val_perplexity: final_val.exp(),
        device: cfg.device.clone(),
        dtype: cfg.dtype.clone(),
        resumed_from,
    };
    write_atomic(
        &out.join("metrics.json"),
        &serde_json::to_vec_pretty(&metrics)?,
    )?;
    Ok(metrics)
}

/// Opens the loss log for appending, dropping lines past `step` (from a run that went on
/// after its last checkpoint), so a resumed log reads like an unbroken one.
fn open_log(path: &Path, step: u64) -> Result<std::io::BufWriter<std::fs::File>> {
    let mut kept = String::new();
    if step > 0 {
        if let Ok(text) = std::fs::read_to_string(path) {
            for line in text.lines() {
                let v: serde_json::Value = serde_json::from_str(line)
                    .with_context(|| format!("{}: bad line", path.display()))?;
                if v["step"].as_u64().is_some_and(|s| s <= step) {
                    kept.push_str(line);
                    kept.push('\n');
                }
            }
        }
    }
    std::fs::write(path, kept)?;
    let f = std::fs::OpenOptions::new().append(true).open(path)?;
    Ok(std::io::BufWriter::new(f))
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = tmp_path(path);
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn tmp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp"))
}

fn save_checkpoint(out: &Path, model: &Gpt, opt: &AdamW, state: &CheckpointState) -> Result<()> {
    let mut tensors: HashMap<String, Tensor> = HashMap::new();
    for (name, var) in &model.params {
        tensors.insert(name.clone(), var.as_tensor().clone());
        if let (Some(m), Some(v)) = (opt.m.get(name), opt.v.get(name)) {
            tensors.insert(format!("opt.m.{name}"), m.clone());
            tensors.insert(format!("opt.v.{name}"), v.clone());
        }
    }
    let st = out.join("checkpoint.safetensors");
    let tmp = tmp_path(&st);
    candle_core::safetensors::save(&tensors, &tmp)?;
    std::fs::rename(&tmp, &st)?;
    // The state last: a checkpoint.json always names weights that are fully written.
    write_atomic(
        &out.join("checkpoint.json"),
        &serde_json::to_vec_pretty(state)?,
    )
}

/// Entropy (nats per token) of the unigram distribution of `tokens`: the loss of a model
/// that knows only token frequencies.
pub fn unigram_entropy(tokens: &[u32]) -> f64 {
    let mut counts: HashMap<u32, u64> = HashMap::new();
    for &t in tokens {
        *counts.entry(t).or_default() += 1;
    }
    let n = tokens.len() as f64;
    let mut c: Vec<u64> = counts.into_values().collect();
    c.sort_unstable();
    -c.iter()
        .map(|&k| {
            let p = k as f64 / n;
            p * p.ln()
        })
        .sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_warms_up_then_decays() {
        let c = TrainConfig {
            max_steps: 100,
            warmup_steps: 10,
            learning_rate: 1.0,
            min_lr: 0.1,
            ..TrainConfig::default()
        };
        assert!((c.lr_at(0) - 0.1).abs() < 1e-12);
        assert!((c.lr_at(9) - 1.0).abs() < 1e-12);
        assert!((c.lr_at(10) - 1.0).abs() < 1e-12);
        assert!((c.lr_at(55) - 0.55).abs() < 1e-9);
        assert!((c.lr_at(100) - 0.1).abs() < 1e-12);
        assert!(c.lr_at(30) > c.lr_at(60));
    }

    #[test]
    fn toml_overrides_a_preset() -> Result<()> {
        let base = TrainConfig::preset("small")?;
        let c = TrainConfig::from_toml("max_steps = 7\nn_layer = 3\n", &base)?;
        assert_eq!((c.max_steps, c.n_layer, c.n_embd), (7, 3, 384));
        assert!(TrainConfig::from_toml("n_layers = 3\n", &base).is_err());
        assert!(TrainConfig::preset("huge").is_err());
        Ok(())
    }

    #[test]
    fn preset_sizes() -> Result<()> {
        let m = |p: &str, vocab: usize| -> Result<usize> {
            let c = TrainConfig::preset(p)?;
            Ok(ModelConfig {
                vocab_size: vocab,
                block_size: c.block_size,
                n_layer: c.n_layer,
                n_head: c.n_head,
                n_embd: c.n_embd,
            }
            .parameters())
        };
        assert!((200_000..500_000).contains(&m("tiny", 2048)?));
        // GPT-2 small with its 50,257-token vocabulary: 124.4M.
        assert_eq!(m("gpt2", 50257)?, 124_439_808);
        Ok(())
    }

    #[test]
    fn unigram_entropy_of_uniform_tokens() {
        let e = unigram_entropy(&[1, 2, 3, 4, 1, 2, 3, 4]);
        assert!((e - 4f64.ln()).abs() < 1e-12);
        assert_eq!(unigram_entropy(&[5, 5, 5]), 0.0);
    }

    /// Every parameter's values, by name, in f64.
    fn values(
        model: &Gpt,
        map: impl Fn(&str, &candle_core::Var) -> Result<Tensor>,
    ) -> Result<HashMap<String, Vec<f64>>> {
        let mut out = HashMap::new();
        for (name, var) in &model.params {
            let t = map(name, var)?.flatten_all()?.to_dtype(DType::F64)?;
            out.insert(name.clone(), t.to_vec1::<f64>()?);
        }
        Ok(out)
    }

    #[test]
    fn one_adamw_step_matches_a_hand_computed_reference() -> Result<()> {
        let shape = ModelConfig {
            vocab_size: 40,
            block_size: 8,
            n_layer: 1,
            n_head: 2,
            n_embd: 8,
        };
        let cfg = TrainConfig {
            grad_clip: 0.5,
            ..TrainConfig::default()
        };
        let (lr, step) = (0.01, 3u64);
        let dev = Device::Cpu;
        for fused in [true, false] {
            let mut model = Gpt::new(shape, 7, 0.02, &dev, DType::F32)?;
            if !fused {
                model.use_composed_ops();
            }
            assert_eq!(model.fused(), fused);
            let idx = Tensor::new(&[[1u32, 5, 9, 3, 7, 2]], &dev)?;
            let tgt = Tensor::new(&[[5u32, 9, 3, 7, 2, 11]], &dev)?;
            let grads = model.loss(&idx, &tgt)?.backward()?;
            // Moments as earlier steps would leave them: non-zero, v positive.
            let mut opt = AdamW::new(&model)?;
            let mut rng = Rng(3);
            for (name, var) in &model.params {
                let n = var.elem_count();
                let m: Vec<f32> = (0..n).map(|_| (rng.normal() * 0.01) as f32).collect();
                let v: Vec<f32> = (0..n)
                    .map(|_| (rng.normal() * 0.01).powi(2) as f32)
                    .collect();
                opt.m
                    .insert(name.clone(), Tensor::from_vec(m, var.shape(), &dev)?);
                opt.v
                    .insert(name.clone(), Tensor::from_vec(v, var.shape(), &dev)?);
            }
            let p0 = values(&model, |_, v| Ok(v.as_tensor().clone()))?;
            let g0 = values(&model, |n, v| {
                grads.get(v.as_tensor()).cloned().context(n.to_string())
            })?;
            let m0 = values(&model, |n, _| Ok(opt.m[n].clone()))?;
            let v0 = values(&model, |n, _| Ok(opt.v[n].clone()))?;

            let norm = opt.step(&model, &grads, &cfg, lr, step)?;

            let want_norm = g0.values().flatten().map(|g| g * g).sum::<f64>().sqrt();
            assert!(
                (norm - want_norm).abs() < 1e-6 * want_norm,
                "{norm} vs {want_norm}"
            );
            assert!(norm > cfg.grad_clip, "the test should clip ({norm})");
            let scale = cfg.grad_clip / (norm + 1e-6);
            let (b1, b2) = (cfg.beta1, cfg.beta2);
            let (bc1, bc2) = (1.0 - b1.powi(step as i32), 1.0 - b2.powi(step as i32));
            let p1 = values(&model, |_, v| Ok(v.as_tensor().clone()))?;
            let m1 = values(&model, |n, _| Ok(opt.m[n].clone()))?;
            let v1 = values(&model, |n, _| Ok(opt.v[n].clone()))?;
            let moved: f64 = p0
                .iter()
                .flat_map(|(n, p)| p.iter().zip(&p1[n]).map(|(a, b)| (a - b).abs()))
                .sum();
            assert!(moved > 1e-3, "the parameters hardly moved ({moved})");
            for (name, p) in &p0 {
                let decay = if model.params[name].rank() >= 2 && name != "wpe" {
                    cfg.weight_decay
                } else {
                    0.0
                };
                for i in 0..p.len() {
                    let g = g0[name][i] * scale;
                    let m = b1 * m0[name][i] + (1.0 - b1) * g;
                    let v = b2 * v0[name][i] + (1.0 - b2) * g * g;
                    let want =
                        p[i] * (1.0 - lr * decay) - lr * (m / bc1) / ((v / bc2).sqrt() + cfg.eps);
                    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * (b.abs() + 1e-3);
                    assert!(
                        close(m1[name][i], m),
                        "{name}[{i}] m: {} vs {m}",
                        m1[name][i]
                    );
                    assert!(
                        close(v1[name][i], v),
                        "{name}[{i}] v: {} vs {v}",
                        v1[name][i]
                    );
                    // The step itself is of the order of lr: f32 rounding relative to that.
                    let p_ok = (p1[name][i] - want).abs() <= 1e-6 * (want.abs() + lr);
                    assert!(p_ok, "{name}[{i}] fused={fused}: {} vs {want}", p1[name][i]);
                }
            }
        }
        Ok(())
    }
}
