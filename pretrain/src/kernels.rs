//! Fused CPU kernels for training in f32: layer norm, tanh-GELU, causal self-attention and
//! cross-entropy, each with its backward pass, and an in-place AdamW update.
//!
//! Composed from candle's elementwise operations, a small model spends most of a step
//! allocating and walking intermediate tensors one operation at a time, on one thread (candle
//! runs only matrix products and a few reductions in parallel). Each kernel here is one pass
//! over its rows, split over rayon's threads in fixed-size blocks of rows; every sum across
//! rows is taken block by block in a fixed order, so results do not depend on the thread count.
//! Other devices and dtypes use the composed operations in `model.rs`.

use candle_core::{
    backend::BackendStorage, bail, CpuStorage, CustomOp1, CustomOp2, CustomOp3, InplaceOp1,
    InplaceOp2, InplaceOp3, Layout, Result, Shape, Tensor,
};
use rayon::prelude::*;
use std::sync::Mutex;

/// Rows per parallel task: enough work to be worth a task, small enough to spread.
const ROWS: usize = 16;

fn f32s<'a>(s: &'a CpuStorage, l: &Layout, op: &str) -> Result<&'a [f32]> {
    let CpuStorage::F32(v) = s else {
        bail!("{op}: expected f32 data, got {:?}", s.dtype())
    };
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&v[a..b]),
        None => bail!("{op}: expected a contiguous tensor"),
    }
}

fn f32s_mut<'a>(s: &'a mut CpuStorage, l: &Layout, op: &str) -> Result<&'a mut [f32]> {
    let CpuStorage::F32(v) = s else {
        bail!("{op}: expected f32 data")
    };
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&mut v[a..b]),
        None => bail!("{op}: expected a contiguous tensor"),
    }
}

/// The last dimension and the number of rows of a layout.
fn rows_cols(l: &Layout) -> (usize, usize) {
    let dims = l.dims();
    let c = dims.last().copied().unwrap_or(1);
    (l.shape().elem_count() / c.max(1), c)
}

/// Dot product with eight independent accumulators, so the compiler can vectorise it.
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for ((s, x), y) in acc.iter_mut().zip(x).zip(y) {
            *s += x * y;
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// `y += a * x`.
#[inline]
fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// e^x in f32 (Cephes' expf: range reduction by ln 2 and a degree-5 polynomial, within 2 ulp),
/// written without calls, branches or float-to-int conversions so that loops over it vectorise.
#[inline]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const C1: f32 = 0.693_359_4;
    const C2: f32 = -2.121_944_4e-4;
    // 1.5 * 2^23: adding it rounds to an integer, which then sits in the low mantissa bits.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.336_55, 88.0);
    let k = x * LOG2E + ROUND;
    let n = k - ROUND;
    let r = x - n * C1 - n * C2;
    let z = r * r;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 1.666_666_5e-1)
        * r
        + 0.5;
    let y = p * z + r + 1.0;
    // 2^n from n's bits: the biased exponent n + 127 shifted into place.
    let pow2n = f32::from_bits(k.to_bits().wrapping_sub(ROUND.to_bits() - 127) << 23);
    y * pow2n
}

/// The largest element (negative infinity for none), in a form that vectorises.
#[inline]
fn max_of(row: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; 8];
    let chunks = row.chunks_exact(8);
    let rest = chunks.remainder();
    for ch in chunks {
        for (m, &v) in acc.iter_mut().zip(ch) {
            *m = if v > *m { v } else { *m };
        }
    }
    let mut m = acc.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for &v in rest {
        m = if v > m { v } else { m };
    }
    m
}

/// tanh in f32 (Eigen's rational approximation, within a few ulp), vectorisable like [`exp`].
#[inline]
pub fn tanh(x: f32) -> f32 {
    let x = x.clamp(-7.905_311, 7.905_311);
    let x2 = x * x;
    let mut p = x2 * -2.760_768_5e-16 + 2.000_188e-13;
    p = x2 * p + -8.604_672e-11;
    p = x2 * p + 5.122_297e-8;
    p = x2 * p + 1.485_722_4e-5;
    p = x2 * p + 6.372_619_3e-4;
    p = x2 * p + 4.893_524_6e-3;
    p *= x;
    let mut q = x2 * 1.198_258_4e-6 + 1.185_347_1e-4;
    q = x2 * q + 2.268_434_6e-3;
    q = x2 * q + 4.893_525e-3;
    p / q
}

