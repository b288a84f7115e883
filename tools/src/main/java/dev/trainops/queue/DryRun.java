package dev.trainops.queue;

import dev.trainops.kube.KubeNames;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code dry_run: true} of queue_training_job and validate_job_resources (docs/tools.md, "Dry
 * runs"): the batch/v1 Job that admission would create for a checked, priced job, built by the
 * same {@link JobManifest} as the real one; nothing is stored and nothing is sent to the cluster.
 */
final class DryRun {
    static final String NOTE = "Dry run: nothing was queued or created. job_manifest is the Job trainops would create; admission "
            + "chooses its node and then also pins it (nodeSelector " + KubeNames.LABEL_HOSTNAME + ").";

    private final JobManifest manifest;
    private final Scheduler scheduler;
    private final Clock clock;

    DryRun(JobManifest manifest, Scheduler scheduler, Clock clock) {
        this.manifest = manifest;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** The {@code activeDeadlineSeconds} the Job of {@code job} gets, when it gets one. */
    OptionalLong deadlineSeconds(QueuedJob job) {
        return manifest.deadlineSeconds(job);
    }

    /** The Job of {@code job}'s first attempt, as the JSON object the API server would get. */
    Map<String, Object> job(QueuedJob job) {
        return JobManifest.asMap(manifest(job));
    }

    /** The Job admission would create for {@code job} now, before its node is chosen (no node pin). */
    io.fabric8.kubernetes.api.model.batch.v1.Job manifest(QueuedJob job) {
        // the resource its GPU type is requested under on the nodes of that type (an exclusive node's when there are both)
        // (a MIG job's: its profile's resource, nvidia.com/mig-<profile>, or nvidia.com/gpu under MIG strategy single)
        String resource = scheduler.rooms().stream().filter(r -> r.gpuType().equals(job.gpuType())
                        && java.util.Objects.equals(r.migProfile(), job.migProfile()))
                .sorted(Comparator.comparing(Snapshot.NodeRoom::shared)).map(Snapshot.NodeRoom::resource).findFirst()
                .orElse(job.migProfile() == null ? KubeNames.GPU_RESOURCE : KubeNames.MIG_RESOURCE_PREFIX + job.migProfile());
        return manifest.build(job, resource, clock.instant());
    }
}
