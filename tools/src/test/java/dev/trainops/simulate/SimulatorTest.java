package dev.trainops.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.cost.RateClass;
import dev.trainops.queue.Priority;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The replay of the sample trace (554 jobs of ITP cluster02) through the production planner and price book: its invariants. */
class SimulatorTest {
    static final Path SAMPLE = Path.of("src/test/resources/gputrace/cluster02-days20-21.csv");
    static Trace trace;
    static PriceBook prices;

    @BeforeAll
    static void load() throws Exception {
        trace = Trace.read(SAMPLE);
        prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
    }

    @Test
    void theSampleIsTheTraceFormatWithEveryJob() {
        assertThat(trace.jobs()).hasSize(554);
        assertThat(trace.jobs()).extracting(Trace.Job::gpus).containsOnly(1, 4, 8, 16, 32);
        assertThat(trace.gpuSeconds()).isEqualTo(trace.jobs().stream().mapToLong(j -> j.duration() * j.gpus()).sum());
    }

    @Test
    void everyPolicyKeepsTheInvariantsAtTwoLoads() {
        for (double load : new double[] {0.8, 1.2}) {
            int gpus = trace.gpusForLoad(load, 8);
            assertThat(gpus % 8).isZero();
            Simulator sim = new Simulator(trace, Simulator.Setup.defaults(gpus, 8, 17), prices);
            for (Simulator.Policy p : Simulator.Policy.values()) {
                Run run = sim.run(p);
                String as = p.wireName() + " at load " + load;
                // no over-commit at any moment, and no admission beyond a node's free GPUs
                assertThat(run.timeline()).as(as).allSatisfy(s -> assertThat(s.allocated()).isBetween(0, gpus));
                assertThat(run.admittedWithoutRoom()).as(as).isZero();
                // every job ends (the 16- and 32-GPU jobs on whole nodes, queue rule 13) or is rejected with a reason, never both
                assertThat(run.jobs()).as(as).hasSize(trace.jobs().size()).allSatisfy(j -> {
                    assertThat(j.ended() != null ^ j.rejected() != null).isTrue();
                    assertThat(j.rejected()).isNull();
                    assertThat(j.started()).isGreaterThanOrEqualTo(j.submitted());
                    assertThat(j.ended()).isGreaterThanOrEqualTo(j.started() + 1);
                });
                // totals add up: the allocated GPU-time is the completed jobs' work plus work lost to preemption
                long work = 0;
                for (Run.JobResult j : run.jobs()) {
                    if (j.ended() != null) {
                        work += trace.jobs().stream().filter(t -> t.id().equals(j.id())).findFirst().orElseThrow().gpuSeconds();
                    }
                }
                if (run.preemptions() == 0) {
                    assertThat(run.busy()).as(as).isEqualTo(work);
                } else {
                    assertThat(run.busy()).as(as).isGreaterThan(work);
                }
                assertThat(run.waitingBusy()).isLessThanOrEqualTo(run.waitingCapacity());
                Map<String, Object> s = Summary.policy(run);
                @SuppressWarnings("unchecked")
                Map<String, Object> rejected = (Map<String, Object>) s.get("jobs_rejected");
                assertThat((int) s.get("jobs_completed") + (int) rejected.get("count")).isEqualTo(s.get("jobs"));
                assertThat(rejected.get("count")).isEqualTo(0);
                @SuppressWarnings("unchecked")
                Map<String, BigDecimal> cost = (Map<String, BigDecimal>) s.get("cost");
                assertThat(cost.get("PEAK").add(cost.get("OFF_PEAK")).add(cost.get("SPOT"))).isEqualByComparingTo(cost.get("total"));
                assertThat(cost.get("total")).isPositive();
                assertThat(s.get("jobs_admitted_without_room")).isEqualTo(0L);
            }
        }
    }

    @Test
    void trainopsDefersBackgroundWorkToOffPeakAndFifoDoesNot() {
        Simulator sim = new Simulator(trace, Simulator.Setup.defaults(trace.gpusForLoad(0.8, 8), 8, 17), prices);
        Run fifo = sim.run(Simulator.Policy.FIFO);
        Run trainops = sim.run(Simulator.Policy.TRAINOPS);
        assertThat(trainops.timeline()).anySatisfy(s -> assertThat(s.deferred()).isPositive());
        assertThat(fifo.timeline()).allSatisfy(s -> assertThat(s.deferred()).isZero());
        // every BACKGROUND job submitted in the peak window started no earlier than the next off-peak window
        for (Run.JobResult j : trainops.jobs()) {
            if (j.priority() == Priority.BACKGROUND && j.started() != null) {
                Instant submitted = sim.at(j.submitted());
                assertThat(sim.at(j.started())).as(j.id()).isAfterOrEqualTo(prices.current(submitted).calendar().nextOffPeak(submitted));
            }
        }
        assertThat(fifo.backgroundAtSubmit()).isPositive();
        assertThat(trainops.cost().get(RateClass.SPOT)).isZero();
    }

    @Test
    void theSameSeedWritesTheSameSummaryByteForByteAndAnotherSeedDoesNot() {
        String first = summary(17);
        assertThat(summary(17)).isEqualTo(first);
        assertThat(summary(18)).isNotEqualTo(first);
        assertThat(first.replace(" ", "")).contains("\"jobs_admitted_without_room\":0").contains("synthetic");
    }

