package dev.trainops.budget;

import dev.trainops.cost.Money;
import java.math.BigDecimal;

/**
 * Where spending stands against a limit: WARN from exactly 70%, BLOCKED from exactly 100%
 * (docs/money.md cost rule 6), counting spent, committed and projected cost.
 */
public enum BudgetState {
    OK, WARN, BLOCKED;

    public static final BigDecimal WARN_AT = new BigDecimal("0.70");
    public static final BigDecimal BLOCK_AT = BigDecimal.ONE;

    public static BudgetState of(Money counted, Money limit) {
        if (counted.compareTo(limit.times(BLOCK_AT)) >= 0) {
            return BLOCKED;
        }
        if (counted.compareTo(limit.times(WARN_AT)) >= 0) {
            return WARN;
        }
        return OK;
    }

    /** Whether admitting {@code projected} more keeps spent + committed + projected within 100%. */
    public static boolean admits(Money spent, Money committed, Money projected, Money limit) {
        return spent.plus(committed).plus(projected).compareTo(limit) <= 0;
    }
}
