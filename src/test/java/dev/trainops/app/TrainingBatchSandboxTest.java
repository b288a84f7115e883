package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.resource.TrainingBatch;
import dev.trainops.resource.TrainingBatchJobStatus;
import dev.trainops.resource.TrainingBatchSpec;
import dev.trainops.resource.TrainingBatchStatus;
import dev.trainops.resource.TrainingJobSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TrainingBatch of three, created with a client of the user's own (as kubectl would), runs on the sandbox one job
 * after another to SUCCEEDED, its status following along (docs/kubernetes.md, "TrainingBatch"). The app, its data
 * directory and the user's client are this test's own and closed at its end.
 */
class TrainingBatchSandboxTest {
    @TempDir
    Path dir;

    @Test
    void aTrainingBatchOfThreeRunsOneAfterAnotherToSucceeded() throws Exception {
        Path config = dir.resolve("config");
        UnpricedUsageTest.copyTree(JobTemplatesSandboxTest.CONFIG, config);
        try (Trainops trainops = Trainops.create(new Trainops.Settings(config, dir.resolve("data"), true, 60.0))) {
            trainops.connect();
            KubernetesClient server = trainops.kubernetes();
            // the user's client (the sandbox installed the CRDs): trainops's own is recorded for the least-privilege check
            try (KubernetesClient user = new KubernetesClientBuilder().withConfig(server.getConfiguration()).build()) {
                TrainingBatch created = user.resource(batch("nightly-sweep")).create();

                List<String> seen = new ArrayList<>();
                TrainingBatchStatus last = null;
                for (int i = 0; i < 480 && (last == null || !"SUCCEEDED".equals(last.getState())); i++) {
                    TrainingBatch b = user.resources(TrainingBatch.class).inNamespace("team-a").withName("nightly-sweep").get();
                    last = b.getStatus();
                    if (last != null && last.getJobs() != null) {
                        List<String> states = last.getJobs().stream().map(TrainingBatchJobStatus::getState).toList();
                        assertOneAfterAnother(states);
                        String line = last.getProgress() + " " + states;
                        if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(line)) {
                            seen.add(line);
                        }
                    }
                    Thread.sleep(250);
                }
                assertThat(last).as("a status within 120 s").isNotNull();
                assertThat(last.getState()).as("SUCCEEDED within 120 s; seen: %s", seen).isEqualTo("SUCCEEDED");
                assertThat(last.getProgress()).isEqualTo("3/3");
                assertThat(seen).as("the status followed the batch").anyMatch(l -> l.startsWith("0/3"))
                        .anyMatch(l -> l.startsWith("1/3")).anyMatch(l -> l.startsWith("2/3"));
                assertThat(new BigDecimal(last.getCostSoFar())).isPositive();
                assertThat(new BigDecimal(last.getEstimatedCost())).isPositive();
                List<String> jobIds = last.getJobs().stream().map(TrainingBatchJobStatus::getJobId).toList();
                assertThat(user.batch().v1().jobs().inNamespace("team-a").list().getItems().stream()
                        .filter(j -> jobIds.stream().anyMatch(id -> j.getMetadata().getName().startsWith(id + "-"))))
                        .as("its three Jobs, each owned by the TrainingBatch").hasSize(3)
                        .allSatisfy(j -> assertThat(j.getMetadata().getOwnerReferences()).singleElement()
                                .satisfies(o -> assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid())));
            }
        }
    }

    /** At most one job active, and none started before the ones before it ended. */
    static void assertOneAfterAnother(List<String> states) {
        boolean open = false;
        for (String s : states) {
            boolean ended = s.equals("SUCCEEDED") || s.equals("FAILED") || s.equals("CANCELLED");
            boolean waiting = s.equals("QUEUED");
            assertThat(open && !waiting).as("a job started before the one before it ended: %s", states).isFalse();
            open = open || !ended;
        }
    }

    static TrainingBatch batch(String name) {
        TrainingBatch b = new TrainingBatch();
        b.getMetadata().setNamespace("team-a");
        b.getMetadata().setName(name);
        TrainingBatchSpec spec = new TrainingBatchSpec();
        List<TrainingJobSpec> jobs = new ArrayList<>();
        for (String lr : List.of("1e-3", "3e-4", "1e-4")) {
            TrainingJobSpec j = new TrainingJobSpec();
            j.setModel("mnist");
            j.setRunName(name + "-lr-" + lr);
            j.setEpochs(1);
            j.setBatchSize(32);
            j.setGpuType("L4");
            j.setGpuCount(1);
            jobs.add(j);
        }
        spec.setJobs(jobs);
        b.setSpec(spec);
        return b;
    }
}
