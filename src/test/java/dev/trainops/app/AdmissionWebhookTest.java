package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.admission.AdmissionReviewer;
import dev.trainops.app.bench.SelfSignedCert;
import dev.trainops.app.bench.WebhookScenario;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.kube.KubeNames;
import dev.trainops.server.AdmissionHttp;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 16, "Done when": the admission webhook over HTTPS, with AdmissionReview fixtures
 * (src/test/resources/admission) as the API server sends them: each deny reason with its numbers,
 * allowed requests, and malformed reviews answered with a clear 400. The certificate is made for the
 * test; the facts are {@link WebhookScenario}'s (team-a within budget with 2 GPUs of quota free,
 * team-b's budget BLOCKED, team-c with $3 left) on the default price list, at a peak hour.
 */
class AdmissionWebhookTest {
    static final Path CONFIG = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath();
    static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path dir;
    static PriceBook prices;
    static AdmissionHttp http;
    static HttpClient client;
    static URI uri;

    @BeforeAll
    static void serve() throws Exception {
        SelfSignedCert cert = SelfSignedCert.create(dir.resolve("tls"));
        prices = PricingConfig.load(CONFIG.resolve("pricing.yaml"));
        List<Node> nodes = List.of(node("gpu-h100-1", "NVIDIA-H100-80GB-HBM3", false), node("gpu-h100-spot", "NVIDIA-H100-80GB-HBM3", true),
                node("gpu-l4-1", "NVIDIA-L4", false));
        AdmissionReviewer reviewer = new AdmissionReviewer(WebhookScenario.sources(() -> nodes, () -> Map.of("team-a", 6),
                Map.of("team-a", 2), prices, Clock.fixed(NOW, ZoneOffset.UTC)));
        reviewer.refresh();
        http = new AdmissionHttp(new AdmissionHttp.Options("127.0.0.1", 0, cert.certFile(), cert.keyFile()), reviewer::review);
        uri = URI.create("https://localhost:" + http.start() + AdmissionHttp.PATH);
        client = HttpClient.newBuilder().sslContext(cert.trustingIt()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "trainingjob-over-max-cost.json,      OVER_MAX_COST,      spec.maxCost",
            "trainingbatch-over-max-cost.json,    OVER_MAX_COST,      metadata.annotations",
            "job-over-max-cost-by-deadline.json,  OVER_MAX_COST,      metadata.annotations",
            "trainingjob-budget-blocked.json,     BUDGET_BLOCKED,     metadata.namespace",
            "job-budget-blocked.json,             BUDGET_BLOCKED,     metadata.namespace",
            "trainingjob-over-budget-left.json,   OVER_BUDGET,        metadata.namespace",
            "job-gpu-limit-mismatch.json,         GPU_LIMIT_MISMATCH, spec.template.spec.containers[0].resources.limits",
            "trainingjob-over-gpu-quota.json,     OVER_GPU_QUOTA,     spec.gpuCount",
            "job-over-gpu-quota.json,             OVER_GPU_QUOTA,     spec.template.spec.containers",
            "job-capped-without-estimate.json,    NO_ESTIMATE,        metadata.labels"})
    void eachDenyReasonIsAForbiddenAnswerToTheRequestsUid(String fixture, String reason, String field) throws Exception {
        JsonNode request = JSON.readTree(fixture(fixture)).get("request");
        JsonNode response = review(fixture);
        assertThat(response.get("uid").asString()).isEqualTo(request.get("uid").asString());
        assertThat(response.get("allowed").asBoolean()).isFalse();
        JsonNode status = response.get("status");
        assertThat(status.get("code").asInt()).isEqualTo(403);
        assertThat(status.get("reason").asString()).isEqualTo("Forbidden");
        assertThat(status.get("message").asString()).startsWith("trainops: ").doesNotContain("Exception", "dev.trainops");
        JsonNode cause = status.get("details").get("causes").get(0);
        assertThat(cause.get("reason").asString()).isEqualTo(reason);
        assertThat(cause.get("field").asString()).isEqualTo(field);
    }

