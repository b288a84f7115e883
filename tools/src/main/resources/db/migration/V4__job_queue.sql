-- The durable job queue (DESIGN.md "Queue, quota and priority rules"). A job is acknowledged only
-- once its row is committed; admission, preemption and state changes are row updates.
CREATE TABLE queue_job (
    job_id                 VARCHAR(32)   NOT NULL PRIMARY KEY,
    idempotency_key        VARCHAR(200)  UNIQUE,
    team                   VARCHAR(64)   NOT NULL,
    run_name               VARCHAR(128)  NOT NULL,
    model                  VARCHAR(128)  NOT NULL,
    experiment             VARCHAR(128)  NOT NULL,
    priority               VARCHAR(16)   NOT NULL,
    priority_value         INTEGER       NOT NULL,
    gpu_type               VARCHAR(32)   NOT NULL,
    gpu_count              INTEGER       NOT NULL,
    epochs                 INTEGER       NOT NULL,
    batch_size             INTEGER       NOT NULL,
    params                 VARCHAR(4000) NOT NULL,
    spot                   INTEGER       NOT NULL,
    not_before_ms          BIGINT,
    max_cost_micros        BIGINT,
    estimated_cost_micros  BIGINT        NOT NULL,
    estimated_seconds      BIGINT        NOT NULL,
    state                  VARCHAR(16)   NOT NULL,
    reason                 VARCHAR(32),
    reason_detail          VARCHAR(1000),
    node                   VARCHAR(253),
    attempt                INTEGER       NOT NULL,
    launched               INTEGER       NOT NULL,
    submitted_ms           BIGINT        NOT NULL,
    admitted_ms            BIGINT,
    started_ms             BIGINT,
    ended_ms               BIGINT,
    preempted_by           VARCHAR(32),
    preemptions            INTEGER       NOT NULL,
    batch_id               VARCHAR(32),
    batch_index            INTEGER,
    updated_ms             BIGINT        NOT NULL
);
CREATE INDEX queue_job_state ON queue_job (state);
CREATE INDEX queue_job_team ON queue_job (team, state);
CREATE INDEX queue_job_batch ON queue_job (batch_id, batch_index);

CREATE TABLE queue_batch (
    batch_id         VARCHAR(32)  NOT NULL PRIMARY KEY,
    idempotency_key  VARCHAR(200) UNIQUE,
    name             VARCHAR(128) NOT NULL,
    team             VARCHAR(64)  NOT NULL,
    parallel         INTEGER      NOT NULL,
    size             INTEGER      NOT NULL,
    submitted_ms     BIGINT       NOT NULL
);

-- The 80% quota warning: armed until it fires, re-armed when usage drops below the line.
CREATE TABLE quota_alarm (
    team      VARCHAR(64) NOT NULL PRIMARY KEY,
    armed     INTEGER     NOT NULL,
    fired_ms  BIGINT
);
