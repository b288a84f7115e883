package dev.trainops.cost;

import java.time.Instant;

/** A stretch of one usage segment at one rate class and price version, with its exact cost. */
public record PricedSlice(String jobId, Instant start, Instant end, long seconds, RateClass rateClass,
                          String priceVersion, Money cost) {
}
