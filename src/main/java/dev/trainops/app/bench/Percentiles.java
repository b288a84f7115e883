package dev.trainops.app.bench;

/** Percentiles of nanosecond samples, in milliseconds. */
final class Percentiles {
    private Percentiles() {
    }

    /** The {@code p}th percentile (nearest rank) of {@code sorted}, ascending nanoseconds, in milliseconds. */
    static double of(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
