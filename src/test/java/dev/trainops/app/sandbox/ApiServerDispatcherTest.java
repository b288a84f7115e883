package dev.trainops.app.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.resource.TrainingBatch;
import dev.trainops.resource.TrainingJob;
import dev.trainops.resource.TrainingJobSpec;
import dev.trainops.resource.TrainingJobStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox's API server: fabric8's CRUD mock behind {@link ApiServerDispatcher}, with the trainops CRDs installed. */
class ApiServerDispatcherTest {
    final AtomicInteger durableWrites = new AtomicInteger();
    ApiServerDispatcher dispatcher;
    KubernetesMockServer server;
    KubernetesClient client;

    @BeforeEach
    void start() {
        dispatcher = new ApiServerDispatcher(durableWrites::incrementAndGet);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        SandboxCrds.install(client);
        client.resource(new NamespaceBuilder().withNewMetadata().withName("team-a").endMetadata().build()).create();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    static TrainingJob trainingJob(String name) {
        TrainingJob tj = new TrainingJob();
        tj.getMetadata().setName(name);
        tj.getMetadata().setNamespace("team-a");
        tj.getSpec().setModel("mnist");
        tj.getSpec().setEpochs(1);
        tj.getSpec().setBatchSize(64);
        return tj;
    }

    @Test
    void bothCrdsAreInstalledWithTheirStatusSubresource() {
        assertThat(dispatcher.installedCrds()).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder(TrainingJob.CRD_NAME, "trainingbatches.trainops.dev");
        TrainingJob created = client.resource(trainingJob("with-status")).create();
        created.setStatus(new TrainingJobStatus());
        created.getStatus().setState("QUEUED");
        client.resource(created).updateStatus();
        // a spec change through the main resource leaves the status alone, as with the status subresource on a real server
        TrainingJob changed = client.resources(TrainingJob.class).inNamespace("team-a").withName("with-status").get();
        changed.getSpec().setEpochs(2);
        changed.getStatus().setState("SOMETHING ELSE");
        client.resource(changed).update();

        TrainingJob read = client.resources(TrainingJob.class).inNamespace("team-a").withName("with-status").get();
        assertThat(read.getSpec().getEpochs()).isEqualTo(2);
        assertThat(read.getStatus().getState()).isEqualTo("QUEUED");
    }

    @Test
    void aGenericClientFindsTheKindThroughDiscovery() {
        client.resource(trainingJob("generic")).create();

        List<GenericKubernetesResource> items = client.genericKubernetesResources(TrainingJob.API_VERSION, "TrainingJob")
                .inNamespace("team-a").list().getItems();
        assertThat(items).extracting(i -> i.getMetadata().getName()).containsExactly("generic");
    }

    @Test
    void creatingOrDeletingATrainingJobIsADurableWriteAndChangingItIsNot() {
        client.resource(trainingJob("durable")).create();
        assertThat(durableWrites).hasValue(1);
        TrainingJob tj = client.resources(TrainingJob.class).inNamespace("team-a").withName("durable").get();
        tj.getSpec().setEpochs(3);
        client.resource(tj).update();
        assertThat(durableWrites).hasValue(1);
        client.resources(TrainingJob.class).inNamespace("team-a").withName("durable").delete();
        assertThat(durableWrites).hasValue(2);
    }

    @Test
    void aRestoredTrainingJobKeepsItsUidAndStatusAndANewOneGetsAnotherUid() {
        // ahead of the uids the mock has given out in this JVM so far, as after a restart
        long ahead = io.fabric8.kubernetes.client.utils.Utils.generateId().getLeastSignificantBits() + 5000;
        String restoredUid = new UUID(0, ahead).toString();
        TrainingJob saved = trainingJob("restored");
        saved.getMetadata().setUid(restoredUid);
        saved.getMetadata().setCreationTimestamp("2026-11-28T10:00:00Z");
        saved.getMetadata().setResourceVersion("77");
        saved.setStatus(new TrainingJobStatus());
        saved.getStatus().setState("RUNNING");
        saved.getStatus().setJobId("job-42");

        dispatcher.restore(SandboxCrds.generic(client, saved), "trainingjobs", true);

        TrainingJob read = client.resources(TrainingJob.class).inNamespace("team-a").withName("restored").get();
        assertThat(read.getMetadata().getUid()).isEqualTo(restoredUid);
        assertThat(read.getMetadata().getCreationTimestamp()).isEqualTo("2026-11-28T10:00:00Z");
        assertThat(read.getStatus().getState()).isEqualTo("RUNNING");
        assertThat(read.getStatus().getJobId()).isEqualTo("job-42");
        assertThat(read.getSpec().getModel()).isEqualTo("mnist");
        // fabric8's mock counts its uids from 1 in every process: the next ones must not reach the restored one
        TrainingJob fresh = client.resource(trainingJob("fresh")).create();
        assertThat(UUID.fromString(fresh.getMetadata().getUid()).getLeastSignificantBits()).isGreaterThan(ahead);
    }

    @Test
    void aMergePatchReplacesArraysAsRfc7386SaysInTheSpecAndInTheStatus() {
        TrainingBatch batch = new TrainingBatch();
        batch.getMetadata().setName("sweep");
        batch.getMetadata().setNamespace("team-a");
        TrainingJobSpec one = trainingJob("x").getSpec();
        batch.getSpec().setJobs(List.of(one, one, one));
        client.resource(batch).create();
        var batches = client.resources(TrainingBatch.class).inNamespace("team-a").withName("sweep");

        // what kubectl apply sends for the same object with one job fewer
        batches.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"jobs\":[{\"model\":\"mnist\",\"epochs\":1,\"batchSize\":64},"
                + "{\"model\":\"mnist\",\"epochs\":2,\"batchSize\":64}]},\"metadata\":{\"labels\":{\"sweep\":\"a\"}}}");
        TrainingBatch read = batches.get();
        assertThat(read.getSpec().getJobs()).extracting(TrainingJobSpec::getEpochs).containsExactly(1, 2);
        assertThat(read.getMetadata().getLabels()).containsEntry("sweep", "a");

        // a controller's status patch twice: the conditions are the last ones sent, not both lists
        for (String reason : List.of("Queued", "Admitted")) {
            batches.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"status\":{\"state\":\"" + reason + "\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",\"reason\":\""
                            + reason + "\"}]}}");
        }
        TrainingBatch patched = batches.get();
        assertThat(patched.getStatus().getConditions()).extracting(c -> c.getReason()).containsExactly("Admitted");
        assertThat(patched.getSpec().getJobs()).hasSize(2);
    }

    @Test
    void takingTheLastFinalizerOffADeletedObjectAnswersItsFinalStateAndSavesTheState() throws Exception {
        TrainingJob tj = trainingJob("finalized");
        tj.getMetadata().setFinalizers(List.of("trainops.dev/cancel"));
        client.resource(tj).create();
        client.resource(tj).delete();
        assertThat(client.resources(TrainingJob.class).inNamespace("team-a").withName("finalized").get().getMetadata().getDeletionTimestamp())
                .isNotNull();
        int writes = durableWrites.get();

        // as kubectl patch sends it
        HttpResponse<String> patch = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(server.url("/apis/trainops.dev/v1alpha1/namespaces/team-a/trainingjobs/finalized?fieldManager=kubectl-patch")))
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"finalizers\":[]}}"))
                .header("Content-Type", "application/merge-patch+json").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(patch.statusCode()).isEqualTo(200);
        TrainingJob answered = client.getKubernetesSerialization().unmarshal(patch.body(), TrainingJob.class);
        assertThat(answered.getMetadata().getName()).isEqualTo("finalized");
        assertThat(answered.getMetadata().getFinalizers()).isEmpty();
        assertThat(client.resources(TrainingJob.class).inNamespace("team-a").withName("finalized").get()).isNull();
        assertThat(durableWrites).hasValue(writes + 1);
    }

    @Test
    void anHttpWatchAsKubectlSendsItGetsA410SayingWhyWhileAWebSocketWatchStillWorks() throws Exception {
        CountDownLatch added = new CountDownLatch(1);
        try (Watch ignored = client.resources(TrainingJob.class).inNamespace("team-a").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, TrainingJob resource) {
                if (action == Action.ADDED && resource.getMetadata().getName().equals("watched")) {
                    added.countDown();
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            HttpResponse<String> kubectlWatch = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.url("/apis/trainops.dev/v1alpha1/namespaces/team-a/trainingjobs?watch=true&resourceVersion=0"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(kubectlWatch.statusCode()).isEqualTo(410);
            assertThat(kubectlWatch.body()).contains("Expired").contains("WebSocket only").contains("instead of kubectl get -w");

            client.resource(trainingJob("watched")).create();
            assertThat(added.await(20, TimeUnit.SECONDS)).as("the WebSocket watch saw the new object").isTrue();
        }
    }

    @Test
    void aStrategicMergePatchIsRefusedWithTheWayOut() throws Exception {
        HttpResponse<String> patch = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url("/api/v1/namespaces/team-a")))
                        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"labels\":{\"a\":\"b\"}}}"))
                        .header("Content-Type", "application/strategic-merge-patch+json").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(patch.statusCode()).isEqualTo(415);
        assertThat(patch.body()).contains("UnsupportedMediaType").contains("kubectl replace -f FILE");
        assertThat(client.namespaces().withName("team-a").get().getMetadata().getLabels()).doesNotContainKey("a");
    }

    @Test
    void theDiscoveryAnswersAreJson() throws Exception {
        HttpResponse<String> apis = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url("/apis"))).header("Accept",
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(apis.statusCode()).isEqualTo(200);
        // plain JSON, not the aggregated form kubectl asked for first: it then reads the unaggregated lists
        assertThat(apis.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(client.getKubernetesSerialization().unmarshal(apis.body(), Map.class)).containsEntry("kind", "APIGroupList");
    }
}
