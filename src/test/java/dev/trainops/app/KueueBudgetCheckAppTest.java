package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 4, the whole app: trainops on fabric8's CRUD mock API server with Kueue's CRDs
 * (v0.19.2, vendored in tools/src/test/resources/kueue) finds Kueue, makes its AdmissionCheck
 * {@code trainops.dev/budget} Active, and sets a reserved Workload's Pending budget check Ready
 * (team-a's budget in config/budgets.yaml holds its hour on 8 H100), leaving the other check's
 * entry as it was. Through the app's own client, so the least-privilege check sees each request.
 */
class KueueBudgetCheckAppTest {
    static final Path KUEUE = Path.of("../tools/src/test/resources/kueue");
    static final KubernetesSerialization KUBE = new KubernetesSerialization();

    @TempDir
    Path data;

    static ResourceDefinitionContext kueue(String plural, String kind, boolean namespaced) {
        return new ResourceDefinitionContext.Builder().withGroup("kueue.x-k8s.io").withVersion("v1beta2").withPlural(plural).withKind(kind)
                .withNamespaced(namespaced).build();
    }

    static final ResourceDefinitionContext WORKLOADS = kueue("workloads", "Workload", true);
    static final ResourceDefinitionContext ADMISSION_CHECKS = kueue("admissionchecks", "AdmissionCheck", false);
    static final ResourceDefinitionContext RESOURCE_FLAVORS = kueue("resourceflavors", "ResourceFlavor", false);

    static <T> T read(Path file, Class<T> type) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return KUBE.unmarshal(in, type);
        }
    }

    /** Creates a fixture of tools/src/test/resources/kueue/fixtures, then its status through the status subresource. */
    static GenericKubernetesResource create(KubernetesClient client, ResourceDefinitionContext kind, String fixture) throws Exception {
        GenericKubernetesResource r = read(KUEUE.resolve("fixtures").resolve(fixture), GenericKubernetesResource.class);
        Object status = r.getAdditionalProperties().get("status");
        var all = client.genericKubernetesResources(kind);
        var scoped = kind.isNamespaceScoped() ? all.inNamespace(r.getMetadata().getNamespace()) : all;
        GenericKubernetesResource created = scoped.resource(r).create();
        if (status == null) {
            return created;
        }
        created.setAdditionalProperty("status", status);
        return scoped.resource(created).updateStatus();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> entry(GenericKubernetesResource w, String check) {
        Map<String, Object> status = (Map<String, Object>) w.getAdditionalProperties().get("status");
        return ((List<Map<String, Object>>) status.get("admissionChecks")).stream().filter(e -> check.equals(e.get("name"))).findFirst()
                .orElseThrow();
    }

    @Test
    void withKueueInstalledTheAppMakesItsCheckActiveAndAReservedWorkloadThatTeamABudgetHoldsReady() throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        GenericKubernetesResource workload;
        try (var client = server.createClient()) {
            client.resource(OwnHistoryTest.h100("h100-a")).create();
            for (String plural : List.of("workloads", "admissionchecks", "resourceflavors")) {
                client.apiextensions().v1().customResourceDefinitions()
                        .resource(read(KUEUE.resolve("kueue.x-k8s.io_" + plural + ".yaml"), CustomResourceDefinition.class)).create();
            }
            create(client, ADMISSION_CHECKS, "admissioncheck-budget.yaml");
            create(client, ADMISSION_CHECKS, "admissioncheck-provisioning.yaml");
            create(client, RESOURCE_FLAVORS, "resourceflavor-h100.yaml");
            workload = create(client, WORKLOADS, "workload-reserved.yaml");
        }
        Map<String, String> saved = OwnHistoryTest.pointAt(server);
        try (Trainops trainops = Trainops.create(new Trainops.Settings(OwnHistoryTest.CONFIG, data, false, 1.0), Map.of());
             var client = server.createClient()) {
            trainops.connect();
            var ours = client.genericKubernetesResources(WORKLOADS).inNamespace("team-a").withName(workload.getMetadata().getName());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!"Ready".equals(entry(ours.get(), "trainops-budget").get("state")) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            GenericKubernetesResource after = ours.get();
            assertThat(entry(after, "trainops-budget")).as("set by the loop kueue-budget-check").containsEntry("state", "Ready");
            assertThat((String) entry(after, "trainops-budget").get("message")).startsWith("Estimate ")
                    .contains(" USD for 8 x H100 over 1 h 0 min", "of team team-a's monthly budget of 2000.000000 USD");
            assertThat(KUBE.asJson(entry(after, "capacity"))).isEqualTo(KUBE.asJson(entry(workload, "capacity")));
            GenericKubernetesResource check = client.genericKubernetesResources(ADMISSION_CHECKS).withName("trainops-budget").get();
            assertThat(KUBE.asJson(check.getAdditionalProperties().get("status"))).contains("\"type\":\"Active\"", "\"status\":\"True\"");
            assertThat(BackgroundLoopsTest.sample(trainops.metrics().scrape(), "trainops_background_loop_failures_total",
                    "loop=\"kueue-budget-check\"")).isZero();
        } finally {
            OwnHistoryTest.restore(saved);
            server.destroy();
        }
    }
}
