//! A decoder-only GPT (GPT-2 layout): token and learned position embeddings, pre-norm blocks
//! of causal self-attention and a GELU MLP, a final layer norm and an output head tied to the
//! token embedding.

use crate::kernels;
use anyhow::{bail, Result};
use candle_core::{DType, Device, Tensor, Var, D};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The model's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// Vocabulary size.
    pub vocab_size: usize,
    /// Context length.
    pub block_size: usize,
    /// Transformer blocks.
    pub n_layer: usize,
    /// Attention heads.
    pub n_head: usize,
    /// Embedding width.
    pub n_embd: usize,
}

impl ModelConfig {
    /// Checks that the shape is usable.
    pub fn validate(&self) -> Result<()> {
        if self.vocab_size == 0 || self.block_size == 0 || self.n_layer == 0 || self.n_head == 0 {
            bail!("model sizes must be positive: {self:?}");
        }
        if self.n_embd % self.n_head != 0 {
            bail!(
                "n_embd ({}) must be a multiple of n_head ({})",
                self.n_embd,
                self.n_head
            );
        }
        Ok(())
    }

    /// Parameter names and shapes, in a fixed order.
    pub fn shapes(&self) -> Vec<(String, Vec<usize>)> {
        let c = self.n_embd;
        let mut v = vec![
            ("wte".to_string(), vec![self.vocab_size, c]),
            ("wpe".to_string(), vec![self.block_size, c]),
        ];
        for i in 0..self.n_layer {
            let p = |s: &str| format!("h.{i}.{s}");
            v.extend([
                (p("ln_1.weight"), vec![c]),
                (p("ln_1.bias"), vec![c]),
                (p("attn.c_attn.weight"), vec![3 * c, c]),
                (p("attn.c_attn.bias"), vec![3 * c]),
                (p("attn.c_proj.weight"), vec![c, c]),
                (p("attn.c_proj.bias"), vec![c]),
                (p("ln_2.weight"), vec![c]),
                (p("ln_2.bias"), vec![c]),
                (p("mlp.c_fc.weight"), vec![4 * c, c]),
                (p("mlp.c_fc.bias"), vec![4 * c]),
                (p("mlp.c_proj.weight"), vec![c, 4 * c]),
                (p("mlp.c_proj.bias"), vec![c]),
            ]);
        }
        v.push(("ln_f.weight".to_string(), vec![c]));
        v.push(("ln_f.bias".to_string(), vec![c]));
        v
    }

    /// Parameter count (the tied head counted once).
    pub fn parameters(&self) -> usize {
        self.shapes()
            .iter()
            .map(|(_, s)| s.iter().product::<usize>())
            .sum()
    }

    /// Model FLOPs per token for a forward and backward pass (6N plus attention, as in PaLM).
    pub fn flops_per_token(&self) -> f64 {
        let n = self.parameters() as f64;
        6.0 * n + 12.0 * (self.n_layer * self.n_embd * self.block_size) as f64
    }
}

/// A small deterministic generator (SplitMix64), so runs repeat bit for bit from a seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// The model: parameters by name, kept in f32; the forward pass may run in bf16.
pub struct Gpt {
    /// The shape.
    pub config: ModelConfig,
    /// Parameters by name.
    pub params: BTreeMap<String, Var>,
    compute: DType,
    device: Device,
    fused: bool,
}

impl Gpt {
    /// A freshly initialised model (GPT-2's scheme: N(0, init_std) with GPT-2's init_std of
    /// 0.02, residual projections scaled down by sqrt(2 * n_layer), zero biases, unit
    /// layer-norm gains).
    pub fn new(
        config: ModelConfig,
        seed: u64,
        init_std: f64,
        device: &Device,
        compute: DType,
    ) -> Result<Self> {
        config.validate()?;
        if !(init_std.is_finite() && init_std > 0.0) {
            bail!("init_std must be positive, not {init_std}");
        }
        let mut rng = Rng(seed);
        let mut params = BTreeMap::new();
        let proj_std = init_std / (2.0 * config.n_layer as f64).sqrt();
        for (name, shape) in config.shapes() {
            let n: usize = shape.iter().product();
            let values: Vec<f32> = if name.ends_with(".bias") {
                vec![0.0; n]
            } else if name.contains("ln_") {
                vec![1.0; n]
            } else {
                let std = if name.ends_with("c_proj.weight") {
                    proj_std
                } else {
                    init_std
                };
                (0..n).map(|_| (rng.normal() * std) as f32).collect()
            };
            let t = Tensor::from_vec(values, shape, device)?;
            params.insert(name, Var::from_tensor(&t)?);
        }
        Ok(Gpt {
            config,
            params,
            compute,
            device: device.clone(),
            fused: device.is_cpu() && compute == DType::F32,
        })
    }

