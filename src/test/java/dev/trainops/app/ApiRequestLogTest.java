package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.app.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The least-privilege check's recorder (docs/decisions.md, "Least privilege, recorded and checked"):
 * on a client built with it, each distinct request is one line, an impersonating client derived the
 * way rule 9 derives it records the impersonation headers, and without the variable nothing is added.
 */
class ApiRequestLogTest {
    @TempDir
    Path dir;

    static KubernetesMockServer crud() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        return server;
    }

    List<String> recorded() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.toList();
            assertThat(all).as("one file per process").hasSize(1);
            return Files.readAllLines(all.get(0));
        }
    }

    @Test
    void eachDistinctRequestOfTheServersClientAndOfItsImpersonatingClientsIsOneLine() throws Exception {
        KubernetesMockServer server = crud();
        Consumer<KubernetesClientBuilder> setup = ApiRequestLog.from(Map.of(ApiRequestLog.ENV, dir.toString()));
        try (KubernetesClient client = server.createClient(setup)) {
            client.nodes().list();
            client.nodes().list();
            KubernetesClient alice = client.newClient(new RequestConfigBuilder().withImpersonateUsername("alice")
                    .withImpersonateGroups("team-a", "team-b").build()).adapt(KubernetesClient.class);
            alice.resource(new JobBuilder().withNewMetadata().withName("j1").withNamespace("team-a").endMetadata().build()).create();
            client.batch().v1().jobs().inNamespace("team-a").withName("j1").delete();
        } finally {
            server.destroy();
        }
        assertThat(recorded()).containsExactly(
                "GET\t/api/v1/nodes\t\t\t",
                "POST\t/apis/batch/v1/namespaces/team-a/jobs\t\talice\tteam-a,team-b",
                "DELETE\t/apis/batch/v1/namespaces/team-a/jobs/j1\t\t\t");
    }

    /** The sandbox seeds, schedules and runs pods through its own client: none of that is trainops's. */
    @Test
    void inTheSandboxOnlyTrainopsOwnClientIsRecordedNotTheSimulatedCluster() throws Exception {
        Path data = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-data"));
        try (SandboxCluster sandbox = new SandboxCluster(OwnHistoryTest.CONFIG, data, 1, Clock.systemUTC(),
                ApiRequestLog.from(Map.of(ApiRequestLog.ENV, dir.toString()))).start()) {
            KubernetesClient trainops = sandbox.seeded().get(120, TimeUnit.SECONDS);
            // seeded: every object created and one pass of the Job controller, scheduler and kubelets done, all on the cluster's client
            trainops.nodes().list();
        }
        assertThat(recorded()).containsExactly("GET\t/api/v1/nodes\t\t\t");
    }

    @Test
    void withoutTheVariableTheClientIsBuiltAsBeforeAndNothingIsRecorded() throws Exception {
        KubernetesClientBuilder builder = new KubernetesClientBuilder();
        ApiRequestLog.from(Map.of()).accept(builder);
        ApiRequestLog.from(Map.of(ApiRequestLog.ENV, " ")).accept(builder);
        KubernetesMockServer server = crud();
        try (KubernetesClient client = server.createClient(b -> ApiRequestLog.from(Map.of()).accept(b))) {
            client.nodes().list();
        } finally {
            server.destroy();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
