package dev.trainops.queue;

import static dev.trainops.testing.ClusterFixtures.gpuNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.compare.ConfigComparer;
import dev.trainops.compare.HistoryEstimator;
import dev.trainops.history.FinishedJobs;
import dev.trainops.history.OwnJobHistory;
import dev.trainops.store.Store;
import dev.trainops.testing.CrudMockServer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue priced from trainops's own finished jobs (docs/money.md, "History without MLflow"):
 * BUDGET_EXCEEDED's cheaper options include the batch size the history shows is cheaper per epoch,
 * priced by the same estimator as the rest; a model without history is priced at its time limit, or
 * queued with no estimate and says that max_cost cannot be checked before it runs.
 */
class HistoryEstimatesTest {
    static final Instant DAY = Instant.parse("2026-11-29T09:00:00Z");

    @TempDir
    Path dir;
    CrudMockServer mock;
    QueueHarness q;
    Estimator history;

    @BeforeEach
    void cluster() throws Exception {
        mock = new CrudMockServer();
        mock.client().resource(gpuNode("h100-a", "NVIDIA-H100-80GB-HBM3", 81559, 8)).create();
        // spot capacity of the type, so the spot option is offered (docs/queue.md, "Spot and on-demand")
        mock.client().resource(new io.fabric8.kubernetes.api.model.NodeBuilder(gpuNode("h100-spot", "NVIDIA-H100-80GB-HBM3", 81559, 8))
                .editMetadata().addToLabels("karpenter.sh/capacity-type", "spot").endMetadata().build()).create();
        q = new QueueHarness(mock.client(), Store.sqlite(dir), Scheduler.Settings.defaults());
        q.quota("team-a", 16);
        FinishedJobs.store(q.queue,
                // llm: 900 s/epoch at batch size 64, 700 s/epoch at 128: the larger batch is cheaper
                FinishedJobs.succeeded("tj-00000000000a", "llm-bs64", "llm", "H100", 1, 4, 64, DAY, 3600),
                FinishedJobs.succeeded("tj-00000000000b", "llm-bs128", "llm", "H100", 1, 4, 128, DAY.plusSeconds(7200), 2800),
                // vit: 600 s/epoch at batch size 32, 800 s/epoch at 256: the smaller batch is cheaper
                FinishedJobs.succeeded("tj-00000000000c", "vit-bs32", "vit", "H100", 1, 2, 32, DAY, 1200),
                FinishedJobs.succeeded("tj-00000000000d", "vit-bs256", "vit", "H100", 1, 2, 256, DAY.plusSeconds(7200), 1600));
        OwnJobHistory own = new OwnJobHistory(q.queue, q.clock);
        history = new HistoryEstimator(new ConfigComparer(own, q.prices, q.clock), own);
        q.estimator = new TimeLimitEstimator(history, model -> model.equals("timed") ? Optional.of(Duration.ofHours(2)) : Optional.empty(),
                q.prices, JobFootprints.wholeGpus(QuotaConfig.defaults()));
    }

