package dev.trainops.recommend;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.trainops.recommend.RunBuilder.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolOutcome;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.cost.UsageSegment;
import dev.trainops.mlflow.MlflowClient;
import dev.trainops.mlflow.MlflowFixtures;
import dev.trainops.mlflow.MlflowReader;
import dev.trainops.testing.MutableClock;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * recommend_cost_optimization end to end over MLflow's REST API (WireMock): the real H200 runs of
 * tools/src/test/resources/h200-runs.jsonl and a mixed set of synthetic runs, through the tool catalog as an MCP
 * client or the agent calls it.
 */
class RecommendThroughMlflowTest {
    static final List<String> MIXED = List.of("mnist-bs32", "llm-bs64", "llm-bs128", "wasteful", "fp32-stalls", "bert-lr1e4");

    /** Reads answers back: the wire's decimal strings into BigDecimals (the server's mapper refuses that coercion on input). */
    static final tools.jackson.databind.json.JsonMapper READ = tools.jackson.databind.json.JsonMapper.builder()
            .propertyNamingStrategy(tools.jackson.databind.PropertyNamingStrategies.SNAKE_CASE).build();

    final WireMockServer mlflow = new WireMockServer(options().dynamicPort());
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T12:00:00Z"));
    final AtomicLong ticker = new AtomicLong();
    PriceBook prices;
    MlflowRunEvidence source;
    ToolCatalog catalog;
    MlflowReader reader;

    @BeforeEach
    void serve() throws Exception {
        MlflowFixtures runs = MlflowFixtures.h200();
        run("wasteful").param("model", "vision").start("2026-11-30T09:00:00Z").param("batch_size", "32").param("checkpoint_dir", "/ckpt")
                .utilization(12.0).memoryMb(3_000).valLoss(1.0, 0.9, 0.8, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0).into(runs);
        run("fp32-stalls").param("model", "speech").param("precision", "32").utilization(100.0, 100.0, 100.0, 5.0).into(runs);
        run("bert-lr1e4").param("model", "bert").param("learning_rate", "0.0001")
                .valLoss(1.0, 0.9, 0.8, 0.7, 0.65, 0.6, 0.55, 0.5, 0.5, 0.5).into(runs);
        run("bert-lr3e4").param("model", "bert").param("learning_rate", "0.0003").start("2026-11-29T22:30:00Z")
                .valLoss(0.9, 0.75, 0.6, 0.55, 0.5, 0.48, 0.47, 0.46, 0.46, 0.46).into(runs);
        mlflow.start();
        runs.serve(mlflow);
        MlflowClient client = new MlflowClient(new MlflowClient.Config(URI.create(mlflow.baseUrl() + "/"), null, null, null,
                Duration.ofSeconds(3), 2, Duration.ofMillis(10)));
        reader = new MlflowReader(client, clock, Duration.ofMinutes(1), ticker::get, Runnable::run);
        prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        source = new MlflowRunEvidence(reader, dev.trainops.access.ExperimentTeams.NONE);
        catalog = catalogWith(prices);
    }

    ToolCatalog catalogWith(PriceBook book) {
        return new ToolCatalog(List.of(CostRecommender.tool(() -> new CostRecommender(source, book, JobContext.Lookup.NONE, clock))));
    }

    @AfterEach
    void stop() {
        mlflow.stop();
    }

    Recommendations call(ToolCatalog c, String runId) {
        ToolOutcome outcome = c.invoke("recommend_cost_optimization", Map.of("run_id", runId));
        assertThat(outcome).as(outcome.text()).isInstanceOf(ToolOutcome.Success.class);
        return READ.convertValue(((ToolOutcome.Success) outcome).structured(), Recommendations.class);
    }

    static Set<RecommendationType> types(Recommendations r) {
        Set<RecommendationType> out = EnumSet.noneOf(RecommendationType.class);
        r.recommendations().forEach(x -> out.add(x.type()));
        return out;
    }

    @Test
    void theSmallBatchLowUtilisationH200RunGetsABatchSizeRecommendationWithASaving() {
        Recommendations r = call(catalog, "mnist-bs32");
        Recommendations.Recommendation batch = r.recommendations().stream().filter(x -> x.type() == RecommendationType.BATCH_SIZE)
                .findFirst().orElseThrow();
        assertThat(batch.title()).startsWith("Use batch_size=128 instead of 32");
        assertThat(batch.trigger()).contains("at batch_size 32 <= 64");
        assertThat(batch.estimatedSavings().amount()).isPositive();
        assertThat(batch.estimatedSavings().amount().scale()).isEqualTo(6);
        assertThat(batch.action().arguments()).containsEntry("batch_size", 128).containsEntry("model", "mnist-mlp");
        assertThat(r.run().gpuType()).isEqualTo("H200");
        assertThat(types(r)).contains(RecommendationType.LOW_GPU_UTILIZATION, RecommendationType.RIGHT_SIZE_GPU);
    }

