package dev.trainops.queue;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The CPU cores and memory a job's pods request, by model and GPU count: what the ledger bills
 * beside the GPUs, so every estimate prices them too (docs/money.md, "Estimates and the bill").
 */
public interface JobRequests {

    BigDecimal cpuCores(String model, int gpus);

    BigDecimal memoryGib(String model, int gpus);

    /** One flat per-GPU request for every model (config/quotas.yaml's container defaults), for tools built without job templates; the server prices from {@link JobTemplates}. */
    static JobRequests perGpu(QuotaConfig quotas) {
        BigDecimal cpu = Quantity.getAmountInBytes(quotas.cpuPerGpu());
        // as the ledger reads a pod's memory request: GiB to 6 decimals (cost/ClusterUsage)
        BigDecimal gib = Quantity.getAmountInBytes(quotas.memoryPerGpu()).divide(BigDecimal.valueOf(1L << 30), 6, RoundingMode.HALF_EVEN);
        return new JobRequests() {
            @Override
            public BigDecimal cpuCores(String model, int gpus) {
                return cpu.multiply(BigDecimal.valueOf(gpus));
            }

            @Override
            public BigDecimal memoryGib(String model, int gpus) {
                return gib.multiply(BigDecimal.valueOf(gpus));
            }
        };
    }
}
