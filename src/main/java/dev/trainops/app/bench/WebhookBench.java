package dev.trainops.app.bench;

import dev.trainops.admission.AdmissionReviewer;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.PodResources;
import dev.trainops.server.AdmissionHttp;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code trainops bench --webhook-reviews N}: N AdmissionReviews sent one after another over HTTPS
 * (a keep-alive connection, as the API server keeps one) to an in-process webhook whose facts come
 * from the synthetic cluster's index, and the latency of each: the API server's timeout is 5 s, the
 * goal a p99 under 50 ms. The mix: TrainingJobs allowed and over their cap, a blocked team, raw GPU
 * Jobs over quota, priced by their time limit, with a GPU limit above the request, a Pod allowed.
 */
final class WebhookBench {
    private static final KubernetesSerialization KUBE = new KubernetesSerialization();
    private final PrintStream out;

    WebhookBench(PrintStream out) {
        this.out = out;
    }

    void run(ClusterIndex index, Path configDir, int reviews) throws Exception {
        PriceBook prices = PricingConfig.load(configDir.resolve("pricing.yaml"));
        Path dir = Files.createTempDirectory("trainops-bench-webhook");
        SelfSignedCert cert = SelfSignedCert.create(dir);
        AdmissionReviewer reviewer = new AdmissionReviewer(WebhookScenario.sources(index::nodes, () -> inUse(index), Map.of("team-a", 8),
                prices, Clock.systemUTC()));
        long refreshStart = System.nanoTime();
        reviewer.refresh();
        out.printf("webhook: facts read (3 teams' budgets and GPU use, the GPU types of %d nodes) in %.1f ms; reviews read only these%n",
                index.nodes().size(), (System.nanoTime() - refreshStart) / 1e6);
        List<String> mix = List.of(TRAINING_JOB.formatted("%s", 2, "50.00", "team-a"), TRAINING_JOB.formatted("%s", 40, "5.00", "team-a"),
                TRAINING_JOB.formatted("%s", 1, "50.00", "team-b"), RAW_JOB.formatted("%s", 4, 4, "", 2), RAW_JOB.formatted("%s", 1, 1,
                        "\"activeDeadlineSeconds\":36000,", 1), RAW_JOB.formatted("%s", 1, 2, "", 1), POD.formatted("%s"));
        try (AdmissionHttp http = new AdmissionHttp(new AdmissionHttp.Options("127.0.0.1", 0, cert.certFile(), cert.keyFile()), reviewer::review)) {
            URI uri = URI.create("https://localhost:" + http.start() + AdmissionHttp.PATH);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(cert.trustingIt()).build();
            int warmup = 200;
            long[] nanos = new long[reviews];
            int denied = 0;
            for (int i = 0; i < reviews + warmup; i++) {
                String body = String.format(mix.get(i % mix.size()), "bench-" + i);
                long s = System.nanoTime();
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                long took = System.nanoTime() - s;
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("the webhook answered " + r.statusCode() + ": " + r.body());
                }
                if (i >= warmup) {
                    nanos[i - warmup] = took;
                    denied += Boolean.FALSE.equals(KUBE.unmarshal(r.body(), AdmissionReview.class).getResponse().getAllowed()) ? 1 : 0;
                }
            }
            report("admission reviews over HTTPS (POST /admission/validate, keep-alive, loopback)", nanos);
            out.printf("  %d allowed, %d denied (each denial with its numbers and cheaper options); %d warm-up reviews left out%n",
                    reviews - denied, denied, warmup);
        }
        long[] inProcess = new long[reviews];
        for (int i = 0; i < reviews; i++) {
            AdmissionReview review = KUBE.unmarshal(String.format(mix.get(i % mix.size()), "in-" + i), AdmissionReview.class);
            long s = System.nanoTime();
            reviewer.review(review.getRequest());
            inProcess[i] = System.nanoTime() - s;
        }
        report("admission decision in-process (AdmissionReviewer.review, parsed request)", inProcess);
    }

    /** GPUs each namespace's pods hold now (the synthetic pods are in team-a, team-b and team-c). */
    private static Map<String, Integer> inUse(ClusterIndex index) {
        Map<String, Integer> used = new HashMap<>();
        for (Pod p : index.gpuPods()) {
            if (PodResources.holdsResources(p)) {
                used.merge(p.getMetadata().getNamespace(), PodResources.gpuRequests(p).getOrDefault(KubeNames.GPU_RESOURCE, 0L).intValue(),
                        Integer::sum);
            }
        }
        return used;
    }

    private void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        out.printf("%s: n=%d p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", what, sorted.length, pct(sorted, 50), pct(sorted, 90),
                pct(sorted, 99), sorted[sorted.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** uid, epochs, maxCost, namespace. */
    static final String TRAINING_JOB = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s",
             "kind":{"group":"trainops.dev","version":"v1alpha1","kind":"TrainingJob"},"namespace":"%4$s","operation":"CREATE",
             "object":{"apiVersion":"trainops.dev/v1alpha1","kind":"TrainingJob","metadata":{"name":"llm-ft","namespace":"%4$s"},
              "spec":{"model":"llm","epochs":%2$d,"batchSize":64,"gpuType":"H100","maxCost":"%3$s"}}}}
            """;
    /** uid, GPU request, GPU limit, extra Job spec fields, parallelism. */
    static final String RAW_JOB = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s",
             "kind":{"group":"batch","version":"v1","kind":"Job"},"namespace":"team-a","operation":"CREATE",
             "object":{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"train","namespace":"team-a",
              "annotations":{"trainops.dev/max-cost":"25.00"}},
              "spec":{%4$s"parallelism":%5$d,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"train","image":"trainer:1",
               "resources":{"requests":{"nvidia.com/gpu":"%2$d","cpu":"8","memory":"32Gi"},"limits":{"nvidia.com/gpu":"%3$d"}}}]}}}}}}
            """;
    /** uid. */
    static final String POD = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s",
             "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"team-a","operation":"CREATE",
             "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"jupyter","namespace":"team-a"},
              "spec":{"containers":[{"name":"lab","image":"jupyter:1","resources":{"limits":{"nvidia.com/gpu":"1"}}}]}}}}
            """;
}
