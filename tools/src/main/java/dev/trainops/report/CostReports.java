package dev.trainops.report;

import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolException;
import dev.trainops.catalog.ToolHints;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** generate_cost_report over the ledger: half-open UTC day ranges, exact lines, a trend (cost rule 9). */
public final class CostReports {
    static final int MAX_DAYS = 366;

    private final Ledger ledger;
    private final Currency currency;

    public CostReports(Ledger ledger, Currency currency) {
        this.ledger = ledger;
        this.currency = currency;
    }

    public CostReport report(CostReportRequest request) {
        LocalDate startDay = day(request.startDate(), "start_date");
        LocalDate endDay = day(request.endDate(), "end_date");
        if (!endDay.isAfter(startDay)) {
            throw ToolException.invalidArgument("end_date", "end_date " + endDay + " is not after start_date " + startDay + ".",
                    "The range is half-open [start_date, end_date): for one day, set end_date to the next day (" + startDay.plusDays(1) + ").");
        }
        if (startDay.plusDays(MAX_DAYS).isBefore(endDay)) {
            throw ToolException.invalidArgument("end_date", "The range is longer than " + MAX_DAYS + " days.", "Report a year at most at a time.");
        }
        CostReportRequest.GroupBy groupBy = request.groupBy() == null ? CostReportRequest.GroupBy.team : request.groupBy();
        Instant start = startDay.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = endDay.atStartOfDay(ZoneOffset.UTC).toInstant();
        String team = request.team() == null || request.team().isBlank() ? null : request.team().trim();

        List<Ledger.Booked> rows = ledger.between(start, end, team);
        Map<String, Acc> lines = new TreeMap<>();
        Acc total = new Acc();
        long gpuSeconds = 0;
        for (Ledger.Booked b : rows) {
            String key = switch (groupBy) {
                case team -> b.team();
                case experiment -> b.experiment();
                case job -> b.slice().jobId();
                case day -> b.slice().start().atZone(ZoneOffset.UTC).toLocalDate().toString();
                case rate_class -> b.slice().rateClass().name();
            };
            lines.computeIfAbsent(key, k -> new Acc()).add(b);
            total.add(b);
            gpuSeconds += b.slice().seconds();
        }
        Duration length = Duration.between(start, end);
        Instant previousStart = start.minus(length);
        Money previous = Money.zero(currency);
        for (Ledger.Booked b : ledger.between(previousStart, start, team)) {
            previous = previous.plus(b.slice().cost());
        }
        Money change = total.cost.minus(previous);
        BigDecimal percent = previous.isZero() ? null
                : change.amount().multiply(BigDecimal.valueOf(100)).divide(previous.amount(), 2, RoundingMode.HALF_EVEN);
        List<CostReport.Line> out = new ArrayList<>();
        lines.forEach((k, acc) -> out.add(new CostReport.Line(k, acc.cost.amount(), acc.seconds, acc.splits())));
        List<String> notes = new ArrayList<>();
        if (rows.isEmpty()) {
            notes.add("No billed usage in this range" + (team == null ? "" : " for " + team) + ".");
        }
        notes.add("Usage is booked by the UTC day its slice starts; slices are cut at UTC midnight, so the days of a period sum to the period.");
        return new CostReport(start, end, groupBy, team, currency.getCurrencyCode(), total.cost.amount(), total.splits(), out,
                new CostReport.Trend(previousStart, previous.amount(), change.amount(), percent), gpuSeconds, notes);
    }

    private static LocalDate day(String value, String argument) {
        try {
            return LocalDate.parse(value == null ? "" : value.trim());
        } catch (DateTimeParseException e) {
            throw ToolException.invalidArgument(argument, "Argument '" + argument + "' must be a date YYYY-MM-DD.",
                    "For example " + argument + "=2026-11-01.");
        }
    }

    private final class Acc {
        Money cost = Money.zero(currency);
        long seconds;
        final Map<String, Money> byRate = new TreeMap<>();
        final Map<String, Long> secondsByRate = new TreeMap<>();

        void add(Ledger.Booked b) {
            cost = cost.plus(b.slice().cost());
            seconds += b.slice().seconds();
            byRate.merge(b.slice().rateClass().name(), b.slice().cost(), Money::plus);
            secondsByRate.merge(b.slice().rateClass().name(), b.slice().seconds(), Long::sum);
        }

        List<CostReport.RateSplit> splits() {
            List<CostReport.RateSplit> out = new ArrayList<>();
            byRate.forEach((k, v) -> out.add(new CostReport.RateSplit(k, v.amount(), secondsByRate.get(k))));
            return out;
        }
    }

    public static Tool<CostReportRequest, CostReport> tool(java.util.function.Supplier<CostReports> reports) {
        return new Tool<>("generate_cost_report", "Cost report",
                "Billed training cost over a half-open UTC date range [start_date, end_date), grouped by team, experiment, job, day or "
                        + "rate class, from the usage ledger: exact lines that sum to the total, the split by rate class (peak, "
                        + "off-peak, spot), GPU-seconds, and the trend against the previous period of the same length.",
                CostReportRequest.class, CostReport.class, ToolHints.READ_ONLY, r -> reports.get().report(r),
                r -> "Cost " + r.start().toString().substring(0, 10) + " to " + r.end().toString().substring(0, 10)
                        + (r.team() == null ? "" : " for " + r.team()) + ": " + new Money(r.total(), Currency.getInstance(r.currency())).display()
                        + " in " + r.lines().size() + " " + r.groupBy() + " line(s)"
                        + (r.trend().changePercent() == null ? "" : ", " + r.trend().changePercent() + "% vs the previous period") + ".");
    }
}
