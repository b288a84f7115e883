package dev.trainops.queue;

import static dev.trainops.queue.PlannerFixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The admission planner's invariants over random snapshots (jqwik): whatever the cluster, the
 * queue, quotas and budgets, one pass never over-commits a node or a team's quota, never takes a
 * team over its budget, admits in the order of queue rule 1, and preempts only BACKGROUND jobs and
 * only when the URGENT job then fits. Random worlds are small (up to 6 nodes and 12 queued jobs) so
 * that collisions over a node, a quota or a budget are common.
 */
class AdmissionPlannerProperties {
    static final List<String> TEAMS = List.of("team-a", "team-b", "team-c");
    static final int TRIES = 500;

    record NodeSeed(String type, int allocatable, int usedOutside, boolean shared, Integer utilization) {
    }

    record ActiveSeed(int team, Priority priority, int gpus, int node, int startedMinutesAgo, boolean preempted) {
    }

    record QueuedSeed(int team, Priority priority, String type, int gpus, int submittedMinutesAgo, long costMicros) {
    }

    record TeamSeed(Integer quota, int quotaOutside, Long budgetLimit, long budgetUsed) {
    }

    /** A random world, built into a consistent snapshot: active jobs only where they fit their node. */
    record World(List<NodeSeed> nodes, List<ActiveSeed> active, List<QueuedSeed> queued, List<TeamSeed> teams, boolean urgentHolds) {

        Snapshot snapshot() {
            List<Snapshot.NodeRoom> rooms = new ArrayList<>();
            Map<String, Long> left = new HashMap<>();
            for (int i = 0; i < nodes.size(); i++) {
                NodeSeed n = nodes.get(i);
                String name = "node-" + i;
                rooms.add(new Snapshot.NodeRoom(name, n.type(), n.shared() ? "nvidia.com/gpu.shared" : "nvidia.com/gpu", n.shared(),
                        n.allocatable(), n.usedOutside(), n.utilization() == null ? null : n.utilization().doubleValue()));
                left.put(name, (long) n.allocatable() - n.usedOutside());
            }
            List<QueuedJob> queuedJobs = new ArrayList<>();
            for (int i = 0; i < queued.size(); i++) {
                QueuedSeed q = queued.get(i);
                queuedJobs.add(PlannerFixtures.queued(String.format("tj-q%02d", i), PlannerFixtures.spec(TEAMS.get(q.team()), q.priority(),
                        q.type(), q.gpus(), q.costMicros()), Duration.ofMinutes(q.submittedMinutesAgo())));
            }
            // a preempted job's node is held for its preemptor: the first queued URGENT job, or one that is gone
            String holder = queuedJobs.stream().filter(j -> j.priority() == Priority.URGENT && urgentHolds).map(QueuedJob::jobId)
                    .findFirst().orElse("tj-gone");
            List<QueuedJob> activeJobs = new ArrayList<>();
            for (int i = 0; i < active.size(); i++) {
                ActiveSeed a = active.get(i);
                Snapshot.NodeRoom room = rooms.get(a.node() % rooms.size());
                if (left.get(room.node()) < a.gpus()) {
                    continue;
                }
                left.merge(room.node(), (long) -a.gpus(), Long::sum);
                QueuedJob job = PlannerFixtures.running(String.format("tj-a%02d", i), PlannerFixtures.spec(TEAMS.get(a.team()), a.priority(),
                        room.gpuType(), a.gpus(), 1_000_000), room.node(), Duration.ofMinutes(a.startedMinutesAgo()));
                activeJobs.add(a.preempted() ? job.preemptedBy(holder, "Preempted by URGENT job " + holder + ".", NOW) : job);
            }
            Map<String, Integer> quota = new HashMap<>();
            Map<String, Integer> outside = new HashMap<>();
            Map<String, Snapshot.BudgetRoom> budgets = new HashMap<>();
            for (int t = 0; t < TEAMS.size(); t++) {
                TeamSeed s = teams.get(t);
                if (s.quota() != null) {
                    quota.put(TEAMS.get(t), s.quota());
                }
                outside.put(TEAMS.get(t), s.quotaOutside());
                if (s.budgetLimit() != null) {
                    budgets.put(TEAMS.get(t), new Snapshot.BudgetRoom(s.budgetLimit(), s.budgetUsed(), "MONTHLY"));
                }
            }
            return new Snapshot(NOW, rooms, queuedJobs, activeJobs, quota, outside, budgets, Map.of(), new BigDecimal("50"),
                    Duration.ofMinutes(30));
        }
    }

