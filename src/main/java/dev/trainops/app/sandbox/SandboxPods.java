package dev.trainops.app.sandbox;

import dev.trainops.kube.KubeNames;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Optional;

/** How the sandbox's parts read a pod: its labels, annotations, phase and the numbers trainops writes on it. */
final class SandboxPods {
    private SandboxPods() {
    }

    static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    static String label(Pod pod, String key) {
        return pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(key);
    }

    static String annotation(Pod pod, String key) {
        return pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(key);
    }

    static String namespacedName(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    static int batchSize(Pod pod) {
        return (int) Math.max(1, parseLong(annotation(pod, KubeNames.ANNOTATION_BATCH_SIZE)));
    }

    static int epochs(Pod pod) {
        return (int) Math.max(1, parseLong(annotation(pod, KubeNames.ANNOTATION_EPOCHS)));
    }

    /** The epochs a resumed attempt's checkpoint holds, as its kubelet noted at start; 0 for a fresh start. */
    static long resumedAfter(Pod pod) {
        return parseLong(annotation(pod, SimulatedKubelet.ANNOTATION_RESUMED_AFTER));
    }

    /** A later attempt of a queue job (or one started with --resume): it continues from its checkpoint. */
    static boolean resumes(Pod pod) {
        boolean resumeArg = pod.getSpec() != null && pod.getSpec().getContainers() != null && pod.getSpec().getContainers().stream()
                .anyMatch(c -> c.getArgs() != null && c.getArgs().contains("--resume"));
        return resumeArg || parseLong(label(pod, KubeNames.LABEL_ATTEMPT)) > 1;
    }

    /** When the pod's container terminated, as the kubelet recorded it. */
    static Optional<String> finishedAt(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(c -> c.getState() != null && c.getState().getTerminated() != null && c.getState().getTerminated().getFinishedAt() != null)
                .map(c -> c.getState().getTerminated().getFinishedAt()).findFirst();
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