    @AfterEach
    void close() {
        q.close();
        mock.close();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> options(ToolException e) {
        return (List<Map<String, Object>>) e.details().get("options");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> arguments(Map<String, Object> option) {
        return (Map<String, Object>) option.get("arguments");
    }

    ToolException refused(QueueRequest r) {
        try {
            q.service.submit(r);
        } catch (ToolException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.BUDGET_EXCEEDED);
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void aLargerBatchSizeTheHistoryShowsIsCheaperPerEpochIsAnOptionNextToFewerEpochsOffPeakAndSpot() {
        // 10 epochs at batch size 64: 9,000 s on one H100; at 128, 7,000 s
        BigDecimal at64 = history.estimate("llm", 10, 64, "H100", 1, false, q.clock.instant()).orElseThrow().cost().amount();
        BigDecimal at128 = history.estimate("llm", 10, 128, "H100", 1, false, q.clock.instant()).orElseThrow().cost().amount();
        assertThat(at128).isLessThan(at64);
        String cap = at128.add(new BigDecimal("0.01")).setScale(2, java.math.RoundingMode.DOWN).toPlainString();
        ToolException e = refused(new QueueRequest("llm", "capped", "team-a", 10, 64, Priority.NORMAL, 1, "H100", null, null, null, cap, null));
        List<Map<String, Object>> options = options(e);
        Map<String, Object> batch = options.stream().filter(o -> arguments(o).get("batch_size").equals(128)).findFirst().orElseThrow();
        assertThat(new BigDecimal((String) batch.get("estimated_cost"))).isEqualByComparingTo(at128);
        assertThat((String) batch.get("description")).contains("batch size 128 instead of 64").contains("llm-bs128 in trainops-jobs");
        assertThat(arguments(batch)).containsEntry("epochs", 10).containsEntry("model", "llm").containsEntry("max_cost", cap);
        assertThat(options).anySatisfy(o -> assertThat(arguments(o)).containsEntry("spot", true));
        assertThat(options).anySatisfy(o -> assertThat(arguments(o)).containsEntry("schedule", "off_peak"));
        assertThat(options).anySatisfy(o -> assertThat((int) arguments(o).get("epochs")).isLessThan(10));
        assertThat(options).allSatisfy(o -> assertThat(new BigDecimal((String) o.get("estimated_cost"))).isLessThanOrEqualTo(new BigDecimal(cap)));
    }

    @Test
    void aSmallerBatchSizeIsTheOptionWhenTheHistoryShowsItIsTheCheaperOne() {
        BigDecimal at32 = history.estimate("vit", 10, 32, "H100", 1, false, q.clock.instant()).orElseThrow().cost().amount();
        String cap = at32.add(new BigDecimal("0.01")).setScale(2, java.math.RoundingMode.DOWN).toPlainString();
        ToolException e = refused(new QueueRequest("vit", "capped", "team-a", 10, 256, Priority.NORMAL, 1, "H100", null, null, null, cap,
                null));
        Map<String, Object> batch = options(e).stream().filter(o -> arguments(o).get("batch_size").equals(32)).findFirst().orElseThrow();
        assertThat(new BigDecimal((String) batch.get("estimated_cost"))).isEqualByComparingTo(at32);
        assertThat((String) batch.get("description")).contains("batch size 32 instead of 256");
        // and never the dearer direction: at batch size 32, no option moves to 256
        ToolException other = refused(new QueueRequest("vit", "capped", "team-a", 10, 32, Priority.NORMAL, 1, "H100", null, null, null,
                "1.00", null));
        assertThat(options(other)).noneSatisfy(o -> assertThat(arguments(o).get("batch_size")).isEqualTo(256));
        assertThat(history.batchSizes("vit", "H100")).containsExactly(32, 256);
    }

    @Test
    void validateJobResourcesListsTheCheaperBatchSizeAmongItsCheaperAlternatives() {
        PlanningService planning = new PlanningService(PriorityConfig.defaults(), QuotaConfig.defaults(), q.queue, q.scheduler, q.index,
                q::budgetStatus, q.prices, q.clock, q.estimator, q.footprints(), q.dryRun);
        Validation v = planning.validate(new ValidateRequest("llm", 10, 64, 1, "H100", "team-a"));
        Validation.Alternative batch = v.cheaperAlternatives().stream().filter(a -> Integer.valueOf(128).equals(a.batchSize())).findFirst()
                .orElseThrow();
        assertThat(batch.estimatedCost()).isEqualByComparingTo(
                history.estimate("llm", 10, 128, "H100", 1, false, q.clock.instant()).orElseThrow().cost().amount());
        assertThat(batch.saving()).isEqualByComparingTo(v.estimatedCost().subtract(batch.estimatedCost()));
        assertThat(batch.description()).contains("batch size 128");
        // at the cheaper batch size already, the dearer one is not offered
        assertThat(planning.validate(new ValidateRequest("llm", 10, 128, 1, "H100", "team-a")).cheaperAlternatives())
                .noneSatisfy(a -> assertThat(a.batchSize()).isEqualTo(64));
    }

    @Test
    void aModelWithoutHistoryIsPricedAtItsTimeLimitWithAWarning() {
        QueueAnswer a = q.service.submit(new QueueRequest("timed", "first", "team-a", 3, 64, Priority.NORMAL, 1, "H100", null, null, null,
                null, null));
        assertThat(a.estimatedDurationSeconds()).isEqualTo(7200);
        assertThat(a.estimatedCost()).isPositive();
        assertThat(a.warnings()).anyMatch(w -> w.contains("no run history") && w.contains("time limit (7200 s)"));
        // above a cap it is refused like any estimate
        assertThatThrownBy(() -> q.service.submit(new QueueRequest("timed", "second", "team-a", 3, 64, Priority.NORMAL, 1, "H100", null,
                null, null, "1.00", null))).isInstanceOfSatisfying(ToolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BUDGET_EXCEEDED));
    }

    @Test
    void aModelWithoutHistoryIsPricedAllInAtItsTemplatesTimeLimitAndOneWithoutALimitIsQueuedWithNoEstimate() throws Exception {
        Path file = dir.resolve("jobs.yaml");
        java.nio.file.Files.writeString(file, """
                templates:
                  default:
                    image: ghcr.io/trainops/trainer:latest
                    cpu_per_gpu: "8"
                    memory_per_gpu: 64Gi
                  timed:
                    active_deadline_seconds: 7200
                """);
        JobTemplates templates = JobTemplates.load(file);
        JobFootprints footprints = new JobFootprints(templates, JobFootprints.Shares.WHOLE);
        q.estimator = new TimeLimitEstimator(history, templates::timeLimit, q.prices, footprints);
        Instant now = q.clock.instant();
        // the time limit priced all-in: one H100, 8 cores and 64 GiB for 2 h, as the ledger bills that footprint
        BigDecimal allIn = q.prices.cost(footprints.of("timed", "H100", 1), now, 7200, false).amount();
        BigDecimal gpuOnly = q.prices.cost(new dev.trainops.cost.JobFootprint("H100", BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO), now,
                7200, false).amount();
        assertThat(allIn).isGreaterThan(gpuOnly);

        QueueAnswer a = q.service.submit(new QueueRequest("timed", "first", "team-a", 3, 64, Priority.NORMAL, 1, "H100", null, null, null,
                null, null));
        assertThat(a.estimatedDurationSeconds()).isEqualTo(7200);
        assertThat(a.estimatedCost()).isEqualByComparingTo(allIn);
        assertThat(a.warnings()).anyMatch(w -> w.contains("Model 'timed' has no run history") && w.contains("time limit (7200 s)"));
        String below = allIn.subtract(new BigDecimal("0.01")).setScale(2, java.math.RoundingMode.DOWN).toPlainString();
        ToolException e = refused(new QueueRequest("timed", "capped", "team-a", 3, 64, Priority.NORMAL, 1, "H100", null, null, null, below,
                null));
        assertThat(e.getMessage()).contains(below);

        QueueAnswer untimed = q.service.submit(new QueueRequest("untimed", "first", "team-a", 3, 64, Priority.NORMAL, 1, "H100", null, null,
                null, "1.00", null));
        assertThat(untimed.estimatedCost()).isZero();
        assertThat(untimed.warnings()).anyMatch(w -> w.contains("Model 'untimed' has no run history and its template sets no time limit")
                && w.contains("max_cost cannot be checked before it runs"));
    }

    @Test
    void aJobWhoseEstimateIsLongerThanItsTemplatesTimeLimitIsWarnedItWillBeStoppedThere() throws Exception {
        Path file = dir.resolve("jobs.yaml");
        java.nio.file.Files.writeString(file, """
                deadline: {factor: "2", slack_seconds: 1800}
                templates:
                  default:
                    image: ghcr.io/trainops/trainer:latest
                    cpu_per_gpu: "8"
                    memory_per_gpu: 64Gi
                  llm:
                    active_deadline_seconds: 3600
                """);
        JobTemplates templates = JobTemplates.load(file);
        QueueService service = new QueueService(q.queue, q.scheduler, PriorityConfig.defaults(), QuotaConfig.defaults(), q.estimator,
                q::budgetStatus, q.prices, q.clock, new DryRun(new JobManifest(PriorityConfig.defaults(), templates), q.scheduler, q.clock));
        // 10 epochs of llm at batch size 64: 9,000 s from its history, over the template's 3,600 s
        QueueAnswer a = service.submit(new QueueRequest("llm", "long", "team-a", 10, 64, Priority.NORMAL, 1, "H100", null, null, null, null,
                null));
        assertThat(a.estimatedDurationSeconds()).isGreaterThan(3600);
        assertThat(a.warnings()).anyMatch(w -> w.contains("longer than the time limit of model 'llm''s job template (active_deadline_seconds "
                + "3600 s): Kubernetes stops the Job there"));
        // 2 epochs fit: no such warning
        QueueAnswer b = service.submit(new QueueRequest("llm", "short", "team-a", 2, 64, Priority.NORMAL, 1, "H100", null, null, null, null,
                null));
        assertThat(b.estimatedDurationSeconds()).isLessThan(3600);
        assertThat(b.warnings()).noneMatch(w -> w.contains("Kubernetes stops the Job there"));
    }

    @Test
    void aBatchSaysWhichOfItsJobsHaveNoEstimate() {
        BatchService batches = new BatchService(q.queue, q.service, q.scheduler, q.prices, q.clock);
        BatchStatus b = batches.submit(new BatchRequest(List.of(
                new BatchRequest.Item("llm", "known", "team-a", 2, 64, Priority.NORMAL, 1, "H100", null, null, null, null),
                new BatchRequest.Item("untimed", "unknown", "team-a", 2, 64, Priority.NORMAL, 1, "H100", null, null, null, "1.00")),
                true, "mixed", null));
        assertThat(b.warnings()).hasSize(1);
        assertThat(b.warnings().get(0)).startsWith("unknown: ").contains("max_cost cannot be checked before it runs");
    }

    @Test
    void aModelWithNeitherHistoryNorTimeLimitIsQueuedWithNoEstimateAndSaysMaxCostCannotBeCheckedBeforeItRuns() {
        QueueAnswer a = q.service.submit(new QueueRequest("untimed", "first", "team-a", 3, 64, Priority.NORMAL, 1, "H100", null, null, null,
                "1.00", null));
        assertThat(a.estimatedCost()).isZero();
        assertThat(a.warnings()).anyMatch(w -> w.contains("no cost estimate") && w.contains("max_cost cannot be checked before it runs")
                && w.contains("Budgets count its usage as it runs"));
    }
}
