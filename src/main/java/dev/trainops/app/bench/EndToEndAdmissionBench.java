package dev.trainops.app.bench;

import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.JobRunner;
import dev.trainops.queue.JobTemplates;
import dev.trainops.queue.PriorityConfig;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.store.Store;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Random;

/**
 * Admitted workloads per second, end to end (the figure Kueue's own benchmark reports): {@code jobs}
 * jobs submitted at once to a SQLite queue, then admission passes, with trainops's own Kubernetes
 * runner ({@link JobQueue#kubernetes}) creating a batch/v1 Job per admitted job, until every
 * admitted job's Job is stored by the API server, timed from the submission. The API server is
 * fabric8's mock in CRUD mode holding the synthetic cluster's nodes, and no pods: the cluster is
 * empty, so the jobs are admitted up to its GPUs. Unlike decisions/s ({@link AdmissionBench}), a
 * waiting job does not count here, and each admitted job costs an HTTP request to the API server.
 */
final class EndToEndAdmissionBench {
    /** Passes after the first retry a Job whose creation failed; past this the run says so and stops. */
    private static final Duration RETRY_FOR = Duration.ofSeconds(60);

    private final PrintStream out;

    EndToEndAdmissionBench(PrintStream out) {
        this.out = out;
    }

    /** @return admitted workloads per second, from the submission to the last Job stored */
    double run(int nodeCount, int gpusPerNode, int jobs, Path configDir) throws Exception {
        Clock clock = Clock.systemUTC();
        SyntheticCluster cluster = new SyntheticCluster(nodeCount, gpusPerNode, 0, 42, clock.instant());
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        Path dir = Files.createTempDirectory("trainops-bench-e2e");
        Store store = Store.sqlite(dir);
        try (KubernetesClient client = server.createClient()) {
            long createStart = System.nanoTime();
            for (Node n : cluster.nodes) {
                // the API server sets a new object's resourceVersion
                client.resource(new NodeBuilder(n).editMetadata().withResourceVersion(null).endMetadata().build()).create();
            }
            ClusterIndex index = new ClusterIndex(clock).start(client);
            if (!index.awaitSynced(Duration.ofMinutes(2))) {
                throw new IllegalStateException("the informers did not sync within 2 minutes");
            }
            out.printf("end to end: %d nodes (%d GPUs, no pods) created in fabric8's mock API server (CRUD mode) and synced in %d ms%n",
                    nodeCount, cluster.gpus, ms(createStart));
            PriceBook prices = PricingConfig.load(configDir.resolve("pricing.yaml"));
            JobTemplates templates = JobTemplates.load(configDir.resolve("jobs.yaml"));
            TimedRunner runner = new TimedRunner(JobQueue.kubernetes(client, PriorityConfig.defaults(), templates, prices.spotNodes()), jobs);
            QueueStore queue = new QueueStore(store, clock);
            JobQueue admission = AdmissionBench.queue(queue, index, runner, templates, prices, clock);
            List<String> types = admission.gpuTypes();
            Random random = new Random(11);

            long submitted = System.nanoTime();
            Instant now = clock.instant();
            store.inTransaction(0, c -> {
                for (int i = 0; i < jobs; i++) {
                    queue.insert(c, AdmissionBench.job(i, types.get(random.nextInt(types.size())), 1 + random.nextInt(4), now));
                }
                return null;
            });
            long inserted = System.nanoTime();
            JobQueue.Pass first = admission.pass();
            int admitted = first.admitted().size();
            int passes = 1;
            long retryEnd = System.nanoTime() + RETRY_FOR.toNanos();
            int onServer = jobsOnServer(client);
            while (onServer < admitted && System.nanoTime() < retryEnd) {
                admitted += admission.pass().admitted().size();
                passes++;
                onServer = jobsOnServer(client);
            }
            long done = System.nanoTime();
            double seconds = (done - submitted) / 1e9;
            out.printf("admitted workloads/s end to end (submission -> batch/v1 Job stored by the API server; trainops's Kubernetes "
                            + "JobRunner, SQLite, %d nodes): %d jobs submitted, %d admitted, %d waiting; %d Jobs on the API server %d ms "
                            + "after submission: %.0f admitted/s (not decisions/s: waiting jobs do not count, each admission is a Job "
                            + "created)%n", nodeCount, jobs, admitted, first.waiting(), onServer, (done - submitted) / 1_000_000,
                    onServer / seconds);
            out.printf("  of which submission (one transaction) %d ms, %d pass(es) %d ms, creating the %d Jobs %d ms: per Job %s%n",
                    (inserted - submitted) / 1_000_000, passes, (done - inserted) / 1_000_000, runner.count, runner.totalNanos / 1_000_000,
                    runner.summary());
            if (onServer < admitted) {
                out.printf("  %d admitted jobs still had no Job on the API server after %d s of retries%n", admitted - onServer,
                        RETRY_FOR.toSeconds());
            }
            index.close();
            return onServer / seconds;
        } finally {
            store.close();
            server.destroy();
        }
    }

    private static int jobsOnServer(KubernetesClient client) {
        return client.batch().v1().jobs().inAnyNamespace().list().getItems().size();
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** The product's runner, each launch timed: the API server's part of an admission. */
    private static final class TimedRunner implements JobRunner {
        private final JobRunner runner;
        private final long[] nanos;
        int count;
        long totalNanos;

        TimedRunner(JobRunner runner, int capacity) {
            this.runner = runner;
            this.nanos = new long[Math.max(1, capacity)];
        }

        @Override
        public void launch(QueuedJob job, String resource, Instant now) {
            long s = System.nanoTime();
            runner.launch(job, resource, now);
            long took = System.nanoTime() - s;
            totalNanos += took;
            if (count < nanos.length) {
                nanos[count] = took;
            }
            count++;
        }

        @Override
        public void delete(QueuedJob job) {
            runner.delete(job);
        }

        String summary() {
            if (count == 0) {
                return "none created";
            }
            long[] sorted = Arrays.copyOf(nanos, Math.min(count, nanos.length));
            Arrays.sort(sorted);
            return String.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms", Percentiles.of(sorted, 50), Percentiles.of(sorted, 99),
                    sorted[sorted.length - 1] / 1e6);
        }
    }
}
