package dev.trainops.server;

/**
 * Whether the server can answer from current data ({@code /readyz}), and why not; and whether this
 * replica runs the control loops now ({@code "leader"} in {@code /healthz} and {@code /readyz}).
 */
public record Readiness(boolean ready, String detail, boolean leader) {
    /** A server that does not lead (one without control loops, or a test's). */
    public Readiness(boolean ready, String detail) {
        this(ready, detail, false);
    }
}
