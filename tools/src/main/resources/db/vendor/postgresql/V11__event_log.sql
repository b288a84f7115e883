-- The event log (docs/architecture.md, "Events"): job events and team warnings, each written by the
-- replica that produced it (a job event in the transaction of the change it reports), read by every
-- replica's relay in id order and sent to that replica's own sessions. Rows older than the
-- retention (1 h) are deleted. The id column is the one line that differs between the stores, hence
-- one file per store (this one and db/vendor/sqlite/V11__event_log.sql). An identity is drawn at
-- insert and seen at commit, so ids may become visible out of order: the relay waits a grace period
-- for a missing id before it gives it up (EventRelay).
CREATE TABLE event_log (
    id          BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        VARCHAR(16)  NOT NULL,
    team        VARCHAR(256) NOT NULL,
    payload     TEXT         NOT NULL,
    created_ms  BIGINT       NOT NULL
);
CREATE INDEX event_log_created ON event_log (created_ms);
