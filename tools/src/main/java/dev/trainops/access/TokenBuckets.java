package dev.trainops.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Rule 8's call budget: one token bucket per principal, kept as its theoretical arrival time
 * (GCRA, the generic cell rate algorithm; the same decisions as a bucket of {@code capacity}
 * tokens refilled at one token per {@code interval}, in one long). The buckets live in a bounded
 * Caffeine cache: a bucket untouched for a minute is full again, so it may go, and at most
 * {@link #MAX_PRINCIPALS} are kept (past that the least used one is dropped, which only refills it).
 */
final class TokenBuckets implements RateLimiter {
    static final long MAX_PRINCIPALS = 10_000;
    private static final long MINUTE_NANOS = Duration.ofMinutes(1).toNanos();
    private static final long SECOND_NANOS = Duration.ofSeconds(1).toNanos();

    private final long interval;
    private final long tolerance;
    private final LongSupplier nanoTime;
    private final Cache<String, Bucket> buckets;

    TokenBuckets(int callsPerMinute, LongSupplier nanoTime) {
        if (callsPerMinute < 1) {
            throw new IllegalArgumentException("calls per minute must be at least 1, was " + callsPerMinute);
        }
        this.interval = MINUTE_NANOS / callsPerMinute;
        // a burst of callsPerMinute calls: the first is free, each further one borrows an interval
        this.tolerance = interval * (callsPerMinute - 1);
        this.nanoTime = nanoTime;
        this.buckets = Caffeine.newBuilder().maximumSize(MAX_PRINCIPALS).expireAfterAccess(Duration.ofMinutes(1))
                .ticker(nanoTime::getAsLong).build();
    }

    @Override
    public long admit(Principal principal) {
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.get(principal.subject(), s -> new Bucket(now));
        long waitNanos = bucket.take(now, interval, tolerance);
        return waitNanos <= 0 ? 0 : Math.max(1, (waitNanos + SECOND_NANOS - 1) / SECOND_NANOS);
    }

    /** How many principals have a bucket now (tests of the bound). */
    long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    /** One principal's bucket: the time by which all its calls so far are paid for. */
    private static final class Bucket {
        private long paidUntil;

        Bucket(long now) {
            this.paidUntil = now;
        }

        /** Counts a call at {@code now} and returns 0, or returns how many nanoseconds until one may be made. */
        synchronized long take(long now, long interval, long tolerance) {
            long start = now - paidUntil > 0 ? now : paidUntil;
            long owed = start - now;
            if (owed > tolerance) {
                return owed - tolerance;
            }
            paidUntil = start + interval;
            return 0;
        }
    }
}
