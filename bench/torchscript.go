package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// runTorchScript runs a PyTorch reference script (its source in script,
// fed on stdin, with args) with the first of torchPythons that has torch,
// decodes the JSON it prints into out and returns that interpreter. It
// returns errSkipTorch under SDEVK_TORCH_PYTHON=none.
func runTorchScript(name, script string, args []string, out any) (string, error) {
	var tried []string
	for _, py := range torchPythons() {
		cmd := exec.Command(py, append([]string{"-"}, args...)...)
		cmd.Stdin = strings.NewReader(script)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.Output()
		if err != nil {
			var exit *exec.ExitError
			if errors.As(err, &exit) && !strings.Contains(stderr.String(), "No module named 'torch'") {
				return py, fmt.Errorf("%s %s: %v: %s", py, name, err, lastLine(stderr.String()))
			}
			tried = append(tried, py)
			continue
		}
		if err := json.Unmarshal(stdout, out); err != nil {
			return py, fmt.Errorf("%s %s: reading its output: %w", py, name, err)
		}
		return py, nil
	}
	if len(tried) == 0 {
		return "", errSkipTorch
	}
	return "", fmt.Errorf("no python3 with torch (tried %s; Debian: apt-get install python3-torch)", strings.Join(tried, ", "))
}
