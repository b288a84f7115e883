package dev.trainops.resource;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One training job as a Kubernetes object: {@code kubectl apply} of it is a {@code queue_training_job} call in the
 * object's namespace (the team), with the object's uid as idempotency key; the queue's view of the job is written
 * back to its status (DESIGN.md, "Kubernetes API").
 */
@Group(TrainingJob.GROUP)
@Version(TrainingJob.VERSION)
@Kind("TrainingJob")
@Singular("trainingjob")
@Plural("trainingjobs")
@ShortNames("tj")
@AdditionalPrinterColumn(name = "STATE", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.state")
@AdditionalPrinterColumn(name = "REASON", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.reason")
@AdditionalPrinterColumn(name = "GPUS", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".spec.gpuCount")
@AdditionalPrinterColumn(name = "COST", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.costSoFar", getDescription = "what the job has cost so far")
@AdditionalPrinterColumn(name = "MAX-COST", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.maxCost")
@AdditionalPrinterColumn(name = "ESTIMATE", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.estimatedCost", priority = 1)
@AdditionalPrinterColumn(name = "JOB", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.jobId", priority = 1)
@AdditionalPrinterColumn(name = "AGE", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class TrainingJob extends CustomResource<TrainingJobSpec, TrainingJobStatus> implements Namespaced {
    public static final String GROUP = "trainops.dev";
    public static final String VERSION = "v1alpha1";
    /** The CRD's name. */
    public static final String CRD_NAME = "trainingjobs." + GROUP;
    /** {@code apiVersion} of the objects. */
    public static final String API_VERSION = GROUP + "/" + VERSION;

    @Override
    protected TrainingJobSpec initSpec() {
        return new TrainingJobSpec();
    }

    @Override
    protected TrainingJobStatus initStatus() {
        return new TrainingJobStatus();
    }
}
