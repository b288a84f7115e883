package dev.trainops.queue;

import java.math.BigDecimal;

/** Requests unlike the defaults, so a test sees that an estimate takes its CPU and memory from {@link JobRequests}. */
public record TestRequests(BigDecimal coresPerGpu, BigDecimal gibPerGpu) implements JobRequests {
    public static final TestRequests TWELVE_CORES_100_GIB = new TestRequests(new BigDecimal("12"), new BigDecimal("100"));

    @Override
    public BigDecimal cpuCores(String model, int gpus) {
        return coresPerGpu.multiply(BigDecimal.valueOf(gpus));
    }

    @Override
    public BigDecimal memoryGib(String model, int gpus) {
        return gibPerGpu.multiply(BigDecimal.valueOf(gpus));
    }
}