    @Test
    void theWellUtilisedLargeBatchH200RunGetsNoBatchSizeOrUtilisationRecommendation() {
        Recommendations r = call(catalog, "llm-bs128");
        assertThat(types(r)).doesNotContain(RecommendationType.BATCH_SIZE, RecommendationType.LOW_GPU_UTILIZATION,
                RecommendationType.RIGHT_SIZE_GPU);
        assertThat(r.checked()).filteredOn(c -> c.type() == RecommendationType.RIGHT_SIZE_GPU).singleElement()
                .satisfies(c -> assertThat(c.why()).contains("compute-bound"));
        assertThat(r.run().siblings()).containsExactly("llm-bs64");
    }

    @Test
    void aMixedSetOfRunsGetsAtLeastFiveTypesAndNeverAZeroOrNegativeSaving() {
        Set<RecommendationType> seen = EnumSet.noneOf(RecommendationType.class);
        for (String name : MIXED) {
            Recommendations r = call(catalog, name);
            seen.addAll(types(r));
            assertThat(r.recommendations()).allSatisfy(x -> {
                assertThat(x.estimatedSavings().amount()).as(name + " " + x.type()).isPositive();
                assertThat(x.estimatedSavings().percent()).isGreaterThanOrEqualTo(BigDecimal.ONE);
            });
        }
        assertThat(seen).hasSizeGreaterThanOrEqualTo(5);
        assertThat(seen).containsAll(EnumSet.allOf(RecommendationType.class));
    }

    @Test
    void costRule10_eachRecommendationNamesItsTriggerAndASavingPricedByTheCostEngine(@TempDir Path dir) throws Exception {
        Path doubled = dir.resolve("pricing.yaml");
        Files.writeString(doubled, Files.readString(Path.of("../config/pricing.yaml"))
                .replace("H100: \"6.880000\"", "H100: \"13.760000\"").replace("H200: \"10.600000\"", "H200: \"21.200000\"")
                .replace("cpu_core_hour: \"0.031611\"", "cpu_core_hour: \"0.063222\"")
                .replace("memory_gib_hour: \"0.004237\"", "memory_gib_hour: \"0.008474\""));
        ToolCatalog pricier = catalogWith(PricingConfig.load(doubled));
        for (String name : MIXED) {
            Recommendations r = call(catalog, name);
            // the baseline is the run as the ledger would bill it: its GPUs with their CPU and memory (8 cores, 64 GiB a GPU)
            String type = r.run().gpuType();
            var evidence = source.lookup(name, 0).run();
            Instant end = evidence.end();
            assertThat(r.baselineCost()).isEqualByComparingTo(prices.cost(new UsageSegment("check", evidence.start(), end, type,
                    BigDecimal.valueOf(r.run().gpuCount()), BigDecimal.valueOf(8L * r.run().gpuCount()),
                    BigDecimal.valueOf(64L * r.run().gpuCount()), false)).amount());
            Recommendations twice = call(pricier, name);
            for (Recommendations.Recommendation x : r.recommendations()) {
                assertThat(x.trigger()).as(name + " " + x.type()).isNotBlank();
                assertThat(x.estimatedSavings().amount()).isEqualByComparingTo(r.baselineCost().subtract(x.estimatedSavings().costAfter()));
                if (x.type() != RecommendationType.RIGHT_SIZE_GPU) {
                    // priced by the engine: twice the rates, twice the saving (to a micro-unit per priced slice)
                    BigDecimal again = twice.recommendations().stream().filter(y -> y.type() == x.type()).findFirst().orElseThrow()
                            .estimatedSavings().amount();
                    assertThat(again.subtract(x.estimatedSavings().amount().multiply(BigDecimal.valueOf(2))).abs())
                            .as(name + " " + x.type()).isLessThanOrEqualTo(new BigDecimal("0.000004"));
                }
            }
        }
    }

