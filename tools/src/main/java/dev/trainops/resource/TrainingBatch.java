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
 * The plan's batch manifest as a Kubernetes object: a list of training configs and {@code parallel}; {@code kubectl
 * apply} of it is a {@code submit_batch_training} call in the object's namespace (the team). A cap on the whole batch
 * goes in the {@code trainops.dev/max-cost} annotation, which the admission webhook checks.
 */
@Group(TrainingJob.GROUP)
@Version(TrainingJob.VERSION)
@Kind("TrainingBatch")
@Singular("trainingbatch")
@Plural("trainingbatches")
@ShortNames("tb")
@AdditionalPrinterColumn(name = "STATE", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.state")
@AdditionalPrinterColumn(name = "REASON", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.reason")
@AdditionalPrinterColumn(name = "DONE", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.progress")
@AdditionalPrinterColumn(name = "PARALLEL", type = AdditionalPrinterColumn.Type.BOOLEAN, jsonPath = ".spec.parallel")
@AdditionalPrinterColumn(name = "COST", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.costSoFar")
@AdditionalPrinterColumn(name = "ESTIMATE", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.estimatedCost", priority = 1)
@AdditionalPrinterColumn(name = "AGE", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class TrainingBatch extends CustomResource<TrainingBatchSpec, TrainingBatchStatus> implements Namespaced {
    /** The CRD's name. */
    public static final String CRD_NAME = "trainingbatches." + TrainingJob.GROUP;

    @Override
    protected TrainingBatchSpec initSpec() {
        return new TrainingBatchSpec();
    }

    @Override
    protected TrainingBatchStatus initStatus() {
        return new TrainingBatchStatus();
    }
}
