-- The usage ledger: one row per priced slice of a job's usage (cut at tariff boundaries and
-- price-version changes). Portable between SQLite and PostgreSQL. Money is stored as integer
-- micro-units (BIGINT), never as a floating or SQLite-affinity NUMERIC column; resource amounts
-- that can be fractional (a MIG slice is 1/7 of a GPU) are exact decimal strings.
CREATE TABLE usage_slice (
    job_id         VARCHAR(128) NOT NULL,
    team           VARCHAR(64)  NOT NULL,
    experiment     VARCHAR(128) NOT NULL,
    start_ms       BIGINT       NOT NULL,
    end_ms         BIGINT       NOT NULL,
    seconds        BIGINT       NOT NULL,
    gpu_type       VARCHAR(32),
    gpus           VARCHAR(40)  NOT NULL,
    cpu_cores      VARCHAR(40)  NOT NULL,
    memory_gib     VARCHAR(40)  NOT NULL,
    rate_class     VARCHAR(16)  NOT NULL,
    price_version  VARCHAR(64)  NOT NULL,
    cost_micros    BIGINT       NOT NULL,
    currency       CHAR(3)      NOT NULL,
    recorded_ms    BIGINT       NOT NULL,
    -- a slice is recorded once, however often a restarted writer replays it
    PRIMARY KEY (job_id, start_ms, rate_class)
);
CREATE INDEX usage_slice_team_start ON usage_slice (team, start_ms);
CREATE INDEX usage_slice_experiment_start ON usage_slice (experiment, start_ms);
