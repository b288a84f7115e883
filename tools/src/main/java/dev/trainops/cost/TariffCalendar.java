package dev.trainops.cost;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Time-of-use tariff: off-peak windows in a time zone (22:00-06:00 by default) at a multiplier of
 * the peak rate (0.5 by default), optionally whole weekends off-peak. {@link #split} cuts an
 * interval at every boundary, to the second, in local time, so daylight-saving days get their 23
 * or 25 hours right (docs/money.md cost rule 2).
 */
public record TariffCalendar(ZoneId zone, List<Window> offPeak, BigDecimal offPeakMultiplier, boolean weekendsOffPeak) {

    /** An off-peak window in local time; {@code end <= start} wraps past midnight. */
    public record Window(LocalTime start, LocalTime end) {
        public Window {
            Objects.requireNonNull(start, "start must not be null");
            Objects.requireNonNull(end, "end must not be null");
            if (start.equals(end)) {
                throw new IllegalArgumentException("an off-peak window must not be empty: " + start + "-" + end);
            }
        }
    }

    /** One stretch of time at one rate class. */
    public record Slice(Instant start, Instant end, RateClass rateClass) {
        public long seconds() {
            return Duration.between(start, end).toSeconds();
        }
    }

    public TariffCalendar {
        Objects.requireNonNull(zone, "zone must not be null");
        offPeak = List.copyOf(offPeak);
        Objects.requireNonNull(offPeakMultiplier, "offPeakMultiplier must not be null");
        if (offPeakMultiplier.signum() < 0 || offPeakMultiplier.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("off-peak multiplier must be between 0 and 1, was " + offPeakMultiplier);
        }
    }

    public static TariffCalendar defaults(ZoneId zone) {
        return new TariffCalendar(zone, List.of(new Window(LocalTime.of(22, 0), LocalTime.of(6, 0))), new BigDecimal("0.5"), false);
    }

    public BigDecimal multiplier(RateClass rateClass) {
        return rateClass == RateClass.OFF_PEAK ? offPeakMultiplier : BigDecimal.ONE;
    }

    public RateClass classAt(Instant instant) {
        ZonedDateTime local = instant.atZone(zone);
        if (weekendsOffPeak && isWeekend(local.getDayOfWeek())) {
            return RateClass.OFF_PEAK;
        }
        LocalTime t = local.toLocalTime();
        for (Window w : offPeak) {
            boolean inside = w.start().isBefore(w.end())
                    ? !t.isBefore(w.start()) && t.isBefore(w.end())
                    : !t.isBefore(w.start()) || t.isBefore(w.end());
            if (inside) {
                return RateClass.OFF_PEAK;
            }
        }
        return RateClass.PEAK;
    }

    /** {@code from} when it is off-peak, else when the next off-peak stretch begins. */
    public Instant nextOffPeak(Instant from) {
        Instant t = from;
        for (int i = 0; i < 8 && classAt(t) != RateClass.OFF_PEAK; i++) {
            t = nextBoundary(t);
        }
        return t;
    }

    /** The next instant after {@code from} at which the rate class may change. */
    public Instant nextBoundary(Instant from) {
        ZonedDateTime local = from.atZone(zone);
        Instant best = null;
        for (int day = 0; day <= 2; day++) {
            LocalDate date = local.toLocalDate().plusDays(day);
            Set<LocalTime> times = new TreeSet<>();
            for (Window w : offPeak) {
                times.add(w.start());
                times.add(w.end());
            }
            if (weekendsOffPeak) {
                times.add(LocalTime.MIDNIGHT);
            }
            for (LocalTime t : times) {
                Instant candidate = ZonedDateTime.of(date, t, zone).toInstant();
                if (candidate.isAfter(from) && (best == null || candidate.isBefore(best))) {
                    best = candidate;
                }
            }
            if (best != null) {
                return best;
            }
        }
        return from.plus(Duration.ofDays(1));
    }

    /** Cuts [start, end) at every tariff boundary; neighbouring slices of one class are merged. */
    public List<Slice> split(Instant start, Instant end) {
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("end " + end + " is before start " + start);
        }
        List<Slice> slices = new ArrayList<>();
        Instant cursor = start;
        while (cursor.isBefore(end)) {
            Instant next = nextBoundary(cursor);
            Instant sliceEnd = next.isBefore(end) ? next : end;
            RateClass rc = classAt(cursor);
            if (!slices.isEmpty() && slices.get(slices.size() - 1).rateClass() == rc) {
                Slice last = slices.remove(slices.size() - 1);
                slices.add(new Slice(last.start(), sliceEnd, rc));
            } else {
                slices.add(new Slice(cursor, sliceEnd, rc));
            }
            cursor = sliceEnd;
        }
        return slices;
    }

    private static boolean isWeekend(DayOfWeek d) {
        return d == DayOfWeek.SATURDAY || d == DayOfWeek.SUNDAY;
    }
}
