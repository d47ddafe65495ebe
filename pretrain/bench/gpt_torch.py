"""The model `zeef train` trains, in PyTorch, for a side-by-side throughput comparison.

Same architecture (GPT-2 layout: learned positions, pre-norm blocks, causal self-attention,
tanh-GELU MLP, tied head), same initialisation scheme, same AdamW/warm-up/cosine/clipping
settings, same batch and context, reading the same token shards. Reports training tokens/s
over the optimiser steps (evaluation excluded), as zeef's metrics.json does.

    python gpt_torch.py RUN/tokens --n-layer 2 --n-head 2 --n-embd 64 --block-size 64 \
        --batch-size 8 --steps 200 --threads 2
"""
import argparse
import glob
import json
import math
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_split(tokens_dir, split):
    out = []
    for path in sorted(glob.glob(os.path.join(tokens_dir, f"{split}_*.bin"))):
        with open(path, "rb") as f:
            header = struct.unpack("<256i", f.read(1024))
        assert header[0] == 20240520, path
        dtype = np.uint16 if header[1] == 1 else np.uint32
        out.append(np.memmap(path, dtype=dtype, mode="r", offset=1024))
    return out


class Block(nn.Module):
    def __init__(self, c, h):
        super().__init__()
        self.h = h
        self.ln_1, self.ln_2 = nn.LayerNorm(c), nn.LayerNorm(c)
        self.c_attn, self.c_proj = nn.Linear(c, 3 * c), nn.Linear(c, c)
        self.c_fc, self.mlp_proj = nn.Linear(c, 4 * c), nn.Linear(4 * c, c)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.h, c // self.h).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, vocab, block, n_layer, n_head, c, init_std):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, c), nn.Embedding(block, c)
        self.h = nn.ModuleList(Block(c, n_head) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(c)
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif "ln_" in name:
                nn.init.ones_(p)
            else:
                proj = name.endswith("c_proj.weight") or name.endswith("mlp_proj.weight")
                nn.init.normal_(p, 0.0, init_std / math.sqrt(2 * n_layer) if proj else init_std)

    def forward(self, idx, targets):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t, device=idx.device))
        for block in self.h:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.t()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tokens")
    ap.add_argument("--n-layer", type=int, default=2)
    ap.add_argument("--n-head", type=int, default=2)
    ap.add_argument("--n-embd", type=int, default=64)
    ap.add_argument("--block-size", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--steps", type=int, default=200)
    # The tiny preset's defaults (pretrain/src/train.rs).
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--min-lr", type=float, default=1e-3)
    ap.add_argument("--init-std", type=float, default=0.125)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--bf16", action="store_true")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1337)
    with open(os.path.join(a.tokens, "tokens.json")) as f:
        vocab = json.load(f)["vocab_size"]
    shards = [s for s in load_split(a.tokens, "train") if len(s) > a.block_size]
    model = GPT(vocab, a.block_size, a.n_layer, a.n_head, a.n_embd, a.init_std).to(a.device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and n != "wpe.weight"]
    other = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and n != "wpe.weight")]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
        lr=a.lr, betas=(0.9, 0.95), eps=1e-8)
    step_fn = torch.compile(model) if a.compile else model
    rng = np.random.default_rng(1337)
    sizes = np.array([len(s) - a.block_size for s in shards], dtype=np.float64)

    def batch():
        xs, ys = [], []
        for _ in range(a.batch_size):
            s = shards[rng.choice(len(shards), p=sizes / sizes.sum())]
            i = int(rng.integers(0, len(s) - a.block_size))
            w = torch.from_numpy(s[i:i + a.block_size + 1].astype(np.int64))
            xs.append(w[:-1])
            ys.append(w[1:])
        return torch.stack(xs).to(a.device), torch.stack(ys).to(a.device)

    def lr_at(step):
        if step < a.warmup:
            return a.lr * (step + 1) / a.warmup
        ratio = (step - a.warmup) / max(1, a.steps - a.warmup)
        return a.min_lr + 0.5 * (1 + math.cos(math.pi * ratio)) * (a.lr - a.min_lr)

    elapsed, loss = 0.0, float("nan")
    for step in range(a.steps):
        t0 = time.perf_counter()
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        x, y = batch()
        with torch.autocast(device_type=a.device.split(":")[0], dtype=torch.bfloat16, enabled=a.bf16):
            loss_t = step_fn(x, y)
        opt.zero_grad(set_to_none=True)
        loss_t.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss = loss_t.item()
        elapsed += time.perf_counter() - t0
    n = sum(p.numel() for p in model.parameters())
    print(json.dumps({
        "framework": f"pytorch {torch.__version__}",
        "parameters": n,
        "steps": a.steps,
        "tokens_per_s": a.steps * a.batch_size * a.block_size / elapsed,
        "final_train_loss": loss,
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
