package dev.trainops.simulate;

import dev.trainops.cost.JobFootprint;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricedSlice;
import dev.trainops.cost.RateClass;
import dev.trainops.queue.JobSpec;
import dev.trainops.queue.JobState;
import dev.trainops.queue.Priority;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.Reason;
import dev.trainops.queue.ReplayPlanner;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Replays a {@link Trace} on a virtual clock through the production admission planner
 * ({@link ReplayPlanner}) and price book, on an in-memory cluster of whole-GPU nodes of one type.
 * A job arrives at its submission time, is admitted when the policy's planner pass admits it, runs
 * its recorded duration and releases its GPUs. Policies:
 * <ul>
 *   <li>{@code trainops}: every pass plans the whole queue as the product does (priority order,
 *       URGENT preempting BACKGROUND, starvation reservation, BACKGROUND deferred to off-peak);</li>
 *   <li>{@code fifo}: strict arrival order with head-of-line blocking (Kueue's StrictFIFO): the
 *       planner is asked about the head of the queue only, every job as NORMAL, nothing deferred,
 *       and nothing behind the head starts while the head waits.</li>
 * </ul>
 * A preempted job's pods end at once; it returns to the queue with its original submit time and
 * restarts from its last checkpoint (every {@code checkpointSeconds} of run time).
 */
public final class Simulator {

    public enum Policy {
        FIFO, TRAINOPS;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One cluster size and the rules of the replay.
     *
     * @param epoch                   the instant t=0 of the trace is replayed at (prices and tariff windows apply there)
     * @param teamMonthlyBudgetMicros each team's monthly budget; null: generous (ten times the whole trace's cost, never binding)
     */
    public record Setup(int gpus, int gpusPerNode, String gpuType, Instant epoch, Synthetic synthetic, long checkpointSeconds,
                        Long teamMonthlyBudgetMicros) {
        public Setup {
            if (gpusPerNode <= 0 || gpus < gpusPerNode || gpus % gpusPerNode != 0) {
                throw new IllegalArgumentException("--gpus must be a positive multiple of --gpus-per-node (" + gpusPerNode + "), got " + gpus + ".");
            }
        }

        /** The defaults of docs/simulate.md: H100 nodes, t=0 at 2026-03-04T00:00Z, checkpoints every 30 minutes. */
        public static Setup defaults(int gpus, int gpusPerNode, long seed) {
            return new Setup(gpus, gpusPerNode, "H100", Instant.parse("2026-03-04T00:00:00Z"), Synthetic.defaults(seed), 1_800, null);
        }
    }

    /** CPU cores and memory (GiB) per GPU a job's pods request: config/jobs.yaml's default template. */
    static final BigDecimal CPU_PER_GPU = BigDecimal.valueOf(8);
    static final BigDecimal MEMORY_GIB_PER_GPU = BigDecimal.valueOf(64);
    private static final int ROUNDS_PER_INSTANT = 16;

    private final Trace trace;
    private final Setup setup;
    private final PriceBook prices;
    private final Map<String, Synthetic.Assignment> assigned;
    private final List<ReplayPlanner.Node> nodes = new ArrayList<>();
    private boolean incremental = true;
    private final Map<Policy, long[]> plans = new EnumMap<>(Policy.class);

    public Simulator(Trace trace, Setup setup, PriceBook prices) {
        this(trace, setup, prices, setup.synthetic().assign(trace, setup.gpusPerNode()));
    }

    /** With the teams and priorities given per job id (tests), instead of drawn. */
    Simulator(Trace trace, Setup setup, PriceBook prices, Map<String, Synthetic.Assignment> assigned) {
        this.trace = trace;
        this.setup = setup;
        this.prices = prices;
        this.assigned = Map.copyOf(assigned);
        for (int i = 0; i < setup.gpus() / setup.gpusPerNode(); i++) {
            nodes.add(new ReplayPlanner.Node(String.format("node-%03d", i), setup.gpuType(), setup.gpusPerNode()));
        }
    }

    public Setup setup() {
        return setup;
    }

    public Map<String, Synthetic.Assignment> assigned() {
        return assigned;
    }

    public Run run(Policy policy) {
        Replay replay = new Replay(policy);
        Run run = replay.run();
        plans.put(policy, new long[] {replay.fullPlans, replay.arrivalPlans});
        return run;
    }

    /**
     * Every pass of the trainops policy plans the whole queue, every job to its reason, as the
     * product's admission loop does (tests: the replay must be the same as with planning only what
     * changed, docs/simulate.md).
     */
    Simulator planningEverything() {
        this.incremental = false;
        return this;
    }

    /** The planner calls of the last run of {@code policy}: whole-queue plans and arrivals-only plans. */
    public long[] plans(Policy policy) {
        return plans.getOrDefault(policy, new long[2]).clone();
    }

    /** A job's GPUs with its pods' CPU and memory, as the ledger bills it. */
    JobFootprint footprint(int gpus) {
        BigDecimal g = BigDecimal.valueOf(gpus);
        return new JobFootprint(setup.gpuType(), g, CPU_PER_GPU.multiply(g), MEMORY_GIB_PER_GPU.multiply(g));
    }

    Instant at(long t) {
        return setup.epoch().plusSeconds(t);
    }

    /**
     * The money a team may commit per month: the configured budget, or, generous, ten times the whole
     * trace's cost at submission (re-admissions after preemption commit again, and still fit).
     */
    private long budgetMicros() {
        if (setup.teamMonthlyBudgetMicros() != null) {
            return setup.teamMonthlyBudgetMicros();
        }
        long all = 0;
        for (Trace.Job j : trace.jobs()) {
            all += prices.cost(footprint(j.gpus()), at(j.submitted()), j.duration(), false).toMicros();
        }
        return all * 10 + 1;
    }

    /** One job in flight. */
    private static final class Live {
        final Trace.Job job;
        final Synthetic.Assignment as;
        QueuedJob q;
        long remaining;
        Long firstStart;
        long runStart;
        long end;
        Long ended;
        String rejected;
        Reason waitReason;
        int preemptions;
        BigDecimal billed = BigDecimal.ZERO;

        Live(Trace.Job job, Synthetic.Assignment as) {
            this.job = job;
            this.as = as;
            this.remaining = job.duration();
        }
    }

    private final class Replay {
        final Policy policy;
        final Map<String, Live> live = new LinkedHashMap<>();
        final Map<String, Live> queued = new LinkedHashMap<>(); // arrival order
        final Map<String, Live> active = new LinkedHashMap<>();
        final PriorityQueue<Live> ends = new PriorityQueue<>(Comparator.comparingLong((Live l) -> l.end).thenComparing(l -> l.job.id()));
        final Map<String, Long> free = new HashMap<>();
        final Map<RateClass, BigDecimal> cost = new EnumMap<>(RateClass.class);
        final Map<String, Map<YearMonth, Long>> committed = new HashMap<>();
        final List<Run.Sample> timeline = new ArrayList<>();
        final long budget = budgetMicros();
        final Duration starvation = ReplayPlanner.defaultStarvationAfter();
        // planning only what changed: what arrived since the last pass, whether anything else changed, and the time
        // boundaries (deferred starts, starvation limits) a pass must notice
        final List<Live> arrivals = new ArrayList<>();
        final PriorityQueue<Live> deferredStarts = new PriorityQueue<>(Comparator.comparing((Live l) -> l.q.notBefore())
                .thenComparing(l -> l.job.id()));
        final PriorityQueue<Live> starvationLimits = new PriorityQueue<>(Comparator.comparing((Live l) -> l.q.submitted())
                .thenComparing(l -> l.job.id()));
        boolean changed = true;
        boolean settled;
        YearMonth month;
        long maxEstimate;
        long fullPlans;
        long arrivalPlans;
        VirtualClock clock;
        long withoutRoom;
        int preemptions;
        long waitingBusy;
        long waitingCapacity;
        long busy;
        long capacity;

        Replay(Policy policy) {
            this.policy = policy;
            for (Trace.Job j : trace.jobs()) {
                live.put(j.id(), new Live(j, assigned.get(j.id())));
            }
            nodes.forEach(n -> free.put(n.name(), (long) n.gpus()));
            for (RateClass rc : RateClass.values()) {
                cost.put(rc, BigDecimal.ZERO);
            }
        }

        Run run() {
            List<Trace.Job> jobs = trace.jobs();
            int next = 0;
            long t = jobs.get(0).submitted();
            clock = new VirtualClock(at(t));
            while (true) {
                clock.advanceTo(at(t));
                while (!ends.isEmpty() && ends.peek().end <= t) {
                    complete(ends.poll());
                }
                while (next < jobs.size() && jobs.get(next).submitted() <= t) {
                    arrive(live.get(jobs.get(next++).id()));
                }
                boundaries();
                pass();
                int allocated = setup.gpus() - (int) free.values().stream().mapToLong(Long::longValue).sum();
                int deferred = deferredStarts.size(); // queued jobs whose start is still ahead (boundaries() dropped the rest)
                int waiting = queued.size() - deferred;
                timeline.add(new Run.Sample(t, allocated, waiting, deferred));
                long nt = next < jobs.size() ? jobs.get(next).submitted() : Long.MAX_VALUE;
                if (!ends.isEmpty()) {
                    nt = Math.min(nt, ends.peek().end);
                }
                if (!deferredStarts.isEmpty()) {
                    nt = Math.min(nt, deferredStarts.peek().q.notBefore().getEpochSecond() - setup.epoch().getEpochSecond());
                }
                if (nt == Long.MAX_VALUE) {
                    break;
                }
                long dt = nt - t;
                busy += (long) allocated * dt;
                capacity += (long) setup.gpus() * dt;
                if (waiting > 0) {
                    waitingBusy += (long) allocated * dt;
                    waitingCapacity += (long) setup.gpus() * dt;
                }
                t = nt;
            }
            if (!queued.isEmpty() && policy == Policy.TRAINOPS) {
                refreshReasons();
            }
            for (Live l : queued.values()) {
                l.rejected = "Never admitted: still queued when the replay ran out of events (nothing running, nothing arriving), as "
                        + (l.waitReason == null ? "waiting behind the head of the queue" : l.waitReason) + ".";
            }
            return result();
        }

        /**
         * What makes the next pass plan the whole queue besides GPUs freed: a deferred start or a
         * starvation limit (queue rule 8) passed, a new month (budgets start again).
         */
        void boundaries() {
            Instant now = clock.instant();
            while (!deferredStarts.isEmpty() && !deferredStarts.peek().q.notBefore().isAfter(now)) {
                deferredStarts.poll();
                changed = true;
            }
            while (!starvationLimits.isEmpty() && starvationLimits.peek().q.submitted().plus(starvation).isBefore(now)) {
                if (queued.containsKey(starvationLimits.poll().job.id())) {
                    changed = true;
                }
            }
            YearMonth m = YearMonth.from(now.atZone(ZoneOffset.UTC));
            if (!m.equals(month)) {
                month = m;
                changed = true;
            }
        }

        /** Whether no team's budget can refuse any job this month (then only room decides, and arrivals can be planned alone). */
        boolean budgetsCannotBind() {
            for (String team : setup.synthetic().teams()) {
                if (committed.getOrDefault(team, Map.of()).getOrDefault(month, 0L) + maxEstimate > budget) {
                    return false;
                }
            }
            return true;
        }

        void arrive(Live l) {
            Trace.Job j = l.job;
            java.util.Optional<String> refused = ReplayPlanner.refusal(nodes, setup.gpuType(), j.gpus()); // queue rules 5 and 13
            if (refused.isPresent()) {
                l.rejected = refused.get();
                return;
            }
            Instant now = clock.instant();
            Priority p = policy == Policy.FIFO ? Priority.NORMAL : l.as.priority();
            Instant notBefore = null;
            Map<String, String> params = Map.of();
            if (policy == Policy.TRAINOPS && p == Priority.BACKGROUND) {
                Instant off = prices.current(now).calendar().nextOffPeak(now); // SubmissionCheck's schedule=off_peak
                notBefore = off.equals(now) ? null : off;
                params = Map.of("trainops.schedule", "off_peak");
            }
            long estimate = prices.cost(footprint(j.gpus()), notBefore == null ? now : notBefore, j.duration(), false).toMicros();
            JobSpec spec = new JobSpec(l.as.team(), "trace-" + j.id(), "trace", "trace", p, priorityValue(p), setup.gpuType(), j.gpus(), 1, 1,
                    params, false, notBefore, null, estimate, j.duration(), null, null, null);
            l.q = QueuedJob.submitted(j.id(), spec, now);
            queued.put(j.id(), l);
            arrivals.add(l);
            if (notBefore != null) {
                deferredStarts.add(l);
            }
            starvationLimits.add(l);
            maxEstimate = Math.max(maxEstimate, estimate);
        }

        void pass() {
            if (policy == Policy.FIFO) {
                arrivals.clear(); // fifo asks about the head alone
                while (!queued.isEmpty()) {
                    Live head = queued.values().iterator().next();
                    ReplayPlanner.Decisions d = ReplayPlanner.reasons(clock.instant(), nodes, List.of(head.q),
                            active.values().stream().map(l -> l.q).toList(), budgets(), starvation); // the head alone, with its reason
                    if (d.admits().isEmpty()) {
                        head.waitReason = d.waits().get(head.job.id());
                        return; // head-of-line blocking: nothing behind the head starts
                    }
                    admit(head, d.admits().get(0).node());
                }
                return;
            }
            for (int round = 0; round < ROUNDS_PER_INSTANT && !queued.isEmpty(); round++) {
                boolean partial = incremental && settled && !changed && budgetsCannotBind();
                ReplayPlanner.Decisions d = partial ? planArrivals() : plan(queued.values().stream().map(l -> l.q).toList());
                arrivals.clear();
                changed = false;
                settled = false;
                for (ReplayPlanner.Admit a : d.admits()) {
                    admit(queued.get(a.jobId()), a.node());
                }
                for (ReplayPlanner.Preempt p : d.preemptions()) {
                    preempt(active.get(p.victimId()), p.byId(), p.detail());
                }
                d.waits().forEach((id, why) -> {
                    Live l = queued.get(id);
                    if (l != null) {
                        l.waitReason = why;
                    }
                });
                if (d.preemptions().isEmpty()) {
                    settled = true; // its admissions applied, nothing left that a pass on the same queue would admit or preempt
                    return;
                }
            }
            arrivals.clear();
        }

        ReplayPlanner.Decisions planArrivals() {
            arrivalPlans++;
            List<QueuedJob> fresh = new ArrayList<>();
            List<QueuedJob> waiting = new ArrayList<>();
            java.util.Set<String> arrived = new java.util.HashSet<>();
            arrivals.forEach(l -> arrived.add(l.job.id()));
            for (Live l : queued.values()) {
                (arrived.contains(l.job.id()) ? fresh : waiting).add(l.q);
            }
            return ReplayPlanner.planArrivals(clock.instant(), nodes, fresh, waiting, active.values().stream().map(l -> l.q).toList(),
                    budgets(), starvation);
        }

        /**
         * At the end, the whole queue once more with every job's reason (passes give none to jobs that could not act, and
         * arrivals-only passes none to the jobs already waiting): why each job never admitted waited.
         */
        void refreshReasons() {
            ReplayPlanner.Decisions d = ReplayPlanner.reasons(clock.instant(), nodes, queued.values().stream().map(l -> l.q).toList(),
                    active.values().stream().map(l -> l.q).toList(), budgets(), starvation);
            if (!d.admits().isEmpty() || !d.preemptions().isEmpty()) {
                throw new IllegalStateException("planning only what changed missed an admission or a preemption at " + clock.instant());
            }
            d.waits().forEach((id, why) -> queued.get(id).waitReason = why);
        }

        ReplayPlanner.Decisions plan(List<QueuedJob> candidates) {
            fullPlans++;
            List<QueuedJob> running = active.values().stream().map(l -> l.q).toList();
            return incremental ? ReplayPlanner.plan(clock.instant(), nodes, candidates, running, budgets(), starvation)
                    : ReplayPlanner.reasons(clock.instant(), nodes, candidates, running, budgets(), starvation); // every job, every reason
        }

        Map<String, ReplayPlanner.Budget> budgets() {
            YearMonth m = YearMonth.from(clock.instant().atZone(ZoneOffset.UTC));
            Map<String, ReplayPlanner.Budget> budgets = new HashMap<>();
            for (String team : setup.synthetic().teams()) {
                long used = committed.getOrDefault(team, Map.of()).getOrDefault(m, 0L);
                budgets.put(team, new ReplayPlanner.Budget(budget, used, "MONTHLY"));
            }
            return budgets;
        }

        void admit(Live l, String node) {
            List<String> on = List.of(node.split(","));
            long each = l.job.gpus() / on.size(); // a multi-node job takes whole nodes (rule 13)
            for (String n : on) {
                long f = free.get(n);
                if (f < each) {
                    withoutRoom++;
                }
                free.put(n, f - each);
            }
            Instant now = clock.instant();
            long t = now.getEpochSecond() - setup.epoch().getEpochSecond();
            l.q = l.q.admittedTo(node, now).runningSince(now, now);
            l.runStart = t;
            l.firstStart = l.firstStart == null ? t : l.firstStart;
            l.end = t + l.remaining;
            queued.remove(l.job.id());
            active.put(l.job.id(), l);
            ends.add(l);
            committed.computeIfAbsent(l.as.team(), k -> new HashMap<>())
                    .merge(YearMonth.from(now.atZone(ZoneOffset.UTC)), l.q.estimatedCostMicros(), Long::sum);
        }

        void complete(Live l) {
            bill(l, l.runStart, l.end);
            release(l);
            l.q = l.q.ended(JobState.SUCCEEDED, null, "Ran its recorded duration.", at(l.runStart), at(l.end));
            l.ended = l.end;
            active.remove(l.job.id());
            changed = true;
        }

        void preempt(Live v, String by, String detail) {
            Instant now = clock.instant();
            long t = now.getEpochSecond() - setup.epoch().getEpochSecond();
            ends.remove(v);
            bill(v, v.runStart, t);
            long ran = t - v.runStart;
            v.remaining -= setup.checkpointSeconds() > 0 ? ran - ran % setup.checkpointSeconds() : 0;
            v.preemptions++;
            preemptions++;
            release(v);
            v.q = v.q.preemptedBy(by, detail, now).requeuedAfterPreemption(detail, now);
            active.remove(v.job.id());
            queued.put(v.job.id(), v);
            starvationLimits.add(v);
            changed = true;
        }

        void release(Live l) {
            List<String> on = l.q.nodes();
            for (String n : on) {
                free.merge(n, (long) l.job.gpus() / on.size(), Long::sum);
            }
        }

        void bill(Live l, long from, long to) {
            if (to <= from) {
                return;
            }
            for (PricedSlice s : prices.price(footprint(l.job.gpus()).over(l.job.id(), at(from), to - from, false))) {
                cost.merge(s.rateClass(), s.cost().amount(), BigDecimal::add);
                l.billed = l.billed.add(s.cost().amount());
            }
        }

        Run result() {
            List<Run.JobResult> out = new ArrayList<>();
            BigDecimal asRun = BigDecimal.ZERO;
            BigDecimal atSubmit = BigDecimal.ZERO;
            for (Live l : live.values()) {
                out.add(new Run.JobResult(l.job.id(), l.as.team(), l.as.priority(), l.job.gpus(), l.job.submitted(), l.firstStart, l.ended,
                        l.preemptions, l.rejected));
                if (l.as.priority() == Priority.BACKGROUND && l.ended != null) {
                    asRun = asRun.add(l.billed);
                    atSubmit = atSubmit.add(prices.cost(footprint(l.job.gpus()), at(l.job.submitted()), l.job.duration(), false).amount());
                }
            }
            return new Run(policy.wireName(), out, timeline, cost, withoutRoom, preemptions, asRun, atSubmit, waitingBusy, waitingCapacity,
                    busy, capacity);
        }
    }

    /** The PriorityClass values of config/priorities.yaml's defaults (admission order only compares them). */
    static int priorityValue(Priority p) {
        return switch (p) {
            case URGENT -> 1_000_000;
            case NORMAL -> 1_000;
            case BACKGROUND -> 100;
        };
    }
}
