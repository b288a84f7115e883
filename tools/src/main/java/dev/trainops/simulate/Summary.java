package dev.trainops.simulate;

import dev.trainops.catalog.Json;
import dev.trainops.cost.RateClass;
import dev.trainops.queue.Priority;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code summary.json} as DESIGN.md "Simulation" lays it out: the trace, the cluster size and load,
 * and per policy utilisation while work waits, JCT and queueing delay per priority (p50, p95, mean),
 * cost by rate class, the saving from deferring BACKGROUND work, and the jobs (all, completed,
 * rejected with why, admitted without room). Numbers are rounded to fixed places, so the same run
 * writes the same bytes.
 */
public final class Summary {
    private Summary() {
    }

    public static Map<String, Object> of(Trace trace, Simulator.Setup setup, List<Run> runs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trace", trace.name());
        m.put("gpus", setup.gpus());
        m.put("load", round(trace.loadOn(setup.gpus()), 3));
        m.put("gpus_per_node", setup.gpusPerNode());
        m.put("nodes", setup.gpus() / setup.gpusPerNode());
        m.put("gpu_type", setup.gpuType() + " (synthetic: the trace records no GPU type)");
        m.put("replayed_from", setup.epoch().toString());
        m.put("checkpoint_seconds", setup.checkpointSeconds());
        m.put("synthetic", setup.synthetic().describe());
        Map<String, Object> policies = new LinkedHashMap<>();
        for (Run r : runs) {
            policies.put(r.policy(), policy(r));
        }
        m.put("policies", policies);
        return m;
    }

    /** The summary as the pretty-printed JSON written to summary.json, ending in a newline. */
    public static String json(Map<String, Object> summary) {
        return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n";
    }

    /**
     * The plan's criteria per policy, one line each, as summary.json has them (docs/simulate.md
     * "Measured"): utilisation while work waits, URGENT delay mean and p95, jobs admitted without
     * room, the off-peak deferral saving, cost per job, preemptions and rejections.
     */
    @SuppressWarnings("unchecked")
    public static List<String> criteria(Map<String, Object> summary) {
        List<String> lines = new java.util.ArrayList<>();
        ((Map<String, Map<String, Object>>) summary.get("policies")).forEach((name, p) -> {
            Map<String, Object> urgent = ((Map<String, Map<String, Object>>) p.get("queue_delay_seconds")).get("URGENT");
            Map<String, Object> jct = (Map<String, Object>) p.get("jct_seconds");
            lines.add(String.format(java.util.Locale.ROOT, "%-8s utilisation while work waits %s | URGENT delay mean %s s, p95 %s s | JCT p50 %s s, "
                            + "p95 %s s | admitted without room %s | deferred saving %s%% | cost per job $%s | preemptions %s | rejected %s",
                    name, p.get("gpu_utilization"), urgent == null ? "-" : urgent.get("mean"), urgent == null ? "-" : urgent.get("p95"),
                    jct.get("p50"), jct.get("p95"), p.get("jobs_admitted_without_room"), p.get("deferred_saving_percent"),
                    new java.math.BigDecimal(String.valueOf(((Map<String, Object>) p.get("cost")).get("per_completed_job")))
                            .setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString(),
                    p.get("preemptions"), ((Map<String, Object>) p.get("jobs_rejected")).get("count")));
        });
        return lines;
    }

    static Map<String, Object> policy(Run r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gpu_utilization", r.waitingCapacity() == 0 ? null : round((double) r.waitingBusy() / r.waitingCapacity(), 4));
        m.put("gpu_utilization_overall", r.capacity() == 0 ? null : round((double) r.busy() / r.capacity(), 4));
        List<Long> jct = new ArrayList<>();
        Map<Priority, List<Long>> delay = new LinkedHashMap<>();
        for (Priority p : Priority.values()) {
            delay.put(p, new ArrayList<>());
        }
        List<Map<String, Object>> rejected = new ArrayList<>();
        int completed = 0;
        for (Run.JobResult j : r.jobs()) {
            if (j.ended() != null) {
                completed++;
                jct.add(j.ended() - j.submitted());
            }
            if (j.started() != null) {
                delay.get(j.priority()).add(j.started() - j.submitted());
            }
            if (j.rejected() != null) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("job_id", j.id());
                x.put("num_gpu", j.gpus());
                x.put("why", j.rejected());
                rejected.add(x);
            }
        }
        m.put("jct_seconds", stats(jct));
        Map<String, Object> d = new LinkedHashMap<>();
        delay.forEach((p, v) -> d.put(p.name(), stats(v)));
        m.put("queue_delay_seconds", d);
        Map<String, Object> cost = new LinkedHashMap<>();
        BigDecimal total = BigDecimal.ZERO;
        for (RateClass rc : RateClass.values()) {
            BigDecimal c = r.cost().getOrDefault(rc, BigDecimal.ZERO).setScale(6, RoundingMode.HALF_EVEN);
            cost.put(rc.name(), c);
            total = total.add(c);
        }
        cost.put("total", total);
        cost.put("per_completed_job", completed == 0 ? null : total.divide(BigDecimal.valueOf(completed), 6, RoundingMode.HALF_EVEN));
        m.put("cost", cost);
        m.put("deferred_saving_percent", r.backgroundAtSubmit().signum() == 0 ? null
                : r.backgroundAtSubmit().subtract(r.backgroundAsRun()).multiply(BigDecimal.valueOf(100))
                .divide(r.backgroundAtSubmit(), 2, RoundingMode.HALF_EVEN));
        m.put("jobs", r.jobs().size());
        m.put("jobs_completed", completed);
        Map<String, Object> rej = new LinkedHashMap<>();
        rej.put("count", rejected.size());
        rej.put("jobs", rejected);
        m.put("jobs_rejected", rej);
        m.put("jobs_admitted_without_room", r.admittedWithoutRoom());
        m.put("preemptions", r.preemptions());
        return m;
    }

    /** p50 and p95 by nearest rank, and the mean, of whole seconds; nulls when there are none. */
    static Map<String, Object> stats(List<Long> values) {
        List<Long> v = new ArrayList<>(values);
        v.sort(null);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", v.isEmpty() ? null : v.get(rank(v.size(), 50)));
        m.put("p95", v.isEmpty() ? null : v.get(rank(v.size(), 95)));
        m.put("mean", v.isEmpty() ? null : round(v.stream().mapToLong(Long::longValue).sum() / (double) v.size(), 1));
        m.put("count", v.size());
        return m;
    }

    static int rank(int n, int percentile) {
        return Math.max(0, (int) Math.ceil(percentile / 100.0 * n) - 1);
    }

    static double round(double x, int places) {
        return BigDecimal.valueOf(x).setScale(places, RoundingMode.HALF_EVEN).doubleValue();
    }
}