// ---------------------------------------------------------------------------------------------
// Layer norm

/// Layer norm over the last dimension: `(x - mean) / sqrt(var + eps) * w + b`.
pub fn layer_norm(x: &Tensor, w: &Tensor, b: &Tensor, eps: f32) -> Result<Tensor> {
    x.contiguous()?
        .apply_op3(&w.contiguous()?, &b.contiguous()?, LayerNorm { eps })
}

struct LayerNorm {
    eps: f32,
}

/// Mean and 1/std of a row (two passes, for accuracy).
#[inline]
fn moments(row: &[f32], eps: f32) -> (f32, f32) {
    let n = row.len() as f32;
    let mean = row.iter().sum::<f32>() / n;
    let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
    (mean, 1.0 / (var + eps).sqrt())
}

impl CustomOp3 for LayerNorm {
    fn name(&self) -> &'static str {
        "zeef-layer-norm"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (x, w, b) = (
            f32s(s1, l1, "layer_norm")?,
            f32s(s2, l2, "layer_norm")?,
            f32s(s3, l3, "layer_norm")?,
        );
        let (_, c) = rows_cols(l1);
        if w.len() != c || b.len() != c {
            bail!("layer_norm: weight and bias must have {c} elements");
        }
        let mut y = vec![0f32; x.len()];
        y.par_chunks_mut(c * ROWS)
            .zip(x.par_chunks(c * ROWS))
            .for_each(|(yb, xb)| {
                for (yr, xr) in yb.chunks_exact_mut(c).zip(xb.chunks_exact(c)) {
                    let (mean, rstd) = moments(xr, self.eps);
                    for i in 0..c {
                        yr[i] = (xr[i] - mean) * rstd * w[i] + b[i];
                    }
                }
            });
        Ok((CpuStorage::F32(y), l1.shape().clone()))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _b: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        // One pass yields dx (rows 0..n), dw (row n) and db (row n + 1).
        let c = w.elem_count();
        let n = x.elem_count() / c;
        let all = x.contiguous()?.apply_op3_no_bwd(
            &w.contiguous()?,
            &grad.contiguous()?,
            &LayerNormBwd { eps: self.eps },
        )?;
        let dx = all.narrow(0, 0, n)?.reshape(x.shape())?;
        let dw = all.narrow(0, n, 1)?.reshape(w.shape())?;
        let db = all.narrow(0, n + 1, 1)?.reshape(w.shape())?;
        Ok((Some(dx), Some(dw), Some(db)))
    }
}

struct LayerNormBwd {
    eps: f32,
}

impl CustomOp3 for LayerNormBwd {
    fn name(&self) -> &'static str {
        "zeef-layer-norm-bwd"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (x, w, dy) = (
            f32s(s1, l1, "layer_norm_bwd")?,
            f32s(s2, l2, "layer_norm_bwd")?,
            f32s(s3, l3, "layer_norm_bwd")?,
        );
        let (n, c) = rows_cols(l1);
        if dy.len() != x.len() || w.len() != c {
            bail!("layer_norm_bwd: shape mismatch");
        }
        let mut out = vec![0f32; (n + 2) * c];
        let (dx, tail) = out.split_at_mut(n * c);
        // Per block of rows: dx, and the block's partial sums of dw and db.
        let partials: Vec<Vec<f32>> = dx
            .par_chunks_mut(c * ROWS)
            .zip(x.par_chunks(c * ROWS).zip(dy.par_chunks(c * ROWS)))
            .map(|(dxb, (xb, dyb))| {
                let mut part = vec![0f32; 2 * c];
                let mut xhat = vec![0f32; c];
                for ((dxr, xr), dyr) in dxb
                    .chunks_exact_mut(c)
                    .zip(xb.chunks_exact(c))
                    .zip(dyb.chunks_exact(c))
                {
                    let (mean, rstd) = moments(xr, self.eps);
                    let (mut sg, mut sgx) = (0f32, 0f32);
                    for i in 0..c {
                        xhat[i] = (xr[i] - mean) * rstd;
                        let g = dyr[i] * w[i];
                        sg += g;
                        sgx += g * xhat[i];
                        part[i] += dyr[i] * xhat[i];
                        part[c + i] += dyr[i];
                    }
                    let (mg, mgx) = (sg / c as f32, sgx / c as f32);
                    for i in 0..c {
                        dxr[i] = rstd * (dyr[i] * w[i] - mg - xhat[i] * mgx);
                    }
                }
                part
            })
            .collect();
        for part in partials {
            for (t, p) in tail.iter_mut().zip(part) {
                *t += p;
            }
        }
        Ok((CpuStorage::F32(out), Shape::from_dims(&[n + 2, c])))
    }
}