    @Test
    void aTrainingJobOverItsMaxCostIsToldItsEstimateAndTheCheaperOptionsThatFit() throws Exception {
        String message = review("trainingjob-over-max-cost.json").get("status").get("message").asString();
        assertThat(message).startsWith("trainops: the estimated cost of TrainingJob llm-ft-10, " + cost("H100", 6000, false)
                        + " (scaled from llm-base in the scenario's history), is above its maxCost of $5.00. Cheaper options that fit $5.00: ")
                .contains("spot: true " + cost("H100", 6000, true) + " (expected, interruptions included)")
                .contains("epochs: 4 " + cost("H100", 2400, false));
    }

    @Test
    void theBlockedBudgetTheQuotaAndTheBudgetLeftAreToldWithTheirNumbers() throws Exception {
        assertThat(message("trainingjob-budget-blocked.json")).contains("team-b's monthly budget is BLOCKED: $1050.00 spent and committed of "
                + "$1000.00 (105%) until 2026-12-01T00:00:00Z").contains("This job would cost " + cost("H100", 600, false));
        assertThat(message("job-over-gpu-quota.json")).contains("Job ddp asks for 4 GPUs (2 pod(s) of 2) but team team-a uses 6 of its quota of "
                + "8, so 2 are free.");
        assertThat(message("trainingjob-over-budget-left.json")).contains("the estimated cost of TrainingJob llm-ft-c, " + cost("H100", 1800, false))
                .contains("$3.00 of team-c's monthly budget of $100.00 is left. Cheaper options that fit $3.00: ");
        assertThat(message("job-over-max-cost-by-deadline.json")).contains("the estimated cost of Job long, at most $")
                .contains("(activeDeadlineSeconds 36000 s on H100, the dearest GPU type here").contains("L4 (nodeSelector nvidia.com/gpu.product: "
                        + "NVIDIA-L4) at most $");
        assertThat(message("job-capped-without-estimate.json")).contains("Add the label trainops.dev/model").contains("spec.activeDeadlineSeconds");
        assertThat(message("job-gpu-limit-mismatch.json")).contains("requests 1 nvidia.com/gpu with a limit of 2");
    }

    @Test
    void requestsWithinTheirCapsBudgetsAndQuotasAreAllowed() throws Exception {
        JsonNode job = review("trainingjob-allowed.json");
        assertThat(job.get("uid").asString()).isEqualTo("0b6a7c1e-0001-4e3a-9a53-000000000001");
        assertThat(job.get("allowed").asBoolean()).isTrue();
        assertThat(job.get("status")).isNull();
        JsonNode pod = review("pod-allowed.json");
        assertThat(pod.get("allowed").asBoolean()).isTrue();
        assertThat(pod.get("warnings").get(0).asString()).contains("uses GPUs outside trainops's queue");
    }

    @Test
    void aMalformedReviewIsAClear400() throws Exception {
        HttpResponse<String> truncated = post(fixture("malformed-truncated.json"));
        assertThat(truncated.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(truncated.body()).get("message").asString()).startsWith("The body is not JSON (line 2, column");
        HttpResponse<String> noUid = post(fixture("malformed-no-uid.json"));
        assertThat(noUid.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noUid.body()).get("message").asString()).isEqualTo("The AdmissionReview's request has no uid.");
        assertThat(JSON.readTree(noUid.body()).get("hint").asString()).startsWith("POST an AdmissionReview as the API server sends it");
    }

    static String cost(String type, long seconds, boolean spot) {
        return WebhookScenario.cost(prices, type, 1, seconds, spot, NOW).display();
    }

    static String message(String fixture) throws Exception {
        return review(fixture).get("status").get("message").asString();
    }

    static JsonNode review(String fixture) throws Exception {
        HttpResponse<String> r = post(fixture(fixture));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode review = JSON.readTree(r.body());
        assertThat(review.get("apiVersion").asString()).isEqualTo("admission.k8s.io/v1");
        assertThat(review.get("kind").asString()).isEqualTo("AdmissionReview");
        return review.get("response");
    }

    static HttpResponse<String> post(String body) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String fixture(String name) throws Exception {
        try (InputStream in = AdmissionWebhookTest.class.getResourceAsStream("/admission/" + name)) {
            assertThat(in).as("fixture " + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Node node(String name, String product, boolean spot) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).addToLabels(KubeNames.LABEL_GPU_PRODUCT, product).endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus();
        if (spot) {
            b.editMetadata().addToLabels("karpenter.sh/capacity-type", "spot").endMetadata();
        }
        return b.build();
    }
}
