package dev.trainops.kueue;

import dev.trainops.budget.BudgetStatus;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.Optional;
import java.util.function.Function;

/**
 * The budget check's verdict on one Workload (docs/kubernetes.md, "Kueue budget check"): Ready when
 * the team's budget holds the estimate now (what the period has left: limit - spent - committed,
 * less what this pass already let through); Retry with {@code requeueAfterSeconds} when it does not
 * now but will, in the off-peak window (priced from there) or once the budget period rolls over
 * (or, for a model without run history yet, after {@link #HISTORY_RETRY}); Rejected when it never
 * can (the estimate, even off-peak, is above the whole period's budget), or when the Workload itself
 * gives nothing to price it by (it says what to add). Each message carries the numbers.
 */
final class BudgetDecider {

    /** The entry's new state, its message, and for Retry how long Kueue waits; {@code granted}: what a Ready takes from the budget. */
    record Decision(String state, String message, Long requeueAfterSeconds, Money granted) {
        static Decision ready(String message, Money granted) {
            return new Decision(KueueObjects.READY, message, null, granted);
        }

        static Decision retry(String message, long seconds) {
            return new Decision(KueueObjects.RETRY, message, seconds, null);
        }

        static Decision rejected(String message) {
            return new Decision(KueueObjects.REJECTED, message, null, null);
        }
    }

    /**
     * How long a Workload of a model without run history waits before it is priced again: the history
     * (MLflow, or trainops's own finished jobs) may have a run by then, or answer again if it was down.
     */
    static final Duration HISTORY_RETRY = Duration.ofMinutes(15);

    private final WorkloadPricer pricer;
    private final Function<String, Optional<BudgetStatus>> budgets;
    private final PriceBook prices;

    /** @param budgets a team's budget status (spent, committed, limit, period), as the queue reads it; empty for a team without one */
    BudgetDecider(WorkloadPricer pricer, Function<String, Optional<BudgetStatus>> budgets, PriceBook prices) {
        this.pricer = pricer;
        this.budgets = budgets;
        this.prices = prices;
    }

    /** The verdict on {@code demand} for {@code team} at {@code now}; {@code granted}: what this pass already let the team's Workloads take. */
    Decision decide(WorkloadPricer.Demand demand, String team, Instant now, Money granted) {
        WorkloadPricer.Pricing pricing = pricer.price(demand, now);
        if (pricing instanceof WorkloadPricer.NoGpus) {
            return Decision.ready(demand.workload() + " requests no GPUs: nothing to hold against team " + team + "'s budget.", null);
        }
        Optional<BudgetStatus> status = budgets.apply(team);
        if (status.isEmpty()) {
            return Decision.ready("Team " + team + " has no budget in config/budgets.yaml" + (pricing instanceof WorkloadPricer.Priced p
                    ? " (estimate " + money(p.cost()) + " for " + p.what() + ")" : "") + ": nothing to hold it against.", null);
        }
        if (pricing instanceof WorkloadPricer.Unpriced u && u.historyMissing()) {
            long wait = HISTORY_RETRY.toSeconds();
            return Decision.retry("Not now: the budget check cannot price this Workload yet: " + u.reason() + " " + u.fix()
                    + " Retry in " + wait + " s, when the history may have a run of it.", wait);
        }
        if (pricing instanceof WorkloadPricer.Unpriced u) {
            return Decision.rejected("The budget check cannot price this Workload: " + u.reason() + " " + u.fix());
        }
        WorkloadPricer.Priced estimate = (WorkloadPricer.Priced) pricing;
        BudgetStatus b = status.get();
        Currency currency = estimate.cost().currency();
        Money limit = new Money(b.limit(), currency);
        Money remaining = new Money(b.remaining(), currency).minus(granted);
        String budget = "team " + team + "'s " + b.period().name().toLowerCase(java.util.Locale.ROOT) + " budget of " + money(limit)
                + " (spent " + money(new Money(b.spent(), currency)) + ", committed " + money(new Money(b.committed(), currency))
                + (granted.isZero() ? "" : ", " + money(granted) + " just granted to other Workloads") + ")";
        String est = "Estimate " + money(estimate.cost()) + " for " + estimate.what() + " over " + duration(estimate.seconds()) + " ("
                + estimate.basis() + ")";
        if (estimate.cost().compareTo(remaining) <= 0) {
            return Decision.ready(est + " fits the " + money(remaining) + " that remain of " + budget + " until " + b.periodEnd() + ".",
                    estimate.cost());
        }
        Instant offPeak = prices.current(now).calendar().nextOffPeak(now);
        WorkloadPricer.Priced atOffPeak = estimate;
        if (offPeak.isAfter(now) && pricer.price(demand, offPeak) instanceof WorkloadPricer.Priced p) {
            atOffPeak = p;
        }
        Money cheapest = atOffPeak.cost().compareTo(estimate.cost()) < 0 ? atOffPeak.cost() : estimate.cost();
        if (cheapest.compareTo(limit) > 0) {
            return Decision.rejected(est + (atOffPeak == estimate ? "" : ", " + money(atOffPeak.cost()) + " from the off-peak window")
                    + ", is above the whole of " + budget + ": it can never be admitted. Train fewer epochs or on fewer or cheaper GPUs, "
                    + "or raise the budget in config/budgets.yaml.");
        }
        if (atOffPeak != estimate && atOffPeak.cost().compareTo(remaining) <= 0 && offPeak.isBefore(b.periodEnd())) {
            long wait = secondsUntil(now, offPeak);
            return Decision.retry("Not now: " + est + " is above the " + money(remaining) + " that remain of " + budget + ". From the "
                    + "off-peak window at " + offPeak + " it costs " + money(atOffPeak.cost()) + ", which fits: retry in " + wait + " s.", wait);
        }
        long wait = secondsUntil(now, b.periodEnd());
        return Decision.retry("Not now: " + est + " is above the " + money(remaining) + " that remain of " + budget + "; it fits "
                + "once the budget period rolls over at " + b.periodEnd() + ": retry in " + wait + " s.", wait);
    }

    /** Whole seconds from {@code now} to {@code then}, rounded up, at least 1 and at most what requeueAfterSeconds (int32) holds. */
    static long secondsUntil(Instant now, Instant then) {
        Duration d = Duration.between(now, then);
        long seconds = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        return Math.max(1, Math.min(Integer.MAX_VALUE, seconds));
    }

    /** An exact amount with its currency: {@code 55.040000 USD}. */
    static String money(Money m) {
        return m.toWire() + " " + m.currency().getCurrencyCode();
    }

    static String duration(long seconds) {
        long h = seconds / 3600;
        long min = (seconds % 3600) / 60;
        if (h > 0) {
            return h + " h " + min + " min";
        }
        return min > 0 ? min + " min " + (seconds % 60) + " s" : seconds + " s";
    }
}
