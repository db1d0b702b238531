package quality

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/model"
)

// MetaKey is the checkpoint metadata key holding a classifier's
// model.ClassifierConfig as JSON.
const MetaKey = "classifier"

// ClassifierMeta returns the metadata value that describes c.
func ClassifierMeta(c model.ClassifierConfig) string {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // a struct of ints, bools and a slice always marshals
	}
	return string(b)
}

// LoadClassifier reads a classifier from a run directory (its latest
// checkpoint) or a checkpoint file: the network from the MetaKey metadata
// and the weights, each parameter's EMA when the checkpoint has one,
// else its value. Every error is one line naming the file.
func LoadClassifier(path string) (*model.Classifier, map[string][]float32, error) {
	file, err := checkpoint.Resolve(path)
	if err != nil {
		return nil, nil, err
	}
	ck, err := checkpoint.Load(file)
	if err != nil {
		return nil, nil, err
	}
	text, ok := ck.Meta[MetaKey]
	if !ok {
		return nil, nil, fmt.Errorf("%s: not a classifier checkpoint (no %q metadata)", file, MetaKey)
	}
	var c model.ClassifierConfig
	if err := json.Unmarshal([]byte(text), &c); err != nil {
		return nil, nil, fmt.Errorf("%s: unreadable %q metadata: %v", file, MetaKey, err)
	}
	net, err := model.NewClassifier(c)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", file, err)
	}
	weights, err := ck.Weights(model.CheckpointParams(net.Params()), true)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v for the %v", file, err, c)
	}
	return net, weights, nil
}

// SaveClassifier writes net's weights (as params/NAME) and its
// description to a checkpoint file that LoadClassifier reads, with meta
// added to its metadata.
func SaveClassifier(path string, net *model.Classifier, weights map[string][]float32, meta map[string]string) error {
	ck := checkpoint.New()
	for k, v := range meta {
		ck.Meta[k] = v
	}
	ck.Meta[MetaKey] = ClassifierMeta(net.Config())
	for _, p := range net.Params() {
		w, ok := weights[p.Name]
		if !ok || len(w) != p.Size() {
			return fmt.Errorf("quality: no weights for the classifier's %s %v", p.Name, p.Shape)
		}
		ck.Tensors[checkpoint.PrefixParams+p.Name] = checkpoint.Tensor{Shape: slices.Clone(p.Shape), Data: w}
	}
	return checkpoint.Save(path, ck)
}
