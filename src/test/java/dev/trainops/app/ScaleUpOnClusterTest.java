package dev.trainops.app;

import static dev.trainops.app.OwnHistoryTest.answer;
import static dev.trainops.app.OwnHistoryTest.h100;
import static dev.trainops.app.OwnHistoryTest.onCluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, "Scale-up", the whole app on fabric8's CRUD mock API server (one node of 8 H100s): with
 * config/scale-up.yaml enabled, an URGENT job queued through queue_training_job that does not fit
 * gets a ProvisioningRequest and its PodTemplate, which go when the job is cancelled or admitted;
 * the gauge trainops_queue_unschedulable_gpus follows along. Shipped as it is (off), no loop runs.
 * What the app's client requests here is recorded for the least-privilege check (deploy/components/scale-up).
 */
class ScaleUpOnClusterTest {
    static final ResourceDefinitionContext PROVISIONING_REQUESTS = new ResourceDefinitionContext.Builder()
            .withGroup("autoscaling.x-k8s.io").withVersion("v1").withKind("ProvisioningRequest").withPlural("provisioningrequests")
            .withNamespaced(true).build();
    /** Several of the scale-up loop's periods (10 s): ample, and still bounded. */
    static final Duration WAIT = Duration.ofSeconds(45);

    @TempDir
    Path dir;
    Path config(boolean enabled) throws Exception {
        Path config = dir.resolve("config");
        try (var files = Files.walk(OwnHistoryTest.CONFIG)) {
            for (Path f : files.toList()) {
                Path to = config.resolve(OwnHistoryTest.CONFIG.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        if (enabled) {
            Files.writeString(config.resolve("scale-up.yaml"),
                    "provisioning_requests: {enabled: true, class: best-effort-atomic-scale-up.autoscaling.x-k8s.io}\n");
        }
        Files.createDirectories(dir.resolve("data"));
        return config;
    }

    static Map<String, Object> job(String team, String run, int gpus, String priority) {
        return Map.of("model", "llm", "run_name", run, "team", team, "epochs", 2, "batch_size", 64, "gpu_count", gpus, "gpu_type", "H100",
                "priority", priority);
    }

    /**
     * A client of the test's own on the mock API server (onCluster points the default configuration
     * at it): the app's client records its requests for the least-privilege check, and the test's
     * reads are none of the app's.
     */
    static KubernetesClient own() {
        return new io.fabric8.kubernetes.client.KubernetesClientBuilder().build();
    }

    static List<String> names(KubernetesClient client) {
        return client.genericKubernetesResources(PROVISIONING_REQUESTS).inAnyNamespace().list().getItems().stream()
                .map(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName()).sorted().toList();
    }

    static List<String> templates(KubernetesClient client) {
        return client.resources(PodTemplate.class).inAnyNamespace().list().getItems().stream()
                .map(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName()).sorted().toList();
    }

    /** The gauge's value for a GPU type; -1 while it has no series yet. */
    static double gauge(Trainops trainops, String gpuType) {
        String scrape = trainops.metrics().scrape();
        String label = "gpu_type=\"" + gpuType + "\"";
        return scrape.contains(label) ? BackgroundLoopsTest.sample(scrape, "trainops_queue_unschedulable_gpus", label) : -1;
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what);
            }
            Thread.sleep(200);
        }
    }

    @Test
    void anUrgentJobThatDoesNotFitGetsAProvisioningRequestUntilItIsCancelledOrAdmitted() throws Exception {
        onCluster(config(true), dir.resolve("data"), trainops -> {
            trainops.connect();
            try (KubernetesClient client = own()) {
                String normal = (String) answer(trainops, "queue_training_job", job("team-a", "normal", 8, "NORMAL")).get("job_id");
                String big = (String) answer(trainops, "queue_training_job", job("team-b", "urgent-big", 4, "URGENT")).get("job_id");
                String small = (String) answer(trainops, "queue_training_job", job("team-b", "urgent-small", 2, "URGENT")).get("job_id");
                assertThat(answer(trainops, "get_job_queue_status", Map.of("job_id", big)).toString()).contains("reason=NO_CAPACITY");

                await("a ProvisioningRequest for each URGENT job", () -> names(client).size() == 2);
                assertThat(names(client)).containsExactlyInAnyOrder("team-b/" + big, "team-b/" + small);
                await("their PodTemplates", () -> templates(client).size() == 2);
                GenericKubernetesResource pr = client.genericKubernetesResources(PROVISIONING_REQUESTS).inNamespace("team-b")
                        .withName(big).get();
                assertThat((String) pr.get("spec", "provisioningClassName")).isEqualTo("best-effort-atomic-scale-up.autoscaling.x-k8s.io");
                PodTemplate template = client.resources(PodTemplate.class).inNamespace("team-b").withName(big).get();
                assertThat(template.getTemplate().getSpec().getContainers().get(0).getResources().getRequests())
                        .containsEntry("nvidia.com/gpu", new Quantity("4"));
                assertThat(gauge(trainops, "H100")).isEqualTo(6);

                // one URGENT job is cancelled; the NORMAL job goes, so the next admission pass places the other: both requests go
                answer(trainops, "cancel_training_job", Map.of("job_id", small, "reason", "not needed"));
                answer(trainops, "cancel_training_job", Map.of("job_id", normal, "reason", "make room"));
                await("the requests and templates of the cancelled and the admitted job gone", () -> names(client).isEmpty()
                        && templates(client).isEmpty());
                assertThat(answer(trainops, "get_job_queue_status", Map.of("job_id", small)).toString()).contains("state=CANCELLED");
                assertThat(answer(trainops, "get_job_queue_status", Map.of("job_id", big)).toString()).contains("state=SCHEDULED");
                await("the gauge back at 0", () -> gauge(trainops, "H100") == 0);
            }
        }, h100("h100-a"));
    }

    @Test
    void shippedOffNoScaleUpLoopRunsAndTheGaugeStillCounts() throws Exception {
        onCluster(config(false), dir.resolve("data"), trainops -> {
            trainops.connect();
            answer(trainops, "queue_training_job", job("team-a", "normal", 8, "NORMAL"));
            answer(trainops, "queue_training_job", job("team-b", "urgent", 4, "URGENT"));

            await("the gauge counts the waiting job", () -> gauge(trainops, "H100") == 4);
            assertThat(trainops.metrics().scrape()).contains("loop=\"admission\"").doesNotContain("loop=\"scale-up\"");
            try (KubernetesClient client = own()) {
                assertThat(names(client)).isEmpty();
            }
        }, h100("h100-a"));
    }
}
