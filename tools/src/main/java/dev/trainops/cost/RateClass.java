package dev.trainops.cost;

/** How a second of usage is priced. */
public enum RateClass {
    PEAK, OFF_PEAK, SPOT
}
