package dev.trainops.monitor;

import java.time.Instant;
import java.util.Objects;

/**
 * A team crossed a line the plan warns about: {@link Kind#QUOTA} at the quota's warn_at (80%) of
 * one resource, {@link Kind#BUDGET} at 70% of its budget (spent + committed). The collector sends
 * one per upward crossing; it re-arms once the figure drops below the line. The MCP adapter sends it
 * to the connected sessions as a log notification (docs/monitoring.md).
 *
 * @param kind      what crossed
 * @param scope     the team (or, for a budget, the experiment) the warning is about
 * @param resource  the quota resource (gpu, cpu, memory_gib), or "budget"
 * @param ratio     the figure now, used / limit
 * @param threshold the line it crossed (0.8, 0.7)
 * @param detail    one sentence with the numbers and what to do, for a person
 * @param at        when the collector saw it
 */
public record TeamWarning(Kind kind, String scope, String resource, double ratio, double threshold, String detail, Instant at) {

    /** The warnings of the plan that are also alert rules (TeamQuotaAbove80Percent, BudgetAbove70Percent). */
    public enum Kind { QUOTA, BUDGET }

    public TeamWarning {
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(scope, "scope must not be null");
        Objects.requireNonNull(resource, "resource must not be null");
        Objects.requireNonNull(detail, "detail must not be null");
        Objects.requireNonNull(at, "at must not be null");
    }

    /** The team whose sessions should hear it: the scope. */
    public String team() {
        return scope;
    }

    /** A line for a log notification. */
    public String message() {
        return scope + " " + (kind == Kind.QUOTA ? resource + " quota" : "budget") + " at " + Math.round(ratio * 1000) / 10.0 + "% (warns at "
                + Math.round(threshold * 100) + "%): " + detail;
    }
}
