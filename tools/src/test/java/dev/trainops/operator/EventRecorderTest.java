package dev.trainops.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.resource.TrainingJob;
import dev.trainops.testing.Crds;
import dev.trainops.testing.CrudMockServer;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events about a custom resource: one per reason and message, however often a resync says it again, and across a restart. */
class EventRecorderTest {
    private CrudMockServer mock;
    private KubernetesClient client;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));

    @BeforeEach
    void start() {
        mock = new CrudMockServer();
        client = mock.client();
        Crds.install(client);
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    @Test
    void aWarningNamesTheObjectReasonMessageAndTrainopsAndIsNotRepeated() {
        TrainingJob tj = client.resource(StatusWriterTest.job("mnist-1")).create();
        EventRecorder events = new EventRecorder(client, clock);

        assertThat(events.warning(tj, "Rejected", "over max_cost: 12.00 > 5.00")).isTrue();
        assertThat(events.warning(tj, "Rejected", "over max_cost: 12.00 > 5.00")).as("a resync says it again").isFalse();
        assertThat(events.normal(tj, "Queued", "queued as tj-1")).isTrue();

        List<Event> all = client.v1().events().inNamespace("team-a").list().getItems();
        assertThat(all).hasSize(2);
        Event rejected = all.stream().filter(e -> e.getReason().equals("Rejected")).findFirst().orElseThrow();
        assertThat(rejected.getType()).isEqualTo("Warning");
        assertThat(rejected.getMessage()).isEqualTo("over max_cost: 12.00 > 5.00");
        assertThat(rejected.getSource().getComponent()).isEqualTo("trainops");
        assertThat(rejected.getInvolvedObject().getKind()).isEqualTo("TrainingJob");
        assertThat(rejected.getInvolvedObject().getApiVersion()).isEqualTo("trainops.dev/v1alpha1");
        assertThat(rejected.getInvolvedObject().getName()).isEqualTo("mnist-1");
        assertThat(rejected.getInvolvedObject().getUid()).isEqualTo(tj.getMetadata().getUid());
        assertThat(rejected.getFirstTimestamp()).isEqualTo("2026-12-01T10:00:00Z");
    }

    @Test
    void aRestartedRecorderDoesNotRepeatAnEventEither() {
        TrainingJob tj = client.resource(StatusWriterTest.job("mnist-2")).create();
        assertThat(new EventRecorder(client, clock).warning(tj, "Rejected", "no")).isTrue();
        assertThat(new EventRecorder(client, clock).warning(tj, "Rejected", "no")).isFalse();
        assertThat(client.v1().events().inNamespace("team-a").list().getItems()).hasSize(1);
    }
}
