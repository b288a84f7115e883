package dev.trainops.report;

import dev.trainops.access.Access;
import dev.trainops.access.Principal;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolException;
import dev.trainops.catalog.ToolHints;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.Money;
import dev.trainops.cost.SpotInterruptions;
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
import java.util.Optional;
import java.util.function.Function;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.compare.AccuracyGain;
import java.util.TreeMap;

/** generate_cost_report over the ledger: half-open UTC day ranges, exact lines, a trend (cost rule 9). */
public final class CostReports {
    static final int MAX_DAYS = 366;

    static final int MAX_RUNS = 50;

    private final Ledger ledger;
    private final Currency currency;
    private final Function<String, Optional<AccuracyGain>> accuracy;
    private final Function<String, Optional<BudgetStatus>> budgets;

    public CostReports(Ledger ledger, Currency currency) {
        this(ledger, currency, run -> Optional.empty(), team -> Optional.empty());
    }

    /**
     * @param accuracy what a run (by run name) gained in accuracy, when it logged an accuracy metric
     * @param budgets  a team's budget status this period, when it has a budget
     */
    public CostReports(Ledger ledger, Currency currency, Function<String, Optional<AccuracyGain>> accuracy,
                       Function<String, Optional<BudgetStatus>> budgets) {
        this.ledger = ledger;
        this.currency = currency;
        this.accuracy = accuracy;
        this.budgets = budgets;
    }

    public CostReport report(CostReportRequest request) {
        return report(request, Principal.LOCAL);
    }

    /**
     * The report as {@code principal} may see it (rule 1): a member's covers only its teams (lines,
     * totals, trend, budgets, spot waste); another team is the same NOT_FOUND as a team it does not know.
     */
    public CostReport report(CostReportRequest request, Principal principal) {
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
        if (team != null) {
            Access.requireVisible(principal, team, () -> new ToolException(ErrorCode.NOT_FOUND, "No team '" + Json.shorten(team) + "'.",
                    principal.isAdmin() ? "" : "Report one of your teams (" + String.join(", ", principal.teams()) + "), or omit team.",
                    false, Map.of("argument", "team")));
        }

        List<Ledger.Booked> rows = ledger.between(start, end, team).stream().filter(b -> principal.sees(b.team())).toList();
        Map<String, Acc> lines = new TreeMap<>();
        Map<String, Acc> byRun = new TreeMap<>();
        Map<String, String[]> runHome = new TreeMap<>();
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
            if (b.runName() != null) {
                byRun.computeIfAbsent(b.runName(), k -> new Acc()).add(b);
                runHome.putIfAbsent(b.runName(), new String[] {b.team(), b.experiment()});
            }
            total.add(b);
            gpuSeconds += b.slice().seconds();
        }
        Duration length = Duration.between(start, end);
        Instant previousStart = start.minus(length);
        Money previous = Money.zero(currency);
        for (Ledger.Booked b : ledger.between(previousStart, start, team)) {
            if (!principal.sees(b.team())) {
                continue;
            }
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
        List<CostReport.RunCost> runs = runCosts(byRun, runHome, notes);
        List<CostReport.BudgetUse> consumption = new ArrayList<>();
        java.util.Set<String> teams = new java.util.TreeSet<>();
        rows.forEach(b -> teams.add(b.team()));
        if (team != null) {
            teams.add(team);
        }
        for (String t : teams) {
            budgets.apply(t).ifPresent(s -> consumption.add(new CostReport.BudgetUse(s.scope(), s.period().name(), s.periodStart(),
                    s.periodEnd(), s.limit(), s.spent().add(s.committed()), s.percentUsed(), s.state().name())));
        }
        CostReport.SpotWaste waste = spotWaste(ledger.interruptions(start, end, team).stream()
                .filter(i -> principal.sees(i.team())).toList());
        if (waste.interruptions() > 0) {
            notes.add(waste.interruptions() + " spot interruption(s) wasted " + wasted(waste).display()
                    + " of work redone from the last checkpoint (spot_waste).");
        }
        return new CostReport(start, end, groupBy, team, currency.getCurrencyCode(), total.cost.amount(), total.splits(), waste, out,
                new CostReport.Trend(previousStart, previous.amount(), change.amount(), percent), gpuSeconds, runs, consumption, notes);
    }

