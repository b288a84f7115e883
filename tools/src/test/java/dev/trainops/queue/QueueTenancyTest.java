package dev.trainops.queue;

import static dev.trainops.queue.QueueCatalog.ADMIN;
import static dev.trainops.queue.QueueCatalog.ALICE;
import static dev.trainops.queue.QueueCatalog.BOB;
import static dev.trainops.queue.QueueCatalog.VERA;
import static dev.trainops.queue.QueueCatalog.error;
import static dev.trainops.queue.QueueCatalog.job;
import static dev.trainops.queue.QueueCatalog.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.audit.AuditEntry;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolError;
import dev.trainops.store.Store;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identity rules 1, 3, 4 and 5 in the queue's tools and resources (DESIGN.md, "Identity and
 * tenancy"), called through the catalog as each principal: alice and vera of team-a, bob of team-b,
 * and an admin. Another team's job, batch or team is the same NOT_FOUND as one that does not exist.
 */
class QueueTenancyTest {
    static final String NO_SUCH_JOB = "tj-000000000000";

    @TempDir
    Path dir;
    MockQueueCluster cluster;
    QueueHarness q;
    QueueCatalog tools;

    @BeforeEach
    void cluster() throws Exception {
        cluster = MockQueueCluster.twoH100s(Store.sqlite(dir)).quota("team-a", 16).quota("team-b", 16).quota("team-c", 16);
        q = cluster.q;
        tools = new QueueCatalog(q);
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> jobs(Map<String, Object> status) {
        return (List<Map<String, Object>>) status.get("jobs");
    }

    /** The same answer as for something that does not exist: code, hint and details equal, the message naming what was asked. */
    static void sameNotFound(ToolError theirs, ToolError none, String asked, String missing) {
        assertThat(theirs.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(none.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(theirs.message()).isEqualTo(none.message().replace(missing, asked));
        assertThat(theirs.hint()).isEqualTo(none.hint());
        assertThat(theirs.details()).isEqualTo(none.details());
    }

    @Test
    void rule1_aMemberListsOnlyItsTeamsJobsAndAnotherTeamsJobIsNotFound() {
        String a1 = tools.queue("team-a", "a-1", 8, "NORMAL");
        String b1 = tools.queue("team-b", "b-1", 8, "NORMAL");
        String b2 = tools.queue("team-b", "b-2", 8, "NORMAL"); // waits: both nodes are full
        String a2 = tools.queue("team-a", "a-2", 4, "NORMAL"); // waits too

        Map<String, Object> alice = ok(tools.call(ALICE, "get_job_queue_status", Map.of()));
        assertThat(jobs(alice)).extracting(j -> j.get("job_id")).containsExactlyInAnyOrder(a1, a2);
        assertThat(jobs(alice)).extracting(j -> j.get("team")).containsOnly("team-a");
        assertThat(alice.get("counts")).isEqualTo(Map.of("SCHEDULED", 1, "QUEUED", 1));
        BigDecimal a2Cost = new BigDecimal(String.valueOf(jobs(alice).stream().filter(j -> j.get("job_id").equals(a2)).findFirst()
                .orElseThrow().get("estimated_cost")));
        assertThat(new BigDecimal(String.valueOf(alice.get("total_queued_cost")))).isEqualByComparingTo(a2Cost);
        // the shared queue still counts team-b's waiting job ahead of a2, without naming it
        Map<String, Object> waiting = jobs(alice).stream().filter(j -> j.get("job_id").equals(a2)).findFirst().orElseThrow();
        assertThat(waiting.get("position")).isNotNull();
        assertThat(String.valueOf(waiting)).doesNotContain(b1).doesNotContain(b2).doesNotContain("team-b").doesNotContain("b-1");

        ToolError theirs = error(tools.call(ALICE, "get_job_queue_status", Map.of("job_id", b1)));
        ToolError none = error(tools.call(ALICE, "get_job_queue_status", Map.of("job_id", NO_SUCH_JOB)));
        sameNotFound(theirs, none, b1, NO_SUCH_JOB);
        assertThat(theirs.message()).isEqualTo("No job " + b1 + ".");
        // another team's name lists what an unknown team's does: nothing
        assertThat(jobs(ok(tools.call(ALICE, "get_job_queue_status", Map.of("team", "team-b"))))).isEmpty();
        assertThat(jobs(ok(tools.call(ALICE, "get_job_queue_status", Map.of("team", "team-zz"))))).isEmpty();
        assertThat(new BigDecimal(String.valueOf(ok(tools.call(ALICE, "get_job_queue_status", Map.of("team", "team-b")))
                .get("total_queued_cost")))).isZero();
    }

    @Test
    void rule1_aMemberCannotCancelAnotherTeamsJob() {
        String b1 = tools.queue("team-b", "b-1", 8, "NORMAL");
        ToolError theirs = error(tools.call(ALICE, "cancel_training_job", Map.of("job_id", b1, "reason", "done")));
        ToolError none = error(tools.call(ALICE, "cancel_training_job", Map.of("job_id", NO_SUCH_JOB, "reason", "done")));
        sameNotFound(theirs, none, b1, NO_SUCH_JOB);
        assertThat(q.job(b1).state()).isEqualTo(JobState.SCHEDULED);
        // bob, of team-b, may
        assertThat(ok(tools.call(BOB, "cancel_training_job", Map.of("job_id", b1, "reason", "done"))).get("new_state")).isEqualTo("CANCELLED");
    }

    @Test
    void rule1_aMemberNamingAnotherTeamGetsTheAnswerOfAnUnknownTeamAndNothingIsStored() {
        Map<String, List<Map<String, Object>>> calls = Map.of(
                "queue_training_job", List.of(job("team-b", "x", 1, "NORMAL"), job("team-zz", "x", 1, "NORMAL")),
                "validate_job_resources", List.of(Map.of("model", "llm", "epochs", 2, "batch_size", 64, "gpu_type", "H100", "team", "team-b"),
                        Map.of("model", "llm", "epochs", 2, "batch_size", 64, "gpu_type", "H100", "team", "team-zz")),
                "check_training_quota", List.of(Map.of("team", "team-b"), Map.of("team", "team-zz")),
                "calculate_quota", List.of(Map.of("team", "team-b", "gpu_count", 2), Map.of("team", "team-zz", "gpu_count", 2)),
                "submit_batch_training", List.of(Map.of("jobs", List.of(job("team-a", "ok", 1, "NORMAL"), job("team-b", "x", 1, "NORMAL"))),
                        Map.of("jobs", List.of(job("team-a", "ok", 1, "NORMAL"), job("team-zz", "x", 1, "NORMAL")))));
        calls.forEach((tool, args) -> {
            ToolError theirs = error(tools.call(ALICE, tool, args.get(0)));
            ToolError none = error(tools.call(ALICE, tool, args.get(1)));
            sameNotFound(theirs, none, "team-b", "team-zz");
            assertThat(theirs.message()).as(tool).contains("Unknown team 'team-b'.");
            // the hint lists alice's teams only
            assertThat(theirs.hint()).as(tool).startsWith("Your teams with a quota or budget: team-a.");
        });
        assertThat(q.all()).isEmpty();
        // an admin may name any team
        assertThat(ok(tools.call(ADMIN, "check_training_quota", Map.of("team", "team-b"))).get("team")).isEqualTo("team-b");
    }

    @Test
    void rule1_aMemberCannotReadAnotherTeamsBatch() {
        String batch = (String) ok(tools.call(BOB, "submit_batch_training", Map.of("jobs", List.of(job("team-b", "b-1", 1, "NORMAL"),
                job("team-b", "b-2", 1, "NORMAL"))))).get("batch_id");
        ToolError theirs = error(tools.call(ALICE, "get_batch_status", Map.of("batch_id", batch)));
        ToolError none = error(tools.call(ALICE, "get_batch_status", Map.of("batch_id", "tb-000000000000")));
        sameNotFound(theirs, none, batch, "tb-000000000000");
        assertThat(ok(tools.call(BOB, "get_batch_status", Map.of("batch_id", batch))).get("batch_id")).isEqualTo(batch);
        assertThat(ok(tools.call(ADMIN, "get_batch_status", Map.of("batch_id", batch))).get("batch_id")).isEqualTo(batch);
    }

    @Test
    void rule1_aPreemptionNamesNoJobOfAnotherTeamToEitherTeam() {
        Principal carol = new Principal("carol", Set.of("team-c"), Role.MEMBER);
        String victim = tools.queue("team-c", "bg", 8, "BACKGROUND");
        q.startPods();
        q.scheduler.pass();
        tools.queue("team-a", "normal", 8, "NORMAL");
        q.startPods();
        q.scheduler.pass();
        // decide_job_priority names no team: it counts team-c's job but does not list it to alice
        Map<String, Object> decision = ok(tools.call(ALICE, "decide_job_priority", Map.of("model", "llm", "requested_priority", "URGENT")));
        assertThat((List<?>) decision.get("may_preempt")).isEmpty();
        assertThat((String) decision.get("explanation")).contains("(1 running now)");
        assertThat((List<?>) ok(tools.call(ADMIN, "decide_job_priority", Map.of("model", "llm", "requested_priority", "URGENT")))
                .get("may_preempt")).hasSize(1);

        String urgent = tools.queue("team-a", "urgent", 8, "URGENT");
        Map<String, Object> mine = jobs(ok(tools.call(ALICE, "get_job_queue_status", Map.of("job_id", urgent)))).get(0);
        assertThat(mine.get("reason")).isEqualTo("WAITING_FOR_PREEMPTION");
        assertThat((String) mine.get("reason_detail")).startsWith("Preempting a job of another team (BACKGROUND) on ").doesNotContain(victim);
        Map<String, Object> theirs = jobs(ok(tools.call(carol, "get_job_queue_status", Map.of("job_id", victim)))).get(0);
        assertThat(theirs.get("state")).isEqualTo("PREEMPTED");
        assertThat((String) theirs.get("reason_detail")).startsWith("Preempted by an URGENT job of another team at ")
                .doesNotContain(urgent).doesNotContain("(urgent)");
        assertThat(theirs.get("preempted_by")).isNull();
        // an admin reads both as they are
        Map<String, Object> all = ok(tools.call(ADMIN, "get_job_queue_status", Map.of("job_id", victim)));
        assertThat(jobs(all).get(0).get("preempted_by")).isEqualTo(urgent);
        assertThat((String) jobs(all).get(0).get("reason_detail")).contains("Preempted by URGENT job " + urgent + " (urgent)");
        assertThat((String) jobs(ok(tools.call(ADMIN, "get_job_queue_status", Map.of("job_id", urgent)))).get(0).get("reason_detail"))
                .contains(victim);
    }

    @Test
    void rule3_aViewerCannotQueueOrCancelAndTheRefusalIsAudited() {
        String a1 = tools.queue("team-a", "a-1", 1, "NORMAL");
        ToolError refused = error(tools.call(VERA, "queue_training_job", job("team-a", "v-1", 1, "NORMAL")));
        assertThat(refused.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(refused.message()).contains("trainops:write");
        assertThat(error(tools.call(VERA, "cancel_training_job", Map.of("job_id", a1, "reason", "done"))).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(q.all()).singleElement().satisfies(j -> assertThat(j.state()).isEqualTo(JobState.SCHEDULED));
        assertThat(tools.audit.list(null, null, "vera", null, 10)).extracting(AuditEntry::tool, AuditEntry::outcome)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("queue_training_job", "FORBIDDEN"),
                        org.assertj.core.groups.Tuple.tuple("cancel_training_job", "FORBIDDEN"));
        // reading is allowed
        assertThat(jobs(ok(tools.call(VERA, "get_job_queue_status", Map.of())))).hasSize(1);
    }

    @Test
    void rule4_anAdminSeesAndCancelsEveryTeamsJobs() {
        String a1 = tools.queue("team-a", "a-1", 1, "NORMAL");
        String b1 = tools.queue("team-b", "b-1", 1, "NORMAL");
        assertThat(jobs(ok(tools.call(ADMIN, "get_job_queue_status", Map.of())))).extracting(j -> j.get("job_id"))
                .containsExactlyInAnyOrder(a1, b1);
        assertThat(jobs(ok(tools.call(ADMIN, "get_job_queue_status", Map.of("team", "team-b"))))).singleElement()
                .satisfies(j -> assertThat(j.get("job_id")).isEqualTo(b1));
        assertThat(ok(tools.call(ADMIN, "cancel_training_job", Map.of("job_id", b1, "reason", "done"))).get("new_state")).isEqualTo("CANCELLED");
        assertThat(ok(tools.call(ADMIN, "cancel_training_job", Map.of("job_id", a1, "reason", "done"))).get("new_state")).isEqualTo("CANCELLED");
    }

    @Test
    void rule5_aMemberReadingAnotherTeamsJobResourceGetsNotFoundAndTheQueueResourceHoldsItsTeamsJobsOnly() {
        String a1 = tools.queue("team-a", "a-1", 1, "NORMAL");
        String b1 = tools.queue("team-b", "b-1", 1, "NORMAL");
        ToolError theirs = error(tools.read(ALICE, "trainops://jobs/" + b1));
        ToolError none = error(tools.read(ALICE, "trainops://jobs/" + NO_SUCH_JOB));
        sameNotFound(theirs, none, b1, NO_SUCH_JOB);
        assertThat(jobs(ok(tools.read(ALICE, "trainops://jobs/" + a1)))).singleElement()
                .satisfies(j -> assertThat(j.get("job_id")).isEqualTo(a1));
        assertThat(jobs(ok(tools.read(ALICE, "trainops://queue")))).extracting(j -> j.get("job_id")).containsExactly(a1);
        assertThat(jobs(ok(tools.read(BOB, "trainops://queue")))).extracting(j -> j.get("job_id")).containsExactly(b1);
        assertThat(jobs(ok(tools.read(ADMIN, "trainops://jobs/" + b1)))).hasSize(1);
    }
}
