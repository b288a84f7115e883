package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: killing the server mid-job loses or doubles no usage segment. The packaged server runs
 * the sandbox at 120x on one data directory; it is killed with SIGKILL twice while jobs run and
 * the recorder bills them, then runs to the end. Every GPU pod's ledger slices must then tile its
 * run exactly: from its start to its finish, each slice starting where the previous one ended,
 * with nothing missing and nothing counted twice.
 */
class LedgerCrashIT {
    @TempDir
    Path dataDir;

    record Slice(long startMs, long endMs, long seconds) {
    }

    Process launch() throws Exception {
        String jar = System.getProperty("trainops.jar");
        String configDir = System.getProperty("trainops.configDir");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar, "serve",
                "--sandbox", "--sandbox-speed", "120", "--config-dir", configDir, "--data-dir", dataDir.toString());
        pb.redirectErrorStream(true).redirectOutput(dataDir.resolve("server.log").toFile());
        return pb.start(); // stdin stays open: the stdio server keeps serving until it is killed
    }

    Map<String, List<Slice>> ledger() throws SQLException {
        Path db = dataDir.resolve("trainops.db");
        Map<String, List<Slice>> out = new HashMap<>();
        if (!Files.exists(db)) {
            return out;
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            try (ResultSet rs = s.executeQuery("SELECT job_id, start_ms, end_ms, seconds FROM usage_slice ORDER BY job_id, start_ms")) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Slice(rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                }
            }
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("no such table")) {
                return out; // Flyway has not run yet
            }
            throw e;
        }
        return out;
    }

    Map<String, Long> recordedUntil() throws SQLException {
        Map<String, Long> until = new HashMap<>();
        ledger().forEach((job, slices) -> until.put(job, slices.get(slices.size() - 1).endMs()));
        return until;
    }

    /** GPU pods of the sandbox's saved state: job id -> [start, finish or null]. */
    Map<String, Instant[]> pods() throws Exception {
        Path state = dataDir.resolve("sandbox").resolve("cluster-state.yaml");
        Map<String, Instant[]> out = new HashMap<>();
        if (!Files.exists(state)) {
            return out;
        }
        KubernetesList list = new KubernetesSerialization().unmarshal(Files.readString(state), KubernetesList.class);
        for (HasMetadata item : list.getItems()) {
            if (item instanceof Pod p && p.getStatus() != null && p.getStatus().getStartTime() != null) {
                Instant finish = null;
                if (p.getStatus().getContainerStatuses() != null) {
                    for (var cs : p.getStatus().getContainerStatuses()) {
                        if (cs.getState() != null && cs.getState().getTerminated() != null) {
                            finish = Instant.parse(cs.getState().getTerminated().getFinishedAt());
                        }
                    }
                }
                // the ledger bills whole seconds
                out.put(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(),
                        new Instant[] {Instant.parse(p.getStatus().getStartTime()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                                finish == null ? null : finish.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)});
            }
        }
        return out;
    }

    @Test
    void killingTheServerMidJobLosesOrDoublesNoUsageSegment() throws Exception {
        Map<String, Long> atKill = new HashMap<>();
        for (int kill = 0; kill < 2; kill++) {
            Process server = launch();
            try {
                int before = ledger().values().stream().mapToInt(List::size).sum();
                await(Duration.ofSeconds(60), () -> total() > before);
            } finally {
                server.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
                assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
            }
            recordedUntil().forEach(atKill::putIfAbsent);
        }
        Process server = launch();
        try {
            awaitOrExplain(Duration.ofSeconds(150), () -> {
                try {
                    Map<String, Instant[]> pods = pods();
                    Map<String, Long> until = recordedUntil();
                    return !pods.isEmpty() && pods.entrySet().stream().allMatch(e -> e.getValue()[1] != null
                            && until.getOrDefault(e.getKey(), -1L) == e.getValue()[1].toEpochMilli());
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }

        Map<String, Instant[]> pods = pods();
        Map<String, List<Slice>> ledger = ledger();
        assertThat(ledger.keySet()).containsExactlyInAnyOrderElementsOf(pods.keySet());
        boolean someJobWasKilledMidRun = false;
        for (var e : pods.entrySet()) {
            long start = e.getValue()[0].toEpochMilli();
            long finish = e.getValue()[1].toEpochMilli();
            List<Slice> slices = ledger.get(e.getKey());
            assertThat(slices.get(0).startMs()).as(e.getKey() + " starts with its pod").isEqualTo(start);
            for (int i = 1; i < slices.size(); i++) {
                assertThat(slices.get(i).startMs()).as(e.getKey() + " slice " + i + " starts where the last ended")
                        .isEqualTo(slices.get(i - 1).endMs());
            }
            assertThat(slices.get(slices.size() - 1).endMs()).as(e.getKey() + " ends with its pod").isEqualTo(finish);
            assertThat(slices.stream().mapToLong(Slice::seconds).sum()).as(e.getKey() + " seconds").isEqualTo((finish - start) / 1000);
            Long killedAt = atKill.get(e.getKey());
            someJobWasKilledMidRun |= killedAt != null && killedAt > start && killedAt < finish;
        }
        assertThat(someJobWasKilledMidRun).as("a SIGKILL landed while a billed job was still running").isTrue();
    }

    int total() {
        try {
            return ledger().values().stream().mapToInt(List::size).sum();
        } catch (SQLException e) {
            return -1;
        }
    }

    /** As {@link #await}, and on timeout says what the ledger and the pods looked like, with the server's log tail. */
    void awaitOrExplain(Duration timeout, BooleanSupplier condition) throws Exception {
        try {
            await(timeout, condition);
        } catch (AssertionError e) {
            StringBuilder sb = new StringBuilder(e.getMessage()).append("\nledger: ").append(recordedUntil()).append("\npods: ");
            pods().forEach((k, v) -> sb.append(k).append("=").append(java.util.Arrays.toString(v)).append(' '));
            List<String> log = Files.readAllLines(dataDir.resolve("server.log"));
            sb.append("\nserver log tail:\n").append(String.join("\n", log.subList(Math.max(0, log.size() - 30), log.size())));
            throw new AssertionError(sb.toString(), e);
        }
    }

    static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(200);
        }
    }
}
