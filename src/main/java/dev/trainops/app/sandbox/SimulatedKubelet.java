package dev.trainops.app.sandbox;

import dev.trainops.gpu.GpuShares;
import dev.trainops.gpu.GpuTypes;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.Nodes;
import dev.trainops.kube.PodResources;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's stand-in for the job controller, the scheduler and the kubelets: it creates a pod
 * for each Job, binds pending pods to nodes with room (never beyond the free GPUs or MIG slices of
 * the resource they ask for), runs them for as long as the run history says their epochs take on
 * that GPU, logs each epoch's metrics to the run store, and completes them. Time is the sandbox
 * clock, so {@code --sandbox-speed} speeds all of it up.
 */
final class SimulatedKubelet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SimulatedKubelet.class);
    static final String JOB_NAME_LABEL = "job-name";
    /** Used when no run of the model is in the history: seconds per epoch on one H100. */
    static final double DEFAULT_EPOCH_SECONDS = 300;

    private final KubernetesClient client;
    private final Clock clock;
    private final RunHistory history;
    private final RunStore runs;
    private final Runnable saveState;
    private final Map<String, Double> utilization = new ConcurrentHashMap<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox-kubelet");
        t.setDaemon(true);
        return t;
    });
    private String lastFingerprint = "";
    private long lastSaveNanos;

    SimulatedKubelet(KubernetesClient client, Clock clock, RunHistory history, RunStore runs, Runnable saveState) {
        this.client = client;
        this.clock = clock;
        this.history = history;
        this.runs = runs;
        this.saveState = saveState;
    }

    void start() {
        loop.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                log.warn("sandbox kubelet tick failed: {}", e.toString());
            }
        }, 0, 250, TimeUnit.MILLISECONDS);
    }

    OptionalDouble utilization(String node) {
        Double u = utilization.get(node);
        return u == null ? OptionalDouble.empty() : OptionalDouble.of(u);
    }

    /** One pass of controller, scheduler and kubelets. Package-private so tests can drive it. */
    synchronized void tick() {
        Instant now = clock.instant();
        List<Node> nodes = client.nodes().list().getItems();
        List<Job> jobs = client.batch().v1().jobs().inAnyNamespace().list().getItems();
        List<Pod> pods = new ArrayList<>(client.pods().inAnyNamespace().list().getItems());
        Map<String, Integer> priorities = new HashMap<>();
        for (PriorityClass pc : client.scheduling().v1().priorityClasses().list().getItems()) {
            priorities.put(pc.getMetadata().getName(), pc.getValue());
        }
        boolean changed = controlJobs(jobs, pods);
        if (changed) {
            pods = new ArrayList<>(client.pods().inAnyNamespace().list().getItems());
        }
        changed |= schedule(nodes, pods, priorities, now);
        changed |= run(nodes, pods, now);
        updateUtilization(nodes, pods);

        String fingerprint = jobs.size() + "/" + pods.size() + "/" + pods.stream()
                .map(p -> p.getMetadata().getResourceVersion()).filter(Objects::nonNull).sorted().reduce("", (a, b) -> a + b).hashCode();
        boolean due = System.nanoTime() - lastSaveNanos > Duration.ofSeconds(2).toNanos();
        if (changed || (due && !fingerprint.equals(lastFingerprint))) {
            saveState.run();
            lastFingerprint = fingerprint;
            lastSaveNanos = System.nanoTime();
        }
    }

    /** The job controller: one pod per Job; the Job completes or fails with its pod. */
    private boolean controlJobs(List<Job> jobs, List<Pod> pods) {
        boolean changed = false;
        for (Job job : jobs) {
            String ns = job.getMetadata().getNamespace();
            String name = job.getMetadata().getName();
            if (finished(job) || Boolean.TRUE.equals(job.getSpec().getSuspend())) {
                continue;
            }
            List<Pod> owned = pods.stream().filter(p -> ns.equals(p.getMetadata().getNamespace())
                    && name.equals(label(p, JOB_NAME_LABEL))).toList();
            if (owned.isEmpty()) {
                createPod(job);
                changed = true;
                continue;
            }
            Pod pod = owned.get(owned.size() - 1);
            String phase = phase(pod);
            if (KubeNames.PHASE_SUCCEEDED.equals(phase) || KubeNames.PHASE_FAILED.equals(phase)) {
                boolean ok = KubeNames.PHASE_SUCCEEDED.equals(phase);
                // as in a cluster: the Job completes when its pod's container finished, not when the controller looked
                String at = finishedAt(pod).orElse(clock.instant().toString());
                JobCondition condition = new JobConditionBuilder().withType(ok ? "Complete" : "Failed").withStatus("True")
                        .withLastTransitionTime(at).withReason(ok ? "Completed" : "BackoffLimitExceeded").build();
                Job updated = new JobBuilder(job).editOrNewStatus()
                        .withActive(0).withSucceeded(ok ? 1 : 0).withFailed(ok ? 0 : 1)
                        .withCompletionTime(ok ? at : null).addToConditions(condition).endStatus().build();
                client.batch().v1().jobs().inNamespace(ns).resource(updated).updateStatus();
                changed = true;
            } else if (job.getStatus() == null || job.getStatus().getActive() == null) {
                Job updated = new JobBuilder(job).editOrNewStatus().withActive(1)
                        .withStartTime(clock.instant().toString()).endStatus().build();
                client.batch().v1().jobs().inNamespace(ns).resource(updated).updateStatus();
                changed = true;
            }
        }
        // the garbage collector: a deleted Job's pods terminate and go, freeing their GPUs
        java.util.Set<String> existing = new java.util.HashSet<>();
        jobs.forEach(j -> existing.add(j.getMetadata().getNamespace() + "/" + j.getMetadata().getName()));
        for (Pod pod : pods) {
            String owner = label(pod, JOB_NAME_LABEL);
            if (owner != null && !existing.contains(pod.getMetadata().getNamespace() + "/" + owner)) {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
                log.info("sandbox: pod {}/{} terminated (its Job was deleted)", pod.getMetadata().getNamespace(), pod.getMetadata().getName());
                changed = true;
            }
        }
        return changed;
    }

    private void createPod(Job job) {
        String ns = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        var template = job.getSpec().getTemplate();
        Map<String, String> labels = new HashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels());
        labels.put(JOB_NAME_LABEL, name);
        labels.put("batch.kubernetes.io/job-name", name);
        Map<String, String> annotations = template.getMetadata() == null || template.getMetadata().getAnnotations() == null
                ? Map.of() : template.getMetadata().getAnnotations();
        Pod pod = new PodBuilder()
                .withNewMetadata().withNamespace(ns).withName(name + "-" + Integer.toHexString(Math.abs((ns + name).hashCode()) & 0xfffff))
                .withLabels(labels).withAnnotations(annotations)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job").withName(name)
                        .withUid(job.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build())
                .withCreationTimestamp(clock.instant().toString())
                .endMetadata()
                .withSpec(template.getSpec())
                .withNewStatus().withPhase(KubeNames.PHASE_PENDING).endStatus()
                .build();
        client.pods().inNamespace(ns).resource(pod).create();
    }

    /** The scheduler: binds pending pods by priority, then age, to the node that fits best. */
    private boolean schedule(List<Node> nodes, List<Pod> pods, Map<String, Integer> priorities, Instant now) {
        Map<String, Map<String, Long>> free = new HashMap<>();
        for (Node node : nodes) {
            if (!Nodes.schedulable(node)) {
                continue;
            }
            Map<String, Long> f = new HashMap<>();
            Map<String, Quantity> allocatable = node.getStatus().getAllocatable();
            if (allocatable != null) {
                allocatable.forEach((k, v) -> {
                    if (PodResources.isGpuResource(k)) {
                        f.put(k, PodResources.count(v));
                    }
                });
            }
            free.put(node.getMetadata().getName(), f);
        }
        for (Pod pod : pods) {
            if (PodResources.holdsResources(pod)) {
                Map<String, Long> f = free.get(pod.getSpec().getNodeName());
                if (f != null) {
                    PodResources.gpuRequests(pod).forEach((k, v) -> f.merge(k, -v, Long::sum));
                }
            }
        }
        List<Pod> pending = pods.stream().filter(PodResources::pending)
                .sorted(Comparator.<Pod>comparingInt(p -> -priorities.getOrDefault(p.getSpec().getPriorityClassName(), 0))
                        .thenComparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp()))
                        .thenComparing(p -> p.getMetadata().getName()))
                .toList();
        boolean changed = false;
        for (Pod pod : pending) {
            Map<String, Long> wants = PodResources.gpuRequests(pod);
            Node best = null;
            long bestLeft = Long.MAX_VALUE;
            for (Node node : nodes) {
                Map<String, Long> f = free.get(node.getMetadata().getName());
                if (f == null || !selects(pod, node)) {
                    continue;
                }
                boolean fits = wants.entrySet().stream().allMatch(e -> f.getOrDefault(e.getKey(), 0L) >= e.getValue());
                if (!fits) {
                    continue;
                }
                long left = wants.keySet().stream().mapToLong(k -> f.getOrDefault(k, 0L) - wants.get(k)).sum();
                if (left < bestLeft) {
                    best = node;
                    bestLeft = left;
                }
            }
            if (best == null) {
                continue;
            }
            Map<String, Long> f = free.get(best.getMetadata().getName());
            wants.forEach((k, v) -> f.merge(k, -v, Long::sum));
            bind(pod, best, now);
            changed = true;
        }
        return changed;
    }

    private void bind(Pod pod, Node node, Instant now) {
        Plan plan = plan(pod, node);
        Instant end = now.plus(plan.total());
        Pod bound = new PodBuilder(pod)
                .editSpec().withNodeName(node.getMetadata().getName()).endSpec()
                .editMetadata().addToAnnotations(KubeNames.ANNOTATION_EXPECTED_END, end.toString()).endMetadata()
                .build();
        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(bound).update();
        Pod running = new PodBuilder(client.pods().inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName()).get())
                .editOrNewStatus().withPhase(KubeNames.PHASE_RUNNING).withStartTime(now.toString())
                .withHostIP("10.0.0.1").endStatus().build();
        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(running).updateStatus();
        String runName = label(pod, KubeNames.LABEL_RUN_NAME);
        if (runName != null) {
            Map<String, String> params = new HashMap<>();
            params.put("model", String.valueOf(label(pod, KubeNames.LABEL_MODEL)));
            params.put("epochs", Integer.toString(plan.epochs().size()));
            params.put("batch_size", Integer.toString(plan.batchSize()));
            params.put("gpu_type", plan.gpuType());
            params.put("gpu_count", Long.toString(plan.gpuCount()));
            String team = label(pod, KubeNames.LABEL_TEAM);
            if (team != null) {
                params.put("team", team);
            }
            runs.start(runName, Objects.requireNonNullElse(label(pod, KubeNames.LABEL_EXPERIMENT), "default"),
                    now.toEpochMilli(), params, Map.of("team", String.valueOf(team), "pod",
                            pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()));
        }
        log.info("sandbox: bound {}/{} to {} for {} epochs, expected to end {}", pod.getMetadata().getNamespace(),
                pod.getMetadata().getName(), node.getMetadata().getName(), plan.epochs().size(), end);
    }

    private static java.util.Optional<String> finishedAt(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return java.util.Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(c -> c.getState() != null && c.getState().getTerminated() != null && c.getState().getTerminated().getFinishedAt() != null)
                .map(c -> c.getState().getTerminated().getFinishedAt()).findFirst();
    }

    /** The kubelets: log finished epochs, complete pods whose time is up. */
    private boolean run(List<Node> nodes, List<Pod> pods, Instant now) {
        Map<String, Node> byName = new HashMap<>();
        nodes.forEach(n -> byName.put(n.getMetadata().getName(), n));
        boolean changed = false;
        for (Pod pod : pods) {
            if (!KubeNames.PHASE_RUNNING.equals(phase(pod)) || pod.getStatus().getStartTime() == null) {
                continue;
            }
            Node node = byName.get(pod.getSpec().getNodeName());
            if (node == null) {
                continue;
            }
            Plan plan = plan(pod, node);
            Instant start = Instant.parse(pod.getStatus().getStartTime());
            String runName = label(pod, KubeNames.LABEL_RUN_NAME);
            String runId = runName == null ? null : runs.start(runName,
                    Objects.requireNonNullElse(label(pod, KubeNames.LABEL_EXPERIMENT), "default"), start.toEpochMilli(),
                    Map.of(), Map.of()).runId();
            Instant t = start;
            for (RunHistory.Epoch e : plan.epochs()) {
                t = t.plus(Duration.ofMillis((long) (e.durationS() * 1000)));
                if (t.isAfter(now)) {
                    break;
                }
                if (runId != null) {
                    runs.logEpoch(runId, e, t.toEpochMilli());
                }
            }
            Instant end = start.plus(plan.total());
            if (!end.isAfter(now)) {
                Pod done = new PodBuilder(pod).editStatus().withPhase(KubeNames.PHASE_SUCCEEDED)
                        .withContainerStatuses(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder().withName("train").withReady(false)
                                .withNewState().withNewTerminated().withExitCode(0).withReason("Completed")
                                .withStartedAt(start.toString()).withFinishedAt(end.toString()).endTerminated().endState().build())
                        .endStatus().build();
                client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(done).updateStatus();
                if (runId != null) {
                    runs.finish(runId, "FINISHED", end.toEpochMilli());
                }
                changed = true;
            }
        }
        return changed;
    }

    private void updateUtilization(List<Node> nodes, List<Pod> pods) {
        Map<String, Double> weighted = new HashMap<>();
        for (Pod pod : pods) {
            if (!KubeNames.PHASE_RUNNING.equals(phase(pod))) {
                continue;
            }
            String model = label(pod, KubeNames.LABEL_MODEL);
            double util = model == null ? 50 : history.closest(model, batchSize(pod)).map(RunHistory.PastRun::meanUtilization).orElse(50.0);
            long units = PodResources.gpuRequests(pod).values().stream().mapToLong(Long::longValue).sum();
            weighted.merge(pod.getSpec().getNodeName(), util * units, Double::sum);
        }
        for (Node node : nodes) {
            long units = 0;
            Map<String, Quantity> allocatable = node.getStatus().getAllocatable();
            if (allocatable != null) {
                for (var e : allocatable.entrySet()) {
                    if (PodResources.isGpuResource(e.getKey())) {
                        units += PodResources.count(e.getValue());
                    }
                }
            }
            if (units > 0) {
                utilization.put(node.getMetadata().getName(),
                        Math.min(100.0, weighted.getOrDefault(node.getMetadata().getName(), 0.0) / units));
            }
        }
    }

    /** How a pod's training runs on a node: the epochs of the closest past run, carried to this GPU. */
    Plan plan(Pod pod, Node node) {
        Map<String, String> labels = Nodes.labels(node);
        String gpuType = GpuTypes.canonical(labels.get(KubeNames.LABEL_GPU_PRODUCT), Nodes.longLabel(labels, KubeNames.LABEL_GPU_MEMORY_MIB));
        int replicas = (int) Math.max(1, Nodes.longLabel(labels, KubeNames.LABEL_GPU_REPLICAS));
        Map<String, Long> requests = PodResources.gpuRequests(pod);
        long count = requests.values().stream().mapToLong(Long::longValue).sum();
        double effectiveGpus = GpuShares.equivalents(requests, replicas,
                "time-slicing".equals(labels.get(KubeNames.LABEL_GPU_SHARING_STRATEGY))).doubleValue();
        // data-parallel scaling is good but not perfect
        double parallel = effectiveGpus <= 1 ? Math.max(effectiveGpus, 0.05) : Math.pow(effectiveGpus, 0.9);
        int epochs = (int) Math.max(1, parseLong(annotation(pod, KubeNames.ANNOTATION_EPOCHS)));
        int batchSize = batchSize(pod);
        String model = label(pod, KubeNames.LABEL_MODEL);
        RunHistory.PastRun past = model == null ? null : history.closest(model, batchSize).orElse(null);
        List<RunHistory.Epoch> planned = new ArrayList<>();
        for (int i = 0; i < epochs; i++) {
            double seconds;
            RunHistory.Epoch source = null;
            if (past != null && !past.epochs().isEmpty()) {
                source = past.epochs().get(Math.min(i, past.epochs().size() - 1));
                seconds = source.durationS() * RunHistory.relativeSpeed(past.gpuType()) / RunHistory.relativeSpeed(gpuType);
                if (i >= past.epochs().size()) {
                    // beyond the history: a steady epoch, the median of the ones after warm-up
                    seconds = past.epochs().stream().skip(1).mapToDouble(RunHistory.Epoch::durationS).sorted()
                            .skip(Math.max(0, (past.epochs().size() - 1) / 2)).findFirst().orElse(source.durationS())
                            * RunHistory.relativeSpeed(past.gpuType()) / RunHistory.relativeSpeed(gpuType);
                }
            } else {
                seconds = DEFAULT_EPOCH_SECONDS / RunHistory.relativeSpeed(gpuType);
            }
            seconds = seconds / parallel;
            planned.add(source == null
                    ? new RunHistory.Epoch(i + 1, seconds, 1.0, 1.0, null, null, 50, 0)
                    : new RunHistory.Epoch(i + 1, seconds, source.trainLoss(), source.valLoss(), source.valAccuracy(),
                            source.valPerplexity(), source.gpuUtilMean(), source.gpuMemUsedMb()));
        }
        return new Plan(planned, gpuType, count, batchSize);
    }

    record Plan(List<RunHistory.Epoch> epochs, String gpuType, long gpuCount, int batchSize) {
        Duration total() {
            return Duration.ofMillis((long) (epochs.stream().mapToDouble(RunHistory.Epoch::durationS).sum() * 1000));
        }
    }

    private static boolean selects(Pod pod, Node node) {
        Map<String, String> selector = pod.getSpec().getNodeSelector();
        if (selector == null || selector.isEmpty()) {
            return true;
        }
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private static boolean finished(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
                .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()));
    }

    private static int batchSize(Pod pod) {
        return (int) Math.max(1, parseLong(annotation(pod, KubeNames.ANNOTATION_BATCH_SIZE)));
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    private static String label(Pod pod, String key) {
        return pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(key);
    }

    private static String annotation(Pod pod, String key) {
        return pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(key);
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        // let a tick in flight finish: interrupting it mid-request fails it against a live API server
        loop.shutdown();
        try {
            if (!loop.awaitTermination(10, TimeUnit.SECONDS)) {
                loop.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            loop.shutdownNow();
        }
    }
}
