package dev.trainops.access;

/** Each principal's call budget (rule 8): asked once per tool call, before anything else is done. */
@FunctionalInterface
public interface RateLimiter {
    /** 0 when {@code principal} may call now (the call is counted); else how many seconds until it may. */
    long admit(Principal principal);

    RateLimiter NONE = p -> 0;
}
