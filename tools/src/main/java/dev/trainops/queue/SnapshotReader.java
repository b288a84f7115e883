package dev.trainops.queue;

import dev.trainops.gpu.GpuShares;
import dev.trainops.gpu.GpuTypes;
import dev.trainops.gpu.Sharing;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.Nodes;
import dev.trainops.kube.PodResources;
import dev.trainops.kube.SpotNodes;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads what one admission pass decides on into a {@link Snapshot}: the GPU room of every
 * schedulable node (from the informers), the queued and active jobs (from the store, in the caller's
 * transaction), the GPUs held outside the queue, quotas and budgets. Pods are read through the
 * informer's GPU-pod index, never by scanning every pod of a large cluster.
 */
final class SnapshotReader {
    private final QueueStore queue;
    private final ClusterIndex index;
    private final QuotaConfig quotas;
    private final Function<String, Optional<Snapshot.BudgetRoom>> budgets;
    private final GpuUtilization utilization;
    private final Scheduler.Settings settings;
    private final SpotNodes spotNodes;

    SnapshotReader(QueueStore queue, ClusterIndex index, QuotaConfig quotas, Function<String, Optional<Snapshot.BudgetRoom>> budgets,
                   GpuUtilization utilization, Scheduler.Settings settings, SpotNodes spotNodes) {
        this.spotNodes = spotNodes;
        this.queue = queue;
        this.index = index;
        this.quotas = quotas;
        this.budgets = budgets;
        this.utilization = utilization;
        this.settings = settings;
    }

    /**
     * The GPU pools of every schedulable ready node, spot or on-demand: its whole or shared GPUs, and
     * each MIG profile it advertises (docs/queue.md, "MIG slices").
     */
    List<Snapshot.NodeRoom> rooms() {
        List<Snapshot.NodeRoom> out = new ArrayList<>();
        for (Node n : index.nodes()) {
            if (!Nodes.ready(n) || !Nodes.schedulable(n) || n.getStatus() == null) {
                continue;
            }
            Map<String, String> labels = Nodes.labels(n);
            Map<String, Quantity> allocatable = n.getStatus().getAllocatable() != null ? n.getStatus().getAllocatable() : n.getStatus().getCapacity();
            if (allocatable == null) {
                continue;
            }
            String name = n.getMetadata().getName();
            String type = GpuTypes.canonical(labels.get(KubeNames.LABEL_GPU_PRODUCT), Nodes.longLabel(labels, KubeNames.LABEL_GPU_MEMORY_MIB));
            // read once: the DCGM refresh may replace the figures between two reads
            OptionalDouble percent = utilization.nodePercent(name);
            Double util = percent.isPresent() ? percent.getAsDouble() : null;
            String resource = queueResource(n);
            boolean spot = spotNodes.isSpot(labels);
            if (resource != null) {
                out.add(new Snapshot.NodeRoom(name, type, resource, GpuShares.sharing(resource, labels) != Sharing.EXCLUSIVE,
                        PodResources.count(allocatable.get(resource)), 0, util, spot)
                        .inTopology(labels.get(MultiNode.ZONE_LABEL), labels.get(settings.rackLabel())));
            }
            for (var mig : migResources(allocatable, labels).entrySet()) {
                out.add(new Snapshot.NodeRoom(name, type, mig.getKey(), false, PodResources.count(allocatable.get(mig.getKey())), 0, util,
                        spot, mig.getValue()));
            }
        }
        return out;
    }

