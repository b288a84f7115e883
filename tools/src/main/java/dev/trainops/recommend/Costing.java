package dev.trainops.recommend;

import dev.trainops.cost.JobFootprint;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PriceList;
import dev.trainops.cost.PricedSlice;
import dev.trainops.cost.RateClass;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Prices a run and its alternatives with the cost engine (cost rule 10), as the ledger bills them:
 * the run's footprint (GPU type and share, CPU cores, memory) over an interval, through the tariff
 * calendar and the price list in force then ({@link PriceBook#price(JobFootprint, Instant, long, boolean)}).
 * An alternative on other GPUs keeps the run's CPU and memory.
 */
final class Costing {
    private final PriceBook book;
    private final JobFootprint job;

    Costing(PriceBook book, JobFootprint job) {
        this.book = book;
        this.job = job;
    }

    String gpuType() {
        return job.gpuType();
    }

    BigDecimal gpus() {
        return job.gpus();
    }

    PriceList prices(Instant at) {
        return book.at(at);
    }

    Money zero() {
        return Money.zero(book.currency());
    }

    /** The run's own footprint over [start, start + seconds). */
    Money cost(Instant start, long seconds) {
        return book.cost(job, start, seconds, false);
    }

    /** The run on {@code share} GPUs of {@code type} instead, with its own CPU and memory. */
    Money cost(Instant start, long seconds, String type, BigDecimal share, boolean spot) {
        return book.cost(job.onGpus(type, share), start, seconds, spot);
    }

    /** Seconds of [start, start + seconds) at the off-peak rate. */
    long offPeakSeconds(Instant start, long seconds) {
        if (seconds <= 0) {
            return 0;
        }
        List<PricedSlice> slices = book.price(job, start, seconds, false);
        return slices.stream().filter(s -> s.rateClass() == RateClass.OFF_PEAK).mapToLong(PricedSlice::seconds).sum();
    }

    /** The run's on-demand peak hourly cost (GPUs, CPU and memory) under the price list in force at {@code at}. */
    BigDecimal peakHourly(Instant at) {
        return book.peakHourly(job, at);
    }
}
