package dev.trainops.gpu;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.SpotNodes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeSet;

/**
 * Live GPU inventory: what every node offers, what running pods hold, what pending pods wait for,
 * read from the {@link ClusterIndex} stores. The per-node view is rebuilt only when the index's
 * generation moves ({@link GpuView}), and then from the index of GPU pods, so repeated calls cost a filter over
 * nodes and a rebuild costs a pass over the GPU pods, not over every pod.
 */
public final class GpuInventory {
    private volatile java.util.function.Supplier<List<QueuedDemand>> queue = List::of;

    private final ClusterIndex index;
    private final GpuUtilization utilization;
    private final Clock clock;
    private final Duration initialSyncWait;
    private final SpotNodes spotNodes;
    private volatile GpuView cached;

    public GpuInventory(ClusterIndex index, GpuUtilization utilization, Clock clock, Duration initialSyncWait) {
        this(index, utilization, clock, initialSyncWait, SpotNodes.DEFAULTS);
    }

    /** {@code spotNodes}: which nodes are spot capacity; their pools are listed apart from on-demand ones. */
    public GpuInventory(ClusterIndex index, GpuUtilization utilization, Clock clock, Duration initialSyncWait, SpotNodes spotNodes) {
        this.spotNodes = spotNodes;
        this.index = index;
        this.utilization = utilization;
        this.clock = clock;
        this.initialSyncWait = initialSyncWait;
    }

    private volatile java.util.function.Consumer<Boolean> onRead = hit -> { };

    /** Told of every read: true when the informer cache was synced (a hit), false when the call had to wait for it. */
    public void onRead(java.util.function.Consumer<Boolean> observer) {
        this.onRead = observer;
    }

    /** The GPU types present in the cluster, canonical names, sorted. */
    public List<String> gpuTypes() {
        return view().nodes().stream().map(n -> n.gpus.gpuType()).filter(t -> !t.equals("unknown")).distinct().sorted().toList();
    }

    public GpuAvailability availability(GpuAvailabilityRequest request) { return availability(request, dev.trainops.access.Principal.LOCAL); }