// ---------------------------------------------------------------------------------------------
// Bias

/// `x + b` for rows `x` (rows, n) and a bias `b` (n); its backward sums the gradient's rows in
/// one parallel pass (candle reduces over a leading dimension element by element).
pub fn add_bias(x: &Tensor, b: &Tensor) -> Result<Tensor> {
    x.contiguous()?.apply_op2(&b.contiguous()?, AddBias)
}

struct AddBias;

impl CustomOp2 for AddBias {
    fn name(&self) -> &'static str {
        "zeef-add-bias"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (x, b) = (f32s(s1, l1, "add_bias")?, f32s(s2, l2, "add_bias")?);
        let (_, c) = rows_cols(l1);
        if b.len() != c {
            bail!("add_bias: the bias must have {c} elements, not {}", b.len());
        }
        let mut y = x.to_vec();
        y.par_chunks_mut(c * ROWS).for_each(|yb| {
            for yr in yb.chunks_exact_mut(c) {
                for (y, b) in yr.iter_mut().zip(b) {
                    *y += b;
                }
            }
        });
        Ok((CpuStorage::F32(y), l1.shape().clone()))
    }

    fn bwd(
        &self,
        _x: &Tensor,
        b: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let db = grad.contiguous()?.apply_op1_no_bwd(&SumRows)?;
        Ok((Some(grad.clone()), Some(db.reshape(b.shape())?)))
    }
}

/// Sums the rows of (rows, n) into (n), block by block in a fixed order.
struct SumRows;

impl CustomOp1 for SumRows {
    fn name(&self) -> &'static str {
        "zeef-sum-rows"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let x = f32s(s, l, "sum_rows")?;
        let (_, c) = rows_cols(l);
        let partials: Vec<Vec<f32>> = x
            .par_chunks(c * ROWS * 4)
            .map(|xb| {
                let mut part = vec![0f32; c];
                for xr in xb.chunks_exact(c) {
                    for (p, v) in part.iter_mut().zip(xr) {
                        *p += v;
                    }
                }
                part
            })
            .collect();
        let mut out = vec![0f32; c];
        for part in partials {
            for (o, p) in out.iter_mut().zip(part) {
                *o += p;
            }
        }
        Ok((CpuStorage::F32(out), Shape::from_dims(&[c])))
    }
}

// ---------------------------------------------------------------------------------------------
// GELU (tanh approximation, as GPT-2)

const GELU_A: f32 = 0.797_884_6; // sqrt(2 / pi)
const GELU_B: f32 = 0.044_715;

/// tanh-approximated GELU.
pub fn gelu(x: &Tensor) -> Result<Tensor> {
    x.contiguous()?.apply_op1(Gelu)
}

struct Gelu;

impl CustomOp1 for Gelu {
    fn name(&self) -> &'static str {
        "zeef-gelu"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let x = f32s(s, l, "gelu")?;
        let mut y = vec![0f32; x.len()];
        y.par_chunks_mut(4096)
            .zip(x.par_chunks(4096))
            .for_each(|(y, x)| {
                for (y, &x) in y.iter_mut().zip(x) {
                    let t = tanh(GELU_A * (x + GELU_B * x * x * x));
                    *y = 0.5 * x * (1.0 + t);
                }
            });
        Ok((CpuStorage::F32(y), l.shape().clone()))
    }

    fn bwd(&self, x: &Tensor, _res: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some(
            x.contiguous()?
                .apply_op2_no_bwd(&grad.contiguous()?, &GeluBwd)?,
        ))
    }
}

