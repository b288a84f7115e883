package dev.trainops.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /admission/validate} over HTTPS owns the wire (docs/kubernetes.md, "The admission
 * webhook"): an AdmissionReview in, one out with the request's uid and the policy's answer; a body
 * that is not a review is a 400 that says what is wrong; a failing policy is a 500 with a reference.
 */
class AdmissionServletTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String JOB = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002",
             "kind":{"group":"batch","version":"v1","kind":"Job"},"resource":{"group":"batch","version":"v1","resource":"jobs"},
             "namespace":"team-a","operation":"CREATE","userInfo":{"username":"alice"},
             "object":{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"train","namespace":"team-a"},
               "spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"i"}]}}}}}}
            """;

    @TempDir
    Path dir;
    final AtomicReference<AdmissionRequest> seen = new AtomicReference<>();
    final AtomicReference<RuntimeException> failWith = new AtomicReference<>();
    AdmissionHttp http;
    HttpClient client;
    URI uri;

    @BeforeEach
    void start() throws Exception {
        TestTls.install("a", dir);
        http = new AdmissionHttp(new AdmissionHttp.Options("127.0.0.1", 0, dir.resolve("tls.crt"), dir.resolve("tls.key")), request -> {
            seen.set(request);
            if (failWith.get() != null) {
                throw failWith.get();
            }
            AdmissionResponse r = new AdmissionResponse();
            r.setAllowed(false);
            r.setStatus(new StatusBuilder().withCode(403).withReason("Forbidden").withMessage("no GPUs for you").build());
            r.setWarnings(List.of("a warning"));
            return r;
        });
        uri = URI.create("https://localhost:" + http.start() + AdmissionHttp.PATH);
        client = HttpClient.newBuilder().sslContext(TestTls.client()).build();
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
    }

    HttpResponse<String> post(String body) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aReviewIsAnsweredWithTheRequestsUidAndThePolicysVerdict() throws Exception {
        HttpResponse<String> r = post(JOB);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.get("apiVersion").asString()).isEqualTo("admission.k8s.io/v1");
        assertThat(answer.get("kind").asString()).isEqualTo("AdmissionReview");
        assertThat(answer.get("response").get("uid").asString()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(answer.get("response").get("allowed").asBoolean()).isFalse();
        assertThat(answer.get("response").get("status").get("message").asString()).isEqualTo("no GPUs for you");
        assertThat(answer.get("response").get("warnings").get(0).asString()).isEqualTo("a warning");
        assertThat(seen.get().getObject()).as("the object, typed").isInstanceOf(Job.class);
        assertThat(seen.get().getNamespace()).isEqualTo("team-a");
    }

    @Test
    void aBodyThatIsNotAReviewIsA400ThatSaysWhatIsWrong() throws Exception {
        assertRefused(post("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "), "The body is not JSON (line 1, column");
        assertRefused(post("[1, 2]"), "The body is not a JSON object.");
        assertRefused(post("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{}}"),
                "The body is not an AdmissionReview of admission.k8s.io/v1 (apiVersion 'admission.k8s.io/v1beta1', kind 'AdmissionReview').");
        assertRefused(post("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}"), "The AdmissionReview has no request.");
        assertRefused(post(JOB.replace("\"uid\":\"705ab4f5-6393-11e8-b7cc-42010a800002\",", "")),
                "The AdmissionReview's request has no uid.");
        assertRefused(post(JOB.replace("\"kind\":{\"group\":\"batch\",\"version\":\"v1\",\"kind\":\"Job\"},", "")),
                "The AdmissionReview's request has no kind {group, version, kind}.");
        assertRefused(post(JOB.replace("\"spec\":{\"template\"", "\"spec\":{\"parallelism\":\"many\",\"template\"")),
                "The AdmissionReview's request.object is not a valid Job of batch/v1.");
        assertThat(seen.get()).as("the policy saw none of them").isNull();
    }

    @Test
    void aFailingPolicyIsA500WithAReferenceAndNoInternals() throws Exception {
        failWith.set(new IllegalStateException("secret internals at dev.trainops.Foo"));
        HttpResponse<String> r = post(JOB);
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(r.body()).get("message").asString()).matches("trainops could not review this request \\(reference [0-9a-f]{8} in its log\\)\\.");
        assertThat(r.body()).doesNotContain("IllegalStateException", "dev.trainops", "internals");
    }

    @Test
    void getIsA405ThatSaysToPostAReview() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(JSON.readTree(r.body()).get("hint").asString()).startsWith("POST an AdmissionReview (admission.k8s.io/v1) here");
    }

    private static void assertRefused(HttpResponse<String> r, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("code").asString()).isEqualTo("INVALID_ARGUMENT");
        assertThat(body.get("message").asString()).startsWith(message);
        assertThat(body.get("hint").asString()).contains("POST an AdmissionReview");
    }
}
