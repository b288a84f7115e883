package dev.trainops.app.bench;

import dev.trainops.app.Trainops;
import dev.trainops.app.TrainopsConfig;
import dev.trainops.server.HttpLimits;
import dev.trainops.server.HttpOptions;
import dev.trainops.server.HttpTransport;
import dev.trainops.server.TrainopsMcpServer;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code trainops bench --http-rate R --http-seconds S}: the whole server, its catalog wired as
 * {@code serve} wires it ({@link Trainops#create}), on a mock API server holding the synthetic
 * cluster, behind the MCP Streamable HTTP transport; then R read-only tool calls a second for S
 * seconds, a mix of tools, sent on a fixed schedule whatever the answers do (open loop). Each
 * call's latency runs from the time it was scheduled to go, not from when it went, so a stall
 * shows in every call it held back (no coordinated omission). Errors are counted, not thrown: a
 * tool error (a result with isError) and a transport error (an HTTP status other than 200, a
 * JSON-RPC error, a timeout or a broken connection).
 */
final class HttpLoadBench {
    /** Read-only calls that each read something different: inventory, queue, health, quota, budget, priority, an estimate. */
    static final List<Call> MIX = List.of(
            new Call("get_gpu_availability", "{}"),
            new Call("get_job_queue_status", "{}"),
            new Call("get_gpu_availability", "{\"gpu_type\":\"H100\"}"),
            new Call("get_training_health_status", "{}"),
            new Call("check_training_quota", "{\"team\":\"team-a\"}"),
            new Call("get_job_queue_status", "{\"team\":\"team-b\"}"),
            new Call("get_budget_status", "{\"scope\":\"team-a\"}"),
            new Call("decide_job_priority", "{\"model\":\"llm\"}"),
            new Call("validate_job_resources", "{\"model\":\"llm\",\"epochs\":2,\"batch_size\":64,\"gpu_type\":\"H100\",\"team\":\"team-a\"}"));

    record Call(String tool, String arguments) {
    }

    /** What the run measured: each call's latency (ns, from its scheduled time) and its outcome. */
    record Result(long[] nanos, int[] tool, int toolErrors, int transportErrors, long sendSpanNanos) {
    }

    private final PrintStream out;

    HttpLoadBench(PrintStream out) {
        this.out = out;
    }

    /**
     * @param apiServer the mock API server's URL, holding the synthetic cluster
     * @param nodes     its node count, for the lines
     */
    /** @return the load's figures in a line: percentiles and errors */
    String run(String apiServer, int nodes, int pods, Path configDir, int rate, int seconds) throws Exception {
        Map<String, String> saved = KubeClientProperties.pointAt(apiServer);
        Path data = Files.createTempDirectory("trainops-bench-http");
        try (Trainops trainops = Trainops.create(TrainopsConfig.read(new Trainops.Settings(configDir, data, false, 1.0), Map.of()));
             HttpTransport http = new HttpTransport(new TrainopsMcpServer(trainops.catalog(), "bench"), HttpOptions.loopback(0),
                     trainops::readiness, trainops.monitoringEndpoints(), HttpLimits.DEFAULTS)) {
            long startNanos = System.nanoTime();
            int port = http.start();
            trainops.connect();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!trainops.readiness().ready()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the server was not ready within 5 minutes: " + trainops.readiness().detail());
                }
                Thread.sleep(50);
            }
            long readOnly = trainops.catalog().tools().stream().filter(t -> t.hints().readOnly()).count();
            out.printf("HTTP load: the server as serve wires it (%d tools, %d read-only) on a mock API server with %d nodes and %d pods, "
                    + "ready in %d ms, MCP Streamable HTTP at 127.0.0.1:%d%s%n", trainops.catalog().tools().size(), readOnly, nodes, pods,
                    (System.nanoTime() - startNanos) / 1_000_000, port, HttpTransport.MCP_PATH);
            McpHttpSession session = McpHttpSession.open(URI.create("http://127.0.0.1:" + port + HttpTransport.MCP_PATH));
            int queued = seedQueue(session);
            // two untimed-by-the-load rounds, one call at a time: the first builds what later calls reuse (the per-node view) and
            // proves the mix valid; the second is each tool's latency with nothing else running, to read the load's figures against
            StringBuilder alone = new StringBuilder();
            for (int round = 0; round < 2; round++) {
                for (Call call : MIX) {
                    long s = System.nanoTime();
                    McpHttpSession.Outcome o = session.call(call.tool(), call.arguments()).get(McpHttpSession.CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    if (o != McpHttpSession.Outcome.OK) {
                        throw new IllegalStateException("warm-up call " + call + " answered " + o + ": " + session.firstError);
                    }
                    if (round == 1) {
                        alone.append(alone.length() == 0 ? "" : ", ").append(call.tool()).append(String.format(" %.1f ms", (System.nanoTime() - s) / 1e6));
                    }
                }
            }
            out.printf("  one call at a time, before the load: %s%n", alone);
            session.firstError = null;
            Result r = load(session, rate, seconds);
            return report(r, rate, seconds, queued);
        } finally {
            KubeClientProperties.restore(saved);
        }
    }

    /** A few jobs in the queue, so the queue's tools have something to read (most wait: the synthetic cluster is busy). */
    private static int seedQueue(McpHttpSession session) throws Exception {
        int ok = 0;
        for (int i = 0; i < 30; i++) {
            String args = String.format("{\"model\":\"llm\",\"run_name\":\"bench-%d\",\"team\":\"team-%c\",\"epochs\":1,\"batch_size\":64,"
                    + "\"gpu_type\":\"%s\",\"priority\":\"BACKGROUND\"}", i, (char) ('a' + i % 2), i % 2 == 0 ? "H100" : "A100-80GB");
            ok += session.call("queue_training_job", args).get(McpHttpSession.CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS) == McpHttpSession.Outcome.OK ? 1 : 0;
        }
        return ok;
    }

    private Result load(McpHttpSession session, int rate, int seconds) throws Exception {
        int n = rate * seconds;
        long interval = 1_000_000_000L / rate;
        long[] nanos = new long[n];
        int[] tool = new int[n];
        McpHttpSession.Outcome[] outcomes = new McpHttpSession.Outcome[n];
        List<CompletableFuture<Void>> pending = new ArrayList<>(n);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        for (int i = 0; i < n; i++) {
            long scheduled = start + i * interval;
            long wait;
            while ((wait = scheduled - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            int at = i;
            tool[i] = i % MIX.size();
            Call call = MIX.get(tool[i]);
            pending.add(session.call(call.tool(), call.arguments()).handle((o, e) -> {
                nanos[at] = System.nanoTime() - scheduled;
                outcomes[at] = e != null ? McpHttpSession.Outcome.TRANSPORT_ERROR : o;
                return null;
            }));
        }
        long sendSpan = System.nanoTime() - start;
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(McpHttpSession.CALL_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // counted below: a call with no outcome is a transport error, its latency the whole wait
        }
        int toolErrors = 0;
        int transportErrors = 0;
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (outcomes[i] == null) {
                outcomes[i] = McpHttpSession.Outcome.TRANSPORT_ERROR;
                nanos[i] = now - (start + i * interval);
            }
            toolErrors += outcomes[i] == McpHttpSession.Outcome.TOOL_ERROR ? 1 : 0;
            transportErrors += outcomes[i] == McpHttpSession.Outcome.TRANSPORT_ERROR ? 1 : 0;
        }
        if (toolErrors + transportErrors > 0) {
            out.printf("  first error: %s%n", session.firstError);
        }
        return new Result(nanos, tool, toolErrors, transportErrors, sendSpan);
    }

    private String report(Result r, int rate, int seconds, int queued) {
        long[] sorted = r.nanos().clone();
        Arrays.sort(sorted);
        String figures = String.format("n=%d p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; errors: %d tool, %d transport", sorted.length,
                Percentiles.of(sorted, 50), Percentiles.of(sorted, 90), Percentiles.of(sorted, 99), sorted[sorted.length - 1] / 1e6,
                r.toolErrors(), r.transportErrors());
        out.printf("MCP tool calls over Streamable HTTP under load (open loop, %d calls/s for %d s, %d read-only tools mixed, latency from the "
                + "scheduled send): %s%n", rate, seconds, MIX.stream().map(Call::tool).distinct().count(), figures);
        Map<String, List<Long>> byTool = new java.util.LinkedHashMap<>();
        for (int i = 0; i < r.nanos().length; i++) {
            byTool.computeIfAbsent(MIX.get(r.tool()[i]).tool(), k -> new ArrayList<>()).add(r.nanos()[i]);
        }
        for (Map.Entry<String, List<Long>> e : byTool.entrySet()) {
            long[] t = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
            out.printf("  %s: n=%d p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", e.getKey(), t.length, Percentiles.of(t, 50),
                    Percentiles.of(t, 99), t[t.length - 1] / 1e6);
        }
        int answered = r.nanos().length - r.toolErrors() - r.transportErrors();
        out.printf("  sent on schedule: %d calls in %.1f s (%d/s asked); %d answered without error (%.0f/s); a call with no answer in %d s "
                        + "is a transport error, its latency that wait (a lower bound); %d jobs in the queue from queue_training_job before "
                        + "the load%n", r.nanos().length, r.sendSpanNanos() / 1e9, rate, answered, answered / (double) seconds,
                McpHttpSession.CALL_TIMEOUT.toSeconds(), queued);
        return figures;
    }

}
