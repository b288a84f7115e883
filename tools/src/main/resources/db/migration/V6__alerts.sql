-- Alerts from Alertmanager's webhook (payload version 4), one row per fingerprint: a repeat of a
-- firing alert updates its row, a resolution closes it. Labels and annotations are JSON objects.
CREATE TABLE alert (
    fingerprint     VARCHAR(64)   NOT NULL PRIMARY KEY,
    alertname       VARCHAR(256)  NOT NULL,
    status          VARCHAR(16)   NOT NULL,
    severity        VARCHAR(32),
    team            VARCHAR(64),
    labels          TEXT          NOT NULL,
    annotations     TEXT          NOT NULL,
    starts_ms       BIGINT,
    ends_ms         BIGINT,
    generator_url   VARCHAR(2048),
    first_seen_ms   BIGINT        NOT NULL,
    last_seen_ms    BIGINT        NOT NULL,
    resolved_ms     BIGINT,
    notifications   INTEGER       NOT NULL
);
CREATE INDEX alert_status ON alert (status, team);
