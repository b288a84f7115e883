package dev.trainops.operator;

import dev.trainops.resource.TrainingBatch;
import dev.trainops.resource.TrainingBatchSpec;
import dev.trainops.resource.TrainingJobSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A TrainingBatch as the arguments of a {@code submit_batch_training} call (docs/kubernetes.md, "TrainingBatch"): the
 * team is the object's namespace, the idempotency key its uid, the batch name its name, and an item without a run name
 * runs as {@code <name>-<index>}. The arguments go through the tool catalog as an MCP client's do, so they are checked,
 * priced and refused by the same rules and with the same messages.
 */
final class BatchManifest {
    /** The longest batch name submit_batch_training accepts. */
    static final int MAX_NAME = 128;

    private BatchManifest() {
    }

    /**
     * Why the object cannot be submitted as it is, before the queue is asked: a {@code team} (the batch's or an item's)
     * that is not the namespace. Empty when it can.
     */
    static Optional<String> teamMismatch(TrainingBatch batch) {
        String namespace = batch.getMetadata().getNamespace();
        TrainingBatchSpec spec = batch.getSpec();
        if (spec == null || spec.getJobs() == null || spec.getJobs().isEmpty()) {
            return Optional.of("spec.jobs is empty: a TrainingBatch needs 1 to 100 jobs. Add them to spec.jobs.");
        }
        if (spec.getTeam() != null && !spec.getTeam().equals(namespace)) {
            return Optional.of(mismatch("spec.team", spec.getTeam(), namespace));
        }
        for (int i = 0; i < spec.getJobs().size(); i++) {
            TrainingJobSpec job = spec.getJobs().get(i);
            if (job != null && job.getTeam() != null && !job.getTeam().equals(namespace)) {
                return Optional.of(mismatch("spec.jobs[" + i + "].team", job.getTeam(), namespace));
            }
        }
        return Optional.empty();
    }

    private static String mismatch(String field, String team, String namespace) {
        return field + " is " + team + " but the object is in namespace " + namespace + ": the team is the namespace. Remove " + field
                + " or create the TrainingBatch in namespace " + team + ".";
    }

    /** The {@code submit_batch_training} arguments (snake_case, as on the wire); nothing the spec leaves out is sent. */
    static Map<String, Object> arguments(TrainingBatch batch) {
        String namespace = batch.getMetadata().getNamespace();
        String name = batch.getMetadata().getName();
        List<Object> jobs = new ArrayList<>();
        List<TrainingJobSpec> items = batch.getSpec().getJobs();
        for (int i = 0; i < items.size(); i++) {
            TrainingJobSpec job = items.get(i) == null ? new TrainingJobSpec() : items.get(i);
            Map<String, Object> item = new LinkedHashMap<>();
            put(item, "model", job.getModel());
            item.put("run_name", job.getRunName() != null ? job.getRunName() : name + "-" + i);
            item.put("team", namespace);
            put(item, "epochs", job.getEpochs());
            put(item, "batch_size", job.getBatchSize());
            put(item, "priority", job.getPriority());
            put(item, "gpu_count", job.getGpuCount());
            put(item, "gpu_type", job.getGpuType());
            put(item, "params", job.getParams());
            put(item, "spot", job.getSpot());
            put(item, "schedule", job.getSchedule());
            put(item, "max_cost", job.getMaxCost());
            put(item, "mig_profile", job.getMigProfile());
            jobs.add(item);
        }
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("jobs", jobs);
        args.put("parallel", Boolean.TRUE.equals(batch.getSpec().getParallel()));
        args.put("batch_name", name.length() <= MAX_NAME ? name : name.substring(0, MAX_NAME));
        args.put("idempotency_key", batch.getMetadata().getUid());
        return args;
    }

    private static void put(Map<String, Object> item, String key, Object value) {
        if (value != null) {
            item.put(key, value);
        }
    }
}