    /// Replaces the parameters with `tensors` (all must be present, with the right shapes).
    pub fn load(&mut self, tensors: &std::collections::HashMap<String, Tensor>) -> Result<()> {
        for (name, var) in &self.params {
            let Some(t) = tensors.get(name) else {
                bail!("the checkpoint has no parameter {name}");
            };
            if t.dims() != var.dims() {
                bail!(
                    "parameter {name}: checkpoint shape {:?}, model shape {:?}",
                    t.dims(),
                    var.dims()
                );
            }
            var.set(&t.to_dtype(DType::F32)?.to_device(&self.device)?)?;
        }
        Ok(())
    }

    /// The device.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Whether the fused CPU kernels (`kernels.rs`) run the forward and backward passes and
    /// the optimiser; they do for f32 on CPU.
    pub fn fused(&self) -> bool {
        self.fused
    }

    /// Runs on candle's composed operations even where the fused kernels apply (for checking
    /// one against the other).
    pub fn use_composed_ops(&mut self) {
        self.fused = false;
    }

    fn p(&self, name: &str) -> Result<Tensor> {
        let Some(v) = self.params.get(name) else {
            bail!("no parameter {name}");
        };
        Ok(v.as_tensor().to_dtype(self.compute)?)
    }

    fn linear(&self, x: &Tensor, name: &str) -> Result<Tensor> {
        let w = self.p(&format!("{name}.weight"))?;
        let b = self.p(&format!("{name}.bias"))?;
        // Inputs are (rows, features): one matrix product, whose weight gradient is one
        // product too (a batched input would take one per sequence).
        let y = x.matmul(&w.t()?)?;
        if self.fused {
            return Ok(kernels::add_bias(&y, &b)?);
        }
        Ok(y.broadcast_add(&b)?)
    }

    fn layer_norm(&self, x: &Tensor, name: &str) -> Result<Tensor> {
        let w = self.p(&format!("{name}.weight"))?;
        let b = self.p(&format!("{name}.bias"))?;
        if self.fused {
            return Ok(kernels::layer_norm(x, &w, &b, 1e-5)?);
        }
        // Statistics in f32 even when the rest runs in bf16.
        let xf = x.to_dtype(DType::F32)?;
        let mean = xf.mean_keepdim(D::Minus1)?;
        let xc = xf.broadcast_sub(&mean)?;
        let var = xc.sqr()?.mean_keepdim(D::Minus1)?;
        let xn = xc.broadcast_div(&(var + 1e-5)?.sqrt()?)?;
        Ok(xn
            .to_dtype(self.compute)?
            .broadcast_mul(&w)?
            .broadcast_add(&b)?)
    }

    /// Causal self-attention of block `i` on `x` (batch * time, width).
    fn attention(&self, x: &Tensor, i: usize, b: usize, t: usize) -> Result<Tensor> {
        let c = self.config.n_embd;
        let h = self.config.n_head;
        let hd = c / h;
        let qkv = self.linear(x, &format!("h.{i}.attn.c_attn"))?;
        let y = if self.fused {
            kernels::causal_attention(&qkv.reshape((b, t, 3 * c))?, h)?.reshape((b * t, c))?
        } else {
            let qkv = qkv.reshape((b, t, 3 * c))?;
            let heads = |k: usize| -> Result<Tensor> {
                Ok(qkv
                    .narrow(2, k * c, c)?
                    .reshape((b, t, h, hd))?
                    .transpose(1, 2)?
                    .contiguous()?)
            };
            let (q, k, v) = (heads(0)?, heads(1)?, heads(2)?);
            let scale = 1.0 / (hd as f64).sqrt();
            let att = (q.matmul(&k.t()?)? * scale)?
                .to_dtype(DType::F32)?
                .broadcast_add(&causal_mask(t, &self.device)?)?;
            let att = candle_nn::ops::softmax(&att, D::Minus1)?.to_dtype(self.compute)?;
            att.matmul(&v)?
                .transpose(1, 2)?
                .contiguous()?
                .reshape((b * t, c))?
        };
        self.linear(&y, &format!("h.{i}.attn.c_proj"))
    }

