package dev.trainops.cost;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the cluster's GPU usage to the ledger as jobs run: each pass records every pod's usage
 * up to now (running) or to its end (finished). The ledger trims what it already holds, so passes
 * may overlap and a restart loses and doubles nothing.
 */
public final class UsageRecorder {
    private static final Logger log = LoggerFactory.getLogger(UsageRecorder.class);

    private final ClusterUsage usage;
    private final Ledger ledger;
    private final Clock clock;

    public UsageRecorder(ClusterUsage usage, Ledger ledger, Clock clock) {
        this.usage = usage;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** One pass; returns how many slices were newly written. */
    public int recordOnce() {
        int written = 0;
        for (ClusterUsage.PodUsage p : usage.usage(clock.instant())) {
            try {
                written += ledger.record(p.usage(), p.team(), p.experiment(), p.runName()).size();
            } catch (IllegalArgumentException e) {
                // e.g. a GPU type without a price: say so once per pass, keep recording the rest
                log.warn("not billing {}: {}", p.usage().jobId(), e.getMessage());
            }
        }
        return written;
    }
}
