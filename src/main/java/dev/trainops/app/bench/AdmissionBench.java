package dev.trainops.app.bench;

import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.JobRunner;
import dev.trainops.queue.JobSpec;
import dev.trainops.queue.JobState;
import dev.trainops.queue.JobTemplates;
import dev.trainops.queue.Priority;
import dev.trainops.queue.PriorityConfig;
import dev.trainops.queue.QueueEvents;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.QuotaConfig;
import dev.trainops.store.Store;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admission decisions per second on one store (SQLite or PostgreSQL): {@code queued} jobs inserted
 * in one transaction, admitted against the synthetic cluster in one pass (each decision, admit or
 * wait with its reason, committed), then submissions one at a time, each with its pass. Kubernetes
 * Job creation is left out (a counting runner): it is the API server's work, not the decision
 * ({@link EndToEndAdmissionBench} measures it).
 */
final class AdmissionBench {
    /** The figure BENCHMARKS.md holds admission to ("Admission"). */
    static final int TARGET_DECISIONS_PER_SECOND = 1000;
    /** The admission loop's interval in serve (QueueModule.ADMIT_EVERY): a pass longer than this delays the next. */
    static final Duration ADMIT_EVERY = Duration.ofSeconds(2);
    private static final int SUBMISSIONS = 200;
    /** Submissions stop early past this, so 50,000 queued jobs (a pass of seconds each) stay a run of minutes. */
    private static final Duration SUBMISSIONS_BUDGET = Duration.ofSeconds(60);

    private final PrintStream out;

    AdmissionBench(PrintStream out) {
        this.out = out;
    }

    /**
     * @param storeName what the lines call the store, e.g. "SQLite" or "PostgreSQL 15.4"
     * @return the first pass's decisions per second
     */
    double run(ClusterIndex index, Clock clock, int queued, Path configDir, String storeName, Store store) throws Exception {
        QueueStore queue = new QueueStore(store, clock);
        AtomicLong launched = new AtomicLong();
        JobRunner counting = new JobRunner() {
            @Override
            public void launch(QueuedJob job, String resource, Instant now) {
                launched.incrementAndGet();
            }

            @Override
            public void delete(QueuedJob job) {
            }
        };
        JobQueue jobs = queue(queue, index, counting, configDir, clock);
        List<String> types = jobs.gpuTypes();
        Random random = new Random(7);
        Instant start = clock.instant().minusSeconds(queued);
        long insertStart = System.nanoTime();
        store.inTransaction(0, c -> {
            for (int i = 0; i < queued; i++) {
                queue.insert(c, job(i, types.get(random.nextInt(types.size())), 1 + random.nextInt(4), start.plusSeconds(i)));
            }
            return null;
        });
        out.printf("admission (%s): %d jobs queued in one transaction in %d ms (%s)%n", storeName, queued, ms(insertStart),
                store.description());
        long passStart = System.nanoTime();
        JobQueue.Pass first = jobs.pass();
        long passNanos = System.nanoTime() - passStart;
        int decisions = first.admitted().size() + first.waiting();
        double perSecond = decisions / (passNanos / 1e9);
        out.printf("admission pass over %d queued jobs on %d nodes (%s): %d admitted, %d waiting with a reason, %d ms: %.0f decisions/s "
                        + "(each committed in the pass's transaction)%n", queued, index.nodes().size(), storeName, first.admitted().size(),
                first.waiting(), passNanos / 1_000_000, perSecond);
        // under a thousand jobs a pass is mostly its fixed cost (snapshot, transaction): no verdict on the rate there
        if (queued >= TARGET_DECISIONS_PER_SECOND && perSecond < TARGET_DECISIONS_PER_SECOND) {
            out.printf("  too slow: %.0f decisions/s, under the target of %,d/s%n", perSecond, TARGET_DECISIONS_PER_SECOND);
        }
        if (passNanos > ADMIT_EVERY.toNanos()) {
            out.printf("  too slow for the admission loop: this first pass over %d jobs, writing each one's decision, takes %.1f s, longer "
                    + "than the %d s the loop waits between passes (a pass after one submission: below)%n", queued, passNanos / 1e9,
                    ADMIT_EVERY.toSeconds());
        }
        long planStart = System.nanoTime();
        jobs.planOnly();
        out.printf("  of which planning alone (snapshot of %d waiting jobs, no writes): %d ms%n",
                queue.read(c -> queue.inStates(c, JobState.QUEUED)).size(), ms(planStart));
        long[] each = new long[SUBMISSIONS];
        int done = 0;
        long budgetEnd = System.nanoTime() + SUBMISSIONS_BUDGET.toNanos();
        while (done < SUBMISSIONS && (done < 10 || System.nanoTime() < budgetEnd)) {
            QueuedJob j = job(queued + done, types.get(random.nextInt(types.size())), 1, clock.instant());
            long s = System.nanoTime();
            store.inTransaction(0, c -> queue.insert(c, j));
            jobs.pass();
            each[done++] = System.nanoTime() - s;
        }
        report("one submission + admission pass (" + storeName + "), with " + (queued - first.admitted().size()) + "+ jobs waiting",
                Arrays.copyOf(each, done));
        if (done < SUBMISSIONS) {
            out.printf("  stopped after %d of %d submissions: %d s spent%n", done, SUBMISSIONS, SUBMISSIONS_BUDGET.toSeconds());
        }
        out.printf("  Job creation left out: %d launches counted, not sent to an API server%n", launched.get());
        return perSecond;
    }

    /** The queue as serve wires it, on {@code queue}'s store, creating Jobs with {@code runner}; no budgets, no estimates. */
    static JobQueue queue(QueueStore queue, ClusterIndex index, JobRunner runner, Path configDir, Clock clock) throws Exception {
        return queue(queue, index, runner, JobTemplates.load(configDir.resolve("jobs.yaml")), PricingConfig.load(configDir.resolve("pricing.yaml")),
                clock);
    }

    static JobQueue queue(QueueStore queue, ClusterIndex index, JobRunner runner, JobTemplates templates, PriceBook prices, Clock clock) {
        return new JobQueue(queue, index, runner, PriorityConfig.defaults(), QuotaConfig.defaults(), templates, team -> Optional.empty(),
                GpuUtilization.UNKNOWN, prices, clock, (m, e, b, t, g, s, at) -> Optional.empty(), QueueEvents.NONE);
    }

    /** The {@code i}th synthetic job: priorities in turn, three teams. */
    static QueuedJob job(int i, String type, int gpus, Instant submitted) {
        Priority p = Priority.values()[i % 3];
        int value = p == Priority.URGENT ? 1_000_000 : p == Priority.NORMAL ? 1000 : 100;
        return QueuedJob.submitted(String.format("tj-%012x", i), new JobSpec("team-" + (char) ('a' + i % 3), "bench-" + i, "llm", "llm", p,
                value, type, gpus, 2, 64, Map.of(), false, null, null, 1_000_000, 3600, null, null, null), submitted);
    }

    private void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        out.printf("%s: n=%d p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", what, sorted.length, Percentiles.of(sorted, 50),
                Percentiles.of(sorted, 90), Percentiles.of(sorted, 99), sorted[sorted.length - 1] / 1e6);
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
