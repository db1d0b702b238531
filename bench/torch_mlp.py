#!/usr/bin/env python3
"""PyTorch reference of `sdevk bench --op mlp-eval`.

The demo's score network (configs/vp_dsm.toml; model/mlp.go) in plain
PyTorch: a sinusoidal time embedding of t (N-1) with 64 features, Dense 64
-> 128, SiLU, Dense 128 -> 128, then [x, temb] through 3 hidden layers of
128 with SiLU and a Dense to the data dimension; the score is -net / std(t)
(the VP SDE's noise parameterisation). Times one reverse Euler-Maruyama step
of score_sde's sampler (score evaluation, drift, noise and update) on a batch
of points in float32 under torch.no_grad, and the evaluation alone.

Prints one JSON object: the parameter count and the times in milliseconds
(wall times of each repeat, and the CPU time of all threads per call, which
depends less than the wall time on what else the machine runs).
Needs Debian's python3-torch (1.13); sdevk's bench runs it with the thread
count it is given (default 2). Debian's build reports BLAS_INFO=generic:
its Linear layers run on a generic BLAS (a 10000x128 by 128x128 product
took about 7 GFLOP per CPU-second here), so most of the step is the
products.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self, dim, hidden, layers, embed_dim, n_scales):
        super().__init__()
        half = embed_dim // 2
        self.register_buffer("freqs", torch.exp(torch.arange(half, dtype=torch.float32) * -(math.log(10000) / (half - 1))))
        self.scale = float(n_scales - 1)
        self.temb0, self.temb1 = nn.Linear(embed_dim, hidden), nn.Linear(hidden, hidden)
        dims = [dim + hidden] + [hidden] * layers
        self.hidden = nn.ModuleList(nn.Linear(i, o) for i, o in zip(dims[:-1], dims[1:]))
        self.out = nn.Linear(hidden, dim)
        self.act = nn.SiLU()

    def forward(self, x, t):
        e = (t * self.scale)[:, None] * self.freqs[None, :]
        temb = self.temb1(self.act(self.temb0(torch.cat([torch.sin(e), torch.cos(e)], dim=1))))
        h = torch.cat([x, temb], dim=1)
        for layer in self.hidden:
            h = self.act(layer(h))
        return self.out(h)


class VP:
    def __init__(self, beta_min, beta_max, n):
        self.b0, self.b1, self.n = beta_min, beta_max, n

    def beta(self, t):
        return self.b0 + t * (self.b1 - self.b0)

    def std(self, t):
        log_mean = -0.25 * t ** 2 * (self.b1 - self.b0) - 0.5 * t * self.b0
        return torch.sqrt(1 - torch.exp(2 * log_mean))


def score(net, sde, x, t):
    return -net(x, t) / sde.std(t)[:, None]


def em_step(net, sde, x, t, dt):
    """score_sde's EulerMaruyamaPredictor on the reverse SDE."""
    beta = sde.beta(t)[:, None]
    drift = -0.5 * beta * x - beta * score(net, sde, x, t)
    x_mean = x + drift * dt
    return x_mean + torch.sqrt(beta * -dt) * torch.randn_like(x)


def times(f, repeats, warmup):
    """Wall times of f in milliseconds, and the process's CPU time (all
    threads) per call over the same repeats."""
    for _ in range(warmup):
        f()
    out = []
    cpu = time.process_time()
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        out.append((time.perf_counter() - start) * 1e3)
    return out, (time.process_time() - cpu) * 1e3 / repeats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=10000)
    ap.add_argument("--dim", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--embed-dim", type=int, default=64)
    ap.add_argument("--scales", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = MLP(a.dim, a.hidden, a.layers, a.embed_dim, a.scales).eval()
    sde = VP(0.1, 20.0, a.scales)
    x = torch.randn(a.batch, a.dim)
    t = torch.full((a.batch,), 0.5)
    dt = -1.0 / a.scales
    with torch.no_grad():
        step_ms, step_cpu_ms = times(lambda: em_step(net, sde, x, t, dt), a.repeats, a.warmup)
        eval_ms, eval_cpu_ms = times(lambda: score(net, sde, x, t), a.repeats, a.warmup)
    print(json.dumps({
        "parameters": sum(p.numel() for p in net.parameters()),
        "threads": torch.get_num_threads(), "torch": torch.__version__, "device": "cpu",
        "step_ms": step_ms, "eval_ms": eval_ms, "step_cpu_ms": step_cpu_ms, "eval_cpu_ms": eval_cpu_ms,
    }))


if __name__ == "__main__":
    main()
