package dev.trainops.budget;

import dev.trainops.cost.Money;
import dev.trainops.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Records budget thresholds crossed, each at most once per period, in the store. */
final class BudgetAlarms {
    private final Store store;
    private final Clock clock;

    BudgetAlarms(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Fires WARN and BLOCKED for what {@code counted} reaches; returns the ones that fired now, for the first time this period. */
    List<BudgetState> observe(Budget budget, Budget.Range period, Money counted) {
        BudgetState state = BudgetState.of(counted, budget.limit());
        List<BudgetState> reached = state == BudgetState.BLOCKED ? List.of(BudgetState.WARN, BudgetState.BLOCKED)
                : state == BudgetState.WARN ? List.of(BudgetState.WARN) : List.of();
        List<BudgetState> fired = new ArrayList<>();
        if (reached.isEmpty() || store.isReadOnly()) {
            // --read-only records nothing: the state is in the answer, the once-per-period note is not
            return fired;
        }
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO budget_event (scope, kind, period_start_ms, threshold, fired_ms, counted_micros) VALUES (?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT DO NOTHING")) {
            for (BudgetState s : reached) {
                ps.setString(1, budget.scope());
                ps.setString(2, budget.kind().name());
                ps.setLong(3, period.start().toEpochMilli());
                ps.setString(4, s.name());
                ps.setLong(5, clock.millis());
                ps.setLong(6, counted.amount().movePointRight(Money.SCALE).longValueExact());
                if (ps.executeUpdate() == 1) {
                    fired.add(s);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record budget events: " + e.getMessage(), e);
        }
        return fired;
    }
}
