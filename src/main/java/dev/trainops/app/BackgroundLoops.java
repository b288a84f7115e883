package dev.trainops.app;

import dev.trainops.monitor.HealthStatus;
import dev.trainops.monitor.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background work of one process: each concern (admission, usage recording, metrics collection,
 * the training poller, the DCGM refresh) is a {@link Loop} on its own named single-thread executor,
 * so a slow backend delays only its own loop. A loop's failures are counted per loop on /metrics,
 * logged at WARN at most once per {@link #WARN_EVERY} (and when the loop recovers), and a loop
 * failing for longer than two of its periods is a DEGRADED health state
 * (docs/architecture.md, "Background loops"). One-shot start-up work (opening the store, the
 * queue) gets a named executor here too, so {@link #close()} stops and awaits all of it.
 *
 * <p>A {@link #control control loop} (one that writes what all replicas share: admission, usage
 * recording, the collector, the poller) passes only while this process leads; elsewhere its pass
 * is skipped, counted neither as a success nor as a failure (docs/architecture.md, "Roles of a
 * process"). A plain {@link #loop loop} (a read cache for the tools: the DCGM refresh) runs on
 * every replica.
 */
final class BackgroundLoops implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackgroundLoops.class);
    static final Duration WARN_EVERY = Duration.ofMinutes(5);
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** The pause between two runs of a {@link #waiting} loop: none to speak of (the executor needs one above zero). */
    static final Duration BACK_TO_BACK = Duration.ofMillis(1);

    private final Clock clock;
    private final Metrics metrics;
    private final java.util.function.BooleanSupplier leading;
    private final Map<String, Loop> loops = new ConcurrentHashMap<>();
    private final Map<String, ScheduledExecutorService> executors = new java.util.LinkedHashMap<>();
    /** The {@link #waiting} loops: on close their wait is interrupted, not awaited (it has no pass to finish). */
    private final java.util.Set<String> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Loops of a process that always leads (a local store). */
    BackgroundLoops(Clock clock, Metrics metrics) {
        this(clock, metrics, () -> true);
    }

    /** @param leading whether this process runs the control loops now, asked before each of their passes */
    BackgroundLoops(Clock clock, Metrics metrics, java.util.function.BooleanSupplier leading) {
        this.clock = clock;
        this.metrics = metrics;
        this.leading = leading;
    }

    /** A loop that runs on every replica (a read cache), not yet running: {@link Loop#start(Duration)} schedules it. */
    Loop loop(String name, Duration period, Runnable task) {
        return add(name, period, task, false);
    }

    /** A control loop: it passes only while this process leads. Not yet running: {@link Loop#start(Duration)} schedules it. */
    Loop control(String name, Duration period, Runnable task) {
        return add(name, period, task, true);
    }

    private synchronized Loop add(String name, Duration period, Runnable task, boolean control) {
        if (loops.containsKey(name)) {
            throw new IllegalArgumentException("a background loop named " + name + " exists already");
        }
        Loop loop = new Loop(name, period, period, task, executor(name), control);
        loops.put(name, loop);
        return loop;
    }

    /**
     * A loop whose task waits for its own work, up to {@code wait} (the event relay waits for a
     * notification), and runs again as soon as it returns; {@code wait} stands for its period in the
     * health check (failing for longer than two of them is DEGRADED).
     */
    synchronized Loop waiting(String name, Duration wait, Runnable task) {
        if (loops.containsKey(name)) {
            throw new IllegalArgumentException("a background loop named " + name + " exists already");
        }
        Loop loop = new Loop(name, wait, BACK_TO_BACK, task, executor(name), false);
        loops.put(name, loop);
        waiting.add(name);
        return loop;
    }

    /** A named single-thread executor, stopped and awaited on close. */
    synchronized ScheduledExecutorService executor(String name) {
        if (closed) {
            throw new IllegalStateException("trainops is stopping");
        }
        return executors.computeIfAbsent(name, n -> Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, n);
            t.setDaemon(true);
            return t;
        }));
    }

    boolean closed() {
        return closed;
    }

    /** Whether this process runs the control loops now. */
    boolean leading() {
        return leading.getAsBoolean();
    }

    /**
     * A module that could not open ({@code what}, e.g. "the job queue"): an error on {@code log},
     * unless trainops was stopping meanwhile, when nothing failed and it is a debug line.
     */
    void openFailed(Logger log, String what, Exception e) {
        if (closed()) {
            log.debug("{} was opening when trainops stopped: {}", what, e.getMessage());
        } else {
            log.error("cannot open {}: {}", what, e.getMessage());
        }
    }

    /** The loops that have failed for longer than two of their periods, for get_training_health_status. */
    List<HealthStatus.FailingLoop> failing() {
        Instant now = clock.instant();
        List<HealthStatus.FailingLoop> out = new ArrayList<>();
        for (Loop loop : loops.values()) {
            loop.failing(now).ifPresent(out::add);
        }
        out.sort(java.util.Comparator.comparing(HealthStatus.FailingLoop::loop));
        return out;
    }

    /**
     * Stops every loop and executor, lets a running pass finish (bounded), then interrupts what is
     * left; a waiting loop's wait is interrupted at once.
     */
    @Override
    public void close() {
        List<ScheduledExecutorService> all;
        synchronized (this) {
            closed = true;
            all = List.copyOf(executors.values());
            executors.forEach((name, e) -> {
                if (waiting.contains(name)) {
                    e.shutdownNow();
                }
            });
        }
        all.forEach(ScheduledExecutorService::shutdown);
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        for (ScheduledExecutorService e : all) {
            try {
                if (!e.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    e.shutdownNow();
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                e.shutdownNow();
            }
        }
    }

    /** One periodic concern, with its failures accounted for. */
    final class Loop {
        private final String name;
        private final Duration period;
        /** The pause after one run before the next: the period, or {@link #BACK_TO_BACK} for a loop that waits itself. */
        private final Duration delay;
        private final Runnable task;
        private final ScheduledExecutorService executor;
        private final boolean control;
        private volatile Instant failingSince;
        private volatile String lastError;
        private volatile Instant lastWarned;
        private long failuresSinceWarn;
        private long failuresInRow;

        private Loop(String name, Duration period, Duration delay, Runnable task, ScheduledExecutorService executor, boolean control) {
            this.name = name;
            this.period = period;
            this.delay = delay;
            this.task = task;
            this.executor = executor;
            this.control = control;
            metrics.loopRegistered(name);
        }

        String name() {
            return name;
        }

        Loop start(Duration initialDelay) {
            executor.scheduleWithFixedDelay(this::runOnce, initialDelay.toMillis(), delay.toMillis(), TimeUnit.MILLISECONDS);
            return this;
        }

        /**
         * One pass: the task, then its accounting; a control loop's pass is skipped while this process
         * does not lead. Never throws, so the schedule goes on.
         */
        void runOnce() {
            if (control && !leading.getAsBoolean()) {
                idle();
                return;
            }
            try {
                task.run();
                succeeded();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                if (!closed) {
                    failed(e);
                }
            }
        }

        private synchronized void succeeded() {
            Instant now = clock.instant();
            if (failingSince != null) {
                log.info("background loop {} works again after {} failure(s) since {}", name, failuresInRow, failingSince);
            }
            failingSince = null;
            lastError = null;
            lastWarned = null;
            failuresInRow = 0;
            failuresSinceWarn = 0;
            metrics.loopSucceeded(name, now.toEpochMilli() / 1000.0);
        }

        /** Not leading: not a success, not a failure, and a failure streak from when it led is over. */
        private synchronized void idle() {
            failingSince = null;
            lastError = null;
            lastWarned = null;
            failuresInRow = 0;
            failuresSinceWarn = 0;
        }

        private synchronized void failed(Throwable e) {
            Instant now = clock.instant();
            String message = message(e);
            metrics.loopFailed(name);
            failuresInRow++;
            failuresSinceWarn++;
            lastError = message;
            if (failingSince == null) {
                failingSince = now;
            }
            if (lastWarned == null || !now.isBefore(lastWarned.plus(WARN_EVERY))) {
                log.warn("background loop {} failed ({} time(s) since the last warning, failing since {}): {}", name, failuresSinceWarn,
                        failingSince, message);
                lastWarned = now;
                failuresSinceWarn = 0;
            } else {
                log.debug("background loop {} failed: {}", name, message);
            }
        }

        Optional<HealthStatus.FailingLoop> failing(Instant now) {
            Instant since = failingSince;
            if (since == null || !now.isAfter(since.plus(period.multipliedBy(2)))) {
                return Optional.empty();
            }
            return Optional.of(new HealthStatus.FailingLoop(name, since, String.valueOf(lastError), period.toSeconds()));
        }
    }

    /** What went wrong, for a person: the message (first line), never a Java class name. */
    static String message(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return "failed without a message";
        }
        // exception messages that wrap a cause start with its class name ("java.io.IOException: ...")
        String line = m.lines().findFirst().orElse(m).strip();
        String plain = line.replaceAll("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\b:?\\s*", "").strip();
        return plain.isEmpty() ? "failed without a message" : plain;
    }
}