    /**
     * The MIG resources a node advertises, each with its profile (by {@link GpuShares#migProfile}):
     * {@code nvidia.com/mig-<profile>} under strategy mixed, {@code nvidia.com/gpu} under strategy single.
     */
    static Map<String, String> migResources(Map<String, Quantity> allocatable, Map<String, String> labels) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (var e : allocatable.entrySet()) {
            String profile = PodResources.isGpuResource(e.getKey()) ? GpuShares.migProfile(e.getKey(), labels) : null;
            if (profile != null && PodResources.count(e.getValue()) > 0) {
                out.put(e.getKey(), profile);
            }
        }
        return out;
    }

    /**
     * The GPU resource the queue requests on a node: {@code nvidia.com/gpu.shared} where the node
     * advertises shared replicas, else {@code nvidia.com/gpu} (not under MIG strategy single); null
     * when the queue places nothing there.
     */
    static String queueResource(Node n) {
        if (n.getStatus() == null) {
            return null;
        }
        Map<String, Quantity> allocatable = n.getStatus().getAllocatable() != null ? n.getStatus().getAllocatable() : n.getStatus().getCapacity();
        if (allocatable == null) {
            return null;
        }
        // whole or shared GPUs here; MIG slices are pools of their own (migResources; GpuShares says which a resource is)
        Map<String, String> labels = Nodes.labels(n);
        for (String resource : List.of(KubeNames.GPU_SHARED_RESOURCE, KubeNames.GPU_RESOURCE)) {
            Quantity q = allocatable.get(resource);
            if (q != null && PodResources.count(q) > 0) {
                return GpuShares.sharing(resource, labels) != Sharing.MIG ? resource : null;
            }
        }
        return null;
    }

    /** Reads the cluster, the queue, quotas and budgets for one pass, in the caller's transaction. */
    Snapshot snapshot(Connection c, Instant now) throws SQLException {
        List<QueuedJob> active = queue.inStates(c, JobState.SCHEDULED, JobState.RUNNING, JobState.PREEMPTED);
        List<Snapshot.NodeRoom> rooms = rooms();
        Map<String, List<Snapshot.NodeRoom>> roomsOf = new HashMap<>();
        rooms.forEach(r -> roomsOf.computeIfAbsent(r.node(), k -> new ArrayList<>()).add(r));
        Map<String, Long> usedOutside = new HashMap<>();
        Map<String, Integer> teamOutside = new HashMap<>();
        for (Pod p : outsidePods(active)) {
            Map<String, Long> gpus = PodResources.gpuRequests(p);
            String node = p.getSpec().getNodeName();
            for (Snapshot.NodeRoom r : node == null ? List.<Snapshot.NodeRoom>of() : roomsOf.getOrDefault(node, List.of())) {
                usedOutside.merge(r.key(), gpus.getOrDefault(r.resource(), 0L), Long::sum);
            }
            long whole = quotaGpus(p);
            if (whole > 0) {
                teamOutside.merge(p.getMetadata().getNamespace(), (int) whole, Integer::sum);
            }
        }
        List<Snapshot.NodeRoom> withUse = rooms.stream().map(r -> r.withUsedOutside(usedOutside.getOrDefault(r.key(), 0L))).toList();
        List<QueuedJob> queued = queue.inStates(c, JobState.QUEUED);
        Set<String> teams = new HashSet<>();
        queued.forEach(j -> teams.add(j.team()));
        active.forEach(j -> teams.add(j.team()));
        Map<String, Integer> limits = new HashMap<>();
        Map<String, Snapshot.BudgetRoom> budgetRooms = new HashMap<>();
        for (String team : teams) {
            quotaLimit(team).ifPresent(l -> limits.put(team, l));
            budgets.apply(team).ifPresent(b -> budgetRooms.put(team, b));
        }
        Map<String, List<QueuedJob>> batches = new HashMap<>();
        for (QueuedJob j : queued) {
            if (j.batchId() != null && !batches.containsKey(j.batchId())) {
                batches.put(j.batchId(), queue.batchItems(c, j.batchId()));
            }
        }
        return new Snapshot(now, withUse, queued, active, limits, teamOutside, budgetRooms, batches, settings.utilizationThreshold(),
                settings.starvationAfter());
    }

    /** GPUs a team holds now: its active queue jobs plus its other pods that hold GPUs. */
    int gpusInUse(String team) {
        List<QueuedJob> active = queue.read(c -> queue.inStates(c, JobState.SCHEDULED, JobState.RUNNING, JobState.PREEMPTED));
        int used = 0;
        for (QueuedJob a : active) {
            if (a.team().equals(team)) {
                used += a.gpuCount();
            }
        }
        for (Pod p : outsidePods(active)) {
            if (team.equals(p.getMetadata().getNamespace())) {
                used += (int) quotaGpus(p);
            }
        }
        return used;
    }

    /**
     * GPU pods that hold resources and are not the current attempt of an active queue job (those
     * count through the queue). Only pods that request GPUs can take GPU room or GPU quota, so the
     * informer's GPU index is the whole answer.
     */
    private List<Pod> outsidePods(List<QueuedJob> active) {
        Set<String> attempts = new HashSet<>();
        active.forEach(a -> attempts.add(a.jobId() + "/" + a.attempt()));
        List<Pod> out = new ArrayList<>();
        for (Pod p : index.gpuPods()) {
            String id = label(p, KubeNames.LABEL_JOB_ID);
            if (PodResources.holdsResources(p) && p.getSpec() != null
                    && (id == null || !attempts.contains(id + "/" + label(p, KubeNames.LABEL_ATTEMPT)))) {
                out.add(p);
            }
        }
        return out;
    }

    /** What a ResourceQuota on requests.nvidia.com/gpu counts of a pod: whole GPUs (not shared replicas or MIG slices). */
    private static long quotaGpus(Pod p) {
        return PodResources.gpuRequests(p).getOrDefault(KubeNames.GPU_RESOURCE, 0L);
    }

    /** Namespaces with a GPU ResourceQuota. */
    Set<String> quotaTeams() {
        Set<String> teams = new HashSet<>();
        for (ResourceQuota rq : index.resourceQuotas()) {
            teams.add(rq.getMetadata().getNamespace());
        }
        return teams;
    }

    /** A team's GPU quota: its namespace's ResourceQuota when it has one, else config/quotas.yaml. */
    Optional<Integer> quotaLimit(String team) {
        Integer best = null;
        for (ResourceQuota rq : index.resourceQuotas()) {
            if (!team.equals(rq.getMetadata().getNamespace()) || rq.getSpec() == null || rq.getSpec().getHard() == null) {
                continue;
            }
            for (String key : List.of("requests.nvidia.com/gpu", "limits.nvidia.com/gpu", "nvidia.com/gpu")) {
                Quantity q = rq.getSpec().getHard().get(key);
                if (q != null) {
                    int v = (int) PodResources.count(q);
                    best = best == null ? v : Math.min(best, v);
                }
            }
        }
        if (best != null) {
            return Optional.of(best);
        }
        QuotaConfig.TeamQuota configured = quotas.teams().get(team);
        return configured == null ? Optional.empty() : Optional.of(configured.gpus());
    }

    static String label(Pod p, String key) {
        return p.getMetadata() == null || p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(key);
    }
}