    /// The final layer norm's output (batch * time, width) for token ids `idx` (batch, time).
    fn features(&self, idx: &Tensor) -> Result<Tensor> {
        let (b, t) = idx.dims2()?;
        if t > self.config.block_size {
            bail!(
                "sequence of {t} tokens is longer than the context ({})",
                self.config.block_size
            );
        }
        let wte = self.p("wte")?;
        let tok = wte.index_select(&idx.flatten_all()?, 0)?;
        // Positions by lookup rather than a broadcast: the backward pass is then a scatter-add
        // instead of a reduction over the batch dimension.
        let positions: Vec<u32> = (0..b).flat_map(|_| 0..t as u32).collect();
        let positions = Tensor::from_vec(positions, b * t, &self.device)?;
        let pos = self.p("wpe")?.index_select(&positions, 0)?;
        let mut x = (tok + pos)?;
        for i in 0..self.config.n_layer {
            let a = self.attention(&self.layer_norm(&x, &format!("h.{i}.ln_1"))?, i, b, t)?;
            x = (x + a)?;
            let m = self.layer_norm(&x, &format!("h.{i}.ln_2"))?;
            let m = self.linear(&m, &format!("h.{i}.mlp.c_fc"))?;
            let m = if self.fused {
                kernels::gelu(&m)?
            } else {
                m.gelu()?
            };
            let m = self.linear(&m, &format!("h.{i}.mlp.c_proj"))?;
            x = (x + m)?;
        }
        self.layer_norm(&x, "ln_f")
    }

    /// Logits (f32) for token ids `idx` of shape (batch, time).
    pub fn forward(&self, idx: &Tensor) -> Result<Tensor> {
        let x = self.features(idx)?;
        Ok(x.matmul(&self.p("wte")?.t()?)?.to_dtype(DType::F32)?)
    }

    /// Mean cross-entropy of predicting `targets` (batch, time) from `idx`.
    pub fn loss(&self, idx: &Tensor, targets: &Tensor) -> Result<Tensor> {
        let x = self.features(idx)?;
        let wte = self.p("wte")?;
        let targets = targets.flatten_all()?;
        if self.fused {
            return Ok(kernels::head_cross_entropy(&x, &wte, &targets)?);
        }
        let logits = x.matmul(&wte.t()?)?.to_dtype(DType::F32)?;
        Ok(candle_nn::loss::cross_entropy(&logits, &targets)?)
    }
}

