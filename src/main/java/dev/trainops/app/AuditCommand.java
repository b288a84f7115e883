package dev.trainops.app;

import dev.trainops.audit.AuditEntry;
import dev.trainops.audit.AuditLog;
import dev.trainops.store.Store;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trainops audit}: the audit log (rule 7) as a table, newest first, read from the store
 * (TRAINOPS_DB_URL, else SQLite in --data-dir) opened read-only: reading it changes nothing.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Print the audit log, newest first: every call that changed something or tried to. Reads TRAINOPS_DB_URL, "
                + "else the SQLite store in --data-dir, read-only.")
final class AuditCommand implements Callable<Integer> {
    static final int MAX_DETAIL = 90;

    @Spec
    CommandSpec spec;

    @Option(names = "--since", paramLabel = "DATE", description = "Only entries at or after this: YYYY-MM-DD (UTC) or an ISO date-time "
            + "such as 2026-12-01T09:30:00Z.")
    String since;

    @Option(names = "--team", paramLabel = "T", description = "Only calls about this team.")
    String team;

    @Option(names = "--principal", paramLabel = "S", description = "Only calls by this principal (its subject).")
    String principal;

    @Option(names = "--tool", paramLabel = "NAME", description = "Only calls to this tool, e.g. cancel_training_job.")
    String tool;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N entries (1 to 1000; default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the SQLite store is (default: $TRAINOPS_HOME/data, else ./data); ignored with TRAINOPS_DB_URL.")
    Path dataDir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Instant from;
        try {
            from = AuditLog.since(since);
            if (limit < 1 || limit > 1000) {
                throw new IllegalArgumentException("--limit must be between 1 and 1000, was " + limit + ".");
            }
        } catch (IllegalArgumentException e) {
            err.println("trainops: " + e.getMessage().replaceFirst("^since ", "--since "));
            return 2;
        }
        List<AuditEntry> entries;
        String url = System.getenv("TRAINOPS_DB_URL");
        try (Store store = url == null || url.isBlank() ? Store.sqliteReadOnly(BackendOptions.orHome(dataDir, "data"))
                : Store.openReadOnly(url.strip(), System.getenv("TRAINOPS_DB_USER"), System.getenv("TRAINOPS_DB_PASSWORD"))) {
            entries = new AuditLog(store).list(from, blank(team), blank(principal), blank(tool), limit);
        } catch (IllegalStateException | IllegalArgumentException e) {
            err.println("trainops: " + e.getMessage().replace("--read-only reads", "trainops audit reads")
                    .replace("--read-only does not migrate", "trainops audit does not migrate"));
            return 1;
        }
        print(out, entries);
        out.flush();
        return 0;
    }

    static void print(PrintWriter out, List<AuditEntry> entries) {
        if (entries.isEmpty()) {
            out.println("No audit entries match.");
            return;
        }
        String format = "%-20s  %-28s  %-24s  %-10s  %-20s  %s%n";
        out.printf(format, "TIME", "PRINCIPAL", "TOOL", "TEAM", "OUTCOME", "DETAIL");
        for (AuditEntry e : entries) {
            String detail = e.message().isEmpty() ? e.arguments() : e.message();
            out.printf(format, e.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), e.subject() + " (" + e.role() + ")", e.tool(),
                    e.team() == null ? "-" : e.team(), e.outcome(), shorten(detail.replaceAll("\\s+", " ")));
        }
        out.println(entries.size() + " entr" + (entries.size() == 1 ? "y" : "ies") + ", newest first.");
    }

    private static String shorten(String s) {
        return s.length() <= MAX_DETAIL ? s : s.substring(0, MAX_DETAIL - 1) + "…";
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
