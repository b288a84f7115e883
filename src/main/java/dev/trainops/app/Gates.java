package dev.trainops.app;

import dev.trainops.access.RateLimiter;

/**
 * What a server lets through: each principal's call budget (rule 8) and whether it only reads
 * (docs/architecture.md, "Read-only mode"). {@link #OPEN} for the bench, the chat and tests.
 *
 * @param rateLimitPerMinute tool calls a minute per principal, bursts up to as many; 0 is no limit
 * @param readOnly           only read-only tools are listed; nothing is written to the cluster or the store,
 *                           and the control loops (admission, usage recording) do not run
 */
record Gates(int rateLimitPerMinute, boolean readOnly) {
    static final Gates OPEN = new Gates(0, false);

    Gates {
        if (rateLimitPerMinute < 0) {
            throw new IllegalArgumentException("--rate-limit must be 0 (no limit) or more calls a minute, was " + rateLimitPerMinute + ".");
        }
    }

    RateLimiter limiter() {
        return RateLimiter.perMinute(rateLimitPerMinute);
    }
}
