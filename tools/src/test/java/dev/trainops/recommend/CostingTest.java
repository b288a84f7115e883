package dev.trainops.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.cost.JobFootprint;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.cost.UsageSegment;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Issue 13, "estimates equal the bill": the recommender's baseline and alternatives are the ledger's price of their segments. */
class CostingTest {
    static final Instant START = Instant.parse("2026-11-30T21:00:00Z"); // crosses 22:00

    @Test
    void estimatesEqualTheBill_theRunAndItsAlternativesArePricedWithTheirCpuAndMemoryAsTheLedgerBillsThem() throws Exception {
        PriceBook book = PricingConfig.load(Path.of("../config/pricing.yaml"));
        JobFootprint run = new JobFootprint("H100", new BigDecimal("2"), new BigDecimal("16"), new BigDecimal("128"));
        Costing costing = new Costing(book, run);
        long seconds = 7_200;
        BigDecimal billed = book.cost(new UsageSegment("bill", START, START.plusSeconds(seconds), "H100", new BigDecimal("2"),
                new BigDecimal("16"), new BigDecimal("128"), false)).amount();
        assertThat(costing.cost(START, seconds).amount()).isEqualByComparingTo(billed);
        BigDecimal gpuOnly = book.cost(new UsageSegment("gpu", START, START.plusSeconds(seconds), "H100", new BigDecimal("2"),
                BigDecimal.ZERO, BigDecimal.ZERO, false)).amount();
        assertThat(billed).isGreaterThan(gpuOnly);
        // a MIG slice instead keeps the run's CPU and memory; on spot, all of it at the spot rate
        BigDecimal slice = new BigDecimal("0.142857142857");
        assertThat(costing.cost(START, seconds, "H100", slice, true).amount()).isEqualByComparingTo(book.cost(new UsageSegment("bill",
                START, START.plusSeconds(seconds), "H100", slice, new BigDecimal("16"), new BigDecimal("128"), true)).amount());
        // the peak hourly rate: 2 x 6.88 + 16 x 0.031611 + 128 x 0.004237
        assertThat(costing.peakHourly(START)).isEqualByComparingTo("14.808112");
        assertThat(costing.offPeakSeconds(START, seconds)).isEqualTo(3_600);
    }
}
