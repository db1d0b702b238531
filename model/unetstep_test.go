package model

import (
	"strings"
	"testing"
)

func TestUNetStepConfigErrors(t *testing.T) {
	for _, c := range []struct {
		cfg  UNetStepConfig
		want string
	}{
		{UNetStepConfig{Batch: 2, Channels: 4, Size: 7, Groups: 2, Heads: 2}, "size 7 is not even"},
		{UNetStepConfig{Batch: 0, Channels: 4, Size: 8, Groups: 2, Heads: 2}, "positive"},
		{UNetStepConfig{Batch: 2, Channels: 4, Size: 8, Groups: 3, Heads: 2}, "GroupNorm"},
		{UNetStepConfig{Batch: 2, Channels: 4, Size: 8, Groups: 2, Heads: 3}, "Attention"},
	} {
		if _, err := NewUNetStep(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want an error mentioning %q", c.cfg, err, c.want)
		}
	}
	s, err := NewUNetStep(UNetStepConfig{Batch: 2, Channels: 4, Size: 8, Groups: 2, Heads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Params) != 7 || len(s.Outputs()) != 8 || s.Loss.Shape().Size() != 1 {
		t.Errorf("%d params, %d outputs, loss %v", len(s.Params), len(s.Outputs()), s.Loss)
	}
}
