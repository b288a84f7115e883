-- The event log (docs/architecture.md, "Events"): job events and team warnings, each written by the
-- replica that produced it (a job event in the transaction of the change it reports), read by every
-- replica's relay in id order and sent to that replica's own sessions. Rows older than the
-- retention (1 h) are deleted. The id column is the one line that differs between the stores, hence
-- one file per store (this one and db/vendor/postgresql/V11__event_log.sql); AUTOINCREMENT: an id is
-- never reused after the newest row is deleted, so a relay never mistakes a new row for one it sent.
CREATE TABLE event_log (
    id          INTEGER      PRIMARY KEY AUTOINCREMENT,
    kind        VARCHAR(16)  NOT NULL,
    team        VARCHAR(256) NOT NULL,
    payload     TEXT         NOT NULL,
    created_ms  BIGINT       NOT NULL
);
CREATE INDEX event_log_created ON event_log (created_ms);
