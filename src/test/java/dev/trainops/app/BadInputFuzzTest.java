package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolOutcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input at scale (issue 14): at least 10,000 hostile argument sets per tool, each derived from
 * the tool's own input schema ({@link HostileArguments}), through {@link ToolCatalog#invoke} of the
 * sandbox-backed catalog, each as an admin and as a member of team-a. Every answer is a success or
 * a refusal with a code {@link FuzzChecks#allowed} names, never INTERNAL; no answer holds a class
 * name, a stack trace or a credential; no refused call leaves a job or batch in the store; the
 * catalog keeps answering. The seed is printed; {@code -Dfuzz.seed=N} replays a run and
 * {@code -Dfuzz.cases=N} changes its size. The tally goes to target/fuzz-report.txt.
 */
class BadInputFuzzTest {
    static final int CASES = Integer.getInteger("fuzz.cases", 10_000);
    static final long SEED = Long.getLong("fuzz.seed", 20261202L);
    static final Principal ADMIN = Principal.admin("fuzz-admin");
    static final Principal MEMBER = new Principal("fuzz-member", Set.of("team-a"), Role.MEMBER);
    /** Cases between two reads of the store's job and batch ids, for the tools that write. */
    static final int STORE_CHECK_EVERY = 500;
    /**
     * Audit entries kept after each tool: every call to a tool that writes is audited, 100,000
     * entries by the end, and get_audit_log (fuzzed last) reads a page of a log that size in tens of
     * milliseconds per call. Its bad input is what is tested here, against a log of this many.
     */
    static final int AUDIT_KEPT = 2_000;

    @TempDir
    Path dataDir;

    Trainops trainops;

    @BeforeEach
    void start() throws Exception {
        Path config = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath();
        // every call to a tool that writes is audited in its own commit: in memory (where there is a /dev/shm) a commit costs no fsync
        Path shm = Path.of("/dev/shm");
        if (java.nio.file.Files.isDirectory(shm) && java.nio.file.Files.isWritable(shm)) {
            dataDir = java.nio.file.Files.createTempDirectory(shm, "trainops-fuzz-");
            inMemory = dataDir;
        }
        trainops = Trainops.create(new Trainops.Settings(config, dataDir, true, 1.0));
        trainops.connect();
    }

    Path inMemory;

    @AfterEach
    void stop() throws java.io.IOException {
        trainops.close();
        if (inMemory != null) {
            try (var files = java.nio.file.Files.walk(inMemory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void badInputAtScale_everyToolRefusesTenThousandHostileArgumentSetsWithoutInternalErrorsLeaksOrStoredRows() throws Exception {
        ToolCatalog catalog = trainops.catalog();
        awaitReady(catalog);
        FuzzChecks.Tally tally = new FuzzChecks.Tally();
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        System.out.println("bad input: seed " + SEED + ", " + CASES + " cases per tool, each as " + ADMIN.describe() + " and " + MEMBER.describe());
        try (FuzzChecks.StoreRows rows = new FuzzChecks.StoreRows(dataDir)) {
            for (Tool<?, ?> tool : catalog.tools()) {
                long t0 = System.nanoTime();
                fuzz(catalog, tool, rows, tally, failures);
                rows.trimAuditLog(AUDIT_KEPT);
                System.out.println("bad input: " + tool.name() + " " + CASES + " cases in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                ToolOutcome alive = catalog.invoke("get_gpu_availability", Map.of(), CallContext.of(MEMBER));
                assertThat(alive).as("the catalog stopped answering after " + tool.name()).isInstanceOf(ToolOutcome.Success.class);
            }
        }
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        String report = tally.report("Bad input, in process, through ToolCatalog.invoke", SEED, millis);
        System.out.print(report);
        tally.write(Path.of("target", "fuzz-report.txt"), report);
        assertThat(failures).as("seed " + SEED + ", first failures").isEmpty();
        for (Tool<?, ?> tool : catalog.tools()) {
            assertThat(tally.get(tool.name(), "cases")).isGreaterThanOrEqualTo(CASES);
            assertThat(tally.get(tool.name(), "INTERNAL") + tally.get(tool.name(), "leaks") + tally.get(tool.name(), "stored_refusals"))
                    .as(tool.name()).isZero();
        }
    }

    private void fuzz(ToolCatalog catalog, Tool<?, ?> tool, FuzzChecks.StoreRows rows, FuzzChecks.Tally tally, List<String> failures)
            throws Exception {
        String name = tool.name();
        long seed = SEED ^ name.hashCode();
        boolean writes = !tool.hints().readOnly();
        HostileArguments hostile = new HostileArguments(catalog.inputSchema(tool), new Random(seed), writes);
        Set<String> before = writes ? rows.ids() : Set.of();
        Set<String> answered = new HashSet<>();
        List<java.util.function.Supplier<String>> refusedSinceCheck = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            HostileArguments.Case c = hostile.next();
            tally.add(name, "cases");
            long caseStarted = System.nanoTime();
            for (Principal principal : List.of(ADMIN, MEMBER)) {
                int index = i;
                java.util.function.Supplier<String> label = () -> name + " case " + index + " (tool seed " + seed + ") " + c.kind() + " as "
                        + principal.subject() + ": " + FuzzChecks.describe(c.arguments());
                ToolOutcome outcome = catalog.invoke(name, c.arguments(), CallContext.of(principal));
                check(name, outcome, label, tally, failures);
                if (writes && outcome instanceof ToolOutcome.Success s) {
                    FuzzChecks.idsIn(s.structured(), answered);
                } else if (writes) {
                    refusedSinceCheck.add(label);
                }
            }
            tally.time(name, c.kind(), System.nanoTime() - caseStarted);
            if (writes && (i % STORE_CHECK_EVERY == STORE_CHECK_EVERY - 1 || i == CASES - 1)) {
                Set<String> after = rows.ids();
                Set<String> unexplained = new HashSet<>(after);
                unexplained.removeAll(before);
                unexplained.removeAll(answered);
                if (!unexplained.isEmpty()) {
                    tally.add(name, "stored_refusals", unexplained.size());
                    fail(failures, "stored rows no success answered for: " + unexplained + " among refused cases " + refusedSinceCheck.stream()
                            .limit(5).map(java.util.function.Supplier::get).toList());
                }
                before = after;
                refusedSinceCheck.clear();
            }
        }
    }

    private static void check(String tool, ToolOutcome outcome, java.util.function.Supplier<String> label, FuzzChecks.Tally tally, List<String> failures) {
        tally.add(tool, "calls");
        String text;
        if (outcome instanceof ToolOutcome.Success s) {
            tally.add(tool, "ok");
            text = s.text() + " " + Json.write(s.structured());
        } else {
            ToolOutcome.Failure f = (ToolOutcome.Failure) outcome;
            ErrorCode code = f.error().code();
            tally.add(tool, code.name());
            if (!FuzzChecks.allowed(tool).contains(code)) {
                fail(failures, code + " for " + label.get() + " -> " + f.text());
            }
            text = f.text() + " " + f.error().hint() + " " + f.error().details();
        }
        String leak = FuzzChecks.leak(text);
        if (leak != null) {
            tally.add(tool, "leaks");
            fail(failures, "leak " + leak + " for " + label.get());
        }
    }

    private static void fail(List<String> failures, String failure) {
        if (failures.size() < 20) {
            System.out.println("FUZZ FAILURE: " + failure);
            failures.add(failure);
        }
    }

    /** The sandbox opens its store, inventory and run history in the background: each tool answers a plain call first. */
    private static void awaitReady(ToolCatalog catalog) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        for (String tool : List.of("get_gpu_availability", "get_job_queue_status", "forecast_training_cost", "get_budget_status")) {
            Map<String, Object> args = switch (tool) {
                case "forecast_training_cost" -> Map.of("job_name", "llm", "remaining_epochs", 1);
                case "get_budget_status" -> Map.of("scope", "team-a");
                default -> Map.of();
            };
            ToolOutcome o = catalog.invoke(tool, args);
            while (o instanceof ToolOutcome.Failure f && f.error().code() == ErrorCode.UPSTREAM_UNAVAILABLE && System.nanoTime() < deadline) {
                Thread.sleep(200);
                o = catalog.invoke(tool, args);
            }
            assertThat(o).as(tool + " never answered: " + o).isInstanceOf(ToolOutcome.Success.class);
        }
    }
}
