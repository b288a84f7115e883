package dev.trainops.app.sandbox;

import dev.trainops.cost.PriceBook;
import dev.trainops.kube.KubeNames;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Random;

/**
 * The sandbox's spot market: a spot node (one {@code config/pricing.yaml} {@code spot.node_labels}
 * names) is reclaimed under a running pod at {@code spot.interruptions_per_hour} of the price list
 * in force. Each pod's reclaim time is drawn once, from an exponential distribution seeded by the
 * pod and its start, so a run (and a restart of the sandbox) always interrupts the same pods at the
 * same moments. A reclaimed pod ends as a real one does on a node's graceful shutdown: Failed,
 * reason Terminated, the DisruptionTarget condition, exit code 143, with its last checkpoint (the
 * end of its last finished epoch) in {@code trainops.dev/last-checkpoint}.
 */
final class SpotReclaimer {
    /** The sandbox's fixed seed: the same cluster interrupts the same pods. */
    static final long SEED = 2026;

    private final PriceBook prices;

    SpotReclaimer(PriceBook prices) {
        this.prices = prices;
    }

    /** When {@code node} is reclaimed under a pod that started at {@code start}; null on an on-demand node or at rate 0. */
    Instant reclaimAt(Pod pod, Node node, Instant start) {
        if (prices == null || !prices.spotNodes().isSpot(node)) {
            return null;
        }
        BigDecimal perHour = prices.at(start).spotInterruptionsPerHour();
        if (perHour.signum() <= 0) {
            return null;
        }
        Random random = new Random(SEED * 31 + (SandboxPods.namespacedName(pod) + "@" + start).hashCode());
        double hours = -Math.log(1 - random.nextDouble()) / perHour.doubleValue();
        return start.plusMillis((long) Math.min(hours * 3_600_000, 10L * 365 * 86_400_000));
    }

    /** {@code pod} as its node's reclaim at {@code at} leaves it, having last checkpointed at {@code lastCheckpoint}. */
    static Pod reclaimed(Pod pod, Instant start, Instant at, Instant lastCheckpoint) {
        String node = pod.getSpec().getNodeName();
        return new PodBuilder(pod)
                .editMetadata().addToAnnotations(KubeNames.ANNOTATION_LAST_CHECKPOINT, lastCheckpoint.toString()).endMetadata()
                .editStatus().withPhase(KubeNames.PHASE_FAILED).withReason("Terminated")
                .withMessage("Spot interruption: node " + node + " was reclaimed; the pod was terminated in response to imminent node shutdown.")
                .addNewCondition().withType(KubeNames.CONDITION_DISRUPTION_TARGET).withStatus("True").withReason("TerminationByKubelet")
                .withLastTransitionTime(at.toString()).endCondition()
                .withContainerStatuses(new ContainerStatusBuilder().withName("train").withReady(false)
                        .withNewState().withNewTerminated().withExitCode(143).withReason("Error")
                        .withStartedAt(start.toString()).withFinishedAt(at.toString()).endTerminated().endState().build())
                .endStatus().build();
    }
}
