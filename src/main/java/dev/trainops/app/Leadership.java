package dev.trainops.app;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Whether this process runs the control loops now (docs/architecture.md, "Roles of a process"):
 * always with a local store ({@code --controllers on}, or auto on SQLite), never with
 * {@code --controllers off} (and {@code --read-only}), and while it holds the Lease
 * {@code trainops-leader} when elected ({@link LeaseElection}: auto on a shared store). Every
 * replica serves MCP and reads either way.
 */
interface Leadership extends AutoCloseable {
    /** This process runs the control loops. */
    Leadership ALWAYS = () -> true;
    /** This process serves and reads; another runs the control loops. */
    Leadership NEVER = () -> false;

    /** True while this process may run the control loops. */
    boolean leading();

    /** Starts taking part, once the cluster client exists (an election needs it); nothing for a fixed role. */
    default void start(KubernetesClient client) {
    }

    /** Stops taking part; an election gives its Lease up so a successor takes over at once. */
    @Override
    default void close() {
    }
}
