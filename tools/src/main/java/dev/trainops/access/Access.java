package dev.trainops.access;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import java.util.Map;
import java.util.function.Supplier;

/** The refusals identity and tenancy give, worded once (DESIGN.md, "Identity and tenancy"). */
public final class Access {
    /** The OAuth scope a write tool needs; a JWT's member role comes from it. */
    public static final String WRITE_SCOPE = "trainops:write";
    /** The OAuth scope of read-only tools. */
    public static final String READ_SCOPE = "trainops:read";

    private Access() {
    }

    /** Rule 3: a viewer called a tool that changes something. */
    public static ToolException forbiddenWrite(Principal principal, String tool) {
        return new ToolException(ErrorCode.FORBIDDEN, tool + " changes something, and " + principal.subject()
                + " is a viewer: it needs the " + WRITE_SCOPE + " scope (role member or admin).",
                "Ask your platform team for the " + WRITE_SCOPE + " scope, or call a read-only tool.", false,
                Map.of("required_scope", WRITE_SCOPE, "role", principal.role().wireName()));
    }

    /** An admin-only tool (get_audit_log) called by a member or viewer. */
    public static ToolException forbiddenAdmin(Principal principal, String tool) {
        return new ToolException(ErrorCode.FORBIDDEN, tool + " is for admins only, and " + principal.subject() + " is a "
                + principal.role().wireName() + ".", "Ask an admin of trainops.", false,
                Map.of("required_role", Role.ADMIN.wireName(), "role", principal.role().wireName()));
    }

    /**
     * Rule 1: {@code team}'s item, or the NOT_FOUND {@code missing} gives for one that does not
     * exist, so another team's item is indistinguishable from none.
     */
    public static void requireVisible(Principal principal, String team, Supplier<ToolException> missing) {
        if (!principal.sees(team)) {
            throw missing.get();
        }
    }
}
