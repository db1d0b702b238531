package shaders

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Every source has an embedded module and every module a source; build.sh
// check (run by CI) also verifies that the bytes are up to date.
func TestEverySourceIsCompiled(t *testing.T) {
	sources, err := filepath.Glob("*.comp")
	if err != nil || len(sources) == 0 {
		t.Fatalf("no shader sources found: %v", err)
	}
	var want []string
	for _, s := range sources {
		want = append(want, strings.TrimSuffix(s, ".comp"))
	}
	sort.Strings(want)
	got := Names()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("compiled shaders %v do not match sources %v: run ./build.sh", got, want)
	}
	for _, n := range got {
		b, err := SPIRV(n)
		if err != nil || len(b) < 20 || b[0] != 0x03 || b[1] != 0x02 || b[2] != 0x23 || b[3] != 0x07 {
			t.Errorf("%s: not a SPIR-V module", n)
		}
	}
	if _, err := os.Stat("common.glsl"); err != nil {
		t.Error("common.glsl missing")
	}
}