    @Provide
    Arbitrary<World> worlds() {
        Arbitrary<NodeSeed> node = Combinators.combine(Arbitraries.of("H100", "A100"), Arbitraries.integers().between(1, 8),
                Arbitraries.integers().between(0, 2), Arbitraries.of(false, false, true),
                Arbitraries.integers().between(0, 100).injectNull(0.3)).as(NodeSeed::new);
        Arbitrary<ActiveSeed> active = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.of(Priority.class),
                Arbitraries.integers().between(1, 8), Arbitraries.integers().between(0, 5), Arbitraries.integers().between(1, 600),
                Arbitraries.of(false, false, false, true)).as(ActiveSeed::new);
        Arbitrary<QueuedSeed> queued = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.of(Priority.class),
                Arbitraries.of("H100", "A100"), Arbitraries.integers().between(1, 8), Arbitraries.integers().between(0, 120),
                Arbitraries.longs().between(0, 5_000_000)).as(QueuedSeed::new);
        Arbitrary<TeamSeed> team = Combinators.combine(Arbitraries.integers().between(0, 16).injectNull(0.3),
                Arbitraries.integers().between(0, 3), Arbitraries.longs().between(0, 20_000_000).injectNull(0.3),
                Arbitraries.longs().between(0, 20_000_000)).as(TeamSeed::new);
        return Combinators.combine(node.list().ofMinSize(1).ofMaxSize(6), active.list().ofMaxSize(8), queued.list().ofMaxSize(12),
                team.list().ofSize(TEAMS.size()), Arbitraries.of(true, false)).as(World::new);
    }

    /**
     * Crowded worlds for the preemption property: few H100 nodes, mostly filled with BACKGROUND and
     * NORMAL work, and URGENT jobs waiting, so that preemption is considered in most of them.
     */
    @Provide
    Arbitrary<World> crowded() {
        Arbitrary<NodeSeed> node = Combinators.combine(Arbitraries.of("H100"), Arbitraries.integers().between(2, 8),
                Arbitraries.integers().between(0, 1), Arbitraries.of(false), Arbitraries.integers().between(0, 100).injectNull(0.5))
                .as(NodeSeed::new);
        Arbitrary<ActiveSeed> active = Combinators.combine(Arbitraries.integers().between(0, 2),
                Arbitraries.of(Priority.BACKGROUND, Priority.BACKGROUND, Priority.NORMAL, Priority.URGENT), Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(1, 600), Arbitraries.of(false, false, false, true))
                .as(ActiveSeed::new);
        Arbitrary<QueuedSeed> queued = Combinators.combine(Arbitraries.integers().between(0, 2),
                Arbitraries.of(Priority.URGENT, Priority.URGENT, Priority.NORMAL), Arbitraries.of("H100"), Arbitraries.integers().between(1, 8),
                Arbitraries.integers().between(0, 120), Arbitraries.longs().between(0, 1_000_000)).as(QueuedSeed::new);
        Arbitrary<TeamSeed> team = Combinators.combine(Arbitraries.integers().between(4, 24).injectNull(0.5),
                Arbitraries.integers().between(0, 1), Arbitraries.longs().between(0, 20_000_000).injectNull(0.7),
                Arbitraries.longs().between(0, 2_000_000)).as(TeamSeed::new);
        return Combinators.combine(node.list().ofMinSize(1).ofMaxSize(3), active.list().ofMinSize(2).ofMaxSize(10),
                queued.list().ofMinSize(1).ofMaxSize(4), team.list().ofSize(TEAMS.size()), Arbitraries.of(true, false)).as(World::new);
    }

    static Map<String, Long> heldOnNode(Snapshot s) {
        Map<String, Long> held = new HashMap<>();
        s.nodes().forEach(r -> held.put(r.node(), r.usedOutside()));
        s.active().forEach(a -> held.merge(a.node(), (long) a.gpuCount(), Long::sum));
        return held;
    }

    static int heldByTeam(Snapshot s, String team) {
        return s.quotaUsedOutside().getOrDefault(team, 0) + s.active().stream().filter(a -> a.team().equals(team))
                .mapToInt(QueuedJob::gpuCount).sum();
    }

    /**
     * Not vacuous: at least {@code percent}% of the random worlds reach what a property is about
     * ({@code reached}, counted under {@code label}), or jqwik fails the property.
     */
    static void notVacuous(boolean reached, String label, int percent) {
        Statistics.collect(reached ? label : "other");
        Statistics.coverage(c -> c.check(label).percentage(p -> p >= percent));
    }

    static boolean waitsFor(AdmissionPlanner.Plan plan, Reason reason) {
        return plan.waits().values().stream().anyMatch(w -> w.reason() == reason);
    }

    @Property(tries = TRIES)
    void noNodeIsEverOverCommitted(@ForAll("worlds") World world) {
        Snapshot s = world.snapshot();
        AdmissionPlanner.Plan plan = AdmissionPlanner.plan(s);
        notVacuous(waitsFor(plan, Reason.NO_CAPACITY) && !plan.admits().isEmpty(), "admits and waits for room", 5);
        Map<String, Long> held = heldOnNode(s);
        for (Snapshot.NodeRoom r : s.nodes()) {
            List<AdmissionPlanner.Admit> here = plan.admits().stream().filter(a -> a.node().equals(r.node())).toList();
            long admitted = here.stream().mapToLong(a -> a.job().gpuCount()).sum();
            assertThat(admitted).as(r.node()).isLessThanOrEqualTo(Math.max(0, r.allocatable() - held.get(r.node())));
            assertThat(here).allSatisfy(a -> assertThat(a.job().gpuType()).isEqualTo(r.gpuType()));
        }
        assertThat(plan.admits()).allSatisfy(a -> assertThat(s.nodes()).anyMatch(r -> r.node().equals(a.node())));
    }

    @Property(tries = TRIES)
    void noTeamQuotaIsEverOverCommitted(@ForAll("worlds") World world) {
        Snapshot s = world.snapshot();
        AdmissionPlanner.Plan plan = AdmissionPlanner.plan(s);
        notVacuous(waitsFor(plan, Reason.QUOTA_EXCEEDED), "quota reached", 5);
        for (var e : s.quotaLimit().entrySet()) {
            int admitted = plan.admits().stream().filter(a -> a.job().team().equals(e.getKey())).mapToInt(a -> a.job().gpuCount()).sum();
            assertThat(admitted).as(e.getKey()).isLessThanOrEqualTo(Math.max(0, e.getValue() - heldByTeam(s, e.getKey())));
        }
    }

    @Property(tries = TRIES)
    void theBudgetIsNeverExceeded(@ForAll("worlds") World world) {
        Snapshot s = world.snapshot();
        AdmissionPlanner.Plan plan = AdmissionPlanner.plan(s);
        notVacuous(waitsFor(plan, Reason.BUDGET_EXCEEDED), "budget reached", 5);
        for (var e : s.budgets().entrySet()) {
            List<QueuedJob> admitted = plan.admits().stream().map(AdmissionPlanner.Admit::job).filter(j -> j.team().equals(e.getKey())).toList();
            long projected = e.getValue().usedMicros() + admitted.stream().mapToLong(QueuedJob::estimatedCostMicros).sum();
            assertThat(admitted.isEmpty() || projected <= e.getValue().limitMicros()).as(e.getKey() + " would reach " + projected + " of "
                    + e.getValue().limitMicros()).isTrue();
        }
    }

    @Property(tries = TRIES)
    void admissionFollowsTheOrderOfRuleOne(@ForAll("worlds") World world) {
        Snapshot s = world.snapshot();
        AdmissionPlanner.Plan plan = AdmissionPlanner.plan(s);
        List<QueuedJob> order = new ArrayList<>(s.queued());
        order.sort(AdmissionOrder.ORDER);
        // every queued job is either admitted or waits, at its place in that order
        Set<String> admitted = new HashSet<>(PlannerFixtures.admitted(plan));
        for (int i = 0; i < order.size(); i++) {
            QueuedJob j = order.get(i);
            assertThat(admitted.contains(j.jobId()) != plan.waits().containsKey(j.jobId())).as(j.jobId()).isTrue();
            if (!admitted.contains(j.jobId())) {
                assertThat(plan.waits().get(j.jobId()).position()).as(j.jobId()).isEqualTo(i + 1);
            }
        }
        // admissions come in that order
        List<QueuedJob> admits = plan.admits().stream().map(AdmissionPlanner.Admit::job).toList();
        assertThat(admits).isSortedAccordingTo(AdmissionOrder.ORDER);
        // and no job is passed over by a later job asking for exactly the same (team, priority, GPUs, cost)
        Set<String> holders = new HashSet<>();
        s.active().forEach(a -> {
            if (a.preemptedBy() != null) {
                holders.add(a.preemptedBy());
            }
        });
        for (int i = 0; i < order.size(); i++) {
            for (int k = i + 1; k < order.size(); k++) {
                QueuedJob earlier = order.get(i);
                QueuedJob later = order.get(k);
                if (sameDemand(earlier, later) && !holders.contains(earlier.jobId()) && !holders.contains(later.jobId())
                        && admitted.contains(later.jobId())) {
                    assertThat(admitted).as(later.jobId() + " admitted before the same request " + earlier.jobId()).contains(earlier.jobId());
                }
            }
        }
    }

    static boolean sameDemand(QueuedJob a, QueuedJob b) {
        return a.team().equals(b.team()) && a.priority() == b.priority() && a.gpuType().equals(b.gpuType()) && a.gpuCount() == b.gpuCount()
                && a.estimatedCostMicros() == b.estimatedCostMicros();
    }

    @Property(tries = TRIES)
    void preemptionTakesOnlyBackgroundJobsAndOnlyWhenTheUrgentJobThenFits(@ForAll("crowded") World world) {
        Snapshot s = world.snapshot();
        AdmissionPlanner.Plan plan = AdmissionPlanner.plan(s);
        notVacuous(!plan.preemptions().isEmpty(), "preempts", 4);
        Map<String, Long> held = heldOnNode(s);
        Set<String> victims = new HashSet<>();
        Map<String, List<AdmissionPlanner.Preempt>> byPreemptor = new HashMap<>();
        for (AdmissionPlanner.Preempt p : plan.preemptions()) {
            assertThat(p.victim().priority()).isEqualTo(Priority.BACKGROUND);
            assertThat(p.victim().state()).isIn(JobState.SCHEDULED, JobState.RUNNING);
            assertThat(s.active()).contains(p.victim());
            assertThat(victims.add(p.victim().jobId())).as("evicted twice: " + p.victim().jobId()).isTrue();
            assertThat(p.by().priority()).isEqualTo(Priority.URGENT);
            assertThat(s.queued()).contains(p.by());
            byPreemptor.computeIfAbsent(p.by().jobId(), k -> new ArrayList<>()).add(p);
        }
        List<QueuedJob> order = new ArrayList<>(s.queued());
        order.sort(AdmissionOrder.ORDER);
        for (var e : byPreemptor.entrySet()) {
            QueuedJob urgent = e.getValue().get(0).by();
            List<QueuedJob> evicted = e.getValue().stream().map(AdmissionPlanner.Preempt::victim).toList();
            assertThat(PlannerFixtures.admitted(plan)).doesNotContain(urgent.jobId());
            assertThat(plan.waits().get(urgent.jobId()).reason()).isEqualTo(Reason.WAITING_FOR_PREEMPTION);
            assertThat(evicted.stream().map(QueuedJob::node).distinct()).as("one node").hasSize(1);
            String node = evicted.get(0).node();
            Snapshot.NodeRoom room = s.nodes().stream().filter(r -> r.node().equals(node)).findFirst().orElseThrow();
            assertThat(room.gpuType()).isEqualTo(urgent.gpuType());
            long admittedHere = plan.admits().stream().filter(a -> a.node().equals(node)).mapToLong(a -> a.job().gpuCount()).sum();
            long freed = evicted.stream().mapToLong(QueuedJob::gpuCount).sum();
            long freeAfter = room.allocatable() - held.get(node) - admittedHere + freed;
            assertThat(freeAfter).as("free on " + node + " once " + evicted + " leave").isGreaterThanOrEqualTo(urgent.gpuCount());
            // and never one victim more than needed: without the last one it would not fit
            long lastVictim = evicted.get(evicted.size() - 1).gpuCount();
            assertThat(freeAfter - lastVictim).isLessThan(urgent.gpuCount());
            // the urgent job's team stays within its quota once it runs
            Optional<Integer> limit = Optional.ofNullable(s.quotaLimit().get(urgent.team()));
            if (limit.isPresent()) {
                int before = order.indexOf(urgent);
                int admittedBefore = plan.admits().stream().map(AdmissionPlanner.Admit::job)
                        .filter(j -> j.team().equals(urgent.team()) && order.indexOf(j) < before).mapToInt(QueuedJob::gpuCount).sum();
                assertThat(heldByTeam(s, urgent.team()) + admittedBefore + urgent.gpuCount()).isLessThanOrEqualTo(limit.get());
            }
        }
    }
}