    /** Rule 2: capacity, counts and times for everyone; another team's pod is {@value GpuTools#ANOTHER_TEAMS_JOB}. */
    public GpuAvailability availability(GpuAvailabilityRequest request, dev.trainops.access.Principal principal) {
        String namespace = request.namespace();
        if (namespace != null && !dev.trainops.kube.KubeNames.isNamespace(namespace)) {
            throw ToolException.invalidArgument("namespace",
                    "Argument 'namespace' is not a valid Kubernetes namespace name.",
                    "Use a lowercase DNS label such as team-a, or omit namespace for the whole cluster.");
        }
        ClusterIndex.Freshness freshness = index.freshness();
        onRead.accept(freshness.synced());
        if (!freshness.synced() && !index.awaitSynced(initialSyncWait)) {
            throw new ToolException(ErrorCode.UPSTREAM_UNAVAILABLE,
                    "No GPU inventory yet: the Kubernetes API at " + index.masterUrl() + " has not completed the initial sync ("
                            + index.freshness().reason() + ").",
                    "Check KUBECONFIG and that the API server is reachable, then retry in a few seconds.", true,
                    Map.of("backend", "kubernetes"));
        }
        if (!freshness.synced()) {
            freshness = index.freshness();
        }
        GpuView view = view();
        String gpuType = request.gpuType() == null ? null : resolveType(request.gpuType(), view);
        long minMemoryMib = request.minMemoryGib() == null ? 0 : (long) Math.ceil(request.minMemoryGib() * 1024);
        Instant now = clock.instant();

        Map<String, PoolAcc> pools = new LinkedHashMap<>();
        // the node list is capped at max_nodes: accumulate over every node, build views for the shown ones only
        List<NodeRow> rows = new ArrayList<>();
        List<Double> allUtil = new ArrayList<>();
        for (GpuView.NodeState node : view.nodes()) {
            NodeGpus g = node.gpus;
            if (gpuType != null && !g.gpuType().equals(gpuType)) {
                continue;
            }
            OptionalDouble util = utilization.nodePercent(g.name());
            boolean usable = g.ready() && g.schedulable();
            boolean any = false;
            long nodeFree = 0;
            for (GpuView.Slot slot : node.slots) {
                NodeGpus.Pool p = slot.pool();
                if (p.memoryMibPerUnit() < minMemoryMib) {
                    continue;
                }
                any = true;
                long free = usable ? slot.freeIfUsable() : 0;
                nodeFree += free;
                PoolAcc acc = pools.get(slot.poolKey());
                if (acc == null) {
                    acc = new PoolAcc(g.gpuType(), p, g.spot());
                    pools.put(slot.poolKey(), acc);
                }
                acc.nodes++;
                acc.capacity += p.capacity();
                acc.allocatable += p.allocatable();
                acc.allocated += slot.allocated();
                acc.free += free;
                if (free > 0 && (acc.largest == null || free > acc.largest.count())) {
                    acc.largest = new GpuAvailability.Block(g.name(), free);
                }
                GpuView.Release release = slot.nextRelease();
                if (release != null && (acc.next == null || release.at().isBefore(acc.next.at()))) {
                    acc.next = release;
                }
                if (namespace != null) {
                    acc.inNamespace += node.allocatedByNamespace
                            .getOrDefault(namespace, Map.of()).getOrDefault(p.resourceName(), 0L);
                }
                if (util.isPresent()) {
                    acc.utilSum += util.getAsDouble();
                    acc.utilCount++;
                }
            }
            if (!any) {
                continue;
            }
            util.ifPresent(allUtil::add);
            rows.add(new NodeRow(node, nodeFree, util));
        }

        long queuedPods = 0;
        long queuedDemand = 0;
        for (GpuView.PendingDemand d : view.pending()) {
            if (namespace != null && !namespace.equals(d.namespace())) {
                continue;
            }
            boolean counted = false;
            for (PoolAcc acc : pools.values()) {
                Long n = d.requests().get(acc.resourceName);
                if (n != null && (d.gpuType() == null || d.gpuType().equals(acc.gpuType))) {
                    acc.queuedPods++;
                    acc.queuedDemand += n;
                    if (!counted) {
                        queuedPods++;
                        queuedDemand += d.requests().values().stream().mapToLong(Long::longValue).sum();
                        counted = true;
                    }
                    break;
                }
            }
            if (!counted && gpuType == null && minMemoryMib == 0) {
                queuedPods++;
                queuedDemand += d.requests().values().stream().mapToLong(Long::longValue).sum();
            }
        }

        Map<String, long[]> queuedByType = new java.util.HashMap<>();
        long queuedJobs = 0;
        long queuedJobGpus = 0;
        for (QueuedDemand d : queue.get()) {
            if ((namespace != null && !namespace.equals(d.team())) || (gpuType != null && !gpuType.equals(d.gpuType()))) {
                continue;
            }
            long[] q = queuedByType.computeIfAbsent(d.gpuType(), k -> new long[2]);
            q[0]++;
            q[1] += d.gpus();
            queuedJobs++;
            queuedJobGpus += d.gpus();
        }
        java.util.Set<String> firstPoolOfType = new java.util.HashSet<>();
        List<GpuAvailability.Pool> poolViews = new ArrayList<>();
        for (PoolAcc acc : pools.values()) {
            GpuAvailability.NextFree next = acc.next == null ? null : new GpuAvailability.NextFree(acc.next.at(),
                    Math.max(0, Duration.between(now, acc.next.at()).toSeconds()), acc.next.count(), acc.next.node(),
                    principal.sees(acc.next.namespace()) ? acc.next.pod() : GpuTools.ANOTHER_TEAMS_JOB);
            // the queue asks for whole GPUs of a type: count it once, on the type's whole-GPU pool
            long[] q = acc.migProfile == null && !acc.spot && firstPoolOfType.add(acc.gpuType) ? queuedByType.getOrDefault(acc.gpuType, new long[2])
                    : new long[2];
            poolViews.add(new GpuAvailability.Pool(acc.gpuType, acc.resourceName, acc.sharing, acc.migProfile, acc.spot,
                    acc.memoryMibPerUnit, acc.nodes, acc.capacity, acc.allocatable, acc.allocated, acc.free,
                    acc.largest, next, acc.queuedPods, acc.queuedDemand, q[0], q[1], availability(acc, next),
                    acc.utilCount == 0 ? null : round1(acc.utilSum / acc.utilCount),
                    namespace == null ? null : acc.inNamespace));
        }
        poolViews.sort(Comparator.comparing(GpuAvailability.Pool::gpuType).thenComparing(GpuAvailability.Pool::resourceName)
                .thenComparing(GpuAvailability.Pool::spot));

        List<String> notes = new ArrayList<>();
        if (allUtil.isEmpty()) {
            notes.add("GPU utilisation is unknown (no DCGM metrics); utilization_percent is null.");
        }
        if (poolViews.isEmpty()) {
            notes.add(minMemoryMib > 0
                    ? "No GPU resource offers " + request.minMemoryGib() + " GiB per unit; the largest is "
                            + view.maxUnitMemoryMib() / 1024 + " GiB."
                    : "The cluster advertises no GPU resources.");
        }
        int nodesTotal = rows.size();
        int maxNodes = request.maxNodes() == null ? GpuAvailabilityRequest.DEFAULT_MAX_NODES : request.maxNodes();
        if (rows.size() > maxNodes) {
            // the nodes with the most room first: those are the ones a placement question is about
            // (a stable sort: the rows are in name order, so ties stay by name)
            rows.sort(Comparator.comparingLong((NodeRow r) -> -r.free));
            rows = rows.subList(0, maxNodes);
            notes.add("Showing " + maxNodes + " of " + nodesTotal + " GPU nodes, most free first; raise max_nodes or filter by gpu_type to see others.");
        }
        List<GpuAvailability.NodeView> nodeViews = new ArrayList<>(rows.size());
        for (NodeRow row : rows) {
            nodeViews.add(nodeView(row, minMemoryMib));
        }
        return new GpuAvailability(freshness.asOf(), freshness.stale(), freshness.reason(), poolViews, nodesTotal, nodeViews,
                queuedPods, queuedDemand, queuedJobs, queuedJobGpus, allUtil.isEmpty() ? "none" : utilization.source(), notes);
    }

