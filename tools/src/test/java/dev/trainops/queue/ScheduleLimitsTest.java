package dev.trainops.queue;

import static dev.trainops.queue.QueueCatalog.ADMIN;
import static dev.trainops.queue.QueueCatalog.error;
import static dev.trainops.queue.QueueCatalog.job;
import static dev.trainops.queue.QueueCatalog.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolError;
import dev.trainops.store.Store;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A schedule far in the future (issue 14, "Bad input at scale"): Instant.parse takes years up to
 * +1000000000, and such a job overflowed the store's epoch milliseconds (INTERNAL). After the year
 * 9999 it is refused by name, and nothing is stored.
 */
class ScheduleLimitsTest {
    @TempDir
    Path dir;
    MockQueueCluster cluster;
    QueueCatalog tools;

    @BeforeEach
    void cluster() throws Exception {
        cluster = MockQueueCluster.twoH100s(Store.sqlite(dir)).quota("team-a", 16);
        tools = new QueueCatalog(cluster.q);
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void aScheduleAfterTheYear9999IsRefusedByNameAndNothingIsStored() {
        for (String far : List.of("+1000000000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "10000-01-01T00:00:00Z")) {
            Map<String, Object> args = new HashMap<>(job("team-a", "far", 1, "NORMAL"));
            args.put("schedule", far);
            ToolError refused = error(tools.call(ADMIN, "queue_training_job", args));
            assertThat(refused.code()).as(far).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(refused.details()).as(far).containsEntry("argument", "schedule");
        }
        assertThat(QueueTenancyTest.jobs(ok(tools.call(ADMIN, "get_job_queue_status", Map.of())))).isEmpty();
        Map<String, Object> late = new HashMap<>(job("team-a", "late", 1, "NORMAL"));
        late.put("schedule", "9999-12-31T00:00:00Z");
        assertThat(ok(tools.call(ADMIN, "queue_training_job", late))).containsKey("job_id");
    }
}
