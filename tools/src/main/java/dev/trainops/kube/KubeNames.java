package dev.trainops.kube;

/** Every Kubernetes and NVIDIA name trainops reads or writes, in one place. */
public final class KubeNames {
    private static final java.util.regex.Pattern DNS_LABEL = java.util.regex.Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

    /** A valid namespace (team) name: a DNS label, lowercase letters, digits and '-', at most 63. */
    public static boolean isNamespace(String name) {
        return name != null && DNS_LABEL.matcher(name).matches();
    }

    private KubeNames() {
    }

    /** Whole GPUs, or time-sliced replicas or MIG slices (strategy single) under the same name. */
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    /** Time-slicing with renameByDefault advertises replicas under this name. */
    public static final String GPU_SHARED_RESOURCE = "nvidia.com/gpu.shared";
    /** MIG strategy mixed: {@code nvidia.com/mig-1g.10gb}, {@code mig-3g.40gb}, ... */
    public static final String MIG_RESOURCE_PREFIX = "nvidia.com/mig-";
    /** ResourceQuota key for GPUs. */
    public static final String QUOTA_GPU_REQUESTS = "requests.nvidia.com/gpu";

    // GPU Feature Discovery labels
    public static final String LABEL_GPU_PRODUCT = "nvidia.com/gpu.product";
    public static final String LABEL_GPU_MEMORY_MIB = "nvidia.com/gpu.memory";
    public static final String LABEL_GPU_COUNT = "nvidia.com/gpu.count";
    public static final String LABEL_GPU_FAMILY = "nvidia.com/gpu.family";
    public static final String LABEL_GPU_COMPUTE_MAJOR = "nvidia.com/gpu.compute.major";
    public static final String LABEL_GPU_COMPUTE_MINOR = "nvidia.com/gpu.compute.minor";
    public static final String LABEL_GPU_REPLICAS = "nvidia.com/gpu.replicas";
    public static final String LABEL_GPU_SHARING_STRATEGY = "nvidia.com/gpu.sharing-strategy";
    public static final String LABEL_MIG_STRATEGY = "nvidia.com/mig.strategy";
    public static final String LABEL_MIG_CAPABLE = "nvidia.com/mig.capable";

    /** Pod phases that no longer hold resources. */
    public static final String PHASE_SUCCEEDED = "Succeeded";
    public static final String PHASE_FAILED = "Failed";
    public static final String PHASE_RUNNING = "Running";
    public static final String PHASE_PENDING = "Pending";

    // Kueue (kueue.x-k8s.io v1beta2), for the budget AdmissionCheck (docs/kubernetes.md, "Kueue budget check")
    public static final String KUEUE_GROUP = "kueue.x-k8s.io";
    public static final String KUEUE_VERSION = "v1beta2";
    public static final String KUEUE_WORKLOADS_CRD = "workloads." + KUEUE_GROUP;
    public static final String KUEUE_ADMISSION_CHECKS_CRD = "admissionchecks." + KUEUE_GROUP;
    /** The AdmissionCheck controller name trainops answers for. */
    public static final String KUEUE_BUDGET_CONTROLLER = "trainops.dev/budget";

    // trainops's own labels and annotations on Jobs and Pods
    public static final String DOMAIN = "trainops.dev";
    public static final String LABEL_TEAM = DOMAIN + "/team";
    public static final String LABEL_JOB_ID = DOMAIN + "/job-id";
    public static final String LABEL_RUN_NAME = DOMAIN + "/run-name";
    public static final String LABEL_MODEL = DOMAIN + "/model";
    public static final String LABEL_EXPERIMENT = DOMAIN + "/experiment";
    /** "true" on a Job or pod of a job that asked for spot capacity (billing reads the node, not this: docs/money.md). */
    public static final String LABEL_SPOT = DOMAIN + "/spot";
    /** When the pod is expected to end (ISO-8601), so availability can say when a GPU frees up. */
    public static final String ANNOTATION_EXPECTED_END = DOMAIN + "/expected-end";
    public static final String ANNOTATION_EPOCHS = DOMAIN + "/epochs";
    public static final String ANNOTATION_BATCH_SIZE = DOMAIN + "/batch-size";
    /** Which attempt of a queued job a Job/pod is (a preempted job restarts as the next attempt). */
    public static final String LABEL_ATTEMPT = DOMAIN + "/attempt";
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String LABEL_HOSTNAME = "kubernetes.io/hostname";
    /** Where the job keeps its checkpoints; a restarted attempt resumes from there. */
    public static final String ANNOTATION_CHECKPOINT = DOMAIN + "/checkpoint-dir";
    /** When the pod last saved a checkpoint (ISO-8601), set by the trainer; what a spot interruption loses starts there. */
    public static final String ANNOTATION_LAST_CHECKPOINT = DOMAIN + "/last-checkpoint";
    // the cluster autoscaler's ProvisioningRequest (docs/kubernetes.md, "Scale-up")
    public static final String PROVISIONING_REQUEST_GROUP = "autoscaling.x-k8s.io";
    public static final String PROVISIONING_REQUEST_VERSION = "v1";
    public static final String PROVISIONING_REQUEST_KIND = "ProvisioningRequest";
    public static final String PROVISIONING_REQUEST_PLURAL = "provisioningrequests";
    /** The autoscaler checks whether the cluster has room and books it; it adds no node. */
    public static final String PROVISIONING_CLASS_CHECK_CAPACITY = "check-capacity.autoscaling.x-k8s.io";
    /** The autoscaler adds the nodes for all the pods at once, or none. */
    public static final String PROVISIONING_CLASS_BEST_EFFORT_ATOMIC = "best-effort-atomic-scale-up.autoscaling.x-k8s.io";

    /** On a TrainingJob that mirrors a job queued through MCP (its label trainops.dev/job-id names the job): where it came from, "mcp". */
    public static final String ANNOTATION_SOURCE = DOMAIN + "/source";
    /** On such a mirror: who queued the job (the caller's subject). */
    public static final String ANNOTATION_SUBMITTED_BY = DOMAIN + "/submitted-by";
    /** The pod condition Kubernetes sets on a pod ended by a disruption (node shutdown, taint eviction, preemption). */
    public static final String CONDITION_DISRUPTION_TARGET = "DisruptionTarget";
}
