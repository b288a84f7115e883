package dev.trainops.queue;

import static dev.trainops.queue.PlannerFixtures.NOW;
import static dev.trainops.queue.PlannerFixtures.admitted;
import static dev.trainops.queue.PlannerFixtures.given;
import static dev.trainops.queue.PlannerFixtures.queued;
import static dev.trainops.queue.PlannerFixtures.running;
import static dev.trainops.queue.PlannerFixtures.spec;
import static dev.trainops.queue.PlannerFixtures.victims;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The admission planner on hand-built snapshots, one test (or table) per queue rule it decides
 * (docs/architecture.md, "Queue state machine"). The
 * planner is a pure function, so each case states the whole world it plans on.
 */
class AdmissionPlannerTest {
    static final Duration MIN = Duration.ofMinutes(1);

    // ---- rule 1: priority desc, then submit time asc, then job id

    static Stream<Arguments> rule1Orders() {
        return Stream.of(
                Arguments.of("priority before submit time", List.of(
                        queued("tj-a", "team-a", Priority.BACKGROUND, 1, Duration.ofHours(2)),
                        queued("tj-b", "team-a", Priority.NORMAL, 1, Duration.ofHours(1)),
                        queued("tj-c", "team-a", Priority.URGENT, 1, Duration.ZERO)), List.of("tj-c", "tj-b", "tj-a")),
                Arguments.of("earlier submit first within a priority", List.of(
                        queued("tj-a", "team-a", Priority.NORMAL, 1, Duration.ofMinutes(1)),
                        queued("tj-b", "team-b", Priority.NORMAL, 1, Duration.ofMinutes(5)),
                        queued("tj-c", "team-a", Priority.NORMAL, 1, Duration.ofMinutes(3))), List.of("tj-b", "tj-c", "tj-a")),
                Arguments.of("job id breaks a tie", List.of(
                        queued("tj-c", "team-a", Priority.NORMAL, 1, MIN),
                        queued("tj-a", "team-a", Priority.NORMAL, 1, MIN),
                        queued("tj-b", "team-a", Priority.NORMAL, 1, MIN)), List.of("tj-a", "tj-b", "tj-c")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rule1Orders")
    void queueRule1_admissionOrderIsPriorityThenSubmitTimeThenJobId(String why, List<QueuedJob> jobs, List<String> order) {
        // one GPU: only the first in order is admitted, and the others wait at positions 2, 3
        AdmissionPlanner.Plan plan = given().node("h100-a", 1).queued(jobs.toArray(QueuedJob[]::new)).plan();
        assertThat(admitted(plan)).containsExactly(order.get(0));
        assertThat(plan.waits().get(order.get(1)).position()).isEqualTo(2);
        assertThat(plan.waits().get(order.get(2)).position()).isEqualTo(3);
        // and with room for all, they are admitted in that order
        AdmissionPlanner.Plan roomy = given().node("h100-a", 8).queued(jobs.toArray(QueuedJob[]::new)).plan();
        assertThat(admitted(roomy)).containsExactlyElementsOf(order);
    }

    // ---- rule 2

    @Test
    void queueRule2_anUrgentJobThatFitsIsAdmittedBeforeEveryPendingNormalOrBackgroundJob() {
        AdmissionPlanner.Plan plan = given().node("h100-a", 4)
                .queued(queued("tj-normal", "team-a", Priority.NORMAL, 4, Duration.ofHours(3)),
                        queued("tj-background", "team-a", Priority.BACKGROUND, 4, Duration.ofHours(5)),
                        queued("tj-urgent", "team-b", Priority.URGENT, 4, Duration.ZERO))
                .plan();
        assertThat(admitted(plan)).containsExactly("tj-urgent");
        assertThat(plan.waits()).containsOnlyKeys("tj-normal", "tj-background");
        assertThat(plan.waits().get("tj-normal").reason()).isEqualTo(Reason.NO_CAPACITY);
        assertThat(plan.waits().get("tj-normal").detail()).isEqualTo("Needs 4 H100 on one node; 0 free in all, the largest free block is 0.");
    }

    // ---- rule 3

    static Stream<Arguments> rule3Cases() {
        return Stream.of(
                // node full of BACKGROUND work: the urgent job then fits, so they go
                Arguments.of("background only, frees enough", List.of(
                        running("tj-bg1", "team-a", Priority.BACKGROUND, 4, "h100-a", Duration.ofHours(2)),
                        running("tj-bg2", "team-a", Priority.BACKGROUND, 4, "h100-a", Duration.ofHours(1))), 4, List.of("tj-bg2")),
                // NORMAL work is never a victim, even when evicting it would make room
                Arguments.of("normal work is never evicted", List.of(
                        running("tj-n1", "team-a", Priority.NORMAL, 8, "h100-a", Duration.ofHours(1))), 4, List.of()),
                // evicting every BACKGROUND job would still not free 8: nothing is evicted
                Arguments.of("nothing unless it then fits", List.of(
                        running("tj-n1", "team-a", Priority.NORMAL, 4, "h100-a", Duration.ofHours(2)),
                        running("tj-bg1", "team-a", Priority.BACKGROUND, 4, "h100-a", Duration.ofHours(1))), 8, List.of()),
                // on one node, most recently started first: the newest 2 and the next-newest 2, not the oldest 4
                Arguments.of("most recently started first", List.of(
                        running("tj-old4", "team-a", Priority.BACKGROUND, 4, "h100-a", Duration.ofHours(3)),
                        running("tj-mid2", "team-a", Priority.BACKGROUND, 2, "h100-a", Duration.ofHours(2)),
                        running("tj-new2", "team-a", Priority.BACKGROUND, 2, "h100-a", Duration.ofHours(1))), 4,
                        List.of("tj-new2", "tj-mid2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rule3Cases")
    void queueRule3_urgentPreemptsOnlyBackgroundJobsAndOnlyWhenItThenFits(String why, List<QueuedJob> active, int urgentGpus,
                                                                         List<String> expectedVictims) {
        AdmissionPlanner.Plan plan = given().node("h100-a", 8).active(active.toArray(QueuedJob[]::new))
                .queued(queued("tj-urgent", "team-b", Priority.URGENT, urgentGpus, MIN)).plan();
        assertThat(admitted(plan)).isEmpty();
        assertThat(victims(plan)).containsExactlyElementsOf(expectedVictims);
        assertThat(plan.waits().get("tj-urgent").reason()).isEqualTo(expectedVictims.isEmpty() ? Reason.NO_CAPACITY
                : Reason.WAITING_FOR_PREEMPTION);
        plan.preemptions().forEach(p -> assertThat(p.by().jobId()).isEqualTo("tj-urgent"));
    }

    @Test
    void queueRule3_aNormalJobNeverPreemptsAndTheUrgentJobEvictsWhereEvictionMakesItFit() {
        AdmissionPlanner.Plan plan = given().node("h100-a", 8).node("h100-b", 8)
                .active(running("tj-a1", "team-a", Priority.BACKGROUND, 4, "h100-a", Duration.ofHours(2)),
                        running("tj-a2", "team-a", Priority.BACKGROUND, 4, "h100-a", Duration.ofHours(1)),
                        running("tj-b1", "team-a", Priority.NORMAL, 4, "h100-b", Duration.ofHours(2)),
                        running("tj-b2", "team-a", Priority.BACKGROUND, 4, "h100-b", Duration.ofHours(3)))
                .queued(queued("tj-normal", "team-b", Priority.NORMAL, 8, Duration.ofHours(9)),
                        queued("tj-urgent", "team-b", Priority.URGENT, 8, MIN))
                .plan();
        // 8 on h100-a takes both of its BACKGROUND jobs; h100-b's NORMAL job makes it impossible there
        assertThat(victims(plan)).containsExactlyInAnyOrder("tj-a1", "tj-a2");
        assertThat(plan.waits().get("tj-normal").reason()).isEqualTo(Reason.NO_CAPACITY);
    }

    // ---- rule 4

    static Stream<Arguments> rule4Cases() {
        return Stream.of(
                Arguments.of("quota 1, three 1-GPU jobs: one admitted", 1, 0, 0, List.of(1, 1, 1), 1),
                Arguments.of("GPUs held outside the queue count", 4, 3, 0, List.of(1, 1), 1),
                Arguments.of("active jobs count", 4, 0, 4, List.of(1), 0),
                Arguments.of("exactly up to the quota", 4, 0, 2, List.of(1, 1, 1), 2),
                Arguments.of("no quota: no cap", -1, 0, 0, List.of(2, 2, 2), 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rule4Cases")
    void queueRule4_quotaIsAHardCap(String why, int quota, int outside, int activeGpus, List<Integer> requests, int expectAdmitted) {
        PlannerFixtures.Given g = given().node("h100-a", 8).node("h100-b", 8);
        if (quota >= 0) {
            g.quota("team-a", quota);
        }
        g.quotaOutside("team-a", outside);
        if (activeGpus > 0) {
            g.active(running("tj-active", "team-a", Priority.NORMAL, activeGpus, "h100-b", Duration.ofHours(1)));
        }
        for (int i = 0; i < requests.size(); i++) {
            g.queued(queued("tj-q" + i, "team-a", Priority.NORMAL, requests.get(i), Duration.ofMinutes(10 - i)));
        }
        AdmissionPlanner.Plan plan = g.plan();
        assertThat(plan.admits()).hasSize(expectAdmitted);
        assertThat(plan.waits().values()).allSatisfy(w -> assertThat(w.reason()).isEqualTo(Reason.QUOTA_EXCEEDED));
    }

    @Test
    void queueRule3_ofTheNodesWhereEvictionMakesRoomTheOneWithTheFewestVictimsIsChosen() {
        AdmissionPlanner.Plan plan = given().node("h100-a", 8).node("h100-b", 8)
                .active(running("tj-a4", "team-a", Priority.BACKGROUND, 4, "h100-a", Duration.ofHours(3)),
                        running("tj-a2", "team-a", Priority.BACKGROUND, 2, "h100-a", Duration.ofHours(2)),
                        running("tj-a2b", "team-a", Priority.BACKGROUND, 2, "h100-a", Duration.ofHours(1)),
                        running("tj-b4n", "team-a", Priority.NORMAL, 4, "h100-b", Duration.ofHours(2)),
                        running("tj-b4", "team-a", Priority.BACKGROUND, 4, "h100-b", Duration.ofHours(1)))
                .queued(queued("tj-urgent", "team-b", Priority.URGENT, 4, MIN)).plan();
        assertThat(victims(plan)).containsExactly("tj-b4");
    }

    @Test
    void queueRule4_preemptionNeverPushesATeamOverItsQuota() {
        AdmissionPlanner.Plan plan = given().node("h100-a", 8).quota("team-b", 4)
                .active(running("tj-bg", "team-a", Priority.BACKGROUND, 8, "h100-a", Duration.ofHours(1)),
                        running("tj-mine", "team-b", Priority.NORMAL, 2, "h100-x", Duration.ofHours(1)))
                .queued(queued("tj-urgent", "team-b", Priority.URGENT, 4, MIN)).plan();
        assertThat(victims(plan)).isEmpty();
        assertThat(plan.waits().get("tj-urgent").reason()).isEqualTo(Reason.QUOTA_EXCEEDED);
        assertThat(plan.waits().get("tj-urgent").detail()).isEqualTo("Team team-b holds 2 of its 4 GPU quota; this job needs 4 more.");
    }

    // ---- rule 5, where the planner sees it: a job no node can hold waits and evicts nothing

    @Test
    void queueRule5_aJobBiggerThanEveryNodeOfItsTypeIsNeverAdmittedAndEvictsNothing() {
        AdmissionPlanner.Plan plan = given().node("h100-a", 8).node("a100-a", "A100", 8, 0)
                .active(running("tj-bg", "team-a", Priority.BACKGROUND, 8, "h100-a", Duration.ofHours(1)))
                .queued(queued("tj-huge", spec("team-b", Priority.URGENT, "H100", 16, 1), MIN),
                        queued("tj-l4", spec("team-b", Priority.NORMAL, "L4", 1, 1), MIN))
                .plan();
        assertThat(admitted(plan)).isEmpty();
        assertThat(victims(plan)).isEmpty();
        // 16 on 8-GPU nodes is two whole nodes under rule 13; there is one (and it is busy)
        assertThat(plan.waits().get("tj-huge").detail()).isEqualTo("Needs 2 whole free H100 nodes (8 GPUs each, 16 in all; all or "
                + "nothing), 0 free of 1.");
        assertThat(plan.waits().get("tj-l4").reason()).isEqualTo(Reason.NO_CAPACITY);
    }

    // ---- rule 6: spent + committed + this job's projection <= budget

    @ParameterizedTest(name = "limit {0}, used {1}, estimates {2} and {3}: admitted {4}")
    @CsvSource({
            "10000000, 0, 4000000, 6000000, 2",       // exactly at the budget: both
            "10000000, 1, 4000000, 6000000, 1",       // one micro over: the second waits
            "10000000, 9000000, 2000000, 1000000, 1", // the first waits, the cheaper one behind it fits
            "10000000, 10000000, 1, 1, 0"})
    void queueRule6_admissionRequiresSpentPlusCommittedPlusItsProjectionWithinTheBudget(long limit, long used, long first, long second,
                                                                                       int expectAdmitted) {
        AdmissionPlanner.Plan plan = given().node("h100-a", 8).budget("team-a", limit, used)
                .queued(queued("tj-first", spec("team-a", Priority.NORMAL, "H100", 1, first), Duration.ofMinutes(2)),
                        queued("tj-second", spec("team-a", Priority.NORMAL, "H100", 1, second), Duration.ofMinutes(1)))
                .plan();
        assertThat(plan.admits()).hasSize(expectAdmitted);
        assertThat(plan.waits().values()).allSatisfy(w -> assertThat(w.reason()).isEqualTo(Reason.BUDGET_EXCEEDED));
    }

    @Test
    void queueRule6_theBudgetReasonCarriesTheNumbers() {
        AdmissionPlanner.Plan plan = given().node("h100-a", 8).budget("team-a", 10_000_000, 9_500_000)
                .queued(queued("tj-1", spec("team-a", Priority.URGENT, "H100", 1, 2_290_000), MIN)).plan();
        assertThat(plan.waits().get("tj-1").detail()).isEqualTo("Team team-a has spent and committed $9.50 of its monthly budget of "
                + "$10.00; this job's estimate of $2.29 would take it to $11.79.");
    }

    // ---- rule 8: no starvation

    @Test
    void queueRule8_aJobWaitingPastTheStarvationLimitHoldsItsGpuTypeSoSmallerJobsBehindItWait() {
        QueuedJob big = queued("tj-big", "team-a", Priority.NORMAL, 8, Duration.ofMinutes(31));
        QueuedJob small = queued("tj-small", "team-a", Priority.NORMAL, 2, Duration.ofMinutes(1));
        QueuedJob other = queued("tj-a100", spec("team-a", Priority.NORMAL, "A100", 1, 1), Duration.ofMinutes(1));
        PlannerFixtures.Given g = given().node("h100-a", 8).node("a100-a", "A100", 8, 0)
                .active(running("tj-run", "team-b", Priority.NORMAL, 4, "h100-a", Duration.ofMinutes(5)))
                .queued(big, small, other);
        AdmissionPlanner.Plan starving = g.plan();
        assertThat(admitted(starving)).containsExactly("tj-a100"); // another GPU type is not held
        assertThat(starving.waits().get("tj-small").detail()).contains("held for a job that has waited longer");
        // not yet past the limit: the small job backfills
        g.queued.set(0, queued("tj-big", "team-a", Priority.NORMAL, 8, Duration.ofMinutes(29)));
        assertThat(admitted(g.plan())).containsExactly("tj-a100", "tj-small");
    }

    // ---- rule 9's ordering part

    @Test
    void queueRule9_aPreemptedJobKeepsItsPlaceByItsOriginalSubmitTimeAndItsReasonNamesThePreemptor() {
        QueuedJob preempted = running("tj-victim", "team-a", Priority.BACKGROUND, 8, "h100-a", Duration.ofHours(1))
                .preemptedBy("tj-urgent", "Preempted by URGENT job tj-urgent.", NOW.minusSeconds(60))
                .requeuedAfterPreemption("Preempted by URGENT job tj-urgent.", NOW.minusSeconds(30));
        QueuedJob later = queued("tj-later", "team-a", Priority.BACKGROUND, 8, Duration.ofMinutes(5));
        AdmissionPlanner.Plan plan = given().node("h100-a", 8)
                .active(running("tj-urgent", "team-b", Priority.URGENT, 8, "h100-a", Duration.ofMinutes(1)))
                .queued(later, preempted).plan();
        assertThat(plan.waits().get("tj-victim").position()).isEqualTo(1);
        assertThat(plan.waits().get("tj-later").position()).isEqualTo(2);
        assertThat(plan.waits().get("tj-victim").reason()).isEqualTo(Reason.PREEMPTED);
        assertThat(plan.waits().get("tj-victim").detail()).startsWith("Preempted by URGENT job tj-urgent; back in the queue with its "
                + "original submit time");
        assertThat(plan.waits().get("tj-later").reason()).isEqualTo(Reason.NO_CAPACITY);
    }

    @Test
    void queueRule9_aNodeFreedByAPreemptionIsHeldForItsPreemptorWhileTheVictimsPodsEnd() {
        QueuedJob leaving = running("tj-victim", "team-a", Priority.BACKGROUND, 4, "h100-a", Duration.ofHours(1))
                .preemptedBy("tj-urgent", "Preempted by URGENT job tj-urgent.", NOW.minusSeconds(5));
        AdmissionPlanner.Plan plan = given().node("h100-a", 8).active(leaving)
                .queued(queued("tj-urgent", "team-b", Priority.URGENT, 8, MIN),
                        queued("tj-small", "team-b", Priority.NORMAL, 1, Duration.ofMinutes(30)))
                .plan();
        assertThat(admitted(plan)).isEmpty(); // 4 free on h100-a, held for tj-urgent
        assertThat(victims(plan)).isEmpty();
        assertThat(plan.waits().get("tj-urgent").reason()).isEqualTo(Reason.WAITING_FOR_PREEMPTION);
        assertThat(plan.waits().get("tj-urgent").detail()).isEqualTo("Waiting for tj-victim to leave h100-a.");
    }

    // ---- rule 11: the utilisation gate on shared GPUs

    @ParameterizedTest(name = "shared {0}, utilisation {1}%, {2}: admitted {3}")
    @CsvSource(nullValues = "unknown", value = {
            "true, 80, NORMAL, false",
            "true, 80, BACKGROUND, false",
            "true, 80, URGENT, true",
            "true, 50, NORMAL, true",      // at the threshold is not above it
            "true, 50.5, NORMAL, false",
            "true, unknown, NORMAL, true", // unknown: the gate is open
            "false, 95, NORMAL, true"})    // exclusive GPUs are never gated
    void queueRule11_noNewJobGoesOnABusySharedGpuUnlessItIsUrgent(boolean shared, Double utilization, Priority priority,
                                                                  boolean admitted) {
        PlannerFixtures.Given g = given();
        if (shared) {
            g.sharedNode("t-shared", 4, utilization);
        } else {
            g.nodes.add(new Snapshot.NodeRoom("h100-a", "H100", "nvidia.com/gpu", false, 4, 0, utilization));
        }
        AdmissionPlanner.Plan plan = g.queued(queued("tj-1", "team-a", priority, 1, MIN)).plan();
        assertThat(plan.admits()).hasSize(admitted ? 1 : 0);
        if (!admitted) {
            assertThat(plan.waits().get("tj-1").reason()).isEqualTo(Reason.UTILIZATION_GATE);
            assertThat(plan.waits().get("tj-1").detail()).startsWith("Shared GPUs on t-shared are ").contains("above the 50% gate");
        }
    }

    // ---- start times: off-peak and scheduled

    @Test
    void anOffPeakJobWaitsForItsWindowWithThatStartAsItsEta() {
        Instant window = NOW.plus(Duration.ofHours(12));
        JobSpec offPeak = new JobSpec("team-a", "night", "llm", "llm", Priority.NORMAL, 1000, "H100", 1, 2, 64,
                Map.of("trainops.schedule", "off_peak"), false, window, null, 1, 3600, null, null, null);
        JobSpec at = new JobSpec("team-a", "at", "llm", "llm", Priority.NORMAL, 1000, "H100", 1, 2, 64, Map.of(), false, window, null, 1,
                3600, null, null, null);
        JobSpec due = new JobSpec("team-a", "due", "llm", "llm", Priority.NORMAL, 1000, "H100", 1, 2, 64,
                Map.of("trainops.schedule", "off_peak"), false, NOW, null, 1, 3600, null, null, null);
        AdmissionPlanner.Plan plan = given().node("h100-a", 8)
                .queued(queued("tj-night", offPeak, MIN), queued("tj-at", at, MIN), queued("tj-due", due, MIN)).plan();
        assertThat(admitted(plan)).containsExactly("tj-due");
        assertThat(plan.waits().get("tj-night").reason()).isEqualTo(Reason.OFF_PEAK_WAIT);
        assertThat(plan.waits().get("tj-night").eta()).isEqualTo(window);
        assertThat(plan.waits().get("tj-at").reason()).isEqualTo(Reason.SCHEDULED_START);
    }

    // ---- batch order (rule 10's planner part)

    @Test
    void aSequentialBatchItemWaitsUntilTheItemBeforeItHasEnded() {
        JobSpec first = new JobSpec("team-a", "b0", "llm", "llm", Priority.NORMAL, 1000, "H100", 1, 2, 64, Map.of(), false, null, null, 1,
                3600, "tb-1/0", "tb-1", 0);
        JobSpec second = new JobSpec("team-a", "b1", "llm", "llm", Priority.NORMAL, 1000, "H100", 1, 2, 64, Map.of(), false, null, null, 1,
                3600, "tb-1/1", "tb-1", 1);
        QueuedJob item0 = running("tj-b0", first, "h100-a", MIN);
        QueuedJob item1 = queued("tj-b1", second, Duration.ofMinutes(2));
        AdmissionPlanner.Plan waiting = given().node("h100-a", 8).active(item0).queued(item1).batch("tb-1", item0, item1).plan();
        assertThat(admitted(waiting)).isEmpty();
        assertThat(waiting.waits().get("tj-b1").reason()).isEqualTo(Reason.BATCH_ORDER);
        assertThat(waiting.waits().get("tj-b1").detail()).isEqualTo("Item 2 of batch tb-1 starts after item 1 (tj-b0, RUNNING) ends.");
        QueuedJob done = item0.ended(JobState.SUCCEEDED, null, "done", item0.started(), NOW);
        AdmissionPlanner.Plan next = given().node("h100-a", 8).queued(item1).batch("tb-1", done, item1).plan();
        assertThat(admitted(next)).containsExactly("tj-b1");
    }

    // ---- placement

    @Test
    void aJobGoesToTheNodeOfItsTypeWhereItLeavesTheLeastRoom() {
        AdmissionPlanner.Plan plan = given().node("h100-a", 8).node("h100-b", 8).node("a100-a", "A100", 2, 0)
                .active(running("tj-x", "team-b", Priority.NORMAL, 5, "h100-b", Duration.ofHours(1)))
                .queued(queued("tj-1", "team-a", Priority.NORMAL, 2, MIN)).plan();
        assertThat(plan.admits()).singleElement().satisfies(a -> assertThat(a.node()).isEqualTo("h100-b"));
    }

    // ---- spot and on-demand (DESIGN.md "Job templates and spot"; docs/queue.md, "Spot and on-demand")

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "'spot job, room on both: the spot node',                      true,  8, 8, h100-spot",
            "'spot job, room on demand only: it waits',                    true,  8, 0, ",
            "'on-demand job, room on both: the on-demand node',            false, 8, 8, h100-od",
            "'on-demand job, room on spot only: it never lands there',     false, 0, 8, ",
            "'on-demand job, more room on spot: still the on-demand node', false, 2, 8, h100-od"})
    void spotJobsGoToSpotNodesOnlyAndOnDemandJobsToOnDemandNodesOnly(String why, boolean spot, int onDemandFree, int spotFree,
                                                                     String expectedNode) {
        JobSpec spec = spot ? PlannerFixtures.spotSpec("team-a", Priority.NORMAL, "H100", 2, 1_000_000)
                : spec("team-a", Priority.NORMAL, "H100", 2, 1_000_000);
        AdmissionPlanner.Plan plan = given().node("h100-od", "H100", 8, 8 - onDemandFree).spotNode("h100-spot", 8, 8 - spotFree)
                .queued(queued("tj-1", spec, MIN)).plan();
        if (expectedNode == null) {
            assertThat(plan.admits()).isEmpty();
            assertThat(plan.waits().get("tj-1").reason()).isEqualTo(Reason.NO_CAPACITY);
            assertThat(plan.waits().get("tj-1").detail()).startsWith("Needs 2 " + (spot ? "spot " : "") + "H100 on one node; 0 free in all");
        } else {
            assertThat(plan.admits()).singleElement().satisfies(a -> assertThat(a.node()).isEqualTo(expectedNode));
        }
    }

    @Test
    void anUrgentOnDemandJobNeverPreemptsOnASpotNode() {
        QueuedJob onSpot = running("tj-bg", PlannerFixtures.spotSpec("team-b", Priority.BACKGROUND, "H100", 4, 1_000_000), "h100-spot",
                Duration.ofHours(1));
        QueuedJob onDemand = running("tj-n", "team-b", Priority.NORMAL, 4, "h100-od", Duration.ofHours(1));
        AdmissionPlanner.Plan plan = given().node("h100-od", 4).spotNode("h100-spot", 4, 0).active(onSpot, onDemand)
                .queued(queued("tj-urgent", "team-a", Priority.URGENT, 4, MIN)).plan();
        assertThat(plan.preemptions()).isEmpty();
        assertThat(plan.waits().get("tj-urgent").reason()).isEqualTo(Reason.NO_CAPACITY);
    }

    @Test
    void queueRule9_aSpotJobBackFromAnInterruptionKeepsItsPreemptedReasonWhileItWaits() {
        QueuedJob interrupted = running("tj-s", PlannerFixtures.spotSpec("team-a", Priority.NORMAL, "H100", 4, 1_000_000), "h100-spot",
                Duration.ofHours(1)).preemptedBy(null, "Spot interruption: ...", NOW).requeuedAfterPreemption("Spot interruption: ...", NOW);
        AdmissionPlanner.Plan plan = given().node("h100-od", 8).spotNode("h100-spot", 8, 8).queued(interrupted).plan();
        assertThat(plan.admits()).isEmpty();
        assertThat(plan.waits().get("tj-s").reason()).isEqualTo(Reason.PREEMPTED);
        assertThat(plan.waits().get("tj-s").detail()).startsWith("Interrupted on spot (its node was reclaimed); back in the queue")
                .contains("Needs 4 spot H100 on one node; 0 free in all");
    }
}
