package dev.trainops.app.bench;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Start-up against a large cluster, not the sandbox: a fabric8 mock API server holding a synthetic
 * cluster, a kubeconfig pointing at it, and the packaged server launched over stdio N times, timed
 * from launch to the {@code initialize} answer and to the first {@code tools/list} answer. An older
 * build can run side by side in the same run (same machine, same cluster, interleaved launches),
 * both as {@code java -jar} and through the {@code ./trainops} launcher (its JVM flags and CDS
 * archive). Raw pipes, no MCP client library: what is timed is the server.
 */
public final class StartupBench {
    static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"trainops-bench\",\"version\":\"1\"}}}";
    static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    static final String TOOLS_LIST = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";

    private final PrintStream out;

    public StartupBench(PrintStream out) {
        this.out = out;
    }

    /** One way of launching a build: a label and the command before {@code serve}. */
    record Launch(String label, List<String> command, Map<String, String> env) {
    }

    /** Launch to initialize and to tools/list, in milliseconds, one pair per launch. */
    record Times(long[] initialize, long[] toolsList) {
    }

    public void run(int nodes, int gpusPerNode, int pods, int launches, Path configDir, Path jar, Path previousJar) throws Exception {
        SyntheticCluster cluster = new SyntheticCluster(nodes, gpusPerNode, pods, 42, Instant.now());
        var serialization = new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
        Map<String, String> lists = new HashMap<>();
        lists.put("/api/v1/nodes", cluster.nodeListJson(serialization));
        lists.put("/api/v1/pods", cluster.podListJson(serialization));
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new PrerenderedDispatcher(lists), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        Path work = Files.createTempDirectory("trainops-bench-startup");
        try {
            Path kubeconfig = work.resolve("kubeconfig");
            Files.writeString(kubeconfig, kubeconfig(server.url("/")));
            out.printf("start-up over stdio against a mock API server with %d nodes (%d GPUs) and %d pods, KUBECONFIG=%s; "
                    + "%d launches each, interleaved, after one untimed warm-up launch%n", nodes, cluster.gpus, pods, kubeconfig, launches);
            Map<String, Launch> ways = new LinkedHashMap<>();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path launcher = configDir.toAbsolutePath().getParent() == null ? null : configDir.toAbsolutePath().getParent().resolve("trainops");
            Map<String, Path> builds = new LinkedHashMap<>();
            if (previousJar != null) {
                builds.put("previous", previousJar);
            }
            builds.put("this build", jar);
            for (Map.Entry<String, Path> b : builds.entrySet()) {
                Map<String, String> env = Map.of("KUBECONFIG", kubeconfig.toString());
                ways.put(b.getKey() + ", java -jar", new Launch(b.getKey() + ", java -jar", List.of(java, "-jar", b.getValue().toString()), env));
                if (launcher != null && Files.isExecutable(launcher)) {
                    Map<String, String> withJar = new HashMap<>(env);
                    withJar.put("TRAINOPS_JAR", b.getValue().toAbsolutePath().toString());
                    ways.put(b.getKey() + ", ./trainops", new Launch(b.getKey() + ", ./trainops (launcher: its JVM flags and CDS archive)",
                            List.of(launcher.toString()), withJar));
                }
            }
            Map<String, Times> results = new LinkedHashMap<>();
            for (Launch way : ways.values()) {
                results.put(way.label(), new Times(new long[launches], new long[launches]));
                once(way, configDir, work); // warm-up: page cache, and the launcher's CDS archive on its first run
            }
            for (int i = 0; i < launches; i++) {
                for (Launch way : ways.values()) {
                    long[] t = once(way, configDir, work);
                    results.get(way.label()).initialize()[i] = t[0];
                    results.get(way.label()).toolsList()[i] = t[1];
                }
            }
            for (Map.Entry<String, Times> r : results.entrySet()) {
                out.printf("  %s: launch -> initialize %s; launch -> tools/list %s%n", r.getKey(), summary(r.getValue().initialize()),
                        summary(r.getValue().toolsList()));
            }
        } finally {
            server.destroy();
        }
    }

    /** One launch: {initialize ms, tools/list ms}. The process is stopped by closing its stdin, killed if it lingers. */
    private long[] once(Launch way, Path configDir, Path work) throws Exception {
        Path data = Files.createTempDirectory(work, "data");
        List<String> cmd = new ArrayList<>(way.command());
        cmd.addAll(List.of("serve", "--config-dir", configDir.toAbsolutePath().toString(), "--data-dir", data.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(way.env());
        long start = System.nanoTime();
        Process p = pb.start();
        try {
            OutputStream in = p.getOutputStream();
            BufferedReader answers = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            send(in, INITIALIZE);
            await(answers, 1);
            long initialize = System.nanoTime() - start;
            send(in, INITIALIZED);
            send(in, TOOLS_LIST);
            String list = await(answers, 2);
            long toolsList = System.nanoTime() - start;
            if (!list.contains("get_gpu_availability")) {
                throw new IllegalStateException(way.label() + ": tools/list did not list get_gpu_availability");
            }
            in.close();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return new long[] {initialize / 1_000_000, toolsList / 1_000_000};
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void send(OutputStream in, String line) throws IOException {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private static String await(BufferedReader answers, int id) throws IOException {
        String line;
        while ((line = answers.readLine()) != null) {
            if (line.contains("\"id\":" + id + ",") || line.contains("\"id\":" + id + "}")) {
                return line;
            }
        }
        throw new IllegalStateException("the server closed stdout before answering request " + id);
    }

    private static String summary(long[] ms) {
        long[] sorted = ms.clone();
        Arrays.sort(sorted);
        return String.format("median %d ms (min %d, max %d)", sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
    }

    static String kubeconfig(String serverUrl) {
        String url = serverUrl.endsWith("/") ? serverUrl.substring(0, serverUrl.length() - 1) : serverUrl;
        return "apiVersion: v1\nkind: Config\nclusters:\n- name: bench\n  cluster:\n    server: " + url + "\n    insecure-skip-tls-verify: true\n"
                + "contexts:\n- name: bench\n  context:\n    cluster: bench\n    user: bench\n    namespace: default\n"
                + "current-context: bench\nusers:\n- name: bench\n  user:\n    token: bench-token\n";
    }
}
