package dev.trainops.queue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Hand-built snapshots for {@link AdmissionPlanner}: nodes, queued and active jobs, quotas and budgets, at one instant. */
final class PlannerFixtures {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    private PlannerFixtures() {
    }

    static int value(Priority p) {
        return switch (p) {
            case URGENT -> 1_000_000;
            case NORMAL -> 1000;
            case BACKGROUND -> 100;
        };
    }

    static JobSpec spec(String team, Priority p, String gpuType, int gpus, long costMicros) {
        return new JobSpec(team, "run", "llm", "llm", p, value(p), gpuType, gpus, 2, 64, Map.of(), false, null, null, costMicros, 3600,
                null, null, null);
    }

    /** The same job on spot capacity. */
    static JobSpec spotSpec(String team, Priority p, String gpuType, int gpus, long costMicros) {
        return new JobSpec(team, "run", "llm", "llm", p, value(p), gpuType, gpus, 2, 64, Map.of(), true, null, null, costMicros, 3600,
                null, null, null);
    }

    /** A job of {@code slices} A100-80GB MIG slices of {@code profile} (docs/queue.md, "MIG slices"). */
    static JobSpec migSpec(String team, Priority p, String profile, int slices) {
        return new JobSpec(team, "run", "mnist", "mnist", p, value(p), "A100-80GB", slices, 2, 32, Map.of(JobSpec.MIG_PROFILE_PARAM, profile),
                false, null, null, 1_000_000, 3600, null, null, null);
    }

    /** A queued H100 job of {@code gpus}, submitted {@code ago} before {@link #NOW}, estimated at $1. */
    static QueuedJob queued(String id, String team, Priority p, int gpus, Duration ago) {
        return QueuedJob.submitted(id, spec(team, p, "H100", gpus, 1_000_000), NOW.minus(ago));
    }

    static QueuedJob queued(String id, JobSpec spec, Duration ago) {
        return QueuedJob.submitted(id, spec, NOW.minus(ago));
    }

    /** An H100 job running on {@code node} since {@code ago} before {@link #NOW}. */
    static QueuedJob running(String id, String team, Priority p, int gpus, String node, Duration ago) {
        return running(id, spec(team, p, "H100", gpus, 1_000_000), node, ago);
    }

    static QueuedJob running(String id, JobSpec spec, String node, Duration ago) {
        Instant at = NOW.minus(ago);
        return QueuedJob.submitted(id, spec, at.minusSeconds(60)).admittedTo(node, at.minusSeconds(30)).launchedNow().runningSince(at, at);
    }

    /** A snapshot under construction. */
    static final class Given {
        final List<Snapshot.NodeRoom> nodes = new ArrayList<>();
        final List<QueuedJob> queued = new ArrayList<>();
        final List<QueuedJob> active = new ArrayList<>();
        final Map<String, Integer> quota = new HashMap<>();
        final Map<String, Integer> quotaOutside = new HashMap<>();
        final Map<String, Snapshot.BudgetRoom> budgets = new HashMap<>();
        final Map<String, List<QueuedJob>> batches = new HashMap<>();
        BigDecimal threshold = new BigDecimal("50");
        Duration starvation = Duration.ofMinutes(30);

        /** An exclusive H100 node. */
        Given node(String name, int gpus) {
            return node(name, "H100", gpus, 0);
        }

        Given node(String name, String gpuType, int gpus, long usedOutside) {
            nodes.add(new Snapshot.NodeRoom(name, gpuType, "nvidia.com/gpu", false, gpus, usedOutside, null));
            return this;
        }

        /** An exclusive H100 spot node ({@code used} of its GPUs held outside the queue). */
        Given spotNode(String name, int gpus, long used) {
            nodes.add(new Snapshot.NodeRoom(name, "H100", "nvidia.com/gpu", false, gpus, used, null, true));
            return this;
        }

        /** An A100-80GB node's pool of MIG {@code profile} slices ({@code nvidia.com/mig-<profile>}, strategy mixed). */
        Given migPool(String name, String profile, int slices, long usedOutside) {
            nodes.add(new Snapshot.NodeRoom(name, "A100-80GB", "nvidia.com/mig-" + profile, false, slices, usedOutside, null, false, profile));
            return this;
        }

        /** A time-sliced H100 node with its utilisation (null: unknown). */
        Given sharedNode(String name, int gpus, Double utilization) {
            nodes.add(new Snapshot.NodeRoom(name, "H100", "nvidia.com/gpu.shared", true, gpus, 0, utilization));
            return this;
        }

        Given queued(QueuedJob... jobs) {
            queued.addAll(List.of(jobs));
            return this;
        }

        Given active(QueuedJob... jobs) {
            active.addAll(List.of(jobs));
            return this;
        }

        Given quota(String team, int gpus) {
            quota.put(team, gpus);
            return this;
        }

        Given quotaOutside(String team, int gpus) {
            quotaOutside.put(team, gpus);
            return this;
        }

        Given budget(String team, long limitMicros, long usedMicros) {
            budgets.put(team, new Snapshot.BudgetRoom(limitMicros, usedMicros, "MONTHLY"));
            return this;
        }

        Given batch(String batchId, QueuedJob... items) {
            batches.put(batchId, List.of(items));
            return this;
        }

        Snapshot snapshot() {
            return new Snapshot(NOW, nodes, queued, active, quota, quotaOutside, budgets, batches, threshold, starvation);
        }

        AdmissionPlanner.Plan plan() {
            return AdmissionPlanner.plan(snapshot());
        }
    }

    static Given given() {
        return new Given();
    }

    static List<String> admitted(AdmissionPlanner.Plan plan) {
        return plan.admits().stream().map(a -> a.job().jobId()).toList();
    }

    static List<String> victims(AdmissionPlanner.Plan plan) {
        return plan.preemptions().stream().map(p -> p.victim().jobId()).toList();
    }
}
