package dev.trainops.queue;

import static dev.trainops.queue.PlannerFixtures.admitted;
import static dev.trainops.queue.PlannerFixtures.given;
import static dev.trainops.queue.PlannerFixtures.queued;
import static dev.trainops.queue.PlannerFixtures.running;
import static dev.trainops.queue.PlannerFixtures.spec;
import static dev.trainops.queue.PlannerFixtures.victims;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Queue rule 13 in the admission planner, on hand-built snapshots: a job bigger than one node takes
 * whole free nodes of its GPU type, all or nothing, preferring nodes that share a rack, then a zone.
 */
class MultiNodePlannerTest {
    static final Duration MIN = Duration.ofMinutes(1);

    /** An exclusive 8-GPU node of {@code type} in {@code zone} and {@code rack} (either null: unlabelled). */
    static PlannerFixtures.Given node(PlannerFixtures.Given g, String name, String type, String zone, String rack) {
        g.nodes.add(new Snapshot.NodeRoom(name, type, "nvidia.com/gpu", false, 8, 0, null).inTopology(zone, rack));
        return g;
    }

    static AdmissionPlanner.Admit only(AdmissionPlanner.Plan plan) {
        assertThat(plan.admits()).hasSize(1);
        return plan.admits().get(0);
    }

    @Test
    void queueRule13_aJobBiggerThanOneNodeTakesWholeNodesOfItsTypeOnePerPod() {
        var g = given();
        node(g, "h100-a", "H100", null, null);
        node(g, "a100-a", "A100-80GB", null, null);
        node(g, "h100-b", "H100", null, null);
        node(g, "h100-c", "H100", null, null);
        AdmissionPlanner.Plan plan = g.queued(queued("tj-big", "team-a", Priority.NORMAL, 24, MIN)).plan();
        assertThat(only(plan).node()).isEqualTo("h100-a,h100-b,h100-c");
        // the A100 node is never one of them: one GPU type
        var twoTypes = given();
        node(twoTypes, "h100-a", "H100", null, null);
        node(twoTypes, "a100-a", "A100-80GB", null, null);
        AdmissionPlanner.Plan waits = twoTypes.queued(queued("tj-big", "team-a", Priority.NORMAL, 16, MIN)).plan();
        assertThat(waits.admits()).isEmpty();
        assertThat(waits.waits().get("tj-big").detail()).isEqualTo("Needs 2 whole free H100 nodes (8 GPUs each, 16 in all; all or "
                + "nothing), 1 free (h100-a) of 1.");
    }

    @Test
    void queueRule13_itIsAdmittedAllOrNothingNeverOnPartlyFreeNodes() {
        var g = given();
        node(g, "h100-a", "H100", null, null);
        node(g, "h100-b", "H100", null, null);
        g.active(running("tj-small", "team-b", Priority.NORMAL, 1, "h100-a", MIN));
        AdmissionPlanner.Plan plan = g.queued(queued("tj-big", "team-a", Priority.NORMAL, 16, MIN),
                queued("tj-eight", "team-a", Priority.NORMAL, 8, Duration.ZERO)).plan();
        // 15 GPUs are free, but only one whole node: the big job waits and takes nothing; the 8-GPU job behind it fits
        assertThat(admitted(plan)).containsExactly("tj-eight");
        AdmissionPlanner.Wait w = plan.waits().get("tj-big");
        assertThat(w.reason()).isEqualTo(Reason.NO_CAPACITY);
        assertThat(w.detail()).contains("Needs 2 whole free H100 nodes", "1 free (h100-b) of 2");
        // once it has waited past the starvation limit, nobody behind it takes its GPU type (rule 8)
        var starving = given();
        node(starving, "h100-a", "H100", null, null);
        node(starving, "h100-b", "H100", null, null);
        starving.active(running("tj-small", "team-b", Priority.NORMAL, 1, "h100-a", MIN));
        AdmissionPlanner.Plan held = starving.queued(queued("tj-big", "team-a", Priority.NORMAL, 16, Duration.ofHours(1)),
                queued("tj-eight", "team-a", Priority.NORMAL, 8, Duration.ZERO)).plan();
        assertThat(held.admits()).isEmpty();
    }

    @Test
    void queueRule13_aMultiNodeJobHoldsAllItsNodesAndItsTeamsQuotaForAllItsGpus() {
        var g = given();
        node(g, "h100-a", "H100", null, null);
        node(g, "h100-b", "H100", null, null);
        node(g, "h100-c", "H100", null, null);
        g.active(running("tj-big", spec("team-a", Priority.NORMAL, "H100", 16, 1_000_000), "h100-a,h100-c", MIN)).quota("team-a", 20);
        AdmissionPlanner.Plan plan = g.queued(queued("tj-one", "team-b", Priority.NORMAL, 1, MIN),
                queued("tj-quota", "team-a", Priority.NORMAL, 8, MIN)).plan();
        assertThat(only(plan).node()).isEqualTo("h100-b");
        assertThat(plan.waits().get("tj-quota").reason()).isEqualTo(Reason.QUOTA_EXCEEDED);
        assertThat(plan.waits().get("tj-quota").detail()).contains("holds 16 of its 20 GPU quota");
    }

    @Test
    void queueRule13_itPrefersNodesSharingARackThenAZoneAndTheGroupThatFitsMostTightly() {
        // racks: r1 (z1) has three free nodes, r2 (z1) two, r3 (z2) one: a 2-node job takes r2, leaving r1 whole
        var racks = given();
        node(racks, "n1", "H100", "z1", "r1");
        node(racks, "n2", "H100", "z1", "r1");
        node(racks, "n3", "H100", "z1", "r1");
        node(racks, "n4", "H100", "z2", "r3");
        node(racks, "n5", "H100", "z1", "r2");
        node(racks, "n6", "H100", "z1", "r2");
        assertThat(only(racks.queued(queued("tj-big", "team-a", Priority.NORMAL, 16, MIN)).plan()).node()).isEqualTo("n5,n6");
        // no rack holds two: the zone that does
        var zones = given();
        node(zones, "n1", "H100", "z1", "r1");
        node(zones, "n2", "H100", "z2", "r2");
        node(zones, "n3", "H100", "z1", "r3");
        node(zones, "n4", "H100", "z3", null);
        assertThat(only(zones.queued(queued("tj-big", "team-a", Priority.NORMAL, 16, MIN)).plan()).node()).isEqualTo("n1,n3");
        // no zone holds three: any three, by name
        var any = given();
        node(any, "n1", "H100", "z1", null);
        node(any, "n2", "H100", "z2", null);
        node(any, "n3", "H100", null, null);
        node(any, "n4", "H100", "z1", null);
        assertThat(only(any.queued(queued("tj-big", "team-a", Priority.NORMAL, 24, MIN)).plan()).node()).isEqualTo("n1,n2,n3");
    }

    @Test
    void queueRule13_anUrgentMultiNodeJobPreemptsNothingItWaitsForWholeNodes() {
        var g = given();
        node(g, "h100-a", "H100", null, null);
        node(g, "h100-b", "H100", null, null);
        g.active(running("tj-bg", "team-b", Priority.BACKGROUND, 2, "h100-a", MIN));
        AdmissionPlanner.Plan plan = g.queued(queued("tj-urgent", "team-a", Priority.URGENT, 16, MIN)).plan();
        assertThat(victims(plan)).isEmpty();
        assertThat(plan.waits().get("tj-urgent").reason()).isEqualTo(Reason.NO_CAPACITY);
    }
}
