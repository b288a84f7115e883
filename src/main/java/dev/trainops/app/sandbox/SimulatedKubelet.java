package dev.trainops.app.sandbox;

import static dev.trainops.app.sandbox.SandboxPods.label;
import static dev.trainops.app.sandbox.SandboxPods.phase;

import dev.trainops.kube.KubeNames;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's kubelets: a pod bound to a node starts Running there (with the time it is expected
 * to end, from its {@link TrainingPlans.Plan}), logs each epoch to the run store when the sandbox
 * clock passes its end, and Succeeds when its last epoch is done.
 */
final class SimulatedKubelet {
    private static final Logger log = LoggerFactory.getLogger(SimulatedKubelet.class);

    private final KubernetesClient client;
    private final TrainingPlans plans;
    private final RunStore runs;

    SimulatedKubelet(KubernetesClient client, TrainingPlans plans, RunStore runs) {
        this.client = client;
        this.plans = plans;
        this.runs = runs;
    }

    /** Starts pods bound but not yet running, and moves running ones on to {@code now}; true when it wrote a pod. */
    boolean run(List<Node> nodes, List<Pod> pods, Instant now) {
        Map<String, Node> byName = new HashMap<>();
        nodes.forEach(n -> byName.put(n.getMetadata().getName(), n));
        boolean changed = false;
        for (Pod pod : pods) {
            Node node = pod.getSpec() == null || pod.getSpec().getNodeName() == null ? null : byName.get(pod.getSpec().getNodeName());
            if (node == null) {
                continue;
            }
            if (KubeNames.PHASE_PENDING.equals(phase(pod))) {
                start(pod, node, now);
                changed = true;
            } else if (KubeNames.PHASE_RUNNING.equals(phase(pod)) && pod.getStatus().getStartTime() != null) {
                changed |= advance(pod, node, now);
            }
        }
        return changed;
    }

    private void start(Pod pod, Node node, Instant now) {
        TrainingPlans.Plan plan = plans.plan(pod, node);
        Instant end = now.plus(plan.total());
        var pods = client.pods().inNamespace(pod.getMetadata().getNamespace());
        pods.resource(new PodBuilder(pod).editMetadata().addToAnnotations(KubeNames.ANNOTATION_EXPECTED_END, end.toString())
                .endMetadata().build()).update();
        Pod running = new PodBuilder(pods.withName(pod.getMetadata().getName()).get())
                .editOrNewStatus().withPhase(KubeNames.PHASE_RUNNING).withStartTime(now.toString())
                .withHostIP("10.0.0.1").endStatus().build();
        pods.resource(running).updateStatus();
        String runName = label(pod, KubeNames.LABEL_RUN_NAME);
        if (runName != null) {
            Map<String, String> params = new HashMap<>();
            params.put("model", String.valueOf(label(pod, KubeNames.LABEL_MODEL)));
            params.put("epochs", Integer.toString(plan.epochs().size()));
            params.put("batch_size", Integer.toString(plan.batchSize()));
            params.put("gpu_type", plan.gpuType());
            params.put("gpu_count", Long.toString(plan.gpuCount()));
            // the physical GPUs its units amount to (a shared replica or MIG slice is a fraction): an
            // estimate that takes this run as its reference scales from what it really held
            params.put("gpu_share", java.math.BigDecimal.valueOf(plan.gpuShare()).setScale(6, java.math.RoundingMode.HALF_EVEN)
                    .stripTrailingZeros().toPlainString());
            String team = label(pod, KubeNames.LABEL_TEAM);
            if (team != null) {
                params.put("team", team);
            }
            runs.start(runName, experiment(pod), now.toEpochMilli(), params,
                    Map.of("team", String.valueOf(team), "pod", SandboxPods.namespacedName(pod)));
        }
        log.info("sandbox: started {} on {} for {} epochs, expected to end {}", SandboxPods.namespacedName(pod),
                node.getMetadata().getName(), plan.epochs().size(), end);
    }

    /** Logs the epochs finished by {@code now}; completes the pod when its time is up. True when it completed. */
    private boolean advance(Pod pod, Node node, Instant now) {
        TrainingPlans.Plan plan = plans.plan(pod, node);
        Instant start = Instant.parse(pod.getStatus().getStartTime());
        String runName = label(pod, KubeNames.LABEL_RUN_NAME);
        String runId = runName == null ? null : runs.start(runName, experiment(pod), start.toEpochMilli(), Map.of(), Map.of()).runId();
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
        if (end.isAfter(now)) {
            return false;
        }
        Pod done = new PodBuilder(pod).editStatus().withPhase(KubeNames.PHASE_SUCCEEDED)
                .withContainerStatuses(new ContainerStatusBuilder().withName("train").withReady(false)
                        .withNewState().withNewTerminated().withExitCode(0).withReason("Completed")
                        .withStartedAt(start.toString()).withFinishedAt(end.toString()).endTerminated().endState().build())
                .endStatus().build();
        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(done).updateStatus();
        if (runId != null) {
            runs.finish(runId, "FINISHED", end.toEpochMilli());
        }
        return true;
    }

    private static String experiment(Pod pod) {
        return Objects.requireNonNullElse(label(pod, KubeNames.LABEL_EXPERIMENT), "default");
    }
}
