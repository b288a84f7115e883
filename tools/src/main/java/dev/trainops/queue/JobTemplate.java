package dev.trainops.queue;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.Map;

/**
 * One model's job template from config/jobs.yaml, with the keys it leaves out taken from
 * {@code default} (docs/queue.md, "Job templates"). Strings may hold placeholders, checked at
 * start; the Kubernetes parts are fabric8 objects, copied into each Job built from them.
 *
 * @param command     the container's command, or empty for the image's entrypoint
 * @param params      defaults for {@code {{params.NAME}}}; a job's own params override them
 * @param checkpoint  the team's checkpoint volume, or null for none
 * @param artifactDir where the trainer writes the model artifact (TRAINOPS_MODEL_ARTIFACT_DIR), or null
 * @param affinity    null for none
 * @param serviceAccountName null for the namespace's default
 * @param securityContext          the pod's, or null
 * @param containerSecurityContext the training container's, or null
 * @param activeDeadlineSeconds    the template's fixed time limit in seconds, or null for none
 */
record JobTemplate(String name, String image, List<String> command, List<String> args, Map<String, String> params, List<EnvVar> env,
                   Checkpoint checkpoint, String artifactDir, List<Volume> volumes, List<VolumeMount> volumeMounts,
                   List<Toleration> tolerations, Map<String, String> nodeSelector, Affinity affinity, String serviceAccountName,
                   List<LocalObjectReference> imagePullSecrets, PodSecurityContext securityContext,
                   SecurityContext containerSecurityContext, Quantity cpuPerGpu, Quantity memoryPerGpu, Long activeDeadlineSeconds) {

    /** The volume name the checkpoint claim is mounted under. */
    static final String CHECKPOINT_VOLUME = "checkpoints";

    JobTemplate {
        command = List.copyOf(command);
        args = List.copyOf(args);
        params = Map.copyOf(params);
        env = List.copyOf(env);
        volumes = List.copyOf(volumes);
        volumeMounts = List.copyOf(volumeMounts);
        tolerations = List.copyOf(tolerations);
        nodeSelector = Map.copyOf(nodeSelector);
        imagePullSecrets = List.copyOf(imagePullSecrets);
    }

    /**
     * A team's checkpoint volume: the PersistentVolumeClaim {@code claimName} in the team's
     * namespace, mounted at {@code mountPath}; a job keeps its checkpoints in {@code dir}, the same
     * for every attempt, so a restarted attempt resumes from them.
     */
    record Checkpoint(String claimName, String mountPath, String dir) {
    }
}
