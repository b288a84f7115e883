package dev.trainops.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.resource.TrainingBatch;
import dev.trainops.testing.Crds;
import dev.trainops.testing.CrudMockServer;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A controller's CRD is looked up at most once a minute; absent or refused, the controller stays off (docs/kubernetes.md). */
class CrdCheckTest {
    private final CrudMockServer api = new CrudMockServer();
    private final KubernetesClient client = api.client();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void anAbsentCrdIsLookedUpAgainOnlyAfterAMinuteOrWhenAskedTo() {
        CrdCheck check = new CrdCheck(client, TrainingBatch.CRD_NAME, "TrainingBatch controller", clock);
        assertThat(check.found()).isFalse();
        Crds.install(client, Crds.TRAINING_BATCHES);
        assertThat(check.found()).as("within the minute: not looked up").isFalse();
        clock.advance(CrdCheck.EVERY);
        assertThat(check.found()).isTrue();

        CrdCheck other = new CrdCheck(client, "trainingjobs.trainops.dev", "TrainingJob controller", clock);
        assertThat(other.found()).isFalse();
        Crds.install(client, Crds.TRAINING_JOBS);
        other.lookNow();
        assertThat(other.found()).isTrue();
    }

    @Test
    void aLookupTheApiServerRefusesCountsAsAbsentAndIsNotThrown() {
        String url = client.getConfiguration().getMasterUrl();
        api.close();
        try (KubernetesClient gone = new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl(url).withRequestRetryBackoffLimit(0).withConnectionTimeout(500).withRequestTimeout(500).build()).build()) {
            CrdCheck check = new CrdCheck(gone, TrainingBatch.CRD_NAME, "TrainingBatch controller", clock);
            assertThat(check.found()).isFalse();
        }
    }
}
