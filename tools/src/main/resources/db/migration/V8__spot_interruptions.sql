-- Spot interruptions (docs/money.md cost rule 4): a pod on a spot node that the node's reclaim
-- ended, and what it lost: the work from its last checkpoint to the interruption, priced at the
-- spot rate, in integer micro-units. One row per interrupted pod, however often it is seen.
CREATE TABLE spot_interruption (
    pod_id          VARCHAR(320)  NOT NULL PRIMARY KEY,
    queue_job_id    VARCHAR(32),
    attempt         INTEGER,
    team            VARCHAR(64)   NOT NULL,
    experiment      VARCHAR(128)  NOT NULL,
    run_name        VARCHAR(128),
    node            VARCHAR(253),
    interrupted_ms  BIGINT        NOT NULL,
    checkpoint_ms   BIGINT        NOT NULL,
    lost_seconds    BIGINT        NOT NULL,
    wasted_micros   BIGINT        NOT NULL,
    currency        CHAR(3)       NOT NULL
);
CREATE INDEX spot_interruption_team_time ON spot_interruption (team, interrupted_ms);
