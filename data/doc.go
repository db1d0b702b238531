// Package data holds sdevk's low-dimensional data sets and the exact maths
// that makes them useful as test oracles: Gaussian mixtures in any dimension
// (validated, sampled, exact log-density), the analytic score, Jacobian and
// divergence of their perturbed densities p_t under any SDE marginal
// (Oracle), the built-in 2-D sets (swiss roll, moons, 8 and 25 Gaussians,
// checkerboard, rings, the NCSN two-mode mixture), .npy point files of shape
// (N, D), and sample-quality metrics (energy distance, MMD, per-mode weights,
// the exact-versus-exact noise floor).
//
// Points are stored row-major in a []float64 of N*D values, as in package sde.
//
// Image data sets are Images: 8-bit pixel levels in (N, C, H, W) order with
// optional labels and class names, read from MNIST and Fashion-MNIST IDX
// files (LoadIDX, gzipped or not), CIFAR-10's binary batches (LoadCIFAR10),
// uint8 or [0, 1] float .npy arrays of shape (N, H, W), (N, H, W, C) or
// (N, C, H, W) (LoadImagesNPY), and folders of PNG and JPEG images, one
// sub-folder per class, centre-cropped and area-resized (LoadImageFolder;
// Crop 140 is score_sde's CelebA preprocessing). LoadImageSet finds the
// named sets without a path ($SDEVK_DATA, the GoMNIST module in the Go
// module cache, Debian's dataset-fashion-mnist; `scripts/deps.sh data`
// installs both). Pipeline turns a set into training batches as score_sde
// does (centred or [0, 1], uniform dequantisation, random flips), each batch
// a function of (seed, step) alone so a resumed run is bit-identical, made
// on a goroutine ahead of the trainer (Stream). Every reader of these files
// is fuzzed (scripts/fuzz.sh) and reports bad input as one line naming the
// file.
package data