struct GeluBwd;

impl CustomOp2 for GeluBwd {
    fn name(&self) -> &'static str {
        "zeef-gelu-bwd"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (x, dy) = (f32s(s1, l1, "gelu_bwd")?, f32s(s2, l2, "gelu_bwd")?);
        if x.len() != dy.len() {
            bail!("gelu_bwd: shape mismatch");
        }
        let mut dx = vec![0f32; x.len()];
        dx.par_chunks_mut(4096)
            .zip(x.par_chunks(4096).zip(dy.par_chunks(4096)))
            .for_each(|(dx, (x, dy))| {
                for ((dx, &x), &g) in dx.iter_mut().zip(x).zip(dy) {
                    let x2 = x * x;
                    let t = tanh(GELU_A * (x + GELU_B * x2 * x));
                    let d = 0.5 * (1.0 + t)
                        + 0.5 * x * (1.0 - t * t) * GELU_A * (1.0 + 3.0 * GELU_B * x2);
                    *dx = g * d;
                }
            });
        Ok((CpuStorage::F32(dx), l1.shape().clone()))
    }
}

// ---------------------------------------------------------------------------------------------
// Causal self-attention

/// Causal multi-head self-attention of packed projections `qkv` (batch, time, 3 * width), laid
/// out as GPT-2's `c_attn` output (all queries, then all keys, then all values, each split into
/// `n_head` heads); returns (batch, time, width). The probabilities are recomputed in the
/// backward pass rather than stored.
pub fn causal_attention(qkv: &Tensor, n_head: usize) -> Result<Tensor> {
    let (_, _, c3) = qkv.dims3()?;
    if n_head == 0 || c3 % (3 * n_head) != 0 {
        bail!("causal_attention: width {c3} is not 3 x a multiple of {n_head} heads");
    }
    qkv.contiguous()?.apply_op1(Attention { n_head })
}

struct Attention {
    n_head: usize,
}

/// One head's queries (time, head width), and its keys and values transposed (head width,
/// time), so that the loops over keys run along contiguous memory and vectorise.
struct Head {
    q: Vec<f32>,
    kt: Vec<f32>,
    vt: Vec<f32>,
}

fn gather_head(qkv: &[f32], t: usize, c: usize, bi: usize, hi: usize, hd: usize) -> Head {
    let mut h = Head {
        q: Vec::with_capacity(t * hd),
        kt: vec![0f32; hd * t],
        vt: vec![0f32; hd * t],
    };
    let at = hi * hd;
    for ti in 0..t {
        let row = &qkv[(bi * t + ti) * 3 * c..][..3 * c];
        h.q.extend_from_slice(&row[at..at + hd]);
        for d in 0..hd {
            h.kt[d * t + ti] = row[c + at + d];
            h.vt[d * t + ti] = row[2 * c + at + d];
        }
    }
    h
}

/// Softmax probabilities of query row `i` over keys `0..=i`, into `p[..=i]`.
#[inline]
fn causal_row(h: &Head, t: usize, i: usize, hd: usize, scale: f32, p: &mut [f32]) {
    let p = &mut p[..=i];
    p.fill(0.0);
    for (d, &qd) in h.q[i * hd..(i + 1) * hd].iter().enumerate() {
        axpy(p, qd * scale, &h.kt[d * t..d * t + i + 1]);
    }
    let max = max_of(p);
    let mut sum = 0f32;
    for pj in p.iter_mut() {
        *pj = exp(*pj - max);
        sum += *pj;
    }
    let inv = 1.0 / sum;
    for pj in p.iter_mut() {
        *pj *= inv;
    }
}

