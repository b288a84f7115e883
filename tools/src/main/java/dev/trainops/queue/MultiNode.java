package dev.trainops.queue;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Queue rule 13, multi-node jobs: a job asking for more GPUs than one node of its type holds runs on
 * whole nodes of that type, {@code gpu_count / G} of them where G is the GPUs of its type's largest
 * node, one pod per node, admitted all or nothing. Only whole, exclusive GPUs span nodes (not MIG
 * slices, not time-sliced replicas). Among the free whole nodes it prefers a set sharing a rack
 * (the configured rack label, within one zone), then a set sharing {@code topology.kubernetes.io/zone},
 * then any; within a level the group that fits most tightly, so larger groups stay whole for larger jobs.
 */
final class MultiNode {
    /** The well-known zone label of Kubernetes nodes. */
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    /** The rack label when config/jobs.yaml's {@code topology.rack_label} does not name one. */
    static final String DEFAULT_RACK_LABEL = "trainops.dev/rack";

    /**
     * What a multi-node job needs: {@code nodes} whole nodes of {@code perNode} GPUs each, from {@code candidates}
     * (its pool's exclusive whole-GPU nodes of exactly that size).
     */
    record Need(int nodes, long perNode, List<Snapshot.NodeRoom> candidates) {
    }

    private MultiNode() {
    }

    /**
     * The whole nodes {@code job} needs from {@code pool} (the rooms of its GPU type and spot kind),
     * or null when it fits on one node, or is not a whole multiple of the type's node size (refused
     * at submit: {@link #checkAtSubmit}).
     */
    static Need need(QueuedJob job, List<Snapshot.NodeRoom> pool) {
        long perNode = perNode(pool);
        long largest = pool.stream().mapToLong(Snapshot.NodeRoom::allocatable).max().orElse(0);
        if (job.migProfile() != null || perNode == 0 || job.gpuCount() <= largest || job.gpuCount() % perNode != 0) {
            return null;
        }
        return new Need((int) (job.gpuCount() / perNode), perNode,
                pool.stream().filter(r -> !r.shared() && r.allocatable() == perNode).toList());
    }

    /**
     * For validate_job_resources: the GPUs per node when {@code gpus} of whole GPUs (no MIG
     * {@code mig}) is more than any of {@code rooms} (a GPU type's pools) holds and a whole multiple
     * of its on-demand nodes' size; 0 when it fits one node or cannot span nodes.
     */
    static long spanPerNode(List<Snapshot.NodeRoom> rooms, String mig, int gpus) {
        long largest = rooms.stream().mapToLong(Snapshot.NodeRoom::allocatable).max().orElse(0);
        long perNode = perNode(rooms.stream().filter(r -> !r.spot()).toList());
        return mig == null && gpus > largest && perNode > 0 && gpus % perNode == 0 ? perNode : 0;
    }

    /** Whether {@code gpus} units fit one of {@code pools} (one kind: spot or on-demand), or whole nodes of them (rule 13). */
    static boolean fitsEver(List<Snapshot.NodeRoom> pools, int gpus) {
        long perNode = perNode(pools);
        return pools.stream().anyMatch(r -> r.allocatable() >= gpus) || perNode > 0 && gpus % perNode == 0
                && pools.stream().filter(r -> !r.shared() && r.migProfile() == null && r.allocatable() == perNode).count() >= gpus / perNode;
    }

    /** The GPUs of the largest exclusive whole-GPU node of {@code pool} (0: none). */
    static long perNode(List<Snapshot.NodeRoom> pool) {
        return pool.stream().filter(r -> !r.shared() && r.migProfile() == null).mapToLong(Snapshot.NodeRoom::allocatable).max().orElse(0);
    }

    /**
     * {@code need.nodes()} whole free nodes (all their GPUs free, none held for another job's
     * preemption), sharing a rack where it can, else a zone, else any; null when fewer are free.
     */
    static List<Snapshot.NodeRoom> place(Need need, Map<String, Long> free, Map<String, String> reservedNodes, String jobId) {
        List<Snapshot.NodeRoom> whole = need.candidates().stream()
                .filter(r -> free.getOrDefault(r.key(), 0L) >= need.perNode())
                .filter(r -> reservedNodes.get(r.key()) == null || reservedNodes.get(r.key()).equals(jobId))
                .sorted(Comparator.comparing(Snapshot.NodeRoom::node)).toList();
        if (whole.size() < need.nodes()) {
            return null;
        }
        for (Function<Snapshot.NodeRoom, String> level : List.<Function<Snapshot.NodeRoom, String>>of(
                r -> r.rack() == null ? null : r.zone() + "/" + r.rack(), Snapshot.NodeRoom::zone)) {
            List<Snapshot.NodeRoom> group = tightest(whole, level, need.nodes());
            if (group != null) {
                return group.subList(0, need.nodes());
            }
        }
        return whole.subList(0, need.nodes());
    }

