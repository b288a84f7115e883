package dev.trainops.app.bench;

import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.gpu.GpuInventory;
import dev.trainops.gpu.GpuTools;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.server.HttpOptions;
import dev.trainops.server.HttpTransport;
import dev.trainops.server.Readiness;
import dev.trainops.server.TrainopsMcpServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The benchmark behind {@code trainops bench}. Wall-clock figures, reported with the machine. */
public final class Benchmarks {
    private final PrintStream out;

    public Benchmarks(PrintStream out) {
        this.out = out;
    }

    public void run(int nodeCount, int gpusPerNode, int podCount, int calls, int launches, Path configDir) throws Exception {
        run(nodeCount, gpusPerNode, podCount, calls, launches, configDir, 10_000);
    }

    public void run(int nodeCount, int gpusPerNode, int podCount, int calls, int launches, Path configDir, int queued) throws Exception {
        run(nodeCount, gpusPerNode, podCount, calls, launches, configDir, queued, 0, false);
    }

    /**
     * @param webhookReviews AdmissionReviews sent to the webhook over HTTPS (0 skips)
     * @param webhookOnly    only the cluster's sync and the webhook's reviews
     */
    public void run(int nodeCount, int gpusPerNode, int podCount, int calls, int launches, Path configDir, int queued, int webhookReviews,
                    boolean webhookOnly) throws Exception {
        out.printf("trainops bench on %s, %d CPUs, Java %s, max heap %d MiB%n", machine(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() / (1024 * 1024));

        Clock clock = Clock.systemUTC();
        long t0 = System.nanoTime();
        SyntheticCluster cluster = new SyntheticCluster(nodeCount, gpusPerNode, podCount, 42, clock.instant());
        var serialization = new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
        Map<String, String> lists = new HashMap<>();
        lists.put("/api/v1/nodes", cluster.nodeListJson(serialization));
        lists.put("/api/v1/pods", cluster.podListJson(serialization));
        out.printf("cluster: %d nodes, %d GPUs, %d pods (%d holding GPUs); rendered in %d ms (pod list %.1f MB)%n",
                nodeCount, cluster.gpus, podCount, cluster.gpuPods, ms(t0), lists.get("/api/v1/pods").length() / 1e6);

        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new PrerenderedDispatcher(lists), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        java.util.logging.Logger quiet = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
        quiet.setLevel(java.util.logging.Level.WARNING);
        try (KubernetesClient client = server.createClient()) {
            long syncStart = System.nanoTime();
            ClusterIndex index = new ClusterIndex(clock).start(client);
            if (!index.awaitSynced(Duration.ofMinutes(5))) {
                throw new IllegalStateException("the informers did not sync within 5 minutes");
            }
            out.printf("initial sync (list + watch of nodes and pods over HTTP): %d ms%n", ms(syncStart));
            if (webhookOnly) {
                new WebhookBench(out).run(index, configDir, webhookReviews);
                index.close();
                return;
            }

            GpuInventory inventory = new GpuInventory(index, GpuUtilization.UNKNOWN, clock, Duration.ofSeconds(30));
            List<Tool<?, ?>> tools = List.of(GpuTools.getGpuAvailability(inventory));
            ToolCatalog catalog = new ToolCatalog(tools);
            long firstView = System.nanoTime();
            catalog.invoke("get_gpu_availability", Map.of());
            out.printf("first get_gpu_availability (builds the per-node view): %d ms%n", ms(firstView));

            List<Map<String, Object>> argumentMix = List.of(Map.of(), Map.of("gpu_type", "H100"),
                    Map.of("min_memory_gib", 40), Map.of("namespace", "team-a"));
            long[] domain = new long[calls];
            for (int i = 0; i < calls + 200; i++) {
                long s = System.nanoTime();
                catalog.invoke("get_gpu_availability", argumentMix.get(i % argumentMix.size()));
                if (i >= 200) {
                    domain[i - 200] = System.nanoTime() - s;
                }
            }
            report("get_gpu_availability in-process (catalog.invoke)", domain);
            long generation = index.generation();

            try (HttpTransport http = new HttpTransport(new TrainopsMcpServer(catalog, "bench"), HttpOptions.loopback(0),
                    () -> new Readiness(true, "ok"))) {
                int port = http.start();
                try (McpSyncClient mcp = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
                        .endpoint(HttpTransport.MCP_PATH).build()).requestTimeout(Duration.ofSeconds(30)).build()) {
                    mcp.initialize();
                    long[] viaMcp = new long[calls];
                    long bytes = 0;
                    for (int i = 0; i < calls + 200; i++) {
                        long s = System.nanoTime();
                        McpSchema.CallToolResult r = mcp.callTool(new McpSchema.CallToolRequest("get_gpu_availability",
                                argumentMix.get(i % argumentMix.size())));
                        if (i >= 200) {
                            viaMcp[i - 200] = System.nanoTime() - s;
                        }
                        if (Boolean.TRUE.equals(r.isError())) {
                            throw new IllegalStateException("tool error: " + r.content());
                        }
                        bytes = Math.max(bytes, String.valueOf(r.structuredContent()).length());
                    }
                    report("get_gpu_availability through MCP (Streamable HTTP, SDK client, loopback)", viaMcp);
                    if (index.generation() != generation) {
                        out.println("  note: the informers saw changes during the run, so some calls rebuilt the per-node view");
                    }
                    out.printf("  largest answer: about %d kB of JSON (%d nodes, the node list capped at max_nodes)%n", bytes / 1000, nodeCount);
                }
            }
            if (queued > 0) {
                admission(index, clock, queued, configDir);
            }
            if (webhookReviews > 0) {
                new WebhookBench(out).run(index, configDir, webhookReviews);
            }
            index.close();
        } finally {
            server.destroy();
        }
        new StaleCacheBench(out).run(nodeCount, gpusPerNode, podCount, calls);

        if (launches > 0) {
            launches(launches, configDir);
        }
    }

