package dev.trainops.queue;

import static dev.trainops.queue.PlannerFixtures.admitted;
import static dev.trainops.queue.PlannerFixtures.given;
import static dev.trainops.queue.PlannerFixtures.migSpec;
import static dev.trainops.queue.PlannerFixtures.queued;
import static dev.trainops.queue.PlannerFixtures.running;
import static dev.trainops.queue.PlannerFixtures.spec;
import static dev.trainops.queue.PlannerFixtures.victims;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MIG placement in the admission planner (docs/queue.md, "MIG slices"): each MIG profile of a node
 * is a pool of its own; a MIG job fits only where its profile has free slices, a whole-GPU job never
 * takes slices, and slices are never over-committed.
 */
class MigPlacementTest {
    static final Duration MIN = Duration.ofMinutes(1);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            '1 slice of 1g, 7 free'                                  | 1g.10gb | 1 | 0 | 0 | mig-a
            '7 slices of 1g, 7 free: exactly fits'                   | 1g.10gb | 7 | 0 | 0 | mig-a
            '2 slices of 1g, 1 free (6 held outside), 3g all free'   | 1g.10gb | 2 | 6 | 0 |
            '1 slice of 3g, 2 free'                                  | 3g.40gb | 1 | 7 | 0 | mig-a
            '1 slice of 3g, both held, 1g all free'                  | 3g.40gb | 1 | 0 | 2 |
            '1 slice of 2g, a profile no node offers'                | 2g.20gb | 1 | 0 | 0 |
            """)
    void aMigJobFitsOnlyWhereItsProfileHasFreeSlices(String why, String profile, int slices, long used1g, long used3g, String node) {
        AdmissionPlanner.Plan plan = given().migPool("mig-a", "1g.10gb", 7, used1g).migPool("mig-a", "3g.40gb", 2, used3g)
                .node("a100-whole", "A100-80GB", 8, 0)
                .queued(queued("tj-mig", migSpec("team-a", Priority.NORMAL, profile, slices), MIN)).plan();
        if (node == null) {
            assertThat(admitted(plan)).isEmpty();
            assertThat(plan.waits().get("tj-mig").reason()).isEqualTo(Reason.NO_CAPACITY);
            assertThat(plan.waits().get("tj-mig").detail()).startsWith("Needs " + slices + " A100-80GB MIG " + profile + " slice(s) on one node;");
        } else {
            assertThat(plan.admits()).singleElement().satisfies(a -> assertThat(a.node()).isEqualTo(node));
        }
    }

    @Test
    void aWholeGpuJobNeverTakesMigSlicesAndAMigJobNeverTakesWholeGpus() {
        AdmissionPlanner.Plan plan = given().migPool("mig-a", "1g.10gb", 7, 0).node("a100-whole", "A100-80GB", 1, 1)
                .queued(queued("tj-whole", spec("team-a", Priority.NORMAL, "A100-80GB", 1, 1_000_000), MIN)).plan();
        assertThat(admitted(plan)).isEmpty(); // 7 free slices do not make a whole GPU
        assertThat(plan.waits().get("tj-whole").detail()).isEqualTo("Needs 1 A100-80GB on one node; 0 free in all, the largest free block is 0.");

        AdmissionPlanner.Plan mig = given().migPool("mig-a", "1g.10gb", 7, 7).node("a100-whole", "A100-80GB", 8, 0)
                .queued(queued("tj-mig", migSpec("team-a", Priority.NORMAL, "1g.10gb", 1), MIN)).plan();
        assertThat(admitted(mig)).isEmpty(); // 8 free whole GPUs are not a 1g.10gb slice
    }

    @Test
    void slicesAreNeverOverCommitted_runningMigJobsHoldTheirProfilesPoolOnly() {
        // 7 slices of 1g.10gb, 2 held by a running MIG job; 2 slices of 3g.40gb, 1 held by another
        QueuedJob on1g = running("tj-run-1g", migSpec("team-b", Priority.NORMAL, "1g.10gb", 2), "mig-a", Duration.ofMinutes(10));
        QueuedJob on3g = running("tj-run-3g", migSpec("team-b", Priority.NORMAL, "3g.40gb", 1), "mig-a", Duration.ofMinutes(10));
        QueuedJob[] ten = IntStream.range(0, 10)
                .mapToObj(i -> queued("tj-%02d".formatted(i), migSpec("team-a", Priority.NORMAL, "1g.10gb", 1), Duration.ofMinutes(20 - i)))
                .toArray(QueuedJob[]::new);
        AdmissionPlanner.Plan plan = given().migPool("mig-a", "1g.10gb", 7, 0).migPool("mig-a", "3g.40gb", 2, 0)
                .active(on1g, on3g).queued(ten)
                .queued(queued("tj-3g-a", migSpec("team-a", Priority.NORMAL, "3g.40gb", 1), MIN),
                        queued("tj-3g-b", migSpec("team-a", Priority.NORMAL, "3g.40gb", 1), MIN))
                .plan();
        // exactly the 5 free 1g slices, in admission order, and the one free 3g slice
        assertThat(admitted(plan)).containsExactly("tj-00", "tj-01", "tj-02", "tj-03", "tj-04", "tj-3g-a");
        assertThat(plan.admits()).allSatisfy(a -> assertThat(a.node()).isEqualTo("mig-a"));
        assertThat(plan.waits().get("tj-05").detail()).contains("0 free in all");
        assertThat(plan.waits().get("tj-3g-b").reason()).isEqualTo(Reason.NO_CAPACITY);
    }

    @Test
    void queueRule4_eachMigSliceCountsAsOneUnitOfTheTeamsGpuQuota() {
        // quota 3: a running 2-slice job leaves room for one more slice, though 5 slices are free
        QueuedJob two = running("tj-run", migSpec("team-a", Priority.NORMAL, "1g.10gb", 2), "mig-a", Duration.ofMinutes(10));
        AdmissionPlanner.Plan plan = given().migPool("mig-a", "1g.10gb", 7, 0).quota("team-a", 3).active(two)
                .queued(queued("tj-1", migSpec("team-a", Priority.NORMAL, "1g.10gb", 1), Duration.ofMinutes(2)),
                        queued("tj-2", migSpec("team-a", Priority.NORMAL, "1g.10gb", 1), MIN))
                .plan();
        assertThat(admitted(plan)).containsExactly("tj-1");
        assertThat(plan.waits().get("tj-2").reason()).isEqualTo(Reason.QUOTA_EXCEEDED);
        assertThat(plan.waits().get("tj-2").detail()).isEqualTo("Team team-a holds 3 of its 3 GPU quota; this job needs 1 more.");
    }

    @Test
    void anUrgentMigJobPreemptsBackgroundWorkInItsOwnProfilesPoolOnly() {
        // the 1g pool is full of BACKGROUND slices; a BACKGROUND job on the 3g pool is not a victim for a 1g job
        QueuedJob bg1g = running("tj-bg-1g", migSpec("team-b", Priority.BACKGROUND, "1g.10gb", 7), "mig-a", Duration.ofMinutes(10));
        QueuedJob bg3g = running("tj-bg-3g", migSpec("team-b", Priority.BACKGROUND, "3g.40gb", 2), "mig-a", Duration.ofMinutes(5));
        AdmissionPlanner.Plan plan = given().migPool("mig-a", "1g.10gb", 7, 0).migPool("mig-a", "3g.40gb", 2, 0).active(bg1g, bg3g)
                .queued(queued("tj-urgent", migSpec("team-a", Priority.URGENT, "1g.10gb", 2), MIN)).plan();
        assertThat(victims(plan)).containsExactly("tj-bg-1g");
        assertThat(plan.waits().get("tj-urgent").reason()).isEqualTo(Reason.WAITING_FOR_PREEMPTION);
    }
}
