package dev.trainops.gpu;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Memory and MIG profiles of the GPU types trainops knows, from NVIDIA's data sheets and the MIG
 * user guide: H200 141 GB (143,771 MiB as NVML reports it), H100 and A100-80GB 80 GB, A100-40GB
 * 40 GB, L40S 48 GB, L4 and A10G 24 GB, T4 and V100 16 GB. MIG slices are in sevenths of the GPU's
 * compute, and are billed as such (cost rule 5).
 */
public final class GpuSpecs {
    private static final Map<String, Long> MEMORY_MIB = Map.of("H200", 143_771L, "H100", 81_559L, "A100-80GB", 81_920L,
            "A100-40GB", 40_960L, "L40S", 46_068L, "L4", 23_034L, "A10G", 23_028L, "T4", 15_360L, "V100", 16_384L);

    /** A MIG profile: its name, its compute slices out of 7 (its share by {@link GpuShares}), and its memory. */
    public record MigProfile(String name, int slices, long memoryMib) {
    }

    private static final List<MigProfile> H200_MIG = List.of(new MigProfile("1g.18gb", 1, 18 * 1024L),
            new MigProfile("2g.35gb", 2, 35 * 1024L), new MigProfile("3g.71gb", 3, 71 * 1024L));
    private static final List<MigProfile> GPU_80GB_MIG = List.of(new MigProfile("1g.10gb", 1, 10 * 1024L),
            new MigProfile("2g.20gb", 2, 20 * 1024L), new MigProfile("3g.40gb", 3, 40 * 1024L));
    private static final List<MigProfile> A100_40GB_MIG = List.of(new MigProfile("1g.5gb", 1, 5 * 1024L),
            new MigProfile("2g.10gb", 2, 10 * 1024L), new MigProfile("3g.20gb", 3, 20 * 1024L));
    private static final Map<String, List<MigProfile>> MIG = Map.of("H200", H200_MIG, "H100", GPU_80GB_MIG,
            "A100-80GB", GPU_80GB_MIG, "A100-40GB", A100_40GB_MIG);

    private GpuSpecs() {
    }

    /** Memory of one GPU of this type in MiB, or null when trainops does not know the type. */
    public static Long memoryMib(String gpuType) {
        return gpuType == null ? null : MEMORY_MIB.get(gpuType.toUpperCase(Locale.ROOT));
    }

    /** The MIG profiles smaller than a whole GPU, smallest first; empty for a type without MIG. */
    public static List<MigProfile> migProfiles(String gpuType) {
        return gpuType == null ? List.of() : MIG.getOrDefault(gpuType.toUpperCase(Locale.ROOT), List.of());
    }
}
