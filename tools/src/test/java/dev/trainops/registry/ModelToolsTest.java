package dev.trainops.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.audit.AuditEntry;
import dev.trainops.audit.AuditLog;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.Completions;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolError;
import dev.trainops.catalog.ToolOutcome;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.cost.UsageSegment;
import dev.trainops.history.FinishedJobs;
import dev.trainops.mlflow.MlflowRun;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four registry tools of issue 18 over the embedded registry, through the tool catalog as MCP
 * and the agent call them (snake_case arguments, the role gate, the audit log), with the queue and
 * the ledger in a real store: register, idempotency, promotion as aliases, lineage from the ledger,
 * and tenancy (DESIGN.md "Identity and tenancy" rules 1, 3, 4 and 7) for every registry tool.
 */
class ModelToolsTest {
    static final Instant START = Instant.parse("2026-11-29T09:00:00Z");
    static final Principal ALICE = new Principal("alice", Set.of("team-a"), Role.MEMBER);
    static final Principal BOB = new Principal("bob", Set.of("team-b"), Role.MEMBER);
    static final Principal VERA = new Principal("vera", Set.of("team-a"), Role.VIEWER);
    static final Principal ROOT = Principal.admin("root");
    static final String RUN_A = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    static final String RUN_A2 = "b1b2c3d4e5f60718293a4b5c6d7e8f90";
    static final String RUN_B = "c1b2c3d4e5f60718293a4b5c6d7e8f90";
    static final String RUN_LIVE = "d1b2c3d4e5f60718293a4b5c6d7e8f90";
    static final String JOB_A = "tj-00000000000d";

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
    @TempDir
    Path dir;
    Store store;
    Ledger ledger;
    AuditLog audit;
    ToolCatalog catalog;
    final Map<String, ModelRun> runs = new HashMap<>();

    static ModelRun run(String id, String name, String team, String status, double... accuracy) {
        List<MlflowRun.MetricPoint> points = new java.util.ArrayList<>();
        for (int i = 0; i < accuracy.length; i++) {
            points.add(new MlflowRun.MetricPoint("val_accuracy", accuracy[i], START.plusSeconds(600L * (i + 1)), i + 1));
        }
        return new ModelRun(id, name, "1", status, START.minusSeconds(600), "RUNNING".equals(status) ? null : START.plusSeconds(2400), team,
                Map.of("model", "llm", "batch_size", "64", "gpu_type", "H100", "team", team), Map.of("team", team),
                Map.of("val_loss", 1.25, "val_accuracy", accuracy.length == 0 ? 0.0 : accuracy[accuracy.length - 1], "weird", Double.NaN), points);
    }

    @BeforeEach
    void open() throws Exception {
        store = Store.sqlite(dir);
        PriceBook prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        ledger = new Ledger(store, prices, clock);
        audit = new AuditLog(store);
        QueueStore queue = new QueueStore(store, clock);
        // llm-a: preempted once, then succeeded; its two attempts are billed, one of them on spot
        QueuedJob job = FinishedJobs.preemptedThenSucceeded(JOB_A, "llm-a", "llm", "H100", 4, 64, START, 2400);
        FinishedJobs.store(queue, job);
        ledger.record(new UsageSegment("team-a/" + JOB_A + "-1-x7k2p", START.minusSeconds(580), START.minusSeconds(300), "H100", BigDecimal.ONE,
                new BigDecimal("8"), new BigDecimal("64"), false), "team-a", "llm", "llm-a");
        ledger.record(new UsageSegment("team-a/" + JOB_A + "-2-q9w4e", START, START.plusSeconds(2400), "H100", BigDecimal.ONE,
                new BigDecimal("8"), new BigDecimal("64"), true), "team-a", "llm", "llm-a");
        runs.put(RUN_A, run(RUN_A, "llm-a", "team-a", "FINISHED", 0.80, 0.86, 0.90));
        runs.put(RUN_A2, run(RUN_A2, "llm-a2", "team-a", "FINISHED", 0.80, 0.84));
        runs.put(RUN_B, run(RUN_B, "llm-b", "team-b", "FINISHED", 0.70, 0.75));
        runs.put(RUN_LIVE, run(RUN_LIVE, "llm-live", "team-a", "RUNNING", 0.5));
        catalog = catalog(ModelRegistry.embedded(dir.resolve("sandbox/models.json"), clock), queue);
    }

    ToolCatalog catalog(ModelRegistry registry, QueueStore queue) {
        ModelRun.Source source = nameOrId -> Optional.ofNullable(runs.get(nameOrId))
                .or(() -> runs.values().stream().filter(r -> r.runName().equals(nameOrId)).findFirst());
        ModelService service = new ModelService(registry, source, () -> queue, () -> ledger, java.util.Currency.getInstance("USD"), clock);
        return new ToolCatalog(ModelService.tools(() -> service), List.of(), ToolCatalog.CallObserver.NONE, Completions.none(),
                new ToolCatalog.Guards(dev.trainops.access.RateLimiter.NONE, audit, clock));
    }

