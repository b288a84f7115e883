package dev.trainops.gpu;

import java.util.Locale;
import java.util.Map;

/**
 * Relative training speed of GPU types, for estimating a run on a GPU it has not run on: peak dense
 * BF16/FP16 tensor TFLOPS from NVIDIA's data sheets (H100 and H200 SXM 989, A100 312, L40S 362,
 * L4 121, A10 125, V100 125, T4 65). Real runs are often bound by memory or input, so the ratio
 * is an upper bound on the speed-up; answers that use it say so and carry low confidence.
 */
public final class GpuSpeeds {
    private static final Map<String, Integer> TFLOPS = Map.of("H200", 989, "H100", 989, "A100-80GB", 312, "A100-40GB", 312,
            "L40S", 362, "L4", 121, "A10G", 125, "V100", 125, "T4", 65);

    private GpuSpeeds() {
    }

    /** Peak dense tensor TFLOPS of a type, or null when trainops does not know it. */
    public static Integer tflops(String gpuType) {
        return gpuType == null ? null : TFLOPS.get(gpuType.toUpperCase(Locale.ROOT));
    }
}
