package dev.trainops.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.resource.TrainingJob;
import dev.trainops.testing.Crds;
import dev.trainops.testing.CrudMockServer;
import dev.trainops.testing.StatusLockingDispatcher;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The status writer: a write from a stale copy is refused (409) and made again on the latest object; spec edits survive. */
class StatusWriterTest {
    private final StatusLockingDispatcher api = new StatusLockingDispatcher();
    private CrudMockServer mock;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        mock = new CrudMockServer(api);
        client = mock.client();
        Crds.install(client);
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    static TrainingJob job(String name) {
        TrainingJob tj = new TrainingJob();
        tj.getMetadata().setNamespace("team-a");
        tj.getMetadata().setName(name);
        tj.getSpec().setModel("mnist");
        tj.getSpec().setEpochs(1);
        tj.getSpec().setBatchSize(64);
        return tj;
    }

    @Test
    void aStatusWrittenFromAStaleCopyIsRetriedOnTheLatestObjectAndKeepsItsSpecEdit() {
        TrainingJob stale = client.resource(job("mnist-1")).create();
        TrainingJob edited = client.resources(TrainingJob.class).inNamespace("team-a").withName("mnist-1").edit(t -> {
            t.getSpec().setEpochs(3);
            t.getMetadata().setLabels(new HashMap<>(java.util.Map.of("edited", "yes")));
            return t;
        });
        assertThat(edited.getMetadata().getResourceVersion()).isNotEqualTo(stale.getMetadata().getResourceVersion());
        AtomicInteger applied = new AtomicInteger();

        TrainingJob written = new StatusWriter(client).update(stale, t -> {
            applied.incrementAndGet();
            t.getStatus().setState("QUEUED");
            return t;
        }).orElseThrow();

        assertThat(applied).as("the change is applied once on the stale copy, refused with 409, then on the latest").hasValue(2);
        assertThat(api.conflicts()).isEqualTo(1);
        TrainingJob now = client.resources(TrainingJob.class).inNamespace("team-a").withName("mnist-1").get();
        assertThat(now.getStatus().getState()).isEqualTo("QUEUED");
        assertThat(now.getSpec().getEpochs()).isEqualTo(3);
        assertThat(written.getStatus().getState()).isEqualTo("QUEUED");
        assertThat(stale.getStatus().getState()).as("the caller's copy is not changed").isNull();
    }

    @Test
    void nothingIsWrittenWhenTheChangeSaysTheStatusIsAsItShouldBe() {
        TrainingJob created = client.resource(job("mnist-2")).create();
        TrainingJob same = new StatusWriter(client).update(created, t -> null).orElseThrow();
        assertThat(same.getMetadata().getResourceVersion()).isEqualTo(created.getMetadata().getResourceVersion());
    }

    @Test
    void anObjectDeletedMeanwhileIsNoStatusToWrite() {
        TrainingJob created = client.resource(job("mnist-3")).create();
        client.resource(created).delete();
        assertThat(new StatusWriter(client).update(created, t -> {
            t.getStatus().setState("QUEUED");
            return t;
        })).isEmpty();
    }
}
