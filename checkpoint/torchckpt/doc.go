// Package torchckpt reads the checkpoints of yang-song/score_sde_pytorch:
// the torch.save zip files of a dict {optimizer, model, ema, step} that its
// utils.save_checkpoint writes (checkpoint_N.pth).
//
// The pickle is decoded by github.com/nlpodyssey/gopickle's unpickler and
// the tensor and storage types of its pytorch package; this package turns the decoded objects into float32 tensors and checks
// them against the format score_sde writes:
//
//   - model: the state dict of torch.nn.DataParallel(model), so every key
//     starts with "module." (stripped here). It holds the parameters, in
//     model.parameters() order, and the buffer "sigmas".
//   - ema: {decay, num_updates, shadow_params}; shadow_params is a list of
//     the trainable parameters (requires_grad) in model.parameters() order.
//     NCSN++'s Gaussian Fourier projection W is frozen: it is absent from
//     the list and its value comes from model.
//   - step: the training step.
//
// Usage:
//
//	ck, err := torchckpt.Read("checkpoint_26.pth")
//	raw, ema, err := ck.Weights(specs) // specs: the sdevk network's parameters
//
// Read is safe on hostile files: it reads every zip entry it uses to its
// end, so a truncated or corrupted file fails its CRC check instead of
// loading half-read; walks the pickle's opcodes before unpickling, so no
// declared length runs past the data (the unpickler allocates lengths before
// reading them); checks each storage's declared size against its entry
// before allocating it; bounds every tensor by its storage; and turns a
// panic of the decoder into an error. Errors are one line naming the file.
// FuzzRead and FuzzDecodePickle exercise this.
package torchckpt
