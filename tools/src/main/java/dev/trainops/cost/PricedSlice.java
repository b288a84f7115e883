package dev.trainops.cost;

import java.time.Instant;

/** A stretch of one usage segment at one rate class and price version, with its exact cost. */
public record PricedSlice(String jobId, Instant start, Instant end, long seconds, RateClass rateClass,
                          String priceVersion, Money cost) {

    /** The exact sum of the slices' costs (zero for none). */
    public static Money total(java.util.List<PricedSlice> slices, java.util.Currency currency) {
        Money total = Money.zero(currency);
        for (PricedSlice s : slices) {
            total = total.plus(s.cost());
        }
        return total;
    }
}
