// Package bench measures sdevk's kernels on one device, as `sdevk bench`
// prints them: SGEMM per variant (GPU time from timestamps), the fused
// 4-stream update y = a x + b g + c z and vkCmdCopyBuffer (memory
// bandwidth), the amortised cost of small dispatches in one command buffer,
// and gonum's blas32.Gemm on the host CPU in the same run as the CPU
// reference.
//
// Conventions:
//   - Kernel times are GPU time from the Sequence's timestamps: one dispatch
//     per recorded Sequence, submitted Warmup times and then Repeats times;
//     rows give the median, minimum and maximum of the repeats. Rows whose
//     single run is long use fewer warm-up runs (at least 1) and repeats (at
//     least 3) to bound the run time (about 4 s a row, 1 s with Quick).
//   - vkCmdCopyBuffer is timed by timestamps too (at the transfer stage),
//     so the fused row's ratio to it compares GPU times on every device.
//   - Dispatch rows are wall time of one submit of 100 recorded dispatches,
//     divided by 100 (so MedianMs is per dispatch).
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
