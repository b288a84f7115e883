package dev.trainops.app.sandbox;

import dev.trainops.gpu.GpuShares;
import dev.trainops.gpu.GpuSpeeds;
import dev.trainops.gpu.GpuTypes;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.Nodes;
import dev.trainops.kube.PodResources;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How long a pod's training takes on a node: the epochs of the closest past run of its model and
 * batch size, carried to the node's GPU type by relative speed and to the GPUs it holds (its share
 * of physical GPUs, by {@link GpuShares}) with slightly sub-linear data-parallel scaling
 * ({@link GpuSpeeds#parallelSpeed}, the rule the estimates use). A resumed
 * attempt plans only the epochs after its checkpoint.
 */
final class TrainingPlans {
    /** Used when no run of the model is in the history: seconds per epoch on one H100. */
    static final double DEFAULT_EPOCH_SECONDS = 300;

    private final RunHistory history;

    TrainingPlans(RunHistory history) {
        this.history = history;
    }

    Plan plan(Pod pod, Node node) {
        Map<String, String> labels = Nodes.labels(node);
        String gpuType = GpuTypes.canonical(labels.get(KubeNames.LABEL_GPU_PRODUCT), Nodes.longLabel(labels, KubeNames.LABEL_GPU_MEMORY_MIB));
        Map<String, Long> requests = PodResources.gpuRequests(pod);
        long count = requests.values().stream().mapToLong(Long::longValue).sum();
        double effectiveGpus = GpuShares.equivalents(requests, labels).doubleValue();
        // data-parallel scaling is good but not perfect; the estimates scale by the same rule
        double parallel = Math.max(GpuSpeeds.parallelSpeed(effectiveGpus), 0.05);
        int epochs = SandboxPods.epochs(pod);
        int batchSize = SandboxPods.batchSize(pod);
        String model = SandboxPods.label(pod, KubeNames.LABEL_MODEL);
        RunHistory.PastRun past = model == null ? null : history.closest(model, batchSize).orElse(null);
        List<RunHistory.Epoch> planned = new ArrayList<>();
        // a resumed attempt starts after the epochs its checkpoint holds
        int done = (int) Math.min(epochs - 1L, Math.max(0, SandboxPods.resumedAfter(pod)));
        for (int i = done; i < epochs; i++) {
            RunHistory.Epoch source = past == null || past.epochs().isEmpty() ? null
                    : past.epochs().get(Math.min(i, past.epochs().size() - 1));
            double seconds = secondsOnOneGpu(past, source, i, gpuType) / parallel;
            planned.add(source == null
                    ? new RunHistory.Epoch(i + 1, seconds, 1.0, 1.0, null, null, 50, 0)
                    : new RunHistory.Epoch(i + 1, seconds, source.trainLoss(), source.valLoss(), source.valAccuracy(),
                            source.valPerplexity(), source.gpuUtilMean(), source.gpuMemUsedMb()));
        }
        return new Plan(planned, gpuType, count, effectiveGpus, batchSize);
    }

    /** Epoch {@code i}'s seconds on one GPU of {@code gpuType}. */
    private static double secondsOnOneGpu(RunHistory.PastRun past, RunHistory.Epoch source, int i, String gpuType) {
        if (source == null) {
            return DEFAULT_EPOCH_SECONDS / RunHistory.relativeSpeed(gpuType);
        }
        // beyond the history: a steady epoch, the median of the ones after warm-up
        double seconds = i < past.epochs().size() ? source.durationS()
                : past.epochs().stream().skip(1).mapToDouble(RunHistory.Epoch::durationS).sorted()
                        .skip(Math.max(0, (past.epochs().size() - 1) / 2)).findFirst().orElse(source.durationS());
        return seconds * RunHistory.relativeSpeed(past.gpuType()) / RunHistory.relativeSpeed(gpuType);
    }

    /** A pod's planned epochs on its node, with what the run store records of it. */
    record Plan(List<RunHistory.Epoch> epochs, String gpuType, long gpuCount, double gpuShare, int batchSize) {
        Duration total() {
            return Duration.ofMillis((long) (epochs.stream().mapToDouble(RunHistory.Epoch::durationS).sum() * 1000));
        }
    }
}
