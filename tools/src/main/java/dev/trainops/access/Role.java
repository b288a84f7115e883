package dev.trainops.access;

import java.util.Locale;

/** What a principal may do (DESIGN.md, "Identity and tenancy"). */
public enum Role {
    /** Read-only tools on its own teams. */
    VIEWER,
    /** Read and write on its own teams. */
    MEMBER,
    /** Every tool on every team, and the audit log. */
    ADMIN;

    /** The name in token files, claims and the audit log: {@code viewer}, {@code member}, {@code admin}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code viewer}, {@code member} or {@code admin} (any case); throws naming the accepted values. */
    public static Role parse(String value) {
        if (value != null) {
            for (Role r : values()) {
                if (r.name().equalsIgnoreCase(value.trim())) {
                    return r;
                }
            }
        }
        throw new IllegalArgumentException("role must be viewer, member or admin, was '" + value + "'");
    }
}
