package dev.trainops.access;

import java.util.function.LongSupplier;

/** Each principal's call budget (rule 8): asked once per tool call, before anything else is done. */
@FunctionalInterface
public interface RateLimiter {
    /** 0 when {@code principal} may call now (the call is counted); else how many seconds until it may. */
    long admit(Principal principal);

    RateLimiter NONE = p -> 0;

    /**
     * A token bucket per principal (by subject): bursts of up to {@code callsPerMinute} calls,
     * refilled continuously at {@code callsPerMinute} a minute, on {@link System#nanoTime()}
     * (never the sandbox's sped-up clock). 0 is no limit.
     */
    static RateLimiter perMinute(int callsPerMinute) {
        return perMinute(callsPerMinute, System::nanoTime);
    }

    /** As {@link #perMinute(int)}, on {@code nanoTime} (a test's ticker). */
    static RateLimiter perMinute(int callsPerMinute, LongSupplier nanoTime) {
        if (callsPerMinute < 0) {
            throw new IllegalArgumentException("--rate-limit must be 0 (no limit) or more calls a minute, was " + callsPerMinute);
        }
        return callsPerMinute == 0 ? NONE : new TokenBuckets(callsPerMinute, nanoTime);
    }
}
