package dev.trainops.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.queue.Priority;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * docs/simulate.md "Planning only what changed": a pass after which only arrivals joined the queue
 * hands the planner the arrivals (and the job that reserves its pool, rule 8) instead of the whole
 * queue. The replay must come out the same, job for job and sample for sample, as when every pass
 * plans everything; and the shortcut must actually be taken.
 */
class PlanningOnlyWhatChangedTest {
    private static final PriceBook PRICES = prices();

    private static PriceBook prices() {
        try {
            return PricingConfig.load(Path.of("../config/pricing.yaml"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theSampleReplaysTheSameAsPlanningEverythingAtThreeLoadsAndTwoSeeds() throws Exception {
        Trace trace = Trace.read(SimulatorTest.SAMPLE);
        for (double load : new double[] {0.8, 1.0, 1.2}) {
            for (long seed : new long[] {17, 18}) {
                Simulator.Setup setup = Simulator.Setup.defaults(trace.gpusForLoad(load, 8), 8, seed);
                Simulator partial = new Simulator(trace, setup, PRICES);
                Simulator everything = new Simulator(trace, setup, PRICES).planningEverything();
                Run a = partial.run(Simulator.Policy.TRAINOPS);
                Run b = everything.run(Simulator.Policy.TRAINOPS);
                String at = "load " + load + ", seed " + seed;
                assertThat(a.jobs()).as(at).isEqualTo(b.jobs());
                assertThat(a.timeline()).as(at).isEqualTo(b.timeline());
                assertThat(Summary.json(Summary.of(trace, setup, List.of(a)))).as(at).isEqualTo(Summary.json(Summary.of(trace, setup, List.of(b))));
                assertThat(partial.plans(Simulator.Policy.TRAINOPS)[1]).as(at + ": passes that planned arrivals only").isPositive();
                assertThat(everything.plans(Simulator.Policy.TRAINOPS)[1]).isZero();
                assertThat(partial.plans(Simulator.Policy.TRAINOPS)[0]).as(at + ": whole-queue plans")
                        .isLessThan(everything.plans(Simulator.Policy.TRAINOPS)[0]);
            }
        }
    }

    /**
     * Small random traces on one to three nodes with every priority, multi-node jobs, deferral to
     * off-peak, preemption and starvation in play: the same replay either way.
     */
    @Property(tries = 300)
    void anyTraceReplaysTheSameAsPlanningEverything(@ForAll @LongRange(min = 1, max = 1_000_000) long seed,
                                                    @ForAll @IntRange(min = 1, max = 3) int nodes,
                                                    @ForAll @IntRange(min = 5, max = 60) int jobs) {
        java.util.Random r = new java.util.Random(seed);
        List<Trace.Job> list = new ArrayList<>();
        Map<String, Synthetic.Assignment> assigned = new HashMap<>();
        long t = 0;
        for (int i = 0; i < jobs; i++) {
            t += r.nextInt(4) == 0 ? 0 : r.nextInt(3_600);
            int gpus = r.nextInt(10) == 0 ? 8 * (1 + r.nextInt(nodes)) : 1 + r.nextInt(8);
            String id = "j" + i;
            list.add(new Trace.Job(id, t, 60 + r.nextInt(6 * 3_600), gpus));
            Priority p = Priority.values()[r.nextInt(3)];
            assigned.put(id, new Synthetic.Assignment("team-" + (char) ('a' + r.nextInt(2)), p));
        }
        Trace trace = new Trace("random", list);
        Simulator.Setup setup = new Simulator.Setup(8 * nodes, 8, "H100", Instant.parse("2026-03-04T00:00:00Z").plusSeconds(r.nextInt(86_400)),
                new Synthetic(seed, List.of("team-a", "team-b"), 0.1, 7_200, 0.25, 28_800), 1_800, null);
        Run a = new Simulator(trace, setup, PRICES, assigned).run(Simulator.Policy.TRAINOPS);
        Run b = new Simulator(trace, setup, PRICES, assigned).planningEverything().run(Simulator.Policy.TRAINOPS);
        assertThat(a.jobs()).isEqualTo(b.jobs());
        assertThat(a.timeline()).isEqualTo(b.timeline());
        assertThat(a.preemptions()).isEqualTo(b.preemptions());
        assertThat(a.admittedWithoutRoom()).isZero();
    }
}
