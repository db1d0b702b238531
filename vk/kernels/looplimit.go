package kernels

import (
	"strings"

	"github.com/sdevk/sdevk/vk"
)

// llvmpipe (lavapipe) stops every loop of a shader invocation once the
// invocation has run 65535 loop iterations in all (Mesa's
// LP_MAX_TGSI_LOOP_ITERATIONS, one counter shared by every loop of the
// shader), without an error: a kernel whose invocations loop longer than
// that silently returns wrong or unwritten values. Kernels whose loop
// counts grow with a problem dimension choose another path there
// (attention_gemm.go, the convolutions' filter gradient).

// loopLimited reports whether the device is llvmpipe; DefaultTuning records
// it as Tuning.LoopLimited, which the kernels read.
func loopLimited(info *vk.DeviceInfo) bool { return strings.Contains(info.Name, "llvmpipe") }

// limitedGemmK is the longest GEMM sum (K) recorded in one product on
// llvmpipe: sums of 131072 were measured right and of 262144 wrong.
const limitedGemmK = 65536

// limitedWgradSteps bounds conv2d_reg_wgrad's loop over N*OH*ceil(OW/4)
// output steps on llvmpipe (65536 measured wrong).
const limitedWgradSteps = 32768
