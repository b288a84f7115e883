package dev.trainops.cost;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One version of the prices: on-demand rates per GPU-hour by GPU type, per CPU core-hour and per
 * memory GiB-hour, the tariff calendar, and spot terms. In force from {@code effectiveFrom} until
 * the next version starts; usage is always priced at the version in force when it happened
 * (docs/money.md cost rule 3).
 */
public record PriceList(
        String version,
        Instant effectiveFrom,
        Currency currency,
        Map<String, BigDecimal> gpuHour,
        BigDecimal cpuCoreHour,
        BigDecimal memoryGibHour,
        TariffCalendar calendar,
        BigDecimal spotDiscount,
        BigDecimal spotInterruptionsPerHour) {

    public PriceList {
        Objects.requireNonNull(version, "version must not be null");
        Objects.requireNonNull(effectiveFrom, "effectiveFrom must not be null");
        Objects.requireNonNull(currency, "currency must not be null");
        gpuHour = Map.copyOf(new TreeMap<>(gpuHour));
        for (var e : gpuHour.entrySet()) {
            if (e.getValue().signum() < 0) {
                throw new IllegalArgumentException("the hourly rate of " + e.getKey() + " must not be negative");
            }
        }
        requireNonNegative(cpuCoreHour, "cpuCoreHour");
        requireNonNegative(memoryGibHour, "memoryGibHour");
        Objects.requireNonNull(calendar, "calendar must not be null");
        if (spotDiscount.signum() < 0 || spotDiscount.compareTo(BigDecimal.ONE) >= 0) {
            throw new IllegalArgumentException("spot discount must be at least 0 and below 1, was " + spotDiscount);
        }
        requireNonNegative(spotInterruptionsPerHour, "spotInterruptionsPerHour");
    }

    private static void requireNonNegative(BigDecimal v, String name) {
        Objects.requireNonNull(v, name + " must not be null");
        if (v.signum() < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + v);
        }
    }

    /** The priced GPU type a user's spelling names (h100 -> H100), if any. */
    public java.util.Optional<String> gpuType(String given) {
        String t = given == null ? "" : given.trim();
        return gpuHour().keySet().stream().filter(k -> k.equalsIgnoreCase(t)).findFirst();
    }

    /** The on-demand peak rate of one whole GPU-hour of this type. */
    public BigDecimal gpuRate(String gpuType) {
        BigDecimal rate = gpuHour.get(gpuType);
        if (rate == null) {
            throw new IllegalArgumentException("no price for GPU type " + gpuType + " in price list " + version);
        }
        return rate;
    }

    /** Multiplier of the peak on-demand rate for spot capacity: 1 - discount. */
    public BigDecimal spotMultiplier() {
        return BigDecimal.ONE.subtract(spotDiscount);
    }
}
