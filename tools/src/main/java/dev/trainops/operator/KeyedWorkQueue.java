package dev.trainops.operator;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The work queue of a controller, as client-go's workqueue: informer events add keys ({@code namespace/name}); a
 * key waiting is held once however often it is added; a key being processed is not handed out again until
 * {@link #done} (added meanwhile, it comes back after), so one object is never reconciled by two passes at once and
 * a burst of events on one object costs one reconcile. Thread-safe; {@link #poll()} never blocks (the controller's
 * loop drains it each pass).
 */
public final class KeyedWorkQueue {
    private final ArrayDeque<String> order = new ArrayDeque<>();
    private final Set<String> waiting = new HashSet<>();
    private final Set<String> processing = new HashSet<>();
    /** Keys added while being processed: queued again by {@link #done}. */
    private final Set<String> dirty = new HashSet<>();

    /** Queues {@code key} unless it already waits; a key being processed comes back once it is done. */
    public synchronized void add(String key) {
        if (processing.contains(key)) {
            dirty.add(key);
        } else if (waiting.add(key)) {
            order.addLast(key);
        }
    }

    /** The next key to reconcile, now marked as being processed; empty when none waits. */
    public synchronized Optional<String> poll() {
        String key = order.pollFirst();
        if (key == null) {
            return Optional.empty();
        }
        waiting.remove(key);
        processing.add(key);
        return Optional.of(key);
    }

    /**
     * Ends the processing of {@code key}; with {@code retry} (the reconcile failed) or when it was added meanwhile,
     * it waits again, at the back.
     */
    public synchronized void done(String key, boolean retry) {
        processing.remove(key);
        if ((dirty.remove(key) || retry) && waiting.add(key)) {
            order.addLast(key);
        }
    }

    /** Keys waiting (not counting those being processed). */
    public synchronized int size() {
        return order.size();
    }

    /** The key of an object: {@code namespace/name}. */
    public static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