    private Money wasted(CostReport.SpotWaste waste) {
        return new Money(waste.wastedCost(), currency);
    }

    /** Cost rule 4: the interruptions in the range and what they wasted, exactly. */
    private CostReport.SpotWaste spotWaste(List<SpotInterruptions.Interruption> interruptions) {
        Money wasted = Money.zero(currency);
        long lost = 0;
        List<CostReport.Interrupted> items = new ArrayList<>();
        for (SpotInterruptions.Interruption i : interruptions) {
            wasted = wasted.plus(i.wasted());
            lost += i.lostSeconds();
            items.add(new CostReport.Interrupted(i.podId(), i.queueJobId(), i.attempt(), i.runName(), i.team(), i.interruptedAt(),
                    i.lastCheckpoint(), i.lostSeconds(), i.wasted().amount()));
        }
        return new CostReport.SpotWaste(items.size(), wasted.amount(), lost, items);
    }

    /** The most expensive runs, each with its accuracy gain and cost per accuracy point (cost rule 8). */
    private List<CostReport.RunCost> runCosts(Map<String, Acc> byRun, Map<String, String[]> home, List<String> notes) {
        List<Map.Entry<String, Acc>> ordered = new ArrayList<>(byRun.entrySet());
        ordered.sort(java.util.Comparator.comparing((Map.Entry<String, Acc> e) -> e.getValue().cost).reversed()
                .thenComparing(Map.Entry::getKey));
        if (ordered.size() > MAX_RUNS) {
            notes.add("Runs: the " + MAX_RUNS + " most expensive of " + ordered.size() + " are listed.");
            ordered = ordered.subList(0, MAX_RUNS);
        }
        List<CostReport.RunCost> out = new ArrayList<>();
        String unavailable = null;
        for (Map.Entry<String, Acc> e : ordered) {
            AccuracyGain gain = null;
            if (unavailable == null) {
                try {
                    gain = accuracy.apply(e.getKey()).orElse(null);
                } catch (ToolException ex) {
                    unavailable = ex.getMessage();
                }
            }
            Money cost = e.getValue().cost;
            out.add(new CostReport.RunCost(e.getKey(), home.get(e.getKey())[0], home.get(e.getKey())[1], cost.amount(),
                    e.getValue().seconds, gain, AccuracyGain.costPerPoint(cost, gain)));
        }
        if (unavailable != null) {
            notes.add("Accuracy is missing for some runs: " + unavailable);
        }
        return out;
    }

    /**
     * A YYYY-MM-DD argument between the years 1970 and 9999, or INVALID_ARGUMENT naming it (a year
     * such as +999999999 parses, then overflows the day after it: issue 14, "Bad input at scale").
     */
    public static LocalDate day(String value, String argument) {
        LocalDate day;
        try {
            day = LocalDate.parse(value == null ? "" : value.trim());
        } catch (DateTimeParseException e) {
            day = null;
        }
        if (day == null || day.getYear() < 1970 || day.getYear() > 9999) {
            throw ToolException.invalidArgument(argument, "Argument '" + argument + "' must be a date YYYY-MM-DD between 1970 and 9999.",
                    "For example " + argument + "=2026-11-01.");
        }
        return day;
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
                CostReportRequest.class, CostReport.class, ToolHints.READ_ONLY, (r, call) -> reports.get().report(r, call.principal()),
                r -> "Cost " + r.start().toString().substring(0, 10) + " to " + r.end().toString().substring(0, 10)
                        + (r.team() == null ? "" : " for " + r.team()) + ": " + new Money(r.total(), Currency.getInstance(r.currency())).display()
                        + " in " + r.lines().size() + " " + r.groupBy() + " line(s)"
                        + (r.trend().changePercent() == null ? "" : ", " + r.trend().changePercent() + "% vs the previous period") + ".",
                java.util.Set.of());
    }
}
