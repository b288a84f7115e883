package dev.trainops.queue;

import dev.trainops.cost.JobFootprint;
import dev.trainops.gpu.GpuShares;
import dev.trainops.gpu.GpuTypes;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.Nodes;
import io.fabric8.kubernetes.api.model.Node;
import java.math.BigDecimal;
import java.util.Map;

/**
 * What a job of a model will hold once it runs, for its estimate: the share of physical GPUs its
 * GPU units amount to where the queue places that type (by {@link GpuShares}, the rule the ledger
 * bills by), and the CPU and memory its pods request ({@link JobRequests}).
 */
public final class JobFootprints {

    /** The share of physical GPUs that {@code units} GPUs of a type amount to where the queue would run them. */
    @FunctionalInterface
    public interface Shares {
        BigDecimal of(String gpuType, int units);

        /** Every unit a whole GPU. */
        Shares WHOLE = (type, units) -> BigDecimal.valueOf(units);
    }

    private final JobRequests requests;
    private final Shares shares;

    public JobFootprints(JobRequests requests, Shares shares) {
        this.requests = requests;
        this.shares = shares;
    }

    /** Whole GPUs with the per-GPU CPU and memory of config/quotas.yaml. */
    public static JobFootprints wholeGpus(QuotaConfig quotas) {
        return new JobFootprints(JobRequests.perGpu(quotas), Shares.WHOLE);
    }

    public JobFootprint of(String model, String gpuType, int units) {
        return of(model, gpuType, null, units);
    }

    /**
     * The footprint of {@code units} slices of MIG profile {@code migProfile} (null: whole or shared
     * GPUs, shared as on the cluster): a {@code <g>g} slice is g/7 of a GPU under either MIG
     * strategy, by {@link GpuShares}, the rule the ledger bills by (docs/queue.md, "MIG slices").
     */
    public JobFootprint of(String model, String gpuType, String migProfile, int units) {
        BigDecimal gpus = migProfile == null ? shares.of(gpuType, units)
                : GpuShares.equivalents(Map.of(KubeNames.MIG_RESOURCE_PREFIX + migProfile, (long) units), Map.of());
        return new JobFootprint(gpuType, gpus, requests.cpuCores(model, units), requests.memoryGib(model, units));
    }

    /**
     * Shares as on the cluster now: the nodes of the type the queue places on, each with the
     * resource it requests there; where nodes of a type differ, the smallest share (a shared GPU
     * runs longest and so bills the most CPU and memory). Whole GPUs where no node has the type.
     */
    public static Shares onCluster(ClusterIndex index) {
        return (type, units) -> {
            BigDecimal smallest = null;
            for (Node n : index.nodes()) {
                Map<String, String> labels = Nodes.labels(n);
                String resource = SnapshotReader.queueResource(n);
                if (resource == null || !Nodes.ready(n) || !Nodes.schedulable(n)
                        || !type.equals(GpuTypes.canonical(labels.get(KubeNames.LABEL_GPU_PRODUCT), Nodes.longLabel(labels, KubeNames.LABEL_GPU_MEMORY_MIB)))) {
                    continue;
                }
                BigDecimal share = GpuShares.equivalents(Map.of(resource, (long) units), n);
                smallest = smallest == null || share.compareTo(smallest) < 0 ? share : smallest;
            }
            return smallest != null ? smallest : Shares.WHOLE.of(type, units);
        };
    }
}