impl CustomOp1 for Attention {
    fn name(&self) -> &'static str {
        "zeef-causal-attention"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let qkv = f32s(s, l, "causal_attention")?;
        let (b, t, c3) = l.shape().dims3()?;
        let (c, nh) = (c3 / 3, self.n_head);
        let hd = c / nh;
        let scale = 1.0 / (hd as f32).sqrt();
        // Each (batch, head) pair is independent; results are scattered back in order.
        let outs: Vec<Vec<f32>> = (0..b * nh)
            .into_par_iter()
            .map(|bh| {
                let h = gather_head(qkv, t, c, bh / nh, bh % nh, hd);
                let mut y = vec![0f32; t * hd];
                let mut p = vec![0f32; t];
                for i in 0..t {
                    causal_row(&h, t, i, hd, scale, &mut p);
                    for (d, yd) in y[i * hd..(i + 1) * hd].iter_mut().enumerate() {
                        *yd = dot(&p[..=i], &h.vt[d * t..d * t + i + 1]);
                    }
                }
                y
            })
            .collect();
        let mut y = vec![0f32; b * t * c];
        for (bh, o) in outs.iter().enumerate() {
            let (bi, hi) = (bh / nh, bh % nh);
            for ti in 0..t {
                y[(bi * t + ti) * c + hi * hd..][..hd].copy_from_slice(&o[ti * hd..(ti + 1) * hd]);
            }
        }
        Ok((CpuStorage::F32(y), Shape::from_dims(&[b, t, c])))
    }

    fn bwd(&self, qkv: &Tensor, _res: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some(qkv.contiguous()?.apply_op2_no_bwd(
            &grad.contiguous()?,
            &AttentionBwd {
                n_head: self.n_head,
            },
        )?))
    }
}

struct AttentionBwd {
    n_head: usize,
}

impl CustomOp2 for AttentionBwd {
    fn name(&self) -> &'static str {
        "zeef-causal-attention-bwd"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let qkv = f32s(s1, l1, "causal_attention_bwd")?;
        let dy = f32s(s2, l2, "causal_attention_bwd")?;
        let (b, t, c3) = l1.shape().dims3()?;
        let (c, nh) = (c3 / 3, self.n_head);
        if dy.len() != b * t * c {
            bail!("causal_attention_bwd: shape mismatch");
        }
        let hd = c / nh;
        let scale = 1.0 / (hd as f32).sqrt();
        // Per head: dq (time, head width), and dk, dv transposed like the keys and values.
        let grads: Vec<Head> = (0..b * nh)
            .into_par_iter()
            .map(|bh| {
                let (bi, hi) = (bh / nh, bh % nh);
                let h = gather_head(qkv, t, c, bi, hi, hd);
                let mut g = Head {
                    q: vec![0f32; t * hd],
                    kt: vec![0f32; hd * t],
                    vt: vec![0f32; hd * t],
                };
                let mut p = vec![0f32; t];
                let mut dp = vec![0f32; t];
                for i in 0..t {
                    causal_row(&h, t, i, hd, scale, &mut p);
                    let (p, dp) = (&p[..=i], &mut dp[..=i]);
                    let dyi = &dy[(bi * t + i) * c + hi * hd..][..hd];
                    // dP = dY V^T and dV += P^T dY, key by key along the row.
                    dp.fill(0.0);
                    for (d, &g_d) in dyi.iter().enumerate() {
                        axpy(dp, g_d, &h.vt[d * t..d * t + i + 1]);
                        axpy(&mut g.vt[d * t..d * t + i + 1], g_d, p);
                    }
                    // dS = P (dP - sum_j P dP), scaled as the scores were.
                    let pdp = dot(p, dp);
                    for (dpj, &pj) in dp.iter_mut().zip(p) {
                        *dpj = pj * (*dpj - pdp) * scale;
                    }
                    let ds = &*dp;
                    let qi = &h.q[i * hd..(i + 1) * hd];
                    for (d, dq) in g.q[i * hd..(i + 1) * hd].iter_mut().enumerate() {
                        *dq = dot(ds, &h.kt[d * t..d * t + i + 1]);
                        axpy(&mut g.kt[d * t..d * t + i + 1], qi[d], ds);
                    }
                }
                g
            })
            .collect();
        let mut d = vec![0f32; b * t * c3];
        for (bh, g) in grads.iter().enumerate() {
            let (bi, hi) = (bh / nh, bh % nh);
            let at = hi * hd;
            for ti in 0..t {
                let row = &mut d[(bi * t + ti) * c3..][..c3];
                row[at..at + hd].copy_from_slice(&g.q[ti * hd..(ti + 1) * hd]);
                for dd in 0..hd {
                    row[c + at + dd] = g.kt[dd * t + ti];
                    row[2 * c + at + dd] = g.vt[dd * t + ti];
                }
            }
        }
        Ok((CpuStorage::F32(d), l1.shape().clone()))
    }
}

