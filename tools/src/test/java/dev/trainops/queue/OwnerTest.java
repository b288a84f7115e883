package dev.trainops.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DESIGN.md "Kubernetes API": the batch/v1 Job a TrainingJob runs is owned by it; a job queued without one owns nothing. */
class OwnerTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final Owner TJ = new Owner("trainops.dev/v1alpha1", "TrainingJob", "mnist-1", "0b6f-uid");

    static QueuedJob job(Map<String, String> params) {
        JobSpec spec = new JobSpec("team-a", "mnist-1", "mnist", "mnist", Priority.NORMAL, 1000, "H100", 1, 1, 64, params, false, null,
                null, 0, 600, null, null, null);
        return QueuedJob.submitted("tj-abc", spec, T0);
    }

    @Test
    void theJobOfAnOwnedQueueJobCarriesItsOwnerAsControllerWithoutBlockingItsDeletion() throws Exception {
        QueuedJob owned = TJ.on(job(Map.of("learning_rate", "0.1")));
        Job kube = new JobManifest(PriorityConfig.defaults(), JobTemplates.load(Path.of("../config/jobs.yaml"))).build(owned, "nvidia.com/gpu", T0);

        assertThat(kube.getMetadata().getOwnerReferences()).hasSize(1);
        OwnerReference ref = kube.getMetadata().getOwnerReferences().get(0);
        assertThat(ref.getApiVersion()).isEqualTo("trainops.dev/v1alpha1");
        assertThat(ref.getKind()).isEqualTo("TrainingJob");
        assertThat(ref.getName()).isEqualTo("mnist-1");
        assertThat(ref.getUid()).isEqualTo("0b6f-uid");
        assertThat(ref.getController()).isTrue();
        assertThat(ref.getBlockOwnerDeletion()).isFalse();
        assertThat(kube.getSpec().getTemplate().getMetadata().getOwnerReferences()).as("its pods are the Job's").isNullOrEmpty();
        assertThat(kube.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .as("the owner is trainops's own param, never passed to the job").noneMatch(e -> e.getName().contains("OWNER"));
        assertThat(Owner.of(owned)).contains(TJ);
        assertThat(owned.params()).containsEntry("learning_rate", "0.1");
    }

    @Test
    void aJobQueuedWithoutAnOwnerHasNoOwnerReference() throws Exception {
        QueuedJob plain = job(Map.of());
        Job kube = new JobManifest(PriorityConfig.defaults(), JobTemplates.load(Path.of("../config/jobs.yaml"))).build(plain, "nvidia.com/gpu", T0);
        assertThat(kube.getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(Owner.of(plain)).isEmpty();
    }
}
