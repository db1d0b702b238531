// Package quality measures generated images in the feature space of a
// classifier (model.Classifier): the Fréchet Inception Distance's recipe
// (FID: the Fréchet distance between Gaussians fitted to the features of
// samples and of real images), the Kernel Inception Distance (KID: the
// unbiased MMD^2 with the cubic polynomial kernel, averaged over random
// subsets as clean-fid and torch-fidelity compute it), the histogram of the
// classes the classifier assigns to the samples against the training set's
// class frequencies (mode coverage), and the classifier's mean confidence.
//
// The metrics are float64 maths on feature matrices (gonum for the
// eigen-decompositions); Extract computes features and logits on a Vulkan
// device (or, without one, the reference executor) in batches. A
// classifier run is a checkpoint whose "classifier" metadata holds the
// model.ClassifierConfig as JSON (see LoadClassifier and ClassifierMeta).
//
// Typical use:
//
//	net, weights, err := quality.LoadClassifier("runs/mnist_classifier")
//	ex := &quality.Extractor{Net: net, Weights: weights, Batch: 256, Dev: dev}
//	defer ex.Close()                      // the program, built once, kept until then
//	s, err := ex.Extract(samples, n)      // samples in [0, 1], (N, C, H, W)
//	r, err := ex.Extract(testImages, m)
//	fid, err := quality.FID(s.Features, r.Features)
//
// FID and KID here are not comparable with numbers computed in Inception
// features: they rank models on one data set, beside the test-versus-train
// floor measured the same way.
package quality
