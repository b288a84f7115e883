package dev.trainops.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.CallContext;
import dev.trainops.queue.QueueAnswer;
import dev.trainops.queue.QueueRequest;
import dev.trainops.resource.TrainingJob;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/examples/trainingjob.yaml, the README's example: it parses into a TrainingJob whose spec is a request the queue
 * takes as it is (a dry run: checked and priced by queue_training_job's rules, nothing queued).
 */
class TrainingJobExampleTest {
    static final Path EXAMPLE = Path.of("../deploy/examples/trainingjob.yaml");

    @TempDir
    Path dir;

    @Test
    void theExampleParsesIntoATrainingJobTheQueueTakes() throws Exception {
        KubernetesSerialization kube = new KubernetesSerialization();
        kube.registerKubernetesResource(TrainingJob.class);
        TrainingJob tj = (TrainingJob) kube.unmarshal(Files.readString(EXAMPLE));
        assertThat(tj.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(tj.getSpec().getModel()).isEqualTo("mnist");
        assertThat(tj.getSpec().getEpochs()).isEqualTo(1);
        tj.getMetadata().setUid("example-uid");

        QueueRequest r = TrainingJobRequests.toRequest(tj);
        assertThat(r.team()).isEqualTo("team-a");
        assertThat(r.runName()).isEqualTo("mnist-one-epoch");
        assertThat(r.idempotencyKey()).isEqualTo("example-uid");

        try (OperatorHarness h = new OperatorHarness(dir)) {
            h.client.resource(dev.trainops.testing.ClusterFixtures.gpuNode("l4-a", "NVIDIA-L4", 23034, 4)).create();
            OperatorHarness.await(() -> h.queue.gpuTypes().contains("L4"));
            QueueAnswer dry = h.queue.submit(new QueueRequest(r.model(), r.runName(), r.team(), r.epochs(), r.batchSize(), r.priority(),
                    r.gpuCount(), r.gpuType(), r.params(), r.spot(), r.schedule(), r.maxCost(), r.idempotencyKey(), true, r.migProfile()),
                    CallContext.of(TrainingJobController.PRINCIPAL), null);
            assertThat(dry.estimatedCost()).isLessThan(new java.math.BigDecimal("5.00"));
            assertThat(h.jobs()).as("a dry run queues nothing").isEmpty();
        }
    }
}
