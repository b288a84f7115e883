package dev.trainops.queue;

import dev.trainops.kube.KubeNames;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The batch/v1 Job of a multi-node job (queue rule 13, docs/queue.md "Multi-node jobs"): an Indexed
 * Job with {@code completions = parallelism =} its node count, each pod holding one node's GPUs;
 * a required node affinity keeps the pods on the nodes admission chose, a required pod
 * anti-affinity on the attempt's labels puts one pod on each. Each pod learns its place from the
 * env: {@code JOB_COMPLETION_INDEX} (set by Kubernetes) and {@code NODE_RANK} (the same index),
 * {@code NNODES}, {@code GPUS_PER_NODE} and {@code WORLD_SIZE} (all its GPUs).
 */
final class MultiNodeJob {
    /** The annotation Kubernetes gives each pod of an Indexed Job: its index. */
    static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";

    private MultiNodeJob() {
    }

    /** {@code job} as built for one pod, made the Indexed Job of its nodes when it holds more than one. */
    static Job indexed(Job built, QueuedJob queued) {
        List<String> nodes = queued.nodes();
        if (nodes.size() < 2) {
            return built;
        }
        int n = nodes.size();
        Job job = new JobBuilder(built).editSpec().withCompletionMode("Indexed").withCompletions(n).withParallelism(n).endSpec().build();
        var pod = job.getSpec().getTemplate().getSpec();
        pod.setAffinity(affinity(pod.getAffinity(), nodes, queued));
        var container = pod.getContainers().get(0);
        List<EnvVar> env = new ArrayList<>(container.getEnv() == null ? List.of() : container.getEnv());
        env.add(new EnvVar("NNODES", Integer.toString(n), null));
        env.add(new EnvVar("GPUS_PER_NODE", Integer.toString(queued.gpusPerNode()), null));
        env.add(new EnvVar("WORLD_SIZE", Integer.toString(queued.gpuCount()), null));
        env.add(new EnvVarBuilder().withName("NODE_RANK").withNewValueFrom().withNewFieldRef()
                .withFieldPath("metadata.annotations['" + COMPLETION_INDEX + "']").endFieldRef().endValueFrom().build());
        container.setEnv(env);
        return job;
    }

    /**
     * The template's affinity, with the chosen nodes added to each of its required node terms (terms
     * are ORed, expressions within one ANDed) and one pod of this attempt per node.
     */
    private static Affinity affinity(Affinity template, List<String> nodes, QueuedJob queued) {
        NodeSelectorRequirement onChosen = new NodeSelectorRequirementBuilder().withKey(KubeNames.LABEL_HOSTNAME).withOperator("In")
                .withValues(nodes).build();
        AffinityBuilder b = template == null ? new AffinityBuilder() : new AffinityBuilder(template);
        Affinity a = b.build();
        List<NodeSelectorTerm> terms = new ArrayList<>();
        var nodeAffinity = a.getNodeAffinity();
        var required = nodeAffinity == null ? null : nodeAffinity.getRequiredDuringSchedulingIgnoredDuringExecution();
        if (required != null && required.getNodeSelectorTerms() != null && !required.getNodeSelectorTerms().isEmpty()) {
            for (NodeSelectorTerm t : required.getNodeSelectorTerms()) {
                terms.add(new NodeSelectorTermBuilder(t).addToMatchExpressions(onChosen).build());
            }
        } else {
            terms.add(new NodeSelectorTermBuilder().addToMatchExpressions(onChosen).build());
        }
        PodAffinityTerm onePerNode = new PodAffinityTermBuilder().withTopologyKey(KubeNames.LABEL_HOSTNAME).withNewLabelSelector()
                .withMatchLabels(Map.of(KubeNames.LABEL_JOB_ID, queued.jobId(), KubeNames.LABEL_ATTEMPT, Integer.toString(queued.attempt())))
                .endLabelSelector().build();
        return new AffinityBuilder(a)
                .editOrNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution().withNodeSelectorTerms(terms)
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity()
                .editOrNewPodAntiAffinity().addToRequiredDuringSchedulingIgnoredDuringExecution(onePerNode).endPodAntiAffinity()
                .build();
    }
}
