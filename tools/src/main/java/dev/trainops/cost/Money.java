package dev.trainops.cost;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;

/**
 * An exact amount of money: a BigDecimal at 6 fractional digits (micro-units) and its ISO 4217
 * currency. Never binary floating point (docs/money.md cost rule 1); on the wire a decimal string.
 */
public record Money(BigDecimal amount, Currency currency) implements Comparable<Money> {
    public static final int SCALE = 6;

    public Money {
        Objects.requireNonNull(amount, "amount must not be null");
        Objects.requireNonNull(currency, "currency must not be null");
        amount = amount.setScale(SCALE, RoundingMode.HALF_EVEN);
    }

    public static Money of(String amount, String currency) {
        return new Money(new BigDecimal(amount), currency(currency));
    }

    /** An amount stored as integer micro-units. */
    public static Money micros(long micros, Currency currency) {
        return new Money(BigDecimal.valueOf(micros, SCALE), currency);
    }

    /** This amount in integer micro-units (exact: amounts carry 6 decimals). */
    public long toMicros() {
        return amount.movePointRight(SCALE).longValueExact();
    }

    public static Money zero(Currency currency) {
        return new Money(BigDecimal.ZERO, currency);
    }

    /** An ISO 4217 currency, or INVALID_ARGUMENT naming the fix. */
    public static Currency currency(String code) {
        try {
            return Currency.getInstance(code == null ? "" : code.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ToolException(ErrorCode.INVALID_ARGUMENT, "Unknown currency '" + code + "'.",
                    "Use an ISO 4217 code such as USD or EUR.", false, java.util.Map.of("argument", "currency"));
        }
    }

    public Money plus(Money other) {
        requireSameCurrency(other);
        return new Money(amount.add(other.amount), currency);
    }

    public Money minus(Money other) {
        requireSameCurrency(other);
        return new Money(amount.subtract(other.amount), currency);
    }

    /** This amount times an exact factor, rounded half-even to micro-units. */
    public Money times(BigDecimal factor) {
        return new Money(amount.multiply(factor), currency);
    }

    public boolean isZero() {
        return amount.signum() == 0;
    }

    public boolean isNegative() {
        return amount.signum() < 0;
    }

    /** The wire form: a decimal string with 6 fractional digits. */
    public String toWire() {
        return amount.toPlainString();
    }

    /** For reading in a chat window: "$6.50", "EUR 3.90". Never used for sums. */
    public String display() {
        BigDecimal cents = amount.setScale(amount.abs().compareTo(BigDecimal.ONE) < 0 && !isZero() ? 4 : 2, RoundingMode.HALF_EVEN);
        return (currency.getCurrencyCode().equals("USD") ? "$" : currency.getCurrencyCode() + " ") + cents.toPlainString();
    }

    private void requireSameCurrency(Money other) {
        if (!currency.equals(other.currency)) {
            throw new IllegalArgumentException("cannot combine " + currency + " and " + other.currency);
        }
    }

    @Override
    public int compareTo(Money o) {
        requireSameCurrency(o);
        return amount.compareTo(o.amount);
    }

    @Override
    public String toString() {
        return toWire() + " " + currency.getCurrencyCode();
    }
}
