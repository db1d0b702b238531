#!/usr/bin/env python3
"""PyTorch reference of `sdevk bench --op oracle16`.

Times the exact score of a Gaussian mixture sum_k w_k N(mu_k, Sigma_k) in
--dim dimensions with full covariances, perturbed by the VP SDE's marginal
at time t (x_t = a x_0 + std z): the components become N(a mu_k, C_k),
C_k = a^2 Sigma_k + std^2 I, and

    score(x) = sum_k r_k(x) C_k^{-1} (a mu_k - x),
    r(x) = softmax_k(log w_k - ((x - a mu_k)^T C_k^{-1} (x - a mu_k) + log det C_k) / 2).

One evaluation, as a sampler calls it at a new t: the K perturbed
covariances, their Cholesky factors and inverses, then the batched products
over the points, float32 on the CPU with the given thread count. The
formula is first checked in float64 against autograd of the mixture's
log-density through torch.distributions on a few points.

Prints one JSON object: for each component count, the times in
milliseconds of one evaluation on --points points. sdevk's bench runs it
(SDEVK_TORCH_PYTHON picks the interpreter); it also runs on its own:
python3 bench/torch_oracle.py.
"""
import argparse
import json
import math
import time

import torch


def mixture(k, d, gen, dtype):
    """A random mixture: means N(0, 4 I), covariances A A^T / d + 0.1 I."""
    mu = 2 * torch.randn(k, d, generator=gen, dtype=torch.float64)
    a = torch.randn(k, d, d, generator=gen, dtype=torch.float64)
    sigma = a @ a.transpose(1, 2) / d + 0.1 * torch.eye(d, dtype=torch.float64)
    logw = torch.log_softmax(torch.randn(k, generator=gen, dtype=torch.float64), 0)
    return logw.to(dtype), mu.to(dtype), sigma.to(dtype)


def oracle_score(x, logw, mu, sigma, a, std):
    """The perturbed mixture's score at the points x [N, D]."""
    d = x.shape[1]
    cov = a * a * sigma + std * std * torch.eye(d, dtype=x.dtype)
    chol = torch.linalg.cholesky(cov)
    prec = torch.cholesky_inverse(chol)                      # [K, D, D]
    logdet = 2 * torch.log(torch.diagonal(chol, dim1=1, dim2=2)).sum(1)
    diff = x.unsqueeze(0) - a * mu.unsqueeze(1)              # [K, N, D]
    u = torch.bmm(diff, prec)                                # C_k^{-1} (x - a mu_k), C symmetric
    quad = (diff * u).sum(2)                                 # [K, N]
    resp = torch.softmax(logw.unsqueeze(1) - 0.5 * (quad + logdet.unsqueeze(1)), 0)
    return -(resp.unsqueeze(2) * u).sum(0)


def check_formula(d):
    """oracle_score against autograd of log p in float64."""
    gen = torch.Generator().manual_seed(7)
    logw, mu, sigma = mixture(3, d, gen, torch.float64)
    a, std = 0.6, 0.8
    x = torch.randn(20, d, generator=gen, dtype=torch.float64).requires_grad_()
    comps = torch.distributions.MultivariateNormal(a * mu, a * a * sigma + std * std * torch.eye(d, dtype=torch.float64))
    logp = torch.logsumexp(logw + comps.log_prob(x.unsqueeze(1)), 1).sum()
    (want,) = torch.autograd.grad(logp, x)
    got = oracle_score(x.detach(), logw, mu, sigma, a, std)
    err = (got - want).abs().max().item()
    if not err <= 1e-9 * (1 + want.abs().max().item()):
        raise SystemExit(f"torch_oracle.py: formula differs from autograd by {err}")


def vp_marginal(t, beta_min=0.1, beta_max=20.0):
    """score_sde's VPSDE.marginal_prob coefficients at t."""
    log_mean = -0.25 * t * t * (beta_max - beta_min) - 0.5 * t * beta_min
    return math.exp(log_mean), math.sqrt(1 - math.exp(2 * log_mean))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=10000)
    ap.add_argument("--dim", type=int, default=16)
    ap.add_argument("--components", default="1,16")
    ap.add_argument("--t", type=float, default=0.5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    check_formula(args.dim)
    gen = torch.Generator().manual_seed(1)
    a, std = vp_marginal(args.t)
    out = {"threads": torch.get_num_threads(), "torch": torch.__version__, "points": args.points, "dim": args.dim, "ms": {}}
    with torch.no_grad():
        for k in [int(v) for v in args.components.split(",")]:
            logw, mu, sigma = mixture(k, args.dim, gen, torch.float32)
            x = torch.randn(args.points, args.dim, generator=gen)
            ms = []
            for i in range(args.warmup + args.repeats):
                start = time.perf_counter()
                oracle_score(x, logw, mu, sigma, a, std)
                if i >= args.warmup:
                    ms.append(1e3 * (time.perf_counter() - start))
            out["ms"][str(k)] = ms
    print(json.dumps(out))


if __name__ == "__main__":
    main()
