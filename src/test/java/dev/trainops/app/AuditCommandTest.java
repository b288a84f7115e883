package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.audit.AuditEntry;
import dev.trainops.audit.AuditLog;
import dev.trainops.store.Store;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code trainops audit}: the audit log as a table, newest first, filtered; bad options exit 2 with what to fix. */
class AuditCommandTest {
    @TempDir
    Path data;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(args);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    void seed() throws Exception {
        Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
        try (Store store = Store.sqlite(data)) {
            AuditLog log = new AuditLog(store);
            log.append(new AuditEntry(t0, "alice", "member", Set.of("team-a"), "queue_training_job", "team-a", "{\"team\":\"team-a\"}", "OK", ""));
            log.append(new AuditEntry(t0.plusSeconds(60), "bob", "member", Set.of("team-b"), "cancel_training_job", "team-a",
                    "{\"job_id\":\"q-1\"}", "NOT_FOUND", "No job q-1."));
            log.append(new AuditEntry(t0.plusSeconds(86_400), "vera", "viewer", Set.of("team-a"), "cancel_training_job", "team-b", "{}",
                    "FORBIDDEN", "cancel_training_job changes something"));
        }
    }

    @Test
    void itPrintsTheAuditLogAsATableNewestFirst() throws Exception {
        seed();
        Run r = run("audit", "--data-dir", data.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).startsWith("TIME").contains("PRINCIPAL", "TOOL", "TEAM", "OUTCOME", "DETAIL");
        assertThat(lines[1]).startsWith("2026-12-03T10:00:00Z").contains("vera (viewer)", "cancel_training_job", "team-b", "FORBIDDEN");
        assertThat(lines[2]).contains("bob (member)", "NOT_FOUND", "No job q-1.");
        assertThat(lines[3]).contains("alice (member)", "queue_training_job", "OK", "{\"team\":\"team-a\"}");
        assertThat(lines[4]).isEqualTo("3 entries, newest first.");
    }

    @Test
    void theFiltersNarrowTheTable() throws Exception {
        seed();
        assertThat(run("audit", "--data-dir", data.toString(), "--since", "2026-12-03").out()).contains("vera").doesNotContain("bob");
        assertThat(run("audit", "--data-dir", data.toString(), "--team", "team-a", "--tool", "cancel_training_job").out())
                .contains("bob").doesNotContain("vera", "alice");
        assertThat(run("audit", "--data-dir", data.toString(), "--principal", "alice", "--limit", "1").out()).contains("1 entry, newest first.");
        assertThat(run("audit", "--data-dir", data.toString(), "--principal", "nobody").out()).isEqualTo("No audit entries match.\n");
    }

    @Test
    void badOptionsExit2WithWhatToFix() throws Exception {
        seed();
        Run since = run("audit", "--data-dir", data.toString(), "--since", "yesterday");
        assertThat(since.exit()).isEqualTo(2);
        assertThat(since.err()).startsWith("trainops: --since must be a date (YYYY-MM-DD)").contains("'yesterday'");

        Run limit = run("audit", "--data-dir", data.toString(), "--limit", "0");
        assertThat(limit.exit()).isEqualTo(2);
        assertThat(limit.err()).isEqualTo("trainops: --limit must be between 1 and 1000, was 0.\n");

        assertThat(run("audit", "--limit", "many").exit()).isEqualTo(2);
    }

    @Test
    void withoutAStoreItSaysSoAndCreatesNone() {
        Run r = run("audit", "--data-dir", data.resolve("none").toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("trainops: trainops audit reads the SQLite store in");
        assertThat(data.resolve("none").resolve("trainops.db")).doesNotExist();
    }

    @Test
    void serveRefusesANegativeRateLimitWithExit2() {
        Run r = run("serve", "--rate-limit", "-1", "--config-dir", OwnHistoryTest.CONFIG.toString(), "--data-dir", data.toString());

        assertThat(r.exit()).isEqualTo(2);
    }
}
