//! Training throughput of a size preset on a tokens folder, printed as one JSON line in the
//! same shape as `pretrain/bench/gpt_torch.py`, for a side-by-side comparison with PyTorch.
//! Build it with `--release`:
//!
//! ```sh
//! cargo run --release -p zeef-pretrain --example train_bench -- RUN/tokens --steps 200 --threads 2
//! ```
//!
//! Runs `zeef train`'s own loop (the same code as the CLI) into a temporary folder (or `--out`,
//! to keep the loss log); tokens/s covers the optimiser steps only, as in `metrics.json`.
//! `--config` takes a TOML file of training settings over the preset, as `zeef train` does.

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use zeef_pretrain::train::{train, TrainConfig, TrainOptions};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut tokens: Option<PathBuf> = None;
    let mut size = "tiny".to_string();
    let mut steps: Option<u64> = None;
    let mut threads: Option<usize> = None;
    let mut config_file: Option<PathBuf> = None;
    let mut out_dir: Option<PathBuf> = None;
    while let Some(a) = args.next() {
        let mut value = |flag: &str| args.next().with_context(|| format!("{flag} needs a value"));
        match a.as_str() {
            "--size" => size = value("--size")?,
            "--steps" => steps = Some(value("--steps")?.parse()?),
            "--threads" => threads = Some(value("--threads")?.parse()?),
            "--config" => config_file = Some(value("--config")?.into()),
            "--out" => out_dir = Some(value("--out")?.into()),
            s if s.starts_with("--") => bail!("unknown flag {s}"),
            s => tokens = Some(PathBuf::from(s)),
        }
    }
    let Some(tokens) = tokens else {
        bail!(
            "usage: train_bench TOKENS [--size tiny] [--steps 200] [--threads N] \
             [--config TOML] [--out DIR]"
        );
    };
    if let Some(n) = threads {
        // candle sizes its matrix-multiply parallelism from this variable, rayon its pool.
        std::env::set_var("RAYON_NUM_THREADS", n.to_string());
    }
    let mut config = TrainConfig::preset(&size)?;
    if let Some(f) = &config_file {
        config = TrainConfig::from_toml(&std::fs::read_to_string(f)?, &config)?;
    }
    if let Some(s) = steps {
        config.max_steps = s;
    }
    // Evaluation and checkpoints are outside the timed steps; keep them to the end.
    config.eval_interval = config.max_steps;
    config.checkpoint_interval = config.max_steps;
    let tmp = tempfile::tempdir()?;
    let out = out_dir.unwrap_or_else(|| tmp.path().to_path_buf());
    let m = train(&tokens, &out, &config, &TrainOptions::default())?;
    println!(
        "{}",
        serde_json::json!({
            "framework": "zeef (candle 0.9)",
            "parameters": m.parameters,
            "steps": m.steps,
            "tokens_per_s": m.tokens_per_s,
            "final_train_loss": m.final_train_loss,
            "threads": threads.unwrap_or_else(candle_core::utils::get_num_threads),
        })
    );
    Ok(())
}
