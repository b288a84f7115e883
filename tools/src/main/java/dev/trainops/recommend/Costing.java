package dev.trainops.recommend;

import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PriceList;
import dev.trainops.cost.PricedSlice;
import dev.trainops.cost.RateClass;
import dev.trainops.cost.UsageSegment;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Prices a run and its alternatives with the cost engine (cost rule 10): GPU time of a type and
 * share over an interval, through the tariff calendar and the price list in force then. Only GPU
 * time is priced: it is what every strategy changes, and what dominates a training bill.
 */
final class Costing {
    private final PriceBook book;
    private final String gpuType;
    private final BigDecimal gpus;

    Costing(PriceBook book, String gpuType, int gpuCount) {
        this.book = book;
        this.gpuType = gpuType;
        this.gpus = BigDecimal.valueOf(gpuCount);
    }

    String gpuType() {
        return gpuType;
    }

    BigDecimal gpus() {
        return gpus;
    }

    PriceList prices(Instant at) {
        return book.at(at);
    }

    Money zero() {
        return Money.zero(book.currency());
    }

    /** The run's own GPUs over [start, start + seconds). */
    Money cost(Instant start, long seconds) {
        return cost(start, seconds, gpuType, gpus, false);
    }

    Money cost(Instant start, long seconds, String type, BigDecimal share, boolean spot) {
        return seconds <= 0 ? zero() : book.cost(segment(start, seconds, type, share, spot));
    }

    /** Seconds of [start, start + seconds) at the off-peak rate. */
    long offPeakSeconds(Instant start, long seconds) {
        if (seconds <= 0) {
            return 0;
        }
        List<PricedSlice> slices = book.price(segment(start, seconds, gpuType, gpus, false));
        return slices.stream().filter(s -> s.rateClass() == RateClass.OFF_PEAK).mapToLong(PricedSlice::seconds).sum();
    }

    /** The on-demand peak hourly rate of the run's GPUs under the price list in force at {@code at}. */
    BigDecimal peakHourly(Instant at) {
        return PriceBook.hourlyRate(book.at(at), segment(at, 1, gpuType, gpus, false));
    }

    private static UsageSegment segment(Instant start, long seconds, String type, BigDecimal share, boolean spot) {
        return new UsageSegment("recommend", start, start.plusSeconds(seconds), type, share, BigDecimal.ZERO, BigDecimal.ZERO, spot);
    }
}
