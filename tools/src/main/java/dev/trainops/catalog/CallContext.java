package dev.trainops.catalog;

import dev.trainops.access.Principal;
import dev.trainops.audit.Audit;
import java.util.Objects;

/**
 * What the caller of a tool lends it for one call: who is calling, where its progress goes, and
 * the call's audit record. The transport puts the principal here (MCP: from the exchange's
 * transport context; the agent: the principal it acts for); the catalog adds the audit record.
 *
 * @param progress  where the tool reports its steps as it goes (read only by tools that declare
 *                  {@link Tool.Feature#REPORTS_PROGRESS})
 * @param principal who is calling; every tool scopes what it reads and changes by it
 * @param audit     the call's audit record; a tool that changes the store writes it in its
 *                  transaction ({@link Audit#inTransaction})
 */
public record CallContext(Progress progress, Principal principal, Audit audit) {
    /** A call by the local admin that nobody watches (tests, the bench, internal reads). */
    public static final CallContext NONE = new CallContext(Progress.NONE, Principal.LOCAL, Audit.NONE);

    public CallContext {
        Objects.requireNonNull(progress, "progress must not be null");
        Objects.requireNonNull(principal, "principal must not be null");
        Objects.requireNonNull(audit, "audit must not be null");
    }

    /** The local admin, with progress. */
    public CallContext(Progress progress) {
        this(progress, Principal.LOCAL, Audit.NONE);
    }

    /** A call by {@code principal} that nobody watches. */
    public static CallContext of(Principal principal) {
        return new CallContext(Progress.NONE, principal, Audit.NONE);
    }

    public CallContext withAudit(Audit a) {
        return new CallContext(progress, principal, a);
    }
}