    @AfterEach
    void close() {
        store.close();
    }

    Map<String, Object> ok(Principal who, String tool, Map<String, Object> args) {
        ToolOutcome o = catalog.invoke(tool, args, CallContext.of(who));
        assertThat(o).as(tool + " " + args + ": " + o).isInstanceOf(ToolOutcome.Success.class);
        return ((ToolOutcome.Success) o).structured();
    }

    ToolError fails(Principal who, String tool, Map<String, Object> args) {
        ToolOutcome o = catalog.invoke(tool, args, CallContext.of(who));
        assertThat(o).as(tool + " " + args).isInstanceOf(ToolOutcome.Failure.class);
        return ((ToolOutcome.Failure) o).error();
    }

    static Map<String, Object> promote(String name, String version, String stage) {
        return Map.of("name", name, "version", version, "stage", stage, "reason", "beats the holder on the holdout set");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    @Test
    void registerMakesVersionOneFromTheRunsArtifactTagsItAndAnswersItsLineageFromTheLedger() {
        Map<String, Object> v = ok(ALICE, "register_model", Map.of("run_id", "llm-a", "name", "llm-tiny", "description", "first cut"));

        assertThat(v).containsEntry("name", "llm-tiny").containsEntry("version", "1").containsEntry("created", true)
                .containsEntry("run_id", RUN_A).containsEntry("source", "runs:/" + RUN_A + "/model");
        BigDecimal billed = ledger.queueJobBilled("team-a", JOB_A).cost().amount();
        assertThat(map(v.get("tags"))).containsEntry("trainops.job", JOB_A).containsEntry("trainops.gpu_type", "H100")
                .containsEntry("trainops.team", "team-a").containsEntry("trainops.cost", billed.toPlainString())
                .containsEntry("trainops.accuracy", "0.9").containsEntry("trainops.registered_by", "alice")
                // 280 s + 2400 s of one H100
                .containsEntry("trainops.gpu_hours", "0.744444");
        Map<String, Object> lineage = map(v.get("lineage"));
        assertThat(new BigDecimal((String) lineage.get("cost"))).isEqualByComparingTo(billed);
        assertThat(lineage).containsEntry("team", "team-a").containsEntry("registry", "sandbox").containsEntry("registered_by", "alice");
        Map<String, Object> job = list(lineage.get("jobs")).get(0);
        assertThat(job).containsEntry("job_id", JOB_A).containsEntry("attempts", 2).containsEntry("preemptions", 1).containsEntry("state", "SUCCEEDED");
        assertThat(list(job.get("ledger"))).extracting(l -> l.get("ledger_id"))
                .containsExactly("team-a/" + JOB_A + "-1-x7k2p", "team-a/" + JOB_A + "-2-q9w4e");
        assertThat(list(lineage.get("by_rate_class"))).extracting(l -> l.get("rate_class")).contains("SPOT");
        // cost rule 8: 80% -> 90% is 10 points
        assertThat(new BigDecimal((String) lineage.get("cost_per_accuracy_point")))
                .isEqualByComparingTo(billed.divide(BigDecimal.TEN, 6, RoundingMode.HALF_EVEN));
        assertThat(map(map(lineage.get("run")).get("metrics"))).containsEntry("val_loss", 1.25).doesNotContainKey("weird");
    }

    @Test
    void registeringTheSameRunUnderTheSameNameAgainReturnsTheSameVersionAndAnotherNameIsAnotherModel() {
        ok(ALICE, "register_model", Map.of("run_id", RUN_A, "name", "llm-tiny"));
        Map<String, Object> again = ok(ALICE, "register_model", Map.of("run_id", "llm-a", "name", "llm-tiny"));
        assertThat(again).containsEntry("version", "1").containsEntry("created", false);
        assertThat(ok(ALICE, "register_model", Map.of("run_id", RUN_A2, "name", "llm-tiny"))).containsEntry("version", "2");
        assertThat(ok(ALICE, "register_model", Map.of("run_id", RUN_A, "name", "llm-other"))).containsEntry("version", "1")
                .containsEntry("created", true);
        Map<String, Object> models = ok(ALICE, "list_models", Map.of());
        assertThat(list(models.get("models"))).extracting(m -> m.get("name") + " v" + m.get("latest_version") + " " + m.get("team"))
                .containsExactly("llm-other v1 team-a", "llm-tiny v2 team-a");
    }

    @Test
    void aRunningRunIsNotRegisteredAndAnUnknownOneIsNotFound() {
        assertThat(fails(ALICE, "register_model", Map.of("run_id", RUN_LIVE, "name", "llm-tiny"))).satisfies(e -> {
            assertThat(e.code().name()).isEqualTo("INVALID_ARGUMENT");
            assertThat(e.details()).containsEntry("argument", "run_id");
            assertThat(e.message()).contains("is RUNNING; only a finished run's model is registered.");
        });
        assertThat(fails(ALICE, "register_model", Map.of("run_id", "no-such-run", "name", "llm-tiny")).code().name()).isEqualTo("NOT_FOUND");
        assertThat(fails(ALICE, "register_model", Map.of("run_id", RUN_A, "name", "it's")).details()).containsEntry("argument", "name");
    }

    @Test
    void promotionMovesTheAliasForwardOneStageAtATimeNamesThePreviousHolderAndIsAudited() {
        ok(ALICE, "register_model", Map.of("run_id", RUN_A, "name", "llm-tiny"));
        ok(ALICE, "register_model", Map.of("run_id", RUN_A2, "name", "llm-tiny"));

        assertThat(ok(ALICE, "promote_model", promote("llm-tiny", "1", "dev"))).containsEntry("kind", "FORWARD")
                .containsEntry("previous_holder", null).containsEntry("changed", true);
        assertThat(ok(ALICE, "promote_model", promote("llm-tiny", "1", "staging"))).containsEntry("previous_stage", "dev")
                .containsEntry("released", List.of("dev"));
        Map<String, Object> prod = ok(ALICE, "promote_model", promote("llm-tiny", "1", "production"));
        assertThat(map(prod.get("aliases"))).isEqualTo(Map.of("production", "1"));
        ok(ALICE, "promote_model", promote("llm-tiny", "2", "dev"));
        ok(ALICE, "promote_model", promote("llm-tiny", "2", "staging"));
        // the accuracy guard: version 2 (84%) is below version 1 (90%) in production
        assertThat(fails(ALICE, "promote_model", promote("llm-tiny", "2", "production"))).satisfies(e -> {
            assertThat(e.code().name()).isEqualTo("INVALID_ARGUMENT");
            assertThat(e.details()).containsEntry("argument", "force").containsEntry("holder_version", "1");
        });
        Map<String, Object> forced = ok(ALICE, "promote_model", Map.of("name", "llm-tiny", "version", "2", "stage", "production",
                "reason", "v1 leaks PII", "force", true));
        assertThat(forced).containsEntry("previous_holder", "1").containsEntry("forced", true);
        assertThat(map(forced.get("aliases"))).isEqualTo(Map.of("production", "2"));
        // version 1 now holds no stage: straight to staging skips dev, an admin's right
        ToolError skip = fails(ALICE, "promote_model", promote("llm-tiny", "1", "staging"));
        assertThat(skip.code().name()).isEqualTo("FORBIDDEN");
        assertThat(skip.hint()).isEqualTo("Promote it one stage at a time (next: dev), or ask an admin.");
        assertThat(ok(ROOT, "promote_model", promote("llm-tiny", "1", "production"))).containsEntry("kind", "SKIP")
                .containsEntry("previous_holder", "2");

        Map<String, Object> lineage = ok(ALICE, "get_model_lineage", Map.of("name", "llm-tiny", "version", "2"));
        assertThat(list(lineage.get("promotions"))).extracting(p -> p.get("stage") + " by " + p.get("by") + (Boolean.TRUE.equals(p.get("forced")) ? " forced" : ""))
                .containsExactly("dev by alice", "staging by alice", "production by alice forced");
        assertThat(lineage.get("aliases")).isEqualTo(List.of());
        assertThat(ok(ALICE, "get_model_lineage", Map.of("name", "llm-tiny", "alias", "production"))).containsEntry("version", "1");

        List<AuditEntry> entries = audit.list(Instant.EPOCH, null, null, "promote_model", 100);
        assertThat(entries).hasSize(9);
        assertThat(entries).allSatisfy(e -> assertThat(e.team()).isEqualTo("team-a"));
        assertThat(entries).filteredOn(e -> e.outcome().equals("FORBIDDEN")).singleElement()
                .satisfies(e -> assertThat(e.subject()).isEqualTo("alice"));
        assertThat(entries).anySatisfy(e -> assertThat(e.message()).isEqualTo("version 1 of llm-tiny: staging -> production (FORWARD)"));
        assertThat(entries).anySatisfy(e -> assertThat(e.arguments()).contains("v1 leaks PII"));
    }

    /**
     * Rule 1 for every registry tool: team-b's model is NOT_FOUND to a team-a member, in the very words
     * of a model that does not exist; its run is NOT_FOUND to register; list_models leaves it out and
     * a filter on team-b is NOT_FOUND. Rule 3: a viewer's register and promote are FORBIDDEN naming
     * the write scope. Rule 4: the admin sees both teams' models. Rule 7: the refusals are audited.
     */
    @Test
    void rule1_anotherTeamsModelIsNotFoundToAMemberForEveryRegistryTool() {
        ok(BOB, "register_model", Map.of("run_id", RUN_B, "name", "llm-b-model"));
        ok(ALICE, "register_model", Map.of("run_id", RUN_A, "name", "llm-tiny"));

        for (String tool : List.of("promote_model", "get_model_lineage")) {
            Map<String, Object> theirs = tool.equals("promote_model") ? promote("llm-b-model", "1", "dev") : Map.of("name", "llm-b-model");
            Map<String, Object> none = tool.equals("promote_model") ? promote("no-such-model", "1", "dev") : Map.of("name", "no-such-model");
            ToolError other = fails(ALICE, tool, theirs);
            ToolError missing = fails(ALICE, tool, none);
            assertThat(other.code().name()).as(tool).isEqualTo("NOT_FOUND");
            assertThat(other.message()).as(tool).isEqualTo(missing.message().replace("no-such-model", "llm-b-model"));
            assertThat(other.hint()).isEqualTo(missing.hint());
            assertThat(other.details()).isEqualTo(missing.details());
        }
        ToolError run = fails(ALICE, "register_model", Map.of("run_id", RUN_B, "name", "mine"));
        assertThat(run.code().name()).isEqualTo("NOT_FOUND");
        assertThat(run.message()).isEqualTo(fails(ALICE, "register_model", Map.of("run_id", "no-such-run", "name", "mine")).message()
                .replace("no-such-run", RUN_B));
        // a name team-b holds cannot take team-a's run, and the refusal does not say whose it is
        ToolError taken = fails(ALICE, "register_model", Map.of("run_id", RUN_A, "name", "llm-b-model"));
        assertThat(taken.code().name()).isEqualTo("INVALID_ARGUMENT");
        assertThat(taken.message()).doesNotContain("team-b");
        assertThat(list(ok(ALICE, "list_models", Map.of()).get("models"))).extracting(m -> m.get("name")).containsExactly("llm-tiny");
        assertThat(fails(ALICE, "list_models", Map.of("team", "team-b")).code().name()).isEqualTo("NOT_FOUND");
        assertThat(list(ok(ROOT, "list_models", Map.of()).get("models"))).extracting(m -> m.get("name") + " " + m.get("team"))
                .containsExactly("llm-b-model team-b", "llm-tiny team-a");
        assertThat(list(ok(ROOT, "list_models", Map.of("team", "team-b")).get("models"))).extracting(m -> m.get("name"))
                .containsExactly("llm-b-model");
        assertThat(ok(ROOT, "get_model_lineage", Map.of("name", "llm-b-model"))).containsEntry("team", "team-b");

        ToolError viewer = fails(VERA, "register_model", Map.of("run_id", RUN_A, "name", "llm-tiny"));
        assertThat(viewer.code().name()).isEqualTo("FORBIDDEN");
        assertThat(viewer.details()).containsEntry("required_scope", "trainops:write");
        assertThat(fails(VERA, "promote_model", promote("llm-tiny", "1", "dev")).code().name()).isEqualTo("FORBIDDEN");
        assertThat(ok(VERA, "get_model_lineage", Map.of("name", "llm-tiny"))).containsEntry("version", "1");

        assertThat(audit.list(Instant.EPOCH, null, "alice", null, 100)).filteredOn(e -> e.outcome().equals("NOT_FOUND"))
                .extracting(AuditEntry::tool).contains("promote_model", "register_model");
        assertThat(audit.list(Instant.EPOCH, "team-b", null, "promote_model", 100)).singleElement()
                .satisfies(e -> assertThat(e.subject()).isEqualTo("alice"));
    }

    @Test
    void theEmbeddedRegistryKeepsModelsVersionsTagsAndAliasesAcrossARestart() {
        ok(ALICE, "register_model", Map.of("run_id", RUN_A, "name", "llm-tiny"));
        ok(ALICE, "promote_model", promote("llm-tiny", "1", "dev"));

        ModelRegistry reopened = ModelRegistry.embedded(dir.resolve("sandbox/models.json"), clock);
        assertThat(reopened.model("llm-tiny").orElseThrow().aliases()).isEqualTo(Map.of("dev", "1"));
        assertThat(reopened.version("llm-tiny", "1").orElseThrow().tags()).containsEntry("trainops.job", JOB_A)
                .containsEntry("trainops.promoted.dev.by", "alice");
        assertThat(reopened.version("llm-tiny", "1").orElseThrow().aliases()).containsExactly("dev");
        assertThat(reopened.createVersion(new dev.trainops.mlflow.MlflowRegistry.NewVersion("llm-tiny", "runs:/x/model", "x", null, null,
                Map.of())).version()).isEqualTo("2");
    }
}