// ---------------------------------------------------------------------------------------------
// Output head and cross-entropy

/// Mean cross-entropy of predicting `targets` (rows) from features `x` (rows, width) through
/// the output head `w` (vocabulary, width), as a scalar. One operation for both: the logits,
/// the largest tensor of a small model, are made once, kept for the backward pass and turned
/// into their own gradient in place there, instead of passing through candle's gradient
/// accumulation as two more tensors of their size.
pub fn head_cross_entropy(x: &Tensor, w: &Tensor, targets: &Tensor) -> Result<Tensor> {
    let (n, _) = x.dims2()?;
    let targets = targets.flatten_all()?.to_vec1::<u32>()?;
    if targets.len() != n {
        bail!("cross_entropy: {n} rows but {} targets", targets.len());
    }
    x.contiguous()?.apply_op2(
        &w.contiguous()?,
        HeadLoss {
            targets,
            kept: Mutex::new(None),
        },
    )
}

struct HeadLoss {
    targets: Vec<u32>,
    /// The forward pass's logits and per-row log-sum-exp, for the backward pass.
    kept: Mutex<Option<(Tensor, Vec<f32>)>>,
}

/// log(sum(exp(row))), in a form that vectorises.
#[inline]
fn log_sum_exp(row: &[f32]) -> f32 {
    let max = max_of(row);
    let mut acc = [0f32; 8];
    let chunks = row.chunks_exact(8);
    let rest = chunks.remainder();
    for ch in chunks {
        for (s, &v) in acc.iter_mut().zip(ch) {
            *s += exp(v - max);
        }
    }
    let mut s = acc.iter().sum::<f32>();
    for &v in rest {
        s += exp(v - max);
    }
    s.ln() + max
}

fn check_targets(tg: &[u32], v: usize) -> Result<()> {
    if let Some(bad) = tg.iter().find(|&&t| t as usize >= v) {
        bail!("cross_entropy: target id {bad} is outside the vocabulary of {v}");
    }
    Ok(())
}

/// Each row's log-sum-exp and the summed loss of a (rows, vocabulary) logits tensor.
fn row_losses(logits: &Tensor, targets: &[u32]) -> Result<(Vec<f32>, f64)> {
    let (_, v) = logits.dims2()?;
    let (st, l) = logits.storage_and_layout();
    let candle_core::Storage::Cpu(cpu) = &*st else {
        bail!("cross_entropy: expected CPU logits");
    };
    let z = f32s(cpu, l, "cross_entropy")?;
    let blocks: Vec<(Vec<f32>, f64)> = z
        .par_chunks(v * ROWS)
        .zip(targets.par_chunks(ROWS))
        .map(|(zb, tb)| {
            let mut lse = Vec::with_capacity(tb.len());
            let mut sum = 0f64;
            for (row, &t) in zb.chunks_exact(v).zip(tb) {
                let m = log_sum_exp(row);
                lse.push(m);
                sum += (m - row[t as usize]) as f64;
            }
            (lse, sum)
        })
        .collect();
    let mut lse = Vec::with_capacity(targets.len());
    let mut total = 0f64;
    for (l, s) in blocks {
        lse.extend(l);
        total += s;
    }
    Ok((lse, total))
}

