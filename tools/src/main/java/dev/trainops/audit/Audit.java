package dev.trainops.audit;

import dev.trainops.access.Principal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The audit record of one call, written once (rule 7). A domain method that changes the store
 * calls {@link #inTransaction} inside the transaction of its change, so the change and its record
 * commit or roll back together; the catalog writes whatever the domain did not
 * ({@link #afterCall}): a refused or failed call, or a change made outside the store.
 */
public final class Audit {
    /** A call nobody audits (reads, tests, the bench). */
    public static final Audit NONE = new Audit(AuditTrail.NONE, Clock.systemUTC(), Principal.LOCAL, "none", null, "{}");

    private final AuditTrail trail;
    private final Clock clock;
    private final Principal principal;
    private final String tool;
    private final String team;
    /** The team the call turned out to concern (a model's owner), when the arguments name none. */
    private volatile String concerns;
    private final String arguments;
    private final AtomicBoolean written = new AtomicBoolean();

    /**
     * @param team      the team the arguments name, when they name one (the domain may say better)
     * @param arguments the call's arguments as JSON
     */
    public Audit(AuditTrail trail, Clock clock, Principal principal, String tool, String team, String arguments) {
        this.trail = trail;
        this.clock = clock;
        this.principal = principal;
        this.tool = tool;
        this.team = team;
        this.arguments = arguments;
    }

    /** Records the call as done, in the caller's transaction; {@code team} is the team it changed (null: the arguments'). */
    public void inTransaction(Connection c, String changedTeam) throws SQLException {
        trail.append(c, entry(changedTeam == null ? team : changedTeam, AuditEntry.OK, ""));
        written.set(true);
    }

    /**
     * Says which team the call concerns when its arguments name none (a model is its owning team's),
     * so the record is filed under it whatever the outcome. Call it as soon as the team is known.
     */
    public void concerns(String changedTeam) {
        this.concerns = changedTeam;
    }

    /**
     * Records a change made outside the store (MLflow's model registry) right after it was made,
     * with what it did; the catalog's {@link #afterCall} then adds nothing.
     */
    public void doneOutside(String changedTeam, String message) {
        if (changedTeam != null) {
            concerns = changedTeam;
        }
        if (written.compareAndSet(false, true)) {
            trail.append(entry(team(), AuditEntry.OK, message));
        }
    }

    private String team() {
        return concerns != null ? concerns : team;
    }

    /**
     * After the call: a success the domain recorded needs nothing more; any other outcome (a
     * failure, whose transaction rolled back; a success made outside the store) is appended now.
     *
     * @param outcome {@link AuditEntry#OK} or the error code
     */
    public void afterCall(String outcome, String message) {
        if (AuditEntry.OK.equals(outcome) && written.get()) {
            return;
        }
        trail.append(entry(team(), outcome, message));
        written.set(true);
    }

    private AuditEntry entry(String t, String outcome, String message) {
        return new AuditEntry(clock.instant(), principal.subject(), principal.role().wireName(), principal.teams(), tool, t, arguments,
                outcome, message);
    }
}
