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

    /**
     * What {@code trainops bench} measures; a count of 0 skips its measure.
     *
     * @param queued          jobs queued for admission decisions/s, on SQLite and on {@code postgres}
     * @param postgres        where admission is measured on PostgreSQL too; null: not, and {@code postgresSkipped} says why
     * @param webhookReviews  AdmissionReviews sent to the webhook over HTTPS
     * @param webhookOnly     only the cluster's sync and the webhook's reviews
     * @param endToEndJobs    jobs submitted for admitted workloads/s with Job creation against the API server
     * @param httpRate        read-only tool calls a second through MCP over HTTP, for {@code httpSeconds}
     */
    public record Plan(int nodes, int gpusPerNode, int pods, int calls, int launches, Path configDir, int queued,
                       PostgresBenchStore.Target postgres, String postgresSkipped, int webhookReviews, boolean webhookOnly, int endToEndJobs,
                       int httpRate, int httpSeconds) {
    }

    public void run(Plan plan) throws Exception {
        int nodeCount = plan.nodes();
        int gpusPerNode = plan.gpusPerNode();
        int podCount = plan.pods();
        int calls = plan.calls();
        Path configDir = plan.configDir();
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
            if (plan.webhookOnly()) {
                new WebhookBench(out).run(index, configDir, plan.webhookReviews());
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
            List<String> sideBySide = new ArrayList<>();
            if (plan.queued() > 0) {
                sideBySide.add(String.format("admission decisions/s with %d jobs queued, Job creation left out: %s", plan.queued(),
                        admission(index, clock, plan)));
            }
            if (plan.endToEndJobs() > 0) {
                sideBySide.add(String.format("admitted workloads/s end to end, a batch/v1 Job created on the API server for each, %d jobs "
                        + "submitted: %.0f", plan.endToEndJobs(), new EndToEndAdmissionBench(out).run(nodeCount, gpusPerNode,
                        plan.endToEndJobs(), configDir)));
            }
            if (plan.httpRate() > 0) {
                sideBySide.add(String.format("read-only tool calls through MCP over HTTP at %d calls/s for %d s: %s", plan.httpRate(),
                        plan.httpSeconds(), new HttpLoadBench(out).run(server.url("/"), nodeCount, podCount, configDir, plan.httpRate(),
                                plan.httpSeconds())));
            }
            if (!sideBySide.isEmpty()) {
                out.println("side by side:");
                sideBySide.forEach(line -> out.println("  " + line));
            }
            if (plan.webhookReviews() > 0) {
                new WebhookBench(out).run(index, configDir, plan.webhookReviews());
            }
            index.close();
        } finally {
            server.destroy();
        }
        new StaleCacheBench(out).run(nodeCount, gpusPerNode, podCount, calls);

        if (plan.launches() > 0) {
            launches(plan.launches(), configDir);
        }
    }

    /** Admission decisions/s on SQLite, then on PostgreSQL, the same jobs on the same cluster (AdmissionBench); both figures. */
    private String admission(ClusterIndex index, Clock clock, Plan plan) throws Exception {
        Path dir = Files.createTempDirectory("trainops-bench-queue");
        double sqlite;
        try (dev.trainops.store.Store store = dev.trainops.store.Store.sqlite(dir)) {
            sqlite = new AdmissionBench(out).run(index, clock, plan.queued(), plan.configDir(), "SQLite", store);
        }
        if (plan.postgres() == null) {
            out.printf("admission (PostgreSQL): skipped: %s%n", plan.postgresSkipped());
            return String.format("SQLite %.0f; PostgreSQL skipped", sqlite);
        }
        try (PostgresBenchStore pg = PostgresBenchStore.open(plan.postgres())) {
            double postgres = new AdmissionBench(out).run(index, clock, plan.queued(), plan.configDir(), pg.name, pg.store);
            return String.format("SQLite %.0f; %s %.0f", sqlite, pg.name, postgres);
        }
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
                Percentiles.of(sorted, 50), Percentiles.of(sorted, 90), Percentiles.of(sorted, 99), sorted[sorted.length - 1] / 1e6);
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