impl CustomOp2 for HeadLoss {
    fn name(&self) -> &'static str {
        "zeef-head-cross-entropy"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (x, w) = (
            f32s(s1, l1, "cross_entropy")?,
            f32s(s2, l2, "cross_entropy")?,
        );
        let ((n, c), (v, c2)) = (rows_cols(l1), rows_cols(l2));
        if c != c2 || n != self.targets.len() {
            bail!(
                "cross_entropy: features ({n}, {c}), head ({v}, {c2}), {} targets",
                self.targets.len()
            );
        }
        check_targets(&self.targets, v)?;
        let dev = candle_core::Device::Cpu;
        let logits = Tensor::from_slice(x, (n, c), &dev)?
            .matmul(&Tensor::from_slice(w, (v, c), &dev)?.t()?)?;
        let (lse, total) = row_losses(&logits, &self.targets)?;
        let loss = (total / n.max(1) as f64) as f32;
        let Ok(mut kept) = self.kept.lock() else {
            bail!("cross_entropy: poisoned lock");
        };
        *kept = Some((logits, lse));
        Ok((CpuStorage::F32(vec![loss]), Shape::from_dims(&[])))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let (x, w) = (x.detach().contiguous()?, w.detach().contiguous()?);
        let kept = match self.kept.lock() {
            Ok(mut k) => k.take(),
            Err(_) => bail!("cross_entropy: poisoned lock"),
        };
        let (logits, lse) = match kept {
            Some(k) => k,
            None => {
                let logits = x.matmul(&w.t()?)?;
                let (lse, _) = row_losses(&logits, &self.targets)?;
                (logits, lse)
            }
        };
        let n = self.targets.len().max(1);
        let g = grad.to_dtype(candle_core::DType::F32)?.to_scalar::<f32>()?;
        logits.inplace_op1(&SoftmaxGrad {
            targets: &self.targets,
            lse: &lse,
            scale: g / n as f32,
        })?;
        let dx = logits.matmul(&w)?;
        let dw = logits.t()?.matmul(&x)?;
        Ok((Some(dx), Some(dw)))
    }
}

/// Turns logits into the gradient of the mean cross-entropy: (softmax - one-hot) * scale.
struct SoftmaxGrad<'a> {
    targets: &'a [u32],
    lse: &'a [f32],
    scale: f32,
}

impl InplaceOp1 for SoftmaxGrad<'_> {
    fn name(&self) -> &'static str {
        "zeef-softmax-grad"
    }

    fn cpu_fwd(&self, s: &mut CpuStorage, l: &Layout) -> Result<()> {
        let (_, v) = rows_cols(l);
        let z = f32s_mut(s, l, "cross_entropy_bwd")?;
        if z.len() != self.targets.len() * v || self.lse.len() != self.targets.len() {
            bail!("cross_entropy_bwd: shape mismatch");
        }
        let scale = self.scale;
        z.par_chunks_mut(v * ROWS)
            .zip(self.targets.par_chunks(ROWS).zip(self.lse.par_chunks(ROWS)))
            .for_each(|(zb, (tb, lb))| {
                for ((row, &t), &lse) in zb.chunks_exact_mut(v).zip(tb).zip(lb) {
                    for z in row.iter_mut() {
                        *z = exp(*z - lse) * scale;
                    }
                    row[t as usize] -= scale;
                }
            });
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// AdamW

/// The AdamW settings of one step.
#[derive(Debug, Clone, Copy)]
pub struct AdamStep {
    /// Gradient scale (clipping), applied before the moments.
    pub grad_scale: f64,
    /// Moment decay rates.
    pub beta1: f64,
    /// Second-moment decay rate.
    pub beta2: f64,
    /// Bias corrections `1 - beta^step`.
    pub bc1: f64,
    /// Second-moment bias correction.
    pub bc2: f64,
    /// Denominator epsilon.
    pub eps: f64,
    /// Learning rate.
    pub lr: f64,
    /// Decoupled weight decay for this parameter (0 for none).
    pub weight_decay: f64,
}

/// Updates a moment in place from the gradient `g`: the first (`m`, of `g`) or the second
/// (`v`, of `g²`).
struct Moment {
    step: AdamStep,
    second: bool,
}
/// Updates the parameter in place from the moments.
struct Update(AdamStep);

impl InplaceOp2 for Moment {
    fn name(&self) -> &'static str {
        if self.second {
            "zeef-adamw-v"
        } else {
            "zeef-adamw-m"
        }
    }
    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<()> {
        let g = f32s(s2, l2, "adamw")?;
        let moment = f32s_mut(s1, l1, "adamw")?;
        if moment.len() != g.len() {
            bail!("adamw: shape mismatch");
        }
        let beta = if self.second {
            self.step.beta2
        } else {
            self.step.beta1
        };
        let (b, a, s) = (
            beta as f32,
            (1.0 - beta) as f32,
            self.step.grad_scale as f32,
        );
        if self.second {
            for (v, &g) in moment.iter_mut().zip(g) {
                let g = g * s;
                *v = *v * b + (g * g) * a;
            }
        } else {
            for (m, &g) in moment.iter_mut().zip(g) {
                *m = *m * b + (g * s) * a;
            }
        }
        Ok(())
    }
}

