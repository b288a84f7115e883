package dev.trainops.budget;

import dev.trainops.cost.Money;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Objects;

/** A spending limit for a team or an experiment over a monthly or weekly period (UTC). */
public record Budget(String scope, Kind kind, Money limit, Period period) {

    public enum Kind { TEAM, EXPERIMENT }

    public enum Period { MONTHLY, WEEKLY }

    /** A half-open [start, end) range in UTC. */
    public record Range(Instant start, Instant end) {
    }

    public Budget {
        Objects.requireNonNull(scope, "scope must not be null");
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(limit, "limit must not be null");
        Objects.requireNonNull(period, "period must not be null");
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("the budget of " + scope + " must be above zero");
        }
    }

    /** The period containing {@code instant}: the UTC month, or the UTC week from Monday. */
    public Range periodAt(Instant instant) {
        LocalDate day = instant.atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate start = period == Period.MONTHLY ? day.withDayOfMonth(1) : day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        LocalDate end = period == Period.MONTHLY ? start.plusMonths(1) : start.plusWeeks(1);
        return new Range(start.atStartOfDay(ZoneOffset.UTC).toInstant(), end.atStartOfDay(ZoneOffset.UTC).toInstant());
    }
}