    private static GpuAvailability.NodeView nodeView(NodeRow row, long minMemoryMib) {
        NodeGpus g = row.node.gpus;
        boolean usable = g.ready() && g.schedulable();
        List<GpuAvailability.Resource> resources = new ArrayList<>(row.node.slots.length);
        for (GpuView.Slot slot : row.node.slots) {
            NodeGpus.Pool p = slot.pool();
            if (p.memoryMibPerUnit() >= minMemoryMib) {
                resources.add(new GpuAvailability.Resource(p.resourceName(), p.sharing(), p.migProfile(),
                        p.memoryMibPerUnit(), p.capacity(), p.allocatable(), slot.allocated(), usable ? slot.freeIfUsable() : 0));
            }
        }
        return new GpuAvailability.NodeView(g.name(), g.ready(), g.schedulable(), g.gpuType(), g.product(),
                g.gpuMemoryMib(), g.gpuCount(), g.family(), g.computeCapability(), g.migStrategy(),
                g.sharingStrategy(), g.replicas(), g.spot(), resources,
                row.util.isPresent() ? round1(row.util.getAsDouble()) : null);
    }

    /** "2 GPUs free now (4 on h100-b)", "1 GPU available in about 2 min", or that nothing is known to free up. */
    private static String availability(PoolAcc acc, GpuAvailability.NextFree next) {
        String unit = acc.migProfile != null ? "slice" : acc.sharing == Sharing.TIME_SLICED || acc.sharing == Sharing.MPS ? "shared GPU" : "GPU";
        if (acc.free > 0) {
            return acc.free + " " + unit + (acc.free == 1 ? "" : "s") + " free now" + (acc.largest == null ? "" : ", up to "
                    + acc.largest.count() + " on one node (" + acc.largest.node() + ")") + ".";
        }
        if (next != null) {
            return next.count() + " " + unit + (next.count() == 1 ? "" : "s") + " available in about " + RoughDuration.of(next.inSeconds()) + " ("
                    + next.node() + ").";
        }
        return "None free, and no running pod says when it ends.";
    }

    /** A job waiting in trainops's queue: its team, GPU type and GPUs. */
    public record QueuedDemand(String team, String gpuType, int gpus) {
    }

    /** Where queued jobs come from: the job queue, once it is open (nothing before that). */
    public void attachQueue(java.util.function.Supplier<List<QueuedDemand>> queued) {
        this.queue = queued;
    }

    private String resolveType(String requested, GpuView view) {
        String wanted = requested.trim().toUpperCase(Locale.ROOT);
        TreeSet<String> present = new TreeSet<>();
        for (GpuView.NodeState n : view.nodes()) {
            present.add(n.gpus.gpuType());
        }
        for (String t : present) {
            if (t.toUpperCase(Locale.ROOT).equals(wanted)) {
                return t;
            }
        }
        String known = GpuTypes.KNOWN.stream().filter(k -> k.equalsIgnoreCase(wanted)).findFirst().orElse(null);
        String message = known != null
                ? "There is no " + known + " in this cluster."
                : "Unknown gpu_type '" + (requested.length() > 40 ? requested.substring(0, 40) + "..." : requested) + "'.";
        throw new ToolException(ErrorCode.INVALID_ARGUMENT, message,
                "Use one of the types present: " + String.join(", ", present) + "; or omit gpu_type.",
                false, Map.of("argument", "gpu_type", "accepted", List.copyOf(present)));
    }

    private GpuView view() {
        long generation = index.generation();
        GpuView v = cached;
        if (v == null || v.generation() != generation) {
            v = GpuView.build(generation, index, spotNodes);
            cached = v;
        }
        return v;
    }

    private static double round1(double d) {
        return Math.round(d * 10.0) / 10.0;
    }
    /** A node a call counts, with its free units under the call's filters. */
    private record NodeRow(GpuView.NodeState node, long free, OptionalDouble util) { }
    private static final class PoolAcc {
        final String gpuType;
        final String resourceName;
        final Sharing sharing;
        final String migProfile;
        final boolean spot;
        final long memoryMibPerUnit;
        int nodes;
        long capacity;
        long allocatable;
        long allocated;
        long free;
        long queuedPods;
        long queuedDemand;
        long inNamespace;
        double utilSum;
        int utilCount;
        GpuAvailability.Block largest;
        GpuView.Release next;

        PoolAcc(String gpuType, NodeGpus.Pool p, boolean spot) {
            this.gpuType = gpuType;
            this.spot = spot;
            this.resourceName = p.resourceName();
            this.sharing = p.sharing();
            this.migProfile = p.migProfile();
            this.memoryMibPerUnit = p.memoryMibPerUnit();
        }
    }
}
