package dev.trainops.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trainops.testing.Postgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 item 7: the bench's admission measures at scale, each run tiny (10 nodes, 50 jobs, 2 s of
 * HTTP load at 20 calls/s): the shape of each printed line and no errors, never how fast.
 */
class AdmissionAtScaleBenchTest {
    static final Path CONFIG = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath();

    @Test
    void decisionsEndToEndAdmissionsAndTheHttpLoadEachPrintTheirLineWithNoErrors() throws Exception {
        String out = bench(new Benchmarks.Plan(10, 8, 40, 20, 0, CONFIG, 50, null, "--postgres-url none", 0, false, 50, 20, 2));

        assertThat(out).containsPattern("admission pass over 50 queued jobs on 10 nodes \\(SQLite\\): \\d+ admitted, \\d+ waiting with a "
                + "reason, \\d+ ms: \\d+ decisions/s");
        assertThat(out).contains("admission (PostgreSQL): skipped: --postgres-url none");
        Matcher e2e = Pattern.compile("admitted workloads/s end to end \\(.*\\): 50 jobs submitted, (\\d+) admitted, (\\d+) waiting; (\\d+) "
                + "Jobs on the API server \\d+ ms after submission: \\d+ admitted/s \\(not decisions/s").matcher(out);
        assertThat(e2e.find()).as(out).isTrue();
        assertThat(Integer.parseInt(e2e.group(1))).as("admitted").isPositive();
        assertThat(e2e.group(3)).as("every admitted job has its Job on the API server").isEqualTo(e2e.group(1));
        assertThat(Integer.parseInt(e2e.group(1)) + Integer.parseInt(e2e.group(2))).isEqualTo(50);
        assertThat(out).containsPattern("MCP tool calls over Streamable HTTP under load \\(open loop, 20 calls/s for 2 s, \\d+ read-only "
                + "tools mixed, latency from the scheduled send\\): n=40 p50 [\\d.]+ ms, p90 [\\d.]+ ms, p99 [\\d.]+ ms, max [\\d.]+ ms; "
                + "errors: 0 tool, 0 transport");
        assertThat(out).containsPattern("  get_job_queue_status: n=\\d+ p50");
        assertThat(out).contains("side by side:", "admission decisions/s with 50 jobs queued, Job creation left out: SQLite ",
                "admitted workloads/s end to end", "read-only tool calls through MCP over HTTP at 20 calls/s for 2 s: n=40");
    }

    @Test
    void admissionOnPostgresRunsInAFreshSchemaDroppedAfterwards() throws Exception {
        PostgresBenchStore.Target target = new PostgresBenchStore.Target(Postgres.baseUrl(), Postgres.user(), null);
        try {
            target.probe();
        } catch (SQLException e) {
            assumeTrue(false, "no PostgreSQL at " + target.shown() + " (CI has one): " + e.getMessage());
        }
        int before = benchSchemas(target);

        String out = bench(new Benchmarks.Plan(10, 8, 40, 20, 0, CONFIG, 50, target, null, 0, false, 0, 0, 1));

        assertThat(out).containsPattern("admission pass over 50 queued jobs on 10 nodes \\(PostgreSQL [\\d.]+[^)]*\\): \\d+ admitted, \\d+ "
                + "waiting with a reason, \\d+ ms: \\d+ decisions/s");
        assertThat(out).containsPattern("one submission \\+ admission pass \\(PostgreSQL [^)]*\\), with \\d+\\+ jobs waiting: n=200 p50");
        assertThat(out).containsPattern("admission decisions/s with 50 jobs queued, Job creation left out: SQLite \\d+; PostgreSQL [\\d.]+.* \\d+");
        assertThat(benchSchemas(target)).as("the run's schema is dropped").isEqualTo(before);
    }

    private static String bench(Benchmarks.Plan plan) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new Benchmarks(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run(plan);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int benchSchemas(PostgresBenchStore.Target target) throws SQLException {
        try (Connection c = DriverManager.getConnection(target.url(), target.user(), target.password());
             ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'trainops_bench_%'")) {
            r.next();
            return r.getInt(1);
        }
    }
}
