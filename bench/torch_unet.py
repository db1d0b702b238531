#!/usr/bin/env python3
"""PyTorch reference of `sdevk bench --op unet`.

Builds score_sde's DDPM++ (models/ncsnpp.py with resblock_type biggan,
positional embedding, no FIR, skip_rescale, resamp_with_conv, conditional,
progressive none) in plain PyTorch, for 28x28x1 images, nf 32, ch_mult
(1, 2, 2), num_res_blocks 2, attn_resolutions (14,), dropout 0.1, and times
on the CPU:

- one training step of the continuous VP DSM loss (score_sde's
  get_sde_loss_fn, reduce_mean), Adam with gradient clipping at 1 and a
  warm-up, and the EMA update (score_sde's ExponentialMovingAverage);
- one score evaluation of the same batch (eval mode, no gradients).

Prints one JSON object: the parameter count and the times in milliseconds.
Needs Debian's python3-torch (1.13); sdevk's bench runs it with the
thread count it is given (default 2). Written for sdevk from score_sde's
architecture; the module names follow score_sde's so that the parameter
count can be compared module by module.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def default_init(tensor, scale=1.0):
    """score_sde's default_init: variance scaling, fan_avg, uniform."""
    scale = 1e-10 if scale == 0 else scale
    fan_in = tensor.shape[1] * tensor[0][0].numel() if tensor.dim() > 2 else tensor.shape[1]
    fan_out = tensor.shape[0] * tensor[0][0].numel() if tensor.dim() > 2 else tensor.shape[0]
    variance = scale / ((fan_in + fan_out) / 2)
    with torch.no_grad():
        tensor.uniform_(-math.sqrt(3 * variance), math.sqrt(3 * variance))