    /** Of the groups {@code by} forms (null: in none), the smallest that holds {@code n}; ties by name. */
    private static List<Snapshot.NodeRoom> tightest(List<Snapshot.NodeRoom> nodes, Function<Snapshot.NodeRoom, String> by, int n) {
        Map<String, List<Snapshot.NodeRoom>> groups = new TreeMap<>();
        for (Snapshot.NodeRoom r : nodes) {
            String key = by.apply(r);
            if (key != null) {
                groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
            }
        }
        return groups.values().stream().filter(g -> g.size() >= n).min(Comparator.comparingInt(List::size)).orElse(null);
    }

    /** The nodes as a job's status holds them: their names in index order, comma-separated. */
    static String nodeList(List<Snapshot.NodeRoom> nodes) {
        return String.join(",", nodes.stream().map(Snapshot.NodeRoom::node).toList());
    }

    /** Why it waits, with the numbers: whole free nodes needed and free now. */
    static String detail(QueuedJob job, Need need, Map<String, Long> free) {
        List<String> freeNodes = need.candidates().stream().filter(r -> free.getOrDefault(r.key(), 0L) >= need.perNode())
                .map(Snapshot.NodeRoom::node).sorted().toList();
        return "Needs " + need.nodes() + " whole free " + (job.spot() ? "spot " : "") + job.gpuType() + " nodes (" + need.perNode()
                + " GPUs each, " + job.gpuCount() + " in all; all or nothing), " + freeNodes.size() + " free"
                + (freeNodes.isEmpty() ? "" : " (" + String.join(", ", freeNodes) + ")") + " of " + need.candidates().size() + ".";
    }

    /**
     * Queue rule 5 for a job bigger than any one node of its type ({@code largest} GPUs, on {@code where}): valid only
     * as a whole multiple of the type's node size, of whole exclusive GPUs, on no more nodes than
     * there are; otherwise a ToolException naming gpu_count and the valid values.
     */
    static void checkAtSubmit(String gpuType, String mig, int gpus, boolean spot, List<Snapshot.NodeRoom> pools, long largest,
                              String where) {
        String kind = spot ? "spot " : "";
        String never = "No " + kind + "node can ever hold " + gpus + " " + gpuType + (mig == null ? "" : " MIG " + mig + " slices")
                + ": the largest has " + largest + " (" + where + "); ";
        Map<String, Object> data = new java.util.LinkedHashMap<>(Map.of("argument", "gpu_count", "largest_node_gpus", largest));
        if (mig != null) {
            throw new ToolException(ErrorCode.NO_CAPACITY, never + "only whole GPUs span nodes (queue rule 13), not MIG slices.",
                    "Ask for at most " + largest + " slices (gpu_count), or leave mig_profile out to run on whole " + gpuType + " nodes.",
                    false, data);
        }
        List<Snapshot.NodeRoom> mine = pools.stream().filter(r -> r.spot() == spot).toList();
        long perNode = perNode(mine);
        if (perNode == 0) {
            throw new ToolException(ErrorCode.NO_CAPACITY, never + "its GPUs are shared (time-sliced), and only whole GPUs span nodes "
                    + "(queue rule 13).", "Ask for at most " + largest + " GPUs (gpu_count).", false, data);
        }
        long nodes = mine.stream().filter(r -> !r.shared() && r.allocatable() == perNode).count();
        if (gpus % perNode != 0 || gpus / perNode > nodes) {
            List<String> valid = new ArrayList<>();
            for (long n = 2; n <= nodes; n++) {
                valid.add(Long.toString(n * perNode));
            }
            data.put("gpus_per_node", perNode);
            data.put("nodes", nodes);
            throw new ToolException(ErrorCode.NO_CAPACITY, never + "a larger gpu_count runs on whole " + kind + gpuType + " nodes of "
                    + perNode + " GPUs (queue rule 13), and the cluster has " + nodes + " such node" + (nodes == 1 ? "" : "s") + ".",
                    "Ask for gpu_count at most " + largest + " on one node" + (valid.isEmpty() ? "" : ", or " + String.join(", ", valid)
                    + " on whole nodes") + ".", false, data);
        }
    }
}
