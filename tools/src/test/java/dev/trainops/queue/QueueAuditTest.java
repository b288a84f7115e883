package dev.trainops.queue;

import static dev.trainops.queue.QueueCatalog.ALICE;
import static dev.trainops.queue.QueueCatalog.BOB;
import static dev.trainops.queue.QueueCatalog.error;
import static dev.trainops.queue.QueueCatalog.job;
import static dev.trainops.queue.QueueCatalog.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.audit.Audit;
import dev.trainops.audit.AuditEntry;
import dev.trainops.audit.AuditTrail;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identity rule 7 in the queue (DESIGN.md, "Identity and tenancy"): queue_training_job,
 * cancel_training_job and submit_batch_training write their audit entry in the transaction of
 * their change, so both commit or neither; refused and failed calls are recorded too.
 */
class QueueAuditTest {
    @TempDir
    Path dir;
    MockQueueCluster cluster;
    QueueHarness q;
    QueueCatalog tools;

    @BeforeEach
    void cluster() throws Exception {
        cluster = MockQueueCluster.twoH100s(Store.sqlite(dir)).quota("team-a", 16).quota("team-b", 16);
        q = cluster.q;
        tools = new QueueCatalog(q);
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    List<AuditEntry> entries() {
        return tools.audit.list(null, null, null, null, 100);
    }

    /** An audit log that cannot write inside a change's transaction, and keeps what it is told afterwards. */
    static final class BrokenInTransaction implements AuditTrail {
        final List<AuditEntry> after = new CopyOnWriteArrayList<>();

        @Override
        public void append(Connection c, AuditEntry entry) throws SQLException {
            throw new SQLException("audit_log is full");
        }

        @Override
        public void append(AuditEntry entry) {
            after.add(entry);
        }
    }

    @Test
    void rule7_aQueuedJobAndItsAuditEntryCommitTogether() {
        String id = (String) ok(tools.call(ALICE, "queue_training_job", job("team-a", "a-1", 1, "NORMAL"))).get("job_id");
        assertThat(entries()).singleElement().satisfies(e -> {
            assertThat(e.subject()).isEqualTo("alice");
            assertThat(e.role()).isEqualTo("member");
            assertThat(e.teams()).isEqualTo(Set.of("team-a"));
            assertThat(e.tool()).isEqualTo("queue_training_job");
            assertThat(e.team()).isEqualTo("team-a");
            assertThat(e.outcome()).isEqualTo(AuditEntry.OK);
            assertThat(e.arguments()).contains("\"run_name\":\"a-1\"").contains("\"team\":\"team-a\"");
        });
        assertThat(q.job(id).state()).isEqualTo(JobState.SCHEDULED);

        // the insert fails (its id is taken): its audit entry rolls back with it
        QueuedJob taken = q.job(id);
        Audit audit = new Audit(tools.audit, q.clock, ALICE, "queue_training_job", "team-a", "{}");
        assertThatThrownBy(() -> q.queue.insertOnce(taken, audit)).isInstanceOf(RuntimeException.class);
        assertThat(entries()).hasSize(1);

        // the audit entry cannot be written: the job is not stored, and the failure is recorded after the rollback
        BrokenInTransaction broken = new BrokenInTransaction();
        QueueCatalog refusing = new QueueCatalog(q, broken);
        assertThat(error(refusing.call(ALICE, "queue_training_job", job("team-a", "a-2", 1, "NORMAL"))).code()).isNotNull();
        assertThat(q.all()).singleElement().satisfies(j -> assertThat(j.jobId()).isEqualTo(id));
        assertThat(broken.after).singleElement().satisfies(e -> assertThat(e.outcome()).isNotEqualTo(AuditEntry.OK));
    }

    @Test
    void rule7_aRefusedCancelIsAudited() {
        String b1 = (String) ok(tools.call(BOB, "queue_training_job", job("team-b", "b-1", 1, "NORMAL"))).get("job_id");
        assertThat(error(tools.call(ALICE, "cancel_training_job", Map.of("job_id", b1, "reason", "mine now"))).code())
                .isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(tools.audit.list(null, null, "alice", null, 10)).singleElement().satisfies(e -> {
            assertThat(e.tool()).isEqualTo("cancel_training_job");
            assertThat(e.outcome()).isEqualTo("NOT_FOUND");
            assertThat(e.arguments()).contains(b1);
        });
        // bob's cancel is one OK entry, written with the change
        ok(tools.call(BOB, "cancel_training_job", Map.of("job_id", b1, "reason", "done")));
        assertThat(tools.audit.list(null, null, "bob", "cancel_training_job", 10)).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(AuditEntry.OK);
            assertThat(e.team()).isEqualTo("team-b");
        });
        // a cancel whose audit entry cannot be written changes nothing
        String b2 = (String) ok(tools.call(BOB, "queue_training_job", job("team-b", "b-2", 1, "NORMAL"))).get("job_id");
        QueueCatalog refusing = new QueueCatalog(q, new BrokenInTransaction());
        error(refusing.call(BOB, "cancel_training_job", Map.of("job_id", b2, "reason", "done")));
        assertThat(q.job(b2).state()).isEqualTo(JobState.SCHEDULED);
    }

    @Test
    void rule7_aBatchAndItsAuditEntryCommitTogether() {
        Map<String, Object> batch = Map.of("jobs", List.of(job("team-b", "b-1", 1, "NORMAL"), job("team-b", "b-2", 1, "NORMAL")));
        String id = (String) ok(tools.call(BOB, "submit_batch_training", batch)).get("batch_id");
        assertThat(entries()).singleElement().satisfies(e -> {
            assertThat(e.tool()).isEqualTo("submit_batch_training");
            assertThat(e.team()).isEqualTo("team-b");
            assertThat(e.outcome()).isEqualTo(AuditEntry.OK);
        });
        assertThat(q.all()).hasSize(2).allSatisfy(j -> assertThat(j.batchId()).isEqualTo(id));

        QueueCatalog refusing = new QueueCatalog(q, new BrokenInTransaction());
        error(refusing.call(BOB, "submit_batch_training", batch));
        assertThat(q.all()).hasSize(2);
    }
}
