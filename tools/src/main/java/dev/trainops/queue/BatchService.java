package dev.trainops.queue;

import dev.trainops.access.Principal;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Progress;
import dev.trainops.catalog.ToolException;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.names.BatchId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * submit_batch_training and get_batch_status. A batch and all its items are stored in one
 * transaction, each item under the idempotency key batch-id/index, so a batch is either wholly
 * acknowledged or not at all, a retried submission returns the stored batch, and a restarted
 * server resumes it from the store: nothing finished or running is submitted again. Sequential
 * batches admit item i+1 only after item i has ended (the planner's BATCH_ORDER).
 */
final class BatchService {

    private final QueueStore queue;
    private final QueueService jobs;
    private final Scheduler scheduler;
    private final PriceBook prices;
    private final Clock clock;

    public BatchService(QueueStore queue, QueueService jobs, Scheduler scheduler, PriceBook prices, Clock clock) {
        this.queue = queue;
        this.jobs = jobs;
        this.scheduler = scheduler;
        this.prices = prices;
        this.clock = clock;
    }

    private record Batch(String batchId, String key, String name, String team, boolean parallel, int size, Instant submitted) {
    }

    public BatchStatus submit(BatchRequest r) {
        return submit(r, Progress.NONE);
    }

    /** A batch by the local admin, unaudited (tests). */
    public BatchStatus submit(BatchRequest r, Progress progress) {
        return submit(r, new CallContext(progress));
    }

    /**
     * Submits a batch, reporting each item to {@code progress} once it is checked and priced, before
     * the single commit that stores them all: a client watching sees the batch being worked through,
     * and an item that fails the check stops it with nothing stored. Every item's team must be one
     * of {@code call}'s principal's (else NOT_FOUND, as an unknown team); the batch and its audit
     * entry commit together (rule 7). Its jobs are {@code principal}'s (rule 9).
     */
    public BatchStatus submit(BatchRequest r, CallContext call) {
        return submit(r, call, null);
    }

    /** The same, each item's Jobs owned by {@code owner} (a TrainingBatch; null for none). */
    public BatchStatus submit(BatchRequest r, CallContext call, Owner owner) {
        Progress progress = call.progress();
        Principal principal = call.principal();
        String key = r.idempotencyKey() == null || r.idempotencyKey().isBlank() ? null : r.idempotencyKey().trim();
        if (key != null) {
            Optional<Batch> existing = queue.read(c -> byKey(c, key));
            if (existing.isPresent()) {
                return status(mine(existing.get(), principal), List.of(ALREADY), principal);
            }
        }
        String batchId = newId();
        boolean parallel = Boolean.TRUE.equals(r.parallel());
        List<QueuedJob> items = new ArrayList<>();
        for (int i = 0; i < r.jobs().size(); i++) {
            try {
                QueuedJob prepared = jobs.prepare(r.jobs().get(i).toRequest(), batchId, parallel ? null : i, batchId + "/" + i, principal)
                        .submittedBy(principal);
                QueuedJob item = owner == null ? prepared : owner.on(prepared);
                items.add(item);
                progress.report(i + 1, r.jobs().size(), "item " + (i + 1) + " of " + r.jobs().size() + ": " + item.jobId() + " ("
                        + item.runName() + ") checked, estimated " + Money.micros(item.estimatedCostMicros(), prices.currency()).display()
                        + (i + 1 < r.jobs().size() ? "" : "; storing the batch"));
            } catch (ToolException e) {
                Map<String, Object> details = new LinkedHashMap<>(e.details());
                Object argument = details.get("argument");
                details.put("argument", "jobs[" + i + "]" + (argument == null ? "" : "." + argument));
                throw new ToolException(e.code(), "jobs[" + i + "]: " + e.getMessage(), e.hint() + " Nothing of the batch was stored.",
                        e.retryable(), details);
            }
        }
        String team = items.get(0).team();
        String name = r.batchName() == null || r.batchName().isBlank() ? "batch of " + items.size() : r.batchName().trim();
        if (name.length() > 128) {
            throw ToolException.invalidArgument("batch_name", "Argument 'batch_name' is longer than 128 characters.", "Use a shorter name.");
        }
        Instant now = clock.instant();
        Batch stored;
        try {
            stored = queue.store().inTransaction(0, c -> {
                if (key != null) {
                    Optional<Batch> raced = byKey(c, key);
                    if (raced.isPresent()) {
                        return raced.get();
                    }
                }
                insert(c, new Batch(batchId, key, name, team, parallel, items.size(), now));
                for (QueuedJob j : items) {
                    queue.insert(c, j);
                }
                call.audit().inTransaction(c, team);
                return new Batch(batchId, key, name, team, parallel, items.size(), now);
            });
        } catch (RuntimeException e) {
            // the same key submitted twice at once: the loser reads the winner's batch (see QueueStore.insertOnce)
            if (key == null || !QueueStore.uniqueViolation(e)) {
                throw e;
            }
            stored = queue.read(c -> byKey(c, key)).orElseThrow(() -> e);
        }
        stored = mine(stored, principal);
        scheduler.passAfterSubmission();
        List<String> warnings = new ArrayList<>();
        if (!stored.batchId().equals(batchId)) {
            warnings.add(ALREADY);
        }
        String storedId = stored.batchId();
        for (QueuedJob j : queue.read(c -> queue.batchItems(c, storedId))) {
            jobs.historyWarning(j).ifPresent(w -> warnings.add(j.runName() + ": " + w));
        }
        return status(stored, warnings, principal);
    }

    private static final String ALREADY = "Already submitted with this idempotency_key: the batch is returned as it stands.";

    /** The batch under an idempotency key, if {@code principal} sees its team; another team's key is refused without naming it. */
    private Batch mine(Batch b, Principal principal) {
        if (!visible(b, principal)) {
            throw ToolException.invalidArgument("idempotency_key", "Argument 'idempotency_key' is already used by another submission.",
                    "Pick another idempotency_key, e.g. a UUID.");
        }
        return b;
    }

    /** Whether {@code principal} sees the batch's team and every item's (rule 1). */
    private boolean visible(Batch b, Principal principal) {
        return principal.sees(b.team()) && (principal.isAdmin()
                || queue.read(c -> queue.batchItems(c, b.batchId())).stream().allMatch(j -> principal.sees(j.team())));
    }

    public BatchStatus status(BatchStatusRequest r) {
        return status(r, Principal.LOCAL);
    }

    /** get_batch_status: a batch of a team {@code principal} does not see is "No batch", as an unknown one is. */
    public BatchStatus status(BatchStatusRequest r, Principal principal) {
        String id = BatchId.parse("batch_id", r.batchId()).value();
        Batch b = queue.read(c -> byId(c, id)).filter(x -> visible(x, principal)).orElseThrow(() -> new ToolException(
                ErrorCode.NOT_FOUND, "No batch " + id + ".", "Check the id submit_batch_training returned.", false,
                Map.of("argument", "batch_id")));
        return status(b, List.of(), principal);
    }

    private BatchStatus status(Batch b, List<String> warnings, Principal principal) {
        List<QueuedJob> items = queue.read(c -> queue.batchItems(c, b.batchId()));
        items = new ArrayList<>(items);
        items.sort(java.util.Comparator.comparing((QueuedJob j) -> j.idempotencyKey() == null ? "" : j.idempotencyKey(),
                java.util.Comparator.comparingInt(k -> k.isEmpty() ? 0 : Integer.parseInt(k.substring(k.indexOf('/') + 1)))));
        Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
        Money cost = Money.zero(prices.currency());
        var lookup = TeamScope.lookup(queue, items);
        List<QueueAnswer> answers = new ArrayList<>();
        for (QueuedJob j : items) {
            counts.merge(j.state(), 1, Integer::sum);
            cost = cost.plus(Money.micros(j.estimatedCostMicros(), prices.currency()));
            answers.add(jobs.answer(j, List.of(), null, principal, lookup));
        }
        boolean done = items.stream().allMatch(j -> j.state().terminal());
        return new BatchStatus(b.batchId(), b.name(), b.team(), b.parallel(), b.submitted(), answers, counts, done,
                prices.currency().getCurrencyCode(), cost.amount(), resume(items, b.parallel()), warnings);
    }

    private static String resume(List<QueuedJob> items, boolean parallel) {
        if (items.stream().allMatch(j -> j.state().terminal())) {
            return "Every item has ended; nothing is left to resume.";
        }
        List<String> parts = new ArrayList<>();
        List<String> ended = new ArrayList<>();
        List<String> running = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            QueuedJob j = items.get(i);
            String label = "item " + (i + 1);
            if (j.state().terminal()) {
                ended.add(label);
            } else if (j.state().active()) {
                running.add(label);
            } else {
                waiting.add(label);
            }
        }
        if (!ended.isEmpty()) {
            parts.add(String.join(", ", ended) + " ended and will not run again");
        }
        if (!running.isEmpty()) {
            parts.add(String.join(", ", running) + " keep running (their Jobs are found by name, not created twice)");
        }
        if (!waiting.isEmpty()) {
            parts.add(String.join(", ", waiting) + (parallel ? " wait for room" : " start in order, each after the one before it ends"));
        }
        return "After a restart the batch continues from the store: " + String.join("; ", parts) + ".";
    }

    private static void insert(Connection c, Batch b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO queue_batch (batch_id, idempotency_key, name, team, parallel, size, "
                + "submitted_ms) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, b.batchId());
            ps.setString(2, b.key());
            ps.setString(3, b.name());
            ps.setString(4, b.team());
            ps.setInt(5, b.parallel() ? 1 : 0);
            ps.setInt(6, b.size());
            ps.setLong(7, b.submitted().toEpochMilli());
            ps.executeUpdate();
        }
    }

    private static Optional<Batch> byKey(Connection c, String key) throws SQLException {
        return one(c, "SELECT batch_id, idempotency_key, name, team, parallel, size, submitted_ms FROM queue_batch WHERE idempotency_key = ?", key);
    }

    private static Optional<Batch> byId(Connection c, String id) throws SQLException {
        return one(c, "SELECT batch_id, idempotency_key, name, team, parallel, size, submitted_ms FROM queue_batch WHERE batch_id = ?", id);
    }

    private static Optional<Batch> one(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Batch(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5) == 1,
                        rs.getInt(6), Instant.ofEpochMilli(rs.getLong(7))));
            }
        }
    }

    static String newId() {
        return Ids.random("tb-");
    }
}
