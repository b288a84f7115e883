package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.app.bench.SelfSignedCert;
import dev.trainops.server.AdmissionHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code serve --sandbox --webhook-port}: the app's webhook decides on the facts its modules keep
 * (the sandbox's teams, quotas and budgets, read by the admission-facts loop), over HTTPS. team-c's
 * GPU quota is 4 (config/quotas.yaml): a raw Job asking for 5 is denied once the facts are read, a
 * TrainingJob of llm within team-a's budget is allowed.
 */
class WebhookSandboxTest {
    static final Path CONFIG = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath();
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @Test
    void theSandboxServesTheWebhookOnItsOwnFacts() throws Exception {
        SelfSignedCert cert = SelfSignedCert.create(dir.resolve("tls"));
        try (Trainops trainops = Trainops.create(new Trainops.Settings(CONFIG, dir.resolve("data"), true, 1.0));
             AdmissionHttp http = new AdmissionHttp(new AdmissionHttp.Options("127.0.0.1", 0, cert.certFile(), cert.keyFile()),
                     trainops.admissionPolicy())) {
            URI uri = URI.create("https://localhost:" + http.start() + AdmissionHttp.PATH);
            trainops.connect();
            HttpClient client = HttpClient.newBuilder().sslContext(cert.trustingIt()).build();

            JsonNode denied = null;
            for (int i = 0; i < 240 && (denied == null || denied.get("allowed").asBoolean()); i++) {
                denied = post(client, uri, RAW_JOB);
                if (denied.get("allowed").asBoolean()) {
                    Thread.sleep(250); // the facts are read once the store and the queue are open
                }
            }
            assertThat(denied.get("allowed").asBoolean()).as("denied once the facts are read: " + denied).isFalse();
            assertThat(denied.get("uid").asString()).isEqualTo("sandbox-1");
            assertThat(denied.get("status").get("details").get("causes").get(0).get("reason").asString()).isEqualTo("OVER_GPU_QUOTA");
            assertThat(denied.get("status").get("message").asString()).contains("asks for 5 GPUs (1 pod(s) of 5) but team team-c uses 0 of its "
                    + "quota of 4, so 4 are free.");

            JsonNode allowed = post(client, uri, TRAINING_JOB);
            assertThat(allowed.get("allowed").asBoolean()).as(allowed.toString()).isTrue();
            assertThat(allowed.get("warnings")).as("no warning once the facts are read").isNull();
        }
    }

    static JsonNode post(HttpClient client, URI uri, String body) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("response");
    }

    static final String RAW_JOB = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"sandbox-1",
             "kind":{"group":"batch","version":"v1","kind":"Job"},"namespace":"team-c","operation":"CREATE",
             "object":{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"big","namespace":"team-c"},
              "spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"i",
               "resources":{"requests":{"nvidia.com/gpu":"5"},"limits":{"nvidia.com/gpu":"5"}}}]}}}}}}
            """;
    static final String TRAINING_JOB = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"sandbox-2",
             "kind":{"group":"trainops.dev","version":"v1alpha1","kind":"TrainingJob"},"namespace":"team-a","operation":"CREATE",
             "object":{"apiVersion":"trainops.dev/v1alpha1","kind":"TrainingJob","metadata":{"name":"llm-ft","namespace":"team-a"},
              "spec":{"model":"llm","epochs":3,"batchSize":64,"maxCost":"50.00"}}}}
            """;
}
