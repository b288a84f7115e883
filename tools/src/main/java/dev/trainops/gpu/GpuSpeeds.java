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

    /** Data-parallel scaling: each doubling of GPUs keeps 90% of the ideal speed-up. */
    public static final double SCALING_EFFICIENCY_PER_DOUBLING = 0.9;

    /**
     * How many times as fast as one whole GPU a job runs on {@code gpus} physical GPUs: n GPUs
     * n x 0.9^log2(n) times, a share of one GPU (a MIG slice, a shared replica) its share. The
     * estimates and the sandbox's simulated kubelet both scale by this.
     */
    public static double parallelSpeed(double gpus) {
        if (gpus <= 1) {
            return gpus;
        }
        return gpus * Math.pow(SCALING_EFFICIENCY_PER_DOUBLING, Math.log(gpus) / Math.log(2));
    }

    /** Peak dense tensor TFLOPS of a type, or null when trainops does not know it. */
    public static Integer tflops(String gpuType) {
        return gpuType == null ? null : TFLOPS.get(gpuType.toUpperCase(Locale.ROOT));
    }
}
