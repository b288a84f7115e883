package dev.trainops.gpu;

import java.util.OptionalDouble;

/**
 * One node's GPU figures from one read of the source: mean utilisation in percent and GPU memory
 * used over total (0-1), each if known. A caller that needs both, or needs to test and then use a
 * figure, takes one reading, so a refresh in between cannot hand it halves of two reads.
 */
public record NodeReading(OptionalDouble percent, OptionalDouble memoryRatio) {
    public static final NodeReading UNKNOWN = new NodeReading(OptionalDouble.empty(), OptionalDouble.empty());
}
