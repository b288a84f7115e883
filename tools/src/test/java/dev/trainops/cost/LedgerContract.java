package dev.trainops.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ledger's behaviour, run against every store (SQLite and PostgreSQL subclasses). */
abstract class LedgerContract {
    final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T23:00:00Z"));
    final PriceBook prices = new PriceBook(List.of(CostRulesTest.prices("v1", Instant.parse("2026-01-01T00:00:00Z"), "6.880000", ZoneId.of("UTC"))));
    Ledger ledger;
    String job;

    abstract Store store() throws Exception;

    @BeforeEach
    void open() throws Exception {
        ledger = new Ledger(store(), prices, clock);
        job = "job-" + UUID.randomUUID();
    }

    UsageSegment usage(String start, String end) {
        return new UsageSegment(job, Instant.parse(start), Instant.parse(end), "H100", BigDecimal.ONE, new BigDecimal("8"),
                new BigDecimal("64"), false);
    }

    @Test
    void recordsPricedSlicesSplitAtTariffBoundaries() {
        List<PricedSlice> written = ledger.record(usage("2026-03-02T21:30:00Z", "2026-03-02T22:30:00Z"), "team-a", "llm");

        assertThat(written).extracting(PricedSlice::rateClass).containsExactly(RateClass.PEAK, RateClass.OFF_PEAK);
        assertThat(ledger.slices(job)).isEqualTo(written);
        assertThat(ledger.jobCost(job)).isEqualTo(written.get(0).cost().plus(written.get(1).cost()));
    }

    @Test
    void aRestartedWriterThatReplaysLosesAndDoublesNothing() {
        // first writer: records up to 21:40, then the process is killed
        ledger.record(usage("2026-03-02T21:00:00Z", "2026-03-02T21:40:00Z"), "team-a", "llm");
        // the restarted writer replays from the job's start to now
        Ledger restarted = new Ledger(storeUnchecked(), prices, clock);
        restarted.record(usage("2026-03-02T21:00:00Z", "2026-03-02T22:30:00Z"), "team-a", "llm");
        restarted.record(usage("2026-03-02T21:00:00Z", "2026-03-02T22:30:00Z"), "team-a", "llm");

        List<PricedSlice> slices = restarted.slices(job);
        assertThat(slices.stream().mapToLong(PricedSlice::seconds).sum()).isEqualTo(90 * 60);
        for (int i = 1; i < slices.size(); i++) {
            assertThat(slices.get(i).start()).isEqualTo(slices.get(i - 1).end());
        }
        assertThat(restarted.recordedUntil(job)).contains(Instant.parse("2026-03-02T22:30:00Z"));
        Money oneGo = prices.cost(usage("2026-03-02T21:00:00Z", "2026-03-02T22:30:00Z"));
        assertThat(restarted.jobCost(job)).isEqualTo(oneGo);
    }

    @Test
    void passesAtFractionalInstantsBillEveryWholeSecondOnce() {
        // a pod started at 10:00:00.700 and billed every 15.3 s until it ends at 10:05:01.900
        Instant start = Instant.parse("2026-03-02T10:00:00.700Z");
        Instant end = Instant.parse("2026-03-02T10:05:01.900Z");
        for (Instant now = start.plusMillis(15_300); now.isBefore(end); now = now.plusMillis(15_300)) {
            ledger.record(new UsageSegment(job, start, now, "H100", BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, false), "team-a", "llm");
        }
        ledger.record(new UsageSegment(job, start, end, "H100", BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, false), "team-a", "llm");
        List<PricedSlice> slices = ledger.slices(job);
        assertThat(slices).hasSizeGreaterThan(10);
        assertThat(slices.get(0).start()).isEqualTo(Instant.parse("2026-03-02T10:00:00Z"));
        assertThat(slices.stream().mapToLong(PricedSlice::seconds).sum()).isEqualTo(301);
        for (int i = 1; i < slices.size(); i++) {
            assertThat(slices.get(i).start()).isEqualTo(slices.get(i - 1).end());
        }
        // each slice is a line item rounded half-even to the micro-unit: at most half a micro-unit each off a one-shot price
        Money oneShot = prices.cost(new UsageSegment(job, Instant.parse("2026-03-02T10:00:00Z"), Instant.parse("2026-03-02T10:05:01Z"),
                "H100", BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, false));
        assertThat(ledger.jobCost(job).minus(oneShot).amount().abs())
                .isLessThanOrEqualTo(new BigDecimal("0.0000005").multiply(BigDecimal.valueOf(slices.size())));
    }

    @Test
    void teamCostUsesHalfOpenRanges() {
        ledger.record(usage("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"), "team-x-" + job, "llm");
        String team = "team-x-" + job;
        assertThat(ledger.teamCost(team, Instant.parse("2026-03-02T10:00:00Z"), Instant.parse("2026-03-02T11:00:00Z")).isZero()).isFalse();
        assertThat(ledger.teamCost(team, Instant.parse("2026-03-02T09:00:00Z"), Instant.parse("2026-03-02T10:00:00Z")).isZero()).isTrue();
    }

    Store storeUnchecked() {
        try {
            return store();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
