package dev.trainops.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.mlflow.MlflowRun;
import dev.trainops.queue.JobSpec;
import dev.trainops.queue.JobState;
import dev.trainops.queue.JobStatus;
import dev.trainops.queue.Priority;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.recommend.RunEvidence;
import dev.trainops.recommend.RunEvidenceSource;
import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training gauges follow the queue's active jobs: latest values while running, gone once ended. */
class TrainingPollerTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));

    static QueuedJob job(String id, String run, JobState state) {
        JobSpec spec = new JobSpec("team-a", run, "llm", "llm", Priority.NORMAL, 0, "H100", 1, 5, 64, Map.of(), false, null, null,
                1_000_000, 3600, null, null, null);
        return new QueuedJob(id, spec, new JobStatus(state, null, null, Instant.parse("2026-11-30T10:00:05Z"), "h100-a-1", 1, true,
                Instant.parse("2026-11-30T10:00:00Z"), Instant.parse("2026-11-30T10:00:01Z"), Instant.parse("2026-11-30T10:00:05Z"), null,
                null, 0));
    }

    static MlflowRun.MetricPoint p(String key, double v, long step) {
        return new MlflowRun.MetricPoint(key, v, Instant.parse("2026-11-30T11:00:00Z").plusSeconds(step), step);
    }

    @Test
    void activeRunsExportTheirLatestValuesAndEndedOnesDropOut(@TempDir Path dir) throws Exception {
        Store store = Store.sqlite(dir);
        QueueStore queue = new QueueStore(store, clock);
        store.inTransaction(0, c -> {
            queue.insert(c, job("tj-000000000001", "llm-run-1", JobState.RUNNING));
            queue.insert(c, job("tj-000000000002", "llm-run-2", JobState.RUNNING));
            return null;
        });
        Map<String, RunEvidence> runs = new HashMap<>();
        runs.put("llm-run-1", new RunEvidence("a".repeat(32), "llm-run-1", "1", "RUNNING", Instant.parse("2026-11-30T10:00:05Z"), null,
                Map.of(), Map.of(), Map.of("val_loss", List.of(p("val_loss", 2.0, 1), p("val_loss", 1.6, 2)),
                        "val_perplexity", List.of(p("val_perplexity", 5.2, 1), p("val_perplexity", 4.9, 2)))));
        runs.put("llm-run-2", new RunEvidence("b".repeat(32), "llm-run-2", "1", "RUNNING", Instant.parse("2026-11-30T10:00:05Z"), null,
                Map.of(), Map.of(), Map.of("train_loss", List.of(p("train_loss", 3.0, 1)), "val_accuracy", List.of(p("val_accuracy", 0.41, 1)))));
        RunEvidenceSource source = new RunEvidenceSource() {
            @Override
            public Lookup lookup(String runIdOrName, int maxSiblings) {
                return new Lookup(runs.get(runIdOrName), List.of(), null, false);
            }

            @Override
            public String name() {
                return "memory";
            }
        };
        Metrics metrics = MetricsTest.fresh();
        TrainingPoller poller = new TrainingPoller(metrics, queue, () -> source);
        poller.poll();
        String text = metrics.scrape();
        assertThat(MetricsTest.value(text, "trainops_training_loss", "run=\"llm-run-1\"")).isEqualTo(1.6);
        assertThat(MetricsTest.value(text, "trainops_training_perplexity", "run=\"llm-run-1\"")).isEqualTo(4.9);
        assertThat(MetricsTest.value(text, "trainops_training_loss", "run=\"llm-run-2\"")).isEqualTo(3.0);
        assertThat(MetricsTest.value(text, "trainops_training_accuracy", "run=\"llm-run-2\"")).isEqualTo(0.41);

        store.inTransaction(0, c -> {
            QueuedJob j = queue.find(c, "tj-000000000001").orElseThrow();
            queue.update(c, j.ended(JobState.SUCCEEDED, null, "done", j.started(), clock.instant()));
            return null;
        });
        poller.poll();
        assertThat(metrics.scrape()).doesNotContain("llm-run-1").contains("llm-run-2");
    }
}
