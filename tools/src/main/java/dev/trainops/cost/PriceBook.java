package dev.trainops.cost;

import dev.trainops.kube.SpotNodes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every price-list version, and the pricing of usage against them: a segment is cut at tariff
 * boundaries and at price-version changes, to the second, and each slice is priced at the rates
 * in force then (cost rules 2, 3, 5). Spot segments are priced at the spot rate, on-demand ones at
 * peak or off-peak (cost rule 4).
 */
public final class PriceBook {
    private static final BigDecimal SECONDS_PER_HOUR = new BigDecimal(3600);

    private final List<PriceList> versions;
    private final SpotNodes spotNodes;

    public PriceBook(List<PriceList> versions) {
        this(versions, SpotNodes.DEFAULTS);
    }

    /** @param spotNodes which nodes are spot capacity (billed at the spot rate) and what spot Jobs tolerate */
    public PriceBook(List<PriceList> versions, SpotNodes spotNodes) {
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("a price book needs at least one price list");
        }
        List<PriceList> sorted = new ArrayList<>(versions);
        sorted.sort(Comparator.comparing(PriceList::effectiveFrom));
        for (PriceList p : sorted) {
            if (!p.currency().equals(sorted.get(0).currency())) {
                throw new IllegalArgumentException("every price list must use " + sorted.get(0).currency() + "; " + p.version() + " uses " + p.currency());
            }
        }
        this.versions = List.copyOf(sorted);
        this.spotNodes = java.util.Objects.requireNonNull(spotNodes, "spotNodes must not be null");
    }

    /** Which nodes are spot capacity: usage on them is billed at the spot rate (cost rule 4). */
    public SpotNodes spotNodes() {
        return spotNodes;
    }

    public java.util.Currency currency() {
        return versions.get(0).currency();
    }

    /** The price list in force at {@code instant}; before the first one, the first one. */
    public PriceList at(Instant instant) {
        PriceList current = versions.get(0);
        for (PriceList p : versions) {
            if (!p.effectiveFrom().isAfter(instant)) {
                current = p;
            }
        }
        return current;
    }

    public PriceList current(Instant now) {
        return at(now);
    }

    public List<PriceList> versions() {
        return versions;
    }

    /** The hourly cost of a segment's resources at peak on-demand rates under {@code prices}. */
    public static BigDecimal hourlyRate(PriceList prices, UsageSegment usage) {
        BigDecimal rate = prices.cpuCoreHour().multiply(usage.cpuCores()).add(prices.memoryGibHour().multiply(usage.memoryGib()));
        if (usage.gpus().signum() > 0) {
            rate = rate.add(prices.gpuRate(usage.gpuType()).multiply(usage.gpus()));
        }
        return rate;
    }

    public List<PricedSlice> price(UsageSegment usage) {
        List<PricedSlice> out = new ArrayList<>();
        Instant cursor = usage.start();
        while (cursor.isBefore(usage.end())) {
            PriceList prices = at(cursor);
            Instant versionEnd = nextVersionStart(cursor);
            Instant stretchEnd = versionEnd != null && versionEnd.isBefore(usage.end()) ? versionEnd : usage.end();
            // also cut at UTC midnight, so each slice belongs to exactly one report day (cost rule 9)
            Instant midnight = cursor.atZone(java.time.ZoneOffset.UTC).toLocalDate().plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            if (midnight.isBefore(stretchEnd)) {
                stretchEnd = midnight;
            }
            BigDecimal hourly = hourlyRate(prices, usage);
            if (usage.spot()) {
                out.add(slice(usage, cursor, stretchEnd, RateClass.SPOT, prices, hourly.multiply(prices.spotMultiplier())));
            } else {
                for (TariffCalendar.Slice s : prices.calendar().split(cursor, stretchEnd)) {
                    out.add(slice(usage, s.start(), s.end(), s.rateClass(), prices,
                            hourly.multiply(prices.calendar().multiplier(s.rateClass()))));
                }
            }
            cursor = stretchEnd;
        }
        return out;
    }

    /** The total of {@link #price}: the exact sum of its slices. */
    public Money cost(UsageSegment usage) {
        return PricedSlice.total(price(usage), currency());
    }

    /**
     * Prices a job over [start, start + seconds) as the ledger will bill it: its footprint's usage
     * segment, priced by {@link #price(UsageSegment)}. Every estimate (forecast, compare, validate,
     * queue, recommend) goes through here, so an estimate and the bill share one engine.
     */
    public List<PricedSlice> price(JobFootprint job, Instant start, long seconds, boolean spot) {
        return price(job.over("estimate", start, seconds, spot));
    }

    /** The total of {@link #price(JobFootprint, Instant, long, boolean)}. */
    public Money cost(JobFootprint job, Instant start, long seconds, boolean spot) {
        return seconds <= 0 ? Money.zero(currency()) : PricedSlice.total(price(job, start, seconds, spot), currency());
    }

    /** A job's hourly cost at the on-demand peak rate of the price list in force at {@code at}: GPU share, CPU and memory. */
    public BigDecimal peakHourly(JobFootprint job, Instant at) {
        return hourlyRate(at(at), job.over("estimate", at, 0, false));
    }

    private Instant nextVersionStart(Instant after) {
        for (PriceList p : versions) {
            if (p.effectiveFrom().isAfter(after)) {
                return p.effectiveFrom();
            }
        }
        return null;
    }

    private static PricedSlice slice(UsageSegment usage, Instant start, Instant end, RateClass rc, PriceList prices, BigDecimal hourly) {
        long seconds = Duration.between(start, end).toSeconds();
        BigDecimal amount = hourly.multiply(BigDecimal.valueOf(seconds)).divide(SECONDS_PER_HOUR, Money.SCALE, RoundingMode.HALF_EVEN);
        return new PricedSlice(usage.jobId(), start, end, seconds, rc, prices.version(), new Money(amount, prices.currency()));
    }
}
