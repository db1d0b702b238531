// Package bench measures sdevk's kernels and models on one device: what
// `sdevk bench` prints, and, through benchtest, what `go test -bench` runs
// in vk/kernels (one set of cases, one timing harness).
//
// A kernel measurement is a Case: it prepares its inputs and records its
// commands once, and the harness replays them. Groups of cases: SGEMM per
// variant and shape, gonum's blas32.Gemm on the host CPU, the fused
// 4-stream update y = a x + b g + c z, vkCmdCopyBuffer, small dispatches in
// one command buffer, elementwise ops and the full sum, conv2d and
// attention. The model groups time a recorded training step and a sampling
// run; "unet" times one training step (DSM, Adam, EMA) and one score
// evaluation of score_sde's DDPM++ at 28x28x1, nf 32, ch_mult (1, 2, 2),
// batch 64 (1,752,993 parameters), against the same network in PyTorch on
// the host CPU (torch_unet.py, 2 threads) measured first in the same run
// when python3 has torch. "mlp-eval" times one Euler-Maruyama step of the
// demo's MLP score net (configs/vp_dsm.toml) on 10,000 points as the
// samplers record it, against the same step in PyTorch (torch_mlp.py), with
// the wall-time and CPU-time ratios. "oracle16" times the exact score of a
// 16-D mixture of full-covariance Gaussians (1 and 16 components) on 10,000
// points, recorded as the oracle samplers record it (10 evaluations per
// submit, (m, s) read from a coefficient table), against the same formula in
// PyTorch (torch_oracle.py, 2 threads).
//
// Conventions:
//   - Every row that has a reference names it (Row.Ref) and gives its
//     throughput over the reference's (Row.VsRef, also in the note). The
//     reference is measured in the same run, so the ratio holds across
//     machines and loads where absolute times do not: SGEMM against gonum
//     at the same shape, the fused, elementwise and sum rows against
//     vkCmdCopyBuffer, conv2d and attention against SGEMM 1024 with the
//     device's default variant, chained dispatches against independent ones.
//   - Kernel times are GPU time from the Sequence's timestamps (for
//     vkCmdCopyBuffer at the transfer stage): the recorded Sequence is
//     submitted Warmup times and then Repeats times; rows give the median,
//     minimum and maximum of the repeats. Rows whose single run is long use
//     fewer warm-up runs (at least 1) and repeats (at least 3) to bound the
//     run time (about 4 s a row, 1 s with Quick).
//   - Dispatch rows are wall time of one submit of 100 recorded dispatches,
//     divided by 100 (so MedianMs is per dispatch); gonum rows are wall time
//     on the host.
//   - GFLOPS counts 2*M*N*K per product. GBps counts bytes read plus bytes
//     written: 8 bytes per float copied, 16 per element of the fused update
//     (3 streams read, 1 written).
//   - With Profile (`sdevk bench --profile`, on a device opened with
//     vk.Options.Profile), each training-step and sampling row is followed
//     by one "profile" row per kernel: its summed GPU time in one step (one
//     recorded chunk of sampling steps) and its share, the most expensive
//     first.
//   - The skinny SGEMM shape, 16384x128x128 (M x N x K), is one hidden layer
//     of a width-128 MLP applied to a batch of 16384 points: the shape of the
//     score networks the samplers evaluate.
package bench
