package dev.trainops.catalog;

/** What went wrong, in terms a client can act on. The code is part of the wire contract. */
public enum ErrorCode {
    /** The arguments are malformed; the message names the argument and the fix. Nothing was changed. */
    INVALID_ARGUMENT(false),
    /** A named thing (job, run, team, GPU type) does not exist. */
    NOT_FOUND(false),
    /** The request is larger than the team's quota allows. */
    QUOTA_EXCEEDED(false),
    /** The estimated cost is above the cap or what is left of the budget. */
    BUDGET_EXCEEDED(false),
    /** No node or MIG profile can ever hold the request. */
    NO_CAPACITY(false),
    /**
     * The caller's role or scope does not allow this tool or this change (a viewer calling a write
     * tool); the hint names the role or scope that would (DESIGN.md, "Identity and tenancy").
     */
    FORBIDDEN(false),
    /** The caller is over its call rate; {@code details.retry_after_seconds} says when to try again. */
    RATE_LIMITED(true),
    /** A backend (Kubernetes, MLflow, Prometheus, the store) did not answer; retry later. */
    UPSTREAM_UNAVAILABLE(true),
    /** A bug on our side; the message carries a reference id for the server log. */
    INTERNAL(true);

    private final boolean retryableByDefault;

    ErrorCode(boolean retryableByDefault) {
        this.retryableByDefault = retryableByDefault;
    }

    public boolean retryableByDefault() {
        return retryableByDefault;
    }
}
