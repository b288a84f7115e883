-- The audit log (DESIGN.md "Identity and tenancy", rule 7): every call that changed something, or
-- tried to, written in the same transaction as the change; refused and failed calls in their own.
CREATE TABLE audit_log (
    audit_id    VARCHAR(36)   NOT NULL PRIMARY KEY,
    at_ms       BIGINT        NOT NULL,
    subject     VARCHAR(320)  NOT NULL,
    role        VARCHAR(16)   NOT NULL,
    teams       VARCHAR(1000) NOT NULL,
    tool        VARCHAR(64)   NOT NULL,
    team        VARCHAR(64),
    arguments   TEXT          NOT NULL,
    outcome     VARCHAR(32)   NOT NULL,
    message     VARCHAR(2000) NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (at_ms);
CREATE INDEX audit_log_team ON audit_log (team, at_ms);
