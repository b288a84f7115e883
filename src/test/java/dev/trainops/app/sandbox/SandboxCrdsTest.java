package dev.trainops.app.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.resource.TrainingBatch;
import dev.trainops.resource.TrainingJob;
import dev.trainops.resource.TrainingJobSpec;
import dev.trainops.resource.TrainingJobStatus;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox installs the trainops CRDs when it starts, and a restart on the same data directory continues with the
 * TrainingJobs and TrainingBatches it had, uid and status included (DESIGN.md, "Backends": nothing silently vanishes;
 * the controllers use the uid as the queue's idempotency key).
 */
class SandboxCrdsTest {
    @TempDir
    Path dataDir;

    final MutableClock wall = new MutableClock(SandboxClusterTest.START);

    @Test
    void theCrdsAreInTheApiServerBeforeTrainopsGetsItsClient() throws Exception {
        try (SandboxCluster sandbox = new SandboxCluster(SandboxClusterTest.CONFIG, dataDir, 1, wall).start()) {
            KubernetesClient client = sandbox.seeded().get(SandboxClusterTest.SEEDED_WITHIN_S, TimeUnit.SECONDS);

            assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems()).extracting(c -> c.getMetadata().getName())
                    .contains(TrainingJob.CRD_NAME, TrainingBatch.CRD_NAME);
            assertThat(client.resources(TrainingJob.class).inAnyNamespace().list().getItems()).isEmpty();
        }
    }

    @Test
    void aRestartKeepsTrainingJobsAndBatchesWithTheirUidAndStatus() throws Exception {
        String jobUid;
        String batchUid;
        try (SandboxCluster sandbox = new SandboxCluster(SandboxClusterTest.CONFIG, dataDir, 1, wall).start()) {
            KubernetesClient client = sandbox.seeded().get(SandboxClusterTest.SEEDED_WITHIN_S, TimeUnit.SECONDS);
            TrainingJob tj = client.resource(ApiServerDispatcherTest.trainingJob("mnist-one-epoch")).create();
            tj.setStatus(new TrainingJobStatus());
            tj.getStatus().setState("QUEUED");
            tj.getStatus().setJobId("job-7");
            client.resource(tj).updateStatus();
            jobUid = tj.getMetadata().getUid();
            TrainingBatch batch = new TrainingBatch();
            batch.getMetadata().setName("sweep");
            batch.getMetadata().setNamespace("team-b");
            TrainingJobSpec one = ApiServerDispatcherTest.trainingJob("x").getSpec();
            batch.getSpec().setJobs(List.of(one, one, one));
            batch.getSpec().setParallel(false);
            batchUid = client.resource(batch).create().getMetadata().getUid();
        }

        try (SandboxCluster again = new SandboxCluster(SandboxClusterTest.CONFIG, dataDir, 1, wall).start()) {
            KubernetesClient client = again.seeded().get(SandboxClusterTest.SEEDED_WITHIN_S, TimeUnit.SECONDS);

            TrainingJob tj = client.resources(TrainingJob.class).inNamespace("team-a").withName("mnist-one-epoch").get();
            assertThat(tj.getMetadata().getUid()).isEqualTo(jobUid);
            assertThat(tj.getStatus().getState()).isEqualTo("QUEUED");
            assertThat(tj.getStatus().getJobId()).isEqualTo("job-7");
            assertThat(tj.getSpec().getModel()).isEqualTo("mnist");
            TrainingBatch batch = client.resources(TrainingBatch.class).inNamespace("team-b").withName("sweep").get();
            assertThat(batch.getMetadata().getUid()).isEqualTo(batchUid);
            assertThat(batch.getSpec().getJobs()).hasSize(3);
            // an object created after the restart never gets a restored one's uid
            String fresh = client.resource(ApiServerDispatcherTest.trainingJob("after-restart")).create().getMetadata().getUid();
            assertThat(fresh).isNotIn(jobUid, batchUid);
        }
    }
}
