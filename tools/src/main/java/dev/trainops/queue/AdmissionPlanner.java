package dev.trainops.queue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One admission pass, as a pure function of a {@link Snapshot}: walks the queued jobs in
 * {@link AdmissionOrder} and admits each one that its start time, its batch, its team's quota and
 * budget, and some node's free GPUs allow (shared GPUs above the utilisation threshold only for
 * URGENT work); an URGENT job that does not fit preempts the smallest set of BACKGROUND jobs on one
 * node that makes it fit; a job waiting longer than the starvation limit reserves its GPU type.
 * A spot job is placed on spot nodes only, an on-demand job on on-demand nodes only ({@link #pool}).
 * A job bigger than one node takes whole nodes of its type, all or nothing ({@link MultiNode}, rule 13).
 * Every job left waiting gets a reason, the numbers behind it, its position and an ETA.
 */
final class AdmissionPlanner {

    public record Admit(QueuedJob job, String node) {
    }

    public record Preempt(QueuedJob victim, QueuedJob by, String detail) {
    }

    public record Wait(Reason reason, String detail, int position, Instant eta) {
    }

    public record Plan(List<Admit> admits, List<Preempt> preemptions, Map<String, Wait> waits) {
        public Plan {
            admits = List.copyOf(admits);
            preemptions = List.copyOf(preemptions);
            waits = Map.copyOf(waits);
        }
    }

    private AdmissionPlanner() {
    }

    public static Plan plan(Snapshot s) {
        return plan(s, false);
    }

    /**
     * @param decisionsOnly the admissions and preemptions only ({@code trainops simulate}): once no node
     *                      has as many GPUs free as the smallest queued job needs (a whole node for a
     *                      job larger than one), the jobs after that which are not URGENT (they can
     *                      neither start nor preempt) are passed over and get no {@link Wait}
     */
    static Plan plan(Snapshot s, boolean decisionsOnly) {
        Map<String, Long> free = new LinkedHashMap<>();
        Map<String, Snapshot.NodeRoom> rooms = new LinkedHashMap<>();
        for (Snapshot.NodeRoom r : s.nodes()) {
            rooms.put(r.key(), r);
            free.put(r.key(), r.allocatable() - r.usedOutside());
        }
        Map<String, Integer> teamUsed = new HashMap<>(s.quotaUsedOutside());
        for (QueuedJob a : s.active()) {
            for (String key : a.roomKeys()) { // a multi-node job holds its share on each of its nodes (rule 13)
                free.computeIfPresent(key, (k, f) -> f - a.gpusPerNode());
            }
            teamUsed.merge(a.team(), a.gpuCount(), Integer::sum);
        }
        Map<String, Long> budgetUsed = new HashMap<>();
        s.budgets().forEach((team, b) -> budgetUsed.put(team, b.usedMicros()));

        List<QueuedJob> order = new ArrayList<>(s.queued());
        order.sort(AdmissionOrder.ORDER);
        List<Admit> admits = new ArrayList<>();
        List<Preempt> preemptions = new ArrayList<>();
        Map<String, Wait> waits = new LinkedHashMap<>();
        Set<String> reservedTypes = new HashSet<>();
        Map<String, String> reservedNodes = new HashMap<>(); // pool key -> the URGENT job its preemption frees it for
        Set<String> evicted = new HashSet<>();
        for (QueuedJob a : s.active()) {
            if (a.state() == JobState.PREEMPTED && a.preemptedBy() != null && a.node() != null) {
                reservedNodes.put(a.roomKey(), a.preemptedBy());
            }
        }
        Index ix = new Index(s, rooms);
        // decisionsOnly: the least any queued job needs free on one node (a whole node for one larger than a node)
        long leastNeed = Long.MAX_VALUE;
        if (decisionsOnly) {
            long smallestNode = rooms.values().stream().mapToLong(Snapshot.NodeRoom::allocatable).min().orElse(0);
            for (QueuedJob q : order) {
                leastNeed = Math.min(leastNeed, Math.min(q.gpuCount(), smallestNode));
            }
        }
        long largestFree = largestFree(free);
        int position = 0;
        for (QueuedJob job : order) {
            position++;
            if (decisionsOnly && largestFree < leastNeed && job.priority() != Priority.URGENT) {
                continue; // no node has room for any queued job: only an URGENT job can still act (by preemption)
            }
            // start time: off-peak or a given time
            if (job.notBefore() != null && job.notBefore().isAfter(s.now())) {
                boolean offPeak = "off_peak".equals(job.params().get("trainops.schedule"));
                waits.put(job.jobId(), new Wait(offPeak ? Reason.OFF_PEAK_WAIT : Reason.SCHEDULED_START,
                        (offPeak ? "Deferred to the off-peak window" : "Scheduled") + ": starts no earlier than " + job.notBefore() + ".",
                        position, job.notBefore()));
                continue;
            }
            // a sequential batch: item i+1 only after item i has ended
            if (job.batchId() != null && job.batchIndex() != null && job.batchIndex() > 0) {
                QueuedJob previous = previousItem(s.batches().get(job.batchId()), job);
                if (previous != null && !previous.state().terminal()) {
                    waits.put(job.jobId(), new Wait(Reason.BATCH_ORDER, "Item " + (job.batchIndex() + 1) + " of batch " + job.batchId()
                            + " starts after item " + job.batchIndex() + " (" + previous.jobId() + ", " + previous.state() + ") ends.",
                            position, null));
                    continue;
                }
            }
            Integer limit = s.quotaLimit().get(job.team());
            int used = teamUsed.getOrDefault(job.team(), 0);
            if (limit != null && used + job.gpuCount() > limit) {
                waits.put(job.jobId(), new Wait(Reason.QUOTA_EXCEEDED, "Team " + job.team() + " holds " + used + " of its " + limit
                        + " GPU quota; this job needs " + job.gpuCount() + " more.", position, quotaEta(s, job, limit - used)));
                continue;
            }
            Snapshot.BudgetRoom budget = s.budgets().get(job.team());
            if (budget != null) {
                long after = budgetUsed.get(job.team()) + job.estimatedCostMicros();
                if (after > budget.limitMicros()) {
                    waits.put(job.jobId(), new Wait(Reason.BUDGET_EXCEEDED, "Team " + job.team() + " has spent and committed "
                            + money(budgetUsed.get(job.team())) + " of its " + budget.period().toLowerCase() + " budget of "
                            + money(budget.limitMicros()) + "; this job's estimate of " + money(job.estimatedCostMicros())
                            + " would take it to " + money(after) + ".", position, null));
                    continue;
                }
            }
            if (reservedTypes.contains(pool(job))) {
                waits.put(job.jobId(), new Wait(Reason.NO_CAPACITY, "The next free " + job.gpuType() + " GPUs are held for a job that "
                        + "has waited longer (no starvation): it goes first.", position, ix.eta(job, free)));
                continue;
            }
            // rule 13: more than one node holds takes whole free nodes of its type, all or nothing, topology first
            MultiNode.Need need = MultiNode.need(job, ix.roomsByType.getOrDefault(pool(job), List.of()));
            List<Snapshot.NodeRoom> on = need == null ? null : MultiNode.place(need, free, reservedNodes, job.jobId());
            // placement: the node of this GPU type that fits with the least left over
            String best = null;
            long bestLeft = Long.MAX_VALUE;
            boolean gated = false;
            String gatedDetail = null;
            List<Snapshot.NodeRoom> ofType = need == null && ix.maxFree(pool(job), free) >= job.gpuCount()
                    ? ix.roomsByType.getOrDefault(pool(job), List.of()) : List.of();
            for (Snapshot.NodeRoom r : ofType) {
                String holder = reservedNodes.get(r.key());
                if (holder != null && !holder.equals(job.jobId())) {
                    continue;
                }
                long f = free.get(r.key());
                if (f < job.gpuCount()) {
                    continue;
                }
                if (r.shared() && job.priority() != Priority.URGENT && r.utilizationPercent() != null
                        && BigDecimal.valueOf(r.utilizationPercent()).compareTo(s.utilizationThreshold()) > 0) {
                    gated = true;
                    gatedDetail = "Shared GPUs on " + r.node() + " are " + Math.round(r.utilizationPercent()) + "% busy, above the "
                            + s.utilizationThreshold().stripTrailingZeros().toPlainString() + "% gate for shared GPUs (only URGENT work "
                            + "goes there).";
                    continue;
                }
                long left = f - job.gpuCount();
                if (left < bestLeft) {
                    best = r.key();
                    bestLeft = left;
                }
            }
            if (best != null || on != null) {
                admits.add(new Admit(job, on != null ? MultiNode.nodeList(on) : rooms.get(best).node()));
                for (String key : on != null ? on.stream().map(Snapshot.NodeRoom::key).toList() : List.of(best)) {
                    free.merge(key, -(on != null ? need.perNode() : job.gpuCount()), Long::sum);
                }
                if (decisionsOnly) {
                    largestFree = largestFree(free);
                }
                ix.changed(pool(job));
                teamUsed.merge(job.team(), job.gpuCount(), Integer::sum);
                if (budget != null) {
                    budgetUsed.merge(job.team(), job.estimatedCostMicros(), Long::sum);
                }
                continue;
            }
            if (gated) {
                waits.put(job.jobId(), new Wait(Reason.UTILIZATION_GATE, gatedDetail, position, null));
                continue;
            }
            if (job.priority() == Priority.URGENT) {
                if (reservedNodes.containsValue(job.jobId())) {
                    String key = reservedNodes.entrySet().stream().filter(e -> e.getValue().equals(job.jobId())).findFirst().orElseThrow().getKey();
                    String node = key.contains("/") ? key.substring(0, key.indexOf('/')) : key;
                    List<String> victims = s.active().stream().filter(a -> job.jobId().equals(a.preemptedBy()) && a.state() == JobState.PREEMPTED)
                            .map(QueuedJob::jobId).toList();
                    waits.put(job.jobId(), new Wait(Reason.WAITING_FOR_PREEMPTION, "Waiting for " + String.join(", ", victims)
                            + " to leave " + node + ".", position, s.now().plusSeconds(30)));
                    continue;
                }
                List<QueuedJob> victims = ix.victims(job, free, evicted, reservedNodes);
                if (!victims.isEmpty()) {
                    String node = victims.get(0).node();
                    String key = victims.get(0).roomKey();
                    for (QueuedJob v : victims) {
                        evicted.add(v.jobId());
                        preemptions.add(new Preempt(v, job, "Preempted by URGENT job " + job.jobId() + " (" + job.runName() + ") at "
                                + s.now() + "; back in the queue with its original submit time, restarting from its last checkpoint."));
                    }
                    reservedNodes.put(key, job.jobId());
                    ix.changed(pool(job));
                    waits.put(job.jobId(), new Wait(Reason.WAITING_FOR_PREEMPTION, "Preempting " + String.join(", ", victims.stream().map(QueuedJob::jobId)
                            .toList()) + " (BACKGROUND) on " + node + " to free " + job.gpuCount() + " " + job.gpuType() + ".", position,
                            s.now().plusSeconds(30)));
                    continue;
                }
            }
            waits.put(job.jobId(), need != null ? new Wait(Reason.NO_CAPACITY, MultiNode.detail(job, need, free), position, null)
                    : new Wait(Reason.NO_CAPACITY, ix.detail(job, free), position, ix.eta(job, free)));
            if (job.submitted().plus(s.starvationAfter()).isBefore(s.now())) {
                reservedTypes.add(pool(job)); // rule 8: nobody behind it takes this GPU type until it starts
            }
        }
        // rule 9: a preempted job keeps its PREEMPTED reason, naming the preemptor (or the spot interruption: preempted by
        // no job), while it waits for room again
        Map<String, QueuedJob> byId = new HashMap<>();
        order.forEach(j -> byId.put(j.jobId(), j));
        for (var e : waits.entrySet()) {
            QueuedJob j = byId.get(e.getKey());
            Wait w = e.getValue();
            if (j.preemptions() > 0 && w.reason() == Reason.NO_CAPACITY) {
                String by = j.preemptedBy() != null ? "Preempted by URGENT job " + j.preemptedBy() : "Interrupted on spot (its node was reclaimed)";
                e.setValue(new Wait(Reason.PREEMPTED, by + "; back in the queue with its original submit time, it restarts from its "
                        + "last checkpoint. " + w.detail(), w.position(), w.eta()));
            }
        }
        return new Plan(admits, preemptions, waits);
    }

    private static long largestFree(Map<String, Long> free) {
        long largest = 0;
        for (long f : free.values()) {
            largest = Math.max(largest, f);
        }
        return largest;
    }

    private static QueuedJob previousItem(List<QueuedJob> items, QueuedJob job) {
        if (items == null) {
            return null;
        }
        return items.stream().filter(i -> i.batchIndex() != null && i.batchIndex() == job.batchIndex() - 1).findFirst().orElse(null);
    }

    /**
     * Per-pass indexes, so one pass over 10,000 waiting jobs on 1,000 nodes stays linear: rooms by
     * GPU type, active jobs by node in order of expected end, and answers cached per GPU type (and
     * size) until an admission or a preemption changes that type.
     */
    private static final class Index {
        final Snapshot s;
        final Map<String, List<Snapshot.NodeRoom>> roomsByType = new HashMap<>();
        final Map<String, List<QueuedJob>> activeByNode = new HashMap<>();
        final Map<String, Long> maxFree = new HashMap<>();
        final Map<String, Instant> eta = new HashMap<>();
        final Map<String, String> detail = new HashMap<>();
        final Map<String, Integer> noVictimsFrom = new HashMap<>();

        Index(Snapshot s, Map<String, Snapshot.NodeRoom> rooms) {
            this.s = s;
            for (Snapshot.NodeRoom r : rooms.values()) {
                roomsByType.computeIfAbsent(pool(r), k -> new ArrayList<>()).add(r);
            }
            for (QueuedJob a : s.active()) {
                if (a.node() != null) {
                    activeByNode.computeIfAbsent(a.roomKey(), k -> new ArrayList<>()).add(a);
                }
            }
            activeByNode.values().forEach(l -> l.sort(Comparator.comparing(a -> expectedEnd(a, s.now()))));
        }

        void changed(String gpuType) {
            maxFree.remove(gpuType);
            eta.keySet().removeIf(k -> k.startsWith(gpuType + "/"));
            detail.remove(gpuType);
            noVictimsFrom.remove(gpuType);
        }

        long maxFree(String gpuType, Map<String, Long> free) {
            return maxFree.computeIfAbsent(gpuType, t -> roomsByType.getOrDefault(t, List.of()).stream()
                    .mapToLong(r -> free.get(r.key())).max().orElse(0));
        }

        /**
         * docs/queue.md rule 3: on one node, BACKGROUND jobs only, most recently started first, the
         * smallest set that makes the URGENT job fit; none at all unless it then fits.
         */
        List<QueuedJob> victims(QueuedJob job, Map<String, Long> free, Set<String> evicted, Map<String, String> reservedNodes) {
            Integer failedFrom = noVictimsFrom.get(pool(job));
            if (failedFrom != null && job.gpuCount() >= failedFrom) {
                return List.of();
            }
            List<QueuedJob> best = List.of();
            for (Snapshot.NodeRoom r : roomsByType.getOrDefault(pool(job), List.of())) {
                if (reservedNodes.containsKey(r.key())) {
                    continue;
                }
                List<QueuedJob> candidates = activeByNode.getOrDefault(r.key(), List.of()).stream()
                        .filter(a -> a.priority() == Priority.BACKGROUND && a.state() != JobState.PREEMPTED && !evicted.contains(a.jobId()))
                        .sorted(Comparator.comparing((QueuedJob a) -> a.started() == null ? Instant.MAX : a.started()).reversed()
                                .thenComparing(QueuedJob::jobId))
                        .toList();
                long room = free.get(r.key());
                List<QueuedJob> chosen = new ArrayList<>();
                for (QueuedJob c : candidates) {
                    if (room >= job.gpuCount()) {
                        break;
                    }
                    chosen.add(c);
                    room += c.gpuCount();
                }
                if (room < job.gpuCount() || chosen.isEmpty()) {
                    continue;
                }
                if (best.isEmpty() || chosen.size() < best.size() || (chosen.size() == best.size() && gpus(chosen) < gpus(best))) {
                    best = chosen;
                }
            }
            if (best.isEmpty()) {
                noVictimsFrom.merge(pool(job), job.gpuCount(), Math::min);
            }
            return best;
        }

        String detail(QueuedJob job, Map<String, Long> free) {
            String where = detail.computeIfAbsent(pool(job), t -> {
                long largest = 0;
                String node = null;
                long total = 0;
                for (Snapshot.NodeRoom r : roomsByType.getOrDefault(t, List.of())) {
                    long f = Math.max(0, free.get(r.key()));
                    total += f;
                    if (f > largest) {
                        largest = f;
                        node = r.node();
                    }
                }
                return total + " free in all, the largest free block is " + largest + (node == null ? "" : " (" + node + ")");
            });
            return "Needs " + job.gpuCount() + " " + (job.spot() ? "spot " : "") + job.gpuType()
                    + (job.migProfile() == null ? "" : " MIG " + job.migProfile() + " slice(s)") + " on one node; " + where + ".";
        }

        /** When enough GPUs of the job's type free up on one node, from active jobs' expected ends. */
        Instant eta(QueuedJob job, Map<String, Long> free) {
            String key = pool(job) + "/" + job.gpuCount();
            if (eta.containsKey(key)) {
                return eta.get(key);
            }
            Instant best = null;
            for (Snapshot.NodeRoom r : roomsByType.getOrDefault(pool(job), List.of())) {
                long room = free.get(r.key());
                for (QueuedJob a : activeByNode.getOrDefault(r.key(), List.of())) {
                    if (room >= job.gpuCount()) {
                        break;
                    }
                    room += a.gpuCount();
                    if (room >= job.gpuCount()) {
                        Instant t = expectedEnd(a, s.now());
                        best = best == null || t.isBefore(best) ? t : best;
                    }
                }
            }
            eta.put(key, best);
            return best;
        }
    }

    /**
     * The pool a job draws from: its GPU type (and MIG profile: each profile is a pool of its own,
     * docs/queue.md "MIG slices") on spot nodes when it asked for spot, on on-demand nodes otherwise
     * (docs/queue.md, "Spot and on-demand"). Rooms, free counts, ETAs and starvation are per pool.
     */
    static String pool(QueuedJob job) {
        return pool(job.gpuType(), job.migProfile(), job.spot());
    }

    static String pool(Snapshot.NodeRoom room) {
        return pool(room.gpuType(), room.migProfile(), room.spot());
    }

    private static String pool(String gpuType, String migProfile, boolean spot) {
        if (migProfile == null && !spot) {
            return gpuType; // the common case, without building a string per call
        }
        return gpuType + (migProfile == null ? "" : "/mig-" + migProfile) + (spot ? "@spot" : "");
    }

    private static int gpus(List<QueuedJob> jobs) {
        return jobs.stream().mapToInt(QueuedJob::gpuCount).sum();
    }

    private static Instant quotaEta(Snapshot s, QueuedJob job, int room) {
        List<QueuedJob> mine = s.active().stream().filter(a -> a.team().equals(job.team()))
                .sorted(Comparator.comparing(a -> expectedEnd(a, s.now()))).toList();
        int r = room;
        for (QueuedJob a : mine) {
            r += a.gpuCount();
            if (r >= job.gpuCount()) {
                return expectedEnd(a, s.now());
            }
        }
        return null;
    }

    /** When an active job should end: its start (or admission, or now) plus its estimated duration. */
    public static Instant expectedEnd(QueuedJob a, Instant now) {
        Instant from = a.started() != null ? a.started() : a.admitted() != null ? a.admitted() : now;
        Instant end = from.plus(Duration.ofSeconds(a.estimatedSeconds()));
        return end.isBefore(now) ? now : end;
    }

    static String money(long micros) {
        return "$" + BigDecimal.valueOf(micros, 6).setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }
}
