package dev.trainops.gpu;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Bounds;
import dev.trainops.catalog.Nullable;

/** Arguments of get_gpu_availability; all optional filters. */
public record GpuAvailabilityRequest(
        @Nullable
        @JsonPropertyDescription("Only this GPU type, e.g. H100, A100-80GB, A100-40GB, L4 (case-insensitive). Omit for all types.")
        String gpuType,
        @Nullable
        @Bounds(min = 0, max = 1024)
        @JsonPropertyDescription("Only GPUs or MIG slices with at least this much memory per unit, in GiB.")
        Double minMemoryGib,
        @Nullable
        @JsonPropertyDescription("A team namespace: adds how many GPUs it holds and queues. Omit for the whole cluster.")
        String namespace,
        @Nullable
        @Bounds(min = 0, max = 10000)
        @JsonPropertyDescription("At most this many nodes in 'nodes', most free first (default 20). Pools always cover every node.")
        Integer maxNodes) {

    public static final int DEFAULT_MAX_NODES = 20;

    public GpuAvailabilityRequest(String gpuType, Double minMemoryGib, String namespace) {
        this(gpuType, minMemoryGib, namespace, null);
    }
}
