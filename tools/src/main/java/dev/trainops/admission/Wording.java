package dev.trainops.admission;

import dev.trainops.budget.BudgetState;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.cost.Money;
import java.math.BigDecimal;
import java.util.Locale;

/** The sentences several reviews share, with their numbers. */
final class Wording {
    private Wording() {
    }

    static String money(BigDecimal amount, String currency) {
        return new Money(amount, Money.currency(currency)).display();
    }

    /** "team-a's monthly budget is BLOCKED: $1,010.00 spent and committed of $1,000.00 (101.00%) until 2026-08-01T00:00:00Z". */
    static String blocked(BudgetStatus b) {
        return b.scope() + "'s " + b.period().name().toLowerCase(Locale.ROOT) + " budget is " + BudgetState.BLOCKED + ": "
                + money(b.spent().add(b.committed()), b.currency()) + " spent and committed of " + money(b.limit(), b.currency()) + " ("
                + b.percentUsed().stripTrailingZeros().toPlainString() + "%) until " + b.periodEnd() + "; nothing new is admitted until then. "
                + "Ask for a larger budget (config/budgets.yaml) or wait for the next period.";
    }

    /** "$4.20 of team-a's monthly budget of $1,000.00 is left". */
    static String left(BudgetStatus b) {
        return money(b.remaining().max(BigDecimal.ZERO), b.currency()) + " of " + b.scope() + "'s " + b.period().name().toLowerCase(Locale.ROOT)
                + " budget of " + money(b.limit(), b.currency()) + " is left";
    }
}
