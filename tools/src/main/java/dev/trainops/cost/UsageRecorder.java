package dev.trainops.cost;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the cluster's GPU usage to the ledger as jobs run: each pass records every pod's usage
 * up to now (running) or to its end (finished). The ledger trims what it already holds, so passes
 * may overlap and a restart loses and doubles nothing.
 *
 * <p>Usage on a GPU type the price list has no rate for cannot be billed; it is not dropped
 * quietly: {@link #unpriced()} holds it per GPU type, for the health tool and the
 * {@code trainops_unpriced_gpu_seconds_total} metric (docs/architecture.md, "Money model").
 */
public final class UsageRecorder {
    private static final Logger log = LoggerFactory.getLogger(UsageRecorder.class);

    private final ClusterUsage usage;
    private final Ledger ledger;
    private final PriceBook prices;
    private final Clock clock;
    /** GPU type -> pod -> GPU-seconds used so far (each pass sees a pod's whole usage again, so the latest value wins). */
    private final Map<String, Map<String, BigDecimal>> unpricedSeconds = new ConcurrentHashMap<>();
    private final Map<String, Instant> unpricedSince = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /** Without the price book, usage that cannot be billed is logged (once per job) but not accounted per GPU type. */
    public UsageRecorder(ClusterUsage usage, Ledger ledger, Clock clock) {
        this(usage, ledger, null, clock);
    }

    public UsageRecorder(ClusterUsage usage, Ledger ledger, PriceBook prices, Clock clock) {
        this.usage = usage;
        this.ledger = ledger;
        this.prices = prices;
        this.clock = clock;
    }

    /** A GPU type in use without a price, and how much of it went unbilled. */
    public record Unpriced(String gpuType, BigDecimal gpuSeconds, int pods, Instant since) {
    }

    /** One pass; returns how many slices were newly written. */
    public int recordOnce() {
        int written = 0;
        Instant now = clock.instant();
        for (ClusterUsage.PodUsage p : usage.usage(now)) {
            UsageSegment u = p.usage();
            if (prices != null && u.gpus().signum() > 0 && !priced(u)) {
                unpricedSeconds.computeIfAbsent(u.gpuType(), t -> new ConcurrentHashMap<>()).put(u.jobId(),
                        u.gpus().multiply(BigDecimal.valueOf(Duration.between(u.start(), u.end()).toSeconds())));
                if (unpricedSince.putIfAbsent(u.gpuType(), now) == null) {
                    log.warn("GPU type {} has no price in config/pricing.yaml: its usage (first {}) is not billed until it is priced",
                            u.gpuType(), u.jobId());
                }
                continue;
            }
            try {
                written += ledger.record(u, p.team(), p.experiment(), p.runName()).size();
            } catch (IllegalArgumentException e) {
                // usage the ledger refuses: say so once per job, keep recording the rest
                if (warned.add(u.jobId())) {
                    log.warn("not billing {}: {}", u.jobId(), e.getMessage());
                }
            }
        }
        return written;
    }

    /** GPU types used without a price, by name. */
    public List<Unpriced> unpriced() {
        List<Unpriced> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, BigDecimal>> e : new TreeMap<>(unpricedSeconds).entrySet()) {
            BigDecimal total = e.getValue().values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            out.add(new Unpriced(e.getKey(), total, e.getValue().size(), unpricedSince.get(e.getKey())));
        }
        return out;
    }

    /** Whether the price lists in force at the segment's start and end have a rate for its GPU type. */
    private boolean priced(UsageSegment u) {
        try {
            return prices.at(u.start()).gpuHour().containsKey(u.gpuType()) && prices.at(u.end()).gpuHour().containsKey(u.gpuType());
        } catch (RuntimeException e) {
            // no price list in force at all: the ledger says so in its own words
            return true;
        }
    }
}