    @Test
    void fifoBlocksTheHeadOfTheLineWhileTrainopsBackfills() {
        // one node of 8 GPUs: A (6 GPUs) runs; B (4) cannot fit until A ends at 1,000 s; C (1) would fit beside A
        Trace tiny = new Trace("tiny", List.of(new Trace.Job("a", 0, 1_000, 6), new Trace.Job("b", 10, 500, 4), new Trace.Job("c", 20, 100, 1)));
        Synthetic allNormal = new Synthetic(1, List.of("team-a"), 0, 0, 0, 0);
        Simulator sim = new Simulator(tiny, new Simulator.Setup(8, 8, "H100", Instant.parse("2026-03-04T12:00:00Z"), allNormal, 1_800, null), prices);
        assertThat(sim.assigned().values()).extracting(Synthetic.Assignment::priority).containsOnly(Priority.NORMAL);
        Map<String, Run.JobResult> fifo = byId(sim.run(Simulator.Policy.FIFO));
        assertThat(fifo.get("b").started()).isEqualTo(1_000L);
        assertThat(fifo.get("c").started()).as("C waits behind the blocked head B").isEqualTo(1_000L);
        Map<String, Run.JobResult> trainops = byId(sim.run(Simulator.Policy.TRAINOPS));
        assertThat(trainops.get("b").started()).isEqualTo(1_000L);
        assertThat(trainops.get("c").started()).as("the planner places C beside A at once").isEqualTo(20L);
    }

    @Test
    void anUrgentJobPreemptsBackgroundWorkUnderTrainopsOnly() {
        Trace tiny = new Trace("tiny", List.of(new Trace.Job("bg", 0, 10_000, 8), new Trace.Job("urgent", 4_000, 600, 8)));
        Synthetic oneTeam = new Synthetic(1, List.of("team-a"), 0, 0, 0, 0);
        Simulator sim = new Simulator(tiny, new Simulator.Setup(8, 8, "H100", Instant.parse("2026-03-04T00:00:00Z"), oneTeam, 1_800, null), prices,
                Map.of("bg", new Synthetic.Assignment("team-a", Priority.BACKGROUND), "urgent", new Synthetic.Assignment("team-a", Priority.URGENT)));
        Run trainops = sim.run(Simulator.Policy.TRAINOPS);
        Map<String, Run.JobResult> t = byId(trainops);
        assertThat(t.get("urgent").started()).isEqualTo(4_000L);
        assertThat(t.get("bg").preemptions()).isEqualTo(1);
        // 4,000 s run, checkpoints every 1,800 s: 3,600 s kept, 400 s lost; it resumes when the urgent job ends at 4,600 s
        assertThat(t.get("bg").ended()).isEqualTo(4_600L + 10_000 - 3_600);
        assertThat(trainops.admittedWithoutRoom()).isZero();
        Map<String, Run.JobResult> f = byId(sim.run(Simulator.Policy.FIFO));
        assertThat(f.get("urgent").started()).isEqualTo(10_000L);
        assertThat(f.get("bg").preemptions()).isZero();
    }

    @Test
    void aMultiNodeJobTakesWholeNodesAllOrNothingAndOneLargerThanTheClusterIsRefusedAsTheQueueRefusesIt() {
        // two nodes of 8: A (1 GPU) holds node-000 until 1,000 s; B (16 GPUs = both nodes) waits for it; C (24) can never fit
        Trace tiny = new Trace("tiny", List.of(new Trace.Job("a", 0, 1_000, 1), new Trace.Job("b", 10, 500, 16), new Trace.Job("c", 20, 100, 24)));
        Synthetic allNormal = new Synthetic(1, List.of("team-a"), 0, 0, 0, 0);
        Simulator sim = new Simulator(tiny, new Simulator.Setup(16, 8, "H100", Instant.parse("2026-03-04T12:00:00Z"), allNormal, 1_800, null),
                prices);
        for (Simulator.Policy p : Simulator.Policy.values()) {
            Run run = sim.run(p);
            Map<String, Run.JobResult> r = byId(run);
            assertThat(r.get("b").started()).as(p.wireName()).isEqualTo(1_000L);
            assertThat(r.get("b").ended()).isEqualTo(1_500L);
            assertThat(run.timeline()).anySatisfy(s -> assertThat(s.allocated()).isEqualTo(16));
            assertThat(run.timeline()).allSatisfy(s -> assertThat(s.allocated()).isLessThanOrEqualTo(16));
            assertThat(run.admittedWithoutRoom()).isZero();
            assertThat(r.get("c").rejected()).contains("No node can ever hold 24 H100").contains("queue rule 13")
                    .contains("the cluster has 2 such nodes");
            assertThat(r.get("c").started()).isNull();
        }
    }

    private static String summary(long seed) {
        Simulator sim = new Simulator(trace, Simulator.Setup.defaults(trace.gpusForLoad(1.2, 8), 8, seed), prices);
        return Summary.json(Summary.of(trace, sim.setup(), List.of(sim.run(Simulator.Policy.FIFO), sim.run(Simulator.Policy.TRAINOPS))));
    }

    private static Map<String, Run.JobResult> byId(Run run) {
        return run.jobs().stream().collect(java.util.stream.Collectors.toMap(Run.JobResult::id, j -> j));
    }
}
