package dev.trainops.audit;

import java.sql.Connection;
import java.sql.SQLException;

/** Where audit entries go: the store's audit_log ({@link AuditLog}), or nowhere in tests that do not ask. */
public interface AuditTrail {
    /** Appends in the caller's transaction (the change it records commits or rolls back with it). */
    void append(Connection c, AuditEntry entry) throws SQLException;

    /** Appends in a transaction of its own (refused and failed calls, which changed nothing). */
    void append(AuditEntry entry);

    AuditTrail NONE = new AuditTrail() {
        @Override
        public void append(Connection c, AuditEntry entry) {
        }

        @Override
        public void append(AuditEntry entry) {
        }
    };
}