    /**
     * Admission decisions per second: {@code queued} jobs in a SQLite store, admitted against the
     * synthetic cluster in one pass (each decision, admit or wait with its reason, committed), then
     * passes one submission at a time. Kubernetes Job creation is left out (a counting runner): it
     * is the API server's work, not the decision.
     */
    private void admission(ClusterIndex index, Clock clock, int queued, Path configDir) throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("trainops-bench-queue");
        dev.trainops.store.Store store = dev.trainops.store.Store.sqlite(dir);
        dev.trainops.queue.QueueStore queue = new dev.trainops.queue.QueueStore(store, clock);
        java.util.concurrent.atomic.AtomicLong launched = new java.util.concurrent.atomic.AtomicLong();
        dev.trainops.queue.JobRunner counting = new dev.trainops.queue.JobRunner() {
            @Override
            public void launch(dev.trainops.queue.QueuedJob job, String resource, java.time.Instant now) {
                launched.incrementAndGet();
            }

            @Override
            public void delete(dev.trainops.queue.QueuedJob job) {
            }
        };
        dev.trainops.cost.PriceBook prices = dev.trainops.cost.PricingConfig.load(configDir.resolve("pricing.yaml"));
        dev.trainops.queue.JobQueue jobs = new dev.trainops.queue.JobQueue(queue, index, counting, dev.trainops.queue.PriorityConfig.defaults(),
                dev.trainops.queue.QuotaConfig.defaults(), dev.trainops.queue.JobTemplates.load(configDir.resolve("jobs.yaml")),
                team -> java.util.Optional.empty(), GpuUtilization.UNKNOWN, prices, clock,
                (m, e, b, t, g, s, at) -> java.util.Optional.empty(), dev.trainops.queue.QueueEvents.NONE);
        List<String> types = jobs.gpuTypes();
        java.util.Random random = new java.util.Random(7);
        java.time.Instant start = clock.instant().minusSeconds(queued);
        long insertStart = System.nanoTime();
        store.inTransaction(0, c -> {
            for (int i = 0; i < queued; i++) {
                queue.insert(c, job(i, types.get(random.nextInt(types.size())), 1 + random.nextInt(4), start.plusSeconds(i)));
            }
            return null;
        });
        out.printf("admission: %d jobs queued in one transaction in %d ms (SQLite, %s)%n", queued, ms(insertStart), dir);
        long passStart = System.nanoTime();
        dev.trainops.queue.JobQueue.Pass first = jobs.pass();
        long passNanos = System.nanoTime() - passStart;
        int decisions = first.admitted().size() + first.waiting();
        out.printf("admission pass over %d queued jobs on %d nodes: %d admitted, %d waiting with a reason, %d ms: %.0f decisions/s "
                        + "(each committed in the pass's transaction)%n", queued, index.nodes().size(), first.admitted().size(),
                first.waiting(), passNanos / 1_000_000, decisions / (passNanos / 1e9));
        long planStart = System.nanoTime();
        jobs.planOnly();
        out.printf("  of which planning alone (snapshot of %d waiting jobs, no writes): %d ms%n",
                queue.read(c -> queue.inStates(c, dev.trainops.queue.JobState.QUEUED)).size(), ms(planStart));
        int incremental = 200;
        long[] each = new long[incremental];
        for (int i = 0; i < incremental; i++) {
            dev.trainops.queue.QueuedJob j = job(queued + i, types.get(random.nextInt(types.size())), 1, clock.instant());
            long s = System.nanoTime();
            store.inTransaction(0, c -> queue.insert(c, j));
            jobs.pass();
            each[i] = System.nanoTime() - s;
        }
        report("one submission + admission pass, with " + (queued - first.admitted().size()) + "+ jobs waiting", each);
        out.printf("  Job creation left out: %d launches counted, not sent to an API server%n", launched.get());
        store.close();
    }

    private static dev.trainops.queue.QueuedJob job(int i, String type, int gpus, java.time.Instant submitted) {
        dev.trainops.queue.Priority p = dev.trainops.queue.Priority.values()[i % 3];
        int value = p == dev.trainops.queue.Priority.URGENT ? 1_000_000 : p == dev.trainops.queue.Priority.NORMAL ? 1000 : 100;
        return dev.trainops.queue.QueuedJob.submitted(String.format("tj-%012x", i), new dev.trainops.queue.JobSpec("team-" + (char) ('a' + i % 3),
                "bench-" + i, "llm", "llm", p, value, type, gpus, 2, 64, Map.of(), false, null, null, 1_000_000, 3600, null, null, null),
                submitted);
    }

    private void launches(int launches, Path configDir) throws Exception {
        Path jar = Path.of(Benchmarks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(jar)) {
            out.println("launch-to-tools/list: skipped (not running from the packaged jar)");
            return;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        timeLaunches("java -jar trainops.jar serve --sandbox", launches, configDir, List.of(java, "-jar", jar.toString()));
        Path launcher = configDir.getParent() == null ? null : configDir.getParent().resolve("trainops");
        if (launcher != null && Files.isExecutable(launcher)) {
            timeLaunches("./trainops serve --sandbox (launcher, with its CDS archive)", launches, configDir, List.of(launcher.toString()));
        }
    }

    private void timeLaunches(String what, int launches, Path configDir, List<String> command) throws Exception {
        long[] times = new long[launches];
        for (int i = 0; i < launches; i++) {
            Path data = Files.createTempDirectory("trainops-bench");
            List<String> args = new ArrayList<>(command.subList(1, command.size()));
            args.addAll(List.of("serve", "--sandbox", "--config-dir", configDir.toString(), "--data-dir", data.toString()));
            long s = System.nanoTime();
            ServerParameters params = ServerParameters.builder(command.get(0)).args(args).build();
            StdioClientTransport transport = new StdioClientTransport(params, McpJsonDefaults.getMapper());
            transport.setStdErrorHandler(line -> { });
            try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(120))
                    .initializationTimeout(Duration.ofSeconds(120)).build()) {
                client.initialize();
                client.listTools();
                times[i] = System.nanoTime() - s;
                client.closeGracefully();
            }
        }
        long[] sorted = times.clone();
        Arrays.sort(sorted);
        out.printf("launch to first tools/list over stdio, %s: median %d ms, min %d ms, max %d ms over %d launches%n",
                what, sorted[sorted.length / 2] / 1_000_000, sorted[0] / 1_000_000, sorted[sorted.length - 1] / 1_000_000, launches);
    }

    private void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        out.printf("%s: n=%d p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", what, sorted.length,
                pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), sorted[sorted.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static String machine() {
        List<String> parts = new ArrayList<>();
        parts.add(System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    parts.add(line.substring(line.indexOf(':') + 1).trim());
                    break;
                }
            }
        } catch (Exception e) {
            // not Linux: the OS name is enough
        }
        parts.add(ManagementFactory.getOperatingSystemMXBean().getAvailableProcessors() + " cores");
        return String.join(", ", parts);
    }
}
