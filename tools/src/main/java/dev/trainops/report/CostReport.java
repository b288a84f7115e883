package dev.trainops.report;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The answer of generate_cost_report. Amounts are exact decimal strings; lines sum exactly to the total. */
public record CostReport(
        Instant start,
        Instant end,
        CostReportRequest.GroupBy groupBy,
        @Nullable String team,
        String currency,
        BigDecimal total,
        @JsonPropertyDescription("Total split by rate class: PEAK, OFF_PEAK, SPOT.") List<RateSplit> byRateClass,
        List<Line> lines,
        @JsonPropertyDescription("The previous period of the same length, and the change.") Trend trend,
        long gpuSeconds,
        List<String> notes) {

    public CostReport {
        byRateClass = List.copyOf(byRateClass);
        lines = List.copyOf(lines);
        notes = List.copyOf(notes);
    }

    public record RateSplit(String rateClass, BigDecimal cost, long seconds) {
    }

    public record Line(String key, BigDecimal cost, long seconds, List<RateSplit> byRateClass) {
        public Line {
            byRateClass = List.copyOf(byRateClass);
        }
    }

    public record Trend(Instant previousStart, BigDecimal previousTotal, BigDecimal change,
                        @Nullable @JsonPropertyDescription("Percent change, null when the previous period cost nothing.") BigDecimal changePercent) {
    }
}
