package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trainops simulate} on the sample trace: both files written, the cluster sized as asked; bad options exit 2. */
class SimulateCommandTest {
    static final String SAMPLE = "../tools/src/test/resources/gputrace/cluster02-days20-21.csv";

    @Test
    void writesSummaryAndReportForBothPolicies(@TempDir Path out) throws Exception {
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        int rc;
        try {
            System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            rc = Main.commandLine(new String[] {"simulate"}).execute("simulate", "--trace", SAMPLE, "--gpus", "60", "--out", out.toString(),
                    "--config-dir", "../config");
        } finally {
            System.setOut(stdout);
        }
        assertThat(rc).isZero();
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8))
                .containsPattern("\\(8 nodes\\), load [0-9.]+; 2 policies replayed in [0-9.]+ s")
                .containsPattern("fifo +utilisation while work waits 0\\.[0-9]+ \\| URGENT delay mean [0-9.]+ s, p95 [0-9]+ s \\| JCT p50 [0-9]+ s, "
                        + "p95 [0-9]+ s \\| admitted without room 0 \\| deferred saving -?[0-9.]+% \\| cost per job \\$[0-9]+\\.[0-9]{2} \\| "
                        + "preemptions 0 \\| rejected 0")
                .containsPattern("trainops utilisation while work waits 0\\.[0-9]+ \\| URGENT delay mean");
        Map<String, Object> summary = Json.MAPPER.readValue(Files.readString(out.resolve("summary.json")), Map.class);
        assertThat(summary.get("gpus")).as("60 rounded up to whole 8-GPU nodes").isEqualTo(64);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> policies = (Map<String, Map<String, Object>>) summary.get("policies");
        assertThat(policies).containsOnlyKeys("fifo", "trainops");
        policies.values().forEach(p -> assertThat(p.get("jobs_admitted_without_room")).isEqualTo(0));
        assertThat(Files.readString(out.resolve("report.html"))).contains("<svg");
    }

    @Test
    void badOptionsExitTwoWithWhatToFix(@TempDir Path out) {
        assertThat(Main.commandLine(new String[] {"simulate"}).execute("simulate", "--trace", SAMPLE, "--policy", "lifo", "--out",
                out.toString())).isEqualTo(2);
        assertThat(Main.commandLine(new String[] {"simulate"}).execute("simulate", "--trace", SAMPLE, "--gpus", "8", "--load", "0.8",
                "--out", out.toString())).isEqualTo(2);
        assertThat(Main.commandLine(new String[] {"simulate"}).execute("simulate", "--trace", out.resolve("missing.csv").toString()))
                .isEqualTo(2);
        assertThat(out.resolve("summary.json")).doesNotExist();
    }
}