impl InplaceOp3 for Update {
    fn name(&self) -> &'static str {
        "zeef-adamw-update"
    }
    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<()> {
        let m = f32s(s2, l2, "adamw")?;
        let v = f32s(s3, l3, "adamw")?;
        let p = f32s_mut(s1, l1, "adamw")?;
        if p.len() != m.len() || p.len() != v.len() {
            bail!("adamw: shape mismatch");
        }
        let a = &self.0;
        let (ibc1, ibc2, eps, lr) = (
            (1.0 / a.bc1) as f32,
            (1.0 / a.bc2) as f32,
            a.eps as f32,
            a.lr as f32,
        );
        let keep = (1.0 - a.lr * a.weight_decay) as f32;
        for ((p, &m), &v) in p.iter_mut().zip(m).zip(v) {
            let update = (m * ibc1) / ((v * ibc2).sqrt() + eps);
            *p = *p * keep - update * lr;
        }
        Ok(())
    }
}

/// One AdamW step in place: the moments `m` and `v`, then the parameter `p`, from gradient `g`.
pub fn adamw_in_place(p: &Tensor, m: &Tensor, v: &Tensor, g: &Tensor, s: AdamStep) -> Result<()> {
    let g = g.contiguous()?;
    m.inplace_op2(
        &g,
        &Moment {
            step: s,
            second: false,
        },
    )?;
    v.inplace_op2(
        &g,
        &Moment {
            step: s,
            second: true,
        },
    )?;
    p.inplace_op3(m, v, &Update(s))
}

/// Sum of squares of a tensor's elements, in f64 (for the gradient norm).
pub fn sum_sq(t: &Tensor) -> Result<f64> {
    let t = t.contiguous()?;
    let (s, l) = t.storage_and_layout();
    let candle_core::Storage::Cpu(cpu) = &*s else {
        bail!("sum_sq: expected a CPU tensor");
    };
    let x = f32s(cpu, l, "sum_sq")?;
    Ok(x.chunks(4096)
        .map(|ch| ch.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>())
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_and_tanh_match_the_standard_library() {
        let mut worst = (0f32, 0f32);
        for i in -40_000..=40_000 {
            let x = i as f32 / 1000.0;
            let e = (exp(x) - x.exp()).abs() / x.exp();
            let t = (tanh(x) - x.tanh()).abs();
            worst = (worst.0.max(e), worst.1.max(t));
        }
        assert!(worst.0 < 4e-7, "exp relative error {}", worst.0);
        assert!(worst.1 < 4e-7, "tanh absolute error {}", worst.1);
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(-1000.0) >= 0.0 && exp(-1000.0) < 1e-37);
        assert_eq!(tanh(100.0), 1.0);
        assert_eq!(tanh(-100.0), -1.0);
    }

    #[test]
    fn cross_entropy_rejects_targets_outside_the_vocabulary() -> Result<()> {
        let dev = candle_core::Device::Cpu;
        let x = Tensor::ones((2, 3), candle_core::DType::F32, &dev)?;
        let w = Tensor::zeros((4, 3), candle_core::DType::F32, &dev)?;
        let bad = Tensor::new(&[1u32, 4], &dev)?;
        assert!(head_cross_entropy(&x, &w, &bad).is_err());
        let good = Tensor::new(&[1u32, 3], &dev)?;
        let l = head_cross_entropy(&x, &w, &good)?.to_scalar::<f32>()?;
        assert!((l - 4f32.ln()).abs() < 1e-6);
        Ok(())
    }
}
