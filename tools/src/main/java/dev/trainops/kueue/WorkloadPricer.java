package dev.trainops.kueue;

import dev.trainops.cost.JobFootprint;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.gpu.GpuShares;
import dev.trainops.gpu.GpuTypes;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.Nodes;
import dev.trainops.kube.PodResources;
import dev.trainops.queue.Estimator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What a Kueue Workload will cost, priced by the queue's own engine (docs/kubernetes.md, "Kueue
 * budget check"): its pod sets (pods as admitted x GPU units per pod), each pod set's GPU type from
 * its flavor assignment (the ResourceFlavor's {@code nvidia.com/gpu.product} node label, else a
 * flavor named after a GPU type) or its node selector; the duration from the model's run history
 * (the {@code trainops.dev/model} label and {@code trainops.dev/epochs} annotation, through the
 * queue's {@link Estimator}), else its time limit (its pods' {@code activeDeadlineSeconds} or the
 * Workload's {@code maximumExecutionTimeSeconds}, the smaller), priced as running that long: the
 * most it can cost. On-demand rates throughout, so the check holds on any capacity.
 */
final class WorkloadPricer {
    private static final KubernetesSerialization KUBE = new KubernetesSerialization();
    private static final BigDecimal GIB = BigDecimal.valueOf(1L << 30);

    /**
     * One pod set: {@code pods} pods of {@code gpusPerPod} units of {@code gpuResource} on
     * {@code gpuType} (null when unknown; {@code typeFrom} says where it was read), with the labels
     * of its flavor's nodes, and CPU cores and memory per pod.
     */
    record PodSetDemand(String name, int pods, String gpuResource, long gpusPerPod, String gpuType, String typeFrom, String flavor,
                        Map<String, String> nodeLabels, BigDecimal cpuPerPod, BigDecimal memoryGibPerPod) {
        PodSetDemand {
            nodeLabels = Map.copyOf(nodeLabels);
        }

        long gpus() {
            return pods * gpusPerPod;
        }

        String migProfile() {
            return gpuResource != null && gpuResource.startsWith(KubeNames.MIG_RESOURCE_PREFIX)
                    ? gpuResource.substring(KubeNames.MIG_RESOURCE_PREFIX.length()) : null;
        }
    }

    /**
     * What a Workload asks for: its pod sets, the model and epochs to price from history (null when
     * it does not say), and its time limit in seconds (null when it has none).
     */
    record Demand(String workload, List<PodSetDemand> podSets, String model, Integer epochs, Integer batchSize, Long timeLimitSeconds,
                  String timeLimitFrom) {
        Demand {
            podSets = List.copyOf(podSets);
        }

        List<PodSetDemand> gpuPodSets() {
            return podSets.stream().filter(p -> p.gpus() > 0).toList();
        }
    }

    /** A Workload's price at one start time. */
    sealed interface Pricing permits Priced, Unpriced, NoGpus {
    }

    /** {@code cost} for {@code what} (e.g. "8 x H100") over {@code seconds}, and how it was estimated. */
    record Priced(Money cost, long seconds, String what, String basis) implements Pricing {
    }

    /** A pod set's GPU type (null when unknown) and where it was read. */
    record GpuType(String name, String from) {
    }

    /**
     * No estimate: why, and what to change so there is one; {@code historyMissing} when only the
     * model's run history is lacking, which a finished run (or a history source that answers again) may bring.
     */
    record Unpriced(String reason, String fix, boolean historyMissing) implements Pricing {
        Unpriced(String reason, String fix) {
            this(reason, fix, false);
        }
    }

    /** The Workload requests no GPUs. */
    record NoGpus() implements Pricing {
    }

    private final Estimator history;
    private final PriceBook prices;

    /** @param history the queue's estimates from run history (not its job templates' time limits: a Workload has its own) */
    WorkloadPricer(Estimator history, PriceBook prices) {
        this.history = history;
        this.prices = prices;
    }

    /**
     * Reads the Workload's demand. {@code flavorNodeLabels} gives a ResourceFlavor's
     * {@code spec.nodeLabels} by name (empty when it has none or does not exist).
     */
    Demand demand(GenericKubernetesResource workload, Function<String, Map<String, String>> flavorNodeLabels) {
        Map<String, Object> spec = KueueObjects.field(workload, "spec");
        Map<String, Object> status = KueueObjects.field(workload, "status");
        Map<String, Map<String, Object>> assigned = new LinkedHashMap<>();
        for (Object a : KueueObjects.list(KueueObjects.map(status.get("admission")).get("podSetAssignments"))) {
            Map<String, Object> assignment = KueueObjects.map(a);
            assigned.put(String.valueOf(assignment.getOrDefault("name", "main")), assignment);
        }
        List<ObjectMeta> metas = new ArrayList<>();
        metas.add(workload.getMetadata());
        List<PodSetDemand> podSets = new ArrayList<>();
        Long deadline = null;
        for (Object o : KueueObjects.list(spec.get("podSets"))) {
            Map<String, Object> podSet = KueueObjects.map(o);
            String name = String.valueOf(podSet.getOrDefault("name", "main"));
            PodTemplateSpec template = KUBE.convertValue(KueueObjects.map(podSet.get("template")), PodTemplateSpec.class);
            PodSpec pod = template.getSpec() == null ? new PodSpec() : template.getSpec();
            if (template.getMetadata() != null) {
                metas.add(template.getMetadata());
            }
            if (pod.getActiveDeadlineSeconds() != null && pod.getActiveDeadlineSeconds() > 0) {
                deadline = deadline == null ? pod.getActiveDeadlineSeconds() : Math.max(deadline, pod.getActiveDeadlineSeconds());
            }
            Map<String, Object> assignment = assigned.getOrDefault(name, Map.of());
            long pods = KueueObjects.number(assignment.get("count")).or(() -> KueueObjects.number(podSet.get("count"))).orElse(1L);
            Pod asPod = new Pod();
            asPod.setSpec(pod);
            Map.Entry<String, Long> gpu = new TreeMap<>(PodResources.gpuRequests(asPod)).entrySet().stream().filter(e -> e.getValue() > 0)
                    .findFirst().orElse(null);
            String resource = gpu == null ? null : gpu.getKey();
            String flavor = resource == null ? null : KueueObjects.string(KueueObjects.map(assignment.get("flavors")).get(resource));
            Map<String, String> nodeLabels = flavor == null ? Map.of() : Optional.ofNullable(flavorNodeLabels.apply(flavor)).orElse(Map.of());
            GpuType type = gpuType(flavor, nodeLabels, pod.getNodeSelector());
            podSets.add(new PodSetDemand(name, (int) Math.min(Integer.MAX_VALUE, pods), resource, gpu == null ? 0 : gpu.getValue(), type.name(),
                    type.from(), flavor, nodeLabels, perPod(pod, "cpu"), perPod(pod, "memory").divide(GIB, 6, RoundingMode.HALF_EVEN)));
        }
        Long maxExec = KueueObjects.number(spec.get("maximumExecutionTimeSeconds")).filter(s -> s > 0)
                .map(s -> Math.max(0, s - KueueObjects.number(status.get("accumulatedPastExecutionTimeSeconds")).orElse(0L))).orElse(null);
        Long limit = deadline;
        String limitFrom = deadline == null ? null : "its pods' activeDeadlineSeconds";
        if (maxExec != null && (limit == null || maxExec < limit)) {
            limit = maxExec;
            limitFrom = "its spec.maximumExecutionTimeSeconds";
        }
        String model = first(metas, m -> m.getLabels(), KubeNames.LABEL_MODEL);
        Integer epochs = positive(first(metas, m -> m.getAnnotations(), KubeNames.ANNOTATION_EPOCHS));
        Integer batch = positive(first(metas, m -> m.getAnnotations(), KubeNames.ANNOTATION_BATCH_SIZE));
        return new Demand(KueueObjects.key(workload), podSets, model, epochs, batch, limit, limitFrom);
    }

    /** The Workload's price if it started at {@code start}. */
    Pricing price(Demand d, Instant start) {
        List<PodSetDemand> gpuSets = d.gpuPodSets();
        if (gpuSets.isEmpty()) {
            return new NoGpus();
        }
        for (PodSetDemand p : gpuSets) {
            if (p.gpuType() == null) {
                return p.flavor() != null
                        ? new Unpriced("Pod set " + p.name() + " of " + d.workload() + " runs on ResourceFlavor " + p.flavor() + ", which has no "
                        + KubeNames.LABEL_GPU_PRODUCT + " node label and whose name names no GPU type, so its GPUs cannot be priced.",
                        "Add " + KubeNames.LABEL_GPU_PRODUCT + " to the nodeLabels of ResourceFlavor " + p.flavor() + " (as GPU Feature "
                                + "Discovery labels its nodes), or name the flavor after its GPU type (e.g. h100, a100-80gb).")
                        : new Unpriced("Pod set " + p.name() + " of " + d.workload() + " requests " + p.gpuResource() + " with no flavor "
                        + "assigned for it and no " + KubeNames.LABEL_GPU_PRODUCT + " node selector, so its GPU type is unknown.",
                        "Give the ClusterQueue a ResourceFlavor for " + p.gpuResource() + " labelled with " + KubeNames.LABEL_GPU_PRODUCT + ".");
            }
            if (!prices.at(start).gpuHour().containsKey(p.gpuType())) {
                return new Unpriced("Pod set " + p.name() + " of " + d.workload() + " runs on " + p.gpuType() + " (" + p.typeFrom()
                        + "), which config/pricing.yaml has no price for.", "Add " + p.gpuType() + " to gpu_hour in config/pricing.yaml.");
            }
        }
        String what = String.join(" + ", gpuSets.stream().map(p -> p.gpus() + " x " + p.gpuType()
                + (p.migProfile() == null ? "" : " " + p.migProfile())).toList());
        if (d.model() != null && d.epochs() != null) {
            Optional<Priced> fromHistory = fromHistory(d, gpuSets, what, start);
            if (fromHistory.isPresent()) {
                return fromHistory.get();
            }
        }
        if (d.timeLimitSeconds() != null) {
            Money cost = Money.zero(prices.currency());
            for (PodSetDemand p : gpuSets) {
                BigDecimal share = GpuShares.equivalents(Map.of(p.gpuResource(), p.gpus()), p.nodeLabels());
                BigDecimal pods = BigDecimal.valueOf(p.pods());
                JobFootprint job = new JobFootprint(p.gpuType(), share, p.cpuPerPod().multiply(pods), p.memoryGibPerPod().multiply(pods));
                cost = cost.plus(prices.cost(job, start, d.timeLimitSeconds(), false));
            }
            String why = d.model() != null && d.epochs() != null ? "no run history of " + d.model() + " to estimate from: " : "";
            return new Priced(cost, d.timeLimitSeconds(), what, why + "priced at its time limit, " + d.timeLimitFrom() + " "
                    + d.timeLimitSeconds() + " s, the most it can cost");
        }
        if (d.model() != null && d.epochs() != null) {
            return new Unpriced(d.workload() + " is model " + d.model() + ", which has no run history to estimate " + d.epochs()
                    + " epochs on " + what + " from, and it has no time limit.", "Set activeDeadlineSeconds on its pod template or "
                    + "spec.maximumExecutionTimeSeconds (the job is priced as running that long), or run " + d.model() + " once through trainops.",
                    true);
        }
        return new Unpriced(d.workload() + " has neither the label " + KubeNames.LABEL_MODEL + " with the annotation "
                + KubeNames.ANNOTATION_EPOCHS + " nor a time limit, so its cost cannot be estimated.", "Add the label "
                + KubeNames.LABEL_MODEL + " and the annotation " + KubeNames.ANNOTATION_EPOCHS + " (priced from the model's run history), "
                + "or activeDeadlineSeconds on its pod template or spec.maximumExecutionTimeSeconds (priced as running that long).");
    }

    /**
     * The history estimate, one per GPU type (and MIG profile) with all that type's units: pod sets
     * of one type train as one job; several types are priced as if each trained alone (more, not less).
     */
    private Optional<Priced> fromHistory(Demand d, List<PodSetDemand> gpuSets, String what, Instant start) {
        Map<List<String>, Long> units = new LinkedHashMap<>();
        for (PodSetDemand p : gpuSets) {
            units.merge(java.util.Arrays.asList(p.gpuType(), p.migProfile()), p.gpus(), Long::sum);
        }
        Money cost = Money.zero(prices.currency());
        long seconds = 0;
        List<String> bases = new ArrayList<>();
        for (var e : units.entrySet()) {
            String type = e.getKey().get(0);
            String mig = e.getKey().get(1);
            int batch = d.batchSize() != null ? d.batchSize() : history.batchSizes(d.model(), type).stream().findFirst().orElse(0);
            Optional<Estimator.Estimate> estimate = history.estimate(d.model(), d.epochs(), batch, type, mig,
                    (int) Math.min(Integer.MAX_VALUE, e.getValue()), false, start);
            if (estimate.isEmpty()) {
                return Optional.empty();
            }
            cost = cost.plus(estimate.get().cost());
            seconds = Math.max(seconds, estimate.get().seconds());
            bases.add(estimate.get().basis());
        }
        return Optional.of(new Priced(cost, seconds, what, d.epochs() + " epochs of " + d.model() + " from its run history, "
                + String.join("; ", bases)));
    }

    /**
     * The GPU type and where it was read: the flavor's {@code nvidia.com/gpu.product} node label,
     * else the flavor's name when it names a GPU type, else the pod set's node selector.
     */
    static GpuType gpuType(String flavor, Map<String, String> flavorLabels, Map<String, String> nodeSelector) {
        String product = flavorLabels.get(KubeNames.LABEL_GPU_PRODUCT);
        if (product != null) {
            return new GpuType(GpuTypes.canonical(product, Nodes.longLabel(flavorLabels, KubeNames.LABEL_GPU_MEMORY_MIB)),
                    "the " + KubeNames.LABEL_GPU_PRODUCT + " node label of ResourceFlavor " + flavor);
        }
        if (flavor != null && GpuTypes.KNOWN.contains(GpuTypes.canonical(flavor, 0))) {
            return new GpuType(GpuTypes.canonical(flavor, 0), "the name of ResourceFlavor " + flavor);
        }
        String selected = nodeSelector == null ? null : nodeSelector.get(KubeNames.LABEL_GPU_PRODUCT);
        if (selected != null) {
            return new GpuType(GpuTypes.canonical(selected, Nodes.longLabel(nodeSelector, KubeNames.LABEL_GPU_MEMORY_MIB)),
                    "its " + KubeNames.LABEL_GPU_PRODUCT + " node selector");
        }
        return new GpuType(null, null);
    }

    /** A pod's effective request of {@code resource}: the sum over its containers or its largest init container, whichever is more. */
    private static BigDecimal perPod(PodSpec pod, String resource) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Container c : pod.getContainers() == null ? List.<Container>of() : pod.getContainers()) {
            sum = sum.add(request(c, resource));
        }
        for (Container c : pod.getInitContainers() == null ? List.<Container>of() : pod.getInitContainers()) {
            sum = sum.max(request(c, resource));
        }
        return sum;
    }

    /** A container's request, or its limit when it sets only that (Kubernetes then requests the limit). */
    private static BigDecimal request(Container c, String resource) {
        if (c.getResources() == null) {
            return BigDecimal.ZERO;
        }
        Quantity q = c.getResources().getRequests() == null ? null : c.getResources().getRequests().get(resource);
        if (q == null && c.getResources().getLimits() != null) {
            q = c.getResources().getLimits().get(resource);
        }
        return q == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(q);
    }

    private static String first(List<ObjectMeta> metas, Function<ObjectMeta, Map<String, String>> part, String key) {
        for (ObjectMeta m : metas) {
            Map<String, String> values = part.apply(m);
            String v = values == null ? null : values.get(key);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    private static Integer positive(String value) {
        try {
            int n = value == null ? 0 : Integer.parseInt(value);
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
