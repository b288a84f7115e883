-- Budget thresholds that fired, once per scope, period and threshold (DESIGN.md cost rule 6).
CREATE TABLE budget_event (
    scope            VARCHAR(128) NOT NULL,
    kind             VARCHAR(16)  NOT NULL,
    period_start_ms  BIGINT       NOT NULL,
    threshold        VARCHAR(16)  NOT NULL,
    fired_ms         BIGINT       NOT NULL,
    counted_micros   BIGINT       NOT NULL,
    PRIMARY KEY (kind, scope, period_start_ms, threshold)
);