def conv(in_ch, out_ch, k, init_scale=1.0):
    c = nn.Conv2d(in_ch, out_ch, k, padding=k // 2)
    default_init(c.weight, init_scale)
    nn.init.zeros_(c.bias)
    return c


def dense(in_dim, out_dim):
    d = nn.Linear(in_dim, out_dim)
    default_init(d.weight)
    nn.init.zeros_(d.bias)
    return d


def group_norm(ch):
    return nn.GroupNorm(num_groups=min(ch // 4, 32), num_channels=ch, eps=1e-6)


class NIN(nn.Module):
    """A 1x1 convolution stored as score_sde's NIN: W [in, out], b [out]."""

    def __init__(self, in_dim, num_units, init_scale=0.1):
        super().__init__()
        self.W = nn.Parameter(torch.empty(in_dim, num_units))
        default_init(self.W, init_scale)  # fan_avg: the same for either axis order
        self.b = nn.Parameter(torch.zeros(num_units))

    def forward(self, x):
        return F.conv2d(x, self.W.t()[:, :, None, None], self.b)


class AttnBlockpp(nn.Module):
    def __init__(self, channels, skip_rescale=True, init_scale=0.0):
        super().__init__()
        self.GroupNorm_0 = group_norm(channels)
        self.NIN_0 = NIN(channels, channels)
        self.NIN_1 = NIN(channels, channels)
        self.NIN_2 = NIN(channels, channels)
        self.NIN_3 = NIN(channels, channels, init_scale=init_scale)
        self.skip_rescale = skip_rescale

    def forward(self, x):
        b, c, h, w = x.shape
        hn = self.GroupNorm_0(x)
        q, k, v = self.NIN_0(hn), self.NIN_1(hn), self.NIN_2(hn)
        wts = torch.einsum("bchw,bcij->bhwij", q, k) * (int(c) ** (-0.5))
        wts = torch.softmax(wts.reshape(b, h, w, h * w), dim=-1).reshape(b, h, w, h, w)
        out = self.NIN_3(torch.einsum("bhwij,bcij->bchw", wts, v))
        return (x + out) / math.sqrt(2.0) if self.skip_rescale else x + out


class ResnetBlockBigGANpp(nn.Module):
    def __init__(self, act, in_ch, out_ch, temb_dim, up=False, down=False, dropout=0.1,
                 skip_rescale=True, init_scale=0.0):
        super().__init__()
        self.GroupNorm_0 = group_norm(in_ch)
        self.Conv_0 = conv(in_ch, out_ch, 3)
        self.Dense_0 = dense(temb_dim, out_ch)
        self.GroupNorm_1 = group_norm(out_ch)
        self.Dropout_0 = nn.Dropout(dropout)
        self.Conv_1 = conv(out_ch, out_ch, 3, init_scale=init_scale)
        if in_ch != out_ch or up or down:
            self.Conv_2 = conv(in_ch, out_ch, 1)
        self.act, self.up, self.down = act, up, down
        self.in_ch, self.out_ch, self.skip_rescale = in_ch, out_ch, skip_rescale

    def forward(self, x, temb):
        h = self.act(self.GroupNorm_0(x))
        if self.up:  # naive_upsample_2d
            h = F.interpolate(h, scale_factor=2, mode="nearest")
            x = F.interpolate(x, scale_factor=2, mode="nearest")
        elif self.down:  # naive_downsample_2d
            h = F.avg_pool2d(h, 2)
            x = F.avg_pool2d(x, 2)
        h = self.Conv_0(h)
        h = h + self.Dense_0(self.act(temb))[:, :, None, None]
        h = self.act(self.GroupNorm_1(h))
        h = self.Dropout_0(h)
        h = self.Conv_1(h)
        if self.in_ch != self.out_ch or self.up or self.down:
            x = self.Conv_2(x)
        return (x + h) / math.sqrt(2.0) if self.skip_rescale else x + h


def timestep_embedding(timesteps, dim, max_positions=10000):
    half = dim // 2
    freqs = torch.exp(torch.arange(half, dtype=torch.float32, device=timesteps.device) * -(math.log(max_positions) / (half - 1)))
    emb = timesteps.float()[:, None] * freqs[None, :]
    return torch.cat([torch.sin(emb), torch.cos(emb)], dim=1)


class DDPMpp(nn.Module):
    """NCSNpp with DDPM++'s settings: all_modules in score_sde's order."""

    def __init__(self, nf=32, ch_mult=(1, 2, 2), num_res_blocks=2, attn_resolutions=(14,),
                 image_size=28, channels=1, dropout=0.1):
        super().__init__()
        self.act = act = nn.SiLU()
        self.nf, self.ch_mult, self.num_res_blocks = nf, ch_mult, num_res_blocks
        self.attn_resolutions = attn_resolutions
        res = [image_size // (2 ** i) for i in range(len(ch_mult))]
        temb = 4 * nf
        block = lambda i, o, up=False, down=False: ResnetBlockBigGANpp(act, i, o, temb, up, down, dropout)
        ms = [dense(nf, temb), dense(temb, temb), conv(channels, nf, 3)]
        hs_c, in_ch = [nf], nf
        for lvl, mult in enumerate(ch_mult):
            for _ in range(num_res_blocks):
                ms.append(block(in_ch, nf * mult))
                in_ch = nf * mult
                if res[lvl] in attn_resolutions:
                    ms.append(AttnBlockpp(in_ch))
                hs_c.append(in_ch)
            if lvl != len(ch_mult) - 1:
                ms.append(block(in_ch, in_ch, down=True))
                hs_c.append(in_ch)
        in_ch = hs_c[-1]
        ms += [block(in_ch, in_ch), AttnBlockpp(in_ch), block(in_ch, in_ch)]
        for lvl in reversed(range(len(ch_mult))):
            for _ in range(num_res_blocks + 1):
                ms.append(block(in_ch + hs_c.pop(), nf * ch_mult[lvl]))
                in_ch = nf * ch_mult[lvl]
            if res[lvl] in attn_resolutions:
                ms.append(AttnBlockpp(in_ch))
            if lvl != 0:
                ms.append(block(in_ch, in_ch, up=True))
        assert not hs_c
        ms += [group_norm(in_ch), conv(in_ch, channels, 3, init_scale=0.0)]
        self.all_modules = nn.ModuleList(ms)

    def forward(self, x, labels):
        it = iter(self.all_modules)
        temb = next(it)(timestep_embedding(labels, self.nf))
        temb = next(it)(self.act(temb))
        x = 2 * x - 1.0  # data.centered False
        hs = [next(it)(x)]
        for lvl in range(len(self.ch_mult)):
            for _ in range(self.num_res_blocks):
                h = next(it)(hs[-1], temb)
                if h.shape[-1] in self.attn_resolutions:
                    h = next(it)(h)
                hs.append(h)
            if lvl != len(self.ch_mult) - 1:
                hs.append(next(it)(hs[-1], temb))
        h = next(it)(hs[-1], temb)
        h = next(it)(h)
        h = next(it)(h, temb)
        for lvl in reversed(range(len(self.ch_mult))):
            for _ in range(self.num_res_blocks + 1):
                h = next(it)(torch.cat([h, hs.pop()], dim=1), temb)
            if h.shape[-1] in self.attn_resolutions:
                h = next(it)(h)
            if lvl != 0:
                h = next(it)(h, temb)
        h = self.act(next(it)(h))
        return next(it)(h)


class VPSDE:
    def __init__(self, beta_min=0.1, beta_max=20.0):
        self.b0, self.b1 = beta_min, beta_max

    def std(self, t):
        log_mean = -0.25 * t ** 2 * (self.b1 - self.b0) - 0.5 * t * self.b0
        return torch.sqrt(1.0 - torch.exp(2.0 * log_mean)), torch.exp(log_mean)


def score_fn(net, sde, x, t):
    """score_sde's get_score_fn for a continuous VP SDE."""
    std, _ = sde.std(t)
    return -net(x, t * 999) / std[:, None, None, None]


def dsm_loss(net, sde, x0, eps=1e-5):
    t = torch.rand(x0.shape[0], device=x0.device) * (1 - eps) + eps
    z = torch.randn_like(x0)
    std, mean_coef = sde.std(t)
    xt = mean_coef[:, None, None, None] * x0 + std[:, None, None, None] * z
    s = score_fn(net, sde, xt, t)
    return torch.mean(torch.mean(torch.square(s * std[:, None, None, None] + z).reshape(x0.shape[0], -1), dim=1))


def median(v):
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--nf", type=int, default=32)
    ap.add_argument("--ch-mult", default="1,2,2")
    ap.add_argument("--res-blocks", type=int, default=2)
    ap.add_argument("--attn", default="14")
    ap.add_argument("--image-size", type=int, default=28)
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda (fp32, TF32 off: the same arithmetic as sdevk)")
    args = ap.parse_args()
    ints = lambda s: tuple(int(v) for v in s.split(",") if v)
    dev = torch.device(args.device)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = DDPMpp(nf=args.nf, ch_mult=ints(args.ch_mult), num_res_blocks=args.res_blocks,
                 attn_resolutions=ints(args.attn), image_size=args.image_size, channels=args.channels).to(dev)
    params = sum(p.numel() for p in net.parameters())
    ema = [p.detach().clone() for p in net.parameters()]
    opt = torch.optim.Adam(net.parameters(), lr=2e-4, betas=(0.9, 0.999), eps=1e-8)
    sde = VPSDE()
    x0 = torch.rand(args.batch, args.channels, args.image_size, args.image_size, device=dev)
    step = [0]

    def train_step():
        net.train()
        opt.zero_grad()
        loss = dsm_loss(net, sde, x0)
        loss.backward()
        step[0] += 1
        for g in opt.param_groups:  # score_sde's optimize_fn: warm-up, then clipping
            g["lr"] = 2e-4 * min(step[0] / 5000, 1.0)
        torch.nn.utils.clip_grad_norm_(net.parameters(), max_norm=1.0)
        opt.step()
        decay = min(0.9999, (1 + step[0]) / (10 + step[0]))
        with torch.no_grad():
            for s, p in zip(ema, net.parameters()):
                s.sub_((1 - decay) * (s - p))
        return loss.item()

    t = torch.rand(args.batch, device=dev) * (1 - 1e-5) + 1e-5

    def score_eval():
        net.eval()
        with torch.no_grad():
            return score_fn(net, sde, x0, t).sum().item()

    out = {"parameters": params, "threads": torch.get_num_threads(), "torch": torch.__version__, "batch": args.batch,
           "device": torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"}
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    for name, f in [("train", train_step), ("score", score_eval)]:
        for _ in range(args.warmup):
            f()
        ms = []
        for _ in range(args.repeats):
            sync()
            start = time.perf_counter()
            f()
            sync()
            ms.append(1e3 * (time.perf_counter() - start))
        out[name + "_ms"] = ms
        out[name + "_median_ms"] = median(ms)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
