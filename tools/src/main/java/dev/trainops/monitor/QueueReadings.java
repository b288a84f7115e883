package dev.trainops.monitor;

import dev.trainops.cost.Money;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.QuotaStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What the collector reads from the open queue besides its store (the app adapts {@code JobQueue} to it). */
public interface QueueReadings {

    /** What a running job has cost so far: what its max_cost is checked against. */
    Money costSoFar(QueuedJob job, Instant now);

    /** Per team, its use of each quota resource, as check_training_quota reports it. */
    Map<String, List<QuotaStatus.Usage>> quotaUsage();

    /** The share of a quota at which a team is warned (quotas.yaml warn_at). */
    BigDecimal quotaWarnAt();
}