fn causal_mask(t: usize, device: &Device) -> Result<Tensor> {
    let v: Vec<f32> = (0..t)
        .flat_map(|i| (0..t).map(move |j| if j > i { f32::NEG_INFINITY } else { 0.0 }))
        .collect();
    Ok(Tensor::from_vec(v, (t, t), device)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> ModelConfig {
        ModelConfig {
            vocab_size: 50,
            block_size: 8,
            n_layer: 2,
            n_head: 2,
            n_embd: 16,
        }
    }

    #[test]
    fn shapes_and_count() -> Result<()> {
        let c = tiny();
        // 12 c^2 + 13 c per block, embeddings, final norm.
        let per_block = 12 * 16 * 16 + 13 * 16;
        assert_eq!(c.parameters(), 50 * 16 + 8 * 16 + 2 * per_block + 2 * 16);
        let m = Gpt::new(c, 1, 0.02, &Device::Cpu, DType::F32)?;
        let idx = Tensor::new(&[[1u32, 2, 3], [4, 5, 6]], &Device::Cpu)?;
        assert_eq!(m.forward(&idx)?.dims(), &[6, 50]);
        Ok(())
    }

    #[test]
    fn attention_is_causal() -> Result<()> {
        // Changing a later token must not change the logits at earlier positions.
        let m = Gpt::new(tiny(), 3, 0.02, &Device::Cpu, DType::F32)?;
        let a = m.forward(&Tensor::new(&[[1u32, 2, 3, 4]], &Device::Cpu)?)?;
        let b = m.forward(&Tensor::new(&[[1u32, 2, 3, 9]], &Device::Cpu)?)?;
        let a = a.narrow(0, 0, 3)?.flatten_all()?.to_vec1::<f32>()?;
        let b2 = b.narrow(0, 0, 3)?.flatten_all()?.to_vec1::<f32>()?;
        assert_eq!(a, b2);
        let last_a = m
            .forward(&Tensor::new(&[[1u32, 2, 3, 4]], &Device::Cpu)?)?
            .narrow(0, 3, 1)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        let last_b = b.narrow(0, 3, 1)?.flatten_all()?.to_vec1::<f32>()?;
        assert_ne!(last_a, last_b);
        Ok(())
    }

    #[test]
    fn initial_loss_is_near_uniform() -> Result<()> {
        let m = Gpt::new(tiny(), 5, 0.02, &Device::Cpu, DType::F32)?;
        let idx = Tensor::new(&[[1u32, 2, 3, 4]], &Device::Cpu)?;
        let tgt = Tensor::new(&[[2u32, 3, 4, 5]], &Device::Cpu)?;
        let l = m.loss(&idx, &tgt)?.to_scalar::<f32>()?;
        assert!((l - (50f32).ln()).abs() < 0.1, "{l}");
        Ok(())
    }

    /// Loss and gradient of every parameter, by name.
    fn loss_and_grads(m: &Gpt) -> Result<(f32, BTreeMap<String, Vec<f32>>)> {
        let idx = Tensor::new(
            &[[1u32, 2, 3, 4, 5, 6, 7, 8], [9, 8, 7, 6, 5, 4, 3, 2]],
            &Device::Cpu,
        )?;
        let tgt = Tensor::new(
            &[[2u32, 3, 4, 5, 6, 7, 8, 9], [8, 7, 6, 5, 4, 3, 2, 1]],
            &Device::Cpu,
        )?;
        let l = m.loss(&idx, &tgt)?;
        let g = l.backward()?;
        let mut out = BTreeMap::new();
        for (name, var) in &m.params {
            let Some(t) = g.get(var.as_tensor()) else {
                bail!("no gradient for {name}");
            };
            out.insert(name.clone(), t.flatten_all()?.to_vec1::<f32>()?);
        }
        Ok((l.to_scalar::<f32>()?, out))
    }

    #[test]
    fn fused_kernels_agree_with_composed_operations() -> Result<()> {
        // Larger initial weights than GPT-2's, so attention and GELU leave their linear range.
        let fused = Gpt::new(tiny(), 11, 0.02, &Device::Cpu, DType::F32)?;
        for var in fused.params.values() {
            if var.rank() >= 2 {
                var.set(&(var.as_tensor() * 25.0)?)?;
            }
        }
        assert!(fused.fused());
        let mut composed = Gpt::new(tiny(), 11, 0.02, &Device::Cpu, DType::F32)?;
        composed.use_composed_ops();
        for (name, var) in &composed.params {
            var.set(fused.params[name].as_tensor())?;
        }
        let (lf, gf) = loss_and_grads(&fused)?;
        let (lc, gc) = loss_and_grads(&composed)?;
        assert!((lf - lc).abs() < 1e-5 * lc.abs(), "loss {lf} vs {lc}");
        assert!(lc > 0.5, "{lc}");
        for (name, a) in &gf {
            let b = &gc[name];
            let scale = b.iter().fold(0f32, |m, v| m.max(v.abs()));
            assert!(scale > 0.0, "{name}: zero gradient");
            let diff = a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
            assert!(
                diff <= 1e-4 * scale,
                "{name}: gradients differ by {diff} (scale {scale})"
            );
        }
        Ok(())
    }
}
