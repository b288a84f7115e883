package dev.trainops.gpu;

import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolHints;
import java.util.stream.Collectors;

/** The gpu capability's tools. */
public final class GpuTools {
    /** What another team's pod is called in a principal's answer (rule 2): the counts and times stay, the name goes. */
    static final String ANOTHER_TEAMS_JOB = "another team's job";

    private GpuTools() {
    }

    public static Tool<GpuAvailabilityRequest, GpuAvailability> getGpuAvailability(GpuInventory inventory) {
        return new Tool<>(
                "get_gpu_availability",
                "GPU availability",
                "Live GPU inventory of the Kubernetes cluster: per GPU type and MIG profile the total, allocatable, "
                        + "allocated and free units, the largest free block on one node (what a multi-GPU job can get), "
                        + "when the next unit frees up, pods waiting for GPUs, and utilisation where known; plus each GPU node "
                        + "with its sharing mode (exclusive, MIG, time-sliced). Call it before suggesting where a job can run. "
                        + "If 'stale' is true the API server was unreachable and the numbers are the last known ones (see as_of).",
                GpuAvailabilityRequest.class,
                GpuAvailability.class,
                ToolHints.READ_ONLY,
                (request, call) -> inventory.availability(request, call.principal()),
                GpuTools::summarize,
                java.util.Set.of());
    }

    static String summarize(GpuAvailability a) {
        if (a.pools().isEmpty()) {
            return "No matching GPU resources." + (a.stale() ? " (stale)" : "");
        }
        String pools = a.pools().stream()
                .map(p -> p.gpuType() + (p.migProfile() != null ? " MIG " + p.migProfile()
                        : p.sharing() == Sharing.TIME_SLICED ? " shared" : "")
                        + ": " + p.free() + "/" + p.allocatable() + " free"
                        + (p.largestFreeBlock() != null && p.largestFreeBlock().count() > 1
                                ? " (max " + p.largestFreeBlock().count() + " on one node)" : "")
                        + (p.free() == 0 && p.nextFree() != null ? ", next in ~" + Math.max(1, p.nextFree().inSeconds() / 60) + " min" : ""))
                .collect(Collectors.joining("; "));
        String queued = a.queuedPods() > 0 ? " " + a.queuedPods() + " pods wait for " + a.queuedGpuDemand() + " GPUs." : "";
        return pools + "." + queued + (a.stale() ? " STALE: " + a.staleReason() + "." : "");
    }
}