    @Test
    void theTextIsShortEnoughForAChatWindowAndTheStructuredContentIsComplete() {
        ToolOutcome outcome = catalog.invoke("recommend_cost_optimization", Map.of("run_id", "wasteful"));
        assertThat(outcome.text().length()).isLessThan(900);
        assertThat(outcome.text().lines().count()).isLessThanOrEqualTo(8);
        Recommendations r = call(catalog, "wasteful");
        assertThat(r.recommendations()).allSatisfy(x -> {
            assertThat(x.rationale()).isNotBlank();
            assertThat(x.evidence()).isNotEmpty();
            assertThat(x.action().description()).isNotBlank();
            assertThat(x.estimatedSavings().basis()).isNotBlank();
        });
    }

    @Test
    void aRunIdWorksAsWellAsARunName() {
        String id = source.lookup("llm-bs64", 0).run().runId();
        assertThat(call(catalog, id).run().runName()).isEqualTo("llm-bs64");
    }

    @Test
    void withMlflowDownTheAnswerComesFromTheCacheMarkedStale() {
        Recommendations fresh = call(catalog, "mnist-bs32");
        assertThat(fresh.stale()).isFalse();
        mlflow.stop();
        ticker.addAndGet(Duration.ofMinutes(2).toNanos());
        Recommendations cached = call(catalog, "mnist-bs32");
        assertThat(cached.stale()).isTrue();
        assertThat(cached.recommendations()).hasSameSizeAs(fresh.recommendations());
        assertThat(cached.notes()).anySatisfy(n -> assertThat(n).contains("mlflow did not answer"));
    }

    @Test
    void anUnknownRunIsNotFoundWithTheFix() {
        ToolOutcome outcome = catalog.invoke("recommend_cost_optimization", Map.of("run_id", "no-such-run"));
        assertThat(outcome).isInstanceOf(ToolOutcome.Failure.class);
        assertThat(((ToolOutcome.Failure) outcome).error().code().name()).isEqualTo("NOT_FOUND");
        assertThat(((ToolOutcome.Failure) outcome).error().hint()).contains("run id or run name");
        ToolOutcome bad = catalog.invoke("recommend_cost_optimization", Map.of("run_id", "mnist-bs32", "patience", 0));
        assertThat(((ToolOutcome.Failure) bad).error().message()).contains("patience");
    }

    @Test
    void rule6_aRunAnotherTeamOwnsIsTheSameNotFoundAsAnUnknownRun() {
        // the fixture's experiment, "runs", is team-a's: its runs are team-a's (config/teams.yaml)
        MlflowRunEvidence owned = new MlflowRunEvidence(reader, new dev.trainops.access.ExperimentTeams(Map.of("runs", "team-a")));
        ToolCatalog c = new ToolCatalog(List.of(CostRecommender.tool(() -> new CostRecommender(owned, prices, JobContext.Lookup.NONE, clock))));
        dev.trainops.access.Principal alice = new dev.trainops.access.Principal("alice", Set.of("team-a"), dev.trainops.access.Role.VIEWER);
        dev.trainops.access.Principal bob = new dev.trainops.access.Principal("bob", Set.of("team-b"), dev.trainops.access.Role.VIEWER);
        assertThat(c.invoke("recommend_cost_optimization", Map.of("run_id", "mnist-bs32"), dev.trainops.catalog.CallContext.of(alice)))
                .isInstanceOf(ToolOutcome.Success.class);
        ToolOutcome.Failure hidden = (ToolOutcome.Failure) c.invoke("recommend_cost_optimization", Map.of("run_id", "mnist-bs32"),
                dev.trainops.catalog.CallContext.of(bob));
        ToolOutcome.Failure unknown = (ToolOutcome.Failure) c.invoke("recommend_cost_optimization", Map.of("run_id", "nosuchrun"),
                dev.trainops.catalog.CallContext.of(bob));
        assertThat(hidden.error().code()).isEqualTo(dev.trainops.catalog.ErrorCode.NOT_FOUND);
        assertThat(hidden.text()).isEqualTo(unknown.text().replace("nosuchrun", "mnist-bs32"));
        // rule 6: without teams.yaml the run is of no team, for admins only
        assertThat(catalog.invoke("recommend_cost_optimization", Map.of("run_id", "mnist-bs32"), dev.trainops.catalog.CallContext.of(alice)))
                .isInstanceOf(ToolOutcome.Failure.class);
        assertThat(catalog.invoke("recommend_cost_optimization", Map.of("run_id", "mnist-bs32"), dev.trainops.catalog.CallContext.NONE))
                .isInstanceOf(ToolOutcome.Success.class);
    }
}
