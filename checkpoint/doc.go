// Package checkpoint saves and loads training state (parameters, their EMA,
// optimiser moments, step, seeds and the run's configuration) in the
// safetensors layout, so Python (safetensors.numpy.load_file) reads the
// tensors as they are.
//
// Every file carries, in its string metadata, the format name, a SHA-256 of
// its tensors (names, shapes and bytes, in name order) and the caller's
// metadata. Load verifies the checksum, so a truncated or corrupted file is
// reported, never half-read; Decode, which Load calls on the file's bytes,
// also checks what a checksum cannot (anyone can compute one): F32 tensors
// only, dimensions that fit an int, scalars holding one value. Every
// rejection wraps ErrCorrupt and is one line; FuzzDecode keeps it so. Save writes a temporary file in the same
// directory, syncs it and renames it over the target: a crash leaves either
// the old file or the new one.
//
// A run directory keeps its checkpoints as checkpoints/ckpt-NNNNNNNN.safetensors;
// Resolve accepts a run directory (its latest checkpoint) or a file.
package checkpoint
