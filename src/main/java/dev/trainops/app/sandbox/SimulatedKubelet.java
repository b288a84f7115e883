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
 * clock passes its end, and Succeeds when its last epoch is done; on a spot node it may be
 * reclaimed first ({@link SpotReclaimer}). A later attempt of a job resumes its run from the last
 * epoch that run logged. Of a multi-node job's pods (an Indexed Job) only index 0 logs to the run.
 */
final class SimulatedKubelet {
    private static final Logger log = LoggerFactory.getLogger(SimulatedKubelet.class);
    /** The run a pod logs to (a resumed attempt continues its job's run). */
    static final String ANNOTATION_RUN_ID = "sandbox.trainops.dev/run-id";
    /** The epochs a resumed attempt's checkpoint holds: it runs the ones after. */
    static final String ANNOTATION_RESUMED_AFTER = "sandbox.trainops.dev/resumed-after-epoch";

    private final KubernetesClient client;
    private final TrainingPlans plans;
    private final RunStore runs;
    private final SpotReclaimer reclaimer;

    SimulatedKubelet(KubernetesClient client, TrainingPlans plans, RunStore runs, SpotReclaimer reclaimer) {
        this.client = client;
        this.plans = plans;
        this.runs = runs;
        this.reclaimer = reclaimer;
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
        String runName = runName(pod);
        // a resumed attempt continues its job's run after the epochs that run has logged (its checkpoints)
        RunStore.Run resumed = runName != null && SandboxPods.resumes(pod) ? runs.running(runName, experiment(pod)).orElse(null) : null;
        Pod noted = new PodBuilder(pod).editMetadata()
                .addToAnnotations(ANNOTATION_RESUMED_AFTER, Integer.toString(resumed == null ? 0 : RunStore.epochsLogged(resumed)))
                .endMetadata().build();
        TrainingPlans.Plan plan = plans.plan(noted, node);
        Instant end = now.plus(plan.total());
        String runId = resumed == null ? null : resumed.runId();
        if (runName != null && resumed == null) {
            Map<String, String> params = new HashMap<>();
            params.put("model", String.valueOf(label(pod, KubeNames.LABEL_MODEL)));
            params.put("epochs", Integer.toString(SandboxPods.epochs(pod)));
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
            runId = runs.start(runName, experiment(pod), now.toEpochMilli(), params,
                    Map.of("team", String.valueOf(team), "pod", SandboxPods.namespacedName(pod))).runId();
        }
        var pods = client.pods().inNamespace(pod.getMetadata().getNamespace());
        PodBuilder annotated = new PodBuilder(noted).editMetadata().addToAnnotations(KubeNames.ANNOTATION_EXPECTED_END, end.toString()).endMetadata();
        if (runId != null) {
            annotated.editMetadata().addToAnnotations(ANNOTATION_RUN_ID, runId).endMetadata();
        }
        pods.resource(annotated.build()).update();
        Pod running = new PodBuilder(pods.withName(pod.getMetadata().getName()).get())
                .editOrNewStatus().withPhase(KubeNames.PHASE_RUNNING).withStartTime(now.toString())
                .withHostIP("10.0.0.1").endStatus().build();
        pods.resource(running).updateStatus();
        log.info("sandbox: started {} on {} for {} epochs{}, expected to end {}", SandboxPods.namespacedName(pod),
                node.getMetadata().getName(), plan.epochs().size(), resumed == null ? "" : " (resumed from its checkpoint)", end);
    }

    /**
     * Logs the epochs finished by {@code now}; completes the pod when its time is up, or fails it
     * when its spot node was reclaimed first (its last checkpoint: the end of its last finished
     * epoch). True when it completed or failed.
     */
    private boolean advance(Pod pod, Node node, Instant now) {
        TrainingPlans.Plan plan = plans.plan(pod, node);
        Instant start = Instant.parse(pod.getStatus().getStartTime());
        String runName = runName(pod);
        String runId = SandboxPods.annotation(pod, ANNOTATION_RUN_ID);
        if (runId == null && runName != null) {
            runId = runs.start(runName, experiment(pod), start.toEpochMilli(), Map.of(), Map.of()).runId();
        }
        Instant end = start.plus(plan.total());
        Instant reclaim = reclaimer.reclaimAt(pod, node, start);
        boolean reclaimed = reclaim != null && reclaim.isBefore(end) && !reclaim.isAfter(now);
        Instant until = reclaimed ? reclaim : now;
        Instant t = start;
        Instant checkpoint = start;
        for (RunHistory.Epoch e : plan.epochs()) {
            t = t.plus(Duration.ofMillis((long) (e.durationS() * 1000)));
            if (t.isAfter(until)) {
                break;
            }
            if (runId != null) {
                runs.logEpoch(runId, e, t.toEpochMilli());
            }
            checkpoint = t;
        }
        var pods = client.pods().inNamespace(pod.getMetadata().getNamespace());
        if (reclaimed) {
            Pod failed = SpotReclaimer.reclaimed(pod, start, reclaim, checkpoint);
            Pod updated = pods.resource(failed).update();
            pods.resource(new PodBuilder(updated).withStatus(failed.getStatus()).build()).updateStatus();
            log.info("sandbox: spot node {} reclaimed under {} at {}; last checkpoint {}", node.getMetadata().getName(),
                    SandboxPods.namespacedName(pod), reclaim, checkpoint);
            return true;
        }
        if (end.isAfter(now)) {
            return false;
        }
        Pod done = new PodBuilder(pod).editStatus().withPhase(KubeNames.PHASE_SUCCEEDED)
                .withContainerStatuses(new ContainerStatusBuilder().withName("train").withReady(false)
                        .withNewState().withNewTerminated().withExitCode(0).withReason("Completed")
                        .withStartedAt(start.toString()).withFinishedAt(end.toString()).endTerminated().endState().build())
                .endStatus().build();
        pods.resource(done).updateStatus();
        if (runId != null) {
            runs.finish(runId, "FINISHED", end.toEpochMilli());
        }
        return true;
    }

    /** The run a pod logs to: its job's; of a multi-node job's pods only index 0 logs, as rank 0 does in distributed training. */
    private static String runName(Pod pod) {
        String index = SandboxPods.annotation(pod, JobController.COMPLETION_INDEX);
        return index == null || index.equals("0") ? label(pod, KubeNames.LABEL_RUN_NAME) : null;
    }

    private static String experiment(Pod pod) {
        return Objects.requireNonNullElse(label(pod, KubeNames.LABEL_EXPERIMENT), "default");
    }
}
